//! What `entente match` says: the JSON lines of matches, the tally of each indicator
//! (for sightings), and the summary on standard error.

use super::load::{Loaded, Refused};
use super::scan::Found;
use entente_match::{BuildReport, Engine};
use entente_server::matching::{Exclusions, Sighted};
use serde::Serialize;
use std::collections::BTreeMap;
use std::io::Write;

/// Standard output, locked once and buffered. A reader that went away (`| head`) ends
/// the output quietly.
pub struct Output {
    out: std::io::BufWriter<std::io::StdoutLock<'static>>,
    closed: bool,
}

impl Output {
    pub fn new() -> Output {
        Output { out: std::io::BufWriter::with_capacity(1 << 16, std::io::stdout().lock()), closed: false }
    }

    pub fn write(&mut self, bytes: &[u8]) -> anyhow::Result<()> {
        if self.closed {
            return Ok(());
        }
        match self.out.write_all(bytes) {
            Err(error) if error.kind() == std::io::ErrorKind::BrokenPipe => {
                self.closed = true;
                Ok(())
            }
            other => Ok(other?),
        }
    }

    pub fn flush(&mut self) -> anyhow::Result<()> {
        match self.out.flush() {
            Err(error) if error.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
            other => Ok(other?),
        }
    }
}

/// One match as a JSON line.
#[derive(Serialize)]
struct MatchLine<'a> {
    indicator: &'a str,
    kind: &'static str,
    value: &'a str,
    matched: &'a str,
    file: &'a str,
    line: u64,
    offset: u64,
    field: Option<&'a str>,
}

/// The JSON line of `found` in `file`, newline included.
pub fn json_line(engine: &Engine, found: &Found, file: &str) -> anyhow::Result<Vec<u8>> {
    let rule = engine.rule(found.rule);
    let term = &rule.alternatives[usize::from(found.alternative)][usize::from(found.term)];
    let line = MatchLine {
        indicator: &rule.id,
        kind: term.kind.name(),
        value: &term.value,
        matched: &found.matched,
        file,
        line: found.line,
        offset: found.offset,
        field: found.field.as_deref(),
    };
    let mut bytes = serde_json::to_vec(&line)?;
    bytes.push(b'\n');
    Ok(bytes)
}

/// Every indicator's matches over all inputs, and the totals.
#[derive(Default)]
pub struct Tally {
    by_rule: BTreeMap<u32, Sighted>,
    /// The last record counted for each rule (input index, line): a record where
    /// several terms of a rule hit is one sighting.
    last_record: BTreeMap<u32, (usize, u64)>,
    pub matches: Matches,
}

/// The matches of the summary.
#[derive(Default, Serialize)]
pub struct Matches {
    pub total: u64,
    pub by_kind: BTreeMap<&'static str, u64>,
    pub indicators_matched: u64,
    /// Hits dropped because their field's type does not fit the indicator's kind.
    pub off_field: u64,
}

impl Tally {
    pub fn count(&mut self, engine: &Engine, found: &Found, input: usize, file: &str) {
        let rule = engine.rule(found.rule);
        let kind = rule.alternatives[usize::from(found.alternative)][usize::from(found.term)].kind;
        self.matches.total += 1;
        *self.matches.by_kind.entry(kind.name()).or_default() += 1;
        let sighted = self
            .by_rule
            .entry(found.rule)
            .or_insert_with(|| Sighted { indicator: rule.id.clone(), ..Sighted::default() });
        if self.last_record.insert(found.rule, (input, found.line)) != Some((input, found.line)) {
            sighted.count += 1;
        }
        if sighted.files.last().is_none_or(|last| last != file) {
            sighted.files.push(file.to_owned());
        }
        if let Some(at) = found.timestamp {
            sighted.first_seen = Some(sighted.first_seen.map_or(at, |seen| seen.min(at)));
            sighted.last_seen = Some(sighted.last_seen.map_or(at, |seen| seen.max(at)));
        }
        self.matches.indicators_matched = self.by_rule.len() as u64;
    }

