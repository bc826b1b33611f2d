//! Two treaty versions side by side, term by term, changed terms marked:
//! `/ui/partners/{node}/diff?from=HASH&to=HASH`.

use super::show::{partner_of, stored_treaty};
use super::terms::{DiffRow, diff as compare, treaty_terms};
use super::{envoy_diplomat, names};
use crate::blocking::blocking;
use crate::error::ApiError;
use crate::federation::inbound::refusal;
use crate::state::AppState;
use crate::web::render::{Chrome, PageError, page};
use crate::web::session::Viewer;
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::response::Response;
use serde::Deserialize;

/// The two versions; missing ones are reported on an error page, not by the extractor.
#[derive(Deserialize, Default)]
#[serde(default)]
pub(crate) struct Versions {
    from: String,
    to: String,
}

#[derive(Template)]
#[template(path = "partners_diff.html")]
struct DiffPage {
    chrome: Chrome,
    node_id: String,
    partner: String,
    from: String,
    to: String,
    rows: Vec<DiffRow>,
    changed: usize,
}

pub(crate) async fn diff(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(node): Path<String>,
    Query(versions): Query<Versions>,
) -> Result<Response, PageError> {
    let diplomat = envoy_diplomat(&state, &viewer)?;
    let partner = partner_of(&node)?;
    if versions.from.is_empty() || versions.to.is_empty() {
        return Err(PageError(
            ApiError::bad_request("invalid-query", "a comparison needs two versions, `from` and `to`")
                .describe("pick two versions under “Compare two versions” on the partner's page"),
        ));
    }
    let names = names(&state, &diplomat)?;
    let (from, to) = (versions.from.clone(), versions.to.clone());
    let (name, rows) = blocking(move || {
        let view = diplomat.view_partner(&partner).map_err(|error| refusal(&error))?;
        // Only versions of treaties with this partner: a text between other parties
        // is not this partner's page's business.
        let mut texts = Vec::new();
        for hash in [&from, &to] {
            let treaty = stored_treaty(&diplomat, hash)?;
            if !treaty.is_party(&partner) {
                return Err(ApiError::not_found(format!("treaty {hash:?} with {}", view.name))
                    .describe("pick two versions from the partner's page"));
            }
            texts.push(treaty_terms(&treaty, &names));
        }
        let (old, new) = (&texts[0], &texts[1]);
        Ok((view.name, compare(old, new)))
    })
    .await?;
    let changed = rows.iter().filter(|row| row.changed).count();
    let template = DiffPage {
        chrome: Chrome::new(&viewer, "/ui/partners"),
        node_id: node,
        partner: name,
        from: versions.from,
        to: versions.to,
        rows,
        changed,
    };
    Ok(page(&template))
}
