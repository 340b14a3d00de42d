#!/usr/bin/env node
// The `leaklint` command of the npm package: finds the native binary in the platform package
// npm installed (one of the optionalDependencies, picked by their `os`, `cpu` and `libc`
// fields) and runs it with this process's arguments, standard streams and environment.
// Signals sent to this process are passed on, and it ends the way the binary ended: the same
// exit status, or the same signal. `LEAKLINT_BINARY` overrides the lookup.
"use strict";

const { spawn } = require("node:child_process");
const path = require("node:path");

/** True on Linux with glibc; false with musl (Alpine) or when it cannot be told. */
function isGlibc() {
  try {
    const report = process.report && process.report.getReport();
    return Boolean(report && report.header && report.header.glibcVersionRuntime);
  } catch {
    return false;
  }
}

/** Platform package names to try, best first. */
function candidates() {
  const { platform, arch } = process;
  if (platform === "linux") {
    // The musl build is static, so it also runs on glibc systems.
    return isGlibc()
      ? [`linux-${arch}-gnu`, `linux-${arch}-musl`]
      : [`linux-${arch}-musl`];
  }
  return [`${platform}-${arch}`];
}

function findBinary() {
  if (process.env.LEAKLINT_BINARY) {
    return process.env.LEAKLINT_BINARY;
  }
  const exe = process.platform === "win32" ? "leaklint.exe" : "leaklint";
  const tried = [];
  for (const suffix of candidates()) {
    const name = `@leaklint/cli-${suffix}`;
    tried.push(name);
    try {
      const manifest = require.resolve(`${name}/package.json`);
      return path.join(path.dirname(manifest), "bin", exe);
    } catch {
      // Not installed for this platform: try the next.
    }
  }
  process.stderr.write(
    `leaklint: no binary for ${process.platform}-${process.arch} ` +
      `(looked for ${tried.join(", ")}).\n` +
      "Reinstall without --omit=optional or --no-optional, or set LEAKLINT_BINARY to a " +
      "leaklint binary (`cargo install leaklint`).\n",
  );
  process.exit(2);
}

const child = spawn(findBinary(), process.argv.slice(2), { stdio: "inherit" });

// Pass signals on; the binary decides what they mean. SIGINT from a terminal reaches both
// processes anyway, and the binary's exit then ends this one.
const forwarded = ["SIGINT", "SIGTERM", "SIGHUP", "SIGQUIT"];
const handlers = forwarded.map((signal) => {
  const handler = () => {
    try {
      child.kill(signal);
    } catch {
      // Already gone.
    }
  };
  try {
    process.on(signal, handler);
  } catch {
    // Not a signal on this platform (Windows has no SIGQUIT handler).
  }
  return [signal, handler];
});

child.on("error", (error) => {
  process.stderr.write(`leaklint: cannot run ${child.spawnfile}: ${error.message}\n`);
  process.exit(2);
});

child.on("exit", (code, signal) => {
  for (const [name, handler] of handlers) {
    process.removeListener(name, handler);
  }
  if (signal) {
    // End by the same signal, so that the caller sees what the binary saw.
    process.kill(process.pid, signal);
    return;
  }
  process.exit(code === null ? 1 : code);
});
