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

    /// A form safe to show: the first few characters of a textual value and its length
    /// in characters, `ghp_…(40)`; see [`redact`] for the rule.
    pub fn redacted(&self) -> String {
        redact(self.expose_str(), self.len())
    }
}

/// The most characters a redacted value ever shows.
pub const REDACT_MAX_SHOWN: usize = 4;

/// Values shorter than this (in characters) show none of their characters.
pub const REDACT_MIN_LENGTH: usize = 16;

/// How many leading characters of an `n`-character value a redaction may show: none
/// below [`REDACT_MIN_LENGTH`], else at most [`REDACT_MAX_SHOWN`] and never more than a
/// quarter of the value. Enough to tell `ghp_` from `sk_l`, too little to help guess
/// the rest; counted in characters, because a byte count let a multi-byte secret show
/// most of itself.
pub fn redact_shown(n: usize) -> usize {
    if n < REDACT_MIN_LENGTH {
        0
    } else {
        REDACT_MAX_SHOWN.min(n / 4)
    }
}

/// Redacts a value for display (see [`redact_shown`]): `text` is the value when it is
/// UTF-8, `len` its length in bytes, used only for binary values (`…(len)`). Textual
/// values give their length in characters. Also used by the scanner for matches that
/// never become a `SecretValue`.
pub fn redact(text: Option<&str>, len: usize) -> String {
    match text {
        Some(text) => {
            let count = text.chars().count();
            let shown: String = text.chars().take(redact_shown(count)).collect();
            format!("{shown}…({count})")
        }
        None => format!("…({len})"),
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
        assert_eq!(long.redacted(), "ghp_…(40)");
        let short = SecretValue::from_string("hunter2".into());
        assert_eq!(short.redacted(), "…(7)");
        let fifteen = SecretValue::from_string("abcdefghijklmno".into());
        assert_eq!(fifteen.redacted(), "…(15)");
        let sixteen = SecretValue::from_string("abcdefghijklmnop".into());
        assert_eq!(sixteen.redacted(), "abcd…(16)");
    }

    #[test]
    fn redaction_counts_characters_not_bytes() {
        // 12 characters, 36 bytes: by bytes this once showed 7 of its 12 characters.
        let twelve = SecretValue::from_string("密钥密钥密钥密钥密钥密钥".into());
        assert_eq!(twelve.len(), 36);
        assert_eq!(twelve.redacted(), "…(12)");
        // 20 characters of two bytes each: 4 shown, length in characters.
        let accents = SecretValue::from_string("éèêëéèêëéèêëéèêëéèêë".into());
        assert_eq!(accents.redacted(), "éèêë…(20)");
        let emoji = SecretValue::from_string("🔑".repeat(17));
        assert_eq!(emoji.redacted(), "🔑🔑🔑🔑…(17)");
    }

    #[test]
    fn redaction_never_shows_more_than_four_or_a_quarter() {
        for n in 0..200 {
            let text: String = "é".repeat(n);
            let shown = super::redact(Some(&text), text.len());
            let visible = shown.split('…').next().unwrap().chars().count();
            assert!(visible <= 4 && visible * 4 <= n, "{n}: {shown}");
            assert!(shown.ends_with(&format!("…({n})")), "{n}: {shown}");
        }
    }

    #[test]
    fn binary_values_show_only_their_byte_length() {
        let binary = SecretValue::new(vec![0xff; 40]);
        assert_eq!(binary.redacted(), "…(40)");
    }
}
