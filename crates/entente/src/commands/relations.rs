//! `entente relations …`: the operator's side of diplomacy.
//!
//! Each command opens the data directory, builds this node's identity from its key and
//! settings, and calls the server crate's [`Diplomat`], which checks the move against
//! the relation, signs the note and records it together with its outbox row in one
//! transaction. The running `entente serve` delivers the outbox: this binary never
//! sends a note itself, so a move made while the server is down goes out once it runs.
//!
//! Nothing here decides whether a move is allowed: the relation machine (core) and
//! the Diplomat (server) do; this file only names the partner, reads files and prints.

mod contact;
mod history;

use super::now_micros;
use crate::cli::{DraftMove, Partner, ReasonedMove, RelationsCommand, TreatyMove};
use crate::datadir::DataDir;
use crate::output::emit;
use anyhow::{Context, anyhow, bail};
use entente_core::note::NoteId;
use entente_core::{StixId, Timestamp};
use entente_server::federation::{DiplomacyError, Diplomat, NodeIdentity, RelationView};
use entente_store::Store;
use serde::Serialize;
use std::sync::Arc;

/// The URL written on our card when the command sends no card (every move but
/// `recognize`): it is `entente serve`'s default.
const DEFAULT_PUBLIC_URL: &str = "http://127.0.0.1:8470";

/// The store and a diplomat acting for this node.
pub(super) struct Session {
    pub store: Arc<Store>,
    pub diplomat: Diplomat,
}

impl Session {
    /// Opens the node; `public_url` overrides the one saved in the node's settings.
    pub fn open(dir: &DataDir, public_url: Option<&str>) -> anyhow::Result<Session> {
        let store = Arc::new(dir.open_store()?);
        let settings = store.node_settings()?;
        let public_url =
            public_url.map(str::to_owned).or(settings.public_url.clone()).unwrap_or(DEFAULT_PUBLIC_URL.into());
        let mut identity = NodeIdentity::new(&settings, dir.read_key()?, &public_url, now())
            .map_err(|error| anyhow!("building this node's card for {public_url}: {error} (check --public-url)"))?;
        // With its encryption key, the card lists it and `sync now` opens the objects
        // partners sealed to this node.
        if let Some(key) = dir.read_encryption_key()? {
            identity = identity.with_encryption_key(key);
        }
        Ok(Session { diplomat: Diplomat::new(store.clone(), Arc::new(identity)), store })
    }

    pub fn open_default(dir: &DataDir) -> anyhow::Result<Session> {
        Session::open(dir, None)
    }
}

pub(super) fn now() -> Timestamp {
    Timestamp::from_unix_micros(now_micros())
}

/// Finds a partner by node id or exact name. An id is taken as given: the Diplomat
/// says what to do when no such partner is known.
pub(super) fn resolve(store: &Store, given: &str) -> anyhow::Result<StixId> {
    if given.starts_with("identity--") {
        return StixId::parse(given).with_context(|| format!("{given:?} is not a node id (identity--<uuid>)"));
    }
    let partners = store.partners()?;
    let named: Vec<_> = partners.iter().filter(|partner| partner.name == given).collect();
    match named.as_slice() {
        [partner] => StixId::parse(&partner.node_id).context("a stored partner id"),
        [] => {
            let similar: Vec<String> = partners
                .iter()
                .filter(|partner| partner.name.eq_ignore_ascii_case(given))
                .map(|partner| format!("{:?} ({})", partner.name, partner.node_id))
                .collect();
            let hint = if similar.is_empty() {
                "see `entente relations list`, or make contact first with `entente relations contact URL`".to_owned()
            } else {
                format!("did you mean {}?", similar.join(" or "))
            };
            bail!("no partner named {given:?}; {hint}")
        }
        many => {
            let candidates: Vec<&str> = many.iter().map(|partner| partner.node_id.as_str()).collect();
            bail!("{} partners are named {given:?}: {}; give the node id instead", many.len(), candidates.join(", "))
        }
    }
}

pub fn run(dir: &DataDir, command: RelationsCommand, tls_ca: Option<&std::path::Path>) -> anyhow::Result<()> {
    match command {
        RelationsCommand::Contact { url, json } => contact::run(dir, &url, json, &super::trusted_roots(tls_ca)?),
        RelationsCommand::Recognize { partner, fingerprint, public_url, no_url_check } => {
            let public_url = match public_url {
                Some(url) => url,
                None => dir.open_store()?.node_settings()?.public_url.unwrap_or(DEFAULT_PUBLIC_URL.into()),
            };
            if !no_url_check {
                contact::check_public_url(dir, &public_url, &super::trusted_roots(tls_ca)?)?;
            }
            make_move(dir, &partner, Some(&public_url), "recognize", |diplomat, node, now| {
                diplomat.recognize(node, &fingerprint, now)
            })
        }
        RelationsCommand::Propose(args) => treaty_move(dir, &args, "propose", Diplomat::propose),
        RelationsCommand::Counter(args) => treaty_move(dir, &args, "counter", Diplomat::counter),
        RelationsCommand::Amend(args) => treaty_move(dir, &args, "amend", Diplomat::amend),
        RelationsCommand::Accept(args) => draft_move(dir, &args, "accept", Diplomat::accept),
        RelationsCommand::Sign(args) => draft_move(dir, &args, "sign", Diplomat::sign),
        RelationsCommand::Withdraw(partner) => simple_move(dir, &partner, "withdraw", Diplomat::withdraw),
        RelationsCommand::Resume(partner) => simple_move(dir, &partner, "resume", Diplomat::resume),
        RelationsCommand::Reject(args) => reasoned_move(dir, &args, "reject", Diplomat::reject),
        RelationsCommand::Suspend(args) => reasoned_move(dir, &args, "suspend", Diplomat::suspend),
        RelationsCommand::Terminate(args) => reasoned_move(dir, &args, "terminate", Diplomat::terminate),
        RelationsCommand::Accredit { partner, name } => accredit(dir, &partner, &name),
        RelationsCommand::List { json } => history::list(dir, json),
        RelationsCommand::Show { node, json } => history::show(dir, &node, json),
    }
}

