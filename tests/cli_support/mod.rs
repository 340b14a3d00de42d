//! Helpers shared by the CLI tests: run the real binary in a temporary project.
#![allow(dead_code)] // each test binary uses a different subset

use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// The file the brief promises `listener-leak` flags, on the `bus.on` line (line 6, column 3).
pub const LEAKY: &str = "const express = require('express');
const { EventEmitter } = require('events');
const bus = new EventEmitter();
const app = express();
app.get('/wait', (req, res) => {
  bus.on('done', () => res.end('ok'));
});
";

/// Nothing to report here: start-up code only.
pub const CLEAN: &str = "const { EventEmitter } = require('events');
const bus = new EventEmitter();
bus.on('done', () => console.log('done'));
";

/// No run may take longer than this: a hang (symlink loop, deep input) fails instead of
/// blocking the suite.
const TIMEOUT: Duration = Duration::from_secs(180);

pub struct Run {
    /// None when the process was killed by a signal (a crash).
    pub code: Option<i32>,
    pub stdout: String,
    pub stderr: String,
}

impl Run {
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.stdout).unwrap_or_else(|e| {
            panic!(
                "stdout is not JSON ({e}):\n{}\nstderr: {}",
                self.stdout, self.stderr
            )
        })
    }

    #[track_caller]
    pub fn assert_code(&self, expected: i32) -> &Run {
        assert_eq!(
            self.code,
            Some(expected),
            "exit status\n--- stdout\n{}\n--- stderr\n{}",
            self.stdout,
            self.stderr
        );
        self
    }
}

pub fn bin() -> &'static str {
    env!("CARGO_BIN_EXE_leaklint")
}

/// Runs leaklint in `dir` with `LEAKLINT_TIMINGS=1`: the run's output, and the numbers of the
/// first timing line that contains `needle` (panics when there is none).
pub fn timed(dir: &Path, args: &[&str], needle: &str) -> (std::process::Output, Vec<usize>) {
    let run = std::process::Command::new(bin())
        .args(args)
        .current_dir(dir)
        .env("LEAKLINT_TIMINGS", "1")
        .output()
        .expect("run leaklint");
    let stderr = String::from_utf8_lossy(&run.stderr);
    let line = stderr
        .lines()
        .find(|l| l.contains(needle))
        .unwrap_or_else(|| panic!("no timing line with {needle:?} in {stderr}"));
    let numbers = line
        .split_whitespace()
        .filter_map(|w| w.parse().ok())
        .collect();
    (run, numbers)
}

/// Runs leaklint in `dir`.
pub fn leaklint(dir: &Path, args: &[&str]) -> Run {
    run(dir, args, None)
}

/// Runs leaklint in `dir` with `input` on standard input.
pub fn leaklint_stdin(dir: &Path, args: &[&str], input: &[u8]) -> Run {
    run(dir, args, Some(input))
}

/// Runs leaklint in `dir` as the unprivileged user `nobody` through `setpriv`, for tests that
/// need permissions to matter while the suite runs as root. None when `setpriv` is missing.
pub fn leaklint_as_nobody(dir: &Path, args: &[&str]) -> Option<Run> {
    let available = Command::new("setpriv")
        .arg("--version")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    if !available {
        return None;
    }
    let mut full = vec!["--reuid=65534", "--regid=65534", "--clear-groups", bin()];
    full.extend_from_slice(args);
    Some(spawn(Command::new("setpriv").args(&full), dir, args, None))
}

fn run(dir: &Path, args: &[&str], input: Option<&[u8]>) -> Run {
    spawn(Command::new(bin()).args(args), dir, args, input)
}

fn spawn(command: &mut Command, dir: &Path, args: &[&str], input: Option<&[u8]>) -> Run {
    let mut child = command
        .current_dir(dir)
        .env_remove("NO_COLOR")
        .stdin(if input.is_some() {
            Stdio::piped()
        } else {
            Stdio::null()
        })
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn leaklint");
    let feeder = input.map(|bytes| {
        let mut stdin = child.stdin.take().expect("stdin");
        let bytes = bytes.to_vec();
        std::thread::spawn(move || {
            let _ = stdin.write_all(&bytes);
        })
    });
    let mut out = child.stdout.take().expect("stdout");
    let mut err = child.stderr.take().expect("stderr");
    let out_reader = std::thread::spawn(move || {
        let mut s = Vec::new();
        let _ = out.read_to_end(&mut s);
        s
    });
    let err_reader = std::thread::spawn(move || {
        let mut s = Vec::new();
        let _ = err.read_to_end(&mut s);
        s
    });
    let started = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().expect("wait") {
            break status;
        }
        if started.elapsed() > TIMEOUT {
            let _ = child.kill();
            panic!("leaklint {args:?} did not finish within {TIMEOUT:?}");
        }
        std::thread::sleep(Duration::from_millis(10));
    };
    if let Some(f) = feeder {
        let _ = f.join();
    }
    let stdout = String::from_utf8_lossy(&out_reader.join().expect("stdout reader")).into_owned();
    let stderr = String::from_utf8_lossy(&err_reader.join().expect("stderr reader")).into_owned();
    Run {
        code: status.code(),
        stdout,
        stderr,
    }
}

/// A fresh project directory.
/// A finished command's status, standard output and standard error, for assertion messages.
pub fn output_text(out: &std::process::Output) -> String {
    format!(
        "status {}\n--- stdout\n{}\n--- stderr\n{}",
        out.status,
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

pub fn project() -> tempfile::TempDir {
    tempfile::Builder::new()
        .prefix("leaklint-cli-")
        .tempdir()
        .expect("tempdir")
}

/// Writes `content` at `rel` under `dir`, creating directories.
pub fn write(dir: &Path, rel: &str, content: impl AsRef<[u8]>) -> PathBuf {
    let path = dir.join(rel);
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent).expect("mkdir");
    }
    std::fs::write(&path, content).expect("write");
    path
}

/// The JSON report's file paths, in report order.
pub fn paths(report: &serde_json::Value) -> Vec<String> {
    report["files"]
        .as_array()
        .expect("files array")
        .iter()
        .map(|f| f["path"].as_str().expect("path").to_owned())
        .collect()
}

/// The JSON report's entry for `path`.
pub fn file<'a>(report: &'a serde_json::Value, path: &str) -> &'a serde_json::Value {
    report["files"]
        .as_array()
        .expect("files array")
        .iter()
        .find(|f| f["path"] == path)
        .unwrap_or_else(|| panic!("{path} not in report: {report:#}"))
}

/// Rule ids of the findings in `path`, in order.
pub fn rules_in(report: &serde_json::Value, path: &str) -> Vec<String> {
    file(report, path)["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .map(|f| f["rule"].as_str().expect("rule").to_owned())
        .collect()
}
