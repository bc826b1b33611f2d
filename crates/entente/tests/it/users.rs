//! `entente user add|list|disable|password`: accounts for the web interface; the
//! password comes from ENTENTE_PASSWORD or standard input and is never shown again.

use crate::support::{Node, entente, run, run_in};

#[test]
fn accounts_are_added_listed_disabled_and_their_passwords_never_shown() {
    let node = Node::new();
    let password = "a long enough passphrase";
    let added =
        run_in(&node.dir, &["user", "add", "maria.k", "--role", "admin", "--json"], format!("{password}\n").as_bytes());
    added.assert_success();
    assert_eq!(added.json()["name"], "maria.k");
    assert_eq!(added.json()["role"], "admin");

    let mut command = entente();
    command.env("ENTENTE_PASSWORD", "another long passphrase").arg("--dir").arg(&node.dir);
    command.args(["user", "add", "soc-1", "--role", "analyst"]);
    run(command, b"").assert_success();

    let list = node.run(&["user", "list", "--json"]);
    list.assert_success();
    assert!(!list.stdout.contains(password) && !list.stdout.contains("argon2"), "{}", list.stdout);
    let users = list.json();
    let names: Vec<&str> = users.as_array().expect("a list").iter().filter_map(|u| u["name"].as_str()).collect();
    assert_eq!(names, ["maria.k", "soc-1"]);
    assert!(users[0]["disabled_at"].is_null());

    node.run(&["user", "disable", "maria.k"]).assert_success();
    let users = node.json(&["user", "list", "--json"]);
    assert!(users[0]["disabled_at"].as_i64().is_some(), "{users}");
    node.run(&["user", "disable", "maria.k"]).assert_failure_mentioning("maria.k");
    run_in(&node.dir, &["user", "password", "soc-1"], b"a brand new passphrase\n").assert_success();
}

#[test]
fn bad_names_short_passwords_envoys_and_duplicates_are_refused() {
    let node = Node::new();
    let add = |args: &[&str], stdin: &str| run_in(&node.dir, args, stdin.as_bytes());
    add(&["user", "add", "Maria K", "--role", "admin"], "a long enough passphrase\n")
        .assert_failure_mentioning("user name");
    add(&["user", "add", "maria", "--role", "admin"], "short\n").assert_failure_mentioning("12 characters");
    add(&["user", "add", "maria", "--role", "admin"], "").assert_failure_mentioning("ENTENTE_PASSWORD");
    add(&["user", "add", "maria", "--role", "envoy"], "a long enough passphrase\n").assert_failure_mentioning("envoy");
    add(&["user", "add", "maria", "--role", "admin"], "a long enough passphrase\n").assert_success();
    add(&["user", "add", "maria", "--role", "reader"], "a long enough passphrase\n").assert_failure_mentioning("maria");
    let users = node.json(&["user", "list", "--json"]);
    assert_eq!(users.as_array().expect("a list").len(), 1, "a refused command added an account: {users}");
}
