//! `leaklint heap summary`, `leaklint heap diff` and `leaklint confirm`, run as the real binary
//! on the snapshots Node 20 wrote from `fixtures/apps/` (committed gzipped), and on bad input.

mod cli_support;
mod heap_support;

use cli_support::{Run, leaklint, project, write};
use heap_support::{assert_clean, assert_every_seeded_leak_accounted_for, committed, plain, repo};

fn run(args: &[&str]) -> Run {
    leaklint(&repo(), args)
}

fn strs(v: &[String]) -> Vec<&str> {
    v.iter().map(String::as_str).collect()
}

#[test]
fn summary_text_and_json() {
    let snap = &committed("leaky")[2];
    let text = run(&["heap", "summary", snap, "--top", "5"]);
    text.assert_code(0);
    assert!(
        text.stdout.contains("Classes by retained size (top 5):"),
        "{}",
        text.stdout
    );
    assert!(
        text.stdout.contains("Largest objects by retained size"),
        "{}",
        text.stdout
    );
    let json = run(&["heap", "summary", snap, "--top", "5", "--format", "json"]);
    json.assert_code(0);
    let v = json.json();
    assert_eq!(v["version"], 1);
    let nodes = v["nodes"].as_u64().unwrap();
    assert!(nodes > 50_000, "{nodes}");
    let reachable = v["reachable_size"].as_u64().unwrap();
    assert!(reachable > 0 && reachable <= v["self_size"].as_u64().unwrap());
    let classes = v["classes"].as_array().unwrap();
    assert_eq!(classes.len(), 5);
    let retained: Vec<u64> = classes
        .iter()
        .map(|c| c["retained_size"].as_u64().unwrap())
        .collect();
    assert!(retained.windows(2).all(|w| w[0] >= w[1]), "{retained:?}");
    assert!(retained[0] <= reachable);
    let largest = v["largest"].as_array().unwrap();
    assert_eq!(largest.len(), 5);
    assert!(
        largest
            .iter()
            .all(|l| !l["retainer_path"].as_str().unwrap().is_empty())
    );
}

#[test]
fn diff_of_two_snapshots() {
    let s = committed("leaky");
    let out = run(&[
        "heap", "diff", &s[0], &s[1], "--format", "json", "--top", "4",
    ]);
    out.assert_code(0);
    let v = out.json();
    assert!(v.get("growing").is_none(), "{v:#}");
    let classes = v["classes"].as_array().unwrap();
    assert_eq!(classes.len(), 4);
    for c in classes {
        assert_eq!(c["intervals"].as_array().unwrap().len(), 1);
        let i = &c["intervals"][0];
        assert_eq!(
            i["delta"].as_i64().unwrap(),
            i["new"].as_i64().unwrap() - i["deleted"].as_i64().unwrap()
        );
    }
    let text = run(&["heap", "diff", &s[0], &s[1]]);
    text.assert_code(0);
    assert!(text.stdout.contains("#New"), "{}", text.stdout);
    assert!(!text.stdout.contains("grew in both intervals"));
}

#[test]
fn diff_of_three_snapshots_finds_what_grew_in_both_intervals() {
    let s = committed("leaky");
    let out = run(&[
        "heap",
        "diff",
        &s[0],
        &s[1],
        &s[2],
        "--format",
        "json",
        "--min-growth",
        "10",
    ]);
    out.assert_code(0);
    let v = out.json();
    let locations = v["growing"]["locations"].as_array().unwrap();
    let listener = locations
        .iter()
        .find(|r| {
            r["location"]["file"]
                .as_str()
                .is_some_and(|f| f.ends_with("fixtures/apps/leaky/server.js"))
                && r["location"]["line"] == 46
        })
        .unwrap_or_else(|| panic!("no growing location at server.js:46: {v:#}"));
    assert_eq!(listener["counts"], serde_json::json!([70, 130, 190]));
    assert_eq!(listener["location"]["function"], "onShipped");
    assert_eq!(listener["grew_in_all"], true);
    assert!(
        listener["retainer_path"]
            .as_str()
            .unwrap()
            .contains("._events Object"),
        "{listener:#}"
    );
    let classes = v["growing"]["classes"].as_array().unwrap();
    assert!(classes.iter().any(|c| c["name"] == "Timeout"), "{v:#}");
    for c in classes {
        for i in c["intervals"].as_array().unwrap() {
            assert!(i["delta"].as_i64().unwrap() >= 10);
        }
    }
    let text = run(&["heap", "diff", &s[0], &s[1], &s[2], "--min-growth", "10"]);
    text.assert_code(0);
    assert!(
        text.stdout
            .contains("Classes that grew in both intervals (at least 10 each time):")
    );
    assert!(
        text.stdout.contains("leaky/server.js:46:"),
        "{}",
        text.stdout
    );
}

