//! `leaklint.toml`: rule levels, ignore globs and project knowledge (design §4).
//!
//! Discovery: for each linted file, the nearest `leaklint.toml` in its directory or an ancestor
//! wins; configurations are not merged. `--config FILE` replaces discovery for every file.
//!
//! ```toml
//! ignore = ["dist/", "*.min.js"]      # globs relative to this file's directory (see globs.rs)
//! min_confidence = "high"             # "high" | "medium" (default): see leaklint_rules::Confidence
//! file_budget = 10                    # seconds one file may take to lint; 0: no limit
//!
//! [rules]
//! listener-leak = "warn"              # "off" | "info" | "warn" | "error"
//!
//! [knowledge]
//! handler_registrars = ["action"]     # extra methods that register per-request handlers
//! long_lived = ["bus"]                # extra names whose values live for the whole process
//! http_clients = ["@acme/http"]       # extra HTTP client names
//! ```
//!
//! Unknown keys, unknown rule ids, bad levels and bad globs are errors naming the file, the line
//! and column, and the offending key or value.

use std::collections::{BTreeMap, HashMap};
use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use leaklint_rules::{Confidence, Knowledge, LineIndex, Meta, Severity};
use serde::Deserialize;
use toml::Spanned;

use crate::globs::IgnoreGlobs;

/// The file name looked for.
pub const FILE_NAME: &str = "leaklint.toml";

