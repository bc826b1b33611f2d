//! Folding a *set* of acts: the alliance a node derives from every act it holds,
//! whatever order they arrived in.
//!
//! Acts travel between nodes by several paths, so two members rarely receive them in
//! the same order, and an act may arrive before the one it depends on (a vote before
//! its proposal, an accession before the admission it answers). [`Alliance::settle`]
//! makes the result a function of the set alone: it sorts the acts by (`created`, act
//! hash) and makes passes over them, applying every act that applies to the alliance
//! as it then stands and keeping the others pending, until a pass applies nothing.
//! Two nodes holding the same acts (and keys) therefore hold the same alliance, with
//! the same membership versions and hashes, and a node that receives a missing act
//! later folds again and converges.
//!
//! Invariants: pure, like the fold; an act pending after settling is one the fold
//! refuses on the alliance the other acts make (its refusal is reported, so an
//! operator sees why: an act not yet applicable, or one overtaken by a competing
//! change, such as a vote on a proposal that lapsed).
//!
//! Not here: which acts a node holds, or who sends them (the server does).

use super::act::SignedAct;
use super::charter::Charter;
use super::fold::Alliance;
use super::refusal::AllianceError;
use super::wire::AllianceHash;
use crate::StixId;
use crate::keys::{KeyId, PublicKey};

/// The alliance folded from a set of acts, and the acts that did not apply.
#[derive(Clone, Debug)]
pub struct Settled {
    pub alliance: Alliance,
    /// The hashes of the acts applied, in the order they were applied.
    pub applied: Vec<AllianceHash>,
    /// The acts that do not apply, each with the refusal of the last pass.
    pub pending: Vec<(AllianceHash, AllianceError)>,
}

impl Alliance {
    /// Folds every act of the set (duplicates count once) in the order described in
    /// the module header; see there.
    pub fn settle<'a>(
        charter: Charter,
        acts: impl IntoIterator<Item = &'a SignedAct>,
        keys: impl Fn(&StixId, &KeyId) -> Option<PublicKey>,
    ) -> Settled {
        let mut waiting: Vec<&SignedAct> = acts.into_iter().collect();
        waiting.sort_by(|left, right| {
            let key = |act: &SignedAct| (act.act().created.instant(), act.hash().clone());
            key(left).cmp(&key(right))
        });
        waiting.dedup_by(|left, right| left.hash() == right.hash());
        let mut alliance = Alliance::new(charter);
        let mut applied = Vec::new();
        loop {
            let mut refused = Vec::new();
            let before = applied.len();
            for act in waiting {
                match alliance.apply(act, &keys) {
                    Ok(next) => {
                        alliance = next;
                        applied.push(act.hash().clone());
                    }
                    Err(error) => refused.push((act, error)),
                }
            }
            if applied.len() == before || refused.is_empty() {
                let pending = refused.into_iter().map(|(act, error)| (act.hash().clone(), error)).collect();
                return Settled { alliance, applied, pending };
            }
            waiting = refused.into_iter().map(|(act, _)| act).collect();
        }
    }
}
