//! Pathological input: shapes that crashed, hung or exhausted memory. Each is reported for its
//! file with a clear message, and every other file is still linted and reported, in every
//! format. The real binary on generated files.

mod cli_support;
mod heap_support;

use cli_support::*;
use serde_json::Value;

/// A file per shape, each far beyond leaklint's limits: (name, text, what the message says).
fn shapes() -> Vec<(&'static str, String, &'static str)> {
    let n = 85_000;
    vec![
        (
            "arrows.js",
            format!("f = {}1;\n", "() => ".repeat(n)),
            "arrow functions nest",
        ),
        (
            "async_arrows.js",
            format!("f = {}1;\n", "async () => ".repeat(n)),
            "arrow functions nest",
        ),
        (
            "param_arrows.js",
            format!("f = {}1;\n", "x => ".repeat(n)),
            "arrow functions nest",
        ),
        (
            "generic_arrows.ts",
            format!("f = {}1;\n", "<T,>(x: T) => ".repeat(n)),
            "(or generic arrows) in a row",
        ),
        (
            "jsx_arrows.jsx",
            format!("a = <b onClick={{{}1}} />;\n", "() => ".repeat(n)),
            "arrow functions nest",
        ),
        (
            "route_arrows.js",
            format!("app.get('/', {}res.end());\n", "(req, res) => ".repeat(n)),
            "arrow functions nest",
        ),
        (
            "labels.js",
            format!("{}x;\n", "l: ".repeat(20_000)),
            "labels in a row",
        ),
        (
            "few_labels.js",
            format!("{}x;\n", "l: ".repeat(5_000)),
            "labels in a row",
        ),
        (
            "assertions.ts",
            format!("x = {}a;\n", "<T>".repeat(32_000)),
            "type assertions",
        ),
        (
            "else_if.js",
            format!("if (a) {{}} {}\n", "else if (a) {} ".repeat(100_000)),
            "`else if` chain",
        ),
        (
            "brackets.js",
            format!("x = {}1{};\n", "(".repeat(100_000), ")".repeat(100_000)),
            "brackets nest",
        ),
        // swc tries `a <` as type arguments and then as a comparison, nested through computed
        // keys: exponential (6 levels take seconds, 200 would never end).
        (
            "type_arguments.ts",
            format!("x = {};\n", "a<({[".repeat(200)),
            "`a < ...` (possible type arguments) nest here",
        ),
        (
            "type_arguments_closed.ts",
            format!("x = {}x{};\n", "a<({[".repeat(30), "]:1})".repeat(30)),
            "`a < ...` (possible type arguments) nest here",
        ),
        // The shape a fuzzer found (472 bytes of it took 6.7 s).
        (
            "type_arguments.tsx",
            format!("{}\n", "hh=>*r<cint$[[[[{[[[[[[&[[[[[[".repeat(30)),
            "`a < ...` (possible type arguments) nest here",
        ),
    ]
}

#[test]
fn each_pathological_file_is_reported_and_the_others_are_linted() {
    let dir = project();
    write(dir.path(), "app.js", LEAKY);
    let shapes = shapes();
    for (name, text, _) in &shapes {
        write(dir.path(), name, text);
    }
    let run = leaklint(dir.path(), &["-f", "json"]);
    run.assert_code(1);
    let report = run.json();
    assert_eq!(rules_in(&report, "app.js"), ["listener-leak"]);
    for (name, _, what) in &shapes {
        let error = &file(&report, name)["parse_error"];
        let message = error["message"].as_str().unwrap_or_default();
        assert!(
            message.starts_with("not analysed: ") && message.contains(what),
            "{name}: {error}"
        );
        assert_eq!(error["start"]["line"], 1, "{name}: {error}");
    }
    assert_eq!(report["summary"]["errors"], shapes.len() + 1);

    // Every format still carries the other file's finding and names each refused file.
    let compact = leaklint(dir.path(), &["-f", "compact"]);
    compact.assert_code(1);
    assert!(compact.stdout.contains("app.js:6:3: error [listener-leak]"));
    let github = leaklint(dir.path(), &["-f", "github"]);
    github.assert_code(1);
    assert!(
        github.stdout.contains("file=app.js,line=6"),
        "{}",
        github.stdout
    );
    let pretty = leaklint(dir.path(), &["--color", "never"]);
    pretty.assert_code(1);
    assert!(pretty.stdout.contains("listener-leak"));
    assert!(pretty.stdout.len() < 40_000, "no megabyte snippets");
    for (name, _, _) in &shapes {
        assert!(compact.stdout.contains(&format!("{name}:1:")), "{name}");
        assert!(github.stdout.contains(&format!("file={name},")), "{name}");
        assert!(pretty.stdout.contains(name), "{name}");
    }
    let sarif = leaklint(dir.path(), &["-f", "sarif"]);
    sarif.assert_code(1);
    let sarif = sarif.json();
    let run = &sarif["runs"][0];
    let results = run["results"].as_array().unwrap();
    assert!(results.iter().any(|r| r["ruleId"] == "listener-leak"));
    let notifications = run["invocations"][0]["toolExecutionNotifications"]
        .as_array()
        .expect("notifications");
    for (name, _, _) in &shapes {
        let refused = notifications.iter().any(|n| {
            n["message"]["text"]
                .as_str()
                .is_some_and(|t| t.starts_with(&format!("{name} was not analysed: ")))
        });
        assert!(refused, "{name}: {notifications:#?}");
    }
}

