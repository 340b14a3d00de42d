//! Start commands: shell words with positions, and what a `node` invocation in them sets.
//!
//! A command arrives either as a shell line (Dockerfile shell form, a Procfile line, a
//! `package.json` script, a compose `command:` string, `ExecStart=`) or as a list of words (exec
//! form, a Kubernetes `command`/`args` list, a compose list). Both become [`Command`]s: one per
//! simple command, split at `&&`, `||`, `;`, `|`, `&` and newlines. `sh -c "…"` is looked into.
//!
//! Node options come from the command line (`node --max-old-space-size=512 app.js`) and from
//! `NODE_OPTIONS` (an inline `NODE_OPTIONS=… node`, `cross-env`, or the service's environment;
//! Node reads the variable at start-up, see nodejs.org/api/cli.html#node_optionsoptions).

use crate::Span;

/// One word of a command, unquoted, with where it is.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Word {
    pub text: String,
    /// The whole word in the file, quotes included.
    pub span: Span,
    /// Byte offset of `text` in the file when the word maps one to one onto it (no escapes):
    /// positions inside the word (an `sh -c` script) are then exact.
    pub exact: Option<usize>,
    /// For an assignment whose value is one quoted string (`NODE_OPTIONS='--a --b'`): the
    /// byte offset of the value's first character in the file.
    pub value_at: Option<usize>,
}

/// One simple command: its words, in order.
#[derive(Clone, Debug, Default)]
pub struct Command {
    pub words: Vec<Word>,
}

/// Where a text value came from, to give its words positions.
#[derive(Clone, Copy, Debug)]
pub struct Origin {
    /// The value's span in the file (for a quoted scalar, the quotes included).
    pub span: Span,
    /// Offset of the value's first character when the text is in the file as is.
    pub exact: Option<usize>,
}

impl Origin {
    /// The origin of `value`, read from `src` at `span`: exact when the source there is the
    /// value itself, or the value in one pair of quotes.
    pub fn of(src: &str, value: &str, span: Span) -> Origin {
        let raw = src.get(span.start..span.end).unwrap_or("");
        let exact = if raw == value {
            Some(span.start)
        } else if raw.len() == value.len() + 2
            && (raw.starts_with('"') || raw.starts_with('\''))
            && &raw[1..raw.len() - 1] == value
        {
            Some(span.start + 1)
        } else {
            None
        };
        Origin { span, exact }
    }

    fn word_span(&self, start: usize, end: usize) -> (Span, Option<usize>) {
        match self.exact {
            Some(base) => (Span::new(base + start, base + end), Some(base + start)),
            None => (self.span, None),
        }
    }
}

/// Splits a shell line into simple commands. Quotes (`'…'`, `"…"`) and backslashes are
/// removed from words; `$(…)` and redirections are kept as words (they are never `node`).
pub fn shell(line: &str, origin: Origin) -> Vec<Command> {
    let mut commands = vec![Command::default()];
    let mut chars = line.char_indices().peekable();
    let mut word = String::new();
    let mut word_start: Option<usize> = None;
    // Set when a quote or escape makes the word differ from its source text.
    let mut altered = false;
    // `NAME='value'`: where the quoted value starts, in the line and in the word.
    let mut quoted_value: Option<(usize, usize)> = None;
    let finish = |word: &mut String,
                  start: &mut Option<usize>,
                  altered: &mut bool,
                  quoted_value: &mut Option<(usize, usize)>,
                  end: usize,
                  commands: &mut Vec<Command>| {
        let value = quoted_value.take();
        if let Some(s) = start.take() {
            let value_at = value.and_then(|(in_line, in_word)| {
                let closes = end > in_line && line.get(in_line..end - 1) == word.get(in_word..);
                closes.then_some(origin.exact? + in_line)
            });
            let (span, exact) = origin.word_span(s, end);
            let whole = !*altered && exact.is_some();
            let quoted_whole = *altered
                && origin.exact.is_some()
                && line[s..end].len() == word.len() + 2
                && line[s + 1..end - 1] == *word;
            commands.last_mut().expect("never empty").words.push(Word {
                text: std::mem::take(word),
                span,
                exact: if whole {
                    exact
                } else if quoted_whole {
                    exact.map(|e| e + 1)
                } else {
                    None
                },
                value_at,
            });
            *altered = false;
        }
    };
    while let Some((i, c)) = chars.next() {
        match c {
            ' ' | '\t' | '\r' => finish(
                &mut word,
                &mut word_start,
                &mut altered,
                &mut quoted_value,
                i,
                &mut commands,
            ),
            '\n' | ';' | '&' | '|' => {
                finish(
                    &mut word,
                    &mut word_start,
                    &mut altered,
                    &mut quoted_value,
                    i,
                    &mut commands,
                );
                if let Some(&(_, next)) = chars.peek()
                    && (next == c && c != '\n' && c != ';')
                {
                    chars.next();
                }
                if !commands.last().expect("never empty").words.is_empty() {
                    commands.push(Command::default());
                }
            }
            '\'' | '"' => {
                word_start.get_or_insert(i);
                if !altered && word.ends_with('=') && assignment(&word).is_some() {
                    quoted_value = Some((i + 1, word.len()));
                } else {
                    quoted_value = None;
                }
                altered = true;
                let mut closed = false;
                while let Some((_, q)) = chars.next() {
                    if q == c {
                        closed = true;
                        break;
                    }
                    if q == '\\' && c == '"' {
                        if let Some((_, e)) = chars.next() {
                            word.push(e);
                        }
                        continue;
                    }
                    word.push(q);
                }
                if !closed {
                    break;
                }
            }
            '\\' => {
                word_start.get_or_insert(i);
                altered = true;
                match chars.next() {
                    // A line continuation joins the lines.
                    Some((_, '\n')) => {}
                    Some((_, e)) => word.push(e),
                    None => {}
                }
            }
            '#' if word_start.is_none() => {
                // A comment runs to the end of the line.
                for (_, n) in chars.by_ref() {
                    if n == '\n' {
                        break;
                    }
                }
                if !commands.last().expect("never empty").words.is_empty() {
                    commands.push(Command::default());
                }
            }
            _ => {
                word_start.get_or_insert(i);
                word.push(c);
            }
        }
    }
    finish(
        &mut word,
        &mut word_start,
        &mut altered,
        &mut quoted_value,
        line.len(),
        &mut commands,
    );
    commands.retain(|c| !c.words.is_empty());
    expand_shells(commands)
}

