//! What the demo prints once sync has settled: the parties and how to reach them, the
//! treaties in force, what each party holds and from whom, where its objects went, and
//! why others did not go. Everything is read back from the nodes' stores and ledgers.

use super::diplomacy::Concluded;
use super::intel::{Described, describe};
use super::node::DemoNode;
use super::parties::{ALLIANCE_ID, ALLIANCE_NAME, EASTLAND, NORTHLAND, PARTIES, SOUTHLAND};
use super::release::Flow;
use crate::commands::now_micros;
use entente_core::Timestamp;
use serde::Serialize;

#[derive(Debug, Serialize)]
pub struct Summary {
    /// Where the nodes' data directories are.
    pub root: String,
    /// Whether they stay after the demo exits (`--keep-dir`).
    pub kept: bool,
    pub settled_after_seconds: f64,
    pub parties: Vec<PartyReport>,
    pub treaties: Vec<TreatyReport>,
    pub alliance: AllianceReport,
    /// Along every treaty, both ways: what the release decision allows and denies.
    pub flows: Vec<Flow>,
    pub try_commands: Vec<String>,
}

#[derive(Debug, Serialize)]
pub struct PartyReport {
    pub handle: &'static str,
    pub name: &'static str,
    pub kind: &'static str,
    pub country: Option<&'static str>,
    pub role: &'static str,
    pub node_id: String,
    pub url: String,
    pub dir: String,
    pub admin_token: String,
    pub fingerprint: String,
    /// Object versions this node created (its share of the built-in intelligence and
    /// its own identity).
    pub originated: usize,
    /// Object versions received, by partner (ledger `receive` entries).
    pub received_from: Vec<Count>,
    /// Object versions released, by partner (ledger `release` entries).
    pub released_to: Vec<Count>,
    pub ledger_entries: u64,
    /// Every object version received (once, however many partners sent it), with who
    /// sent it first and who made it.
    pub received: Vec<Received>,
}

#[derive(Debug, Serialize)]
pub struct Count {
    pub partner: &'static str,
    pub objects: u64,
}

#[derive(Debug, Serialize)]
pub struct Received {
    pub from: String,
    pub originator: String,
    #[serde(flatten)]
    pub object: Described,
}

/// The regional alliance as each founder folds it from the signed acts it holds.
#[derive(Debug, Serialize)]
pub struct AllianceReport {
    pub id: &'static str,
    pub name: &'static str,
    pub charter_hash: String,
    pub version: Option<u32>,
    pub membership_hash: Option<String>,
    pub members: Vec<String>,
    pub in_force: bool,
    /// Every founder holds the same membership version and hash.
    pub agreed_by_all_members: bool,
}

