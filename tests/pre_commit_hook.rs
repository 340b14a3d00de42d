//! The pre-commit hook of `.pre-commit-hooks.yaml`, run for real: pre-commit from PyPI in a
//! throwaway virtual environment runs `pre-commit try-repo` on this repository in a small git
//! repository with a leaky and a clean file. `try-repo` takes this repository's HEAD plus its
//! staged and modified tracked files; untracked files are left out, so in a working tree where
//! tracked code refers to a file not yet added, the hook build fails (`git add` it first).
//!
//! `try-repo` clones this repository and builds the hook with `cargo install --path .`, as
//! pre-commit's `language: rust` always does. To keep that affordable in `cargo test`:
//! - the build goes to one target directory under this workspace's `target/tmp`, kept between
//!   runs (`CARGO_TARGET_DIR`), so only the first run compiles the dependencies;
//! - the release profile is built without optimisation (`CARGO_PROFILE_RELEASE_OPT_LEVEL=0`,
//!   and without the link-time optimisation `Cargo.toml` asks for): what is tested is the
//!   hook's wiring, not leaklint's speed;
//! - cargo works offline (`CARGO_NET_OFFLINE`): `cargo test` has already fetched every crate the
//!   hook needs, so the hook build needs no network (pre-commit itself comes from PyPI).
//!
//! The second `try-repo` clones to a new path, so cargo recompiles the two local crates but
//! reuses every dependency.

mod cli_support;
mod python_support;

use std::path::Path;
use std::process::{Command, Output};

use cli_support::{CLEAN, LEAKY, write};
use python_support::{Venv, text};

fn git(dir: &Path, args: &[&str]) {
    let out = Command::new("git")
        .args(args)
        .current_dir(dir)
        .output()
        .expect("git");
    assert!(out.status.success(), "git {args:?}: {}", text(&out));
}

fn try_repo(venv: &Venv, project: &Path, home: &Path, files: &[&str]) -> Output {
    let repo = env!("CARGO_MANIFEST_DIR");
    let path = std::env::var_os("PATH").unwrap_or_default();
    let mut paths = vec![venv.path().join("bin")];
    paths.extend(std::env::split_paths(&path));
    Command::new(venv.bin("pre-commit"))
        .args([
            "try-repo",
            repo,
            "leaklint",
            "--verbose",
            "--color",
            "never",
        ])
        .arg("--files")
        .args(files)
        .current_dir(project)
        .env("PATH", std::env::join_paths(paths).unwrap())
        .env("PRE_COMMIT_HOME", home)
        .env(
            "CARGO_TARGET_DIR",
            Path::new(env!("CARGO_TARGET_TMPDIR")).join("pre-commit-hook-build"),
        )
        .env("CARGO_PROFILE_RELEASE_OPT_LEVEL", "0")
        .env("CARGO_PROFILE_RELEASE_CODEGEN_UNITS", "256")
        .env("CARGO_PROFILE_RELEASE_LTO", "false")
        .env("CARGO_NET_OFFLINE", "true")
        .env_remove("NO_COLOR")
        .output()
        .expect("run pre-commit")
}

#[test]
fn the_hook_fails_on_a_leak_and_passes_clean_files() {
    let venv = Venv::with(&["pre-commit"]);
    let work = tempfile::Builder::new()
        .prefix("pre-commit-")
        .tempdir_in(env!("CARGO_TARGET_TMPDIR"))
        .expect("tempdir");
    let project = work.path().join("project");
    let home = work.path().join("pre-commit-home");
    write(&project, "src/leaky.cts", LEAKY);
    write(&project, "src/clean.js", CLEAN);
    write(&project, "src/clean.mts", CLEAN);
    write(
        &project,
        "src/types.d.ts",
        "export declare const x: number;\n",
    );
    write(&project, "notes.md", "# notes\n");
    git(&project, &["init", "--quiet"]);
    git(&project, &["add", "."]);

    let started = std::time::Instant::now();
    let failed = try_repo(
        &venv,
        &project,
        &home,
        &["src/leaky.cts", "src/clean.js", "notes.md"],
    );
    let first = started.elapsed();
    let out = text(&failed);
    assert_eq!(failed.status.code(), Some(1), "{out}");
    assert!(out.contains("leaklint") && out.contains("Failed"), "{out}");
    // The finding, in the .cts file (identify has no tag for it: the `files` regex matters).
    assert!(out.contains("listener-leak src/leaky.cts:6:3"), "{out}");
    assert!(
        !out.contains("notes.md"),
        "notes.md is not passed to the hook: {out}"
    );

    let started = std::time::Instant::now();
    let passed = try_repo(
        &venv,
        &project,
        &home,
        &[
            "src/clean.js",
            "src/clean.mts",
            "src/types.d.ts",
            "notes.md",
        ],
    );
    let second = started.elapsed();
    let out = text(&passed);
    assert_eq!(passed.status.code(), Some(0), "{out}");
    assert!(out.contains("leaklint") && out.contains("Passed"), "{out}");
    assert!(
        !out.contains("types.d.ts"),
        "declaration files are excluded: {out}"
    );
    eprintln!("pre-commit try-repo: {first:.0?} (first), {second:.0?} (second)");
}
