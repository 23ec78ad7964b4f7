//! The commands the UI may call: one per use case, each a thin adapter that takes the
//! open home, calls one library function and converts its error. Each command needs an
//! explicit grant in `capabilities/` (see build.rs).

pub mod audit;
pub mod credentials;
pub mod imports;
pub mod integrations;
pub mod overview;
pub mod probing;
pub mod review;
pub mod rotation;
pub mod scanning;

/// Every command, in the order the bindings list them. build.rs keeps its own list of
/// names for the permission manifest; a test checks the two agree.
#[macro_export]
macro_rules! all_commands {
    () => {
        tauri_specta::collect_commands![
            $crate::commands::overview::window_ready,
            $crate::commands::overview::dashboard,
            $crate::commands::overview::get_preferences,
            $crate::commands::overview::set_preferences,
            $crate::commands::overview::inventory,
            $crate::commands::credentials::list_credentials,
            $crate::commands::credentials::get_credential,
            $crate::commands::credentials::add_credential,
            $crate::commands::credentials::edit_credential,
            $crate::commands::credentials::remove_credential,
            $crate::commands::credentials::reveal_credential,
            $crate::commands::credentials::copy_credential,
            $crate::commands::credentials::clear_copied_secret,
            $crate::commands::integrations::list_integrations,
            $crate::commands::integrations::get_integration,
            $crate::commands::integrations::add_integration,
            $crate::commands::integrations::edit_integration,
            $crate::commands::integrations::remove_integration,
            $crate::commands::imports::preview_import,
            $crate::commands::imports::import_file,
            $crate::commands::imports::import_certificate,
            $crate::commands::audit::audit_entries,
            $crate::commands::audit::verify_audit,
            $crate::commands::rotation::plan_rotation,
            $crate::commands::rotation::plan_overdue_rotations,
            $crate::commands::rotation::rotate_credential,
            $crate::commands::rotation::rotate_overdue,
            $crate::commands::rotation::rotation_history,
            $crate::commands::probing::probe_integration,
            $crate::commands::probing::probe_all,
            $crate::commands::probing::posture,
            $crate::commands::probing::probe_history,
            $crate::commands::scanning::get_scan_settings,
            $crate::commands::scanning::set_scan_settings,
            $crate::commands::scanning::scan_now,
            $crate::commands::scanning::list_found_secrets,
            $crate::commands::scanning::import_found_secret,
            $crate::commands::scanning::accept_finding,
            $crate::commands::scanning::open_finding_file,
            $crate::commands::review::team_board,
            $crate::commands::review::export_report,
            $crate::commands::review::open_html_report,
            $crate::commands::review::export_bundle,
            $crate::commands::review::import_bundles,
            $crate::commands::review::team_database,
            $crate::commands::review::connect_team_database,
            $crate::commands::review::disconnect_team_database,
            $crate::commands::review::sync_team_database,
            $crate::commands::review::review_decisions,
            $crate::commands::review::record_review,
        ]
    };
}
