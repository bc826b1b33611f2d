//! `entente intel import`: bundles, JSON lines, standard input and gzip; the summary and
//! exit status (2 when objects were rejected); idempotence; and what happens to the
//! objects read before a JSON syntax error.

use crate::support::{Node, indicator, objects_in, paths, shared_data, stix_examples, write_lines};
use serde_json::{Value, json};

fn count(summary: &Value, field: &str) -> u64 {
    summary[field].as_u64().unwrap_or_else(|| panic!("summary lacks {field}: {summary}"))
}

/// The ids in a default export of the node's collection.
fn exported_ids(node: &Node) -> Vec<String> {
    let run = node.run(&["intel", "export"]);
    run.assert_success();
    run.json()["objects"].as_array().unwrap().iter().map(|object| object["id"].as_str().unwrap().to_owned()).collect()
}

#[test]
fn examples_import_cleanly_and_a_second_import_adds_nothing() {
    let node = Node::new();
    let files = stix_examples();
    let total: u64 = files.iter().map(|file| objects_in(file).len() as u64).sum();
    let mut args = vec!["intel", "import", "--json"];
    args.extend(paths(&files));

    let first = node.run(&args);
    first.assert_success();
    let first = first.json();
    assert!(count(&first, "added") > 0, "{first}");
    assert_eq!(count(&first, "rejected"), 0, "{first}");
    assert_eq!(first["rejections"], json!([]));
    // The examples repeat one identity verbatim, so it is "already present" the second time it is read.
    assert_eq!(count(&first, "added") + count(&first, "already_present"), total, "{first}");

    let second = node.run(&args);
    assert_eq!(second.code(), Some(0), "{}", second.stderr);
    let second = second.json();
    assert_eq!(count(&second, "added"), 0, "{second}");
    assert_eq!(count(&second, "rejected"), 0, "{second}");
    assert_eq!(count(&second, "already_present"), total, "{second}");
}

#[test]
fn rejected_objects_are_reported_with_exit_status_2() {
    let node = Node::new();
    let mut missing_pattern = indicator(2, "2024-01-01T00:00:00.000Z", "198.51.100.2");
    missing_pattern.as_object_mut().unwrap().remove("pattern");
    let bad_id = missing_pattern["id"].as_str().unwrap().to_owned();
    let lines = [
        indicator(1, "2024-01-01T00:00:00.000Z", "198.51.100.1"),
        missing_pattern,
        indicator(3, "2024-01-01T00:00:00.000Z", "198.51.100.3"),
    ];
    let file = write_lines(node.scratch(), "mixed.jsonl", &lines);

    let run = node.run(&["intel", "import", "--json", file.to_str().unwrap()]);
    assert_eq!(run.code(), Some(2), "stderr: {}", run.stderr);
    let summary = run.json();
    assert_eq!(count(&summary, "added"), 2, "{summary}");
    assert_eq!(count(&summary, "rejected"), 1, "{summary}");
    let reasons = summary["rejections"].as_array().unwrap();
    assert_eq!(reasons.len(), 1, "{summary}");
    let reason = reasons[0].as_str().unwrap();
    assert!(reason.contains(&bad_id) && reason.contains("pattern"), "reason {reason:?}");

    let ids = exported_ids(&node);
    assert!(!ids.contains(&bad_id), "the rejected object was stored");
    assert!(
        ids.contains(&lines[0]["id"].as_str().unwrap().to_owned())
            && ids.contains(&lines[2]["id"].as_str().unwrap().to_owned()),
        "the valid objects beside the rejected one must be kept: {ids:?}"
    );

    // The text summary says the same to a person.
    let text = node.run(&["intel", "import", file.to_str().unwrap()]);
    assert_eq!(text.code(), Some(2));
    assert!(text.stdout.contains("rejected 1") && text.stdout.contains(&bad_id), "{}", text.stdout);
}

