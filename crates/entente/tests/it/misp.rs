//! `entente intel import|export --format misp` and `intel feed pull`: PyMISP's real
//! events go in (detected as MISP), come out as MISP again with their markings, and a
//! MISP feed is pulled from a directory and over HTTP, the second pull taking nothing.

use crate::support::{Node, shared_data};
use serde_json::{Value, json};
use std::io::{BufRead, BufReader, Write};
use std::net::TcpListener;
use std::path::{Path, PathBuf};

const SEDNIT: &str = "5a3c2fcd-8328-42bb-a95e-4f4402de0b81";
const TLP_WHITE: &str = "marking-definition--613f2e26-407d-48c7-9eca-b8e91df99dc9";

fn sednit_path() -> PathBuf {
    shared_data("misp/pymisp-existing_event.json")
}

fn path_text(path: &Path) -> &str {
    path.to_str().expect("UTF-8 path")
}

fn number(summary: &Value, field: &str) -> u64 {
    summary[field].as_u64().unwrap_or_else(|| panic!("no {field} in {summary}"))
}

/// The exported MISP events, by uuid.
fn misp_export(node: &Node, extra: &[&str]) -> Vec<Value> {
    let mut args = vec!["intel", "export", "--format", "misp"];
    args.extend_from_slice(extra);
    let run = node.run(&args);
    run.assert_success();
    run.json()["response"].as_array().expect("a response list").iter().map(|item| item["Event"].clone()).collect()
}

#[test]
fn pymisp_events_import_as_stix_and_a_second_import_adds_nothing() {
    let node = Node::new();
    let files = [sednit_path(), shared_data("misp/pymisp-event_obj_attr_tag.json")];
    let args = ["intel", "import", "--json", path_text(&files[0]), path_text(&files[1])];
    let first = node.json(&args);
    assert_eq!(number(&first, "rejected"), 0, "{first}");
    // Sednit: 56 indicators, 1 observed data + its URL, 1 carried text, 1 threat actor,
    // 7 malware, 4 tools, the organisation and the report (73); the object event: 2
    // indicators and its report (3).
    assert_eq!(number(&first, "added"), 76, "{first}");
    let second = node.json(&args);
    assert_eq!(number(&second, "added"), 0, "{second}");
    assert_eq!(number(&second, "already_present"), 76, "{second}");

    let bundle = node.json(&["intel", "export"]);
    let objects = bundle["objects"].as_array().expect("objects");
    let report = objects.iter().find(|object| object["id"] == format!("report--{SEDNIT}")).expect("the event's report");
    assert_eq!(report["object_marking_refs"], json!([TLP_WHITE]), "tlp:white is kept as a marking");
    let indicators = objects.iter().filter(|object| object["type"] == "indicator").count();
    assert_eq!(indicators, 58);
    // Every object of the tlp:white event carries the marking, not the report alone.
    let refs = report["object_refs"].as_array().expect("refs");
    for id in refs {
        let object = objects.iter().find(|object| object["id"] == *id).expect("a referenced object is stored");
        assert_eq!(object["object_marking_refs"], json!([TLP_WHITE]), "{object}");
    }
}

#[test]
fn the_misp_export_gives_back_the_events_with_their_tags() {
    let node = Node::new();
    node.run(&["intel", "import", "--format", "misp", path_text(&sednit_path())]).assert_success();
    let events = misp_export(&node, &[]);
    let sednit = events.iter().find(|event| event["uuid"] == SEDNIT).expect("the Sednit event");
    assert_eq!(sednit["info"], "OSINT - Sednit update: How Fancy Bear Spent the Year");
    assert_eq!(sednit["Attribute"].as_array().expect("attributes").len(), 9);
    assert_eq!(sednit["Object"].as_array().expect("objects").len(), 49);
    let tags: Vec<&str> =
        sednit["Tag"].as_array().expect("tags").iter().filter_map(|tag| tag["name"].as_str()).collect();
    assert!(tags.contains(&"tlp:white"), "{tags:?}");
    assert!(tags.contains(&"workflow:state=\"incomplete\""), "{tags:?}");
    assert!(tags.contains(&"misp-galaxy:threat-actor=\"Sofacy\""), "{tags:?}");
    let domains: Vec<&Value> = sednit["Attribute"]
        .as_array()
        .expect("attributes")
        .iter()
        .filter(|attribute| attribute["type"] == "domain")
        .collect();
    assert_eq!(domains.len(), 7);
    assert!(domains.iter().all(|attribute| attribute["to_ids"] == true));
    let galaxies: Vec<&str> =
        sednit["Galaxy"].as_array().expect("galaxies").iter().filter_map(|galaxy| galaxy["type"].as_str()).collect();
    assert!(galaxies.contains(&"threat-actor") && galaxies.contains(&"mitre-malware"), "{galaxies:?}");
}

