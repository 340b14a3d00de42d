//! Python tools from PyPI in a throwaway virtual environment, for tests that check leaklint
//! with the real thing (pre-commit, check-jsonschema).
//!
//! When the environment cannot be made (no `python3`, no network to PyPI), the test fails and
//! says why: a test that did not run must not look like a pass.
#![allow(dead_code)] // each test binary uses a different subset

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

pub struct Venv {
    dir: tempfile::TempDir,
}

impl Venv {
    /// A new virtual environment with `packages` installed.
    ///
    /// Panics, saying why, when that is impossible.
    pub fn with(packages: &[&str]) -> Venv {
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
            Ok(out) => unavailable(&format!("python3 -m venv failed: {}", text(&out))),
            Err(e) => unavailable(&format!("cannot run python3: {e}")),
        }
        let venv = Venv { dir };
        let installed = Command::new(venv.bin("pip"))
            .args(["install", "--quiet", "--disable-pip-version-check"])
            .args(packages)
            .output();
        match installed {
            Ok(out) if out.status.success() => venv,
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

fn unavailable(why: &str) -> ! {
    panic!("{why}: these tests need python3 (with venv) and PyPI");
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
