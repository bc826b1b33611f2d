//! Runs synchronous store work from async handlers.
//!
//! Store calls are short (an indexed read of one page is well under a millisecond), so
//! on the multi-threaded runtime they run in place, with `block_in_place` telling the
//! scheduler to move other tasks off this worker meanwhile. Handing each call to the
//! blocking pool instead cost two thread wake-ups per call, which profiles showed as a
//! tenth of the server's time. A current-thread runtime (some tests) cannot block in
//! place, so there the blocking pool is used.

use crate::error::ApiError;
use tokio::runtime::{Handle, RuntimeFlavor};

/// Runs `work` without stalling the async scheduler and flattens its result.
pub(crate) async fn blocking<T: Send + 'static>(
    work: impl FnOnce() -> Result<T, ApiError> + Send + 'static,
) -> Result<T, ApiError> {
    if Handle::current().runtime_flavor() == RuntimeFlavor::MultiThread {
        return tokio::task::block_in_place(work);
    }
    tokio::task::spawn_blocking(work).await.map_err(|error| ApiError::internal(format!("worker failed: {error}")))?
}