/// A file within every limit that is still slow: swc's parser is quadratic in a run of
/// TypeScript type assertions, and this is many runs, each at the limit (about 0.08 s each in a
/// release build, ten times that in a debug build).
fn slow_file() -> String {
    let run = format!(
        "x = {}a;\n",
        "<T>".repeat(leaklint_rules::limits::MAX_TYPE_ASSERTIONS)
    );
    run.repeat(SLOW_RUNS)
}

const SLOW_RUNS: usize = 100;

/// A slow file is given up on when its time budget runs out, with the phase it was in, and the
/// run goes on: the other file is linted and reported in every format, the exit status says
/// so, and the run does not wait for the slow file (its thread is abandoned).
#[test]
fn a_slow_file_is_given_up_on_after_its_budget_and_the_others_are_linted() {
    let dir = project();
    write(dir.path(), "app.js", LEAKY);
    write(dir.path(), "slow.ts", slow_file());
    let given_up = "slow.ts:1:1: error [leaklint/parse-error] not analysed: linting this file took \
                    longer than the per-file budget of 1 s (it was parsing); the other files were \
                    linted";
    let started = std::time::Instant::now();
    let compact = leaklint(dir.path(), &["--file-budget", "1", "-f", "compact"]);
    // Far less than the slow file takes (8 s in a release build): the run did not wait for it.
    let elapsed = started.elapsed();
    assert!(elapsed.as_secs_f64() < 6.0, "{elapsed:?}");
    compact.assert_code(1);
    assert!(compact.stdout.contains(given_up), "{}", compact.stdout);
    assert!(compact.stdout.contains("app.js:6:3: error [listener-leak]"));

    let json = leaklint(dir.path(), &["--file-budget", "1", "-f", "json"]);
    json.assert_code(1);
    let report = json.json();
    assert_eq!(rules_in(&report, "app.js"), ["listener-leak"]);
    let error = &file(&report, "slow.ts")["parse_error"];
    assert!(
        error["message"]
            .as_str()
            .unwrap()
            .contains("per-file budget of 1 s (it was parsing)"),
        "{error}"
    );
    assert_eq!(report["summary"]["errors"], 2);

    let sarif = leaklint(dir.path(), &["--file-budget", "1", "-f", "sarif"]);
    sarif.assert_code(1);
    let sarif = sarif.json();
    let run = &sarif["runs"][0];
    assert!(
        run["results"]
            .as_array()
            .unwrap()
            .iter()
            .any(|r| r["ruleId"] == "listener-leak")
    );
    let notifications = run["invocations"][0]["toolExecutionNotifications"]
        .as_array()
        .expect("notifications");
    assert!(
        notifications.iter().any(|n| n["message"]["text"]
            .as_str()
            .is_some_and(|t| t.starts_with("slow.ts was not analysed: linting this file took"))),
        "{notifications:#?}"
    );

    let github = leaklint(dir.path(), &["--file-budget", "1", "-f", "github"]);
    github.assert_code(1);
    assert!(github.stdout.contains("file=app.js,line=6"));
    assert!(github.stdout.contains("file=slow.ts,line=1"));
    let pretty = leaklint(dir.path(), &["--file-budget", "1", "--color", "never"]);
    pretty.assert_code(1);
    assert!(pretty.stdout.contains("listener-leak") && pretty.stdout.contains("slow.ts"));
}

