//! `entente match` end to end: the real binary over the real Zeek logs of
//! `shared/data/zeek`, with indicators planted from values that occur in them (and
//! some that do not).
//!
//! The expected counts were derived once, independently of Entente, by parsing the
//! JSON and counting string values (and array members) that equal the value (or, for
//! a domain, end with `.` + it; for a network, parse as an address inside it):
//!
//! ```sh
//! python3 -c "import gzip,json,ipaddress; n=ipaddress.ip_network('10.10.0.0/16')
//! def s(r): return [x for v in r.values() for x in (v if isinstance(v,list) else [v]) if isinstance(x,str)]
//! def ip(x):
//!   try: return ipaddress.ip_address(x) in n
//!   except ValueError: return False
//! rs=[json.loads(l) for l in gzip.open('dns.json.gz','rt')]
//! print(sum(ip(x) for r in rs for x in s(r)))"
//! ```
//!
//! (and the same with `x == '10.10.5.1'`, `x == 'snozberry.oompa.loompa'`,
//! `x == 'oompa.loompa' or x.endswith('.oompa.loompa')`, the certificate fingerprint,
//! over `dns`, `ssl` and `x509`), grouped by the key holding the value. Every planted
//! value sits only in fields of its own type (`id.resp_h`, `id.orig_h`, `query`,
//! `cert_chain_fps`, `fingerprint`), so none is dropped as off-field.

use crate::support::{Node, Run, entente, run, shared_data};
use serde_json::{Value, json};
use std::collections::BTreeMap;
use std::io::{Read, Write};
use std::path::{Path, PathBuf};

/// In `dns.json.gz`: records whose `id.resp_h` is 10.10.5.1.
const DNS_RESOLVER: usize = 2214;
/// In `dns.json.gz`: addresses in 10.10.0.0/16, in `id.orig_h` and in `id.resp_h`.
const DNS_NETWORK_ORIG: usize = 88;
const DNS_NETWORK_RESP: usize = 8376;
/// In `dns.json.gz`: `query` equal to snozberry.oompa.loompa.
const DNS_DOMAIN: usize = 702;
/// In `dns.json.gz`: `query` equal to or under oompa.loompa.
const DNS_PARENT: usize = 2518;
/// In `ssl.json.gz`: addresses in 10.10.0.0/16 (all in `id.orig_h`).
const SSL_NETWORK: usize = 81;
/// The certificate fingerprint: records of `ssl.json.gz` with it in `cert_chain_fps`
/// (once each), and the one `x509.json.gz` record it is the `fingerprint` of.
const FINGERPRINT: &str = "b2dafbcdbc75210672f137f27ce882ccb799887631655d4f11191d5a678e44fe";
const SSL_FINGERPRINT: usize = 1761;
const X509_FINGERPRINT: usize = 1;

fn zeek(name: &str) -> PathBuf {
    shared_data(&format!("zeek/{name}.json.gz"))
}

fn text(path: &Path) -> &str {
    path.to_str().expect("UTF-8 path")
}

/// Runs `entente match` without a node (a `--dir` that does not exist).
fn matching(scratch: &Path, args: &[&str], stdin: &[u8]) -> Run {
    let mut command = entente();
    command.arg("--dir").arg(scratch.join("no-node")).arg("match").args(args);
    run(command, stdin)
}

/// The JSON lines of a run, counted by (indicator, file name, field).
fn counts(run: &Run) -> BTreeMap<(String, String, String), usize> {
    let mut counts = BTreeMap::new();
    for line in run.stdout.lines() {
        let found: Value = serde_json::from_str(line).unwrap_or_else(|e| panic!("not JSON ({e}): {line}"));
        let file = found["file"].as_str().expect("file");
        let file = Path::new(file).file_name().map_or(file.to_owned(), |name| name.to_string_lossy().into_owned());
        let field = found["field"].as_str().unwrap_or("(none)").to_owned();
        *counts.entry((found["indicator"].as_str().expect("indicator").to_owned(), file, field)).or_default() += 1;
    }
    counts
}

fn key(indicator: &str, file: &str, field: &str) -> (String, String, String) {
    (indicator.to_owned(), file.to_owned(), field.to_owned())
}

/// The summary printed with `--json` (standard error, one object).
fn summary(run: &Run) -> Value {
    serde_json::from_str(run.stderr.trim()).unwrap_or_else(|e| panic!("summary is not JSON ({e}): {}", run.stderr))
}

