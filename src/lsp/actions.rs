//! Code actions and hover, computed from the latest lint of a document.
//!
//! Code actions, for each problem under the cursor or selection:
//! - "Disable <rule> for this line": `// leaklint-disable-next-line <rule> -- ` above the line,
//!   with its indentation (or the rule added to a next-line directive already there);
//! - "Disable <rule> for this file": `/* leaklint-disable <rule> */` on the first line (after a
//!   `#!` line), or the rule added to such a directive already there;
//! - quick fixes where one is certain: a misspelt rule name in a directive is corrected to the
//!   rule it is closest to, and an unused directive (`reportUnusedDisableDirectives`) is removed.
//!   No rule finding gets an automatic fix: each fix changes what the program does (when a
//!   listener is removed, how long a request may wait, which entries a cache drops), and the
//!   right choice depends on the program; the finding's help and docs say what to do.

use std::collections::HashMap;

use leaklint_rules::Span;
use lsp_types::{
    CodeAction, CodeActionKind, CodeActionOrCommand, CodeActionParams, Hover, HoverContents,
    MarkupContent, MarkupKind, Position, Range, TextEdit, Uri, WorkspaceEdit,
};

use crate::report::{Builtin, Problem, Source};

use super::convert::LintResult;
use super::document::Document;

const NEXT_LINE: &str = "leaklint-disable-next-line";
const FILE: &str = "leaklint-disable";

fn overlaps(a: Range, b: Range) -> bool {
    a.start <= b.end && b.start <= a.end
}

/// The code actions for `params.range` in `doc`, whose latest lint is `result` (of the same
/// text).
pub fn code_actions(
    uri: &Uri,
    doc: &Document,
    result: &LintResult,
    params: &CodeActionParams,
) -> Vec<CodeActionOrCommand> {
    let wanted = |kind: &CodeActionKind| match &params.context.only {
        None => true,
        Some(only) => only.iter().any(|o| {
            kind.as_str() == o.as_str() || kind.as_str().starts_with(&format!("{}.", o.as_str()))
        }),
    };
    if !wanted(&CodeActionKind::QUICKFIX) {
        return Vec::new();
    }
    let mut fixes = Vec::new();
    let mut disable_line = Vec::new();
    let mut disable_file = Vec::new();
    let mut seen_line: Vec<(usize, &str)> = Vec::new();
    let mut seen_file: Vec<&str> = Vec::new();
    for (problem, diagnostic) in result.problems.iter().zip(&result.diagnostics) {
        if !overlaps(diagnostic.range, params.range) {
            continue;
        }
        let action = |title: String, edit: TextEdit, preferred: bool| {
            CodeActionOrCommand::CodeAction(CodeAction {
                title,
                kind: Some(CodeActionKind::QUICKFIX),
                diagnostics: Some(vec![diagnostic.clone()]),
                edit: Some(WorkspaceEdit {
                    changes: Some(HashMap::from([(uri.clone(), vec![edit])])),
                    ..WorkspaceEdit::default()
                }),
                is_preferred: preferred.then_some(true),
                ..CodeAction::default()
            })
        };
        match problem.source {
            Source::Rule(meta) => {
                let line = problem.at.start.line - 1;
                if !seen_line.contains(&(line, meta.id)) {
                    seen_line.push((line, meta.id));
                    disable_line.push(action(
                        format!("Disable {} for this line", meta.id),
                        disable_for_line(doc, line, meta.id),
                        false,
                    ));
                }
                if !seen_file.contains(&meta.id) {
                    seen_file.push(meta.id);
                    disable_file.push(action(
                        format!("Disable {} for this file", meta.id),
                        disable_for_file(doc, meta.id),
                        false,
                    ));
                }
            }
            Source::Builtin(Builtin::UnknownRule) => {
                if let Some((title, edit)) = correct_rule_name(doc, problem.at.span) {
                    fixes.push(action(title, edit, true));
                }
            }
            Source::Builtin(Builtin::UnusedDirective) => {
                if let Some((title, edit)) = remove_unused(doc, problem) {
                    fixes.push(action(title, edit, true));
                }
            }
            Source::Builtin(Builtin::ParseError) => {}
        }
    }
    fixes.extend(disable_line);
    fixes.extend(disable_file);
    fixes
}

fn insert(at: Position, text: String) -> TextEdit {
    TextEdit::new(Range::new(at, at), text)
}

