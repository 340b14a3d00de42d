//! Dockerfiles: instructions, continuation lines, exec and shell form, stages.
//!
//! The syntax is small (docs.docker.com "Dockerfile reference"): one instruction per logical
//! line, continued by the escape character (`\`, or the one a `# escape=` directive names) at
//! the end of a line; comment lines start with `#`; arguments of `CMD`, `ENTRYPOINT` and `RUN`
//! are a JSON array of strings (exec form) or a shell line (shell form). Continuations and
//! comment lines inside an instruction are blanked out rather than removed, so that every
//! offset in an instruction's text is its offset in the file.
//!
//! The image's command is the last `ENTRYPOINT` and `CMD` of the final stage (a stage built
//! `FROM` an earlier one inherits its settings); its `NODE_OPTIONS` come from `ENV` in that
//! stage and the stages it is built from. `RUN` lines that write a crontab are read for
//! scheduled restarts.

use super::command::{self, Origin, Word};
use super::{Command, Deployment, Service, crontab_restarts, tree};
use crate::{ParseError, Span};

/// One instruction: keyword and arguments, with the arguments' offset in the file.
struct Instruction {
    keyword: String,
    keyword_span: Span,
    /// The arguments, same length as their source text (continuations blanked).
    args: String,
    args_start: usize,
}

/// Settings of a stage that the image's command depends on.
#[derive(Clone, Default)]
struct Stage {
    name: Option<String>,
    env_options: Vec<Word>,
    env_unknown: bool,
    entrypoint: Option<(Vec<Command>, bool, Span)>,
    cmd: Option<(Vec<Command>, bool, Span)>,
}

pub(super) fn read(d: &mut Deployment<'_>) -> Result<(), ParseError> {
    let text = d.text;
    let instructions = instructions(text)?;
    let mut stages: Vec<Stage> = Vec::new();
    for ins in &instructions {
        let origin = Origin {
            span: Span::new(ins.args_start, ins.args_start + ins.args.len()),
            exact: Some(ins.args_start),
        };
        match ins.keyword.as_str() {
            "FROM" => {
                let words: Vec<String> = ins.args.split_whitespace().map(String::from).collect();
                let base = words.iter().find(|w| !w.starts_with("--"));
                let mut stage = base
                    .and_then(|b| {
                        stages
                            .iter()
                            .find(|s| s.name.as_deref() == Some(b.as_str()))
                    })
                    .cloned()
                    .unwrap_or_default();
                stage.name = words
                    .iter()
                    .position(|w| w.eq_ignore_ascii_case("as"))
                    .and_then(|i| words.get(i + 1).cloned());
                stages.push(stage);
            }
            "ENV" => {
                let stage = current(&mut stages);
                for (name, value) in env_pairs(ins, origin) {
                    if name == "NODE_OPTIONS" {
                        stage.env_unknown = value.iter().any(|w| super::expands(&w.text));
                        stage.env_options = value;
                    }
                }
            }
            "CMD" | "ENTRYPOINT" => {
                let (commands, exec) = command_of(ins, origin);
                let stage = current(&mut stages);
                let setting = Some((commands, exec, ins.keyword_span));
                if ins.keyword == "CMD" {
                    stage.cmd = setting;
                } else {
                    stage.entrypoint = setting;
                }
            }
            "RUN" => crontab_restarts(&ins.args, origin, &mut d.restarts),
            _ => {}
        }
    }
    let Some(last) = stages.pop() else {
        return Ok(());
    };
    // Exec-form ENTRYPOINT takes exec-form CMD as extra arguments; shell-form ENTRYPOINT
    // ignores CMD (Dockerfile reference, "Understand how CMD and ENTRYPOINT interact").
    let (commands, span, name) = match (last.entrypoint, last.cmd) {
        (Some((mut entry, true, span)), Some((cmd, true, _))) => {
            if let (Some(e), Some(c)) = (entry.last_mut(), cmd.into_iter().next()) {
                e.words.extend(c.words);
            }
            (entry, span, "ENTRYPOINT")
        }
        (Some((entry, _, span)), _) => (entry, span, "ENTRYPOINT"),
        (None, Some((cmd, _, span))) => (cmd, span, "CMD"),
        (None, None) => return Ok(()),
    };
    d.services.push(Service {
        name: name.into(),
        span,
        commands,
        env_options: last.env_options,
        options_unknown: last.env_unknown,
        long_running: true,
        ..Service::default()
    });
    Ok(())
}

