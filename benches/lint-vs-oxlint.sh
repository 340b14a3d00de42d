#!/usr/bin/env bash
# Benchmark: leaklint against oxlint on the same tree (the shared lint corpus of ~16k files of
# real npm code), several runs each, interleaved, medians and ratio. Not a test: run it by hand.
#
#   benches/lint-vs-oxlint.sh [RUNS]        (default 5)
#
# Builds leaklint in release mode, builds the corpus with ../shared/bench/make-corpus.sh, and
# installs oxlint from npm into a temporary folder (pinned version below).
#
# On a shared machine wall and CPU times vary by a fifth from run to run; with INSTRUCTIONS=1
# (and valgrind installed) the script also counts the instructions of one leaklint run, which
# does not depend on the load (cachegrind, a few minutes; the per-file budget is off, since under
# valgrind the largest file would overrun it).
set -euo pipefail
runs=${1:-5}
here=$(cd "$(dirname "$0")/.." && pwd)
make_corpus="$here/../shared/bench/make-corpus.sh"
oxlint_version=1.94.0

corpus=$("$make_corpus")
cargo build --release --quiet --manifest-path "$here/Cargo.toml"
# Where cargo put it (its target directory may be set by CARGO_TARGET_DIR or a configuration).
target_dir=$(cargo metadata --format-version 1 --no-deps --manifest-path "$here/Cargo.toml" |
  sed -n 's/.*"target_directory":"\([^"]*\)".*/\1/p')
leaklint="$target_dir/release/leaklint"

tools=$(mktemp -d)
trap 'rm -rf "$tools"' EXIT
npm install --prefix "$tools" --no-audit --no-fund --loglevel=error "oxlint@$oxlint_version" >&2
oxlint="$tools/node_modules/.bin/oxlint"

# Wall time of one run in seconds. Exit status 1 means "findings", not failure.
time_run() {
  local start end status=0
  start=$(date +%s.%N)
  "$@" >/dev/null 2>&1 || status=$?
  end=$(date +%s.%N)
  if [ "$status" -gt 1 ]; then echo "failed ($status): $*" >&2; exit 1; fi
  echo "$end - $start" | bc -l
}

median() { sort -g | awk '{a[NR]=$1} END {print (NR % 2) ? a[(NR+1)/2] : (a[NR/2] + a[NR/2+1]) / 2}'; }

echo "corpus: $corpus ($(find "$corpus" -type f \( -name '*.js' -o -name '*.mjs' -o -name '*.cjs' -o -name '*.ts' -o -name '*.mts' -o -name '*.cts' -o -name '*.tsx' -o -name '*.jsx' \) | wc -l) JS/TS files on disk)"
echo "leaklint: $("$leaklint" --version)   oxlint: $("$oxlint" --version)   cores: $(nproc)"

# One warm-up run of each fills the page cache.
"$leaklint" --format compact "$corpus" >/dev/null 2>&1 || true
"$oxlint" "$corpus" >/dev/null 2>&1 || true

: >"$tools/leaklint.times"; : >"$tools/oxlint.times"
for _ in $(seq "$runs"); do
  time_run "$leaklint" --format compact "$corpus" >>"$tools/leaklint.times"
  time_run "$oxlint" "$corpus" >>"$tools/oxlint.times"
done

l=$(median <"$tools/leaklint.times")
o=$(median <"$tools/oxlint.times")
printf 'leaklint runs: %s\n' "$(tr '\n' ' ' <"$tools/leaklint.times")"
printf 'oxlint runs:   %s\n' "$(tr '\n' ' ' <"$tools/oxlint.times")"
printf 'median wall time: leaklint %.3f s, oxlint %.3f s, ratio leaklint/oxlint %.2f\n' "$l" "$o" "$(echo "$l / $o" | bc -l)"
echo "oxlint's own summary: $("$oxlint" "$corpus" 2>&1 | grep -E 'Finished in' || true)"
echo "leaklint phase profile (summed over files and threads):"
# leaklint exits 1 when it finds something: keep that from failing the pipeline.
{ LEAKLINT_TIMINGS=1 "$leaklint" --format compact "$corpus" 2>&1 >/dev/null || true; } | grep -E '^timing' || true
if [ "${INSTRUCTIONS:-}" = 1 ] && command -v valgrind >/dev/null; then
  { valgrind --tool=cachegrind --cache-sim=no --cachegrind-out-file=/dev/null \
      "$leaklint" --file-budget 0 --format compact "$corpus" >/dev/null 2>"$tools/cg.txt" || true; }
  echo "leaklint instructions: $(sed -n 's/.*I *refs: *//p' "$tools/cg.txt")"
fi
# Peak resident memory of one run of each (GNU time's "Maximum resident set size", in KB).
if [ -x /usr/bin/time ]; then
  peak() { { /usr/bin/time -v "$@" >/dev/null 2>"$tools/time.txt" || true; } ; awk -F': ' '/Maximum resident/ {print $2}' "$tools/time.txt"; }
  echo "peak memory: leaklint $(peak "$leaklint" --format compact "$corpus") KB, oxlint $(peak "$oxlint" "$corpus") KB"
fi
