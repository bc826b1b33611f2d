//! `entente relations contact URL`: fetch a node's signed card, the first step.
//!
//! The card is fetched over plain HTTP(S) and its self-signature checked by the
//! Diplomat, which records the partner as a contact. Nothing is trusted yet: the card
//! proves only that whoever serves it holds its key, so the operator must compare the
//! fingerprint with the partner's operator over another channel before `recognize`.

use super::{Session, now};
use crate::datadir::DataDir;
use crate::output::emit;
use anyhow::{Context, anyhow, bail};
use entente_core::card::{MAX_CARD_BYTES, SignedCard};
use entente_server::federation::PartnerView;
use entente_server::tls::{TrustedRoots, http_client};
use serde::Serialize;
use std::time::Duration;

/// Where a node publishes its card, under its base URL.
const CARD_PATH: &str = "/.well-known/entente";
/// How long fetching a card may take.
const TIMEOUT: Duration = Duration::from_secs(10);
/// How long fetching our own card at the public URL may take.
const SELF_CHECK_TIMEOUT: Duration = Duration::from_secs(3);

/// The card URL for a base URL or a card URL.
fn card_url(given: &str) -> anyhow::Result<String> {
    let trimmed = given.trim().trim_end_matches('/');
    if !(trimmed.starts_with("http://") || trimmed.starts_with("https://")) {
        bail!(
            "{given:?} is not an http:// or https:// URL; give the partner's base URL, e.g. https://partner.example.org"
        );
    }
    if trimmed.ends_with(CARD_PATH) { Ok(trimmed.to_owned()) } else { Ok(format!("{trimmed}{CARD_PATH}")) }
}

/// GETs `url` and returns its body, refusing anything larger than a card may be.
fn fetch(url: &str, timeout: Duration, roots: &TrustedRoots) -> anyhow::Result<String> {
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build()?;
    runtime.block_on(async {
        let client = http_client(roots).timeout(timeout).build()?;
        let mut response = client.get(url).header("accept", "application/json").send().await.map_err(|error| {
            let causes = with_causes(&error);
            let hint = if causes.to_lowercase().contains("certificate") {
                " (if the partner's certificate comes from a private CA or is self-signed, give its CA with \
                 --tls-ca FILE or ENTENTE_TLS_CA)"
            } else {
                ""
            };
            anyhow!("cannot reach {url}: {causes}{hint}")
        })?;
        let status = response.status();
        if !status.is_success() {
            bail!("{url} answered {status}: is it an Entente node, and is its `entente serve` running?");
        }
        let mut body = Vec::new();
        while let Some(chunk) =
            response.chunk().await.map_err(|error| anyhow!("reading {url}: {}", with_causes(&error)))?
        {
            body.extend_from_slice(&chunk);
            if body.len() > MAX_CARD_BYTES {
                bail!("{url} sent more than {MAX_CARD_BYTES} bytes; a node card is smaller");
            }
        }
        String::from_utf8(body).with_context(|| format!("{url} did not send UTF-8 text"))
    })
}

/// An error and its causes on one line: reqwest's own message rarely says why
/// ("error sending request"), its sources do ("Connection refused").
fn with_causes(error: &dyn std::error::Error) -> String {
    let mut text = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        text.push_str(&format!(": {cause}"));
        source = cause.source();
    }
    text
}

#[derive(Serialize)]
struct Contacted {
    card_url: String,
    #[serde(flatten)]
    partner: PartnerView,
    state: String,
}

pub(super) fn run(dir: &DataDir, given: &str, json: bool, roots: &TrustedRoots) -> anyhow::Result<()> {
    let session = Session::open_default(dir)?;
    let url = card_url(given)?;
    let text = fetch(&url, TIMEOUT, roots)?;
    let partner = session
        .diplomat
        .contact(&text, now())
        .map_err(|error| anyhow!("the card at {url} was refused: {error}; nothing was recorded"))?;
    let node = entente_core::StixId::parse(&partner.node_id)?;
    let state = session.diplomat.relation(&node, now()).map_err(|error| anyhow!("{error}"))?.state;
    let contacted = Contacted { card_url: url, partner, state };
    emit(json, &contacted, |contacted| {
        let partner = &contacted.partner;
        let country = partner.country.as_deref().map(|code| format!(", {code}")).unwrap_or_default();
        format!(
            "Contacted {name} ({kind}{country}), relation state: {state}.\n  \
             node id:     {id}\n  \
             fingerprint: {fingerprint}\n  \
             notes go to: {federation}\n\n\
             Nothing is trusted yet. Ask {name}'s operator to read their fingerprint to you over a \
             channel you already trust (phone, in person), not the one that gave you this URL. \
             If it is the same:\n  \
             entente relations recognize {id} --fingerprint {fingerprint}",
            name = partner.name,
            kind = partner.kind,
            state = contacted.state,
            id = partner.node_id,
            fingerprint = partner.fingerprint,
            federation = partner.federation_url,
        )
    })
}

/// Before `recognize` sends our card, checks that this node answers at the public URL
/// written on it: with a wrong URL the partner would send its notes nowhere, and the
/// recognition cannot be taken back.
pub(super) fn check_public_url(dir: &DataDir, public_url: &str, roots: &TrustedRoots) -> anyhow::Result<()> {
    let node = dir.open_store()?.node_settings()?;
    let url = card_url(public_url).context("--public-url")?;
    let problem = match fetch(&url, SELF_CHECK_TIMEOUT, roots) {
        Ok(text) => match SignedCard::parse(&text) {
            Ok(card) if card.node_id().as_str() == node.identity_id => return Ok(()),
            Ok(card) => format!("{url} serves the card of another node, {}", card.node_id()),
            Err(error) => format!("{url} serves no valid node card ({error})"),
        },
        Err(error) => format!("{error:#}"),
    };
    bail!(
        "{problem}.\nThe recognition carries this node's card, and the partner will send its notes to the URL \
         written on it ({public_url}). Start `entente serve`, and give --public-url (or ENTENTE_PUBLIC_URL) as \
         `entente serve` was given it; --no-url-check skips this check when that URL cannot be reached from here. \
         Nothing was sent"
    )
}
