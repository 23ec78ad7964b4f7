//! The Keyward desktop app's entry point; everything lives in the `keyward_app` library
//! so tests can build the same app.

// Release builds on Windows get no console window.
#![cfg_attr(not(debug_assertions), windows_subsystem = "windows")]

fn main() {
    keyward_app::run();
}
