//! `leaklint lsp` driven over stdio by a test client: the real binary, the real protocol.

mod cli_support;
mod lsp_support;

use std::time::Duration;

use cli_support::{CLEAN, LEAKY, write};
use lsp_support::{Client, apply_edits, file_uri, pull_caps, push_caps};
use serde_json::{Value, json};

fn tempdir() -> tempfile::TempDir {
    tempfile::Builder::new()
        .prefix("lsp-")
        .tempdir_in(env!("CARGO_TARGET_TMPDIR"))
        .expect("tempdir")
}

/// A leaky file in a fresh workspace: (workspace, uri of `src/app.js`).
fn workspace() -> (tempfile::TempDir, String) {
    let dir = tempdir();
    write(dir.path(), "src/app.js", LEAKY);
    let uri = file_uri(&dir.path().join("src/app.js"));
    (dir, uri)
}

fn codes(diagnostics: &[Value]) -> Vec<&str> {
    diagnostics
        .iter()
        .map(|d| d["code"].as_str().unwrap())
        .collect()
}

fn start(d: &Value) -> (u64, u64) {
    (
        d["range"]["start"]["line"].as_u64().unwrap(),
        d["range"]["start"]["character"].as_u64().unwrap(),
    )
}

fn explain(rule: &str) -> String {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_leaklint"))
        .args(["explain", rule])
        .output()
        .unwrap();
    String::from_utf8(out.stdout).unwrap()
}

#[test]
fn initialize_declares_what_the_server_does() {
    let dir = tempdir();
    let mut push = Client::start(dir.path());
    let response = push.initialize(dir.path(), push_caps(), Value::Null);
    let caps = &response["result"]["capabilities"];
    assert_eq!(caps["positionEncoding"], "utf-16");
    assert_eq!(
        caps["textDocumentSync"],
        json!({ "openClose": true, "change": 2, "save": { "includeText": false } })
    );
    assert_eq!(caps["hoverProvider"], true);
    assert_eq!(
        caps["codeActionProvider"]["codeActionKinds"],
        json!(["quickfix"])
    );
    assert!(
        caps.get("diagnosticProvider").is_none(),
        "push client: {caps}"
    );
    assert_eq!(response["result"]["serverInfo"]["name"], "leaklint");
    assert!(push.shutdown().success());

    let mut pull = Client::start(dir.path());
    let response = pull.initialize(dir.path(), pull_caps(), Value::Null);
    let caps = &response["result"]["capabilities"];
    assert_eq!(
        caps["diagnosticProvider"],
        json!({ "identifier": "leaklint", "interFileDependencies": true, "workspaceDiagnostics": false })
    );
    // It watches leaklint.toml through dynamic registration when the client can.
    let register = pull.wait("client/registerCapability", |m| {
        m["method"] == "client/registerCapability"
    });
    let registration = &register["params"]["registrations"][0];
    assert_eq!(registration["method"], "workspace/didChangeWatchedFiles");
    assert_eq!(
        registration["registerOptions"]["watchers"][0]["globPattern"],
        "**/leaklint.toml"
    );
    assert!(pull.shutdown().success());
}

#[test]
fn diagnostics_follow_open_change_and_close() {
    let (dir, uri) = workspace();
    let mut client = Client::initialized(dir.path(), push_caps(), Value::Null);
    client.open(&uri, "javascript", LEAKY);
    let diagnostics = client.diagnostics(&uri, Some(1));
    assert_eq!(codes(&diagnostics), ["listener-leak"], "{diagnostics:#?}");
    let d = &diagnostics[0];
    assert_eq!(start(d), (5, 2));
    assert_eq!(d["range"]["end"]["line"], 5);
    assert_eq!(d["severity"], 1);
    assert_eq!(d["source"], "leaklint");
    assert_eq!(
        d["codeDescription"]["href"],
        "https://github.com/leaklint/leaklint/blob/main/README.md#listener-leak"
    );
    let message = d["message"].as_str().unwrap();
    assert!(
        message.starts_with("listener added to `bus` on every request"),
        "{message}"
    );
    assert!(message.contains("\nhelp: "), "{message}");
    // The declaration of `bus` (line 3) and the registration `app.get(...)` (line 5).
    let related = d["relatedInformation"].as_array().unwrap();
    let lines: Vec<u64> = related
        .iter()
        .map(|r| r["location"]["range"]["start"]["line"].as_u64().unwrap())
        .collect();
    assert_eq!(lines, [2, 4], "{related:#?}");
    assert!(related.iter().all(|r| r["location"]["uri"] == uri.as_str()));
    assert!(
        related[0]["message"].as_str().unwrap().contains("declared"),
        "{related:#?}"
    );

    // An incremental edit that fixes the leak: `bus.on` becomes `res.on`.
    client.change(&uri, 2, (5, 2), (5, 5), "res");
    assert_eq!(client.diagnostics(&uri, Some(2)), Vec::<Value>::new());
    // And back.
    client.change(&uri, 3, (5, 2), (5, 5), "bus");
    assert_eq!(codes(&client.diagnostics(&uri, Some(3))), ["listener-leak"]);

    client.notify(
        "textDocument/didClose",
        json!({ "textDocument": { "uri": uri } }),
    );
    assert_eq!(client.diagnostics(&uri, None), Vec::<Value>::new());
    assert!(client.shutdown().success());
}

#[test]
fn positions_are_utf16_code_units() {
    let (dir, uri) = workspace();
    let mut client = Client::initialized(dir.path(), push_caps(), Value::Null);
    // 😀 is two UTF-16 units (four bytes): the finding starts at character 18 on that line.
    let text = LEAKY.replace("  bus.on(", "  const s = '😀'; bus.on(");
    client.open(&uri, "javascript", &text);
    let diagnostics = client.diagnostics(&uri, Some(1));
    assert_eq!(start(&diagnostics[0]), (5, 18), "{diagnostics:#?}");
    // An incremental edit placed after the emoji in UTF-16 units: `bus` → `res`.
    client.change(&uri, 2, (5, 18), (5, 21), "res");
    assert_eq!(client.diagnostics(&uri, Some(2)), Vec::<Value>::new());
    assert!(client.shutdown().success());
}

