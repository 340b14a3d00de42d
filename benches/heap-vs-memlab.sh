#!/usr/bin/env bash
# Benchmark (not a test): `leaklint heap diff a b c` against `memlab find-leaks` on three
# snapshots of about 0.5 GB each, and `leaklint heap summary` (with dominators) on the first.
#
#   benches/heap-vs-memlab.sh [WORKDIR]
#
# Needs node and npm. Generates the snapshots with ../shared/heap/gen-big.js (one Node process:
# 900,000 records, then 100,000 more twice; ids stay comparable), installs memlab from npm into
# WORKDIR/memlab, and times each tool with /usr/bin/time -v (wall time and peak RSS), one at a
# time with a warm page cache. WORKDIR (default: a new temporary directory) keeps the snapshots
# between runs; about 1.7 GB of disk.
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
  # read snapshots.
  PUPPETEER_SKIP_DOWNLOAD=1 npm install --no-audit --no-fund --prefix "$work/memlab" memlab \
    >"$work/npm-install.log" 2>&1 || { cat "$work/npm-install.log" >&2; exit 1; }
fi
cargo build --release --quiet
leaklint="$repo/target/release/leaklint"
memlab="$work/memlab/node_modules/.bin/memlab"

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

cd "$work"
ls -l a.heapsnapshot b.heapsnapshot c.heapsnapshot
# Warm the page cache.
cat a.heapsnapshot b.heapsnapshot c.heapsnapshot >/dev/null

read -r s_wall s_rss < <(measure "$leaklint" heap summary a.heapsnapshot)
read -r d_wall d_rss < <(measure "$leaklint" heap diff a.heapsnapshot b.heapsnapshot c.heapsnapshot)
read -r m_wall m_rss < <(measure "$memlab" find-leaks \
  --baseline a.heapsnapshot --target b.heapsnapshot --final c.heapsnapshot)

echo
version=$(node -p "require('$work/memlab/node_modules/memlab/package.json').version" 2>/dev/null || echo '?')
echo "memlab $version, node $(node --version), $(nproc) cores"
printf '%-52s %10s %14s\n' "command" "wall (s)" "peak RSS (MB)"
printf '%-52s %10s %14d\n' "leaklint heap summary a" "$s_wall" $((s_rss / 1024))
printf '%-52s %10s %14d\n' "leaklint heap diff a b c" "$d_wall" $((d_rss / 1024))
printf '%-52s %10s %14d\n' "memlab find-leaks --baseline a --target b --final c" "$m_wall" $((m_rss / 1024))
awk -v d="$d_wall" -v m="$m_wall" 'BEGIN { if (d > 0) printf "leaklint heap diff is %.1fx faster than memlab find-leaks\n", m / d }'
