//! `entente alliance …`: two real nodes, each with its own `entente serve`, recognize
//! each other through the CLI, then one founds an alliance on the template's charter,
//! the other signs it, and both show the same membership version and hash.

use crate::peer::{Peer, path_str, state};
use serde_json::Value;
use std::time::{Duration, Instant};

/// `x` contacts and recognizes `y` (the other way round is a second call).
fn recognize(x: &Peer, y: &Peer, y_name: &str) {
    x.run(&["relations", "contact", &y.url]).assert_success();
    x.run(&["relations", "recognize", y_name, "--fingerprint", &y.fingerprint(), "--public-url", &x.url])
        .assert_success();
}

/// Polls `alliance list --json` until `done` holds for the alliance `id`.
fn wait_alliance(peer: &Peer, id: &str, what: &str, done: impl Fn(&Value) -> bool) -> Value {
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let listed = peer.json(&["alliance", "list", "--json"]);
        if let Some(found) = listed.as_array().unwrap().iter().find(|view| view["id"] == id)
            && done(found)
        {
            return found.clone();
        }
        assert!(Instant::now() < deadline, "{what} did not happen; last list:\n{listed:#}");
        std::thread::sleep(Duration::from_millis(100));
    }
}

#[test]
fn two_nodes_found_and_sign_an_alliance_through_the_cli() {
    let alpha = Peer::start("CERT-Alpha");
    let beta = Peer::start("CERT-Beta");
    recognize(&alpha, &beta, "CERT-Beta");
    recognize(&beta, &alpha, "CERT-Alpha");
    alpha.wait_for("CERT-Beta", "recognition", |shown| state(shown) == "recognized");
    beta.wait_for("CERT-Alpha", "recognition", |shown| state(shown) == "recognized");

    // Nothing held yet: the error says what to do.
    alpha.run(&["alliance", "sign", "Sahel"]).assert_failure_mentioning("entente alliance found");
    let template = alpha.run(&["alliance", "template", "--with", "CERT-Beta"]);
    template.assert_success();
    assert!(template.stdout.contains("// "), "the template explains itself");
    let charter = alpha.file("charter.json", &template.stdout);
    let founded = alpha.json(&["alliance", "found", "--charter", path_str(&charter), "--json"]);
    assert_eq!(founded["kind"], "found");
    assert_eq!(founded["delivery"], "queued");
    let id = founded["alliance"]["id"].as_str().unwrap().to_owned();
    assert_eq!(founded["alliance"]["founded"], false);
    assert_eq!(founded["alliance"]["missing_founders"], serde_json::json!([beta.id()]));

    // Beta receives the charter with Alpha's signature, signs by name; both agree.
    wait_alliance(&beta, &id, "the charter reaching beta", |view| view["acts"] == 1);
    let shown = beta.run(&["alliance", "show", "Regional Cyber Alliance"]);
    shown.assert_success();
    assert!(
        shown.stdout.contains("Not founded yet") && shown.stdout.contains("CERT-Beta (this node)"),
        "{}",
        shown.stdout
    );
    let signed = beta.json(&["alliance", "sign", "Regional Cyber Alliance", "--json"]);
    assert_eq!(signed["alliance"]["version"], 1);
    let on_alpha = wait_alliance(&alpha, &id, "the founding on alpha", |view| view["version"] == 1);
    assert_eq!(on_alpha["membership_hash"], signed["alliance"]["membership_hash"]);
    let mut members = vec![alpha.id(), beta.id()];
    members.sort();
    assert_eq!(on_alpha["members"], serde_json::json!(members));
    let shown = alpha.json(&["alliance", "show", &id, "--json"]);
    assert_eq!(shown["charter"]["id"], id.as_str());
    assert_eq!(shown["in_force"], true);

    // A second signature is refused with the fold's code, and nothing is sent.
    beta.run(&["alliance", "sign", &id]).assert_failure_mentioning("already-founded");
    // Propose needs exactly one subject.
    alpha.run(&["alliance", "propose", &id]).assert_failure_mentioning("--admit");
}