#[test]
fn code_actions_disable_the_rule_for_the_line_or_the_file() {
    let (dir, uri) = workspace();
    let mut client = Client::initialized(dir.path(), push_caps(), Value::Null);
    client.open(&uri, "javascript", LEAKY);
    let diagnostics = client.diagnostics(&uri, Some(1));
    let response = client.code_actions(&uri, &diagnostics[0]["range"], json!(diagnostics));
    let actions = response["result"].as_array().unwrap();
    let titles: Vec<&str> = actions
        .iter()
        .map(|a| a["title"].as_str().unwrap())
        .collect();
    assert_eq!(
        titles,
        [
            "Disable listener-leak for this line",
            "Disable listener-leak for this file"
        ]
    );
    for action in actions {
        assert_eq!(action["kind"], "quickfix");
        assert_eq!(action["diagnostics"][0]["code"], "listener-leak");
    }
    let line_edit = actions[0]["edit"]["changes"][&uri].as_array().unwrap();
    let fixed = apply_edits(LEAKY, line_edit);
    assert!(
        fixed.contains("  // leaklint-disable-next-line listener-leak -- \n  bus.on('done'"),
        "{fixed}"
    );
    // The inserted directive suppresses the finding.
    client.change_all(&uri, 2, &fixed);
    assert_eq!(client.diagnostics(&uri, Some(2)), Vec::<Value>::new());

    let file_edit = actions[1]["edit"]["changes"][&uri].as_array().unwrap();
    let fixed = apply_edits(LEAKY, file_edit);
    assert!(
        fixed.starts_with("/* leaklint-disable listener-leak */\nconst express"),
        "{fixed}"
    );
    client.change_all(&uri, 3, &fixed);
    assert_eq!(client.diagnostics(&uri, Some(3)), Vec::<Value>::new());

    // Nothing where nothing is flagged, and nothing when only other kinds are asked for.
    let response = client.request(
        "textDocument/codeAction",
        json!({
            "textDocument": { "uri": uri },
            "range": { "start": { "line": 0, "character": 0 }, "end": { "line": 0, "character": 1 } },
            "context": { "diagnostics": [] },
        }),
    );
    assert_eq!(response["result"], json!([]));
    client.change_all(&uri, 4, LEAKY);
    client.diagnostics(&uri, Some(4));
    let response = client.request(
        "textDocument/codeAction",
        json!({
            "textDocument": { "uri": uri },
            "range": diagnostics[0]["range"],
            "context": { "diagnostics": [], "only": ["source.organizeImports"] },
        }),
    );
    assert_eq!(response["result"], json!([]));
    assert!(client.shutdown().success());
}

#[test]
fn directives_apply_and_misspelt_rule_names_get_a_fix() {
    let (dir, uri) = workspace();
    let mut client = Client::initialized(dir.path(), push_caps(), Value::Null);
    let text = LEAKY.replace(
        "  bus.on(",
        "  // leaklint-disable-next-line listner-leak -- migrating\n  bus.on(",
    );
    client.open(&uri, "javascript", &text);
    let diagnostics = client.diagnostics(&uri, Some(1));
    assert_eq!(
        codes(&diagnostics),
        ["leaklint/unknown-rule", "listener-leak"],
        "{diagnostics:#?}"
    );
    let unknown = &diagnostics[0];
    assert_eq!(unknown["severity"], 2);
    let response = client.code_actions(&uri, &unknown["range"], json!([unknown]));
    let action = &response["result"][0];
    assert_eq!(action["title"], "Change `listner-leak` to `listener-leak`");
    assert_eq!(action["isPreferred"], true);
    let fixed = apply_edits(&text, action["edit"]["changes"][&uri].as_array().unwrap());
    client.change_all(&uri, 2, &fixed);
    assert_eq!(client.diagnostics(&uri, Some(2)), Vec::<Value>::new());
    assert!(client.shutdown().success());
}

#[test]
fn unused_directives_are_reported_on_request_and_removed_by_a_fix() {
    let (dir, uri) = workspace();
    let options = json!({ "reportUnusedDisableDirectives": true });
    let mut client = Client::initialized(dir.path(), push_caps(), options);
    let text = "// leaklint-disable-next-line timer-leak\nconst x = 1;\n";
    client.open(&uri, "javascript", text);
    let diagnostics = client.diagnostics(&uri, Some(1));
    assert_eq!(codes(&diagnostics), ["leaklint/unused-directive"]);
    let response = client.code_actions(&uri, &diagnostics[0]["range"], json!(diagnostics));
    let action = &response["result"][0];
    assert_eq!(action["title"], "Remove the unused directive");
    let fixed = apply_edits(text, action["edit"]["changes"][&uri].as_array().unwrap());
    assert_eq!(fixed, "const x = 1;\n");

    // One unused name among several: only that name goes.
    let text = LEAKY.replace(
        "  bus.on(",
        "  // leaklint-disable-next-line timer-leak, listener-leak -- legacy\n  bus.on(",
    );
    client.change_all(&uri, 2, &text);
    let diagnostics = client.diagnostics(&uri, Some(2));
    assert_eq!(codes(&diagnostics), ["leaklint/unused-directive"]);
    let response = client.code_actions(&uri, &diagnostics[0]["range"], json!(diagnostics));
    let action = &response["result"][0];
    assert_eq!(action["title"], "Remove `timer-leak` from the directive");
    let fixed = apply_edits(&text, action["edit"]["changes"][&uri].as_array().unwrap());
    assert!(
        fixed.contains("  // leaklint-disable-next-line listener-leak -- legacy\n"),
        "{fixed}"
    );
    assert!(client.shutdown().success());
}

#[test]
fn hover_shows_the_rule_documentation() {
    let (dir, uri) = workspace();
    let mut client = Client::initialized(dir.path(), push_caps(), Value::Null);
    client.open(&uri, "javascript", LEAKY);
    client.diagnostics(&uri, Some(1));
    let response = client.request(
        "textDocument/hover",
        json!({ "textDocument": { "uri": uri }, "position": { "line": 5, "character": 4 } }),
    );
    let hover = &response["result"];
    assert_eq!(hover["contents"]["kind"], "markdown");
    assert_eq!(
        hover["contents"]["value"].as_str().unwrap(),
        explain("listener-leak").trim_end()
    );
    assert_eq!(
        hover["range"]["start"],
        json!({ "line": 5, "character": 2 })
    );
    // Off the flagged range: nothing.
    let response = client.request(
        "textDocument/hover",
        json!({ "textDocument": { "uri": uri }, "position": { "line": 0, "character": 1 } }),
    );
    assert_eq!(response["result"], Value::Null);
    assert!(client.shutdown().success());
}

