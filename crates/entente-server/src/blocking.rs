//! Where store work runs.
//!
//! Short indexed reads (authentication, lookups, one page of objects: well under a
//! millisecond) run directly on the async worker that handles the request. Handing
//! them to a blocking thread cost two thread wake-ups each, and `block_in_place`
//! grew the thread count (and with it memory) under load; profiles of the TAXII
//! benchmark showed both. Work that can take long — validating and storing a POSTed
//! envelope, deleting — goes to the blocking pool through [`blocking`].

use crate::error::ApiError;

/// Runs `work` on tokio's blocking pool and flattens its result.
pub(crate) async fn blocking<T: Send + 'static>(
    work: impl FnOnce() -> Result<T, ApiError> + Send + 'static,
) -> Result<T, ApiError> {
    tokio::task::spawn_blocking(work).await.map_err(|error| ApiError::internal(format!("worker failed: {error}")))?
}
