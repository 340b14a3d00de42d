//! The npm packages, installed as a user installs them: `npm/build.mjs` builds the launcher
//! package `leaklint` and the platform package `@leaklint/cli-linux-x64-gnu` around this build's
//! binary, `npm pack` packs both, and `npm install` installs the two tarballs into an empty
//! project, offline (the other platforms' optional packages are skipped, as on a real machine
//! where they do not match). Then `npx leaklint` runs on a leaky file, a clean file, standard
//! input, and as `leaklint lsp` through an LSP exchange; a signal sent to the launcher reaches
//! the binary. Needs `node` and `npm` (the test fails without them).

mod cli_support;
mod lsp_support;

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::sync::OnceLock;

use cli_support::{CLEAN, LEAKY, output_text as text, write};
use lsp_support::{Client, file_uri, push_caps};
use serde_json::json;

#[track_caller]
fn run(command: &mut Command) -> Output {
    let out = command
        .output()
        .unwrap_or_else(|e| panic!("cannot run {command:?} ({e}): install Node.js and npm"));
    assert!(out.status.success(), "{command:?}: {}", text(&out));
    out
}

/// npm with a private cache and no network, in `dir`.
fn npm(dir: &Path, cache: &Path) -> Command {
    let mut command = Command::new("npm");
    command
        .current_dir(dir)
        .env("npm_config_cache", cache)
        .env("npm_config_offline", "true")
        .env("npm_config_audit", "false")
        .env("npm_config_fund", "false")
        .env("npm_config_update_notifier", "false");
    command
}

/// A project with the packed packages installed: built once per test binary, in one fixed
/// folder under `target/tmp` that each run starts afresh (a static is never dropped, so a
/// temporary directory here would be left behind by every run).
fn installed() -> &'static Path {
    static PROJECT: OnceLock<PathBuf> = OnceLock::new();
    PROJECT.get_or_init(|| {
        let work = Path::new(env!("CARGO_TARGET_TMPDIR")).join("npm-package");
        if work.exists() {
            std::fs::remove_dir_all(&work).expect("remove the previous run's folder");
        }
        std::fs::create_dir_all(&work).unwrap();
        let cache = work.join("npm-cache");
        let packages = work.join("packages");
        let repo = Path::new(env!("CARGO_MANIFEST_DIR"));
        let built = run(Command::new("node")
            .arg(repo.join("npm/build.mjs"))
            .arg("--out")
            .arg(&packages)
            .arg("--binary")
            .arg(format!(
                "x86_64-unknown-linux-gnu={}",
                env!("CARGO_BIN_EXE_leaklint")
            )));
        let dirs: Vec<PathBuf> = String::from_utf8_lossy(&built.stdout)
            .lines()
            .map(PathBuf::from)
            .collect();
        assert_eq!(dirs.len(), 2, "{}", text(&built));
        let tarballs = work.join("tarballs");
        std::fs::create_dir_all(&tarballs).unwrap();
        for dir in &dirs {
            run(npm(dir, &cache)
                .args(["pack", "--silent", "--pack-destination"])
                .arg(&tarballs));
        }
        let mut packed: Vec<PathBuf> = std::fs::read_dir(&tarballs)
            .unwrap()
            .map(|e| e.unwrap().path())
            .collect();
        packed.sort();
        let names: Vec<String> = packed
            .iter()
            .map(|p| p.file_name().unwrap().to_string_lossy().into_owned())
            .collect();
        let version = env!("CARGO_PKG_VERSION");
        assert_eq!(
            names,
            [
                format!("leaklint-{version}.tgz"),
                format!("leaklint-cli-linux-x64-gnu-{version}.tgz")
            ]
        );
        let project = work.join("project");
        write(
            &project,
            "package.json",
            r#"{ "name": "uses-leaklint", "version": "1.0.0", "private": true }"#,
        );
        run(npm(&project, &cache)
            .args(["install", "--save-dev"])
            .args(&packed));
        project
    })
}

fn npx(project: &Path, args: &[&str]) -> Command {
    let mut command = Command::new("npx");
    command
        .arg("--offline")
        .arg("leaklint")
        .args(args)
        .current_dir(project)
        .env("npm_config_update_notifier", "false")
        .env_remove("LEAKLINT_BINARY");
    command
}

#[test]
fn npx_leaklint_reports_leaks_and_passes_clean_files() {
    let project = installed();
    write(project, "src/leaky.js", LEAKY);
    write(project, "src/clean.js", CLEAN);

    let out = npx(project, &["src/leaky.js", "-f", "compact"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        stdout.starts_with("src/leaky.js:6:3: error [listener-leak] listener added to `bus`"),
        "{}",
        text(&out)
    );

    let out = npx(project, &["src/clean.js"]).output().unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));

    // Standard input passes through.
    let mut child = npx(
        project,
        &["--stdin", "--stdin-filename", "piped.js", "-f", "json"],
    )
    .stdin(Stdio::piped())
    .stdout(Stdio::piped())
    .stderr(Stdio::piped())
    .spawn()
    .unwrap();
    use std::io::Write;
    child
        .stdin
        .take()
        .unwrap()
        .write_all(LEAKY.as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(report["files"][0]["path"], "piped.js");
    assert_eq!(report["files"][0]["findings"][0]["rule"], "listener-leak");

    // Usage errors keep their status.
    let out = npx(project, &["--no-such-flag"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));
}

#[test]
fn npx_leaklint_lsp_serves_an_editor() {
    let project = installed();
    let file = write(project, "src/served.js", LEAKY);
    let mut client = Client::spawn(npx(project, &["lsp"]));
    let response = client.initialize(project, push_caps(), json!({}));
    assert_eq!(
        response["result"]["serverInfo"]["name"], "leaklint",
        "{response}"
    );
    let uri = file_uri(&file);
    client.open(&uri, "javascript", LEAKY);
    let diagnostics = client.diagnostics(&uri, None);
    assert_eq!(diagnostics.len(), 1, "{diagnostics:?}");
    assert_eq!(diagnostics[0]["code"], "listener-leak");
    assert!(client.shutdown().success());
}

#[cfg(unix)]
#[test]
fn signals_reach_the_binary_and_the_launcher_ends_the_same_way() {
    use std::os::unix::process::ExitStatusExt;
    let project = installed();
    // The launcher itself (npx would add its own process in between).
    let mut command = Command::new("node");
    command
        .arg(project.join("node_modules/leaklint/bin/leaklint.js"))
        .arg("lsp")
        .current_dir(project);
    let mut client = Client::spawn(command);
    client.initialize(project, push_caps(), json!({}));
    run(Command::new("kill").args(["-TERM", &client.pid().to_string()]));
    let status = client.wait_exit();
    assert_eq!(status.signal(), Some(15), "{status:?}");
}
