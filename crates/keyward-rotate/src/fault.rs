//! Fault injection for crash tests. With the `fault-injection` feature, the environment
//! variable `KEYWARD_FAULT=<point>` aborts the process at that point of a rotation, the
//! way a crash or a power loss would: no destructors, no cleanup. Points are a step name
//! (`created`, `committed`, ...: right after the journal recorded the step) or a step
//! name with `-unjournaled` (after the step's side effects, before the journal records
//! it). Without the feature this compiles to nothing.

/// Aborts here if `KEYWARD_FAULT` names this point.
#[inline]
pub fn point(name: &str) {
    #[cfg(feature = "fault-injection")]
    if std::env::var("KEYWARD_FAULT").is_ok_and(|wanted| wanted == name) {
        eprintln!("keyward: fault injected at `{name}`");
        // gnome-keyring-daemon (the test keychain) traps in GLib when a client vanishes
        // while it is still tearing down that client's last connection; the pause keeps
        // these tests about Keyward's crash safety rather than the daemon's.
        std::thread::sleep(std::time::Duration::from_millis(150));
        std::process::abort();
    }
    #[cfg(not(feature = "fault-injection"))]
    let _ = name;
}

/// Every point a rotation passes on its forward path, in order; tests iterate over it.
pub const POINTS: [&str; 14] = [
    "planned",
    "created-unjournaled",
    "created",
    "stored",
    "verified",
    "committed-unjournaled",
    "committed",
    "propagated-unjournaled",
    "propagated",
    "revoked-unjournaled",
    "revoked",
    "done",
    "rolling-back",
    "rolled-back-unjournaled",
];
