//! The Designations page: the divergence matrix from real designation lists, the
//! collections each role reads, filters and paging, bad filters refused.

use super::support::{html, page, sign_in};
use crate::designations::import;
use crate::support::{INTELLIGENCE, Node, VAULT};
use reqwest::StatusCode;
use serde_json::Value;

/// The entity names of the matrix's rows.
fn entities(html: &str) -> Vec<String> {
    html.split("<th class=\"entity\" scope=\"row\">")
        .skip(1)
        .map(|rest| rest.split('<').next().expect("name").to_owned())
        .collect()
}

/// The authority columns of the matrix.
fn columns(html: &str) -> Vec<String> {
    html.split("<th class=\"authority\"")
        .skip(1)
        .map(|rest| rest.split('>').nth(1).expect("key").split('<').next().expect("key").to_owned())
        .collect()
}

/// `"N of M entities"`: (N, M).
fn counts(html: &str) -> (usize, usize) {
    let text = html.split("<p class=\"hint\">").nth(1).expect("the counts");
    let mut words = text.split_whitespace();
    let matching = words.next().expect("N").parse().expect("N");
    let total = words.nth(1).expect("M").parse().expect("M");
    (matching, total)
}

#[tokio::test]
async fn the_matrix_shows_who_lists_whom_to_each_role() {
    let node = Node::start().await;
    import(&node, INTELLIGENCE, "canada-listed-terrorist-entities.json");
    import(&node, VAULT, "un-consolidated.xml");
    let admin = sign_in(&node, &node.tokens.admin).await;
    let reader = sign_in(&node, &node.tokens.reader).await;

    let found = html(&node, "/ui/designations?q=asbat", &admin).await;
    assert_eq!(columns(&found), vec!["ca", "un"]);
    assert_eq!(entities(&found).len(), 1, "{found}");
    assert!(entities(&found)[0].contains("Asbat"));
    assert_eq!(found.matches("mark mark-listed").count(), 2, "both authorities list it");
    assert!(found.contains("Legal basis") && found.contains("Public Safety Canada"));
    // Both list it: it is not a divergence.
    let divergent = html(&node, "/ui/designations?q=asbat&divergent=1", &admin).await;
    assert!(entities(&divergent).is_empty() && divergent.contains("No entity matches"), "{divergent}");

    // The UN's list is in the admin-only vault: a reader sees Canada's column alone.
    let hidden = html(&node, "/ui/designations?q=asbat", &reader).await;
    assert_eq!(columns(&hidden), vec!["ca"]);
    assert_eq!(hidden.matches("mark mark-listed").count(), 1);
}

#[tokio::test]
async fn filters_and_pages_follow_the_api() {
    let node = Node::start().await;
    import(&node, INTELLIGENCE, "canada-listed-terrorist-entities.json");
    import(&node, INTELLIGENCE, "un-consolidated.xml");
    let session = sign_in(&node, &node.tokens.analyst).await;

    // Names Canada lists and the UN does not, as the API reports them.
    let response = node.get("/api/v1/designations/divergence?between=ca,un", &node.tokens.analyst).await;
    let between: Value = response.json().await.expect("JSON");
    let only_canada = between["only_a"].as_array().expect("only_a").clone();
    assert!(!only_canada.is_empty());
    // One whose name HTML escaping leaves alone, to compare with the page's text.
    let name = only_canada
        .iter()
        .filter_map(|group| group["name"].as_str())
        .find(|name| name.chars().all(|c| c.is_ascii_alphanumeric() || c == ' ' || c == '-'))
        .expect("a plain name")
        .to_owned();
    let query = serde_urlencoded::to_string([("q", name.as_str())]).expect("query");
    let by_name = html(&node, &format!("/ui/designations?{query}"), &session).await;
    assert!(entities(&by_name).iter().any(|entity| entity == &name), "{name}: {:?}", entities(&by_name));
    let under_un = html(&node, &format!("/ui/designations?{query}&authority=un"), &session).await;
    assert!(!entities(&under_un).iter().any(|entity| entity == &name), "the UN has no record of {name}");
    let divergent = html(&node, &format!("/ui/designations?{query}&divergent=1"), &session).await;
    assert!(entities(&divergent).iter().any(|entity| entity == &name), "listed by one, not the other");

    // Pages of 50, and a filter narrows the count.
    let all = html(&node, "/ui/designations", &session).await;
    let (matching, total) = counts(&all);
    assert_eq!(matching, total);
    assert!(total > 50, "{total}");
    assert_eq!(entities(&all).len(), 50);
    let second = html(&node, "/ui/designations?page=2", &session).await;
    assert!(entities(&second).iter().all(|entity| !entities(&all).contains(entity)) || total < 100);
    let (canada, _) = counts(&html(&node, "/ui/designations?authority=ca", &session).await);
    assert!(canada > 0 && canada < total, "{canada} of {total}");

    for (path, status, says) in [
        ("/ui/designations?authority=atlantis", StatusCode::BAD_REQUEST, "choose one of: ca, un"),
        ("/ui/designations?page=9999", StatusCode::NOT_FOUND, "go back to page 1"),
        ("/ui/designations?page=zero", StatusCode::BAD_REQUEST, "page number"),
    ] {
        let response = page(&node, path, &session).await;
        assert_eq!(response.status(), status, "{path}");
        assert!(response.text().await.expect("page").contains(says), "{path}");
    }
}

#[tokio::test]
async fn without_lists_the_page_says_how_to_load_one_and_shows_each_list_once_loaded() {
    let node = Node::start().await;
    let session = sign_in(&node, &node.tokens.reader).await;
    let empty = html(&node, "/ui/designations", &session).await;
    assert!(empty.contains("entente designations import"), "{empty}");
    // Each import shows at the next view: the page does not keep an old grouping.
    import(&node, INTELLIGENCE, "canada-listed-terrorist-entities.json");
    assert_eq!(columns(&html(&node, "/ui/designations", &session).await), vec!["ca"]);
    import(&node, INTELLIGENCE, "un-consolidated.xml");
    assert_eq!(columns(&html(&node, "/ui/designations", &session).await), vec!["ca", "un"]);
}