fn current(stages: &mut Vec<Stage>) -> &mut Stage {
    if stages.is_empty() {
        // Instructions before FROM (only ARG is allowed there; be lenient).
        stages.push(Stage::default());
    }
    stages.last_mut().expect("just pushed")
}

/// CMD / ENTRYPOINT arguments: exec form when they are a JSON array of strings, else shell
/// form (as Docker decides). Returns the commands and whether the form was exec.
fn command_of(ins: &Instruction, origin: Origin) -> (Vec<Command>, bool) {
    let trimmed = ins.args.trim_start();
    if trimmed.starts_with('[')
        && let Ok(node) = tree::json(&ins.args)
        && let tree::Value::Seq(items) = &node.value
        && items.iter().all(|i| i.str().is_some())
    {
        let words = items
            .iter()
            .map(|i| {
                let s = i.str().unwrap_or_default();
                let span = Span::new(ins.args_start + i.span.start, ins.args_start + i.span.end);
                let inner = Origin::of(&ins.args, s, i.span);
                Word {
                    text: s.to_string(),
                    span,
                    exact: inner.exact.map(|e| ins.args_start + e),
                    value_at: None,
                }
            })
            .collect();
        return (command::words(words), true);
    }
    (command::shell(&ins.args, origin), false)
}

/// `ENV A=1 B="x y"` or the legacy `ENV A x y`: names with their values' option words.
fn env_pairs(ins: &Instruction, origin: Origin) -> Vec<(String, Vec<Word>)> {
    let words: Vec<Word> = command::shell(&ins.args, origin)
        .into_iter()
        .flat_map(|c| c.words)
        .collect();
    let Some(first) = words.first() else {
        return Vec::new();
    };
    if command::assignment(&first.text).is_some() {
        words
            .iter()
            .filter_map(|w| {
                let (name, value) = command::assignment(&w.text)?;
                Some((name.to_string(), command::split_options(w, value.len())))
            })
            .collect()
    } else {
        let rest = words[1..].to_vec();
        vec![(first.text.clone(), rest)]
    }
}

/// Splits the file into instructions.
///
/// Errors: an instruction line that does not start with a keyword (`COPY` misspelt is still a
/// keyword-shaped word; a line starting with `=` or a quote is not), or a heredoc that is
/// never closed.
fn instructions(text: &str) -> Result<Vec<Instruction>, ParseError> {
    let mut escape = '\\';
    let mut out = Vec::new();
    let mut lines = line_spans(text).into_iter().peekable();
    let mut directives_allowed = true;
    while let Some((start, end)) = lines.next() {
        let line = &text[start..end];
        let trimmed = line.trim_start();
        if trimmed.is_empty() {
            directives_allowed = false;
            continue;
        }
        if let Some(comment) = trimmed.strip_prefix('#') {
            if directives_allowed
                && let Some((key, value)) = comment.split_once('=')
                && key.trim().eq_ignore_ascii_case("escape")
            {
                let value = value.trim();
                if value == "`" {
                    escape = '`';
                }
            } else {
                directives_allowed = false;
            }
            continue;
        }
        directives_allowed = false;
        let kw_start = start + (line.len() - trimmed.len());
        let kw_len = trimmed.find(char::is_whitespace).unwrap_or(trimmed.len());
        let keyword = &trimmed[..kw_len];
        if !keyword.chars().all(|c| c.is_ascii_alphabetic()) {
            return Err(ParseError {
                offset: kw_start,
                message: format!(
                    "Dockerfile: expected an instruction (FROM, RUN, CMD, …), found `{}`",
                    keyword.chars().take(40).collect::<String>()
                ),
            });
        }
        let args_start = kw_start + kw_len;
        // The logical line: blank out continuations and comment lines inside it.
        let mut args = String::from(&text[args_start..end]);
        let mut continued = ends_with_escape(&args, escape);
        while continued {
            if ends_with_escape(&args, escape) {
                blank_escape(&mut args, escape);
            }
            let Some((s, e)) = lines.next() else { break };
            // What lies between the previous line's end and this line (the newline).
            args.push_str(&" ".repeat(s - (args_start + args.len())));
            let next = &text[s..e];
            let t = next.trim_start();
            if t.starts_with('#') || t.is_empty() {
                args.push_str(&" ".repeat(next.len()));
                continued = true;
                continue;
            }
            args.push_str(next);
            continued = ends_with_escape(next, escape);
        }
        // Heredocs (`RUN <<EOF`): the body, up to the delimiter line, belongs to the
        // instruction.
        if let Some(delimiter) = heredoc_delimiter(&args) {
            let mut closed = false;
            for (s, e) in lines.by_ref() {
                args.push_str(&" ".repeat(s - (args_start + args.len())));
                args.push_str(&text[s..e]);
                if text[s..e].trim() == delimiter {
                    closed = true;
                    break;
                }
            }
            if !closed {
                return Err(ParseError {
                    offset: kw_start,
                    message: format!("Dockerfile: heredoc `{delimiter}` is never closed"),
                });
            }
        }
        out.push(Instruction {
            keyword: keyword.to_ascii_uppercase(),
            keyword_span: Span::new(kw_start, kw_start + kw_len),
            args,
            args_start,
        });
    }
    Ok(out)
}

