//! Everything the app tells the window unasked: the events, their names and payloads.
//!
//! They sit in one module because they are one contract: the UI listens by these names
//! (through the generated `events` in `ui/src/bindings.ts`), and a name changed here
//! changes it there. Each name is spelled out rather than derived from the type's name,
//! so renaming a Rust type cannot silently rename an event the UI listens for. Emitting
//! is fire-and-forget everywhere: a window that closed misses the event and the work
//! goes on.

use keyward::probe::{Grade, ProbeProgress};
use keyward::rotate::{RotationOutcome, StepProgress};
use keyward::{RootsScanOutcome, RootsScanProgress};
use serde::{Deserialize, Serialize};
use tauri_specta::Event;

/// Every event, for the bindings and for mounting on the app.
pub fn all() -> tauri_specta::Events {
    tauri_specta::collect_events![
        ImportProgress,
        RotationProgress,
        RotationsResumed,
        NavigateRequest,
        PostureProgress,
        PostureChanged,
        ScanProgress,
        ScanFinished,
        WarningsChanged
    ]
}

/// Where an import is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, specta::Type)]
#[serde(rename_all = "kebab-case")]
pub enum ImportStage {
    /// Reading and checking the file; nothing written yet.
    Reading,
    /// Storing values in the keychain and rows in the inventory, as one transaction.
    Writing,
    Done,
    /// Nothing was imported; the command's error says why.
    Failed,
}

/// Progress of a running import, emitted as the event `import-progress`.
#[derive(Debug, Clone, Serialize, Deserialize, specta::Type, Event)]
#[tauri_specta(event_name = "import-progress")]
pub struct ImportProgress {
    pub path: String,
    pub stage: ImportStage,
    /// Entries the file holds (known once read).
    pub entries: u32,
    pub created: u32,
    pub skipped: u32,
}

/// One journaled step of a running rotation, emitted as the event `rotation-progress`.
#[derive(Debug, Clone, Serialize, Deserialize, specta::Type, Event)]
#[tauri_specta(event_name = "rotation-progress")]
pub struct RotationProgress {
    /// The position of this credential in the run (0-based) and the run's size: 1 for a
    /// single rotation, the number of confirmed credentials for "rotate all overdue".
    pub index: u32,
    pub total: u32,
    pub step: StepProgress,
}

/// What the app found when it resumed interrupted rotations at start, emitted as the
/// event `rotations-resumed` (and shown as a notification) when there was any.
#[derive(Debug, Clone, Serialize, Deserialize, specta::Type, Event)]
#[tauri_specta(event_name = "rotations-resumed")]
pub struct RotationsResumed {
    /// Each interrupted rotation, finished (`done`) or rolled back (`rolled-back`).
    pub outcomes: Vec<RotationOutcome>,
    /// Why resuming stopped, if it did; the rotation stays journaled for the next start.
    pub error: Option<String>,
}

/// Asks the UI to show a screen (`dashboard`, `new-credential`, `import`), emitted as
/// the event `navigate-request`.
#[derive(Debug, Clone, Serialize, Deserialize, specta::Type, Event)]
#[tauri_specta(event_name = "navigate-request")]
pub struct NavigateRequest {
    pub to: String,
}

/// What started a probe run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, specta::Type)]
#[serde(rename_all = "kebab-case")]
pub enum ProbeScope {
    /// "Probe now" on one integration.
    Integration,
    /// "Probe all".
    All,
    /// The background re-probe schedule.
    Schedule,
}

/// Progress of a running probe, emitted as `posture-progress` after each endpoint.
#[derive(Debug, Clone, Serialize, Deserialize, specta::Type, Event)]
#[tauri_specta(event_name = "posture-progress")]
pub struct PostureProgress {
    pub scope: ProbeScope,
    /// The integration of the endpoint that just finished.
    pub integration: Option<String>,
    pub target: String,
    pub done: u32,
    pub total: u32,
    /// That endpoint's grade (`None` when it could not be probed).
    pub grade: Option<Grade>,
}

impl PostureProgress {
    pub fn of(scope: ProbeScope, progress: &ProbeProgress) -> Self {
        Self {
            scope,
            integration: progress.integration.clone(),
            target: progress.target.clone(),
            done: progress.done,
            total: progress.total,
            grade: progress.grade,
        }
    }
}

/// New probe results are stored: emitted as `posture-changed` so the dashboard, the
/// inventory's grades and open posture panels reload.
#[derive(Debug, Clone, Serialize, Deserialize, specta::Type, Event)]
#[tauri_specta(event_name = "posture-changed")]
pub struct PostureChanged {
    pub scope: ProbeScope,
    /// Endpoints probed.
    pub probed: u32,
    /// Regressions found among them.
    pub regressions: u32,
}

/// Where a running scan is, emitted as the event `scan-progress`.
#[derive(Debug, Clone, Serialize, Deserialize, specta::Type, Event)]
#[tauri_specta(event_name = "scan-progress")]
pub struct ScanProgress {
    pub progress: RootsScanProgress,
}

/// A scan ended, emitted as the event `scan-finished`: its outcome, or why it failed.
#[derive(Debug, Clone, Serialize, Deserialize, specta::Type, Event)]
#[tauri_specta(event_name = "scan-finished")]
pub struct ScanFinished {
    pub outcome: Option<RootsScanOutcome>,
    pub error: Option<String>,
    /// Whether the schedule started it (rather than "Scan now").
    pub scheduled: bool,
}

/// The warnings may have changed (a scan finished): an open dashboard reloads. Emitted
/// as the event `warnings-changed`.
#[derive(Debug, Clone, Serialize, Deserialize, specta::Type, Event)]
#[tauri_specta(event_name = "warnings-changed")]
pub struct WarningsChanged {
    pub open_warnings: u32,
}