fn values_file(dir: &Path) -> PathBuf {
    let path = dir.join("values.txt");
    let lines = [
        "# planted from the logs",
        "10.10.5.1",
        "10.10.0.0/16",
        "snozberry.oompa.loompa",
        "oompa.loompa",
        "",
        "# absent",
        "203.0.113.77",
        "absent-domain.example",
        "not a value at all",
    ];
    std::fs::write(&path, lines.join("\n") + "\n").expect("writes the list");
    path
}

#[test]
fn a_value_list_finds_exactly_the_planted_values_in_zeek_dns() {
    let temp = tempfile::TempDir::new().expect("temp dir");
    let values = values_file(temp.path());
    let dns = zeek("dns");
    let list = text(&values);
    let one = matching(temp.path(), &["--values", list, "--threads", "1", "--json", text(&dns)], b"");
    assert_eq!(one.code(), Some(0), "{}", one.stderr);
    let id = |line: usize| format!("values:{list}:{line}");
    let expected = BTreeMap::from([
        (key(&id(2), "dns.json.gz", "id.resp_h"), DNS_RESOLVER),
        (key(&id(3), "dns.json.gz", "id.orig_h"), DNS_NETWORK_ORIG),
        (key(&id(3), "dns.json.gz", "id.resp_h"), DNS_NETWORK_RESP),
        (key(&id(4), "dns.json.gz", "query"), DNS_DOMAIN),
        (key(&id(5), "dns.json.gz", "query"), DNS_PARENT),
    ]);
    assert_eq!(counts(&one), expected);

    let mut plain = Vec::new();
    flate2::read::MultiGzDecoder::new(std::fs::File::open(&dns).expect("dns")).read_to_end(&mut plain).expect("gunzip");
    // The first match sits in the first chunk, the last one several chunks later: both
    // point at their text, on their line.
    for line in [one.stdout.lines().next(), one.stdout.lines().last()] {
        let found: Value = serde_json::from_str(line.expect("a match")).expect("JSON");
        let offset = found["offset"].as_u64().expect("offset") as usize;
        let matched = found["matched"].as_str().expect("matched");
        assert_eq!(&plain[offset..offset + matched.len()], matched.as_bytes(), "offset of {found}");
        let newlines = plain[..offset].iter().filter(|b| **b == b'\n').count() as u64;
        assert_eq!(found["line"].as_u64(), Some(newlines + 1), "line of {found}");
    }
    assert!(plain.len() > 4 << 20, "the log spans several chunks");

    let report = summary(&one);
    assert_eq!(report["rules"], 6, "{report}");
    assert_eq!(report["rejected"], 1, "{report}");
    assert_eq!(report["rejected_list"][0]["id"], id(10), "{report}");
    assert_eq!(
        report["matches"]["total"],
        DNS_RESOLVER + DNS_NETWORK_ORIG + DNS_NETWORK_RESP + DNS_DOMAIN + DNS_PARENT,
        "{report}"
    );
    assert_eq!(report["matches"]["indicators_matched"], 4, "{report}");
    assert_eq!(report["threads"], 1, "{report}");
    assert_eq!(report["lines"], 53_615, "{report}");

    let two = matching(temp.path(), &["--values", list, "--threads", "2", text(&dns)], b"");
    assert_eq!(two.code(), Some(0));
    assert!(two.stdout == one.stdout, "--threads 2 prints other matches than --threads 1");
    assert!(two.stderr.contains("match(es)"), "human summary: {}", two.stderr);
}