/// `file_budget` in leaklint.toml sets the budget; `--file-budget` wins over it, and `0`
/// means no budget. Standard input keeps to the budget too.
#[test]
fn the_time_budget_comes_from_the_configuration_or_the_command_line() {
    let dir = project();
    write(dir.path(), "app.js", LEAKY);
    write(dir.path(), "slow.ts", slow_file());
    write(dir.path(), "leaklint.toml", "file_budget = 1.5\n");
    let run = leaklint(dir.path(), &["-f", "compact"]);
    run.assert_code(1);
    assert!(
        run.stdout
            .contains("per-file budget of 1.5 s (it was parsing)"),
        "{}",
        run.stdout
    );
    assert!(run.stdout.contains("app.js:6:3: error [listener-leak]"));

    write(dir.path(), "leaklint.toml", "file_budget = 0\n");
    let run = leaklint(dir.path(), &["--file-budget", "0.5", "-f", "compact"]);
    run.assert_code(1);
    assert!(
        run.stdout
            .contains("per-file budget of 0.5 s (it was parsing)"),
        "{}",
        run.stdout
    );

    // leaklint.toml says no budget; the command line gives one.
    let stdin = leaklint_stdin(
        dir.path(),
        &[
            "--stdin",
            "--stdin-filename",
            "gen.ts",
            "--file-budget",
            "0.5",
            "-f",
            "compact",
        ],
        slow_file().as_bytes(),
    );
    stdin.assert_code(1);
    assert!(
        stdin
            .stdout
            .contains("gen.ts:1:1: error [leaklint/parse-error] not analysed: linting this file"),
        "{}",
        stdin.stdout
    );
}

/// A budget that is not a number of seconds is a usage or configuration error (exit 2).
#[test]
fn a_bad_time_budget_is_an_error() {
    let dir = project();
    write(dir.path(), "app.js", LEAKY);
    for bad in ["-1", "ten", "1e300"] {
        let run = leaklint(dir.path(), &[&format!("--file-budget={bad}")]);
        run.assert_code(2);
        assert!(
            run.stderr.contains("--file-budget"),
            "{bad}: {}",
            run.stderr
        );
    }
    write(dir.path(), "leaklint.toml", "\nfile_budget = \"10s\"\n");
    let run = leaklint(dir.path(), &[]);
    run.assert_code(2);
    assert!(
        run.stderr
            .contains("leaklint.toml:2:15: file_budget must be a number of seconds"),
        "{}",
        run.stderr
    );
    write(dir.path(), "leaklint.toml", "file_budget = -3\n");
    let run = leaklint(dir.path(), &[]);
    run.assert_code(2);
    assert!(
        run.stderr.contains("file_budget: a time budget"),
        "{}",
        run.stderr
    );
}

/// Standard input is linted on its own thread: the same limits hold there.
#[test]
fn pathological_standard_input_is_reported() {
    let dir = project();
    for (name, text, what) in shapes() {
        let run = leaklint_stdin(
            dir.path(),
            &["--stdin", "--stdin-filename", name, "-f", "compact"],
            text.as_bytes(),
        );
        run.assert_code(1);
        assert!(
            run.stdout.contains("[leaklint/parse-error] not analysed: ")
                && run.stdout.contains(what),
            "{name}: {}",
            run.stdout
        );
    }
}