#[test]
fn a_changed_object_under_the_same_version_is_rejected() {
    let node = Node::new();
    let original = write_lines(node.scratch(), "a.jsonl", &[indicator(7, "2024-01-01T00:00:00.000Z", "198.51.100.7")]);
    node.run(&["intel", "import", original.to_str().unwrap()]).assert_success();
    let changed = write_lines(node.scratch(), "b.jsonl", &[indicator(7, "2024-01-01T00:00:00.000Z", "203.0.113.7")]);
    let run = node.run(&["intel", "import", "--json", changed.to_str().unwrap()]);
    assert_eq!(run.code(), Some(2), "{}", run.stderr);
    let reason = run.json()["rejections"][0].as_str().unwrap().to_owned();
    assert!(
        reason.contains("indicator--00000000-0000-4000-8000-000000000007") && reason.contains("modified"),
        "{reason}"
    );
}

#[test]
fn standard_input_is_read_for_dash() {
    let node = Node::new();
    let object = indicator(4, "2024-01-01T00:00:00.000Z", "198.51.100.4");
    let bundle = json!({"type": "bundle", "id": "bundle--00000000-0000-4000-8000-000000000001", "objects": [object]});
    let run = node.run_with_stdin(&["intel", "import", "--json", "-"], bundle.to_string().as_bytes());
    run.assert_success();
    assert_eq!(count(&run.json(), "added"), 1, "{}", run.stdout);
    assert!(exported_ids(&node).contains(&object["id"].as_str().unwrap().to_owned()));

    let empty = node.run_with_stdin(&["intel", "import", "--json", "-"], b"\n");
    empty.assert_success();
    let summary = empty.json();
    for field in ["added", "already_present", "rejected"] {
        assert_eq!(count(&summary, field), 0, "{summary}");
    }
}

#[test]
fn gzip_files_and_gzip_on_standard_input_are_unwrapped() {
    let node = Node::new();
    let archive = shared_data("attack/ics-attack-18.1.json.gz");
    let run = node.run(&["intel", "import", "--json", archive.to_str().unwrap()]);
    run.assert_success();
    let summary = run.json();
    let added = count(&summary, "added");
    assert!(added > 1000, "the ICS ATT&CK bundle holds well over 1000 objects: {summary}");
    assert_eq!(count(&summary, "rejected"), 0, "{summary}");

    // More than one export page (1000 rows): every object comes back, plus the node's identity.
    assert_eq!(exported_ids(&node).len() as u64, added + 1);

    let again = node.run_with_stdin(&["intel", "import", "--json", "-"], &std::fs::read(&archive).unwrap());
    again.assert_success();
    assert_eq!(count(&again.json(), "already_present"), added, "{}", again.stdout);
}

#[test]
fn malformed_json_stops_the_import_but_keeps_what_came_before() {
    let node = Node::new();
    let kept = indicator(5, "2024-01-01T00:00:00.000Z", "198.51.100.5");
    let text = format!(
        "{{\"type\":\"bundle\",\"id\":\"bundle--x\",\"objects\":[\n{kept},\n{{\"type\": \"indicator\", \"id\": }}\n]}}\n"
    );
    let file = node.scratch().join("broken.json");
    std::fs::write(&file, text).unwrap();

    let run = node.run(&["intel", "import", "--json", file.to_str().unwrap()]);
    assert!(!run.status.success(), "a syntax error must fail the import");
    assert!(run.stderr.contains("line 3") && run.stderr.contains("column"), "stderr: {}", run.stderr);
    assert!(run.stderr.contains("broken.json"), "the file is named: {}", run.stderr);
    assert!(
        exported_ids(&node).contains(&kept["id"].as_str().unwrap().to_owned()),
        "the object before the error was lost"
    );
}

#[test]
fn missing_files_and_collections_fail() {
    let node = Node::new();
    let missing = node.scratch().join("nope.json");
    node.run(&["intel", "import", missing.to_str().unwrap()]).assert_failure_mentioning("nope.json");
    let file = write_lines(node.scratch(), "one.jsonl", &[indicator(6, "2024-01-01T00:00:00.000Z", "198.51.100.6")]);
    let wrong = ["intel", "import", "--collection", "no-such-collection", file.to_str().unwrap()];
    node.run(&wrong).assert_failure_mentioning("no-such-collection");
    node.run(&["intel", "import"]).assert_failure_mentioning("FILES");
}