/// Where the names of a directive comment on `line` end: the byte offset in `line` after the
/// last name (before ` -- reason` or `*/`), when the whole line is that directive.
fn directive_names_end(line: &str, keyword: &str, block: bool) -> Option<usize> {
    let trimmed = line.trim_start();
    let lead = line.len() - trimmed.len();
    let (open, close) = if block { ("/*", "*/") } else { ("//", "") };
    let after_open = trimmed.strip_prefix(open)?;
    let body_start = lead + open.len() + (after_open.len() - after_open.trim_start().len());
    let rest = line[body_start..].strip_prefix(keyword)?;
    if !rest.starts_with([' ', '\t']) {
        return None; // no names (covers every rule), or another keyword
    }
    let args_start = body_start + keyword.len();
    let mut args_end = line.len();
    if block {
        let end = line.trim_end();
        if !end.ends_with(close) {
            return None;
        }
        args_end = end.len() - close.len();
    }
    let args = &line[args_start..args_end];
    let names = match args
        .match_indices("--")
        .map(|(i, _)| i)
        .find(|&i| args[..i].is_empty() || args[..i].ends_with(char::is_whitespace))
    {
        Some(i) => &args[..i],
        None => args,
    };
    let names_trimmed = names.trim_end();
    (!names_trimmed.trim().is_empty()).then_some(args_start + names_trimmed.len())
}

/// Inserts a next-line directive above the 0-based `line`.
fn disable_for_line(doc: &Document, line: usize, rule: &str) -> TextEdit {
    if line > 0 {
        let above = doc.line(line - 1);
        if let Some(end) = directive_names_end(above, NEXT_LINE, false) {
            let offset = doc.index.line_start(line - 1) + end;
            return insert(doc.position(offset), format!(", {rule}"));
        }
    }
    let text = doc.line(line);
    let indent = &text[..text.len() - text.trim_start_matches([' ', '\t']).len()];
    insert(
        Position::new(line as u32, 0),
        format!("{indent}// {NEXT_LINE} {rule} -- {}", doc.eol()),
    )
}

/// Inserts a file directive at the top (after a `#!` line).
fn disable_for_file(doc: &Document, rule: &str) -> TextEdit {
    let first = usize::from(doc.text.starts_with("#!"));
    if first < doc.index.line_count() {
        let line = doc.line(first);
        if let Some(end) = directive_names_end(line, FILE, true) {
            let offset = doc.index.line_start(first) + end;
            return insert(doc.position(offset), format!(", {rule}"));
        }
    }
    let directive = format!("/* {FILE} {rule} */");
    if first == 1 && doc.index.line_count() == 1 {
        // Only a `#!` line, without a line ending.
        return insert(
            doc.position(doc.text.len()),
            format!("{}{directive}", doc.eol()),
        );
    }
    insert(
        Position::new(first as u32, 0),
        format!("{directive}{}", doc.eol()),
    )
}

/// A rule id at most a few edits away from the misspelt `name`, when exactly one is closest.
fn closest_rule(name: &str) -> Option<&'static str> {
    let limit = (name.chars().count() / 3).max(2);
    let mut scored: Vec<(usize, &'static str)> = leaklint_rules::ALL
        .iter()
        .map(|r| r.meta().id)
        .map(|id| (edit_distance(name, id), id))
        .filter(|(d, _)| *d <= limit)
        .collect();
    scored.sort();
    match scored.as_slice() {
        [(d, id), rest @ ..] if rest.first().is_none_or(|(d2, _)| d2 > d) => Some(id),
        _ => None,
    }
}

fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut prev = row[0];
        row[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let cost = usize::from(ca != *cb);
            let next = (row[j + 1] + 1).min(row[j] + 1).min(prev + cost);
            prev = row[j + 1];
            row[j + 1] = next;
        }
    }
    row[b.len()]
}

fn correct_rule_name(doc: &Document, span: Span) -> Option<(String, TextEdit)> {
    let name = doc.text.get(span.start..span.end)?;
    if name.is_empty()
        || !name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
    {
        return None; // the span is not the name itself
    }
    let id = closest_rule(name)?;
    Some((
        format!("Change `{name}` to `{id}`"),
        TextEdit::new(doc.range(span.start, span.end), id.to_owned()),
    ))
}

