//! `entente keys rotate`: replace the node's signing key.
//!
//! Crash safety: the new seed is written to `node.key.<new key id>` and the current
//! one kept as `node.key.<old key id>` before anything is recorded; the rotation is
//! recorded (with its notes) in one transaction; only then does the new file replace
//! `node.key`. A crash leaves either the old key current with nothing recorded, or the
//! rotation recorded with the new seed already on disk under its key id.

use super::now_micros;
use super::relations::Session;
use crate::cli::KeysCommand;
use crate::datadir::{DataDir, random_bytes};
use crate::output::emit;
use anyhow::{Context, anyhow};
use entente_core::Timestamp;
use entente_core::node::NodeKey;
use entente_store::NodeSettings;

pub fn run(dir: &DataDir, command: KeysCommand) -> anyhow::Result<()> {
    match command {
        KeysCommand::Rotate { old_valid_days, json } => rotate(dir, old_valid_days, json),
    }
}

fn rotate(dir: &DataDir, old_valid_days: i64, json: bool) -> anyhow::Result<()> {
    if old_valid_days < 1 {
        anyhow::bail!("--old-valid-days must be at least 1: partners need time to receive the announcement");
    }
    // The same node identity every `relations` command acts with (saved public URL).
    let Session { store, diplomat } = Session::open_default(dir)?;
    let settings = store.node_settings()?;
    let old_key = dir.read_key()?;
    let now = Timestamp::from_unix_micros(now_micros());
    let new_key = NodeKey::from_seed(random_bytes()?);
    let new_file = dir.root().join(format!("node.key.{}", file_safe(new_key.key_id().as_str())));
    let old_file = dir.root().join(format!("node.key.{}", file_safe(old_key.key_id().as_str())));
    dir.write_key_to(&new_file, &new_key.seed())?;
    if !old_file.exists() {
        dir.write_key_to(&old_file, &old_key.seed())?;
    }
    let until = Timestamp::from_unix_micros(now_micros() + old_valid_days * 86_400 * 1_000_000);
    let rotation = diplomat.rotate_key(&new_key, until, now).map_err(|error| anyhow!("{error}"))?;
    std::fs::rename(&new_file, dir.key_file()).context("installing the new key as node.key")?;
    let updated =
        NodeSettings { public_key: hex::encode(new_key.public_key()), fingerprint: new_key.fingerprint(), ..settings };
    store.save_node_settings(&updated)?;
    emit(json, &rotation, |rotation| {
        format!(
            "Rotated the node key: {} → {}\\n  new fingerprint: {}\\n  the old key is valid until {}\\n  announced to {} partner(s)\\n\\
             Restart `entente serve` so it signs with the new key.",
            rotation.old_key_id,
            rotation.new_key_id,
            rotation.new_fingerprint,
            rotation.old_key_valid_until,
            rotation.announced_to.len()
        )
    })
}

/// Key ids contain a colon; file names keep only the hex part.
fn file_safe(key_id: &str) -> String {
    key_id.replace(':', "-")
}
