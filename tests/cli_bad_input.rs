//! Bad input: syntax errors, non-UTF-8 and binary files, empty files, missing and unreadable
//! paths, pathological nesting and size. Nothing may crash, and other files are still linted.

mod cli_support;

use cli_support::*;

#[test]
fn a_parse_error_is_reported_and_other_files_are_still_linted() {
    let dir = project();
    write(dir.path(), "a_bad.js", "const ok = 1;\nlet x = ;\n");
    write(dir.path(), "b_app.js", LEAKY);
    let run = leaklint(dir.path(), &["-f", "json"]);
    run.assert_code(1);
    let report = run.json();
    let bad = file(&report, "a_bad.js");
    assert_eq!(
        bad["parse_error"]["start"],
        serde_json::json!({"line": 2, "column": 9})
    );
    assert!(!bad["parse_error"]["message"].as_str().unwrap().is_empty());
    assert_eq!(rules_in(&report, "b_app.js"), ["listener-leak"]);
    assert_eq!(
        report["summary"]["errors"], 2,
        "a parse error counts as an error"
    );

    let compact = leaklint(dir.path(), &["-f", "compact"]);
    compact.assert_code(1);
    assert!(
        compact
            .stdout
            .starts_with("a_bad.js:2:9: error [leaklint/parse-error] "),
        "{}",
        compact.stdout
    );
    assert!(
        compact
            .stdout
            .contains("b_app.js:6:3: error [listener-leak]")
    );

    let pretty = leaklint(dir.path(), &[]);
    pretty.assert_code(1);
    assert!(
        pretty.stdout.contains("leaklint/parse-error"),
        "{}",
        pretty.stdout
    );
    assert!(
        pretty.stdout.contains("[a_bad.js:2:9]"),
        "{}",
        pretty.stdout
    );
    assert!(
        pretty.stdout.contains("let x = ;"),
        "snippet shown: {}",
        pretty.stdout
    );
}

#[test]
fn a_parse_error_alone_exits_1() {
    let dir = project();
    write(dir.path(), "bad.ts", "function (\n");
    leaklint(dir.path(), &[]).assert_code(1);
}

#[test]
fn columns_count_utf16_units_after_an_emoji() {
    let dir = project();
    let line = "const s = \"😀é\"; let x = ;";
    write(dir.path(), "emoji.js", format!("{line}\n"));
    let run = leaklint(dir.path(), &["-f", "json"]);
    let expected = line[..line.rfind(';').unwrap()].encode_utf16().count() + 1;
    assert_eq!(expected, 26);
    assert_eq!(
        file(&run.json(), "emoji.js")["parse_error"]["start"],
        serde_json::json!({"line": 1, "column": expected})
    );

    // A finding after an emoji on its line.
    let leaky = LEAKY.replace("  bus.on(", "  const t = '😀'; bus.on(");
    write(dir.path(), "emoji.js", leaky);
    let run = leaklint(dir.path(), &["-f", "json"]);
    let finding = file(&run.json(), "emoji.js")["findings"][0].clone();
    let column = "  const t = '😀'; ".encode_utf16().count() + 1;
    assert_eq!(
        finding["start"],
        serde_json::json!({"line": 6, "column": column})
    );
}

