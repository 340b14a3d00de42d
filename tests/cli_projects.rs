//! Whole-project analysis on the multi-file projects in `fixtures/projects/`: each is linted from
//! its own folder, and findings must match the `// expect: <rule-id>` annotations both ways.

mod cli_support;
mod sarif_schema;

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

/// Runs leaklint on a fixture project from its own folder.
fn output(project: &Path, args: &[&str]) -> String {
    let run = leaklint(project, args);
    assert!(
        matches!(run.code, Some(0 | 1)),
        "{}: exit {:?}\n{}",
        project.display(),
        run.code,
        run.stderr
    );
    run.stdout
}

/// The chain across files is data in every format: JSON `chain`, SARIF `relatedLocations`
/// into the other files and `codeFlows` (valid against the official schema), the pretty
/// format's lines of the other files, the GitHub annotation's list. Snapshotted per project.
#[test]
fn every_format_carries_the_chain_across_files() {
    for project in projects() {
        let name = project.file_name().unwrap().to_string_lossy().to_string();
        let json: serde_json::Value =
            serde_json::from_str(&output(&project, &["--format", "json", "."])).expect("json");
        let sarif: serde_json::Value =
            serde_json::from_str(&output(&project, &["--format", "sarif", "."])).expect("sarif");
        let errors = sarif_schema::schema_errors(&sarif);
        assert!(errors.is_empty(), "{name}: {}", errors.join("\n"));
        let pretty = output(&project, &["--color", "never", "."]);
        let github = output(&project, &["--format", "github", "."]);

        // Each finding with a chain: the same steps, in the same order, in JSON and SARIF.
        let results = sarif["runs"][0]["results"].as_array().expect("results");
        let mut chains = Vec::new();
        for file in json["files"].as_array().expect("files") {
            for f in file["findings"].as_array().expect("findings") {
                let Some(chain) = f.get("chain") else {
                    continue;
                };
                let chain = chain.as_array().expect("chain is an array");
                assert!(!chain.is_empty(), "{name}: an empty chain is left out");
                let result = results
                    .iter()
                    .find(|r| {
                        r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
                            == file["path"]
                            && r["locations"][0]["physicalLocation"]["region"]["startLine"]
                                == f["start"]["line"]
                    })
                    .unwrap_or_else(|| panic!("{name}: a SARIF result for {f}"));
                let related = result["relatedLocations"].as_array().expect("related");
                let steps = &related[related.len() - chain.len()..];
                for (step, loc) in chain.iter().zip(steps) {
                    let physical = &loc["physicalLocation"];
                    assert_eq!(physical["artifactLocation"]["uri"], step["path"], "{name}");
                    assert_eq!(physical["artifactLocation"]["uriBaseId"], "%SRCROOT%");
                    assert_eq!(physical["region"]["startLine"], step["line"], "{name}");
                    assert_eq!(physical["region"]["startColumn"], step["column"], "{name}");
                    assert_eq!(loc["message"]["text"], step["message"], "{name}");
                    // The pretty format shows the other file's line under the finding.
                    let at = format!(
                        "{}:{}:{}",
                        step["path"].as_str().unwrap(),
                        step["line"],
                        step["column"]
                    );
                    assert!(pretty.contains(&at), "{name}: {at} in\n{pretty}");
                    let source = step["source"].as_str().unwrap().trim();
                    assert!(pretty.contains(source), "{name}: {source} in\n{pretty}");
                }
                chains.push(serde_json::json!({
                    "file": file["path"],
                    "line": f["start"]["line"],
                    "chain": chain,
                    "sarif relatedLocations": steps,
                    "sarif codeFlows": result.get("codeFlows"),
                }));
            }
        }
        let text = format!(
            "--- pretty\n{pretty}\n--- github\n{github}\n--- chains (json, sarif)\n{:#}\n",
            serde_json::Value::Array(chains)
        );
        insta::assert_snapshot!(format!("chain@{name}"), text);
    }
}

