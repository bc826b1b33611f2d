//! A partner's page: the relation's state, the treaty in force in plain language,
//! the text under negotiation, the whole signed note history as a timeline, and the
//! moves the relation allows now, as forms.

use super::terms::{Names, Term, treaty_terms};
use super::{envoy_diplomat, names};
use crate::api::relations::partner_id;
use crate::blocking::blocking;
use crate::error::ApiError;
use crate::federation::inbound::refusal;
use crate::federation::{Diplomat, RelationView};
use crate::state::AppState;
use crate::web::render::{Chrome, PageError, page};
use crate::web::session::Viewer;
use askama::Template;
use axum::extract::{Path, State};
use axum::response::Response;
use entente_core::StixId;
use entente_core::canonical::to_canonical_bytes;
use entente_core::note::{Note, NoteBody, read_recorded};
use entente_core::treaty::Treaty;
use entente_store::{Direction, NoteRecord};

/// One note of the history, as the timeline shows it.
#[derive(Debug, Clone)]
pub(crate) struct Entry {
    pub(crate) id: String,
    pub(crate) sent: bool,
    pub(crate) sender: String,
    pub(crate) kind: String,
    pub(crate) created: String,
    pub(crate) in_reply_to: Option<String>,
    /// What the note said beyond its kind: a treaty's title and version, a reason…
    pub(crate) detail: String,
    /// Whether its signature verifies now with the key it names (ours, or a key of
    /// the partner's this node pinned).
    pub(crate) verified: bool,
}

/// A treaty version seen in the history, for the diff's choice.
#[derive(Debug, Clone)]
pub(crate) struct Version {
    pub(crate) hash: String,
    pub(crate) label: String,
}

/// A treaty text shown on the page.
#[derive(Debug, Clone)]
pub(crate) struct Text {
    pub(crate) hash: String,
    pub(crate) terms: Vec<Term>,
}

#[derive(Template)]
#[template(path = "partner.html")]
struct PartnerPage {
    chrome: Chrome,
    relation: RelationView,
    in_force: Option<Text>,
    draft: Option<Text>,
    timeline: Vec<Entry>,
    versions: Vec<Version>,
}

impl PartnerPage {
    fn allows(&self, step: &str) -> bool {
        self.relation.allowed_moves.iter().any(|allowed| allowed == step)
    }

    /// The moves made with one button, among those allowed now.
    fn plain_moves(&self) -> Vec<&'static str> {
        ["accept", "sign", "withdraw"].into_iter().filter(|step| self.allows(step)).collect()
    }

    /// The moves whose consequences a confirmation page spells out first.
    /// Each with its button's class.
    fn grave_moves(&self) -> Vec<(&'static str, &'static str)> {
        [("suspend", "secondary"), ("resume", "secondary"), ("terminate", "danger")]
            .into_iter()
            .filter(|(step, _)| self.allows(step))
            .collect()
    }

    /// The draft link's words, after the move the draft page will make.
    fn draft_label(&self) -> &'static str {
        if self.allows("counter") && self.relation.draft.is_some() {
            "Counter-propose…"
        } else if self.allows("amend") && self.relation.treaty_in_force.is_some() {
            "Amend the treaty…"
        } else {
            "Draft a treaty proposal…"
        }
    }

    fn may_draft(&self) -> bool {
        ["propose", "counter", "amend"].iter().any(|step| self.allows(step))
    }
}

/// The partner named by a path segment: 400 when it is no node id, 404 when this
/// node has no relation with it.
pub(crate) fn partner_of(text: &str) -> Result<StixId, PageError> {
    Ok(partner_id(text)?)
}

pub(crate) async fn show(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(node): Path<String>,
) -> Result<Response, PageError> {
    let diplomat = envoy_diplomat(&state, &viewer)?;
    let partner = partner_of(&node)?;
    let names = names(&state, &diplomat)?;
    let page_data = blocking(move || {
        let now = crate::clock::now();
        let relation = diplomat.relation(&partner, now).map_err(|error| refusal(&error))?;
        let records = diplomat.store().notes_with(partner.as_str())?;
        let (timeline, versions) = history(&diplomat, &records, &names)?;
        let text = |hash: &Option<String>| -> Result<Option<Text>, ApiError> {
            let Some(hash) = hash else { return Ok(None) };
            Ok(Some(Text { hash: hash.clone(), terms: treaty_terms(&stored_treaty(&diplomat, hash)?, &names) }))
        };
        let in_force = text(&relation.treaty_in_force)?;
        let draft = text(&relation.draft.clone().filter(|hash| relation.treaty_in_force.as_ref() != Some(hash)))?;
        Ok((relation, in_force, draft, timeline, versions))
    })
    .await?;
    let (relation, in_force, draft, timeline, versions) = page_data;
    let template =
        PartnerPage { chrome: Chrome::new(&viewer, "/ui/partners"), relation, in_force, draft, timeline, versions };
    Ok(page(&template))
}

