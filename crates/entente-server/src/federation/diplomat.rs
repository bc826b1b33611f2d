//! [`Diplomat`]: the operations of an envoy, each checked against the relation
//! machine before anything is signed or recorded, and the reception of notes.

use super::directory::{StoreDirectory, pinned};
use super::replay::{Replayed, action_of, replay};
use super::{DiplomacyError, NodeIdentity};
use entente_core::card::{SignedCard, VerifiedCard};
use entente_core::note::{NoteBody, NoteId, PartySignature, Reason, Rotation, UnsignedNote, VerifyContext, verify};
use entente_core::relation::{Action, Event, Relation, Side, State};
use entente_core::treaty::{Treaty, sign as sign_treaty};
use entente_core::{StixId, Timestamp};
use entente_store::{Direction, KeyRecord, NoteChange, NoteRecord, PartnerRecord, Store, TreatyRecord};
use serde::Serialize;
use std::sync::{Arc, Mutex};

/// Acts for this node in its relations.
#[derive(Clone, Debug)]
pub struct Diplomat {
    store: Arc<Store>,
    identity: Arc<NodeIdentity>,
    skew_seconds: i64,
    turn: Arc<Mutex<()>>,
}

/// A partner as the operator sees it.
#[derive(Debug, Clone, Serialize)]
pub struct PartnerView {
    pub node_id: String,
    pub name: String,
    pub country: Option<String>,
    pub kind: String,
    pub fingerprint: String,
    pub federation_url: String,
}

/// A relation as the operator sees it.
#[derive(Debug, Clone, Serialize)]
pub struct RelationView {
    pub partner: PartnerView,
    pub state: String,
    pub recognized_by_us: bool,
    pub recognized_by_partner: bool,
    pub treaty_in_force: Option<String>,
    pub draft: Option<String>,
    pub draft_accepted: bool,
    /// When a notice of termination takes effect, while it runs.
    pub termination_effective: Option<String>,
    pub allowed_moves: Vec<String>,
    pub notes: usize,
}

fn partner_record(card: &VerifiedCard) -> PartnerRecord {
    let body = card.card();
    PartnerRecord {
        node_id: body.node_id.to_string(),
        name: body.name.as_str().to_owned(),
        country: body.country.as_ref().map(|code| code.as_str().to_owned()),
        kind: body.kind.as_str().to_owned(),
        card: card.to_json().to_string(),
        federation_url: body.endpoints.federation.as_str().to_owned(),
    }
}

fn key_records(card: &VerifiedCard, pin: Option<&str>) -> Vec<KeyRecord> {
    card.card()
        .keys
        .iter()
        .map(|entry| KeyRecord {
            key_id: entry.key_id().to_string(),
            public_key: entry.key.encode(),
            valid_from: entry.valid_from.to_string(),
            valid_until: entry.valid_until.map(|until| until.to_string()),
            pinned: pin.is_some_and(|fingerprint| normalise(&entry.key.fingerprint()) == fingerprint),
        })
        .collect()
}

/// Fingerprints are compared without separators or case, as people read them aloud.
fn normalise(fingerprint: &str) -> String {
    fingerprint.chars().filter(char::is_ascii_hexdigit).map(|c| c.to_ascii_uppercase()).collect()
}

fn treaty_record(treaty: &Treaty) -> TreatyRecord {
    TreatyRecord {
        hash: treaty.hash().to_string(),
        treaty_id: treaty.id().to_string(),
        version: i64::from(treaty.version()),
        supersedes: treaty.supersedes().map(ToString::to_string),
        json: treaty.to_value().to_string(),
    }
}

fn micros(now: Timestamp) -> i64 {
    now.unix_micros()
}

impl Diplomat {
    pub fn new(store: Arc<Store>, identity: Arc<NodeIdentity>) -> Diplomat {
        Diplomat {
            store,
            identity,
            skew_seconds: entente_core::note::DEFAULT_SKEW_SECONDS,
            turn: Arc::new(Mutex::new(())),
        }
    }

    pub fn with_skew_seconds(mut self, seconds: i64) -> Diplomat {
        self.skew_seconds = seconds;
        self
    }

    /// Serialises every check-then-record in this process: a note is checked against
    /// the relation replayed from the store and then recorded, and a second note
    /// recorded in between (an inbound note racing an envoy's move) would make the
    /// recorded history one that replay refuses. Other processes on the same store
    /// (the CLI beside the server) are caught by `NoteChange::history_checked`.
    fn one_at_a_time(&self) -> std::sync::MutexGuard<'_, ()> {
        self.turn.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Records a note's change in one transaction, after [`keep_retirements`]; `false`
    /// when another process recorded a note with the partner since the move was
    /// checked (`history_checked`), in which case nothing was written.
    fn record(&self, mut change: NoteChange, now: Timestamp) -> Result<bool, DiplomacyError> {
        if let Some(node) = &change.partner_keys_of {
            change.keys = keep_retirements(&self.store.partner_keys(node)?, change.keys);
        }
        Ok(self.store.record_note(&change, micros(now))?)
    }