/// A command given as a list of words (exec form): one command, unless it runs a shell with
/// `-c`, whose script is split in turn.
pub fn words(words: Vec<Word>) -> Vec<Command> {
    expand_shells(vec![Command { words }])
}

/// Replaces `sh -c 'script'` (bash, dash, ash, zsh too) by the script's commands.
fn expand_shells(commands: Vec<Command>) -> Vec<Command> {
    let mut out = Vec::new();
    for command in commands {
        let w = &command.words;
        let shell_at = w
            .iter()
            .position(|x| matches!(base_name(&x.text), "sh" | "bash" | "dash" | "ash" | "zsh"));
        let script = shell_at.and_then(|i| {
            let flag = w.get(i + 1)?;
            let is_c = flag.text.starts_with('-')
                && !flag.text.starts_with("--")
                && flag.text.ends_with('c');
            is_c.then(|| w.get(i + 2)).flatten()
        });
        match script {
            Some(script) => {
                let origin = Origin {
                    span: script.span,
                    exact: script.exact,
                };
                out.extend(shell(&script.text, origin));
            }
            None => out.push(command),
        }
    }
    out
}

/// The last path component: `/usr/local/bin/node` → `node`.
pub fn base_name(word: &str) -> &str {
    word.rsplit('/').next().unwrap_or(word)
}

/// `node` as a service runs it: the executable word, its options (including `NODE_OPTIONS`
/// written inline in the command) and its script.
#[derive(Clone, Debug)]
pub struct NodeRun {
    /// The `node` word.
    pub node: Word,
    /// Options on the command line, and from an inline `NODE_OPTIONS=…` assignment.
    pub options: Vec<Word>,
    /// The script (`dist/server.js`), when one is given.
    pub script: Option<Word>,
}

/// Words that start other programs and are skipped to find the real one: init wrappers,
/// `env`, `exec`, `cross-env` and their variable assignments.
const WRAPPERS: &[&str] = &[
    "exec",
    "env",
    "cross-env",
    "cross-env-shell",
    "dumb-init",
    "tini",
    "tini-static",
    "nice",
    "nohup",
    "gosu",
    "su-exec",
    "setpriv",
];

/// Options of `node` that take the next word as their value.
const NODE_VALUE_OPTIONS: &[&str] = &[
    "-r",
    "--require",
    "--import",
    "--loader",
    "--experimental-loader",
    "--env-file",
    "--title",
    "--conditions",
    "-C",
    "--max-old-space-size",
    "--max-semi-space-size",
    "--stack-size",
    "--heapsnapshot-signal",
    "--diagnostic-dir",
    "--report-dir",
    "--report-directory",
    "--inspect-port",
];

