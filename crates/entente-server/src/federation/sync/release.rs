//! The gate: the release decision prepared for one recipient, which every way an
//! object leaves this node for a partner goes through (the sync feed, and TAXII reads
//! by the partner's envoys).
//!
//! It gathers what `entente_core::release::decide` reads: the treaty in force with the
//! recipient (from the replayed relation: a suspended relation has none), the marking
//! catalog (the TLP definitions, plus stored marking definitions that are plain
//! statements), and each object's provenance from its seal record.

use crate::federation::{DiplomacyError, Diplomat};
use entente_core::release::{
    Decision, DenyReason, HopRule, IepPolicy, KnownMarking, MarkingCatalog, Memberships, ObjectFacts, Provenance,
    Recipient, ReleaseRequest, decide,
};
use entente_core::treaty::{Resharing, SignedTreaty, TreatyHash};
use entente_core::{StixId, Timestamp};
use entente_store::{FeedRow, SealRecord, Store};
use serde_json::Value;

/// The release decision, ready for one recipient at one moment.
#[derive(Debug)]
pub(crate) struct Gate {
    pub us: StixId,
    pub recipient: StixId,
    pub now: Timestamp,
    catalog: MarkingCatalog,
    treaties: Vec<SignedTreaty>,
    /// Alliances in force of which this node and the recipient are both members.
    charters: Vec<entente_core::alliance::Alliance>,
    memberships: Memberships,
}

/// Why an object cannot even be judged: it is denied all the same.
pub(crate) const UNREADABLE: &str = "unreadable";

impl Gate {
    pub(crate) fn new(diplomat: &Diplomat, recipient: &StixId, now: Timestamp) -> Result<Gate, DiplomacyError> {
        let store = diplomat.store();
        let treaties = diplomat.treaty_in_force(recipient, now)?.into_iter().collect();
        let charters = diplomat.shared_alliances(recipient, now)?;
        Ok(Gate {
            us: diplomat.identity().node_id().clone(),
            recipient: recipient.clone(),
            now,
            catalog: catalog(store)?,
            treaties,
            charters,
            // The members of every alliance in force, folded from the acts this node holds.
            memberships: diplomat.memberships(now)?,
        })
    }

    /// Whether anything binds this node and the recipient now: a treaty in force, or
    /// an alliance in force of which both are members.
    pub(crate) fn has_treaty(&self) -> bool {
        !self.treaties.is_empty() || !self.charters.is_empty()
    }

    /// Whether the recipient's feed offers this row: never a version the recipient sent
    /// us or originated (an echo), nor a second copy of a version held in several
    /// collections.
    pub(crate) fn offers(&self, row: &FeedRow) -> bool {
        let echo = row.seal.as_ref().is_some_and(|seal| {
            seal.originator == self.recipient.as_str() || seal.received_from.as_deref() == Some(self.recipient.as_str())
        });
        !(row.echo || row.duplicate || echo)
    }

    /// Decides for one object version (its JSON) with the provenance its seal records.
    pub(crate) fn decide(&self, object: &Value, seal: Option<&SealRecord>) -> Result<Decision, &'static str> {
        let facts = ObjectFacts::from_value(object).map_err(|_| UNREADABLE)?;
        let provenance = provenance(seal).map_err(|_| UNREADABLE)?;
        let recipient = Recipient::new(&self.us, self.recipient.clone(), &self.treaties, &self.memberships)
            .with_charters(&self.us, &self.charters);
        let request =
            ReleaseRequest { object: &facts, provenance: &provenance, catalog: &self.catalog, recipient: &recipient };
        Ok(decide(&request, self.now))
    }
}

impl Gate {
    /// Keeps the rows of a query page that the recipient may have, with the
    /// obligations applied to their JSON (attribution stripped); objects that must travel
    /// encrypted end to end are left out (only sync can seal them to the recipient).
    /// With a `channel`, each object kept is a ledger `release` naming it
    /// (`channel:<name>`), written before the caller hands the page over.
    pub(crate) fn release_page(
        &self,
        store: &Store,
        page: entente_store::Page,
        channel: Option<&str>,
    ) -> Result<entente_store::Page, entente_store::StoreError> {
        let mut kept = Vec::with_capacity(page.rows.len());
        let mut entries = Vec::new();
        for mut row in page.rows {
            let seal = store.seal(&row.id, &row.content_hash)?;
            let Ok(mut object) = serde_json::from_str::<Value>(&row.json) else { continue };
            let Ok(Decision::Allowed { treaty, obligations }) = self.decide(&object, seal.as_ref()) else { continue };
            if obligations.encrypt_in_transit {
                continue;
            }
            if obligations.strip_attribution && object.get("created_by_ref").is_some() {
                if let Value::Object(map) = &mut object {
                    obligations.apply(map);
                }
                row.json = object.to_string();
            }
            if let Some(channel) = channel {
                let Ok(hash) = entente_core::ledger::ContentHash::of(&object) else { continue };
                let (Ok(id), Ok(version)) = (StixId::parse(&row.id), Timestamp::parse(&row.version)) else { continue };
                let mut applied = Vec::new();
                if obligations.strip_attribution {
                    applied.push("strip-attribution".to_owned());
                }
                applied.push(format!("resharing:{}", obligations.resharing.as_str()));
                applied.push(format!("channel:{channel}"));
                entries.push(entente_core::ledger::EntryKind::Release {
                    object: id,
                    version,
                    object_hash: hash,
                    recipient: self.recipient.clone(),
                    treaty,
                    obligations: applied,
                });
            }
            kept.push(row);
        }
        if !entries.is_empty() {
            store.append_ledger(entries, self.now.unix_micros())?;
        }
        Ok(entente_store::Page { rows: kept, next: page.next })
    }
}