fn confirm(app: &str, extra: &[&str]) -> Run {
    let s = committed(app);
    let mut args = vec!["confirm", "--snapshots"];
    args.extend(strs(&s));
    args.extend_from_slice(extra);
    run(&args)
}

#[test]
fn confirm_the_leaky_app_from_paths() {
    let out = confirm("leaky", &["fixtures/apps/leaky", "--format", "json"]);
    out.assert_code(1);
    let v = out.json();
    assert_eq!(v["version"], 1);
    let file = "fixtures/apps/leaky/server.js";
    let verdict = |line: u64| {
        v["verdicts"]
            .as_array()
            .unwrap()
            .iter()
            .find(|x| x["line"] == line && x["rule"] == "listener-leak")
            .unwrap_or_else(|| panic!("no listener-leak verdict at {line}: {v:#}"))
    };
    let shipped = verdict(46);
    assert_eq!(shipped["file"], file);
    assert_eq!(shipped["verdict"], "confirmed");
    assert_eq!(
        shipped["evidence"][0]["counts"],
        serde_json::json!([70, 130, 190])
    );
    assert_eq!(shipped["evidence"][0]["grew_in_both"], true);
    assert_eq!(verdict(65)["verdict"], "not-growing");
    assert_eq!(verdict(69)["verdict"], "not-observed");
    for u in v["unexplained"].as_array().unwrap() {
        for key in [
            "kind",
            "class",
            "file",
            "line",
            "name",
            "counts",
            "growth",
            "retainer_path",
        ] {
            assert!(u.get(key).is_some(), "{key} missing in {u:#}");
        }
        assert!(
            u["growth"]
                .as_array()
                .unwrap()
                .iter()
                .all(|g| g.as_i64().unwrap() >= 10)
        );
    }
    assert_every_seeded_leak_accounted_for(&v, file);

    let text = confirm("leaky", &["fixtures/apps/leaky"]);
    text.assert_code(1);
    assert!(
        text.stdout
            .contains("confirmed     listener-leak fixtures/apps/leaky/server.js:46:3"),
        "{}",
        text.stdout
    );
    assert!(
        text.stdout
            .contains("listeners created at server.js:46 in `_events.shipped` of `orders`"),
        "{}",
        text.stdout
    );
}

#[test]
fn confirm_reads_a_json_report() {
    let dir = project();
    let report = dir.path().join("report.json");
    let lint = run(&[
        "fixtures/apps/leaky",
        "--format",
        "json",
        "--output",
        report.to_str().unwrap(),
    ]);
    assert!(
        lint.code == Some(1) || lint.code == Some(0),
        "{}",
        lint.stderr
    );
    let from_report = confirm(
        "leaky",
        &["--findings", report.to_str().unwrap(), "--format", "json"],
    );
    let from_paths = confirm("leaky", &["fixtures/apps/leaky", "--format", "json"]);
    from_report.assert_code(1);
    let (a, b) = (from_report.json(), from_paths.json());
    assert_eq!(a["verdicts"], b["verdicts"]);
    assert_eq!(a["unexplained"], b["unexplained"]);
    // A file that is not a report.
    let bad = write(dir.path(), "bad.json", "{\"files\": 3}");
    let out = confirm("leaky", &["--findings", bad.to_str().unwrap()]);
    out.assert_code(2);
    assert!(
        out.stderr.contains("not a leaklint JSON report"),
        "{}",
        out.stderr
    );
}

#[test]
fn confirm_the_clean_twin() {
    let out = confirm("clean", &["fixtures/apps/clean", "--format", "json"]);
    out.assert_code(0);
    assert_clean(&out.json());
    // Its findings (none) confirmed against the leaky app's own findings: the leaky report's
    // growth is not in the clean snapshots.
    let text = confirm("clean", &["fixtures/apps/clean"]);
    text.assert_code(0);
    assert!(
        text.stdout
            .contains("0 confirmed, 0 not growing, 0 not observed; 0 unexplained growth")
    );
}

