//! `entente relations …` and `entente treaty …`: two real nodes, each with its own
//! data directory and its own `entente serve` on a loopback port, establish relations
//! through the CLI alone — contact, recognition, a proposal, acceptance and both
//! signatures — while the servers carry the notes between them.

use crate::peer::{Peer, path_str, state};
use crate::support::run_in;
use entente_core::treaty::{Treaty, parse_template};
use serde_json::Value;
use std::path::Path;
use std::time::Duration;
use tempfile::TempDir;

fn note_count(shown: &Value) -> usize {
    shown["notes"].as_array().unwrap().len()
}

#[test]
fn two_nodes_contact_recognize_negotiate_and_sign_a_treaty() {
    let alpha = Peer::start("CERT-Alpha");
    let beta = Peer::start("CERT-Beta");

    // First contact: each fetches the other's card and sees the fingerprint its
    // operator printed at `init`.
    let contact = alpha.run(&["relations", "contact", &beta.url]);
    contact.assert_success();
    assert!(contact.stdout.contains(&beta.fingerprint()), "{}", contact.stdout);
    assert!(contact.stdout.contains("out of band") || contact.stdout.contains("channel you already trust"));
    let card_url = format!("{}/.well-known/entente", alpha.url);
    let contacted = beta.json(&["relations", "contact", &card_url, "--json"]);
    assert_eq!(contacted["fingerprint"], alpha.fingerprint());
    assert_eq!(contacted["node_id"], alpha.id());
    assert_eq!(contacted["state"], "contact");

    // A wrong fingerprint, or a public URL where this node is not served, sends nothing.
    alpha
        .run(&[
            "relations",
            "recognize",
            "CERT-Beta",
            "--fingerprint",
            &alpha.fingerprint(),
            "--public-url",
            &alpha.url,
        ])
        .assert_failure_mentioning("matches none")
        .assert_failure_mentioning("Nothing was sent");
    alpha
        .run(&["relations", "recognize", "CERT-Beta", "--fingerprint", &beta.fingerprint(), "--public-url", &beta.url])
        .assert_failure_mentioning("another node");
    assert_eq!(note_count(&alpha.json(&["relations", "show", "CERT-Beta", "--json"])), 0);

    // Recognition on both sides; separators and case of a fingerprint do not matter.
    let spoken = beta.fingerprint().replace(':', " ").to_lowercase();
    let recognized = alpha.json(&[
        "relations",
        "recognize",
        &beta.id(),
        "--fingerprint",
        &spoken,
        "--public-url",
        &alpha.url,
        "--json",
    ]);
    assert_eq!(recognized["kind"], "recognize");
    assert_eq!(recognized["delivery"], "queued");
    assert_eq!(recognized["relation"]["recognized_by_us"], true);
    beta.json(&[
        "relations",
        "recognize",
        "CERT-Alpha",
        "--fingerprint",
        &alpha.fingerprint(),
        "--public-url",
        &beta.url,
        "--json",
    ]);
    alpha.wait_for("CERT-Beta", "recognition on alpha", |shown| state(shown) == "recognized");
    beta.wait_for("CERT-Alpha", "recognition on beta", |shown| state(shown) == "recognized");

    // Alpha proposes the template filled in with both node ids.
    let template = alpha.run(&["treaty", "template", "--with", "CERT-Beta"]);
    template.assert_success();
    let draft = parse_template(&template.stdout).expect("the filled-in template is a treaty");
    let parties: Vec<String> = draft.parties().iter().map(ToString::to_string).collect();
    assert_eq!(parties, [alpha.id(), beta.id()]);
    let treaty_file = alpha.file("treaty.json", &template.stdout);
    let proposed = alpha.json(&["relations", "propose", "CERT-Beta", "--treaty", path_str(&treaty_file), "--json"]);
    let hash = draft.hash().to_string();
    assert_eq!(proposed["relation"]["state"], "negotiating");
    assert_eq!(proposed["relation"]["draft"], hash.as_str());
    beta.wait_for("CERT-Alpha", "the proposal reaching beta", |shown| shown["relation"]["draft"] == hash.as_str());

    // Beta reads the draft from its own store and counters it with a shorter notice
    // period, starting from the skeleton `treaty next` writes.
    let shown = beta.json(&["treaty", "show", &hash, "--json"]);
    assert_eq!(shown["hash"], hash.as_str());
    assert_eq!(shown["complete"], false);
    assert_eq!(shown["missing"].as_array().unwrap().len(), 2);
    let text = beta.run(&["treaty", "show", &hash]);
    text.assert_success();
    for expected in ["CERT-Alpha", "TLP ceiling", "Notice period: 90", "Re-sharing: to nobody", &hash] {
        assert!(text.stdout.contains(expected), "`treaty show` lacks {expected:?}:\n{}", text.stdout);
    }
    let skeleton = beta.run(&["treaty", "next", "CERT-Alpha"]);
    skeleton.assert_success();
    assert!(skeleton.stdout.contains("entente relations counter CERT-Alpha"), "{}", skeleton.stdout);
    let counter_text = skeleton.stdout.replace("\"notice_period_days\": 90", "\"notice_period_days\": 30");
    let counter = parse_template(&counter_text).expect("`treaty next` writes a treaty");
    assert_eq!(counter.version(), 2);
    assert_eq!(counter.supersedes().map(ToString::to_string), Some(hash.clone()));
    let counter_file = beta.file("counter.json", &counter_text);
    beta.json(&["relations", "counter", "CERT-Alpha", "--treaty", path_str(&counter_file), "--json"]);
    let hash = counter.hash().to_string();
    alpha.wait_for("CERT-Beta", "the counter-proposal reaching alpha", |shown| {
        shown["relation"]["draft"] == hash.as_str()
    });

    // Alpha accepts exactly the text it read.
    let other = format!("sha256:{}", "0".repeat(64));
    alpha.run(&["relations", "accept", "CERT-Beta", "--draft", &other]).assert_failure_mentioning(&hash);
    alpha.json(&["relations", "accept", "CERT-Beta", "--draft", &hash, "--json"]);
    beta.wait_for("CERT-Alpha", "the acceptance reaching beta", |shown| shown["relation"]["draft_accepted"] == true);

    // Both sign, one after the other; the treaty is then in force on both sides.
    alpha.json(&["relations", "sign", "CERT-Beta", "--json"]);
    beta.wait_for("CERT-Alpha", "alpha's signature reaching beta", |shown| note_count(shown) == 6);
    let signed = beta.json(&["relations", "sign", "CERT-Alpha", "--json"]);
    assert_eq!(signed["relation"]["state"], "in-force");
    let on_alpha = alpha.wait_for("CERT-Beta", "the treaty in force on alpha", |shown| state(shown) == "in-force");
    let on_beta = beta.json(&["relations", "show", "CERT-Alpha", "--json"]);
    assert_eq!(on_alpha["relation"]["treaty_in_force"], hash.as_str());
    assert_eq!(on_beta["relation"]["treaty_in_force"], hash.as_str());

    // Both sides hold the same seven notes, each sent by one and received by the other.
    let mirror = |side: &Value| -> Vec<(String, String)> {
        side["notes"]
            .as_array()
            .unwrap()
            .iter()
            .map(|note| (note["id"].as_str().unwrap().to_owned(), note["kind"].as_str().unwrap().to_owned()))
            .collect()
    };
    let (mut alpha_notes, mut beta_notes) = (mirror(&on_alpha), mirror(&on_beta));
    alpha_notes.sort();
    beta_notes.sort();
    assert_eq!(alpha_notes, beta_notes);
    let kinds: Vec<&str> =
        on_alpha["notes"].as_array().unwrap().iter().map(|note| note["kind"].as_str().unwrap()).collect();
    for kind in ["recognize", "propose", "counter", "accept", "sign"] {
        assert!(kinds.contains(&kind), "{kinds:?}");
    }
    for note in on_alpha["notes"].as_array().unwrap() {
        let twin = on_beta["notes"].as_array().unwrap().iter().find(|other| other["id"] == note["id"]).unwrap();
        assert_ne!(note["direction"], twin["direction"], "{note}");
    }
    assert_eq!(on_alpha["awaiting_delivery"], 0);

    // The signed treaty verifies on the other node with the keys it pinned.
    let exported = alpha.json(&["treaty", "show", &hash, "--json"]);
    assert_eq!(exported["complete"], true);
    assert_eq!(exported["in_force"], true);
    let signed_file = beta.file("signed.json", &exported["document"].to_string());
    let verified = beta.run(&["treaty", "verify", path_str(&signed_file)]);
    verified.assert_success();
    assert!(verified.stdout.contains("Verified"), "{}", verified.stdout);

    // A tampered signature is named, and the exit status says so.
    let mut tampered = exported["document"].clone();
    let signature = tampered["signatures"][0]["signature"].as_str().unwrap().to_owned();
    let flipped = if signature.starts_with('A') { "B" } else { "A" };
    tampered["signatures"][0]["signature"] = Value::from(format!("{flipped}{}", &signature[1..]));
    let tampered_file = beta.file("tampered.json", &tampered.to_string());
    let refused = beta.run(&["treaty", "verify", path_str(&tampered_file), "--json"]);
    assert_eq!(refused.code(), Some(2), "{}\n{}", refused.stdout, refused.stderr);
    assert_eq!(refused.json()["complete"], false);

    // Alpha accredits beta's envoy; the credential works while the treaty is in force.
    let envoy = alpha.json(&["relations", "accredit", "CERT-Beta", "--name", "envoy of beta", "--json"]);
    let envoy_token = envoy["token"].as_str().unwrap().to_owned();
    assert_eq!(envoy["treaty"], hash.as_str());
    assert_eq!(http_status(&alpha.url, "/taxii2/", &envoy_token).0, 200);

    // Suspension stops the treaty on both sides until the suspending side resumes it,
    // and the envoy's credential with it.
    alpha.json(&["relations", "suspend", "CERT-Beta", "--reason", "audit of our mail relay", "--json"]);
    let (status, body) = http_status(&alpha.url, "/taxii2/", &envoy_token);
    assert_eq!(status, 403, "{body}");
    assert!(body.contains("relation-not-in-force"), "{body}");
    alpha.run(&["relations", "accredit", "CERT-Beta"]).assert_failure_mentioning("treaty in force");
    beta.wait_for("CERT-Alpha", "the suspension reaching beta", |shown| state(shown) == "suspended");
    beta.run(&["relations", "resume", "CERT-Alpha"]).assert_failure_mentioning("allowed for the local side");
    alpha.json(&["relations", "resume", "CERT-Beta", "--json"]);
    beta.wait_for("CERT-Alpha", "the resumption reaching beta", |shown| state(shown) == "in-force");
    assert_eq!(http_status(&alpha.url, "/taxii2/", &envoy_token).0, 200);

    // The human views name the state and the history.
    let listed = alpha.json(&["relations", "list", "--json"]);
    assert_eq!(listed.as_array().unwrap().len(), 1);
    assert_eq!(listed[0]["state"], "in-force");
    let history = alpha.run(&["relations", "show", "CERT-Beta"]);
    history.assert_success();
    let reason = "reason: \"audit of our mail relay\"";
    for expected in ["State: in-force", "sent      accept", "received  counter", reason, &hash] {
        assert!(history.stdout.contains(expected), "`relations show` lacks {expected:?}:\n{}", history.stdout);
    }

    // Notice of termination: the treaty stays in force for its notice period, and both
    // sides say when it ends.
    let terminated = alpha.run(&["relations", "terminate", "CERT-Beta", "--reason", "the programme ends"]);
    terminated.assert_success();
    assert!(terminated.stdout.contains("Notice of termination given"), "{}", terminated.stdout);
    let noticed = beta.wait_for("CERT-Alpha", "the notice reaching beta", |shown| {
        !shown["relation"]["termination_effective"].is_null()
    });
    assert_eq!(state(&noticed), "in-force");
    // A notice still running ends nothing: there is no ending to carry out.
    let settled = alpha.run(&["sync", "settle"]);
    settled.assert_success();
    assert!(settled.stdout.contains("Nothing to carry out"), "{}", settled.stdout);
    assert_eq!(alpha.json(&["sync", "settle", "--json"]), serde_json::json!([]));
}

