//! The alliance charter: the founding text every member signs, and the rule its votes
//! follow.
//!
//! A charter is a multilateral treaty-like document: name, purpose, an optional region,
//! the founders, the decision rule, and a treaty's scope, IEP terms and re-sharing rule
//! (the same types and checks as `treaty`). The alliance id is the charter's `id`, an
//! `identity--<uuid>`: an alliance is a party in STIX terms (objects can name it, a
//! node of kind `alliance` can speak for it), and the id is what `resharing.alliances`
//! and the release decision's memberships name.
//!
//! Invariants: a [`Charter`] exists only through [`Charter::parse`] ([`Charter::draft`]
//! assembles JSON and parses it). Parsing is strict (unknown members refused, optional
//! members absent rather than `null`), and [`Charter::to_value`] gives back exactly the
//! value parsed, so the hash of its canonical bytes names the text that was written.
//! A [`DecisionRule`] has one spelling per meaning: a qualified majority is a reduced
//! fraction strictly between one half and one (all of them is `unanimity`).
//!
//! Not here: signatures and votes (`act`), or who is a member (`fold`). Charters have
//! no versions yet: amending one means founding a new alliance.

use super::wire::{AllianceDocumentError, AllianceHash, expect_word, node_id, required, seal};
use crate::treaty::fields::{Fields, ProblemKind, Report, list, prose, string, whole_number};
use crate::treaty::{Resharing, Scope, Terms, TreatyTime};
use crate::{StixId, Timestamp};
use serde_json::{Map, Value, json};

const DOCUMENT: &str = "alliance charter";

/// How a proposal passes, counted over the members in force at the version it names.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DecisionRule {
    /// Every eligible member votes yes.
    Unanimity,
    /// `yes × denominator ≥ numerator × eligible`, with `1/2 < numerator/denominator < 1`
    /// written in lowest terms.
    QualifiedMajority { numerator: u32, denominator: u32 },
}

/// The largest denominator of a qualified majority.
const MAX_DENOMINATOR: u64 = 1000;

impl DecisionRule {
    /// Whether `yes` votes out of `eligible` voters carry a proposal.
    pub fn is_met(self, yes: usize, eligible: usize) -> bool {
        if eligible == 0 {
            return false;
        }
        match self {
            DecisionRule::Unanimity => yes >= eligible,
            DecisionRule::QualifiedMajority { numerator, denominator } => {
                // u128 cannot overflow: both sides are at most 2^64 × 2^32.
                (yes as u128) * u128::from(denominator) >= u128::from(numerator) * (eligible as u128)
            }
        }
    }

    pub(crate) fn read(value: &Value, path: &str, report: &mut Report) -> Option<DecisionRule> {
        let fields = Fields::open(value, path, &["rule", "numerator", "denominator"], report)?;
        let rule = required(&fields, "rule", report, |v, p, r| string(v, p, r).map(str::to_owned))?;
        let (numerator, denominator) = (fields.optional("numerator"), fields.optional("denominator"));
        match rule.as_str() {
            "unanimity" => {
                for (_, extra) in [numerator, denominator].into_iter().flatten() {
                    report.invalid(&extra, "is only allowed with the rule \"qualified-majority\"");
                }
                Some(DecisionRule::Unanimity)
            }
            "qualified-majority" => {
                let expected = "a whole number from 1 to 1000";
                let numerator = required(&fields, "numerator", report, |v, p, r| {
                    whole_number(v, p, 1..=MAX_DENOMINATOR, expected, r)
                });
                let denominator = required(&fields, "denominator", report, |v, p, r| {
                    whole_number(v, p, 1..=MAX_DENOMINATOR, expected, r)
                });
                let (numerator, denominator) = (numerator?, denominator?);
                let reason = if 2 * numerator <= denominator {
                    Some("a qualified majority must be more than one half")
                } else if numerator >= denominator {
                    Some("a qualified majority must be less than all the members: write {\"rule\": \"unanimity\"}")
                } else if greatest_common_divisor(numerator, denominator) != 1 {
                    Some("the fraction must be written in lowest terms, so that one rule has one spelling")
                } else {
                    None
                };
                if let Some(reason) = reason {
                    report.invalid(path, reason);
                    return None;
                }
                Some(DecisionRule::QualifiedMajority {
                    numerator: u32::try_from(numerator).ok()?,
                    denominator: u32::try_from(denominator).ok()?,
                })
            }
            other => {
                let allowed = "unanimity, qualified-majority".to_owned();
                report.add(&fields.path_of("rule"), ProblemKind::NotOneOf { found: other.to_owned(), allowed });
                None
            }
        }
    }