/// Removes an unused directive (or the unused rule name in it). Only for a directive that is a
/// one-line comment.
fn remove_unused(doc: &Document, problem: &Problem) -> Option<(String, TextEdit)> {
    let span = problem.at.span;
    let line = problem.at.start.line - 1;
    if problem.at.end.line != problem.at.start.line {
        return None;
    }
    let line_start = doc.index.line_start(line);
    let text = doc.line(line);
    let (lo, hi) = (span.start - line_start, span.end - line_start);
    // The comment that holds the span.
    if hi > text.len() {
        return None;
    }
    let opens_at = |i: usize| text[i..].starts_with("//") || text[i..].starts_with("/*");
    let open = if opens_at(lo) {
        lo
    } else {
        text[..lo]
            .rmatch_indices('/')
            .map(|(i, _)| i)
            .find(|&i| opens_at(i))?
    };
    let block = text[open..].starts_with("/*");
    let close = if block {
        open + text[open..].find("*/")? + 2
    } else {
        text.len()
    };
    let comment = &text[open..close];
    let keyword_at = comment.find(FILE)?;
    let after_keyword = &comment[keyword_at + FILE.len()..];
    let keyword_len = FILE.len()
        + [NEXT_LINE, "leaklint-disable-line"]
            .iter()
            .find_map(|k| {
                after_keyword
                    .starts_with(&k[FILE.len()..])
                    .then_some(k.len() - FILE.len())
            })
            .unwrap_or(0);
    let args_start = open + keyword_at + keyword_len;
    let args_end = if block { close - 2 } else { close };
    let args = &text[args_start..args_end];
    let names_end = args
        .match_indices("--")
        .map(|(i, _)| i)
        .find(|&i| args[..i].is_empty() || args[..i].ends_with(char::is_whitespace))
        .unwrap_or(args.len());
    let names: Vec<&str> = args[..names_end]
        .split(|c: char| c == ',' || c.is_whitespace())
        .filter(|n| !n.is_empty())
        .collect();
    let whole = (lo, hi) == (open, close) || names.len() <= 1;
    if whole {
        let before = &text[..open];
        let range = if before.trim().is_empty() && text[close..].trim().is_empty() {
            // The directive is the whole line: remove the line.
            let next = if line + 1 < doc.index.line_count() {
                doc.index.line_start(line + 1)
            } else {
                doc.text.len()
            };
            doc.range(line_start, next)
        } else {
            let from = before.trim_end_matches([' ', '\t']).len();
            doc.range(line_start + from, line_start + close)
        };
        return Some((
            "Remove the unused directive".to_owned(),
            TextEdit::new(range, String::new()),
        ));
    }
    // One of several names: remove it with the comma and blanks that separate it.
    let name = &text[lo..hi];
    let after = &text[hi..args_start + names_end];
    let after_sep = after.len() - after.trim_start_matches([' ', '\t']).len();
    let (from, to) = if after[after_sep..].starts_with(',') {
        let rest = &after[after_sep + 1..];
        (
            lo,
            hi + after_sep + 1 + (rest.len() - rest.trim_start_matches([' ', '\t']).len()),
        )
    } else if !after.trim().is_empty() {
        (lo, hi + after_sep) // another name follows, after blanks
    } else {
        let before = &text[args_start..lo];
        let trimmed = before.trim_end_matches([' ', '\t']);
        let trimmed = trimmed.strip_suffix(',').unwrap_or(trimmed);
        let trimmed = trimmed.trim_end_matches([' ', '\t']);
        (
            args_start + trimmed.len() + usize::from(trimmed.is_empty()),
            hi,
        )
    };
    Some((
        format!("Remove `{name}` from the directive"),
        TextEdit::new(doc.range(line_start + from, line_start + to), String::new()),
    ))
}

/// Hover: the documentation (what `leaklint explain` prints) of every problem at `position`.
pub fn hover(result: &LintResult, position: Position, markdown: bool) -> Option<Hover> {
    let mut ids: Vec<&str> = Vec::new();
    let mut range: Option<Range> = None;
    for d in &result.diagnostics {
        let r = d.range;
        let inside =
            r.start <= position && (position < r.end || (r.start == r.end && position == r.start));
        let Some(lsp_types::NumberOrString::String(id)) = &d.code else {
            continue;
        };
        if inside && !ids.contains(&id.as_str()) {
            ids.push(id);
            range = Some(match range {
                None => r,
                Some(prev) => Range::new(prev.start.min(r.start), prev.end.max(r.end)),
            });
        }
    }
    if ids.is_empty() {
        return None;
    }
    let docs: Vec<String> = ids.iter().filter_map(|id| explain(id)).collect();
    if docs.is_empty() {
        return None; // `leaklint/config`: no documentation to show
    }
    Some(Hover {
        contents: HoverContents::Markup(MarkupContent {
            kind: if markdown {
                MarkupKind::Markdown
            } else {
                MarkupKind::PlainText
            },
            value: docs.join("\n\n---\n\n"),
        }),
        range,
    })
}

