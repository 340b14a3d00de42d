//! Whole-project analysis on the multi-file projects in `fixtures/projects/`: each is linted from
//! its own folder, and findings must match the `// expect: <rule-id>` annotations both ways.

mod cli_support;

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use cli_support::leaklint;

fn projects() -> Vec<PathBuf> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/projects");
    let mut out: Vec<PathBuf> = std::fs::read_dir(&root)
        .expect("fixtures/projects exists")
        .map(|e| e.expect("readable entry").path())
        .filter(|p| p.is_dir())
        .collect();
    out.sort();
    out
}

/// (path relative to the project, line, rule) for every annotation.
fn expected(project: &Path) -> BTreeSet<(String, u64, String)> {
    let mut out = BTreeSet::new();
    let mut stack = vec![project.to_path_buf()];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).expect("readable folder") {
            let path = entry.expect("readable entry").path();
            if path.is_dir() {
                stack.push(path);
                continue;
            }
            let Ok(text) = std::fs::read_to_string(&path) else {
                continue;
            };
            let rel = path
                .strip_prefix(project)
                .expect("inside the project")
                .to_string_lossy()
                .replace('\\', "/");
            for (i, line) in text.lines().enumerate() {
                if let Some((_, ids)) = line.split_once("// expect:") {
                    for id in ids.split(',') {
                        out.insert((rel.clone(), i as u64 + 1, id.trim().to_string()));
                    }
                }
            }
        }
    }
    out
}

fn found(project: &Path) -> (BTreeSet<(String, u64, String)>, serde_json::Value) {
    let run = leaklint(project, &["--format", "json", "."]);
    assert!(
        matches!(run.code, Some(0 | 1)),
        "{}: exit {:?}\n{}",
        project.display(),
        run.code,
        run.stderr
    );
    let json = run.json();
    let mut out = BTreeSet::new();
    for file in json["files"].as_array().expect("files") {
        let path = file["path"].as_str().expect("path").replace('\\', "/");
        for f in file["findings"].as_array().expect("findings") {
            out.insert((
                path.clone(),
                f["start"]["line"].as_u64().expect("line"),
                f["rule"].as_str().expect("rule").to_string(),
            ));
        }
    }
    (out, json)
}

#[test]
fn every_project_matches_its_annotations_both_ways() {
    let projects = projects();
    assert!(projects.len() >= 9, "the fixture projects are there");
    let mut failures = Vec::new();
    for project in &projects {
        let want = expected(project);
        let (got, _) = found(project);
        for missing in want.difference(&got) {
            failures.push(format!("{}: MISSED {missing:?}", project.display()));
        }
        for extra in got.difference(&want) {
            failures.push(format!("{}: UNEXPECTED {extra:?}", project.display()));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn the_message_names_the_chain_across_files() {
    let project = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/projects/express-layers");
    let (_, json) = found(&project);
    let message = json["files"]
        .as_array()
        .expect("files")
        .iter()
        .flat_map(|f| f["findings"].as_array().expect("findings"))
        .map(|f| f["message"].as_str().expect("message").to_string())
        .next()
        .expect("one finding");
    assert!(
        message.contains(
            "this runs on every request: `rememberLookup` (services/audit.js:4) is called by \
             `getPrice` (controllers/prices.js:5), which is registered by \
             `router.get('/prices/:sku', ...)` (routes/index.js:6)"
        ),
        "{message}"
    );
}

#[test]
fn a_partial_run_reads_the_project_but_reports_only_the_named_file() {
    // `package.json` marks the project's root: the routes and controllers around the named
    // service are read for facts, and only the service is reported.
    let project = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/projects/express-layers");
    let run = leaklint(&project, &["--format", "json", "services/audit.js"]);
    run.assert_code(0);
    let json = run.json();
    let files: Vec<&str> = json["files"]
        .as_array()
        .expect("files")
        .iter()
        .map(|f| f["path"].as_str().expect("path"))
        .collect();
    assert_eq!(files, ["services/audit.js"], "{}", run.stdout);
    let rules: Vec<&str> = json["files"][0]["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .map(|f| f["rule"].as_str().expect("rule"))
        .collect();
    assert_eq!(rules, ["unbounded-cache"], "{}", run.stdout);
}

#[test]
fn a_file_outside_any_project_is_linted_alone() {
    // No package.json, tsconfig.json or .git above it: no callers are known, nothing repeats.
    let dir = cli_support::project();
    let service = "const lookups = [];\nexports.remember = (sku) => { lookups.push(sku); };\n";
    let routes = "const express = require('express');\nconst { remember } = require('./service');\nconst app = express();\napp.get('/x/:sku', (req, res) => { remember(req.params.sku); res.end(); });\n";
    cli_support::write(dir.path(), "service.js", service);
    cli_support::write(dir.path(), "routes.js", routes);
    let alone = leaklint(dir.path(), &["--format", "json", "service.js"]);
    alone.assert_code(0);
    assert_eq!(
        cli_support::rules_in(&alone.json(), "service.js"),
        Vec::<String>::new()
    );
    // Linted together, the route's caller makes it per request.
    let together = leaklint(dir.path(), &["--format", "json", "."]);
    assert_eq!(
        cli_support::rules_in(&together.json(), "service.js"),
        ["unbounded-cache"]
    );
}
