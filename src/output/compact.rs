//! `path:line:col: severity [rule-id] message`, one problem per line, for editors, problem
//! matchers and grep. Lines are 1-based, columns 1-based UTF-16. A file that does not parse is one
//! `error [leaklint/parse-error]` line. No summary line, so every line has the same shape.

use std::fmt::Write;

use crate::report::{Builtin, Report};

pub fn render(report: &Report) -> String {
    let mut out = String::new();
    for file in &report.files {
        if let Some(parse) = &file.parse_error {
            let _ = writeln!(
                out,
                "{}:{}:{}: error [{}] {}",
                file.path,
                parse.at.start.line,
                parse.at.start.column,
                Builtin::ParseError.id(),
                one_line(&parse.message)
            );
        }
        for p in &file.problems {
            let _ = writeln!(
                out,
                "{}:{}:{}: {} [{}] {}",
                file.path,
                p.at.start.line,
                p.at.start.column,
                p.severity.as_str(),
                p.source.id(),
                one_line(&p.message)
            );
        }
    }
    out
}

/// Messages may hold line breaks; a compact line must not.
fn one_line(message: &str) -> String {
    message.split_whitespace().collect::<Vec<_>>().join(" ")
}