#[test]
fn configuration_changes_relint_open_files_and_errors_are_reported() {
    let (dir, uri) = workspace();
    let mut client = Client::initialized(dir.path(), push_caps(), Value::Null);
    client.open(&uri, "javascript", LEAKY);
    assert_eq!(client.diagnostics(&uri, Some(1))[0]["severity"], 1);

    let config = dir.path().join("leaklint.toml");
    let config_uri = file_uri(&config);
    let changed = |client: &mut Client, kind: u8| {
        client.notify(
            "workspace/didChangeWatchedFiles",
            json!({ "changes": [{ "uri": config_uri, "type": kind }] }),
        );
    };
    std::fs::write(&config, "[rules]\nlistener-leak = \"warn\"\n").unwrap();
    changed(&mut client, 1);
    assert_eq!(client.diagnostics(&uri, Some(1))[0]["severity"], 2);

    // A broken configuration: a message, a diagnostic on the file, and the document says why
    // it is not linted. The server goes on.
    std::fs::write(&config, "[rules]\nlistner-leak = \"warn\"\n").unwrap();
    changed(&mut client, 2);
    let message = client.wait("window/showMessage", |m| {
        m["method"] == "window/showMessage"
    });
    assert_eq!(message["params"]["type"], 1);
    let text = message["params"]["message"].as_str().unwrap();
    assert!(
        text.contains("leaklint.toml:2:1") && text.contains("unknown rule `listner-leak`"),
        "{text}"
    );
    let on_config = client.diagnostics(&config_uri, None);
    assert_eq!(codes(&on_config), ["leaklint/config"]);
    assert_eq!(
        on_config[0]["range"],
        json!({ "start": { "line": 1, "character": 0 }, "end": { "line": 1, "character": 21 } })
    );
    let on_doc = client.diagnostics(&uri, Some(1));
    assert_eq!(codes(&on_doc), ["leaklint/config"]);
    assert!(
        on_doc[0]["message"]
            .as_str()
            .unwrap()
            .starts_with("not linted: invalid configuration")
    );
    assert_eq!(
        on_doc[0]["relatedInformation"][0]["location"]["uri"],
        config_uri.as_str()
    );

    // Fixed: the error goes away and the document is linted again.
    std::fs::write(&config, "[rules]\nlistener-leak = \"off\"\n").unwrap();
    changed(&mut client, 2);
    assert_eq!(client.diagnostics(&config_uri, None), Vec::<Value>::new());
    assert_eq!(client.diagnostics(&uri, Some(1)), Vec::<Value>::new());

    // Deleted: the defaults apply.
    std::fs::remove_file(&config).unwrap();
    changed(&mut client, 3);
    assert_eq!(codes(&client.diagnostics(&uri, Some(1))), ["listener-leak"]);
    assert!(client.shutdown().success());
}

#[test]
fn a_broken_configuration_at_startup_is_reported() {
    let (dir, uri) = workspace();
    std::fs::write(dir.path().join("leaklint.toml"), "rules = 3\n").unwrap();
    let mut client = Client::initialized(dir.path(), push_caps(), Value::Null);
    let message = client.wait("window/showMessage", |m| {
        m["method"] == "window/showMessage"
    });
    assert_eq!(message["params"]["type"], 1);
    let config_uri = file_uri(&dir.path().join("leaklint.toml"));
    assert_eq!(
        codes(&client.diagnostics(&config_uri, None)),
        ["leaklint/config"]
    );
    client.open(&uri, "javascript", LEAKY);
    assert_eq!(
        codes(&client.diagnostics(&uri, Some(1))),
        ["leaklint/config"]
    );
    // Shown once, not on every lint.
    client.change_all(&uri, 2, LEAKY);
    client.diagnostics(&uri, Some(2));
    assert!(
        client
            .maybe(Duration::from_millis(300), |m| m["method"]
                == "window/showMessage")
            .is_none()
    );
    assert!(client.shutdown().success());
}

#[test]
fn initialization_options_override_severities() {
    let (dir, uri) = workspace();
    std::fs::write(
        dir.path().join("leaklint.toml"),
        "[rules]\nlistener-leak = \"off\"\n",
    )
    .unwrap();
    let options = json!({ "rules": { "listener-leak": "warn", "no-such-rule": "error" } });
    let mut client = Client::initialized(dir.path(), push_caps(), options);
    // The bad entry is reported and ignored.
    let message = client.wait("window/showMessage", |m| {
        m["method"] == "window/showMessage"
    });
    assert_eq!(message["params"]["type"], 2);
    assert!(
        message["params"]["message"]
            .as_str()
            .unwrap()
            .contains("no-such-rule")
    );
    client.open(&uri, "javascript", LEAKY);
    let diagnostics = client.diagnostics(&uri, Some(1));
    assert_eq!(codes(&diagnostics), ["listener-leak"]);
    assert_eq!(diagnostics[0]["severity"], 2);

    // Settings meant for other servers are not ours: no warning, nothing re-linted.
    client.notify(
        "workspace/didChangeConfiguration",
        json!({ "settings": { "typescript": { "format": {} } } }),
    );
    assert!(
        client
            .maybe(Duration::from_millis(300), |m| m["method"]
                == "window/showMessage"
                || m["method"] == "textDocument/publishDiagnostics")
            .is_none()
    );
    // didChangeConfiguration replaces the settings.
    client.notify(
        "workspace/didChangeConfiguration",
        json!({ "settings": { "leaklint": { "rules": { "listener-leak": "off" } } } }),
    );
    assert_eq!(client.diagnostics(&uri, Some(1)), Vec::<Value>::new());
    assert!(client.shutdown().success());
}