/// At the limits, a file is analysed: the stack of the lint thread is sized for them. (With no
/// time budget: at the limits swc is slow, and a debug build, as `cargo test` makes, takes
/// longer than the default budget on this file.)
#[test]
fn input_at_the_limits_is_analysed() {
    use leaklint_rules::limits::*;
    let dir = project();
    let brackets = MAX_NESTING - 1;
    let at_limits = format!(
        "{LEAKY}\nf = {}{}1{};\n{}x;\n",
        "[".repeat(brackets),
        "() => ".repeat(MAX_ARROWS),
        "]".repeat(brackets),
        "l: ".repeat(MAX_LABELS),
    );
    write(dir.path(), "app.js", at_limits);
    write(
        dir.path(),
        "types.ts",
        format!(
            "x = {}a;\nif (a) {{}} {}\ny = {}x{};\n",
            "<T>".repeat(MAX_TYPE_ASSERTIONS),
            "else if (a) {} ".repeat(MAX_ELSE_IF),
            "a<({[".repeat(MAX_TYPE_ARGUMENT_NESTING),
            "]:1})".repeat(MAX_TYPE_ARGUMENT_NESTING),
        ),
    );
    let run = leaklint(dir.path(), &["--file-budget", "0", "-f", "json"]);
    let report = run.json();
    assert_eq!(file(&report, "types.ts")["parse_error"], Value::Null);
    // `l: l:` repeats a label, which is a syntax error, but not a refusal.
    let error = file(&report, "app.js")["parse_error"]["message"].clone();
    assert!(
        error.as_str().unwrap().contains("already declared"),
        "{error}"
    );
    let without_labels = format!(
        "{LEAKY}\nf = {}{}1{};\n",
        "[".repeat(brackets),
        "() => ".repeat(MAX_ARROWS),
        "]".repeat(brackets),
    );
    write(dir.path(), "app.js", without_labels);
    let run = leaklint(dir.path(), &["--file-budget", "0", "-f", "json"]);
    run.assert_code(1);
    assert_eq!(rules_in(&run.json(), "app.js"), ["listener-leak"]);
}

/// A file larger than the limit is refused without being read.
#[test]
fn a_file_beyond_the_size_limit_is_refused_unread() {
    let dir = project();
    write(dir.path(), "app.js", LEAKY);
    let huge = write(dir.path(), "huge.js", "");
    let limit = leaklint_rules::limits::MAX_FILE_BYTES as u64;
    // Sparse: no disk space, and reading it would take a while.
    std::fs::File::options()
        .write(true)
        .open(&huge)
        .unwrap()
        .set_len(limit + 1)
        .unwrap();
    let run = leaklint(dir.path(), &["-f", "json"]);
    run.assert_code(1);
    let report = run.json();
    let message = file(&report, "huge.js")["parse_error"]["message"].clone();
    assert!(
        message.as_str().unwrap().contains("more than the 64 MiB"),
        "{message}"
    );
    assert_eq!(rules_in(&report, "app.js"), ["listener-leak"]);
}

/// `listener-leak` was quadratic in its findings in one file (32,000 findings: 23 s in a
/// release build). All are reported; linear time keeps this test short even in a debug build
/// (which still takes longer than the default time budget on a loaded machine: no budget here).
#[test]
fn thirty_two_thousand_findings_in_one_file() {
    let dir = project();
    let mut text = String::from(
        "const express = require('express');\nconst app = express();\napp.get('/', (req, res) => {\n",
    );
    for i in 0..32_000 {
        text.push_str(&format!("  process.on('e{i}', () => res.end());\n"));
    }
    text.push_str("});\n");
    write(dir.path(), "many.js", text);
    let run = leaklint(dir.path(), &["--file-budget", "0", "-f", "compact"]);
    run.assert_code(1);
    assert_eq!(run.stdout.matches("[listener-leak]").count(), 32_000);
}

#[test]
fn a_snapshot_without_location_fields_but_with_locations_is_refused() {
    let dir = project();
    let text = String::from_utf8(heap_support::plain("clean", 1)).unwrap();
    let bad = text.replacen(
        r#""location_fields":["object_index","script_id","line","column"]"#,
        r#""location_fields":[]"#,
        1,
    );
    assert_ne!(bad, text);
    let bad = write(dir.path(), "bad.heapsnapshot", bad);
    let bad = bad.to_str().unwrap();
    let good = heap_support::repo().join(&heap_support::committed("clean")[1]);
    let good = good.to_str().unwrap();
    // `confirm` refuses the same snapshot twice, so its first two are the committed s1 and s2.
    let first = heap_support::repo().join(&heap_support::committed("clean")[0]);
    let first = first.to_str().unwrap();
    let app = heap_support::repo().join("fixtures/apps/clean");
    for args in [
        vec!["heap", "summary", bad],
        vec!["heap", "diff", good, bad],
        vec![
            "confirm",
            "--snapshots",
            first,
            good,
            bad,
            app.to_str().unwrap(),
        ],
    ] {
        let run = leaklint(dir.path(), &args);
        run.assert_code(2);
        assert!(
            run.stderr.contains("`meta.location_fields` names no field"),
            "{args:?}: {}",
            run.stderr
        );
        assert!(!run.stderr.contains("panicked"), "{}", run.stderr);
    }
}

