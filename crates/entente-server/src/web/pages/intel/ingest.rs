//! Importing a file of intelligence from the browser: a STIX bundle (or any JSON
//! holding STIX objects) or a MISP event export, the two formats `entente intel
//! import` reads, through the same steps: MISP is recognised by its head and
//! converted by `entente_core::misp`, every object is validated by
//! [`StixObject::from_json`], and valid ones are stored by [`Store::add_objects`]
//! (as TAXII's add does) in the target collection.
//!
//! Unlike the command line, which keeps what it read before a syntax error in a file
//! of any size, an upload is bounded by the server's body limit and is read whole
//! first: a file that is not well-formed stores nothing, so the analyst can fix it and
//! send it again without duplicates to explain.

use crate::clock::now_micros;
use crate::error::ApiError;
use entente_core::misp::{event_to_valid_stix, looks_like_misp, parse_events};
use entente_core::stix::StixObject;
use entente_core::stix::stream::read_objects;
use entente_store::{AddOutcome, Store};
use serde::Serialize;

/// Objects stored per transaction, as the command line does.
const BATCH: usize = 10_000;
/// Rejections listed one by one; the rest are counted.
const SHOWN: usize = 50;

/// What an import did.
#[derive(Debug, Default, Serialize)]
pub(super) struct Outcome {
    pub(super) format: &'static str,
    pub(super) collection: String,
    pub(super) added: u64,
    pub(super) already_present: u64,
    pub(super) rejected: u64,
    /// The first rejections, each naming the object and the reason.
    pub(super) rejections: Vec<String>,
    /// Set when the file could not be read at all: nothing was stored.
    pub(super) error: Option<String>,
}

impl Outcome {
    fn reject(&mut self, reason: String) {
        self.rejected += 1;
        if self.rejections.len() < SHOWN {
            self.rejections.push(reason);
        }
    }

    fn failed(format: &'static str, collection: &str, error: String) -> Outcome {
        Outcome { format, collection: collection.to_owned(), error: Some(error), ..Outcome::default() }
    }
}

/// Imports `bytes` into `collection` (which the caller may write).
pub(super) fn import(store: &Store, collection: &str, bytes: &[u8]) -> Result<Outcome, ApiError> {
    let text = match std::str::from_utf8(bytes) {
        Ok(text) if !text.trim().is_empty() => text,
        Ok(_) => return Ok(Outcome::failed("none", collection, "the file is empty".to_owned())),
        Err(error) => return Ok(Outcome::failed("none", collection, format!("the file is not UTF-8 text: {error}"))),
    };
    let misp = looks_like_misp(bytes);
    let mut outcome = Outcome { format: if misp { "MISP" } else { "STIX" }, ..Outcome::default() };
    outcome.collection = collection.to_owned();
    let mut valid = Vec::new();
    if misp {
        let events = match parse_events(text) {
            Ok(events) => events,
            Err(error) => return Ok(Outcome::failed("MISP", collection, format!("not a MISP export: {error}"))),
        };
        for event in &events {
            match event_to_valid_stix(event) {
                Ok((objects, rejected)) => {
                    valid.extend(objects);
                    rejected.into_iter().for_each(|reason| outcome.reject(reason));
                }
                Err(reason) => outcome.reject(reason),
            }
        }
    } else {
        let read = read_objects(bytes, &mut |raw| {
            match StixObject::from_json(raw.get()) {
                Ok(object) => valid.push(object),
                Err(rejection) => outcome.reject(rejection.to_string()),
            }
            Ok(())
        });
        if let Err(error) = read {
            return Ok(Outcome::failed("STIX", collection, format!("the file is not well-formed: {error}")));
        }
    }
    for batch in valid.chunks(BATCH) {
        let outcomes = store.add_objects(collection, batch, now_micros())?;
        for (object, result) in batch.iter().zip(outcomes) {
            match result {
                AddOutcome::Added { .. } => outcome.added += 1,
                AddOutcome::AlreadyPresent { .. } => outcome.already_present += 1,
                AddOutcome::Conflict { reason, .. } => outcome.reject(format!("{}: {reason}", object.id())),
            }
        }
    }
    Ok(outcome)
}