#[test]
fn min_confidence_setting_hides_inferred_findings_and_medium_ones_say_so() {
    let (dir, uri) = workspace();
    // Line 3: a listener per request (proven, high). Line 6: an interval per instance of a
    // class whose instantiations are not seen (inferred, medium).
    let text = "const bus = require('./bus');
require('express')().get('/x', (req, res) => {
  bus.on('tick', () => res.write('t'));
});
class Poller {
  constructor() { this.timer = setInterval(() => this.poll(), 1000); }
  poll() {}
}
module.exports = Poller;
";
    let mut client = Client::initialized(dir.path(), push_caps(), json!({}));
    client.open(&uri, "javascript", text);
    let diagnostics = client.diagnostics(&uri, Some(1));
    assert_eq!(codes(&diagnostics), ["listener-leak", "timer-leak"]);
    assert_eq!(diagnostics[0]["data"]["confidence"], "high");
    assert_eq!(diagnostics[1]["data"]["confidence"], "medium");
    assert!(
        diagnostics[1]["message"]
            .as_str()
            .unwrap()
            .contains("(medium confidence: the repetition is inferred, not proven)"),
        "{diagnostics:?}"
    );
    client.notify(
        "workspace/didChangeConfiguration",
        json!({ "settings": { "leaklint": { "minConfidence": "high" } } }),
    );
    assert_eq!(codes(&client.diagnostics(&uri, Some(1))), ["listener-leak"]);
    assert!(client.shutdown().success());
}

#[test]
fn pull_diagnostics_when_the_client_supports_them() {
    let (dir, uri) = workspace();
    let mut client = Client::initialized(dir.path(), pull_caps(), Value::Null);
    client.open(&uri, "javascript", LEAKY);
    let pull = |client: &mut Client, previous: Option<&str>| {
        let mut params = json!({ "textDocument": { "uri": uri } });
        if let Some(previous) = previous {
            params["previousResultId"] = json!(previous);
        }
        client.request("textDocument/diagnostic", params)["result"].clone()
    };
    let report = pull(&mut client, None);
    assert_eq!(report["kind"], "full");
    assert_eq!(
        codes(report["items"].as_array().unwrap()),
        ["listener-leak"]
    );
    let id = report["resultId"].as_str().unwrap().to_owned();
    assert_eq!(
        pull(&mut client, Some(&id)),
        json!({ "kind": "unchanged", "resultId": id })
    );

    // An edit: the next pull waits for the lint of the new text.
    client.change(&uri, 2, (5, 2), (5, 5), "res");
    let report = pull(&mut client, Some(&id));
    assert_eq!(report["kind"], "full");
    assert_eq!(report["items"], json!([]));

    // A configuration change asks the client to pull again.
    std::fs::write(dir.path().join("leaklint.toml"), "[rules]\n").unwrap();
    client.notify(
        "workspace/didChangeWatchedFiles",
        json!({ "changes": [{ "uri": file_uri(&dir.path().join("leaklint.toml")), "type": 1 }] }),
    );
    client.wait("workspace/diagnostic/refresh", |m| {
        m["method"] == "workspace/diagnostic/refresh"
    });
    // Linted again: a new result id, so the client gets the full report.
    let previous = report["resultId"].as_str().unwrap().to_owned();
    let again = pull(&mut client, Some(&previous));
    assert_eq!(again["kind"], "full");
    assert_ne!(again["resultId"], report["resultId"]);
    // Nothing is pushed for documents to a pull client.
    let pushed = client.drain().into_iter().find(|m| {
        m["method"] == "textDocument/publishDiagnostics" && m["params"]["uri"] == uri.as_str()
    });
    assert!(pushed.is_none(), "{pushed:?}");
    assert!(client.shutdown().success());
}

#[test]
fn parse_errors_are_published_and_linting_goes_on() {
    let (dir, uri) = workspace();
    let mut client = Client::initialized(dir.path(), push_caps(), Value::Null);
    client.open(&uri, "javascript", LEAKY);
    client.diagnostics(&uri, Some(1));
    // Mid-edit: `bus.on(` with the rest of the line gone.
    client.change(&uri, 2, (5, 9), (5, 37), "");
    let diagnostics = client.diagnostics(&uri, Some(2));
    assert_eq!(
        codes(&diagnostics),
        ["leaklint/parse-error"],
        "{diagnostics:#?}"
    );
    assert_eq!(diagnostics[0]["severity"], 1);
    assert!(
        diagnostics[0]["message"]
            .as_str()
            .unwrap()
            .starts_with("parse error: ")
    );
    assert_eq!(
        diagnostics[0]["codeDescription"]["href"],
        "https://github.com/leaklint/leaklint/blob/main/README.md#exit-status"
    );
    client.change_all(&uri, 3, LEAKY);
    assert_eq!(codes(&client.diagnostics(&uri, Some(3))), ["listener-leak"]);
    assert!(client.shutdown().success());
}

#[test]
fn rapid_edits_publish_the_newest_version_last() {
    let (dir, uri) = workspace();
    let mut client = Client::initialized(dir.path(), push_caps(), Value::Null);
    client.open(&uri, "javascript", LEAKY);
    client.diagnostics(&uri, Some(1));
    // 60 edits without waiting, alternating between leaky and fixed; the last is leaky.
    let last = 61;
    for version in 2..=last {
        let word = if version % 2 == 0 { "res" } else { "bus" };
        client.change(&uri, version, (5, 2), (5, 5), word);
    }
    let final_diagnostics = client.diagnostics(&uri, Some(last));
    assert_eq!(codes(&final_diagnostics), ["listener-leak"]);
    let published: Vec<Value> = client
        .drain()
        .into_iter()
        .filter(|m| m["method"] == "textDocument/publishDiagnostics")
        .collect();
    let versions: Vec<i64> = published
        .iter()
        .map(|m| m["params"]["version"].as_i64().unwrap())
        .collect();
    // Every result published was right for its version, in order, and none came after the last.
    assert!(versions.windows(2).all(|w| w[0] < w[1]), "{versions:?}");
    for m in &published {
        let version = m["params"]["version"].as_i64().unwrap();
        let count = m["params"]["diagnostics"].as_array().unwrap().len();
        assert_eq!(count, usize::from(version % 2 == 1), "version {version}");
    }
    assert!(
        client
            .maybe(Duration::from_millis(300), |m| m["method"]
                == "textDocument/publishDiagnostics")
            .is_none()
    );
    eprintln!(
        "{} edits, {} lints published before the last",
        last - 1,
        versions.len()
    );
    assert!(client.shutdown().success());
}