#[test]
fn confirm_with_root() {
    // The absolute directory the app ran from, as the snapshot names it.
    let s = committed("leaky");
    let diff = run(&["heap", "diff", &s[0], &s[1], &s[2], "--format", "json"]).json();
    let file = diff["growing"]["locations"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|r| r["location"]["file"].as_str())
        .find(|f| f.ends_with("/fixtures/apps/leaky/server.js"))
        .unwrap()
        .to_owned();
    let root = file.trim_end_matches("fixtures/apps/leaky/server.js");
    let out = confirm(
        "leaky",
        &["fixtures/apps/leaky", "--root", root, "--format", "json"],
    );
    out.assert_code(1);
    let v = out.json();
    assert!(
        v["verdicts"]
            .as_array()
            .unwrap()
            .iter()
            .any(|x| x["line"] == 46 && x["verdict"] == "confirmed")
    );
    // A root the snapshot does not have: nothing maps, and the verdicts say why.
    let out = confirm(
        "leaky",
        &[
            "fixtures/apps/leaky",
            "--root",
            "/elsewhere",
            "--format",
            "json",
        ],
    );
    let v = out.json();
    for x in v["verdicts"].as_array().unwrap() {
        assert_eq!(x["verdict"], "not-observed", "{x:#}");
        assert!(x["note"].as_str().unwrap().contains("--root"), "{x:#}");
    }
}

#[test]
fn bad_snapshots_exit_2_with_file_offset_and_expectation() {
    let dir = project();
    let d = dir.path();
    let whole = plain("clean", 1);
    let truncated = write(d, "truncated.heapsnapshot", &whole[..whole.len() / 3]);
    let mut corrupt_bytes = whole.clone();
    let at = corrupt_bytes
        .windows(9)
        .position(|w| w == b"\"edges\":[")
        .unwrap()
        + 40;
    corrupt_bytes[at] = b'x';
    let corrupt = write(d, "corrupt.heapsnapshot", &corrupt_bytes);
    let script = write(d, "app.js", "console.log('hi');\n");
    let text = String::from_utf8_lossy(&whole).into_owned();
    let version = write(
        d,
        "v99.heapsnapshot",
        text.replacen("\"edge_count\",", "\"edge_total\",", 1),
    );
    let empty = write(d, "empty.heapsnapshot", "");
    let gz = std::fs::read(repo().join(&committed("clean")[0])).unwrap();
    let cut_gz = write(d, "cut.heapsnapshot.gz", &gz[..gz.len() / 2]);
    let cases: Vec<(std::path::PathBuf, &[&str])> = vec![
        (truncated, &["at byte ", "truncated", "expected"]),
        (
            corrupt,
            &[
                "at byte ",
                "expected a non-negative integer, `,` or `]` in `edges`, found `x`",
            ],
        ),
        (
            script,
            &[
                "at byte 0",
                "not a V8 heap snapshot",
                "expected a JSON object",
            ],
        ),
        (
            version,
            &["at byte 12", "unsupported snapshot format", "edge_count"],
        ),
        (empty, &["empty file"]),
        (
            cut_gz,
            &["of the decompressed data", "gzip stream is truncated"],
        ),
        (d.join("missing.heapsnapshot"), &["cannot open"]),
        (d.to_path_buf(), &["directory"]),
    ];
    let (good, good2) = (
        repo().join(&committed("clean")[0]),
        repo().join(&committed("clean")[1]),
    );
    let (good, good2) = (good.to_str().unwrap(), good2.to_str().unwrap());
    for (path, wants) in &cases {
        let p = path.to_str().unwrap();
        for args in [
            vec!["heap", "summary", p],
            vec!["heap", "diff", good, p],
            vec!["heap", "diff", p, good, good2],
            vec![
                "confirm",
                "--snapshots",
                good,
                good2,
                p,
                "fixtures/apps/clean",
            ],
        ] {
            let out = run(&args);
            out.assert_code(2);
            assert!(out.stderr.contains(p), "{args:?}: {}", out.stderr);
            for want in *wants {
                assert!(
                    out.stderr.contains(want),
                    "{args:?}: want {want:?} in {}",
                    out.stderr
                );
            }
            assert!(!out.stderr.contains("panicked"), "{}", out.stderr);
            assert!(out.stdout.is_empty(), "{args:?}: {}", out.stdout);
        }
    }
}

