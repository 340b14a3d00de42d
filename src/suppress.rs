//! Suppression directives in comments.
//!
//! - `// leaklint-disable-next-line rule-a, rule-b -- reason`: the line after the comment;
//! - `// leaklint-disable-line rule-a -- reason`: the line(s) the comment is on;
//! - `/* leaklint-disable rule-a */` (block or line comment, anywhere): the whole file. There is
//!   no `leaklint-enable`: a file-level directive is meant for generated or vendored files.
//!
//! Rule names are separated by commas and/or spaces; with no names a directive covers every
//! rule. Everything after ` -- ` is the reason, kept with the suppressed finding (JSON, SARIF).
//! A finding is matched by the line its primary span starts on.
//!
//! A name that is no rule is reported as a `leaklint/unknown-rule` warning at the name. With
//! `--report-unused-disable-directives`, each named rule (or a directive without names) that
//! suppressed nothing is reported as a `leaklint/unused-directive` warning; rules that were not
//! run for this file are not reported, since nobody can tell whether they would have fired.

use leaklint_rules::{CommentText, LineIndex, Severity, Span};

use crate::report::{Builtin, Located, Problem, Source, Suppressed, SuppressionKind};

const KEYWORD: &str = "leaklint-disable";

/// Unknown rule names reported one by one per file; the rest are counted in one warning, so
/// that a file of machine-made directives cannot make the report (and memory) grow without end.
const MAX_UNKNOWN_SHOWN: usize = 100;

/// A parsed directive.
#[derive(Debug)]
struct Directive {
    kind: SuppressionKind,
    /// None: every rule.
    names: Option<Vec<Name>>,
    reason: Option<String>,
    comment: Located,
    /// 1-based lines covered (inclusive); unused for file directives.
    lines: (usize, usize),
    /// For a directive without names.
    used: bool,
}

#[derive(Debug)]
struct Name {
    text: String,
    span: Span,
    known: bool,
    used: bool,
}

impl Directive {
    fn keyword(&self) -> &'static str {
        match self.kind {
            SuppressionKind::NextLine => "leaklint-disable-next-line",
            SuppressionKind::Line => "leaklint-disable-line",
            SuppressionKind::File => "leaklint-disable",
        }
    }

    fn covers_line(&self, line: usize) -> bool {
        self.kind == SuppressionKind::File || (self.lines.0 <= line && line <= self.lines.1)
    }

    /// Marks and returns whether this directive suppresses a finding of `rule` on `line`.
    fn take(&mut self, rule: &str, line: usize) -> bool {
        if !self.covers_line(line) {
            return false;
        }
        match &mut self.names {
            None => {
                self.used = true;
                true
            }
            Some(names) => match names.iter_mut().find(|n| n.known && n.text == rule) {
                Some(name) => {
                    name.used = true;
                    true
                }
                None => false,
            },
        }
    }
}

/// The outcome of applying a file's directives to its findings.
pub struct Applied {
    /// Findings left, plus directive problems, sorted by position.
    pub problems: Vec<Problem>,
    pub suppressed: Vec<Suppressed>,
}

/// Applies the directives in `comments` to `problems` (rule findings of one file).
/// `enabled` tells whether a rule ran for this file.
pub fn apply(
    text: &str,
    index: &LineIndex,
    comments: &[CommentText],
    problems: Vec<Problem>,
    enabled: &dyn Fn(&str) -> bool,
    report_unused: bool,
) -> Applied {
    let mut directives: Vec<Directive> = comments
        .iter()
        .filter_map(|c| parse(c, text, index))
        .collect();
    // Line directives are more specific than file directives: they get the credit first, so
    // that an unused-directive report points at the redundant file-level one.
    directives.sort_by_key(|d| (d.kind == SuppressionKind::File, d.comment.span.start));

    let mut kept = Vec::new();
    let mut suppressed = Vec::new();
    for problem in problems {
        let line = problem.at.start.line;
        let id = problem.source.id();
        match directives
            .iter_mut()
            .find_map(|d| d.take(id, line).then_some(d))
        {
            Some(d) => suppressed.push(Suppressed {
                problem,
                kind: d.kind,
                reason: d.reason.clone(),
                directive: d.comment,
            }),
            None => kept.push(problem),
        }
    }

    let mut unknown = 0usize;
    let mut unshown: Option<(usize, Located)> = None;
    for d in &directives {
        let keyword = d.keyword();
        match &d.names {
            Some(names) => {
                for name in names {
                    if !name.known {
                        unknown += 1;
                        if unknown > MAX_UNKNOWN_SHOWN {
                            let first = unshown
                                .get_or_insert_with(|| (0, Located::new(name.span, text, index)));
                            first.0 += 1;
                            continue;
                        }
                        kept.push(builtin(
                            Builtin::UnknownRule,
                            format!(
                                "unknown rule `{}` in {keyword} directive; known rules: {}",
                                name.text,
                                crate::config::known_rule_ids()
                            ),
                            "check the spelling: `leaklint rules` lists every rule id",
                            Located::new(name.span, text, index),
                        ));
                    } else if report_unused && !name.used && enabled(&name.text) {
                        kept.push(builtin(
                            Builtin::UnusedDirective,
                            format!(
                                "unused {keyword} directive: no `{}` problem to suppress",
                                name.text
                            ),
                            "remove the rule name (or the whole directive)",
                            Located::new(name.span, text, index),
                        ));
                    }
                }
            }
            None => {
                if report_unused && !d.used {
                    kept.push(builtin(
                        Builtin::UnusedDirective,
                        format!("unused {keyword} directive: no problem to suppress"),
                        "remove the directive",
                        d.comment,
                    ));
                }
            }
        }
    }
    if let Some((count, at)) = unshown {
        kept.push(builtin(
            Builtin::UnknownRule,
            format!(
                "{count} more unknown rule names in directives of this file (only the first \
                 {MAX_UNKNOWN_SHOWN} are reported one by one)"
            ),
            "check the spelling: `leaklint rules` lists every rule id",
            at,
        ));
    }
    kept.sort_by(|a, b| {
        (a.at.span.start, a.at.span.end, a.source.id()).cmp(&(
            b.at.span.start,
            b.at.span.end,
            b.source.id(),
        ))
    });
    suppressed.sort_by_key(|s| (s.problem.at.span.start, s.problem.source.id()));
    Applied {
        problems: kept,
        suppressed,
    }
}

