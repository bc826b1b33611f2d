//! The Partners, negotiation and Alliances pages between two real nodes: the list
//! with its map and graph, a partner's page (treaty terms in plain language, the note
//! timeline), two versions side by side, a proposal → accept → sign flow driven through
//! the forms with their CSRF tokens, illegal moves refused with nothing changed, the
//! consequences of a termination shown before it is made, alliance forms, and the
//! refusals (non-admin viewers, unknown partners).

use super::support::{browser, cookie_value, form, hidden, set_cookie};
use crate::federation::alliances::{alliance_id, charter, until};
use crate::federation::node::{FedNode, conclude, now, recognize_each_other, seconds_from_now, settle};
use crate::federation::treaty::{counter, draft, json};
use entente_core::auth::{Role, TokenHash};
use entente_core::treaty::{Resharing, Treaty};
use reqwest::StatusCode;
use reqwest::header::{COOKIE, LOCATION};
use serde_json::{Value, json as value};

/// Makes a token with `role` on `node` and signs in with it; the session cookie.
async fn sign_in(node: &FedNode, role: Role) -> String {
    let token = format!("ent_web_{}", uuid::Uuid::new_v4().simple());
    let id = uuid::Uuid::new_v4().simple().to_string()[..8].to_owned();
    node.store.create_token(&id, "web", role, &TokenHash::of(&token), now().unix_micros()).expect("token");
    session_for(node, &token).await
}

/// Signs in with `token` through the sign-in form; the session cookie.
async fn session_for(node: &FedNode, token: &str) -> String {
    let login = browser().get(node.url("/ui/login")).send().await.expect("GET login");
    let login_cookie = cookie_value(&set_cookie(&login, "entente_login").expect("login cookie"));
    let csrf = hidden(&login.text().await.expect("login page"), "csrf");
    let request = browser().post(node.url("/ui/login")).header(COOKIE, format!("entente_login={login_cookie}"));
    let response =
        form(request, &[("csrf", csrf.as_str()), ("token", token), ("next", "/ui")]).send().await.expect("POST login");
    assert_eq!(response.status(), StatusCode::SEE_OTHER, "sign-in");
    format!("entente_session={}", cookie_value(&set_cookie(&response, "entente_session").expect("session")))
}

/// Signs in at `node` with an envoy credential accredited to `partner`'s envoy.
async fn envoy_session(node: &FedNode, partner: &FedNode) -> String {
    let token = format!("ent_envoy_{}", uuid::Uuid::new_v4().simple());
    let treaty = node.relation(partner).treaty_in_force.expect("treaty in force");
    let id = uuid::Uuid::new_v4().simple().to_string()[..8].to_owned();
    node.store
        .create_envoy_token(&id, "envoy", &TokenHash::of(&token), partner.id.as_str(), &treaty, now().unix_micros())
        .expect("envoy token");
    session_for(node, &token).await
}

async fn get(node: &FedNode, path: &str, session: &str) -> reqwest::Response {
    browser().get(node.url(path)).header(COOKIE, session).send().await.expect("GET")
}

async fn html(node: &FedNode, path: &str, session: &str) -> String {
    let response = get(node, path, session).await;
    assert_eq!(response.status(), StatusCode::OK, "GET {path}");
    response.text().await.expect("page")
}

/// POSTs a form with the CSRF token of the page at `from` (fetched first).
async fn post(node: &FedNode, from: &str, path: &str, session: &str, fields: &[(&str, &str)]) -> reqwest::Response {
    let csrf = hidden(&html(node, from, session).await, "csrf");
    let mut pairs = vec![("csrf", csrf.as_str())];
    pairs.extend_from_slice(fields);
    form(browser().post(node.url(path)).header(COOKIE, session), &pairs).send().await.expect("POST")
}

fn redirected_to(response: &reqwest::Response) -> String {
    assert_eq!(response.status(), StatusCode::SEE_OTHER, "a redirect after the form");
    response.headers().get(LOCATION).and_then(|value| value.to_str().ok()).expect("location").to_owned()
}

async fn recognized_pair(seeds: (u8, u8)) -> (FedNode, FedNode) {
    let a = FedNode::start("Alpha", seeds.0).await;
    let b = FedNode::start("Bravo", seeds.1).await;
    recognize_each_other(&a, &b).await;
    (a, b)
}

