//! Domain types shared by every part of Keyward: what a credential, an integration and
//! an endpoint are, and the secret value type that keeps plaintext out of logs.

pub mod clock;
mod credential;
pub mod fs;
mod integration;
pub mod leak;
pub mod random;
pub mod rotation;
mod secret;
mod severity;
pub mod x509;

pub use credential::{CertificateInfo, Credential, CredentialKind, NewCredential, StorageKind};
pub use integration::{
    AuthMethod, Endpoint, Environment, Integration, NewEndpoint, NewIntegration,
};
pub use secret::{SecretValue, redact, redact_shown};
pub use severity::Severity;

/// Parses a duration such as `90d`, `12w`, `6m` (months of 30 days) or `1y` into whole
/// days. Rotation periods are counted in days because that is the unit every policy
/// document we map to uses.
pub fn parse_period_days(text: &str) -> Result<u32, String> {
    let text = text.trim();
    let split = text
        .find(|c: char| !c.is_ascii_digit())
        .unwrap_or(text.len());
    let (digits, unit) = text.split_at(split);
    let count: u32 = digits
        .parse()
        .map_err(|_| format!("`{text}` is not a period such as 90d, 12w, 6m or 1y"))?;
    let days_per_unit = match unit {
        "" | "d" => 1,
        "w" => 7,
        "m" => 30,
        "y" => 365,
        _ => {
            return Err(format!(
                "`{text}` has unknown unit `{unit}`; use d, w, m or y"
            ));
        }
    };
    let days = count
        .checked_mul(days_per_unit)
        .filter(|days| *days > 0 && *days <= 36_500)
        .ok_or_else(|| format!("`{text}` must be between 1 day and 100 years"))?;
    Ok(days)
}

#[cfg(test)]
mod tests {
    use super::parse_period_days;

    #[test]
    fn periods_parse_in_days() {
        assert_eq!(parse_period_days("90d"), Ok(90));
        assert_eq!(parse_period_days("90"), Ok(90));
        assert_eq!(parse_period_days("2w"), Ok(14));
        assert_eq!(parse_period_days("6m"), Ok(180));
        assert_eq!(parse_period_days("1y"), Ok(365));
    }

    #[test]
    fn bad_periods_name_the_input() {
        for bad in ["", "d", "0d", "90x", "-3d", "1000y"] {
            let error = parse_period_days(bad).expect_err(bad);
            assert!(
                error.contains(bad),
                "error for {bad:?} should quote it: {error}"
            );
        }
    }
}
