//! The one way the app runs blocking work off the window's threads.
//!
//! Library calls touch the keychain (a D-Bus round trip per call), SQLite, files and the
//! network. Run on the async runtime's threads they would stall every other command the
//! window sends, and on the main thread they would freeze the window itself. Commands
//! await [`blocking`] or [`run`]; background jobs live on a thread of their own
//! from [`spawn`]. A worker that dies (a panic in the library) reaches the UI as one
//! `internal` error, worded the same for every command.

use keyward::Keyward;
use tauri::{AppHandle, Manager, Runtime};

use crate::error::{CommandError, CommandResult};
use crate::state::AppState;

/// Runs `work` on the runtime's blocking pool and waits for it without holding an async
/// thread. For work that takes the window's shared handle (`AppState::keyward`) or none.
pub async fn blocking<T: Send + 'static>(
    work: impl FnOnce() -> CommandResult<T> + Send + 'static,
) -> CommandResult<T> {
    tauri::async_runtime::spawn_blocking(work)
        .await
        .map_err(|error| CommandError::internal(format!("the worker stopped: {error}")))?
}

/// Like [`blocking`], with a handle on the home of its own (`AppState::worker`): for
/// long work (probing, scanning, rotating, the team database) that must not queue the
/// window's other commands behind it on the shared lock.
pub async fn run<R: Runtime, T: Send + 'static>(
    app: AppHandle<R>,
    work: impl FnOnce(&AppHandle<R>, &mut Keyward) -> CommandResult<T> + Send + 'static,
) -> CommandResult<T> {
    blocking(move || {
        let mut keyward = app.state::<AppState>().worker()?;
        work(&app, &mut keyward)
    })
    .await
}

/// Starts a background job on a named thread of its own (named so a stack dump or `top`
/// says which job it is). Jobs live for seconds to the whole session, longer than the
/// blocking pool is meant to be held. A thread that cannot start is logged: the app
/// works without its background jobs, only less watchfully.
pub fn spawn(name: &str, job: impl FnOnce() + Send + 'static) {
    if let Err(error) = std::thread::Builder::new().name(name.into()).spawn(job) {
        eprintln!("no {name} job: {error}");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_worker_that_panics_is_an_internal_error_not_a_crash() {
        let outcome: CommandResult<()> =
            tauri::async_runtime::block_on(blocking(|| panic!("library bug")));
        let error = outcome.expect_err("the panic surfaces as an error");
        assert_eq!(error.code, keyward::ErrorCode::Internal);
        assert!(error.message.starts_with("the worker stopped"), "{error}");
    }

    #[test]
    fn a_job_runs_on_its_named_thread() {
        let (sender, receiver) = std::sync::mpsc::channel();
        spawn("test-job", move || {
            let _ = sender.send(std::thread::current().name().map(str::to_owned));
        });
        assert_eq!(receiver.recv().unwrap().as_deref(), Some("test-job"));
    }
}
