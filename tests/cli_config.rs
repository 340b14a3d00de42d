//! `leaklint.toml`: discovery, validation errors, rule levels, ignore globs, knowledge.

mod cli_support;

use cli_support::*;

/// Runs leaklint and expects a configuration error (exit 2) whose message holds every needle.
#[track_caller]
fn config_error(dir: &std::path::Path, args: &[&str], needles: &[&str]) {
    let run = leaklint(dir, args);
    run.assert_code(2);
    for needle in needles {
        assert!(
            run.stderr.contains(needle),
            "missing {needle:?} in:\n{}",
            run.stderr
        );
    }
    assert!(
        run.stdout.is_empty(),
        "no report on a bad configuration: {}",
        run.stdout
    );
}

#[test]
fn unknown_top_level_key_names_file_line_column_and_key() {
    let dir = project();
    write(dir.path(), "app.js", CLEAN);
    write(
        dir.path(),
        "leaklint.toml",
        "# top\nignores = []\n[rules]\nlistener-leak = \"warn\"\n",
    );
    config_error(dir.path(), &[], &["leaklint.toml:2:1", "`ignores`"]);
    // A key under [rules] is a rule id.
    write(
        dir.path(),
        "leaklint.toml",
        "[rules]\nlistener-leak = \"warn\"\nignores = []\n",
    );
    config_error(
        dir.path(),
        &[],
        &["leaklint.toml:3:1", "unknown rule `ignores`"],
    );
}

#[test]
fn unknown_knowledge_key_is_an_error() {
    let dir = project();
    write(dir.path(), "app.js", CLEAN);
    write(
        dir.path(),
        "sub/leaklint.toml",
        "[knowledge]\nlong_lived = [\"bus\"]\nshort_lived = []\n",
    );
    write(dir.path(), "sub/app.js", CLEAN);
    config_error(dir.path(), &[], &["sub/leaklint.toml:3:1", "`short_lived`"]);
}

#[test]
fn unknown_rule_id_is_named_with_its_position() {
    let dir = project();
    write(dir.path(), "app.js", CLEAN);
    write(
        dir.path(),
        "leaklint.toml",
        "[rules]\nlistener-leak = \"warn\"\nlisteners-leak = \"off\"\n",
    );
    config_error(
        dir.path(),
        &[],
        &[
            "leaklint.toml:3:1",
            "unknown rule `listeners-leak`",
            "listener-leak",
        ],
    );
}

#[test]
fn bad_level_and_bad_types_are_errors() {
    let dir = project();
    write(dir.path(), "app.js", CLEAN);
    write(
        dir.path(),
        "leaklint.toml",
        "[rules]\nlistener-leak = \"warning\"\n",
    );
    config_error(
        dir.path(),
        &[],
        &[
            "leaklint.toml:2:17",
            "\"warning\"",
            "\"off\", \"info\", \"warn\" or \"error\"",
        ],
    );
    write(
        dir.path(),
        "leaklint.toml",
        "[knowledge]\nlong_lived = \"bus\"\n",
    );
    config_error(dir.path(), &[], &["leaklint.toml:2:"]);
    write(
        dir.path(),
        "leaklint.toml",
        "ignore = [\"dist/\", \"a[\"]\n",
    );
    config_error(dir.path(), &[], &["leaklint.toml:1:", "`a[`"]);
    write(dir.path(), "leaklint.toml", "[rules\n");
    config_error(dir.path(), &[], &["leaklint.toml:1:"]);
}

#[test]
fn every_documented_key_is_accepted() {
    let dir = project();
    write(dir.path(), "app.js", LEAKY);
    write(
        dir.path(),
        "leaklint.toml",
        r#"ignore = ["dist/", "*.gen.js"]
[rules]
listener-leak = "error"
[knowledge]
handler_registrars = ["action"]
long_lived = ["bus"]
lru_constructors = ["BoundedCache"]
http_clients = ["ky"]
"#,
    );
    let run = leaklint(dir.path(), &["-f", "json"]);
    run.assert_code(1);
    assert_eq!(rules_in(&run.json(), "app.js"), ["listener-leak"]);
}

