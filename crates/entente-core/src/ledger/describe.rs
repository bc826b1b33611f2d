//! Entries in plain language, for people reading the ledger (`entente audit show`
//! and the web interface's Ledger page): one wording in one place.

use super::EntryKind;

/// What `kind` records, in a sentence; `name` turns a node id into what a reader
/// recognizes (a partner's name and id).
pub fn describe(kind: &EntryKind, name: &dyn Fn(&str) -> String) -> String {
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
