//! Finishing or rolling back rotations a crash or a kill interrupted, when the app
//! starts. The library does the work (`resume_rotations`, from the journal); the app
//! only makes sure the user hears about it, because a rolled-back rotation means the
//! value they expected to be new is not.

use keyward::rotate::{RotationOutcome, RotationState};
use tauri::{AppHandle, Manager};
use tauri_specta::Event;

use crate::events::RotationsResumed;
use crate::notifications;
use crate::state::AppState;
use crate::worker;

/// Resumes on a thread of its own, so the window opens at once; reports through the
/// event and a notification when there was anything to resume.
pub fn start(app: &AppHandle) {
    let app = app.clone();
    worker::spawn("rotation-resume", move || {
        let state = app.state::<AppState>();
        let Ok(mut keyward) = state.worker() else {
            // The window already says why the home cannot be opened.
            return;
        };
        let (outcomes, error) = match keyward.rotation().resume_rotations(None, &mut |_| {}) {
            Ok(outcomes) => (outcomes, None),
            Err(error) => (Vec::new(), Some(error.to_string())),
        };
        if outcomes.is_empty() && error.is_none() {
            return;
        }
        eprintln!(
            "interrupted rotations: {} resumed{}",
            outcomes.len(),
            error
                .as_deref()
                .map(|error| format!(", error: {error}"))
                .unwrap_or_default()
        );
        notifications::notify(&app, &message(&outcomes, error.as_deref()));
        let _ = RotationsResumed { outcomes, error }.emit(&app);
    });
}

/// The notification text: which rotations finished, which rolled back, what failed.
fn message(outcomes: &[RotationOutcome], error: Option<&str>) -> String {
    let mut parts: Vec<String> = outcomes
        .iter()
        .map(|outcome| {
            let ending = match outcome.state {
                RotationState::RolledBack => "was rolled back; the old value is current",
                _ => "was finished",
            };
            format!(
                "The interrupted rotation of {} {ending}.",
                outcome.credential
            )
        })
        .collect();
    if let Some(error) = error {
        parts.push(format!("Resuming interrupted rotations failed: {error}"));
    }
    parts.join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn outcome(credential: &str, state: RotationState) -> RotationOutcome {
        RotationOutcome {
            rotation_id: 1,
            credential: credential.into(),
            state,
            files_updated: Vec::new(),
            warnings: Vec::new(),
            error: None,
        }
    }

    #[test]
    fn the_resume_notification_says_what_happened_to_each_rotation() {
        let text = message(
            &[
                outcome("stripe", RotationState::Done),
                outcome("github", RotationState::RolledBack),
            ],
            None,
        );
        assert_eq!(
            text,
            "The interrupted rotation of stripe was finished. The interrupted rotation of github was rolled back; the old value is current."
        );
        assert!(
            message(&[], Some("no keychain")).contains("no keychain"),
            "a failed resume must not be silent"
        );
    }
}
