//! From the engine's report of one file to LSP diagnostics, and between URIs and paths.

use std::path::{Path, PathBuf};
use std::str::FromStr;

use leaklint_rules::{Flavor, LineIndex, Severity, Span};
use lsp_types::{
    CodeDescription, Diagnostic, DiagnosticRelatedInformation, DiagnosticSeverity, Location,
    NumberOrString, Range, Uri,
};

use crate::engine::Outcome;
use crate::report::{Builtin, Located, Problem, Source};

use super::document::lsp_position;

/// `Diagnostic.source`.
pub const SOURCE: &str = "leaklint";

/// What linting one revision of a document gave.
#[derive(Debug, Default)]
pub struct LintResult {
    /// The document revision linted (see `server::Doc`).
    pub revision: u64,
    /// Unique per result, set when the server takes it (the `resultId` of pull diagnostics: a
    /// document linted again after a configuration change keeps its revision, not its id).
    pub id: u64,
    /// The document version linted.
    pub version: i32,
    /// The problems shown (not the suppressed ones), in the order of `diagnostics`.
    pub problems: Vec<Problem>,
    /// One per problem, then the parse error's or the note's, if any.
    pub diagnostics: Vec<Diagnostic>,
    /// Something to tell the user once (an internal error).
    pub message: Option<String>,
}

pub fn range(at: &Located) -> Range {
    Range::new(lsp_position(at.start), lsp_position(at.end))
}

pub fn severity(severity: Severity) -> DiagnosticSeverity {
    match severity {
        Severity::Error => DiagnosticSeverity::ERROR,
        Severity::Warning => DiagnosticSeverity::WARNING,
        Severity::Info => DiagnosticSeverity::INFORMATION,
    }
}

/// Where a problem's documentation is.
pub fn docs_url(source: Source) -> String {
    match source {
        Source::Rule(meta) => meta.docs_url(),
        Source::Builtin(builtin) => builtin.docs_url(),
    }
}

/// A diagnostic as leaklint fills it in.
pub fn diagnostic(
    range: Range,
    severity: DiagnosticSeverity,
    id: &str,
    url: Option<String>,
    message: String,
) -> Diagnostic {
    Diagnostic {
        range,
        severity: Some(severity),
        code: Some(NumberOrString::String(id.to_owned())),
        code_description: url
            .and_then(|url| Uri::from_str(&url).ok())
            .map(|href| CodeDescription { href }),
        source: Some(SOURCE.to_owned()),
        message,
        ..Diagnostic::default()
    }
}

/// Turns the engine's outcome for one document into diagnostics.
/// `base`: where the relative paths of other files in a finding's chain start.
pub fn lint_result(
    outcome: Outcome,
    uri: &Uri,
    revision: u64,
    version: i32,
    base: &Path,
) -> LintResult {
    let mut result = LintResult {
        revision,
        version,
        ..LintResult::default()
    };
    let report = match outcome {
        Outcome::Linted(report) => report,
        Outcome::Skipped { reason, .. } => {
            result.message = Some(format!("leaklint skipped {}: {reason}", uri.as_str()));
            return result;
        }
        Outcome::Failed { error, .. } => {
            result.message = Some(error);
            return result;
        }
    };
    for problem in &report.problems {
        let message = match &problem.help {
            Some(help) => format!("{}\nhelp: {help}", problem.message),
            None => problem.message.clone(),
        };
        let mut d = diagnostic(
            range(&problem.at),
            severity(problem.severity),
            problem.source.id(),
            Some(docs_url(problem.source)),
            message,
        );
        // Editors show the message, not `data`: an inferred finding says so in its text.
        if problem.confidence == Some(leaklint_rules::Confidence::Medium) {
            d.message
                .push_str("\n(medium confidence: the repetition is inferred, not proven)");
        }
        if let Some(c) = problem.confidence {
            d.data = Some(serde_json::json!({ "confidence": c.as_str() }));
        }
        let mut related: Vec<DiagnosticRelatedInformation> = problem
            .labels
            .iter()
            .map(|label| DiagnosticRelatedInformation {
                location: Location::new(uri.clone(), range(&label.at)),
                message: label.message.clone(),
            })
            .collect();
        related.extend(
            problem
                .chain
                .iter()
                .filter_map(|s| step_information(s, base)),
        );
        if !related.is_empty() {
            d.related_information = Some(related);
        }
        result.diagnostics.push(d);
    }
    result.problems = report.problems;
    if let (Some(error), Some(text)) = (&report.parse_error, &report.text) {
        // Cover the character at the error (as SARIF does), so that editors underline something.
        let mut start = error.at.span.start.min(text.len());
        while !text.is_char_boundary(start) {
            start -= 1;
        }
        let end = text[start..]
            .chars()
            .next()
            .filter(|c| *c != '\n' && *c != '\r')
            .map_or(start, |c| start + c.len_utf8());
        let index = LineIndex::new(text);
        let at = Located::new(Span::new(start, end), text, &index);
        result.diagnostics.push(diagnostic(
            range(&at),
            DiagnosticSeverity::ERROR,
            Builtin::ParseError.id(),
            Some(Builtin::ParseError.docs_url()),
            format!("parse error: {}", error.message),
        ));
    }
    result
}

