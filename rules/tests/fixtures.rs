//! Layer 2 of the test plan (design §6): annotated fixtures. Every line of
//! `fixtures/rules/<rule-id>/*` that must be flagged ends with `// expect: <rule-id>` (several ids
//! separated by commas); every other line must stay clean. Both directions are checked, and the
//! failure names each missing and each unexpected finding.

mod common;

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use leaklint_rules::{ALL, Flavor};

fn fixtures_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../fixtures/rules")
}

/// `(line, rule)` pairs the file's annotations demand.
fn expectations(src: &str) -> BTreeSet<(usize, String)> {
    let mut out = BTreeSet::new();
    for (i, line) in src.lines().enumerate() {
        if let Some((_, ids)) = line.split_once("// expect:") {
            for id in ids.split(',').map(str::trim).filter(|s| !s.is_empty()) {
                out.insert((i + 1, id.to_string()));
            }
        }
    }
    out
}

fn fixture_files(dir: &Path) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| e.expect("dir entry").path())
        .filter(|p| Flavor::from_path(&p.to_string_lossy()).is_some())
        .collect();
    files.sort();
    files
}

#[test]
fn fixtures_match_their_annotations() {
    let mut failures = Vec::new();
    let mut checked = 0;
    for rule in ALL {
        let id = rule.meta().id;
        let dir = fixtures_root().join(id);
        let files = fixture_files(&dir);
        assert!(
            !files.is_empty(),
            "no fixtures for {id} in {}",
            dir.display()
        );
        for path in files {
            checked += 1;
            let src = std::fs::read_to_string(&path).expect("read fixture");
            let flavor = Flavor::from_path(&path.to_string_lossy()).expect("lintable");
            let out = match common::lint_text(&src, flavor) {
                Ok(out) => out,
                Err(e) => {
                    failures.push(format!(
                        "{}: parse error at byte {}: {}",
                        path.display(),
                        e.offset,
                        e.message
                    ));
                    continue;
                }
            };
            let expected = expectations(&src);
            let found: BTreeSet<(usize, String)> =
                common::finding_lines(&src, &out).into_iter().collect();
            let name = path.file_name().unwrap().to_string_lossy();
            for (line, rule) in expected.difference(&found) {
                failures.push(format!(
                    "{name}:{line}: expected {rule}, not reported\n    {}",
                    src.lines().nth(line - 1).unwrap_or("").trim()
                ));
            }
            for (line, rule) in found.difference(&expected) {
                let idx = leaklint_rules::LineIndex::new(&src);
                let msg = out
                    .findings
                    .iter()
                    .find(|f| f.rule.id == rule && idx.position(&src, f.span.start).line == *line)
                    .map(|f| f.message.as_str())
                    .unwrap_or("");
                failures.push(format!(
                    "{name}:{line}: unexpected {rule}\n    {}\n    ({msg})",
                    src.lines().nth(line - 1).unwrap_or("").trim()
                ));
            }
        }
    }
    assert!(checked > 0);
    assert!(
        failures.is_empty(),
        "{} fixture mismatch(es):\n{}",
        failures.len(),
        failures.join("\n")
    );
}

#[test]
fn annotations_are_parsed() {
    let src = "a();\nb(); // expect: listener-leak\nc(); // expect: x, y\n";
    let e = expectations(src);
    assert_eq!(
        e.into_iter().collect::<Vec<_>>(),
        vec![
            (2, "listener-leak".into()),
            (3, "x".into()),
            (3, "y".into())
        ]
    );
}
