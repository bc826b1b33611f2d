//! Why objects did not flow: the release decision replayed for every pair of partners.
//!
//! Each node's feed asks the release decision about every object version for the
//! partner that pulls it; the server keeps only counters of the denials (on
//! `/metrics`). To show *which* object was denied to *whom* and *why*, the demo asks
//! the sender's own gate ([`PartnerRelease`]) the same question about every version
//! its feed would offer that partner.

use super::diplomacy::Concluded;
use super::intel::{Described, describe};
use super::node::DemoNode;
use crate::commands::now_micros;
use anyhow::anyhow;
use entente_core::Timestamp;
use entente_core::release::{Decision, DenyReason, ScopeMiss};
use entente_server::federation::PartnerRelease;
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
        for (from, to) in [(concluded.proposer, concluded.partner), (concluded.partner, concluded.proposer)] {
            flows.push(flow(&nodes[from], &nodes[to], now)?);
        }
    }
    Ok(flows)
}

fn flow(sender: &DemoNode, recipient: &DemoNode, now: Timestamp) -> anyhow::Result<Flow> {
    let release = PartnerRelease::new(&sender.diplomat, &recipient.id, now).map_err(|error| anyhow!("{error}"))?;
    let mut result =
        Flow { from: sender.party.handle, to: recipient.party.handle, allowed: 0, denied: BTreeMap::new() };
    for row in sender.store.feed_rows(None, 1_000_000, recipient.id.as_str())? {
        if !release.offers(&row) {
            continue;
        }
        let value: Value = serde_json::from_str(&row.json)?;
        let decision = release.decide(&value, row.seal.as_ref()).map_err(|why| anyhow!("{}: {why}", row.stix_id))?;
        match decision {
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
