"""Two or more real `entente` nodes on loopback, federated through the CLI alone.

Used by the sync benchmark (bench/sync.py). Each node has its own data directory
and its own `entente serve` process; relations, the treaty and the signatures go
through the real protocol (signed notes over HTTP), exactly as operators would do it.
"""
import json
import os
import signal
import socket
import subprocess
import time


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Node:
    def __init__(self, binary: str, root: str, name: str):
        self.binary = binary
        self.name = name
        self.dir = os.path.join(root, name)
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.created = self.json("init", "--name", name, "--public-url", self.url)
        self.server = None

    def run(self, *args: str, check: bool = True) -> subprocess.CompletedProcess:
        done = subprocess.run([self.binary, "--dir", self.dir, *args], capture_output=True, text=True)
        if check and done.returncode != 0:
            raise RuntimeError(f"{self.name}: entente {' '.join(args)} failed:\n{done.stderr}{done.stdout}")
        return done

    def json(self, *args: str):
        return json.loads(self.run(*args, "--json").stdout)

    @property
    def id(self) -> str:
        return self.created["identity_id"]

    def serve(self) -> None:
        env = dict(os.environ, RUST_LOG=os.environ.get("RUST_LOG", "warn"))
        self.server = subprocess.Popen(
            [self.binary, "--dir", self.dir, "serve", "--listen", f"127.0.0.1:{self.port}"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env,
        )
        deadline = time.time() + 20
        while time.time() < deadline:
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.2):
                    return
            except OSError:
                time.sleep(0.05)
        raise RuntimeError(f"{self.name} did not start serving")

    def stop(self, sig=signal.SIGTERM) -> None:
        if self.server and self.server.poll() is None:
            self.server.send_signal(sig)
            self.server.wait(timeout=30)
        self.server = None

    def relation(self, partner: "Node"):
        return self.json("relations", "show", partner.id)["relation"]

    def wait_for(self, partner: "Node", what: str, done, timeout: float = 30) -> dict:
        deadline = time.time() + timeout
        while True:
            relation = self.relation(partner)
            if done(relation):
                return relation
            if time.time() > deadline:
                raise RuntimeError(f"{self.name}: {what} did not happen; last view {relation}")
            time.sleep(0.1)


def conclude(a: Node, b: Node, workdir: str, edit=None) -> str:
    """Contact, recognition both ways, a treaty proposed by `a`, accepted and signed."""
    for us, them in ((a, b), (b, a)):
        us.json("relations", "contact", them.url)
        us.json("relations", "recognize", them.id, "--fingerprint", them.created["fingerprint"])
    a.wait_for(b, "recognition", lambda r: r["state"] == "recognized")
    b.wait_for(a, "recognition", lambda r: r["state"] == "recognized")
    treaty = json.loads(a.run("treaty", "template", "--with", b.id, "--json").stdout)
    now = time.gmtime(time.time() - 86400)
    treaty["terms"]["start_date"] = time.strftime("%Y-%m-%dT%H:%M:%SZ", now)
    treaty["terms"]["end_date"] = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(time.time() + 365 * 86400))
    treaty["created"] = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
    if edit:
        edit(treaty)
    path = os.path.join(workdir, f"treaty-{a.name}-{b.name}.json")
    with open(path, "w") as out:
        json.dump(treaty, out)
    proposed = a.json("relations", "propose", b.id, "--treaty", path)
    draft = proposed["relation"]["draft"]
    b.wait_for(a, "the proposal", lambda r: r["draft"] == draft)
    b.json("relations", "accept", a.id, "--draft", draft)
    a.wait_for(b, "the acceptance", lambda r: r["draft_accepted"])
    a.json("relations", "sign", b.id)
    b.wait_for(a, "the first signature", lambda r: "sign" in r["allowed_moves"] or r["state"] == "in-force")
    b.json("relations", "sign", a.id)
    a.wait_for(b, "the treaty in force", lambda r: r["state"] == "in-force")
    return draft
