//! `entente audit verify|show`: check the ledger's hash chain; answer "what did we give
//! to whom, under what" and "what did we receive from whom".

use super::relations::resolve;
use crate::cli::AuditCommand;
use crate::datadir::DataDir;
use crate::output::emit;
use entente_core::ledger::{Entry, describe};
use entente_store::{LedgerQuery, Store};
use serde::Serialize;
use std::collections::HashMap;
use std::process::ExitCode;

pub fn run(dir: &DataDir, command: AuditCommand) -> anyhow::Result<ExitCode> {
    let store = dir.open_store()?;
    match command {
        AuditCommand::Verify { expect_head, json } => verify_ledger(&store, expect_head.as_deref(), json),
        AuditCommand::Show { partner, object, kind, after, limit, json } => {
            let counterpart = partner.map(|given| resolve(&store, &given).map(|id| id.to_string())).transpose()?;
            let query = LedgerQuery { counterpart, subject: object, kinds: kind, after, limit };
            show(&store, &query, json).map(|()| ExitCode::SUCCESS)
        }
    }
}

#[derive(Serialize)]
struct Verdict {
    verified: bool,
    entries: u64,
    head: Option<String>,
    problem: Option<String>,
}

fn verify_ledger(store: &Store, expect_head: Option<&str>, json: bool) -> anyhow::Result<ExitCode> {
    let check = store.verify_ledger()?;
    let verdict = match check.outcome {
        Ok(head) => {
            let problem = expect_head
                .filter(|expected| *expected != head)
                .map(|expected| format!("the head is {head}, not the expected {expected}: entries were cut or added"));
            Verdict { verified: problem.is_none(), entries: check.entries, head: Some(head), problem }
        }
        Err(problem) => Verdict { verified: false, entries: check.entries, head: None, problem: Some(problem) },
    };
    emit(json, &verdict, |verdict| match (&verdict.problem, &verdict.head) {
        (None, Some(head)) => format!(
            "The ledger verifies: {} entries, head {head}.\nKeep the head: a later `entente audit verify --expect-head` \
             at the same length proves nothing was changed or cut.",
            verdict.entries
        ),
        (Some(problem), _) => format!("THE LEDGER DOES NOT VERIFY: {problem}"),
        (None, None) => String::new(),
    })?;
    Ok(if verdict.verified { ExitCode::SUCCESS } else { ExitCode::FAILURE })
}

#[derive(Serialize)]
struct Shown {
    sequence: u64,
    at: String,
    #[serde(flatten)]
    event: serde_json::Value,
    hash: String,
}

fn show(store: &Store, query: &LedgerQuery, json: bool) -> anyhow::Result<()> {
    let names: HashMap<String, String> =
        store.partners()?.into_iter().map(|partner| (partner.node_id, partner.name)).collect();
    let name = |id: &str| names.get(id).map_or_else(|| id.to_owned(), |name| format!("{name} ({id})"));
    let mut shown = Vec::new();
    let mut lines = Vec::new();
    for row in store.ledger_rows(query)? {
        let value: serde_json::Value = serde_json::from_str(&row.entry)?;
        let entry = Entry::from_value(&value).map_err(|error| anyhow::anyhow!("entry {}: {error}", row.sequence))?;
        lines.push(format!("#{} {} {}", entry.sequence, entry.at, describe(&entry.kind, &name)));
        shown.push(Shown {
            sequence: entry.sequence,
            at: entry.at.to_string(),
            event: value.get("event").cloned().unwrap_or_default(),
            hash: entry.hash.to_string(),
        });
    }
    emit(json, &shown, |_| if lines.is_empty() { "No ledger entries match.".into() } else { lines.join("\n") })
}