/// `(start, end)` of each line, without its line break.
fn line_spans(text: &str) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    let mut start = 0;
    for (i, c) in text.char_indices() {
        if c == '\n' {
            let end = if i > start && text.as_bytes()[i - 1] == b'\r' {
                i - 1
            } else {
                i
            };
            out.push((start, end));
            start = i + 1;
        }
    }
    if start < text.len() {
        out.push((start, text.len()));
    }
    out
}

fn ends_with_escape(line: &str, escape: char) -> bool {
    line.trim_end().ends_with(escape)
}

/// Replaces the trailing escape character (and blanks after it) by spaces.
fn blank_escape(args: &mut String, escape: char) {
    let trimmed = args.trim_end().len();
    let at = trimmed - escape.len_utf8();
    args.replace_range(at..trimmed, &" ".repeat(escape.len_utf8()));
}

/// The delimiter of a heredoc opened on this line (`<<EOF`, `<<-EOF`, `<<"EOF"`).
fn heredoc_delimiter(args: &str) -> Option<String> {
    let at = args.find("<<")?;
    let rest = args[at + 2..].trim_start_matches('-');
    let word: String = rest
        .trim_matches(|c| c == '"' || c == '\'')
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
        .collect();
    (!word.is_empty()).then_some(word)
}

#[cfg(test)]
mod tests {
    use super::super::{Context, DeployKind, read as read_file};

    #[test]
    fn final_stage_command_with_env() {
        let src = "FROM node:22 AS build\nRUN npm ci \\\n  && npm run build\n\nFROM node:22-slim\nENV NODE_ENV=production \\\n    NODE_OPTIONS=\"--max-old-space-size=512\"\nCMD [\"node\", \"dist/server.js\"]\n";
        let ctx = Context::default();
        let d = read_file(src, DeployKind::Dockerfile, &ctx, None).unwrap();
        assert_eq!(d.services.len(), 1);
        let s = &d.services[0];
        let run = &s.node_runs()[0];
        assert_eq!(&src[run.node.span.start..run.node.span.end], "\"node\"");
        let opts = s.options_of(run);
        let (w, v) = super::command::option_value(&opts, "--max-old-space-size").unwrap();
        assert_eq!(v, "512");
        assert_eq!(&src[w.span.start..w.span.end], "--max-old-space-size=512");
    }

    #[test]
    fn bad_line_is_an_error_with_position() {
        let src = "FROM node\n\"oops\"\n";
        let e = read_file(src, DeployKind::Dockerfile, &Context::default(), None).unwrap_err();
        assert_eq!(e.offset, 10);
    }
}
