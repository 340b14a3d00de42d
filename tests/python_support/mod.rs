//! Python tools from PyPI in a throwaway virtual environment, for tests that check leaklint
//! with the real thing (pre-commit, check-jsonschema).
//!
//! When the environment cannot be made (no `python3`, no network to PyPI), a test is skipped
//! with a message on stderr, except in CI (`CI` set), where that is a failure: CI has PyPI.
#![allow(dead_code)] // each test binary uses a different subset

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

pub struct Venv {
    dir: tempfile::TempDir,
}

impl Venv {
    /// A new virtual environment with `packages` installed, or None (after saying why) when
    /// that is impossible outside CI.
    pub fn with(packages: &[&str]) -> Option<Venv> {
        let dir = tempfile::Builder::new()
            .prefix("python-tools-")
            .tempdir_in(env!("CARGO_TARGET_TMPDIR"))
            .expect("tempdir");
        let made = Command::new("python3")
            .args(["-m", "venv"])
            .arg(dir.path())
            .output();
        match made {
            Ok(out) if out.status.success() => {}
            Ok(out) => return unavailable(&format!("python3 -m venv failed: {}", text(&out))),
            Err(e) => return unavailable(&format!("cannot run python3: {e}")),
        }
        let venv = Venv { dir };
        let installed = Command::new(venv.bin("pip"))
            .args(["install", "--quiet", "--disable-pip-version-check"])
            .args(packages)
            .output();
        match installed {
            Ok(out) if out.status.success() => Some(venv),
            Ok(out) => unavailable(&format!(
                "pip install {} failed: {}",
                packages.join(" "),
                text(&out)
            )),
            Err(e) => unavailable(&format!("cannot run pip: {e}")),
        }
    }

    /// A program installed in the environment.
    pub fn bin(&self, name: &str) -> PathBuf {
        self.dir.path().join("bin").join(name)
    }

    pub fn path(&self) -> &Path {
        self.dir.path()
    }
}

fn unavailable(why: &str) -> Option<Venv> {
    if std::env::var_os("CI").is_some_and(|v| !v.is_empty()) {
        panic!("{why} (CI has Python and PyPI, so this is a failure there)");
    }
    eprintln!("SKIPPED: {why}");
    None
}

/// A command's stdout and stderr, for messages.
pub fn text(out: &Output) -> String {
    format!(
        "status {}\n--- stdout\n{}\n--- stderr\n{}",
        out.status,
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}