/// A treaty version this node holds, parsed.
pub(crate) fn stored_treaty(diplomat: &Diplomat, hash: &str) -> Result<Treaty, ApiError> {
    let record = diplomat.store().treaty(hash)?.ok_or_else(|| {
        ApiError::not_found(format!("treaty {hash:?}")).describe("pick versions from the partner's page")
    })?;
    let value = serde_json::from_str(&record.json).map_err(|error| ApiError::internal(error.to_string()))?;
    Treaty::parse(&value).map_err(|error| ApiError::internal(format!("stored treaty {hash}: {error}")))
}

/// The timeline of a relation and the treaty versions put forward in it.
fn history(diplomat: &Diplomat, records: &[NoteRecord], names: &Names) -> Result<(Vec<Entry>, Vec<Version>), ApiError> {
    let keys = diplomat.key_book().map_err(|error| refusal(&error))?;
    let identity = diplomat.identity();
    let mut timeline = Vec::with_capacity(records.len());
    let mut versions = Vec::new();
    for record in records {
        let note = read_recorded(&record.json)
            .map_err(|error| ApiError::internal(format!("recorded note {}: {error}", record.id)))?;
        let key = if note.sender() == identity.node_id() {
            identity.public_key(note.key_id())
        } else {
            keys.key_of(note.sender(), note.key_id())
        };
        let verified = key.is_some_and(|key| signature_holds(&note, &key));
        let detail = match note.body() {
            NoteBody::Propose { treaty } | NoteBody::Counter { treaty } | NoteBody::Amend { treaty } => {
                match Treaty::parse(treaty) {
                    Ok(treaty) => {
                        let label = format!("v{} “{}”", treaty.version(), treaty.body().title);
                        versions.push(Version { hash: treaty.hash().to_string(), label: label.clone() });
                        format!("{label} {}", treaty.hash())
                    }
                    Err(error) => format!("an unreadable treaty: {error}"),
                }
            }
            NoteBody::Accept { treaty_hash } | NoteBody::Withdraw { treaty_hash } => treaty_hash.to_string(),
            NoteBody::Sign { treaty_hash, .. } => format!("signature on {treaty_hash}"),
            NoteBody::Reject { treaty_hash, reason } => match reason {
                Some(reason) => format!("{treaty_hash}: “{}”", reason.as_str()),
                None => treaty_hash.to_string(),
            },
            NoteBody::Suspend { reason: Some(reason) } => format!("“{}”", reason.as_str()),
            NoteBody::Terminate { reason, effective } => match reason {
                Some(reason) => format!("effective {effective}: “{}”", reason.as_str()),
                None => format!("effective {effective}"),
            },
            NoteBody::RotateKey { new_key, .. } => format!("new key {}", new_key.key.key_id().as_str()),
            _ => String::new(),
        };
        timeline.push(Entry {
            id: record.id.clone(),
            sent: record.direction == Direction::Sent,
            sender: names.of(note.sender().as_str()),
            kind: record.kind.clone(),
            created: record.created.clone(),
            in_reply_to: record.in_reply_to.clone(),
            detail,
            verified,
        });
    }
    Ok((timeline, versions))
}

/// Whether `note`'s signature holds over its canonical bytes (the note without its
/// `signature` member, RFC 8785) under `key`.
fn signature_holds(note: &Note, key: &entente_core::keys::PublicKey) -> bool {
    let mut unsigned = note.document().clone();
    if let Some(members) = unsigned.as_object_mut() {
        members.remove("signature");
    }
    to_canonical_bytes(&unsigned).is_ok_and(|bytes| key.verify(&bytes, note.signature()).is_ok())
}