/// zstd, standard input, and a plain file mapped (the default) or read (`--no-mmap`).
#[test]
fn zstd_files_standard_input_and_plain_files_give_what_gzip_gives() {
    let temp = tempfile::TempDir::new().expect("temp dir");
    let values = values_file(temp.path());
    let dns = zeek("dns");
    let gzip = matching(temp.path(), &["--values", text(&values), text(&dns)], b"");
    assert_eq!(gzip.code(), Some(0), "{}", gzip.stderr);

    let mut plain = Vec::new();
    flate2::read::MultiGzDecoder::new(std::fs::File::open(&dns).expect("dns")).read_to_end(&mut plain).expect("gunzip");
    let zstd_path = temp.path().join("dns.json.zst");
    let mut encoder =
        zstd::stream::write::Encoder::new(std::fs::File::create(&zstd_path).expect("create"), 3).expect("zstd encoder");
    encoder.write_all(&plain).expect("compress");
    encoder.finish().expect("zstd frame");
    let zstd = matching(temp.path(), &["--values", text(&values), text(&zstd_path)], b"");
    let stdin = matching(temp.path(), &["--values", text(&values), "-"], &plain);
    let relabel = |run: &Run, from: &str| run.stdout.replace(&format!("\"file\":{}", json!(from)), "\"file\":\"X\"");
    assert_eq!(zstd.code(), Some(0), "{}", zstd.stderr);
    assert_eq!(stdin.code(), Some(0), "{}", stdin.stderr);
    let expected = relabel(&gzip, text(&dns));
    assert!(relabel(&zstd, text(&zstd_path)) == expected, "zstd input matched differently");
    assert!(relabel(&stdin, "-") == expected, "standard input matched differently");

    let plain_path = temp.path().join("dns.json");
    std::fs::write(&plain_path, &plain).expect("writes the plain log");
    for how in [&[][..], &["--no-mmap"][..]] {
        let run = matching(temp.path(), &[&["--values", text(&values)], how, &[text(&plain_path)]].concat(), b"");
        assert_eq!(run.code(), Some(0), "{how:?}: {}", run.stderr);
        assert!(relabel(&run, text(&plain_path)) == expected, "a plain file {how:?} matched differently");
    }
}

/// A STIX bundle (gzip) of indicators: a certificate fingerprint, a network, an absent
/// domain and one pattern the matcher cannot use.
fn bundle(dir: &Path) -> PathBuf {
    let indicator = |n: u32, pattern: &str| {
        json!({"type": "indicator", "spec_version": "2.1", "id": format!("indicator--00000000-0000-4000-8000-{n:012}"),
            "created": "2026-01-01T00:00:00.000Z", "modified": "2026-01-01T00:00:00.000Z",
            "pattern": pattern, "pattern_type": "stix", "valid_from": "2026-01-01T00:00:00Z"})
    };
    let objects = [
        indicator(1, &format!("[x509-certificate:hashes.'SHA-256' = '{FINGERPRINT}']")),
        indicator(2, "[ipv4-addr:value = '10.10.0.0/16']"),
        indicator(3, "[domain-name:value = 'absent-domain.example']"),
        indicator(4, "[file:name = 'invoice.exe']"),
    ];
    let bundle = json!({"type": "bundle", "id": "bundle--00000000-0000-4000-8000-000000000000", "objects": objects});
    let path = dir.join("indicators.json.gz");
    let mut encoder = flate2::write::GzEncoder::new(std::fs::File::create(&path).expect("create"), Default::default());
    encoder.write_all(bundle.to_string().as_bytes()).expect("gzip");
    encoder.finish().expect("gzip end");
    path
}

fn indicator_id(n: u32) -> String {
    format!("indicator--00000000-0000-4000-8000-{n:012}")
}

#[test]
fn a_bundle_matches_fingerprints_and_networks_and_lists_what_it_cannot_use() {
    let temp = tempfile::TempDir::new().expect("temp dir");
    let bundle = bundle(temp.path());
    let (ssl, x509) = (zeek("ssl"), zeek("x509"));
    let found = matching(temp.path(), &["--bundle", text(&bundle), "--json", text(&ssl), text(&x509)], b"");
    assert_eq!(found.code(), Some(0), "{}", found.stderr);
    let expected = BTreeMap::from([
        (key(&indicator_id(1), "ssl.json.gz", "cert_chain_fps"), SSL_FINGERPRINT),
        (key(&indicator_id(1), "x509.json.gz", "fingerprint"), X509_FINGERPRINT),
        (key(&indicator_id(2), "ssl.json.gz", "id.orig_h"), SSL_NETWORK),
    ]);
    assert_eq!(counts(&found), expected);
    let report = summary(&found);
    assert_eq!(report["rules"], 3, "{report}");
    assert_eq!(report["exclusions"]["unsupported"], 1, "{report}");
    let unsupported = &report["exclusions"]["unsupported_list"][0];
    assert_eq!(unsupported["id"], indicator_id(4), "{report}");
    assert!(unsupported["reason"].as_str().is_some_and(|r| r.contains("file:name")), "{report}");
    assert_eq!(report["inputs"].as_array().map(Vec::len), Some(2), "{report}");

    let stix = matching(temp.path(), &["--bundle", text(&bundle), "--out", "stix", text(&ssl), text(&x509)], b"");
    assert_eq!(stix.code(), Some(0), "{}", stix.stderr);
    let sightings = stix.json();
    assert_eq!(sightings["type"], "bundle");
    let objects = sightings["objects"].as_array().expect("objects");
    assert_eq!(objects.len(), 2, "{sightings}");
    for object in objects {
        entente_core::stix::StixObject::from_json(&object.to_string())
            .unwrap_or_else(|rejection| panic!("invalid sighting {object}: {rejection}"));
    }
    let of = |n: u32| objects.iter().find(|o| o["sighting_of_ref"] == indicator_id(n)).expect("a sighting");
    assert_eq!(of(1)["count"], SSL_FINGERPRINT + X509_FINGERPRINT);
    assert_eq!(of(2)["count"], SSL_NETWORK);
    assert!(of(1)["description"].as_str().is_some_and(|d| d.contains("ssl.json.gz") && d.contains("x509.json.gz")));
    assert!(of(1).get("where_sighted_refs").is_none(), "no node, no place sighted");
}

