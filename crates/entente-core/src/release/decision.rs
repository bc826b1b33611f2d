//! [`decide`]: the rules of the release decision, in the order they are checked.
//!
//! 1. Markings. Every marking, object-level and granular, must be in the catalog, or
//!    the object is denied ([`DenyReason::UnknownMarking`]). The object is held to its
//!    strictest TLP marking, granular ones included: parts are never redacted here, so
//!    the whole object travels only where its most restricted part may.
//! 2. Unmarked objects. TLP 2.0 says an object without a TLP marking is *not*
//!    TLP:CLEAR; its sharing is simply unstated. Entente does not guess downward: an
//!    object without any TLP marking is treated as TLP:AMBER for the ceiling check, the
//!    usual default of sharing communities, so it leaves only under a treaty whose
//!    ceiling admits AMBER. Mark it TLP:CLEAR to share it more widely.
//! 3. Never shared. TLP:RED (named recipients only) and TLP:AMBER+STRICT (the
//!    recipient's own organisation only) never leave the node by sync, whatever a
//!    treaty's ceiling says.
//! 4. Re-sharing. Unless the recipient is the object's originator (who already holds
//!    it), every hop rule of the provenance must allow it: `nobody` never, `alliance-
//!    parties` only to a member in force of one of the named alliances, `treaty-
//!    partners` to any node this one has a treaty in force with (checked in 5).
//! 5. Treaty. A treaty between this node and the recipient, in force at `now` (checked
//!    here, not trusted from the caller), whose scope covers the object: its type is
//!    listed (or the list is empty); it carries one of the listed labels (or the list is
//!    empty); and, if the object has topics, one of them is a treaty topic. An object
//!    *without* topics is covered by any treaty: topics classify what the parties care
//!    about, and unclassified reference data (ATT&CK techniques, identities, marking
//!    definitions) is routinely shared under any cooperation; the TLP ceiling, labels
//!    and types still bound it. The treaty's TLP ceiling must be at least the object's
//!    level.
//!    The charter of an alliance of which both nodes are members in force counts as such
//!    a treaty (scope, terms and re-sharing are the charter's; it is named by the charter
//!    hash): sharing with an alliance reaches exactly its members in force.
//! 6. Choice. When several treaties qualify, the one with the most restrictive
//!    re-sharing rule (`nobody`, then `alliance-parties`, then `treaty-partners`) wins, so
//!    the object travels onward the least; ties go to the smallest treaty hash. The
//!    decision names the treaty chosen.
//!
//! 7. Obligations come from the chosen treaty, tightened by every IEP 2.0 policy the
//!    object is marked with (its TLP also counts in rule 1): the stricter of each term.
//!
//! Performance: no parsing and no collection is built; the only allocations are the
//! treaty hash and obligations of the answer.

use super::ReleaseRequest;
use super::facts::ObjectFacts;
use super::markings::KnownMarking;
use crate::alliance::Alliance;
use crate::stix::vocab::TlpLevel;
use crate::treaty::{
    AffectedPartyNotifications, Attribution, EncryptInTransit, PermittedActions, Resharing, Scope, SignedTreaty, Terms,
    TreatyHash, UnmodifiedResale, tlp_word,
};
use crate::{StixId, Timestamp};
use serde_json::{Map, Value};
use std::fmt;

/// The answer for one object version and one recipient.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Decision {
    Allowed { treaty: TreatyHash, obligations: Obligations },
    Denied(DenyReason),
}

impl Decision {
    pub fn is_allowed(&self) -> bool {
        matches!(self, Decision::Allowed { .. })
    }
}

/// What the sender must do, and pass along, when it releases under the chosen treaty.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Obligations {
    /// `attribution: must-not`: remove `created_by_ref` before sending.
    pub strip_attribution: bool,
    /// `encrypt_in_transit: must`: never send this object in the clear.
    pub encrypt_in_transit: bool,
    /// Handling instructions the recipient receives with the object.
    pub attribution: Attribution,
    pub permitted_actions: PermittedActions,
    pub affected_party_notifications: AffectedPartyNotifications,
    pub unmodified_resale: UnmodifiedResale,
    /// What the recipient may do with the object next.
    pub resharing: Resharing,
}

impl Obligations {
    /// Applies what can be applied to the object itself: strips `created_by_ref` when
    /// attribution is forbidden. Encryption is the transport's duty.
    pub fn apply(&self, object: &mut Map<String, Value>) {
        if self.strip_attribution {
            object.remove("created_by_ref");
        }
    }
}

/// Why a treaty's scope does not cover an object.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ScopeMiss {
    TypeNotListed(String),
    NoListedLabel,
    NoSharedTopic,
}

impl fmt::Display for ScopeMiss {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ScopeMiss::TypeNotListed(kind) => write!(formatter, "its object types do not include {kind}"),
            ScopeMiss::NoListedLabel => formatter.write_str("the object carries none of its labels"),
            ScopeMiss::NoSharedTopic => formatter.write_str("none of the object's topics is among its topics"),
        }
    }
}

