//! `entente demo`: a small federation of five fictional parties, on this machine, in
//! this process, until Ctrl-C.
//!
//! Nothing is simulated: every party is a real node (its own data directory, SQLite
//! store, keys and HTTP server on 127.0.0.1), relations and treaties go through the
//! real protocol, and intelligence moves by the real sync, through the release
//! decision, into the real audit ledgers. The demo only plays the operators: it makes
//! the moves (`diplomacy.rs`), loads each party's share of the built-in intelligence
//! (`intel.rs`), waits for sync to settle, and reads back what happened (`summary.rs`,
//! `release.rs`, `text.rs`). Who the parties are and what they agree to is
//! `parties.rs`, where the regional alliance will be founded once alliances travel.

mod diplomacy;
mod intel;
mod node;
mod parties;
mod release;
mod summary;
mod text;

use crate::cli::DemoArgs;
use crate::output::emit;
use anyhow::{Context, bail};
use indicatif::{ProgressBar, ProgressStyle};
use node::DemoNode;
use parties::PARTIES;
use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

/// Sync has settled when nothing changed on any node for this long: longer than the
/// demo's poll interval, so every partner was pulled at least once with nothing new.
const QUIET: Duration = Duration::from_millis(2500);

pub fn run(args: &DemoArgs) -> anyhow::Result<()> {
    let (root, kept) = match &args.keep_dir {
        Some(dir) => (prepare_kept(dir)?, true),
        None => (temporary_root()?, false),
    };
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build()?;
    let outcome = runtime.block_on(federation(args, &root, kept));
    drop(runtime);
    if !kept {
        let _ = std::fs::remove_dir_all(&root);
    }
    outcome
}

/// A fresh directory under the system's temporary directory.
fn temporary_root() -> anyhow::Result<PathBuf> {
    let suffix = hex::encode(crate::datadir::random_bytes::<4>()?);
    let root = std::env::temp_dir().join(format!("entente-demo-{}-{suffix}", std::process::id()));
    std::fs::create_dir(&root).with_context(|| format!("creating {}", root.display()))?;
    Ok(root)
}

/// `--keep-dir`: created if missing, refused unless empty (it never overwrites nodes).
fn prepare_kept(dir: &Path) -> anyhow::Result<PathBuf> {
    std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
    if std::fs::read_dir(dir)?.next().is_some() {
        bail!("{} is not empty; give --keep-dir a new or empty directory (nothing was changed)", dir.display());
    }
    Ok(std::fs::canonicalize(dir)?)
}

/// Progress on standard error: a spinner on a terminal, plain lines otherwise.
struct Progress {
    bar: Option<ProgressBar>,
}

impl Progress {
    fn new() -> Progress {
        let bar = std::io::stderr().is_terminal().then(|| {
            let bar = ProgressBar::new_spinner();
            bar.set_style(
                ProgressStyle::with_template("{spinner} {msg}").unwrap_or_else(|_| ProgressStyle::default_spinner()),
            );
            bar.enable_steady_tick(Duration::from_millis(100));
            bar
        });
        Progress { bar }
    }

    /// Marks the previous step done and shows the next.
    fn step(&self, message: &str) {
        match &self.bar {
            Some(bar) => {
                if !bar.message().is_empty() {
                    bar.println(format!("✓ {}", bar.message()));
                }
                bar.set_message(message.to_owned());
            }
            None => eprintln!("· {message}"),
        }
    }

    fn finish(&self) {
        if let Some(bar) = &self.bar {
            bar.println(format!("✓ {}", bar.message()));
            bar.finish_and_clear();
        }
    }
}

async fn federation(args: &DemoArgs, root: &Path, kept: bool) -> anyhow::Result<()> {
    let progress = Progress::new();
    let mut nodes = Vec::new();
    let setup = async {
        for (index, party) in PARTIES.iter().enumerate() {
            progress.step(&format!("starting {} ({})", party.name, party.handle));
            let port = match args.base_port {
                Some(base) => base.checked_add(index as u16).context("--base-port is too high for five nodes")?,
                None => 0,
            };
            nodes.push(DemoNode::start(*party, root, port).await?);
        }
        let treaties = diplomacy::establish(&nodes, &|message| progress.step(message)).await?;
        diplomacy::found_alliance(&nodes, &|message| progress.step(message)).await?;
        progress.step("loading each party's share of the built-in intelligence");
        let shares = intel::shares()?;
        for (node, share) in nodes.iter().zip(&shares) {
            node.store.add_objects(&node.collection, share, crate::commands::now_micros())?;
        }
        progress.step("sync: partners poke and pull each other's feeds through the release decision");
        let seconds = settle(&nodes, Duration::from_secs(args.settle_timeout)).await?;
        progress.step("reading back stores and ledgers");
        let flows = release::flows(&nodes, &treaties)?;
        let summary = summary::gather(&nodes, &treaties, flows, root, kept, seconds)?;
        progress.finish();
        anyhow::Ok(summary)
    };
    let outcome = tokio::select! {
        summary = setup => summary.map(Some),
        () = super::serve::shutdown_signal() => Ok(None),
    };
    let result = match outcome {
        Ok(Some(summary)) => {
            emit(args.json, &summary, text::render)?;
            if !args.once {
                eprintln!("The five nodes are serving. Press Ctrl-C to stop them.");
                super::serve::shutdown_signal().await;
            }
            Ok(())
        }
        Ok(None) => {
            progress.finish();
            eprintln!("interrupted");
            Ok(())
        }
        Err(error) => Err(error),
    };
    for node in &mut nodes {
        node.stop().await;
    }
    result
}

/// Waits until no node's store, ledger or outbox changed for [`QUIET`]; returns the
/// seconds it took.
async fn settle(nodes: &[DemoNode], timeout: Duration) -> anyhow::Result<f64> {
    let started = Instant::now();
    let mut last = Vec::new();
    let mut quiet_since = Instant::now();
    loop {
        let mut now = Vec::new();
        for node in nodes {
            let pending: u64 = node.store.pending_outbox()?.iter().map(|(_, count)| count).sum();
            now.push((node.store.count_objects(None)?, node.store.ledger_head()?.0, pending));
        }
        if now != last {
            last = now;
            quiet_since = Instant::now();
        } else if quiet_since.elapsed() >= QUIET {
            return Ok((started.elapsed() - QUIET).as_secs_f64());
        }
        if started.elapsed() > timeout {
            bail!("sync did not settle within {timeout:?}; the nodes' logs (RUST_LOG=info) say why");
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}
