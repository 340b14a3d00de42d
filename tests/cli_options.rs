//! Command-line options, subcommands and exit statuses of the real binary.

mod cli_support;

use cli_support::*;

#[test]
fn rules_lists_id_severity_category_and_summary() {
    let dir = project();
    let run = leaklint(dir.path(), &["rules"]);
    run.assert_code(0);
    let line = run
        .stdout
        .lines()
        .find(|l| l.starts_with("listener-leak "))
        .expect("listener-leak listed");
    let columns: Vec<&str> = line.split_whitespace().collect();
    assert_eq!(&columns[..3], ["listener-leak", "error", "listeners"]);
    assert!(columns.len() > 4, "a summary follows: {line}");
}

#[test]
fn explain_prints_markdown_docs() {
    let dir = project();
    let run = leaklint(dir.path(), &["explain", "listener-leak"]);
    run.assert_code(0);
    assert!(
        run.stdout.starts_with("# listener-leak\n"),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout
            .contains("Default severity: error. Category: listeners.")
    );
    // Doc comments are dedented: the rule's headings start their lines, so they render.
    assert!(
        run.stdout.lines().any(|l| l.starts_with("### ")),
        "{}",
        run.stdout
    );
    assert!(
        !run.stdout.lines().any(|l| l.starts_with(" ###")),
        "{}",
        run.stdout
    );
}

#[test]
fn explain_knows_the_builtin_problem_ids() {
    let dir = project();
    for id in [
        "leaklint/parse-error",
        "leaklint/unknown-rule",
        "leaklint/unused-directive",
    ] {
        let run = leaklint(dir.path(), &["explain", id]);
        run.assert_code(0);
        assert!(
            run.stdout.starts_with(&format!("# {id}\n")),
            "{}",
            run.stdout
        );
    }
}

#[test]
fn explain_unknown_rule_exits_2_listing_known_ids() {
    let dir = project();
    let run = leaklint(dir.path(), &["explain", "no-such-rule"]);
    run.assert_code(2);
    assert!(run.stderr.contains("no-such-rule"), "{}", run.stderr);
    assert!(run.stderr.contains("listener-leak"), "{}", run.stderr);
    assert!(run.stdout.is_empty());
}

#[test]
fn init_writes_a_usable_config_and_never_overwrites() {
    let dir = project();
    let run = leaklint(dir.path(), &["init"]);
    run.assert_code(0);
    let path = dir.path().join("leaklint.toml");
    let written = std::fs::read_to_string(&path).expect("leaklint.toml written");
    assert!(written.contains("[rules]") && written.contains("[knowledge]"));
    assert!(written.contains("# listener-leak = \"error\""), "{written}");
    // The starter configuration is valid: linting with it works and finds the leak.
    write(dir.path(), "app.js", LEAKY);
    let lint = leaklint(dir.path(), &["-f", "json"]);
    lint.assert_code(1);
    assert_eq!(rules_in(&lint.json(), "app.js"), ["listener-leak"]);

    std::fs::write(&path, "# mine\n").unwrap();
    let again = leaklint(dir.path(), &["init"]);
    again.assert_code(2);
    assert!(again.stderr.contains("already exists"), "{}", again.stderr);
    assert_eq!(std::fs::read_to_string(&path).unwrap(), "# mine\n");
}

#[test]
fn default_path_is_the_current_directory() {
    let dir = project();
    write(dir.path(), "src/app.js", LEAKY);
    let run = leaklint(dir.path(), &["-f", "json"]);
    run.assert_code(1);
    assert_eq!(paths(&run.json()), ["src/app.js"]);
}

#[test]
fn a_directory_named_like_a_subcommand_is_linted_as_dot_slash() {
    let dir = project();
    write(dir.path(), "rules/leak.js", LEAKY);
    let run = leaklint(dir.path(), &["./rules", "-f", "json"]);
    run.assert_code(1);
    assert_eq!(paths(&run.json()), ["rules/leak.js"]);
    // After another path, a bare name is a path.
    write(dir.path(), "init/x.js", CLEAN);
    let both = leaklint(dir.path(), &["rules", "init", "-f", "json"]);
    assert_eq!(
        both.code,
        Some(2),
        "`rules` first is the subcommand, which takes no path"
    );
    let both = leaklint(dir.path(), &["./rules", "init", "-f", "json"]);
    both.assert_code(1);
    assert_eq!(paths(&both.json()), ["init/x.js", "rules/leak.js"]);
    assert!(
        !dir.path().join("leaklint.toml").exists(),
        "init did not run"
    );
    // Bare `rules` is the subcommand.
    let sub = leaklint(dir.path(), &["rules"]);
    sub.assert_code(0);
    // It lists the rules (in id order), not a lint report.
    let first = leaklint_rules::ALL[0].meta().id;
    assert!(sub.stdout.starts_with(first), "{}", sub.stdout);
    for rule in leaklint_rules::ALL {
        assert!(
            sub.stdout.contains(rule.meta().id),
            "{} missing",
            rule.meta().id
        );
    }
}