#[test]
fn an_event_with_a_tlp_tag_of_no_known_level_is_refused_whole() {
    let node = Node::new();
    let event = json!({"Event": {"uuid": "11111111-2222-4333-8444-555555555555", "info": "odd marking",
        "Tag": [{"name": "tlp:ex:chr"}],
        "Attribute": [{"type": "domain", "category": "Network activity", "value": "example.org", "to_ids": true}]}});
    let file = node.scratch().join("odd.json");
    std::fs::write(&file, event.to_string()).expect("writing the event");
    let run = node.run(&["intel", "import", "--json", path_text(&file)]);
    assert_eq!(run.code(), Some(2), "{}", run.stderr);
    let summary = run.json();
    assert_eq!(number(&summary, "added"), 0, "nothing stored without its marking: {summary}");
    assert!(summary["rejections"][0].as_str().expect("a reason").contains("tlp:ex:chr"), "{summary}");
}

/// A feed directory of two events: Sednit and a copy under another uuid.
fn build_feed(dir: &Path) -> Value {
    std::fs::create_dir_all(dir).expect("feed directory");
    let sednit: Value = serde_json::from_slice(&std::fs::read(sednit_path()).expect("Sednit")).expect("JSON");
    let mut copy = sednit.clone();
    copy["uuid"] = json!("6b4d3e2f-1a0b-4c9d-8e7f-6a5b4c3d2e1f");
    copy["info"] = json!("A copy of Sednit");
    let mut manifest = serde_json::Map::new();
    for event in [&sednit, &copy] {
        let uuid = event["uuid"].as_str().expect("uuid");
        std::fs::write(dir.join(format!("{uuid}.json")), json!({ "Event": event }).to_string()).expect("event file");
        manifest.insert(uuid.to_owned(), json!({"info": event["info"], "timestamp": event["timestamp"]}));
    }
    let manifest = Value::Object(manifest);
    std::fs::write(dir.join("manifest.json"), manifest.to_string()).expect("manifest");
    manifest
}

#[test]
fn a_feed_directory_is_pulled_once_then_only_changed_events() {
    let node = Node::new();
    let feed = node.scratch().join("feed");
    let manifest = build_feed(&feed);
    let first = node.json(&["intel", "feed", "pull", path_text(&feed), "--json"]);
    assert_eq!(number(&first, "events_fetched"), 2, "{first}");
    assert!(number(&first, "added") > 73, "{first}");
    assert_eq!(number(&first, "rejected"), 0, "{first}");

    let second = node.json(&["intel", "feed", "pull", path_text(&feed), "--json"]);
    assert_eq!(number(&second, "events_fetched"), 0, "{second}");
    assert_eq!(number(&second, "events_unchanged"), 2, "{second}");
    assert_eq!(number(&second, "added"), 0, "{second}");

    // The publisher changes one event: the next pull fetches that one alone.
    let mut manifest = manifest;
    manifest[SEDNIT]["timestamp"] = json!("1600000000");
    std::fs::write(feed.join("manifest.json"), manifest.to_string()).expect("manifest");
    let third = node.json(&["intel", "feed", "pull", path_text(&feed), "--json"]);
    assert_eq!(number(&third, "events_fetched"), 1, "{third}");
}

