//! A node killed with SIGKILL in the middle of a sync of 100,000 objects loses and
//! duplicates nothing once restarted — whether the killed node is the one pulling or
//! the one serving its feed.
//!
//! Each page is stored with its cursor in one transaction, so a puller killed at any
//! instant restarts from the last page it stored; a sender killed mid-page leaves a
//! release recorded for a page that never arrived, which the puller asks for again.

use super::{audit_verifies, conclude, import, indicators, number, wait_until};
use crate::peer::Peer;
use std::time::{Duration, Instant};

const OBJECTS: i64 = 100_000;

/// How long the whole sync may take in a debug build on a loaded two-core machine.
const SYNC: Duration = Duration::from_secs(600);

/// What Bravo stored of Alpha's feed: (rows, distinct objects).
fn received(bravo: &Peer) -> (i64, i64) {
    let rows = number(bravo, "SELECT count(*) FROM objects WHERE type = 'indicator'", []);
    let distinct =
        number(bravo, "SELECT count(DISTINCT stix_id || ' ' || version_key) FROM objects WHERE type = 'indicator'", []);
    (rows, distinct)
}

/// Waits until Bravo holds at least `at_least` objects, then returns how many.
fn wait_for_progress(bravo: &Peer, at_least: i64, what: &str) -> i64 {
    let mut held = 0;
    wait_until(what, SYNC, || {
        held = number(bravo, "SELECT count(*) FROM objects WHERE type = 'indicator'", []);
        held >= at_least
    });
    held
}

#[test]
fn a_node_killed_in_the_middle_of_a_large_sync_loses_and_duplicates_nothing() {
    let started = Instant::now();
    let mut alpha = Peer::start("CERT-Alpha");
    let mut bravo = Peer::start("CERT-Bravo");
    conclude(&alpha, &bravo, "nobody");

    // Bravo is down while Alpha imports, so that the whole feed waits for it.
    bravo.kill();
    import(&alpha, "indicators.jsonl", &indicators(1, OBJECTS as u32));
    let imported = started.elapsed();

    // Bravo comes up and pulls at once; it is killed once it stored some pages.
    bravo.restart();
    wait_for_progress(&bravo, 20_000, "Bravo storing 20,000 objects");
    bravo.kill();
    let (rows, distinct) = received(&bravo);
    assert!(rows < OBJECTS, "the sync ended before the kill ({rows} rows): nothing was interrupted");
    assert_eq!(rows, distinct, "duplicate rows before the crash");
    let page = i64::from(entente_server::federation::SyncConfig::default().page_size);
    assert_eq!(rows % page, 0, "a page of {page} is stored whole or not at all: {rows}");

    // Back up, it resumes from its cursor; this time the sender dies under it, one page
    // in: with the pipeline a few pages deep, a later kill could find every page Bravo
    // still needed already fetched, and nothing for it to lose.
    bravo.restart();
    wait_for_progress(&bravo, rows + page, "Bravo resuming after its restart");
    let mark = bravo.log_mark();
    alpha.kill();
    let (rows, _) = received(&bravo);
    assert!(rows + 4 * page < OBJECTS, "the sync was nearly over before Alpha was killed ({rows} rows)");
    // Alpha stays down until Bravo noticed: restarted at once, it could be back before
    // Bravo's next request and nothing would have been lost for Bravo to recover from.
    bravo.wait_for_log_since(mark, "pulling the partner's feed stopped", SYNC);
    alpha.restart();

    // Alpha's publisher pokes Bravo when it comes back; Bravo pulls the rest.
    wait_for_progress(&bravo, OBJECTS, "Bravo holding all 100,000 objects");
    let synced = started.elapsed();
    let (rows, distinct) = received(&bravo);
    assert_eq!((rows, distinct), (OBJECTS, OBJECTS), "every object exactly once");
    let receptions = "SELECT count(*), count(DISTINCT subject) FROM ledger WHERE kind = 'receive'";
    let (entries, objects): (i64, i64) =
        super::database(&bravo).query_row(receptions, [], |row| Ok((row.get(0)?, row.get(1)?))).unwrap();
    assert_eq!((entries, objects), (OBJECTS, OBJECTS), "one `receive` in Bravo's ledger per object");
    // No version arrived twice or was refused, and the cursor counted each once.
    let status = bravo.json(&["sync", "status", "--json"]);
    assert_eq!(status[0]["objects_received"], OBJECTS, "{status}");

    // Alpha released every object to Bravo; a page lost with a killed node is released
    // again, so the ledger may name an object twice, never miss one.
    let released = number(&alpha, "SELECT count(DISTINCT subject) FROM ledger WHERE kind = 'release'", []);
    assert_eq!(released, OBJECTS);
    let releases = number(&alpha, "SELECT count(*) FROM ledger WHERE kind = 'release'", []);
    assert!(audit_verifies(&alpha) > OBJECTS as u64, "a release per object, and receipts");
    assert!(audit_verifies(&bravo) >= OBJECTS as u64);

    // A last pull finds nothing new: the cursor survived both crashes at the end.
    let again = bravo.json(&["sync", "now", "--json"]);
    assert_eq!(again["partners"][0]["added"], 0, "{again}");
    assert_eq!(again["partners"][0]["error"], serde_json::Value::Null, "{again}");
    assert_eq!(received(&bravo), (OBJECTS, OBJECTS));
    eprintln!(
        "crash test: import {:.1} s, import to full sync {:.1} s, total {:.1} s; {releases} releases recorded",
        imported.as_secs_f64(),
        (synced - imported).as_secs_f64(),
        started.elapsed().as_secs_f64()
    );
}
