//! `entente alliance …`: the secretariat's side of alliances.
//!
//! Each move opens the data directory and calls the server crate's [`Diplomat`], which
//! makes the act, checks it against the alliance as this node folds it, and records it
//! with the `alliance-act` notes that carry it, in one transaction; the running
//! `entente serve` delivers them. Nothing here decides whether an act is allowed: the
//! alliance fold (core) does; this file names alliances, nodes and proposals, reads the
//! charter file and prints.

mod template;

use super::relations::{Session, now, resolve};
use crate::cli::AllianceCommand;
use crate::datadir::DataDir;
use crate::output::emit;
use anyhow::{Context, anyhow, bail};
use entente_core::StixId;
use entente_core::alliance::{AllianceHash, Ballot, ProposalAction};
use entente_server::federation::{AllianceView, DiplomacyError, Diplomat};
use serde::Serialize;
use std::collections::HashMap;

pub fn run(dir: &DataDir, command: AllianceCommand) -> anyhow::Result<()> {
    match command {
        AllianceCommand::Found { charter, json } => {
            let document = super::treaty::read_document(&charter)?;
            act(
                dir,
                json,
                "found",
                |diplomat, _| diplomat.found_alliance(&document, now()),
                |_| {
                    let id = document.get("id").and_then(|id| id.as_str()).unwrap_or_default();
                    StixId::parse(id).map_err(|error| anyhow!("the charter's id: {error}"))
                },
            )
        }
        AllianceCommand::Sign { alliance, json } => {
            act(dir, json, "sign", |diplomat, id| diplomat.sign_alliance(id, now()), |session| find(session, &alliance))
        }
        AllianceCommand::Propose { alliance, admit, expel, json } => {
            let (action, node) = match (admit, expel) {
                (Some(node), None) => (ProposalAction::Admit, node),
                (None, Some(node)) => (ProposalAction::Expel, node),
                _ => bail!("give exactly one of --admit NODE or --expel NODE"),
            };
            let session = Session::open_default(dir)?;
            let subject = subject(&session, &node)?;
            act(
                dir,
                json,
                "propose",
                |diplomat, id| diplomat.propose_in_alliance(id, action, &subject, now()),
                |session| find(session, &alliance),
            )
        }
        AllianceCommand::Vote { alliance, proposal, vote, json } => {
            let ballot = if vote == "yes" { Ballot::Yes } else { Ballot::No };
            let session = Session::open_default(dir)?;
            let id = find(&session, &alliance)?;
            let proposal = proposal_of(&session, &id, &proposal)?;
            act(dir, json, "vote", |diplomat, id| diplomat.vote_in_alliance(id, &proposal, ballot, now()), |_| Ok(id))
        }
        AllianceCommand::Accede { alliance, proposal, json } => {
            let session = Session::open_default(dir)?;
            let id = find(&session, &alliance)?;
            let proposal = proposal_of(&session, &id, &proposal)?;
            act(dir, json, "accede", |diplomat, id| diplomat.accede_to_alliance(id, &proposal, now()), |_| Ok(id))
        }
        AllianceCommand::Withdraw { alliance, json } => act(
            dir,
            json,
            "withdraw",
            |diplomat, id| diplomat.withdraw_from_alliance(id, now()),
            |session| find(session, &alliance),
        ),
        AllianceCommand::List { json } => list(dir, json),
        AllianceCommand::Show { alliance, charter, json } => show(dir, &alliance, charter, json),
        AllianceCommand::Template { with, json } => template::template(dir, &with, json),
    }
}

/// An act just made, and the alliance after it.
#[derive(Serialize)]
struct Made {
    kind: &'static str,
    act: String,
    /// Always `queued`: `entente serve` delivers the notes that carry it.
    delivery: &'static str,
    alliance: AllianceView,
}

