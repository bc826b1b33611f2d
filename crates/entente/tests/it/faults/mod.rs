//! Fault tests: real `entente serve` processes on loopback, federated through the CLI
//! alone, put through what a federation meets in the field — a node killed with
//! SIGKILL in the middle of a large sync (`crash.rs`), a link cut for a while
//! (`cut.rs`), a revocation that must reach every holder (`revocation.rs`), a page or
//! receipt changed in flight (`tampering.rs`), a partner's sightings flowing back to
//! the indicator's originator (`sightings.rs`), and an operator's export for a partner
//! held to the release decision (`export.rs`).
//!
//! What each test checks is read where an operator would read it: the CLI (`sync`,
//! `audit`, `intel`), the servers' logs, and the SQLite file opened read-only. Every
//! wait is bounded; a `Peer` or a `Proxy` dropped by a failing test takes its process
//! or thread down with it.

mod crash;
mod cut;
mod export;
mod misp_export;
mod proxy;
mod revocation;
mod sightings;
mod tampering;

use crate::peer::{Peer, path_str, state};
use rusqlite::{Connection, OpenFlags};
use serde_json::{Value, json};
use std::time::{Duration, Instant};

/// TLP 2.0 GREEN, within the template treaty's ceiling.
pub(crate) const TLP_GREEN: &str = "marking-definition--bab4a63c-aed9-4cf5-a766-dfca5abac2bb";
/// TLP 2.0 RED, which never leaves a node by sync.
pub(crate) const TLP_RED: &str = "marking-definition--e828b379-4e03-4974-9ac4-e53a884c97c1";

/// `x` makes contact with `y` and recognizes it (the other way round is a second call).
fn recognize(x: &Peer, y: &Peer) {
    x.run(&["relations", "contact", &y.url]).assert_success();
    x.run(&["relations", "recognize", &y.id(), "--fingerprint", &y.fingerprint(), "--public-url", &x.url])
        .assert_success();
}

/// Both nodes recognize each other, then `a` proposes the template treaty (with
/// end-to-end encryption and attribution left to the parties, and re-sharing as
/// given: `nobody` or `treaty-partners`), `b` accepts, both sign; returns once it is
/// in force on both sides.
fn conclude(a: &Peer, b: &Peer, resharing: &str) {
    recognize(a, b);
    recognize(b, a);
    a.wait_for(&b.id(), "recognition", |shown| state(shown) == "recognized");
    b.wait_for(&a.id(), "recognition", |shown| state(shown) == "recognized");
    let mut treaty = a.json(&["treaty", "template", "--with", &b.id(), "--json"]);
    treaty["terms"]["encrypt_in_transit"] = json!("may");
    treaty["terms"]["attribution"] = json!("may");
    treaty["resharing"] = json!({ "to": resharing });
    let file = a.file(&format!("treaty-{}.json", b.id()), &treaty.to_string());
    let proposed = a.json(&["relations", "propose", &b.id(), "--treaty", path_str(&file), "--json"]);
    let draft = proposed["relation"]["draft"].as_str().unwrap().to_owned();
    b.wait_for(&a.id(), "the proposal", |shown| shown["relation"]["draft"] == draft.as_str());
    b.json(&["relations", "accept", &a.id(), "--draft", &draft, "--json"]);
    a.wait_for(&b.id(), "the acceptance", |shown| shown["relation"]["draft_accepted"] == true);
    a.json(&["relations", "sign", &b.id(), "--json"]);
    b.wait_for(&a.id(), "the first signature", |shown| {
        shown["relation"]["allowed_moves"].as_array().is_some_and(|moves| moves.contains(&json!("sign")))
            || state(shown) == "in-force"
    });
    b.json(&["relations", "sign", &a.id(), "--json"]);
    a.wait_for(&b.id(), "the treaty in force", |shown| state(shown) == "in-force");
    b.wait_for(&a.id(), "the treaty in force", |shown| state(shown) == "in-force");
}

/// `count` valid STIX 2.1 indicators marked TLP:GREEN, with ids and patterns that
/// depend on `series` and the index only (so a test can name any of them again).
pub(crate) fn indicators(series: u32, count: u32) -> Vec<Value> {
    (0..count).map(|index| indicator(series, index)).collect()
}

pub(crate) fn indicator(series: u32, index: u32) -> Value {
    let stamp = format!("2026-{:02}-{:02}T{:02}:{:02}:00.000Z", 1 + index % 12, 1 + index % 28, index % 24, index % 60);
    json!({
        "type": "indicator",
        "spec_version": "2.1",
        "id": format!("indicator--{series:08x}-{:04x}-4000-8000-{index:012x}", index % 0x1_0000),
        "created": stamp,
        "modified": stamp,
        "name": format!("Fault test indicator {series}/{index}"),
        "indicator_types": ["malicious-activity"],
        "pattern": format!("[ipv4-addr:value = '10.{}.{}.{}']", index >> 16 & 0xff, index >> 8 & 0xff, index & 0xff),
        "pattern_type": "stix",
        "valid_from": stamp,
        "labels": ["cyber"],
        "object_marking_refs": [TLP_GREEN],
    })
}

/// Imports objects on `peer` with `entente intel import` (JSON lines).
pub(crate) fn import(peer: &Peer, name: &str, objects: &[Value]) {
    let lines: Vec<String> = objects.iter().map(Value::to_string).collect();
    let file = peer.file(name, &(lines.join("\n") + "\n"));
    let imported = peer.json(&["intel", "import", path_str(&file), "--json"]);
    assert_eq!(imported["added"], objects.len(), "{imported}");
}

/// The node's database, opened read-only beside its running server.
pub(crate) fn database(peer: &Peer) -> Connection {
    let connection = Connection::open_with_flags(peer.database(), OpenFlags::SQLITE_OPEN_READ_ONLY)
        .expect("opening the node's database read-only");
    connection.busy_timeout(Duration::from_secs(10)).unwrap();
    connection
}

/// One integer a query of the node's database answers.
pub(crate) fn number(peer: &Peer, sql: &str, parameters: impl rusqlite::Params) -> i64 {
    database(peer).query_row(sql, parameters, |row| row.get(0)).unwrap_or_else(|error| panic!("{sql}: {error}"))
}

/// How many stored versions of `id` the node holds, in every collection.
pub(crate) fn copies(peer: &Peer, id: &str) -> i64 {
    number(peer, "SELECT count(*) FROM objects WHERE stix_id = ?1", [id])
}

/// How many ledger entries of `kind` name `subject`.
pub(crate) fn ledger_entries(peer: &Peer, kind: &str, subject: &str) -> i64 {
    number(peer, "SELECT count(*) FROM ledger WHERE kind = ?1 AND subject = ?2", [kind, subject])
}

/// Polls `done` until it holds, or panics saying what did not happen.
pub(crate) fn wait_until(what: &str, within: Duration, mut done: impl FnMut() -> bool) {
    let deadline = Instant::now() + within;
    while !done() {
        assert!(Instant::now() < deadline, "{what} did not happen within {within:?}");
        std::thread::sleep(Duration::from_millis(100));
    }
}

/// `entente audit verify` passes on the node; returns how many entries it checked.
pub(crate) fn audit_verifies(peer: &Peer) -> u64 {
    let verdict = peer.json(&["audit", "verify", "--json"]);
    assert_eq!(verdict["verified"], true, "{verdict}");
    verdict["entries"].as_u64().unwrap()
}
