//! `entente relations list` and `entente relations show NODE`: where relations stand
//! and the signed notes that brought them there.
//!
//! The relation state is never stored: the Diplomat replays the recorded notes, so what
//! these commands print is exactly what the signed history says.

use super::{Session, now, resolve};
use crate::datadir::DataDir;
use crate::output::{emit, when};
use anyhow::anyhow;
use entente_core::note::{NoteBody, Reason, read_recorded};
use entente_core::treaty::Treaty;
use entente_server::federation::RelationView;
use entente_store::{Direction, Store};
use serde::Serialize;

/// A relation and how many of our notes still wait for delivery.
#[derive(Serialize)]
struct Listed {
    #[serde(flatten)]
    relation: RelationView,
    awaiting_delivery: u64,
}

fn awaiting_delivery(store: &Store, partner: &str) -> anyhow::Result<u64> {
    Ok(store.pending_outbox()?.into_iter().find(|(node, _)| node == partner).map_or(0, |(_, count)| count))
}

pub(super) fn list(dir: &DataDir, json: bool) -> anyhow::Result<()> {
    let session = Session::open_default(dir)?;
    let relations = session.diplomat.relations(now()).map_err(|error| anyhow!("{error}"))?;
    let pending = session.store.pending_outbox()?;
    let listed: Vec<Listed> = relations
        .into_iter()
        .map(|relation| {
            let awaiting_delivery =
                pending.iter().find(|(node, _)| *node == relation.partner.node_id).map_or(0, |(_, count)| *count);
            Listed { relation, awaiting_delivery }
        })
        .collect();
    emit(json, &listed, |listed| {
        if listed.is_empty() {
            return "No partners yet; make contact with `entente relations contact URL`.".to_owned();
        }
        let mut lines =
            vec![format!("{:<24} {:<46} {:<12} {:<10} {:<8} NEXT", "NAME", "NODE ID", "STATE", "TREATY", "OUTBOX")];
        for item in listed {
            let relation = &item.relation;
            lines.push(format!(
                "{:<24} {:<46} {:<12} {:<10} {:<8} {}",
                relation.partner.name,
                relation.partner.node_id,
                relation.state,
                relation.treaty_in_force.as_deref().map_or("-".to_owned(), short_hash),
                item.awaiting_delivery,
                relation.allowed_moves.join(", "),
            ));
        }
        lines.join("\n")
    })
}

/// `sha256:` and the first 8 hex digits, enough to tell treaties apart in a table.
fn short_hash(hash: &str) -> String {
    hash.strip_prefix("sha256:").map_or_else(|| hash.to_owned(), |digits| digits.chars().take(8).collect())
}

/// One note of the history.
#[derive(Serialize)]
struct NoteLine {
    id: String,
    direction: Direction,
    kind: String,
    created: String,
    in_reply_to: Option<String>,
    sender: String,
    recipient: String,
    recorded_at: String,
    /// What the note said, in a few words (its treaty, reason or effective date).
    detail: String,
    /// The signed note, exactly as sent or received.
    signed: serde_json::Value,
}

#[derive(Serialize)]
struct Shown {
    relation: RelationView,
    treaty_in_force_title: Option<String>,
    draft_title: Option<String>,
    awaiting_delivery: u64,
    notes: Vec<NoteLine>,
}

fn title_of(store: &Store, hash: Option<&str>) -> anyhow::Result<Option<String>> {
    let Some(hash) = hash else { return Ok(None) };
    let Some(record) = store.treaty(hash)? else { return Ok(None) };
    let value: serde_json::Value = serde_json::from_str(&record.json)?;
    Ok(value.get("title").and_then(|title| title.as_str()).map(|title| format!("{title} (version {})", record.version)))
}

pub(super) fn show(dir: &DataDir, given: &str, json: bool) -> anyhow::Result<()> {
    let session = Session::open_default(dir)?;
    let node = resolve(&session.store, given)?;
    let relation = session.diplomat.relation(&node, now()).map_err(|error| anyhow!("{error}"))?;
    let notes = session
        .store
        .notes_with(node.as_str())?
        .into_iter()
        .map(|note| NoteLine {
            detail: detail(&note.json),
            signed: serde_json::from_str(&note.json).unwrap_or(serde_json::Value::String(note.json)),
            id: note.id,
            direction: note.direction,
            kind: note.kind,
            created: note.created,
            in_reply_to: note.in_reply_to,
            sender: note.sender,
            recipient: note.recipient,
            recorded_at: when(note.recorded_at),
        })
        .collect();
    let shown = Shown {
        treaty_in_force_title: title_of(&session.store, relation.treaty_in_force.as_deref())?,
        draft_title: title_of(&session.store, relation.draft.as_deref())?,
        awaiting_delivery: awaiting_delivery(&session.store, node.as_str())?,
        relation,
        notes,
    };
    emit(json, &shown, render)
}