#[test]
fn the_treaty_template_is_a_valid_treaty_once_its_comments_are_removed() {
    let temp = TempDir::new().unwrap();
    let dir = temp.path().join("none");
    let template = run_in(&dir, &["treaty", "template"], b"");
    template.assert_success();
    assert!(template.stdout.lines().filter(|line| line.trim_start().starts_with("//")).count() > 10);
    let treaty = parse_template(&template.stdout).expect("the template parses");
    let plain = run_in(&dir, &["treaty", "template", "--json"], b"");
    plain.assert_success();
    assert_eq!(Treaty::parse(&plain.json()).unwrap().hash(), treaty.hash());

    // `treaty show` reads a file without a node, comments and all.
    let file = temp.path().join("template.json");
    std::fs::write(&file, &template.stdout).unwrap();
    let shown = run_in(&dir, &["treaty", "show", path_str(&file), "--json"], b"");
    shown.assert_success();
    assert_eq!(shown.json()["hash"], treaty.hash().as_str());
    let described = run_in(&dir, &["treaty", "show", "-"], template.stdout.as_bytes());
    described.assert_success();
    assert!(described.stdout.contains("permitted actions"), "{}", described.stdout);
    assert!(described.stdout.contains("When it ends (keep)"), "{}", described.stdout);
    assert!(described.stdout.contains("the text does not say"), "{}", described.stdout);
    // Removing the `//` of the commented `on_termination` line asks for a purge.
    let purging = template.stdout.replace("// \"on_termination\"", "\"on_termination\"");
    let described = run_in(&dir, &["treaty", "show", "-"], purging.as_bytes());
    described.assert_success();
    assert!(described.stdout.contains("When it ends (purge): each party deletes"), "{}", described.stdout);
}