    pub fn to_value(self) -> Value {
        match self {
            DecisionRule::Unanimity => json!({"rule": "unanimity"}),
            DecisionRule::QualifiedMajority { numerator, denominator } => {
                json!({"rule": "qualified-majority", "numerator": numerator, "denominator": denominator})
            }
        }
    }
}

fn greatest_common_divisor(mut left: u64, mut right: u64) -> u64 {
    while right != 0 {
        (left, right) = (right, left % right);
    }
    left
}

/// Where the alliance works: a name, a list of ISO 3166-1 alpha-2 codes, or both.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Region {
    pub name: Option<String>,
    /// Upper-case two-letter codes, each once, in the written order.
    pub countries: Option<Vec<String>>,
}

impl Region {
    fn read(value: &Value, path: &str, report: &mut Report) -> Option<Region> {
        let fields = Fields::open(value, path, &["name", "countries"], report)?;
        let name = match fields.optional("name") {
            Some((value, name_path)) => Some(prose(value, &name_path, 200, report)?),
            None => None,
        };
        let countries = match fields.optional("countries") {
            Some((value, countries_path)) => {
                let codes = list(value, &countries_path, report, read_country, Clone::clone)?;
                if codes.is_empty() {
                    report.invalid(&countries_path, "must name at least one country, or be omitted");
                    return None;
                }
                Some(codes)
            }
            None => None,
        };
        if name.is_none() && countries.is_none() {
            report.invalid(path, "must have a `name`, `countries` or both; omit `region` for none");
            return None;
        }
        Some(Region { name, countries })
    }

    fn to_value(&self) -> Value {
        let mut members = Map::new();
        if let Some(name) = &self.name {
            members.insert("name".into(), name.as_str().into());
        }
        if let Some(countries) = &self.countries {
            members.insert("countries".into(), countries.iter().map(|code| Value::from(code.as_str())).collect());
        }
        Value::Object(members)
    }
}

fn read_country(value: &Value, path: &str, report: &mut Report) -> Option<String> {
    let text = string(value, path, report)?;
    if text.len() == 2 && text.bytes().all(|byte| byte.is_ascii_uppercase()) {
        Some(text.to_owned())
    } else {
        report.invalid(path, format!("{text:?} is not an ISO 3166-1 alpha-2 code in upper case, such as \"FR\""));
        None
    }
}

/// What the founders agree on: everything but the id and the creation time.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CharterBody {
    pub name: String,
    pub purpose: String,
    pub region: Option<Region>,
    /// Node ids: at least two, each once; the alliance id is not one of them.
    pub founders: Vec<StixId>,
    pub decision_rule: DecisionRule,
    pub scope: Scope,
    pub terms: Terms,
    pub resharing: Resharing,
}

/// A checked charter with its canonical bytes and hash.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Charter {
    id: StixId,
    created: TreatyTime,
    body: CharterBody,
    canonical: Vec<u8>,
    hash: AllianceHash,
}

const MEMBERS: &[&str] = &[
    "entente",
    "type",
    "id",
    "name",
    "purpose",
    "region",
    "founders",
    "decision_rule",
    "scope",
    "terms",
    "resharing",
    "created",
];

impl Charter {
    /// Parses and checks a charter, reporting every problem with its path.
    pub fn parse(value: &Value) -> Result<Charter, AllianceDocumentError> {
        let mut report = Report::default();
        let parsed = read(value, &mut report);
        let (id, created, body) =
            report.finish(parsed).map_err(|error| AllianceDocumentError::from_report(DOCUMENT, error))?;
        let (canonical, hash) = seal(DOCUMENT, &assemble(&id, &created, &body))?;
        Ok(Charter { id, created, body, canonical, hash })
    }

