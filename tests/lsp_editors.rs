//! `leaklint lsp` with real LSP clients:
//!
//! - pytest-lsp (PyPI, in a throwaway virtual environment) running `tests/lsp_client/`, with
//!   the capabilities it recorded from Neovim 0.11 (pull diagnostics), Neovim 0.7 and VS Code
//!   1.65 (push): diagnostics, code actions, hover, an incremental edit, a configuration change;
//! - headless Neovim running the project's client script `tests/lsp_client/nvim_client.lua`:
//!   diagnostics and code actions as Neovim's own LSP client receives them. Neovim is a system
//!   package, so this test is `#[ignore]`d: `.ci/run` installs Debian's `neovim` and runs the
//!   ignored tests (`cargo test --workspace -- --ignored`); run it the same way locally.
//!
//! A client that cannot be had (no PyPI, no `nvim`) fails the test that needs it, saying why.

mod cli_support;
mod python_support;

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

use cli_support::{CLEAN, LEAKY, write};
use python_support::{Venv, text};

fn tempdir(prefix: &str) -> tempfile::TempDir {
    tempfile::Builder::new()
        .prefix(prefix)
        .tempdir_in(env!("CARGO_TARGET_TMPDIR"))
        .expect("tempdir")
}

/// Runs `command`, killing it after `limit`.
fn run_with_limit(command: &mut Command, limit: Duration) -> Output {
    let mut child = command
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start");
    let started = Instant::now();
    while child.try_wait().expect("wait").is_none() {
        if started.elapsed() > limit {
            let _ = child.kill();
            break;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    child.wait_with_output().expect("output")
}

#[test]
fn pytest_lsp_drives_the_server_with_recorded_editor_capabilities() {
    let venv = Venv::with(&["pytest-lsp==1.0.1"]);
    let work = tempdir("pytest-lsp-");
    let tests = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/lsp_client");
    let out = run_with_limit(
        Command::new(venv.bin("pytest"))
            .args(["-v", "-p", "no:cacheprovider", "-c"])
            .arg(tests.join("pytest.ini"))
            .arg("--basetemp")
            .arg(work.path().join("basetemp"))
            .arg("--rootdir")
            .arg(&tests)
            .arg(tests.join("test_leaklint_lsp.py"))
            .current_dir(work.path())
            .env("LEAKLINT", env!("CARGO_BIN_EXE_leaklint"))
            .env("PYTHONDONTWRITEBYTECODE", "1"),
        Duration::from_secs(600),
    );
    let shown = text(&out);
    assert!(out.status.success(), "{shown}");
    for client in [
        "neovim@v0.11.0",
        "neovim@v0.7.0",
        "visual_studio_code@v1.65.2",
    ] {
        assert!(
            shown.contains(&format!("[{client}] PASSED")),
            "{client}: {shown}"
        );
    }
}

/// The project's Neovim client script, once `nvim` is known to run.
fn neovim() -> PathBuf {
    match Command::new("nvim").arg("--version").output() {
        Ok(out) if out.status.success() => {}
        Ok(out) => panic!("nvim --version failed: {}", text(&out)),
        Err(e) => panic!("cannot run nvim ({e}): install Neovim (`apt-get install neovim`)"),
    }
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/lsp_client/nvim_client.lua")
}

/// Opens `file` in headless Neovim attached to `leaklint lsp`: the script's JSON output.
fn nvim_open(script: &Path, work: &Path, file: &Path, expect_empty: bool) -> serde_json::Value {
    let bin = env!("CARGO_BIN_EXE_leaklint");
    assert!(
        !bin.contains(' '),
        "the script splits LSP_CMD on spaces: {bin}"
    );
    let mut command = Command::new("nvim");
    command
        .args(["--headless", "--clean", "-u", "NONE", "-c"])
        .arg(format!("luafile {}", script.display()))
        .current_dir(work)
        .env("LSP_CMD", format!("{bin} lsp"))
        .env("LSP_FILE", file)
        .env("LSP_TIMEOUT_MS", "60000")
        // Neovim's log and state stay in the test's folder.
        .env("HOME", work)
        .env("XDG_CONFIG_HOME", work.join("config"))
        .env("XDG_DATA_HOME", work.join("data"))
        .env("XDG_STATE_HOME", work.join("state"))
        .env("XDG_CACHE_HOME", work.join("cache"));
    if expect_empty {
        command.env("LSP_EXPECT_EMPTY", "1");
    }
    let out = run_with_limit(&mut command, Duration::from_secs(120));
    assert!(out.status.success(), "{}", text(&out));
    let stdout = String::from_utf8_lossy(&out.stdout);
    let line = stdout
        .lines()
        .rev()
        .find(|l| l.starts_with('{'))
        .unwrap_or_else(|| panic!("no JSON from the Neovim script: {}", text(&out)));
    serde_json::from_str(line).expect("the script prints JSON")
}

#[test]
#[ignore = "needs Neovim (apt-get install neovim); .ci/run runs it with `cargo test -- --ignored`"]
fn neovim_shows_diagnostics_and_code_actions() {
    let script = neovim();
    let work = tempdir("nvim-");
    let project = work.path().join("project");
    let leaky = write(&project, "src/app.js", LEAKY);
    let clean = write(&project, "src/clean.ts", CLEAN);

    let got = nvim_open(&script, work.path(), &leaky, false);
    let diagnostics = got["diagnostics"].as_array().unwrap();
    assert_eq!(diagnostics.len(), 1, "{got:#}");
    let d = &diagnostics[0];
    assert_eq!(d["code"], "listener-leak");
    assert_eq!(d["source"], "leaklint");
    assert_eq!(d["severity"], 1);
    assert_eq!(
        d["range"]["start"],
        serde_json::json!({ "line": 5, "character": 2 })
    );
    assert_eq!(
        got["code_actions"],
        serde_json::json!([
            "Disable listener-leak for this line",
            "Disable listener-leak for this file"
        ])
    );

    let got = nvim_open(&script, work.path(), &clean, true);
    assert_eq!(got["diagnostics"], serde_json::json!([]), "{got:#}");
}
