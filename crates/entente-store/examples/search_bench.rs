//! Search benchmark: builds a store of N generated indicators (default 1,000,000)
//! with realistic names, descriptions, labels, markings and patterns, then runs a
//! fixed mix of queries through `Store::search` (the call `GET /api/v1/search` makes)
//! and prints p50/p95/p99 per kind and overall, the import time, the index build time
//! and the index size. Run it with `bash bench/search.sh` (release build).
//!
//! Usage: search_bench [OBJECTS] [QUERIES] [DIR]

#![allow(clippy::print_stdout, clippy::unwrap_used)]

use entente_core::auth::Role;
use entente_core::search::Query;
use entente_core::stix::StixObject;
use entente_store::{ApiRoot, Collection, SearchScope, Store};
use std::time::{Duration, Instant};

/// A small deterministic generator (xorshift64*): the same store on every run.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
    /// Zipf-like pick: early entries are much more common, as in real feeds.
    fn skewed<'a>(&mut self, items: &[&'a str]) -> &'a str {
        let a = self.below(items.len());
        let b = self.below(items.len());
        items[a.min(b)]
    }
}

const FAMILIES: &[&str] = &[
    "Emotet",
    "QakBot",
    "TrickBot",
    "IcedID",
    "Cobalt Strike",
    "AgentTesla",
    "FormBook",
    "Remcos",
    "LockBit",
    "BlackCat",
    "Conti",
    "Ryuk",
    "Dridex",
    "Ursnif",
    "RedLine",
    "Raccoon",
    "Vidar",
    "AsyncRAT",
    "njRAT",
    "NanoCore",
    "PlugX",
    "ShadowPad",
    "Sliver",
    "Brute Ratel",
    "Bumblebee",
    "Pikabot",
    "DarkGate",
    "Lumma",
    "SocGholish",
    "GootLoader",
    "Mirai",
    "Gafgyt",
    "XMRig",
    "Amadey",
    "SmokeLoader",
    "Hancitor",
    "BazarLoader",
    "Gozi",
    "Zloader",
    "Latrodectus",
    "Akira",
    "Play",
    "Royal",
    "BlackBasta",
    "Clop",
    "Hive",
    "Vice Society",
    "Medusa",
    "Rhysida",
    "Qilin",
    "Havoc",
    "Mythic",
    "Metasploit",
    "PoshC2",
    "Covenant",
    "Nighthawk",
    "Ligolo",
    "Chisel",
    "Rclone",
];
const ACTORS: &[&str] = &[
    "APT28",
    "APT29",
    "Sandworm",
    "Turla",
    "Lazarus",
    "Kimsuky",
    "APT41",
    "Volt Typhoon",
    "FIN7",
    "Scattered Spider",
    "TA505",
    "Wizard Spider",
    "Charming Kitten",
    "MuddyWater",
    "OceanLotus",
    "Gamaredon",
    "Equation",
    "Mustang Panda",
];
const ROLES: &[&str] = &[
    "C2 server",
    "payload host",
    "phishing domain",
    "dropper",
    "loader",
    "beacon",
    "exfiltration endpoint",
    "staging server",
    "credential harvester",
    "downloader",
    "botnet node",
    "scanner",
];
const SECTORS: &[&str] = &[
    "finance",
    "healthcare",
    "energy",
    "government",
    "telecommunications",
    "manufacturing",
    "education",
    "transport",
    "defence",
    "retail",
    "water",
    "aviation",
];
const CAMPAIGNS: &[&str] = &[
    "invoice lures",
    "fake software updates",
    "malvertising",
    "SEO poisoning",
    "spear phishing",
    "password spraying",
    "supply chain compromise",
    "exploited VPN appliances",
    "USB propagation",
    "watering hole",
    "QR code phishing",
    "OAuth consent phishing",
];
const TLDS: &[&str] = &["com", "net", "org", "ru", "top", "xyz", "info", "cn", "io", "biz"];
const WORDS: &[&str] = &[
    "cdn", "update", "secure", "login", "mail", "cloud", "api", "static", "portal", "service", "files", "sync",
    "office", "docs", "support", "account", "verify", "billing", "track", "media",
];
const MARKINGS: &[(&str, usize)] = &[
    ("marking-definition--34098fce-860f-48ae-8e50-ebd3cc5e41da", 50), // TLP:GREEN
    ("marking-definition--f88d31f6-486f-44da-b317-01333bde0b82", 30), // TLP:AMBER
    ("marking-definition--613f2e26-407d-48c7-9eca-b8e91df99dc9", 15), // TLP:WHITE
    ("marking-definition--5e57c739-391a-4eb3-b6be-7d15ca92d5ed", 5),  // TLP:RED
];

