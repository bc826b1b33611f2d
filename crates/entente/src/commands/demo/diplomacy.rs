//! Relations and treaties between the demo's nodes, through the real protocol.
//!
//! Each node fetches its partner's signed card over HTTP and records the contact; the
//! demo plays both operators, so the fingerprint it confirms is the one the card
//! shows (in real life it is read aloud over another channel). Every move after that
//! is a signed note queued in the mover's outbox and delivered by its server's worker;
//! the demo only waits for the partner to have it before the next move.

use super::node::DemoNode;
use super::parties::{PARTIES, TREATIES, TreatyKind};
use crate::commands::now_micros;
use anyhow::{Context, anyhow, bail};
use entente_core::Timestamp;
use entente_core::card::MAX_CARD_BYTES;
use entente_core::treaty::Treaty;
use entente_server::federation::RelationView;
use std::time::{Duration, Instant};

/// How long one step may wait for notes to travel between nodes on this machine.
const PATIENCE: Duration = Duration::from_secs(30);

fn now() -> Timestamp {
    Timestamp::from_unix_micros(now_micros())
}

/// A treaty the demo concluded.
#[derive(Debug)]
pub struct Concluded {
    pub proposer: usize,
    pub partner: usize,
    pub kind: TreatyKind,
    pub treaty: Treaty,
}

/// Contact, recognition, proposal, acceptance and signatures for every treaty of
/// [`TREATIES`]; `step` is told what is happening.
pub async fn establish(nodes: &[DemoNode], step: &dyn Fn(&str)) -> anyhow::Result<Vec<Concluded>> {
    let client = entente_server::tls::http_client(&entente_server::TrustedRoots::default())
        .timeout(Duration::from_secs(10))
        .build()?;
    step("making contact: each node fetches its partners' signed cards");
    for &(a, b, _) in &TREATIES {
        for (us, them) in [(&nodes[a], &nodes[b]), (&nodes[b], &nodes[a])] {
            let card = fetch_card(&client, &them.url).await?;
            let partner = us.diplomat.contact(&card, now()).map_err(|error| anyhow!("{error}"))?;
            // Both operators are played here: the fingerprint the card shows is the one
            // the partner's operator would read aloud.
            us.diplomat.recognize(&them.id, &partner.fingerprint, now()).map_err(|error| anyhow!("{error}"))?;
        }
    }
    step("recognition: fingerprints confirmed, keys pinned, recognize notes delivered");
    wait_all(nodes, "recognized", |ours, _| ours.state == "recognized").await?;
    let mut concluded = Vec::new();
    for &(a, b, kind) in &TREATIES {
        let text = kind.text(&PARTIES[a], &PARTIES[b], now());
        let treaty = Treaty::parse(&text).map_err(|error| anyhow!("the demo's treaty text: {error}"))?;
        nodes[a].diplomat.propose(&nodes[b].id, &text, now()).map_err(|error| anyhow!("{error}"))?;
        concluded.push(Concluded { proposer: a, partner: b, kind, treaty });
    }
    step("negotiation: five treaties proposed");
    wait_all(nodes, "negotiating", |ours, theirs| ours.state == "negotiating" && theirs.draft.is_some()).await?;
    for &(a, b, _) in &TREATIES {
        nodes[b].diplomat.accept(&nodes[a].id, now()).map_err(|error| anyhow!("{error}"))?;
    }
    step("negotiation: every draft accepted, its text fixed");
    wait_all(nodes, "accepted", |ours, theirs| ours.draft_accepted && theirs.draft_accepted).await?;
    for &(a, b, _) in &TREATIES {
        nodes[a].diplomat.sign(&nodes[b].id, now()).map_err(|error| anyhow!("{error}"))?;
        nodes[b].diplomat.sign(&nodes[a].id, now()).map_err(|error| anyhow!("{error}"))?;
    }
    step("signature: both parties signed every treaty");
    wait_all(nodes, "in-force", |ours, theirs| ours.state == "in-force" && theirs.state == "in-force").await?;
    Ok(concluded)
}

/// GETs a node's signed card.
async fn fetch_card(client: &reqwest::Client, base: &str) -> anyhow::Result<String> {
    let url = format!("{base}/.well-known/entente");
    let response = client.get(&url).send().await.with_context(|| format!("fetching {url}"))?;
    if !response.status().is_success() {
        bail!("{url} answered {}", response.status());
    }
    let text = response.text().await?;
    if text.len() > MAX_CARD_BYTES {
        bail!("{url} sent more than a card");
    }
    Ok(text)
}

/// Waits until `reached(proposer's view, partner's view)` holds for every treaty pair.
async fn wait_all(
    nodes: &[DemoNode],
    what: &str,
    reached: impl Fn(&RelationView, &RelationView) -> bool,
) -> anyhow::Result<()> {
    let started = Instant::now();
    loop {
        let mut missing = None;
        for &(a, b, _) in &TREATIES {
            let ours = nodes[a].diplomat.relation(&nodes[b].id, now()).map_err(|error| anyhow!("{error}"))?;
            let theirs = nodes[b].diplomat.relation(&nodes[a].id, now()).map_err(|error| anyhow!("{error}"))?;
            if !(reached(&ours, &theirs) && reached(&theirs, &ours)) {
                missing = Some(format!(
                    "{} sees {}, {} sees {}",
                    nodes[a].party.name, ours.state, nodes[b].party.name, theirs.state
                ));
                break;
            }
        }
        let Some(missing) = missing else { return Ok(()) };
        if started.elapsed() > PATIENCE {
            bail!("the relations did not reach {what} within {PATIENCE:?}: {missing}");
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// Founds the regional alliance through the real protocol: Northland founds it (its
/// signature travels to the other founders in an `alliance-act` note with the charter),
/// Southland and Eastland sign, and every founder ends up holding the same membership.
pub async fn found_alliance(nodes: &[DemoNode], step: &dyn Fn(&str)) -> anyhow::Result<()> {
    use super::parties::{ALLIANCE_ID, EASTLAND, NORTHLAND, SOUTHLAND, regional_charter};
    let alliance = entente_core::StixId::parse(ALLIANCE_ID)?;
    let founders = [NORTHLAND, SOUTHLAND, EASTLAND];
    nodes[NORTHLAND].diplomat.found_alliance(&regional_charter(now()), now()).map_err(|error| anyhow!("{error}"))?;
    step("alliance: Northland proposes the regional charter and signs it");
    let started = Instant::now();
    let mut signed = [true, false, false];
    loop {
        for (index, &founder) in founders.iter().enumerate() {
            if !signed[index] && nodes[founder].diplomat.alliance(&alliance, now()).is_ok() {
                nodes[founder].diplomat.sign_alliance(&alliance, now()).map_err(|error| anyhow!("{error}"))?;
                signed[index] = true;
            }
        }
        let views: Vec<_> =
            founders.iter().filter_map(|&f| nodes[f].diplomat.alliance(&alliance, now()).ok()).collect();
        let agreed = views.len() == founders.len()
            && views.iter().all(|view| view.founded && view.membership_hash.is_some())
            && views.windows(2).all(|pair| pair[0].membership_hash == pair[1].membership_hash);
        if agreed {
            step("alliance: founded; the three founders hold the same signed membership");
            return Ok(());
        }
        if started.elapsed() > PATIENCE {
            bail!("the regional alliance was not founded on every founder within {PATIENCE:?}");
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}
