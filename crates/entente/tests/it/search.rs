//! `entente search`: the operator finds imported intelligence by name, pattern value
//! and filters; bad filters fail with a message that says what to do.

use crate::support::{Node, shared_data};

#[test]
fn imported_examples_are_found_by_words_values_and_filters() {
    let node = Node::new();
    let apt1 = shared_data("stix-examples/apt1.json");
    node.run(&["intel", "import", apt1.to_str().expect("path")]).assert_success();

    let found = node.json(&["search", "comment", "crew", "--json"]);
    let found = found.as_array().expect("a list");
    assert!(!found.is_empty());
    assert!(found[0]["object"]["name"].as_str().is_some(), "{:?}", found[0]);
    let only_identities = node.json(&["search", "--type", "identity", "--json"]);
    assert!(only_identities.as_array().expect("a list").iter().all(|hit| hit["type"] == "identity"));

    let text = node.run(&["search", "nothing-like-this-anywhere"]);
    text.assert_success();
    assert!(text.stdout.contains("Nothing found"), "{}", text.stdout);
    node.run(&["search", "x", "--since", "yesterday"]).assert_failure_mentioning("RFC 3339");

    let help = node.run(&["search", "--help"]);
    help.assert_success();
    for expected in ["phrase", "prefix", "TLP:GREEN", "--json", "Examples"] {
        assert!(help.stdout.contains(expected), "`search --help` lacks {expected:?}:\n{}", help.stdout);
    }
}
