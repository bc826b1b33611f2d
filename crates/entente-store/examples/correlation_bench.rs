//! Correlation benchmark (issue 5): index N observable values through the real insert
//! path and measure time, peak memory, index size against the values' size, and
//! lookup latency.
//!
//! Run: `bash bench/correlation.sh [N]` (default 1,000,000), or directly
//! `cargo run --release -p entente-store --example correlation_bench -- 1000000`.
//!
//! Each object carries one value (a URL or an e-mail address also its host, as in
//! production), so N objects index a little more than N values. About a third of the
//! values are drawn (with repetition, as real intelligence repeats) from the Zeek logs
//! in `../shared/data/zeek/` — queried and answered domains, client and server
//! addresses, TLS server names, certificate fingerprints — and the rest are generated
//! unique values of every kind (addresses, /24 networks, domains, URLs, e-mail
//! addresses, SHA-256 and MD5 hashes). 40 % of the objects are indicators (the value
//! in a STIX pattern), 60 % cyber-observables. Values over the cap (1,000 holders)
//! stop correlating, as in production.
//!
//! "Values indexed" is the sum of the normal forms' lengths over every (value, object)
//! pair indexed — what a table of values would hold; "index" is every page of the
//! correlation tables and their indexes (SQLite `dbstat`).
#![allow(clippy::print_stdout, clippy::expect_used)]

use entente_core::correlate::extract_json;
use entente_core::stix::StixObject;
use entente_store::{ApiRoot, Collection, Store};
use std::collections::BTreeSet;
use std::io::{BufRead, BufReader};
use std::time::Instant;

/// splitmix64: a seeded generator, so every run indexes the same values.
struct Random(u64);

impl Random {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    fn below(&mut self, bound: u64) -> u64 {
        self.next() % bound
    }
}

/// Distinct values of the Zeek logs, as `(STIX type or pattern path, value)`.
fn zeek_values() -> Vec<(&'static str, String)> {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/../../../shared/data/zeek");
    let mut found = BTreeSet::new();
    for name in ["dns", "ssl", "x509"] {
        let file = std::fs::File::open(format!("{dir}/{name}.json.gz")).expect("the Zeek logs in ../shared/data/zeek");
        for line in BufReader::new(flate2::read::GzDecoder::new(file)).lines() {
            let Ok(record) = serde_json::from_str::<serde_json::Value>(&line.expect("readable log")) else { continue };
            let text = |field: &str| record.get(field).and_then(|value| value.as_str()).map(str::to_owned);
            for field in ["id.orig_h", "id.resp_h"] {
                found.extend(text(field).map(|address| ("address", address)));
            }
            found.extend(text("query").map(|domain| ("domain-name", domain)));
            found.extend(text("server_name").map(|domain| ("domain-name", domain)));
            found.extend(text("fingerprint").map(|hash| ("certificate", hash)));
            let answers = record.get("answers").and_then(|value| value.as_array()).cloned().unwrap_or_default();
            for answer in answers.iter().filter_map(|value| value.as_str()) {
                let kind = if answer.parse::<std::net::IpAddr>().is_ok() { "address" } else { "domain-name" };
                found.insert((kind, answer.to_owned()));
            }
        }
    }
    found.into_iter().collect()
}

/// A generated value no other object has.
fn fresh(random: &mut Random, number: u64) -> (&'static str, String) {
    let bits = random.next();
    match number % 8 {
        0 => ("address", std::net::Ipv4Addr::from(bits as u32).to_string()),
        1 => ("address", format!("{}/24", std::net::Ipv4Addr::from(bits as u32 & 0xffff_ff00))),
        2 => ("domain-name", format!("h{number}.{}.example{}.net", bits % 977, bits % 31)),
        3 => ("url", format!("https://cdn{}.example.org/d/{number:x}/payload.bin?k={}", bits % 5000, bits % 99991)),
        4 => ("email", format!("user{number}@mail{}.example.com", bits % 211)),
        5 | 6 => ("sha256", format!("{:016x}{:016x}{:016x}{number:016x}", bits, bits.rotate_left(17), bits ^ 0x5555)),
        _ => ("md5", format!("{bits:016x}{number:016x}")),
    }
}

