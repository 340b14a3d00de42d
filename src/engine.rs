//! Lints files: reads them, runs the rules on worker threads with big stacks, applies the
//! configuration and suppression directives, and builds [`FileReport`]s.

use std::panic::AssertUnwindSafe;
use std::sync::Arc;
use std::time::Duration;

use leaklint_rules::project::Summary;
use leaklint_rules::{Confidence, Finding, InProject, LineIndex, Meta, Severity};

use crate::cache::{Cache, Entry as CacheEntry};
use crate::config::{Config, Level};
use crate::report::{FileReport, LabelAt, Located, ParseFailure, Problem, Source};
use crate::source::Decoded;
use crate::walk::{FileKind, Target};

/// Rule selection and reporting options from the command line.
#[derive(Clone, Debug, Default)]
pub struct LintOptions {
    /// `--rule`: when not empty, only these rules run.
    pub only: Vec<&'static str>,
    /// `--disable`: these never run.
    pub disable: Vec<&'static str>,
    /// `--quiet`: warnings and information are not run, shown or counted.
    pub quiet: bool,
    pub report_unused_directives: bool,
    /// Levels that win over the configuration's (the language server's `initializationOptions`).
    pub levels: Vec<(&'static str, Level)>,
    /// `--min-confidence` (or the language server's `minConfidence`): wins over the
    /// configuration's `min_confidence`.
    pub min_confidence: Option<Confidence>,
    /// `--file-budget`: wins over the configuration's `file_budget` (zero: no budget). Only
    /// the command line's runs keep to a budget (see [`crate::budget`]).
    pub file_budget: Option<Duration>,
}

impl LintOptions {
    /// The severity `rule` runs with in a file governed by `config`, or None when it is off.
    pub fn severity(&self, rule: &Meta, config: &Config) -> Option<Severity> {
        if self.disable.contains(&rule.id) {
            return None;
        }
        let configured = match self.levels.iter().find(|(id, _)| *id == rule.id) {
            Some(&(_, level)) => level,
            None => config.level(rule),
        };
        let severity = if self.only.is_empty() {
            match configured {
                Level::Off => return None,
                Level::Info => Severity::Info,
                Level::Warn => Severity::Warning,
                Level::Error => Severity::Error,
            }
        } else if self.only.contains(&rule.id) {
            // `--rule` turns a rule on even where the configuration has it off.
            match configured {
                Level::Off => rule.severity,
                Level::Info => Severity::Info,
                Level::Warn => Severity::Warning,
                Level::Error => Severity::Error,
            }
        } else {
            return None;
        };
        if self.quiet && severity < Severity::Error {
            return None;
        }
        Some(severity)
    }

    /// The least confidence a finding needs to be reported in a file governed by `config`:
    /// the command line's, else the configuration's, else every finding (`Medium`).
    pub fn min_confidence(&self, config: &Config) -> Confidence {
        self.min_confidence
            .or(config.min_confidence)
            .unwrap_or(Confidence::Medium)
    }