#[tokio::test]
async fn a_treaty_is_proposed_accepted_and_signed_through_the_forms() {
    let (a, b) = recognized_pair((61, 62)).await;
    let (sa, sb) = (sign_in(&a, Role::Admin).await, sign_in(&b, Role::Admin).await);
    let (to_b, to_a) = (format!("/ui/partners/{}", b.id), format!("/ui/partners/{}", a.id));

    let list = html(&a, "/ui/partners", &sa).await;
    assert!(list.contains(&format!("href=\"{to_b}\">Bravo</a>")), "the table links the partner");
    assert!(list.contains("id=\"map-fr\" class=\"country partner state-recognized\""), "France on the map");
    assert!(list.contains("id=\"map-de\" class=\"country\""), "no partner in Germany");
    assert!(list.contains("CC BY 4.0"), "the map's attribution");

    let page = html(&a, &to_b, &sa).await;
    assert!(page.contains(&format!("href=\"{to_b}/draft\"")), "recognized: a proposal may be drafted");
    assert!(!page.contains("value=\"sign\""), "nothing to sign yet");
    let start = seconds_from_now(-86_400).to_string();
    let end = seconds_from_now(365 * 86_400).to_string();
    let fields = [
        ("title", "Cyber sharing"),
        ("purpose", "To share cyber threat intelligence."),
        ("topics", "cyber, counter-terrorism"),
        ("object_types", "indicator, malware"),
        ("labels", ""),
        ("tlp", "amber"),
        ("encrypt_in_transit", "may"),
        ("permitted_actions", "internally-visible-actions"),
        ("affected_party_notifications", "may"),
        ("attribution", "may"),
        ("unmodified_resale", "must-not"),
        ("on_termination", "purge"),
        ("start_date", start.as_str()),
        ("end_date", end.as_str()),
        ("resharing", "nobody"),
        ("resharing_alliances", ""),
        ("notice_period_days", "30"),
    ];
    let draft_path = format!("{to_b}/draft");
    let mut preview = fields.to_vec();
    preview.push(("action", "preview"));
    let shown = post(&a, &draft_path, &draft_path, &sa, &preview).await;
    assert_eq!(shown.status(), StatusCode::OK);
    let shown = shown.text().await.expect("preview");
    assert!(shown.contains("&#34;title&#34;: &#34;Cyber sharing&#34;"), "the JSON beside the form");
    assert_eq!(a.relation(&b).notes, b.relation(&a).notes, "a preview sends nothing");
    assert_eq!(a.relation(&b).state, "recognized");

    let mut send = fields.to_vec();
    send.push(("action", "send"));
    let sent = post(&a, &draft_path, &draft_path, &sa, &send).await;
    assert_eq!(redirected_to(&sent), to_b);
    let view = settle(&a, &b).await;
    assert_eq!(view.state, "negotiating");
    let hash = view.draft.expect("a text under negotiation");

    let theirs = html(&b, &to_a, &sb).await;
    assert!(theirs.contains("Under negotiation") && theirs.contains(&hash), "the partner sees the text");
    assert!(theirs.contains("nothing marked above TLP:AMBER is shared"), "terms in plain language");
    let accepted = post(&b, &to_a, &format!("{to_a}/move"), &sb, &[("move", "accept")]).await;
    assert_eq!(redirected_to(&accepted), to_a);
    settle(&a, &b).await;

    // An illegal move posted anyway: refused, nothing recorded.
    let before = a.relation(&b);
    let refused = post(&a, &to_b, &format!("{to_b}/move"), &sa, &[("move", "resume"), ("confirmed", "yes")]).await;
    assert_eq!(refused.status(), StatusCode::CONFLICT);
    let after = a.relation(&b);
    assert_eq!((after.notes, after.state), (before.notes, before.state), "nothing changed");
    let unknown = post(&a, &to_b, &format!("{to_b}/move"), &sa, &[("move", "dance")]).await;
    assert_eq!(unknown.status(), StatusCode::NOT_FOUND);

    for (node, session, path) in [(&a, &sa, &to_b), (&b, &sb, &to_a)] {
        let page = html(node, path, session).await;
        assert!(page.contains("name=\"move\" value=\"sign\""), "accepted: sign is offered");
        let signed = post(node, path, &format!("{path}/move"), session, &[("move", "sign")]).await;
        assert_eq!(redirected_to(&signed), *path);
    }
    let view = settle(&a, &b).await;
    assert_eq!(view.state, "in-force");
    assert_eq!(view.treaty_in_force.as_deref(), Some(hash.as_str()));
    assert_eq!(b.relation(&a).treaty_in_force.as_deref(), Some(hash.as_str()), "in force on both nodes");

    let page = html(&a, &to_b, &sa).await;
    assert!(page.contains("Treaty in force") && page.contains(&hash));
    assert!(page.contains("a termination takes effect 30 days after notice"));
    assert!(page.contains("each party deletes what it received under it"), "on_termination read aloud");
    for kind in ["propose", "accept", "sign", "recognize"] {
        assert!(page.contains(&format!("<strong>{kind}</strong>")), "the timeline shows {kind}");
    }
    let notes = a.relation(&b).notes;
    assert_eq!(page.matches("<span class=\"verified\">").count(), notes, "every signature verified");
    assert!(!page.contains("signature not verified"));
    let list = html(&a, "/ui/partners", &sa).await;
    assert!(list.contains("id=\"map-fr\" class=\"country partner state-in-force\""));

    // A partner's envoy signed in here sees no relations: they are this node's envoys' business.
    let envoy = envoy_session(&a, &b).await;
    for path in ["/ui/partners", to_b.as_str(), "/ui/alliances"] {
        assert_eq!(get(&a, path, &envoy).await.status(), StatusCode::FORBIDDEN, "{path} for an envoy");
    }

    // Terminating: the consequences first, and nothing done until confirmed.
    let asked = post(&a, &to_b, &format!("{to_b}/move"), &sa, &[("move", "terminate"), ("reason", "review")]).await;
    assert_eq!(asked.status(), StatusCode::OK);
    let asked = asked.text().await.expect("confirmation");
    assert!(asked.contains("What will happen") && asked.contains("ends 30 days after the notice"), "{asked}");
    assert!(asked.contains("each party deletes what it received"));
    assert_eq!(a.relation(&b).notes, notes, "asking changes nothing");
    let done = post(&a, &to_b, &format!("{to_b}/move"), &sa, &[("move", "terminate"), ("confirmed", "yes")]).await;
    assert_eq!(redirected_to(&done), to_b);
    let view = settle(&a, &b).await;
    assert!(view.termination_effective.is_some(), "notice given: {view:?}");
}