fn object_json(number: u64, kind: &str, value: &str, as_indicator: bool) -> String {
    let uuid = format!("{:08x}-{:04x}-4000-8000-{:012x}", number >> 16, number & 0xffff, number);
    let address_type = if value.contains(':') { "ipv6-addr" } else { "ipv4-addr" };
    if as_indicator {
        let pattern = match kind {
            "address" => format!("[{address_type}:value = '{value}']"),
            "domain-name" => format!("[domain-name:value = '{value}']"),
            "url" => format!("[url:value = '{value}']"),
            "email" => format!("[email-addr:value = '{value}']"),
            "certificate" => format!("[x509-certificate:hashes.'SHA-256' = '{value}']"),
            "sha256" => format!("[file:hashes.'SHA-256' = '{value}']"),
            _ => format!("[file:hashes.MD5 = '{value}']"),
        };
        format!(
            r#"{{"type":"indicator","spec_version":"2.1","id":"indicator--{uuid}","created":"2024-01-01T00:00:00.000Z","modified":"2024-01-01T00:00:00.000Z","pattern":"{pattern}","pattern_type":"stix","valid_from":"2024-01-01T00:00:00Z"}}"#
        )
    } else {
        let (object_type, body) = match kind {
            "address" => (address_type, format!(r#""value":"{value}""#)),
            "domain-name" => ("domain-name", format!(r#""value":"{value}""#)),
            "url" => ("url", format!(r#""value":"{value}""#)),
            "email" => ("email-addr", format!(r#""value":"{value}""#)),
            "certificate" => ("x509-certificate", format!(r#""hashes":{{"SHA-256":"{value}"}}"#)),
            "sha256" => ("file", format!(r#""hashes":{{"SHA-256":"{value}"}}"#)),
            _ => ("file", format!(r#""hashes":{{"MD5":"{value}"}}"#)),
        };
        format!(r#"{{"type":"{object_type}","spec_version":"2.1","id":"{object_type}--{uuid}",{body}}}"#)
    }
}

const SEED: u64 = 0x00c0_44e1;

/// The JSON of object `number`: one value, a third of them from the Zeek logs.
fn next_object(random: &mut Random, real: &[(&'static str, String)], number: u64) -> String {
    let (kind, value) = if random.below(3) == 0 {
        real[random.below(real.len() as u64) as usize].clone()
    } else {
        fresh(random, number)
    };
    object_json(number, kind, &value, random.below(10) < 4)
}

/// The same values indexed alone (no objects stored: postings name a made-up
/// sequence), to separate the index's own cost from storing the objects.
fn index_only(real: &[(&'static str, String)], total: u64) -> f64 {
    let dir = tempfile::tempdir().expect("a temp dir");
    let store = Store::create(&dir.path().join("index.db")).expect("a new store");
    let mut random = Random(SEED);
    let started = Instant::now();
    let mut batch = Vec::with_capacity(10_000);
    for number in 0..total {
        let json = next_object(&mut random, real, number);
        batch.push((number as i64 + 1, extract_json(&json)));
        if batch.len() == 10_000 || number + 1 == total {
            store.index_correlations(&batch).expect("index");
            batch.clear();
        }
    }
    started.elapsed().as_secs_f64()
}

/// The same objects stored with correlation off (cap 0): the baseline the index's
/// cost on the insert path is measured against.
fn objects_alone(real: &[(&'static str, String)], total: u64) -> f64 {
    let dir = tempfile::tempdir().expect("a temp dir");
    let (store, collection) = new_store(&dir.path().join("baseline.db"));
    store.set_correlation_cap(0).expect("correlation off");
    let mut random = Random(SEED);
    let started = Instant::now();
    let mut batch = Vec::with_capacity(10_000);
    for number in 0..total {
        let json = next_object(&mut random, real, number);
        batch.push(StixObject::from_json(&json).expect("a valid bench object"));
        if batch.len() == 10_000 || number + 1 == total {
            store.add_objects(&collection, &batch, 1_700_000_000_000_000 + number as i64).expect("add");
            batch.clear();
        }
    }
    started.elapsed().as_secs_f64()
}

fn new_store(path: &std::path::Path) -> (Store, String) {
    let store = Store::create(path).expect("a new store");
    store
        .create_api_root(&ApiRoot { name: "intel".into(), title: "Intel".into(), description: None }, 1)
        .expect("root");
    let roles = vec![entente_core::auth::Role::Analyst];
    let collection = Collection {
        id: "1c5a0e57-5e88-4c6b-9d3f-00000000b001".into(),
        api_root: "intel".into(),
        title: "Bench".into(),
        description: None,
        alias: None,
        read_roles: roles.clone(),
        write_roles: roles,
    };
    store.create_collection(&collection, 1).expect("collection");
    (store, collection.id)
}

fn peak_rss_kib() -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    let line = status.lines().find(|line| line.starts_with("VmHWM:")).unwrap_or("VmHWM: 0 kB");
    line.split_whitespace().nth(1).and_then(|number| number.parse().ok()).unwrap_or(0)
}

fn main() {
    let total: u64 = std::env::args().nth(1).and_then(|text| text.replace('_', "").parse().ok()).unwrap_or(1_000_000);
    let dir = tempfile::tempdir().expect("a temp dir");
    let (store, collection_id) = new_store(&dir.path().join("bench.db"));
    let real = zeek_values();
    println!("{} distinct values from the Zeek logs; indexing {total} values", real.len());
    let mut random = Random(SEED);
    let (mut value_bytes, mut indexed, mut samples) = (0u64, 0u64, Vec::new());
    let started = Instant::now();
    let mut batch = Vec::with_capacity(10_000);
    for number in 0..total {
        let json = next_object(&mut random, &real, number);
        let object = StixObject::from_json(&json).expect("a valid bench object");
        for observable in extract_json(object.json()) {
            value_bytes += observable.value().len() as u64;
            indexed += 1;
            if number % 997 == 0 {
                samples.push(observable);
            }
        }
        batch.push(object);
        if batch.len() == 10_000 || number + 1 == total {
            store.add_objects(&collection_id, &batch, 1_700_000_000_000_000 + number as i64).expect("add");
            batch.clear();
        }
        if (number + 1) % 100_000 == 0 {
            println!("  {:>9} objects  {:>6.1} s", number + 1, started.elapsed().as_secs_f64());
        }
    }
    let elapsed = started.elapsed().as_secs_f64();

    let mut latencies = Vec::with_capacity(samples.len());
    let mut listed = 0usize;
    for observable in &samples {
        let asked = Instant::now();
        listed += store.correlate(observable, None).expect("correlate").len();
        latencies.push(asked.elapsed().as_secs_f64() * 1000.0);
    }
    latencies.sort_by(f64::total_cmp);
    let percentile = |p: f64| latencies.get(((latencies.len() as f64 - 1.0) * p) as usize).copied().unwrap_or(0.0);

    let sizes = store.correlation_storage().expect("dbstat");
    let index_bytes: i64 = sizes.iter().map(|(_, bytes)| bytes).sum();
    println!(
        "indexed values        {indexed} in {elapsed:.1} s ({:.0} objects/s, objects stored too)",
        total as f64 / elapsed
    );
    println!("peak RSS              {} MiB", peak_rss_kib() / 1024);
    let (distinct, postings, capped) = store.correlation_summary().expect("summary");
    println!("distinct values       {distinct} ({postings} postings, {capped} over-correlated at the cap of 1,000)");
    for (name, bytes) in &sizes {
        println!("  {name:<34} {:>8.1} MiB", *bytes as f64 / 1048576.0);
    }
    println!("values indexed        {:.1} MiB", value_bytes as f64 / 1048576.0);
    println!("index (all of it)     {:.1} MiB", index_bytes as f64 / 1048576.0);
    println!("index / values        {:.2}x (target < 2x)", index_bytes as f64 / value_bytes as f64);
    println!(
        "lookups               {} values, {listed} related found, p50 {:.2} ms, p99 {:.2} ms",
        latencies.len(),
        percentile(0.5),
        percentile(0.99)
    );
    let alone = index_only(&real, total);
    println!(
        "index alone           {total} objects' values in {alone:.1} s ({:.0} values/s, no objects stored)",
        indexed as f64 / alone
    );
    let baseline = objects_alone(&real, total);
    println!(
        "objects alone         {total} objects in {baseline:.1} s with correlation off: the index adds {:.0} % to the insert path",
        (elapsed / baseline - 1.0) * 100.0
    );
}
