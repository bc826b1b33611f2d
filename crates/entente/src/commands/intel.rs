//! `entente intel import|export`.
//!
//! Import streams: objects are parsed one at a time and stored in batches, so memory
//! stays flat whatever the file size. Export pages through the store and writes the
//! bundle as it goes.
//!
//! MISP JSON is detected here and handed to `misp.rs` (a MISP event is read whole:
//! events are documents, not corpora); MISP exports read through `for_each_released`,
//! the one path by which both formats let objects out.

use super::now_micros;
use crate::cli::{ExportFormat, FeedCommand, ImportFormat, IntelCommand};
use crate::datadir::DataDir;
use crate::output::emit;
use anyhow::Context;
use entente_core::stix::StixObject;
use entente_core::stix::stream::read_objects;
use entente_core::taxii::{Filter, VersionSelector};
use entente_server::knowledge::Knowledge;
use entente_store::{AddOutcome, Store};
use flate2::read::MultiGzDecoder;
use indicatif::ProgressBar;
use serde::Serialize;
use std::io::{BufRead, BufReader, Read, Write};
use std::path::Path;
use std::process::ExitCode;

const BATCH: usize = 10_000;
const SHOWN_REJECTIONS: usize = 20;

#[derive(Default, Serialize)]
pub(super) struct Summary {
    pub(super) added: u64,
    pub(super) already_present: u64,
    pub(super) rejected: u64,
    /// The first rejections, each with its reason.
    rejections: Vec<String>,
    /// Objects kept despite not following a SHOULD of the specification.
    objects_with_warnings: u64,
    /// The first warnings, each naming the object and property.
    warnings: Vec<String>,
    /// Objects whose values are on a loaded warning list (known false positives).
    flagged: u64,
    /// The first flagged objects with their hits.
    flagged_objects: Vec<Flagged>,
    /// The first labels in a loaded taxonomy's namespace that it does not define.
    unknown_tags: Vec<String>,
    /// The warning lists and taxonomies imported objects are checked against.
    #[serde(skip)]
    pub(super) knowledge: Knowledge,
}

/// An imported object with values on warning lists.
#[derive(Serialize)]
struct Flagged {
    object: String,
    hits: Vec<entente_core::reference::Hit>,
}

impl Summary {
    /// A summary that checks what it counts against the node's warning lists and taxonomies.
    pub(super) fn checked(store: &Store) -> anyhow::Result<Summary> {
        Ok(Summary { knowledge: Knowledge::load(store)?, ..Summary::default() })
    }

    /// Labels in the namespace of a loaded taxonomy that it does not define
    /// (`tlp:amber+strict` when only TLP 1.0 is loaded, `pap:purple`): likely typos or
    /// another version of the taxonomy.
    fn unknown_tags_of(&self, object: &StixObject, value: &serde_json::Value) -> Vec<String> {
        let knowledge = &self.knowledge;
        let mut unknown = Vec::new();
        for tag in knowledge.tags(value).into_iter().filter(|tag| !tag.known) {
            let namespace = tag.tag.split_once(':').map(|(namespace, _)| namespace).unwrap_or_default();
            let loaded = knowledge.taxonomies.iter().any(|taxonomy| taxonomy.namespace.eq_ignore_ascii_case(namespace));
            if loaded {
                unknown.push(format!("{}: {}", object.id(), tag.tag));
            }
        }
        unknown
    }

    /// Flags an object whose values are on a loaded warning list, and notes its labels
    /// that a loaded taxonomy does not define.
    fn flag(&mut self, object: &StixObject) {
        let valued = matches!(
            object.object_type(),
            "indicator" | "ipv4-addr" | "ipv6-addr" | "domain-name" | "url" | "email-addr"
        );
        let check_values = valued && !self.knowledge.lists.is_empty();
        let check_tags = !self.knowledge.taxonomies.is_empty() && object.json().contains("\"labels\":");
        if !check_values && !check_tags {
            return;
        }
        let Ok(value) = serde_json::from_str::<serde_json::Value>(object.json()) else { return };
        if check_tags {
            for tag in self.unknown_tags_of(object, &value) {
                if self.unknown_tags.len() < SHOWN_REJECTIONS {
                    self.unknown_tags.push(tag);
                }
            }
        }
        let hits = if check_values { self.knowledge.warnings(&value) } else { Vec::new() };
        if hits.is_empty() {
            return;
        }
        self.flagged += 1;
        if self.flagged_objects.len() < SHOWN_REJECTIONS {
            self.flagged_objects.push(Flagged { object: object.id().to_string(), hits });
        }
    }

    pub(super) fn reject(&mut self, reason: String) {
        self.rejected += 1;
        if self.rejections.len() < SHOWN_REJECTIONS {
            self.rejections.push(reason);
        }
    }

