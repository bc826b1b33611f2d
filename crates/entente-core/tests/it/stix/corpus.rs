//! Real STIX 2.1 content must validate: every object of the three MITRE ATT&CK bundles
//! and of the OASIS example files in the shared data directory.
//!
//! Objects are handed to [`StixObject::from_json`] as their exact text (raw JSON slices
//! of the bundle), so the test exercises the same path as a TAXII upload.

use entente_core::stix::StixObject;
use serde_json::value::RawValue;
use std::collections::BTreeMap;
use std::io::Read as _;
use std::time::{Duration, Instant};

const DATA: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../../shared/data");

#[derive(serde::Deserialize)]
struct Bundle<'a> {
    #[serde(borrow)]
    objects: Vec<&'a RawValue>,
}

fn read_gzip(path: &str) -> String {
    let file = std::fs::File::open(path).unwrap_or_else(|error| panic!("cannot open {path}: {error}"));
    let mut text = String::new();
    flate2::read::GzDecoder::new(file).read_to_string(&mut text).unwrap_or_else(|error| panic!("{path}: {error}"));
    text
}

/// The texts of the objects in a bundle, or the text itself for a lone object.
fn object_texts(text: &str) -> Vec<&str> {
    match serde_json::from_str::<Bundle<'_>>(text) {
        Ok(bundle) => bundle.objects.into_iter().map(RawValue::get).collect(),
        Err(_) => vec![text],
    }
}

/// Validates every object of one file; returns how many and how long it took.
fn validate_file(path: &str, text: &str, failures: &mut Vec<String>) -> (usize, Duration) {
    let texts = object_texts(text);
    let started = Instant::now();
    let mut warnings = BTreeMap::new();
    for object in &texts {
        match StixObject::from_json(object) {
            Ok(object) => {
                object.warnings().iter().for_each(|issue| *warnings.entry(issue.message.clone()).or_insert(0) += 1)
            }
            Err(rejection) => failures.push(format!("{path}: {rejection}")),
        }
    }
    let elapsed = started.elapsed();
    for (message, count) in warnings.iter().take(5) {
        println!("{path}: {count} × warning {message:?}");
    }
    (texts.len(), elapsed)
}

#[test]
fn attack_and_oasis_examples_validate() {
    let mut failures = Vec::new();
    let mut total = 0;
    for name in ["enterprise-attack", "ics-attack-18.1", "mobile-attack-17.1"] {
        let path = format!("{DATA}/attack/{name}.json.gz");
        let text = read_gzip(&path);
        let (count, elapsed) = validate_file(&path, &text, &mut failures);
        println!("{name}: {count} objects validated in {elapsed:?}");
        total += count;
    }
    let mut examples: Vec<_> = std::fs::read_dir(format!("{DATA}/stix-examples"))
        .expect("examples directory")
        .map(|entry| entry.expect("directory entry").path())
        .filter(|path| path.extension().is_some_and(|extension| extension == "json"))
        .collect();
    examples.sort();
    for path in &examples {
        let text = std::fs::read_to_string(path).expect("readable example");
        total += validate_file(&path.display().to_string(), &text, &mut failures).0;
    }
    assert!(total > 28_000, "expected the whole corpus, saw {total} objects");
    let shown: Vec<&String> = failures.iter().take(20).collect();
    assert!(failures.is_empty(), "{} of {total} objects refused; first ones:\n{shown:#?}", failures.len());
}