#[test]
fn moves_towards_unknown_partners_are_refused_with_what_to_do() {
    let node = crate::support::Node::new();
    let template = node.run(&["treaty", "template"]);
    let file = node.scratch().join("treaty.json");
    std::fs::write(&file, &template.stdout).unwrap();
    let stranger = "identity--00000000-0000-4000-8000-000000000002";
    node.run(&["relations", "propose", stranger, "--treaty", path_str(&file)])
        .assert_failure_mentioning("entente relations contact URL");
    node.run(&["relations", "propose", "Nobody", "--treaty", path_str(&file)])
        .assert_failure_mentioning("no partner named \"Nobody\"");
    node.run(&["relations", "show", stranger]).assert_failure_mentioning("make contact first");
    node.run(&["relations", "contact", "http://127.0.0.1:1"]).assert_failure_mentioning("cannot reach");
    node.run(&["relations", "contact", "partner.example.org"]).assert_failure_mentioning("http://");
    let listed = node.json(&["relations", "list", "--json"]);
    assert_eq!(listed, Value::Array(Vec::new()));
}

#[test]
fn relations_help_teaches_the_steps_and_the_delivery() {
    let help = |args: &[&str]| {
        let run = run_in(Path::new("unused"), &[args, &["--help"]].concat(), b"");
        run.assert_success();
        run.stdout
    };
    let relations = help(&["relations"]);
    for expected in ["contact", "recognize", "out of band", "entente serve", "treaty template --with"] {
        assert!(relations.contains(expected), "`relations --help` lacks {expected:?}:\n{relations}");
    }
    let recognize = help(&["relations", "recognize"]);
    assert!(recognize.contains("ENTENTE_PUBLIC_URL") && recognize.contains("--no-url-check"), "{recognize}");
    let verify = help(&["treaty", "verify"]);
    assert!(verify.contains("status 2"), "{verify}");
}

/// A bare HTTP/1.1 GET with a bearer token: the status code and the body.
fn http_status(base: &str, path: &str, token: &str) -> (u16, String) {
    use std::io::{Read, Write};
    let authority = base.trim_start_matches("http://").trim_end_matches('/');
    let mut stream = std::net::TcpStream::connect(authority).expect("connecting to the node");
    stream.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
    let request = format!(
        "GET {path} HTTP/1.1\r\nHost: {authority}\r\nAuthorization: Bearer {token}\r\nConnection: close\r\n\r\n"
    );
    stream.write_all(request.as_bytes()).unwrap();
    let mut response = String::new();
    stream.read_to_string(&mut response).unwrap();
    let status = response.split(' ').nth(1).and_then(|code| code.parse().ok()).unwrap_or(0);
    (status, response)
}
