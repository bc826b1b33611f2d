//! Search and the live stream for local callers: results restricted to the
//! collections the caller's role may read, malformed requests refused with stable
//! codes (never a 500), pages that join up; the stream delivers new objects, resumes
//! from an event id with nothing lost or repeated, and ends on shutdown.

use crate::fixtures::{example, indicator, malware};
use crate::support::{INTELLIGENCE, Node, VAULT, assert_error};
use serde_json::Value;
use std::time::Duration;

async fn search(node: &Node, token: &str, query: &str) -> Value {
    let response = node.get(&format!("/api/v1/search?{query}"), token).await;
    assert_eq!(response.status(), 200, "search {query}");
    response.json().await.expect("search JSON")
}

fn result_ids(page: &Value) -> Vec<String> {
    page["results"].as_array().expect("results").iter().map(|hit| hit["id"].as_str().expect("id").to_owned()).collect()
}

#[tokio::test]
async fn search_shows_only_collections_the_role_may_read() {
    let node = Node::start().await;
    node.add(&[indicator("indicator--00000001-0000-4000-8000-000000000000", "2021-01-01T00:00:00.000Z", "10.1.1.1")])
        .await;
    let secret = malware("malware--00000002-0000-4000-8000-000000000000");
    assert_eq!(node.post_objects(VAULT, &node.tokens.admin, &[secret]).await.status(), 202);

    let reader = search(&node, &node.tokens.reader, "q=10.1.1.1").await;
    assert_eq!(result_ids(&reader), ["indicator--00000001-0000-4000-8000-000000000000"]);
    assert_eq!(reader["results"][0]["collection"], INTELLIGENCE);
    assert_eq!(reader["results"][0]["highlight"]["field"], "name", "{reader}");
    assert!(reader["results"][0]["highlight"]["text"].as_str().unwrap_or("").contains("**10**"), "{reader}");
    assert_eq!(reader["results"][0]["object"]["pattern"], "[ipv4-addr:value = '10.1.1.1']");
    assert!(result_ids(&search(&node, &node.tokens.reader, "q=poison+ivy").await).is_empty(), "the vault is hidden");
    assert!(result_ids(&search(&node, &node.tokens.reader, "type=malware").await).is_empty());
    let admin = search(&node, &node.tokens.admin, "q=poison+ivy").await;
    assert_eq!(result_ids(&admin), ["malware--00000002-0000-4000-8000-000000000000"]);
    assert_eq!(
        node.client.get(node.url("/api/v1/search?q=x")).send().await.expect("GET").status(),
        401,
        "no token, no search"
    );
}

#[tokio::test]
async fn malformed_searches_get_400_with_a_stable_code_and_odd_text_is_just_text() {
    let node = Node::start().await;
    let objects: Vec<_> = example("apt1.json")
        .iter()
        .filter_map(|object| entente_core::stix::StixObject::from_json(&object.to_string()).ok())
        .collect();
    node.store.add_objects(INTELLIGENCE, &objects, crate::support::now_micros()).expect("add");
    for query in
        ["limit=0", "limit=abc", "since=yesterday", "type=Not_A_Type", "marking=TLP:PURPLE", "next=forged", "x=1"]
    {
        let response = node.get(&format!("/api/v1/search?{query}"), &node.tokens.reader).await;
        assert_error(response, 400, "invalid-search").await;
    }
    for text in ["%22", "NEAR(a b)", "a%22 OR %22b", "name:apt1", "*", "(((", "%5E1", "-x", "AND"] {
        let response = node.get(&format!("/api/v1/search?q={text}"), &node.tokens.reader).await;
        assert_eq!(response.status(), 200, "q={text}");
    }
    assert!(!result_ids(&search(&node, &node.tokens.reader, "q=%22comment+crew%22").await).is_empty());
}

#[tokio::test]
async fn pages_join_up_without_repeats() {
    let node = Node::start().await;
    let objects: Vec<Value> = (1..=7)
        .map(|n| {
            indicator(
                &format!("indicator--{n:08x}-0000-4000-8000-000000000000"),
                "2021-01-01T00:00:00.000Z",
                "10.9.9.9",
            )
        })
        .collect();
    node.add(&objects).await;
    let mut seen = Vec::new();
    let mut query = "q=10.9.9.9&limit=3".to_owned();
    for _ in 0..5 {
        let page = search(&node, &node.tokens.reader, &query).await;
        seen.extend(result_ids(&page));
        match page["next"].as_str() {
            Some(next) => query = format!("q=10.9.9.9&limit=3&next={next}"),
            None => break,
        }
    }
    let count = seen.len();
    seen.sort();
    seen.dedup();
    assert_eq!((count, seen.len()), (7, 7));
}

/// One parsed Server-Sent Event.
#[derive(Debug, Clone)]
pub struct SseEvent {
    pub id: String,
    pub event: String,
    pub data: String,
}

