//! `leaklint heap profile` and `confirm --profile` on the sampling heap profile Node 20 wrote
//! (`node --heap-prof`) of the TypeScript demo app, in the same run as its committed snapshots
//! (`fixtures/apps/snapshots/typescript/app.heapprofile`), and on files of the wrong kind.

mod cli_support;
mod heap_support;

use cli_support::{Run, leaklint, project, write};
use heap_support::repo;

const PROFILE: &str = "fixtures/apps/snapshots/typescript/app.heapprofile";

fn run(args: &[&str]) -> Run {
    leaklint(&repo(), args)
}

fn snapshots() -> Vec<String> {
    (1..=3)
        .map(|n| format!("fixtures/apps/snapshots/typescript/s{n}.heapsnapshot.gz"))
        .collect()
}

#[test]
fn sites_by_sampled_bytes_at_typescript_lines() {
    let out = run(&[
        "heap", "profile", PROFILE, "--format", "json", "--top", "1000",
    ]);
    out.assert_code(0);
    let v = out.json();
    assert_eq!(v["version"], 1);
    let total = v["total_bytes"].as_u64().unwrap();
    assert!(total > 0 && v["samples"].as_u64().unwrap() > 0, "{v:#}");
    let sites = v["sites"].as_array().unwrap();
    // Largest self first; total includes self.
    for w in sites.windows(2) {
        assert!(w[0]["self_bytes"].as_u64() >= w[1]["self_bytes"].as_u64());
    }
    for s in sites {
        assert!(
            s["total_bytes"].as_u64() >= s["self_bytes"].as_u64(),
            "{s:#}"
        );
        assert!(s["total_bytes"].as_u64().unwrap() <= total, "{s:#}");
    }
    // The request handler's work, at `handle` in src/orders.ts (dist/orders.js:14 to V8).
    let handle = sites
        .iter()
        .find(|s| s["function"] == "handle")
        .unwrap_or_else(|| panic!("{v:#}"));
    assert!(
        handle["file"]
            .as_str()
            .unwrap()
            .ends_with("fixtures/apps/typescript/src/orders.ts"),
        "{handle:#}"
    );
    assert_eq!(handle["line"], 30, "{handle:#}");
    assert!(handle["self_bytes"].as_u64().unwrap() > 0, "{handle:#}");
    assert!(
        !sites
            .iter()
            .any(|s| s["file"].as_str().is_some_and(|f| f.contains("/dist/"))),
        "a compiled location was not mapped: {v:#}"
    );

    let text = run(&["heap", "profile", PROFILE, "--top", "5"]);
    text.assert_code(0);
    assert!(
        text.stdout
            .contains("sampling shows where memory is allocated, not what is retained"),
        "{}",
        text.stdout
    );
    assert!(text.stdout.contains("self%"), "{}", text.stdout);
    assert!(
        text.stdout.contains("more sites (--top)"),
        "{}",
        text.stdout
    );
}

#[test]
fn confirm_shows_the_allocation_around_each_finding_as_weaker_evidence() {
    let dir = project();
    let report = leaklint(
        &repo(),
        &["--format", "json", "fixtures/apps/typescript/src"],
    );
    let report = write(dir.path(), "report.json", &report.stdout);
    let s = snapshots();
    let base = [
        "confirm",
        "--snapshots",
        &s[0],
        &s[1],
        &s[2],
        "--findings",
        report.to_str().unwrap(),
        "--root",
        "/tmp/leaklint-demo",
        "--format",
        "json",
    ];
    let mut args = base.to_vec();
    args.extend(["--profile", PROFILE]);
    let out = run(&args);
    out.assert_code(1);
    let v = out.json();
    let verdicts = v["verdicts"].as_array().unwrap();
    let listener = verdicts
        .iter()
        .find(|x| x["rule"] == "listener-leak")
        .unwrap();
    assert_eq!(listener["verdict"], "confirmed");
    let a = &listener["allocation"];
    assert_eq!(a["function"], "handle", "{listener:#}");
    assert_eq!(a["line"], 30, "{listener:#}");
    assert_eq!(a["file"], "fixtures/apps/typescript/src/orders.ts");
    assert!(a["self_bytes"].as_u64().unwrap() > 0);
    assert!(a["profile_bytes"].as_u64() >= a["total_bytes"].as_u64());
    let cache = verdicts
        .iter()
        .find(|x| x["rule"] == "unbounded-cache" && x["line"] == 16)
        .unwrap();
    assert_eq!(cache["allocation"]["function"], "record", "{cache:#}");
    assert_eq!(cache["allocation"]["line"], 13, "{cache:#}");
    // Module-level code: the module's own function (the CommonJS wrapper at dist/orders.js
    // 0:0, mapped to the top of src/orders.ts), which ran once at start-up.
    let max = verdicts
        .iter()
        .find(|x| x["rule"] == "max-listeners-disabled")
        .unwrap();
    assert_eq!(max["allocation"]["line"], 1, "{max:#}");
    assert_eq!(max["allocation"]["function"], "(anonymous)", "{max:#}");

    // Without --profile the field is absent; the verdicts are the same.
    let out = run(&base);
    let plain = out.json();
    for (x, y) in plain["verdicts"].as_array().unwrap().iter().zip(verdicts) {
        assert!(!x.as_object().unwrap().contains_key("allocation"));
        assert_eq!(x["verdict"], y["verdict"]);
    }

    let mut args = base[..base.len() - 2].to_vec();
    args.extend(["--profile", PROFILE]);
    let text = run(&args);
    assert!(
        text.stdout.contains(
            "sampled allocation in `handle` (orders.ts:30), the function around the finding"
        ) && text
            .stdout
            .contains("sampling shows where memory is allocated, not what is retained"),
        "{}",
        text.stdout
    );
}

#[test]
fn files_of_the_wrong_kind_exit_2_naming_them() {
    let dir = project();
    let d = dir.path();
    let snapshot = snapshots()[0].clone();
    let cpu = write(
        d,
        "p.cpuprofile",
        r#"{"nodes":[{"id":1,"callFrame":{"functionName":"(root)"},"hitCount":0}],"startTime":0,"endTime":1,"samples":[],"timeDeltas":[]}"#,
    );
    let text = std::fs::read_to_string(repo().join(PROFILE)).unwrap();
    let truncated = write(d, "cut.heapprofile", &text[..text.len() / 2]);
    let not_json = write(d, "notes.heapprofile", "hello");
    let cases = [
        (
            snapshot.clone(),
            "this is a heap snapshot, not a sampling heap profile",
        ),
        (
            cpu.to_str().unwrap().to_owned(),
            "not a sampling heap profile (this is a CPU profile (.cpuprofile)",
        ),
        (
            truncated.to_str().unwrap().to_owned(),
            "not a valid sampling heap profile: EOF while parsing",
        ),
        (
            not_json.to_str().unwrap().to_owned(),
            "not a sampling heap profile (this is not JSON)",
        ),
    ];
    let s = snapshots();
    for (file, want) in &cases {
        let out = run(&["heap", "profile", file]);
        out.assert_code(2);
        assert!(
            out.stderr.contains(&format!("{file}: {want}")),
            "{file}: {}",
            out.stderr
        );
        assert!(!out.stderr.contains("panicked"), "{}", out.stderr);
        let out = run(&[
            "confirm",
            "--snapshots",
            &s[0],
            &s[1],
            &s[2],
            "--profile",
            file,
            "fixtures/apps/typescript/src",
        ]);
        out.assert_code(2);
        assert!(out.stderr.contains(want), "{file}: {}", out.stderr);
    }
}
