//! A loopback HTTP/1.1 proxy that plays the network between two nodes: it forwards
//! each request to its target, and can be **cut** (every connection is closed at once,
//! as by a broken link) or **tamper** with a request or a response body in flight (a
//! hostile middlebox).
//!
//! It handles one request per connection and answers `Connection: close`, so no client
//! keeps a pooled connection that would outlive a cut. Bodies are read whole (by
//! `Content-Length`, chunked, or to the end of a closed response) and sent on with a new
//! `Content-Length`. It is a test tool for the small messages of the federation
//! protocol, not a general proxy: no pipelining, no upgrades, no streaming.

use std::io::{self, BufRead, BufReader, Read, Write};
use std::net::{Shutdown, SocketAddr, TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

/// Rewrites a body in flight, given the request path.
pub(crate) type Tamper = Arc<dyn Fn(&str, Vec<u8>) -> Vec<u8> + Send + Sync>;

#[derive(Default)]
struct Settings {
    target: Option<SocketAddr>,
    cut: bool,
    requests: Option<Tamper>,
    responses: Option<Tamper>,
}

/// The proxy, listening until dropped.
pub(crate) struct Proxy {
    address: SocketAddr,
    settings: Arc<Mutex<Settings>>,
    stopped: Arc<AtomicBool>,
}

impl Drop for Proxy {
    fn drop(&mut self) {
        self.stopped.store(true, Ordering::SeqCst);
        // Wakes the accepting thread so that it sees the flag and returns.
        let _ = TcpStream::connect(self.address);
    }
}

impl Proxy {
    /// Listens on a free loopback port; connections are closed until [`Proxy::forward_to`].
    pub(crate) fn start() -> Proxy {
        let listener = TcpListener::bind("127.0.0.1:0").expect("binding the proxy");
        let address = listener.local_addr().unwrap();
        let settings = Arc::new(Mutex::new(Settings::default()));
        let stopped = Arc::new(AtomicBool::new(false));
        let (shared, stop) = (settings.clone(), stopped.clone());
        std::thread::spawn(move || {
            for client in listener.incoming() {
                if stop.load(Ordering::SeqCst) {
                    break;
                }
                let Ok(client) = client else { continue };
                let settings = shared.clone();
                std::thread::spawn(move || {
                    // A broken connection is what a proxy sees on a bad day; the client
                    // sees it too, and that is the point.
                    let _ = relay(client, &settings);
                });
            }
        });
        Proxy { address, settings, stopped }
    }

    /// The URL partners are told to call.
    pub(crate) fn url(&self) -> String {
        format!("http://{}", self.address)
    }

    /// Forwards to the node at `url` (`http://127.0.0.1:PORT`).
    pub(crate) fn forward_to(&self, url: &str) {
        let address = url.trim_start_matches("http://").trim_end_matches('/').parse().expect("a loopback address");
        self.with(|settings| settings.target = Some(address));
    }

    /// Cuts the link: from now on every connection is closed without an answer.
    pub(crate) fn cut(&self) {
        self.with(|settings| settings.cut = true);
    }

    /// Restores the link.
    pub(crate) fn restore(&self) {
        self.with(|settings| settings.cut = false);
    }

    /// Rewrites request bodies from now on (`None`: forward them untouched).
    pub(crate) fn tamper_requests(&self, tamper: Option<Tamper>) {
        self.with(|settings| settings.requests = tamper);
    }

    /// Rewrites response bodies from now on (`None`: forward them untouched).
    pub(crate) fn tamper_responses(&self, tamper: Option<Tamper>) {
        self.with(|settings| settings.responses = tamper);
    }

    fn with(&self, change: impl FnOnce(&mut Settings)) {
        change(&mut self.settings.lock().unwrap_or_else(PoisonError::into_inner));
    }
}

/// Carries one request to the target and its answer back, tampering as configured.
fn relay(client: TcpStream, settings: &Mutex<Settings>) -> io::Result<()> {
    let (target, requests, responses) = {
        let settings = settings.lock().unwrap_or_else(PoisonError::into_inner);
        match settings.target {
            Some(target) if !settings.cut => (target, settings.requests.clone(), settings.responses.clone()),
            _ => return client.shutdown(Shutdown::Both),
        }
    };
    client.set_read_timeout(Some(Duration::from_secs(60)))?;
    let mut from_client = BufReader::new(client.try_clone()?);
    let (head, body) = read_message(&mut from_client, false)?;
    let path = head.lines().next().and_then(|line| line.split(' ').nth(1)).unwrap_or_default().to_owned();
    let body = match &requests {
        Some(tamper) => tamper(&path, body),
        None => body,
    };
    let mut upstream = TcpStream::connect(target)?;
    upstream.set_read_timeout(Some(Duration::from_secs(120)))?;
    upstream.write_all(&message(&head, &body))?;
    let (answer_head, answer) = read_message(&mut BufReader::new(upstream), true)?;
    // A link cut while the target was answering loses the answer.
    if settings.lock().unwrap_or_else(PoisonError::into_inner).cut {
        return client.shutdown(Shutdown::Both);
    }
    let answer = match &responses {
        Some(tamper) => tamper(&path, answer),
        None => answer,
    };
    let mut client = client;
    client.write_all(&message(&answer_head, &answer))?;
    client.shutdown(Shutdown::Both)
}

/// Reads a start line with headers, and the body they announce. A response without
/// a length is read to the end (the proxy always asks for `Connection: close`).
fn read_message(reader: &mut BufReader<TcpStream>, is_response: bool) -> io::Result<(String, Vec<u8>)> {
    let mut head = String::new();
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line)? == 0 {
            return Err(io::Error::new(io::ErrorKind::UnexpectedEof, "connection closed in the headers"));
        }
        if line == "\r\n" || line == "\n" {
            break;
        }
        head.push_str(line.trim_end_matches(['\r', '\n']));
        head.push_str("\r\n");
    }
    let header = |name: &str| {
        head.lines().skip(1).find_map(|line| {
            let (key, value) = line.split_once(':')?;
            key.trim().eq_ignore_ascii_case(name).then(|| value.trim().to_ascii_lowercase())
        })
    };
    let mut body = Vec::new();
    if let Some(length) = header("content-length") {
        let length: usize = length.parse().map_err(|_| io::Error::other("bad content-length"))?;
        body.resize(length, 0);
        reader.read_exact(&mut body)?;
    } else if header("transfer-encoding").is_some_and(|coding| coding.contains("chunked")) {
        body = read_chunked(reader)?;
    } else if is_response {
        reader.read_to_end(&mut body)?;
    }
    Ok((head, body))
}

