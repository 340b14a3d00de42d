//! Guards that turn a forgotten step of "adding a rule" into a failing test that says what to do.

use std::path::Path;

use leaklint_rules::ALL;

fn root() -> &'static Path {
    Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/.."))
}

#[test]
fn ids_are_unique_sorted_kebab_case_and_match_their_file() {
    let ids: Vec<&str> = ALL.iter().map(|r| r.meta().id).collect();
    let mut sorted = ids.clone();
    sorted.sort();
    sorted.dedup();
    assert_eq!(
        ids, sorted,
        "rule ids must be unique and ALL (rules/src/registry.rs) sorted by id"
    );
    for rule in ALL {
        let meta = rule.meta();
        assert!(
            meta.id.chars().all(|c| c.is_ascii_lowercase() || c == '-')
                && !meta.id.starts_with("no-"),
            "{}: ids are kebab-case and name the leaky pattern (no `no-` prefix)",
            meta.id
        );
        let file = format!("{}.rs", meta.id.replace('-', "_"));
        let declared_in = meta.source.rsplit_once(':').map_or(meta.source, |(f, _)| f);
        assert!(
            declared_in.ends_with(&format!("src/{file}")),
            "{}: declare it in rules/src/{file} (it is declared in {declared_in})",
            meta.id
        );
    }
}

#[test]
fn every_rule_file_is_registered() {
    let dir = root().join("rules/src");
    for entry in std::fs::read_dir(&dir).expect("rules/src") {
        let path = entry.expect("entry").path();
        let text = std::fs::read_to_string(&path).unwrap_or_default();
        if path.extension().is_some_and(|e| e == "rs")
            && text.lines().any(|l| l.starts_with("declare_rule! {"))
        {
            let stem = path
                .file_stem()
                .unwrap()
                .to_string_lossy()
                .replace('_', "-");
            assert!(
                ALL.iter().any(|r| r.meta().id == stem),
                "{} declares a rule that is not in ALL (rules/src/registry.rs)",
                path.display()
            );
        }
    }
}

/// Does a file in `dir` (or a folder below it) carry an annotation for rule `id`?
fn annotated(dir: &Path, id: &str) -> bool {
    std::fs::read_dir(dir)
        .ok()
        .into_iter()
        .flatten()
        .flatten()
        .any(|e| {
            let path = e.path();
            if path.is_dir() {
                return annotated(&path, id);
            }
            std::fs::read_to_string(&path).is_ok_and(|t| {
                ["// expect: ", "# expect: ", "# expect-next-line: "]
                    .iter()
                    .any(|m| t.contains(&format!("{m}{id}")))
            })
        })
}

#[test]
fn every_rule_has_fixtures() {
    for rule in ALL {
        let id = rule.meta().id;
        let dir = root().join("fixtures/rules").join(id);
        assert!(
            annotated(&dir, id),
            "{id}: add annotated fixtures under fixtures/rules/{id}/ (`// expect: {id}` or \
             `# expect: {id}` on flagged lines)"
        );
    }
}

#[test]
fn readme_rule_table_matches_the_rules() {
    let readme = std::fs::read_to_string(root().join("README.md")).expect("README.md");
    // The table between `## Rules` and the first rule section.
    let section = readme
        .split_once("\n## Rules\n")
        .map(|(_, rest)| rest.split("\n### ").next().unwrap_or(""))
        .expect("README.md needs a `## Rules` section");
    let rows: Vec<&str> = section.lines().filter(|l| l.starts_with("| `")).collect();
    for rule in ALL {
        let m = rule.meta();
        let row = format!(
            "| `{}` | {} | {} | {} |",
            m.id,
            m.severity.as_str(),
            m.category.as_str(),
            m.summary()
        );
        assert!(
            rows.contains(&row.as_str()),
            "README.md's rule table needs this row:\n{row}"
        );
        assert!(
            readme.contains(&format!("\n### {}\n", m.id)),
            "README.md needs a `### {}` section (rule docs link to it)",
            m.id
        );
    }
    assert_eq!(
        rows.len(),
        ALL.len(),
        "README.md's rule table lists a rule that does not exist"
    );
}