fn builtin(kind: Builtin, message: String, help: &str, at: Located) -> Problem {
    Problem {
        source: Source::Builtin(kind),
        severity: Severity::Warning,
        message,
        help: Some(help.to_owned()),
        at,
        labels: Vec::new(),
        signature: None,
        confidence: None,
    }
}

/// Parses one comment; None when it is not a directive.
fn parse(comment: &CommentText, text: &str, index: &LineIndex) -> Option<Directive> {
    // Offset of the comment's text in the file: after `//` or `/*`. Checked, since a rule
    // crate change could make `span` and `text` disagree; names then point at the comment.
    let text_start = comment.span.start + 2;
    let text_is_at_offset = text
        .get(text_start..)
        .is_some_and(|rest| rest.starts_with(comment.text.as_str()));

    let body = &comment.text;
    // Skip leading blanks, and the `*` of `/** ... */` doc-style comments.
    let lead = body.len()
        - body
            .trim_start_matches(|c: char| c.is_whitespace() || (comment.block && c == '*'))
            .len();
    let rest = body[lead..].strip_prefix(KEYWORD)?;
    let (kind, suffix_len) = if rest.starts_with("-next-line") {
        (SuppressionKind::NextLine, "-next-line".len())
    } else if rest.starts_with("-line") {
        (SuppressionKind::Line, "-line".len())
    } else {
        (SuppressionKind::File, 0)
    };
    let args_start = lead + KEYWORD.len() + suffix_len;
    let args = &body[args_start..];
    if !args.is_empty() && !args.starts_with(char::is_whitespace) {
        return None; // `leaklint-disabled`, `leaklint-disable-lines`, ...
    }

    // ` -- reason`: a `--` at the start or after a blank.
    let (names_part, reason) = match find_reason_separator(args) {
        Some(i) => {
            let reason = args[i + 2..].trim();
            (&args[..i], (!reason.is_empty()).then(|| reason.to_owned()))
        }
        None => (args, None),
    };

    let comment_at = Located::new(comment.span, text, index);
    let mut names = Vec::new();
    for piece in names_part.split(|c: char| c == ',' || c.is_whitespace()) {
        if !piece.is_empty() {
            // `piece` is a slice of `names_part`, which starts at `args_start` in the body.
            let offset = args_start + (piece.as_ptr() as usize - names_part.as_ptr() as usize);
            let span = if text_is_at_offset {
                let start = text_start + offset;
                Span::new(start, start + piece.len())
            } else {
                comment.span
            };
            names.push(Name {
                text: piece.to_owned(),
                span,
                known: leaklint_rules::find_rule(piece).is_some(),
                used: false,
            });
        }
    }

    let lines = match kind {
        SuppressionKind::NextLine => (comment_at.end.line + 1, comment_at.end.line + 1),
        SuppressionKind::Line => (comment_at.start.line, comment_at.end.line),
        SuppressionKind::File => (0, 0),
    };
    Some(Directive {
        kind,
        names: (!names.is_empty()).then_some(names),
        reason,
        comment: comment_at,
        lines,
        used: false,
    })
}

fn find_reason_separator(args: &str) -> Option<usize> {
    args.match_indices("--")
        .map(|(i, _)| i)
        .find(|&i| args[..i].is_empty() || args[..i].ends_with(char::is_whitespace))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn comment(src: &str, needle: &str, block: bool) -> CommentText {
        let start = src.find(needle).unwrap();
        let end = start + needle.len();
        CommentText {
            span: Span::new(start, end),
            text: needle[2..needle.len() - if block { 2 } else { 0 }].to_owned(),
            block,
        }
    }

    #[test]
    fn parses_names_and_reason_with_positions() {
        let src = "x;\n// leaklint-disable-next-line listener-leak, nope -- legacy code\ny;\n";
        let c = comment(
            src,
            "// leaklint-disable-next-line listener-leak, nope -- legacy code",
            false,
        );
        let idx = LineIndex::new(src);
        let d = parse(&c, src, &idx).unwrap();
        assert_eq!(d.kind, SuppressionKind::NextLine);
        assert_eq!(d.lines, (3, 3));
        assert_eq!(d.reason.as_deref(), Some("legacy code"));
        let names = d.names.unwrap();
        assert_eq!(names.len(), 2);
        assert!(names[0].known && !names[1].known);
        assert_eq!(&src[names[1].span.start..names[1].span.end], "nope");
    }

    #[test]
    fn file_directive_without_names_covers_everything() {
        let src = "/** leaklint-disable */";
        let c = comment(src, src, true);
        let d = parse(&c, src, &LineIndex::new(src)).unwrap();
        assert_eq!(d.kind, SuppressionKind::File);
        assert!(d.names.is_none());
        assert!(d.reason.is_none());
    }

    #[test]
    fn lookalikes_are_not_directives() {
        for text in [
            "// leaklint-disabled",
            "// see leaklint-disable",
            "// leaklint-disable-lines x",
        ] {
            let c = comment(text, text, false);
            assert!(parse(&c, text, &LineIndex::new(text)).is_none(), "{text}");
        }
    }
}