/// The `node` run in `command`, if it runs one. `node -e`/`-p` (inline code) and
/// `node --version` are not services and give `None`.
pub fn node_run(command: &Command) -> Option<NodeRun> {
    let words = &command.words;
    let mut inline_options = Vec::new();
    let mut i = 0;
    while i < words.len() {
        let text = &words[i].text;
        if let Some((name, value)) = assignment(text) {
            if name == "NODE_OPTIONS" {
                inline_options.extend(split_options(&words[i], value.len()));
            }
            i += 1;
        } else if WRAPPERS.contains(&base_name(text)) || text == "--" || text.starts_with('-') {
            // `tini -- node`, `env -i node`, `gosu node node`: the user name of gosu/su-exec
            // is skipped as a word only when it is not itself `node`.
            if matches!(base_name(text), "gosu" | "su-exec")
                && words.get(i + 2).is_some_and(|w| is_node(&w.text))
            {
                i += 1;
            }
            i += 1;
        } else {
            break;
        }
    }
    let node = words.get(i).filter(|w| is_node(&w.text))?.clone();
    let mut options = inline_options;
    let mut script = None;
    let mut j = i + 1;
    while j < words.len() {
        let w = &words[j];
        if w.text == "-e" || w.text == "--eval" || w.text == "-p" || w.text == "--print" {
            return None;
        }
        if w.text == "-v" || w.text == "--version" || w.text == "-h" || w.text == "--help" {
            return None;
        }
        if w.text == "--" {
            script = words.get(j + 1).cloned();
            break;
        }
        if w.text.starts_with('-') {
            options.push(w.clone());
            if NODE_VALUE_OPTIONS.contains(&w.text.as_str())
                && let Some(v) = words.get(j + 1)
            {
                options.push(v.clone());
                j += 1;
            }
            j += 1;
            continue;
        }
        script = Some(w.clone());
        break;
    }
    Some(NodeRun {
        node,
        options,
        script,
    })
}

fn is_node(word: &str) -> bool {
    matches!(base_name(word), "node" | "nodejs")
}

/// `NAME=value` (a shell variable assignment).
pub fn assignment(word: &str) -> Option<(&str, &str)> {
    let (name, value) = word.split_once('=')?;
    let valid = !name.is_empty()
        && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
        && !name.starts_with(|c: char| c.is_ascii_digit());
    valid.then_some((name, value))
}

/// The options in a `NODE_OPTIONS` value held by `word`, whose last `value_len` bytes are the
/// value (`NODE_OPTIONS=--a --b`, or the value alone with `value_len == text.len()`).
pub fn split_options(word: &Word, value_len: usize) -> Vec<Word> {
    let offset = word.text.len() - value_len;
    let value = &word.text[offset..];
    let origin = Origin {
        span: word.span,
        exact: word.exact.map(|e| e + offset).or(word.value_at),
    };
    shell(value, origin)
        .into_iter()
        .flat_map(|c| c.words)
        .collect()
}

/// The value of option `name` in `options`: `--name=value` or `--name value`. Underscores and
/// dashes are the same to V8 (`--max_old_space_size`). Returns the option word and the value.
pub fn option_value<'w>(options: &'w [Word], name: &str) -> Option<(&'w Word, String)> {
    let normal = |t: &str| t.replace('_', "-");
    let mut found = None;
    for (i, w) in options.iter().enumerate() {
        let t = normal(&w.text);
        if let Some(v) = t.strip_prefix(name).and_then(|r| r.strip_prefix('=')) {
            found = Some((w, v.to_string()));
        } else if t == name
            && let Some(v) = options.get(i + 1)
        {
            found = Some((w, v.text.clone()));
        }
    }
    // The last one wins, as in Node.
    found
}

/// Does `options` have flag `name` (alone or with a value)?
pub fn has_option(options: &[Word], name: &str) -> bool {
    options.iter().any(|w| {
        let t = w.text.replace('_', "-");
        t == name || t.strip_prefix(name).is_some_and(|r| r.starts_with('='))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(src: &str) -> Origin {
        Origin::of(src, src, Span::new(0, src.len()))
    }

    #[test]
    fn splits_commands_with_positions() {
        let src = "cd /app && NODE_OPTIONS='--max-old-space-size=512' exec node dist/a.js";
        let cmds = shell(src, at(src));
        assert_eq!(cmds.len(), 2);
        let run = node_run(&cmds[1]).unwrap();
        assert_eq!(&src[run.node.span.start..run.node.span.end], "node");
        let script = run.script.unwrap();
        assert_eq!(&src[script.span.start..script.span.end], "dist/a.js");
        let (word, value) = option_value(&run.options, "--max-old-space-size").unwrap();
        assert_eq!(value, "512");
        assert_eq!(
            &src[word.span.start..word.span.end],
            "--max-old-space-size=512"
        );
    }

    #[test]
    fn looks_into_sh_c() {
        let src = r#"sh -c "node --enable-source-maps build/index.js""#;
        let cmds = shell(src, at(src));
        let run = node_run(&cmds[0]).unwrap();
        assert!(has_option(&run.options, "--enable-source-maps"));
        assert_eq!(&src[run.node.span.start..run.node.span.end], "node");
    }

    #[test]
    fn inline_code_is_no_service() {
        let src = "node -e 'console.log(1)'";
        assert!(node_run(&shell(src, at(src))[0]).is_none());
        let src = "npm start";
        assert!(node_run(&shell(src, at(src))[0]).is_none());
    }
}
