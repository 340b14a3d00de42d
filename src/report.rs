//! The in-memory report: what every output format renders. Positions are computed once here
//! (1-based line, UTF-16 column) so that formats agree with each other.
//!
//! Suppressed findings are kept (with their directive and reason) because SARIF must list them
//! with `suppressions`; the pretty and compact formats do not print them, JSON lists them apart.

use std::sync::Arc;

use leaklint_rules::line_index::Position;
use leaklint_rules::{Confidence, LineIndex, Meta, Severity, Span, Step};

/// Problems leaklint reports about the input itself rather than through a rule. Their ids are
/// namespaced `leaklint/…` so they cannot clash with rule ids.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Builtin {
    /// The file does not parse.
    ParseError,
    /// A suppression directive names a rule that does not exist.
    UnknownRule,
    /// A suppression directive suppressed nothing (`--report-unused-disable-directives`).
    UnusedDirective,
}

impl Builtin {
    pub const ALL: [Builtin; 3] = [
        Builtin::ParseError,
        Builtin::UnknownRule,
        Builtin::UnusedDirective,
    ];

    pub fn from_id(id: &str) -> Option<Builtin> {
        Builtin::ALL.into_iter().find(|b| b.id() == id)
    }

    /// Markdown for `leaklint explain`.
    pub fn docs(self) -> &'static str {
        match self {
            Builtin::ParseError => {
                "The file does not parse, so nothing in it was linted. leaklint picks the syntax \
                 from the extension: `.js .mjs .cjs .jsx` are JavaScript with JSX, `.ts .mts .cts` \
                 TypeScript, `.tsx` TypeScript with JSX. Brackets nested more than 1000 deep are \
                 refused as machine-generated. A parse error is an error: exit status 1."
            }
            Builtin::UnknownRule => {
                "A `leaklint-disable` directive names a rule that does not exist, so it \
                 suppresses nothing for that name. Check the spelling with `leaklint rules`. \
                 Reported as a warning at the name."
            }
            Builtin::UnusedDirective => {
                "With `--report-unused-disable-directives`: a `leaklint-disable` directive, or a \
                 rule named in one, suppressed nothing. Remove it, so that it cannot hide a real \
                 finding later. Rules that did not run for the file are not reported. A warning."
            }
        }
    }

    /// The README section that explains it (SARIF `helpUri`, LSP `codeDescription`).
    pub fn docs_url(self) -> String {
        let section = match self {
            Builtin::ParseError => "exit-status",
            Builtin::UnknownRule | Builtin::UnusedDirective => "suppression-comments",
        };
        format!(
            "{}/blob/main/README.md#{section}",
            env!("CARGO_PKG_REPOSITORY")
        )
    }

    pub fn id(self) -> &'static str {
        match self {
            Builtin::ParseError => "leaklint/parse-error",
            Builtin::UnknownRule => "leaklint/unknown-rule",
            Builtin::UnusedDirective => "leaklint/unused-directive",
        }
    }
}

/// Who reported a problem.
#[derive(Clone, Copy, Debug)]
pub enum Source {
    Rule(&'static Meta),
    Builtin(Builtin),
}

impl Source {
    pub fn id(&self) -> &'static str {
        match self {
            Source::Rule(meta) => meta.id,
            Source::Builtin(b) => b.id(),
        }
    }
}

/// A range with its computed start and end positions.
#[derive(Clone, Copy, Debug)]
pub struct Located {
    pub span: Span,
    pub start: Position,
    pub end: Position,
}

impl Located {
    pub fn new(span: Span, text: &str, index: &LineIndex) -> Located {
        Located {
            span,
            start: index.position(text, span.start),
            end: index.position(text, span.end),
        }
    }
}

#[derive(Clone, Debug)]
pub struct LabelAt {
    pub at: Located,
    pub message: String,
}

/// One reported problem.
#[derive(Clone, Debug)]
pub struct Problem {
    pub source: Source,
    /// The effective severity (configuration applied).
    pub severity: Severity,
    pub message: String,
    pub help: Option<String>,
    pub at: Located,
    pub labels: Vec<LabelAt>,
    /// What the runtime checker looks for (the rule's `leaklint_rules::Signature` at line and
    /// column); None for builtin problems.
    pub signature: Option<leaklint_runtime_check::Signature>,
    /// How sure the rule is (see `leaklint_rules::Confidence`); None for builtin problems,
    /// which are facts about the input.
    pub confidence: Option<Confidence>,
    /// The facts from other files the finding rests on, in reading order (the function, its
    /// callers outward, the registration; a singleton's `new`; an HTTP wrapper): positions in
    /// those files, paths as reports show them. Empty when the file alone says it all.
    pub chain: Vec<Step>,
}

/// How a finding was suppressed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SuppressionKind {
    NextLine,
    Line,
    File,
}

impl SuppressionKind {
    pub fn as_str(self) -> &'static str {
        match self {
            SuppressionKind::NextLine => "next-line",
            SuppressionKind::Line => "line",
            SuppressionKind::File => "file",
        }
    }
}

#[derive(Clone, Debug)]
pub struct Suppressed {
    pub problem: Problem,
    pub kind: SuppressionKind,
    /// The text after ` -- ` in the directive.
    pub reason: Option<String>,
    /// The directive comment.
    pub directive: Located,
}

/// The file does not parse: leaklint linted nothing in it.
#[derive(Clone, Debug)]
pub struct ParseFailure {
    pub message: String,
    pub at: Located,
}

/// One linted file.
#[derive(Clone, Debug)]
pub struct FileReport {
    /// Relative to the current directory when below it, `/`-separated.
    pub path: String,
    /// The text, kept only when something is reported in it (the pretty format shows snippets).
    pub text: Option<Arc<str>>,
    /// The file starts with a byte order mark, which `text` leaves out (SARIF fingerprints
    /// count it, as GitHub does).
    pub bom: bool,
    /// Sorted by position, then rule id.
    pub problems: Vec<Problem>,
    pub suppressed: Vec<Suppressed>,
    pub parse_error: Option<ParseFailure>,
    /// Time spent on this file per phase (`LEAKLINT_TIMINGS`).
    /// Boxed: a file's report is moved around whole, and the timings are read only for
    /// `LEAKLINT_TIMINGS`.
    pub timings: Box<leaklint_rules::Timings>,
}

/// Everything linted in one run, files sorted by path.
#[derive(Clone, Debug, Default)]
pub struct Report {
    pub files: Vec<FileReport>,
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Summary {
    /// Error-severity problems plus files that do not parse.
    pub errors: usize,
    pub warnings: usize,
    /// Information-level findings: never a failure, whatever `--max-warnings` says.
    pub infos: usize,
    /// Files linted.
    pub files: usize,
}

impl Report {
    pub fn summary(&self) -> Summary {
        let mut s = Summary {
            files: self.files.len(),
            ..Summary::default()
        };
        for file in &self.files {
            for p in &file.problems {
                match p.severity {
                    Severity::Error => s.errors += 1,
                    Severity::Warning => s.warnings += 1,
                    Severity::Info => s.infos += 1,
                }
            }
            s.errors += usize::from(file.parse_error.is_some());
        }
        s
    }
}