/// Why an object may not go to a recipient.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum DenyReason {
    #[error("the object carries marking {0}, which this node does not know; unknown markings are never released")]
    UnknownMarking(String),
    #[error("the object is TLP:{} and such objects never leave this node by sync", tlp_word(*.0).to_uppercase())]
    NeverShared(TlpLevel),
    #[error("the object was received under treaty {treaty}, whose re-sharing rule is \"nobody\"")]
    ResharingForbidden { treaty: TreatyHash },
    #[error("the object was received under treaty {treaty}, which allows re-sharing only to members of {}, and {recipient} is a member of none", list(.alliances))]
    NotAnAllianceMember { treaty: TreatyHash, recipient: StixId, alliances: Vec<StixId> },
    #[error("no treaty between this node and {recipient} is in force")]
    NoTreatyInForce { recipient: StixId },
    #[error("treaty {treaty} does not cover the object: {miss}")]
    OutOfScope { treaty: TreatyHash, miss: ScopeMiss },
    #[error("the object is TLP:{}{}, above the highest ceiling of a covering treaty, TLP:{}", tlp_word(*.level).to_uppercase(), if *.unmarked { " (it has no TLP marking, which counts as AMBER)" } else { "" }, tlp_word(*.ceiling).to_uppercase())]
    AboveTlpCeiling { level: TlpLevel, unmarked: bool, ceiling: TlpLevel },
}

impl DenyReason {
    /// A short, stable name for the reason, for metrics, logs and scripts.
    pub fn code(&self) -> &'static str {
        match self {
            DenyReason::UnknownMarking(_) => "unknown-marking",
            DenyReason::NeverShared(_) => "never-shared",
            DenyReason::ResharingForbidden { .. } => "resharing-forbidden",
            DenyReason::NotAnAllianceMember { .. } => "not-an-alliance-member",
            DenyReason::NoTreatyInForce { .. } => "no-treaty-in-force",
            DenyReason::OutOfScope { .. } => "out-of-scope",
            DenyReason::AboveTlpCeiling { .. } => "above-tlp-ceiling",
        }
    }
}

fn list(ids: &[StixId]) -> String {
    ids.iter().map(StixId::as_str).collect::<Vec<_>>().join(", ")
}

/// Decides whether `request.object` may go to `request.recipient` at `now`.
pub fn decide(request: &ReleaseRequest<'_>, now: Timestamp) -> Decision {
    match check(request, now) {
        Ok((treaty, obligations)) => Decision::Allowed { treaty, obligations },
        Err(reason) => Decision::Denied(reason),
    }
}

fn check(request: &ReleaseRequest<'_>, now: Timestamp) -> Result<(TreatyHash, Obligations), DenyReason> {
    let object = request.object;
    let marked = strictest_tlp(request)?;
    let level = marked.unwrap_or(TlpLevel::Amber);
    if level >= TlpLevel::AmberStrict {
        return Err(DenyReason::NeverShared(level));
    }
    check_resharing(request)?;
    let recipient = request.recipient;
    let in_force = || {
        let treaties = recipient.treaties().iter().copied().filter(move |signed| signed.is_in_force(now).is_ok());
        let charters = recipient.charters().iter().copied().filter(move |alliance| alliance.is_in_force(now));
        treaties.map(Agreement::Treaty).chain(charters.map(Agreement::Charter))
    };
    let Some(first) = in_force().next() else {
        return Err(DenyReason::NoTreatyInForce { recipient: recipient.node().clone() });
    };
    let covering = || in_force().filter(|agreement| scope_miss(agreement.scope(), object).is_none());
    let Some(highest) = covering().map(|agreement| agreement.terms().tlp).max() else {
        let miss = scope_miss(first.scope(), object).unwrap_or(ScopeMiss::NoSharedTopic);
        return Err(DenyReason::OutOfScope { treaty: first.hash(), miss });
    };
    let chosen = covering()
        .filter(|agreement| agreement.terms().tlp >= level)
        .min_by_key(|agreement| resharing_rank(agreement.resharing()))
        .ok_or(DenyReason::AboveTlpCeiling { level, unmarked: marked.is_none(), ceiling: highest })?;
    Ok((chosen.hash(), tighten(obligations(chosen.terms(), chosen.resharing()), request)))
}

/// What an object can be released under: a treaty signed by both nodes, or the charter
/// of an alliance both are members of (named by the charter's hash).
#[derive(Clone, Copy)]
enum Agreement<'a> {
    Treaty(&'a SignedTreaty),
    Charter(&'a Alliance),
}

impl Agreement<'_> {
    fn scope(&self) -> &Scope {
        match self {
            Agreement::Treaty(signed) => &signed.treaty().body().scope,
            Agreement::Charter(alliance) => &alliance.charter().body().scope,
        }
    }

    fn terms(&self) -> &Terms {
        match self {
            Agreement::Treaty(signed) => &signed.treaty().body().terms,
            Agreement::Charter(alliance) => &alliance.charter().body().terms,
        }
    }

    fn resharing(&self) -> &Resharing {
        match self {
            Agreement::Treaty(signed) => &signed.treaty().body().resharing,
            Agreement::Charter(alliance) => &alliance.charter().body().resharing,
        }
    }

    fn hash(&self) -> TreatyHash {
        match self {
            Agreement::Treaty(signed) => signed.hash().clone(),
            Agreement::Charter(alliance) => charter_hash(alliance),
        }
    }
}

