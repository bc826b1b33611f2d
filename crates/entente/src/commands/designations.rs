//! `entente designations import|divergence|link|list`.
//!
//! Wiring only: files are parsed and planned by `entente_core::designation`, stored
//! by `Store::import_designations`, grouped by `divergence::group`. An import is one
//! store transaction per file, so a failure leaves each list either imported or not.

mod view;

use super::now_micros;
use crate::cli::DesignationsCommand;
use crate::datadir::DataDir;
use crate::output::emit;
use anyhow::{Context, bail};
use entente_core::Timestamp;
use entente_core::designation::divergence::Verdict;
use entente_core::designation::stix::{IndexRow, plan};
use entente_core::designation::{self as designation, Authority, Format, Status, names};
use entente_store::Store;
use indicatif::ProgressBar;
use serde::Serialize;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

pub fn run(dir: &DataDir, command: DesignationsCommand) -> anyhow::Result<ExitCode> {
    let store = dir.open_store()?;
    match command {
        DesignationsCommand::Import { files, authority, collection, json } => {
            import(&store, &files, authority, collection, json)
        }
        DesignationsCommand::Divergence { entity, between, json, csv } => {
            let format = if json {
                view::Output::Json
            } else if csv {
                view::Output::Csv
            } else {
                view::Output::Text
            };
            view::divergence(&store, entity.as_deref(), &between, format).map(|()| ExitCode::SUCCESS)
        }
        DesignationsCommand::Link { a, b, confirm, reject: _, note, by, json } => {
            let verdict = if confirm { Verdict::Confirmed } else { Verdict::Rejected };
            link(&store, &a, &b, verdict, note.as_deref(), &by, json).map(|()| ExitCode::SUCCESS)
        }
        DesignationsCommand::List { authority, status, name, json } => {
            list(&store, authority.as_deref(), status.as_deref(), name.as_deref(), json).map(|()| ExitCode::SUCCESS)
        }
    }
}

/// What one file's import did.
#[derive(Serialize)]
struct FileSummary {
    file: String,
    authority: String,
    format: Format,
    /// Rows or entries read from the file.
    rows_read: usize,
    /// Records kept (for OFAC: the terrorism programmes only).
    records: usize,
    new: usize,
    updated: usize,
    unchanged: usize,
    delisted: usize,
    duplicates: usize,
    objects_added: usize,
    objects_already_present: usize,
    conflicts: Vec<String>,
}

fn progress(files: usize) -> ProgressBar {
    crate::output::progress(files as u64, "{msg} [{bar:30}] {pos}/{len} lists, {elapsed}")
}

fn import(
    store: &Store,
    files: &[PathBuf],
    authority: Option<String>,
    collection: Option<String>,
    json: bool,
) -> anyhow::Result<ExitCode> {
    let authority = authority.map(|key| Authority::parse(&key)).transpose()?;
    let collection = super::intel::target_collection(store, collection)?;
    let bar = progress(files.len());
    let mut summaries = Vec::new();
    for file in files {
        bar.set_message(file.display().to_string());
        let summary = import_file(store, &collection, file, authority.clone())
            .with_context(|| format!("importing {}", file.display()))?;
        summaries.push(summary);
        bar.inc(1);
    }
    bar.finish_and_clear();
    let conflicted = summaries.iter().any(|summary| !summary.conflicts.is_empty());
    emit(json, &summaries, |summaries| summaries.iter().map(describe).collect::<Vec<_>>().join("\n"))?;
    Ok(if conflicted { ExitCode::from(2) } else { ExitCode::SUCCESS })
}

fn describe(summary: &FileSummary) -> String {
    let mut text = format!(
        "{}: {} records of {} rows as authority {:?}: {} new, {} updated, {} unchanged, {} delisted \
         ({} objects added)",
        summary.file,
        summary.records,
        summary.rows_read,
        summary.authority,
        summary.new,
        summary.updated,
        summary.unchanged,
        summary.delisted,
        summary.objects_added
    );
    if summary.duplicates > 0 {
        text.push_str(&format!("\n  {} records repeated a reference and were skipped", summary.duplicates));
    }
    for conflict in &summary.conflicts {
        text.push_str(&format!("\n  refused: {conflict}"));
    }
    text
}

