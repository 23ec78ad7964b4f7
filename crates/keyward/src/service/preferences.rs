//! User preferences of a home (clipboard timeout, idle lock, rotation default,
//! notifications, re-probe interval), kept in the `settings` table so the CLI and the app share them.

use serde::{Deserialize, Serialize};

use super::Keyward;
use crate::store::settings;
use crate::{Error, Result};

const CLIPBOARD_CLEAR_SECONDS: &str = "preferences.clipboard_clear_seconds";
const REVEAL_SECONDS: &str = "preferences.reveal_seconds";
const IDLE_LOCK_MINUTES: &str = "preferences.idle_lock_minutes";
const DEFAULT_ROTATE_EVERY_DAYS: &str = "preferences.default_rotate_every_days";
const NOTIFICATIONS: &str = "preferences.notifications";
const PROBE_EVERY_HOURS: &str = "preferences.probe_every_hours";

/// Preferences with their defaults (see [`Preferences::default`]).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct Preferences {
    /// Seconds after which a copied secret is cleared from the clipboard, if it is still
    /// there. Default 30; 5 to 600.
    pub clipboard_clear_seconds: u32,
    /// Seconds a revealed value stays visible (it also hides when the window loses
    /// focus). Default 30; 5 to 600.
    pub reveal_seconds: u32,
    /// Minutes without input after which revealed values are hidden and the clipboard is
    /// cleared; 0 turns the idle lock off. Default 5; at most 1440.
    pub idle_lock_minutes: u32,
    /// The rotation period new credentials get unless the user picks another; `None`
    /// leaves them unscheduled. Default 90.
    pub default_rotate_every_days: Option<u32>,
    /// Desktop notifications about warnings. Default on.
    pub notifications: bool,
    /// Hours between background re-probes of each integration's endpoints in the
    /// desktop app; 0 turns the schedule off. Default 24 (daily); at most 720.
    pub probe_every_hours: u32,
}

impl Default for Preferences {
    fn default() -> Self {
        Self {
            clipboard_clear_seconds: 30,
            reveal_seconds: 30,
            idle_lock_minutes: 5,
            default_rotate_every_days: Some(90),
            notifications: true,
            probe_every_hours: super::DEFAULT_PROBE_INTERVAL.num_hours() as u32,
        }
    }
}

impl Preferences {
    /// Checks every field's range; the error names the field.
    pub fn validate(&self) -> Result<()> {
        let within = |field: &str, value: u32, low: u32, high: u32| {
            if (low..=high).contains(&value) {
                Ok(())
            } else {
                Err(Error::invalid(
                    field,
                    format!("{value} is outside {low}..={high}"),
                ))
            }
        };
        within(
            "clipboard timeout (seconds)",
            self.clipboard_clear_seconds,
            5,
            600,
        )?;
        within("reveal time (seconds)", self.reveal_seconds, 5, 600)?;
        within("idle lock (minutes)", self.idle_lock_minutes, 0, 1440)?;
        if let Some(days) = self.default_rotate_every_days {
            within("default rotation (days)", days, 1, 3650)?;
        }
        within("re-probe interval (hours)", self.probe_every_hours, 0, 720)?;
        Ok(())
    }
}

impl Keyward {
    /// The stored preferences; unset or unreadable entries fall back to their defaults.
    pub fn preferences(&self) -> Result<Preferences> {
        let connection = self.store.connection();
        let defaults = Preferences::default();
        let number = |key: &str| -> Result<Option<u32>> {
            Ok(settings::get(connection, key)?.and_then(|text| text.parse().ok()))
        };
        let rotation = match settings::get(connection, DEFAULT_ROTATE_EVERY_DAYS)? {
            Some(text) if text == "none" => None,
            Some(text) => text.parse().ok().or(defaults.default_rotate_every_days),
            None => defaults.default_rotate_every_days,
        };
        Ok(Preferences {
            clipboard_clear_seconds: number(CLIPBOARD_CLEAR_SECONDS)?
                .unwrap_or(defaults.clipboard_clear_seconds),
            reveal_seconds: number(REVEAL_SECONDS)?.unwrap_or(defaults.reveal_seconds),
            idle_lock_minutes: number(IDLE_LOCK_MINUTES)?.unwrap_or(defaults.idle_lock_minutes),
            default_rotate_every_days: rotation,
            notifications: settings::get(connection, NOTIFICATIONS)?
                .map_or(defaults.notifications, |text| text == "on"),
            probe_every_hours: number(PROBE_EVERY_HOURS)?.unwrap_or(defaults.probe_every_hours),
        })
    }

    /// Validates and stores `preferences` in one transaction.
    pub fn set_preferences(&mut self, preferences: &Preferences) -> Result<Preferences> {
        preferences.validate()?;
        let transaction = self.store.transaction()?;
        settings::set(
            &transaction,
            CLIPBOARD_CLEAR_SECONDS,
            &preferences.clipboard_clear_seconds.to_string(),
        )?;
        settings::set(
            &transaction,
            REVEAL_SECONDS,
            &preferences.reveal_seconds.to_string(),
        )?;
        settings::set(
            &transaction,
            IDLE_LOCK_MINUTES,
            &preferences.idle_lock_minutes.to_string(),
        )?;
        let rotation = preferences
            .default_rotate_every_days
            .map_or_else(|| "none".to_owned(), |days| days.to_string());
        settings::set(&transaction, DEFAULT_ROTATE_EVERY_DAYS, &rotation)?;
        settings::set(
            &transaction,
            NOTIFICATIONS,
            if preferences.notifications {
                "on"
            } else {
                "off"
            },
        )?;
        settings::set(
            &transaction,
            PROBE_EVERY_HOURS,
            &preferences.probe_every_hours.to_string(),
        )?;
        transaction
            .commit()
            .map_err(crate::store::StoreError::from)?;
        self.preferences()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn out_of_range_values_are_refused_with_the_field_named() {
        let preferences = Preferences {
            clipboard_clear_seconds: 1,
            ..Preferences::default()
        };
        let error = preferences.validate().unwrap_err().to_string();
        assert!(
            error.contains("clipboard timeout"),
            "the error must name the field: {error}"
        );
        assert!(
            Preferences::default().validate().is_ok(),
            "the defaults are valid"
        );
        let hourly_forever = Preferences {
            probe_every_hours: 721,
            ..Preferences::default()
        };
        let error = hourly_forever.validate().unwrap_err().to_string();
        assert!(
            error.contains("re-probe interval"),
            "the error must name the field: {error}"
        );
    }

    #[test]
    fn the_default_re_probe_interval_is_daily() {
        assert_eq!(
            Preferences::default().probe_every_hours,
            24,
            "the issue asks for a daily schedule unless the user says otherwise"
        );
    }
}
