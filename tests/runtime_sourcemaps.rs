//! `confirm` and `heap diff` on compiled code: the TypeScript demo app
//! (`fixtures/apps/typescript/`, compiled by tsc from npm, output committed) and the snapshots
//! Node 20 wrote of it (`fixtures/apps/snapshots/typescript/`). The app ran from
//! `/tmp/leaklint-demo/fixtures/apps/typescript`, which does not exist when the tests run: the
//! compiled scripts are found through `--root` or by their trailing path components, and their
//! locations are moved through the source maps (a `.js.map` file for `orders.js`, an inline
//! data URL for `metrics.js`) to the `.ts` lines the findings name.

mod cli_support;
mod heap_support;

use std::path::Path;

use cli_support::{Run, leaklint, project, write};
use heap_support::repo;

const APP: &str = "fixtures/apps/typescript";
const RAN_FROM: &str = "/tmp/leaklint-demo";

fn snapshots() -> Vec<String> {
    (1..=3)
        .map(|n| {
            repo()
                .join(format!(
                    "fixtures/apps/snapshots/typescript/s{n}.heapsnapshot.gz"
                ))
                .to_str()
                .unwrap()
                .to_owned()
        })
        .collect()
}

/// The whole-project findings of the app's sources, as a JSON report in `dir`.
fn report(dir: &Path) -> String {
    let out = leaklint(&repo(), &["--format", "json", &format!("{APP}/src")]);
    let path = write(dir, "report.json", &out.stdout);
    path.to_str().unwrap().to_owned()
}

fn confirm(cwd: &Path, extra: &[&str]) -> Run {
    let s = snapshots();
    let mut args = vec!["confirm", "--snapshots", &s[0], &s[1], &s[2]];
    args.extend(extra);
    args.extend(["--format", "json"]);
    leaklint(cwd, &args)
}

fn verdict<'a>(
    v: &'a serde_json::Value,
    rule: &str,
    file: &str,
    line: u64,
) -> &'a serde_json::Value {
    v["verdicts"]
        .as_array()
        .unwrap()
        .iter()
        .find(|x| x["rule"] == rule && x["file"] == file && x["line"] == line)
        .unwrap_or_else(|| panic!("no {rule} verdict at {file}:{line}:\n{v:#}"))
}

#[test]
fn findings_on_typescript_sources_are_confirmed_through_source_maps() {
    let dir = project();
    let report = report(dir.path());
    let out = confirm(&repo(), &["--findings", &report, "--root", RAN_FROM]);
    out.assert_code(1);
    let v = out.json();
    let orders = format!("{APP}/src/orders.ts");
    let metrics = format!("{APP}/src/metrics.ts");
    for (rule, file, line) in [
        ("max-listeners-disabled", &orders, 23),
        ("listener-leak", &orders, 34),
        ("unbounded-cache", &orders, 36),
        ("timer-leak", &orders, 37),
        ("unbounded-cache", &metrics, 16),
    ] {
        let x = verdict(&v, rule, file, line);
        assert_eq!(x["verdict"], "confirmed", "{rule} {file}:{line}: {x:#}");
        assert_eq!(
            x["evidence"][0]["counts"],
            serde_json::json!([70, 130, 190]),
            "{x:#}"
        );
    }
    // The handler is at src/orders.ts:31; V8 saw it at dist/orders.js:15.
    let listener = verdict(&v, "listener-leak", &orders, 34);
    let what = listener["evidence"][0]["what"].as_str().unwrap();
    assert!(what.contains("created at orders.ts:31"), "{what}");
    let timer = verdict(&v, "timer-leak", &orders, 37);
    assert!(
        timer["evidence"][0]["what"]
            .as_str()
            .unwrap()
            .contains("orders.ts:37"),
        "{timer:#}"
    );
    // Every seeded leak has its verdict: nothing is left as unexplained growth, not even the
    // `recorder` closures that fill the confirmed `recorders` array.
    assert_eq!(v["unexplained"], serde_json::json!([]), "{v:#}");
}

#[test]
fn unexplained_growth_is_named_at_the_typescript_line_inline_maps_too() {
    // Linting from the app's directory (each file alone, as `confirm PATHS` does) finds the
    // listener and the timer but not the caches, whose per-request callers are in another
    // file: their growth is unexplained, and shown at the `.ts` lines. No `--root`: the
    // compiled scripts are found as `dist/*.js` under the working directory.
    let app = repo().join(APP);
    let out = confirm(&app, &["src"]);
    out.assert_code(1);
    let v = out.json();
    assert_eq!(
        verdict(&v, "listener-leak", "src/orders.ts", 34)["verdict"],
        "confirmed"
    );
    let unexplained = v["unexplained"].as_array().unwrap();
    // `metrics.js` carries its map inline (`data:application/json;base64,…`): the closure V8
    // saw at dist/metrics.js:8 is the one at src/metrics.ts:15.
    let recorder = unexplained
        .iter()
        .find(|u| u["name"] == "recorder")
        .unwrap_or_else(|| panic!("{v:#}"));
    assert_eq!(recorder["kind"], "closures");
    assert!(
        recorder["file"]
            .as_str()
            .unwrap()
            .ends_with("fixtures/apps/typescript/src/metrics.ts"),
        "{recorder:#}"
    );
    assert_eq!(recorder["line"], 15, "{recorder:#}");
    assert_eq!(recorder["counts"], serde_json::json!([70, 130, 190]));
    let sessions = unexplained
        .iter()
        .find(|u| u["name"] == "sessions")
        .unwrap_or_else(|| panic!("{v:#}"));
    assert_eq!(sessions["file"], "src/orders.ts", "{sessions:#}");
    assert_eq!(sessions["line"], 25, "{sessions:#}");
}

