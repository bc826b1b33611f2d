//! Warning-list matching on real traffic values: how long the MISP warning lists take
//! to parse, and how many values per second `warning_hits` checks against all of them.
//!
//! `bash bench/reference.sh` (installs pymispwarninglists in a venv and runs this in
//! release), or `ENTENTE_WARNINGLISTS=DIR cargo bench -p entente-core --bench
//! warninglists`. Without ENTENTE_WARNINGLISTS it uses the small test fixtures. The
//! values are the DNS queries, answers and responder addresses of the Zeek DNS log in
//! `../shared/data/zeek/dns.json.gz` (53,615 records).

use entente_core::reference::{PatternValue, WarningList, warning_hits};
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::time::Instant;

fn lists_in(dir: &Path, found: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).expect("a directory of warning lists").flatten() {
        let path = entry.path();
        if path.is_dir() {
            lists_in(&path, found);
        } else if path.file_name().is_some_and(|name| name == "list.json") {
            found.push(path);
        }
    }
}

fn values(zeek: &Path) -> Vec<PatternValue> {
    let file = std::fs::File::open(zeek).expect("the Zeek DNS log");
    let reader = BufReader::new(flate2::read::MultiGzDecoder::new(file));
    let mut values = Vec::new();
    let push = |values: &mut Vec<PatternValue>, text: &str| {
        let path = if text.parse::<std::net::IpAddr>().is_ok() { "ipv4-addr:value" } else { "domain-name:value" };
        values.push(PatternValue { path: path.to_owned(), value: text.to_owned() });
    };
    for line in reader.lines() {
        let record: serde_json::Value = serde_json::from_str(&line.expect("a line")).expect("NDJSON");
        for key in ["query", "id.resp_h"] {
            if let Some(text) = record.get(key).and_then(|value| value.as_str()) {
                push(&mut values, text);
            }
        }
        for answer in record.get("answers").and_then(|value| value.as_array()).into_iter().flatten() {
            if let Some(text) = answer.as_str() {
                push(&mut values, text);
            }
        }
    }
    values
}

fn main() {
    let manifest = Path::new(env!("CARGO_MANIFEST_DIR"));
    let dir = std::env::var_os("ENTENTE_WARNINGLISTS")
        .map(PathBuf::from)
        .unwrap_or_else(|| manifest.join("../entente/tests/fixtures/reference/warninglists"));
    let mut files = Vec::new();
    lists_in(&dir, &mut files);
    let started = Instant::now();
    let lists: Vec<WarningList> = files
        .iter()
        .filter_map(|file| WarningList::parse(&std::fs::read_to_string(file).expect("readable")).ok())
        .collect();
    let parsed = started.elapsed();
    let entries: usize = lists.iter().map(WarningList::len).sum();
    println!("{} warning lists, {entries} entries, parsed in {:.2} s", lists.len(), parsed.as_secs_f64());

    let values = values(&manifest.join("../../../shared/data/zeek/dns.json.gz"));
    let started = Instant::now();
    let hits = warning_hits(&lists, &values);
    let matched = started.elapsed();
    for kind in ["string", "substring", "hostname", "cidr"] {
        let subset: Vec<WarningList> =
            lists.iter().filter(|list| format!("{:?}", list.kind).to_lowercase() == kind).cloned().collect();
        let started = Instant::now();
        let found = warning_hits(&subset, &values).len();
        println!("  {kind}: {} lists, {:.3} s, {found} hits", subset.len(), started.elapsed().as_secs_f64());
    }
    let flagged: std::collections::HashSet<&str> = hits.iter().map(|hit| hit.value.as_str()).collect();
    println!(
        "{} values checked in {:.3} s: {:.0} values/s, {} hits, {} distinct values flagged",
        values.len(),
        matched.as_secs_f64(),
        values.len() as f64 / matched.as_secs_f64(),
        hits.len(),
        flagged.len()
    );
}
