//! The default, human format: one miette graphical diagnostic per problem (source snippet, the
//! finding's related labels, help, rule id as the code), then a summary line.
//!
//! The primary span is underlined without a label text: the message is the diagnostic's
//! heading, and rule messages are full sentences that read badly squeezed into a label. Related
//! labels (where the receiver is declared, where the handler is registered) carry their text.
//!
//! Lines longer than [`MAX_SNIPPET_LINE`] bytes (minified bundles) are not shown: the snippet
//! would be megabytes wide. Such a diagnostic states its position in the heading instead.

use std::fmt::{self, Write};
use std::sync::Arc;

use leaklint_rules::Severity;
use miette::{
    Diagnostic, GraphicalReportHandler, GraphicalTheme, LabeledSpan, MietteError,
    MietteSpanContents, SourceCode, SourceSpan, SpanContents,
};

use super::RenderOptions;
use crate::report::{Builtin, FileReport, Located, Problem, Report};

/// Longest source line shown in a snippet, in bytes.
pub const MAX_SNIPPET_LINE: usize = 400;

/// A file's text for miette. miette counts the column of the `[path:line:column]` heading in
/// bytes; this reports it in UTF-16 units, like every other leaklint output.
#[derive(Debug)]
struct FileSource {
    name: String,
    text: Arc<str>,
}

impl SourceCode for FileSource {
    fn read_span<'a>(
        &'a self,
        span: &SourceSpan,
        context_lines_before: usize,
        context_lines_after: usize,
    ) -> Result<Box<dyn SpanContents<'a> + 'a>, MietteError> {
        let inner = self
            .text
            .read_span(span, context_lines_before, context_lines_after)?;
        let mut column = inner.column();
        // miette reads the heading's position without context lines; snippet reads (with the
        // handler's one line of context) keep miette's own bookkeeping.
        if context_lines_before == 0 && context_lines_after == 0 {
            let mut offset = span.offset().min(self.text.len());
            while !self.text.is_char_boundary(offset) {
                offset -= 1;
            }
            let line_start = self.text[..offset].rfind('\n').map_or(0, |i| i + 1);
            column = self.text[line_start..offset].encode_utf16().count();
        }
        Ok(Box::new(MietteSpanContents::new_named(
            self.name.clone(),
            inner.data(),
            *inner.span(),
            inner.line(),
            column,
            inner.line_count(),
        )))
    }
}

#[derive(Debug)]
struct Pretty<'a> {
    message: String,
    /// `rule-id path:line:col`: the finding's own position first, since miette's snippet
    /// headings follow source order and may start at a related location above it.
    code: String,
    severity: miette::Severity,
    help: Option<&'a str>,
    source: Option<&'a FileSource>,
    labels: Vec<LabeledSpan>,
}

impl fmt::Display for Pretty<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for Pretty<'_> {}

impl Diagnostic for Pretty<'_> {
    fn code<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        Some(Box::new(&self.code))
    }

    fn severity(&self) -> Option<miette::Severity> {
        Some(self.severity)
    }

    fn help<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        self.help.map(|h| Box::new(h) as Box<dyn fmt::Display>)
    }

    fn source_code(&self) -> Option<&dyn SourceCode> {
        self.source.map(|s| s as &dyn SourceCode)
    }

    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        self.source?;
        Some(Box::new(self.labels.iter().cloned()))
    }
}

pub fn render(report: &Report, opts: RenderOptions) -> String {
    let theme = if opts.color {
        GraphicalTheme::unicode()
    } else {
        GraphicalTheme::unicode_nocolor()
    };
    let handler = GraphicalReportHandler::new_themed(theme)
        .with_width(opts.width)
        // Never break words at hyphens: rule ids like `listener-leak` must stay whole.
        .with_word_splitter(textwrap::WordSplitter::NoHyphenation)
        .with_urls(false);

    let mut out = String::new();
    for file in &report.files {
        let Some(text) = &file.text else { continue };
        let source = FileSource {
            name: file.path.clone(),
            text: text.clone(),
        };
        if let Some(parse) = &file.parse_error {
            let diag = diagnostic(
                file,
                &source,
                format!("parse error: {}", parse.message),
                Builtin::ParseError.id(),
                Severity::Error,
                None,
                &parse.at,
                &[],
            );
            emit(&handler, &diag, &mut out);
        }
        for p in &file.problems {
            let related: Vec<(&Located, &str)> = p
                .labels
                .iter()
                .map(|l| (&l.at, l.message.as_str()))
                .collect();
            let diag = problem(file, &source, p, &related);
            emit(&handler, &diag, &mut out);
        }
    }
    summary(report, opts.color, &mut out);
    out
}

