//! `entente match`: scan logs for indicators.
//!
//! The flow: load indicators (`load`) → `Engine::build` → for each input, open and
//! decompress (`input`), search its chunks on worker threads in input order (`scan`)
//! → JSON lines, a STIX bundle of sightings, or nothing (`report`) → the summary on
//! standard error. `--record` stores the sightings as this node's own objects, the
//! way `intel import` stores objects: the sealer seals them and only the federation
//! feed, through the release decision, sends them to partners.
//!
//! Exit status as grep: 0 when something matched, 1 when nothing did, 2 on error.

mod input;
mod load;
mod report;
mod scan;

use crate::cli::{LogInputFormat, MatchArgs, MatchOutput};
use crate::datadir::DataDir;
use anyhow::Context;
use entente_match::Engine;
use entente_match::format::Format;
use entente_server::matching::{Keep, sighting};
use entente_store::Store;
use load::Loaded;
use report::{Output, Summary, Tally};
use std::path::Path;
use std::process::ExitCode;
use std::time::Instant;

pub fn run(dir: &DataDir, args: &MatchArgs) -> ExitCode {
    match execute(dir, args) {
        Ok(true) => ExitCode::SUCCESS,
        Ok(false) => ExitCode::from(1),
        Err(error) => {
            eprintln!("error: {error:#}");
            ExitCode::from(2)
        }
    }
}

/// Whether anything matched.
fn execute(dir: &DataDir, args: &MatchArgs) -> anyhow::Result<bool> {
    for log in &args.logs {
        if log != Path::new("-") && !log.exists() {
            anyhow::bail!("no log file {} (give files to scan, or - for standard input)", log.display());
        }
    }
    let from_node = args.bundle.is_empty() && args.values.is_empty();
    let store = open_node(dir, from_node || args.record)?;
    let started = Instant::now();
    let mut loaded = Loaded::default();
    for path in &args.bundle {
        load::bundle(path, &mut loaded)?;
    }
    for path in &args.values {
        load::values(path, &mut loaded)?;
    }
    if from_node && let Some(store) = &store {
        let keep = Keep { decayed: args.include_decayed, warninglisted: args.include_warninglisted };
        load::node(store, keep, &mut loaded)?;
    }
    let mut summary = Summary { load_seconds: started.elapsed().as_secs_f64(), ..Summary::default() };
    let built = Instant::now();
    let (engine, build) = Engine::build(std::mem::take(&mut loaded.indicators.rules));
    summary.build_seconds = built.elapsed().as_secs_f64();
    summary.rules(&mut loaded, &build, &engine);
    summary.threads =
        args.threads.unwrap_or_else(|| std::thread::available_parallelism().map_or(1, |n| n.get())).max(1);
    let mut out = Output::new();
    let tally = scan_all(args, &engine, &mut summary, &mut out)?;
    let sightings = if args.out == MatchOutput::Stix || args.record {
        sightings(store.as_ref(), tally, &loaded, &mut summary)?
    } else {
        summary.matches = tally.matches;
        Vec::new()
    };
    if args.out == MatchOutput::Stix {
        let objects: Vec<&str> = sightings.iter().map(|object| object.json()).collect();
        let bundle = format!(
            "{{\"type\":\"bundle\",\"id\":\"bundle--{}\",\"objects\":[{}]}}\n",
            uuid::Uuid::new_v4(),
            objects.join(",")
        );
        out.write(bundle.as_bytes())?;
        out.flush()?;
    }
    if args.record
        && let Some(store) = &store
    {
        let collection = store.node_settings()?.default_collection;
        store.add_objects(&collection, &sightings, super::now_micros())?;
        summary.recorded_in = Some(collection);
    }
    let matched = summary.matches.total > 0;
    if args.json {
        eprintln!("{}", serde_json::to_string(&summary)?);
    } else {
        eprintln!("{}", summary.text());
    }
    Ok(matched)
}

/// The node's store when one is needed (it must exist) or present (for its identity).
fn open_node(dir: &DataDir, needed: bool) -> anyhow::Result<Option<Store>> {
    if dir.database().exists() {
        return dir.open_store().map(Some);
    }
    if needed {
        anyhow::bail!(
            "no node in {}: `entente match` reads the node's indicators and --record stores sightings on it. \
             Point --dir (or ENTENTE_DIR) at a node, create one with `entente init`, or give --bundle FILE or \
             --values FILE to match without a node",
            dir.root().display()
        );
    }
    Ok(None)
}

/// Searches every input in order, writing JSON lines when asked; the tally of matches.
fn scan_all(args: &MatchArgs, engine: &Engine, summary: &mut Summary, out: &mut Output) -> anyhow::Result<Tally> {
    let total = args.logs.iter().filter_map(|log| std::fs::metadata(log).ok()).map(|m| m.len()).sum();
    let progress =
        crate::output::progress(total, "matching [{bar:30}] {bytes}/{total_bytes} {bytes_per_sec} eta {eta}");
    let forced = match args.format {
        LogInputFormat::Auto => None,
        LogInputFormat::Text => Some(Format::Text),
        LogInputFormat::Jsonl => Some(Format::Jsonl),
        LogInputFormat::Zeek => Some(Format::Zeek),
        LogInputFormat::Csv => Some(Format::Csv),
    };
    let mut tally = Tally::default();
    let started = Instant::now();
    for (index, log) in args.logs.iter().enumerate() {
        let file = log.display().to_string();
        let mut opened = input::open_log(log, &progress, !args.no_mmap)?;
        let name = (file != "-").then_some(file.as_str());
        let jsonl = args.out == MatchOutput::Jsonl;
        let stats = scan::search_input(opened.chunks(&progress), name, forced, engine, summary.threads, &mut |found| {
            tally.count(engine, &found, index, &file);
            if jsonl {
                out.write(&report::json_line(engine, &found, &file)?)?;
            }
            Ok(())
        })
        .with_context(|| format!("scanning {file}"))?;
        summary.inputs.push(file);
        summary.bytes += stats.bytes;
        summary.lines += stats.lines;
        tally.matches.off_field += stats.off_field;
    }
    out.flush()?;
    progress.finish_and_clear();
    summary.seconds = started.elapsed().as_secs_f64();
    summary.mb_per_second = summary.bytes as f64 / 1e6 / summary.seconds.max(1e-9);
    Ok(tally)
}

/// The sightings of the indicators matched (valid STIX, or counted as skipped).
fn sightings(
    store: Option<&Store>,
    tally: Tally,
    loaded: &Loaded,
    summary: &mut Summary,
) -> anyhow::Result<Vec<entente_core::stix::StixObject>> {
    let node = match store {
        Some(store) => Some(store.node_settings()?.identity_id),
        None => None,
    };
    let now = entente_core::Timestamp::from_unix_micros(super::now_micros());
    let mut tally = tally;
    summary.matches = std::mem::take(&mut tally.matches);
    let mut objects = Vec::new();
    for sighted in tally.sighted(&loaded.indicators.markings) {
        let uuid = uuid::Uuid::new_v4().to_string();
        match sighting(&sighted, node.as_deref(), now, &uuid) {
            Ok(object) => objects.push(object),
            Err(_) if !sighted.indicator.starts_with("indicator--") => summary.sightings_skipped += 1,
            Err(reason) => anyhow::bail!("the sighting of {} is not valid STIX: {reason}", sighted.indicator),
        }
    }
    summary.sightings = objects.len() as u64;
    Ok(objects)
}
