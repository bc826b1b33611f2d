//! The Ledger page's verification status: the result of verifying the whole hash
//! chain with [`entente_store::Store::verify_ledger`] (what `entente audit verify`
//! reports), and when that was done.
//!
//! Verifying reads and hashes every entry, so its cost grows with the ledger. A short
//! ledger (up to [`VERIFY_INLINE`] entries) is verified on every view. A longer one is
//! verified on the blocking pool in the background and the page shows the last
//! verdict with its time and length; a view starts a new verification when the ledger
//! grew or the verdict is older than a minute ([`FRESH_FOR_MICROS`]). "Verify now" on the page verifies
//! at once, whatever the length. Verdicts are kept per database in this process.

use crate::error::ApiError;
use crate::state::AppState;
use entente_core::Timestamp;
use std::collections::{HashMap, HashSet};
use std::path::PathBuf;
use std::sync::{LazyLock, Mutex};

/// Ledgers up to this length are verified on every view (a few milliseconds).
pub(crate) const VERIFY_INLINE: u64 = 2_000;
/// A verdict older than this is renewed in the background at the next view.
const FRESH_FOR_MICROS: i64 = 60_000_000;

/// One verification's result.
#[derive(Debug, Clone)]
pub(crate) struct Verdict {
    /// Entries verified (up to the first broken or unreadable one).
    pub(crate) entries: u64,
    /// The head's hash when the chain verified.
    pub(crate) head: Option<String>,
    /// What is wrong when it did not.
    pub(crate) problem: Option<String>,
    pub(crate) at: Timestamp,
}

/// What the page says about verification.
#[derive(Debug, Clone)]
pub(crate) struct Status {
    /// The latest verdict, if any verification finished.
    pub(crate) verdict: Option<Verdict>,
    /// How many entries the ledger holds now.
    pub(crate) entries: u64,
    /// A background verification is running.
    pub(crate) running: bool,
}

static VERDICTS: LazyLock<Mutex<HashMap<PathBuf, Verdict>>> = LazyLock::new(Mutex::default);
static RUNNING: LazyLock<Mutex<HashSet<PathBuf>>> = LazyLock::new(Mutex::default);

/// Verifies the ledger now (on the blocking pool) and keeps the verdict.
pub(crate) async fn verify_now(state: &AppState) -> Result<Verdict, ApiError> {
    let store = state.store.clone();
    let verdict = crate::blocking::blocking(move || {
        let check = store.verify_ledger()?;
        let verdict = Verdict {
            entries: check.entries,
            head: check.outcome.as_ref().ok().cloned(),
            problem: check.outcome.err(),
            at: crate::clock::now(),
        };
        remember(store.path().to_owned(), verdict.clone());
        Ok(verdict)
    })
    .await?;
    Ok(verdict)
}

fn remember(path: PathBuf, verdict: Verdict) {
    if let Ok(mut verdicts) = VERDICTS.lock() {
        verdicts.insert(path, verdict);
    }
}

/// The status to show: verified now when the ledger is short, else the last verdict
/// (renewed in the background when stale).
pub(crate) async fn status(state: &AppState) -> Result<Status, ApiError> {
    let (entries, _) = state.store.ledger_head()?;
    if entries <= VERIFY_INLINE {
        let verdict = verify_now(state).await?;
        return Ok(Status { verdict: Some(verdict), entries, running: false });
    }
    let path = state.store.path().to_owned();
    let verdict = VERDICTS.lock().ok().and_then(|verdicts| verdicts.get(&path).cloned());
    let now = crate::clock::now().unix_micros();
    let stale = verdict
        .as_ref()
        .is_none_or(|verdict| verdict.entries != entries || now - verdict.at.unix_micros() > FRESH_FOR_MICROS);
    let running = stale && start_background(state, path);
    Ok(Status { verdict, entries, running })
}

/// Starts a verification unless one is running for this database; whether one runs.
fn start_background(state: &AppState, path: PathBuf) -> bool {
    let Ok(mut running) = RUNNING.lock() else { return false };
    if !running.insert(path.clone()) {
        return true;
    }
    drop(running);
    let state = state.clone();
    tokio::spawn(async move {
        if let Err(error) = verify_now(&state).await {
            tracing::warn!(?error, "verifying the ledger in the background failed");
        }
        if let Ok(mut running) = RUNNING.lock() {
            running.remove(&path);
        }
    });
    true
}
