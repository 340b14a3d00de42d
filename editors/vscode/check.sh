#!/usr/bin/env bash
# Builds the VS Code extension and packages it as vsce does for the Marketplace: npm ci
# (from the registry, exact versions of package-lock.json), tsc, `vsce package`, then checks
# that the package holds the compiled extension and its language client. Run by .ci/run.
set -euo pipefail
cd "$(dirname "$0")"
npm ci --no-audit --no-fund
npm run compile
npx vsce package --out leaklint.vsix
listing=$(python3 -c 'import sys, zipfile; print("\n".join(zipfile.ZipFile(sys.argv[1]).namelist()))' leaklint.vsix)
for member in extension/package.json extension/out/extension.js extension/node_modules/vscode-languageclient/package.json extension/LICENSE.txt; do
  grep -qx "$member" <<<"$listing" || { echo "leaklint.vsix lacks $member" >&2; exit 1; }
done
if grep -q '^extension/src/' <<<"$listing"; then echo "leaklint.vsix ships the TypeScript sources" >&2; exit 1; fi
echo "leaklint.vsix: $(wc -l <<<"$listing") files"
