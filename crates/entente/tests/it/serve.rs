//! `entente serve`: binds the address it is given (port 0 included, announcing the
//! real one in its log), answers `/healthz` over plain HTTP/1.1, and exits cleanly on
//! SIGTERM. A guard kills the child whatever happens, so no server outlives a test.

use crate::support::{Node, spawn_serve_with};
use std::ffi::OsStr;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::process::{Child, ExitStatus};
use std::sync::mpsc::{Receiver, RecvTimeoutError, channel};
use std::time::{Duration, Instant};

/// A running `entente serve`, killed on drop if it is still alive.
pub(crate) struct Server {
    child: Child,
    /// Standard-error lines, forwarded by a thread that drains the pipe to the end.
    log: Receiver<String>,
    /// Lines read while waiting for others.
    passed: std::cell::RefCell<Vec<String>>,
    pub(crate) address: SocketAddr,
}

impl Server {
    fn start(node: &Node) -> Server {
        Server::start_with(node, &[], "http")
    }

    /// Starts `entente serve FLAGS…` and waits for it to announce `scheme`://address.
    pub(crate) fn start_with(node: &Node, flags: &[&OsStr], scheme: &str) -> Server {
        let mut child = spawn_serve_with(&node.dir, flags);
        let stderr = child.stderr.take().expect("stderr pipe");
        let (sender, log) = channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stderr).lines() {
                let Ok(line) = line else { break };
                if sender.send(line).is_err() {
                    break;
                }
            }
        });
        let mut server =
            Server { child, log, passed: Default::default(), address: SocketAddr::from(([127, 0, 0, 1], 0)) };
        let announced = format!("serving TAXII 2.1 at {scheme}://");
        let line = server.wait_for_line(&announced, Duration::from_secs(10));
        let after = line.split(&announced).nth(1).unwrap();
        let address = after.split("/taxii2/").next().unwrap();
        server.address = address.parse().unwrap_or_else(|_| panic!("no address in {line:?}"));
        assert_ne!(server.address.port(), 0, "the log must show the port actually bound");
        server
    }

    /// The first log line containing `fragment`, or a panic with what was seen instead.
    pub(crate) fn wait_for_line(&self, fragment: &str, timeout: Duration) -> String {
        let deadline = Instant::now() + timeout;
        let mut seen = Vec::new();
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            match self.log.recv_timeout(left) {
                Ok(line) if line.contains(fragment) => {
                    self.passed.borrow_mut().extend(seen);
                    return line;
                }
                Ok(line) => seen.push(line),
                Err(RecvTimeoutError::Timeout | RecvTimeoutError::Disconnected) => {
                    panic!("no log line with {fragment:?} within {timeout:?}; saw:\n{}", seen.join("\n"))
                }
            }
        }
    }

    /// Sends SIGTERM and waits up to `timeout` for the process to exit.
    pub(crate) fn terminate(&mut self, timeout: Duration) -> ExitStatus {
        let status = std::process::Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status()
            .expect("running kill");
        assert!(status.success(), "kill -TERM failed");
        let deadline = Instant::now() + timeout;
        loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                return status;
            }
            assert!(Instant::now() < deadline, "entente serve did not exit within {timeout:?} of SIGTERM");
            std::thread::sleep(Duration::from_millis(50));
        }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        if let Ok(None) = self.child.try_wait() {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}

/// One HTTP/1.1 GET with `Connection: close`; returns the whole response text.
fn get(address: SocketAddr, path: &str) -> String {
    let mut stream = TcpStream::connect_timeout(&address, Duration::from_secs(5)).expect("connecting");
    stream.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
    write!(stream, "GET {path} HTTP/1.1\r\nHost: {address}\r\nAccept: */*\r\nConnection: close\r\n\r\n").unwrap();
    let mut response = String::new();
    stream.read_to_string(&mut response).expect("reading the response");
    response
}

#[test]
fn serves_health_and_stops_cleanly_on_sigterm() {
    let node = Node::new();
    let mut server = Server::start(&node);

    let health = get(server.address, "/healthz");
    assert!(health.starts_with("HTTP/1.1 200"), "{health}");
    assert!(health.contains(r#"{"status":"ok"}"#), "{health}");

    // TAXII itself needs a token: the server is up, but not open.
    let discovery = get(server.address, "/taxii2/");
    assert!(discovery.starts_with("HTTP/1.1 401"), "{discovery}");

    let status = server.terminate(Duration::from_secs(10));
    assert!(status.success(), "entente serve exited with {status:?} after SIGTERM");
    server.wait_for_line("stopped", Duration::from_secs(5));
    assert!(TcpStream::connect_timeout(&server.address, Duration::from_secs(1)).is_err(), "the port is still open");
}

#[test]
fn a_busy_port_fails_with_the_address() {
    let node = Node::new();
    let taken = TcpListener::bind("127.0.0.1:0").unwrap();
    let address = taken.local_addr().unwrap().to_string();
    let run = node.run(&["serve", "--listen", &address]);
    run.assert_failure_mentioning(&address);
}

/// One HTTP/1.1 GET, returning the JSON body.
fn get_json(address: SocketAddr, path: &str) -> serde_json::Value {
    let response = get(address, path);
    let body = response.split("\r\n\r\n").nth(1).unwrap_or_default();
    serde_json::from_str(body).unwrap_or_else(|error| panic!("{path} answered no JSON ({error}): {response}"))
}

#[test]
fn the_card_lists_the_encryption_key_and_a_node_without_one_gets_one() {
    let node = Node::new();
    let mut server = Server::start(&node);
    let card = get_json(server.address, "/.well-known/entente");
    let listed = card["card"]["encryption_key"].clone();
    assert_eq!(listed["algorithm"], "hpke-x25519-hkdf-sha256-chacha20poly1305", "{card}");
    assert!(listed["key_id"].as_str().unwrap().starts_with("x25519:"), "{card}");
    server.terminate(Duration::from_secs(10));

    // A node made before encryption keys existed: serve makes one, says so, goes on.
    std::fs::remove_file(node.dir.join("encryption.key")).unwrap();
    let mut server = Server::start(&node);
    let passed = server.passed.borrow().clone();
    let line = passed.iter().find(|line| line.contains("created the node's encryption key"));
    assert!(line.is_some_and(|line| line.contains("x25519:")), "no log line about the new key: {passed:?}");
    let card = get_json(server.address, "/.well-known/entente");
    let renewed = &card["card"]["encryption_key"];
    assert!(renewed["key_id"].as_str().unwrap().starts_with("x25519:"), "{card}");
    assert_ne!(renewed["key_id"], listed["key_id"], "a new key");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(node.dir.join("encryption.key")).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600, "encryption.key mode");
    }
    server.terminate(Duration::from_secs(10));
}