fn problem<'a>(
    file: &FileReport,
    source: &'a FileSource,
    p: &'a Problem,
    related: &[(&Located, &str)],
) -> Pretty<'a> {
    let mut diag = diagnostic(
        file,
        source,
        p.message.clone(),
        p.source.id(),
        p.severity,
        p.help.as_deref(),
        &p.at,
        related,
    );
    if let Some(confidence) = p.confidence {
        diag.code
            .push_str(&format!(" ({} confidence)", confidence.as_str()));
    }
    diag
}

#[allow(clippy::too_many_arguments)]
fn diagnostic<'a>(
    file: &FileReport,
    source: &'a FileSource,
    message: String,
    code: &'static str,
    severity: Severity,
    help: Option<&'a str>,
    at: &Located,
    related: &[(&Located, &str)],
) -> Pretty<'a> {
    let text = file.text.as_deref().unwrap_or("");
    let code = format!("{code} {}:{}:{}", file.path, at.start.line, at.start.column);
    let all_spans = std::iter::once(at).chain(related.iter().map(|(l, _)| *l));
    let fits = all_spans.clone().all(|l| snippet_fits(text, l));
    let severity = match severity {
        Severity::Error => miette::Severity::Error,
        Severity::Warning => miette::Severity::Warning,
    };
    if !fits {
        return Pretty {
            message: format!(
                "{message}\nat {}:{}:{} (the source line is too long to show)",
                file.path, at.start.line, at.start.column
            ),
            code,
            severity,
            help,
            source: None,
            labels: Vec::new(),
        };
    }
    let mut labels = vec![LabeledSpan::new_primary_with_span(None, to_miette(at))];
    labels.extend(
        related
            .iter()
            .map(|(l, m)| LabeledSpan::new_with_span(Some((*m).to_owned()), to_miette(l))),
    );
    Pretty {
        message,
        code,
        severity,
        help,
        source: Some(source),
        labels,
    }
}

fn to_miette(at: &Located) -> SourceSpan {
    SourceSpan::new(
        at.span.start.into(),
        at.span.end.saturating_sub(at.span.start),
    )
}

/// Whether every line miette would show for `at` (one line of context on each side) is short.
fn snippet_fits(text: &str, at: &Located) -> bool {
    let start = at.span.start.min(text.len());
    let end = at.span.end.clamp(start, text.len());
    let bytes = text.as_bytes();
    // Back to the start of the line before, forward to the end of the line after.
    let mut from = bytes[..start]
        .iter()
        .rposition(|&b| b == b'\n')
        .unwrap_or(0);
    from = bytes[..from].iter().rposition(|&b| b == b'\n').unwrap_or(0);
    let mut to = bytes[end..]
        .iter()
        .position(|&b| b == b'\n')
        .map_or(text.len(), |i| end + i);
    if to < text.len() {
        to = bytes[to + 1..]
            .iter()
            .position(|&b| b == b'\n')
            .map_or(text.len(), |i| to + 1 + i);
    }
    bytes[from..to]
        .split(|&b| b == b'\n')
        .all(|line| line.len() <= MAX_SNIPPET_LINE)
}

fn emit(handler: &GraphicalReportHandler, diag: &Pretty<'_>, out: &mut String) {
    let mut rendered = String::new();
    if handler.render_report(&mut rendered, diag).is_err() {
        // miette only fails when the source cannot be read; fall back to the heading.
        rendered = format!("{}: {}\n", diag.code, diag.message);
    }
    out.push_str(&rendered);
    out.push('\n');
}

fn summary(report: &Report, color: bool, out: &mut String) {
    let s = report.summary();
    let problems = s.errors + s.warnings;
    let (style, text) = if problems == 0 {
        (
            "\x1b[1;32m",
            format!("✔ no problems ({})", plural(s.files, "file", "files")),
        )
    } else {
        (
            if s.errors > 0 {
                "\x1b[1;31m"
            } else {
                "\x1b[1;33m"
            },
            format!(
                "✖ {} ({}, {})",
                plural(problems, "problem", "problems"),
                plural(s.errors, "error", "errors"),
                plural(s.warnings, "warning", "warnings")
            ),
        )
    };
    if color {
        let _ = writeln!(out, "{style}{text}\x1b[0m");
    } else {
        let _ = writeln!(out, "{text}");
    }
}

fn plural(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}
