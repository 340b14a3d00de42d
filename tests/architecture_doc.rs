//! Keeps `ARCHITECTURE.md` true. Every repository path it names in backticks must exist (a
//! folder when written with a trailing `/`, a file otherwise), and the invariants it marks
//! *(tested)* are checked here against the sources and manifests, so that neither the code map
//! nor the boundaries can drift silently.

use std::path::{Path, PathBuf};

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn read(rel: &str) -> String {
    std::fs::read_to_string(root().join(rel)).unwrap_or_else(|e| panic!("cannot read {rel}: {e}"))
}

/// Every span between backticks, single-line, in order.
fn backticked(text: &str) -> Vec<&str> {
    let mut out = Vec::new();
    for line in text.lines() {
        // Fenced blocks are diagrams; they name paths too, but not in backticks.
        let mut parts = line.split('`');
        parts.next();
        while let (Some(inside), Some(_)) = (parts.next(), parts.next()) {
            out.push(inside);
        }
    }
    out
}

/// The backticked spans that name a place in the repository: they contain a `/` and no
/// spaces, colons (`node:events`, `a::b`) or parentheses. A `.rs` file must be named by its
/// path, since a bare `roles.rs` could be anywhere.
fn named_paths(doc: &str) -> Vec<&str> {
    let mut paths = Vec::new();
    for span in backticked(doc) {
        let pathlike = span.contains('/')
            && !span
                .chars()
                .any(|c| c.is_whitespace() || matches!(c, ':' | '(' | ')' | '{' | '='));
        assert!(
            pathlike || !span.ends_with(".rs"),
            "ARCHITECTURE.md: name `{span}` by its path from the repository root"
        );
        if pathlike {
            paths.push(span);
        }
    }
    paths
}

/// Where a named path must exist: the path itself, or for a pattern such as
/// `fixtures/rules/<rule>/` or `tests/cli_*.rs` the folder before the first placeholder.
fn must_exist(span: &str) -> (PathBuf, bool) {
    match span.find(['<', '*']) {
        Some(at) => {
            let folder = &span[..span[..at].rfind('/').map_or(0, |i| i + 1)];
            assert!(
                !folder.is_empty(),
                "`{span}`: a pattern needs a real folder"
            );
            (root().join(folder), true)
        }
        None => (root().join(span), span.ends_with('/')),
    }
}

#[test]
fn every_path_named_in_architecture_md_exists() {
    let doc = read("ARCHITECTURE.md");
    let paths = named_paths(&doc);
    // The code map names every main module; far fewer means the parsing above broke.
    assert!(
        paths.len() >= 60,
        "only {} paths found in ARCHITECTURE.md",
        paths.len()
    );
    let missing: Vec<String> = paths
        .iter()
        .filter_map(|span| {
            let (path, folder) = must_exist(span);
            let ok = if folder {
                path.is_dir()
            } else {
                path.is_file()
            };
            (!ok).then(|| {
                format!(
                    "`{span}` ({} not found)",
                    if folder { "folder" } else { "file" }
                )
            })
        })
        .collect();
    assert!(
        missing.is_empty(),
        "ARCHITECTURE.md names paths that do not exist; update its code map:\n{}",
        missing.join("\n")
    );
}

#[test]
fn path_extraction_sees_paths_and_only_paths() {
    let sample = "`src/lsp/` and `rules/src/model/roles.rs`, not `node:events`, \
                  `a.b(c/d)` or `leaklint.toml`; `fixtures/rules/<rule>/` is a pattern";
    assert_eq!(
        named_paths(sample),
        [
            "src/lsp/",
            "rules/src/model/roles.rs",
            "fixtures/rules/<rule>/"
        ]
    );
    assert_eq!(
        must_exist("fixtures/rules/<rule>/"),
        (root().join("fixtures/rules/"), true)
    );
    let bare = std::panic::catch_unwind(|| named_paths("see `roles.rs`"));
    assert!(bare.is_err(), "a bare .rs name must be refused");
}

#[test]
fn readme_links_to_architecture_md() {
    let readme = read("README.md");
    let section = readme
        .split("\n## How it works")
        .nth(1)
        .expect("README.md has a `## How it works` section");
    let section = section.split("\n## ").next().unwrap_or(section);
    assert!(
        section.contains("(ARCHITECTURE.md)"),
        "README's How it works must link to ARCHITECTURE.md"
    );
}

/// The `[dependencies]` names of a manifest.
fn dependencies(manifest: &str) -> Vec<String> {
    let table: toml::Table = read(manifest).parse().expect("manifest is TOML");
    table
        .get("dependencies")
        .and_then(|d| d.as_table())
        .map(|d| d.keys().cloned().collect())
        .unwrap_or_default()
}

#[test]
fn crate_boundaries_hold() {
    let runtime = dependencies("runtime-check/Cargo.toml");
    assert!(
        !runtime
            .iter()
            .any(|d| d.starts_with("swc") || d.starts_with("leaklint")),
        "runtime-check must know nothing of swc, the rules or the CLI: {runtime:?}"
    );
    let rules = dependencies("rules/Cargo.toml");
    assert!(
        !rules.iter().any(|d| d.starts_with("leaklint")),
        "leaklint-rules must not depend on the CLI or the runtime checker: {rules:?}"
    );
    let cli = dependencies("Cargo.toml");
    assert!(
        !cli.iter().any(|d| d.starts_with("swc")),
        "the leaklint crate reaches swc only through leaklint_rules::lint: {cli:?}"
    );
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).expect("readable source folder") {
        let path = entry.expect("directory entry").path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

fn rule_files() -> Vec<(String, String)> {
    leaklint_rules::ALL
        .iter()
        .map(|r| {
            let rel = format!("rules/src/{}.rs", r.meta().id.replace('-', "_"));
            let text = read(&rel);
            (rel, text)
        })
        .collect()
}

#[test]
fn rules_never_walk_the_tree() {
    for (rel, text) in rule_files() {
        for forbidden in ["swc_ecma_ast", "swc_ecma_visit"] {
            assert!(
                !text.contains(forbidden),
                "{rel} uses {forbidden}: rules ask the model, they do not read the syntax tree"
            );
        }
    }
}

#[test]
fn only_the_model_collector_and_the_resolver_visit_the_tree() {
    let mut files = Vec::new();
    rust_files(&root().join("rules/src"), &mut files);
    let visiting: Vec<String> = files
        .iter()
        .filter(|p| std::fs::read_to_string(p).is_ok_and(|t| t.contains("swc_ecma_visit")))
        .map(|p| {
            p.strip_prefix(root())
                .unwrap_or(p)
                .to_string_lossy()
                .replace('\\', "/")
        })
        .collect();
    let mut visiting = visiting;
    visiting.sort();
    assert_eq!(
        visiting,
        ["rules/src/model/collect.rs", "rules/src/parse.rs"],
        "one walk per file: a new visitor is a second pass over the program"
    );
}

#[test]
fn the_model_does_not_know_the_rules() {
    let modules: Vec<String> = rule_files()
        .iter()
        .map(|(rel, _)| {
            let stem = rel.trim_start_matches("rules/src/").trim_end_matches(".rs");
            format!("crate::{stem}")
        })
        .collect();
    let mut files = Vec::new();
    rust_files(&root().join("rules/src/model"), &mut files);
    assert!(!files.is_empty());
    for file in files {
        let text = std::fs::read_to_string(&file).expect("model source");
        for module in &modules {
            assert!(
                !text.contains(module.as_str()),
                "{} imports {module}: the model serves the rules, not the other way round",
                file.display()
            );
        }
    }
}
