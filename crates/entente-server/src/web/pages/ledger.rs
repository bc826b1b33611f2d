//! The Ledger: the audit ledger newest first, paged by sequence, searchable by
//! partner, subject and kind, each entry in plain language (the wording of `entente
//! audit show`), with the chain's verification status ([`super::ledger_check`]).
//!
//! Who sees it: administrators, as with `entente audit` (which needs the node's data
//! directory); any other viewer gets a 403 page that says so.

use super::ledger_check::{self, Status};
use crate::error::ApiError;
use crate::state::AppState;
use crate::web::render::{Chrome, PageError, page};
use crate::web::session::{Posted, Viewer};
use askama::Template;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use entente_core::auth::Role;
use entente_core::ledger::{Entry, describe};
use entente_store::{LedgerWindow, ledger_columns};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;

/// Entries per page.
const PAGE: u32 = 50;

/// The kinds an entry may have (the store's `kind` column), for the filter.
pub(crate) const KINDS: &[&str] = &[
    "release",
    "receive",
    "receipt",
    "note-sent",
    "note-received",
    "revoked",
    "recalled",
    "removed",
    "treaty-ended",
    "purged",
];

/// The page's query: filters and the window. Empty fields mean "any".
#[derive(Debug, Default, Deserialize, Serialize)]
pub(crate) struct LedgerParams {
    #[serde(default, skip_serializing_if = "String::is_empty")]
    partner: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    subject: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    kind: String,
    #[serde(default, skip_serializing)]
    before: Option<i64>,
    #[serde(default, skip_serializing)]
    after: Option<i64>,
}

/// One entry as shown.
#[derive(Debug)]
struct Row {
    sequence: i64,
    at: String,
    kind: String,
    text: String,
    hash: String,
    short_hash: String,
    /// Searches narrowed to this entry's kind, subject and partner.
    kind_link: String,
    subject_link: Option<String>,
    partner_link: Option<String>,
    /// Set when the stored entry cannot be read: what is wrong.
    unreadable: Option<String>,
}

#[derive(Template)]
#[template(path = "ledger.html")]
struct LedgerPage {
    chrome: Chrome,
    status: Status,
    verify_inline: u64,
    rows: Vec<Row>,
    partners: Vec<(String, String)>,
    kinds: &'static [&'static str],
    partner: String,
    subject: String,
    kind: String,
    filtered: bool,
    /// Query strings of the newer and older pages, when there are such pages.
    newer: Option<String>,
    older: Option<String>,
}

fn admin_only(viewer: &Viewer) -> Result<(), PageError> {
    viewer.caller().require(Role::Admin).map_err(|_| {
        PageError(
            ApiError::forbidden("the ledger is shown to administrators")
                .describe("the audit ledger records every release and receipt: sign in with an admin token to read it"),
        )
    })
}

pub(crate) async fn show(
    State(state): State<AppState>,
    viewer: Viewer,
    params: Result<Query<LedgerParams>, QueryRejection>,
) -> Result<Response, PageError> {
    admin_only(&viewer)?;
    let Query(params) = params.map_err(|rejection| {
        ApiError::bad_request("invalid-request", format!("this ledger search cannot be read: {rejection}"))
            .describe("before and after take an entry's sequence number; clear the search and try again")
    })?;
    let partners: Vec<(String, String)> =
        state.store.partners()?.into_iter().map(|partner| (partner.node_id, partner.name)).collect();
    let window = window(&params, &partners)?;
    let names: HashMap<&str, &str> = partners.iter().map(|(id, name)| (id.as_str(), name.as_str())).collect();
    let name = |id: &str| names.get(id).map_or_else(|| id.to_owned(), |name| format!("{name} ({id})"));
    let rows: Vec<Row> = state.store.ledger_window(&window)?.into_iter().map(|row| shown(row, &name)).collect();
    let status = ledger_check::status(&state).await?;
    let filters = serde_urlencoded::to_string(&params).unwrap_or_default();
    let with = |key: &str, sequence: i64| {
        if filters.is_empty() { format!("?{key}={sequence}") } else { format!("?{filters}&{key}={sequence}") }
    };
    let full = rows.len() == PAGE as usize;
    let newer = match (&params.before, &params.after, rows.first()) {
        (Some(_), _, Some(first)) => Some(with("after", first.sequence)),
        (Some(before), _, None) => Some(with("after", before - 1)),
        (None, Some(_), Some(first)) if full => Some(with("after", first.sequence)),
        _ => None,
    };
    let older = match rows.last() {
        Some(last) if last.sequence > 0 && (full || params.after.is_some()) => Some(with("before", last.sequence)),
        _ => None,
    };
    let template = LedgerPage {
        chrome: Chrome::new(&viewer, "/ui/ledger"),
        status,
        verify_inline: ledger_check::VERIFY_INLINE,
        rows,
        partners,
        kinds: KINDS,
        filtered: !filters.is_empty(),
        partner: params.partner,
        subject: params.subject,
        kind: params.kind,
        newer,
        older,
    };
    Ok(page(&template))
}

