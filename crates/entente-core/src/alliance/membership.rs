//! One version of an alliance's membership: who the members are, and which signed acts
//! made it so.
//!
//! ```json
//! {"entente": "1", "type": "alliance-membership", "alliance": "identity--…",
//!  "charter": "sha256:…", "version": 2, "members": ["identity--…", …],
//!  "previous": "sha256:…", "change": {"kind": "admit", …}}
//! ```
//!
//! Invariants: `members` is sorted and has no duplicates; `previous` is absent exactly
//! for version 1; the hash is the SHA-256 of the canonical bytes, so the versions form a
//! hash chain. A membership carries no signature of its own: it is backed by the acts
//! its `change` names, and any node holding those acts recomputes it (`fold`). A
//! [`Membership`] parsed from the wire has only been checked for form; only the fold
//! says that the acts it names justify it.
//!
//! Not here: deciding that a change is justified (`fold`).

use super::wire::{AllianceDocumentError, AllianceHash, expect_word, hash, node_id, required, seal, version};
use crate::StixId;
use crate::treaty::fields::{Fields, ProblemKind, Report, list, string};
use serde_json::{Map, Value, json};

const DOCUMENT: &str = "alliance membership";

/// What changed from the previous version, with the hashes of the acts that justify it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Change {
    /// Version 1: every founder signed the charter (`alliance-signature` acts, sorted).
    Founding { signatures: Vec<AllianceHash> },
    /// `subject` was admitted by `proposal`, carried by `votes` (every vote cast on it,
    /// sorted by hash), and accepted the charter in `accession`.
    Admit { subject: StixId, proposal: AllianceHash, votes: Vec<AllianceHash>, accession: AllianceHash },
    /// `subject` was expelled by `proposal`, carried by `votes`.
    Expel { subject: StixId, proposal: AllianceHash, votes: Vec<AllianceHash> },
    /// `subject` left by its `withdrawal`.
    Withdraw { subject: StixId, withdrawal: AllianceHash },
}

impl Change {
    pub fn kind(&self) -> &'static str {
        match self {
            Change::Founding { .. } => "founding",
            Change::Admit { .. } => "admit",
            Change::Expel { .. } => "expel",
            Change::Withdraw { .. } => "withdraw",
        }
    }

    fn to_value(&self) -> Value {
        let hashes = |hashes: &[AllianceHash]| hashes.iter().map(|hash| Value::from(hash.as_str())).collect::<Value>();
        match self {
            Change::Founding { signatures } => json!({"kind": self.kind(), "signatures": hashes(signatures)}),
            Change::Admit { subject, proposal, votes, accession } => json!({
                "kind": self.kind(), "subject": subject.as_str(), "proposal": proposal.as_str(),
                "votes": hashes(votes), "accession": accession.as_str(),
            }),
            Change::Expel { subject, proposal, votes } => json!({
                "kind": self.kind(), "subject": subject.as_str(), "proposal": proposal.as_str(), "votes": hashes(votes),
            }),
            Change::Withdraw { subject, withdrawal } => {
                json!({"kind": self.kind(), "subject": subject.as_str(), "withdrawal": withdrawal.as_str()})
            }
        }
    }

    fn read(value: &Value, path: &str, report: &mut Report) -> Option<Change> {
        let kind = value.get("kind").and_then(Value::as_str).unwrap_or_default();
        let extra: &[&str] = match kind {
            "founding" => &["signatures"],
            "admit" => &["subject", "proposal", "votes", "accession"],
            "expel" => &["subject", "proposal", "votes"],
            "withdraw" => &["subject", "withdrawal"],
            _ => &[],
        };
        let known: Vec<&str> = ["kind"].iter().chain(extra).copied().collect();
        let fields = Fields::open(value, path, &known, report)?;
        let kind = required(&fields, "kind", report, |v, p, r| string(v, p, r).map(str::to_owned))?;
        let hashes = |report: &mut Report, name: &str| {
            required(&fields, name, report, |v, p, r| list(v, p, r, hash, ToString::to_string))
        };
        match kind.as_str() {
            "founding" => Some(Change::Founding { signatures: hashes(report, "signatures")? }),
            "admit" => {
                let subject = required(&fields, "subject", report, node_id);
                let proposal = required(&fields, "proposal", report, hash);
                let votes = hashes(report, "votes");
                let accession = required(&fields, "accession", report, hash);
                Some(Change::Admit { subject: subject?, proposal: proposal?, votes: votes?, accession: accession? })
            }
            "expel" => {
                let subject = required(&fields, "subject", report, node_id);
                let proposal = required(&fields, "proposal", report, hash);
                let votes = hashes(report, "votes");
                Some(Change::Expel { subject: subject?, proposal: proposal?, votes: votes? })
            }
            "withdraw" => {
                let subject = required(&fields, "subject", report, node_id);
                let withdrawal = required(&fields, "withdrawal", report, hash);
                Some(Change::Withdraw { subject: subject?, withdrawal: withdrawal? })
            }
            other => {
                let allowed = "founding, admit, expel, withdraw".to_owned();
                report.add(&fields.path_of("kind"), ProblemKind::NotOneOf { found: other.to_owned(), allowed });
                None
            }
        }
    }
}