#[test]
fn debounce_waits_for_a_pause_and_cancel_answers_waiting_requests() {
    let (dir, uri) = workspace();
    let mut client = Client::initialized(dir.path(), push_caps(), json!({ "debounceMs": 400 }));
    client.open(&uri, "javascript", LEAKY);
    client.diagnostics(&uri, Some(1));
    for version in 2..=7 {
        let word = if version % 2 == 0 { "res" } else { "bus" };
        client.change(&uri, version, (5, 2), (5, 5), word);
    }
    // A request that needs the lint waits for it; cancelled, it is answered at once.
    let id = client.send_request(
        "textDocument/hover",
        json!({ "textDocument": { "uri": uri }, "position": { "line": 5, "character": 4 } }),
    );
    client.notify("$/cancelRequest", json!({ "id": id }));
    let response = client.response(id);
    assert_eq!(response["error"]["code"], -32800, "{response}");
    // One lint after the pause, for the last version.
    assert_eq!(codes(&client.diagnostics(&uri, Some(7))), ["listener-leak"]);
    let earlier = client
        .drain()
        .into_iter()
        .filter(|m| m["method"] == "textDocument/publishDiagnostics")
        .count();
    assert_eq!(earlier, 0);
    assert!(client.shutdown().success());
}

#[test]
fn on_save_mode_lints_when_saved() {
    let (dir, uri) = workspace();
    let mut client = Client::initialized(dir.path(), push_caps(), json!({ "run": "onSave" }));
    client.open(&uri, "javascript", LEAKY);
    assert_eq!(codes(&client.diagnostics(&uri, Some(1))), ["listener-leak"]);
    client.change(&uri, 2, (5, 2), (5, 5), "res");
    assert!(
        client
            .maybe(Duration::from_millis(300), |m| m["method"]
                == "textDocument/publishDiagnostics")
            .is_none()
    );
    client.notify(
        "textDocument/didSave",
        json!({ "textDocument": { "uri": uri } }),
    );
    assert_eq!(client.diagnostics(&uri, Some(2)), Vec::<Value>::new());
    assert!(client.shutdown().success());
}

#[test]
fn documents_without_a_file_and_files_that_are_not_linted() {
    let dir = tempdir();
    let mut client = Client::initialized(dir.path(), push_caps(), Value::Null);
    // An untitled buffer: the language id picks the syntax.
    client.open("untitled:Untitled-1", "typescript", LEAKY);
    assert_eq!(
        codes(&client.diagnostics("untitled:Untitled-1", Some(1))),
        ["listener-leak"]
    );
    // Declaration files, other languages and ignored files get nothing.
    write(dir.path(), "leaklint.toml", "ignore = [\"dist/\"]\n");
    let ignored = file_uri(&dir.path().join("dist/app.js"));
    client.open(&ignored, "javascript", LEAKY);
    assert_eq!(client.diagnostics(&ignored, Some(1)), Vec::<Value>::new());
    let dts = file_uri(&dir.path().join("types.d.ts"));
    client.open(&dts, "typescript", LEAKY);
    let md = file_uri(&dir.path().join("notes.md"));
    client.open(&md, "markdown", "# notes\n");
    let response = client.request(
        "textDocument/hover",
        json!({ "textDocument": { "uri": dts }, "position": { "line": 5, "character": 4 } }),
    );
    assert_eq!(response["result"], Value::Null);
    let pushed = client.drain().into_iter().find(|m| {
        m["method"] == "textDocument/publishDiagnostics"
            && (m["params"]["uri"] == dts.as_str() || m["params"]["uri"] == md.as_str())
    });
    assert!(pushed.is_none(), "{pushed:?}");
    assert!(client.shutdown().success());
}

#[test]
fn malformed_input_and_unknown_methods_get_error_responses() {
    let (dir, uri) = workspace();
    let mut client = Client::start(dir.path());
    // Before initialize.
    let response = client.request("textDocument/hover", json!({}));
    assert_eq!(response["error"]["code"], -32002);
    client.initialize(dir.path(), push_caps(), Value::Null);

    let error_with_id = |client: &mut Client, id: Value| {
        client.wait("an error response", |m| {
            m.get("error").is_some() && m["id"] == id
        })["error"]["code"]
            .as_i64()
            .unwrap()
    };
    client.send_raw(b"Content-Length: 9\r\n\r\n{not json");
    assert_eq!(error_with_id(&mut client, Value::Null), -32700);
    client.send(&json!({ "jsonrpc": "2.0", "id": 50, "method": 7 }));
    assert_eq!(error_with_id(&mut client, json!(50)), -32600);
    client.send(&json!([1, 2, 3]));
    assert_eq!(error_with_id(&mut client, Value::Null), -32600);
    client.send_raw(b"this is not a header\r\n");
    assert_eq!(error_with_id(&mut client, Value::Null), -32700);

    let response = client.request("textDocument/definition", json!({}));
    assert_eq!(response["error"]["code"], -32601);
    client.notify("$/unknownNotification", json!({}));
    client.notify("textDocument/didChange", json!({ "nonsense": true }));
    client.notify(
        "textDocument/didChange",
        json!({ "textDocument": { "uri": uri, "version": 2 }, "contentChanges": [{ "text": "x" }] }),
    );
    // Requests on documents that are not open, and bad parameters.
    let response = client.request(
        "textDocument/hover",
        json!({ "textDocument": { "uri": uri }, "position": { "line": 0, "character": 0 } }),
    );
    assert_eq!(response["error"]["code"], -32602);
    let response = client.request("textDocument/codeAction", json!({ "textDocument": 5 }));
    assert_eq!(response["error"]["code"], -32602);
    let response = client.request("initialize", json!({ "capabilities": {} }));
    assert_eq!(response["error"]["code"], -32600);

    // Still serving.
    client.open(&uri, "javascript", LEAKY);
    assert_eq!(codes(&client.diagnostics(&uri, Some(1))), ["listener-leak"]);

    let response = client.request("shutdown", Value::Null);
    assert_eq!(response["result"], Value::Null);
    let response = client.request("textDocument/hover", json!({}));
    assert_eq!(response["error"]["code"], -32600);
    client.notify("exit", Value::Null);
    assert_eq!(client.wait_exit().code(), Some(0));
}