fn read_chunked(reader: &mut BufReader<TcpStream>) -> io::Result<Vec<u8>> {
    let mut body = Vec::new();
    loop {
        let mut size = String::new();
        reader.read_line(&mut size)?;
        let size = usize::from_str_radix(size.trim().split(';').next().unwrap_or_default(), 16)
            .map_err(|_| io::Error::other("bad chunk size"))?;
        let mut chunk = vec![0; size + 2];
        reader.read_exact(&mut chunk)?;
        if size == 0 {
            return Ok(body);
        }
        body.extend_from_slice(&chunk[..size]);
    }
}

/// The message again, with the body's length and `Connection: close`.
fn message(head: &str, body: &[u8]) -> Vec<u8> {
    let mut text = String::new();
    for (index, line) in head.lines().enumerate() {
        let name = line.split(':').next().unwrap_or_default().trim().to_ascii_lowercase();
        if index > 0 && matches!(name.as_str(), "content-length" | "transfer-encoding" | "connection" | "keep-alive") {
            continue;
        }
        text.push_str(line);
        text.push_str("\r\n");
    }
    text.push_str(&format!("content-length: {}\r\nconnection: close\r\n\r\n", body.len()));
    let mut bytes = text.into_bytes();
    bytes.extend_from_slice(body);
    bytes
}
