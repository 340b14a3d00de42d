//! `--format github`: GitHub Actions workflow commands, one annotation per problem.

mod cli_support;

use cli_support::*;

fn github(dir: &std::path::Path, args: &[&str]) -> Run {
    let mut full = vec!["-f", "github"];
    full.extend_from_slice(args);
    leaklint(dir, &full)
}

#[test]
fn errors_warnings_and_parse_errors_are_annotations() {
    let dir = project();
    write(dir.path(), "src/app.js", LEAKY);
    write(
        dir.path(),
        "lib/leaklint.toml",
        "[rules]\nlistener-leak = \"warn\"\n",
    );
    write(dir.path(), "lib/worker.js", LEAKY);
    write(dir.path(), "src/broken.ts", "const x: = 1;\n");
    write(
        dir.path(),
        "src/quiet.js",
        LEAKY.replace(
            "res.end('ok'));",
            "res.end('ok')); // leaklint-disable-line -- ok",
        ),
    );
    let run = github(dir.path(), &["."]);
    run.assert_code(1);
    let message = "listener added to `bus` on every request: `bus` is declared at module scope \
                   (line 3); this handler is registered by `app.get('/wait', ...)` (line 5)";
    let lines: Vec<&str> = run.stdout.lines().collect();
    assert_eq!(lines.len(), 3, "{}", run.stdout);
    assert_eq!(
        lines[0],
        format!(
            "::warning file=lib/worker.js,line=6,col=3,endLine=6,endColumn=9,\
             title=leaklint(listener-leak) high confidence::{message}"
        )
    );
    assert_eq!(
        lines[1],
        format!(
            "::error file=src/app.js,line=6,col=3,endLine=6,endColumn=9,\
             title=leaklint(listener-leak) high confidence::{message}"
        )
    );
    assert!(
        lines[2].starts_with(
            "::error file=src/broken.ts,line=1,col=10,endLine=1,endColumn=11,\
             title=leaklint(leaklint/parse-error)::does not parse: "
        ),
        "{}",
        lines[2]
    );
    // Warnings alone do not fail the step.
    let run = github(dir.path(), &["lib"]);
    run.assert_code(0);
    assert!(run.stdout.starts_with("::warning "));
}

#[test]
fn property_values_and_messages_are_escaped() {
    let dir = project();
    write(dir.path(), "a,b:c%.js", LEAKY);
    let run = github(dir.path(), &["."]);
    run.assert_code(1);
    assert!(
        run.stdout
            .starts_with("::error file=a%2Cb%3Ac%25.js,line=6,"),
        "{}",
        run.stdout
    );
    // The message keeps its `:` and `,` (only `%`, CR and LF are escaped there).
    assert!(
        run.stdout
            .contains("::listener added to `bus` on every request: `bus`")
    );
    assert_eq!(run.stdout.lines().count(), 1);
}

#[test]
fn a_problem_spanning_lines_gives_lines_only() {
    // GitHub rejects columns on an annotation whose start and end lines differ.
    let dir = project();
    write(
        dir.path(),
        "a.js",
        "/*\n  leaklint-disable\n*/\nconst x = 1;\n",
    );
    let run = github(dir.path(), &["a.js", "--report-unused-disable-directives"]);
    run.assert_code(0);
    assert_eq!(
        run.stdout,
        "::warning file=a.js,line=1,endLine=3,title=leaklint(leaklint/unused-directive)::unused \
         leaklint-disable directive: no problem to suppress\n"
    );
}

#[test]
fn paths_are_relative_to_the_root_with_symlinks_resolved() {
    let dir = project();
    write(dir.path(), "repo/web/src/app.js", LEAKY);
    std::os::unix::fs::symlink("web/src", dir.path().join("repo/app")).unwrap();
    let web = dir.path().join("repo/web");
    let run = github(&web, &["src", "--root", ".."]);
    assert!(
        run.stdout.starts_with("::error file=web/src/app.js,"),
        "{}",
        run.stdout
    );
    let run = github(&dir.path().join("repo"), &["app"]);
    assert!(
        run.stdout.starts_with("::error file=web/src/app.js,"),
        "{}",
        run.stdout
    );
}

#[test]
fn nothing_to_say_prints_nothing() {
    let dir = project();
    write(dir.path(), "ok.js", CLEAN);
    let run = github(dir.path(), &["."]);
    run.assert_code(0);
    assert_eq!(run.stdout, "");
}
