//! The lint worker: one thread with the big stack the parser needs, fed through a queue that
//! holds at most one job per document. A newer job for a document replaces a queued older one,
//! so a burst of edits made while a lint runs is linted once, at its newest text.
//!
//! Each job runs within the per-file time budget of the command line (`file_budget` in the
//! file's `leaklint.toml`, 10 s by default; see [`crate::budget`]): a document still being
//! linted when its budget runs out gets a diagnostic saying it was not analysed, and the worker
//! goes on with the next job (the thread linting the slow one is abandoned and ends when its
//! lint does).

use std::collections::VecDeque;
use std::panic::AssertUnwindSafe;
use std::sync::{Arc, Condvar, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use std::path::PathBuf;

use leaklint_rules::project::{FileFacts, Summary};
use leaklint_rules::{Flavor, InProject};
use lsp_types::Uri;

use crate::config::Config;
use crate::engine::LintOptions;

use super::convert::LintResult;

/// One revision of one document to lint.
pub struct Job {
    pub uri: Uri,
    pub revision: u64,
    pub version: i32,
    pub text: String,
    /// The path shown in messages.
    pub display: String,
    pub flavor: Flavor,
    pub config: Arc<Config>,
    pub opts: LintOptions,
    /// The file's canonical path, when it is a file: then its summary is made for the
    /// project index (from this text, without facts) and returned in [`Done::summary`].
    pub path: Option<PathBuf>,
    /// What the project index says about the file; linted with these when not empty.
    pub facts: FileFacts,
    /// Where relative paths of other files in findings start (the display base).
    pub base: PathBuf,
}

/// A finished job.
pub struct Done {
    pub uri: Uri,
    pub result: LintResult,
    /// The canonical path and this text's summary, when the job asked for it.
    pub summary: Option<(PathBuf, Option<Summary>)>,
    /// Time spent linting and converting.
    pub elapsed: Duration,
}

#[derive(Default)]
struct Queue {
    jobs: VecDeque<Job>,
    closed: bool,
}

pub struct Worker {
    shared: Arc<(Mutex<Queue>, Condvar)>,
}

impl Worker {
    /// Starts the thread; `done` is called on it with every result.
    pub fn spawn(done: impl Fn(Done) + Send + 'static) -> std::io::Result<Worker> {
        let shared: Arc<(Mutex<Queue>, Condvar)> = Arc::default();
        let theirs = shared.clone();
        std::thread::Builder::new()
            .name("leaklint-lsp-lint".into())
            .stack_size(leaklint_rules::STACK_SIZE)
            .spawn(move || {
                while let Some(job) = next(&theirs) {
                    let (uri, revision, version) = (job.uri.clone(), job.revision, job.version);
                    // The engine already turns a panicking rule into an error; this catches
                    // anything else, so that the document still gets an answer.
                    let outcome =
                        std::panic::catch_unwind(AssertUnwindSafe(|| run_within_budget(job)));
                    done(outcome.unwrap_or_else(|_| Done {
                        result: LintResult {
                            revision,
                            version,
                            message: Some(format!(
                                "internal error while linting {} (please report it)",
                                uri.as_str()
                            )),
                            ..LintResult::default()
                        },
                        uri,
                        summary: None,
                        elapsed: Duration::ZERO,
                    }));
                }
            })?;
        Ok(Worker { shared })
    }

    /// Queues a job, replacing a queued job for the same document.
    pub fn submit(&self, job: Job) {
        let mut queue = lock(&self.shared.0);
        match queue.jobs.iter_mut().find(|j| j.uri == job.uri) {
            Some(queued) => *queued = job,
            None => queue.jobs.push_back(job),
        }
        self.shared.1.notify_one();
    }

    /// Drops a queued job for a document (it was closed).
    pub fn forget(&self, uri: &Uri) {
        lock(&self.shared.0).jobs.retain(|j| &j.uri != uri);
    }
}

impl Drop for Worker {
    fn drop(&mut self) {
        lock(&self.shared.0).closed = true;
        self.shared.1.notify_all();
    }
}

fn lock(m: &Mutex<Queue>) -> MutexGuard<'_, Queue> {
    // The worker never panics while holding the lock; a poisoned queue is still consistent.
    m.lock().unwrap_or_else(|e| e.into_inner())
}