fn simple_move(
    dir: &DataDir,
    partner: &Partner,
    kind: &'static str,
    act: fn(&Diplomat, &StixId, Timestamp) -> Result<NoteId, DiplomacyError>,
) -> anyhow::Result<()> {
    make_move(dir, partner, None, kind, act)
}

fn reasoned_move(
    dir: &DataDir,
    args: &ReasonedMove,
    kind: &'static str,
    act: fn(&Diplomat, &StixId, Option<&str>, Timestamp) -> Result<NoteId, DiplomacyError>,
) -> anyhow::Result<()> {
    let reason = args.reason.as_deref();
    make_move(dir, &args.partner, None, kind, move |diplomat, node, now| act(diplomat, node, reason, now))
}

fn treaty_move(
    dir: &DataDir,
    args: &TreatyMove,
    kind: &'static str,
    act: fn(&Diplomat, &StixId, &serde_json::Value, Timestamp) -> Result<NoteId, DiplomacyError>,
) -> anyhow::Result<()> {
    let treaty = super::treaty::read_document(&args.treaty)?;
    make_move(dir, &args.partner, None, kind, move |diplomat, node, now| act(diplomat, node, &treaty, now))
}

/// Accept and sign act on the current draft; `--draft` makes sure it is the one the
/// operator read.
fn draft_move(
    dir: &DataDir,
    args: &DraftMove,
    kind: &'static str,
    act: fn(&Diplomat, &StixId, Timestamp) -> Result<NoteId, DiplomacyError>,
) -> anyhow::Result<()> {
    let expected = args.draft.clone();
    let node_text = args.partner.node.clone();
    make_move(dir, &args.partner, None, kind, move |diplomat, node, now| {
        if let Some(expected) = &expected {
            let current = diplomat.relation(node, now)?.draft;
            if current.as_deref() != Some(expected.as_str()) {
                let current = current.map_or_else(|| "no draft".to_owned(), |hash| format!("draft {hash}"));
                return Err(DiplomacyError::Invalid(format!(
                    "the text under negotiation with {node_text} is {current}, not {expected}; \
                     read it with `entente relations show {node_text}` and `entente treaty show HASH`"
                )));
            }
        }
        act(diplomat, node, now)
    })
}

/// A note just made, and the relation after it.
#[derive(Serialize)]
struct Sent {
    note_id: String,
    kind: &'static str,
    partner: String,
    /// Always `queued`: `entente serve` delivers it.
    delivery: &'static str,
    relation: RelationView,
}

fn make_move(
    dir: &DataDir,
    partner: &Partner,
    public_url: Option<&str>,
    kind: &'static str,
    act: impl FnOnce(&Diplomat, &StixId, Timestamp) -> Result<NoteId, DiplomacyError>,
) -> anyhow::Result<()> {
    let session = Session::open(dir, public_url)?;
    let node = resolve(&session.store, &partner.node)?;
    let note = act(&session.diplomat, &node, now()).map_err(|error| refused(kind, &partner.node, &error))?;
    let relation = session.diplomat.relation(&node, now()).map_err(|error| anyhow!("{error}"))?;
    let sent = Sent { note_id: note.to_string(), kind, partner: node.to_string(), delivery: "queued", relation };
    emit(partner.json, &sent, |sent| {
        let name = &sent.relation.partner.name;
        format!(
            "Sent {} to {name} ({}) as {}.\nQueued for delivery: `entente serve` delivers it (start it if it is not \
             running) and retries until {name} has it.\n\n{}",
            sent.kind,
            sent.partner,
            sent.note_id,
            history::summary(&sent.relation)
        )
    })
}

/// Explains a refused move; nothing was recorded or sent.
fn refused(kind: &str, node: &str, error: &DiplomacyError) -> anyhow::Error {
    if let DiplomacyError::Illegal(_) = error {
        return anyhow!("{error}.\nNothing was sent; `entente relations show {node}` shows where the relation stands");
    }
    anyhow!("{kind} refused: {error}. Nothing was sent")
}

#[derive(Serialize)]
struct Accredited {
    token_id: String,
    token: String,
    partner: String,
    treaty: String,
}

/// Issues an envoy credential bound to the partner, under the treaty in force.
fn accredit(dir: &DataDir, partner: &Partner, name: &str) -> anyhow::Result<()> {
    let session = Session::open_default(dir)?;
    let node = resolve(&session.store, &partner.node)?;
    let treaty = session.diplomat.accreditation(&node, now()).map_err(|error| anyhow!("{error}"))?;
    let token = entente_core::auth::ApiToken::from_random(crate::datadir::random_bytes()?);
    let label = if name.is_empty() { format!("envoy of {node}") } else { name.to_owned() };
    let record = session.store.create_envoy_token(
        &super::token::new_token_id()?,
        &label,
        &token.hash(),
        node.as_str(),
        &treaty,
        super::now_micros(),
    )?;
    let accredited =
        Accredited { token_id: record.id, token: token.secret().to_owned(), partner: node.to_string(), treaty };
    emit(partner.json, &accredited, |accredited| {
        format!(
            "Accredited an envoy of {} under treaty {} (token {}, shown once; hand it over securely):\n  {}\n\
             It works only while that relation is in force.",
            accredited.partner, accredited.treaty, accredited.token_id, accredited.token
        )
    })
}
