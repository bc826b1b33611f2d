//! [`Diplomat`]: the operations of an envoy, each checked against the relation
//! machine before anything is signed or recorded, and the reception of notes.
//!
//! `moves.rs` has the operator's moves, `receive.rs` the reception of a partner's
//! note, `forwarding.rs` how treaty signatures travel between the relations of a
//! multilateral treaty, `rotation.rs` the rotation of this node's key, `views.rs` what
//! the operator sees, and `records.rs` the conversions to store rows. `alliances.rs`
//! has the alliance moves and views, `alliance_transport.rs` how acts travel in
//! `alliance-act` notes.
//!
//! Concurrency: every check-then-record runs under one lock per process
//! ([`Diplomat::one_at_a_time`]), and is recorded only if the history it was checked
//! against did not grow meanwhile (another process on the same store), else checked
//! again.

mod alliance_transport;
mod alliances;
mod forwarding;
mod moves;
mod receive;
mod records;
mod rotation;
mod views;

pub use alliances::{AllianceView, PendingView, PollView, VoteView};
pub use rotation::{Announcement, KeyRotation};
pub use views::{PartnerView, RelationView};

use super::keybook::KeyBook;
use super::replay::{Replayed, replay};
use super::{DiplomacyError, NodeIdentity};
use entente_core::{StixId, Timestamp};
use entente_store::{NoteChange, PartnerRecord, Store};
use records::{keep_retirements, key_entries};
use std::sync::{Arc, Mutex, PoisonError, RwLock};

/// Acts for this node in its relations.
#[derive(Clone, Debug)]
pub struct Diplomat {
    store: Arc<Store>,
    /// Replaced as a whole when the node's key rotates, or when another process on
    /// the same store rotated it.
    identity: Arc<RwLock<Arc<NodeIdentity>>>,
    skew_seconds: i64,
    turn: Arc<Mutex<()>>,
}

/// What a move is checked and signed with: read once per attempt, so that every
/// relation it touches is judged with the same keys.
struct Context {
    identity: Arc<NodeIdentity>,
    keys: KeyBook,
}

impl Context {
    fn replay(&self, store: &Store, partner: &StixId, now: Timestamp) -> Result<Replayed, DiplomacyError> {
        replay(store, self.identity.node_id(), &self.keys, partner, now)
    }
}

/// How often a move is checked again when other processes keep recording notes with
/// the same partner between the check and the record.
const RECORD_ATTEMPTS: usize = 8;

fn history_moved(partner: &StixId) -> DiplomacyError {
    DiplomacyError::Store(entente_store::StoreError::Invalid(format!(
        "the history with {partner} kept changing while the move was checked; try again"
    )))
}

impl Diplomat {
    /// A diplomat for the node `identity` describes, with the key history its store
    /// holds. A history that cannot be read now is read again before every move.
    pub fn new(store: Arc<Store>, identity: Arc<NodeIdentity>) -> Diplomat {
        let diplomat = Diplomat {
            store,
            identity: Arc::new(RwLock::new(identity)),
            skew_seconds: entente_core::note::DEFAULT_SKEW_SECONDS,
            turn: Arc::new(Mutex::new(())),
        };
        if let Err(error) = diplomat.identity_now() {
            tracing::warn!(%error, "this node's key history could not be loaded; every move will try again");
        }
        diplomat
    }

    pub fn with_skew_seconds(mut self, seconds: i64) -> Diplomat {
        self.skew_seconds = seconds;
        self
    }

    /// This node's identity as last loaded (its card, its node id, its keys).
    pub fn identity(&self) -> Arc<NodeIdentity> {
        self.identity.read().unwrap_or_else(PoisonError::into_inner).clone()
    }

    /// The identity with the key history the store holds now: another process (the
    /// CLI beside the server) may have rotated the key since this one last looked.
    fn identity_now(&self) -> Result<Arc<NodeIdentity>, DiplomacyError> {
        let history = key_entries(&self.store.node_keys()?)?;
        let held = self.identity();
        if history.is_empty() || history == held.keys() {
            return Ok(held);
        }
        let synced = Arc::new(held.with_history(history).map_err(DiplomacyError::Invalid)?);
        let mut slot = self.identity.write().unwrap_or_else(PoisonError::into_inner);
        // A rotation in this process may have replaced the identity since it was read
        // (views do not take the turn): the newer one stands.
        if Arc::ptr_eq(&slot, &held) {
            *slot = synced;
        }
        Ok(slot.clone())
    }

    /// Serialises every check-then-record in this process: a note is checked against
    /// the relation replayed from the store and then recorded, and a second note
    /// recorded in between (an inbound note racing an envoy's move) would make the
    /// recorded history one that replay refuses. Other processes on the same store
    /// (the CLI beside the server) are caught by `NoteChange::history_checked`.
    fn one_at_a_time(&self) -> std::sync::MutexGuard<'_, ()> {
        self.turn.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Records notes' changes in one transaction, after [`keep_retirements`]; `false`
    /// when another process recorded a note with one of the partners since the moves
    /// were checked (`history_checked`), in which case nothing was written.
    fn record(&self, mut changes: Vec<NoteChange>, now: Timestamp) -> Result<bool, DiplomacyError> {
        for change in &mut changes {
            if let Some(node) = &change.partner_keys_of {
                change.keys = keep_retirements(&self.store.partner_keys(node)?, std::mem::take(&mut change.keys));
            }
        }
        Ok(self.store.record_notes(&changes, now.unix_micros())?)
    }

