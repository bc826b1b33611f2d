//! `entente intel correlate`: who else knows this. The operator at the console sees
//! every collection and every source; the server's API filters for its callers.

use crate::output::emit;
use anyhow::{Context, bail};
use entente_core::StixId;
use entente_core::correlate::Observable;
use entente_store::{CorrelatedValue, Store};
use serde::Serialize;

#[derive(Serialize)]
struct Holder {
    id: String,
    r#type: String,
    collection: String,
    originator: Option<String>,
    received_from: Option<String>,
}

#[derive(Serialize)]
struct Related {
    kind: &'static str,
    value: String,
    link: &'static str,
    over_correlated: bool,
    indexed: i64,
    /// Every holder's originator, or `local` for objects added here and never sealed.
    sources: std::collections::BTreeSet<String>,
    objects: Vec<Holder>,
}

#[derive(Serialize)]
struct Asked {
    kind: &'static str,
    value: String,
    correlations: Vec<Related>,
}

#[derive(Serialize)]
struct Answer {
    object: Option<String>,
    values: Vec<Asked>,
}

pub fn run(store: &Store, target: Option<&str>, reindex: bool, cap: Option<i64>, json: bool) -> anyhow::Result<()> {
    if let Some(cap) = cap {
        store.set_correlation_cap(cap).context("setting the correlation cap")?;
        if !json {
            eprintln!("correlation cap set to {cap}");
        }
    }
    if reindex {
        let read = store.reindex_correlations().context("indexing stored objects")?;
        if !json {
            eprintln!("indexed {read} stored object versions that had no correlation entries");
        }
    }
    let Some(target) = target else { return Ok(()) };
    let (object, observables) = match StixId::parse(target) {
        Ok(id) => {
            let values = store.correlation_values_of(id.as_str())?;
            if values.is_empty() && !store.holds(id.as_str())? {
                bail!("no object {id} is stored here: check the id (`entente intel export` writes every object held)");
            }
            (Some(id.as_str().to_owned()), values)
        }
        Err(_) => {
            let observable = Observable::guess(target).with_context(|| {
                format!(
                    "{target:?} is neither an object id (type--uuid) nor a value: give an IP, CIDR, domain, URL, \
                     e-mail address or a hash (algorithm:hex, or bare hex)"
                )
            })?;
            (None, vec![observable])
        }
    };
    let exclude = object.as_deref();
    let mut values = Vec::new();
    for observable in observables {
        let correlations = store.correlate(&observable, exclude)?.into_iter().map(related).collect();
        values.push(Asked { kind: observable.kind().name(), value: observable.value().to_owned(), correlations });
    }
    emit(json, &Answer { object, values }, human)
}

fn related(found: CorrelatedValue) -> Related {
    let mut seen = std::collections::BTreeSet::new();
    let objects: Vec<Holder> = found
        .objects
        .into_iter()
        .filter(|object| seen.insert(object.row.id.clone()))
        .map(|object| Holder {
            id: object.row.id,
            r#type: object.object_type,
            collection: object.collection_id,
            originator: object.originator,
            received_from: object.received_from,
        })
        .collect();
    let sources =
        objects.iter().map(|holder| holder.originator.clone().unwrap_or_else(|| "local".to_owned())).collect();
    Related {
        sources,
        kind: found.observable.kind().name(),
        value: found.observable.value().to_owned(),
        link: found.link.name(),
        over_correlated: found.over_correlated,
        indexed: found.indexed,
        objects,
    }
}

fn human(answer: &Answer) -> String {
    let mut lines = Vec::new();
    if answer.values.is_empty() {
        lines.push("this object carries no value that correlates (IP, domain, URL, e-mail, hash)".to_owned());
    }
    for asked in &answer.values {
        lines.push(format!("{} {}", asked.kind, asked.value));
        if asked.correlations.is_empty() {
            lines.push("  no other object holds it".to_owned());
        }
        for related in &asked.correlations {
            if related.over_correlated {
                lines.push(format!(
                    "  {} {}: over-correlated (held by {}+ objects), not listed",
                    related.link, related.value, related.indexed
                ));
                continue;
            }
            let sources: Vec<&str> = related.sources.iter().map(String::as_str).collect();
            lines.push(format!("  {} {} (known by {}):", related.link, related.value, sources.join(", ")));
            for holder in &related.objects {
                let source = match (&holder.originator, &holder.received_from) {
                    (_, Some(partner)) => format!("received from {partner}"),
                    (Some(originator), None) => format!("originated by {originator}"),
                    (None, None) => "added here".to_owned(),
                };
                lines.push(format!("    {} in {} ({source})", holder.id, holder.collection));
            }
        }
    }
    lines.join("\n")
}
