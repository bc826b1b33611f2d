//! `entente intel feed pull URL|DIR`: a MISP feed, from a web server or a directory.
//!
//! A feed is `manifest.json` (event uuid → its info and `timestamp`) beside one
//! `<uuid>.json` per event. The pull compares each manifest timestamp with the one
//! recorded for that event at the last pull (`Store::misp_feed_pulled`), fetches only
//! new or changed events, imports them like `intel import --format misp`, and records
//! each event once its objects are stored; a second pull of an unchanged feed fetches
//! nothing but the manifest.

use super::intel::{Summary, report_import};
use anyhow::{Context, anyhow};
use entente_core::misp::parse_events;
use entente_store::Store;
use indicatif::ProgressBar;
use serde::Serialize;
use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

/// Where a feed is read from.
enum Source {
    Directory(PathBuf),
    Web { base: String, client: reqwest::Client, runtime: tokio::runtime::Runtime },
}

impl Source {
    fn open(source: &str, tls_ca: Option<&Path>) -> anyhow::Result<Source> {
        if source.starts_with("http://") || source.starts_with("https://") {
            let roots = super::trusted_roots(tls_ca)?;
            let client = entente_server::tls::http_client(&roots)
                .timeout(std::time::Duration::from_secs(60))
                .build()
                .context("building the HTTP client")?;
            let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build()?;
            let base = if source.ends_with('/') { source.to_owned() } else { format!("{source}/") };
            return Ok(Source::Web { base, client, runtime });
        }
        let dir = PathBuf::from(source);
        if !dir.join("manifest.json").is_file() {
            anyhow::bail!("{source} holds no manifest.json: give the directory of a MISP feed, or its http(s) URL");
        }
        Ok(Source::Directory(dir))
    }

    fn read(&self, name: &str) -> anyhow::Result<String> {
        match self {
            Source::Directory(dir) => {
                let path = dir.join(name);
                std::fs::read_to_string(&path).with_context(|| format!("reading {}", path.display()))
            }
            Source::Web { base, client, runtime } => {
                let url = format!("{base}{name}");
                runtime.block_on(async {
                    let response = client.get(&url).send().await.with_context(|| format!("fetching {url}"))?;
                    let status = response.status();
                    if !status.is_success() {
                        anyhow::bail!("{url} answered {status}");
                    }
                    response.text().await.with_context(|| format!("reading {url}"))
                })
            }
        }
    }
}

/// What a pull did, beside the import summary.
#[derive(Serialize)]
struct Pulled {
    source: String,
    events_in_manifest: usize,
    events_fetched: usize,
    events_unchanged: usize,
    #[serde(flatten)]
    import: Summary,
}

pub fn pull(
    store: &Store,
    collection: &str,
    source: &str,
    tls_ca: Option<&Path>,
    json: bool,
) -> anyhow::Result<ExitCode> {
    let feed = Source::open(source, tls_ca)?;
    let manifest: serde_json::Map<String, Value> = serde_json::from_str(&feed.read("manifest.json")?)
        .context("manifest.json is not a JSON object of event uuid → metadata")?;
    let pulled = store.misp_feed_pulled(source)?;
    let wanted: Vec<(&String, i64)> = manifest
        .iter()
        .map(|(uuid, meta)| (uuid, manifest_timestamp(meta)))
        .filter(|(uuid, timestamp)| pulled.get(*uuid).is_none_or(|seen| seen < timestamp))
        .collect();
    let progress = progress_bar(wanted.len() as u64);
    let mut summary = Summary::checked(store)?;
    for (uuid, timestamp) in &wanted {
        progress.set_message(uuid.to_string());
        // The uuid names a file or a URL path: anything else could point elsewhere.
        if uuid::Uuid::parse_str(uuid).is_err() {
            summary.reject(format!("manifest entry {uuid:?} is not an event uuid"));
            continue;
        }
        // One missing or broken event file is that event's rejection, not the pull's
        // end: the others are taken, and it is fetched again next time.
        let events = match feed
            .read(&format!("{uuid}.json"))
            .and_then(|text| parse_events(&text).map_err(|error| anyhow!("{uuid}.json: {error}")))
        {
            Ok(events) => events,
            Err(error) => {
                summary.reject(format!("{error:#}"));
                progress.inc(1);
                continue;
            }
        };
        let mut all_stored = true;
        for event in &events {
            all_stored &= super::misp::import_event(store, collection, event, &mut summary)?;
        }
        if all_stored {
            store.record_misp_feed_event(source, uuid, *timestamp)?;
        }
        progress.inc(1);
    }
    progress.finish_and_clear();
    let outcome = Pulled {
        source: source.to_owned(),
        events_in_manifest: manifest.len(),
        events_fetched: wanted.len(),
        events_unchanged: manifest.len() - wanted.len(),
        import: summary,
    };
    if json {
        crate::output::emit(true, &outcome, |_| String::new())?;
        return Ok(if outcome.import.rejected > 0 { ExitCode::from(2) } else { ExitCode::SUCCESS });
    }
    println!(
        "{}: {} events in the manifest, {} fetched (new or changed), {} unchanged",
        outcome.source, outcome.events_in_manifest, outcome.events_fetched, outcome.events_unchanged
    );
    report_import(false, &outcome.import)
}

/// A manifest entry's `timestamp`, a string or a number of seconds; 0 when absent.
fn manifest_timestamp(meta: &Value) -> i64 {
    match meta.get("timestamp") {
        Some(Value::Number(number)) => number.as_i64().unwrap_or(0),
        Some(Value::String(text)) => text.trim().parse().unwrap_or(0),
        _ => 0,
    }
}

fn progress_bar(length: u64) -> ProgressBar {
    crate::output::progress(length, "MISP feed [{bar:30}] {pos}/{len} events eta {eta} {msg}")
}
