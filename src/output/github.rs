//! GitHub Actions workflow commands (`--format github`): one annotation per problem, shown on
//! the pull request's diff and the run's summary.
//!
//! ```text
//! ::error file=src/app.js,line=6,col=3,endLine=6,endColumn=17,title=leaklint(listener-leak) high confidence::listener added to …
//! ```
//!
//! `::error` or `::warning` after the effective severity; the title names the rule and the
//! finding's confidence (`high` | `medium`, see `--min-confidence`); a file that does not parse is an
//! `::error` titled `leaklint(leaklint/parse-error)`. Paths are relative to the working
//! directory or `--root` (the repository root, where GitHub looks for them), symlinks resolved;
//! lines 1-based, columns 1-based UTF-16 with an exclusive `endColumn`, as in every other format.
//! GitHub accepts columns only when the annotation starts and ends on the same line, so a
//! problem spanning lines gives its lines alone. The message is escaped as `@actions/core`
//! escapes command data (`%`, CR, LF), property values also `:` and `,`. Suppressed findings are
//! not annotated. GitHub shows at most 10 error and 10 warning annotations per step: upload SARIF
//! to see everything.

use std::fmt::Write;

use leaklint_rules::Severity;

use super::RunInfo;
use crate::report::{Builtin, Located, Report};

pub fn render(report: &Report, run: &RunInfo) -> String {
    let mut out = String::new();
    for file in &report.files {
        let path = run.root.locate(&file.path).text();
        if let Some(parse) = &file.parse_error {
            annotate(
                &mut out,
                "error",
                &path,
                &super::sarif::widen_empty(parse.at, file),
                Builtin::ParseError.id(),
                None,
                &format!("does not parse: {}", parse.message),
            );
        }
        for p in &file.problems {
            let kind = match p.severity {
                Severity::Error => "error",
                Severity::Warning => "warning",
            };
            let confidence = p.confidence.map(|c| c.as_str());
            annotate(
                &mut out,
                kind,
                &path,
                &p.at,
                p.source.id(),
                confidence,
                &p.message,
            );
        }
    }
    out
}

/// One annotation; its title is `leaklint(rule)`, then the finding's confidence when it has one
/// (`leaklint(timer-leak) medium confidence`).
fn annotate(
    out: &mut String,
    kind: &str,
    path: &str,
    at: &Located,
    rule: &str,
    confidence: Option<&str>,
    message: &str,
) {
    let _ = write!(
        out,
        "::{kind} file={},line={}",
        property(path),
        at.start.line
    );
    if at.start.line == at.end.line {
        let _ = write!(
            out,
            ",col={},endLine={},endColumn={}",
            at.start.column, at.end.line, at.end.column
        );
    } else {
        let _ = write!(out, ",endLine={}", at.end.line);
    }
    let _ = writeln!(
        out,
        ",title={}::{}",
        property(&match confidence {
            Some(c) => format!("leaklint({rule}) {c} confidence"),
            None => format!("leaklint({rule})"),
        }),
        data(message)
    );
}

/// Escapes a command's message.
pub fn data(text: &str) -> String {
    text.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

/// Escapes a command property's value.
pub fn property(text: &str) -> String {
    data(text).replace(':', "%3A").replace(',', "%2C")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_as_actions_core_does() {
        assert_eq!(data("50% done\r\nnext: a, b"), "50%25 done%0D%0Anext: a, b");
        assert_eq!(property("a:b,c%d\ne"), "a%3Ab%2Cc%25d%0Ae");
    }
}
