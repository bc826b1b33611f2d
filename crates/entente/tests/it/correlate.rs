//! `entente intel correlate`: who else knows this, by object id or raw value, for
//! people and for scripts; the per-value cap; refusals that say what to give.

use crate::support::{Node, indicator, write_lines};

const MODIFIED: &str = "2024-02-01T00:00:00.000Z";

#[test]
fn correlate_lists_the_other_holders_of_an_objects_values() {
    let node = Node::new();
    let lines = [
        indicator(1, MODIFIED, "203.0.113.9"),
        indicator(2, MODIFIED, "203.0.113.9"),
        indicator(3, MODIFIED, "203.0.113.0/24"),
    ];
    let file = write_lines(node.scratch(), "shared.jsonl", &lines);
    node.run(&["intel", "import", file.to_str().expect("path")]).assert_success();
    let first = lines[0]["id"].as_str().expect("id");

    let answer = node.json(&["intel", "correlate", first, "--json"]);
    assert_eq!(answer["object"], first);
    assert_eq!(answer["values"][0]["value"], "203.0.113.9");
    let correlations = answer["values"][0]["correlations"].as_array().expect("correlations");
    let links: Vec<(&str, &str)> = correlations
        .iter()
        .map(|found| (found["link"].as_str().expect("link"), found["objects"][0]["id"].as_str().expect("id")))
        .collect();
    assert_eq!(
        links,
        [("same", lines[1]["id"].as_str().expect("id")), ("containing-network", lines[2]["id"].as_str().expect("id"))]
    );
    assert_eq!(correlations[0]["objects"][0]["received_from"], serde_json::Value::Null);
    assert_eq!(correlations[0]["sources"], serde_json::json!(["local"]));

    let text = node.run(&["intel", "correlate", "203.0.113.0/24"]);
    text.assert_success();
    assert!(text.stdout.contains("contained 203.0.113.9") && text.stdout.contains("added here"), "{}", text.stdout);

    // Over the cap, a value is reported without its holders.
    node.run(&["intel", "correlate", "--cap", "1"]).assert_success();
    let more = write_lines(node.scratch(), "more.jsonl", &[indicator(4, MODIFIED, "203.0.113.9")]);
    node.run(&["intel", "import", more.to_str().expect("path")]).assert_success();
    let capped = node.json(&["intel", "correlate", "203.0.113.9", "--json"]);
    assert_eq!(capped["values"][0]["correlations"][0]["over_correlated"], true, "{capped}");
}

#[test]
fn correlate_says_what_to_give_when_it_cannot_read_the_target() {
    let node = Node::new();
    node.run(&["intel", "correlate", "not a value"]).assert_failure_mentioning("give an IP, CIDR, domain");
    node.run(&["intel", "correlate", "indicator--00000000-0000-4000-8000-000000000042"])
        .assert_failure_mentioning("no object");
    node.run(&["intel", "correlate", "--reindex"]).assert_success();
}

#[test]
fn correlate_help_teaches_by_example() {
    let help = Node::new().run(&["intel", "correlate", "--help"]);
    help.assert_success();
    for expected in
        ["Who else knows this?", "entente intel correlate 198.51.100.7", "--cap", "--reindex", "over-correlated"]
    {
        assert!(help.stdout.contains(expected), "`intel correlate --help` lacks {expected:?}:\n{}", help.stdout);
    }
}