/// The store's window for the page's filters; a filter that names nothing known is
/// bad input (400), with what to do about it.
fn window(params: &LedgerParams, partners: &[(String, String)]) -> Result<LedgerWindow, PageError> {
    let partner = params.partner.trim();
    let counterpart = if partner.is_empty() {
        None
    } else {
        // A partner's name, or any node id: entries may name nodes met through an
        // alliance or a relation since forgotten.
        let by_id = entente_core::StixId::parse(partner)
            .ok()
            .filter(|id| id.as_str().starts_with("identity--"))
            .map(|id| id.to_string());
        let found = by_id
            .or_else(|| partners.iter().find(|(_, name)| name.eq_ignore_ascii_case(partner)).map(|(id, _)| id.clone()));
        Some(found.ok_or_else(|| {
            ApiError::bad_request("unknown-partner", format!("no partner is called {partner:?}"))
                .describe("choose a partner from the list, or give its node id (identity--…)")
        })?)
    };
    let kind = params.kind.trim();
    if !kind.is_empty() && !KINDS.contains(&kind) {
        return Err(PageError(
            ApiError::bad_request("unknown-kind", format!("{kind:?} is not a kind of ledger entry"))
                .describe(format!("choose one of: {}", KINDS.join(", "))),
        ));
    }
    if params.before.is_some_and(|before| before < 0) || params.after.is_some_and(|after| after < -1) {
        return Err(PageError(ApiError::bad_request("invalid-request", "sequence numbers start at 0")));
    }
    let subject = params.subject.trim();
    Ok(LedgerWindow {
        counterpart,
        subject: (!subject.is_empty()).then(|| subject.to_owned()),
        kinds: if kind.is_empty() { Vec::new() } else { vec![kind.to_owned()] },
        before: params.before,
        after: params.after,
        limit: PAGE,
    })
}

/// A stored entry in plain language; one that cannot be read is shown as such.
fn shown(row: entente_store::LedgerRow, name: &dyn Fn(&str) -> String) -> Row {
    let parsed = serde_json::from_str(&row.entry)
        .map_err(|error| error.to_string())
        .and_then(|value| Entry::from_value(&value).map_err(|error| error.to_string()));
    match parsed {
        Ok(entry) => {
            let (kind, subject, counterpart) = ledger_columns(&entry.kind);
            let hash = entry.hash.to_string();
            Row {
                sequence: row.sequence,
                at: entry.at.to_string(),
                kind: kind.to_owned(),
                text: describe(&entry.kind, name),
                short_hash: hash.chars().take(19).collect::<String>() + "…",
                hash,
                kind_link: search("kind", kind),
                subject_link: (!subject.is_empty()).then(|| search("subject", &subject)),
                partner_link: (!counterpart.is_empty()).then(|| search("partner", &counterpart)),
                unreadable: None,
            }
        }
        Err(error) => Row {
            sequence: row.sequence,
            at: String::new(),
            kind: String::new(),
            text: String::new(),
            hash: String::new(),
            short_hash: String::new(),
            kind_link: String::new(),
            subject_link: None,
            partner_link: None,
            unreadable: Some(error),
        },
    }
}

/// The Ledger page searching for `value` in `field`.
fn search(field: &str, value: &str) -> String {
    format!("/ui/ledger?{}", serde_urlencoded::to_string([(field, value)]).unwrap_or_default())
}

/// "Verify now": verifies the whole chain at once, then shows the page again.
#[derive(Debug, Deserialize)]
pub(crate) struct VerifyForm {}

pub(crate) async fn verify(State(state): State<AppState>, posted: Posted<VerifyForm>) -> Result<Response, PageError> {
    admin_only(&posted.viewer)?;
    ledger_check::verify_now(&state).await?;
    Ok(Redirect::to("/ui/ledger").into_response())
}
