#!/usr/bin/env bash
# Benchmark (not a test): `leaklint heap diff a b c` against `memlab find-leaks` on three
# snapshots of about 0.5 GB each, `leaklint heap summary` (with dominators) on the first, and
# `leaklint confirm` of two findings on the generator (a growing array, closures retaining its
# records: the `closure` kind makes confirm compute dominators in every snapshot).
#
#   benches/heap-vs-memlab.sh [WORKDIR]
#
# Needs node and npm. Generates the snapshots with ../shared/heap/gen-big.js (one Node process:
# 900,000 records, then 100,000 more twice; ids stay comparable), installs memlab from npm into
# WORKDIR/memlab, and times each tool with /usr/bin/time -v (wall time and peak RSS), one at a
# time with a warm page cache. WORKDIR (default: a new temporary directory) keeps the snapshots
# between runs; about 1.7 GB of disk. The leaklint binary is built into cargo's target
# directory (`CARGO_TARGET_DIR` when set).
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$(pwd)
work=${1:-$(mktemp -d -t leaklint-heap-bench.XXXXXX)}
mkdir -p "$work"
gen="$repo/../shared/heap/gen-big.js"

if [[ ! -s "$work/c.heapsnapshot" ]]; then
  echo "generating snapshots in $work (about a minute, ~3 GB of RAM in node)"
  (cd "$work" && node --max-old-space-size=8192 "$gen" \
    a.heapsnapshot:900000 b.heapsnapshot:100000 c.heapsnapshot:100000)
fi
if [[ ! -x "$work/memlab/node_modules/.bin/memlab" ]]; then
  echo "installing memlab into $work/memlab"
  # memlab depends on puppeteer, whose install script would download a browser: not needed to
  # read snapshots (no install scripts, and the download turned off should one run anyway).
  PUPPETEER_SKIP_DOWNLOAD=1 npm install --ignore-scripts --no-audit --no-fund \
    --prefix "$work/memlab" memlab \
    >"$work/npm-install.log" 2>&1 || { cat "$work/npm-install.log" >&2; exit 1; }
fi
cargo build --release --quiet --bin leaklint
# Where cargo put it: CARGO_TARGET_DIR, a configured target-dir, or ./target.
target_dir=$(cargo metadata --format-version 1 --no-deps |
  node -e 'let s = ""; process.stdin.on("data", (d) => (s += d)).on("end", () =>
    console.log(JSON.parse(s).target_directory))')
leaklint="$target_dir/release/leaklint"
# memlab's launcher starts with `#!/usr/bin/env node --expose-gc --max-old-space-size=4096`,
# which env runs as one program name on Linux (it never starts): give node those flags here.
memlab_js="$work/memlab/node_modules/.bin/memlab"

# Runs a command under /usr/bin/time -v; prints "wall_seconds peak_rss_kB".
measure() {
  local log
  log=$(mktemp)
  /usr/bin/time -v "$@" >/dev/null 2>"$log" || { cat "$log" >&2; rm -f "$log"; return 1; }
  local wall rss
  wall=$(awk -F': ' '/Elapsed \(wall clock\)/ { n = split($2, t, ":"); s = 0;
    for (i = 1; i <= n; i++) s = s * 60 + t[i]; print s }' "$log")
  rss=$(awk -F': ' '/Maximum resident set size/ { print $2 }' "$log")
  rm -f "$log"
  echo "$wall $rss"
}

# Two findings on gen-big.js, as `leaklint --format json` writes them: `records` grows by
# 100,000 entries per snapshot (line 38), and every 8th record is kept by an `onRecord` closure
# through its `captured` variable (line 42).
cat >"$work/findings.json" <<'JSON'
{ "version": 1, "files": [ { "path": "gen-big.js", "findings": [
  { "rule": "unbounded-cache", "message": "records grows without bound",
    "start": { "line": 38, "column": 5 },
    "signature": { "kind": "collection", "receiver": null, "event": null, "collection": "records",
      "access_path": null, "retained": null, "call": { "line": 38, "column": 5 }, "function": null } },
  { "rule": "closure-retains-large", "message": "onRecord retains captured",
    "start": { "line": 42, "column": 19 },
    "signature": { "kind": "closure", "receiver": null, "event": null, "collection": null,
      "access_path": null, "retained": "captured", "call": { "line": 42, "column": 5 },
      "function": { "line": 42, "column": 19 } } } ] } ] }
JSON

cd "$work"
ls -l a.heapsnapshot b.heapsnapshot c.heapsnapshot
# Warm the page cache.
cat a.heapsnapshot b.heapsnapshot c.heapsnapshot >/dev/null

read -r s_wall s_rss < <(measure "$leaklint" heap summary a.heapsnapshot)
read -r d_wall d_rss < <(measure "$leaklint" heap diff a.heapsnapshot b.heapsnapshot c.heapsnapshot)
# confirm exits 1 when it confirms a finding: that is the expected outcome here.
read -r c_wall c_rss < <(measure sh -c '"$0" confirm --snapshots a.heapsnapshot b.heapsnapshot \
  c.heapsnapshot --findings findings.json; test $? -le 1' "$leaklint")
read -r m_wall m_rss < <(measure node --expose-gc --max-old-space-size=4096 "$memlab_js" find-leaks \
  --baseline a.heapsnapshot --target b.heapsnapshot --final c.heapsnapshot)

echo
version=$(node -p "require('$work/memlab/node_modules/memlab/package.json').version" 2>/dev/null || echo '?')
echo "memlab $version, node $(node --version), $(nproc) cores"
printf '%-52s %10s %14s\n' "command" "wall (s)" "peak RSS (MB)"
printf '%-52s %10s %14d\n' "leaklint heap summary a" "$s_wall" $((s_rss / 1024))
printf '%-52s %10s %14d\n' "leaklint heap diff a b c" "$d_wall" $((d_rss / 1024))
printf '%-52s %10s %14d\n' "leaklint confirm --snapshots a b c --findings f" "$c_wall" $((c_rss / 1024))
printf '%-52s %10s %14d\n' "memlab find-leaks --baseline a --target b --final c" "$m_wall" $((m_rss / 1024))
awk -v d="$d_wall" -v m="$m_wall" 'BEGIN { if (d > 0) printf "leaklint heap diff is %.1fx faster than memlab find-leaks\n", m / d }'
