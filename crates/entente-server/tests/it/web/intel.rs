//! The Intelligence pages over real HTTP: search with filters and pages, an object's
//! page and its sections, 404s, and hostile content from a partner rendered inert
//! (import: `intel_import.rs`; an envoy's view: `intel_envoy.rs`).

use super::support::{html, page, sign_in};
use crate::fixtures::{indicator, malware};
use crate::support::{INTELLIGENCE, Node, VAULT, now_micros};
use entente_core::stix::StixObject;
use reqwest::StatusCode;
use serde_json::{Value, json};

const GREEN: &str = "marking-definition--bab4a63c-aed9-4cf5-a766-dfca5abac2bb";

/// Stores objects straight into a collection (as sync or an import would).
fn store_in(node: &Node, collection: &str, objects: &[Value]) {
    let parsed: Vec<StixObject> =
        objects.iter().map(|object| StixObject::from_json(&object.to_string()).expect("valid STIX")).collect();
    node.store.add_objects(collection, &parsed, now_micros()).expect("stored");
}

fn named(kind: &str, number: u32, name: &str, modified: &str) -> Value {
    json!({
        "type": kind, "spec_version": "2.1", "id": format!("{kind}--{number:08x}-0000-4000-8000-000000000000"),
        "created": modified, "modified": modified, "name": name, "is_family": true,
    })
}

/// The links to object pages in a page, in order.
fn object_links(html: &str) -> Vec<String> {
    html.split("href=\"/ui/intel/object/")
        .skip(1)
        .filter_map(|rest| rest.split('"').next())
        .map(str::to_owned)
        .collect()
}