fn marking(rng: &mut Rng) -> &'static str {
    let mut roll = rng.below(100);
    for (id, weight) in MARKINGS {
        if roll < *weight {
            return id;
        }
        roll -= weight;
    }
    MARKINGS[0].0
}

/// What a generated indicator looks for, kept so queries can ask for real values.
enum Value {
    Ip(String),
    Domain(String),
    Hash(String),
    Url(String),
}

fn value(rng: &mut Rng) -> Value {
    match rng.below(4) {
        0 => Value::Ip(format!("{}.{}.{}.{}", 1 + rng.below(223), rng.below(256), rng.below(256), 1 + rng.below(254))),
        1 => Value::Domain(format!(
            "{}-{}{}.{}",
            rng.skewed(WORDS),
            rng.skewed(WORDS),
            rng.below(10_000),
            rng.skewed(TLDS)
        )),
        2 => Value::Hash(format!("{:016x}{:016x}{:016x}{:016x}", rng.next(), rng.next(), rng.next(), rng.next())),
        _ => Value::Url(format!(
            "https://{}{}.{}/{}/{}.php",
            rng.skewed(WORDS),
            rng.below(100_000),
            rng.skewed(TLDS),
            rng.skewed(WORDS),
            rng.below(1000)
        )),
    }
}

fn pattern(value: &Value) -> String {
    match value {
        Value::Ip(ip) => format!("[ipv4-addr:value = '{ip}']"),
        Value::Domain(domain) => format!("[domain-name:value = '{domain}']"),
        Value::Hash(hash) => format!("[file:hashes.'SHA-256' = '{hash}']"),
        Value::Url(url) => format!("[url:value = '{url}']"),
    }
}

fn text(value: &Value) -> &str {
    match value {
        Value::Ip(text) | Value::Domain(text) | Value::Hash(text) | Value::Url(text) => text,
    }
}

fn indicator(rng: &mut Rng, index: u64) -> (String, Value) {
    let family = rng.skewed(FAMILIES);
    let actor = rng.skewed(ACTORS);
    let role = rng.skewed(ROLES);
    let sector = rng.skewed(SECTORS);
    let campaign = rng.skewed(CAMPAIGNS);
    let value = value(rng);
    let stamp = format!(
        "2026-{:02}-{:02}T{:02}:{:02}:{:02}.{:03}Z",
        1 + index % 12,
        1 + index % 28,
        index % 24,
        index % 60,
        (index / 60) % 60,
        index % 1000
    );
    let description = format!(
        "{family} {role} attributed with moderate confidence to {actor}, observed in {campaign} \
         targeting the {sector} sector. First reported by a partner CERT; block at the perimeter."
    );
    let object = serde_json::json!({
        "type": "indicator", "spec_version": "2.1",
        "id": format!("indicator--{:08x}-{:04x}-4{:03x}-8{:03x}-{:012x}", rng.next() as u32, rng.next() as u16,
            rng.next() as u16 & 0xfff, rng.next() as u16 & 0xfff, rng.next() & 0xffff_ffff_ffff),
        "created": stamp, "modified": stamp, "valid_from": stamp,
        "name": format!("{family} {role}"),
        "description": description,
        "indicator_types": ["malicious-activity"],
        "pattern": pattern(&value), "pattern_type": "stix",
        "labels": [family.to_lowercase(), sector],
        "object_marking_refs": [marking(rng)],
    });
    (object.to_string(), value)
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    sorted[((sorted.len() as f64 * p).ceil() as usize).clamp(1, sorted.len()) - 1]
}

