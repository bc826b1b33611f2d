//! `entente intel import|export`.
//!
//! Import streams: objects are parsed one at a time and stored in batches, so memory
//! stays flat whatever the file size. Export pages through the store and writes the
//! bundle as it goes.

use super::now_micros;
use crate::cli::IntelCommand;
use crate::datadir::DataDir;
use crate::output::emit;
use anyhow::Context;
use entente_core::stix::StixObject;
use entente_core::stix::stream::read_objects;
use entente_core::taxii::{Filter, VersionSelector};
use entente_store::{AddOutcome, Store};
use flate2::read::MultiGzDecoder;
use indicatif::{ProgressBar, ProgressStyle};
use serde::Serialize;
use std::io::{BufRead, BufReader, IsTerminal, Read, Write};
use std::path::Path;
use std::process::ExitCode;

const BATCH: usize = 2000;
const SHOWN_REJECTIONS: usize = 20;

#[derive(Default, Serialize)]
struct Summary {
    added: u64,
    already_present: u64,
    rejected: u64,
    /// The first rejections, each with its reason.
    rejections: Vec<String>,
    /// Objects kept despite not following a SHOULD of the specification.
    objects_with_warnings: u64,
    /// The first warnings, each naming the object and property.
    warnings: Vec<String>,
}

impl Summary {
    fn reject(&mut self, reason: String) {
        self.rejected += 1;
        if self.rejections.len() < SHOWN_REJECTIONS {
            self.rejections.push(reason);
        }
    }

    fn warn(&mut self, object: &StixObject) {
        if object.warnings().is_empty() {
            return;
        }
        self.objects_with_warnings += 1;
        for warning in object.warnings() {
            if self.warnings.len() < SHOWN_REJECTIONS {
                self.warnings.push(warning.to_string());
            }
        }
    }
}

pub fn run(dir: &DataDir, command: IntelCommand) -> anyhow::Result<ExitCode> {
    let store = dir.open_store()?;
    match command {
        IntelCommand::Import { files, collection, json } => import(&store, &files, collection, json),
        IntelCommand::Export { collection, types, all_versions, for_partner } => {
            let partner = match for_partner {
                Some(given) => {
                    let session = super::relations::Session::open_default(dir)?;
                    let partner = super::relations::resolve(&store, &given)?;
                    let now = entente_core::Timestamp::from_unix_micros(now_micros());
                    let release = entente_server::federation::PartnerRelease::new(&session.diplomat, &partner, now)
                        .map_err(|error| anyhow::anyhow!("{error}"))?;
                    Some(release)
                }
                None => None,
            };
            export(&store, collection, types, all_versions, partner.as_ref()).map(|()| ExitCode::SUCCESS)
        }
        IntelCommand::Revoke { id, reason, json } => {
            revoke(dir, &store, &id, &reason, json).map(|()| ExitCode::SUCCESS)
        }
        IntelCommand::Correlate { target, reindex, cap, json } => {
            super::correlate::run(&store, target.as_deref(), reindex, cap, json).map(|()| ExitCode::SUCCESS)
        }
    }
}

/// What `intel revoke` did.
#[derive(serde::Serialize)]
struct Revoked {
    object: String,
    removed_versions: u64,
    tombstone: serde_json::Value,
}

fn revoke(dir: &DataDir, store: &Store, id: &str, reason: &str, json: bool) -> anyhow::Result<()> {
    use entente_core::ledger::EntryKind;
    use entente_core::sync::{Tombstone, TombstoneKind};
    let object =
        entente_core::StixId::parse(id).map_err(|error| anyhow::anyhow!("{id:?} is not a STIX id: {error}"))?;
    if reason.trim().is_empty() {
        anyhow::bail!("give a --reason: partners read it with the tombstone");
    }
    if !store.holds(id)? {
        anyhow::bail!("this node holds no object {id}; nothing to revoke (see `entente audit show --object {id}`)");
    }
    let settings = store.node_settings()?;
    if let Some(originator) = store.held_originator(id)?
        && originator != settings.identity_id
    {
        anyhow::bail!(
            "{id} was originated by {originator}, not by this node: only its originator can revoke it for everyone. \
             Delete this node's copy with a TAXII DELETE, or ask the originator to revoke it."
        );
    }
    let us = entente_core::StixId::parse(&settings.identity_id)?;
    let now = entente_core::Timestamp::from_unix_micros(super::now_micros());
    let tombstone = Tombstone::make(&dir.read_key()?, TombstoneKind::Revoked, us.clone(), object.clone(), reason, now);
    let record = entente_store::TombstoneRecord {
        stix_id: id.to_owned(),
        issuer: us.to_string(),
        is_final: true,
        json: tombstone.to_value().to_string(),
        received_from: None,
        target: None,
    };
    let entry = EntryKind::Revoked { object, reason: tombstone.reason.clone() };
    let removed = store.remove_with_tombstone(&record, entry, now.unix_micros())?;
    let outcome = Revoked { object: id.to_owned(), removed_versions: removed, tombstone: tombstone.to_value() };
    emit(json, &outcome, |outcome| {
        format!(
            "Revoked {}: {} version(s) deleted here. The signed tombstone goes to every partner that received it \
             with their next pull (`entente sync status` shows them; `entente audit show --object {}` records it).",
            outcome.object, outcome.removed_versions, outcome.object
        )
    })
}

fn target_collection(store: &Store, named: Option<String>) -> anyhow::Result<String> {
    let id = match named {
        Some(id) => id,
        None => store.node_settings()?.default_collection,
    };
    let collection =
        store.collection(None, &id)?.with_context(|| format!("no collection {id:?}; see `entente collection list`"))?;
    Ok(collection.id)
}