#[tokio::test]
async fn search_filters_by_words_type_collection_and_dates() {
    let node = Node::start().await;
    store_in(
        &node,
        INTELLIGENCE,
        &[
            named("malware", 1, "Poison Ivy", "2024-03-01T00:00:00.000Z"),
            named("malware", 2, "Dark Comet", "2025-06-01T00:00:00.000Z"),
            named("tool", 3, "Ivy Scanner", "2025-07-01T00:00:00.000Z"),
        ],
    );
    store_in(&node, VAULT, &[named("malware", 4, "Vaulted Ivy", "2025-01-01T00:00:00.000Z")]);
    let analyst = sign_in(&node, &node.tokens.analyst).await;
    let id = |number: u32, kind: &str| format!("{kind}--{number:08x}-0000-4000-8000-000000000000");

    // No filter: newest first, only what the analyst's role may read (not the vault).
    let all = html(&node, "/ui/intel", &analyst).await;
    assert_eq!(object_links(&all), [id(3, "tool"), id(2, "malware"), id(1, "malware")], "newest first");
    assert!(all.contains("Poison Ivy") && all.contains("<h1>Intelligence</h1>"));
    assert!(all.contains("href=\"/ui/intel/import\""), "an analyst may import");

    let words = html(&node, "/ui/intel?q=ivy", &analyst).await;
    let mut found = object_links(&words);
    found.sort();
    assert_eq!(found, [id(1, "malware"), id(3, "tool")]);
    let typed = html(&node, "/ui/intel?q=ivy&type=malware", &analyst).await;
    assert_eq!(object_links(&typed), [id(1, "malware")]);
    let dated = html(&node, "/ui/intel?since=2025-01-01&until=2025-06-30", &analyst).await;
    assert_eq!(object_links(&dated), [id(2, "malware")], "dates cover whole days");
    let dated = html(&node, "/ui/intel?until=2025-06-01", &analyst).await;
    assert_eq!(object_links(&dated), [id(2, "malware"), id(1, "malware")], "until includes its day");

    // One collection; the vault is not one the analyst may read.
    let one = html(&node, &format!("/ui/intel?collection={INTELLIGENCE}&type=tool"), &analyst).await;
    assert_eq!(object_links(&one), [id(3, "tool")]);
    let refused = page(&node, &format!("/ui/intel?collection={VAULT}"), &analyst).await;
    assert_eq!(refused.status(), StatusCode::NOT_FOUND);
    let admin = sign_in(&node, &node.tokens.admin).await;
    let vault = html(&node, &format!("/ui/intel?collection={VAULT}"), &admin).await;
    assert_eq!(object_links(&vault), [id(4, "malware")]);

    // Bad filters are the API's 400s, said on a page.
    for path in ["/ui/intel?type=NOT%20A%20TYPE", "/ui/intel?since=yesterday", "/ui/intel?page=forged"] {
        let response = page(&node, path, &analyst).await;
        assert_eq!(response.status(), StatusCode::BAD_REQUEST, "{path}");
        assert!(response.text().await.expect("page").contains("invalid-search"), "{path}");
    }
    let response = page(&node, "/ui/intel?since=2026-01-01&until=2025-01-01", &analyst).await;
    assert_eq!(response.status(), StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn search_pages_through_many_objects_without_repeats() {
    let node = Node::start().await;
    let objects: Vec<Value> = (0..120)
        .map(|number| {
            let mut object = named("malware", number, &format!("Family {number}"), "2025-01-01T00:00:00.000Z");
            object["object_marking_refs"] = json!([GREEN]);
            object
        })
        .collect();
    store_in(&node, INTELLIGENCE, &objects);
    let session = sign_in(&node, &node.tokens.reader).await;
    let mut seen = Vec::new();
    let mut path = "/ui/intel?type=malware".to_owned();
    let mut pages = 0;
    loop {
        let body = html(&node, &path, &session).await;
        pages += 1;
        if pages == 1 {
            assert!(body.contains(">TLP:GREEN<"), "markings are named");
            assert!(body.contains(">local<"), "objects added here are local");
        }
        seen.extend(object_links(&body));
        let Some(at) = body.find("class=\"button secondary\" href=\"") else { break };
        let rest = &body[at + "class=\"button secondary\" href=\"".len()..];
        path = rest.split('"').next().expect("next link").replace("&#38;", "&");
        assert!(path.contains("type=malware"), "the next page keeps the filters: {path}");
        assert!(pages < 10, "paging ends: {path}");
    }
    assert_eq!(pages, 3, "120 objects, 50 a page");
    let mut unique = seen.clone();
    unique.sort();
    unique.dedup();
    assert_eq!((seen.len(), unique.len()), (120, 120));
}

/// An object with something in every section: markings, an ATT&CK citation, a
/// warning-list hit (none loaded: so an empty note), a sighting, and a value another
/// object holds.
#[tokio::test]
async fn the_object_page_shows_content_markings_correlations_sightings_and_techniques() {
    let node = Node::start().await;
    let seen = "indicator--00000000-0000-4000-8000-00000000b001";
    let twin = "indicator--00000000-0000-4000-8000-00000000b002";
    let mut object = indicator(seen, "2024-01-01T00:00:00.000Z", "192.0.2.77");
    object["object_marking_refs"] = json!([GREEN]);
    object["description"] = json!("Beacons every 60 s");
    object["labels"] = json!(["misp-galaxy:mitre-attack-pattern=\"Phishing - T1566\""]);
    object["external_references"] =
        json!([{"source_name": "vendor report", "url": "https://reports.example/c2", "external_id": "VR-1"}]);
    let sighting = json!({
        "type": "sighting", "spec_version": "2.1", "id": "sighting--00000000-0000-4000-8000-00000000b003",
        "created": "2024-02-01T00:00:00.000Z", "modified": "2024-02-01T00:00:00.000Z",
        "sighting_of_ref": seen, "count": 7, "first_seen": "2024-02-01T00:00:00Z", "last_seen": "2024-02-02T00:00:00Z",
    });
    node.add(&[object, indicator(twin, "2024-01-01T00:00:00.000Z", "192.0.2.77"), sighting]).await;

    let admin = sign_in(&node, &node.tokens.admin).await;
    let body = html(&node, &format!("/ui/intel/object/{seen}"), &admin).await;
    for expected in [
        "C2 at 192.0.2.77",                               // title
        "Beacons every 60 s",                             // description, in words
        "TLP:GREEN",                                      // marking by name
        "href=\"https://reports.example/c2\"",            // an http(s) reference is a link
        "VR-1",                                           // its external id
        "<pre>{",                                         // the full JSON
        "&#34;pattern_type&#34;: &#34;stix&#34;",         // pretty-printed
        "T1566",                                          // cited technique
        "192.0.2.77</code>",                              // the value correlated
        &format!("href=\"/ui/intel/object/{twin}\""),     // who else knows it
        "sighting--00000000-0000-4000-8000-00000000b003", // the sighting
        "Added on this node and not yet sealed",          // provenance of a local object
        "Never released to a partner",                    // the admin's releases section
        "No value is on a loaded warning list",
    ] {
        assert!(body.contains(expected), "{expected:?} missing from the object page:\n{body}");
    }
    assert!(body.contains("<td>7</td>"), "the sighting's count");
    // A reader sees the object but not its releases.
    let reader = sign_in(&node, &node.tokens.reader).await;
    let body = html(&node, &format!("/ui/intel/object/{seen}"), &reader).await;
    assert!(body.contains("C2 at 192.0.2.77") && !body.contains("Released to"));
}

#[tokio::test]
async fn unknown_malformed_and_unreadable_objects_are_404_pages() {
    let node = Node::start().await;
    let hidden_id = "malware--00000000-0000-4000-8000-00000000c001";
    store_in(&node, VAULT, &[malware(hidden_id)]);
    let analyst = sign_in(&node, &node.tokens.analyst).await;
    for path in [
        "/ui/intel/object/not-an-id".to_owned(),
        "/ui/intel/object/malware--00000000-0000-4000-8000-0000000000ff".to_owned(),
        format!("/ui/intel/object/{hidden_id}"),
    ] {
        let response = page(&node, &path, &analyst).await;
        assert_eq!(response.status(), StatusCode::NOT_FOUND, "{path}");
        let body = response.text().await.expect("page");
        assert!(body.contains("404") && body.contains("search for"), "says what to do: {body}");
        assert!(!body.contains("Poison Ivy"), "nothing of the hidden object leaks");
    }
    let admin = sign_in(&node, &node.tokens.admin).await;
    assert!(html(&node, &format!("/ui/intel/object/{hidden_id}"), &admin).await.contains("Poison Ivy"));
}

/// The payloads of `hostile.json`, shared with the headless-browser tests.
fn hostile() -> (Vec<String>, Vec<String>) {
    let file: Value = serde_json::from_str(include_str!("hostile.json")).expect("hostile.json");
    let list = |name: &str| -> Vec<String> {
        file[name].as_array().expect("a list").iter().map(|item| item.as_str().expect("text").to_owned()).collect()
    };
    (list("payloads"), list("urls"))
}

/// `text` as HTML-escaped text: askama writes the five special characters as numeric
/// character references.
fn escaped(text: &str) -> String {
    text.replace('&', "&#38;").replace('<', "&#60;").replace('>', "&#62;").replace('"', "&#34;").replace('\'', "&#39;")
}

/// The tags of a page with their attributes. Escaped text holds no raw `<`, so each
/// `<` followed by a letter opens a real element: whatever a payload could smuggle in
/// would show up here.
fn tags(html: &str) -> Vec<(String, Vec<(String, String)>)> {
    let bytes = html.as_bytes();
    let mut found = Vec::new();
    let mut at = 0;
    while let Some(offset) = html[at..].find('<') {
        at += offset + 1;
        if !bytes.get(at).is_some_and(u8::is_ascii_alphabetic) {
            continue;
        }
        let name_end =
            html[at..].find(|c: char| c.is_whitespace() || c == '>' || c == '/').map_or(html.len(), |n| at + n);
        let name = html[at..name_end].to_ascii_lowercase();
        let mut attributes = Vec::new();
        let mut cursor = name_end;
        loop {
            while bytes.get(cursor).is_some_and(|b| b.is_ascii_whitespace() || *b == b'/') {
                cursor += 1;
            }
            if cursor >= bytes.len() || bytes[cursor] == b'>' {
                break;
            }
            let end = html[cursor..]
                .find(|c: char| c.is_whitespace() || c == '=' || c == '>' || c == '/')
                .map_or(html.len(), |n| cursor + n);
            let attribute = html[cursor..end].to_ascii_lowercase();
            cursor = end;
            let mut value = String::new();
            if bytes.get(cursor) == Some(&b'=') {
                cursor += 1;
                match bytes.get(cursor) {
                    Some(quote @ (b'"' | b'\'')) => {
                        let close = html[cursor + 1..].find(*quote as char).map_or(html.len(), |n| cursor + 1 + n);
                        value = html[cursor + 1..close].to_owned();
                        cursor = close + 1;
                    }
                    _ => {
                        let close = html[cursor..]
                            .find(|c: char| c.is_whitespace() || c == '>')
                            .map_or(html.len(), |n| cursor + n);
                        value = html[cursor..close].to_owned();
                        cursor = close;
                    }
                }
            }
            attributes.push((attribute, value));
        }
        found.push((name, attributes));
        at = cursor.min(html.len());
    }
    found
}

/// Nothing in `html` can run: no event handler attributes, no script but this node's
/// assets, no element a payload would bring, no URL with a script scheme.
fn assert_inert(html: &str, page: &str) {
    for (name, attributes) in tags(html) {
        assert!(
            !["img", "svg", "iframe", "style", "body", "object", "embed"].contains(&name.as_str())
                || (name == "body" && attributes.iter().all(|(key, _)| key == "class")),
            "{page}: a <{name}> element came from content: {attributes:?}"
        );
        if name == "meta" {
            assert!(
                attributes.iter().all(|(key, _)| key == "charset" || key == "name" || key == "content"),
                "{page}: {attributes:?}"
            );
            assert!(!attributes.iter().any(|(key, _)| key == "http-equiv"), "{page}");
        }
        if name == "script" {
            assert!(attributes.iter().any(|(key, value)| key == "src" && value.starts_with("/ui/assets/")), "{page}");
        }
        // The page's own empty icon (`<link rel="icon" href="data:,">`) is the one data: URL.
        let own_icon = name == "link" && attributes.iter().any(|(key, value)| key == "rel" && value == "icon");
        for (key, value) in &attributes {
            assert!(!key.starts_with("on"), "{page}: <{name} {key}={value:?}> is an event handler");
            if own_icon && key == "href" && value == "data:," {
                continue;
            }
            let scheme = value.trim().to_ascii_lowercase();
            if ["href", "src", "action", "formaction"].contains(&key.as_str()) {
                assert!(
                    !["javascript:", "data:", "vbscript:"].iter().any(|bad| scheme.starts_with(bad)),
                    "{page}: <{name} {key}={value:?}>"
                );
            }
        }
    }
    assert!(!html.contains("<script>"), "{page}: an inline script");
    assert!(!html.to_ascii_lowercase().contains("<img src=x"), "{page}");
}

#[tokio::test]
async fn hostile_content_from_a_partner_is_shown_escaped_and_never_runs() {
    let node = Node::start().await;
    let (payloads, urls) = hostile();
    let mut objects: Vec<Value> = payloads
        .iter()
        .enumerate()
        .map(|(number, payload)| {
            json!({
                "type": "malware", "spec_version": "2.1",
                "id": format!("malware--00000000-0000-4000-8000-{number:012x}"),
                "created": "2025-01-01T00:00:00.000Z", "modified": "2025-01-01T00:00:00.000Z",
                "name": payload, "description": payload, "is_family": true, "labels": [payload], "aliases": [payload],
                "external_references": [{"source_name": payload, "external_id": payload, "url": urls[number % urls.len()]}],
                "x_partner_note": payload,
            })
        })
        .collect();
    // Payloads inside a pattern's string (single quotes would end the STIX string).
    let in_pattern = "</pre><script>alert(1)</script>.example";
    objects.push(json!({
        "type": "indicator", "spec_version": "2.1", "id": "indicator--00000000-0000-4000-8000-00000000e001",
        "created": "2025-01-01T00:00:00.000Z", "modified": "2025-01-01T00:00:00.000Z",
        "name": "\"><img src=x onerror=alert(1)>", "pattern": format!("[domain-name:value = '{in_pattern}']"),
        "pattern_type": "stix", "valid_from": "2025-01-01T00:00:00Z",
    }));
    store_in(&node, INTELLIGENCE, &objects);

    let session = sign_in(&node, &node.tokens.admin).await;
    let list = html(&node, "/ui/intel", &session).await;
    assert_inert(&list, "search");
    for payload in &payloads {
        let title: String = payload.chars().take(120).collect();
        assert!(list.contains(&escaped(&title)), "the search lists {payload:?} escaped");
    }
    for object in &objects {
        let id = object["id"].as_str().expect("id");
        let body = html(&node, &format!("/ui/intel/object/{id}"), &session).await;
        assert_inert(&body, id);
        let name = object["name"].as_str().expect("name");
        assert!(
            body.contains(&format!("<h1 class=\"object-title\">{}</h1>", escaped(name))),
            "{id}: the name, escaped"
        );
        assert!(body.contains("</pre>") && body.matches("<pre>").count() == 1, "{id}: one <pre>, closed by the page");
    }
    // The pattern's value is a correlated value, shown escaped too.
    let body = html(&node, "/ui/intel/object/indicator--00000000-0000-4000-8000-00000000e001", &session).await;
    assert!(body.contains(&escaped(in_pattern)), "the pattern's value, escaped");
    // What a viewer types is escaped when the page shows it back.
    let typed =
        page(&node, "/ui/intel?q=%22%3E%3Cimg%20src%3Dx%20onerror%3Dalert(1)%3E&type=%3Cscript%3E", &session).await;
    let status = typed.status();
    let typed = typed.text().await.expect("page");
    assert_inert(&typed, "typed search");
    assert!(status == StatusCode::BAD_REQUEST || typed.contains("&#34;&#62;&#60;img"), "{status}");
    let typed = html(&node, "/ui/intel?q=%22%3E%3Cimg%20src%3Dx%20onerror%3Dalert(1)%3E", &session).await;
    assert_inert(&typed, "typed words");
    assert!(
        typed.contains("value=\"&#34;&#62;&#60;img src=x onerror=alert(1)&#62;\""),
        "the words, escaped in the field"
    );
}

/// The check above would see each way a payload could run, were it ever printed raw.
#[test]
fn the_inertness_check_catches_live_markup() {
    let page = |inner: &str| format!("<html><body class=\"x\"><main><h1>{inner}</h1></main></body></html>");
    assert_inert(&page(&escaped("<script>alert(1)</script>")), "escaped");
    for live in [
        "<img src=x onerror=alert(1)>",
        "\"><svg onload=alert(1)>",
        "<a href=\" javascript:alert(1)\">x</a>",
        "<a title='x' onmouseover='alert(1)'>x</a>",
        "<script>alert(1)</script>",
        "<meta http-equiv=\"refresh\" content=\"0\">",
    ] {
        let html = page(live);
        let caught = std::panic::catch_unwind(|| assert_inert(&html, "live"));
        assert!(caught.is_err(), "{live:?} went unnoticed");
    }
}
