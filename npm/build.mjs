#!/usr/bin/env node
// Builds the npm packages from compiled binaries:
//
//   node npm/build.mjs --out DIR [--binary TARGET=PATH]...
//
// writes DIR/leaklint (the launcher package, `npm/leaklint/` with the version of Cargo.toml
// and one optional dependency per platform) and, for each --binary, DIR/cli-<platform> (the
// package `@leaklint/cli-<platform>` holding that binary, restricted to its platform by
// `os`, `cpu` and `libc`). TARGET is a Rust target triple from the table below; PATH is the
// binary `cargo build --release --target TARGET` produced. Then `npm pack` or `npm publish`
// each folder. Uses nothing outside Node's standard library.
import { chmodSync, copyFileSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const repo = join(here, "..");

/** Rust target → npm platform package suffix and its `os`, `cpu`, `libc` fields. */
export const PLATFORMS = {
  "x86_64-unknown-linux-gnu": { suffix: "linux-x64-gnu", os: "linux", cpu: "x64", libc: "glibc" },
  "x86_64-unknown-linux-musl": { suffix: "linux-x64-musl", os: "linux", cpu: "x64", libc: "musl" },
  "aarch64-unknown-linux-gnu": { suffix: "linux-arm64-gnu", os: "linux", cpu: "arm64", libc: "glibc" },
  "aarch64-unknown-linux-musl": { suffix: "linux-arm64-musl", os: "linux", cpu: "arm64", libc: "musl" },
  "x86_64-apple-darwin": { suffix: "darwin-x64", os: "darwin", cpu: "x64" },
  "aarch64-apple-darwin": { suffix: "darwin-arm64", os: "darwin", cpu: "arm64" },
  "x86_64-pc-windows-msvc": { suffix: "win32-x64", os: "win32", cpu: "x64", exe: ".exe" },
  "aarch64-pc-windows-msvc": { suffix: "win32-arm64", os: "win32", cpu: "arm64", exe: ".exe" },
};

function usage(message) {
  process.stderr.write(`${message}\nusage: node npm/build.mjs --out DIR [--binary TARGET=PATH]...\n`);
  process.exit(2);
}

/** `version` from the [package] table of the root Cargo.toml. */
function cargoVersion() {
  const manifest = readFileSync(join(repo, "Cargo.toml"), "utf8");
  const pkg = manifest.split(/^\[/m).find((table) => table.startsWith("package]"));
  const match = pkg && pkg.match(/^version\s*=\s*"([^"]+)"/m);
  if (!match) usage("no package version in Cargo.toml");
  return match[1];
}

const common = (version) => ({
  version,
  license: "MIT",
  homepage: "https://github.com/leaklint/leaklint",
  repository: { type: "git", url: "git+https://github.com/leaklint/leaklint.git" },
});

function writeJson(path, value) {
  writeFileSync(path, `${JSON.stringify(value, null, 2)}\n`);
}

function buildLauncher(out, version) {
  const dir = join(out, "leaklint");
  mkdirSync(join(dir, "bin"), { recursive: true });
  const template = JSON.parse(readFileSync(join(here, "leaklint", "package.json"), "utf8"));
  const optionalDependencies = {};
  for (const { suffix } of Object.values(PLATFORMS)) {
    optionalDependencies[`@leaklint/cli-${suffix}`] = version;
  }
  writeJson(join(dir, "package.json"), { ...template, ...common(version), optionalDependencies });
  copyFileSync(join(here, "leaklint", "bin", "leaklint.js"), join(dir, "bin", "leaklint.js"));
  chmodSync(join(dir, "bin", "leaklint.js"), 0o755);
  copyFileSync(join(here, "leaklint", "README.md"), join(dir, "README.md"));
  copyFileSync(join(repo, "LICENSE"), join(dir, "LICENSE"));
  return dir;
}

function buildPlatform(out, version, target, binary) {
  const platform = PLATFORMS[target];
  if (!platform) usage(`unknown target ${target}; known: ${Object.keys(PLATFORMS).join(", ")}`);
  const name = `@leaklint/cli-${platform.suffix}`;
  const dir = join(out, `cli-${platform.suffix}`);
  mkdirSync(join(dir, "bin"), { recursive: true });
  const exe = `leaklint${platform.exe || ""}`;
  copyFileSync(binary, join(dir, "bin", exe));
  chmodSync(join(dir, "bin", exe), 0o755);
  writeJson(join(dir, "package.json"), {
    name,
    ...common(version),
    description: `The leaklint binary for ${platform.suffix} (installed by the leaklint package)`,
    os: [platform.os],
    cpu: [platform.cpu],
    ...(platform.libc ? { libc: [platform.libc] } : {}),
    files: [`bin/${exe}`],
    preferUnplugged: true,
  });
  writeFileSync(
    join(dir, "README.md"),
    `# ${name}\n\nThe \`leaklint\` binary for ${platform.suffix}. Install \`leaklint\` instead: ` +
      "it picks this package on this platform.\n",
  );
  copyFileSync(join(repo, "LICENSE"), join(dir, "LICENSE"));
  return dir;
}

function main(argv) {
  let out = null;
  const binaries = [];
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === "--out") out = argv[++i];
    else if (argv[i] === "--binary") {
      const [target, ...rest] = (argv[++i] || "").split("=");
      if (!target || rest.length === 0) usage(`--binary wants TARGET=PATH, not ${argv[i]}`);
      binaries.push([target, rest.join("=")]);
    } else usage(`unknown argument ${argv[i]}`);
  }
  if (!out) usage("--out is required");
  const version = cargoVersion();
  rmSync(out, { recursive: true, force: true });
  const made = [buildLauncher(out, version)];
  for (const [target, binary] of binaries) made.push(buildPlatform(out, version, target, binary));
  for (const dir of made) process.stdout.write(`${dir}\n`);
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  main(process.argv.slice(2));
}
