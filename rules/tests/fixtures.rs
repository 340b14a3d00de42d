//! Layer 2 of the test plan (design §6): annotated fixtures. Every line of
//! `fixtures/rules/<rule-id>/*` (and of one level of folders below, for deployment files whose
//! name is fixed: `Procfile`, `package.json`, `ecosystem.config.js`) that must be flagged ends
//! with `// expect: <rule-id>` or `# expect: <rule-id>` (several ids separated by commas; in
//! JSON, inside a string: `"//": "# expect: diagnostics-off"`); where a format has no trailing
//! comments (systemd units, a Dockerfile exec-form line), a comment line
//! `# expect-next-line: <rule-id>` annotates the line after it. Every other line must stay
//! clean. Both directions are checked, and the failure names each missing and each unexpected
//! finding. A folder with a `tsconfig.json` lints its deployment files as part of a TypeScript
//! project.

mod common;

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use common::Kind;
use leaklint_rules::ALL;
use leaklint_rules::deploy::Context;

fn fixtures_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../fixtures/rules")
}

/// `(line, rule)` pairs the file's annotations demand.
fn expectations(src: &str) -> BTreeSet<(usize, String)> {
    let mut out = BTreeSet::new();
    for (i, line) in src.lines().enumerate() {
        for (marker, line_no) in [
            ("// expect:", i + 1),
            ("# expect:", i + 1),
            ("# expect-next-line:", i + 2),
        ] {
            if let Some((_, ids)) = line.split_once(marker) {
                // The ids run to the end of the line, or of the JSON string holding them.
                let ids = ids.split('"').next().unwrap_or("");
                for id in ids.split(',').map(str::trim).filter(|s| !s.is_empty()) {
                    out.insert((line_no, id.to_string()));
                }
            }
        }
    }
    out
}

/// The lintable files of a rule's fixture folder and of its sub-folders.
fn fixture_files(dir: &Path) -> Vec<PathBuf> {
    let mut files = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display())) {
        let path = entry.expect("dir entry").path();
        if path.is_dir() {
            files.extend(fixture_files(&path));
        } else if Kind::of(&path.to_string_lossy()).is_some() {
            files.push(path);
        }
    }
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
            let kind = Kind::of(&path.to_string_lossy()).expect("lintable");
            let context = Context {
                typescript: path.with_file_name("tsconfig.json").is_file(),
            };
            let out = match common::lint_kind(&src, kind, context) {
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
            let name = path.strip_prefix(&dir).unwrap_or(&path).to_string_lossy();
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
    let src =
        "a: 1 # expect: z\n# expect-next-line: w\nb\n\"s\": \"x\", \"//\": \"# expect: v\",\n";
    assert_eq!(
        expectations(src).into_iter().collect::<Vec<_>>(),
        vec![(1, "z".into()), (3, "w".into()), (4, "v".into())]
    );
}
