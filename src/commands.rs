//! The subcommands that do not lint: `rules`, `explain`, `init`.

use std::fmt::Write as _;
use std::io::Write;
use std::path::Path;

use crate::exit::{Exit, Failure};

/// `leaklint rules`: id, default severity, category and summary, one rule per line, aligned.
pub fn rules(out: &mut dyn Write) -> Result<Exit, Failure> {
    let metas: Vec<_> = leaklint_rules::ALL.iter().map(|r| r.meta()).collect();
    let id_width = metas.iter().map(|m| m.id.len()).max().unwrap_or(0);
    let mut text = String::new();
    for m in metas {
        let _ = writeln!(
            text,
            "{:<id_width$}  {:<7}  {:<9}  {}",
            m.id,
            m.severity.as_str(),
            m.category.as_str(),
            m.summary()
        );
    }
    out.write_all(text.as_bytes()).map_err(Failure::stdout)?;
    Ok(Exit::Clean)
}

/// `leaklint explain <rule>`: the rule's documentation as markdown.
pub fn explain(id: &str, out: &mut dyn Write) -> Result<Exit, Failure> {
    if let Some(builtin) = crate::report::Builtin::from_id(id) {
        let text = format!(
            "# {id}\n\nReported by leaklint itself.\n\n{}\n",
            builtin.docs()
        );
        out.write_all(text.as_bytes()).map_err(Failure::stdout)?;
        return Ok(Exit::Clean);
    }
    let Some(meta) = leaklint_rules::find_rule(id) else {
        return Err(Failure::Usage(format!(
            "unknown rule `{id}`; known rules: {}",
            crate::config::known_rule_ids()
        )));
    };
    let text = format!(
        "# {}\n\nDefault severity: {}. Category: {}.\n\n{}\n",
        meta.id,
        meta.severity.as_str(),
        meta.category.as_str(),
        dedent(meta.docs).trim()
    );
    out.write_all(text.as_bytes()).map_err(Failure::stdout)?;
    Ok(Exit::Clean)
}

/// Rule docs come from `///` comments, so every line starts with the space after `///`; strip
/// it, or markdown renderers would see indented text.
pub(crate) fn dedent(docs: &str) -> String {
    docs.lines()
        .map(|line| line.strip_prefix(' ').unwrap_or(line))
        .collect::<Vec<_>>()
        .join("\n")
}

/// `leaklint init`: writes a commented starter configuration into `dir`, never over an existing
/// one.
pub fn init(dir: &Path, out: &mut dyn Write) -> Result<Exit, Failure> {
    let path = dir.join(crate::config::FILE_NAME);
    let mut file = match std::fs::OpenOptions::new()
        .write(true)
        .create_new(true) // atomically refuses to overwrite
        .open(&path)
    {
        Ok(file) => file,
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
            return Err(Failure::Usage(format!(
                "{} already exists; leaklint init does not overwrite it",
                crate::config::FILE_NAME
            )));
        }
        Err(e) => {
            return Err(Failure::Io(format!(
                "cannot create {}: {e}",
                crate::config::FILE_NAME
            )));
        }
    };
    file.write_all(starter_config().as_bytes())
        .map_err(|e| Failure::Io(format!("cannot write {}: {e}", crate::config::FILE_NAME)))?;
    writeln!(out, "wrote {}", crate::config::FILE_NAME).map_err(Failure::stdout)?;
    Ok(Exit::Clean)
}

/// The starter `leaklint.toml`: every key, commented, with each rule at its default level.
pub fn starter_config() -> String {
    let mut rules = String::new();
    for r in leaklint_rules::ALL {
        let m = r.meta();
        let level = match m.severity {
            leaklint_rules::Severity::Error => "error",
            leaklint_rules::Severity::Warning => "warn",
            leaklint_rules::Severity::Info => "info",
        };
        let _ = writeln!(rules, "# {}\n# {} = \"{level}\"", m.summary(), m.id);
    }
    format!(
        r#"# leaklint configuration.
# leaklint uses the nearest leaklint.toml in or above each linted file's directory (configurations
# are not merged), or the file given with --config. `leaklint rules` lists the rules and
# `leaklint explain <rule>` describes one.

# Files to skip, as globs relative to this file's directory. A glob without "/" matches at any
# depth ("*.generated.js"); a glob that matches a directory skips everything in it ("dist/").
ignore = [
  # "dist/",
  # "*.generated.js",
]

# Report only findings at least this sure: "high" (the repetition and the lifetime are proven from
# the code) or "medium" (the default: also inferred ones, such as library functions that can be
# called any number of times). --min-confidence wins.
# min_confidence = "high"

# Seconds one file may take to lint before it is reported as not analysed (with the phase it was
# in) and the other files are linted without it; 0: no limit. --file-budget wins.
# file_budget = 10

# Rule levels: "off", "info", "warn" or "error". The commented lines show the defaults.
[rules]
{rules}
# What leaklint cannot infer from one file.
[knowledge]
# Methods that register per-request handlers, e.g. "action" for router.action('/x', handler).
handler_registrars = []
# Names whose values live as long as the process, e.g. an event bus imported everywhere.
long_lived = []
# HTTP clients (functions or modules) besides fetch, axios, got, undici and http(s): their
# calls in repeating code need a `timeout` or `signal`.
http_clients = []
"#
    )
}
