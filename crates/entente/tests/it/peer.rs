//! `Peer`: a node with its own data directory and its own `entente serve` process on a
//! loopback port, for tests in which real nodes talk to each other.
//!
//! The server keeps its port across restarts (its partners have its URL), may sit
//! behind a public URL that is not its own (a proxy in front of it), and can be killed
//! with SIGKILL to play a crash. Its log is kept, so a test can check what it said.
//! Dropping a `Peer` kills its server: a failing test leaves no process behind.

use crate::support::{Run, entente, run_in};
use serde_json::Value;
use std::io::{BufRead, BufReader};
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::{Child, Stdio};
use std::sync::mpsc::channel;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};
use tempfile::TempDir;

/// How long a note may take to cross from one node to the other.
pub(crate) const DELIVERY: Duration = Duration::from_secs(15);

/// How long `entente serve` may take to announce its address.
const STARTUP: Duration = Duration::from_secs(20);

/// A node with a running `entente serve`, killed on drop.
pub(crate) struct Peer {
    temp: TempDir,
    dir: PathBuf,
    created: Value,
    /// The URL partners call: the server's own address, or the public URL it was given.
    pub(crate) url: String,
    /// Where the server listens, kept across restarts.
    listen: SocketAddr,
    public_url: Option<String>,
    server: Option<Child>,
    /// Everything the server wrote to standard error, across restarts.
    log: Arc<Mutex<String>>,
}

impl Drop for Peer {
    fn drop(&mut self) {
        self.kill();
    }
}

impl Peer {
    pub(crate) fn start(name: &str) -> Peer {
        Peer::start_with(name, None)
    }

    /// A node whose card tells partners to call `public_url` (a proxy in front of it,
    /// say) instead of the address its server listens on.
    pub(crate) fn start_with(name: &str, public_url: Option<&str>) -> Peer {
        let temp = TempDir::new().unwrap();
        let dir = temp.path().join("node");
        let init = run_in(&dir, &["init", "--name", name, "--json"], b"");
        init.assert_success();
        let mut peer = Peer {
            temp,
            dir,
            created: init.json(),
            url: String::new(),
            listen: SocketAddr::from(([127, 0, 0, 1], 0)),
            public_url: public_url.map(str::to_owned),
            server: None,
            log: Arc::new(Mutex::new(String::new())),
        };
        let address = peer.serve();
        peer.listen = address;
        peer.url = public_url.map_or_else(|| format!("http://{address}"), str::to_owned);
        peer
    }

    /// Starts `entente serve` on `self.listen` and returns the address it announced.
    fn serve(&mut self) -> SocketAddr {
        assert!(self.server.is_none(), "the server of {} is already running", self.dir.display());
        let mut command = entente();
        command.env_remove("ENTENTE_PUBLIC_URL").arg("--dir").arg(&self.dir).arg("serve");
        command.arg("--listen").arg(self.listen.to_string());
        if let Some(url) = &self.public_url {
            command.args(["--public-url", url]);
        }
        let mut server = command
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .expect("spawning entente serve");
        let address = announced_address(&mut server, self.log.clone());
        self.server = Some(server);
        address
    }

    /// Kills the server with SIGKILL, as a crash or an operator's `kill -9` would, and
    /// reaps it. Does nothing when it is not running.
    pub(crate) fn kill(&mut self) {
        if let Some(mut server) = self.server.take() {
            let _ = server.kill();
            let _ = server.wait();
            self.note("killed with SIGKILL");
        }
    }

    /// Starts the server again on the same address, with the same data directory.
    pub(crate) fn restart(&mut self) {
        self.note("restarting");
        let address = self.serve();
        assert_eq!(address, self.listen, "the server came back on another address");
    }

    fn note(&self, event: &str) {
        self.log.lock().unwrap_or_else(PoisonError::into_inner).push_str(&format!("--- test: {event}\n"));
    }

