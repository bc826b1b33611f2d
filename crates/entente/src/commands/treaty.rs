//! `entente treaty show|verify|template|next`.
//!
//! A treaty is read from the store by its hash or from a file holding either a bare
//! treaty or a signed one (`{"treaty": …, "signatures": [...]}`, the form `treaty show
//! --json` writes under `document`). Signatures are checked by the core
//! (`SignedTreaty::add_signature`) with the keys this node trusts: its own, and those
//! pinned for partners by `recognize`. A key merely seen on a card is not trusted.
//!
//! Not here: whether a *relation* holds a treaty in force (suspension, notice of
//! termination) — `entente relations show` says that. These commands judge only the
//! treaty's own conditions: every party's signature, and today within its dates.
//!
//! `describe` puts a treaty's text into words; `drafting` writes texts to edit.

mod describe;
mod drafting;

use super::relations::now;
use crate::cli::TreatyCommand;
use crate::datadir::DataDir;
use crate::output::emit;
use anyhow::{Context, anyhow, bail};
use entente_core::StixId;
use entente_core::keys::{KeyId, PublicKey};
use entente_core::treaty::{SignedTreaty, Treaty, TreatyHash, TreatySignature, strip_comment_lines};
use entente_store::Store;
use serde::Serialize;
use serde_json::{Value, json};
use std::io::Read;
use std::path::Path;
use std::process::ExitCode;

pub fn run(dir: &DataDir, command: TreatyCommand) -> anyhow::Result<ExitCode> {
    match command {
        TreatyCommand::Show { treaty, json } => show(dir, &treaty, json).map(|()| ExitCode::SUCCESS),
        TreatyCommand::Verify { treaty, json } => verify(dir, &treaty, json),
        TreatyCommand::Template { with, json } => drafting::template(dir, &with, json).map(|()| ExitCode::SUCCESS),
        TreatyCommand::Next { node, json } => drafting::next(dir, &node, json).map(|()| ExitCode::SUCCESS),
    }
}

/// Reads a file, or standard input for `-`.
fn read_text(path: &Path) -> anyhow::Result<String> {
    if path == Path::new("-") {
        let mut text = String::new();
        std::io::stdin().read_to_string(&mut text).context("reading standard input")?;
        return Ok(text);
    }
    std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))
}

/// Reads a JSON document whose whole lines starting with `//` are comments.
pub(super) fn read_document(path: &Path) -> anyhow::Result<Value> {
    let text = read_text(path)?;
    serde_json::from_str(&strip_comment_lines(&text))
        .with_context(|| format!("{} is not JSON (after removing the lines that start with //)", path.display()))
}

/// What this node knows of the parties: names, and the keys it trusts.
struct Known {
    /// This node: its id, name and public key.
    us: Option<(StixId, String, PublicKey)>,
    store: Option<Store>,
}

impl Known {
    fn of(store: Store) -> anyhow::Result<Known> {
        let settings = store.node_settings()?;
        let bytes: [u8; 32] = hex::decode(&settings.public_key)
            .ok()
            .and_then(|bytes| bytes.try_into().ok())
            .ok_or_else(|| anyhow!("the stored public key is not 32 hex bytes"))?;
        let key = PublicKey::from_bytes(&bytes)?;
        let us = (StixId::parse(&settings.identity_id)?, settings.name, key);
        Ok(Known { us: Some(us), store: Some(store) })
    }

    /// The node in `dir` if there is one: a file can be shown without a node.
    fn open(dir: &DataDir, need_node: bool) -> anyhow::Result<Known> {
        if need_node || dir.database().exists() {
            Known::of(dir.open_store()?)
        } else {
            Ok(Known { us: None, store: None })
        }
    }

    fn name_of(&self, party: &StixId) -> String {
        if let Some((us, name, _)) = &self.us
            && us == party
        {
            return format!("{name} ({party}, this node)");
        }
        match self.store.as_ref().and_then(|store| store.partner(party.as_str()).ok().flatten()) {
            Some(partner) => format!("{} ({party})", partner.name),
            None => party.to_string(),
        }
    }