    pub fn identity(&self) -> &NodeIdentity {
        &self.identity
    }

    fn replay(&self, partner: &StixId, now: Timestamp) -> Result<Replayed, DiplomacyError> {
        replay(&self.store, self.identity.node_id(), &self.identity.key().public(), partner, now)
    }

    fn partner(&self, partner: &StixId) -> Result<PartnerRecord, DiplomacyError> {
        self.store.partner(partner.as_str())?.ok_or_else(|| DiplomacyError::UnknownPartner(partner.to_string()))
    }

    /// Records a partner from its signed card (first contact); no note is sent and
    /// no key is pinned until an operator confirms the fingerprint.
    pub fn contact(&self, card_text: &str, now: Timestamp) -> Result<PartnerView, DiplomacyError> {
        let _turn = self.one_at_a_time();
        let card =
            SignedCard::parse(card_text).map_err(|error| DiplomacyError::Invalid(format!("the node card: {error}")))?;
        if card.node_id() == self.identity.node_id() {
            return Err(DiplomacyError::Invalid("that card is this node's own".into()));
        }
        let change = NoteChange {
            partner: Some(partner_record(&card)),
            partner_keys_of: Some(card.node_id().to_string()),
            keys: key_records(&card, None),
            ..NoteChange::default()
        };
        self.record(change, now)?;
        self.view_partner(card.node_id())
    }

    /// Confirms a partner's fingerprint (compared out of band), pins its key and
    /// sends our `recognize` note with our card.
    pub fn recognize(&self, partner: &StixId, fingerprint: &str, now: Timestamp) -> Result<NoteId, DiplomacyError> {
        let record = self.partner(partner)?;
        let card = SignedCard::parse(&record.card).map_err(|error| DiplomacyError::Invalid(error.to_string()))?;
        let given = normalise(fingerprint);
        let keys = key_records(&card, Some(&given));
        if !keys.iter().any(|key| key.pinned) {
            return Err(DiplomacyError::Fingerprint { partner: partner.to_string(), given: fingerprint.to_owned() });
        }
        let body = NoteBody::Recognize {
            card: self.identity.card().verify().map_err(|error| DiplomacyError::Invalid(error.to_string()))?,
        };
        let extra = NoteChange { partner_keys_of: Some(partner.to_string()), keys, ..NoteChange::default() };
        self.send(partner, Action::Recognize, body, extra, now)
    }

    pub fn propose(
        &self,
        partner: &StixId,
        treaty: &serde_json::Value,
        now: Timestamp,
    ) -> Result<NoteId, DiplomacyError> {
        let treaty = Treaty::parse(treaty).map_err(|error| DiplomacyError::Invalid(format!("the treaty: {error}")))?;
        let extra = NoteChange { treaties: vec![treaty_record(&treaty)], ..NoteChange::default() };
        self.send(partner, Action::Propose(treaty.clone()), NoteBody::Propose { treaty: treaty.to_value() }, extra, now)
    }

    pub fn counter(
        &self,
        partner: &StixId,
        treaty: &serde_json::Value,
        now: Timestamp,
    ) -> Result<NoteId, DiplomacyError> {
        let treaty = Treaty::parse(treaty).map_err(|error| DiplomacyError::Invalid(format!("the treaty: {error}")))?;
        let extra = NoteChange { treaties: vec![treaty_record(&treaty)], ..NoteChange::default() };
        self.send(partner, Action::Counter(treaty.clone()), NoteBody::Counter { treaty: treaty.to_value() }, extra, now)
    }

    pub fn amend(
        &self,
        partner: &StixId,
        treaty: &serde_json::Value,
        now: Timestamp,
    ) -> Result<NoteId, DiplomacyError> {
        let treaty = Treaty::parse(treaty).map_err(|error| DiplomacyError::Invalid(format!("the treaty: {error}")))?;
        let extra = NoteChange { treaties: vec![treaty_record(&treaty)], ..NoteChange::default() };
        self.send(partner, Action::Amend(treaty.clone()), NoteBody::Amend { treaty: treaty.to_value() }, extra, now)
    }