#[tokio::test]
async fn the_graph_and_two_versions_side_by_side() {
    let (a, b) = recognized_pair((63, 64)).await;
    let sa = sign_in(&a, Role::Admin).await;
    let first = draft(&[&a.id, &b.id], &a.id, 7);
    a.diplomat.propose(&b.id, &json(&first), now()).expect("propose");
    settle(&a, &b).await;
    let hostile = "<img src=x onerror=alert(1)> Revised";
    let second = counter(&first, &b.id, hostile);
    b.diplomat.counter(&a.id, &json(&second), now()).expect("counter");
    settle(&a, &b).await;

    let path = format!("/ui/partners/{}/diff?from={}&to={}", b.id, first.hash(), second.hash());
    let page = html(&a, &path, &sa).await;
    assert!(!page.contains("<img src=x"), "a partner's text is escaped");
    assert!(page.contains("&#60;img src=x onerror=alert(1)&#62; Revised"));
    let row = |label: &str| {
        let start = page.find(&format!("<th scope=\"row\">{label}")).expect(label);
        page[..start].rfind("<tr class=\"").map(|at| page[at + 11..].split('"').next().unwrap_or_default().to_owned())
    };
    assert_eq!(row("Title").as_deref(), Some("changed"));
    assert_eq!(row("Version").as_deref(), Some("changed"));
    assert_eq!(row("Proposed by").as_deref(), Some("changed"));
    assert_eq!(row("TLP ceiling").as_deref(), Some("same"));
    assert_eq!(row("Purpose").as_deref(), Some("same"));

    let partner = html(&a, &format!("/ui/partners/{}", b.id), &sa).await;
    assert!(partner.contains(&format!("<option value=\"{}\"", second.hash())), "versions to compare");
    assert!(!partner.contains("<img src=x"));
    let unrelated = format!("/ui/partners/{}/diff?from={}&to=sha256:{}", b.id, first.hash(), "0".repeat(64));
    assert_eq!(get(&a, &unrelated, &sa).await.status(), StatusCode::NOT_FOUND);
    let half = get(&a, &format!("/ui/partners/{}/diff?from={}", b.id, first.hash()), &sa).await;
    assert_eq!(half.status(), StatusCode::BAD_REQUEST);
    assert!(half.text().await.expect("page").contains("two versions"), "an error page that says what to do");

    // A partner whose name is markup: escaped in the table, the map's titles and the page.
    let hostile = FedNode::start("<script>alert(1)</script>", 70).await;
    recognize_each_other(&a, &hostile).await;
    let list = html(&a, "/ui/partners", &sa).await;
    assert!(!list.contains("<script>alert"), "a partner's name never becomes markup");
    assert!(list.contains("&#60;script&#62;alert(1)&#60;/script&#62;</a>"), "it is shown, escaped");
    let france = list.split("<title>France: ").nth(1).and_then(|rest| rest.split("</title>").next()).expect("France");
    assert!(france.contains("Bravo") && france.contains("&#60;script&#62;"), "both partners in France: {france}");
    let page = html(&a, &format!("/ui/partners/{}", hostile.id), &sa).await;
    assert!(!page.contains("<script>alert"));

    let graph: Value = get(&a, "/ui/partners/graph.json", &sa).await.json().await.expect("graph JSON");
    let elements = graph["elements"].as_array().expect("elements");
    let data = |id: &str| elements.iter().map(|element| &element["data"]).find(|data| data["id"] == id).cloned();
    assert_eq!(data(a.id.as_str()).expect("this node")["kind"], "self");
    assert_eq!(data(b.id.as_str()).expect("the partner")["state"], "negotiating");
    let edge = data(&format!("relation:{}", b.id)).expect("the relation edge");
    assert_eq!((edge["source"].clone(), edge["target"].clone()), (value!(a.id.as_str()), value!(b.id.as_str())));
    assert_eq!(edge["state"], "negotiating");
    assert_eq!(data(hostile.id.as_str()).expect("the other partner")["label"], "<script>alert(1)</script>");
}