#[test]
fn exit_without_shutdown_and_a_vanished_client() {
    let dir = tempdir();
    let mut client = Client::initialized(dir.path(), push_caps(), Value::Null);
    client.notify("exit", Value::Null);
    assert_eq!(client.wait_exit().code(), Some(1));

    // The client goes away mid-session (its end of the pipe closes): the server ends.
    let (dir, uri) = workspace();
    let mut client = Client::initialized(dir.path(), push_caps(), Value::Null);
    client.open(&uri, "javascript", LEAKY);
    client.close_stdin();
    assert_eq!(client.wait_exit().code(), Some(1));

    // ... also in the middle of a message.
    let mut client = Client::initialized(dir.path(), push_caps(), Value::Null);
    client.send_raw(b"Content-Length: 500\r\n\r\n{\"jsonrpc\"");
    client.close_stdin();
    assert_eq!(client.wait_exit().code(), Some(1));
}

/// A 5 MB file: it is linted (the leak at its end is found), and the server answers other
/// requests meanwhile. (With no time budget: a debug build, as `cargo test` makes, on a loaded
/// machine can take longer than the default 10 s on it.)
#[test]
fn a_five_megabyte_file() {
    let (dir, uri) = workspace();
    std::fs::write(dir.path().join("leaklint.toml"), "file_budget = 0\n").unwrap();
    let mut text = String::from("const handlers = [];\n");
    let mut i = 0;
    while text.len() < 5 * 1024 * 1024 {
        text.push_str(&format!(
            "handlers.push(function h{i}(a, b) {{ const s = 'x{i}'; return a + b + s.length * {i}; }});\n"
        ));
        i += 1;
    }
    text.push_str(LEAKY);
    let mut client = Client::initialized(dir.path(), push_caps(), Value::Null);
    client.open(&uri, "javascript", &text);
    let other = file_uri(&dir.path().join("src/other.js"));
    client.open(&other, "javascript", CLEAN);
    let response = client.request("textDocument/definition", json!({}));
    assert_eq!(response["error"]["code"], -32601);
    let diagnostics = client.diagnostics(&uri, Some(1));
    assert_eq!(codes(&diagnostics), ["listener-leak"]);
    assert_eq!(start(&diagnostics[0]).0 as usize, text.lines().count() - 2);
    assert_eq!(client.diagnostics(&other, Some(1)), Vec::<Value>::new());
    assert!(client.shutdown().success());
}

#[test]
fn crlf_files_get_crlf_directives() {
    let (dir, uri) = workspace();
    let text = LEAKY.replace('\n', "\r\n");
    let mut client = Client::initialized(dir.path(), push_caps(), Value::Null);
    client.open(&uri, "javascript", &text);
    let diagnostics = client.diagnostics(&uri, Some(1));
    assert_eq!(start(&diagnostics[0]), (5, 2));
    let response = client.request(
        "textDocument/codeAction",
        json!({ "textDocument": { "uri": uri }, "range": diagnostics[0]["range"], "context": { "diagnostics": [] } }),
    );
    let edit = response["result"][0]["edit"]["changes"][&uri]
        .as_array()
        .unwrap()
        .clone();
    let fixed = apply_edits(&text, &edit);
    assert!(
        fixed.contains("  // leaklint-disable-next-line listener-leak -- \r\n  bus.on"),
        "{fixed:?}"
    );
    assert!(client.shutdown().success());
}

#[test]
fn without_file_watching_configuration_edits_apply_at_the_next_lint() {
    let (dir, uri) = workspace();
    // push_caps() cannot watch files.
    let mut client = Client::initialized(dir.path(), push_caps(), Value::Null);
    client.open(&uri, "javascript", LEAKY);
    assert_eq!(client.diagnostics(&uri, Some(1))[0]["severity"], 1);
    let config = dir.path().join("leaklint.toml");
    std::fs::write(&config, "[rules]\nlistener-leak = \"warn\"\n").unwrap();
    client.change_all(&uri, 2, LEAKY);
    assert_eq!(client.diagnostics(&uri, Some(2))[0]["severity"], 2);
    std::fs::write(&config, "[rules]\nlistener-leak = 3\n").unwrap();
    client.change_all(&uri, 3, LEAKY);
    assert_eq!(
        codes(&client.diagnostics(&uri, Some(3))),
        ["leaklint/config"]
    );
    let config_uri = file_uri(&config);
    assert_eq!(
        codes(&client.diagnostics(&config_uri, None)),
        ["leaklint/config"]
    );
    std::fs::write(&config, "[rules]\n").unwrap();
    client.change_all(&uri, 4, LEAKY);
    assert_eq!(client.diagnostics(&config_uri, None), Vec::<Value>::new());
    assert_eq!(codes(&client.diagnostics(&uri, Some(4))), ["listener-leak"]);
    assert!(client.shutdown().success());
}

const CONTROLLER: &str = "\
const express = require('express');
const { fetchPrice } = require('../services/prices');

const app = express();

app.get('/price/:sku', async (req, res) => {
  res.json(await fetchPrice(`https://prices.example.invalid/${req.params.sku}`));
});

app.listen(3000);
";
// Forwards its argument to `fetch` with no deadline of its own: the caller must give one.
const UNTIMED: &str = "\
exports.fetchPrice = async function fetchPrice(url) {
  const response = await fetch(url);
  return response.json();
};
";
// A deadline of its own: its callers are fine as they are.
const TIMED: &str = "\
exports.fetchPrice = async function fetchPrice(url) {
  const response = await fetch(url, { signal: AbortSignal.timeout(5000) });
  return response.json();
};
";

