"""Fixtures for the interop tests: a real `entente` node served on loopback.

The binary comes from $ENTENTE_BIN (run.sh sets it; default target/debug/entente).
Every wait here is bounded, and the server only ever listens on 127.0.0.1.
"""

import dataclasses
import json
import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
REPO_ROOT = HERE.parent.parent
# shared/ sits beside the repository (in CI: a fresh clone with shared/ next to it).
SHARED_DATA = REPO_ROOT.parent / "shared" / "data"

HEALTH_TIMEOUT_S = 20
SHUTDOWN_TIMEOUT_S = 10
CLI_TIMEOUT_S = 300


def entente_bin() -> Path:
    path = Path(os.environ.get("ENTENTE_BIN", "target/debug/entente"))
    if not path.is_absolute():
        path = REPO_ROOT / path
    if not path.is_file():
        pytest.exit(f"no entente binary at {path}; build it or set ENTENTE_BIN", returncode=2)
    return path


def run_entente(*args, check=True, timeout=CLI_TIMEOUT_S, **kwargs) -> subprocess.CompletedProcess:
    """Runs the CLI and returns the completed process (text mode)."""
    cmd = [str(entente_bin()), *map(str, args)]
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, stdin=subprocess.DEVNULL, **kwargs)
    if check and proc.returncode != 0:
        raise AssertionError(
            f"{' '.join(cmd)} exited {proc.returncode}\n--- stdout\n{proc.stdout[-4000:]}\n--- stderr\n{proc.stderr[-4000:]}"
        )
    return proc


def run_json(*args, **kwargs):
    proc = run_entente(*args, **kwargs)
    try:
        return json.loads(proc.stdout)
    except json.JSONDecodeError as error:
        raise AssertionError(f"entente {' '.join(map(str, args))} printed no JSON ({error}):\n{proc.stdout[-2000:]}\n{proc.stderr[-2000:]}")


def init_node(directory: Path, name: str) -> dict:
    """`entente init` in a fresh directory; returns its JSON (token, api_root, collection_id, ...)."""
    created = run_json("init", "--dir", directory, "--name", name, "--json")
    for key in ("token", "api_root", "collection_id"):
        assert created.get(key), f"`entente init --json` did not print {key!r}: {created}"
    return created


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclasses.dataclass
class Node:
    dir: Path
    base_url: str  # http://127.0.0.1:PORT
    token: str  # admin token from init
    api_root: str  # name, e.g. "intel"
    collection_id: str  # the node's default intelligence collection
    reader_token: str
    analyst_token: str
    paging_collection_id: str  # an empty collection kept for the paging test
    process: subprocess.Popen

    @property
    def discovery_url(self) -> str:
        return self.base_url + "/taxii2/"

    @property
    def api_root_url(self) -> str:
        return f"{self.base_url}/{self.api_root}/"


def _wait_healthy(base_url: str, process: subprocess.Popen, log_path: Path) -> None:
    deadline = time.monotonic() + HEALTH_TIMEOUT_S
    last_error = None
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"entente serve exited with {process.returncode}:\n{log_path.read_text()[-4000:]}")
        try:
            with urllib.request.urlopen(base_url + "/healthz", timeout=2) as response:
                if response.status == 200:
                    return
        except (urllib.error.URLError, ConnectionError, OSError) as error:
            last_error = error
        time.sleep(0.1)
    process.kill()
    process.wait(timeout=SHUTDOWN_TIMEOUT_S)
    raise RuntimeError(
        f"entente serve was not healthy within {HEALTH_TIMEOUT_S} s (last error: {last_error}):\n{log_path.read_text()[-4000:]}"
    )


def _stop(process: subprocess.Popen):
    """SIGTERM, then the exit code within SHUTDOWN_TIMEOUT_S (None if it had to be killed)."""
    if process.poll() is not None:
        return process.returncode
    process.send_signal(signal.SIGTERM)
    try:
        return process.wait(timeout=SHUTDOWN_TIMEOUT_S)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout=SHUTDOWN_TIMEOUT_S)
        return None


@pytest.fixture(scope="session")
def node():
    """A served node: init, a reader and an analyst token, a spare collection, then `entente serve`.

    At the end the server gets SIGTERM and must exit 0 within 10 s (graceful shutdown
    is part of what is tested).
    """
    tmp = Path(tempfile.mkdtemp(prefix="entente-interop-"))
    try:
        directory = tmp / "node"
        created = init_node(directory, "Interop-Test")
        reader = run_json("--dir", directory, "token", "create", "--role", "reader", "--name", "interop-reader", "--json")
        analyst = run_json("--dir", directory, "token", "create", "--role", "analyst", "--name", "interop-analyst", "--json")
        paging = run_json(
            "--dir", directory, "collection", "create", "--api-root", created["api_root"], "--title", "Paging", "--json"
        )
        paging_id = paging.get("id")
        assert paging_id, f"`collection create --json` printed no id: {paging}"

        port = free_port()
        base_url = f"http://127.0.0.1:{port}"
        log_path = tmp / "serve.log"
        with open(log_path, "w") as log:
            process = subprocess.Popen(
                [str(entente_bin()), "serve", "--dir", str(directory), "--listen", f"127.0.0.1:{port}"],
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        try:
            _wait_healthy(base_url, process, log_path)
            yield Node(
                dir=directory,
                base_url=base_url,
                token=created["token"],
                api_root=created["api_root"],
                collection_id=created["collection_id"],
                reader_token=reader["token"],
                analyst_token=analyst["token"],
                paging_collection_id=paging_id,
                process=process,
            )
        finally:
            exit_code = _stop(process)
        server_log = log_path.read_text()[-4000:]
        assert exit_code is not None, f"entente serve did not stop within {SHUTDOWN_TIMEOUT_S} s of SIGTERM:\n{server_log}"
        assert exit_code == 0, f"entente serve exited {exit_code} after SIGTERM (expected 0):\n{server_log}"
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


@pytest.fixture
def fresh_node_dir(tmp_path):
    """An initialised node directory that is not served (for CLI import/export tests)."""
    directory = tmp_path / "node"
    created = init_node(directory, "Interop-Offline")
    return directory, created