#[test]
fn non_utf8_and_binary_files_are_skipped_with_a_note() {
    let dir = project();
    write(dir.path(), "latin1.js", b"const s = '\xe9t\xe9';\n");
    write(dir.path(), "image.js", b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR");
    write(dir.path(), "app.js", CLEAN);
    let run = leaklint(dir.path(), &["-f", "json"]);
    run.assert_code(0);
    assert_eq!(paths(&run.json()), ["app.js"]);
    assert!(
        run.stderr.contains("latin1.js") && run.stderr.contains("UTF-8"),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr.contains("image.js") && run.stderr.contains("binary"),
        "{}",
        run.stderr
    );

    let stdin = leaklint_stdin(dir.path(), &["--stdin", "-f", "json"], b"a\0b");
    stdin.assert_code(0);
    assert!(stdin.stderr.contains("binary"), "{}", stdin.stderr);
}

#[test]
fn empty_files_and_a_byte_order_mark_are_fine() {
    let dir = project();
    write(dir.path(), "empty.js", "");
    write(dir.path(), "bom.js", "\u{feff}let x = ;\n");
    let run = leaklint(dir.path(), &["-f", "json"]);
    run.assert_code(1);
    let report = run.json();
    assert_eq!(
        file(&report, "empty.js")["parse_error"],
        serde_json::Value::Null
    );
    // Columns do not count the BOM.
    assert_eq!(
        file(&report, "bom.js")["parse_error"]["start"],
        serde_json::json!({"line": 1, "column": 9})
    );
}

#[test]
fn a_missing_path_exits_2_naming_it_after_linting_the_rest() {
    let dir = project();
    write(dir.path(), "app.js", CLEAN);
    let run = leaklint(dir.path(), &["app.js", "nope.js", "-f", "json"]);
    run.assert_code(2);
    assert!(run.stderr.contains("nope.js"), "{}", run.stderr);
    assert_eq!(paths(&run.json()), ["app.js"]);
}

#[cfg(unix)]
#[test]
fn an_unreadable_file_exits_2_naming_it() {
    use std::os::unix::fs::PermissionsExt;
    let dir = project();
    write(dir.path(), "app.js", CLEAN);
    let locked = write(dir.path(), "locked.js", CLEAN);
    std::fs::set_permissions(&locked, std::fs::Permissions::from_mode(0o000)).unwrap();
    // Root reads a mode-000 file anyway (CI runs as root): then run leaklint as `nobody`
    // (with util-linux's `setpriv`; without it the test fails rather than pass untested).
    let as_root = std::fs::read(&locked).is_ok();
    if as_root {
        std::fs::set_permissions(dir.path(), std::fs::Permissions::from_mode(0o755)).unwrap();
    }
    for args in [&["locked.js", "app.js"][..], &["."]] {
        let mut args = args.to_vec();
        args.extend(["-f", "json"]);
        let run = if as_root {
            leaklint_as_nobody(dir.path(), &args).expect(
                "running as root, every file is readable: install util-linux's setpriv so the \
                 test can run leaklint as `nobody`",
            )
        } else {
            leaklint(dir.path(), &args)
        };
        run.assert_code(2);
        assert!(run.stderr.contains("locked.js"), "{}", run.stderr);
        assert_eq!(paths(&run.json()), ["app.js"], "the rest is linted");
    }
    // An unreadable directory met during a walk, too.
    std::fs::set_permissions(&locked, std::fs::Permissions::from_mode(0o644)).unwrap();
    std::fs::remove_file(&locked).unwrap();
    let sub = write(dir.path(), "sub/inner.js", CLEAN);
    let sub = sub.parent().unwrap();
    std::fs::set_permissions(sub, std::fs::Permissions::from_mode(0o000)).unwrap();
    let args = [".", "-f", "json"];
    let run = if as_root {
        leaklint_as_nobody(dir.path(), &args).expect("setpriv was there a moment ago")
    } else {
        leaklint(dir.path(), &args)
    };
    std::fs::set_permissions(sub, std::fs::Permissions::from_mode(0o755)).unwrap();
    run.assert_code(2);
    assert!(run.stderr.contains("cannot read sub: "), "{}", run.stderr);
    assert_eq!(paths(&run.json()), ["app.js"]);
}

#[test]
fn deep_nesting_is_reported_not_crashed_on() {
    let dir = project();
    let depth = 100_000;
    write(
        dir.path(),
        "deep.js",
        format!("x = {}1{};\n", "(".repeat(depth), ")".repeat(depth)),
    );
    let run = leaklint(dir.path(), &["-f", "json"]);
    run.assert_code(1);
    let error = file(&run.json(), "deep.js")["parse_error"].clone();
    assert_eq!(error["start"]["line"], 1);
    assert!(
        error["message"].as_str().unwrap().contains("nest"),
        "{error}"
    );

    // The pretty report does not print the 200 KB line.
    let pretty = leaklint(dir.path(), &[]);
    pretty.assert_code(1);
    assert!(pretty.stdout.len() < 4_000, "{} bytes", pretty.stdout.len());
    assert!(pretty.stdout.contains("deep.js:1:"), "{}", pretty.stdout);

    let stdin = leaklint_stdin(
        dir.path(),
        &["--stdin", "-f", "compact"],
        format!("x = {}1{};\n", "[".repeat(depth), "]".repeat(depth)).as_bytes(),
    );
    stdin.assert_code(1);
    assert!(
        stdin.stdout.contains("[leaklint/parse-error]"),
        "{}",
        stdin.stdout
    );
}

#[test]
fn a_long_operator_chain_does_not_crash() {
    let dir = project();
    let chain = vec!["a"; 100_000].join("+");
    write(
        dir.path(),
        "chain.js",
        format!("const a = 1;\nconst b = {chain};\n"),
    );
    let run = leaklint(dir.path(), &["-f", "json"]);
    run.assert_code(0);
    assert_eq!(
        file(&run.json(), "chain.js")["parse_error"],
        serde_json::Value::Null
    );
    // Also through standard input, which lints on its own thread.
    let stdin = leaklint_stdin(dir.path(), &["--stdin"], format!("x = {chain};").as_bytes());
    stdin.assert_code(0);
}

/// About 5 MB of minified-looking code on one line.
fn bundle() -> String {
    let mut out = String::new();
    let mut i = 0;
    while out.len() < 5_000_000 {
        out.push_str(&format!(
            "function f{i}(a,b){{var c=a+b*{i};if(c>10){{return[c,{{k:\"v{i}\"}}]}}return c}}var v{i}=f{i}({i},2);"
        ));
        i += 1;
    }
    out
}

/// With no time budget: a debug build, as `cargo test` makes, can take longer than the default
/// budget on 5 MB on a loaded machine (a release build takes well under a second).
#[test]
fn a_five_megabyte_single_line_bundle_is_linted() {
    let dir = project();
    let text = bundle();
    write(dir.path(), "dist.js", &text);
    let run = leaklint(dir.path(), &["--file-budget", "0", "-f", "json"]);
    run.assert_code(0);
    assert_eq!(paths(&run.json()), ["dist.js"]);

    // With a syntax error at its very end: the column is right, and the pretty report shows
    // the position instead of a 5 MB snippet.
    write(dir.path(), "dist.js", format!("{text}let=;"));
    let run = leaklint(dir.path(), &["--file-budget", "0", "-f", "json"]);
    run.assert_code(1);
    let start = file(&run.json(), "dist.js")["parse_error"]["start"].clone();
    assert_eq!(start["line"], 1);
    assert!(start["column"].as_u64().unwrap() > 5_000_000, "{start}");
    let pretty = leaklint(dir.path(), &["--file-budget", "0"]);
    pretty.assert_code(1);
    assert!(pretty.stdout.len() < 4_000, "{} bytes", pretty.stdout.len());
    assert!(
        pretty.stdout.contains("too long to show"),
        "{}",
        pretty.stdout
    );
}
