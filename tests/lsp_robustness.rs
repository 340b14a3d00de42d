//! `leaklint lsp` against hostile input: broken framing written back to back, ids that do not
//! survive a round trip, and documents the parser cannot take. The real binary over stdio.

mod cli_support;
mod lsp_support;

use lsp_support::{Client, push_caps};
use serde_json::{Value, json};

fn tempdir() -> tempfile::TempDir {
    tempfile::Builder::new()
        .prefix("lsp-robust-")
        .tempdir_in(env!("CARGO_TARGET_TMPDIR"))
        .expect("tempdir")
}

fn frame(body: &Value) -> Vec<u8> {
    let body = serde_json::to_vec(body).unwrap();
    let mut out = format!("Content-Length: {}\r\n\r\n", body.len()).into_bytes();
    out.extend(body);
    out
}

fn raw_frame(body: &[u8]) -> Vec<u8> {
    let mut out = format!("Content-Length: {}\r\n\r\n", body.len()).into_bytes();
    out.extend(body);
    out
}

fn request(id: i64, method: &str) -> Value {
    json!({ "jsonrpc": "2.0", "id": id, "method": method, "params": null })
}

/// After each kind of broken frame, the frames the client writes right behind it (in the same
/// write, no pause) are all answered, `shutdown` included.
#[test]
fn the_server_finds_the_frames_again_after_a_broken_one() {
    let body = serde_json::to_string(&request(90, "textDocument/definition")).unwrap();
    let broken = [
        format!("Content-Length: abc\r\n\r\n{body}"),
        format!("Content-Length: 7\r\n\r\n{body}"),
        format!("Content-Length: {}\r\n\r\n{body}", body.len() + 20),
        format!("a line without a colon\r\n\r\n{body}"),
    ];
    for bad in broken {
        let dir = tempdir();
        let mut client = Client::initialized(dir.path(), push_caps(), Value::Null);
        let mut bytes = bad.clone().into_bytes();
        // A length too large swallows the start of the first frame behind it; the later
        // ones must all be answered.
        bytes.extend(frame(&request(100, "textDocument/definition")));
        bytes.extend(frame(&request(101, "textDocument/definition")));
        bytes.extend(frame(&request(102, "shutdown")));
        client.send_raw(&bytes);
        let definition = client.response(101);
        assert_eq!(definition["error"]["code"], -32601, "{bad:?}: {definition}");
        let shutdown = client.response(102);
        assert_eq!(shutdown["result"], Value::Null, "{bad:?}: {shutdown}");
        let parse_error = client.wait("the parse error", |m| m["error"]["code"] == -32700);
        assert_eq!(parse_error["id"], Value::Null);
        client.notify("exit", Value::Null);
        assert_eq!(client.wait_exit().code(), Some(0), "{bad:?}");
    }
}

/// An id is echoed exactly as sent, or refused: 2^64 would come back as a float.
#[test]
fn an_id_beyond_64_bits_is_refused_not_rewritten() {
    let dir = tempdir();
    let mut client = Client::initialized(dir.path(), push_caps(), Value::Null);
    client.send_raw(&raw_frame(
        b"{\"jsonrpc\":\"2.0\",\"id\":18446744073709551616,\"method\":\"shutdown\",\"params\":null}",
    ));
    let refused = client.wait("the refusal", |m| m.get("error").is_some());
    assert_eq!(refused["id"], Value::Null, "{refused}");
    assert_eq!(refused["error"]["code"], -32600);
    // The largest 64-bit id comes back as the same digits.
    let raw = b"{\"jsonrpc\":\"2.0\",\"id\":18446744073709551615,\"method\":\"textDocument/definition\",\"params\":null}";
    client.send_raw(&raw_frame(raw));
    let answer = client.wait("the answer", |m| m.get("error").is_some());
    assert_eq!(answer["id"].to_string(), "18446744073709551615");
    assert!(client.shutdown().success());
}

/// A document the parser cannot take (85,000 nested arrows crashed the server in `didOpen`):
/// a diagnostic says why, and the server goes on serving other documents.
#[test]
fn a_pathological_document_gets_a_diagnostic_and_the_server_lives_on() {
    let dir = tempdir();
    cli_support::write(dir.path(), "src/app.js", cli_support::LEAKY);
    let deep = lsp_support::file_uri(&dir.path().join("src/deep.js"));
    let app = lsp_support::file_uri(&dir.path().join("src/app.js"));
    let mut client = Client::initialized(dir.path(), push_caps(), Value::Null);
    client.open(
        &deep,
        "javascript",
        &format!("f = {}1;\n", "() => ".repeat(85_000)),
    );
    let diagnostics = client.diagnostics(&deep, Some(1));
    assert_eq!(diagnostics.len(), 1, "{diagnostics:?}");
    let message = diagnostics[0]["message"].as_str().unwrap();
    assert!(
        message.contains("not analysed: arrow functions nest more than"),
        "{message}"
    );
    client.open(&app, "javascript", cli_support::LEAKY);
    let diagnostics = client.diagnostics(&app, Some(1));
    assert_eq!(diagnostics[0]["code"], "listener-leak", "{diagnostics:?}");
    assert!(client.shutdown().success());
}

/// A document within every limit that is still slow (swc is quadratic in each run of
/// TypeScript type assertions; this is 100 runs at the limit, seconds of work): it gets a
/// diagnostic that it was not analysed once its time budget (`file_budget` in leaklint.toml)
/// runs out, and the server goes on serving: the next document is linted while the slow one's
/// thread still runs.
#[test]
fn a_slow_document_is_given_up_on_after_its_budget_and_the_server_lives_on() {
    let dir = tempdir();
    cli_support::write(dir.path(), "leaklint.toml", "file_budget = 0.5\n");
    cli_support::write(dir.path(), "src/app.js", cli_support::LEAKY);
    let slow = lsp_support::file_uri(&dir.path().join("src/slow.ts"));
    let app = lsp_support::file_uri(&dir.path().join("src/app.js"));
    let run = format!(
        "x = {}a;\n",
        "<T>".repeat(leaklint_rules::limits::MAX_TYPE_ASSERTIONS)
    );
    let mut client = Client::initialized(dir.path(), push_caps(), Value::Null);
    let started = std::time::Instant::now();
    client.open(&slow, "typescript", &run.repeat(100));
    let diagnostics = client.diagnostics(&slow, Some(1));
    assert_eq!(diagnostics.len(), 1, "{diagnostics:?}");
    let message = diagnostics[0]["message"].as_str().unwrap();
    assert!(
        message.contains(
            "not analysed: linting this file took longer than the per-file budget of 0.5 s \
             (it was parsing)"
        ),
        "{message}"
    );
    assert_eq!(
        diagnostics[0]["range"]["start"],
        json!({"line": 0, "character": 0})
    );
    client.open(&app, "javascript", cli_support::LEAKY);
    let diagnostics = client.diagnostics(&app, Some(1));
    assert_eq!(diagnostics[0]["code"], "listener-leak", "{diagnostics:?}");
    // Far less than the slow document takes (8 s in a release build, more in a debug one):
    // neither answer waited for it.
    let elapsed = started.elapsed();
    assert!(elapsed.as_secs_f64() < 6.0, "{elapsed:?}");
    assert!(client.shutdown().success());
}