#[derive(Debug, Serialize)]
pub struct TreatyReport {
    pub parties: [&'static str; 2],
    pub title: String,
    pub terms: &'static str,
    pub hash: String,
    /// The relation's state on each side, as each node derives it from the notes.
    pub state: [String; 2],
}

/// Reads everything back from the running nodes.
pub fn gather(
    nodes: &[DemoNode],
    treaties: &[Concluded],
    flows: Vec<Flow>,
    root: &std::path::Path,
    kept: bool,
    settled_after_seconds: f64,
) -> anyhow::Result<Summary> {
    let parties = nodes.iter().map(|node| party(node, nodes)).collect::<anyhow::Result<Vec<_>>>()?;
    let now = Timestamp::from_unix_micros(now_micros());
    let mut reports = Vec::new();
    for concluded in treaties {
        let (a, b) = (&nodes[concluded.proposer], &nodes[concluded.partner]);
        let ours = a.diplomat.relation(&b.id, now).map_err(|error| anyhow::anyhow!("{error}"))?;
        let theirs = b.diplomat.relation(&a.id, now).map_err(|error| anyhow::anyhow!("{error}"))?;
        reports.push(TreatyReport {
            parties: [a.party.handle, b.party.handle],
            title: concluded.treaty.body().title.clone(),
            terms: concluded.kind.summary(),
            hash: ours.treaty_in_force.unwrap_or_else(|| concluded.treaty.hash().to_string()),
            state: [ours.state, theirs.state],
        });
    }
    Ok(Summary {
        root: root.display().to_string(),
        kept,
        settled_after_seconds,
        parties,
        treaties: reports,
        alliance: alliance(nodes, now)?,
        flows,
        try_commands: try_commands(nodes),
    })
}

fn handle_of(nodes: &[DemoNode], id: &str) -> String {
    nodes.iter().find(|node| node.id.as_str() == id).map_or_else(|| id.to_owned(), |node| node.party.handle.into())
}

fn party(node: &DemoNode, nodes: &[DemoNode]) -> anyhow::Result<PartyReport> {
    let mut originated = 0;
    let mut received = Vec::new();
    for row in node.store.feed_rows(None, 1_000_000, "")? {
        if row.duplicate {
            continue;
        }
        match row.seal.as_ref().and_then(|seal| seal.received_from.clone().map(|from| (from, seal))) {
            Some((from, seal)) => received.push(Received {
                from: handle_of(nodes, &from),
                originator: handle_of(nodes, &seal.originator),
                object: describe(&row.json)?,
            }),
            None => originated += 1,
        }
    }
    let mut received_from = Vec::new();
    let mut released_to = Vec::new();
    for other in nodes.iter().filter(|other| other.id != node.id) {
        let partner = other.party.handle;
        let (got, gave) = (
            node.store.ledger_count(other.id.as_str(), "receive")?,
            node.store.ledger_count(other.id.as_str(), "release")?,
        );
        if got > 0 {
            received_from.push(Count { partner, objects: got });
        }
        if gave > 0 {
            released_to.push(Count { partner, objects: gave });
        }
    }
    Ok(PartyReport {
        handle: node.party.handle,
        name: node.party.name,
        kind: node.party.kind,
        country: node.party.country,
        role: node.party.role,
        node_id: node.id.to_string(),
        url: node.url.clone(),
        dir: node.dir.root().display().to_string(),
        admin_token: node.admin_token.clone(),
        fingerprint: node.fingerprint.clone(),
        originated,
        received_from,
        released_to,
        ledger_entries: node.store.ledger_head()?.0,
        received,
    })
}

/// The collection a node files a partner's intelligence in (named by the partner's id,
/// as `entente-server`'s puller names it).
fn received_collection(partner: &entente_core::StixId) -> uuid::Uuid {
    uuid::Uuid::new_v5(&uuid::Uuid::NAMESPACE_URL, format!("entente:received:{partner}").as_bytes())
}

fn try_commands(nodes: &[DemoNode]) -> Vec<String> {
    let binary = std::env::current_exe()
        .ok()
        .and_then(|path| path.to_str().map(str::to_owned))
        .unwrap_or_else(|| "entente".into());
    let northland = &nodes[super::parties::NORTHLAND];
    let civic = &nodes[super::parties::CIVICCERT];
    let dir = |node: &DemoNode| node.dir.root().display().to_string();
    vec![
        format!(
            "open {}/ui in a browser and sign in with Northland's admin token (every node serves /ui)",
            northland.url
        ),
        format!(
            "curl -s -H 'Authorization: Bearer {}' -H 'Accept: application/taxii+json;version=2.1' \
             '{}/intel/collections/{}/objects/'",
            civic.admin_token,
            civic.url,
            received_collection(&nodes[super::parties::SOUTHLAND].id)
        ),
        format!(
            "curl -s -H 'Authorization: Bearer {}' -H 'Accept: application/taxii+json;version=2.1' \
             '{}/intel/collections/{}/objects/'",
            northland.admin_token,
            northland.url,
            received_collection(&nodes[super::parties::FARLAND].id)
        ),
        format!("{binary} --dir {} sync status", dir(civic)),
        format!("{binary} --dir {} audit show --kind release --limit 10", dir(&nodes[super::parties::SOUTHLAND])),
        format!("{binary} --dir {} audit verify", dir(northland)),
        format!("{binary} --dir {} relations show {:?}", dir(northland), PARTIES[super::parties::FARLAND].name),
        format!(
            "curl -s -H 'Authorization: Bearer {}' {}/metrics | grep entente_sync",
            northland.admin_token, northland.url
        ),
    ]
}

fn alliance(nodes: &[DemoNode], now: Timestamp) -> anyhow::Result<AllianceReport> {
    let id = entente_core::StixId::parse(ALLIANCE_ID)?;
    let mut views = Vec::new();
    for founder in [NORTHLAND, SOUTHLAND, EASTLAND] {
        views.push(nodes[founder].diplomat.alliance(&id, now).map_err(|error| anyhow::anyhow!("{error}"))?);
    }
    let agreed = views.windows(2).all(|pair| pair[0].membership_hash == pair[1].membership_hash);
    let view = &views[0];
    Ok(AllianceReport {
        id: ALLIANCE_ID,
        name: ALLIANCE_NAME,
        charter_hash: view.charter_hash.clone(),
        version: view.version,
        membership_hash: view.membership_hash.clone(),
        members: view.members.iter().map(|member| handle_of(nodes, member)).collect(),
        in_force: view.in_force,
        agreed_by_all_members: agreed,
    })
}
