//! `--cache`: the real binary, cold then warm, then with files changed; every cached run must
//! report exactly what a run without the cache reports, including a finding whose message
//! depends on another file.

mod cli_support;

use std::path::Path;

use cli_support::{leaklint, project, write};

const PRESENCE: &str = "// A presence store: one entry per user id ever seen, never removed.
class Presence {
  constructor() {
    this.lastSeen = new Map();
  }

  touch(userId) {
    this.lastSeen.set(userId, Date.now());
  }
}

module.exports = Presence;
";

const SERVER: &str = "const http = require('http');
const { Server } = require('socket.io');
const Presence = require('./presence');

const presence = new Presence();
const server = http.createServer();
const io = new Server(server);

io.on('connection', (socket) => {
  socket.on('heartbeat', (userId) => presence.touch(userId));
});

server.listen(8080);
";

/// A file of its own, with a finding that depends on nothing else.
const ALONE: &str = "const express = require('express');
const { EventEmitter } = require('events');
const bus = new EventEmitter();
const app = express();
app.get('/wait', (req, res) => {
  bus.on('done', () => res.end('ok'));
});
";

fn setup(dir: &Path) {
    write(dir, "presence.js", PRESENCE);
    write(dir, "server.js", SERVER);
    write(dir, "alone.js", ALONE);
}

/// The report's files (findings, suppressions, parse errors), without run-level fields.
fn files(dir: &Path, extra: &[&str]) -> (Option<i32>, serde_json::Value, String) {
    let mut args = vec!["--format", "json", "."];
    args.extend_from_slice(extra);
    let run = leaklint(dir, &args);
    let report = run.json();
    (run.code, report["files"].clone(), run.stderr)
}

/// Runs with `--cache` (plus `extra`) and without, asserts the same report and exit status,
/// and returns the cached run's stderr.
#[track_caller]
fn same_as_uncached(dir: &Path, extra: &[&str]) -> String {
    same_as_uncached_with(dir, &[], extra)
}

/// [`same_as_uncached`] with `cache_args` (`--cache-location ...`) given to the cached run only.
#[track_caller]
fn same_as_uncached_with(dir: &Path, cache_args: &[&str], extra: &[&str]) -> String {
    let mut with_cache = vec!["--cache"];
    with_cache.extend_from_slice(cache_args);
    with_cache.extend_from_slice(extra);
    let (code, cached, stderr) = files(dir, &with_cache);
    let (code_plain, plain, _) = files(dir, extra);
    assert_eq!(code, code_plain, "exit status; stderr: {stderr}");
    assert_eq!(
        cached, plain,
        "report with --cache differs; stderr: {stderr}"
    );
    stderr
}

/// `(results reused, files linted)` from the `LEAKLINT_TIMINGS` line of a cached run.
fn cache_counts(dir: &Path) -> (usize, usize) {
    let (_, numbers) = cli_support::timed(dir, &["--cache", "--format", "json", "."], "cache:");
    (numbers[0], numbers[1])
}

fn message_in(report: &serde_json::Value, path: &str) -> Vec<String> {
    report
        .as_array()
        .expect("files")
        .iter()
        .filter(|f| f["path"] == path)
        .flat_map(|f| f["findings"].as_array().expect("findings").clone())
        .map(|p| p["message"].as_str().expect("message").to_owned())
        .collect()
}

