//! The operator's moves: first contact and recognition, then every note that moves a
//! relation. Each is checked against the relation machine before it is signed, and
//! recorded with its outbox row in one transaction ([`Diplomat::send`]).

use super::records::{key_records, normalise, note_record, partner_record, treaty_record};
use super::{Context, DiplomacyError, Diplomat, RECORD_ATTEMPTS, Replayed, history_moved};
use entente_core::card::SignedCard;
use entente_core::note::{NoteBody, NoteId, Reason, UnsignedNote};
use entente_core::relation::{Action, Event, Side};
use entente_core::treaty::Treaty;
use entente_core::{StixId, Timestamp};
use entente_store::{Direction, NoteChange};

/// A note about to be made: the move it makes (none for a key rotation), its body, and
/// what else its recording changes.
pub(super) struct Outgoing {
    pub action: Option<Action>,
    pub body: NoteBody,
    pub extra: NoteChange,
}

impl Outgoing {
    pub fn new(action: Action, body: NoteBody) -> Outgoing {
        Outgoing { action: Some(action), body, extra: NoteChange::default() }
    }
}

impl Diplomat {
    /// Records a partner from its signed card (first contact); no note is sent and
    /// no key is pinned until an operator confirms the fingerprint.
    pub fn contact(&self, card_text: &str, now: Timestamp) -> Result<super::PartnerView, DiplomacyError> {
        let _turn = self.one_at_a_time();
        let card =
            SignedCard::parse(card_text).map_err(|error| DiplomacyError::Invalid(format!("the node card: {error}")))?;
        if card.node_id() == self.identity().node_id() {
            return Err(DiplomacyError::Invalid("that card is this node's own".into()));
        }
        let change = NoteChange {
            partner: Some(partner_record(&card)),
            partner_keys_of: Some(card.node_id().to_string()),
            keys: key_records(&card, None),
            ..NoteChange::default()
        };
        self.record(vec![change], now)?;
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
        self.send(partner, now, |context, _| {
            let card = context.identity.card().verify().map_err(|error| DiplomacyError::Invalid(error.to_string()))?;
            let extra =
                NoteChange { partner_keys_of: Some(partner.to_string()), keys: keys.clone(), ..NoteChange::default() };
            Ok(Outgoing { extra, ..Outgoing::new(Action::Recognize, NoteBody::Recognize { card }) })
        })
    }

    pub fn propose(
        &self,
        partner: &StixId,
        treaty: &serde_json::Value,
        now: Timestamp,
    ) -> Result<NoteId, DiplomacyError> {
        self.put_forward(partner, treaty, Action::Propose, |treaty| NoteBody::Propose { treaty }, now)
    }

    pub fn counter(
        &self,
        partner: &StixId,
        treaty: &serde_json::Value,
        now: Timestamp,
    ) -> Result<NoteId, DiplomacyError> {
        self.put_forward(partner, treaty, Action::Counter, |treaty| NoteBody::Counter { treaty }, now)
    }

    pub fn amend(
        &self,
        partner: &StixId,
        treaty: &serde_json::Value,
        now: Timestamp,
    ) -> Result<NoteId, DiplomacyError> {
        self.put_forward(partner, treaty, Action::Amend, |treaty| NoteBody::Amend { treaty }, now)
    }

    /// A proposal, counter-proposal or amendment: a treaty text put on the table.
    fn put_forward(
        &self,
        partner: &StixId,
        treaty: &serde_json::Value,
        action: fn(Treaty) -> Action,
        body: fn(serde_json::Value) -> NoteBody,
        now: Timestamp,
    ) -> Result<NoteId, DiplomacyError> {
        let treaty = Treaty::parse(treaty).map_err(|error| DiplomacyError::Invalid(format!("the treaty: {error}")))?;
        self.send(partner, now, |_, _| {
            let extra = NoteChange { treaties: vec![treaty_record(&treaty)], ..NoteChange::default() };
            Ok(Outgoing { extra, ..Outgoing::new(action(treaty.clone()), body(treaty.to_value())) })
        })
    }

    /// The text under negotiation with `partner`.
    pub fn draft(&self, partner: &StixId, now: Timestamp) -> Result<Treaty, DiplomacyError> {
        draft_of(partner, &self.replay(partner, now)?)
    }

    pub fn accept(&self, partner: &StixId, now: Timestamp) -> Result<NoteId, DiplomacyError> {
        self.send(partner, now, |_, replayed| {
            let treaty_hash = draft_of(partner, replayed)?.hash().clone();
            Ok(Outgoing::new(Action::Accept(treaty_hash.clone()), NoteBody::Accept { treaty_hash }))
        })
    }

    pub fn reject(&self, partner: &StixId, reason: Option<&str>, now: Timestamp) -> Result<NoteId, DiplomacyError> {
        let reason = reason_of(reason)?;
        self.send(partner, now, |_, replayed| {
            let treaty_hash = draft_of(partner, replayed)?.hash().clone();
            let body = NoteBody::Reject { treaty_hash: treaty_hash.clone(), reason: reason.clone() };
            Ok(Outgoing::new(Action::Reject(treaty_hash), body))
        })
    }