/// A rule's level in a configuration.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Level {
    Off,
    /// Reported at information level: never fails a run.
    Info,
    Warn,
    Error,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawConfig {
    #[serde(default)]
    // Values are checked by hand, after the key: "unknown rule" is the likelier mistake, and
    // the message can list the accepted levels.
    rules: BTreeMap<Spanned<String>, Spanned<toml::Value>>,
    #[serde(default)]
    ignore: Vec<Spanned<String>>,
    #[serde(default)]
    knowledge: RawKnowledge,
    /// `"high"` or `"medium"`; checked by hand so the message can list the values.
    #[serde(default)]
    min_confidence: Option<Spanned<String>>,
    /// Seconds (an integer or a float); checked by hand so the message can say what is allowed.
    #[serde(default)]
    file_budget: Option<Spanned<toml::Value>>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawKnowledge {
    #[serde(default)]
    handler_registrars: Vec<String>,
    #[serde(default)]
    long_lived: Vec<String>,
    /// Accepted so that older configurations still load; nothing needs it (see README).
    #[serde(default)]
    lru_constructors: Vec<String>,
    #[serde(default)]
    http_clients: Vec<String>,
}

/// A loaded, validated configuration.
#[derive(Debug)]
pub struct Config {
    /// As shown in messages.
    pub display: String,
    levels: HashMap<&'static str, Level>,
    pub ignore: IgnoreGlobs,
    pub knowledge: Knowledge,
    /// `min_confidence`: findings less sure than this are not reported (`--min-confidence`
    /// wins). None: every finding.
    pub min_confidence: Option<Confidence>,
    /// `file_budget`: how long one file may take to lint (`--file-budget` wins; zero: no
    /// limit). None: the default, [`crate::engine::DEFAULT_FILE_BUDGET`].
    pub file_budget: Option<std::time::Duration>,
}

impl Config {
    /// The built-in defaults (no configuration file anywhere).
    pub fn defaults(cwd: &Path) -> Config {
        Config {
            display: String::new(),
            levels: HashMap::new(),
            ignore: IgnoreGlobs::new(cwd.to_path_buf(), &[]).expect("no globs always compile"),
            knowledge: Knowledge::default(),
            min_confidence: None,
            file_budget: None,
        }
    }

    /// Reads and validates the configuration at `path` (absolute).
    pub fn load(path: &Path, cwd: &Path) -> Result<Config, ConfigError> {
        let display = crate::paths::display(path, cwd);
        let text = read_limited(path).map_err(|message| ConfigError {
            location: display.clone(),
            message,
            file: path.to_path_buf(),
            position: None,
        })?;
        Config::from_text(&text, path, display)
    }

    /// Validates configuration `text` read from `path` (absolute; `display` is how messages
    /// name it). Globs are relative to the directory of `path`.
    pub fn from_text(text: &str, path: &Path, display: String) -> Result<Config, ConfigError> {
        // An error at a byte offset of the file, or at the whole file.
        let error = |offset: Option<usize>, message: String| {
            let position = offset.map(|offset| LineIndex::new(text).position(text, offset));
            ConfigError {
                location: match position {
                    Some(pos) => format!("{display}:{}:{}", pos.line, pos.column),
                    None => display.clone(),
                },
                message,
                file: path.to_path_buf(),
                position,
            }
        };
        let raw: RawConfig = toml::from_str(text).map_err(|e| match e.span() {
            Some(span) => error(Some(span.start), e.message().trim().to_owned()),
            // The TOML reader gives no position when it stops at its nesting limit: point at
            // the most deeply nested key or header ourselves.
            None => {
                let (offset, key) = deepest_key(text);
                error(Some(offset), format!("{} (at `{key}`)", e.message().trim()))
            }
        })?;

        let mut levels = HashMap::new();
        for (id, level) in raw.rules {
            let Some(meta) = leaklint_rules::find_rule(id.get_ref()) else {
                return Err(error(
                    Some(id.span().start),
                    format!(
                        "unknown rule `{}` in [rules]; known rules: {}",
                        id.get_ref(),
                        known_rule_ids()
                    ),
                ));
            };
            let level = match level.get_ref().as_str() {
                Some("off") => Level::Off,
                Some("info") => Level::Info,
                Some("warn") => Level::Warn,
                Some("error") => Level::Error,
                _ => {
                    return Err(error(
                        Some(level.span().start),
                        format!(
                            "level of `{}` must be \"off\", \"info\", \"warn\" or \"error\", not {}",
                            meta.id,
                            level.get_ref()
                        ),
                    ));
                }
            };
            levels.insert(meta.id, level);
        }

        let base = path.parent().unwrap_or(Path::new("/")).to_path_buf();
        let mut patterns = Vec::new();
        for glob in &raw.ignore {
            // Compile one by one so that the error points at the bad glob.
            IgnoreGlobs::new(base.clone(), std::slice::from_ref(glob.get_ref()))
                .map_err(|message| error(Some(glob.span().start), message))?;
            patterns.push(glob.get_ref().clone());
        }
        let ignore = IgnoreGlobs::new(base, &patterns).map_err(|message| error(None, message))?;

        let min_confidence = match &raw.min_confidence {
            None => None,
            Some(value) => Some(Confidence::parse(value.get_ref()).ok_or_else(|| {
                error(
                    Some(value.span().start),
                    format!(
                        "min_confidence must be \"high\" or \"medium\", not \"{}\"",
                        value.get_ref()
                    ),
                )
            })?),
        };
        let file_budget = match &raw.file_budget {
            None => None,
            Some(value) => {
                let seconds = match value.get_ref() {
                    toml::Value::Integer(i) => Ok(*i as f64),
                    toml::Value::Float(f) => Ok(*f),
                    other => Err(format!(
                        "file_budget must be a number of seconds, not {other}"
                    )),
                };
                let budget = seconds.and_then(|s| {
                    crate::budget::seconds(s).map_err(|e| format!("file_budget: {e}"))
                });
                Some(budget.map_err(|message| error(Some(value.span().start), message))?)
            }
        };
        let k = raw.knowledge;
        Ok(Config {
            file_budget,
            min_confidence,
            display,
            levels,
            ignore,
            knowledge: Knowledge {
                handler_registrars: k.handler_registrars,
                long_lived: k.long_lived,
                lru_constructors: k.lru_constructors,
                http_clients: k.http_clients,
            },
        })
    }

    /// The configured level of a rule, or its default severity.
    pub fn level(&self, rule: &Meta) -> Level {
        self.levels
            .get(rule.id)
            .copied()
            .unwrap_or(match rule.severity {
                Severity::Info => Level::Info,
                Severity::Warning => Level::Warn,
                Severity::Error => Level::Error,
            })
    }
}

/// Largest configuration file read: `leaklint.toml` files are a few hundred bytes, and a path
/// such as `/dev/zero` must not be read until memory runs out.
const MAX_CONFIG_BYTES: u64 = 1 << 20;

/// The file's text, or why it cannot be used.
fn read_limited(path: &Path) -> Result<String, String> {
    use std::io::Read;
    let file = std::fs::File::open(path).map_err(|e| format!("cannot read configuration: {e}"))?;
    let mut bytes = Vec::new();
    file.take(MAX_CONFIG_BYTES + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| format!("cannot read configuration: {e}"))?;
    if bytes.len() as u64 > MAX_CONFIG_BYTES {
        return Err(format!(
            "cannot read configuration: larger than {} MiB, which no leaklint.toml is",
            MAX_CONFIG_BYTES >> 20
        ));
    }
    String::from_utf8(bytes).map_err(|e| format!("cannot read configuration: not UTF-8 text ({e})"))
}

/// The line with the most deeply nested key or table header (most `.`, `[` and `{` outside
/// strings): its byte offset and its first characters.
fn deepest_key(text: &str) -> (usize, String) {
    let mut best = (0, 0, "");
    let mut offset = 0;
    for line in text.split_inclusive('\n') {
        let mut depth = 0;
        let mut quote = None;
        for c in line.chars() {
            match (quote, c) {
                (None, '"' | '\'') => quote = Some(c),
                (Some(q), c) if c == q => quote = None,
                (None, '#') => break,
                (None, '.' | '[' | '{') => depth += 1,
                _ => {}
            }
        }
        if depth > best.0 {
            best = (depth, offset, line);
        }
        offset += line.len();
    }
    let (_, at, line) = best;
    let trimmed = line.trim();
    let shown: String = trimmed.chars().take(40).collect();
    let more = if shown.len() < trimmed.len() {
        "…"
    } else {
        ""
    };
    (
        at + (line.len() - line.trim_start().len()),
        format!("{shown}{more}"),
    )
}

/// Every rule id, comma-separated, for messages about unknown ids.
pub fn known_rule_ids() -> String {
    leaklint_rules::ALL
        .iter()
        .map(|r| r.meta().id)
        .collect::<Vec<_>>()
        .join(", ")
}

/// A configuration that cannot be used. `location` is `file` or `file:line:column`.
#[derive(Debug, Clone)]
pub struct ConfigError {
    pub location: String,
    pub message: String,
    /// The configuration file (absolute), and where in it the problem is when that is known
    /// (1-based line, UTF-16 column): the language server shows the error there.
    pub file: PathBuf,
    pub position: Option<leaklint_rules::line_index::Position>,
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "invalid configuration {}: {}",
            self.location, self.message
        )
    }
}