#[test]
fn exit_status_0_clean_1_errors() {
    let dir = project();
    write(dir.path(), "clean.js", CLEAN);
    leaklint(dir.path(), &["clean.js"]).assert_code(0);
    write(dir.path(), "app.js", LEAKY);
    leaklint(dir.path(), &["app.js"]).assert_code(1);
}

#[test]
fn usage_errors_exit_2_and_help_exits_0() {
    let dir = project();
    for args in [
        &["--no-such-flag"][..],
        &["-f", "sarif-2"],
        &["--color", "sometimes"],
        &["--max-warnings", "many"],
        &["--stdin", "a.js"],
        &["--stdin-filename", "a.js"],
        &["explain"],
    ] {
        let run = leaklint(dir.path(), args);
        assert_eq!(run.code, Some(2), "{args:?}: {}", run.stderr);
        assert!(!run.stderr.is_empty(), "{args:?} explains itself");
    }
    let help = leaklint(dir.path(), &["--help"]);
    help.assert_code(0);
    assert!(help.stdout.contains("--max-warnings"));
    assert!(
        help.stdout.contains("./rules"),
        "help documents the path/subcommand clash"
    );
    leaklint(dir.path(), &["--version"]).assert_code(0);
}

#[test]
fn output_writes_the_report_to_a_file() {
    let dir = project();
    write(dir.path(), "app.js", LEAKY);
    let run = leaklint(dir.path(), &["-f", "json", "-o", "report.json"]);
    run.assert_code(1);
    assert!(run.stdout.is_empty(), "nothing on stdout: {}", run.stdout);
    let text = std::fs::read_to_string(dir.path().join("report.json")).unwrap();
    let report: serde_json::Value = serde_json::from_str(&text).unwrap();
    assert_eq!(rules_in(&report, "app.js"), ["listener-leak"]);

    // --output never gets colour under --color auto.
    leaklint(dir.path(), &["--output", "report.txt"]).assert_code(1);
    let text = std::fs::read_to_string(dir.path().join("report.txt")).unwrap();
    assert!(text.contains("listener-leak") && !text.contains('\x1b'));
}

#[test]
fn output_to_an_unwritable_place_exits_2_naming_it() {
    let dir = project();
    write(dir.path(), "clean.js", CLEAN);
    let run = leaklint(dir.path(), &["-o", "no/such/dir/report.txt"]);
    run.assert_code(2);
    assert!(
        run.stderr.contains("no/such/dir/report.txt"),
        "{}",
        run.stderr
    );
}

#[test]
fn max_warnings_turns_too_many_warnings_into_exit_1() {
    let dir = project();
    write(
        dir.path(),
        "leaklint.toml",
        "[rules]\nlistener-leak = \"warn\"\n",
    );
    write(dir.path(), "app.js", LEAKY);
    let run = leaklint(dir.path(), &["-f", "json"]);
    run.assert_code(0);
    let report = run.json();
    assert_eq!(report["summary"]["warnings"], 1);
    assert_eq!(
        file(&report, "app.js")["findings"][0]["severity"],
        "warning"
    );
    leaklint(dir.path(), &["--max-warnings", "1"]).assert_code(0);
    leaklint(dir.path(), &["--max-warnings", "0"]).assert_code(1);
}

#[test]
fn quiet_drops_warnings_but_keeps_errors() {
    let dir = project();
    write(
        dir.path(),
        "warn/leaklint.toml",
        "[rules]\nlistener-leak = \"warn\"\n",
    );
    write(dir.path(), "warn/app.js", LEAKY);
    write(dir.path(), "err/app.js", LEAKY);
    let run = leaklint(dir.path(), &["--quiet", "-f", "json"]);
    run.assert_code(1);
    let report = run.json();
    assert_eq!(rules_in(&report, "err/app.js"), ["listener-leak"]);
    assert!(rules_in(&report, "warn/app.js").is_empty());
    assert_eq!(report["summary"]["warnings"], 0);
    // Warnings hidden by --quiet do not count against --max-warnings.
    leaklint(dir.path(), &["--quiet", "--max-warnings", "0", "warn"]).assert_code(0);
}

