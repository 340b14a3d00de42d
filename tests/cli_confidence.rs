//! Confidence (`high` | `medium`): what each finding says about how sure the rule is, in every
//! format, and `--min-confidence` / `min_confidence` filtering on it. Runs the real binary.

mod cli_support;

use cli_support::*;

/// One proven leak (a listener added per request, line 5) and one inferred one (an interval
/// started per instance of a class whose instantiations this project does not show, line 10).
const MIXED: &str = "const express = require('express');
const bus = require('./bus');
const app = express();
app.get('/x', (req, res) => {
  bus.on('tick', () => res.write('t'));
  res.end();
});
class Poller {
  constructor() {
    this.timer = setInterval(() => this.poll(), 1000);
  }
  poll() {}
}
module.exports = { app, Poller };
";

const BUS: &str = "const { EventEmitter } = require('events');
module.exports = new EventEmitter();
";

fn mixed() -> tempfile::TempDir {
    let dir = project();
    write(dir.path(), "app.js", MIXED);
    write(dir.path(), "bus.js", BUS);
    dir
}

/// `(rule, line, confidence)` of each finding in `app.js`.
fn findings(report: &serde_json::Value) -> Vec<(String, u64, String)> {
    file(report, "app.js")["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .map(|f| {
            (
                f["rule"].as_str().unwrap().to_owned(),
                f["start"]["line"].as_u64().unwrap(),
                f["confidence"].as_str().unwrap_or("null").to_owned(),
            )
        })
        .collect()
}

fn entry(rule: &str, line: u64, confidence: &str) -> (String, u64, String) {
    (rule.to_owned(), line, confidence.to_owned())
}

#[test]
fn json_gives_each_finding_its_confidence() {
    let dir = mixed();
    let run = leaklint(dir.path(), &["--format", "json", "app.js"]);
    run.assert_code(1);
    assert_eq!(
        findings(&run.json()),
        [
            entry("listener-leak", 5, "high"),
            entry("timer-leak", 10, "medium")
        ]
    );
}

#[test]
fn min_confidence_high_drops_inferred_findings() {
    let dir = mixed();
    let run = leaklint(
        dir.path(),
        &["--format", "json", "--min-confidence", "high", "app.js"],
    );
    run.assert_code(1);
    assert_eq!(findings(&run.json()), [entry("listener-leak", 5, "high")]);
    assert_eq!(run.json()["summary"]["warnings"], 0, "{}", run.stdout);
}

#[test]
fn configuration_key_filters_and_the_command_line_wins() {
    let dir = mixed();
    write(dir.path(), "leaklint.toml", "min_confidence = \"high\"\n");
    let run = leaklint(dir.path(), &["--format", "json", "app.js"]);
    assert_eq!(findings(&run.json()), [entry("listener-leak", 5, "high")]);

    let run = leaklint(
        dir.path(),
        &["--format", "json", "--min-confidence", "medium", "app.js"],
    );
    assert_eq!(
        findings(&run.json()),
        [
            entry("listener-leak", 5, "high"),
            entry("timer-leak", 10, "medium")
        ]
    );
}

#[test]
fn a_bad_configured_confidence_names_the_file_and_exits_2() {
    let dir = mixed();
    write(
        dir.path(),
        "leaklint.toml",
        "# levels\nmin_confidence = \"certain\"\n",
    );
    let run = leaklint(dir.path(), &["app.js"]);
    run.assert_code(2);
    assert!(
        run.stderr.contains("leaklint.toml:2:18")
            && run
                .stderr
                .contains("min_confidence must be \"high\" or \"medium\", not \"certain\""),
        "{}",
        run.stderr
    );
}

#[test]
fn a_bad_command_line_confidence_is_a_usage_error() {
    let dir = mixed();
    let run = leaklint(dir.path(), &["--min-confidence", "low", "app.js"]);
    run.assert_code(2);
    assert!(run.stderr.contains("--min-confidence"), "{}", run.stderr);
}

#[test]
fn sarif_results_carry_precision_and_rank() {
    let dir = mixed();
    let run = leaklint(dir.path(), &["--format", "sarif", "app.js"]);
    let sarif = run.json();
    let results = sarif["runs"][0]["results"].as_array().expect("results");
    let seen: Vec<(String, f64, String)> = results
        .iter()
        .map(|r| {
            (
                r["ruleId"].as_str().unwrap().to_owned(),
                r["rank"].as_f64().expect("rank"),
                r["properties"]["precision"]
                    .as_str()
                    .expect("precision")
                    .to_owned(),
            )
        })
        .collect();
    assert_eq!(
        seen,
        [
            ("listener-leak".to_owned(), 90.0, "high".to_owned()),
            ("timer-leak".to_owned(), 50.0, "medium".to_owned())
        ]
    );
}

#[test]
fn pretty_and_github_formats_show_it() {
    let dir = mixed();
    let run = leaklint(dir.path(), &["--color", "never", "app.js"]);
    assert!(
        run.stdout
            .contains("listener-leak app.js:5:3 (high confidence)")
            && run
                .stdout
                .contains("timer-leak app.js:10:18 (medium confidence)"),
        "{}",
        run.stdout
    );
    let run = leaklint(dir.path(), &["--format", "github", "app.js"]);
    assert!(
        run.stdout
            .contains("title=leaklint(timer-leak) medium confidence::"),
        "{}",
        run.stdout
    );
}