/// Reads events from an SSE response until `count` arrived or `wait` passed.
pub async fn read_events(
    response: &mut reqwest::Response,
    buffer: &mut String,
    count: usize,
    wait: Duration,
) -> Vec<SseEvent> {
    let mut events = Vec::new();
    let deadline = tokio::time::Instant::now() + wait;
    loop {
        while let Some(end) = buffer.find("\n\n") {
            let block: String = buffer.drain(..end + 2).collect();
            let mut event = SseEvent { id: String::new(), event: String::new(), data: String::new() };
            for line in block.lines() {
                if let Some(value) = line.strip_prefix("id:") {
                    event.id = value.trim().to_owned();
                } else if let Some(value) = line.strip_prefix("event:") {
                    event.event = value.trim().to_owned();
                } else if let Some(value) = line.strip_prefix("data:") {
                    event.data.push_str(value.trim_start());
                }
            }
            if !event.data.is_empty() {
                events.push(event);
            }
        }
        if events.len() >= count {
            return events;
        }
        match tokio::time::timeout_at(deadline, response.chunk()).await {
            Ok(Ok(Some(bytes))) => buffer.push_str(&String::from_utf8_lossy(&bytes)),
            _ => return events,
        }
    }
}

pub async fn open_stream(node: &Node, token: &str, query: &str, last_event_id: Option<&str>) -> reqwest::Response {
    let mut request = node.client.get(node.url(&format!("/api/v1/stream{query}"))).bearer_auth(token);
    if let Some(id) = last_event_id {
        request = request.header("last-event-id", id);
    }
    let response = request.send().await.expect("stream");
    assert_eq!(response.status(), 200);
    assert!(response.headers()["content-type"].to_str().unwrap_or("").starts_with("text/event-stream"));
    response
}

fn ids_of(events: &[SseEvent]) -> Vec<String> {
    events
        .iter()
        .map(|event| {
            serde_json::from_str::<Value>(&event.data).expect("event JSON")["id"].as_str().expect("id").to_owned()
        })
        .collect()
}

fn numbered(n: u32) -> Value {
    indicator(&format!("indicator--{n:08x}-0000-4000-8000-000000000000"), "2021-01-01T00:00:00.000Z", "10.2.2.2")
}

#[tokio::test]
async fn the_stream_delivers_new_objects_the_caller_may_read_and_resumes_exactly() {
    let node = Node::start().await;
    node.add(&[numbered(1)]).await;
    let mut stream = open_stream(&node, &node.tokens.reader, "", None).await;
    let mut buffer = String::new();
    // Nothing old without an id; the vault's objects never; new ones as they come.
    assert!(
        node.post_objects(VAULT, &node.tokens.admin, &[malware("malware--00000009-0000-4000-8000-000000000000")])
            .await
            .status()
            == 202
    );
    node.add(&[numbered(2), numbered(3)]).await;
    let events = read_events(&mut stream, &mut buffer, 2, Duration::from_secs(10)).await;
    assert_eq!(ids_of(&events), [numbered(2)["id"].as_str().unwrap_or(""), numbered(3)["id"].as_str().unwrap_or("")]);
    assert!(events.iter().all(|event| event.event == "object"));
    let resume_from = events[0].id.clone();
    drop(stream);

    // Written while disconnected, by another writer than the server (found by the poll).
    let extra = entente_core::stix::StixObject::from_json(&numbered(4).to_string()).expect("valid");
    node.store.add_objects(INTELLIGENCE, &[extra], crate::support::now_micros()).expect("add");
    let mut resumed = open_stream(&node, &node.tokens.reader, "", Some(&resume_from)).await;
    let mut buffer = String::new();
    let events = read_events(&mut resumed, &mut buffer, 3, Duration::from_secs(6)).await;
    assert_eq!(
        ids_of(&events),
        [numbered(3)["id"].as_str().unwrap_or(""), numbered(4)["id"].as_str().unwrap_or("")],
        "exactly what came after, once"
    );

    // The whole history from 0, filtered by type.
    let mut all = open_stream(&node, &node.tokens.admin, "?last_event_id=0&type=malware", None).await;
    let events = read_events(&mut all, &mut String::new(), 1, Duration::from_secs(5)).await;
    assert_eq!(ids_of(&events), ["malware--00000009-0000-4000-8000-000000000000"]);
}

#[tokio::test]
async fn bad_stream_requests_are_refused_and_shutdown_ends_open_streams() {
    let node = Node::start().await;
    let response = node.get("/api/v1/stream?last_event_id=yesterday", &node.tokens.reader).await;
    assert_error(response, 400, "invalid-stream").await;
    let mut stream = open_stream(&node, &node.tokens.reader, "", None).await;
    let shutdown = tokio::time::timeout(Duration::from_secs(10), node.shut_down()).await;
    assert!(shutdown.is_ok(), "graceful shutdown waited on an open stream");
    let ended =
        tokio::time::timeout(Duration::from_secs(5), async { while let Ok(Some(_)) = stream.chunk().await {} }).await;
    assert!(ended.is_ok(), "the stream ended with the server");
}