/// Whole-project facts in the editor. The index is built at `initialize` in the background,
/// with `$/progress` (the client says it can show progress); then an unsaved edit of a service
/// file changes the diagnostics of the open controller that calls it, and closing the service
/// without saving brings back the text on disk.
#[test]
fn editing_a_service_changes_the_diagnostics_of_the_open_controller() {
    let dir = tempdir();
    write(dir.path(), "package.json", "{ \"name\": \"shop\" }\n");
    write(dir.path(), "controllers/prices.js", CONTROLLER);
    write(dir.path(), "services/prices.js", UNTIMED);
    let controller = file_uri(&dir.path().join("controllers/prices.js"));
    let service = file_uri(&dir.path().join("services/prices.js"));

    let mut caps = push_caps();
    caps["window"] = json!({ "workDoneProgress": true });
    let mut client = Client::initialized(dir.path(), caps, Value::Null);
    let create = client.wait("window/workDoneProgress/create", |m| {
        m["method"] == "window/workDoneProgress/create"
    });
    let token = create["params"]["token"].clone();
    let progress = |kind: &'static str| {
        let token = token.clone();
        move |m: &Value| {
            m["method"] == "$/progress"
                && m["params"]["token"] == token
                && m["params"]["value"]["kind"] == kind
        }
    };
    let begin = client.wait("$/progress begin", progress("begin"));
    assert!(
        begin["params"]["value"]["title"]
            .as_str()
            .unwrap()
            .contains("leaklint"),
        "{begin}"
    );
    let end = client.wait("$/progress end", progress("end"));
    assert_eq!(end["params"]["value"]["message"], "2 files", "{end}");

    let publish_for = |uri: &str, want_findings: bool| {
        let uri = uri.to_string();
        move |m: &Value| {
            m["method"] == "textDocument/publishDiagnostics"
                && m["params"]["uri"] == uri.as_str()
                && m["params"]["diagnostics"]
                    .as_array()
                    .is_some_and(|d| d.is_empty() != want_findings)
        }
    };

    // The controller's call goes through a wrapper without a deadline in another file.
    client.open(&controller, "javascript", CONTROLLER);
    let diagnostics = client.diagnostics(&controller, Some(1));
    assert_eq!(codes(&diagnostics), ["untimed-promise"], "{diagnostics:#?}");
    let related = diagnostics[0]["relatedInformation"]
        .as_array()
        .expect("related information");
    let step = related
        .iter()
        .find(|r| r["location"]["uri"] == service.as_str())
        .unwrap_or_else(|| panic!("a step in the service file: {related:#?}"));
    assert_eq!(step["location"]["range"]["start"]["line"], 0, "{step}");
    assert_eq!(step["message"], "forwards to `fetch` without a deadline");

    // An unsaved edit gives the service a deadline of its own: the controller is clean.
    client.open(&service, "javascript", UNTIMED);
    client.change_all(&service, 2, TIMED);
    client.wait(
        "the controller without findings",
        publish_for(&controller, false),
    );

    // And back.
    client.change_all(&service, 3, UNTIMED);
    let again = client.wait(
        "the controller's finding again",
        publish_for(&controller, true),
    );
    assert_eq!(
        codes(again["params"]["diagnostics"].as_array().unwrap()),
        ["untimed-promise"]
    );

    // Closed without saving: the file on disk (no deadline) counts again.
    client.change_all(&service, 4, TIMED);
    client.wait(
        "the controller without findings",
        publish_for(&controller, false),
    );
    client.notify(
        "textDocument/didClose",
        json!({ "textDocument": { "uri": service } }),
    );
    client.wait(
        "the controller's finding after close",
        publish_for(&controller, true),
    );
    assert!(client.shutdown().success());
}

/// A client with progress and file watching whose project index is built (it waits for the
/// index's `$/progress` end).
fn indexed_client(dir: &std::path::Path) -> Client {
    let mut caps = push_caps();
    caps["window"] = json!({ "workDoneProgress": true });
    caps["workspace"]["didChangeWatchedFiles"] = json!({ "dynamicRegistration": true });
    let mut client = Client::initialized(dir, caps, Value::Null);
    client.wait("$/progress end", |m| {
        m["method"] == "$/progress" && m["params"]["value"]["kind"] == "end"
    });
    client
}

/// Files changed outside the editor (a `git checkout`, a formatter, a generator) reach the
/// project index through the client's file watcher: the server asks to watch sources, a
/// service rewritten on disk changes the open controller's diagnostics, a service created on
/// disk joins the index, and a deleted one leaves it. A file the command line's walk would not
/// lint (here ignored by `.gitignore`) does not join it.
#[test]
fn sources_changed_on_disk_update_the_project_index() {
    let dir = tempdir();
    write(dir.path(), "package.json", "{ \"name\": \"shop\" }\n");
    write(dir.path(), ".gitignore", "generated/\n");
    write(dir.path(), "controllers/prices.js", CONTROLLER);
    write(dir.path(), "services/prices.js", UNTIMED);
    let controller = file_uri(&dir.path().join("controllers/prices.js"));
    let service_path = dir.path().join("services/prices.js");
    let service = file_uri(&service_path);

    let mut client = indexed_client(dir.path());
    let register = client.wait("client/registerCapability", |m| {
        m["method"] == "client/registerCapability"
    });
    let watchers = &register["params"]["registrations"][0]["registerOptions"]["watchers"];
    assert_eq!(
        watchers[1]["globPattern"], "**/*.{js,mjs,cjs,jsx,ts,mts,cts,tsx}",
        "{register}"
    );
    let publish_for = |uri: &str, want_findings: bool| {
        let uri = uri.to_string();
        move |m: &Value| {
            m["method"] == "textDocument/publishDiagnostics"
                && m["params"]["uri"] == uri.as_str()
                && m["params"]["diagnostics"]
                    .as_array()
                    .is_some_and(|d| d.is_empty() != want_findings)
        }
    };
    let changed = |client: &mut Client, uri: &str, kind: u8| {
        client.notify(
            "workspace/didChangeWatchedFiles",
            json!({ "changes": [{ "uri": uri, "type": kind }] }),
        );
    };

    client.open(&controller, "javascript", CONTROLLER);
    assert_eq!(
        codes(&client.diagnostics(&controller, Some(1))),
        ["untimed-promise"]
    );

    // Rewritten on disk (type 2, Changed) with a deadline of its own: the controller is clean.
    std::fs::write(&service_path, TIMED).unwrap();
    changed(&mut client, &service, 2);
    client.wait("the controller clean", publish_for(&controller, false));

    // Deleted (type 3): the import resolves to nothing, so the controller stays clean; written
    // again without a deadline and reported as Created (type 1): the finding is back.
    std::fs::remove_file(&service_path).unwrap();
    changed(&mut client, &service, 3);
    std::fs::write(&service_path, UNTIMED).unwrap();
    changed(&mut client, &service, 1);
    let again = client.wait("the finding again", publish_for(&controller, true));
    assert_eq!(
        codes(again["params"]["diagnostics"].as_array().unwrap()),
        ["untimed-promise"]
    );

    // A controller that calls a helper in an ignored folder: the helper, created on disk, does
    // not join the index, as `leaklint .` would not read it; the one in `services/` does.
    const RATES: &str = "\
const express = require('express');
const { fetchRate } = require('../generated/rates');
const { fetchPrice } = require('../services/rates');

const app = express();

app.get('/rate/:sku', async (req, res) => {
  res.json(await fetchRate(req.params.sku));
});

app.get('/price/:sku', async (req, res) => {
  res.json(await fetchPrice(`https://prices.example.invalid/${req.params.sku}`));
});

app.listen(3000);
";
    let rates = file_uri(&dir.path().join("controllers/rates.js"));
    write(dir.path(), "controllers/rates.js", RATES);
    client.open(&rates, "javascript", RATES);
    assert_eq!(client.diagnostics(&rates, Some(1)), Vec::<Value>::new());
    let generated = dir.path().join("generated/rates.js");
    write(
        dir.path(),
        "generated/rates.js",
        UNTIMED.replace("fetchPrice", "fetchRate"),
    );
    changed(&mut client, &file_uri(&generated), 1);
    write(dir.path(), "services/rates.js", UNTIMED);
    changed(
        &mut client,
        &file_uri(&dir.path().join("services/rates.js")),
        1,
    );
    let found = client.wait("the rates controller's finding", publish_for(&rates, true));
    let diagnostics = found["params"]["diagnostics"].as_array().unwrap();
    assert_eq!(codes(diagnostics), ["untimed-promise"], "{diagnostics:#?}");
    assert_eq!(
        start(&diagnostics[0]).0,
        11,
        "the /price route only: {diagnostics:#?}"
    );

    // A checkout-sized change (more than 64 files at once) reads the whole project again,
    // with progress: the four sources above and the 65 new ones (not the ignored one).
    let changes: Vec<Value> = (0..65)
        .map(|i| {
            let name = format!("lib/part{i}.js");
            write(dir.path(), &name, "module.exports = {};\n");
            json!({ "uri": file_uri(&dir.path().join(&name)), "type": 1 })
        })
        .collect();
    client.notify(
        "workspace/didChangeWatchedFiles",
        json!({ "changes": changes }),
    );
    let end = client.wait("the rebuilt index's progress end", |m| {
        m["method"] == "$/progress" && m["params"]["value"]["kind"] == "end"
    });
    assert_eq!(end["params"]["value"]["message"], "69 files", "{end}");
    assert!(client.shutdown().success());
}