    fn why_no_key(&self) -> String {
        if self.store.is_some() {
            "this node trusts no such key of the party (keys are trusted once `entente relations recognize` pinned them)"
                .to_owned()
        } else {
            "no node here to trust keys from; give --dir".to_owned()
        }
    }

    fn key_of(&self, party: &StixId, key_id: &KeyId) -> Option<PublicKey> {
        if let Some((us, _, key)) = &self.us
            && us == party
        {
            if key.key_id() == *key_id {
                return Some(*key);
            }
            // A key this node used before a rotation.
            let ours = self.store.as_ref()?.node_keys().ok()?;
            return ours
                .iter()
                .filter(|record| record.key_id == key_id.as_str())
                .find_map(|record| PublicKey::parse(&record.public_key).ok());
        }
        let keys = self.store.as_ref()?.partner_keys(party.as_str()).ok()?;
        keys.iter()
            .filter(|record| record.pinned && record.key_id == key_id.as_str())
            .find_map(|record| PublicKey::parse(&record.public_key).ok())
    }
}

/// A treaty text and the signatures that came with it, not yet checked.
struct Loaded {
    treaty: Treaty,
    signatures: Vec<TreatySignature>,
}

fn load(given: &str, known: &Known) -> anyhow::Result<Loaded> {
    if given.starts_with("sha256:") {
        return load_stored(given, known.store.as_ref().context("a treaty hash needs a node (--dir)")?);
    }
    let value = read_document(Path::new(given))?;
    let Some(members) = value.as_object().filter(|members| members.contains_key("treaty")) else {
        let treaty = Treaty::parse(&value).with_context(|| format!("reading {given}"))?;
        return Ok(Loaded { treaty, signatures: Vec::new() });
    };
    if let Some(other) = members.keys().find(|name| !["treaty", "signatures"].contains(&name.as_str())) {
        bail!("{given}: a signed treaty holds only \"treaty\" and \"signatures\", not {other:?}");
    }
    let treaty = Treaty::parse(&members["treaty"]).with_context(|| format!("reading the treaty in {given}"))?;
    let signatures = match members.get("signatures") {
        None => Vec::new(),
        Some(Value::Array(items)) => items
            .iter()
            .enumerate()
            .map(|(index, item)| TreatySignature::parse(item).with_context(|| format!("{given}: signatures[{index}]")))
            .collect::<anyhow::Result<_>>()?,
        Some(_) => bail!("{given}: \"signatures\" must be an array"),
    };
    Ok(Loaded { treaty, signatures })
}

fn load_stored(given: &str, store: &Store) -> anyhow::Result<Loaded> {
    let hash = TreatyHash::parse(given)?;
    let record = store.treaty(hash.as_str())?.with_context(|| {
        format!("this node knows no treaty {hash}; it keeps the texts proposed to or by it (see `entente relations show NODE`)")
    })?;
    let treaty = Treaty::parse(&serde_json::from_str(&record.json)?).with_context(|| format!("the stored {hash}"))?;
    let signatures = store
        .treaty_signatures(hash.as_str())?
        .into_iter()
        .map(|record| {
            let value = json!({"treaty": record.hash, "party": record.party, "key_id": record.key_id, "signature": record.signature});
            TreatySignature::parse(&value).context("a stored signature")
        })
        .collect::<anyhow::Result<_>>()?;
    Ok(Loaded { treaty, signatures })
}

/// One signature and what checking it said.
#[derive(Serialize)]
struct SignatureCheck {
    party: String,
    name: String,
    key_id: String,
    /// `valid`, `refused` or `unknown-key`.
    verdict: &'static str,
    reason: Option<String>,
}

/// Every signature checked, and what they make of the treaty.
#[derive(Serialize)]
struct Verdict {
    hash: String,
    signatures: Vec<SignatureCheck>,
    /// Parties without a valid signature.
    missing: Vec<String>,
    /// Every party signed, and every signature given is valid.
    complete: bool,
    /// Complete, and today within the treaty's dates.
    in_force: bool,
    status: String,
}