    /// Counts the object's warnings (SHOULDs not followed) and its warning-list hits.
    pub(super) fn warn(&mut self, object: &StixObject) {
        self.flag(object);
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

pub fn run(dir: &DataDir, command: IntelCommand, tls_ca: Option<&Path>) -> anyhow::Result<ExitCode> {
    let store = dir.open_store()?;
    match command {
        IntelCommand::Import { files, format, collection, json } => import(&store, &files, format, collection, json),
        IntelCommand::Show { id, json } => super::show::run(&store, &id, json).map(|()| ExitCode::SUCCESS),
        IntelCommand::Feed(FeedCommand::Pull { source, collection, json }) => {
            let collection = target_collection(&store, collection)?;
            super::misp_feed::pull(&store, &collection, &source, tls_ca, json)
        }
        IntelCommand::Export {
            collection,
            types,
            all_versions,
            exclude_decayed,
            threshold,
            include_expired,
            for_partner,
            format,
            out_dir,
        } => {
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
            let collection = target_collection(&store, collection)?;
            let freshness = Freshness::new(&store, exclude_decayed, threshold, include_expired)?;
            let selection =
                Selection { collection, types, all_versions, partner: partner.as_ref(), freshness: &freshness };
            match (format, out_dir) {
                (ExportFormat::Stix, Some(_)) => anyhow::bail!("--out-dir writes a MISP feed: add --format misp"),
                (ExportFormat::Stix, None) => export(&store, selection),
                (ExportFormat::Misp, out_dir) => super::misp::export(&store, selection, out_dir.as_deref()),
            }
            .map(|()| ExitCode::SUCCESS)
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
    let (removed, tombstone) = store.revoke_own(&dir.read_key()?, &us, &object, reason, now)?;
    let outcome = Revoked { object: id.to_owned(), removed_versions: removed, tombstone: tombstone.to_value() };
    emit(json, &outcome, |outcome| {
        format!(
            "Revoked {}: {} version(s) deleted here. The signed tombstone goes to every partner that received it \
             with their next pull (`entente sync status` shows them; `entente audit show --object {}` records it).",
            outcome.object, outcome.removed_versions, outcome.object
        )
    })
}

pub(super) fn target_collection(store: &Store, named: Option<String>) -> anyhow::Result<String> {
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
    format: ImportFormat,
    collection: Option<String>,
    json: bool,
) -> anyhow::Result<ExitCode> {
    let collection = target_collection(store, collection)?;
    let mut summary = Summary::checked(store)?;
    for file in files {
        import_file(store, &collection, file, format, &mut summary)
            .with_context(|| format!("importing {}", file.display()))?;
    }
    report_import(json, &summary)
}

/// Prints an import summary; status 2 when some objects were rejected.
pub(super) fn report_import(json: bool, summary: &Summary) -> anyhow::Result<ExitCode> {
    emit(json, summary, |summary| {
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
        for tag in &summary.unknown_tags {
            text.push_str(&format!("\n  unknown tag (not in its loaded taxonomy): {tag}"));
        }
        if summary.flagged > 0 {
            text.push_str(&format!(
                "\n{} objects flagged: their values are on warning lists of known false positives:",
                summary.flagged
            ));
            for flagged in &summary.flagged_objects {
                for hit in &flagged.hits {
                    text.push_str(&format!(
                        "\n  flagged: {} {} = {:?} is on {:?}",
                        flagged.object, hit.path, hit.value, hit.list
                    ));
                }
            }
        }
        text
    })?;
    Ok(if summary.rejected > 0 { ExitCode::from(2) } else { ExitCode::SUCCESS })
}

/// Opens a file (or stdin for `-`), unwrapping gzip when the content starts with its magic bytes.
pub(super) fn open_input(path: &Path, progress: &ProgressBar) -> anyhow::Result<Box<dyn BufRead>> {
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

pub(super) fn progress_bar(path: &Path) -> ProgressBar {
    let bar = crate::output::progress(0, "{msg} [{bar:30}] {bytes}/{total_bytes} {bytes_per_sec} eta {eta}");
    bar.set_message(path.display().to_string());
    bar
}

fn import_file(
    store: &Store,
    collection: &str,
    path: &Path,
    format: ImportFormat,
    summary: &mut Summary,
) -> anyhow::Result<()> {
    let progress = progress_bar(path);
    let mut input = open_input(path, &progress)?;
    let misp = match format {
        ImportFormat::Misp => true,
        ImportFormat::Stix => false,
        ImportFormat::Auto => entente_core::misp::looks_like_misp(input.fill_buf()?),
    };
    if misp {
        let mut text = String::new();
        input.read_to_string(&mut text)?;
        progress.finish_and_clear();
        return super::misp::import_text(store, collection, &text, summary);
    }
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

pub(super) fn flush(
    store: &Store,
    collection: &str,
    batch: &mut Vec<StixObject>,
    summary: &mut Summary,
) -> anyhow::Result<()> {
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

/// Which indicators an export leaves out: expired ones unless asked to keep them,
/// decayed ones when asked. Scores are computed at the moment of the export.
pub(super) struct Freshness {
    knowledge: Knowledge,
    exclude_expired: bool,
    exclude_decayed: bool,
    now: entente_core::Timestamp,
}

impl Freshness {
    fn new(
        store: &Store,
        exclude_decayed: bool,
        threshold: Option<f64>,
        include_expired: bool,
    ) -> anyhow::Result<Freshness> {
        let mut model = entente_server::knowledge::score_model(store)?;
        if let Some(threshold) = threshold {
            if !(0.0..=100.0).contains(&threshold) {
                anyhow::bail!("--threshold is a score between 0 and 100");
            }
            for decay in
                [&mut model.default].into_iter().chain(model.by_label.values_mut()).chain(model.by_type.values_mut())
            {
                decay.threshold = threshold;
            }
        }
        Ok(Freshness {
            knowledge: Knowledge { model, ..Knowledge::default() },
            exclude_expired: !include_expired,
            exclude_decayed,
            now: entente_core::Timestamp::from_unix_micros(now_micros()),
        })
    }

    /// The rows of `page` to export.
    fn keep(
        &self,
        store: &Store,
        collection: &str,
        mut page: entente_store::Page,
    ) -> anyhow::Result<entente_store::Page> {
        if !self.exclude_expired && !self.exclude_decayed {
            return Ok(page);
        }
        // Expiry needs no sightings; only the decayed test reads them.
        let collections = if self.exclude_decayed { vec![collection.to_owned()] } else { Vec::new() };
        let mut kept = Vec::with_capacity(page.rows.len());
        for row in page.rows {
            // Rows read with their JSON carry no id: the stored JSON has no whitespace, so
            // this finds every indicator, and `score` checks the type again.
            if row.json.contains("\"type\":\"indicator\"") {
                let object: serde_json::Value = serde_json::from_str(&row.json)?;
                if let Some(score) = self.knowledge.score(store, &object, &collections, self.now)? {
                    let stale = (self.exclude_expired && score.expired)
                        || (self.exclude_decayed && score.decayed && !score.expired);
                    if stale {
                        continue;
                    }
                }
            }
            kept.push(row);
        }
        page.rows = kept;
        Ok(page)
    }
}

/// What an export takes: a collection, a type filter, the partner it is for, and which
/// stale indicators to leave out.
pub(super) struct Selection<'a> {
    pub collection: String,
    pub types: Vec<String>,
    pub all_versions: bool,
    pub partner: Option<&'a entente_server::federation::PartnerRelease>,
    pub freshness: &'a Freshness,
}

/// Calls `each` with the JSON of every object version the selection lets out, page by
/// page. For a partner every page goes through its release decision first (the one
/// path STIX and MISP exports share), which records each release on the ledger.
pub(super) fn for_each_released(
    store: &Store,
    selection: &Selection<'_>,
    each: &mut dyn FnMut(&str) -> anyhow::Result<()>,
) -> anyhow::Result<()> {
    let mut filter = Filter::everything();
    filter.types = selection.types.clone();
    if !selection.all_versions {
        filter.versions = VersionSelector { first: false, last: true, all: false, exact: Vec::new() };
    }
    let collection = &selection.collection;
    loop {
        let freshness = selection.freshness;
        let page = match selection.partner {
            // Every row with its hash and metadata, stale indicators left out before the
            // partner's release is judged (and recorded), so the ledger names only what
            // was sent.
            Some(release) => {
                let page = freshness.keep(store, collection, store.query_full(collection, None, &filter, 1000)?)?;
                release.release(store, page)?
            }
            None => freshness.keep(store, collection, store.query_objects(collection, None, &filter, 1000, true)?)?,
        };
        for row in &page.rows {
            each(&row.json)?;
        }
        match page.next {
            Some(cursor) => filter.next = Some(cursor),
            None => return Ok(()),
        }
    }
}

fn export(store: &Store, selection: Selection<'_>) -> anyhow::Result<()> {
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::new(stdout.lock());
    write!(out, "{{\"type\":\"bundle\",\"id\":\"bundle--{}\",\"objects\":[", uuid::Uuid::new_v4())?;
    let mut first = true;
    for_each_released(store, &selection, &mut |json| {
        if !first {
            out.write_all(b",")?;
        }
        out.write_all(json.as_bytes())?;
        first = false;
        Ok(())
    })?;
    out.write_all(b"]}\n")?;
    out.flush()?;
    Ok(())
}