fn next(shared: &(Mutex<Queue>, Condvar)) -> Option<Job> {
    let mut queue = lock(&shared.0);
    loop {
        if queue.closed {
            return None;
        }
        if let Some(job) = queue.jobs.pop_front() {
            return Some(job);
        }
        queue = shared.1.wait(queue).unwrap_or_else(|e| e.into_inner());
    }
}

/// Lints one job on a thread of [`crate::budget`] within the job's time budget: the lint's
/// answer, or when the budget ran out a diagnostic at 1:1 that the document was not analysed
/// (and, for the project index, no summary of this text: as for a text that does not parse).
fn run_within_budget(job: Job) -> Done {
    let budget = job.opts.file_budget(&job.config);
    let (uri, revision, version) = (job.uri.clone(), job.revision, job.version);
    let (display, base, path) = (job.display.clone(), job.base.clone(), job.path.clone());
    let started = Instant::now();
    // `budget::run` wants a `Fn`; the job is taken out of its slot once.
    let slot = Mutex::new(Some(job));
    let done = crate::budget::run(vec![((), budget)], 1, move |()| {
        let job = slot.lock().ok().and_then(|mut slot| slot.take());
        job.map(run)
    });
    let outcome = match done.map(|mut done| done.pop()) {
        Ok(Some(crate::budget::Done::Finished(Some(done)))) => return done,
        Ok(Some(crate::budget::Done::Overran { phase, budget })) => {
            crate::engine::overran(display, phase, budget)
        }
        Ok(Some(crate::budget::Done::NotStarted(error))) | Err(error) => {
            crate::engine::Outcome::Failed {
                path: display,
                error,
            }
        }
        Ok(_) => crate::engine::Outcome::Failed {
            error: format!("internal error while linting {display} (please report it)"),
            path: display,
        },
    };
    Done {
        result: super::convert::lint_result(outcome, &uri, revision, version, &base),
        uri,
        summary: path.map(|p| (p, None)),
        elapsed: started.elapsed(),
    }
}

/// Lints one job on this (big-stack) thread through the engine's per-file path: enabled rules
/// from the configuration and settings, the rules, then suppression directives.
///
/// A file is first linted as the command line's first pass does, which also gives its summary
/// for the project index; when the index has facts about it, it is linted again with them
/// (the summary must not depend on the facts, which come partly from it).
fn run(job: Job) -> Done {
    let started = Instant::now();
    // Demanded: an edited file may be a link in a chain of calls whatever its text holds,
    // and summarising one file is cheap.
    let project = InProject {
        summarize: job.path.as_ref().map(|_| job.display.as_str()),
        demanded: true,
        ..InProject::default()
    };
    let (mut outcome, summary) = crate::engine::lint_bytes_in_project(
        job.display.clone(),
        job.text.clone().into_bytes(),
        &crate::walk::FileKind::Source(job.flavor),
        &job.config,
        &job.opts,
        &project,
        None,
    );
    if !job.facts.is_empty() {
        let project = InProject {
            facts: Some(&job.facts),
            ..InProject::default()
        };
        outcome = crate::engine::lint_bytes_in_project(
            job.display,
            job.text.into_bytes(),
            &crate::walk::FileKind::Source(job.flavor),
            &job.config,
            &job.opts,
            &project,
            None,
        )
        .0;
    }
    let result =
        super::convert::lint_result(outcome, &job.uri, job.revision, job.version, &job.base);
    Done {
        uri: job.uri,
        result,
        summary: job.path.map(|p| (p, summary)),
        elapsed: started.elapsed(),
    }
}