#[test]
fn the_code_flow_runs_from_the_registration_to_the_finding() {
    let project = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/projects/express-layers");
    let sarif: serde_json::Value =
        serde_json::from_str(&output(&project, &["--format", "sarif", "."])).expect("sarif");
    let result = &sarif["runs"][0]["results"][0];
    let flow = &result["codeFlows"][0]["threadFlows"][0]["locations"];
    let at: Vec<(String, u64)> = flow
        .as_array()
        .expect("thread flow locations")
        .iter()
        .map(|l| {
            let p = &l["location"]["physicalLocation"];
            (
                p["artifactLocation"]["uri"].as_str().unwrap().to_string(),
                p["region"]["startLine"].as_u64().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        at,
        [
            ("routes/index.js".to_string(), 6),
            ("controllers/prices.js".to_string(), 5),
            ("services/audit.js".to_string(), 4),
            ("services/audit.js".to_string(), 5),
        ],
        "{result:#}"
    );
    let orders: Vec<u64> = flow
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l["executionOrder"].as_u64().unwrap())
        .collect();
    assert_eq!(orders, [1, 2, 3, 4]);
    assert_eq!(
        flow[0]["location"]["message"]["text"],
        "registered as a request handler by `router.get('/prices/:sku', ...)`"
    );
}

#[test]
fn a_singleton_made_elsewhere_and_an_http_wrapper_are_steps_too() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/projects");
    let json: serde_json::Value = serde_json::from_str(&output(
        &root.join("socketio-store"),
        &["--format", "json", "."],
    ))
    .expect("json");
    let chain = &json["files"][0]["findings"][0]["chain"];
    let kinds: Vec<&str> = chain
        .as_array()
        .expect("chain")
        .iter()
        .map(|s| s["kind"].as_str().unwrap())
        .collect();
    assert_eq!(
        kinds,
        ["subject", "called-from", "registered", "single-instance"]
    );
    assert_eq!(chain[2]["frequency"], "per-message");
    assert_eq!(chain[3]["path"], "server.js");
    assert_eq!(chain[3]["line"], 5);
    assert_eq!(chain[3]["code"], "Presence");
    assert_eq!(chain[3]["source"], "const presence = new Presence();");

    let json: serde_json::Value = serde_json::from_str(&output(
        &root.join("http-wrapper"),
        &["--format", "json", "."],
    ))
    .expect("json");
    let finding = &json["files"][0]["findings"][0];
    assert_eq!(finding["chain"][0]["kind"], "forwards-to");
    assert_eq!(finding["chain"][0]["path"], "lib/call-api.js");
    assert_eq!(finding["chain"][0]["code"], "fetch");
    // The file alone says it repeats: no role steps, so no code flow in SARIF.
    let sarif: serde_json::Value = serde_json::from_str(&output(
        &root.join("http-wrapper"),
        &["--format", "sarif", "."],
    ))
    .expect("sarif");
    assert!(sarif["runs"][0]["results"][0].get("codeFlows").is_none());
}

/// An axios instance made in another file without a deadline: the chain's step is where it
/// is made, in JSON (`client-created`) and in SARIF (a related location in that file, and a
/// code flow through it).
#[test]
fn an_untimed_client_made_elsewhere_is_a_step() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/projects/axios-instances");
    let json: serde_json::Value = serde_json::from_str(&output(
        &root,
        &["--format", "json", "src/routes/orders.js"],
    ))
    .expect("json");
    let finding = &json["files"][0]["findings"][0];
    assert_eq!(finding["start"]["line"], 9, "{finding:#}");
    assert!(
        finding["message"].as_str().unwrap().starts_with(
            "this axios instance is created in src/http/clients.js:8 without a `timeout`"
        ),
        "{finding:#}"
    );
    let step = &finding["chain"][0];
    assert_eq!(step["kind"], "client-created", "{finding:#}");
    assert_eq!(step["path"], "src/http/clients.js");
    assert_eq!(step["line"], 8);
    assert_eq!(step["code"], "axios.create(...)");
    assert_eq!(
        step["source"],
        "const search = axios.create({ baseURL: 'https://search.example.invalid' });"
    );

    let sarif: serde_json::Value = serde_json::from_str(&output(
        &root,
        &["--format", "sarif", "src/routes/orders.js"],
    ))
    .expect("sarif");
    let result = &sarif["runs"][0]["results"][0];
    let related = result["relatedLocations"].as_array().expect("related");
    assert!(
        related
            .iter()
            .any(|r| r["physicalLocation"]["artifactLocation"]["uri"]
                .as_str()
                .is_some_and(|u| u.ends_with("src/http/clients.js"))
                && r["physicalLocation"]["region"]["startLine"] == 8),
        "{related:#?}"
    );
}

#[test]
fn a_single_file_finding_has_no_chain() {
    let dir = cli_support::project();
    let app = "const express = require('express');\nconst app = express();\nconst seen = [];\napp.get('/x', (req, res) => { seen.push(req.url); res.end(); });\n";
    cli_support::write(dir.path(), "app.js", app);
    let run = leaklint(dir.path(), &["--format", "json", "app.js"]);
    let json = run.json();
    let finding = &json["files"][0]["findings"][0];
    assert_eq!(finding["rule"], "unbounded-cache", "{}", run.stdout);
    assert!(finding.get("chain").is_none(), "{finding:#}");
}

/// Files that summarised files call into are summarised on demand, along the chain; a leaf that
/// loads no module ends the chain and is not parsed again for a summary it would not give. In
/// `plain-middle-layer` the boot helper and the quoting module are demanded (the controller has
/// a trigger of its own and is summarised in the first pass); `lib/format.js`, which the quoting
/// module calls and which loads nothing, is not (it was, before: 3 files). The count is the
/// `LEAKLINT_TIMINGS` line's, and the finding at the chain's end is still reported.
#[test]
fn a_leaf_module_ends_the_chain_without_a_second_parse() {
    let project =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/projects/plain-middle-layer");
    let (run, demanded) = cli_support::timed(
        &project,
        &["--format", "json", "."],
        "files that summarised files call into",
    );
    assert_eq!(demanded.first(), Some(&2), "{demanded:?}");
    let report: serde_json::Value = serde_json::from_slice(&run.stdout).expect("json");
    assert_eq!(
        cli_support::rules_in(&report, "services/pricing.js"),
        ["unbounded-cache"]
    );
}
