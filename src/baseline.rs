//! Bulk suppressions (a baseline) for adopting leaklint in a codebase that already has findings:
//! `--suppress-all` records how many findings each rule has in each file, later runs report
//! only what goes beyond those counts, and `--prune-suppressions` lowers the counts as findings
//! are fixed.
//!
//! The file (`leaklint-suppressions.json` in the current directory unless
//! `--suppressions-location` names another) is meant to be committed:
//!
//! ```json
//! { "version": 1, "files": { "src/app.js": { "listener-leak": 2 } } }
//! ```
//!
//! Paths are relative to the file's folder, `/`-separated, so the file means the same from any
//! working directory. Counts rather than positions: a finding keeps its place in the baseline
//! when lines above it move. When a file has more findings of a rule than recorded, nobody can
//! tell which are new, so all of them are reported, with a note saying so. Only rule findings
//! are counted: a parse error is never suppressed.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::report::{Report, Source};

/// The file name used when `--suppressions-location` is not given.
pub const DEFAULT_FILE: &str = "leaklint-suppressions.json";

/// The format version written in the file; a file of another version is refused.
const VERSION: u32 = 1;

/// Counts per file (relative path) and rule id.
type Counts = BTreeMap<String, BTreeMap<String, usize>>;

#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct FileFormat {
    version: u32,
    files: Counts,
}

/// A baseline file and its counts.
#[derive(Debug)]
pub struct Baseline {
    /// Where it is read from and written to.
    pub path: PathBuf,
    /// The folder paths in it are relative to.
    base: PathBuf,
    counts: Counts,
}

/// What [`Baseline::apply`] did.
#[derive(Debug, Default)]
pub struct Applied {
    /// Findings hidden because the baseline allows them.
    pub hidden: usize,
    /// Notes for standard error: files and rules with more findings than recorded.
    pub notes: Vec<String>,
}

impl Baseline {
    /// Reads the baseline at `path`; an empty baseline when the file does not exist.
    ///
    /// Errors (for exit status 2): unreadable file, invalid JSON, unknown fields, another
    /// format version.
    pub fn load(path: &Path) -> Result<Baseline, String> {
        let base = path.parent().unwrap_or(Path::new(".")).to_path_buf();
        let counts = match std::fs::read_to_string(path) {
            Ok(text) => {
                let file: FileFormat = serde_json::from_str(&text).map_err(|e| {
                    format!("{}: not a leaklint suppressions file: {e}", path.display())
                })?;
                if file.version != VERSION {
                    return Err(format!(
                        "{}: suppressions file version {} is not supported (this leaklint reads version {VERSION})",
                        path.display(),
                        file.version
                    ));
                }
                file.counts_checked(path)?
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Counts::new(),
            Err(e) => return Err(format!("cannot read {}: {e}", path.display())),
        };
        Ok(Baseline {
            path: path.to_path_buf(),
            base,
            counts,
        })
    }

    /// Whether the file existed or anything is recorded.
    pub fn is_empty(&self) -> bool {
        self.counts.is_empty()
    }

    /// Records every rule finding of `report` (linted from `cwd`): the counts of each linted
    /// file are replaced by what it has now; files not linted in this run keep theirs.
    pub fn suppress_all(&mut self, report: &Report, cwd: &Path) {
        for (key, now) in self.current(report, cwd) {
            if now.is_empty() {
                self.counts.remove(&key);
            } else {
                self.counts.insert(key, now);
            }
        }
    }

    /// Lowers each count of a linted file to what the file has now (dropping zeros), and drops
    /// the entries of files that no longer exist. Never raises a count.
    pub fn prune(&mut self, report: &Report, cwd: &Path) {
        let current = self.current(report, cwd);
        let base = self.base.clone();
        self.counts.retain(|key, rules| match current.get(key) {
            Some(now) => {
                rules.retain(|rule, count| {
                    *count = (*count).min(now.get(rule).copied().unwrap_or(0));
                    *count > 0
                });
                !rules.is_empty()
            }
            None => base.join(key).exists(),
        });
    }

    /// Removes from `report` the findings the baseline allows: all findings of a rule in a file
    /// when there are no more of them than recorded.
    pub fn apply(&self, report: &mut Report, cwd: &Path) -> Applied {
        let mut applied = Applied::default();
        for file in &mut report.files {
            let key = self.key(&file.path, cwd);
            let Some(allowed) = self.counts.get(&key) else {
                continue;
            };
            let found = rule_counts(&file.problems);
            for (rule, &count) in &found {
                let recorded = allowed.get(rule).copied().unwrap_or(0);
                if recorded == 0 {
                    continue;
                }
                if count <= recorded {
                    file.problems.retain(|p| p.source.id() != rule);
                    applied.hidden += count;
                } else {
                    applied.notes.push(format!(
                        "{}: {count} {rule} findings where the suppressions file allows \
                         {recorded}: all {count} are reported",
                        file.path
                    ));
                }
            }
        }
        applied
    }

    /// Writes the counts, sorted, as pretty JSON.
    pub fn write(&self) -> Result<(), String> {
        let file = FileFormat {
            version: VERSION,
            files: self.counts.clone(),
        };
        // A map of strings to numbers always serialises.
        let mut text = serde_json::to_string_pretty(&file).unwrap_or_default();
        text.push('\n');
        std::fs::write(&self.path, text)
            .map_err(|e| format!("cannot write {}: {e}", self.path.display()))
    }

    /// Findings recorded in total.
    pub fn total(&self) -> usize {
        self.counts.values().flat_map(|rules| rules.values()).sum()
    }

    /// Files with findings recorded.
    pub fn files(&self) -> usize {
        self.counts.len()
    }

    /// Current counts of every linted file, keyed like the baseline (empty maps included, so
    /// that callers see which files were linted).
    fn current(&self, report: &Report, cwd: &Path) -> Counts {
        report
            .files
            .iter()
            .map(|file| (self.key(&file.path, cwd), rule_counts(&file.problems)))
            .collect()
    }

    /// The baseline key of a report path (relative to `cwd` or absolute): relative to the
    /// baseline's folder when below it, else the absolute path; `/`-separated.
    fn key(&self, report_path: &str, cwd: &Path) -> String {
        let full = crate::paths::absolute(Path::new(report_path), cwd);
        let base = crate::paths::absolute(&self.base, cwd);
        crate::paths::relative_slash(&full, &base)
            .unwrap_or_else(|| full.to_string_lossy().replace('\\', "/"))
    }
}

impl FileFormat {
    /// The counts, refusing zero counts and unknown rule ids (a typo would silently allow
    /// nothing).
    fn counts_checked(self, path: &Path) -> Result<Counts, String> {
        for (file, rules) in &self.files {
            for (rule, count) in rules {
                if leaklint_rules::find_rule(rule).is_none() {
                    return Err(format!(
                        "{}: `{file}` names `{rule}`, which is no rule; known rules: {}",
                        path.display(),
                        crate::config::known_rule_ids()
                    ));
                }
                if *count == 0 {
                    return Err(format!(
                        "{}: `{file}` records 0 `{rule}` findings; remove the entry",
                        path.display()
                    ));
                }
            }
        }
        Ok(self.files)
    }
}

/// Rule findings per rule id.
fn rule_counts(problems: &[crate::report::Problem]) -> BTreeMap<String, usize> {
    let mut counts = BTreeMap::new();
    for p in problems {
        if let Source::Rule(meta) = p.source {
            *counts.entry(meta.id.to_owned()).or_insert(0) += 1;
        }
    }
    counts
}
