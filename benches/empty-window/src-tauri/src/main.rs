//! An empty Tauri window: what any Tauri 2 app costs before it does anything.

fn main() {
    tauri::Builder::default()
        .run(tauri::generate_context!())
        .expect("the empty window failed to start");
}
