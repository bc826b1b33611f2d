//! `entente audit verify|show`: check the ledger's hash chain; answer "what did we give
//! to whom, under what" and "what did we receive from whom".

use super::relations::resolve;
use crate::cli::AuditCommand;
use crate::datadir::DataDir;
use crate::output::emit;
use entente_core::ledger::{Entry, EntryKind, verify};
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
    let mut entries = Vec::new();
    let mut unreadable = None;
    store.for_each_ledger_row(|row| {
        let parsed = serde_json::from_str(&row.entry)
            .map_err(|error| error.to_string())
            .and_then(|value| Entry::from_value(&value).map_err(|error| error.to_string()));
        match parsed {
            Ok(entry) => {
                entries.push(entry);
                true
            }
            Err(error) => {
                unreadable = Some(format!("entry {} cannot be read: {error}", row.sequence));
                false
            }
        }
    })?;
    let outcome = match unreadable {
        Some(problem) => Err(problem),
        None => verify(&entries).map_err(|error| error.to_string()),
    };
    let verdict = match outcome {
        Ok(verified) => {
            let head = verified.head().to_string();
            let problem = expect_head
                .filter(|expected| *expected != head)
                .map(|expected| format!("the head is {head}, not the expected {expected}: entries were cut or added"));
            Verdict { verified: problem.is_none(), entries: verified.len(), head: Some(head), problem }
        }
        Err(problem) => Verdict { verified: false, entries: entries.len() as u64, head: None, problem: Some(problem) },
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

fn describe(kind: &EntryKind, name: &dyn Fn(&str) -> String) -> String {
    match kind {
        EntryKind::Release { object, version, recipient, treaty, obligations, .. } => format!(
            "released {object} (version {version}) to {} under {treaty}{}",
            name(recipient.as_str()),
            if obligations.is_empty() { String::new() } else { format!(" [{}]", obligations.join(", ")) }
        ),
        EntryKind::Receive { object, version, from, treaty, .. } => {
            format!("received {object} (version {version}) from {} under {treaty}", name(from.as_str()))
        }
        EntryKind::Receipt(receipt) => format!(
            "receipt signed by {} for page {} (key {})",
            name(receipt.recipient.as_str()),
            receipt.object_hash,
            receipt.key_id
        ),
        EntryKind::Revoked { object, reason } => format!("revoked {object} (tombstone to every holder): {reason}"),
        EntryKind::Recalled { object, from, reason } => {
            format!("recalled {object} from {}: {reason}", name(from.as_str()))
        }
        EntryKind::Removed { object, issuer, from, removed } => format!(
            "removed {removed} version(s) of {object}: tombstone by {} received from {}",
            name(issuer.as_str()),
            name(from.as_str())
        ),
        EntryKind::TreatyEnded { treaty, with, disposition } => format!(
            "the treaty {treaty} with {} ended: each side must {disposition} what it received under it",
            name(with.as_str())
        ),
        EntryKind::Purged { treaty, from, removed, retained } => format!(
            "purged {removed} object version(s) received from {} under {treaty}; kept {retained} also held otherwise",
            name(from.as_str())
        ),
        EntryKind::NoteSent { note, to, .. } => format!("sent note {note} to {}", name(to.as_str())),
        EntryKind::NoteReceived { note, from, .. } => format!("received note {note} from {}", name(from.as_str())),
    }
}
