//! The one way a binding call runs core work: without the GIL, on a worker thread, while the
//! calling thread looks at Python's signals every [`SIGNAL_POLL`]. Ctrl-C sets the core's
//! [`Cancellation`] flag, which readers and kernels poll between chunks; the call then raises
//! the `KeyboardInterrupt` Python's handler produced.

use std::sync::mpsc::{sync_channel, RecvTimeoutError};
use std::time::Duration;

use pyo3::prelude::*;
use tradedep::cancel::Cancellation;

use crate::errors::py_result;

/// How often the calling thread takes the GIL to run Python's signal handlers.
const SIGNAL_POLL: Duration = Duration::from_millis(50);

/// Runs `work` with the GIL released; Ctrl-C (or any signal handler that raises) cancels it.
/// `work` gets the flag to pass to the core.
pub(crate) fn run_cancellable<T, F>(py: Python<'_>, work: F) -> PyResult<T>
where
    T: Send,
    F: FnOnce(&Cancellation) -> tradedep::Result<T> + Send,
{
    run_with(py, Cancellation::new(), work)
}

/// [`run_cancellable`] with a flag the caller made: metric options carry theirs (e.g.
/// `ImportSelection::cancel`), and Ctrl-C sets it (clones share the flag).
pub(crate) fn run_with<T, F>(py: Python<'_>, cancel: Cancellation, work: F) -> PyResult<T>
where
    T: Send,
    F: FnOnce(&Cancellation) -> tradedep::Result<T> + Send,
{
    let (result, interrupted) = py.detach(|| {
        std::thread::scope(|s| {
            let (done_tx, done_rx) = sync_channel::<()>(1);
            let cancel = &cancel;
            let worker = s.spawn(move || {
                let r = work(cancel);
                let _ = done_tx.send(());
                r
            });
            let mut interrupted: Option<PyErr> = None;
            loop {
                match done_rx.recv_timeout(SIGNAL_POLL) {
                    Ok(()) | Err(RecvTimeoutError::Disconnected) => break,
                    Err(RecvTimeoutError::Timeout) if interrupted.is_none() => {
                        if let Err(e) = Python::attach(|py| py.check_signals()) {
                            cancel.cancel();
                            interrupted = Some(e);
                        }
                    }
                    Err(RecvTimeoutError::Timeout) => {}
                }
            }
            let result = worker.join().unwrap_or_else(|panic| std::panic::resume_unwind(panic));
            (result, interrupted)
        })
    });
    match interrupted {
        Some(e) => Err(e),
        None => py_result(result),
    }
}
