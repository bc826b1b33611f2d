//! `entente sync now|status|settle`: pull partners' feeds in the foreground; show where
//! each partner's feed stands; carry out the treaty endings that are due.

use super::relations::{Session, now, resolve};
use crate::cli::SyncCommand;
use crate::datadir::DataDir;
use crate::output::{emit, when};
use anyhow::anyhow;
use entente_server::federation::{PageReport, PullReport, SyncConfig, Syncer};
use indicatif::{ProgressBar, ProgressStyle};
use serde::Serialize;
use std::io::IsTerminal;

pub fn run(dir: &DataDir, command: SyncCommand, tls_ca: Option<&std::path::Path>) -> anyhow::Result<()> {
    match command {
        SyncCommand::Now { partner, json } => pull_now(dir, partner.as_deref(), json, &super::trusted_roots(tls_ca)?),
        SyncCommand::Status { json } => status(dir, json),
        SyncCommand::Settle { json } => settle(dir, json),
    }
}

fn pull_now(
    dir: &DataDir,
    partner: Option<&str>,
    json: bool,
    roots: &entente_server::TrustedRoots,
) -> anyhow::Result<()> {
    let session = Session::open_default(dir)?;
    let only = partner.map(|given| resolve(&session.store, given)).transpose()?;
    let syncer = Syncer::new(session.diplomat.clone(), SyncConfig::default());
    let bar = if std::io::stderr().is_terminal() && !json { ProgressBar::new_spinner() } else { ProgressBar::hidden() };
    bar.set_style(ProgressStyle::with_template("{spinner} {msg}").unwrap_or_else(|_| ProgressStyle::default_spinner()));
    let started = std::time::Instant::now();
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build()?;
    let totals = std::sync::Mutex::new((0usize, 0usize));
    let on_page = |partner: &entente_core::StixId, page: &PageReport| {
        let mut totals = totals.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        totals.0 += page.items;
        totals.1 += page.added;
        bar.set_message(format!("{partner}: {} objects received, {} new", totals.0, totals.1));
        bar.tick();
    };
    let reports: Vec<PullReport> =
        runtime.block_on(syncer.pull_now(roots, only.as_ref(), &on_page)).map_err(|error| anyhow!("{error}"))?;
    bar.finish_and_clear();
    let seconds = started.elapsed().as_secs_f64();
    #[derive(Serialize)]
    struct Outcome {
        partners: Vec<PullReport>,
        seconds: f64,
    }
    let failed = reports.iter().any(|report| report.error.is_some());
    emit(json, &Outcome { partners: reports, seconds }, |outcome| {
        if outcome.partners.is_empty() {
            return "No partner has a treaty in force with this node: nothing to pull.".into();
        }
        let mut lines = Vec::new();
        for report in &outcome.partners {
            lines.push(format!(
                "{}: {} request(s), {} object(s) received, {} new, {} refused{}",
                report.partner,
                report.requests,
                report.items,
                report.added,
                report.refused,
                report.error.as_ref().map(|error| format!("; stopped: {error}")).unwrap_or_default()
            ));
        }
        lines.push(format!("in {:.2} s", outcome.seconds));
        lines.join("\n")
    })?;
    if failed {
        anyhow::bail!("at least one partner's feed could not be pulled completely; the reason is above");
    }
    Ok(())
}

#[derive(Serialize)]
struct PartnerStatus {
    node_id: String,
    name: String,
    relation: String,
    treaty_in_force: Option<String>,
    pages_received: i64,
    objects_received: i64,
    last_received: Option<String>,
    released_to_partner: u64,
    receipts_from_partner: u64,
    /// How the end of the treaty with this partner was carried out, once it ended.
    ended: Option<entente_store::SettledEnding>,
}

fn status(dir: &DataDir, json: bool) -> anyhow::Result<()> {
    let session = Session::open_default(dir)?;
    let store = &session.store;
    let endings = store.treaty_endings()?;
    let mut rows = Vec::new();
    for view in session.diplomat.relations(now()).map_err(|error| anyhow!("{error}"))? {
        let id = &view.partner.node_id;
        let cursor = store.sync_cursor(id)?.unwrap_or_default();
        rows.push(PartnerStatus {
            node_id: id.clone(),
            name: view.partner.name.clone(),
            relation: view.state.clone(),
            treaty_in_force: view.treaty_in_force.clone(),
            pages_received: cursor.pages,
            objects_received: cursor.objects,
            last_received: (cursor.updated_micros > 0).then(|| when(cursor.updated_micros)),
            released_to_partner: store.ledger_count(id, "release")?,
            receipts_from_partner: store.ledger_count(id, "receipt")?,
            ended: endings.iter().find(|ending| &ending.partner == id).cloned(),
        });
    }
    emit(json, &rows, |rows| {
        if rows.is_empty() {
            return "No partners yet: make contact with `entente relations contact URL`.".into();
        }
        rows.iter()
            .map(|row| {
                format!(
                    "{} ({})\n  relation: {}{}\n  received: {} object(s) in {} page(s){}\n  released to it: {} object version(s), {} receipt(s) signed{}",
                    row.name,
                    row.node_id,
                    row.relation,
                    row.treaty_in_force.as_ref().map(|hash| format!(" under {hash}")).unwrap_or_default(),
                    row.objects_received,
                    row.pages_received,
                    row.last_received.as_ref().map(|at| format!(", last at {at}")).unwrap_or_default(),
                    row.released_to_partner,
                    row.receipts_from_partner,
                    row.ended.as_ref().map(|ending| format!("\n  ended: {}", describe_ending(ending))).unwrap_or_default(),
                )
            })
            .collect::<Vec<_>>()
            .join("\n")
    })
}

/// One carried-out ending in words.
fn describe_ending(ending: &entente_store::SettledEnding) -> String {
    let done = if ending.disposition == "purge" {
        format!(
            "purged {} object version(s) received under it, kept {} also held under another treaty or originated here",
            ending.removed, ending.retained
        )
    } else {
        format!("kept the {} object version(s) received under it", ending.retained)
    };
    format!("{} {} ({}, on {}): {done}", ending.treaty, ending.ending, ending.disposition, when(ending.settled_micros))
}

fn settle(dir: &DataDir, json: bool) -> anyhow::Result<()> {
    let session = Session::open_default(dir)?;
    let syncer = Syncer::new(session.diplomat.clone(), SyncConfig::default());
    let carried = syncer.settle_endings(now()).map_err(|error| anyhow!("{error}"))?;
    let names: Vec<(String, String)> =
        session.store.partners()?.into_iter().map(|partner| (partner.node_id, partner.name)).collect();
    let name_of =
        |id: &str| names.iter().find(|(node, _)| node == id).map_or_else(|| id.to_owned(), |(_, name)| name.clone());
    emit(json, &carried, |carried| {
        if carried.is_empty() {
            return "Nothing to carry out: no treaty ended since the last check (`entente sync status` shows past endings).".into();
        }
        carried
            .iter()
            .map(|ending| {
                format!("{} ({}): the treaty {}", name_of(&ending.partner), ending.partner, describe_ending(ending))
            })
            .collect::<Vec<_>>()
            .join("\n")
    })
}