    /// A new charter with alliance id `id`.
    pub fn draft(id: &StixId, created: Timestamp, body: &CharterBody) -> Result<Charter, AllianceDocumentError> {
        Charter::parse(&assemble(id, &TreatyTime::from(created), body))
    }

    /// The document as JSON, exactly as it was parsed.
    pub fn to_value(&self) -> Value {
        assemble(&self.id, &self.created, &self.body)
    }

    /// The RFC 8785 bytes the hash is taken over.
    pub fn canonical_bytes(&self) -> &[u8] {
        &self.canonical
    }

    /// The SHA-256 of the canonical bytes: every act names the charter by it.
    pub fn hash(&self) -> &AllianceHash {
        &self.hash
    }

    /// The alliance id.
    pub fn id(&self) -> &StixId {
        &self.id
    }

    pub fn created(&self) -> &TreatyTime {
        &self.created
    }

    pub fn body(&self) -> &CharterBody {
        &self.body
    }

    pub fn founders(&self) -> &[StixId] {
        &self.body.founders
    }

    pub fn decision_rule(&self) -> DecisionRule {
        self.body.decision_rule
    }

    pub fn is_founder(&self, node: &StixId) -> bool {
        self.body.founders.contains(node)
    }
}

fn assemble(id: &StixId, created: &TreatyTime, body: &CharterBody) -> Value {
    let mut members = Map::new();
    let mut put = |name: &str, value: Value| members.insert(name.to_owned(), value);
    put("entente", "1".into());
    put("type", "alliance-charter".into());
    put("id", id.as_str().into());
    put("name", body.name.as_str().into());
    put("purpose", body.purpose.as_str().into());
    if let Some(region) = &body.region {
        put("region", region.to_value());
    }
    put("founders", body.founders.iter().map(|founder| Value::from(founder.as_str())).collect());
    put("decision_rule", body.decision_rule.to_value());
    put("scope", body.scope.to_value());
    put("terms", body.terms.to_value());
    put("resharing", body.resharing.to_value());
    put("created", created.as_str().into());
    Value::Object(members)
}

fn read(value: &Value, report: &mut Report) -> Option<(StixId, TreatyTime, CharterBody)> {
    let fields = Fields::open(value, "", MEMBERS, report)?;
    expect_word(&fields, "entente", "1", report);
    expect_word(&fields, "type", "alliance-charter", report);
    let id = required(&fields, "id", report, node_id);
    let name = required(&fields, "name", report, |v, p, r| prose(v, p, 300, r));
    let purpose = required(&fields, "purpose", report, |v, p, r| prose(v, p, 20_000, r));
    let region = match fields.optional("region") {
        Some((value, path)) => Region::read(value, &path, report).map(Some),
        None => Some(None),
    };
    let founders = required(&fields, "founders", report, |value, path, report| {
        let founders = list(value, path, report, node_id, ToString::to_string)?;
        if founders.len() < 2 {
            report.invalid(path, "must name at least two founders");
            return None;
        }
        Some(founders)
    });
    if let (Some(id), Some(founders)) = (&id, &founders)
        && founders.contains(id)
    {
        report.invalid(&fields.path_of("founders"), format!("{id} is the alliance itself, not a founder"));
    }
    let decision_rule = required(&fields, "decision_rule", report, DecisionRule::read);
    let scope = required(&fields, "scope", report, Scope::read);
    let terms = required(&fields, "terms", report, Terms::read);
    let resharing = required(&fields, "resharing", report, Resharing::read);
    let created = required(&fields, "created", report, TreatyTime::read);
    let body = CharterBody {
        name: name?,
        purpose: purpose?,
        region: region?,
        founders: founders?,
        decision_rule: decision_rule?,
        scope: scope?,
        terms: terms?,
        resharing: resharing?,
    };
    Some((id?, created?, body))
}
