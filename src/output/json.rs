//! The JSON report (`--format json`). Version 1 of the schema:
//!
//! ```text
//! {
//!   "version": 1,                       // bumped on any incompatible change
//!   "tool": { "name": "leaklint", "version": "0.1.0" },
//!   "files": [                          // every linted file, sorted by path
//!     {
//!       "path": "src/app.js",           // relative to the working directory when below it,
//!                                       // "/"-separated; "<stdin>" or --stdin-filename
//!       "findings": [                   // sorted by position, then rule id
//!         {
//!           "rule": "listener-leak",    // a rule id, or a leaklint/… id (see below)
//!           "severity": "error",        // "error" | "warning", after configuration
//!           "confidence": "high",       // "high" | "medium" (how sure the rule is: see
//!                                       // --min-confidence); null for leaklint/… problems
//!           "message": "…",
//!           "help": "…",                // string | null
//!           "start": { "line": 6, "column": 3 },   // 1-based line, 1-based UTF-16 column
//!           "end":   { "line": 6, "column": 38 },  // exclusive end
//!           "labels": [                 // related locations (declaration, registration, …)
//!             { "message": "…", "start": {…}, "end": {…} }
//!           ],
//!           "chain": [                  // only when the finding rests on facts from other
//!                                       // files (whole-project analysis), in reading order
//!             {
//!               "kind": "registered",   // subject | called-from | registered | repeats |
//!                                       // single-instance | forwards-to |
//!                                       // client-created | collection-created
//!                                       // (see below)
//!               "frequency": "per-request",  // registered, repeats: per-request |
//!                                       // per-connection | per-message | per-tick; else null
//!               "message": "registered as a request handler by `router.get('/x', ...)`",
//!               "path": "routes/index.js",   // as files' "path" above
//!               "line": 6, "column": 1, // 1-based; UTF-16 column
//!               "code": "router.get('/x', ...)",  // what the step names (function, call,
//!                                       // class, client); "" for an anonymous function
//!               "source": "router.get('/x', getPrice);"  // that line's text (at most 160
//!                                       // bytes, no trailing whitespace)
//!             }
//!           ],
//!           "signature": {              // null for leaklint/… problems
//!             "kind": "listener",       // listener | collection | global | closure | promise | timer
//!             "receiver": "bus",        // each of these five: string | null
//!             "event": "done",
//!             "collection": null,
//!             "access_path": null,
//!             "retained": null,
//!             "call": { "line": 6, "column": 3 },      // the registering/inserting call
//!             "function": { "line": 6, "column": 18 }  // the function created there, or null
//!           }
//!         }
//!       ],
//!       "suppressed": [                 // findings silenced by a directive: the same fields
//!         {                             // as a finding, plus:
//!           …,
//!           "suppression": {
//!             "kind": "next-line",      // "next-line" | "line" | "file"
//!             "reason": "…",            // the text after " -- ", or null
//!             "start": { "line": 5, "column": 3 }  // where the directive comment starts
//!           }
//!         }
//!       ],
//!       "parse_error": null             // or { "message": "…", "start": {…} }: nothing was
//!                                       // linted in this file
//!     }
//!   ],
//!   "summary": {
//!     "errors": 1,                      // error findings + files that do not parse
//!     "warnings": 0,                    // warning findings (suppressed ones not counted)
//!     "infos": 0,                       // information findings; only present when not 0
//!     "files": 1                        // files linted
//!   }
//! }
//! ```
//!
//! Chain kinds: `subject` (the function the chain gives its role, where it is defined),
//! `called-from` (the step before is called here, from the function `code`), `registered` (the
//! step before is registered here with a framework by the call `code`), `repeats` (the step
//! before runs this often for a reason its own file gives, `code`), `single-instance` (the
//! one instance of class `code` is created here at module scope, so the finding's `this`
//! lives as long as the process), `forwards-to` (the function called at the finding is
//! defined here and forwards to the HTTP client `code`), `client-created` (the HTTP client
//! instance called at the finding is made here, in another file, by `code`, without a
//! deadline), `collection-created` (the collection grown at the finding is made here, at
//! module scope in another file; `code` is its name).
//!
//! Problems that leaklint reports itself use `leaklint/…` ids: `leaklint/unknown-rule` (a
//! suppression directive names no rule; warning), `leaklint/unused-directive` (with
//! `--report-unused-disable-directives`; warning). Parse errors are not findings: they are the
//! `parse_error` field. With `--quiet`, warnings appear nowhere. Files skipped as binary or not
//! UTF-8 are not listed (a note goes to stderr). New fields may be added without a version bump;
//! fields are never removed or retyped within a version.

use serde::Serialize;

use crate::report::{FileReport, Located, Problem, Report, Suppressed};

pub const SCHEMA_VERSION: u32 = 1;

