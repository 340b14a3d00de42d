#!/usr/bin/env bash
# Builds the seed corpora of the fuzz targets in fuzz/corpus/<target>/ from the repository's
# fixtures (rule fixtures, demo apps, a tiny snapshot, LSP sessions written here).
# Usage: fuzz/seed.sh [CORPUS_DIR]
#   CORPUS_DIR: also add up to 1,000 files (under 64 KiB) per syntax from a local tree of real npm code, such
#   as the shared benchmark corpus (~/.cache/leaklint-corpus/pkgs, made by make-corpus.sh).
# Existing corpus files are kept: libFuzzer adds what it finds next to them.
set -euo pipefail
cd "$(dirname "$0")"
repo=..
for t in lint_js lint_jsx lint_ts lint_tsx snapshot snapshot_gzip config_directives lsp; do
  mkdir -p "corpus/$t"
done
# Content-addressed names: running the script twice adds nothing twice.
add() { # add TARGET FILE
  local sum
  sum=$(sha1sum "$2" | cut -c1-16)
  cp "$2" "corpus/$1/seed-$sum"
}
while IFS= read -r -d '' f; do
  case "$f" in
    *.tsx) add lint_tsx "$f" ;;
    *.ts | *.mts | *.cts) add lint_ts "$f" ;;
    *.jsx) add lint_jsx "$f" ;;
    *.js | *.mjs | *.cjs) add lint_js "$f"; add lint_jsx "$f" ;;
  esac
done < <(find "$repo/fixtures" -type f -size -64k -print0)

# Configurations (with a NUL and a file of directives behind them).
directives=$(mktemp)
trap 'rm -f "$directives"' EXIT
cat > "$directives" <<'JS'
// leaklint-disable-next-line listener-leak, no-such-rule -- reason
process.on('x', () => {});
/* leaklint-disable timer-leak */
setInterval(() => {}, 10); // leaklint-disable-line
JS
while IFS= read -r -d '' f; do
  out=$(mktemp)
  { cat "$f"; printf '\0'; cat "$directives"; } > "$out"
  add config_directives "$out"
  rm -f "$out"
done < <(find "$repo/fixtures" -name 'leaklint.toml' -print0)
out=$(mktemp)
{ printf '[rules]\nlistener-leak = "warn"\nignore = ["dist/**"]\n[knowledge]\nlong_lived = ["bus"]\n\0'; cat "$directives"; } > "$out"
add config_directives "$out"
rm -f "$out"

# Snapshots: a tiny one written by hand (the demo apps' are megabytes, beyond -max_len).
add snapshot seeds/snapshot/tiny.heapsnapshot
add snapshot_gzip seeds/snapshot/tiny.heapsnapshot

# LSP: a session that opens, changes, asks and shuts down, framed as a client sends it.
python3 - corpus/lsp <<'PY'
import json, sys, hashlib, os
def frame(m):
    b = json.dumps(m).encode()
    return b"Content-Length: %d\r\n\r\n" % len(b) + b
uri = "file:///fuzz/src/app.js"
text = "const bus = require('./bus');\napp.get('/', (req, res) => { bus.on('x', () => res.end()); });\n"
msgs = [
    {"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {"rootUri": "file:///fuzz", "capabilities": {"textDocument": {"diagnostic": {}}}}},
    {"jsonrpc": "2.0", "method": "initialized", "params": {}},
    {"jsonrpc": "2.0", "method": "textDocument/didOpen", "params": {"textDocument": {"uri": uri, "languageId": "javascript", "version": 1, "text": text}}},
    {"jsonrpc": "2.0", "method": "textDocument/didChange", "params": {"textDocument": {"uri": uri, "version": 2}, "contentChanges": [{"range": {"start": {"line": 0, "character": 0}, "end": {"line": 0, "character": 5}}, "text": "let"}]}},
    {"jsonrpc": "2.0", "id": 2, "method": "textDocument/diagnostic", "params": {"textDocument": {"uri": uri}}},
    {"jsonrpc": "2.0", "id": 3, "method": "textDocument/hover", "params": {"textDocument": {"uri": uri}, "position": {"line": 1, "character": 40}}},
    {"jsonrpc": "2.0", "id": 4, "method": "textDocument/codeAction", "params": {"textDocument": {"uri": uri}, "range": {"start": {"line": 1, "character": 0}, "end": {"line": 1, "character": 10}}, "context": {"diagnostics": []}}},
    {"jsonrpc": "2.0", "method": "workspace/didChangeConfiguration", "params": {"settings": {"leaklint": {"run": "onSave"}}}},
    {"jsonrpc": "2.0", "method": "textDocument/didClose", "params": {"textDocument": {"uri": uri}}},
    {"jsonrpc": "2.0", "id": 5, "method": "shutdown", "params": None},
    {"jsonrpc": "2.0", "method": "exit", "params": None},
]
session = b"".join(frame(m) for m in msgs)
broken = b"Content-Length: abc\r\n\r\n" + json.dumps(msgs[4]).encode() + session
for data in (session, broken):
    name = "seed-" + hashlib.sha1(data).hexdigest()[:16]
    open(os.path.join(sys.argv[1], name), "wb").write(data)
PY

if [ $# -ge 1 ]; then
  # Up to 1,000 files of each target, spread over the tree (every 7th file in path order).
  declare -A count=()
  i=0
  while IFS= read -r -d '' f; do
    i=$((i + 1))
    [ $((i % 7)) -eq 0 ] || continue
    case "$f" in
      *.d.ts | *.d.mts | *.d.cts) continue ;;
      *.tsx) t=lint_tsx ;;
      *.ts | *.mts | *.cts) t=lint_ts ;;
      *.jsx) t=lint_jsx ;;
      *) t=lint_js ;;
    esac
    [ "${count[$t]:-0}" -lt 1000 ] || continue
    add "$t" "$f"
    count[$t]=$((${count[$t]:-0} + 1))
  done < <(find "$1" -type f -size -64k \( -name '*.js' -o -name '*.mjs' -o -name '*.cjs' -o -name '*.jsx' -o -name '*.ts' -o -name '*.tsx' -o -name '*.mts' -o -name '*.cts' \) -print0 | sort -z)
  for t in "${!count[@]}"; do echo "added ${count[$t]} files to $t from $1" >&2; done
fi
for t in corpus/*; do echo "$t: $(ls "$t" | wc -l) seeds" >&2; done
