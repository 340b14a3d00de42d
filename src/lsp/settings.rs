//! Editor settings: `initializationOptions`, and `workspace/didChangeConfiguration`.
//!
//! ```json
//! {
//!   "rules": { "listener-leak": "warn", "timer-leak": "off" },
//!   "run": "onType",
//!   "debounceMs": 0,
//!   "reportUnusedDisableDirectives": false,
//!   "minConfidence": "medium"
//! }
//! ```
//!
//! - `rules`: levels (`"off"`, `"warn"`, `"error"`) that win over every `leaklint.toml`;
//! - `run`: `"onType"` (default) lints as you type, `"onSave"` only when a file is opened or
//!   saved (and when the configuration changes);
//! - `debounceMs`: wait this long after the last edit before linting (default 0: an edit is
//!   linted at once when the linter is idle; edits that arrive while it works are coalesced,
//!   and only the newest text is linted next);
//! - `reportUnusedDisableDirectives`: as the command-line option;
//! - `minConfidence`: `"high"` or `"medium"`, as `--min-confidence` (wins over every
//!   `leaklint.toml`); absent: the configuration's, else every finding.
//!
//! The same object may be nested under a `"leaklint"` key (the usual shape of editor settings).
//! A bad value is reported to the user and ignored; it never stops the server.

use std::time::Duration;

use serde_json::Value;

use crate::config::Level;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Run {
    OnType,
    OnSave,
}

#[derive(Clone, Debug)]
pub struct Settings {
    pub levels: Vec<(&'static str, Level)>,
    pub run: Run,
    pub debounce: Duration,
    pub report_unused: bool,
    pub min_confidence: Option<leaklint_rules::Confidence>,
}

impl Default for Settings {
    fn default() -> Settings {
        Settings {
            levels: Vec::new(),
            run: Run::OnType,
            debounce: Duration::ZERO,
            report_unused: false,
            min_confidence: None,
        }
    }
}

/// Longest accepted `debounceMs`.
const MAX_DEBOUNCE_MS: u64 = 10_000;

impl Settings {
    /// The keys of the settings object.
    pub const KEYS: [&str; 5] = [
        "rules",
        "run",
        "debounceMs",
        "reportUnusedDisableDirectives",
        "minConfidence",
    ];

    /// Reads settings from `value` (null or absent keys keep the defaults). The strings are
    /// problems to show the user; the settings are still usable.
    pub fn from_json(value: &Value) -> (Settings, Vec<String>) {
        let mut settings = Settings::default();
        let mut problems = Vec::new();
        let value = match value.get("leaklint") {
            Some(inner) if inner.is_object() => inner,
            _ => value,
        };
        let Some(object) = value.as_object() else {
            if !value.is_null() {
                problems.push("leaklint settings must be a JSON object".to_owned());
            }
            return (settings, problems);
        };
        for (key, value) in object {
            match key.as_str() {
                "rules" => settings.levels = levels(value, &mut problems),
                "run" => match value.as_str() {
                    Some("onType") => settings.run = Run::OnType,
                    Some("onSave") => settings.run = Run::OnSave,
                    _ => problems.push(format!(
                        "setting \"run\" must be \"onType\" or \"onSave\", not {value}"
                    )),
                },
                "debounceMs" => match value.as_u64() {
                    Some(ms) if ms <= MAX_DEBOUNCE_MS => {
                        settings.debounce = Duration::from_millis(ms);
                    }
                    _ => problems.push(format!(
                        "setting \"debounceMs\" must be a whole number of milliseconds from 0 to \
                         {MAX_DEBOUNCE_MS}, not {value}"
                    )),
                },
                "reportUnusedDisableDirectives" => match value.as_bool() {
                    Some(b) => settings.report_unused = b,
                    None => problems.push(format!(
                        "setting \"reportUnusedDisableDirectives\" must be true or false, not \
                         {value}"
                    )),
                },
                // null: the editor's "unset" (VS Code's default), the configuration decides.
                "minConfidence" if value.is_null() => {}
                "minConfidence" => match value.as_str().and_then(leaklint_rules::Confidence::parse)
                {
                    Some(c) => settings.min_confidence = Some(c),
                    None => problems.push(format!(
                        "setting \"minConfidence\" must be \"high\" or \"medium\", not {value}"
                    )),
                },
                other => problems.push(format!(
                    "unknown setting \"{other}\" (known: rules, run, debounceMs, \
                     reportUnusedDisableDirectives, minConfidence)"
                )),
            }
        }
        (settings, problems)
    }
}

fn levels(value: &Value, problems: &mut Vec<String>) -> Vec<(&'static str, Level)> {
    let Some(object) = value.as_object() else {
        problems.push(format!(
            "setting \"rules\" must map rule ids to \"off\", \"warn\" or \"error\", not {value}"
        ));
        return Vec::new();
    };
    let mut out = Vec::new();
    for (id, level) in object {
        let Some(meta) = leaklint_rules::find_rule(id) else {
            problems.push(format!(
                "unknown rule `{id}` in setting \"rules\"; known rules: {}",
                crate::config::known_rule_ids()
            ));
            continue;
        };
        let level = match level.as_str() {
            Some("off") => Level::Off,
            Some("warn") => Level::Warn,
            Some("error") => Level::Error,
            _ => {
                problems.push(format!(
                    "level of `{id}` in setting \"rules\" must be \"off\", \"warn\" or \"error\", \
                     not {level}"
                ));
                continue;
            }
        };
        out.push((meta.id, level));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn reads_every_setting_and_reports_bad_ones() {
        let (s, problems) = Settings::from_json(&json!({
            "leaklint": {
                "rules": { "listener-leak": "warn", "timer-leak": "off", "nope": "error", "unbounded-cache": 2 },
                "run": "onSave",
                "debounceMs": 25,
                "reportUnusedDisableDirectives": true,
                "colour": "blue"
            }
        }));
        assert_eq!(
            s.levels,
            vec![("listener-leak", Level::Warn), ("timer-leak", Level::Off)]
        );
        assert_eq!(s.run, Run::OnSave);
        assert_eq!(s.debounce, Duration::from_millis(25));
        assert!(s.report_unused);
        assert_eq!(problems.len(), 3, "{problems:?}");
    }

    #[test]
    fn null_means_defaults() {
        let (s, problems) = Settings::from_json(&Value::Null);
        assert!(problems.is_empty());
        assert_eq!(s.run, Run::OnType);
        assert!(s.levels.is_empty());
    }
}