/// One membership version with its hash.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Membership {
    alliance: StixId,
    charter: AllianceHash,
    version: u32,
    members: Vec<StixId>,
    previous: Option<AllianceHash>,
    change: Change,
    hash: AllianceHash,
}

const MEMBERS: &[&str] = &["entente", "type", "alliance", "charter", "version", "members", "previous", "change"];

impl Membership {
    /// Builds a version; `members` is sorted and deduplicated here.
    pub(crate) fn new(
        alliance: StixId,
        charter: AllianceHash,
        version: u32,
        mut members: Vec<StixId>,
        previous: Option<AllianceHash>,
        change: Change,
    ) -> Result<Membership, AllianceDocumentError> {
        members.sort();
        members.dedup();
        let mut membership = Membership {
            alliance,
            charter,
            version,
            members,
            previous,
            change,
            hash: AllianceHash::of_canonical_bytes(&[]),
        };
        membership.hash = seal(DOCUMENT, &membership.to_value())?.1;
        Ok(membership)
    }

    /// Parses the wire form (form only: see the module header).
    pub fn parse(value: &Value) -> Result<Membership, AllianceDocumentError> {
        let mut report = Report::default();
        let parsed = read(value, &mut report);
        let membership = report.finish(parsed).map_err(|error| AllianceDocumentError::from_report(DOCUMENT, error))?;
        let (alliance, charter, version, members, previous, change) = membership;
        Membership::new(alliance, charter, version, members, previous, change)
    }

    pub fn to_value(&self) -> Value {
        let mut members = Map::new();
        let mut put = |name: &str, value: Value| members.insert(name.to_owned(), value);
        put("entente", "1".into());
        put("type", "alliance-membership".into());
        put("alliance", self.alliance.as_str().into());
        put("charter", self.charter.as_str().into());
        put("version", self.version.into());
        put("members", self.members.iter().map(|member| Value::from(member.as_str())).collect());
        if let Some(previous) = &self.previous {
            put("previous", previous.as_str().into());
        }
        put("change", self.change.to_value());
        Value::Object(members)
    }

    pub fn alliance(&self) -> &StixId {
        &self.alliance
    }

    pub fn charter(&self) -> &AllianceHash {
        &self.charter
    }

    pub fn version(&self) -> u32 {
        self.version
    }

    /// The members in force at this version, sorted.
    pub fn members(&self) -> &[StixId] {
        &self.members
    }

    pub fn is_member(&self, node: &StixId) -> bool {
        self.members.binary_search(node).is_ok()
    }

    pub fn previous(&self) -> Option<&AllianceHash> {
        self.previous.as_ref()
    }

    pub fn change(&self) -> &Change {
        &self.change
    }

    /// The SHA-256 of the canonical bytes; the next version names it in `previous`.
    pub fn hash(&self) -> &AllianceHash {
        &self.hash
    }
}

type Parts = (StixId, AllianceHash, u32, Vec<StixId>, Option<AllianceHash>, Change);

fn read(value: &Value, report: &mut Report) -> Option<Parts> {
    let fields = Fields::open(value, "", MEMBERS, report)?;
    expect_word(&fields, "entente", "1", report);
    expect_word(&fields, "type", "alliance-membership", report);
    let alliance = required(&fields, "alliance", report, node_id);
    let charter = required(&fields, "charter", report, hash);
    let number = required(&fields, "version", report, version);
    let members = required(&fields, "members", report, |value, path, report| {
        let members = list(value, path, report, node_id, ToString::to_string)?;
        if !members.windows(2).all(|pair| pair[0] < pair[1]) {
            report.invalid(path, "must be sorted");
            return None;
        }
        Some(members)
    });
    let previous = match (fields.optional("previous"), number) {
        (None, Some(1) | None) => Some(None),
        (None, Some(_)) => {
            report.add(&fields.path_of("previous"), ProblemKind::Missing);
            None
        }
        (Some((_, path)), Some(1)) => {
            report.invalid(&path, "must be absent in version 1");
            None
        }
        (Some((value, path)), _) => hash(value, &path, report).map(Some),
    };
    let change = required(&fields, "change", report, Change::read);
    if let (Some(number), Some(change)) = (number, &change)
        && (number == 1) != matches!(change, Change::Founding { .. })
    {
        report.invalid(&fields.path_of("change"), "must be the founding in version 1, and only there");
    }
    Some((alliance?, charter?, number?, members?, previous?, change?))
}