    /// What the server wrote to standard error so far.
    pub(crate) fn log(&self) -> String {
        self.log.lock().unwrap_or_else(PoisonError::into_inner).clone()
    }

    /// Where the server's log ends now, for [`Peer::wait_for_log_since`].
    pub(crate) fn log_mark(&self) -> usize {
        self.log.lock().unwrap_or_else(PoisonError::into_inner).len()
    }

    /// Waits until the server's log after `mark` contains `fragment`, or panics.
    pub(crate) fn wait_for_log_since(&self, mark: usize, fragment: &str, within: Duration) {
        let deadline = Instant::now() + within;
        while !self.log()[mark..].contains(fragment) {
            assert!(Instant::now() < deadline, "the log never said {fragment:?} within {within:?}:\n{}", self.log());
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    pub(crate) fn id(&self) -> String {
        self.created["identity_id"].as_str().unwrap().to_owned()
    }

    pub(crate) fn fingerprint(&self) -> String {
        self.created["fingerprint"].as_str().unwrap().to_owned()
    }

    /// The server's own address (not the public URL it may have been given).
    pub(crate) fn local_url(&self) -> String {
        format!("http://{}", self.listen)
    }

    pub(crate) fn dir(&self) -> &Path {
        &self.dir
    }

    /// The node's SQLite database file.
    pub(crate) fn database(&self) -> PathBuf {
        self.dir.join("entente.db")
    }

    pub(crate) fn run(&self, args: &[&str]) -> Run {
        run_in(&self.dir, args, b"")
    }

    pub(crate) fn json(&self, args: &[&str]) -> Value {
        let run = self.run(args);
        run.assert_success();
        run.json()
    }

    pub(crate) fn file(&self, name: &str, text: &str) -> PathBuf {
        let path = self.temp.path().join(name);
        std::fs::write(&path, text).unwrap();
        path
    }

    /// Polls `relations show --json` until `done` holds, or panics with the last view.
    pub(crate) fn wait_for(&self, partner: &str, what: &str, done: impl Fn(&Value) -> bool) -> Value {
        let deadline = Instant::now() + DELIVERY;
        loop {
            let shown = self.json(&["relations", "show", partner, "--json"]);
            if done(&shown) {
                return shown;
            }
            assert!(Instant::now() < deadline, "{what} did not happen within {DELIVERY:?}; last view:\n{shown:#}");
            std::thread::sleep(Duration::from_millis(100));
        }
    }
}

/// Reads the server's log until it names the address it bound, and keeps draining the
/// log into `log` afterwards so the server never blocks on a full pipe.
fn announced_address(server: &mut Child, log: Arc<Mutex<String>>) -> SocketAddr {
    let stderr = server.stderr.take().expect("stderr pipe");
    let (sender, receiver) = channel();
    let shown = log.clone();
    std::thread::spawn(move || drain(stderr, &sender, &log));
    match receiver.recv_timeout(STARTUP) {
        Ok(address) => address.parse().expect("a socket address"),
        Err(_) => {
            let _ = server.kill();
            let _ = server.wait();
            let log = shown.lock().unwrap_or_else(PoisonError::into_inner).clone();
            panic!("entente serve did not announce its address within {STARTUP:?}; its log:\n{log}");
        }
    }
}

fn drain(stderr: std::process::ChildStderr, sender: &std::sync::mpsc::Sender<String>, log: &Mutex<String>) {
    for line in BufReader::new(stderr).lines() {
        let Ok(line) = line else { break };
        if let Some(after) = line.split("serving TAXII 2.1 at http://").nth(1) {
            let _ = sender.send(after.split("/taxii2/").next().unwrap_or_default().to_owned());
        }
        let mut log = log.lock().unwrap_or_else(PoisonError::into_inner);
        log.push_str(&line);
        log.push('\n');
    }
}

pub(crate) fn path_str(path: &Path) -> &str {
    path.to_str().unwrap()
}

pub(crate) fn state(shown: &Value) -> &str {
    shown["relation"]["state"].as_str().unwrap()
}
