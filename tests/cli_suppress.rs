//! Suppression directives: next-line, line, file; reasons; unknown rules; unused directives.

mod cli_support;

use cli_support::*;

/// LEAKY with `line` inserted before the `bus.on` line (which becomes line 7).
fn with_line_before_leak(line: &str) -> String {
    let mut lines: Vec<&str> = LEAKY.lines().collect();
    lines.insert(5, line);
    lines.join("\n") + "\n"
}

/// LEAKY with `comment` appended to the `bus.on` line (line 6).
fn with_comment_on_leak(comment: &str) -> String {
    LEAKY.replace("res.end('ok'));", &format!("res.end('ok')); {comment}"))
}

fn lint_json(source: &str, extra: &[&str]) -> (Option<i32>, serde_json::Value) {
    let dir = project();
    write(dir.path(), "app.js", source);
    let mut args = vec!["-f", "json"];
    args.extend_from_slice(extra);
    let run = leaklint(dir.path(), &args);
    let report = run.json();
    (run.code, file(&report, "app.js").clone())
}

#[test]
fn next_line_directive_suppresses_and_keeps_the_reason() {
    let src = with_line_before_leak(
        "  // leaklint-disable-next-line listener-leak -- the bus is dropped with the app",
    );
    let (code, file) = lint_json(&src, &[]);
    assert_eq!(code, Some(0));
    assert_eq!(file["findings"], serde_json::json!([]));
    let s = &file["suppressed"][0];
    assert_eq!(s["rule"], "listener-leak");
    assert_eq!(s["start"]["line"], 7);
    assert_eq!(s["suppression"]["kind"], "next-line");
    assert_eq!(
        s["suppression"]["reason"],
        "the bus is dropped with the app"
    );
    assert_eq!(
        s["suppression"]["start"],
        serde_json::json!({"line": 6, "column": 3})
    );

    // Not printed by the human formats.
    let dir = project();
    write(dir.path(), "app.js", &src);
    let compact = leaklint(dir.path(), &["-f", "compact"]);
    compact.assert_code(0);
    assert_eq!(compact.stdout, "");
    let pretty = leaklint(dir.path(), &[]);
    assert!(
        !pretty.stdout.contains("listener-leak"),
        "{}",
        pretty.stdout
    );
}

#[test]
fn line_directive_suppresses_its_own_line() {
    let (code, file) = lint_json(
        &with_comment_on_leak("// leaklint-disable-line listener-leak"),
        &[],
    );
    assert_eq!(code, Some(0));
    assert_eq!(file["findings"], serde_json::json!([]));
    assert_eq!(file["suppressed"][0]["suppression"]["kind"], "line");
    assert_eq!(
        file["suppressed"][0]["suppression"]["reason"],
        serde_json::Value::Null
    );
}

#[test]
fn file_directive_suppresses_the_whole_file() {
    for directive in [
        "/* leaklint-disable listener-leak -- generated code */",
        "// leaklint-disable",
        "/**\n * leaklint-disable\n */",
    ] {
        let src = format!("{directive}\n{LEAKY}");
        let (code, file) = lint_json(&src, &["--report-unused-disable-directives"]);
        assert_eq!(code, Some(0), "{directive}");
        assert_eq!(file["findings"], serde_json::json!([]), "{directive}");
        assert_eq!(
            file["suppressed"][0]["suppression"]["kind"], "file",
            "{directive}"
        );
    }
}

#[test]
fn a_directive_for_another_line_or_a_lookalike_does_not_suppress() {
    // Two lines above the leak: the next line is the handler's first line, not the leak.
    let mut lines: Vec<&str> = LEAKY.lines().collect();
    lines.insert(4, "// leaklint-disable-next-line listener-leak");
    let src = lines.join("\n") + "\n";
    let (code, file) = lint_json(&src, &[]);
    assert_eq!(code, Some(1));
    assert_eq!(file["findings"][0]["rule"], "listener-leak");
    assert_eq!(file["suppressed"], serde_json::json!([]));

    // `leaklint-disabled` is not a directive.
    let (code, _) = lint_json(
        &with_comment_on_leak("// leaklint-disabled listener-leak"),
        &[],
    );
    assert_eq!(code, Some(1));
}

#[test]
fn unknown_rule_in_a_directive_is_a_warning_at_the_name() {
    let line = "  // leaklint-disable-next-line listener-leak, no-such-rule -- why";
    let (code, file) = lint_json(&with_line_before_leak(line), &[]);
    assert_eq!(code, Some(0), "warnings only");
    let findings = file["findings"].as_array().unwrap();
    assert_eq!(findings.len(), 1, "{file:#}");
    let unknown = &findings[0];
    assert_eq!(unknown["rule"], "leaklint/unknown-rule");
    assert_eq!(unknown["severity"], "warning");
    assert!(
        unknown["message"]
            .as_str()
            .unwrap()
            .contains("`no-such-rule`")
    );
    let column = line.find("no-such-rule").unwrap() + 1;
    assert_eq!(
        unknown["start"],
        serde_json::json!({"line": 6, "column": column})
    );
    assert_eq!(unknown["signature"], serde_json::Value::Null);
    // The known name in the same directive still works.
    assert_eq!(file["suppressed"][0]["rule"], "listener-leak");
}

#[test]
fn unused_directives_are_reported_only_when_asked() {
    let src = format!("{CLEAN}// leaklint-disable-next-line listener-leak\nconsole.log(1);\n");
    let (code, file) = lint_json(&src, &[]);
    assert_eq!(code, Some(0));
    assert_eq!(file["findings"], serde_json::json!([]));

    let (code, file) = lint_json(&src, &["--report-unused-disable-directives"]);
    assert_eq!(code, Some(0));
    assert_eq!(file["findings"][0]["rule"], "leaklint/unused-directive");
    assert_eq!(file["findings"][0]["severity"], "warning");
    assert_eq!(file["findings"][0]["start"]["line"], 4);
    let (code, _) = lint_json(
        &src,
        &["--report-unused-disable-directives", "--max-warnings", "0"],
    );
    assert_eq!(code, Some(1));
    // A rule that did not run cannot prove the directive useless.
    let (_, file) = lint_json(
        &src,
        &[
            "--report-unused-disable-directives",
            "--disable",
            "listener-leak",
        ],
    );
    assert_eq!(file["findings"], serde_json::json!([]));

    // A directive that did its job is not reported.
    let used = with_line_before_leak("  // leaklint-disable-next-line listener-leak");
    let (code, file) = lint_json(&used, &["--report-unused-disable-directives"]);
    assert_eq!(code, Some(0));
    assert_eq!(file["findings"], serde_json::json!([]));
    assert_eq!(file["suppressed"].as_array().unwrap().len(), 1);

    // Without a rule list, unused means it suppressed nothing at all.
    let all = format!("{CLEAN}/* leaklint-disable */\n");
    let (_, file) = lint_json(&all, &["--report-unused-disable-directives"]);
    assert_eq!(file["findings"][0]["rule"], "leaklint/unused-directive");
    assert_eq!(file["findings"][0]["start"]["line"], 4);
}

#[test]
fn suppressed_findings_do_not_count() {
    let src = with_comment_on_leak("// leaklint-disable-line");
    let (code, _) = lint_json(&src, &["--max-warnings", "0"]);
    assert_eq!(code, Some(0));
    let dir = project();
    write(dir.path(), "app.js", &src);
    let run = leaklint(dir.path(), &["-f", "json"]);
    assert_eq!(
        run.json()["summary"],
        serde_json::json!({"errors": 0, "warnings": 0, "files": 1})
    );
}
