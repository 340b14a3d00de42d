#!/usr/bin/env bash
# Runs leaklint for the action: SARIF to a file (for upload-sarif) or GitHub annotations, with
# paths relative to the repository root. Records the exit status as the step output
# `exit-code` instead of failing, so that the upload step still runs; the action's last step
# fails the job from it.
#
# Environment: LEAKLINT_PATHS (space-separated paths, default "."), LEAKLINT_ARGS (more
# options, split on spaces), LEAKLINT_MODE (sarif | annotations), LEAKLINT_SARIF (output file),
# LEAKLINT_CATEGORY (SARIF category, may be empty), GITHUB_WORKSPACE, GITHUB_OUTPUT.
set -uo pipefail
read -r -a paths <<<"${LEAKLINT_PATHS:-.}"
read -r -a extra <<<"${LEAKLINT_ARGS:-}"
root="${GITHUB_WORKSPACE:-$PWD}"
case "${LEAKLINT_MODE:-sarif}" in
  sarif)
    options=(--format sarif --output "${LEAKLINT_SARIF:-leaklint.sarif}" --root "$root")
    if [ -n "${LEAKLINT_CATEGORY:-}" ]; then options+=(--category "$LEAKLINT_CATEGORY"); fi
    ;;
  annotations) options=(--format github --root "$root") ;;
  *) echo "::error::mode must be sarif or annotations, not ${LEAKLINT_MODE}" >&2; exit 2 ;;
esac
leaklint "${paths[@]}" "${extra[@]}" "${options[@]}"
status=$?
echo "exit-code=$status" >>"${GITHUB_OUTPUT:?}"
exit 0
