//! The GitHub Action (`action.yml`) run as CI runs it, step by step, outside GitHub: its
//! install script downloads a "release" archive (a `file://` folder holding this build's binary,
//! laid out as `.github/workflows/release.yml` publishes them) and puts it on the job's PATH,
//! and its run script writes SARIF or annotations and records the exit status for the last step.
//! The upload step is GitHub's own `upload-sarif` action and is not run here.

mod cli_support;

use std::path::Path;
use std::process::{Command, Output};

use cli_support::{CLEAN, LEAKY, output_text as text, project, write};

fn repo() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// A release folder `releases/v<version>/leaklint-<target>.tar.gz` with this build's binary.
fn fake_release(dir: &Path, target: &str) -> String {
    let version = env!("CARGO_PKG_VERSION");
    let stage = dir.join("stage");
    std::fs::create_dir_all(&stage).unwrap();
    std::fs::copy(env!("CARGO_BIN_EXE_leaklint"), stage.join("leaklint")).unwrap();
    let folder = dir.join(format!("releases/v{version}"));
    std::fs::create_dir_all(&folder).unwrap();
    let out = Command::new("tar")
        .arg("-czf")
        .arg(folder.join(format!("leaklint-{target}.tar.gz")))
        .arg("-C")
        .arg(&stage)
        .arg("leaklint")
        .output()
        .expect("tar");
    assert!(out.status.success(), "{}", text(&out));
    format!("file://{}", dir.join("releases").display())
}

fn install(dir: &Path, releases: &str, os: &str, arch: &str) -> Output {
    Command::new(repo().join("action/install.sh"))
        .env("LEAKLINT_VERSION", env!("CARGO_PKG_VERSION"))
        .env("LEAKLINT_RELEASES", releases)
        .env("RUNNER_OS", os)
        .env("RUNNER_ARCH", arch)
        .env("RUNNER_TEMP", dir.join("runner-temp"))
        .env("GITHUB_PATH", dir.join("github-path"))
        .output()
        .expect("run action/install.sh")
}

/// Runs the run step in `workspace` with `env`: its output and the `exit-code` it recorded.
fn run_step(bin: &Path, workspace: &Path, env: &[(&str, &str)]) -> (Output, String) {
    let outputs = workspace.join("github-output");
    let _ = std::fs::remove_file(&outputs);
    let path = format!(
        "{}:{}",
        bin.display(),
        std::env::var("PATH").unwrap_or_default()
    );
    let out = Command::new(repo().join("action/run.sh"))
        .current_dir(workspace)
        .env("PATH", path)
        .env("GITHUB_WORKSPACE", workspace)
        .env("GITHUB_OUTPUT", &outputs)
        .envs(env.iter().copied())
        .output()
        .expect("run action/run.sh");
    assert!(out.status.success(), "{}", text(&out));
    let recorded = std::fs::read_to_string(&outputs).unwrap_or_default();
    (out, recorded.trim().to_owned())
}

#[test]
fn the_actions_steps_install_the_release_and_report() {
    let dir = project();
    let releases = fake_release(dir.path(), "x86_64-unknown-linux-musl");
    let out = install(dir.path(), &releases, "Linux", "X64");
    assert!(out.status.success(), "{}", text(&out));
    let bin = dir.path().join("runner-temp/leaklint/bin");
    assert_eq!(
        std::fs::read_to_string(dir.path().join("github-path")).unwrap(),
        format!("{}\n", bin.display())
    );
    assert!(String::from_utf8_lossy(&out.stdout).contains(env!("CARGO_PKG_VERSION")));

    let workspace = dir.path().join("workspace");
    write(&workspace, "src/app.js", LEAKY);
    write(&workspace, "lib/clean.js", CLEAN);

    // SARIF, without a category: upload-sarif's `category` input applies.
    let (_, recorded) = run_step(&bin, &workspace, &[("LEAKLINT_PATHS", "src lib")]);
    assert_eq!(recorded, "exit-code=1");
    let sarif: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(workspace.join("leaklint.sarif")).unwrap())
            .unwrap();
    let run = &sarif["runs"][0];
    assert!(run.get("automationDetails").is_none());
    assert_eq!(run["results"].as_array().unwrap().len(), 1);
    assert_eq!(
        run["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
        "src/app.js"
    );

    // A category, extra options, another file name.
    let (_, recorded) = run_step(
        &bin,
        &workspace,
        &[
            ("LEAKLINT_PATHS", "lib"),
            ("LEAKLINT_ARGS", "--max-warnings 0"),
            ("LEAKLINT_SARIF", "out/lib.sarif"),
            ("LEAKLINT_CATEGORY", "leaklint-lib"),
        ],
    );
    // --output does not create folders: leaklint reports that as exit status 2.
    assert_eq!(recorded, "exit-code=2");
    std::fs::create_dir_all(workspace.join("out")).unwrap();
    let (_, recorded) = run_step(
        &bin,
        &workspace,
        &[
            ("LEAKLINT_PATHS", "lib"),
            ("LEAKLINT_ARGS", "--max-warnings 0"),
            ("LEAKLINT_SARIF", "out/lib.sarif"),
            ("LEAKLINT_CATEGORY", "leaklint-lib"),
        ],
    );
    assert_eq!(recorded, "exit-code=0");
    let sarif: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(workspace.join("out/lib.sarif")).unwrap())
            .unwrap();
    assert_eq!(sarif["runs"][0]["automationDetails"]["id"], "leaklint-lib/");

    // Annotations.
    let (out, recorded) = run_step(
        &bin,
        &workspace,
        &[("LEAKLINT_PATHS", "src"), ("LEAKLINT_MODE", "annotations")],
    );
    assert_eq!(recorded, "exit-code=1");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        stdout.starts_with("::error file=src/app.js,line=6,"),
        "{}",
        text(&out)
    );
}

#[test]
fn an_unknown_runner_or_a_missing_release_fails_the_install_step() {
    let dir = project();
    let releases = fake_release(dir.path(), "x86_64-unknown-linux-musl");
    let out = install(dir.path(), &releases, "Plan9", "X64");
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    assert!(String::from_utf8_lossy(&out.stderr).contains("no release binary for Plan9"));
    // No arm64 archive in this release.
    let out = install(dir.path(), &releases, "Linux", "ARM64");
    assert!(!out.status.success(), "{}", text(&out));
    assert!(!dir.path().join("github-path").exists());
}

#[test]
fn action_yml_runs_the_tested_scripts_with_the_inputs_they_read() {
    let action = std::fs::read_to_string(repo().join("action.yml")).unwrap();
    for needle in [
        "using: composite",
        "\"$GITHUB_ACTION_PATH/action/install.sh\"",
        "\"$GITHUB_ACTION_PATH/action/run.sh\"",
        "LEAKLINT_VERSION: ${{ inputs.version }}",
        "LEAKLINT_PATHS: ${{ inputs.paths }}",
        "LEAKLINT_ARGS: ${{ inputs.args }}",
        "LEAKLINT_MODE: ${{ inputs.mode }}",
        "LEAKLINT_SARIF: ${{ inputs.sarif-file }}",
        "uses: github/codeql-action/upload-sarif@v4",
        "category: ${{ inputs.category }}",
        "STATUS: ${{ steps.run.outputs.exit-code }}",
    ] {
        assert!(action.contains(needle), "action.yml lacks {needle}");
    }
}
