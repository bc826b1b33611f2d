//! Shared helpers: run the `entente` executable and build throwaway nodes.
//!
//! Every command gets an explicit `--dir`, and the variables that could point it at
//! the developer's own node (`ENTENTE_DIR`, …) are removed from its environment, so a
//! test can never touch anything outside its temporary directory.

use serde_json::Value;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, ExitStatus, Stdio};
use tempfile::TempDir;

/// The binary under test, with a clean environment for the variables it reads.
pub fn entente() -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_entente"));
    command
        .env_remove("ENTENTE_DIR")
        .env_remove("ENTENTE_LOG_FORMAT")
        .env_remove("ENTENTE_PASSWORD")
        .env_remove("ENTENTE_LISTEN")
        .env_remove("ENTENTE_TLS_CERT")
        .env_remove("ENTENTE_TLS_KEY")
        .env_remove("ENTENTE_TLS_CA")
        .env("RUST_LOG", "info");
    command
}

/// Starts `entente serve` for the node in `dir` on a free loopback port with more
/// `serve` flags (`--tls-cert FILE`, …), with standard error piped so the caller can
/// read the address it announces.
pub fn spawn_serve_with(dir: &Path, flags: &[&std::ffi::OsStr]) -> std::process::Child {
    entente()
        .env_remove("ENTENTE_PUBLIC_URL")
        .arg("--dir")
        .arg(dir)
        .args(["serve", "--listen", "127.0.0.1:0"])
        .args(flags)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawning entente serve")
}

/// What a finished command left behind.
pub struct Run {
    pub status: ExitStatus,
    pub stdout: String,
    pub stderr: String,
}

impl Run {
    pub fn code(&self) -> Option<i32> {
        self.status.code()
    }

    /// Panics, showing both streams, unless the command succeeded.
    pub fn assert_success(&self) -> &Run {
        assert!(
            self.status.success(),
            "expected success, got {:?}\nstdout: {}\nstderr: {}",
            self.status,
            self.stdout,
            self.stderr
        );
        self
    }

    /// Panics unless the command failed and its standard error contains `fragment`.
    pub fn assert_failure_mentioning(&self, fragment: &str) -> &Run {
        assert!(!self.status.success(), "expected failure, got success\nstdout: {}", self.stdout);
        assert!(self.stderr.contains(fragment), "stderr should mention {fragment:?}:\n{}", self.stderr);
        self
    }

    pub fn json(&self) -> Value {
        serde_json::from_str(&self.stdout)
            .unwrap_or_else(|error| panic!("stdout is not JSON ({error}):\n{}\nstderr: {}", self.stdout, self.stderr))
    }
}

/// Runs `entente --dir DIR ARGS…`, feeding `stdin` to it.
pub fn run_in(dir: &Path, args: &[&str], stdin: &[u8]) -> Run {
    let mut command = entente();
    command.arg("--dir").arg(dir).args(args);
    run(command, stdin)
}

/// Runs a prepared command to completion, writing `stdin` from a thread so that a
/// child filling its output pipe can never deadlock the test.
pub fn run(mut command: Command, stdin: &[u8]) -> Run {
    command.stdin(Stdio::piped()).stdout(Stdio::piped()).stderr(Stdio::piped());
    let mut child = command.spawn().expect("spawning entente");
    let mut pipe = child.stdin.take().expect("stdin pipe");
    let input = stdin.to_vec();
    // A child that exits without reading its input breaks the pipe; that is not an error here.
    let writer = std::thread::spawn(move || {
        let _ = pipe.write_all(&input);
    });
    let output = child.wait_with_output().expect("waiting for entente");
    writer.join().expect("stdin writer");
    Run {
        status: output.status,
        stdout: String::from_utf8(output.stdout).expect("stdout is UTF-8"),
        stderr: String::from_utf8(output.stderr).expect("stderr is UTF-8"),
    }
}

/// A freshly initialised node in its own temporary directory.
pub struct Node {
    /// Holds the data directory (`node/`) and room for test input beside it.
    temp: TempDir,
    pub dir: PathBuf,
    /// The `init --json` output.
    pub created: Value,
}

impl Node {
    pub fn new() -> Node {
        let temp = TempDir::new().unwrap();
        let dir = temp.path().join("node");
        let init = run_in(&dir, &["init", "--name", "CERT-Test", "--country", "FR", "--json"], b"");
        init.assert_success();
        Node { temp, created: init.json(), dir }
    }

    /// A directory for test input, outside the data directory.
    pub fn scratch(&self) -> &Path {
        self.temp.path()
    }

    pub fn run(&self, args: &[&str]) -> Run {
        run_in(&self.dir, args, b"")
    }

    pub fn run_with_stdin(&self, args: &[&str], stdin: &[u8]) -> Run {
        run_in(&self.dir, args, stdin)
    }

    /// Runs a command that must succeed and print JSON.
    pub fn json(&self, args: &[&str]) -> Value {
        let run = self.run(args);
        run.assert_success();
        run.json()
    }

    pub fn created_str(&self, field: &str) -> String {
        self.created[field].as_str().unwrap_or_else(|| panic!("init output lacks {field}: {}", self.created)).to_owned()
    }
}

/// A file of the shared test data (`/work/shared/data/…`).
pub fn shared_data(relative: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/data").join(relative)
}

/// The STIX 2.1 example bundles, sorted by name.
pub fn stix_examples() -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(shared_data("stix-examples"))
        .expect("the STIX examples")
        .map(|entry| entry.unwrap().path())
        .filter(|path| path.extension().is_some_and(|extension| extension == "json"))
        .collect();
    files.sort();
    assert!(files.len() >= 5, "expected the STIX example files, found {files:?}");
    files
}

/// The objects a file holds: a bundle's `objects`, or the file itself when it is one object.
pub fn objects_in(path: &Path) -> Vec<Value> {
    let value: Value = serde_json::from_slice(&std::fs::read(path).unwrap()).unwrap();
    match value.get("objects").and_then(Value::as_array) {
        Some(objects) if value["type"] == "bundle" => objects.clone(),
        _ => vec![value],
    }
}

pub fn paths(files: &[PathBuf]) -> Vec<&str> {
    files.iter().map(|path| path.to_str().expect("UTF-8 path")).collect()
}

/// Writes `lines` as a JSON-lines file in `dir` and returns its path.
pub fn write_lines(dir: &Path, name: &str, lines: &[Value]) -> PathBuf {
    let path = dir.join(name);
    let text: Vec<String> = lines.iter().map(Value::to_string).collect();
    std::fs::write(&path, text.join("\n") + "\n").unwrap();
    path
}

/// A valid STIX 2.1 indicator with the given id suffix, version and address.
pub fn indicator(suffix: u32, modified: &str, address: &str) -> Value {
    serde_json::json!({
        "type": "indicator",
        "spec_version": "2.1",
        "id": format!("indicator--00000000-0000-4000-8000-{suffix:012}"),
        "created": "2024-01-01T00:00:00.000Z",
        "modified": modified,
        "pattern": format!("[ipv4-addr:value = '{address}']"),
        "pattern_type": "stix",
        "valid_from": "2024-01-01T00:00:00Z"
    })
}