/// A step of a chain through other files as related information: at the step, to the end of
/// its line, in its file (a relative path starts at `base`). None when the path has no `file:`
/// URI.
fn step_information(
    step: &leaklint_rules::Step,
    base: &Path,
) -> Option<DiagnosticRelatedInformation> {
    let path = base.join(&step.path);
    let line = step.line.saturating_sub(1) as u32;
    let range = Range::new(
        lsp_types::Position::new(line, step.column.saturating_sub(1) as u32),
        lsp_types::Position::new(line, step.end_column().saturating_sub(1) as u32),
    );
    Some(DiagnosticRelatedInformation {
        location: Location::new(uri_of(&path)?, range),
        message: step.describe(),
    })
}

/// The local path of a `file:` URI.
pub fn path_of(uri: &Uri) -> Option<PathBuf> {
    url::Url::parse(uri.as_str()).ok()?.to_file_path().ok()
}

/// The `file:` URI of a local path.
pub fn uri_of(path: &Path) -> Option<Uri> {
    let url = url::Url::from_file_path(path).ok()?;
    Uri::from_str(url.as_str()).ok()
}

/// The syntax to lint a document with: from its file extension, or, for a name without a
/// JavaScript or TypeScript extension (an untitled buffer, a script without extension), from
/// its language id. None: not linted (including `.d.ts` declaration files and minified files,
/// as on the command line: see [`crate::walk::is_minified`]).
pub fn flavor(uri: &Uri, language_id: &str) -> Option<Flavor> {
    let path = uri.path().as_str();
    let name = path.rsplit('/').next().unwrap_or(path);
    let ext = name.rsplit_once('.').map(|(_, ext)| ext);
    const KNOWN: [&str; 8] = ["js", "mjs", "cjs", "jsx", "ts", "mts", "cts", "tsx"];
    if ext.is_some_and(|ext| KNOWN.contains(&ext)) {
        if crate::walk::is_minified(name) {
            return None;
        }
        return Flavor::from_path(name);
    }
    match language_id {
        "javascript" | "javascriptreact" | "jsx" => Some(Flavor::JavaScript),
        "typescript" => Some(Flavor::TypeScript),
        "typescriptreact" | "tsx" => Some(Flavor::Tsx),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn uri(s: &str) -> Uri {
        Uri::from_str(s).unwrap()
    }

    #[test]
    fn flavor_from_extension_then_language_id() {
        assert_eq!(
            flavor(&uri("file:///p/a.tsx"), "javascript"),
            Some(Flavor::Tsx)
        );
        assert_eq!(flavor(&uri("file:///p/a.d.ts"), "typescript"), None);
        assert_eq!(flavor(&uri("file:///p/vendor.min.js"), "javascript"), None);
        assert_eq!(
            flavor(&uri("file:///p/bin/serve"), "javascript"),
            Some(Flavor::JavaScript)
        );
        assert_eq!(
            flavor(&uri("untitled:Untitled-1"), "typescript"),
            Some(Flavor::TypeScript)
        );
        assert_eq!(flavor(&uri("file:///p/notes.md"), "markdown"), None);
    }

    #[test]
    fn paths_and_uris_round_trip() {
        let path = Path::new("/tmp/a dir/ü.js");
        let u = uri_of(path).unwrap();
        assert_eq!(u.as_str(), "file:///tmp/a%20dir/%C3%BC.js");
        assert_eq!(path_of(&u).unwrap(), path);
        assert_eq!(path_of(&uri("untitled:Untitled-1")), None);
    }
}