#[test]
fn snapshots_of_one_process_in_order_or_exit_2() {
    let s = committed("leaky");
    let clean = committed("clean");
    let node26 = committed("node26/leaky");
    let cases: Vec<(Vec<&str>, &[&str])> = vec![
        // Reversed order.
        (
            vec![&s[2], &s[1], &s[0]],
            &["was not taken after", "oldest first"],
        ),
        // The same file twice.
        (vec![&s[0], &s[0], &s[2]], &["is given twice"]),
        // The same snapshot under another name.
        (vec![&s[0], "COPY", &s[2]], &["holds the same objects as"]),
        // Another process (another app, another Node version): the ids mean other objects.
        (
            vec![&s[0], &node26[1], &s[2]],
            &["is not from the same process as", "one inspector session"],
        ),
        (
            vec![&clean[0], &s[1], &s[2]],
            &["is not from the same process as"],
        ),
    ];
    let dir = project();
    let copy = dir.path().join("copy.heapsnapshot.gz");
    std::fs::copy(repo().join(&s[0]), &copy).unwrap();
    let copy = copy.to_str().unwrap().to_owned();
    for (snaps, wants) in cases {
        let snaps: Vec<&str> = snaps
            .into_iter()
            .map(|x| if x == "COPY" { copy.as_str() } else { x })
            .collect();
        for cmd in [&["confirm", "--snapshots"][..], &["heap", "diff"][..]] {
            let mut args = cmd.to_vec();
            args.extend(&snaps);
            if cmd[0] == "confirm" {
                args.push("fixtures/apps/leaky");
            }
            let out = run(&args);
            out.assert_code(2);
            for want in wants {
                assert!(
                    out.stderr.contains(want),
                    "{args:?}: want {want:?} in {}",
                    out.stderr
                );
            }
            assert!(out.stdout.is_empty(), "{}", out.stdout);
        }
    }
}

#[test]
fn profiles_and_other_json_are_named_as_what_they_are() {
    let dir = project();
    let d = dir.path();
    // Written by the Node 20 on PATH when there is one; else minimal files of the same shape.
    let node = std::process::Command::new("node")
        .current_dir(d)
        .args([
            "--cpu-prof",
            "--cpu-prof-name=p.cpuprofile",
            "--heap-prof",
            "--heap-prof-name=p.heapprofile",
            "-e",
            "const a = []; for (let i = 0; i < 100000; i++) a.push({ i });",
        ])
        .status()
        .is_ok_and(|s| s.success());
    if !node {
        write(
            d,
            "p.cpuprofile",
            r#"{"nodes":[{"id":1,"callFrame":{"functionName":"(root)"},"hitCount":0}],"startTime":0,"endTime":1,"samples":[],"timeDeltas":[]}"#,
        );
        write(
            d,
            "p.heapprofile",
            r#"{"head":{"callFrame":{"functionName":"(root)"},"selfSize":0,"id":1,"children":[]},"samples":[]}"#,
        );
    }
    let other = write(
        d,
        "package.json",
        r#"{ "name": "app", "version": "1.0.0" }"#,
    );
    let s = committed("clean");
    let cases: Vec<(std::path::PathBuf, &str)> = vec![
        (
            d.join("p.cpuprofile"),
            "this is a CPU profile (.cpuprofile)",
        ),
        (
            d.join("p.heapprofile"),
            "this is a sampling heap profile (.heapprofile",
        ),
        (
            other,
            "this is JSON, but not a heap snapshot (it starts with the key \"name\"",
        ),
    ];
    for (path, want) in &cases {
        let p = path.to_str().unwrap();
        for args in [
            vec!["heap", "summary", p],
            vec![
                "confirm",
                "--snapshots",
                &s[0],
                &s[1],
                p,
                "fixtures/apps/clean",
            ],
        ] {
            let out = run(&args);
            out.assert_code(2);
            assert!(
                out.stderr.contains(p) && out.stderr.contains(want),
                "{args:?}: {}",
                out.stderr
            );
        }
    }
    // `--snapshots s1 s2 app/`: the directory took the third snapshot's place.
    let out = run(&[
        "confirm",
        "--snapshots",
        &s[0],
        &s[1],
        "fixtures/apps/clean",
    ]);
    out.assert_code(2);
    assert!(
        out.stderr.contains(
            "fixtures/apps/clean is a directory, not a snapshot: three snapshot files are needed"
        ),
        "{}",
        out.stderr
    );
}

#[test]
fn usage_errors() {
    let s = committed("clean");
    // confirm needs exactly three snapshots.
    let out = run(&["confirm", "--snapshots", &s[0], &s[1]]);
    out.assert_code(2);
    let out = run(&["heap", "diff", &s[0]]);
    out.assert_code(2);
    let out = run(&["--help"]);
    out.assert_code(0);
    assert!(
        out.stdout.contains("heap") && out.stdout.contains("confirm"),
        "{}",
        out.stdout
    );
}
