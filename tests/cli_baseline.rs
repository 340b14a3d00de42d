//! Bulk suppressions: `--suppress-all` writes `leaklint-suppressions.json`, later runs report
//! only findings beyond its counts, `--prune-suppressions` lowers the counts as code is fixed.

mod cli_support;

use std::path::Path;

use cli_support::*;
use serde_json::json;

/// LEAKY with a second per-request listener (two `listener-leak` findings).
fn two_leaks() -> String {
    LEAKY.replace(
        "  bus.on('done', () => res.end('ok'));\n",
        "  bus.on('done', () => res.end('ok'));\n  bus.on('fail', () => res.end('no'));\n",
    )
}

fn baseline_file(dir: &Path) -> serde_json::Value {
    let text = std::fs::read_to_string(dir.join("leaklint-suppressions.json")).expect("written");
    serde_json::from_str(&text).expect("JSON")
}

fn findings(report: &serde_json::Value) -> Vec<(String, u64)> {
    let mut out = Vec::new();
    for file in report["files"].as_array().unwrap() {
        for f in file["findings"].as_array().unwrap() {
            out.push((
                file["path"].as_str().unwrap().to_owned(),
                f["start"]["line"].as_u64().unwrap(),
            ));
        }
    }
    out
}

#[test]
fn suppress_all_then_only_new_findings_are_reported() {
    let dir = project();
    let root = dir.path();
    write(root, "src/a.js", LEAKY);
    write(root, "src/b.js", two_leaks());
    write(root, "src/clean.js", CLEAN);

    let run = leaklint(root, &["src", "--suppress-all", "-f", "json"]);
    run.assert_code(0);
    assert_eq!(findings(&run.json()), []);
    assert!(
        run.stderr
            .contains("wrote leaklint-suppressions.json: 3 findings in 2 files"),
        "{}",
        run.stderr
    );
    assert_eq!(
        baseline_file(root),
        json!({
            "version": 1,
            "files": {
                "src/a.js": { "listener-leak": 1 },
                "src/b.js": { "listener-leak": 2 }
            }
        })
    );

    // The same code: nothing to report, and stderr says what was hidden.
    let run = leaklint(root, &["src", "-f", "json"]);
    run.assert_code(0);
    assert_eq!(findings(&run.json()), []);
    assert!(
        run.stderr.contains("3 findings not shown"),
        "{}",
        run.stderr
    );

    // Lines move: counts, not positions, so still nothing.
    write(root, "src/b.js", format!("// moved\n\n{}", two_leaks()));
    leaklint(root, &["src", "-f", "json"]).assert_code(0);

    // A new file with a leak, and one more leak in a.js: both reported; in a.js nobody can
    // tell which of the two is new, so both are shown, with a note.
    write(root, "src/new.js", LEAKY);
    write(root, "src/a.js", two_leaks());
    let run = leaklint(root, &["src", "-f", "json"]);
    run.assert_code(1);
    assert_eq!(
        findings(&run.json()),
        [
            ("src/a.js".to_owned(), 6),
            ("src/a.js".to_owned(), 7),
            ("src/new.js".to_owned(), 6)
        ]
    );
    assert!(
        run.stderr.contains(
            "src/a.js: 2 listener-leak findings where the suppressions file allows 1: all 2 \
             are reported"
        ),
        "{}",
        run.stderr
    );

    // The file is read from the current directory; with --suppressions-location from
    // anywhere, its paths staying relative to its own folder.
    let run = leaklint(
        &root.join("src"),
        &[
            "b.js",
            "--suppressions-location",
            "../leaklint-suppressions.json",
            "-f",
            "json",
        ],
    );
    run.assert_code(0);
    let run = leaklint(&root.join("src"), &["b.js", "-f", "json"]);
    run.assert_code(1);
}

#[test]
fn prune_drops_what_was_fixed_and_never_raises_a_count() {
    let dir = project();
    let root = dir.path();
    write(root, "src/a.js", LEAKY);
    write(root, "src/b.js", two_leaks());
    write(root, "src/c.js", LEAKY);
    leaklint(root, &["src", "--suppress-all"]).assert_code(0);

    // b.js: one leak fixed; c.js deleted; a.js: a new leak (the count stays 1).
    write(root, "src/b.js", LEAKY);
    std::fs::remove_file(root.join("src/c.js")).unwrap();
    write(root, "src/a.js", two_leaks());
    let run = leaklint(root, &["src", "--prune-suppressions", "-f", "json"]);
    run.assert_code(1);
    assert_eq!(
        findings(&run.json()),
        [("src/a.js".to_owned(), 6), ("src/a.js".to_owned(), 7)]
    );
    assert_eq!(
        baseline_file(root),
        json!({
            "version": 1,
            "files": {
                "src/a.js": { "listener-leak": 1 },
                "src/b.js": { "listener-leak": 1 }
            }
        })
    );

    // Pruning a run over part of the tree keeps the other files' counts.
    write(root, "src/b.js", CLEAN);
    leaklint(root, &["src/b.js", "--prune-suppressions"]).assert_code(0);
    assert_eq!(
        baseline_file(root)["files"],
        json!({ "src/a.js": { "listener-leak": 1 } })
    );
}

#[test]
fn parse_errors_are_never_suppressed() {
    let dir = project();
    write(dir.path(), "broken.ts", "const x: = 1;\n");
    let run = leaklint(dir.path(), &[".", "--suppress-all"]);
    run.assert_code(1);
    assert_eq!(baseline_file(dir.path())["files"], json!({}));
    leaklint(dir.path(), &["."]).assert_code(1);
}

#[test]
fn bad_suppressions_files_and_flags_exit_2() {
    let dir = project();
    write(dir.path(), "app.js", LEAKY);
    for (content, says) in [
        ("{", "not a leaklint suppressions file"),
        (
            r#"{"version": 2, "files": {}}"#,
            "version 2 is not supported",
        ),
        (
            r#"{"version": 1, "files": {"app.js": {"listener-leek": 1}}}"#,
            "`listener-leek`, which is no rule",
        ),
        (
            r#"{"version": 1, "files": {"app.js": {"listener-leak": 0}}}"#,
            "records 0",
        ),
        (
            r#"{"version": 1, "files": {}, "extra": 1}"#,
            "unknown field",
        ),
    ] {
        write(dir.path(), "leaklint-suppressions.json", content);
        let run = leaklint(dir.path(), &["app.js"]);
        run.assert_code(2);
        assert!(run.stderr.contains(says), "{content}: {}", run.stderr);
        assert!(run.stdout.is_empty());
        // Nothing lost: the file is left as it was.
        assert_eq!(
            std::fs::read_to_string(dir.path().join("leaklint-suppressions.json")).unwrap(),
            content
        );
    }
    std::fs::remove_file(dir.path().join("leaklint-suppressions.json")).unwrap();
    let run = leaklint(dir.path(), &["app.js", "--prune-suppressions"]);
    run.assert_code(2);
    assert!(run.stderr.contains("--suppress-all"), "{}", run.stderr);
    for args in [
        &["app.js", "--suppress-all", "--prune-suppressions"][..],
        &["app.js", "--prune-suppressions", "--rule", "listener-leak"],
    ] {
        leaklint(dir.path(), args).assert_code(2);
    }
    assert!(!dir.path().join("leaklint-suppressions.json").exists());
}