fn import_file(
    store: &Store,
    collection: &str,
    path: &Path,
    authority: Option<Authority>,
) -> anyhow::Result<FileSummary> {
    let content = std::fs::read(path)?;
    let list = designation::parse(&content, authority)?;
    let now_micros = now_micros();
    let now = Timestamp::from_unix_micros(now_micros);
    let known = store.authority_designations(collection, &list.authority.key)?;
    let planned = plan(&list, &known, now)
        .map_err(|rejection| anyhow::anyhow!("a designation object failed validation: {rejection}"))?;
    let stored = store.import_designations(collection, &planned.objects, &planned.rows, now_micros)?;
    Ok(FileSummary {
        file: path.display().to_string(),
        authority: list.authority.key.clone(),
        format: list.format,
        rows_read: list.rows_read,
        records: list.records.len(),
        new: planned.new,
        updated: planned.updated,
        unchanged: planned.unchanged,
        delisted: planned.delisted,
        duplicates: planned.duplicates,
        objects_added: stored.added,
        objects_already_present: stored.already_present,
        conflicts: stored.conflicts,
    })
}

/// Every collection: the CLI is the operator's, with the database in hand.
fn all_designations(store: &Store) -> anyhow::Result<Vec<IndexRow>> {
    let collections: Vec<String> = store.list_collections(None)?.into_iter().map(|collection| collection.id).collect();
    Ok(store.designations_in(&collections)?)
}

#[derive(Serialize)]
struct Linked {
    a: String,
    b: String,
    verdict: Verdict,
    by: String,
}

fn link(
    store: &Store,
    a: &str,
    b: &str,
    verdict: Verdict,
    note: Option<&str>,
    by: &str,
    json: bool,
) -> anyhow::Result<()> {
    for id in [a, b] {
        if !store.designated_entity_exists(id)? {
            bail!("no designated entity {id:?}; `entente designations list --name …` shows the entity ids");
        }
    }
    if a == b {
        bail!("give two different records");
    }
    store.set_designation_link(a, b, verdict, by, note, now_micros())?;
    let linked = Linked { a: a.to_owned(), b: b.to_owned(), verdict, by: by.to_owned() };
    emit(json, &linked, |linked| {
        format!(
            "{} {} and {} (by {}); `entente designations divergence --entity {}` shows the group",
            linked.verdict.as_str(),
            linked.a,
            linked.b,
            linked.by,
            linked.a
        )
    })
}

fn list(
    store: &Store,
    authority: Option<&str>,
    status: Option<&str>,
    name: Option<&str>,
    json: bool,
) -> anyhow::Result<()> {
    let status = status
        .map(|text| Status::parse(text).with_context(|| format!("--status is listed or delisted, not {text:?}")))
        .transpose()?;
    let authority = authority.map(Authority::parse).transpose()?;
    let wanted = name.map(names::normalise);
    let rows: Vec<IndexRow> = all_designations(store)?
        .into_iter()
        .filter(|row| authority.as_ref().is_none_or(|authority| row.authority.key == authority.key))
        .filter(|row| status.is_none_or(|status| row.status == status))
        .filter(|row| {
            wanted.as_ref().is_none_or(|wanted| {
                std::iter::once(&row.name)
                    .chain(&row.aliases)
                    .any(|name| names::normalise(name).contains(wanted.as_str()))
            })
        })
        .collect();
    emit(json, &rows, |rows| {
        let mut lines: Vec<String> = rows
            .iter()
            .map(|row| {
                format!(
                    "{:<5} {:<10} {:<8} {:<10} {}  {}",
                    row.authority.key,
                    row.reference,
                    row.status.as_str(),
                    row.listed_on.as_deref().unwrap_or("-"),
                    row.name,
                    row.entity_id
                )
            })
            .collect();
        lines.push(format!("{} designations", rows.len()));
        lines.join("\n")
    })
}