    /// Each indicator matched, in rule order, with the markings its sighting carries.
    pub fn sighted(self, loaded_markings: &BTreeMap<String, Vec<String>>) -> Vec<Sighted> {
        self.by_rule
            .into_values()
            .map(|mut sighted| {
                sighted.markings = loaded_markings.get(&sighted.indicator).cloned().unwrap_or_default();
                sighted
            })
            .collect()
    }
}

/// The summary printed at the end.
#[derive(Default, Serialize)]
pub struct Summary {
    pub inputs: Vec<String>,
    pub bytes: u64,
    pub lines: u64,
    pub seconds: f64,
    pub mb_per_second: f64,
    pub threads: usize,
    pub rules: usize,
    pub atoms: usize,
    pub terms_by_kind: BTreeMap<&'static str, usize>,
    pub load_seconds: f64,
    pub build_seconds: f64,
    pub engine_bytes: usize,
    pub exclusions: Exclusions,
    pub rejected: u64,
    pub rejected_list: Vec<Refused>,
    pub matches: Matches,
    /// Sightings written (`--out stix`) or stored (`--record`).
    pub sightings: u64,
    /// Matched rules that are no indicator (a `--values` line) and so have no sighting.
    pub sightings_skipped: u64,
    /// The collection `--record` stored the sightings in.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub recorded_in: Option<String>,
}

impl Summary {
    /// The rule side of the summary: what was loaded and what the engine compiled.
    pub fn rules(&mut self, loaded: &mut Loaded, report: &BuildReport, engine: &Engine) {
        self.rules = report.rules;
        self.atoms = report.atoms;
        self.terms_by_kind = report.terms_by_kind.iter().map(|(kind, n)| (kind.name(), *n)).collect();
        self.engine_bytes = engine.table_bytes();
        for rejected in &report.rejected {
            loaded.reject(rejected.id.clone(), rejected.reason.clone());
        }
        self.exclusions = std::mem::take(&mut loaded.indicators.exclusions);
        self.rejected = loaded.rejected;
        self.rejected_list = std::mem::take(&mut loaded.rejected_list);
    }

    /// The summary for people.
    pub fn text(&self) -> String {
        let by_kind = |map: &BTreeMap<&str, u64>| {
            map.iter().map(|(kind, n)| format!("{kind} {n}")).collect::<Vec<_>>().join(", ")
        };
        let terms: BTreeMap<&str, u64> = self.terms_by_kind.iter().map(|(k, n)| (*k, *n as u64)).collect();
        let mut text = format!(
            "{} match(es) of {} indicator(s){}; {} off-field hit(s) dropped\n\
             scanned {} input(s): {} bytes, {} lines in {:.2} s ({:.1} MB/s, {} thread(s))\n\
             rules {} (atoms {}: {}), loaded in {:.2} s, built in {:.3} s, engine {} bytes",
            self.matches.total,
            self.matches.indicators_matched,
            if self.matches.by_kind.is_empty() {
                String::new()
            } else {
                format!(" ({})", by_kind(&self.matches.by_kind))
            },
            self.matches.off_field,
            self.inputs.len(),
            self.bytes,
            self.lines,
            self.seconds,
            self.mb_per_second,
            self.threads,
            self.rules,
            self.atoms,
            by_kind(&terms),
            self.load_seconds,
            self.build_seconds,
            self.engine_bytes,
        );
        let e = &self.exclusions;
        text.push_str(&format!(
            "\nleft out: {} expired, {} decayed, {} warning-listed, {} revoked, {} unsupported, {} rejected value(s)",
            e.expired, e.decayed, e.warninglisted, e.revoked, e.unsupported, self.rejected
        ));
        for unsupported in &e.unsupported_list {
            text.push_str(&format!("\n  unsupported: {} — {}", unsupported.id, unsupported.reason));
        }
        for refused in &self.rejected_list {
            text.push_str(&format!("\n  rejected: {} — {}", refused.id, refused.reason));
        }
        if let Some(collection) = &self.recorded_in {
            text.push_str(&format!("\nrecorded {} sighting(s) in collection {collection}", self.sightings));
        }
        text
    }
}