#[test]
fn exit_status_is_one_without_a_match_and_two_on_errors() {
    let temp = tempfile::TempDir::new().expect("temp dir");
    let absent = temp.path().join("absent.txt");
    std::fs::write(&absent, "203.0.113.77\nabsent-domain.example\n").expect("write");
    let log = temp.path().join("small.log");
    std::fs::write(&log, "a line about 198.51.100.1\nand evil.example\n").expect("write");
    let nothing = matching(temp.path(), &["--values", text(&absent), text(&log)], b"");
    assert_eq!(nothing.code(), Some(1), "{}", nothing.stderr);
    assert!(nothing.stdout.is_empty());

    let missing = matching(temp.path(), &["--values", text(&absent), "no-such.log"], b"");
    assert_eq!(missing.code(), Some(2));
    assert!(missing.stderr.contains("no-such.log"), "{}", missing.stderr);

    let garbage = temp.path().join("garbage.json");
    std::fs::write(&garbage, "{ this is not json").expect("write");
    let unreadable = matching(temp.path(), &["--bundle", text(&garbage), text(&log)], b"");
    assert_eq!(unreadable.code(), Some(2));
    assert!(unreadable.stderr.contains("garbage.json"), "{}", unreadable.stderr);

    let no_node = matching(temp.path(), &[text(&log)], b"");
    assert_eq!(no_node.code(), Some(2));
    assert!(no_node.stderr.contains("entente init") && no_node.stderr.contains("--bundle"), "{}", no_node.stderr);

    let record = matching(temp.path(), &["--values", text(&absent), "--record", text(&log)], b"");
    assert_eq!(record.code(), Some(2));
    assert!(record.stderr.contains("--record stores sightings"), "{}", record.stderr);

    let help = matching(temp.path(), &["--help"], b"");
    for expected in ["Examples", "--values", "--record", "zstd", "Exit status"] {
        assert!(help.stdout.contains(expected), "`match --help` lacks {expected:?}:\n{}", help.stdout);
    }
}

/// An RFC 3339 time `days` from now.
fn days_from_now(days: i64) -> String {
    let at = time::OffsetDateTime::now_utc() + time::Duration::days(days);
    at.format(&time::format_description::well_known::Rfc3339).expect("formats")
}