#[test]
fn without_the_compiled_files_nothing_maps() {
    // In an empty directory the compiled scripts cannot be found: their locations stay in
    // dist/*.js, which no finding names.
    let dir = project();
    let report = report(dir.path());
    let out = confirm(dir.path(), &["--findings", &report]);
    let v = out.json();
    let x = verdict(&v, "listener-leak", &format!("{APP}/src/orders.ts"), 34);
    assert_eq!(x["verdict"], "not-observed", "{x:#}");
}

#[test]
fn heap_diff_names_locations_at_their_typescript_lines() {
    let s = snapshots();
    let out = leaklint(
        &repo(),
        &["heap", "diff", &s[0], &s[1], &s[2], "--format", "json"],
    );
    out.assert_code(0);
    let v = out.json();
    let rows = v["growing"]["locations"].as_array().unwrap();
    let at = |file: &str, line: u64| {
        rows.iter().any(|r| {
            r["location"]["file"]
                .as_str()
                .is_some_and(|f| f.ends_with(file))
                && r["location"]["line"] == line
        })
    };
    assert!(at("typescript/src/orders.ts", 31), "{v:#}");
    assert!(at("typescript/src/metrics.ts", 15), "{v:#}");
    assert!(
        !rows.iter().any(|r| r["location"]["file"]
            .as_str()
            .is_some_and(|f| f.contains("/dist/"))),
        "{v:#}"
    );
}

/// A copy of the compiled app under `dir/dist`, for the bad-map cases.
fn compiled_copy(dir: &Path) {
    for f in [
        "orders.js",
        "orders.js.map",
        "metrics.js",
        "server.js",
        "server.js.map",
    ] {
        let text = std::fs::read(repo().join(APP).join("dist").join(f)).unwrap();
        write(dir, &format!("dist/{f}"), text);
    }
}

#[test]
fn a_corrupt_source_map_is_an_error_naming_it() {
    let dir = project();
    let d = dir.path();
    let report = report(d);
    compiled_copy(d);
    write(
        d,
        "dist/orders.js.map",
        "{\"version\":3,\"sources\":[\"../src/orders.ts\"],\"mappings\":",
    );
    let out = confirm(d, &["--findings", &report]);
    out.assert_code(2);
    assert!(
        out.stderr
            .contains("dist/orders.js.map: not a valid source map (named by"),
        "{}",
        out.stderr
    );
    assert!(!out.stderr.contains("panicked"), "{}", out.stderr);

    // An inline map whose data is not base64 JSON: the script is named.
    compiled_copy(d);
    let js = std::fs::read_to_string(d.join("dist/metrics.js")).unwrap();
    let cut = js.rfind("//# sourceMappingURL=").unwrap();
    write(
        d,
        "dist/metrics.js",
        format!(
            "{}//# sourceMappingURL=data:application/json;base64,!!not-base64!!\n",
            &js[..cut]
        ),
    );
    let out = confirm(d, &["--findings", &report]);
    out.assert_code(2);
    assert!(
        out.stderr.contains(
            "dist/metrics.js: its inline source map (`//# sourceMappingURL=data:…`) cannot be read"
        ),
        "{}",
        out.stderr
    );
}

#[test]
fn a_missing_source_map_is_a_note_and_the_rest_still_maps() {
    let dir = project();
    let d = dir.path();
    let report = report(d);
    compiled_copy(d);
    std::fs::remove_file(d.join("dist/orders.js.map")).unwrap();
    let out = confirm(d, &["--findings", &report]);
    out.assert_code(1);
    assert!(
        out.stderr.contains("orders.js: its source map")
            && out.stderr.contains("its locations stay as compiled"),
        "{}",
        out.stderr
    );
    let v = out.json();
    // orders.js is left as compiled: its handler is not found at the .ts line …
    assert_eq!(
        verdict(&v, "timer-leak", &format!("{APP}/src/orders.ts"), 37)["verdict"],
        "not-observed"
    );
    // … while metrics.js (inline map) still maps.
    assert_eq!(
        verdict(&v, "unbounded-cache", &format!("{APP}/src/metrics.ts"), 16)["verdict"],
        "confirmed"
    );
}