/// What `leaklint explain <id>` prints.
pub fn explain(id: &str) -> Option<String> {
    let mut out = Vec::new();
    crate::commands::explain(id, &mut out).ok()?;
    String::from_utf8(out).ok().map(|s| s.trim_end().to_owned())
}

/// The diagnostics of `result` that overlap `range`, for tests.
#[cfg(test)]
fn at(result: &LintResult, range: Range) -> Vec<&lsp_types::Diagnostic> {
    result
        .diagnostics
        .iter()
        .filter(|d| overlaps(d.range, range))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn apply(doc: &Document, edit: &TextEdit) -> String {
        let mut text = doc.text.clone();
        let start = doc.offset(edit.range.start);
        let end = doc.offset(edit.range.end);
        text.replace_range(start..end, &edit.new_text);
        text
    }

    fn doc(text: &str) -> Document {
        Document::new(text.to_owned(), 1)
    }

    #[test]
    fn disable_for_line_keeps_indentation_or_extends_a_directive() {
        let d = doc("app.get('/', (req, res) => {\n\t  bus.on('x', f);\n});\n");
        assert_eq!(
            apply(&d, &disable_for_line(&d, 1, "listener-leak")),
            "app.get('/', (req, res) => {\n\t  // leaklint-disable-next-line listener-leak -- \n\t  bus.on('x', f);\n});\n"
        );
        let d =
            doc("  // leaklint-disable-next-line timer-leak -- legacy\r\n  bus.on('x', f);\r\n");
        assert_eq!(
            apply(&d, &disable_for_line(&d, 1, "listener-leak")),
            "  // leaklint-disable-next-line timer-leak, listener-leak -- legacy\r\n  bus.on('x', f);\r\n"
        );
        let d = doc("x;\r\nbus.on('x', f);\r\n");
        assert_eq!(
            apply(&d, &disable_for_line(&d, 1, "listener-leak")),
            "x;\r\n// leaklint-disable-next-line listener-leak -- \r\nbus.on('x', f);\r\n"
        );
    }

    #[test]
    fn disable_for_file_goes_after_a_shebang_or_extends_a_directive() {
        let d = doc("#!/usr/bin/env node\nbus.on('x', f);\n");
        assert_eq!(
            apply(&d, &disable_for_file(&d, "listener-leak")),
            "#!/usr/bin/env node\n/* leaklint-disable listener-leak */\nbus.on('x', f);\n"
        );
        let d = doc("/* leaklint-disable timer-leak */\nx;\n");
        assert_eq!(
            apply(&d, &disable_for_file(&d, "listener-leak")),
            "/* leaklint-disable timer-leak, listener-leak */\nx;\n"
        );
        let d = doc("#!/usr/bin/env node");
        assert_eq!(
            apply(&d, &disable_for_file(&d, "listener-leak")),
            "#!/usr/bin/env node\n/* leaklint-disable listener-leak */"
        );
    }

    #[test]
    fn closest_rule_needs_a_clear_winner() {
        assert_eq!(closest_rule("listner-leak"), Some("listener-leak"));
        assert_eq!(closest_rule("timer-leaks"), Some("timer-leak"));
        assert_eq!(closest_rule("nope"), None);
        assert_eq!(edit_distance("kitten", "sitting"), 3);
    }

    #[test]
    fn hover_and_overlap_use_half_open_ranges() {
        let mut result = LintResult::default();
        result.diagnostics.push(super::super::convert::diagnostic(
            Range::new(Position::new(1, 2), Position::new(1, 8)),
            lsp_types::DiagnosticSeverity::ERROR,
            "listener-leak",
            None,
            "m".into(),
        ));
        assert!(hover(&result, Position::new(1, 2), true).is_some());
        assert!(hover(&result, Position::new(1, 7), true).is_some());
        assert!(hover(&result, Position::new(1, 8), true).is_none());
        let h = hover(&result, Position::new(1, 5), true).unwrap();
        let HoverContents::Markup(m) = h.contents else {
            panic!()
        };
        assert_eq!(m.value, explain("listener-leak").unwrap());
        assert_eq!(
            at(
                &result,
                Range::new(Position::new(1, 8), Position::new(1, 9))
            )
            .len(),
            1
        );
    }
}
