use thiserror::Error;

/// What can go wrong talking to the OS keychain. Every variant that means "the keychain
/// cannot be used" carries the fix, because the user cannot do anything with a bare
/// D-Bus error.
#[derive(Debug, Error)]
pub enum VaultError {
    #[error("the OS keychain is not available: {detail}. {fix}")]
    Unavailable { detail: String, fix: &'static str },

    #[error(
        "the OS keychain is locked: {detail}. Unlock it (on Linux: log in to the desktop session, or run `gnome-keyring-daemon --unlock`) and try again"
    )]
    Locked { detail: String },

    #[error(
        "the keychain entry `{account}` is missing; the inventory and the keychain disagree (was the entry deleted outside Keyward?)"
    )]
    Missing { account: String },

    #[error("the keychain refused the value: {detail}")]
    Rejected { detail: String },

    #[error(
        "the sealed value of `{name}` could not be opened: its envelope key does not match (was the database or keychain entry replaced?)"
    )]
    EnvelopeMismatch { name: String },
}

#[cfg(target_os = "linux")]
const PLATFORM_FIX: &str = "Keyward needs a Secret Service (GNOME Keyring or KWallet) on the session D-Bus: install gnome-keyring, and run inside a desktop session or `dbus-run-session`";
#[cfg(target_os = "macos")]
const PLATFORM_FIX: &str = "Keyward needs the login Keychain: unlock it in Keychain Access";
#[cfg(target_os = "windows")]
const PLATFORM_FIX: &str =
    "Keyward needs Windows Credential Manager: run as a user with a profile loaded";
#[cfg(not(any(target_os = "linux", target_os = "macos", target_os = "windows")))]
const PLATFORM_FIX: &str = "this platform has no keychain Keyward can use";

impl VaultError {
    pub(crate) fn from_keyring(error: keyring::Error) -> Self {
        match error {
            keyring::Error::NoStorageAccess(inner) => Self::Locked {
                detail: inner.to_string(),
            },
            keyring::Error::PlatformFailure(inner) => Self::Unavailable {
                detail: inner.to_string(),
                fix: PLATFORM_FIX,
            },
            keyring::Error::NoEntry => Self::Missing {
                account: "(unknown)".into(),
            },
            other => Self::Rejected {
                detail: other.to_string(),
            },
        }
    }

    /// True when the keychain itself is unusable (exit code 3), as opposed to a problem
    /// with one entry.
    pub fn is_environment(&self) -> bool {
        matches!(self, Self::Unavailable { .. } | Self::Locked { .. })
    }
}
