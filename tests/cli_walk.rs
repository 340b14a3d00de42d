//! Which files are linted: extensions, ignore files, hidden files, node_modules, named files,
//! ignore globs, symlinks, ordering and path display.

mod cli_support;

use cli_support::*;

fn linted(dir: &std::path::Path, args: &[&str]) -> Vec<String> {
    let mut args = args.to_vec();
    args.extend(["-f", "json"]);
    let run = leaklint(dir, &args);
    assert!(
        matches!(run.code, Some(0 | 1)),
        "status {:?}: {}",
        run.code,
        run.stderr
    );
    paths(&run.json())
}

#[test]
fn lints_js_and_ts_extensions_but_not_declarations_or_other_files() {
    let dir = project();
    for name in [
        "a.js",
        "b.mjs",
        "c.cjs",
        "d.jsx",
        "e.ts",
        "f.mts",
        "g.cts",
        "h.tsx",
        "types.d.ts",
        "types.d.mts",
        "data.json",
        "notes.md",
        "script.sh",
        "Makefile",
    ] {
        write(dir.path(), name, "export {};\n");
    }
    assert_eq!(
        linted(dir.path(), &[]),
        [
            "a.js", "b.mjs", "c.cjs", "d.jsx", "e.ts", "f.mts", "g.cts", "h.tsx"
        ]
    );
}

/// Minified files are skipped by name, as oxlint skips them: in a walk silently, named on the
/// command line with a note; `--no-ignore` lints them.
#[test]
fn skips_minified_files_unless_no_ignore() {
    let dir = project();
    for name in [
        "app.js",
        "vendor/jquery-min.js",
        "dist/bundle.min.js",
        "admin.js",
    ] {
        write(dir.path(), name, "export {};\n");
    }
    assert_eq!(linted(dir.path(), &[]), ["admin.js", "app.js"]);
    assert_eq!(
        linted(dir.path(), &["--no-ignore"]),
        [
            "admin.js",
            "app.js",
            "dist/bundle.min.js",
            "vendor/jquery-min.js"
        ]
    );
    let run = leaklint(dir.path(), &["dist/bundle.min.js", "app.js", "-f", "json"]);
    run.assert_code(0);
    assert_eq!(paths(&run.json()), ["app.js"]);
    assert!(
        run.stderr.contains("skipped dist/bundle.min.js: minified"),
        "{}",
        run.stderr
    );
    assert_eq!(
        linted(dir.path(), &["dist/bundle.min.js", "--no-ignore"]),
        ["dist/bundle.min.js"]
    );
}

#[test]
fn skips_gitignored_ignored_hidden_and_node_modules() {
    let dir = project();
    write(dir.path(), ".gitignore", "build/\n*.gen.js\n");
    write(dir.path(), "sub/.ignore", "private.js\n");
    for rel in [
        "src/app.js",
        "build/out.js",
        "src/x.gen.js",
        "sub/private.js",
        "sub/public.js",
        ".hidden/h.js",
        ".dot.js",
        "node_modules/pkg/index.js",
        "src/node_modules/pkg/index.js",
    ] {
        write(dir.path(), rel, CLEAN);
    }
    assert_eq!(linted(dir.path(), &[]), ["src/app.js", "sub/public.js"]);

    // --no-ignore: ignore files and node_modules no longer apply; hidden files stay skipped.
    assert_eq!(
        linted(dir.path(), &["--no-ignore"]),
        [
            "build/out.js",
            "node_modules/pkg/index.js",
            "src/app.js",
            "src/node_modules/pkg/index.js",
            "src/x.gen.js",
            "sub/private.js",
            "sub/public.js",
        ]
    );
}

#[test]
fn named_files_and_directories_are_linted_even_when_ignored() {
    let dir = project();
    write(dir.path(), ".gitignore", "build/\n");
    write(dir.path(), "build/out.js", CLEAN);
    write(dir.path(), "node_modules/pkg/index.js", CLEAN);
    write(dir.path(), ".hidden/h.js", CLEAN);
    assert_eq!(linted(dir.path(), &["build/out.js"]), ["build/out.js"]);
    assert_eq!(linted(dir.path(), &["build"]), ["build/out.js"]);
    assert_eq!(
        linted(dir.path(), &["node_modules/pkg/index.js", ".hidden"]),
        [".hidden/h.js", "node_modules/pkg/index.js"]
    );
}

#[test]
fn leaklint_globs_apply_to_named_files_too() {
    let dir = project();
    write(dir.path(), "leaklint.toml", "ignore = [\"vendor/\"]\n");
    write(dir.path(), "vendor/lib.js", LEAKY);
    write(dir.path(), "app.js", CLEAN);
    let run = leaklint(dir.path(), &["vendor/lib.js", "app.js", "-f", "json"]);
    run.assert_code(0);
    assert_eq!(paths(&run.json()), ["app.js"]);
    assert!(
        run.stderr.contains("vendor/lib.js") && run.stderr.contains("`vendor/`"),
        "a note says why: {}",
        run.stderr
    );
    let forced = leaklint(dir.path(), &["vendor/lib.js", "--no-ignore", "-f", "json"]);
    forced.assert_code(1);
    assert_eq!(paths(&forced.json()), ["vendor/lib.js"]);
}

