# Sourced by the benchmarks that serve a node (bench/run.sh, bench/web.sh); needs $bin.
# Gives a temporary $work directory, removed at exit together with the server, and
# serve_node DIR: `entente serve` for the node in DIR on a free loopback $port, once
# /healthz answers ($server_pid is its process).
work=$(mktemp -d)
server_pid=""
cleanup() { [ -n "$server_pid" ] && kill "$server_pid" 2>/dev/null; rm -rf "$work"; }
trap cleanup EXIT

serve_node() {
  port=$(python3 -c "import socket;s=socket.socket();s.bind(('127.0.0.1',0));print(s.getsockname()[1])")
  RUST_LOG=warn "$bin" --dir "$1" serve --listen "127.0.0.1:$port" &
  server_pid=$!
  for _ in $(seq 100); do curl -sf "http://127.0.0.1:$port/healthz" >/dev/null && break; sleep 0.1; done
}
