//! Sightings of an indicator by a partner flow back to its originator when the treaty
//! allows: Bravo receives Alpha's indicator, records that it saw it (a STIX `sighting`
//! under Bravo's identity), and Alpha receives the sighting — the template treaty's
//! scope includes sightings — while a TLP:RED one stays home and the indicator itself
//! is never echoed back to Alpha.

use super::{TLP_GREEN, TLP_RED, audit_verifies, conclude, copies, import, indicator, ledger_entries, wait_until};
use crate::peer::Peer;
use serde_json::{Value, json};
use std::time::Duration;

const DELIVERY: Duration = Duration::from_secs(30);

fn sighting(suffix: u32, of: &str, by: &str, marking: &str) -> Value {
    json!({
        "type": "sighting",
        "spec_version": "2.1",
        "id": format!("sighting--00000000-0000-4000-8000-{suffix:012}"),
        "created": "2026-11-02T08:00:00.000Z",
        "modified": "2026-11-02T08:00:00.000Z",
        "created_by_ref": by,
        "sighting_of_ref": of,
        "first_seen": "2026-11-02T07:12:00Z",
        "last_seen": "2026-11-02T07:45:00Z",
        "count": 14,
        "labels": ["cyber"],
        "object_marking_refs": [marking],
    })
}

#[test]
fn a_partners_sightings_of_an_indicator_flow_back_to_its_originator() {
    let alpha = Peer::start("CERT-Alpha");
    let bravo = Peer::start("CERT-Bravo");
    conclude(&alpha, &bravo, "nobody");
    let seen = indicator(5, 1);
    let seen_id = seen["id"].as_str().unwrap().to_owned();
    import(&alpha, "indicator.jsonl", &[seen]);
    wait_until("the indicator reaching Bravo", DELIVERY, || copies(&bravo, &seen_id) == 1);

    // The RED sighting is stored first, so once the GREEN one reaches Alpha the feed
    // has judged the RED one too.
    let secret = sighting(2, &seen_id, &bravo.id(), TLP_RED);
    let shared = sighting(1, &seen_id, &bravo.id(), TLP_GREEN);
    import(&bravo, "sightings.jsonl", &[secret.clone(), shared.clone()]);
    let shared_id = shared["id"].as_str().unwrap();
    wait_until("Bravo's sighting reaching Alpha", DELIVERY, || copies(&alpha, shared_id) == 1);

    let held: String = super::database(&alpha)
        .query_row("SELECT json FROM objects WHERE stix_id = ?1", [shared_id], |row| row.get(0))
        .unwrap();
    let held: Value = serde_json::from_str(&held).unwrap();
    assert_eq!(held["sighting_of_ref"], seen_id.as_str());
    assert_eq!(held["created_by_ref"], bravo.id().as_str(), "Bravo's attribution travels (the treaty allows it)");
    let (originator, from): (String, String) = super::database(&alpha)
        .query_row("SELECT originator, received_from FROM seals WHERE stix_id = ?1", [shared_id], |row| {
            Ok((row.get(0)?, row.get(1)?))
        })
        .unwrap();
    assert_eq!((originator, from), (bravo.id(), bravo.id()), "sealed by Bravo, its originator");
    assert_eq!(ledger_entries(&alpha, "receive", shared_id), 1);
    assert_eq!(ledger_entries(&bravo, "release", shared_id), 1);

    // What the treaty does not allow stays home, and nothing is echoed.
    assert_eq!(copies(&alpha, secret["id"].as_str().unwrap()), 0, "a TLP:RED sighting left Bravo");
    assert_eq!(ledger_entries(&bravo, "release", secret["id"].as_str().unwrap()), 0);
    assert_eq!(ledger_entries(&bravo, "release", &seen_id), 0, "Bravo sent Alpha's indicator back to it");
    assert_eq!(copies(&alpha, &seen_id), 1);
    audit_verifies(&alpha);
    audit_verifies(&bravo);
}
