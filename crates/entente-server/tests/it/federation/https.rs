//! Federation over HTTPS: two nodes with certificates from a private CA, each trusting
//! it for outbound calls, recognize each other and negotiate; a node that does not
//! trust the CA cannot deliver.

use super::node::{FedNode, now, recognize_each_other, settle};
use super::treaty::{draft, json};
use crate::pki::TestPki;

#[tokio::test(flavor = "multi_thread")]
async fn two_https_nodes_exchange_notes_through_a_private_ca() {
    let pki = TestPki::new();
    let a = FedNode::start_tls("CERT-A", 1, &pki).await;
    let b = FedNode::start_tls("CERT-B", 2, &pki).await;
    assert!(a.url("").starts_with("https://"));
    let card = a.fetch_card().await;
    assert!(card.contains(&format!("\"https://{}/federation/v1/notes\"", a.address)), "{card}");

    recognize_each_other(&a, &b).await;
    let treaty = draft(&[&a.id, &b.id], &a.id, 30);
    a.diplomat.propose(&b.id, &json(&treaty), now()).expect("propose");
    let view = settle(&a, &b).await;
    assert_eq!(view.state, "negotiating");
    assert_eq!(view.notes, 3);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_node_that_does_not_trust_the_partners_ca_cannot_deliver() {
    let pki = TestPki::new();
    let a = FedNode::start_tls("CERT-A", 1, &pki).await;
    let c = FedNode::start("CERT-C", 3).await;
    let card = a.fetch_card().await;
    c.diplomat.contact(&card, now()).expect("contact");
    c.diplomat.recognize(&a.id, &a.key().fingerprint(), now()).expect("recognize");
    tokio::time::sleep(std::time::Duration::from_millis(1500)).await;
    assert_eq!(c.pending_for(&a), 1, "the note waits: C's worker refuses A's certificate");
    assert!(a.store.notes_with(c.id.as_str()).expect("notes").is_empty(), "A received nothing");
}