    /// The text under negotiation with `partner`.
    pub fn draft(&self, partner: &StixId, now: Timestamp) -> Result<Treaty, DiplomacyError> {
        let replayed = self.replay(partner, now)?;
        let negotiation = replayed.relation.negotiation().ok_or_else(|| {
            DiplomacyError::Invalid(format!(
                "no treaty is under negotiation with {partner} (state {})",
                replayed.relation.state().as_str()
            ))
        })?;
        Ok(negotiation.draft().clone())
    }

    pub fn accept(&self, partner: &StixId, now: Timestamp) -> Result<NoteId, DiplomacyError> {
        let hash = self.draft(partner, now)?.hash().clone();
        self.send(
            partner,
            Action::Accept(hash.clone()),
            NoteBody::Accept { treaty_hash: hash },
            NoteChange::default(),
            now,
        )
    }

    pub fn reject(&self, partner: &StixId, reason: Option<&str>, now: Timestamp) -> Result<NoteId, DiplomacyError> {
        let hash = self.draft(partner, now)?.hash().clone();
        let body = NoteBody::Reject { treaty_hash: hash.clone(), reason: reason_of(reason)? };
        self.send(partner, Action::Reject(hash), body, NoteChange::default(), now)
    }

    pub fn withdraw(&self, partner: &StixId, now: Timestamp) -> Result<NoteId, DiplomacyError> {
        let hash = self.draft(partner, now)?.hash().clone();
        self.send(
            partner,
            Action::Withdraw(hash.clone()),
            NoteBody::Withdraw { treaty_hash: hash },
            NoteChange::default(),
            now,
        )
    }

    /// Signs the agreed text and sends the signature.
    pub fn sign(&self, partner: &StixId, now: Timestamp) -> Result<NoteId, DiplomacyError> {
        let replayed = self.replay(partner, now)?;
        let negotiation = replayed
            .relation
            .negotiation()
            .ok_or_else(|| DiplomacyError::Invalid("nothing to sign: no treaty under negotiation".into()))?;
        let treaty = negotiation.draft().clone();
        let us = self.identity.node_id();
        let signature = sign_treaty(&treaty, us, self.identity.key())
            .map_err(|error| DiplomacyError::Invalid(error.to_string()))?;
        let mut signatures = negotiation.signatures().clone();
        signatures
            .add_signature(signature.clone(), &self.identity.key().public())
            .map_err(|error| DiplomacyError::Invalid(error.to_string()))?;
        let body = NoteBody::Sign {
            treaty_hash: treaty.hash().clone(),
            signature: PartySignature {
                party: us.clone(),
                key_id: signature.key_id.clone(),
                signature: signature.signature,
            },
        };
        let record = entente_store::SignatureRecord {
            hash: treaty.hash().to_string(),
            party: us.to_string(),
            key_id: signature.key_id.to_string(),
            signature: signature.signature.encode(),
        };
        let extra = NoteChange { signatures: vec![record], ..NoteChange::default() };
        self.send(partner, Action::Sign { signer: us.clone(), signatures }, body, extra, now)
    }

    pub fn suspend(&self, partner: &StixId, reason: Option<&str>, now: Timestamp) -> Result<NoteId, DiplomacyError> {
        self.send(
            partner,
            Action::Suspend,
            NoteBody::Suspend { reason: reason_of(reason)? },
            NoteChange::default(),
            now,
        )
    }

    pub fn resume(&self, partner: &StixId, now: Timestamp) -> Result<NoteId, DiplomacyError> {
        self.send(partner, Action::Resume, NoteBody::Resume, NoteChange::default(), now)
    }

    pub fn terminate(&self, partner: &StixId, reason: Option<&str>, now: Timestamp) -> Result<NoteId, DiplomacyError> {
        let replayed = self.replay(partner, now)?;
        let after = replayed.relation.apply(&Event::new(Side::Local, now, Action::Terminate), now)?;
        let effective = after.termination().map_or(now, |termination| termination.effective_at);
        self.send(
            partner,
            Action::Terminate,
            NoteBody::Terminate { reason: reason_of(reason)?, effective },
            NoteChange::default(),
            now,
        )
    }

    /// Checks a local move against the relation, then signs and records the note with
    /// its outbox row in one transaction.
    fn send(
        &self,
        partner: &StixId,
        action: Action,
        body: NoteBody,
        extra: NoteChange,
        now: Timestamp,
    ) -> Result<NoteId, DiplomacyError> {
        let _turn = self.one_at_a_time();
        for _ in 0..RECORD_ATTEMPTS {
            if let Some(id) = self.try_send(partner, action.clone(), body.clone(), extra.clone(), now)? {
                return Ok(id);
            }
        }
        Err(history_moved(partner))
    }

