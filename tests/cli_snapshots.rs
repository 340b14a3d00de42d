//! Snapshots of every output format for each file in `fixtures/cli/`. Each fixture is copied
//! into an empty temporary directory and linted from there, so the reports hold only relative
//! paths, and no `leaklint.toml` of the repository applies. The pretty report is rendered
//! without colour at its fixed non-terminal width (stdout is a pipe here).

mod cli_support;

use cli_support::*;

fn lint_fixture(path: &std::path::Path, format: &str) -> String {
    let dir = project();
    let name = path.file_name().unwrap().to_str().unwrap();
    write(dir.path(), name, std::fs::read(path).unwrap());
    let run = leaklint(
        dir.path(),
        &[
            name,
            "-f",
            format,
            "--report-unused-disable-directives",
            "--color",
            "never",
        ],
    );
    assert!(matches!(run.code, Some(0 | 1)), "{}", run.stderr);
    assert!(
        !run.stdout.contains(dir.path().to_str().unwrap()),
        "no absolute paths in reports"
    );
    // The tool version changes with releases, not with behaviour.
    run.stdout.replace(
        &format!("\"version\": \"{}\"", env!("CARGO_PKG_VERSION")),
        "\"version\": \"[version]\"",
    )
}

#[test]
fn pretty() {
    insta::glob!("../fixtures/cli", "*.{js,ts}", |path| {
        insta::assert_snapshot!(lint_fixture(path, "pretty"));
    });
}

#[test]
fn compact() {
    insta::glob!("../fixtures/cli", "*.{js,ts}", |path| {
        insta::assert_snapshot!(lint_fixture(path, "compact"));
    });
}

#[test]
fn json() {
    insta::glob!("../fixtures/cli", "*.{js,ts}", |path| {
        let text = lint_fixture(path, "json");
        // Whatever the snapshot says, the output is valid JSON of schema version 1.
        let value: serde_json::Value = serde_json::from_str(&text).unwrap();
        assert_eq!(value["version"], 1);
        insta::assert_snapshot!(text);
    });
}

/// Every annotated rule fixture, as the JSON report: it holds everything the other formats show
/// (messages, spans, labels, help text) plus the runtime signatures, and the `pretty` and
/// `compact` renderings are snapshotted above on `fixtures/cli/`.
#[test]
fn rule_fixtures_as_json() {
    insta::glob!(
        "../fixtures",
        "rules/*/*.{js,mjs,cjs,jsx,ts,mts,cts,tsx}",
        |path| {
            let json = lint_fixture(path, "json");
            let value: serde_json::Value = serde_json::from_str(&json).unwrap();
            assert_eq!(value["version"], 1);
            insta::assert_snapshot!(json);
        }
    );
}