    pub fn withdraw(&self, partner: &StixId, now: Timestamp) -> Result<NoteId, DiplomacyError> {
        self.send(partner, now, |_, replayed| {
            let treaty_hash = draft_of(partner, replayed)?.hash().clone();
            Ok(Outgoing::new(Action::Withdraw(treaty_hash.clone()), NoteBody::Withdraw { treaty_hash }))
        })
    }

    /// Signs the agreed text and sends the signature, with every other party's
    /// signature on it this node holds (a multilateral treaty).
    pub fn sign(&self, partner: &StixId, now: Timestamp) -> Result<NoteId, DiplomacyError> {
        self.send(partner, now, |context, replayed| self.signing(context, partner, replayed))
    }

    pub fn suspend(&self, partner: &StixId, reason: Option<&str>, now: Timestamp) -> Result<NoteId, DiplomacyError> {
        let reason = reason_of(reason)?;
        self.send(partner, now, |_, _| Ok(Outgoing::new(Action::Suspend, NoteBody::Suspend { reason: reason.clone() })))
    }

    pub fn resume(&self, partner: &StixId, now: Timestamp) -> Result<NoteId, DiplomacyError> {
        self.send(partner, now, |_, _| Ok(Outgoing::new(Action::Resume, NoteBody::Resume)))
    }

    /// Gives notice of termination; the note says when it takes effect (at once, or
    /// after the treaty's notice period).
    pub fn terminate(&self, partner: &StixId, reason: Option<&str>, now: Timestamp) -> Result<NoteId, DiplomacyError> {
        let reason = reason_of(reason)?;
        self.send(partner, now, |_, replayed| {
            let after = replayed.relation.apply(&Event::new(Side::Local, now, Action::Terminate), now)?;
            let effective = after.termination().map_or(now, |termination| termination.effective_at);
            Ok(Outgoing::new(Action::Terminate, NoteBody::Terminate { reason: reason.clone(), effective }))
        })
    }

    /// Makes one note to `partner` with `build`, checks it against the relation, then
    /// signs and records it with its outbox row in one transaction; checked again when
    /// another process recorded a note with the partner meanwhile.
    fn send(
        &self,
        partner: &StixId,
        now: Timestamp,
        build: impl Fn(&Context, &Replayed) -> Result<Outgoing, DiplomacyError>,
    ) -> Result<NoteId, DiplomacyError> {
        let _turn = self.one_at_a_time();
        for _ in 0..RECORD_ATTEMPTS {
            let context = self.context()?;
            let replayed = context.replay(&self.store, partner, now)?;
            let outgoing = build(&context, &replayed)?;
            let (change, id) = self.prepare(&context, partner, &replayed, outgoing, now)?;
            if self.record(vec![change], now)? {
                return Ok(id);
            }
        }
        Err(history_moved(partner))
    }

    /// Checks `outgoing` against the relation `replayed` from the history with
    /// `partner`, and signs it: the note's id and the change that records and queues
    /// it, checked against that history's length. Records nothing.
    pub(super) fn prepare(
        &self,
        context: &Context,
        partner: &StixId,
        replayed: &Replayed,
        outgoing: Outgoing,
        now: Timestamp,
    ) -> Result<(NoteChange, NoteId), DiplomacyError> {
        let record = self.partner(partner)?;
        if let Some(action) = outgoing.action {
            replayed.relation.apply(&Event::new(Side::Local, now, action), now)?;
        }
        let signing = context.identity.signing_entry();
        if let Some(until) = signing.valid_until.filter(|until| now >= *until) {
            return Err(DiplomacyError::Invalid(format!(
                "this node's signing key {} retired at {until}; start the node with its current key file",
                signing.key_id()
            )));
        }
        let note = UnsignedNote {
            id: NoteId::from_random_bytes(uuid::Uuid::new_v4().into_bytes()),
            sender: context.identity.node_id().clone(),
            recipient: partner.clone(),
            created: now,
            in_reply_to: replayed.last_note.clone(),
            body: outgoing.body,
        }
        .sign(context.identity.key());
        let id = note.note().id().clone();
        let change = NoteChange {
            note: Some(note_record(note.note(), Direction::Sent, partner, &note.to_json(), now)),
            deliver_to: Some(record.federation_url),
            history_checked: Some(replayed.note_count),
            ..outgoing.extra
        };
        Ok((change, id))
    }
}

fn draft_of(partner: &StixId, replayed: &Replayed) -> Result<Treaty, DiplomacyError> {
    let negotiation = replayed.relation.negotiation().ok_or_else(|| {
        DiplomacyError::Invalid(format!(
            "no treaty is under negotiation with {partner} (state {})",
            replayed.relation.state().as_str()
        ))
    })?;
    Ok(negotiation.draft().clone())
}

fn reason_of(reason: Option<&str>) -> Result<Option<Reason>, DiplomacyError> {
    reason.map(|text| Reason::parse(text).map_err(DiplomacyError::Invalid)).transpose()
}
