//! Note bodies: what each kind of note says, typed.
//!
//! On the wire a body is a JSON object whose members depend on the note's kind:
//!
//! | kind | members |
//! |---|---|
//! | `recognize` | `card` (a signed node card) |
//! | `propose`, `counter`, `amend` | `treaty` (the treaty document, an object) |
//! | `accept`, `withdraw` | `treaty_hash` |
//! | `reject` | `treaty_hash`, `reason`? |
//! | `sign` | `treaty_hash`, `signature: {party, key_id, signature}`, `forwarded`? |
//! | `suspend` | `reason`? |
//! | `resume` | none (`{}`) |
//! | `terminate` | `reason`?, `effective` |
//! | `rotate-key` | `new_key` (a key entry as in the card), `old_key_valid_until` |
//! | `alliance-act` | `charter` (the alliance charter, an object), `act` (one signed act, an object) |
//!
//! A `sign` note's `forwarded` member lists other parties' signatures on the same text
//! (`[{party, key_id, signature}]`, never empty: absent instead), so that the
//! signatures of a treaty between more than two parties reach every relation that
//! negotiates it. Who may be named there is checked with the envelope
//! ([`verify`](super::verify)); whether the signatures verify, on the text under
//! negotiation ([`carried_signatures`](super::carried_signatures)).
//!
//! Invariants: a [`NoteBody`] always matches its kind, unknown members are refused and
//! optional members are absent rather than `null`, so each wrong shape gets a precise
//! error. The treaty document is carried as an opaque JSON value: the treaty module
//! owns its model (and [`TreatyHash`]), this module only checks that it is an object.

use super::NoteKind;
use crate::card::{CardError, KeyEntry, SignedCard, VerifiedCard};
use crate::keys::{KeyId, Signature};
use crate::treaty::{TreatyHash, TreatySignature};
use crate::{StixId, Timestamp};
use serde_json::{Map, Value, json};

/// Free text explaining a rejection, suspension or termination: at most 2,000
/// characters, no control characters other than line breaks and tabs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reason(String);