fn act(
    dir: &DataDir,
    json: bool,
    kind: &'static str,
    make: impl FnOnce(&Diplomat, &StixId) -> Result<AllianceHash, DiplomacyError>,
    alliance: impl FnOnce(&Session) -> anyhow::Result<StixId>,
) -> anyhow::Result<()> {
    let session = Session::open_default(dir)?;
    let id = alliance(&session)?;
    let hash = make(&session.diplomat, &id).map_err(|error| refused(kind, &error))?;
    let view = session.diplomat.alliance(&id, now()).map_err(|error| anyhow!("{error}"))?;
    let made = Made { kind, act: hash.to_string(), delivery: "queued", alliance: view };
    let names = names(&session)?;
    emit(json, &made, |made| {
        format!(
            "Made the {} act {}.\nQueued for the nodes the alliance concerns: `entente serve` delivers it (start it \
             if it is not running).\n\n{}",
            made.kind,
            made.act,
            summary(&made.alliance, &names)
        )
    })
}

/// Explains a refused act with its code; nothing was recorded or sent.
fn refused(kind: &str, error: &DiplomacyError) -> anyhow::Error {
    anyhow!(
        "{kind} refused ({}): {error}. Nothing was recorded or sent; `entente alliance show ALLIANCE` shows where \
         the alliance stands",
        error.code()
    )
}

/// An alliance this node holds, by id or exact name.
fn find(session: &Session, given: &str) -> anyhow::Result<StixId> {
    let held = session.diplomat.alliances(now()).map_err(|error| anyhow!("{error}"))?;
    let found: Vec<&AllianceView> = held.iter().filter(|view| view.id == given || view.name == given).collect();
    match found.as_slice() {
        [one] => StixId::parse(&one.id).context("a stored alliance id"),
        [] if held.is_empty() => bail!(
            "this node holds no alliance yet: found one with `entente alliance found --charter FILE`, or wait for \
             a founder's charter to arrive (`entente serve` must be running)"
        ),
        [] => bail!("this node holds no alliance {given:?}; `entente alliance list` shows those it holds"),
        many => bail!("{} alliances are named {given:?}; give the alliance id instead", many.len()),
    }
}

/// A node to admit or expel: a partner's name or any node id.
fn subject(session: &Session, given: &str) -> anyhow::Result<StixId> {
    resolve(&session.store, given)
}

/// A proposal by hash or unique prefix.
fn proposal_of(session: &Session, alliance: &StixId, given: &str) -> anyhow::Result<AllianceHash> {
    let view = session.diplomat.alliance(alliance, now()).map_err(|error| anyhow!("{error}"))?;
    let matching: Vec<&str> = view
        .polls
        .iter()
        .map(|poll| poll.proposal.as_str())
        .filter(|hash| hash.starts_with(given) || hash.trim_start_matches("sha256:").starts_with(given))
        .collect();
    match matching.as_slice() {
        [one] => AllianceHash::parse(one).context("a stored proposal hash"),
        [] => bail!(
            "no proposal {given:?} in {}; `entente alliance show {}` lists the proposals this node holds",
            view.name,
            view.id
        ),
        _ => bail!("{given:?} names {} proposals; give more of the hash", matching.len()),
    }
}

/// Names of the nodes this node knows: its own and its partners'.
fn names(session: &Session) -> anyhow::Result<HashMap<String, String>> {
    let mut names: HashMap<String, String> =
        session.store.partners()?.into_iter().map(|partner| (partner.node_id, partner.name)).collect();
    let settings = session.store.node_settings()?;
    names.insert(settings.identity_id, format!("{} (this node)", settings.name));
    Ok(names)
}