fn import(
    store: &Store,
    files: &[std::path::PathBuf],
    collection: Option<String>,
    json: bool,
) -> anyhow::Result<ExitCode> {
    let collection = target_collection(store, collection)?;
    let mut summary = Summary::default();
    for file in files {
        import_file(store, &collection, file, &mut summary).with_context(|| format!("importing {}", file.display()))?;
    }
    emit(json, &summary, |summary| {
        let mut text = format!(
            "added {}, already present {}, rejected {}",
            summary.added, summary.already_present, summary.rejected
        );
        for reason in &summary.rejections {
            text.push_str(&format!("\n  rejected: {reason}"));
        }
        if summary.rejected as usize > summary.rejections.len() {
            text.push_str(&format!("\n  … and {} more", summary.rejected as usize - summary.rejections.len()));
        }
        if summary.objects_with_warnings > 0 {
            text.push_str(&format!(
                "\n{} objects kept with warnings (SHOULDs of STIX 2.1 not followed):",
                summary.objects_with_warnings
            ));
            for warning in &summary.warnings {
                text.push_str(&format!("\n  warning: {warning}"));
            }
        }
        text
    })?;
    Ok(if summary.rejected > 0 { ExitCode::from(2) } else { ExitCode::SUCCESS })
}

/// Opens a file (or stdin for `-`), unwrapping gzip when the content starts with its magic bytes.
fn open_input(path: &Path, progress: &ProgressBar) -> anyhow::Result<Box<dyn BufRead>> {
    let raw: Box<dyn Read> = if path == Path::new("-") {
        Box::new(std::io::stdin().lock())
    } else {
        let file = std::fs::File::open(path)?;
        progress.set_length(file.metadata()?.len());
        Box::new(file)
    };
    let mut buffered = BufReader::with_capacity(1 << 20, progress.wrap_read(raw));
    let gzip = buffered.fill_buf()?.starts_with(&[0x1f, 0x8b]);
    Ok(if gzip {
        Box::new(BufReader::with_capacity(1 << 20, MultiGzDecoder::new(buffered)))
    } else {
        Box::new(buffered)
    })
}

fn progress_bar(path: &Path) -> ProgressBar {
    if !std::io::stderr().is_terminal() {
        return ProgressBar::hidden();
    }
    let bar = ProgressBar::new(0);
    let style = ProgressStyle::with_template("{msg} [{bar:30}] {bytes}/{total_bytes} {bytes_per_sec} eta {eta}")
        .unwrap_or_else(|_| ProgressStyle::default_bar())
        .progress_chars("=> ");
    bar.set_style(style);
    bar.set_message(path.display().to_string());
    bar
}

fn import_file(store: &Store, collection: &str, path: &Path, summary: &mut Summary) -> anyhow::Result<()> {
    let progress = progress_bar(path);
    let input = open_input(path, &progress)?;
    let mut batch: Vec<StixObject> = Vec::with_capacity(BATCH);
    let mut store_error: Option<anyhow::Error> = None;
    let result = read_objects(input, &mut |raw| {
        match StixObject::from_json(raw.get()) {
            Ok(object) => {
                summary.warn(&object);
                batch.push(object);
            }
            Err(rejection) => summary.reject(rejection.to_string()),
        }
        if batch.len() >= BATCH
            && let Err(error) = flush(store, collection, &mut batch, summary)
        {
            let reason = error.to_string();
            store_error = Some(error);
            return Err(reason);
        }
        Ok(())
    });
    progress.finish_and_clear();
    if let Some(error) = store_error {
        return Err(error);
    }
    // Objects read before a syntax error are kept: they were complete and valid.
    flush(store, collection, &mut batch, summary)?;
    result.map_err(anyhow::Error::from)
}

fn flush(store: &Store, collection: &str, batch: &mut Vec<StixObject>, summary: &mut Summary) -> anyhow::Result<()> {
    if batch.is_empty() {
        return Ok(());
    }
    let outcomes = store.add_objects(collection, batch, now_micros())?;
    for (object, outcome) in batch.iter().zip(outcomes) {
        match outcome {
            AddOutcome::Added { .. } => summary.added += 1,
            AddOutcome::AlreadyPresent { .. } => summary.already_present += 1,
            AddOutcome::Conflict { reason, .. } => summary.reject(format!("{}: {reason}", object.id())),
        }
    }
    batch.clear();
    Ok(())
}

fn export(
    store: &Store,
    collection: Option<String>,
    types: Vec<String>,
    all_versions: bool,
    partner: Option<&entente_server::federation::PartnerRelease>,
) -> anyhow::Result<()> {
    let collection = target_collection(store, collection)?;
    let mut filter = Filter::everything();
    filter.types = types;
    if !all_versions {
        filter.versions = VersionSelector { first: false, last: true, all: false, exact: Vec::new() };
    }
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::new(stdout.lock());
    write!(out, "{{\"type\":\"bundle\",\"id\":\"bundle--{}\",\"objects\":[", uuid::Uuid::new_v4())?;
    let mut first = true;
    loop {
        let page = match partner {
            // Every row with its hash and metadata, judged for the partner.
            Some(release) => release.release(store, store.query_full(&collection, None, &filter, 1000)?)?,
            None => store.query_objects(&collection, None, &filter, 1000, true)?,
        };
        for row in &page.rows {
            if !first {
                out.write_all(b",")?;
            }
            out.write_all(row.json.as_bytes())?;
            first = false;
        }
        match page.next {
            Some(cursor) => filter.next = Some(cursor),
            None => break,
        }
    }
    out.write_all(b"]}\n")?;
    out.flush()?;
    Ok(())
}