/// A client that cannot show progress is not asked to create a token, and without a workspace
/// folder there is no index: each file is linted alone, as before.
#[test]
fn no_progress_requests_for_clients_without_progress() {
    let (dir, uri) = workspace();
    let mut client = Client::initialized(dir.path(), push_caps(), Value::Null);
    client.open(&uri, "javascript", LEAKY);
    assert!(!client.diagnostics(&uri, Some(1)).is_empty());
    let requests: Vec<Value> = client
        .drain()
        .into_iter()
        .filter(|m| m["method"] == "window/workDoneProgress/create" || m["method"] == "$/progress")
        .collect();
    assert!(requests.is_empty(), "{requests:#?}");
    assert!(client.shutdown().success());
}

/// The project index at `initialize` follows a chain through files with nothing of their own
/// for the rules (a controller and a helper between the route and the service): they are
/// summarised on demand, as on the command line, so the service's growth is per request.
#[test]
fn the_project_index_follows_chains_through_plain_modules() {
    let dir = tempdir();
    let fixture = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fixtures/projects/plain-middle-layer");
    for rel in [
        "package.json",
        "server.js",
        "controllers/orders.js",
        "lib/quoting.js",
        "lib/format.js",
        "lib/boot.js",
        "services/pricing.js",
    ] {
        write(
            dir.path(),
            rel,
            std::fs::read_to_string(fixture.join(rel)).expect("fixture file"),
        );
    }
    let service_path = dir.path().join("services/pricing.js");
    let service = file_uri(&service_path);
    let mut client = indexed_client(dir.path());
    let text = std::fs::read_to_string(&service_path).unwrap();
    client.open(&service, "javascript", &text);
    let diagnostics = client.diagnostics(&service, Some(1));
    assert_eq!(codes(&diagnostics), ["unbounded-cache"], "{diagnostics:#?}");
    assert_eq!(
        diagnostics[0]["range"]["start"]["line"], 7,
        "{diagnostics:#?}"
    );
    let related: Vec<String> = diagnostics[0]["relatedInformation"]
        .as_array()
        .expect("related information")
        .iter()
        .map(|r| r["location"]["uri"].as_str().unwrap().to_string())
        .collect();
    for step in ["lib/quoting.js", "controllers/orders.js", "server.js"] {
        assert!(
            related.iter().any(|uri| uri.ends_with(step)),
            "a step in {step}: {related:#?}"
        );
    }
    assert!(client.shutdown().success());
}

/// A collection made at module scope in one file and grown per connection in another: the
/// editor shows the finding where it grows, with the line that makes it in the other file;
/// collections cleaned in a third file, in their own, or through a helper stay clean.
#[test]
fn the_project_index_knows_collections_shared_between_files() {
    let dir = tempdir();
    let fixture =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/projects/shared-store");
    for rel in [
        "package.json",
        "server.js",
        "store.js",
        "presence.js",
        "helpers.js",
    ] {
        write(
            dir.path(),
            rel,
            std::fs::read_to_string(fixture.join(rel)).expect("fixture file"),
        );
    }
    let server_path = dir.path().join("server.js");
    let server = file_uri(&server_path);
    let mut client = indexed_client(dir.path());
    let text = std::fs::read_to_string(&server_path).unwrap();
    client.open(&server, "javascript", &text);
    let diagnostics = client.diagnostics(&server, Some(1));
    assert_eq!(
        codes(&diagnostics),
        ["unbounded-cache", "unbounded-cache"],
        "{diagnostics:#?}"
    );
    let lines: Vec<u64> = diagnostics
        .iter()
        .map(|d| d["range"]["start"]["line"].as_u64().unwrap())
        .collect();
    // `sessions.set(...)` and `visits.push(...)` (0-based lines).
    assert_eq!(lines, [11, 16], "{diagnostics:#?}");
    for d in &diagnostics {
        let related: Vec<&str> = d["relatedInformation"]
            .as_array()
            .expect("related information")
            .iter()
            .map(|r| r["location"]["uri"].as_str().unwrap())
            .collect();
        assert!(
            related.iter().any(|uri| uri.ends_with("store.js")),
            "the collection's line in store.js: {related:#?}"
        );
    }
    assert!(client.shutdown().success());
}