#[test]
fn cold_warm_and_changed_runs_report_what_an_uncached_run_does() {
    let dir = project();
    let dir = dir.path();
    setup(dir);

    // Cold: everything is linted, and the cache file appears at its default place.
    same_as_uncached(dir, &[]);
    assert!(dir.join(".leaklintcache").is_file());

    // Warm, nothing changed: nothing is linted.
    let (reused, linted) = cache_counts(dir);
    assert_eq!(linted, 0, "warm run linted files ({reused} reused)");
    assert!(reused >= 3);
    same_as_uncached(dir, &[]);

    // One file changed on its own: only it is linted again.
    write(dir, "alone.js", ALONE.replace("'done'", "'finished'"));
    let (_, linted) = cache_counts(dir);
    assert_eq!(linted, 1, "only alone.js changed");
    same_as_uncached(dir, &[]);

    // Cross-file: the finding in presence.js names the line of server.js that registers the
    // handler. Two lines added to server.js move it; presence.js itself did not change, yet its
    // message must follow.
    let (_, before, _) = files(dir, &[]);
    let before = message_in(&before, "presence.js");
    assert!(
        before.iter().any(|m| m.contains("server.js:10")),
        "presence.js is flagged through server.js: {before:?}"
    );
    write(dir, "server.js", format!("// moved\n// down\n{SERVER}"));
    same_as_uncached(dir, &[]);
    let (_, after, _) = files(dir, &["--cache"]);
    let after = message_in(&after, "presence.js");
    assert!(
        after.iter().any(|m| m.contains("server.js:12")),
        "presence.js follows server.js: {after:?}"
    );

    // Cross-file, the other way: the handler is gone, the per-connection finding with it.
    write(
        dir,
        "server.js",
        SERVER.replace(
            "socket.on('heartbeat', (userId) => presence.touch(userId));",
            "socket.emit('hello');",
        ),
    );
    same_as_uncached(dir, &[]);
    let (_, gone, _) = files(dir, &["--cache"]);
    assert!(
        !message_in(&gone, "presence.js")
            .iter()
            .any(|m| m.contains("server.js")),
        "no chain through server.js any more: {gone:#}"
    );

    // Options that change which rules run are part of the key.
    same_as_uncached(dir, &["--disable", "listener-leak"]);
    same_as_uncached(dir, &[]);
}

#[test]
fn a_damaged_cache_is_ignored_with_a_warning_and_rewritten() {
    let dir = project();
    let dir = dir.path();
    setup(dir);
    // The format number of this build's cache, from a cache it wrote.
    same_as_uncached(dir, &[]);
    let written: serde_json::Value =
        serde_json::from_slice(&std::fs::read(dir.join(".leaklintcache")).unwrap()).unwrap();
    let format = written["format"].as_u64().expect("a format number");
    for damaged in [
        &b"{ not json"[..],
        b"",
        b"\xff\xfe\x00garbage",
        // The right header, but an entry no leaklint wrote.
        format!(
            "{{\"format\":{format},\"version\":\"{}\",\"entries\":{{\"zz\":{{\"lint\":7}}}}}}",
            env!("CARGO_PKG_VERSION")
        )
        .as_bytes(),
    ] {
        std::fs::write(dir.join(".leaklintcache"), damaged).unwrap();
        let stderr = same_as_uncached(dir, &[]);
        assert!(
            stderr.contains("warning: ignoring the cache") && stderr.contains("damaged"),
            "{stderr}"
        );
        // Rewritten: the next run uses it without a word.
        let stderr = same_as_uncached(dir, &[]);
        assert!(!stderr.contains("warning"), "{stderr}");
        assert_eq!(cache_counts(dir).1, 0);
    }
}

#[test]
fn a_cache_from_another_version_is_ignored_with_a_warning() {
    let dir = project();
    let dir = dir.path();
    setup(dir);
    std::fs::write(
        dir.join(".leaklintcache"),
        r#"{"format":1,"version":"0.0.0-elsewhere","entries":{}}"#,
    )
    .unwrap();
    let stderr = same_as_uncached(dir, &[]);
    assert!(
        stderr.contains("written by leaklint 0.0.0-elsewhere"),
        "{stderr}"
    );
}

#[test]
fn cache_location_names_a_file_or_a_folder() {
    let dir = project();
    let dir = dir.path();
    setup(dir);
    // A folder that does not exist is not made: the cache cannot be written, which is a
    // warning, not a failure.
    let stderr = same_as_uncached_with(dir, &["--cache-location", "state/lint.cache"], &[]);
    assert!(
        stderr.contains("warning: cannot write the cache"),
        "{stderr}"
    );
    assert!(!dir.join("state/lint.cache").exists());
    std::fs::create_dir(dir.join("state")).unwrap();
    same_as_uncached_with(dir, &["--cache-location", "state/lint.cache"], &[]);
    assert!(dir.join("state/lint.cache").is_file());
    same_as_uncached_with(dir, &["--cache-location", "state"], &[]);
    assert!(dir.join("state/.leaklintcache").is_file());
    assert!(!dir.join(".leaklintcache").exists());

    // --cache-location alone, or --cache with --stdin, is a usage error.
    leaklint(dir, &["--cache-location", "x", "."]).assert_code(2);
    leaklint(dir, &["--cache", "--stdin"]).assert_code(2);
}