#[test]
fn rule_and_disable_select_rules() {
    let dir = project();
    write(dir.path(), "app.js", LEAKY);
    let off = leaklint(dir.path(), &["--disable", "listener-leak", "-f", "json"]);
    off.assert_code(0);
    assert!(rules_in(&off.json(), "app.js").is_empty());

    // --rule turns on a rule the configuration has off.
    write(
        dir.path(),
        "leaklint.toml",
        "[rules]\nlistener-leak = \"off\"\n",
    );
    leaklint(dir.path(), &[]).assert_code(0);
    let on = leaklint(dir.path(), &["--rule", "listener-leak", "-f", "json"]);
    on.assert_code(1);
    assert_eq!(rules_in(&on.json(), "app.js"), ["listener-leak"]);
    // --disable wins over --rule.
    leaklint(
        dir.path(),
        &["--rule", "listener-leak", "--disable", "listener-leak"],
    )
    .assert_code(0);

    for flag in ["--rule", "--disable"] {
        let run = leaklint(dir.path(), &[flag, "nope"]);
        run.assert_code(2);
        assert!(
            run.stderr.contains("`nope`") && run.stderr.contains("listener-leak"),
            "{}",
            run.stderr
        );
    }
}

#[test]
fn color_only_when_asked_or_on_a_terminal() {
    let dir = project();
    write(dir.path(), "app.js", LEAKY);
    let always = leaklint(dir.path(), &["--color", "always"]);
    assert!(always.stdout.contains("\x1b["), "{}", always.stdout);
    // Tests pipe stdout: `auto` means no colour here.
    for args in [&["--color", "never"][..], &["--color", "auto"], &[]] {
        let run = leaklint(dir.path(), args);
        assert!(run.stdout.contains("listener-leak"), "{args:?}");
        assert!(!run.stdout.contains('\x1b'), "{args:?}: {}", run.stdout);
    }
}

#[test]
fn compact_has_one_line_per_problem() {
    let dir = project();
    write(dir.path(), "app.js", LEAKY);
    write(dir.path(), "b.js", LEAKY);
    let run = leaklint(dir.path(), &["-f", "compact"]);
    run.assert_code(1);
    let lines: Vec<&str> = run.stdout.lines().collect();
    assert_eq!(lines.len(), 2, "{}", run.stdout);
    assert!(
        lines[0].starts_with("app.js:6:3: error [listener-leak] "),
        "{}",
        lines[0]
    );
    assert!(
        lines[1].starts_with("b.js:6:3: error [listener-leak] "),
        "{}",
        lines[1]
    );
}

#[test]
fn pretty_ends_with_a_summary_line() {
    let dir = project();
    write(
        dir.path(),
        "leaklint.toml",
        "[rules]\nlistener-leak = \"warn\"\n",
    );
    write(dir.path(), "a.js", LEAKY);
    write(dir.path(), "b.js", LEAKY);
    let run = leaklint(dir.path(), &[]);
    run.assert_code(0);
    assert_eq!(
        run.stdout.lines().last(),
        Some("✖ 2 problems (0 errors, 2 warnings)")
    );

    let clean = project();
    write(clean.path(), "a.js", CLEAN);
    let run = leaklint(clean.path(), &[]);
    run.assert_code(0);
    assert_eq!(run.stdout.trim(), "✔ no problems (1 file)");
}

#[test]
fn stdin_is_linted_with_the_given_file_name() {
    let dir = project();
    let run = leaklint_stdin(dir.path(), &["--stdin", "-f", "json"], LEAKY.as_bytes());
    run.assert_code(1);
    assert_eq!(rules_in(&run.json(), "<stdin>"), ["listener-leak"]);

    let named = leaklint_stdin(
        dir.path(),
        &[
            "--stdin",
            "--stdin-filename",
            "src/server.js",
            "-f",
            "compact",
        ],
        LEAKY.as_bytes(),
    );
    named.assert_code(1);
    assert!(
        named
            .stdout
            .starts_with("src/server.js:6:3: error [listener-leak]"),
        "{}",
        named.stdout
    );

    // The file name picks the syntax: type annotations parse as TypeScript only.
    let ts = "let n: number = 1;\n";
    leaklint_stdin(
        dir.path(),
        &["--stdin", "--stdin-filename", "a.ts"],
        ts.as_bytes(),
    )
    .assert_code(0);
    let js = leaklint_stdin(
        dir.path(),
        &["--stdin", "--stdin-filename", "a.js", "-f", "json"],
        ts.as_bytes(),
    );
    js.assert_code(1);
    assert!(file(&js.json(), "a.js")["parse_error"].is_object());

    // ... and the configuration: the nearest leaklint.toml to that path.
    write(
        dir.path(),
        "quiet/leaklint.toml",
        "[rules]\nlistener-leak = \"off\"\n",
    );
    leaklint_stdin(
        dir.path(),
        &["--stdin", "--stdin-filename", "quiet/x.js"],
        LEAKY.as_bytes(),
    )
    .assert_code(0);

    let dts = leaklint_stdin(dir.path(), &["--stdin", "--stdin-filename", "x.d.ts"], b"");
    dts.assert_code(2);
    assert!(dts.stderr.contains("x.d.ts"), "{}", dts.stderr);
}