    /// One attempt of [`Diplomat::send`]; `None` when the history moved meanwhile.
    fn try_send(
        &self,
        partner: &StixId,
        action: Action,
        body: NoteBody,
        extra: NoteChange,
        now: Timestamp,
    ) -> Result<Option<NoteId>, DiplomacyError> {
        let record = self.partner(partner)?;
        let replayed = self.replay(partner, now)?;
        replayed.relation.apply(&Event::new(Side::Local, now, action), now)?;
        let note = UnsignedNote {
            id: NoteId::from_random_bytes(uuid::Uuid::new_v4().into_bytes()),
            sender: self.identity.node_id().clone(),
            recipient: partner.clone(),
            created: now,
            in_reply_to: replayed.last_note,
            body,
        }
        .sign(self.identity.key());
        let id = note.note().id().clone();
        let change = NoteChange {
            note: Some(note_record(note.note(), Direction::Sent, partner, &note.to_json(), now)),
            deliver_to: Some(record.federation_url),
            history_checked: Some(replayed.note_count),
            ..extra
        };
        Ok(self.record(change, now)?.then_some(id))
    }

    /// Verifies a note from a partner, applies it, and records it with its effects.
    pub fn receive(&self, text: &str, now: Timestamp) -> Result<NoteId, DiplomacyError> {
        let _turn = self.one_at_a_time();
        let mut sender = None;
        for _ in 0..RECORD_ATTEMPTS {
            match self.try_receive(text, now)? {
                (Some(id), _) => return Ok(id),
                (None, partner) => sender = Some(partner),
            }
        }
        Err(history_moved(sender.as_ref().unwrap_or(self.identity.node_id())))
    }

    /// One attempt of [`Diplomat::receive`]: the note's id once recorded, or `None`
    /// when the history with the sender moved meanwhile; with the sender.
    fn try_receive(&self, text: &str, now: Timestamp) -> Result<(Option<NoteId>, StixId), DiplomacyError> {
        let directory = StoreDirectory { store: &self.store };
        let context = VerifyContext::new(self.identity.node_id(), &directory).with_skew_seconds(self.skew_seconds);
        let verified = verify(text, &context, now)?;
        let note = verified.get();
        let partner = note.sender().clone();
        let mut change = NoteChange::default();
        if let NoteBody::Recognize { card } = note.body() {
            change.partner = Some(partner_record(card));
            change.partner_keys_of = Some(partner.to_string());
            // Keys already pinned stay pinned; new ones wait for our operator.
            change.keys = key_records(card, None);
        }
        if let NoteBody::RotateKey { .. } = note.body() {
            let rotation =
                Rotation::from_note(&verified).map_err(|error| DiplomacyError::Invalid(error.to_string()))?;
            change.partner_keys_of = Some(partner.to_string());
            change.keys = rotated_keys(&self.store.partner_keys(partner.as_str())?, &rotation);
        }
        let replayed = self.replay(&partner, now)?;
        let partner_keys = pinned(&self.store.partner_keys(partner.as_str())?);
        let key_of = |key_id: &entente_core::keys::KeyId| {
            partner_keys.iter().map(|pinned| pinned.key).find(|key| key.key_id() == *key_id)
        };
        // Judged at the note's own time, on the relation as its last note left it:
        // exactly what replay will do, so a note accepted now never breaks replay later.
        if let Some(action) = action_of(note, &replayed.folded, &key_of).map_err(DiplomacyError::Invalid)? {
            treaty_effects(&action, note.body(), &mut change);
            replayed.folded.apply(&Event::new(Side::Remote, note.created(), action), note.created())?;
        }
        change.note = Some(note_record(note, Direction::Received, &partner, text, now));
        change.history_checked = Some(replayed.note_count);
        let recorded = self.record(change, now)?;
        Ok((recorded.then(|| note.id().clone()), partner))
    }

    pub fn view_partner(&self, partner: &StixId) -> Result<PartnerView, DiplomacyError> {
        let record = self.partner(partner)?;
        let card = SignedCard::parse(&record.card).map_err(|error| DiplomacyError::Invalid(error.to_string()))?;
        Ok(PartnerView {
            node_id: record.node_id,
            name: record.name,
            country: record.country,
            kind: record.kind,
            fingerprint: card.fingerprint(),
            federation_url: record.federation_url,
        })
    }

    pub fn relation(&self, partner: &StixId, now: Timestamp) -> Result<RelationView, DiplomacyError> {
        let replayed = self.replay(partner, now)?;
        Ok(relation_view(self.view_partner(partner)?, &replayed.relation, replayed.note_count, now))
    }

