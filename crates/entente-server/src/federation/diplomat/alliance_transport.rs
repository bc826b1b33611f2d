//! How alliance acts travel: `alliance-act` notes, each carrying one signed act and its
//! charter, received, kept and forwarded so that every node an alliance concerns holds
//! every act.
//!
//! Reception, after the note itself verified (`receive.rs`): the charter and the act
//! parse (`bad-act`); the act names that charter (`other-charter`); this node holds no
//! other text for the alliance id (`charter-conflict`); the act's author is this node
//! or a node it recognized (`unrecognized-act-author`), and the act verifies with a key
//! pinned for it (`bad-act-signature`). Then the act is kept whatever the fold says of
//! it now: an act that does not apply yet (out of order) waits, and the alliance is
//! always the fold of the whole set (`Alliance::settle`). An act already held changes
//! nothing but is acknowledged, so re-deliveries are harmless.
//!
//! Forwarding: when this node learns an act (its operator's, or a new one received), it
//! sends every act it holds to every node the alliance concerns — founders before the
//! founding; then the members in force, the candidates of open admissions and the
//! subject of the latest change — that it has a mutual recognition with and that is not
//! known to hold the act (its author, the node it came from, the nodes it was sent to).
//! So a new candidate receives the whole history, and members converge even when they
//! have no relation with each other directly. Everything is written in one transaction.

use super::records::note_record;
use super::{Context, DiplomacyError, Diplomat};
use crate::federation::AllianceRefusal;
use entente_core::alliance::{Alliance, Change, Charter, Outcome, ProposalAction, SignedAct};
use entente_core::note::{NoteBody, NoteId, UnsignedNote};
use entente_core::relation::{Side, State};
use entente_core::{StixId, Timestamp};
use entente_store::{ActRecord, AllianceChange, CharterRecord, Direction, NoteChange, StoreError};
use serde_json::Value;
use std::collections::{BTreeSet, HashSet};

impl Diplomat {
    /// Receives the act an `alliance-act` note carries; `note` records the note itself.
    pub(super) fn receive_act(
        &self,
        context: &Context,
        sender: &StixId,
        (charter, act): (&Value, &Value),
        note: NoteChange,
        now: Timestamp,
    ) -> Result<bool, DiplomacyError> {
        let bad = |what: &str, error: &dyn std::fmt::Display| AllianceRefusal::BadAct(format!("the {what}: {error}"));
        let charter = Charter::parse(charter).map_err(|error| bad("charter", &error))?;
        let act = SignedAct::parse(act).map_err(|error| bad("act", &error))?;
        if act.act().alliance != *charter.id() || act.act().charter != *charter.hash() {
            return Err(AllianceRefusal::OtherCharter {
                alliance: act.act().alliance.to_string(),
                charter: act.act().charter.to_string(),
            }
            .into());
        }
        self.check_charter(&charter)?;
        let author = act.by();
        if !context.keys.knows(author) {
            return Err(AllianceRefusal::UnrecognizedAuthor(author.to_string()).into());
        }
        let refused = |reason: String| AllianceRefusal::BadActSignature {
            node: author.to_string(),
            key_id: act.key_id().to_string(),
            reason,
        };
        let key = context.keys.key_of(author, act.key_id()).ok_or_else(|| refused("not a key pinned for it".into()))?;
        act.verify(&key).map_err(|error| refused(error.to_string()))?;
        self.commit_act(context, &charter, &act, Some((sender, note)), now)
    }

    /// Refuses a charter whose alliance id this node holds with another text.
    pub(super) fn check_charter(&self, charter: &Charter) -> Result<(), DiplomacyError> {
        if let Some(held) = self.store.alliance_charter(charter.id().as_str())?
            && held.hash != charter.hash().as_str()
        {
            return Err(AllianceRefusal::CharterConflict {
                alliance: charter.id().to_string(),
                held: held.hash,
                found: charter.hash().to_string(),
            }
            .into());
        }
        Ok(())
    }

    /// Keeps `act` (verified) with its charter, and forwards what the nodes concerned
    /// lack; `received` is the partner it came from and the change recording its note.
    pub(super) fn commit_act(
        &self,
        context: &Context,
        charter: &Charter,
        act: &SignedAct,
        received: Option<(&StixId, NoteChange)>,
        now: Timestamp,
    ) -> Result<bool, DiplomacyError> {
        let mut change = AllianceChange {
            charter: Some(charter_record(charter)),
            holders: vec![(act.hash().to_string(), act.by().to_string())],
            ..AllianceChange::default()
        };
        if let Some((sender, note)) = received {
            change.holders.push((act.hash().to_string(), sender.to_string()));
            change.notes.push(note);
        }
        let mut acts = self.held_acts(charter.id())?;
        if !acts.iter().any(|held| held.hash() == act.hash()) {
            change.acts.push(act_record(act));
            acts.push(act.clone());
            self.forward(context, charter, &acts, &mut change, now)?;
        }
        Ok(self.store.record_alliance(&change, now.unix_micros())?)
    }

