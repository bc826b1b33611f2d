//! Treaty endings: when the treaty of a relation ends (a termination whose notice ran
//! out, or the treaty's end date), this node carries out what the treaty says about the
//! material received under it, its `on_termination`: `purge` deletes every object
//! version received from that partner, unless this node originated it or another
//! partner whose copies still count sent it too; `keep` keeps it. Either way the ledger
//! records the ending (`treaty-ended`, which for what this node released says what the
//! partner is bound to do) and, for a purge, what went (`purged`). The partner does the
//! same on its side from the same signed notes, so the ending is recorded on both.
//!
//! A partner's copies still count unless its own treaty ended with `purge`: a treaty in
//! force, a suspended one (suspension stops the flow but ends nothing) or one that ended
//! with `keep` still entitles this node to what came under it.
//!
//! Runs in the background every `ending_check` ([`settle_forever`]) and on demand
//! (`entente sync settle`, [`Syncer::settle_endings`]). Idempotent: the store carries
//! each ending out once, in one transaction with its ledger entries.
//!
//! Not here: a suspension (nothing ends), or a notice of termination still running
//! (the relation, and the treaty, are in force until it takes effect).

use super::Syncer;
use crate::clock::now;
use crate::federation::DiplomacyError;
use entente_core::relation::Ending;
use entente_core::treaty::Disposition;
use entente_core::{StixId, Timestamp};
use entente_store::{SettledEnding, TreatyEnding};
use std::collections::HashSet;

pub(super) async fn settle_forever(syncer: Syncer) {
    let mut ticker = tokio::time::interval(syncer.config().ending_check);
    ticker.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        ticker.tick().await;
        let worker = syncer.clone();
        match tokio::task::spawn_blocking(move || worker.settle_endings(now())).await {
            Ok(Ok(_)) | Err(_) => {}
            Ok(Err(error)) => tracing::warn!(%error, "cannot check whether treaties ended; will try again"),
        }
    }
}

fn ending_word(ending: &Ending) -> &'static str {
    match ending {
        Ending::Terminated { .. } => "terminated",
        Ending::Expired => "expired",
    }
}

impl Syncer {
    /// Carries out every treaty ending not yet carried out at `now`; returns what was
    /// done (nothing, when every ending was carried out before).
    pub fn settle_endings(&self, now: Timestamp) -> Result<Vec<SettledEnding>, DiplomacyError> {
        let diplomat = self.diplomat();
        let store = diplomat.store();
        let settled = store.treaty_endings()?;
        let done: HashSet<&str> = settled.iter().map(|ending| ending.partner.as_str()).collect();
        let mut purged: HashSet<String> = settled
            .iter()
            .filter(|ending| ending.disposition == Disposition::Purge.as_str())
            .map(|ending| ending.partner.clone())
            .collect();
        let mut due = Vec::new();
        for record in store.partners()? {
            if done.contains(record.node_id.as_str()) {
                continue;
            }
            let Ok(partner) = StixId::parse(&record.node_id) else { continue };
            let Some((treaty, ending)) = diplomat.ended_treaty(&partner, now)? else { continue };
            let disposition = treaty.treaty().body().terms.disposition();
            if disposition == Disposition::Purge {
                purged.insert(record.node_id.clone());
            }
            let ending = ending_word(&ending).to_owned();
            due.push(TreatyEnding { partner, treaty: treaty.hash().clone(), ending, disposition });
        }
        let still_counts = |other: &str| !purged.contains(other);
        let mut carried = Vec::new();
        for ending in &due {
            if let Some(outcome) = store.settle_ending(ending, &still_counts, now.unix_micros())? {
                tracing::info!(
                    partner = %outcome.partner, treaty = %outcome.treaty, ending = %outcome.ending,
                    disposition = %outcome.disposition, removed = outcome.removed, retained = outcome.retained,
                    "carried out the end of a treaty"
                );
                carried.push(outcome);
            }
        }
        Ok(carried)
    }
}