/// A charter's hash in the form that names treaties (both are `sha256:` and 64 hex
/// digits), so a release names its agreement the same way whatever its kind.
pub fn charter_hash(alliance: &Alliance) -> TreatyHash {
    // Both hash types hold `sha256:` and 64 lower-case hex digits.
    TreatyHash::parse(alliance.charter().hash().as_str()).expect("a charter hash is a treaty hash")
}

/// The strictest TLP level among all markings (IEP policies' included), or an unknown
/// marking.
fn strictest_tlp(request: &ReleaseRequest<'_>) -> Result<Option<TlpLevel>, DenyReason> {
    let object = request.object;
    let mut strictest = None;
    for marking in object.markings.iter().chain(&object.granular_markings) {
        match request.catalog.lookup(marking) {
            None => return Err(DenyReason::UnknownMarking(marking.clone())),
            Some(KnownMarking::Tlp(level)) => strictest = strictest.max(Some(level)),
            Some(KnownMarking::Iep(policy)) => strictest = strictest.max(policy.tlp),
            Some(KnownMarking::Statement) => {}
        }
    }
    Ok(strictest)
}

/// Tightens a release's obligations with the IEP policies the object carries: for each
/// term, the stricter of the treaty's and every policy's.
fn tighten(mut obligations: Obligations, request: &ReleaseRequest<'_>) -> Obligations {
    let object = request.object;
    for marking in object.markings.iter().chain(&object.granular_markings) {
        let Some(KnownMarking::Iep(policy)) = request.catalog.lookup(marking) else { continue };
        if policy.encrypt_in_transit == Some(EncryptInTransit::Must) {
            obligations.encrypt_in_transit = true;
        }
        if let Some(attribution) = policy.attribution {
            obligations.attribution = obligations.attribution.max(attribution);
        }
        if let Some(actions) = policy.permitted_actions {
            obligations.permitted_actions = obligations.permitted_actions.min(actions);
        }
        if let Some(notifications) = policy.affected_party_notifications {
            obligations.affected_party_notifications = obligations.affected_party_notifications.max(notifications);
        }
        if let Some(resale) = policy.unmodified_resale {
            obligations.unmodified_resale = obligations.unmodified_resale.max(resale);
        }
    }
    obligations.strip_attribution = obligations.attribution == Attribution::MustNot;
    obligations
}

fn check_resharing(request: &ReleaseRequest<'_>) -> Result<(), DenyReason> {
    let recipient = request.recipient;
    let super::Provenance::Received { originator, hops, .. } = request.provenance else { return Ok(()) };
    if originator == recipient.node() {
        return Ok(());
    }
    for hop in hops {
        match &hop.resharing {
            Resharing::Nobody => return Err(DenyReason::ResharingForbidden { treaty: hop.treaty.clone() }),
            Resharing::AllianceParties(alliances) => {
                if !alliances.iter().any(|alliance| recipient.is_member_of(alliance)) {
                    return Err(DenyReason::NotAnAllianceMember {
                        treaty: hop.treaty.clone(),
                        recipient: recipient.node().clone(),
                        alliances: alliances.clone(),
                    });
                }
            }
            // Satisfied by the treaty in force with the recipient that step 5 requires.
            Resharing::TreatyPartners => {}
        }
    }
    Ok(())
}

/// Why `scope` does not cover `object`, or `None` when it does.
pub(crate) fn scope_miss(scope: &Scope, object: &ObjectFacts) -> Option<ScopeMiss> {
    if !scope.object_types.is_empty() && !scope.object_types.contains(&object.object_type) {
        return Some(ScopeMiss::TypeNotListed(object.object_type.clone()));
    }
    if !scope.labels.is_empty() && !scope.labels.iter().any(|label| object.labels.contains(label)) {
        return Some(ScopeMiss::NoListedLabel);
    }
    // An object without topics is covered: see rule 5 in the module header.
    if !object.topics.is_empty() && !object.topics.iter().any(|topic| scope.topics.contains(topic)) {
        return Some(ScopeMiss::NoSharedTopic);
    }
    None
}

fn resharing_rank(resharing: &Resharing) -> u8 {
    match resharing {
        Resharing::Nobody => 0,
        Resharing::AllianceParties(_) => 1,
        Resharing::TreatyPartners => 2,
    }
}

fn obligations(terms: &Terms, resharing: &Resharing) -> Obligations {
    Obligations {
        strip_attribution: terms.attribution == Attribution::MustNot,
        encrypt_in_transit: terms.encrypt_in_transit == EncryptInTransit::Must,
        attribution: terms.attribution,
        permitted_actions: terms.permitted_actions,
        affected_party_notifications: terms.affected_party_notifications,
        unmodified_resale: terms.unmodified_resale,
        resharing: resharing.clone(),
    }
}
