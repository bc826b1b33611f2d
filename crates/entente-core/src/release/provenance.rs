//! Where an object came from, and who is asking for it.
//!
//! [`Provenance`] records the originator node and one [`HopRule`] per hop the object
//! took to reach this node: the treaty it travelled under and that treaty's re-sharing
//! rule. Rules accumulate; every one of them must allow the next release, so a
//! restriction set at the first hop (say, `alliance-parties` of alliance X) binds every
//! later holder, however many hops away. An object originated here has no rule.
//!
//! [`Recipient`] is prepared once per recipient node: the treaties between this node
//! and it (sorted by hash, so the decision never depends on the order they were
//! handed over in) and the alliances it is a member of in force.
//!
//! This module does not check that a treaty is in force: the decision does that itself
//! at `now`, every time.

use crate::StixId;
use crate::alliance::Alliance;
use crate::treaty::{Resharing, SignedTreaty, TreatyHash};
use std::collections::{BTreeMap, BTreeSet};

/// One hop's re-sharing rule: the treaty an object was received under, and what that
/// treaty allows the receiver to do with it next.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HopRule {
    pub treaty: TreatyHash,
    pub resharing: Resharing,
}

/// Where this node's copy of an object came from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Provenance {
    /// Created on this node: no re-sharing rule binds it, only the treaties.
    Originated,
    /// Received from `from`; `originator` is the node that created it.
    Received { from: StixId, originator: StixId, hops: Vec<HopRule> },
}

impl Provenance {
    /// The provenance the recipient records when `sender` releases an object with
    /// this provenance under `treaty`.
    pub fn after_release(&self, sender: &StixId, treaty: &SignedTreaty) -> Provenance {
        let rule = HopRule { treaty: treaty.hash().clone(), resharing: treaty.treaty().body().resharing.clone() };
        match self {
            Provenance::Originated => {
                Provenance::Received { from: sender.clone(), originator: sender.clone(), hops: vec![rule] }
            }
            Provenance::Received { originator, hops, .. } => {
                let mut hops = hops.clone();
                hops.push(rule);
                Provenance::Received { from: sender.clone(), originator: originator.clone(), hops }
            }
        }
    }

    /// The node that created the object, when it was not this one.
    pub fn originator(&self) -> Option<&StixId> {
        match self {
            Provenance::Originated => None,
            Provenance::Received { originator, .. } => Some(originator),
        }
    }
}

/// The members in force of each alliance this node knows, as the alliance's signed
/// membership says.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Memberships {
    members: BTreeMap<StixId, BTreeSet<StixId>>,
}

impl Memberships {
    pub fn new() -> Memberships {
        Memberships::default()
    }

    /// Sets the members in force of `alliance`, replacing what was known.
    pub fn set_members(&mut self, alliance: StixId, members: impl IntoIterator<Item = StixId>) {
        self.members.insert(alliance, members.into_iter().collect());
    }

    pub fn is_member(&self, alliance: &StixId, node: &StixId) -> bool {
        self.members.get(alliance).is_some_and(|members| members.contains(node))
    }
}

/// A recipient node, prepared once for many decisions.
#[derive(Clone, Debug)]
pub struct Recipient<'a> {
    node: StixId,
    treaties: Vec<&'a SignedTreaty>,
    alliances: Vec<StixId>,
    charters: Vec<&'a Alliance>,
}

impl<'a> Recipient<'a> {
    /// Keeps the treaties to which both `local` (this node) and `node` are parties,
    /// sorted by hash, and the alliances `node` is a member of.
    pub fn new(
        local: &StixId,
        node: StixId,
        treaties: impl IntoIterator<Item = &'a SignedTreaty>,
        memberships: &Memberships,
    ) -> Recipient<'a> {
        let mut treaties: Vec<&SignedTreaty> = treaties
            .into_iter()
            .filter(|signed| signed.treaty().is_party(local) && signed.treaty().is_party(&node) && local != &node)
            .collect();
        treaties.sort_by(|left, right| left.hash().cmp(right.hash()));
        treaties.dedup_by(|left, right| left.hash() == right.hash());
        let alliances = memberships
            .members
            .iter()
            .filter(|(_, members)| members.contains(&node))
            .map(|(alliance, _)| alliance.clone())
            .collect();
        Recipient { node, treaties, alliances, charters: Vec::new() }
    }

    /// Adds the charters of alliances of which both this node and the recipient are
    /// members: an alliance's charter is a sharing agreement between its members, like
    /// a treaty. Whether each alliance is in force is checked at decision time.
    pub fn with_charters(mut self, local: &StixId, alliances: impl IntoIterator<Item = &'a Alliance>) -> Recipient<'a> {
        let mut charters: Vec<&Alliance> = alliances
            .into_iter()
            .filter(|alliance| {
                local != &self.node && alliance.members().contains(local) && alliance.members().contains(&self.node)
            })
            .collect();
        charters.sort_by(|left, right| left.charter().hash().cmp(right.charter().hash()));
        charters.dedup_by(|left, right| left.charter().hash() == right.charter().hash());
        self.charters = charters;
        self
    }

    /// The alliances whose charter binds this node and the recipient, by charter hash.
    pub fn charters(&self) -> &[&'a Alliance] {
        &self.charters
    }

    pub fn node(&self) -> &StixId {
        &self.node
    }

    /// The treaties between this node and the recipient, by hash; in force or not.
    pub fn treaties(&self) -> &[&'a SignedTreaty] {
        &self.treaties
    }

    /// The alliances the recipient is a member of in force, sorted.
    pub fn alliances(&self) -> &[StixId] {
        &self.alliances
    }

    pub fn is_member_of(&self, alliance: &StixId) -> bool {
        self.alliances.binary_search(alliance).is_ok()
    }
}