fn list(dir: &DataDir, json: bool) -> anyhow::Result<()> {
    let session = Session::open_default(dir)?;
    let held = session.diplomat.alliances(now()).map_err(|error| anyhow!("{error}"))?;
    let names = names(&session)?;
    emit(json, &held, |held| {
        if held.is_empty() {
            return "No alliances yet: `entente alliance template --with NODE` starts a charter.".to_owned();
        }
        held.iter()
            .map(|view| {
                let state = match view.version {
                    Some(version) => format!("version {version}, {} members", view.members.len()),
                    None => format!("not founded: waiting for {}", named(&view.missing_founders, &names)),
                };
                format!("{}  {}  {state}", view.id, view.name)
            })
            .collect::<Vec<_>>()
            .join("\n")
    })
}

#[derive(Serialize)]
struct Shown {
    #[serde(flatten)]
    alliance: AllianceView,
    charter: serde_json::Value,
}

fn show(dir: &DataDir, given: &str, with_charter: bool, json: bool) -> anyhow::Result<()> {
    let session = Session::open_default(dir)?;
    let id = find(&session, given)?;
    let alliance = session.diplomat.alliance(&id, now()).map_err(|error| anyhow!("{error}"))?;
    let record = session.store.alliance_charter(id.as_str())?.context("the alliance's charter")?;
    let charter: serde_json::Value = serde_json::from_str(&record.json).context("the stored charter")?;
    let names = names(&session)?;
    emit(json, &Shown { alliance, charter }, |shown| {
        let mut text = summary(&shown.alliance, &names);
        if with_charter {
            text.push_str(&format!(
                "\n\nCharter:\n{}",
                serde_json::to_string_pretty(&shown.charter).unwrap_or_default()
            ));
        }
        text
    })
}

fn named(nodes: &[String], names: &HashMap<String, String>) -> String {
    let one = |node: &String| names.get(node).map_or_else(|| node.clone(), |name| format!("{name} ({node})"));
    nodes.iter().map(one).collect::<Vec<_>>().join(", ")
}

/// The alliance in a few lines.
fn summary(view: &AllianceView, names: &HashMap<String, String>) -> String {
    let rule = match view.decision_rule.get("rule").and_then(|rule| rule.as_str()) {
        Some("qualified-majority") => {
            format!("qualified majority {}/{}", view.decision_rule["numerator"], view.decision_rule["denominator"])
        }
        _ => "unanimity".to_owned(),
    };
    let mut lines = vec![
        format!("{} ({})", view.name, view.id),
        format!("Charter: {}; decision rule: {rule}", view.charter_hash),
        format!("Founders: {}", named(&view.founders, names)),
    ];
    match (&view.version, &view.membership_hash) {
        (Some(version), Some(hash)) => {
            let force = if view.in_force { "in force" } else { "outside the charter's dates" };
            lines.push(format!("Membership: version {version}, {hash} ({force})"));
            lines.push(format!("Members: {}", named(&view.members, names)));
        }
        _ => lines.push(format!(
            "Not founded yet: waiting for the signatures of {} (`entente alliance sign {}`)",
            named(&view.missing_founders, names),
            view.id
        )),
    }
    for poll in &view.polls {
        let votes: Vec<String> = poll
            .votes
            .iter()
            .map(|vote| format!("{} {}", named(std::slice::from_ref(&vote.voter), names), vote.vote))
            .collect();
        let accession = match (poll.action, poll.acceded) {
            ("admit", true) => ", the candidate acceded",
            ("admit", false) => ", the candidate has not acceded yet",
            _ => "",
        };
        lines.push(format!(
            "Proposal {}: {} {} (at version {}), {}: {} yes, {} no{accession}{}",
            poll.proposal,
            poll.action,
            named(std::slice::from_ref(&poll.subject), names),
            poll.version,
            poll.outcome,
            poll.yes,
            poll.no,
            if votes.is_empty() { String::new() } else { format!(" [{}]", votes.join(", ")) }
        ));
    }
    if !view.pending.is_empty() {
        let codes: Vec<&str> = view.pending.iter().map(|pending| pending.code).collect();
        lines.push(format!("Acts held that do not apply (yet): {} ({})", view.pending.len(), codes.join(", ")));
    }
    lines.join("\n")
}
