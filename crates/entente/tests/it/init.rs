//! `entente init`: what it prints, the files it creates and their permissions, that it
//! never touches an existing node, that bad input leaves nothing behind, and that every
//! other command explains how to create a node when there is none.

use crate::support::{Node, entente, run, run_in};
use std::collections::BTreeMap;
use std::path::Path;
use tempfile::TempDir;

#[test]
fn init_json_reports_the_node_and_creates_private_files() {
    let node = Node::new();
    let token = node.created_str("token");
    assert!(token.starts_with("ent_") && token.len() > 20, "token {token:?}");
    assert!(node.created_str("token_id").starts_with("tok_"), "{}", node.created);
    assert!(node.created_str("identity_id").starts_with("identity--"), "{}", node.created);
    let fingerprint = node.created_str("fingerprint");
    assert!(!fingerprint.is_empty() && fingerprint.contains(':'), "fingerprint {fingerprint:?}");
    assert_eq!(node.created_str("api_root"), "intel");
    let collection_id = node.created_str("collection_id");
    assert_eq!(collection_id.len(), 36, "collection id {collection_id:?} should be a hyphenated UUID");
    assert_eq!(collection_id.matches('-').count(), 4, "collection id {collection_id:?}");

    assert!(node.dir.join("entente.db").is_file(), "entente.db missing");
    assert!(node.dir.join("node.key").is_file(), "node.key missing");
    assert!(node.dir.join("encryption.key").is_file(), "encryption.key missing");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = |path: &Path| std::fs::metadata(path).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode(&node.dir), 0o700, "data directory mode");
        assert_eq!(mode(&node.dir.join("node.key")), 0o600, "node.key mode");
        assert_eq!(mode(&node.dir.join("encryption.key")), 0o600, "encryption.key mode");
    }

    // What init announced is what the node holds.
    let roots = node.json(&["api-root", "list", "--json"]);
    assert!(roots.as_array().unwrap().iter().any(|root| root["name"] == "intel"), "{roots}");
    let collections = node.json(&["collection", "list", "--json"]);
    assert!(collections.as_array().unwrap().iter().any(|collection| collection["id"] == collection_id.as_str()));
    let tokens = node.json(&["token", "list", "--json"]);
    let admin = tokens.as_array().unwrap().iter().find(|listed| listed["id"] == node.created["token_id"]);
    assert_eq!(admin.expect("the init token is listed")["role"], "admin");
}

/// Every file of a directory: name → (size, content).
fn snapshot(dir: &Path) -> BTreeMap<String, (u64, Vec<u8>)> {
    std::fs::read_dir(dir)
        .unwrap()
        .map(|entry| {
            let entry = entry.unwrap();
            let content = std::fs::read(entry.path()).unwrap();
            (entry.file_name().to_string_lossy().into_owned(), (entry.metadata().unwrap().len(), content))
        })
        .collect()
}

#[test]
fn second_init_fails_and_changes_nothing() {
    let node = Node::new();
    let before = snapshot(&node.dir);
    assert!(before.contains_key("node.key") && before.contains_key("entente.db"), "{:?}", before.keys());

    let again = node.run(&["init", "--name", "Someone Else", "--kind", "company", "--json"]);
    again.assert_failure_mentioning("already holds a node");
    assert!(again.stdout.trim().is_empty(), "no token may be printed: {}", again.stdout);

    let after = snapshot(&node.dir);
    assert_eq!(before.keys().collect::<Vec<_>>(), after.keys().collect::<Vec<_>>(), "file names changed");
    for (name, (size, content)) in &before {
        assert_eq!(*size, after[name].0, "size of {name} changed");
        if name == "node.key" {
            assert!(*content == after[name].1, "node.key content changed");
        }
    }
    // The original node still works, with its original admin token.
    let tokens = node.json(&["token", "list", "--json"]);
    assert_eq!(tokens.as_array().unwrap().len(), 1, "{tokens}");
    assert_eq!(tokens[0]["id"], node.created["token_id"]);
}

#[test]
fn invalid_init_input_fails_clearly_and_leaves_no_node() {
    let temp = TempDir::new().unwrap();
    let dir = temp.path().join("node");
    let cases: [(&[&str], &str); 4] = [
        (&["--name", "CERT", "--country", "FRA"], "ISO 3166-1"),
        (&["--name", ""], "node name"),
        (&["--name", "   "], "node name"),
        (&["--name", "CERT", "--kind", "empire"], "empire"),
    ];
    for (args, message) in cases {
        let mut full = vec!["init"];
        full.extend_from_slice(args);
        let failed = run_in(&dir, &full, b"");
        failed.assert_failure_mentioning(message);
        assert!(!dir.join("entente.db").exists(), "{args:?} left a database behind");
        assert!(!dir.join("node.key").exists(), "{args:?} left a key behind");
    }
    let valid = run_in(&dir, &["init", "--name", "CERT", "--country", "fr", "--json"], b"");
    valid.assert_success();
    assert!(valid.json()["token"].as_str().unwrap().starts_with("ent_"));
}

#[test]
fn entente_dir_variable_selects_the_node() {
    let temp = TempDir::new().unwrap();
    let dir = temp.path().join("from-env");
    let mut init = entente();
    init.env("ENTENTE_DIR", &dir).args(["init", "--name", "Env Node", "--json"]);
    let created = run(init, b"");
    created.assert_success();
    assert!(dir.join("entente.db").is_file(), "ENTENTE_DIR was not used");
    assert_eq!(created.json()["dir"], dir.to_str().unwrap());

    // The same node is reached through the variable and through --dir.
    let mut list = entente();
    list.env("ENTENTE_DIR", &dir).args(["token", "list", "--json"]);
    let through_env = run(list, b"");
    through_env.assert_success();
    let through_flag = run_in(&dir, &["token", "list", "--json"], b"");
    assert_eq!(through_env.json(), through_flag.json());
    assert_eq!(through_env.json()[0]["id"], created.json()["token_id"]);
}

#[test]
fn commands_without_a_node_point_to_init() {
    let temp = TempDir::new().unwrap();
    let dir = temp.path().join("empty");
    let commands: [&[&str]; 8] = [
        &["token", "list"],
        &["token", "create", "--role", "reader"],
        &["api-root", "list"],
        &["collection", "list"],
        &["intel", "export"],
        &["intel", "import", "-"],
        &["serve", "--listen", "127.0.0.1:0"],
        &["api-root", "create", "shared", "--title", "Shared"],
    ];
    for args in commands {
        let failed = run_in(&dir, args, b"");
        failed.assert_failure_mentioning("entente init");
        assert!(!dir.exists(), "{args:?} created {}", dir.display());
    }
}