    pub fn relations(&self, now: Timestamp) -> Result<Vec<RelationView>, DiplomacyError> {
        let mut views = Vec::new();
        for record in self.store.partners()? {
            let id = StixId::parse(&record.node_id).map_err(|error| DiplomacyError::Invalid(error.to_string()))?;
            views.push(self.relation(&id, now)?);
        }
        Ok(views)
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

fn reason_of(reason: Option<&str>) -> Result<Option<Reason>, DiplomacyError> {
    reason.map(|text| Reason::parse(text).map_err(DiplomacyError::Invalid)).transpose()
}

/// The key rows a rotation writes: the old key ends when announced (never later than
/// it already did: see [`keep_retirements`]), and the new key is pinned unless it
/// already is, so a rotation cannot revive or extend a key (as `Rotation::apply`).
fn rotated_keys(stored: &[KeyRecord], rotation: &Rotation) -> Vec<KeyRecord> {
    let mut keys: Vec<KeyRecord> = stored
        .iter()
        .filter(|key| key.key_id == rotation.old_key.as_str())
        .map(|key| KeyRecord { valid_until: Some(rotation.old_key_valid_until.to_string()), ..key.clone() })
        .collect();
    let new_key = rotation.new_key.key.encode();
    if !stored.iter().any(|key| key.pinned && key.public_key == new_key) {
        keys.push(KeyRecord {
            key_id: rotation.new_key.key_id().to_string(),
            public_key: new_key,
            valid_from: rotation.new_key.valid_from.to_string(),
            valid_until: rotation.new_key.valid_until.map(|until| until.to_string()),
            pinned: true,
        });
    }
    keys
}

/// Key rows about to be written keep the end a pinned key already has when it is
/// earlier: a card, a re-introduction or a rotation may shorten a trusted key's life,
/// never extend it or revive a retired key.
fn keep_retirements(stored: &[KeyRecord], mut incoming: Vec<KeyRecord>) -> Vec<KeyRecord> {
    let end = |text: &str| Timestamp::parse(text).ok();
    for key in &mut incoming {
        let held = stored.iter().find(|held| held.pinned && held.key_id == key.key_id);
        let Some(held_until) = held.and_then(|held| held.valid_until.clone()) else { continue };
        let offered = key.valid_until.as_deref().and_then(end);
        if offered.is_none_or(|offered| end(&held_until).is_none_or(|held| held <= offered)) {
            key.valid_until = Some(held_until);
        }
    }
    incoming
}

/// Keeps the treaty texts and signatures a received note carries.
fn treaty_effects(action: &Action, body: &NoteBody, change: &mut NoteChange) {
    match action {
        Action::Propose(treaty) | Action::Counter(treaty) | Action::Amend(treaty) => {
            change.treaties.push(treaty_record(treaty))
        }
        Action::Sign { .. } => {
            if let NoteBody::Sign { treaty_hash, signature } = body {
                change.signatures.push(entente_store::SignatureRecord {
                    hash: treaty_hash.to_string(),
                    party: signature.party.to_string(),
                    key_id: signature.key_id.to_string(),
                    signature: signature.signature.encode(),
                });
            }
        }
        _ => {}
    }
}

fn note_record(
    note: &entente_core::note::Note,
    direction: Direction,
    partner: &StixId,
    json: &str,
    now: Timestamp,
) -> NoteRecord {
    NoteRecord {
        id: note.id().to_string(),
        direction,
        partner: partner.to_string(),
        kind: note.kind().to_string(),
        sender: note.sender().to_string(),
        recipient: note.recipient().to_string(),
        created: note.created().to_string(),
        in_reply_to: note.in_reply_to().map(ToString::to_string),
        recorded_at: micros(now),
        json: json.to_owned(),
    }
}

fn relation_view(partner: PartnerView, relation: &Relation, notes: usize, now: Timestamp) -> RelationView {
    RelationView {
        partner,
        state: relation.state().as_str().to_owned(),
        recognized_by_us: relation.has_recognized(Side::Local),
        recognized_by_partner: relation.has_recognized(Side::Remote),
        treaty_in_force: relation.in_force(now).map(|in_force| in_force.treaty().hash().to_string()),
        draft: relation.negotiation().map(|negotiation| negotiation.draft().hash().to_string()),
        draft_accepted: relation.negotiation().is_some_and(|negotiation| negotiation.is_accepted()),
        termination_effective: relation
            .termination()
            .filter(|_| !matches!(relation.state(), State::Terminated))
            .map(|termination| termination.effective_at.to_string()),
        allowed_moves: relation.allowed_moves(Side::Local).iter().map(|step| step.as_str().to_owned()).collect(),
        notes,
    }
}