#[test]
fn a_feed_is_pulled_over_http() {
    let node = Node::new();
    let feed = node.scratch().join("web-feed");
    build_feed(&feed);
    let url = serve_directory(feed);
    let first = node.json(&["intel", "feed", "pull", &url, "--json"]);
    assert_eq!(number(&first, "events_fetched"), 2, "{first}");
    assert_eq!(number(&first, "rejected"), 0, "{first}");
    let second = node.json(&["intel", "feed", "pull", &url, "--json"]);
    assert_eq!(number(&second, "events_fetched"), 0, "{second}");
    assert_eq!(number(&second, "added"), 0, "{second}");
}

#[test]
fn a_missing_event_file_is_rejected_and_fetched_again_next_time() {
    let node = Node::new();
    let feed = node.scratch().join("holey-feed");
    let mut manifest = build_feed(&feed);
    let absent = "7c5e4f3a-2b1c-4d0e-9f8a-7b6c5d4e3f2a";
    manifest[absent] = json!({"info": "not published yet", "timestamp": "1700000000"});
    std::fs::write(feed.join("manifest.json"), manifest.to_string()).expect("manifest");
    let run = node.run(&["intel", "feed", "pull", path_text(&feed), "--json"]);
    assert_eq!(run.code(), Some(2), "{}", run.stderr);
    let first = run.json();
    assert_eq!(number(&first, "rejected"), 1, "{first}");
    assert!(first["rejections"][0].as_str().expect("a reason").contains(absent), "{first}");
    assert!(number(&first, "added") > 0, "the other events are taken: {first}");

    std::fs::copy(sednit_path(), feed.join(format!("{absent}.json"))).expect("publishing it");
    // The copied file is Sednit under its own uuid; the manifest entry is what counts.
    let second = node.json(&["intel", "feed", "pull", path_text(&feed), "--json"]);
    assert_eq!(number(&second, "events_fetched"), 1, "only the missing one: {second}");
    assert_eq!(number(&second, "rejected"), 0, "{second}");
}

#[test]
fn a_missing_feed_says_what_to_give() {
    let node = Node::new();
    let empty = node.scratch().join("nothing-here");
    std::fs::create_dir_all(&empty).expect("directory");
    node.run(&["intel", "feed", "pull", path_text(&empty)]).assert_failure_mentioning("manifest.json");
}

#[test]
fn an_exported_feed_is_pulled_by_another_node() {
    let origin = Node::new();
    origin.run(&["intel", "import", path_text(&sednit_path())]).assert_success();
    let feed = origin.scratch().join("exported-feed");
    origin.run(&["intel", "export", "--format", "misp", "--out-dir", path_text(&feed)]).assert_success();
    let other = Node::new();
    let pulled = other.json(&["intel", "feed", "pull", path_text(&feed), "--json"]);
    assert_eq!(number(&pulled, "rejected"), 0, "{pulled}");
    let events = misp_export(&other, &[]);
    let sednit = events.iter().find(|event| event["uuid"] == SEDNIT).expect("the Sednit event crossed");
    assert_eq!(sednit["Attribute"].as_array().expect("attributes").len(), 9);
}

/// Serves the files of `dir` over HTTP/1.1 on a free loopback port, one connection at
/// a time, for the life of the test process; returns the base URL.
fn serve_directory(dir: PathBuf) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").expect("binding a port");
    let address = listener.local_addr().expect("the bound address");
    std::thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            let mut reader = BufReader::new(stream.try_clone().expect("a second handle"));
            let mut request = String::new();
            if reader.read_line(&mut request).is_err() {
                continue;
            }
            let mut header = String::new();
            while reader.read_line(&mut header).is_ok_and(|read| read > 2) {
                header.clear();
            }
            let name = request.split_whitespace().nth(1).unwrap_or("/").trim_start_matches('/').to_owned();
            let body = std::fs::read(dir.join(&name));
            let mut stream = stream;
            let _ = match body {
                Ok(body) => stream
                    .write_all(
                        format!("HTTP/1.1 200 OK\r\nContent-Length: {}\r\nConnection: close\r\n\r\n", body.len())
                            .as_bytes(),
                    )
                    .and_then(|()| stream.write_all(&body)),
                Err(_) => stream.write_all(b"HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"),
            };
        }
    });
    format!("http://{address}/")
}
