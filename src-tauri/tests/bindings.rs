//! The TypeScript side is generated from the Rust side: these tests fail when the
//! committed `ui/src/bindings.ts` no longer matches the commands and types, and when a
//! command lacks its permission or its grant.
//!
//! After changing a command or a shared type: `UPDATE_BINDINGS=1 cargo test -p keyward-app --test bindings`.

use std::path::Path;

fn repository() -> &'static Path {
    Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/.."))
}

fn generated() -> String {
    let scratch = tempfile::tempdir().unwrap();
    let path = scratch.path().join("bindings.ts");
    keyward_app::export_bindings(&path).expect("bindings export");
    std::fs::read_to_string(path).unwrap()
}

#[test]
fn the_committed_typescript_bindings_match_the_rust_commands_and_types() {
    let fresh = generated();
    let committed_path = repository().join("ui/src/bindings.ts");
    if std::env::var_os("UPDATE_BINDINGS").is_some() {
        std::fs::write(&committed_path, &fresh).unwrap();
    }
    let committed = std::fs::read_to_string(&committed_path).unwrap_or_default();
    assert!(
        committed == fresh,
        "ui/src/bindings.ts is out of date with the Rust commands and types; the UI would call \
         commands with the wrong shapes. Regenerate it: UPDATE_BINDINGS=1 cargo test -p keyward-app --test bindings"
    );
}

/// Command names as the bindings invoke them.
fn invoked_commands(bindings: &str) -> Vec<String> {
    // `__TAURI_INVOKE("name"` or, for infallible commands, `__TAURI_INVOKE<T>("name"`.
    bindings
        .split("__TAURI_INVOKE")
        .skip(1)
        .filter_map(|rest| rest.split_once("(\""))
        .filter(|(before, _)| before.is_empty() || before.starts_with('<'))
        .filter_map(|(_, after)| after.split('"').next())
        .map(str::to_owned)
        .collect()
}

#[test]
fn every_command_needs_a_permission_and_the_main_window_grants_each_one_explicitly() {
    let commands = invoked_commands(&generated());
    assert!(
        commands.len() >= 15,
        "the bindings list the app's commands: {commands:?}"
    );
    let build_script = std::fs::read_to_string(repository().join("src-tauri/build.rs")).unwrap();
    let capability: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(repository().join("src-tauri/capabilities/main-window.json"))
            .unwrap(),
    )
    .unwrap();
    let granted: Vec<&str> = capability["permissions"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|permission| permission.as_str())
        .collect();
    for command in &commands {
        assert!(
            build_script.contains(&format!("\"{command}\"")),
            "`{command}` is missing from build.rs COMMANDS, so Tauri would not require a grant for it"
        );
        let permission = format!("allow-{}", command.replace('_', "-"));
        assert!(
            granted.contains(&permission.as_str()),
            "the main window does not grant `{permission}`"
        );
    }
    let ours: Vec<&&str> = granted
        .iter()
        .filter(|permission| permission.starts_with("allow-"))
        .collect();
    assert_eq!(
        ours.len(),
        commands.len(),
        "the window is granted exactly the commands that exist: {ours:?}"
    );
    for permission in &granted {
        assert!(
            !permission.starts_with("shell:")
                && !permission.starts_with("fs:")
                && !permission.ends_with(":default"),
            "`{permission}`: no shell, no filesystem and no broad default sets for the window"
        );
    }
}
