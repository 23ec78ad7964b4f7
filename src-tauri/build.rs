//! Declares our commands to Tauri's permission system: each gets `allow-NAME` and
//! `deny-NAME` permissions and none is callable until a capability grants it.

/// Must match `all_commands!` in src/commands/mod.rs (checked by a test).
pub const COMMANDS: &[&str] = &[
    "window_ready",
    "dashboard",
    "get_preferences",
    "set_preferences",
    "inventory",
    "list_credentials",
    "get_credential",
    "add_credential",
    "edit_credential",
    "remove_credential",
    "reveal_credential",
    "copy_credential",
    "clear_copied_secret",
    "list_integrations",
    "get_integration",
    "add_integration",
    "edit_integration",
    "remove_integration",
    "preview_import",
    "import_file",
    "import_certificate",
    "audit_entries",
    "verify_audit",
    "plan_rotation",
    "plan_overdue_rotations",
    "rotate_credential",
    "rotate_overdue",
    "rotation_history",
    "probe_integration",
    "probe_all",
    "posture",
    "probe_history",
    "get_scan_settings",
    "set_scan_settings",
    "scan_now",
    "list_found_secrets",
    "import_found_secret",
    "accept_finding",
    "open_finding_file",
    "team_board",
    "export_report",
    "open_html_report",
    "export_bundle",
    "import_bundles",
    "team_database",
    "connect_team_database",
    "disconnect_team_database",
    "sync_team_database",
    "review_decisions",
    "record_review",
];

fn main() {
    tauri_build::try_build(
        tauri_build::Attributes::new()
            .app_manifest(tauri_build::AppManifest::new().commands(COMMANDS)),
    )
    .expect("tauri-build failed");
}