/// Finds the configuration for each directory, reading every `leaklint.toml` once.
pub struct Configs {
    cwd: PathBuf,
    explicit: Option<Arc<Config>>,
    defaults: Arc<Config>,
    /// Directory → nearest configuration (None: none up to the root).
    cache: Mutex<HashMap<PathBuf, Option<Arc<Config>>>>,
}

impl Configs {
    /// With `explicit` (`--config`), every file gets that configuration.
    pub fn new(cwd: &Path, explicit: Option<&Path>) -> Result<Configs, ConfigError> {
        let explicit = match explicit {
            Some(path) => {
                let abs = crate::paths::absolute(path, cwd);
                Some(Arc::new(Config::load(&abs, cwd)?))
            }
            None => None,
        };
        Ok(Configs {
            cwd: cwd.to_path_buf(),
            explicit,
            defaults: Arc::new(Config::defaults(cwd)),
            cache: Mutex::new(HashMap::new()),
        })
    }

    /// The configuration that applies in directory `dir` (absolute).
    pub fn for_dir(&self, dir: &Path) -> Result<Arc<Config>, ConfigError> {
        if let Some(config) = &self.explicit {
            return Ok(config.clone());
        }
        let found = self.nearest(dir)?;
        Ok(found.unwrap_or_else(|| self.defaults.clone()))
    }

    /// The configuration of the file at `path` (absolute).
    pub fn for_file(&self, path: &Path) -> Result<Arc<Config>, ConfigError> {
        self.for_dir(path.parent().unwrap_or(Path::new("/")))
    }

    fn nearest(&self, dir: &Path) -> Result<Option<Arc<Config>>, ConfigError> {
        let mut visited = Vec::new();
        let mut found = None;
        for ancestor in dir.ancestors() {
            if let Some(cached) = self.lock().get(ancestor) {
                found = cached.clone();
                break;
            }
            visited.push(ancestor.to_path_buf());
            let candidate = ancestor.join(FILE_NAME);
            if candidate.is_file() {
                found = Some(Arc::new(Config::load(&candidate, &self.cwd)?));
                break;
            }
        }
        let mut cache = self.lock();
        for dir in visited {
            cache.insert(dir, found.clone());
        }
        Ok(found)
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<PathBuf, Option<Arc<Config>>>> {
        // A poisoned cache only means another thread panicked mid-insert; the map is still valid.
        self.cache.lock().unwrap_or_else(|e| e.into_inner())
    }
}
