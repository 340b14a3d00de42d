//! The whole loop with Node.js (`node` on PATH; without it the test fails): start each demo app, drive requests
//! over loopback, have it write three snapshots, lint it, and confirm. Every seeded leak must be
//! confirmed or reported as unexplained growth at its line; the clean twin shows nothing.

mod cli_support;
mod heap_support;

use std::process::Command;

use cli_support::leaklint;
use heap_support::{assert_clean, assert_every_seeded_leak_accounted_for, repo};

fn assert_node_runs() {
    let version = Command::new("node").arg("--version").output();
    assert!(
        version.is_ok_and(|o| o.status.success()),
        "this test runs the demo apps with Node.js: install it (`node` on PATH)"
    );
}

fn snapshots_of(app: &str, out: &std::path::Path) -> Vec<String> {
    let status = Command::new("node")
        .arg(repo().join("fixtures/apps/drive.js"))
        .arg(repo().join("fixtures/apps").join(app))
        .arg(out)
        .status()
        .expect("run node");
    assert!(status.success(), "drive.js {app} failed");
    (1..=3)
        .map(|n| {
            out.join(format!("s{n}.heapsnapshot"))
                .to_str()
                .unwrap()
                .to_owned()
        })
        .collect()
}

#[test]
fn run_lint_and_confirm_the_demo_apps() {
    assert_node_runs();
    let dir = tempfile::tempdir().unwrap();
    let leaky = snapshots_of("leaky", &dir.path().join("leaky"));
    let clean = snapshots_of("clean", &dir.path().join("clean"));

    let mut args = vec!["confirm", "--snapshots"];
    args.extend(leaky.iter().map(String::as_str));
    args.extend(["fixtures/apps/leaky", "--format", "json"]);
    let out = leaklint(&repo(), &args);
    out.assert_code(1);
    let v = out.json();
    let listener = v["verdicts"]
        .as_array()
        .unwrap()
        .iter()
        .find(|x| x["rule"] == "listener-leak" && x["line"] == 46)
        .unwrap_or_else(|| panic!("{v:#}"));
    assert_eq!(listener["verdict"], "confirmed", "{v:#}");
    assert_every_seeded_leak_accounted_for(&v, "fixtures/apps/leaky/server.js");

    let mut args = vec!["confirm", "--snapshots"];
    args.extend(clean.iter().map(String::as_str));
    args.extend(["fixtures/apps/clean", "--format", "json"]);
    let out = leaklint(&repo(), &args);
    out.assert_code(0);
    assert_clean(&out.json());
}