#[tokio::test]
async fn alliance_pages_and_forms() {
    let (a, b) = recognized_pair((65, 66)).await;
    let (sa, sb) = (sign_in(&a, Role::Admin).await, sign_in(&b, Role::Admin).await);
    let document = charter(&[&a.id, &b.id], value!({"rule": "unanimity"}));
    let alliance = alliance_id(&document);
    a.diplomat.found_alliance(&document, now()).expect("found");
    until(&b, &alliance, "the charter arrives", |_| true).await;

    let list = html(&b, "/ui/alliances", &sb).await;
    assert!(list.contains(&format!("href=\"/ui/alliances/{alliance}\">Sahel Cyber Alliance</a>")));
    let path = format!("/ui/alliances/{alliance}");
    let page = html(&b, &path, &sb).await;
    assert!(page.contains("unanimity: every member in force must vote yes"), "the rule in words");
    assert!(page.contains("name=\"act\" value=\"sign\""), "a founder still to sign is offered the form");
    let signed = post(&b, &path, &format!("{path}/act"), &sb, &[("act", "sign")]).await;
    assert_eq!(redirected_to(&signed), path);
    until(&a, &alliance, "founded", |view| view.founded && view.members.len() == 2).await;
    let page = html(&a, &path, &sa).await;
    assert!(page.contains(&format!("Bravo <code>{}</code>", b.id)), "members listed by name");
    assert!(!page.contains("name=\"act\" value=\"sign\""), "signed: no form");
    assert!(page.contains("name=\"act\" value=\"propose\""), "members may propose");

    let act_path = format!("{path}/act");
    let ballot = post(&a, &path, &act_path, &sa, &[("act", "vote"), ("proposal", "nope"), ("ballot", "yes")]).await;
    assert_eq!(ballot.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let acts = a.diplomat.alliance(&alliance, now()).expect("alliance").acts;
    let twice = post(&a, &path, &format!("{path}/act"), &sa, &[("act", "sign")]).await;
    assert!(twice.status().is_client_error(), "signing twice is refused: {}", twice.status());
    assert_eq!(a.diplomat.alliance(&alliance, now()).expect("alliance").acts, acts, "nothing recorded");
    let unknown = format!("/ui/alliances/identity--{}", uuid::Uuid::new_v4());
    assert_eq!(get(&a, &unknown, &sa).await.status(), StatusCode::NOT_FOUND);

    let graph: Value = get(&a, "/ui/partners/graph.json", &sa).await.json().await.expect("graph JSON");
    let edges: Vec<&Value> = graph["elements"]
        .as_array()
        .expect("elements")
        .iter()
        .filter(|element| element["data"]["kind"] == "membership" && element["data"]["source"] == alliance.as_str())
        .collect();
    assert_eq!(edges.len(), 2, "an edge to each member: {edges:?}");

    // A treaty in force whose re-sharing names the alliance shows on its page.
    let base = draft(&[&a.id, &b.id], &a.id, 0);
    let mut body = base.body().clone();
    body.resharing = Resharing::AllianceParties(vec![alliance.clone()]);
    let treaty = Treaty::draft(base.id(), &a.id, now(), &body).expect("treaty");
    assert!(!html(&a, &path, &sa).await.contains(treaty.hash().as_str()));
    conclude(&a, &b, &treaty).await;
    let page = html(&a, &path, &sa).await;
    assert!(page.contains(&format!("<code>{}</code>", treaty.hash())), "the treaty that re-shares into it");

    // Proposing and voting through the forms: Alpha proposes to expel Bravo, the only
    // eligible voter (Alpha) votes yes, and under unanimity Bravo is out.
    let expel = [("act", "propose"), ("action", "expel"), ("subject", b.id.as_str())];
    assert_eq!(redirected_to(&post(&a, &path, &act_path, &sa, &expel).await), path);
    let page = html(&a, &path, &sa).await;
    assert!(page.contains("expel Bravo") && page.contains("outcome-open"), "the open poll is listed");
    let proposal = a.diplomat.alliance(&alliance, now()).expect("alliance").polls[0].proposal.clone();
    assert!(page.contains(&format!("name=\"proposal\" value=\"{proposal}\"")), "with a ballot form");
    let yes = [("act", "vote"), ("proposal", proposal.as_str()), ("ballot", "yes")];
    assert_eq!(redirected_to(&post(&a, &path, &act_path, &sa, &yes).await), path);
    until(&a, &alliance, "Bravo expelled", |view| view.members == [a.id.to_string()]).await;
    let page = html(&a, &path, &sa).await;
    assert!(page.contains("Alpha (this node): yes"), "the vote cast is shown");
    assert!(!page.contains("name=\"ballot\""), "no ballot left to cast");
}

#[tokio::test]
async fn only_administrators_see_relations_and_unknown_partners_are_404() {
    let a = FedNode::start("Alpha", 67).await;
    let analyst = sign_in(&a, Role::Analyst).await;
    for path in ["/ui/partners", "/ui/partners/graph.json", "/ui/alliances"] {
        let response = get(&a, path, &analyst).await;
        assert_eq!(response.status(), StatusCode::FORBIDDEN, "{path}");
        assert!(response.text().await.expect("page").contains("403"), "an error page");
    }
    let admin = sign_in(&a, Role::Admin).await;
    let stranger = format!("/ui/partners/identity--{}", uuid::Uuid::new_v4());
    let response = get(&a, &stranger, &admin).await;
    assert_eq!(response.status(), StatusCode::NOT_FOUND);
    assert_eq!(get(&a, "/ui/partners/not-a-node", &admin).await.status(), StatusCode::BAD_REQUEST);
    let moved = post(&a, "/ui/partners", &format!("{stranger}/move"), &admin, &[("move", "accept")]).await;
    assert_eq!(moved.status(), StatusCode::NOT_FOUND);
    let empty = html(&a, "/ui/partners", &admin).await;
    assert!(empty.contains("No partners yet"));
    let contact = post(&a, "/ui/partners", "/ui/partners/contact", &admin, &[("card", "{not json")]).await;
    assert_eq!(contact.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(a.store.partners().expect("partners").is_empty(), "nothing recorded");
}

#[tokio::test]
async fn first_contact_and_recognition_through_the_forms() {
    let a = FedNode::start("Alpha", 73).await;
    let b = FedNode::start("Bravo", 74).await;
    let sa = sign_in(&a, Role::Admin).await;
    let card = b.fetch_card().await;
    let contacted = post(&a, "/ui/partners", "/ui/partners/contact", &sa, &[("card", card.as_str())]).await;
    let to_b = format!("/ui/partners/{}", b.id);
    assert_eq!(redirected_to(&contacted), to_b);
    let page = html(&a, &to_b, &sa).await;
    assert!(page.contains(&b.key().fingerprint()), "the fingerprint to compare out of band");
    assert!(page.contains("name=\"move\" value=\"recognize\""), "recognition is offered");
    assert_eq!(a.relation(&b).notes, 0, "contact sends nothing");

    let path = format!("{to_b}/move");
    let wrong = post(&a, &to_b, &path, &sa, &[("move", "recognize"), ("fingerprint", "00:11")]).await;
    assert_eq!(wrong.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(a.relation(&b).notes, 0, "a wrong fingerprint recognizes nothing");
    let fingerprint = b.key().fingerprint();
    let right = post(&a, &to_b, &path, &sa, &[("move", "recognize"), ("fingerprint", fingerprint.as_str())]).await;
    assert_eq!(redirected_to(&right), to_b);
    let their_card = a.fetch_card().await;
    b.diplomat.contact(&their_card, now()).expect("contact");
    b.diplomat.recognize(&a.id, &a.key().fingerprint(), now()).expect("recognize");
    let view = settle(&a, &b).await;
    assert_eq!(view.state, "recognized");
    assert!(view.recognized_by_us && view.recognized_by_partner);
}
