//! Import from the browser: the script's upload (CSRF header, body limit, outcome as
//! JSON) and the form without JavaScript, STIX bundles and MISP events, files that are
//! malformed or partly invalid.

use super::support::{browser, hidden, html, page, post_form, sign_in};
use crate::fixtures::{example, malware};
use crate::support::Node;
use reqwest::StatusCode;
use reqwest::header::{CONTENT_TYPE, COOKIE};
use serde_json::{Value, json};

const EXAMPLES: &str = "../../../shared/data/stix-examples";

/// The upload as the page's script sends it.
async fn upload(node: &Node, session: &str, csrf: Option<&str>, body: Vec<u8>) -> reqwest::Response {
    let mut request = browser()
        .post(node.url("/ui/intel/import/upload"))
        .header(COOKIE, session)
        .header(CONTENT_TYPE, "application/json")
        .body(body);
    if let Some(csrf) = csrf {
        request = request.header("x-csrf-token", csrf);
    }
    request.send().await.expect("POST upload")
}

fn example_bytes(name: &str) -> Vec<u8> {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(EXAMPLES).join(name);
    std::fs::read(&path).unwrap_or_else(|error| panic!("reading {}: {error}", path.display()))
}

#[tokio::test]
async fn import_needs_the_csrf_header_and_reports_what_it_stored() {
    let node = Node::start().await;
    let session = sign_in(&node, &node.tokens.analyst).await;
    let form = html(&node, "/ui/intel/import", &session).await;
    assert!(form.contains("src=\"/ui/assets/intel-import.js\"") && form.contains("data-csrf=\""));
    let marker = "data-csrf=\"";
    let at = form.find(marker).expect("data-csrf") + marker.len();
    let csrf = form[at..].split('"').next().expect("token").to_owned();
    assert_eq!(csrf, hidden(&form, "csrf"), "the script's token is the session's");

    let bundle = example_bytes("indicators-for-C2-with-COA.json");
    let before = node.count();
    for token in [None, Some("wrong"), Some("")] {
        let response = upload(&node, &session, token, bundle.clone()).await;
        assert_eq!(response.status(), StatusCode::FORBIDDEN, "{token:?}");
    }
    let cross_site = browser()
        .post(node.url("/ui/intel/import/upload"))
        .header(COOKIE, &session)
        .header("x-csrf-token", &csrf)
        .header("origin", "https://evil.example")
        .body(bundle.clone())
        .send()
        .await
        .expect("POST");
    assert_eq!(cross_site.status(), StatusCode::FORBIDDEN);
    assert_eq!(node.count(), before, "nothing stored by refused uploads");

    let objects = example("indicators-for-C2-with-COA.json");
    let response = upload(&node, &session, Some(&csrf), bundle.clone()).await;
    assert_eq!(response.status(), StatusCode::OK);
    let outcome: Value = response.json().await.expect("JSON");
    assert_eq!(outcome["added"], objects.len() as u64, "{outcome}");
    assert_eq!((outcome["rejected"].as_u64(), outcome["format"].as_str()), (Some(0), Some("STIX")));
    assert_eq!(node.count(), before + objects.len() as u64);
    let again: Value = upload(&node, &session, Some(&csrf), bundle).await.json().await.expect("JSON");
    assert_eq!((again["added"].as_u64(), again["already_present"].as_u64()), (Some(0), Some(objects.len() as u64)));

    // Too large for the node's body limit (10,000 bytes in tests): refused, nothing stored.
    let count = node.count();
    let response = upload(&node, &session, Some(&csrf), example_bytes("poisonivy.json")).await;
    assert_eq!(response.status(), StatusCode::PAYLOAD_TOO_LARGE);
    assert_eq!(node.count(), count);
}