#[test]
fn ignore_pattern_is_repeatable_and_relative_to_the_cwd() {
    let dir = project();
    for rel in ["src/a.js", "src/gen/b.js", "test/c.spec.js", "d.js"] {
        write(dir.path(), rel, CLEAN);
    }
    assert_eq!(
        linted(
            dir.path(),
            &[
                "--ignore-pattern",
                "src/gen",
                "--ignore-pattern",
                "*.spec.js"
            ]
        ),
        ["d.js", "src/a.js"]
    );
    // Named files too.
    assert_eq!(
        linted(
            dir.path(),
            &["--ignore-pattern", "d.js", "d.js", "src/a.js"]
        ),
        ["src/a.js"]
    );
    // --no-ignore disables it, as in ESLint.
    assert_eq!(
        linted(
            dir.path(),
            &["--no-ignore", "--ignore-pattern", "*.spec.js"]
        )
        .len(),
        4
    );
    let bad = leaklint(dir.path(), &["--ignore-pattern", "a[b"]);
    bad.assert_code(2);
    assert!(bad.stderr.contains("a[b"), "{}", bad.stderr);
}

#[test]
fn non_lintable_named_file_is_skipped_with_a_note() {
    let dir = project();
    write(dir.path(), "types.d.ts", "export {};\n");
    write(dir.path(), "README.md", "# hi\n");
    let run = leaklint(dir.path(), &["types.d.ts", "README.md", "-f", "json"]);
    run.assert_code(0);
    assert!(paths(&run.json()).is_empty());
    assert!(
        run.stderr.contains("types.d.ts") && run.stderr.contains("README.md"),
        "{}",
        run.stderr
    );
}

#[test]
fn output_is_sorted_and_deterministic() {
    let dir = project();
    // Enough files for several worker threads; created in reverse order.
    let mut expected = Vec::new();
    for i in (0..40).rev() {
        let rel = format!("d{}/f{i:02}.js", i % 3);
        write(dir.path(), &rel, LEAKY);
        expected.push(rel);
    }
    expected.sort();
    let first = leaklint(dir.path(), &["-f", "json"]);
    first.assert_code(1);
    assert_eq!(paths(&first.json()), expected);
    for format in ["json", "compact", "pretty"] {
        let a = leaklint(dir.path(), &["-f", format]);
        let b = leaklint(dir.path(), &["-f", format]);
        assert_eq!(a.stdout, b.stdout, "{format} output differs between runs");
    }
    let compact = leaklint(dir.path(), &["-f", "compact"]);
    let shown: Vec<&str> = compact
        .stdout
        .lines()
        .map(|l| l.split(':').next().unwrap())
        .collect();
    assert_eq!(shown, expected);
}

#[test]
fn paths_are_shown_relative_to_the_cwd_with_slashes() {
    let dir = project();
    write(dir.path(), "src/app.js", CLEAN);
    let absolute = dir.path().join("src");
    let abs = absolute.to_str().unwrap();
    assert_eq!(linted(dir.path(), &[abs]), ["src/app.js"]);
    assert_eq!(linted(dir.path(), &["./src/../src/app.js"]), ["src/app.js"]);
    // Back into the cwd: relative again; outside the cwd: as given.
    write(dir.path(), "other.js", CLEAN);
    let sub = dir.path().join("src");
    let run = leaklint(&sub, &["../src/app.js", "../other.js", "-f", "json"]);
    assert_eq!(paths(&run.json()), ["../other.js", "app.js"]);
}

#[test]
fn the_same_file_named_twice_is_linted_once() {
    let dir = project();
    write(dir.path(), "app.js", LEAKY);
    let run = leaklint(dir.path(), &[".", "app.js", "./app.js", "-f", "compact"]);
    run.assert_code(1);
    assert_eq!(run.stdout.lines().count(), 1, "{}", run.stdout);
}

#[cfg(unix)]
#[test]
fn symlink_loops_do_not_hang_and_links_are_not_followed() {
    use std::os::unix::fs::symlink;
    let dir = project();
    write(dir.path(), "src/app.js", CLEAN);
    symlink(".", dir.path().join("src/self")).unwrap();
    symlink("..", dir.path().join("src/parent")).unwrap();
    symlink("b", dir.path().join("a")).unwrap();
    symlink("a", dir.path().join("b")).unwrap();
    symlink("src/app.js", dir.path().join("link.js")).unwrap();
    symlink("missing.js", dir.path().join("dangling.js")).unwrap();
    let run = leaklint(dir.path(), &["-f", "json"]);
    run.assert_code(0);
    assert_eq!(paths(&run.json()), ["src/app.js"]);
    // A link named on the command line is followed.
    assert_eq!(linted(dir.path(), &["link.js"]), ["link.js"]);
    // A named link that loops cannot be read: exit 2, naming it.
    let looping = leaklint(dir.path(), &["a"]);
    looping.assert_code(2);
    assert!(looping.stderr.contains('a'), "{}", looping.stderr);
}

#[test]
fn a_directory_without_sources_is_fine() {
    let dir = project();
    write(dir.path(), "notes.md", "# nothing to lint\n");
    let run = leaklint(dir.path(), &["-f", "json"]);
    run.assert_code(0);
    assert!(paths(&run.json()).is_empty());
    assert!(
        run.stderr.contains("no JavaScript or TypeScript files"),
        "{}",
        run.stderr
    );
}
