//! The one type that carries plaintext secret material through the program.

use std::fmt;

use subtle::ConstantTimeEq;
use zeroize::Zeroizing;

/// A secret value: bytes that are zeroized on drop, print as `[redacted]`, and cannot be
/// serialized. The only ways to see the plaintext are [`SecretValue::expose`] and
/// [`SecretValue::expose_str`], so every place that needs it is easy to find in review.
#[derive(Clone)]
pub struct SecretValue(Zeroizing<Vec<u8>>);

impl SecretValue {
    pub fn new(bytes: Vec<u8>) -> Self {
        Self(Zeroizing::new(bytes))
    }

    pub fn from_string(text: String) -> Self {
        Self::new(text.into_bytes())
    }

    pub fn expose(&self) -> &[u8] {
        &self.0
    }

    /// The value as UTF-8 text, or `None` for binary material.
    pub fn expose_str(&self) -> Option<&str> {
        std::str::from_utf8(&self.0).ok()
    }

    pub fn len(&self) -> usize {
        self.0.len()
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// A form safe to show: the first few characters of a textual value and its length,
    /// `ghp_abc…(40)`. Short values show no characters at all, since a prefix of a short
    /// secret gives away too much of it.
    pub fn redacted(&self) -> String {
        redact(self.expose_str(), self.len())
    }
}

/// Redacts a value for display (see [`SecretValue::redacted`]); also used by the scanner
/// for matches that never become a `SecretValue`.
pub fn redact(text: Option<&str>, len: usize) -> String {
    match text {
        Some(text) if len >= 16 => {
            let shown: String = text.chars().take(7).collect();
            format!("{shown}…({len})")
        }
        _ => format!("…({len})"),
    }
}

impl fmt::Debug for SecretValue {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(formatter, "SecretValue([redacted; {} bytes])", self.len())
    }
}

impl fmt::Display for SecretValue {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter.write_str("[redacted]")
    }
}

impl PartialEq for SecretValue {
    /// Constant-time comparison so that comparing a candidate against a stored value does
    /// not leak how many leading bytes matched (the length is not hidden).
    fn eq(&self, other: &Self) -> bool {
        self.0.as_slice().ct_eq(other.0.as_slice()).into()
    }
}

impl Eq for SecretValue {}

#[cfg(test)]
mod tests {
    use super::SecretValue;

    #[test]
    fn debug_and_display_never_show_the_value() {
        let secret = SecretValue::from_string("canary-debug-9f2c7e1b".to_owned());
        let shown = format!("{secret:?} {secret} {secret:#?}");
        assert!(
            !shown.contains("canary"),
            "a secret leaked through formatting: {shown}"
        );
    }

    #[test]
    fn values_are_equal_only_byte_for_byte() {
        let value = SecretValue::from_string("s3cret-value".into());
        assert_eq!(value, SecretValue::from_string("s3cret-value".into()));
        assert_ne!(value, SecretValue::from_string("s3cret-valuf".into()));
        assert_ne!(value, SecretValue::from_string("s3cret-valu".into()));
        assert_ne!(value, SecretValue::new(Vec::new()));
    }

    #[test]
    fn redaction_shows_a_prefix_only_for_long_values() {
        let long = SecretValue::from_string("ghp_abcdefghijklmnopqrstuvwxyz0123456789".into());
        assert_eq!(long.redacted(), "ghp_abc…(40)");
        let short = SecretValue::from_string("hunter2".into());
        assert_eq!(short.redacted(), "…(7)");
    }
}