#[tokio::test]
async fn a_malformed_or_partly_invalid_file_is_explained_and_bad_files_store_nothing() {
    let node = Node::start().await;
    let session = sign_in(&node, &node.tokens.analyst).await;
    let form = html(&node, "/ui/intel/import", &session).await;
    let csrf = hidden(&form, "csrf");
    let good = malware("malware--00000000-0000-4000-8000-00000000d001");
    // Well-formed JSON up to a syntax error after a valid object: nothing is kept.
    let broken = format!("{{\"type\": \"bundle\", \"id\": \"bundle--1\", \"objects\": [{good}, {{\"type\": ");
    let response = upload(&node, &session, Some(&csrf), broken.into_bytes()).await;
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let outcome: Value = response.json().await.expect("JSON");
    assert!(outcome["error"].as_str().is_some_and(|error| error.contains("not well-formed")), "{outcome}");
    assert_eq!(node.count(), 0, "nothing stored");

    // Valid and invalid objects: the valid one is stored, the other listed with its reason.
    let invalid = json!({"type": "malware", "spec_version": "2.1", "id": "malware--not-a-uuid"});
    let bundle =
        json!({"type": "bundle", "id": "bundle--00000000-0000-4000-8000-000000000001", "objects": [good, invalid]});
    let outcome: Value =
        upload(&node, &session, Some(&csrf), bundle.to_string().into_bytes()).await.json().await.expect("JSON");
    assert_eq!((outcome["added"].as_u64(), outcome["rejected"].as_u64()), (Some(1), Some(1)), "{outcome}");
    assert!(outcome["rejections"][0].as_str().is_some_and(|reason| reason.contains("malware--not-a-uuid")));
    assert_eq!(node.count(), 1);

    // The form without JavaScript: the same import, the outcome on the page.
    let pasted = json!({"type": "bundle", "id": "bundle--00000000-0000-4000-8000-000000000002",
        "objects": [malware("malware--00000000-0000-4000-8000-00000000d002")]});
    let response = post_form(&node, "/ui/intel/import", &session, &form, &[("bundle", &pasted.to_string())]).await;
    assert_eq!(response.status(), StatusCode::OK);
    let body = response.text().await.expect("page");
    assert!(body.contains("<strong>1</strong> added"), "{body}");
    assert_eq!(node.count(), 2);
    let response = post_form(&node, "/ui/intel/import", &session, &form, &[("bundle", "{ not json")]).await;
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(response.text().await.expect("page").contains("Nothing was stored"));
    let response =
        post_form(&node, "/ui/intel/import", &session, "name=\"csrf\" value=\"stale\"", &[("bundle", "{}")]).await;
    assert_eq!(response.status(), StatusCode::FORBIDDEN);
    assert_eq!(node.count(), 2);

    // A reader may not import, with or without the script.
    let reader = sign_in(&node, &node.tokens.reader).await;
    assert_eq!(page(&node, "/ui/intel/import", &reader).await.status(), StatusCode::FORBIDDEN);
    let reader_form = html(&node, "/ui", &reader).await;
    let reader_csrf = hidden(&reader_form, "csrf");
    let response = upload(&node, &reader, Some(&reader_csrf), pasted.to_string().into_bytes()).await;
    assert_eq!(response.status(), StatusCode::FORBIDDEN);
    assert_eq!(node.count(), 2);
}

#[tokio::test]
async fn a_misp_event_is_imported_like_the_command_line_does() {
    let node = Node::start().await;
    let session = sign_in(&node, &node.tokens.analyst).await;
    let csrf = hidden(&html(&node, "/ui/intel/import", &session).await, "csrf");
    let event = json!({"Event": {
        "uuid": "5f1b7c3e-0000-4000-8000-000000000001", "info": "Phishing wave", "date": "2024-05-01",
        "timestamp": "1714521600", "Attribute": [
            {"uuid": "5f1b7c3e-0000-4000-8000-000000000002", "type": "ip-dst", "category": "Network activity",
             "value": "203.0.113.9", "to_ids": true, "timestamp": "1714521600"}
        ]
    }});
    let response = upload(&node, &session, Some(&csrf), event.to_string().into_bytes()).await;
    assert_eq!(response.status(), StatusCode::OK);
    let outcome: Value = response.json().await.expect("JSON");
    assert_eq!(outcome["format"], "MISP", "{outcome}");
    assert!(outcome["added"].as_u64().is_some_and(|added| added >= 2), "the report and the indicator: {outcome}");
    assert_eq!(node.count(), outcome["added"].as_u64().expect("added"));
}
