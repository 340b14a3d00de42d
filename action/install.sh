#!/usr/bin/env bash
# Installs a released leaklint binary for this runner: downloads the archive that
# .github/workflows/release.yml attached to the release, unpacks it into
# "$RUNNER_TEMP/leaklint/bin" and adds that folder to the job's PATH ($GITHUB_PATH).
#
# Environment: LEAKLINT_VERSION (X.Y.Z or vX.Y.Z; required), RUNNER_OS, RUNNER_ARCH,
# RUNNER_TEMP, GITHUB_PATH (set by GitHub Actions), LEAKLINT_RELEASES (where releases are
# downloaded from; default https://github.com/leaklint/leaklint/releases/download).
set -euo pipefail
version="${LEAKLINT_VERSION:?set the action input version (a release, e.g. 0.1.0)}"
version="v${version#v}"
releases="${LEAKLINT_RELEASES:-https://github.com/leaklint/leaklint/releases/download}"
case "${RUNNER_OS:?}-${RUNNER_ARCH:?}" in
  Linux-X64) target=x86_64-unknown-linux-musl ;;
  Linux-ARM64) target=aarch64-unknown-linux-musl ;;
  macOS-X64) target=x86_64-apple-darwin ;;
  macOS-ARM64) target=aarch64-apple-darwin ;;
  Windows-X64) target=x86_64-pc-windows-msvc ;;
  Windows-ARM64) target=aarch64-pc-windows-msvc ;;
  *) echo "::error::leaklint has no release binary for $RUNNER_OS on $RUNNER_ARCH" >&2; exit 1 ;;
esac
bin="${RUNNER_TEMP:?}/leaklint/bin"
mkdir -p "$bin"
if [ "$RUNNER_OS" = Windows ]; then
  archive="leaklint-$target.zip"
  curl --fail --silent --show-error --location --retry 3 -o "$bin/$archive" "$releases/$version/$archive"
  unzip -o -q "$bin/$archive" -d "$bin"
else
  archive="leaklint-$target.tar.gz"
  curl --fail --silent --show-error --location --retry 3 -o "$bin/$archive" "$releases/$version/$archive"
  tar -xzf "$bin/$archive" -C "$bin"
fi
rm -f "$bin/$archive"
echo "$bin" >>"${GITHUB_PATH:?}"
"$bin/leaklint" --version