#[test]
fn the_node_matches_its_fresh_indicators_and_records_sightings() {
    let node = Node::new();
    let warninglists = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/reference/warninglists");
    node.run(&["reference", "load", "warninglists", text(&warninglists)]).assert_success();
    let indicator = |n: u32, pattern: &str, valid_from: &str, valid_until: Option<&str>| {
        let mut object = json!({"type": "indicator", "spec_version": "2.1", "id": indicator_id(n),
            "created": "2024-01-01T00:00:00.000Z", "modified": "2024-01-01T00:00:00.000Z",
            "pattern": pattern, "pattern_type": "stix", "valid_from": valid_from,
            "object_marking_refs": ["marking-definition--bab4a63c-aed9-4cf5-a766-dfca5abac2bb"]});
        if let Some(until) = valid_until {
            object["valid_until"] = json!(until);
        }
        object
    };
    let fresh = days_from_now(-1);
    let objects = [
        indicator(1, "[ipv4-addr:value = '10.10.5.1']", &fresh, None),
        indicator(2, "[domain-name:value = 'snozberry.oompa.loompa']", &fresh, None),
        indicator(3, "[domain-name:value = 'google.com']", &fresh, None),
        indicator(4, "[domain-name:value = 'oompa.loompa']", &days_from_now(-10), Some(&days_from_now(-2))),
        indicator(5, "[ipv4-addr:value = '10.10.0.0/16']", "2024-01-01T00:00:00Z", None),
        indicator(6, "[url:value MATCHES '^http']", &fresh, None),
    ];
    let bundle = json!({"type": "bundle", "id": "bundle--00000000-0000-4000-8000-000000000001", "objects": objects});
    let file = node.scratch().join("node-indicators.json");
    std::fs::write(&file, bundle.to_string()).expect("write");
    node.run(&["intel", "import", text(&file)]).assert_success();

    let dns = zeek("dns");
    let found = node.run(&["match", "--json", text(&dns)]);
    assert_eq!(found.code(), Some(0), "{}", found.stderr);
    let expected = BTreeMap::from([
        (key(&indicator_id(1), "dns.json.gz", "id.resp_h"), DNS_RESOLVER),
        (key(&indicator_id(2), "dns.json.gz", "query"), DNS_DOMAIN),
    ]);
    assert_eq!(counts(&found), expected);
    let report = summary(&found);
    let exclusions = &report["exclusions"];
    assert_eq!(exclusions["warninglisted"], 1, "{report}");
    assert_eq!(exclusions["expired"], 1, "{report}");
    assert_eq!(exclusions["decayed"], 1, "{report}");
    assert_eq!(exclusions["unsupported"], 1, "{report}");
    assert_eq!(exclusions["unsupported_list"][0]["id"], indicator_id(6), "{report}");

    let kept =
        node.run(&["match", "--json", "--out", "none", "--include-warninglisted", "--include-decayed", text(&dns)]);
    assert_eq!(kept.code(), Some(0), "{}", kept.stderr);
    assert!(kept.stdout.is_empty());
    let report = summary(&kept);
    assert_eq!(report["rules"], 5, "{report}");
    assert_eq!(report["exclusions"]["warninglisted"], 0, "{report}");
    assert_eq!(report["exclusions"]["expired"], 0, "{report}");

    let recorded = node.run(&["match", "--json", "--out", "stix", "--record", text(&dns)]);
    assert_eq!(recorded.code(), Some(0), "{}", recorded.stderr);
    let report = summary(&recorded);
    assert_eq!(report["sightings"], 2, "{report}");
    let identity = node.created_str("identity_id");
    let sightings = recorded.json();
    for sighting in sightings["objects"].as_array().expect("objects") {
        assert_eq!(sighting["where_sighted_refs"], json!([identity]), "{sighting}");
        assert_eq!(sighting["created_by_ref"], json!(identity), "{sighting}");
        assert_eq!(
            sighting["object_marking_refs"],
            json!(["marking-definition--bab4a63c-aed9-4cf5-a766-dfca5abac2bb"])
        );
        let id = sighting["id"].as_str().expect("id");
        let shown = node.json(&["intel", "show", id, "--json"]);
        assert_eq!((shown["id"].as_str(), shown["type"].as_str()), (Some(id), Some("sighting")), "{shown}");
    }
    let resolver = sightings["objects"]
        .as_array()
        .and_then(|objects| objects.iter().find(|o| o["sighting_of_ref"] == indicator_id(1)))
        .expect("the resolver's sighting");
    assert_eq!(resolver["count"], DNS_RESOLVER);
    // The earliest and latest `ts` of those records (the same Python: min and max of
    // `r['ts']` over the records whose `id.resp_h` is 10.10.5.1).
    assert_eq!(resolver["first_seen"], "2018-03-24T17:15:43.110276Z", "{resolver}");
    assert_eq!(resolver["last_seen"], "2018-03-24T17:36:26.545880Z", "{resolver}");
    let listed = node.json(&["search", "--type", "sighting", "--json"]);
    assert_eq!(listed.as_array().map(Vec::len), Some(2), "{listed}");
}
