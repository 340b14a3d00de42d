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
fn every_module_is_in_the_code_map() {
    let doc = read("ARCHITECTURE.md");
    let named = named_paths(&doc);
    let words: Vec<&str> = doc
        .split(|c: char| !(c.is_alphanumeric() || c == '_' || c == '.'))
        .collect();
    let mut missing = Vec::new();
    for src in ["src", "rules/src", "runtime-check/src"] {
        let mut files = Vec::new();
        rust_files(&root().join(src), &mut files);
        for path in files {
            let rel = path
                .strip_prefix(root())
                .expect("under the repository")
                .to_string_lossy()
                .replace('\\', "/");
            let (folder, file) = rel.rsplit_once('/').expect("a file in a folder");
            let folder = format!("{folder}/");
            // A crate's root is its section of the code map.
            let crate_root = folder == format!("{src}/") && file == "lib.rs";
            // A module named by its path; the module of a folder by the folder; a file of a
            // folder named in the map by its file name in the folder's entry (`http.rs`).
            let listed = named.contains(&rel.as_str())
                || (file == "mod.rs" && named.contains(&folder.as_str()))
                || (named.contains(&folder.as_str()) && words.contains(&file));
            if !crate_root && !listed {
                missing.push(rel);
            }
        }
    }
    assert!(
        missing.is_empty(),
        "ARCHITECTURE.md's code map does not mention these modules: {missing:?}"
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

/// The modules of `rules/src/model/` and what each imports from the others, read off the
/// sources: `super::x` (`super::super::x` inside `frameworks/`) and `crate::model::x`, in `use`
/// declarations and in paths written inline, with brace groups expanded. A name the model
/// root re-exports (`pub use roles::{Frequency, ...}` in `rules/src/model/mod.rs`) counts as an
/// import of the module it comes from. The root itself (`mod.rs`: the `Model` type and the
/// calls that build it) and the unit tests are left out: a parent calling its children is not
/// a circle. Returns (module, imported module) pairs, sorted, without repeats.
fn model_imports() -> Vec<(String, String)> {
    let dir = root().join("rules/src/model");
    let root_text = read("rules/src/model/mod.rs");
    // `pub use roles::{Frequency, Origin};` → Frequency → roles, Origin → roles.
    let mut reexported: std::collections::HashMap<String, String> = Default::default();
    for line in root_text.lines() {
        let Some(rest) = line.trim().strip_prefix("pub use ") else {
            continue;
        };
        let Some((module, items)) = rest.trim_end_matches(';').split_once("::") else {
            continue;
        };
        for item in items.trim_matches(|c| c == '{' || c == '}').split(',') {
            let item = item.trim();
            if !item.is_empty() {
                reexported.insert(item.to_string(), module.to_string());
            }
        }
    }
    // Modules: each file of the folder, and each subfolder as one module.
    let mut modules: Vec<(String, Vec<PathBuf>)> = Vec::new();
    for entry in std::fs::read_dir(&dir).expect("rules/src/model") {
        let path = entry.expect("directory entry").path();
        let name = path
            .file_stem()
            .expect("a name")
            .to_string_lossy()
            .to_string();
        if path.is_dir() {
            let mut files = Vec::new();
            rust_files(&path, &mut files);
            files.retain(|f| !f.ends_with("tests.rs"));
            modules.push((name, files));
        } else if path.extension().is_some_and(|e| e == "rs") && name != "mod" && name != "tests" {
            modules.push((name, vec![path]));
        }
    }
    let names: Vec<String> = modules.iter().map(|(n, _)| n.clone()).collect();
    let mut edges = Vec::new();
    for (module, files) in &modules {
        for file in files {
            let text = std::fs::read_to_string(file).expect("model source");
            // Inside a subfolder, `super::` is the subfolder's own root.
            let nested = file.parent() != Some(dir.as_path());
            let prefixes: &[&str] = if nested {
                &["super::super::", "crate::model::"]
            } else {
                &["super::", "crate::model::"]
            };
            for name in imported_names(&text, prefixes) {
                let target = if names.contains(&name) {
                    Some(name)
                } else {
                    reexported.get(&name).cloned()
                };
                if let Some(target) = target
                    && &target != module
                {
                    edges.push((module.clone(), target));
                }
            }
        }
    }
    edges.sort();
    edges.dedup();
    edges
}

/// The first name of every path that follows one of `prefixes` in `text` (comment lines
/// skipped): `super::roles::Frequency` → `roles`; `super::{path::strip, Model}` → `path`,
/// `Model`. `super::super::x` is not read as `super::` followed by `super`.
fn imported_names(text: &str, prefixes: &[&str]) -> Vec<String> {
    let mut out = Vec::new();
    for line in text.lines() {
        if line.trim_start().starts_with("//") {
            continue;
        }
        for prefix in prefixes {
            let mut from = 0;
            while let Some(found) = line[from..].find(prefix) {
                let at = from + found;
                let after = &line[at + prefix.len()..];
                from = at + prefix.len();
                let preceded_by_super = line[..at].ends_with("super::");
                if preceded_by_super || (*prefix == "super::" && after.starts_with("super::")) {
                    continue;
                }
                if let Some(group) = after.strip_prefix('{') {
                    let mut depth = 1;
                    let end = group
                        .char_indices()
                        .find(|&(_, c)| {
                            depth += match c {
                                '{' => 1,
                                '}' => -1,
                                _ => 0,
                            };
                            depth == 0
                        })
                        .map_or(group.len(), |(i, _)| i);
                    let mut depth = 0;
                    let mut item_start = true;
                    for (i, c) in group[..end].char_indices() {
                        match c {
                            '{' => depth += 1,
                            '}' => depth -= 1,
                            ',' if depth == 0 => item_start = true,
                            c if item_start && depth == 0 && !c.is_whitespace() => {
                                item_start = false;
                                out.push(first_segment(&group[i..]));
                            }
                            _ => {}
                        }
                    }
                } else {
                    out.push(first_segment(after));
                }
            }
        }
    }
    out.retain(|n| !n.is_empty() && n != "self" && n != "*");
    out
}

fn first_segment(path: &str) -> String {
    path.chars()
        .take_while(|c| c.is_alphanumeric() || *c == '_')
        .collect()
}

/// A circle in `edges`, as the modules along it (`[a, b, a]`), or `None`.
fn import_cycle(edges: &[(String, String)]) -> Option<Vec<String>> {
    fn walk(
        at: &str,
        edges: &[(String, String)],
        path: &mut Vec<String>,
        done: &mut Vec<String>,
    ) -> Option<Vec<String>> {
        if let Some(i) = path.iter().position(|p| p == at) {
            let mut cycle = path[i..].to_vec();
            cycle.push(at.to_string());
            return Some(cycle);
        }
        if done.iter().any(|d| d == at) {
            return None;
        }
        path.push(at.to_string());
        for (_, to) in edges.iter().filter(|(from, _)| from == at) {
            if let Some(cycle) = walk(to, edges, path, done) {
                return Some(cycle);
            }
        }
        path.pop();
        done.push(at.to_string());
        None
    }
    let mut done = Vec::new();
    edges
        .iter()
        .find_map(|(from, _)| walk(from, edges, &mut Vec::new(), &mut done))
}

#[test]
fn no_model_module_imports_one_that_imports_it_back() {
    let edges = model_imports();
    // The modules do import each other; none found means the reading above broke.
    assert!(
        edges.len() >= 10,
        "only {} imports found between model modules: {edges:?}",
        edges.len()
    );
    if let Some(cycle) = import_cycle(&edges) {
        panic!(
            "rules/src/model/: {} import each other in a circle; move what both need into a \
             module of its own (as syntax.rs holds the syntax helpers). All imports: {edges:?}",
            cycle.join(" → ")
        );
    }
}

#[test]
fn the_import_reader_and_the_cycle_finder_see_what_they_must() {
    let text = "use super::{path::{strip, Root}, Model};\n\
                use super::super::roles::Frequency;\n\
                // use super::ignored;\n\
                let x = super::emitters::is_listener_method(m);\n";
    assert_eq!(
        imported_names(text, &["super::", "crate::model::"]),
        ["path", "Model", "emitters"]
    );
    assert_eq!(
        imported_names(text, &["super::super::", "crate::model::"]),
        ["roles"]
    );
    let edge = |a: &str, b: &str| (a.to_string(), b.to_string());
    let line = [edge("collect", "roles"), edge("roles", "syntax")];
    assert_eq!(import_cycle(&line), None);
    let circle = [
        edge("collect", "roles"),
        edge("roles", "syntax"),
        edge("syntax", "collect"),
    ];
    assert_eq!(
        import_cycle(&circle),
        Some(vec![
            "collect".to_string(),
            "roles".to_string(),
            "syntax".to_string(),
            "collect".to_string()
        ])
    );
}

/// The fields of `Model` (`rules/src/model/mod.rs`), read off its declaration.
fn model_fields() -> Vec<String> {
    let text = read("rules/src/model/mod.rs");
    let start = text
        .find("pub struct Model<'a> {")
        .expect("the Model struct in rules/src/model/mod.rs");
    let body = &text[start..];
    let body = &body[..body.find("\n}").expect("the end of the Model struct")];
    body.lines()
        .skip(1)
        .map(str::trim)
        .filter(|l| !l.starts_with("//"))
        .filter_map(|l| {
            let l = l
                .trim_start_matches("pub(crate) ")
                .trim_start_matches("pub ");
            let (name, _) = l.split_once(':')?;
            Some(name.trim().to_string())
        })
        .filter(|n| !n.is_empty() && n.chars().all(|c| c.is_alphanumeric() || c == '_'))
        .collect()
}

/// The `Model` fields that `text` reads as `model.<field>` (not `model.<name>(...)`, a method),
/// however the chain is spaced: rustfmt writes long ones as `model\n    .member_calls\n`.
fn model_field_reads(text: &str, fields: &[String]) -> Vec<String> {
    let mut out = Vec::new();
    let mut from = 0;
    while let Some(found) = text[from..].find("model") {
        let start = from + found;
        from = start + "model".len();
        let word_before = text[..start]
            .chars()
            .next_back()
            .is_some_and(|c| c.is_alphanumeric() || c == '_');
        let word_after = text[from..]
            .chars()
            .next()
            .is_some_and(|c| c.is_alphanumeric() || c == '_');
        if word_before || word_after {
            continue;
        }
        let Some(rest) = text[from..].trim_start().strip_prefix('.') else {
            continue;
        };
        let rest = rest.trim_start();
        let len = rest
            .find(|c: char| !(c.is_alphanumeric() || c == '_'))
            .unwrap_or(rest.len());
        let (name, after) = rest.split_at(len);
        if fields.iter().any(|f| f == name) && !after.trim_start().starts_with('(') {
            out.push(name.to_string());
        }
    }
    out
}

/// Every Rust file of `rules/src/project/`, the project phase's side of the model boundary.
fn project_files() -> Vec<(String, String)> {
    let mut paths = Vec::new();
    rust_files(&root().join("rules/src/project"), &mut paths);
    paths.sort();
    paths
        .into_iter()
        .map(|p| {
            let rel = p
                .strip_prefix(root())
                .expect("under the repository")
                .to_string_lossy()
                .replace('\\', "/");
            let text = read(&rel);
            (rel, text)
        })
        .collect()
}

#[test]
fn rules_ask_the_model_questions_instead_of_reading_its_tables() {
    let fields = model_fields();
    assert!(
        fields.len() >= 20,
        "only {} Model fields found: {fields:?}",
        fields.len()
    );
    let project = project_files();
    assert!(
        project
            .iter()
            .any(|(rel, _)| rel.ends_with("project/summary.rs")),
        "rules/src/project/summary.rs not found: {:?}",
        project.iter().map(|(rel, _)| rel).collect::<Vec<_>>()
    );
    for (rel, text) in rule_files().into_iter().chain(project) {
        let reads = model_field_reads(&text, &fields);
        assert!(
            reads.is_empty(),
            "{rel} reads the Model's fields {reads:?}: ask the model a question instead (the \
             list in rules/src/model/mod.rs), or add one there"
        );
    }
}

#[test]
fn the_field_reader_sees_spaced_chains_and_not_method_calls() {
    let fields = vec!["member_calls".to_string(), "news".to_string()];
    let text = "let a = model.member_calls();\nlet b = model\n    .news\n    .iter();\n\
                let c = &model.member_calls;\nlet d = submodel.news;\nlet e = model.newsy;";
    assert_eq!(
        model_field_reads(text, &fields),
        vec!["news".to_string(), "member_calls".to_string()]
    );
}