#[test]
fn a_deeply_dotted_table_header_is_an_error_with_its_line_and_key() {
    let dir = project();
    write(dir.path(), "app.js", LEAKY);
    let header = vec!["a"; 10_000].join(".");
    write(
        dir.path(),
        "leaklint.toml",
        format!("[rules]\n\n[{header}]\n"),
    );
    let run = leaklint(dir.path(), &["-f", "compact"]);
    run.assert_code(2);
    assert!(
        run.stderr.contains("leaklint.toml:3:1: ") && run.stderr.contains("(at `[a.a.a.a"),
        "{}",
        run.stderr
    );
}

#[test]
fn a_configuration_that_never_ends_is_refused() {
    let dir = project();
    write(dir.path(), "app.js", LEAKY);
    let run = leaklint(dir.path(), &["-c", "/dev/zero", "-f", "compact"]);
    run.assert_code(2);
    assert!(run.stderr.contains("larger than 1 MiB"), "{}", run.stderr);
}

#[test]
fn an_empty_ignore_pattern_is_a_usage_error() {
    let dir = project();
    write(dir.path(), "app.js", LEAKY);
    let run = leaklint(dir.path(), &["--ignore-pattern", "", "-f", "compact"]);
    run.assert_code(2);
    assert!(
        run.stderr
            .contains("--ignore-pattern: empty ignore pattern"),
        "{}",
        run.stderr
    );
    write(dir.path(), "leaklint.toml", "ignore = [\"\"]\n");
    let run = leaklint(dir.path(), &["-f", "compact"]);
    run.assert_code(2);
    assert!(
        run.stderr.contains("empty ignore pattern"),
        "{}",
        run.stderr
    );
}

/// Unknown rule names are reported one by one up to a bound, then counted in one warning.
#[test]
fn a_flood_of_unknown_rule_names_is_bounded() {
    let dir = project();
    let names = vec!["no-such-rule"; 200_000].join(" ");
    write(
        dir.path(),
        "app.js",
        format!("// leaklint-disable-next-line {names}\nconst x = 1;\n"),
    );
    let run = leaklint(dir.path(), &["-f", "compact"]);
    run.assert_code(0);
    assert_eq!(run.stdout.matches("[leaklint/unknown-rule]").count(), 101);
    assert!(
        run.stdout
            .contains("199900 more unknown rule names in directives of this file"),
        "{}",
        &run.stdout[run.stdout.len().saturating_sub(600)..]
    );
}

/// Inputs the fuzzer found (minimised by hand): they trip `debug_assert!`s inside swc's parser.
/// A release build reports them as parse errors; a debug build (as `cargo test` runs) panics
/// inside swc, and leaklint reports an internal error for that file alone. Either way the
/// other files are linted and reported.
#[test]
fn fuzz_findings_in_the_parser_lose_nothing() {
    let cases = [
        // swc_ecma_parser 47 parser/expr.rs: `debug_assert_eq!(items.len(), 1)`.
        (
            "arrow_in_param_type.ts",
            "const f: P = (a, b?: T_=>\n  a(b)\n",
        ),
        // parser/class_and_fn.rs: `peek!` at the end of the input.
        ("static_at_end.js", "class A {\n  static"),
    ];
    for (name, text) in cases {
        let dir = project();
        write(dir.path(), "app.js", LEAKY);
        write(dir.path(), name, text);
        let run = leaklint(dir.path(), &["-f", "json"]);
        let report = run.json();
        assert_eq!(rules_in(&report, "app.js"), ["listener-leak"], "{name}");
        if cfg!(debug_assertions) {
            run.assert_code(2);
            assert!(
                run.stderr
                    .contains(&format!("internal error while linting {name}")),
                "{name}: {}",
                run.stderr
            );
        } else {
            run.assert_code(1);
            assert!(
                file(&report, name)["parse_error"]["message"].is_string(),
                "{name}"
            );
        }
    }
}
