//! Why objects did not flow: the release decision replayed for every pair of partners.
//!
//! Each node's feed asks `entente_core::release::decide` about every object version
//! for the partner that pulls it; the server keeps only counters of the denials (on
//! `/metrics`). To show *which* object was denied to *whom* and *why*, the demo asks
//! the same pure function the same question, with the same inputs the server's gate
//! gathers: the signed treaty between the two parties, the sender's marking catalog
//! (TLP plus its stored statement markings) and each object's provenance from its seal.

use super::diplomacy::Concluded;
use super::intel::{Described, describe};
use super::node::DemoNode;
use crate::commands::now_micros;
use anyhow::anyhow;
use entente_core::release::{
    Decision, DenyReason, HopRule, KnownMarking, MarkingCatalog, Memberships, ObjectFacts, Provenance, Recipient,
    ReleaseRequest, ScopeMiss, decide,
};
use entente_core::treaty::{Resharing, SignedTreaty, TreatyHash, sign};
use entente_core::{StixId, Timestamp};
use entente_store::SealRecord;
use serde::Serialize;
use serde_json::Value;
use std::collections::BTreeMap;

/// What one party's feed lets through to one partner.
#[derive(Debug, Serialize)]
pub struct Flow {
    pub from: &'static str,
    pub to: &'static str,
    /// Object versions the decision allows.
    pub allowed: usize,
    /// Denials by reason (`never-shared`, `out-of-scope:topic`, `out-of-scope:type`,
    /// `above-tlp-ceiling`, `resharing-forbidden`, …), each with one example.
    pub denied: BTreeMap<&'static str, Denied>,
}

#[derive(Debug, Serialize)]
pub struct Denied {
    pub count: usize,
    pub example: Described,
    /// The decision's own words for the example.
    pub why: String,
}

/// The flows along every treaty, both ways.
pub fn flows(nodes: &[DemoNode], treaties: &[Concluded]) -> anyhow::Result<Vec<Flow>> {
    let now = Timestamp::from_unix_micros(now_micros());
    let mut flows = Vec::new();
    for concluded in treaties {
        let signed = signed(nodes, concluded)?;
        for (from, to) in [(concluded.proposer, concluded.partner), (concluded.partner, concluded.proposer)] {
            flows.push(flow(&nodes[from], &nodes[to], &signed, now)?);
        }
    }
    Ok(flows)
}

/// The treaty with both parties' signatures, as both nodes hold it.
fn signed(nodes: &[DemoNode], concluded: &Concluded) -> anyhow::Result<SignedTreaty> {
    let mut signed = SignedTreaty::new(concluded.treaty.clone());
    for party in [concluded.proposer, concluded.partner] {
        let node = &nodes[party];
        let signature = sign(&concluded.treaty, &node.id, &node.key).map_err(|error| anyhow!("{error}"))?;
        let public = entente_core::keys::PublicKey::from_bytes(&node.key.public_key())?;
        signed.add_signature(signature, &public).map_err(|error| anyhow!("{error}"))?;
    }
    Ok(signed)
}

fn flow(sender: &DemoNode, recipient: &DemoNode, treaty: &SignedTreaty, now: Timestamp) -> anyhow::Result<Flow> {
    let catalog = catalog(sender)?;
    let memberships = Memberships::new();
    let target = Recipient::new(&sender.id, recipient.id.clone(), [treaty], &memberships);
    let mut result =
        Flow { from: sender.party.handle, to: recipient.party.handle, allowed: 0, denied: BTreeMap::new() };
    for row in sender.store.feed_rows(None, 1_000_000, recipient.id.as_str())? {
        if row.echo || row.duplicate || is_echo(row.seal.as_ref(), &recipient.id) {
            continue;
        }
        let value: Value = serde_json::from_str(&row.json)?;
        let facts = ObjectFacts::from_value(&value).map_err(|error| anyhow!("{error}"))?;
        let provenance = provenance(row.seal.as_ref())?;
        let request = ReleaseRequest { object: &facts, provenance: &provenance, catalog: &catalog, recipient: &target };
        match decide(&request, now) {
            Decision::Allowed { .. } => result.allowed += 1,
            Decision::Denied(reason) => match result.denied.get_mut(label(&reason)) {
                Some(denied) => {
                    denied.count += 1;
                    // Prefer an example from the scenario over reference data.
                    if !is_telling(&denied.example) && is_telling(&describe(&row.json)?) {
                        denied.example = describe(&row.json)?;
                        denied.why = reason.to_string();
                    }
                }
                None => {
                    let example = describe(&row.json)?;
                    result.denied.insert(label(&reason), Denied { count: 1, example, why: reason.to_string() });
                }
            },
        }
    }
    Ok(result)
}

/// Intelligence a reader recognises, rather than identities, markings or relationships.
fn is_telling(object: &Described) -> bool {
    matches!(object.object_type.as_str(), "indicator" | "report" | "threat-actor" | "intrusion-set" | "malware")
}

/// TLP, plus the statement markings the sender stores (MITRE's copyright, say).
fn catalog(node: &DemoNode) -> anyhow::Result<MarkingCatalog> {
    let mut catalog = MarkingCatalog::new();
    for text in node.store.marking_definitions()? {
        let value: Value = serde_json::from_str(&text)?;
        let id = value.get("id").and_then(Value::as_str).and_then(|id| StixId::parse(id).ok());
        if let (Some("statement"), Some(id)) = (value.get("definition_type").and_then(Value::as_str), id) {
            catalog.register(&id, KnownMarking::Statement);
        }
    }
    Ok(catalog)
}

/// The feed never offers a partner what it sent us or created.
fn is_echo(seal: Option<&SealRecord>, recipient: &StixId) -> bool {
    seal.is_some_and(|seal| {
        seal.originator == recipient.as_str() || seal.received_from.as_deref() == Some(recipient.as_str())
    })
}

fn provenance(seal: Option<&SealRecord>) -> anyhow::Result<Provenance> {
    let Some(seal) = seal else { return Ok(Provenance::Originated) };
    let Some(from) = &seal.received_from else { return Ok(Provenance::Originated) };
    let hops: Vec<Value> = serde_json::from_str(&seal.hops)?;
    let hops = hops
        .iter()
        .map(|hop| {
            let treaty = hop.get("treaty").and_then(Value::as_str).map(TreatyHash::parse).transpose()?;
            let resharing = Resharing::from_value(hop.get("resharing").unwrap_or(&Value::Null))?;
            Ok(HopRule { treaty: treaty.ok_or_else(|| anyhow!("a hop without a treaty"))?, resharing })
        })
        .collect::<anyhow::Result<Vec<_>>>()?;
    Ok(Provenance::Received { from: StixId::parse(from)?, originator: StixId::parse(&seal.originator)?, hops })
}

/// The label the server's `entente_sync_denied_total{reason}` counter uses, with what
/// the scope missed after `out-of-scope:`.
fn label(reason: &DenyReason) -> &'static str {
    match reason {
        DenyReason::OutOfScope { miss: ScopeMiss::TypeNotListed(_), .. } => "out-of-scope:type",
        DenyReason::OutOfScope { miss: ScopeMiss::NoListedLabel, .. } => "out-of-scope:label",
        DenyReason::OutOfScope { miss: ScopeMiss::NoSharedTopic, .. } => "out-of-scope:topic",
        other => other.code(),
    }
}