#[test]
fn nearest_config_wins_without_merging() {
    let dir = project();
    write(
        dir.path(),
        "leaklint.toml",
        "[rules]\nlistener-leak = \"off\"\n",
    );
    write(dir.path(), "top.js", LEAKY);
    // The nearer file sets nothing for the rule: its default (error) applies, not the parent's off.
    write(dir.path(), "pkg/leaklint.toml", "ignore = []\n");
    write(dir.path(), "pkg/deep/app.js", LEAKY);
    let run = leaklint(dir.path(), &["-f", "json"]);
    run.assert_code(1);
    let report = run.json();
    assert!(rules_in(&report, "top.js").is_empty());
    assert_eq!(rules_in(&report, "pkg/deep/app.js"), ["listener-leak"]);
}

#[test]
fn explicit_config_applies_to_every_file() {
    let dir = project();
    write(
        dir.path(),
        "pkg/leaklint.toml",
        "[rules]\nlistener-leak = \"error\"\n",
    );
    write(dir.path(), "pkg/app.js", LEAKY);
    write(
        dir.path(),
        "conf/strict-off.toml",
        "[rules]\nlistener-leak = \"off\"\n",
    );
    leaklint(dir.path(), &[]).assert_code(1);
    let run = leaklint(
        dir.path(),
        &["--config", "conf/strict-off.toml", "-f", "json"],
    );
    run.assert_code(0);
    assert!(rules_in(&run.json(), "pkg/app.js").is_empty());
    // -c short form, and the file need not be called leaklint.toml.
    leaklint(dir.path(), &["-c", "conf/strict-off.toml"]).assert_code(0);
}

#[test]
fn missing_explicit_config_exits_2_naming_it() {
    let dir = project();
    write(dir.path(), "app.js", CLEAN);
    config_error(dir.path(), &["--config", "nope.toml"], &["nope.toml"]);
}

#[test]
fn a_bad_config_in_an_unlinted_directory_does_not_matter() {
    let dir = project();
    write(dir.path(), "a/app.js", CLEAN);
    write(dir.path(), "b/leaklint.toml", "bogus = 1\n");
    write(dir.path(), "b/app.js", CLEAN);
    leaklint(dir.path(), &["a"]).assert_code(0);
    config_error(dir.path(), &["b"], &["b/leaklint.toml:1:1", "`bogus`"]);
}

#[test]
fn ignore_globs_are_relative_to_the_config_directory() {
    let dir = project();
    write(
        dir.path(),
        "pkg/leaklint.toml",
        "ignore = [\"gen/\", \"*.gen.js\", \"/only-here.js\"]\n",
    );
    for rel in [
        "pkg/gen/a.js",
        "pkg/src/b.gen.js",
        "pkg/only-here.js",
        "pkg/src/only-here.js",
        "pkg/src/kept.js",
        "gen/outside.js",
    ] {
        write(dir.path(), rel, CLEAN);
    }
    let run = leaklint(dir.path(), &["-f", "json"]);
    run.assert_code(0);
    assert_eq!(
        paths(&run.json()),
        ["gen/outside.js", "pkg/src/kept.js", "pkg/src/only-here.js"]
    );
    // --no-ignore lints them all.
    let all = leaklint(dir.path(), &["--no-ignore", "-f", "json"]);
    assert_eq!(paths(&all.json()).len(), 6);
}

#[test]
fn severity_from_config_is_reported() {
    let dir = project();
    write(
        dir.path(),
        "leaklint.toml",
        "[rules]\nlistener-leak = \"warn\"\n",
    );
    write(dir.path(), "app.js", LEAKY);
    let run = leaklint(dir.path(), &["-f", "compact"]);
    run.assert_code(0);
    assert!(
        run.stdout
            .starts_with("app.js:6:3: warning [listener-leak]"),
        "{}",
        run.stdout
    );
}