/// The release decision for one partner, for callers outside the server: an operator's
/// export for a partner (`entente intel export --for`: the obligations applied, each
/// object on the ledger as `channel:export`) and the demo's account of why objects did
/// not flow. The same `Gate` the feed and envoy reads use.
#[derive(Debug)]
pub struct PartnerRelease {
    gate: Gate,
}

impl PartnerRelease {
    /// The release decision for `partner` at `now`; an error when nothing binds this
    /// node and the partner (no treaty or shared alliance in force).
    pub fn new(diplomat: &Diplomat, partner: &StixId, now: Timestamp) -> Result<PartnerRelease, DiplomacyError> {
        let gate = Gate::new(diplomat, partner, now)?;
        if !gate.has_treaty() {
            return Err(DiplomacyError::Invalid(format!(
                "no treaty or shared alliance with {partner} is in force: nothing may be exported for it"
            )));
        }
        Ok(PartnerRelease { gate })
    }

    /// Whether the partner's feed offers this row at all (not one it sent us or
    /// originated, not a second copy of a version).
    pub fn offers(&self, row: &FeedRow) -> bool {
        self.gate.offers(row)
    }

    /// The decision for one object version with the provenance its seal records; `Err`
    /// names why it could not even be judged (it is denied all the same).
    pub fn decide(&self, object: &Value, seal: Option<&SealRecord>) -> Result<Decision, &'static str> {
        self.gate.decide(object, seal)
    }

    /// Keeps what the partner may have from one page of rows (read with
    /// `Store::query_full`), obligations applied, each release on the ledger.
    pub fn release(
        &self,
        store: &Store,
        page: entente_store::Page,
    ) -> Result<entente_store::Page, entente_store::StoreError> {
        self.gate.release_page(store, page, Some("export"))
    }
}

/// A short, stable label for a denial, for metrics and logs.
pub(crate) fn deny_label(reason: &DenyReason) -> &'static str {
    reason.code()
}

/// The marking definitions this node understands: TLP always; a stored marking
/// definition whose `definition_type` is `statement` restricts nothing the decision
/// enforces; one of type `iep` with IEP 2.0 terms is a policy the decision applies.
/// Anything else stays unknown, and denies.
pub(crate) fn catalog(store: &Store) -> Result<MarkingCatalog, DiplomacyError> {
    let mut catalog = MarkingCatalog::new();
    for text in store.marking_definitions()? {
        let Ok(value) = serde_json::from_str::<Value>(&text) else { continue };
        let Some(id) = value.get("id").and_then(Value::as_str).and_then(|id| StixId::parse(id).ok()) else { continue };
        if value.get("definition_type").and_then(Value::as_str) == Some("statement") {
            catalog.register(&id, KnownMarking::Statement);
        } else if let Some(policy) = IepPolicy::from_marking(&value) {
            catalog.register(&id, KnownMarking::Iep(policy));
        }
    }
    Ok(catalog)
}

/// The provenance a seal record describes (no record: this node originated it).
pub(crate) fn provenance(seal: Option<&SealRecord>) -> Result<Provenance, String> {
    let Some(seal) = seal else { return Ok(Provenance::Originated) };
    let Some(from) = &seal.received_from else { return Ok(Provenance::Originated) };
    Ok(Provenance::Received {
        from: StixId::parse(from).map_err(|error| error.to_string())?,
        originator: StixId::parse(&seal.originator).map_err(|error| error.to_string())?,
        hops: hops(&seal.hops)?,
    })
}

/// Reads a stored list of hops.
pub(crate) fn hops(text: &str) -> Result<Vec<HopRule>, String> {
    let value: Value = serde_json::from_str(text).map_err(|error| error.to_string())?;
    let items = value.as_array().ok_or("hops are not a list")?;
    items
        .iter()
        .map(|item| {
            let treaty = item
                .get("treaty")
                .and_then(Value::as_str)
                .and_then(|text| TreatyHash::parse(text).ok())
                .ok_or("a hop has no treaty hash")?;
            let resharing = Resharing::from_value(item.get("resharing").unwrap_or(&Value::Null))
                .map_err(|error| error.to_string())?;
            Ok(HopRule { treaty, resharing })
        })
        .collect()
}

/// The stored form of a list of hops.
pub(crate) fn hops_text(hops: &[HopRule]) -> String {
    Value::Array(
        hops.iter()
            .map(|hop| serde_json::json!({"treaty": hop.treaty.as_str(), "resharing": hop.resharing.to_value()}))
            .collect(),
    )
    .to_string()
}
