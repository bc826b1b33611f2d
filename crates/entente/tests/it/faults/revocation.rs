//! A revocation reaches every holder: Alpha's indicator travels Alpha → Bravo →
//! Charlie under treaties that let recipients pass intelligence on to their treaty
//! partners; `entente intel revoke` on Alpha deletes it on both, however many hops
//! away, and each ledger records the removal.

use super::{audit_verifies, conclude, copies, import, indicator, ledger_entries, number, recognize, wait_until};
use crate::peer::{Peer, state};
use serde_json::Value;
use std::time::Duration;

const SPREAD: Duration = Duration::from_secs(60);

/// The originator of the copy `peer` holds of `id`, from its seal.
fn originator(peer: &Peer, id: &str) -> String {
    super::database(peer)
        .query_row("SELECT originator FROM seals WHERE stix_id = ?1", [id], |row| row.get(0))
        .unwrap_or_else(|error| panic!("no seal for {id}: {error}"))
}

#[test]
fn a_revocation_by_the_originator_reaches_every_holder_through_a_relay() {
    let alpha = Peer::start("CERT-Alpha");
    let bravo = Peer::start("CERT-Bravo");
    let charlie = Peer::start("CERT-Charlie");
    conclude(&alpha, &bravo, "treaty-partners");
    conclude(&bravo, &charlie, "treaty-partners");
    // Charlie has no treaty with Alpha, but pins its key to check Alpha's seals and
    // Alpha's tombstones on what Bravo passes on.
    recognize(&charlie, &alpha);
    recognize(&alpha, &charlie);
    charlie.wait_for(&alpha.id(), "recognition", |shown| state(shown) == "recognized");

    let object = indicator(3, 1);
    let id = object["id"].as_str().unwrap().to_owned();
    let other = indicator(3, 2);
    import(&alpha, "indicators.jsonl", &[object, other.clone()]);
    wait_until("the indicators reaching Charlie through Bravo", SPREAD, || {
        copies(&charlie, &id) == 1 && copies(&charlie, other["id"].as_str().unwrap()) == 1
    });
    assert_eq!(copies(&bravo, &id), 1);
    assert_eq!(originator(&charlie, &id), alpha.id(), "Charlie holds it under Alpha's seal");

    // Only the originator may revoke: Bravo's attempt is refused and changes nothing.
    bravo.run(&["intel", "revoke", &id, "--reason", "not ours"]).assert_failure_mentioning("not by this node");
    let revoked = alpha.json(&["intel", "revoke", &id, "--reason", "false positive: a shared CDN address", "--json"]);
    assert_eq!(revoked["removed_versions"], 1, "{revoked}");
    assert_eq!(copies(&alpha, &id), 0);

    wait_until("the revocation reaching Bravo and Charlie", SPREAD, || {
        copies(&bravo, &id) == 0 && copies(&charlie, &id) == 0
    });
    for (peer, from) in [(&bravo, alpha.id()), (&charlie, bravo.id())] {
        let shown = peer.json(&["audit", "show", "--kind", "removed", "--json"]);
        let removals: Vec<&Value> = shown.as_array().unwrap().iter().collect();
        assert_eq!(removals.len(), 1, "one removal: {shown:#}");
        assert_eq!(removals[0]["object"], id.as_str(), "{shown:#}");
        assert_eq!(removals[0]["issuer"], alpha.id().as_str(), "the tombstone is Alpha's: {shown:#}");
        assert_eq!(removals[0]["from"], from.as_str(), "{shown:#}");
        assert_eq!(removals[0]["removed"], "1", "{shown:#}");
        assert_eq!(ledger_entries(peer, "removed", &id), 1);
        // The other indicator is untouched, and the tombstone is kept so that the
        // object never comes back by sync.
        assert_eq!(copies(peer, other["id"].as_str().unwrap()), 1);
        assert_eq!(number(peer, "SELECT count(*) FROM tombstones WHERE stix_id = ?1 AND final = 1", [&id]), 1);
        audit_verifies(peer);
    }
    assert_eq!(ledger_entries(&alpha, "revoked", &id), 1);
    audit_verifies(&alpha);

    // A pull by hand on Charlie brings nothing back.
    let again = charlie.json(&["sync", "now", "--json"]);
    assert!(again["partners"].as_array().unwrap().iter().all(|report| report["error"].is_null()), "{again}");
    assert_eq!(copies(&charlie, &id), 0);
}
