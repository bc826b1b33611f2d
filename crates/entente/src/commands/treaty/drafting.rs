//! `entente treaty template` and `entente treaty next`: texts for the operator to
//! edit and send.
//!
//! The template keeps its comments when filled in (parties, a fresh id, today's
//! date), because the operator still has to read and edit it; `relations propose`
//! removes them again. `next` builds the following version with the core's
//! `Treaty::counter`, so version, supersedes and proposed_by are right by construction.

use crate::commands::relations::{Session, now, resolve};
use crate::datadir::DataDir;
use anyhow::{Context, anyhow, bail};
use entente_core::treaty::{PLACEHOLDER_PARTIES, PLACEHOLDER_TREATY_ID, Treaty, parse_template, template_text};

pub(super) fn template(dir: &DataDir, with: &[String], json: bool) -> anyhow::Result<()> {
    let text = if with.is_empty() { template_text().to_owned() } else { filled_template(dir, with)? };
    if json {
        let treaty = parse_template(&text)?;
        println!("{}", serde_json::to_string_pretty(&treaty.to_value())?);
    } else {
        print!("{text}");
    }
    Ok(())
}

/// The template with this node as proposer, the partners as the other parties, a
/// fresh treaty id and today as its creation time. The comments stay.
fn filled_template(dir: &DataDir, with: &[String]) -> anyhow::Result<String> {
    let store = dir.open_store()?;
    let us = store.node_settings()?.identity_id;
    let mut partners: Vec<String> = Vec::new();
    for given in with {
        let partner = resolve(&store, given)?.to_string();
        if partner == us || partners.contains(&partner) {
            bail!("{given} is named twice among the parties (this node is always one of them)");
        }
        partners.push(partner);
    }
    let listed: Vec<String> = partners.iter().map(|partner| format!("\"{partner}\"")).collect();
    let text = template_text()
        .replace(&format!("\"{}\"", PLACEHOLDER_PARTIES[1]), &listed.join(",\n    "))
        .replace(PLACEHOLDER_PARTIES[0], &us)
        .replace(PLACEHOLDER_TREATY_ID, &format!("treaty--{}", uuid::Uuid::new_v4()))
        .replace("\"created\": \"2026-01-01T00:00:00Z\"", &format!("\"created\": \"{}\"", now()));
    parse_template(&text).context("the filled-in template is not a valid treaty (a bug; please report it)")?;
    Ok(text)
}

/// The next version of what is negotiated with a partner, ready to edit.
pub(super) fn next(dir: &DataDir, given: &str, json: bool) -> anyhow::Result<()> {
    let session = Session::open_default(dir)?;
    let node = resolve(&session.store, given)?;
    let relation = session.diplomat.relation(&node, now()).map_err(|error| anyhow!("{error}"))?;
    let (base, answer) = match (&relation.draft, &relation.treaty_in_force) {
        (Some(draft), _) => (draft, "counter"),
        (None, Some(in_force)) => (in_force, "amend"),
        (None, None) => bail!(
            "nothing is negotiated with {given} (state {}); start with `entente treaty template --with {given}`",
            relation.state
        ),
    };
    let record = session.store.treaty(base)?.with_context(|| format!("the text {base} is missing from the store"))?;
    let base = Treaty::parse(&serde_json::from_str(&record.json)?)?;
    let next = base.counter(session.diplomat.identity().node_id(), now(), base.body())?;
    let text = serde_json::to_string_pretty(&next.to_value())?;
    if json {
        println!("{text}");
    } else {
        println!(
            "// Version {} of \"{}\",\n\
             // answering {}.\n\
             // Edit what you want changed; keep id, version and supersedes. Then send it:\n\
             //   entente relations {answer} {given} --treaty FILE\n{text}",
            next.version(),
            next.body().title,
            base.hash()
        );
    }
    Ok(())
}