impl Reason {
    pub fn parse(text: &str) -> Result<Reason, String> {
        let forbidden = |character: char| character.is_control() && !matches!(character, '\n' | '\r' | '\t');
        if text.chars().count() > 2000 || text.chars().any(forbidden) {
            return Err("a reason is at most 2000 characters without control characters".into());
        }
        Ok(Reason(text.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// One party's signature over a treaty's canonical form, carried by a `sign` note.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PartySignature {
    pub party: StixId,
    pub key_id: KeyId,
    pub signature: Signature,
}

impl PartySignature {
    /// The signature as the treaty module checks it: on the treaty named `treaty`.
    pub fn on(&self, treaty: &TreatyHash) -> TreatySignature {
        TreatySignature {
            treaty: treaty.clone(),
            party: self.party.clone(),
            key_id: self.key_id.clone(),
            signature: self.signature,
        }
    }

    fn to_json(&self) -> Value {
        json!({"party": self.party.as_str(), "key_id": self.key_id.as_str(), "signature": self.signature.encode()})
    }
}

impl From<&TreatySignature> for PartySignature {
    fn from(signature: &TreatySignature) -> PartySignature {
        PartySignature {
            party: signature.party.clone(),
            key_id: signature.key_id.clone(),
            signature: signature.signature,
        }
    }
}

/// The typed body of a note; its variant is the note's kind. A `Sign` body carries
/// its sender's signature and, in `forwarded`, other parties' signatures on the same
/// text (empty when it forwards none).
#[derive(Debug, Clone, PartialEq)]
pub enum NoteBody {
    Recognize {
        card: VerifiedCard,
    },
    Propose {
        treaty: Value,
    },
    Counter {
        treaty: Value,
    },
    Accept {
        treaty_hash: TreatyHash,
    },
    Reject {
        treaty_hash: TreatyHash,
        reason: Option<Reason>,
    },
    Withdraw {
        treaty_hash: TreatyHash,
    },
    Sign {
        treaty_hash: TreatyHash,
        signature: PartySignature,
        forwarded: Vec<PartySignature>,
    },
    Amend {
        treaty: Value,
    },
    Suspend {
        reason: Option<Reason>,
    },
    Resume,
    Terminate {
        reason: Option<Reason>,
        effective: Timestamp,
    },
    RotateKey {
        new_key: KeyEntry,
        old_key_valid_until: Timestamp,
    },
    /// One signed alliance act and the charter it names, both opaque here: the
    /// alliance module owns their model, as the treaty module owns treaties.
    AllianceAct {
        charter: Value,
        act: Value,
    },
}

/// Why a body does not fit its kind.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum BodyError {
    #[error("{kind} note body is malformed: {reason}")]
    Shape { kind: NoteKind, reason: String },
    #[error("`{member}` in the {kind} note body is invalid: {reason}")]
    Member { kind: NoteKind, member: &'static str, reason: String },
    #[error("the node card in the body is invalid: {0}")]
    Card(CardError),
}

impl NoteBody {
    pub fn kind(&self) -> NoteKind {
        match self {
            NoteBody::Recognize { .. } => NoteKind::Recognize,
            NoteBody::Propose { .. } => NoteKind::Propose,
            NoteBody::Counter { .. } => NoteKind::Counter,
            NoteBody::Accept { .. } => NoteKind::Accept,
            NoteBody::Reject { .. } => NoteKind::Reject,
            NoteBody::Withdraw { .. } => NoteKind::Withdraw,
            NoteBody::Sign { .. } => NoteKind::Sign,
            NoteBody::Amend { .. } => NoteKind::Amend,
            NoteBody::Suspend { .. } => NoteKind::Suspend,
            NoteBody::Resume => NoteKind::Resume,
            NoteBody::Terminate { .. } => NoteKind::Terminate,
            NoteBody::RotateKey { .. } => NoteKind::RotateKey,
            NoteBody::AllianceAct { .. } => NoteKind::AllianceAct,
        }
    }

    /// The `body` member.
    pub fn to_json(&self) -> Value {
        let mut body = match self {
            NoteBody::Recognize { card } => json!({"card": card.to_json()}),
            NoteBody::Propose { treaty } | NoteBody::Counter { treaty } | NoteBody::Amend { treaty } => {
                json!({"treaty": treaty})
            }
            NoteBody::Accept { treaty_hash } | NoteBody::Withdraw { treaty_hash } => {
                json!({"treaty_hash": treaty_hash.as_str()})
            }
            NoteBody::Reject { treaty_hash, .. } => json!({"treaty_hash": treaty_hash.as_str()}),
            NoteBody::Sign { treaty_hash, signature, forwarded } => {
                let mut body = json!({"treaty_hash": treaty_hash.as_str(), "signature": signature.to_json()});
                if !forwarded.is_empty() {
                    body["forwarded"] = forwarded.iter().map(PartySignature::to_json).collect();
                }
                body
            }
            NoteBody::Suspend { .. } | NoteBody::Resume => json!({}),
            NoteBody::Terminate { effective, .. } => json!({"effective": effective.to_string()}),
            NoteBody::RotateKey { new_key, old_key_valid_until } => {
                json!({"new_key": new_key.to_json(), "old_key_valid_until": old_key_valid_until.to_string()})
            }
            NoteBody::AllianceAct { charter, act } => json!({"charter": charter, "act": act}),
        };
        if let NoteBody::Reject { reason: Some(reason), .. }
        | NoteBody::Suspend { reason: Some(reason) }
        | NoteBody::Terminate { reason: Some(reason), .. } = self
        {
            body["reason"] = json!(reason.as_str());
        }
        body
    }

    /// Reads the body of a note of `kind`.
    pub fn parse(kind: NoteKind, value: &Value) -> Result<NoteBody, BodyError> {
        let members = Members::new(kind, value)?;
        let body = match kind {
            NoteKind::Recognize => NoteBody::Recognize {
                card: SignedCard::parse_value(members.required("card")?).map_err(BodyError::Card)?,
            },
            NoteKind::Propose => NoteBody::Propose { treaty: members.treaty()? },
            NoteKind::Counter => NoteBody::Counter { treaty: members.treaty()? },
            NoteKind::Amend => NoteBody::Amend { treaty: members.treaty()? },
            NoteKind::Accept => NoteBody::Accept { treaty_hash: members.treaty_hash()? },
            NoteKind::Withdraw => NoteBody::Withdraw { treaty_hash: members.treaty_hash()? },
            NoteKind::Reject => NoteBody::Reject { treaty_hash: members.treaty_hash()?, reason: members.reason()? },
            NoteKind::Sign => NoteBody::Sign {
                treaty_hash: members.treaty_hash()?,
                signature: members.party_signature("signature", members.required("signature")?)?,
                forwarded: members.forwarded()?,
            },
            NoteKind::Suspend => NoteBody::Suspend { reason: members.reason()? },
            NoteKind::Resume => NoteBody::Resume,
            NoteKind::Terminate => {
                NoteBody::Terminate { reason: members.reason()?, effective: members.timestamp("effective")? }
            }
            NoteKind::RotateKey => NoteBody::RotateKey {
                new_key: KeyEntry::from_json(members.required("new_key")?)
                    .map_err(|error| members.invalid("new_key", &error))?,
                old_key_valid_until: members.timestamp("old_key_valid_until")?,
            },
            NoteKind::AllianceAct => {
                NoteBody::AllianceAct { charter: members.object("charter")?, act: members.object("act")? }
            }
        };
        Ok(body)
    }
}

/// The members a body of each kind may have (which are required is up to its parser).
fn allowed_members(kind: NoteKind) -> &'static [&'static str] {
    match kind {
        NoteKind::Recognize => &["card"],
        NoteKind::Propose | NoteKind::Counter | NoteKind::Amend => &["treaty"],
        NoteKind::Accept | NoteKind::Withdraw => &["treaty_hash"],
        NoteKind::Reject => &["treaty_hash", "reason"],
        NoteKind::Sign => &["treaty_hash", "signature", "forwarded"],
        NoteKind::Suspend => &["reason"],
        NoteKind::Resume => &[],
        NoteKind::Terminate => &["effective", "reason"],
        NoteKind::RotateKey => &["new_key", "old_key_valid_until"],
        NoteKind::AllianceAct => &["charter", "act"],
    }
}

/// A body object whose member names were checked against its kind.
struct Members<'a> {
    kind: NoteKind,
    map: &'a Map<String, Value>,
}

impl<'a> Members<'a> {
    fn new(kind: NoteKind, value: &'a Value) -> Result<Members<'a>, BodyError> {
        let Value::Object(map) = value else {
            return Err(BodyError::Shape { kind, reason: "the body must be a JSON object".into() });
        };
        let allowed = allowed_members(kind);
        if let Some(unknown) = map.keys().find(|name| !allowed.contains(&name.as_str())) {
            return Err(BodyError::Shape { kind, reason: format!("unknown member `{unknown}`") });
        }
        if let Some((name, _)) = map.iter().find(|(_, value)| value.is_null()) {
            return Err(BodyError::Shape { kind, reason: format!("member `{name}` is null; omit it instead") });
        }
        Ok(Members { kind, map })
    }

    fn invalid(&self, member: &'static str, reason: &impl ToString) -> BodyError {
        BodyError::Member { kind: self.kind, member, reason: reason.to_string() }
    }

    fn required(&self, member: &'static str) -> Result<&'a Value, BodyError> {
        self.map.get(member).ok_or_else(|| BodyError::Shape { kind: self.kind, reason: format!("missing `{member}`") })
    }

    fn string(&self, member: &'static str, value: &'a Value) -> Result<&'a str, BodyError> {
        value.as_str().ok_or_else(|| self.invalid(member, &"must be a string"))
    }

    fn treaty(&self) -> Result<Value, BodyError> {
        self.object("treaty")
    }

    /// A document carried whole (a treaty, a charter, an act): its module parses it.
    fn object(&self, member: &'static str) -> Result<Value, BodyError> {
        let document = self.required(member)?;
        if !document.is_object() {
            return Err(self.invalid(member, &format!("must be a JSON object (the {member} document)")));
        }
        Ok(document.clone())
    }

    fn treaty_hash(&self) -> Result<TreatyHash, BodyError> {
        let text = self.string("treaty_hash", self.required("treaty_hash")?)?;
        TreatyHash::parse(text).map_err(|error| self.invalid("treaty_hash", &error))
    }

    fn reason(&self) -> Result<Option<Reason>, BodyError> {
        let Some(value) = self.map.get("reason") else { return Ok(None) };
        Reason::parse(self.string("reason", value)?).map(Some).map_err(|error| self.invalid("reason", &error))
    }

    fn timestamp(&self, member: &'static str) -> Result<Timestamp, BodyError> {
        let text = self.string(member, self.required(member)?)?;
        Timestamp::parse(text).map_err(|error| self.invalid(member, &error))
    }

    fn party_signature(&self, member: &'static str, value: &Value) -> Result<PartySignature, BodyError> {
        let Value::Object(signature) = value else {
            return Err(self.invalid(member, &"must be an object {party, key_id, signature}"));
        };
        let field = |name: &str| signature.get(name).and_then(Value::as_str);
        let (Some(party), Some(key_id), Some(value), 3) =
            (field("party"), field("key_id"), field("signature"), signature.len())
        else {
            return Err(self.invalid(member, &"must have exactly the string members party, key_id and signature"));
        };
        let party = StixId::parse(party).map_err(|error| self.invalid(member, &error))?;
        if party.object_type() != "identity" {
            return Err(self.invalid(member, &"party must be a node id (identity--<uuid>)"));
        }
        Ok(PartySignature {
            party,
            key_id: KeyId::parse(key_id).map_err(|error| self.invalid(member, &error))?,
            signature: Signature::parse(value).map_err(|error| self.invalid(member, &error))?,
        })
    }

    /// Forwarded signatures: absent, or a non-empty array (one spelling per meaning).
    fn forwarded(&self) -> Result<Vec<PartySignature>, BodyError> {
        let Some(value) = self.map.get("forwarded") else { return Ok(Vec::new()) };
        match value.as_array() {
            Some(items) if !items.is_empty() => {
                items.iter().map(|item| self.party_signature("forwarded", item)).collect()
            }
            Some(_) => Err(self.invalid("forwarded", &"is empty; omit it instead")),
            None => Err(self.invalid("forwarded", &"must be an array of {party, key_id, signature}")),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reasons() {
        assert!(Reason::parse("Line one.\nLine two.\t(annex)").is_ok());
        assert!(Reason::parse("bell \u{7}").is_err());
        assert!(Reason::parse(&"x".repeat(2001)).is_err());
    }

    #[test]
    fn wrong_shapes_are_named_precisely() {
        let error = |kind, body| NoteBody::parse(kind, &body).unwrap_err().to_string();
        assert_eq!(error(NoteKind::Accept, json!({})), "accept note body is malformed: missing `treaty_hash`");
        assert_eq!(error(NoteKind::Resume, json!({"why": 1})), "resume note body is malformed: unknown member `why`");
        assert!(error(NoteKind::Terminate, json!({"effective": 5})).contains("`effective`"));
        assert!(error(NoteKind::Reject, json!({"treaty_hash": "sha256:0", "reason": "x"})).contains("`treaty_hash`"));
        assert!(matches!(NoteBody::parse(NoteKind::Recognize, &json!({"card": {}})), Err(BodyError::Card(_))));
        assert_eq!(NoteBody::parse(NoteKind::Resume, &json!({})), Ok(NoteBody::Resume));
        let hash = format!("sha256:{}", "0".repeat(64));
        let empty = json!({"treaty_hash": hash, "signature": {}, "forwarded": []});
        assert!(error(NoteKind::Sign, empty).contains("`signature`"));
        let signature = json!({"party": "identity--7f1c2d3e-4b5a-4c6d-8e7f-0a1b2c3d4e5f",
                               "key_id": "ed25519:0000000000000000", "signature": "A".repeat(86)});
        let empty = json!({"treaty_hash": hash, "signature": signature, "forwarded": []});
        assert_eq!(
            error(NoteKind::Sign, empty),
            "`forwarded` in the sign note body is invalid: is empty; omit it instead"
        );
        let not_a_list = json!({"treaty_hash": hash, "signature": signature, "forwarded": signature});
        assert!(error(NoteKind::Sign, not_a_list).contains("must be an array"));
    }
}
