//! Two nodes whose link is cut for a while converge once it returns: each sits behind
//! its own proxy (its card names the proxy), so cutting both proxies cuts the link both
//! ways — Alpha's pokes and Bravo's pulls alike.

use super::proxy::Proxy;
use super::{audit_verifies, conclude, copies, import, indicators, number, wait_until};
use crate::peer::Peer;
use serde_json::Value;
use std::time::Duration;

/// Longer than Bravo's poll period (30 s): with every poke lost, only the poll wakes it.
const POLL: Duration = Duration::from_secs(45);

fn id(object: &Value) -> &str {
    object["id"].as_str().unwrap()
}

#[test]
fn two_nodes_whose_link_is_cut_converge_once_it_returns() {
    let (alpha_front, bravo_front) = (Proxy::start(), Proxy::start());
    let alpha = Peer::start_with("CERT-Alpha", Some(&alpha_front.url()));
    let bravo = Peer::start_with("CERT-Bravo", Some(&bravo_front.url()));
    alpha_front.forward_to(&alpha.local_url());
    bravo_front.forward_to(&bravo.local_url());
    conclude(&alpha, &bravo, "nobody");

    let before = indicators(2, 3);
    import(&alpha, "before.jsonl", &before);
    wait_until("the first objects reaching Bravo", Duration::from_secs(30), || {
        before.iter().all(|object| copies(&bravo, id(object)) == 1)
    });

    let mark = bravo.log_mark();
    alpha_front.cut();
    bravo_front.cut();
    let during: Vec<Value> = (3..8).map(|index| super::indicator(2, index)).collect();
    import(&alpha, "during.jsonl", &during);

    // A pull by hand fails and says why; Bravo's own puller fails at its next poll and
    // logs it; nothing of the new objects arrives meanwhile.
    let refused = bravo.run(&["sync", "now", "--json"]);
    assert!(!refused.status.success(), "a pull through a cut link succeeded: {}", refused.stdout);
    assert!(refused.json()["partners"][0]["error"].as_str().unwrap().contains("cannot reach"), "{}", refused.stdout);
    bravo.wait_for_log_since(mark, "pulling the partner's feed stopped", POLL);
    assert!(during.iter().all(|object| copies(&bravo, id(object)) == 0), "an object crossed a cut link");

    // The link returns: Bravo's next poll fetches everything it missed, once.
    alpha_front.restore();
    bravo_front.restore();
    wait_until("Bravo catching up after the cut", POLL, || during.iter().all(|object| copies(&bravo, id(object)) == 1));
    for object in before.iter().chain(&during) {
        assert_eq!(copies(&bravo, id(object)), 1, "{} is held once", id(object));
        assert_eq!(super::ledger_entries(&bravo, "receive", id(object)), 1, "{} was received once", id(object));
    }
    assert_eq!(number(&bravo, "SELECT count(*) FROM objects WHERE type = 'indicator'", []), 8);
    audit_verifies(&alpha);
    audit_verifies(&bravo);
    // Alpha hears of Bravo again too: the receipt of the page Bravo stored last before
    // the cut reaches it with the first request after.
    let status = alpha.json(&["sync", "status", "--json"]);
    assert!(status[0]["receipts_from_partner"].as_u64().unwrap() >= 1, "{status}");
}