fn render(shown: &Shown) -> String {
    let partner = &shown.relation.partner;
    let country = partner.country.as_deref().map(|code| format!(", {code}")).unwrap_or_default();
    let mut text = format!(
        "{} ({}{country})\n  node id:     {}\n  fingerprint: {}\n  notes go to: {}\n\n{}",
        partner.name,
        partner.kind,
        partner.node_id,
        partner.fingerprint,
        partner.federation_url,
        summary(&shown.relation)
    );
    for (label, title) in [("In force", &shown.treaty_in_force_title), ("Draft", &shown.draft_title)] {
        if let Some(title) = title {
            text.push_str(&format!("\n{label}: {title}"));
        }
    }
    text.push_str(&format!(
        "\nAwaiting delivery: {} note(s) (the running `entente serve` delivers them)\n\nNotes ({}):",
        shown.awaiting_delivery,
        shown.notes.len()
    ));
    if shown.notes.is_empty() {
        text.push_str("\n  none yet");
    } else {
        text.push_str(&format!(
            "\n  {:<30} {:<9} {:<10} {:<42} IN REPLY TO",
            "CREATED", "DIRECTION", "KIND", "NOTE ID"
        ));
    }
    for note in &shown.notes {
        let direction = match note.direction {
            Direction::Sent => "sent",
            Direction::Received => "received",
        };
        text.push_str(&format!(
            "\n  {:<30} {:<9} {:<10} {:<42} {}",
            note.created,
            direction,
            note.kind,
            note.id,
            note.in_reply_to.as_deref().unwrap_or("-")
        ));
        if !note.detail.is_empty() {
            text.push_str(&format!("\n      {}", note.detail));
        }
    }
    text
}

/// What a recorded note said, in a few words.
fn detail(json: &str) -> String {
    let Ok(note) = read_recorded(json) else {
        return "(unreadable)".to_owned();
    };
    let treaty = |value: &serde_json::Value| match Treaty::parse(value) {
        Ok(treaty) => format!("treaty {} (version {})", treaty.hash(), treaty.version()),
        Err(_) => "a treaty that does not parse".to_owned(),
    };
    let reason = |reason: &Option<Reason>| reason.as_ref().map(|reason| format!("reason: {:?}", reason.as_str()));
    let parts: Vec<String> = match note.body() {
        NoteBody::Recognize { card } => {
            vec![format!("card of {}, fingerprint {}", card.card().name.as_str(), card.fingerprint())]
        }
        NoteBody::Propose { treaty: text } | NoteBody::Counter { treaty: text } | NoteBody::Amend { treaty: text } => {
            vec![treaty(text)]
        }
        NoteBody::Accept { treaty_hash } | NoteBody::Withdraw { treaty_hash } => vec![format!("treaty {treaty_hash}")],
        NoteBody::Sign { treaty_hash, signature, forwarded } => {
            let mut parts =
                vec![format!("treaty {treaty_hash}, signed by {} with {}", signature.party, signature.key_id)];
            if !forwarded.is_empty() {
                let parties: Vec<&str> = forwarded.iter().map(|forwarded| forwarded.party.as_str()).collect();
                parts.push(format!("forwarding the signatures of {}", parties.join(", ")));
            }
            parts
        }
        NoteBody::Reject { treaty_hash, reason: given } => {
            [Some(format!("treaty {treaty_hash}")), reason(given)].into_iter().flatten().collect()
        }
        NoteBody::Suspend { reason: given } => reason(given).into_iter().collect(),
        NoteBody::Resume => Vec::new(),
        NoteBody::Terminate { reason: given, effective } => {
            [Some(format!("effective {effective}")), reason(given)].into_iter().flatten().collect()
        }
        NoteBody::RotateKey { new_key, old_key_valid_until } => {
            vec![format!("new key {}, old key valid until {old_key_valid_until}", new_key.key_id())]
        }
        NoteBody::AllianceAct { act, .. } => {
            let field = |name: &str| act.get(name).and_then(serde_json::Value::as_str).unwrap_or("?").to_owned();
            vec![format!("{} by {} in alliance {}", field("type"), field("by"), field("alliance"))]
        }
    };
    parts.join("; ")
}

/// The relation in a few lines: state, recognition, treaties and what we may do next.
pub(super) fn summary(relation: &RelationView) -> String {
    let name = &relation.partner.name;
    let yes_no = |flag: bool| if flag { "yes" } else { "not yet" };
    let mut lines = vec![
        format!("State: {}", relation.state),
        format!(
            "Recognized: by us {}, by {name} {}",
            yes_no(relation.recognized_by_us),
            yes_no(relation.recognized_by_partner)
        ),
        format!("Treaty in force: {}", relation.treaty_in_force.as_deref().unwrap_or("none")),
    ];
    if let Some(effective) = &relation.termination_effective {
        lines.push(format!("Notice of termination given: the relation ends on {effective}"));
    }
    if let Some(draft) = &relation.draft {
        let accepted = if relation.draft_accepted { "accepted, to be signed" } else { "not accepted yet" };
        lines.push(format!("Draft: {draft} ({accepted}); read it with `entente treaty show {draft}`"));
    }
    let moves = if relation.allowed_moves.is_empty() {
        "none (waiting for the partner)".to_owned()
    } else {
        relation.allowed_moves.join(", ")
    };
    lines.push(format!("Moves open to us: {moves}"));
    lines.join("\n")
}