fn ms(duration: Duration) -> String {
    format!("{:.2}", duration.as_secs_f64() * 1000.0)
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let count: u64 = args.get(1).and_then(|a| a.parse().ok()).unwrap_or(1_000_000);
    let queries: usize = args.get(2).and_then(|a| a.parse().ok()).unwrap_or(2000);
    let dir = args.get(3).map_or_else(|| std::env::temp_dir().join("entente-search-bench"), Into::into);
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join(format!("search-{count}.db"));
    let collection = "11111111-1111-4111-8111-111111111111".to_owned();

    // Keep a sample of generated values for exact-value queries.
    let mut samples: Vec<String> = Vec::new();
    let fresh = !path.exists();
    let store = if fresh {
        let store = Store::create(&path).unwrap();
        store.create_api_root(&ApiRoot { name: "intel".into(), title: "Intel".into(), description: None }, 1).unwrap();
        store
            .create_collection(
                &Collection {
                    id: collection.clone(),
                    api_root: "intel".into(),
                    title: "Intelligence".into(),
                    description: None,
                    alias: None,
                    read_roles: vec![Role::Reader],
                    write_roles: vec![Role::Analyst],
                },
                1,
            )
            .unwrap();
        store
    } else {
        Store::open(&path).unwrap()
    };
    let mut rng = Rng(0x5EED_1234_ABCD_0001);
    let started = Instant::now();
    let mut batch = Vec::with_capacity(10_000);
    for index in 0..count {
        let (json, value) = indicator(&mut rng, index);
        if index % 997 == 0 {
            samples.push(text(&value).to_owned());
        }
        if fresh {
            batch.push(StixObject::from_json(&json).unwrap());
            if batch.len() == 10_000 {
                store.add_objects(&collection, &batch, 1_000_000 + index as i64).unwrap();
                batch.clear();
            }
        }
    }
    if fresh {
        store.add_objects(&collection, &batch, 1_000_000 + count as i64).unwrap();
        println!("import (validate + store + index) of {count} indicators: {:.1} s", started.elapsed().as_secs_f64());
    }
    let file_bytes = std::fs::metadata(&path).map(|m| m.len()).unwrap_or(0)
        + std::fs::metadata(path.with_extension("db-wal")).map(|m| m.len()).unwrap_or(0);
    let index_bytes = store.search_index_bytes().unwrap_or(0);
    println!(
        "database {:.0} MiB, of which search index {:.0} MiB ({:.0} bytes/object)",
        file_bytes as f64 / 1048576.0,
        index_bytes as f64 / 1048576.0,
        index_bytes as f64 / count.max(1) as f64
    );

    let scope = SearchScope::Collections(vec![collection]);
    let mut qrng = Rng(0xBEEF_0000_0000_0042);
    let kinds: Vec<(&str, MakeQuery)> = vec![
        ("family", Box::new(|r: &mut Rng| vec![q(r.skewed(FAMILIES).to_lowercase())])),
        ("family+role", Box::new(|r: &mut Rng| vec![q(format!("{} {}", r.skewed(FAMILIES), r.skewed(ROLES)))])),
        ("phrase", Box::new(|r: &mut Rng| vec![q(format!("\"{}\"", r.skewed(CAMPAIGNS)))])),
        ("prefix", Box::new(|r: &mut Rng| vec![q(format!("{}*", &r.skewed(FAMILIES).to_lowercase()[..3]))])),
        ("actor+sector", Box::new(|r: &mut Rng| vec![q(format!("{} {}", r.skewed(ACTORS), r.skewed(SECTORS)))])),
        ("exact value", Box::new(move |r: &mut Rng| vec![q(samples[r.below(samples.len())].clone())])),
        (
            "text+marking+since",
            Box::new(|r: &mut Rng| {
                vec![
                    q(r.skewed(FAMILIES).to_lowercase()),
                    ("marking".into(), "TLP:AMBER".into()),
                    ("since".into(), format!("2026-{:02}-01T00:00:00Z", 1 + r.below(12))),
                ]
            }),
        ),
        (
            "filters only",
            Box::new(|r: &mut Rng| {
                vec![
                    ("type".into(), "indicator".into()),
                    ("marking".into(), ["TLP:RED", "TLP:GREEN"][r.below(2)].into()),
                ]
            }),
        ),
        (
            "text+type",
            Box::new(|r: &mut Rng| vec![q(r.skewed(ACTORS).to_owned()), ("type".into(), "indicator".into())]),
        ),
        ("common word", Box::new(|_: &mut Rng| vec![q("perimeter".into())])),
    ];
    let mut all = Vec::with_capacity(queries);
    let mut by_kind: Vec<Vec<Duration>> = vec![Vec::new(); kinds.len()];
    let mut returned = 0usize;
    for round in 0..queries {
        // `common word` (every object matches) is 2% of the mix, the others share the rest.
        let kind = if round % 50 == 49 { kinds.len() - 1 } else { round % (kinds.len() - 1) };
        let pairs = (kinds[kind].1)(&mut qrng);
        let query = Query::parse(&pairs).unwrap();
        let started = Instant::now();
        let hits = store.search(&query, &scope, 0, query.limit + 1).unwrap();
        let elapsed = started.elapsed();
        returned += hits.len();
        all.push(elapsed);
        by_kind[kind].push(elapsed);
    }
    println!("{queries} queries, {:.1} results per query on average", returned as f64 / queries as f64);
    println!("{:<20} {:>6} {:>9} {:>9} {:>9} {:>9}", "kind", "count", "p50 ms", "p95 ms", "p99 ms", "max ms");
    for ((name, _), times) in kinds.iter().zip(by_kind.iter_mut()) {
        times.sort();
        if times.is_empty() {
            continue;
        }
        let max = *times.last().unwrap();
        println!(
            "{name:<20} {:>6} {:>9} {:>9} {:>9} {:>9}",
            times.len(),
            ms(percentile(times, 0.5)),
            ms(percentile(times, 0.95)),
            ms(percentile(times, 0.99)),
            ms(max)
        );
    }
    all.sort();
    let max = *all.last().unwrap();
    println!(
        "{:<20} {:>6} {:>9} {:>9} {:>9} {:>9}",
        "ALL",
        all.len(),
        ms(percentile(&all, 0.5)),
        ms(percentile(&all, 0.95)),
        ms(percentile(&all, 0.99)),
        ms(max)
    );

    // What the index costs an import: rebuild it from scratch, as the store's backfill
    // does for objects stored before it existed (extract the text, insert the tokens).
    if std::env::var_os("SEARCH_BENCH_REINDEX").is_some() {
        drop(store);
        let connection = rusqlite::Connection::open(&path).unwrap();
        connection.execute("INSERT INTO search_text(search_text) VALUES ('delete-all')", []).unwrap();
        connection.execute("INSERT INTO settings (key, value) VALUES ('search_backfill', 'pending')", []).unwrap();
        drop(connection);
        let started = Instant::now();
        let store = Store::open(&path).unwrap();
        println!("index build for {count} objects (backfill): {:.1} s", started.elapsed().as_secs_f64());
        drop(store);
    }
}

/// Makes the parameters of one query of a kind.
type MakeQuery = Box<dyn Fn(&mut Rng) -> Vec<(String, String)>>;

fn q(text: String) -> (String, String) {
    ("q".into(), text)
}