fn check(loaded: &Loaded, known: &Known) -> Verdict {
    let mut signed = SignedTreaty::new(loaded.treaty.clone());
    let signatures: Vec<SignatureCheck> = loaded
        .signatures
        .iter()
        .map(|signature| {
            let (verdict, reason) = match known.key_of(&signature.party, &signature.key_id) {
                None => ("unknown-key", Some(known.why_no_key())),
                Some(key) => match signed.add_signature(signature.clone(), &key) {
                    Ok(()) => ("valid", None),
                    Err(error) => ("refused", Some(error.to_string())),
                },
            };
            SignatureCheck {
                party: signature.party.to_string(),
                name: known.name_of(&signature.party),
                key_id: signature.key_id.to_string(),
                verdict,
                reason,
            }
        })
        .collect();
    let missing: Vec<String> = signed.missing_parties().iter().map(ToString::to_string).collect();
    let complete = missing.is_empty() && signatures.iter().all(|check| check.verdict == "valid");
    let (in_force, status) = match signed.is_in_force(now()) {
        Ok(_) => (complete, "in force: every party signed and today is within its dates".to_owned()),
        Err(reason) => (false, format!("not in force: {reason}")),
    };
    Verdict { hash: loaded.treaty.hash().to_string(), signatures, missing, complete, in_force, status }
}

fn render_verdict(verdict: &Verdict, known: &Known) -> String {
    let mut lines = vec![format!("Signatures ({} given):", verdict.signatures.len())];
    for check in &verdict.signatures {
        let reason = check.reason.as_deref().map(|reason| format!(": {reason}")).unwrap_or_default();
        lines.push(format!("  {:<11} {} with key {}{reason}", check.verdict, check.name, check.key_id));
    }
    let listed = |party: &String| verdict.signatures.iter().any(|check| check.party == *party);
    for party in verdict.missing.iter().filter(|party| !listed(party)) {
        let name = StixId::parse(party).map_or_else(|_| party.clone(), |id| known.name_of(&id));
        lines.push(format!("  {:<11} {name}", "missing"));
    }
    lines.push(format!("Status: {}", verdict.status));
    lines.join("\n")
}

#[derive(Serialize)]
struct Shown {
    #[serde(flatten)]
    verdict: Verdict,
    treaty: Value,
    /// The signed form, as `entente treaty verify` reads it.
    document: Value,
}

fn show(dir: &DataDir, given: &str, json: bool) -> anyhow::Result<()> {
    let known = Known::open(dir, given.starts_with("sha256:"))?;
    let loaded = load(given, &known)?;
    let document = json!({
        "treaty": loaded.treaty.to_value(),
        "signatures": loaded.signatures.iter().map(TreatySignature::to_value).collect::<Vec<_>>(),
    });
    let shown = Shown { verdict: check(&loaded, &known), treaty: loaded.treaty.to_value(), document };
    emit(json, &shown, |shown| {
        let name_of = |party: &StixId| known.name_of(party);
        format!("{}\n\n{}", describe::describe(&loaded.treaty, &name_of), render_verdict(&shown.verdict, &known))
    })
}

fn verify(dir: &DataDir, given: &str, json: bool) -> anyhow::Result<ExitCode> {
    let known = Known::open(dir, given.starts_with("sha256:"))?;
    let loaded = load(given, &known)?;
    let verdict = check(&loaded, &known);
    let complete = verdict.complete;
    emit(json, &verdict, |verdict| {
        let outcome = if verdict.complete {
            format!(
                "Verified: all {} parties signed {}, and every signature is valid.",
                loaded.treaty.parties().len(),
                verdict.hash
            )
        } else {
            format!("NOT verified: {} lacks a valid signature of every party.", verdict.hash)
        };
        format!("{}\n{outcome}", render_verdict(verdict, &known))
    })?;
    Ok(if complete { ExitCode::SUCCESS } else { ExitCode::from(2) })
}
