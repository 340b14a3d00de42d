#!/usr/bin/env bash
# Coverage-guided fuzzing: runs each cargo-fuzz target for SECONDS, one after another, and
# prints each target's executions and coverage. Crashes (panics, stack overflows, timeouts,
# memory blow-ups) are kept in fuzz/artifacts/<target>/; each one belongs in a regression test.
#
# Usage: benches/fuzz.sh [SECONDS] [TARGET...]     (default: 600 seconds, every target)
# Needs cargo-fuzz (`cargo install cargo-fuzz`) and a nightly toolchain (`rustup toolchain
# install nightly`). Seeds come from fuzz/seed.sh (run first when fuzz/corpus is missing).
# FUZZ_SANITIZER=address runs with AddressSanitizer (slower; leaklint has no unsafe code of its
# own, so the default is none).
set -uo pipefail
secs=${1:-600}
shift || true
cd "$(dirname "$0")/../fuzz" || exit 2
all=(lint_js lint_jsx lint_ts lint_tsx snapshot snapshot_gzip config_directives lsp)
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=("${all[@]}")
[ -d corpus ] || ./seed.sh || exit 2
mkdir -p logs
toolchain=${FUZZ_TOOLCHAIN:-nightly}
failed=()
for t in "${targets[@]}"; do
  case "$t" in
    lint_* | config_directives) dict=js.dict max_len=65536 ;;
    snapshot*) dict=snapshot.dict max_len=16384 ;;
    lsp) dict=lsp.dict max_len=16384 ;;
    *) echo "unknown target $t (targets: ${all[*]})" >&2; exit 2 ;;
  esac
  mkdir -p "corpus/$t" "artifacts/$t"
  echo "== $t: $secs s" >&2
  # -timeout: one input taking longer is a hang; -rss_limit_mb: a blow-up. The lint targets
  # reserve 256 MiB stacks for leaklint's threads (virtual, not resident).
  cargo "+$toolchain" fuzz run --sanitizer "${FUZZ_SANITIZER:-none}" "$t" "corpus/$t" -- \
    -max_total_time="$secs" -dict="dict/$dict" -max_len="$max_len" -timeout=20 \
    -rss_limit_mb=3072 -print_final_stats=1 -artifact_prefix="artifacts/$t/" > "logs/$t.log" 2>&1
  status=$?
  # The last status line: `#N DONE cov: C ft: F corp: K/S exec/s: E rss: R`.
  summary=$(grep -E '^#[0-9]+' "logs/$t.log" | tail -1)
  echo "$t: exit $status; ${summary:-no status line, see fuzz/logs/$t.log}" >&2
  [ "$status" -eq 0 ] || failed+=("$t")
done
if [ ${#failed[@]} -gt 0 ]; then
  echo "crashes or errors in: ${failed[*]} (see fuzz/logs/ and fuzz/artifacts/)" >&2
  exit 1
fi