    /// This node's identity and the keys of every party it knows, as of now.
    fn context(&self) -> Result<Context, DiplomacyError> {
        let identity = self.identity_now()?;
        let keys = KeyBook::load(&self.store, &identity)?;
        Ok(Context { identity, keys })
    }

    fn replay(&self, partner: &StixId, now: Timestamp) -> Result<Replayed, DiplomacyError> {
        self.context()?.replay(&self.store, partner, now)
    }

    fn partner(&self, partner: &StixId) -> Result<PartnerRecord, DiplomacyError> {
        self.store.partner(partner.as_str())?.ok_or_else(|| DiplomacyError::UnknownPartner(partner.to_string()))
    }
}

/// A treaty in force or an alliance charter that binds this node and a partner, as
/// the receiving side of sync reads it: its hash, the re-sharing rule it sets on what
/// travels under it, and whether that must travel encrypted end to end.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Agreement {
    pub hash: entente_core::treaty::TreatyHash,
    pub resharing: entente_core::treaty::Resharing,
    pub encrypt: entente_core::treaty::EncryptInTransit,
}

/// What intelligence sync needs from the diplomat: the store, the keys, and the treaty
/// in force with a partner, always derived from the signed notes.
impl Diplomat {
    pub(crate) fn store(&self) -> &Arc<Store> {
        &self.store
    }

    pub(crate) fn skew_seconds(&self) -> i64 {
        self.skew_seconds
    }

    /// The keys of every party this node knows, ours included.
    pub(crate) fn key_book(&self) -> Result<KeyBook, DiplomacyError> {
        Ok(self.context()?.keys)
    }

    /// The treaty in force with `partner` at `now`, when the relation is in force
    /// (not suspended, not past a termination's notice).
    pub(crate) fn treaty_in_force(
        &self,
        partner: &StixId,
        now: Timestamp,
    ) -> Result<Option<entente_core::treaty::SignedTreaty>, DiplomacyError> {
        let replayed = self.replay(partner, now)?;
        Ok(replayed.relation.in_force(now).map(|proof| proof.treaty().clone()))
    }

    /// The encryption key `partner`'s card publishes (the card this node holds), if
    /// it has one: what objects under an `encrypt_in_transit: must` treaty are sealed to.
    pub(crate) fn partner_encryption_key(
        &self,
        partner: &StixId,
    ) -> Result<Option<entente_core::seal::EncryptionPublicKey>, DiplomacyError> {
        let record = self.partner(partner)?;
        let card = entente_core::card::SignedCard::parse(&record.card)
            .map_err(|error| DiplomacyError::Invalid(format!("the card held for {partner}: {error}")))?;
        Ok(card.card().encryption_key)
    }

    /// The treaty the relation with `partner` had and how the relation ended, once it
    /// has ended (terminated, after any notice, or expired) with a treaty: what a
    /// treaty ending is carried out on. `None` while the relation has not ended, or
    /// when it ended before any treaty was in force.
    pub(crate) fn ended_treaty(
        &self,
        partner: &StixId,
        now: Timestamp,
    ) -> Result<Option<(entente_core::treaty::SignedTreaty, entente_core::relation::Ending)>, DiplomacyError> {
        let relation = self.replay(partner, now)?.relation;
        if relation.state() != entente_core::relation::State::Terminated {
            return Ok(None);
        }
        Ok(relation.treaty().cloned().zip(relation.ending().cloned()))
    }

    /// What this node may share with `partner` under at `now`: the treaty in force,
    /// and the charters of alliances in force of which both are members, each by its hash
    /// with the re-sharing rule it sets.
    pub(crate) fn agreements_with(&self, partner: &StixId, now: Timestamp) -> Result<Vec<Agreement>, DiplomacyError> {
        let mut agreements = Vec::new();
        if let Some(treaty) = self.treaty_in_force(partner, now)? {
            let body = treaty.treaty().body();
            agreements.push(Agreement {
                hash: treaty.hash().clone(),
                resharing: body.resharing.clone(),
                encrypt: body.terms.encrypt_in_transit,
            });
        }
        for alliance in self.shared_alliances(partner, now)? {
            let body = alliance.charter().body();
            agreements.push(Agreement {
                hash: entente_core::release::charter_hash(&alliance),
                resharing: body.resharing.clone(),
                encrypt: body.terms.encrypt_in_transit,
            });
        }
        Ok(agreements)
    }

    /// Whether intelligence may flow between this node and `partner` at `now`: a
    /// treaty in force, or an alliance in force of which both are members.
    pub(crate) fn may_exchange(&self, partner: &StixId, now: Timestamp) -> Result<bool, DiplomacyError> {
        Ok(!self.agreements_with(partner, now)?.is_empty())
    }

    /// Every recognized partner this node may exchange intelligence with at `now`
    /// (a treaty in force, or a shared alliance in force), with the URL of its
    /// federation endpoint.
    pub(crate) fn partners_in_force(&self, now: Timestamp) -> Result<Vec<(StixId, String)>, DiplomacyError> {
        let mut found = Vec::new();
        for record in self.store.partners()? {
            let Ok(id) = StixId::parse(&record.node_id) else { continue };
            if self.may_exchange(&id, now)? {
                found.push((id, record.federation_url));
            }
        }
        Ok(found)
    }
}
