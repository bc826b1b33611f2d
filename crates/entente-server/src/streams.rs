//! What live streams share: a wake-up when objects are added, the shutdown signal,
//! and the cap on concurrent streams.
//!
//! A stream reads the store in bounded batches after each wake-up; nothing is queued
//! per subscriber, so a slow client costs one batch of memory, not a backlog. The
//! wake-up is a `watch` counter, so a change made between a stream's read and its
//! wait is never missed; writes this process does not see (a CLI import, another
//! process on the same database) are found by a slow poll.

use std::sync::Arc;
use std::time::Duration;
use tokio::sync::{OwnedSemaphorePermit, Semaphore, watch};

/// How many streams may be open at once on one server.
pub const MAX_STREAMS: usize = 64;
/// How often a stream looks at the store when nothing woke it.
pub const POLL: Duration = Duration::from_secs(2);

#[derive(Debug)]
pub(crate) struct StreamHub {
    added: watch::Sender<u64>,
    closed: watch::Sender<bool>,
    slots: Arc<Semaphore>,
}

impl Default for StreamHub {
    fn default() -> Self {
        StreamHub {
            added: watch::Sender::new(0),
            closed: watch::Sender::new(false),
            slots: Arc::new(Semaphore::new(MAX_STREAMS)),
        }
    }
}

impl StreamHub {
    /// Tells open streams that objects were added.
    pub(crate) fn wake(&self) {
        self.added.send_modify(|count| *count = count.wrapping_add(1));
    }

    /// Ends every open stream (the server is shutting down) and refuses new ones.
    pub(crate) fn close(&self) {
        self.closed.send_replace(true);
        self.slots.close();
    }

    /// A slot for one more stream, or `None` when all are taken (or closing).
    pub(crate) fn admit(&self) -> Option<OwnedSemaphorePermit> {
        self.slots.clone().try_acquire_owned().ok()
    }

    pub(crate) fn added(&self) -> watch::Receiver<u64> {
        self.added.subscribe()
    }

    pub(crate) fn closed(&self) -> watch::Receiver<bool> {
        self.closed.subscribe()
    }
}
