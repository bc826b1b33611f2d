//! `entente designations`: the three real lists imported together, re-imported
//! without change, a shortened list delisting, the divergence view in its three
//! forms, and an analyst's link changing the grouping.

use crate::support::{Node, shared_data};
use serde_json::Value;

const LISTS: [&str; 3] = [
    "designations/un-consolidated.xml",
    "designations/ofac-sdn.csv",
    "designations/canada-listed-terrorist-entities.json",
];

fn import(node: &Node, files: &[String]) -> Value {
    let mut args = vec!["designations", "import", "--json"];
    args.extend(files.iter().map(String::as_str));
    node.json(&args)
}

fn real_lists() -> Vec<String> {
    LISTS.iter().map(|file| shared_data(file).to_str().expect("UTF-8 path").to_owned()).collect()
}

fn field(summary: &Value, at: usize, name: &str) -> u64 {
    summary[at][name].as_u64().unwrap_or_else(|| panic!("no {name} in {summary}"))
}

/// The one group `--entity` finds.
fn entity(node: &Node, query: &str) -> Value {
    let view = node.json(&["designations", "divergence", "--entity", query, "--json"]);
    let groups = view["groups"].as_array().expect("groups");
    assert_eq!(groups.len(), 1, "{query}: {view}");
    groups[0].clone()
}

#[test]
fn import_reimport_and_divergence_on_the_real_lists() {
    let node = Node::new();
    let first = import(&node, &real_lists());
    assert_eq!((field(&first, 0, "records"), field(&first, 0, "new")), (1003, 1003), "{first}");
    assert_eq!((field(&first, 1, "rows_read"), field(&first, 1, "records")), (7379, 1422), "{first}");
    assert_eq!(field(&first, 2, "records"), 90, "{first}");
    assert_eq!(first[2]["authority"], "ca");

    let again = import(&node, &real_lists());
    for at in 0..3 {
        assert_eq!(field(&again, at, "objects_added"), 0, "{again}");
        assert_eq!(field(&again, at, "new") + field(&again, at, "updated") + field(&again, at, "delisted"), 0);
    }

    // The PKK: listed by Canada and the US under different spellings, not by the UN.
    let pkk = entity(&node, "Kurdistan Workers' Party");
    assert_eq!(pkk["listed_by"], serde_json::json!(["ca", "ofac"]));
    assert_eq!(pkk["not_listed_by"], serde_json::json!(["un"]));
    assert_eq!(pkk["grouping"], "candidate");
    let between = node.json(&["designations", "divergence", "--between", "ca", "un", "--json"]);
    assert_eq!(between["only_a"].as_array().map(Vec::len), Some(62), "{between}");
    assert_eq!(between["both"], 28);

    let csv = node.run(&["designations", "divergence", "--entity", "asbat al-ansar", "--csv"]);
    csv.assert_success();
    let lines: Vec<&str> = csv.stdout.lines().collect();
    assert_eq!(lines.len(), 4, "a header and one line per authority:\n{}", csv.stdout);
    assert!(lines[0].starts_with("side,group,grouping,authority"));
    let text = node.run(&["designations", "divergence", "--entity", "PKK"]);
    assert!(text.assert_success().stdout.contains("not listed by: un"), "{}", text.stdout);
}

#[test]
fn a_shortened_list_delists_and_links_regroup() {
    let node = Node::new();
    let canada = shared_data(LISTS[2]);
    let un = shared_data(LISTS[0]);
    import(&node, &[canada.display().to_string(), un.display().to_string()]);

    // Canada drops the Proud Boys: a new version, status delisted, nothing deleted.
    let mut cluster: Value = serde_json::from_slice(&std::fs::read(&canada).expect("the Canadian list")).expect("JSON");
    let values = cluster["values"].as_array_mut().expect("values");
    let before = values.len();
    values.retain(|value| value["value"] != "Proud Boys");
    assert_eq!(values.len(), before - 1);
    let shorter = node.scratch().join("canada-shorter.json");
    std::fs::write(&shorter, cluster.to_string()).expect("writing the shortened list");
    let summary = import(&node, &[shorter.display().to_string()]);
    assert_eq!((field(&summary, 0, "delisted"), field(&summary, 0, "objects_added")), (1, 1), "{summary}");
    let delisted = node.json(&["designations", "list", "--status", "delisted", "--json"]);
    assert_eq!(delisted.as_array().map(Vec::len), Some(1));
    assert_eq!(delisted[0]["name"], "Proud Boys");
    assert_eq!(entity(&node, "Proud Boys")["not_listed_by"], serde_json::json!(["ca", "un"]));

    // Asbat al-Ansar: a candidate until an analyst confirms; rejecting splits it.
    let asbat = entity(&node, "asbat al ansar");
    assert_eq!(asbat["grouping"], "candidate");
    let ids: Vec<String> = asbat["records"]
        .as_array()
        .expect("records")
        .iter()
        .map(|record| record["entity_id"].as_str().expect("entity id").to_owned())
        .collect();
    node.run(&["designations", "link", &ids[0], &ids[1], "--confirm", "--by", "analyst-1"]).assert_success();
    assert_eq!(entity(&node, "asbat al ansar")["grouping"], "confirmed");
    node.run(&["designations", "link", &ids[0], &ids[1], "--reject", "--note", "test"]).assert_success();
    let split = node.json(&["designations", "divergence", "--entity", "asbat al ansar", "--json"]);
    assert_eq!(split["groups"].as_array().map(Vec::len), Some(2), "{split}");

    node.run(&["designations", "link", &ids[0], "threat-actor--00000000-0000-4000-8000-000000000000", "--confirm"])
        .assert_failure_mentioning("designations list");
    node.run(&["designations", "divergence", "--entity", "no such group anywhere"])
        .assert_failure_mentioning("no designated entity");
}

#[test]
fn unknown_content_is_refused_with_the_formats_named() {
    let node = Node::new();
    let file = node.scratch().join("list.txt");
    std::fs::write(&file, "name,type\nx,y\n").expect("writing");
    node.run(&["designations", "import", file.to_str().expect("UTF-8")])
        .assert_failure_mentioning("UN Consolidated List");
}

#[test]
fn help_teaches_the_formats_and_the_views() {
    let help = |args: &[&str]| {
        let mut command = crate::support::entente();
        command.args(args).arg("--help");
        let run = crate::support::run(command, b"");
        run.assert_success();
        run.stdout
    };
    let top = help(&["designations"]);
    for expected in ["candidates", "never merged", "entente designations divergence --between ca un"] {
        assert!(top.contains(expected), "`designations --help` lacks {expected:?}:\n{top}");
    }
    let import = help(&["designations", "import"]);
    for expected in ["Consolidated List", "SDGT", "MISP galaxy", "delisted", "--authority"] {
        assert!(import.contains(expected), "`designations import --help` lacks {expected:?}:\n{import}");
    }
    let divergence = help(&["designations", "divergence"]);
    assert!(divergence.contains("--between") && divergence.contains("--csv"), "{divergence}");
}