    /// The time a file governed by `config` may take to lint: the command line's, else the
    /// configuration's, else [`DEFAULT_FILE_BUDGET`]; None when that is zero (no budget).
    pub fn file_budget(&self, config: &Config) -> Option<Duration> {
        Some(
            self.file_budget
                .or(config.file_budget)
                .unwrap_or(DEFAULT_FILE_BUDGET),
        )
        .filter(|budget| !budget.is_zero())
    }
}

/// How long one file may take to lint (read, parse, model, rules) before it is reported as not
/// analysed and the run goes on without it. Wall-clock time: the slowest file of the benchmark
/// corpus (TypeScript's 9 MB `lib/typescript.js`) takes 1.3 s of CPU, about 4 s of wall time
/// on a loaded 2-core machine; a file beyond this is machine-made or hit a bug (see Limits in
/// the README).
pub const DEFAULT_FILE_BUDGET: Duration = Duration::from_secs(10);

/// Is `problem` sure enough to report? Problems leaklint reports about the input itself
/// (parse errors, directives) have no confidence and are always kept.
fn sure_enough(problem: &Problem, min: Confidence) -> bool {
    problem.confidence.is_none_or(|c| c >= min)
}

/// What became of one file.
pub enum Outcome {
    Linted(FileReport),
    /// Not text: skipped with this note.
    Skipped {
        path: String,
        reason: &'static str,
    },
    /// Could not be read, or leaklint failed on it: exit status 2.
    Failed {
        path: String,
        error: String,
    },
}

/// Lints every target in parallel, each within its time budget. The result is in no particular
/// order.
pub fn lint_targets(targets: Vec<Target>, opts: &LintOptions) -> Result<Vec<Outcome>, String> {
    let opts = Arc::new(opts.clone());
    let jobs: Vec<(Target, Option<Duration>)> = targets
        .into_iter()
        .map(|t| {
            let budget = opts.file_budget(&t.config);
            (t, budget)
        })
        .collect();
    let displays: Vec<String> = jobs.iter().map(|(t, _)| t.display.clone()).collect();
    let threads = rayon::current_num_threads();
    let done = crate::budget::run(jobs, threads, move |target: &Target| {
        leaklint_rules::progress::enter(leaklint_rules::progress::Phase::Read);
        match read_source(&target.path) {
            Ok(Ok(bytes)) => lint_bytes(
                target.display.clone(),
                bytes,
                target.kind.clone(),
                &target.config,
                &opts,
            ),
            Ok(Err(len)) => too_large(target.display.clone(), len),
            Err(e) => Outcome::Failed {
                error: format!("cannot read {}: {e}", target.display),
                path: target.display.clone(),
            },
        }
    })?;
    Ok(displays
        .into_iter()
        .zip(done)
        .map(|(path, done)| supervised(path, done))
        .collect())
}

/// The outcome of a file linted under [`crate::budget`].
pub(crate) fn supervised(path: String, done: crate::budget::Done<Outcome>) -> Outcome {
    use crate::budget::Done;
    match done {
        Done::Finished(outcome) => outcome,
        Done::Overran { phase, budget } => overran(path, phase, budget),
        Done::Panicked => Outcome::Failed {
            error: format!("internal error while linting {path} (please report it)"),
            path,
        },
        Done::NotStarted(error) => Outcome::Failed { path, error },
    }
}

/// The report of a file that took longer than its time budget: like a file that does not
/// parse (`leaklint/parse-error`, exit status 1), at its start.
pub(crate) fn overran(
    path: String,
    phase: leaklint_rules::progress::Phase,
    budget: Duration,
) -> Outcome {
    not_analysed(
        path,
        format!(
            "not analysed: linting this file took longer than the per-file budget of {} \
             (it was {phase}); the other files were linted (raise the budget with \
             --file-budget or `file_budget` in leaklint.toml; see Limits in the README)",
            seconds(budget)
        ),
    )
}

/// The report of a file leaklint did not analyse: `message` at 1:1, as a parse error is
/// reported (the other files' findings are unaffected).
fn not_analysed(path: String, message: String) -> Outcome {
    let empty = LineIndex::new("");
    Outcome::Linted(FileReport {
        path,
        text: Some(Arc::from("")),
        bom: false,
        problems: Vec::new(),
        suppressed: Vec::new(),
        parse_error: Some(ParseFailure {
            message,
            at: Located::new(leaklint_rules::Span::new(0, 0), "", &empty),
        }),
        timings: Default::default(),
    })
}

/// `10 s`, `0.5 s`.
fn seconds(d: Duration) -> String {
    format!("{} s", d.as_secs_f64())
}

/// Worker threads with stacks big enough for [`lint_bytes`].
pub fn pool() -> Result<rayon::ThreadPool, String> {
    rayon::ThreadPoolBuilder::new()
        .stack_size(leaklint_rules::STACK_SIZE)
        .thread_name(|i| format!("leaklint-{i}"))
        .build()
        .map_err(|e| format!("cannot start worker threads: {e}"))
}

/// A file's bytes, or its length when it is larger than leaklint analyses (then it is not read:
/// a generated file of gigabytes must not be loaded into memory to be refused).
pub(crate) fn read_source(path: &std::path::Path) -> std::io::Result<Result<Vec<u8>, u64>> {
    use std::io::Read;
    let limit = leaklint_rules::limits::MAX_FILE_BYTES as u64;
    let file = std::fs::File::open(path)?;
    let len = file.metadata()?.len();
    if len > limit {
        return Ok(Err(len));
    }
    let mut bytes = Vec::with_capacity(len as usize);
    // A file that grows while it is read is cut one byte past the limit, and refused by the
    // limit check on its text.
    file.take(limit + 1).read_to_end(&mut bytes)?;
    Ok(Ok(bytes))
}

/// The report of a file larger than [`leaklint_rules::limits::MAX_FILE_BYTES`].
pub(crate) fn too_large(path: String, len: u64) -> Outcome {
    let limit = leaklint_rules::limits::MAX_FILE_BYTES >> 20;
    not_analysed(
        path,
        format!(
            "not analysed: the file has {len} bytes, more than the {limit} MiB leaklint \
             analyses (see Limits in the README)"
        ),
    )
}

/// Lints text that is not a file on disk (standard input) on a thread with a big stack, within
/// its time budget.
pub fn lint_detached(
    display: String,
    bytes: Vec<u8>,
    kind: FileKind,
    config: Arc<Config>,
    opts: LintOptions,
) -> Outcome {
    let budget = opts.file_budget(&config);
    let path = display.clone();
    // The job is taken out of its slot once: the closure must be `Fn`, the bytes are moved.
    let job = std::sync::Mutex::new(Some((display, bytes, kind)));
    let done = crate::budget::run(vec![((), budget)], 1, move |()| {
        match job.lock().ok().and_then(|mut job| job.take()) {
            Some((display, bytes, kind)) => lint_bytes(display, bytes, kind, &config, &opts),
            None => Outcome::Failed {
                path: String::new(),
                error: "internal error: standard input linted twice".into(),
            },
        }
    });
    match done.map(|mut done| done.pop()) {
        Ok(Some(done)) => supervised(path, done),
        Ok(None) => Outcome::Failed {
            error: format!("internal error while linting {path} (please report it)"),
            path,
        },
        Err(error) => Outcome::Failed { path, error },
    }
}

/// Lints one file's bytes. Must run on a thread with a [`leaklint_rules::STACK_SIZE`] stack.
pub fn lint_bytes(
    path: String,
    bytes: Vec<u8>,
    kind: FileKind,
    config: &Config,
    opts: &LintOptions,
) -> Outcome {
    lint_bytes_in_project(
        path,
        bytes,
        &kind,
        config,
        opts,
        &InProject::default(),
        None,
    )
    .0
}

/// [`lint_bytes`] as part of a whole-project run: also returns the file's summary when asked,
/// and lints with the project's facts about the file (see [`crate::project`]).
pub fn lint_bytes_in_project(
    path: String,
    bytes: Vec<u8>,
    kind: &FileKind,
    config: &Config,
    opts: &LintOptions,
    project: &InProject<'_>,
    cache: Option<&Cache>,
) -> (Outcome, Option<Summary>) {
    let bom = bytes.starts_with("\u{feff}".as_bytes());
    let text = match Decoded::from_bytes(bytes) {
        Decoded::Text(text) => text,
        other => {
            return (
                Outcome::Skipped {
                    path,
                    reason: other.skip_reason().unwrap_or("not text"),
                },
                None,
            );
        }
    };
    let enabled = |meta: &'static Meta| opts.severity(meta, config).is_some();
    // `--cache`: what an earlier run produced from the same inputs stands for linting.
    let key = cache.map(|_| {
        crate::cache::key(
            &text,
            kind,
            project.summarize,
            project.demanded,
            &enabled,
            &config.knowledge,
            project.facts,
        )
    });
    let cached = cache.zip(key).and_then(|(c, k)| c.get(k));
    // A bug in one rule must not take the other files down: report it and go on.
    let linted = match cached {
        Some(entry) => Ok(entry.into_result()),
        None => std::panic::catch_unwind(AssertUnwindSafe(|| match kind {
            FileKind::Source(flavor) => leaklint_rules::lint_in_project(
                &text,
                *flavor,
                &enabled,
                &config.knowledge,
                project,
            ),
            FileKind::Deployment(deploy, context) => match deploy.flavor() {
                // A PM2 ecosystem script: JavaScript, and a deployment file from the same parse.
                Some(flavor) => {
                    let project = InProject {
                        ecosystem: Some(context),
                        ..*project
                    };
                    leaklint_rules::lint_in_project(
                        &text,
                        flavor,
                        &enabled,
                        &config.knowledge,
                        &project,
                    )
                }
                None => leaklint_rules::lint_deployment(&text, *deploy, context, &enabled)
                    .map(|lint| (lint, None)),
            },
        })),
    };
    leaklint_rules::progress::enter(leaklint_rules::progress::Phase::Report);
    if let (Some(cache), Some(key), Ok(result)) = (cache, key, &linted) {
        cache.put(key, CacheEntry::of(result));
    }
    let (linted, summary) = match linted {
        Ok(Ok((file, summary))) => (Ok(file), summary),
        Ok(Err(e)) => (Err(e), None),
        Err(_) => {
            return (
                Outcome::Failed {
                    error: format!("internal error while linting {path} (please report it)"),
                    path,
                },
                None,
            );
        }
    };
    let mut report = FileReport {
        path,
        text: None,
        bom,
        problems: Vec::new(),
        suppressed: Vec::new(),
        parse_error: None,
        timings: Default::default(),
    };
    // Most files have no finding and no directive: they need no line index.
    if let Ok(file) = &linted
        && file.findings.is_empty()
        && file.comments.is_empty()
    {
        report.timings = Box::new(file.timings);
        return (Outcome::Linted(report), summary);
    }
    let index = LineIndex::new(&text);
    match linted {
        Err(error) => {
            let start = error.offset.min(text.len());
            report.parse_error = Some(ParseFailure {
                message: error.message,
                at: Located::new(leaklint_rules::Span::new(start, start), &text, &index),
            });
        }
        Ok(file) => {
            report.timings = Box::new(file.timings);
            let problems = file
                .findings
                .into_iter()
                .map(|f| {
                    let severity = opts.severity(f.rule, config).unwrap_or(f.rule.severity);
                    to_problem(f, severity, &text, &index)
                })
                .collect();
            let rule_enabled = |id: &str| {
                leaklint_rules::find_rule(id).is_some_and(|m| opts.severity(m, config).is_some())
            };
            let applied = crate::suppress::apply(
                &text,
                &index,
                &file.comments,
                problems,
                &rule_enabled,
                opts.report_unused_directives,
            );
            report.problems = applied.problems;
            report.suppressed = applied.suppressed;
            // After the directives are applied, so that a directive that silences a
            // medium-confidence finding is not reported as unused under `--min-confidence high`.
            let min = opts.min_confidence(config);
            report.problems.retain(|p| sure_enough(p, min));
            report.suppressed.retain(|s| sure_enough(&s.problem, min));
            if opts.quiet {
                report.problems.retain(|p| p.severity == Severity::Error);
                report
                    .suppressed
                    .retain(|s| s.problem.severity == Severity::Error);
            }
        }
    }
    let anything = report.parse_error.is_some()
        || !report.problems.is_empty()
        || !report.suppressed.is_empty();
    if anything {
        report.text = Some(Arc::from(text));
    }
    (Outcome::Linted(report), summary)
}

fn to_problem(f: Finding, severity: Severity, text: &str, index: &LineIndex) -> Problem {
    let at = |span| Located::new(span, text, index);
    let sig = f.signature;
    Problem {
        confidence: Some(f.confidence),
        chain: f.chain,
        source: Source::Rule(f.rule),
        severity,
        at: at(f.span),
        help: (!f.help.is_empty()).then_some(f.help),
        message: f.message,
        labels: f
            .labels
            .into_iter()
            .map(|l| LabelAt {
                at: at(l.span),
                message: l.message,
            })
            .collect(),
        signature: sig.map(|sig| {
            let pos = |span| {
                let start = at(span).start;
                leaklint_runtime_check::Pos {
                    line: start.line as u32,
                    column: start.column as u32,
                }
            };
            leaklint_runtime_check::Signature {
                kind: sig.kind.as_str().to_owned(),
                receiver: sig.receiver,
                event: sig.event,
                collection: sig.collection,
                access_path: sig.access_path,
                retained: sig.retained,
                call: Some(pos(sig.call)),
                function: sig.function.map(pos),
            }
        }),
    }
}