#[derive(Serialize)]
struct JsonReport<'a> {
    version: u32,
    tool: Tool,
    files: Vec<JsonFile<'a>>,
    summary: JsonSummary,
}

#[derive(Serialize)]
struct Tool {
    name: &'static str,
    version: &'static str,
}

#[derive(Serialize)]
struct JsonFile<'a> {
    path: &'a str,
    findings: Vec<JsonFinding<'a>>,
    suppressed: Vec<JsonSuppressed<'a>>,
    parse_error: Option<JsonParseError<'a>>,
}

#[derive(Serialize, Clone, Copy)]
struct Pos {
    line: usize,
    column: usize,
}

#[derive(Serialize)]
struct JsonFinding<'a> {
    rule: &'static str,
    severity: &'static str,
    confidence: Option<&'static str>,
    message: &'a str,
    help: Option<&'a str>,
    start: Pos,
    end: Pos,
    labels: Vec<JsonLabel<'a>>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    chain: Vec<JsonStep<'a>>,
    /// Written as the runtime checker reads it back (`confirm --findings`).
    signature: Option<&'a leaklint_runtime_check::Signature>,
}

#[derive(Serialize)]
struct JsonStep<'a> {
    kind: &'static str,
    frequency: Option<&'static str>,
    message: String,
    path: &'a str,
    line: usize,
    column: usize,
    code: &'a str,
    source: &'a str,
}

#[derive(Serialize)]
struct JsonLabel<'a> {
    message: &'a str,
    start: Pos,
    end: Pos,
}

#[derive(Serialize)]
struct JsonSuppressed<'a> {
    #[serde(flatten)]
    finding: JsonFinding<'a>,
    suppression: JsonSuppression<'a>,
}

#[derive(Serialize)]
struct JsonSuppression<'a> {
    kind: &'static str,
    reason: Option<&'a str>,
    start: Pos,
}

#[derive(Serialize)]
struct JsonParseError<'a> {
    message: &'a str,
    start: Pos,
}

#[derive(Serialize)]
struct JsonSummary {
    errors: usize,
    warnings: usize,
    /// Information-level findings; left out when there are none.
    #[serde(skip_serializing_if = "is_zero")]
    infos: usize,
    files: usize,
}

fn is_zero(n: &usize) -> bool {
    *n == 0
}

pub fn render(report: &Report) -> String {
    let summary = report.summary();
    let json = JsonReport {
        version: SCHEMA_VERSION,
        tool: Tool {
            name: env!("CARGO_PKG_NAME"),
            version: env!("CARGO_PKG_VERSION"),
        },
        files: report.files.iter().map(file).collect(),
        summary: JsonSummary {
            errors: summary.errors,
            warnings: summary.warnings,
            infos: summary.infos,
            files: summary.files,
        },
    };
    // Serialising plain structs of strings and numbers cannot fail.
    let mut text = serde_json::to_string_pretty(&json).unwrap_or_default();
    text.push('\n');
    text
}

fn file(f: &FileReport) -> JsonFile<'_> {
    JsonFile {
        path: &f.path,
        findings: f.problems.iter().map(finding).collect(),
        suppressed: f.suppressed.iter().map(suppressed).collect(),
        parse_error: f.parse_error.as_ref().map(|e| JsonParseError {
            message: &e.message,
            start: start(&e.at),
        }),
    }
}

fn start(at: &Located) -> Pos {
    Pos {
        line: at.start.line,
        column: at.start.column,
    }
}

fn end(at: &Located) -> Pos {
    Pos {
        line: at.end.line,
        column: at.end.column,
    }
}

fn finding(p: &Problem) -> JsonFinding<'_> {
    JsonFinding {
        rule: p.source.id(),
        severity: p.severity.as_str(),
        confidence: p.confidence.map(|c| c.as_str()),
        message: &p.message,
        help: p.help.as_deref(),
        start: start(&p.at),
        end: end(&p.at),
        labels: p
            .labels
            .iter()
            .map(|l| JsonLabel {
                message: &l.message,
                start: start(&l.at),
                end: end(&l.at),
            })
            .collect(),
        chain: p
            .chain
            .iter()
            .map(|s| JsonStep {
                kind: s.kind.as_str(),
                frequency: s.kind.frequency().map(|f| f.id()),
                message: s.describe(),
                path: &s.path,
                line: s.line,
                column: s.column,
                code: &s.code,
                source: &s.source,
            })
            .collect(),
        signature: p.signature.as_ref(),
    }
}

fn suppressed(s: &Suppressed) -> JsonSuppressed<'_> {
    JsonSuppressed {
        finding: finding(&s.problem),
        suppression: JsonSuppression {
            kind: s.kind.as_str(),
            reason: s.reason.as_deref(),
            start: start(&s.directive),
        },
    }
}
