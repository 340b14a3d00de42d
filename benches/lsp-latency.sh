#!/usr/bin/env bash
# Benchmark: how long `leaklint lsp` takes to re-diagnose a 5,000-line file after an edit, as
# an editor sees it: from writing a `textDocument/didChange` to reading the
# `textDocument/publishDiagnostics` for that version. Not a test: run it by hand.
#
#   benches/lsp-latency.sh [EDITS]        (default 300)
#
# Builds leaklint in release mode (into cargo's target directory: `CARGO_TARGET_DIR` when
# set), writes a 5,000-line Express app (route handlers, helpers, classes, and two leaks near
# the end), opens it, and sends EDITS incremental edits one after
# the other, each waiting for its diagnostics: typing a character into a string on a middle
# line, and every tenth edit toggling a leak on and off (so the diagnostics change). Prints the
# median, p95 and max latency, and the server's own lint time (LEAKLINT_TIMINGS).
# Needs python3 (standard library only).
set -euo pipefail
edits=${1:-300}
here=$(cd "$(dirname "$0")/.." && pwd)
cargo build --release --quiet --bin leaklint --manifest-path "$here/Cargo.toml"
# Where cargo put it: CARGO_TARGET_DIR, a configured target-dir, or ./target.
target_dir=$(cargo metadata --format-version 1 --no-deps --manifest-path "$here/Cargo.toml" |
  python3 -c 'import json, sys; print(json.load(sys.stdin)["target_directory"])')
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
LEAKLINT="$target_dir/release/leaklint" EDITS="$edits" WORK="$work" python3 - <<'PY'
import json, os, pathlib, queue, re, statistics, subprocess, threading, time

leaklint, edits, work = os.environ["LEAKLINT"], int(os.environ["EDITS"]), pathlib.Path(os.environ["WORK"])

head = """'use strict';
const express = require('express');
const { EventEmitter } = require('events');
const bus = new EventEmitter();
const cache = new Map();
const app = express();
"""
block = """
// Section {i}: orders.
const limit{i} = {i} * 2;
function format{i}(order) {{
  const parts = [order.id, order.total, limit{i}];
  return parts.map((p) => String(p)).join('-');
}}
app.get('/orders/{i}/:id', async (req, res) => {{
  const id = req.params.id;
  const found = await lookup{i}(id);
  if (!found) {{
    res.status(404).json({{ error: 'not found', id }});
    return;
  }}
  res.json({{ order: format{i}(found), at: Date.now() }});
}});
async function lookup{i}(id) {{
  const rows = [1, 2, 3].filter((x) => x > {i} % 3);
  return rows.length ? {{ id, total: rows[0] * {i} }} : null;
}}
class Service{i} {{
  constructor(db) {{ this.db = db; this.name = 'svc{i}'; }}
  describe() {{ return `${{this.name}} ${{limit{i}}}`; }}
}}
module.exports.Service{i} = Service{i};
"""
tail = """
app.get('/wait', (req, res) => {
  bus.on('done', () => res.end('ok'));
});
app.post('/remember', (req, res) => {
  cache.set(req.body.id, req.body);
  res.end();
});
"""
parts, i = [head], 0
while sum(p.count("\n") for p in parts) + tail.count("\n") < 5000:
    parts.append(block.format(i=i))
    i += 1
text = "".join(parts) + tail
lines = text.split("\n")
path = work / "app.js"
path.write_text(text)
uri = path.as_uri()
# Where the edits go: inside the string 'not found' of a middle section, and the `bus` of the leak.
typing_line = next(n for n in range(len(lines) // 2, len(lines)) if "'not found'" in lines[n])
typing_col = lines[typing_line].index("not found")
leak_line = next(n for n, l in enumerate(lines) if l.startswith("  bus.on("))

stderr = open(work / "stderr.txt", "w")
server = subprocess.Popen([leaklint, "lsp"], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                          stderr=stderr, env={**os.environ, "LEAKLINT_TIMINGS": "1"})
inbox = queue.Queue()

def reader():
    out = server.stdout
    while True:
        length = None
        while True:
            line = out.readline()
            if not line:
                return
            line = line.strip()
            if not line:
                break
            if line.lower().startswith(b"content-length:"):
                length = int(line.split(b":")[1])
        body = out.read(length)
        inbox.put((time.perf_counter(), json.loads(body)))

threading.Thread(target=reader, daemon=True).start()

def send(message):
    body = json.dumps(message).encode()
    server.stdin.write(b"Content-Length: %d\r\n\r\n" % len(body) + body)
    server.stdin.flush()

def wait(pred):
    while True:
        at, m = inbox.get(timeout=60)
        if pred(m):
            return at, m

def published(version):
    return lambda m: m.get("method") == "textDocument/publishDiagnostics" and m["params"].get("version") == version

send({"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {
    "processId": os.getpid(), "rootUri": work.as_uri(),
    "capabilities": {"textDocument": {"publishDiagnostics": {"relatedInformation": True}}}}})
wait(lambda m: m.get("id") == 1)
send({"jsonrpc": "2.0", "method": "initialized", "params": {}})
opened = time.perf_counter()
send({"jsonrpc": "2.0", "method": "textDocument/didOpen", "params": {"textDocument": {
    "uri": uri, "languageId": "javascript", "version": 1, "text": text}}})
at, m = wait(published(1))
first = (at - opened) * 1000
count_at_open = len(m["params"]["diagnostics"])

latencies, counts = [], set()
col, leak_on = typing_col, True
for version in range(2, edits + 2):
    if version % 10 == 0:
        word = "res" if leak_on else "bus"  # toggles the listener-leak finding
        leak_on = not leak_on
        change = {"range": {"start": {"line": leak_line, "character": 2},
                            "end": {"line": leak_line, "character": 5}}, "text": word}
    else:
        change = {"range": {"start": {"line": typing_line, "character": col},
                            "end": {"line": typing_line, "character": col}}, "text": "x"}
        col += 1
    sent = time.perf_counter()
    send({"jsonrpc": "2.0", "method": "textDocument/didChange", "params": {
        "textDocument": {"uri": uri, "version": version}, "contentChanges": [change]}})
    at, m = wait(published(version))
    latencies.append((at - sent) * 1000)
    counts.add(len(m["params"]["diagnostics"]))

send({"jsonrpc": "2.0", "id": 2, "method": "shutdown", "params": None})
wait(lambda m: m.get("id") == 2)
send({"jsonrpc": "2.0", "method": "exit", "params": None})
server.wait(timeout=30)
stderr.close()
lint_ms = [float(x) for x in re.findall(r"in ([0-9.]+) ms", (work / "stderr.txt").read_text())][1:]

latencies.sort()
q = lambda xs, p: xs[min(len(xs) - 1, int(round(p * (len(xs) - 1))))]
print(f"file: {len(lines)} lines, {len(text.encode()) / 1024:.0f} KiB; cores: {os.cpu_count()}")
print(f"open -> first diagnostics: {first:.1f} ms ({count_at_open} findings)")
print(f"didChange -> publishDiagnostics over {len(latencies)} edits: "
      f"median {statistics.median(latencies):.1f} ms, p95 {q(latencies, 0.95):.1f} ms, "
      f"max {latencies[-1]:.1f} ms (findings per publish: {sorted(counts)})")
if lint_ms:
    lint_ms.sort()
    print(f"server lint time per edit: median {statistics.median(lint_ms):.1f} ms, p95 {q(lint_ms, 0.95):.1f} ms")
PY