    /// Adds to `change` a note for every act a concerned node is not known to hold.
    fn forward(
        &self,
        context: &Context,
        charter: &Charter,
        acts: &[SignedAct],
        change: &mut AllianceChange,
        now: Timestamp,
    ) -> Result<(), DiplomacyError> {
        let key_of = |party: &StixId, key_id: &entente_core::keys::KeyId| context.keys.key_of(party, key_id);
        let settled = Alliance::settle(charter.clone(), acts, key_of);
        let mut held: HashSet<(String, String)> =
            self.store.alliance_act_holders(charter.id().as_str())?.into_iter().collect();
        held.extend(change.holders.iter().cloned());
        // Applied acts first, in the order they applied, so a receiver applies each at once.
        let order: Vec<&SignedAct> = settled
            .applied
            .iter()
            .chain(settled.pending.iter().map(|(hash, _)| hash))
            .filter_map(|hash| acts.iter().find(|act| act.hash() == hash))
            .collect();
        for node in concerned(&settled.alliance) {
            if node == *context.identity.node_id() || !self.can_reach(context, &node, now)? {
                continue;
            }
            let Some(partner) = self.store.partner(node.as_str())? else { continue };
            for act in &order {
                let holder = (act.hash().to_string(), node.to_string());
                if held.insert(holder.clone()) {
                    change.notes.push(act_note(context, &node, &partner.federation_url, charter, act, now));
                    change.holders.push(holder);
                }
            }
        }
        Ok(())
    }

    /// Whether notes to `node` will be accepted: both sides recognized each other and
    /// the relation has not ended.
    fn can_reach(&self, context: &Context, node: &StixId, now: Timestamp) -> Result<bool, DiplomacyError> {
        if self.store.partner(node.as_str())?.is_none() {
            return Ok(false);
        }
        let relation = context.replay(&self.store, node, now)?.relation;
        Ok(relation.has_recognized(Side::Local)
            && relation.has_recognized(Side::Remote)
            && relation.state() != State::Terminated)
    }

    /// Every act held for the alliance, as recorded.
    pub(super) fn held_acts(&self, alliance: &StixId) -> Result<Vec<SignedAct>, DiplomacyError> {
        self.store
            .alliance_acts(alliance.as_str())?
            .iter()
            .map(|record| {
                let value: Value = serde_json::from_str(&record.json).map_err(|error| corrupt(&record.hash, &error))?;
                SignedAct::parse(&value).map_err(|error| corrupt(&record.hash, &error))
            })
            .collect()
    }
}

/// The nodes an alliance concerns, as this node folds it (see the module header).
fn concerned(alliance: &Alliance) -> BTreeSet<StixId> {
    let Some(membership) = alliance.membership() else {
        return alliance.charter().founders().iter().cloned().collect();
    };
    let mut nodes: BTreeSet<StixId> = membership.members().iter().cloned().collect();
    for poll in alliance.polls().values() {
        if poll.outcome() == Outcome::Open && poll.action() == ProposalAction::Admit {
            nodes.insert(poll.subject().clone());
        }
    }
    if let Change::Expel { subject, .. } | Change::Withdraw { subject, .. } = membership.change() {
        nodes.insert(subject.clone());
    }
    nodes
}

/// A signed `alliance-act` note to `node` carrying `act`, queued for delivery.
fn act_note(
    context: &Context,
    node: &StixId,
    url: &str,
    charter: &Charter,
    act: &SignedAct,
    now: Timestamp,
) -> NoteChange {
    let note = UnsignedNote {
        id: NoteId::from_random_bytes(uuid::Uuid::new_v4().into_bytes()),
        sender: context.identity.node_id().clone(),
        recipient: node.clone(),
        created: now,
        // Alliance notes travel beside the relation: they answer nothing.
        in_reply_to: None,
        body: NoteBody::AllianceAct { charter: charter.to_value(), act: act.to_value() },
    }
    .sign(context.identity.key());
    NoteChange {
        note: Some(note_record(note.note(), Direction::Sent, node, &note.to_json(), now)),
        deliver_to: Some(url.to_owned()),
        ..NoteChange::default()
    }
}

pub(super) fn charter_record(charter: &Charter) -> CharterRecord {
    CharterRecord {
        alliance_id: charter.id().to_string(),
        hash: charter.hash().to_string(),
        json: charter.to_value().to_string(),
    }
}

fn act_record(act: &SignedAct) -> ActRecord {
    ActRecord {
        hash: act.hash().to_string(),
        alliance_id: act.act().alliance.to_string(),
        kind: act.body().type_name().to_owned(),
        by_node: act.by().to_string(),
        created: act.act().created.as_str().to_owned(),
        json: act.to_value().to_string(),
    }
}

pub(super) fn corrupt(what: &str, error: &dyn std::fmt::Display) -> DiplomacyError {
    DiplomacyError::Store(StoreError::Corrupt(format!("alliance record {what}: {error}")))
}
