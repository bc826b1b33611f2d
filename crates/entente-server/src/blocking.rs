//! Runs synchronous store work off the async threads.

use crate::error::ApiError;

/// Runs `work` on tokio's blocking pool and flattens its result.
pub(crate) async fn blocking<T: Send + 'static>(
    work: impl FnOnce() -> Result<T, ApiError> + Send + 'static,
) -> Result<T, ApiError> {
    tokio::task::spawn_blocking(work).await.map_err(|error| ApiError::internal(format!("worker failed: {error}")))?
}
