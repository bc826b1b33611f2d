//! `entente token create|list|revoke`: a secret is printed once and never again, a
//! revocation shows in the list, and mistakes (revoking twice, unknown roles) fail.

use crate::support::Node;
use serde_json::Value;

fn listed<'a>(tokens: &'a Value, id: &str) -> &'a Value {
    tokens.as_array().unwrap().iter().find(|token| token["id"] == id).unwrap_or_else(|| panic!("{id} not in {tokens}"))
}

#[test]
fn reader_token_is_created_listed_without_secret_and_revoked() {
    let node = Node::new();
    let created = node.json(&["token", "create", "--role", "reader", "--name", "siem", "--json"]);
    let secret = created["token"].as_str().expect("the secret is printed once");
    let id = created["id"].as_str().expect("the token id");
    assert!(secret.starts_with("ent_"), "{created}");
    assert!(id.starts_with("tok_"), "{created}");
    assert_eq!(created["role"], "reader");
    assert_eq!(created["name"], "siem");

    let list = node.run(&["token", "list", "--json"]);
    list.assert_success();
    for hidden in [secret, node.created["token"].as_str().unwrap()] {
        assert!(!list.stdout.contains(hidden), "a secret leaked into `token list --json`");
        assert!(!list.stderr.contains(hidden), "a secret leaked into the logs");
    }
    let tokens = list.json();
    assert_eq!(tokens.as_array().unwrap().len(), 2, "{tokens}");
    let siem = listed(&tokens, id);
    assert_eq!(siem["role"], "reader");
    assert_eq!(siem["name"], "siem");
    assert!(siem["revoked_at"].is_null(), "{siem}");
    assert!(siem.get("token").is_none() && siem.get("hash").is_none(), "{siem}");
    let text = node.run(&["token", "list"]);
    text.assert_success();
    assert!(text.stdout.contains(id) && !text.stdout.contains(secret), "{}", text.stdout);

    let revoked = node.run(&["token", "revoke", id]);
    revoked.assert_success();
    assert!(revoked.stdout.contains(id), "{}", revoked.stdout);
    let tokens = node.json(&["token", "list", "--json"]);
    let siem = listed(&tokens, id);
    let revoked_at = siem["revoked_at"].as_i64().expect("revoked_at is set");
    assert!(revoked_at >= siem["created_at"].as_i64().unwrap(), "{siem}");
    let admin = listed(&tokens, node.created["token_id"].as_str().unwrap());
    assert!(admin["revoked_at"].is_null(), "revoking one token touched another: {admin}");

    node.run(&["token", "revoke", id]).assert_failure_mentioning(id);
    let unchanged = node.json(&["token", "list", "--json"]);
    assert_eq!(listed(&unchanged, id)["revoked_at"], siem["revoked_at"], "a second revoke moved revoked_at");
}

#[test]
fn unknown_roles_and_tokens_are_refused() {
    let node = Node::new();
    node.run(&["token", "create", "--role", "root"]).assert_failure_mentioning("root");
    node.run(&["token", "revoke", "tok_000000000000"]).assert_failure_mentioning("tok_000000000000");
    let tokens = node.json(&["token", "list", "--json"]);
    assert_eq!(tokens.as_array().unwrap().len(), 1, "a refused command created a token: {tokens}");
}

#[test]
fn every_created_token_is_distinct() {
    let node = Node::new();
    let first = node.json(&["token", "create", "--role", "analyst", "--json"]);
    let second = node.json(&["token", "create", "--role", "analyst", "--json"]);
    assert_ne!(first["token"], second["token"]);
    assert_ne!(first["id"], second["id"]);
    assert_ne!(first["token"], node.created["token"]);
}

#[test]
fn a_reader_that_goes_away_ends_the_output_without_a_panic() {
    let node = Node::new();
    let mut command = crate::support::entente();
    command.arg("--dir").arg(&node.dir).args(["token", "list", "--json"]);
    command.stdout(std::process::Stdio::piped()).stderr(std::process::Stdio::piped());
    let mut child = command.spawn().expect("spawning entente");
    // Closed before the process gets to print, as `| head -0` would.
    drop(child.stdout.take());
    let output = child.wait_with_output().expect("waiting for entente");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(!stderr.contains("panicked"), "{stderr}");
    assert!(output.status.success(), "{:?}: {stderr}", output.status);
}
