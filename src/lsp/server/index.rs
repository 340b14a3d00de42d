//! The project index: built in the background at `initialize`, with `$/progress`; kept
//! current with each open document's text; the open documents whose facts from other files
//! change are linted again.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use leaklint_rules::Flavor;
use leaklint_rules::project::Summary;
use lsp_types::{MessageType, Uri};
use serde_json::{Value, json};

use crate::engine::LintOptions;
use crate::project::workspace::{Workspace, canonical};

use super::*;

/// The `$/progress` token of the index build.
const TOKEN: &str = "leaklint/index";

pub(super) enum Index {
    /// No workspace folder: each document is linted alone.
    Off,
    Building,
    Ready(Box<Workspace>),
}

/// From the build thread; the first field is the build's generation (a build started before
/// the workspace folders last changed is out of date).
pub(super) enum IndexEvent {
    /// Files summarised so far, of how many.
    Progress(u64, usize, usize),
    Built(u64, Result<Box<Workspace>, String>),
}

/// The build's progress as shown to the client.
#[derive(Default)]
pub(super) struct Progress {
    /// Our `window/workDoneProgress/create` request, until the client answers it.
    create: Option<String>,
    /// The client created the token: `$/progress` may be sent (not before, as the protocol
    /// asks).
    ready: bool,
    began: bool,
    ended: bool,
    done: usize,
    total: usize,
    /// The percentage last reported.
    reported: u32,
    finished: Option<String>,
    /// Builds started so far: events of earlier ones are dropped.
    generation: u64,
}

impl<W: Write> Server<W> {
    /// Starts building the index of the workspace folders on its own thread.
    pub(super) fn start_index(&mut self) {
        let generation = self.progress.generation + 1;
        self.progress = Progress {
            generation,
            ..Progress::default()
        };
        self.index = Index::Off;
        let Some(events) = self.events.clone() else {
            return;
        };
        if self.roots.is_empty() {
            return;
        }
        let roots = self.roots.clone();
        let base = base_dir(&roots);
        let opts = self.lint_options();
        let started = std::thread::Builder::new()
            .name("leaklint-lsp-index".into())
            .spawn(move || {
                let last = AtomicUsize::new(usize::MAX);
                let progress = |done: usize, total: usize| {
                    // One event per percent, not per file.
                    let pct = done * 100 / total.max(1);
                    if last.swap(pct, Ordering::Relaxed) != pct {
                        let progress = IndexEvent::Progress(generation, done, total);
                        let _ = events.send(Event::Index(progress));
                    }
                };
                let built = build(&roots, &base, &opts, &progress).map(Box::new);
                let _ = events.send(Event::Index(IndexEvent::Built(generation, built)));
            });
        match started {
            Ok(_) => self.index = Index::Building,
            Err(e) => self.log(
                MessageType::ERROR,
                &format!("leaklint: cannot start the project index: {e}"),
            ),
        }
    }

    /// After `initialized`: asks the client for a progress token when it can show progress.
    pub(super) fn request_progress(&mut self) {
        if self.caps.progress && matches!(self.index, Index::Building) {
            let id = self.request_client(
                methods::WORK_DONE_PROGRESS_CREATE,
                json!({ "token": TOKEN }),
            );
            self.progress.create = Some(id);
        }
    }

    /// The client answered one of our requests: the progress token, maybe.
    pub(super) fn client_answered(&mut self, id: &Value, error: Option<&Value>) {
        if self.progress.create.as_deref().is_some_and(|c| id == c) {
            self.progress.create = None;
            self.progress.ready = error.is_none();
            self.send_progress();
        }
    }

    pub(super) fn index_event(&mut self, event: IndexEvent) {
        let (IndexEvent::Progress(generation, ..) | IndexEvent::Built(generation, _)) = &event;
        if *generation != self.progress.generation {
            return;
        }
        match event {
            IndexEvent::Progress(_, done, total) => {
                self.progress.done = done;
                self.progress.total = total;
                self.send_progress();
            }
            IndexEvent::Built(_, Ok(mut ws)) => {
                // Open documents count with their editors' text, which may have changed since
                // the build read the files.
                for d in self.docs.values() {
                    if let (Some(path), Some(summary)) = (&d.canonical, &d.summary) {
                        ws.update(path, summary.clone());
                    }
                }
                self.progress.finished = Some(format!("{} files", ws.len()));
                self.index = Index::Ready(ws);
                self.send_progress();
                self.refresh_facts();
            }
            IndexEvent::Built(_, Err(e)) => {
                self.index = Index::Off;
                self.progress.finished = Some("failed".into());
                self.send_progress();
                self.log(
                    MessageType::ERROR,
                    &format!("leaklint: the project index could not be built: {e}"),
                );
            }
        }
    }

    /// Sends what the client has not been told yet: begin, a report per percent, end.
    fn send_progress(&mut self) {
        if !self.progress.ready || self.progress.ended {
            return;
        }
        let (done, total) = (self.progress.done, self.progress.total);
        let pct = (done * 100 / total.max(1)) as u32;
        if !self.progress.began {
            self.progress.began = true;
            self.progress.reported = pct;
            self.notify(
                methods::PROGRESS,
                json!({ "token": TOKEN, "value": {
                    "kind": "begin",
                    "title": "leaklint: reading the project",
                    "cancellable": false,
                    "message": format!("{done}/{total} files"),
                    "percentage": pct,
                }}),
            );
        } else if pct != self.progress.reported && self.progress.finished.is_none() {
            self.progress.reported = pct;
            self.notify(
                methods::PROGRESS,
                json!({ "token": TOKEN, "value": {
                    "kind": "report",
                    "message": format!("{done}/{total} files"),
                    "percentage": pct,
                }}),
            );
        }
        if let Some(message) = self.progress.finished.clone() {
            self.progress.ended = true;
            self.notify(
                methods::PROGRESS,
                json!({ "token": TOKEN, "value": { "kind": "end", "message": message }}),
            );
        }
    }

    /// A lint (or a read from disk) gave this text's summary of the file at `path`
    /// (canonical): it replaces the file's in the index, and the documents whose facts changed
    /// are linted again.
    pub(super) fn summarised(&mut self, path: &Path, summary: Option<Summary>) {
        if let Index::Ready(ws) = &mut self.index {
            ws.update(path, summary);
            self.refresh_facts();
        }
    }

    /// Lints again every open document whose facts from the project differ from those it was
    /// last linted with (a document with a lint already due gets the new facts then).
    pub(super) fn refresh_facts(&mut self) {
        let Index::Ready(ws) = &self.index else {
            return;
        };
        let changed: Vec<Uri> = self
            .docs
            .iter()
            .filter(|(_, d)| d.flavor.is_some() && d.due.is_none())
            .filter(|(_, d)| d.canonical.as_ref().is_some_and(|p| ws.facts(p) != d.facts))
            .map(|(uri, _)| uri.clone())
            .collect();
        for uri in &changed {
            let revision = self.next_revision();
            if let Some(d) = self.docs.get_mut(uri) {
                d.revision = revision;
            }
            self.schedule(uri, Duration::ZERO);
        }
        if !changed.is_empty() && self.caps.pull && self.caps.refresh {
            self.request_client(methods::DIAGNOSTIC_REFRESH, Value::Null);
        }
    }

    /// What the index says about a file (canonical path); empty without an index.
    pub(super) fn facts_of(&self, path: Option<&Path>) -> leaklint_rules::project::FileFacts {
        match (&self.index, path) {
            (Index::Ready(ws), Some(path)) => ws.facts(path),
            _ => Default::default(),
        }
    }

    /// A document was closed: its file counts again with the text on disk (unsaved edits are
    /// gone), summarised on the lint thread.
    pub(super) fn summarise_from_disk(&mut self, uri: &Uri, path: &Path, flavor: Flavor) {
        if !matches!(self.index, Index::Ready(_)) {
            return;
        }
        let Ok(text) = std::fs::read_to_string(path) else {
            // Deleted or unreadable: it takes no part any more.
            self.summarised(&canonical(path), None);
            return;
        };
        let Ok(config) = self.configs.for_file(path) else {
            return;
        };
        let revision = self.next_revision();
        let base = base_dir(&self.roots);
        self.worker.submit(crate::lsp::worker::Job {
            uri: uri.clone(),
            revision,
            version: 0,
            text,
            display: crate::paths::display(path, &base),
            flavor,
            config,
            opts: self.lint_options(),
            path: Some(canonical(path)),
            facts: Default::default(),
            base,
        });
    }

    /// The options every lint of the server uses (from the client's settings).
    pub(super) fn lint_options(&self) -> LintOptions {
        LintOptions {
            levels: self.settings.levels.clone(),
            report_unused_directives: self.settings.report_unused,
            min_confidence: self.settings.min_confidence,
            ..LintOptions::default()
        }
    }
}

/// Reads the workspace folders as the command line would (`.gitignore`, `leaklint.toml`
/// ignores) and summarises every file. Errors: a configuration file that cannot be used, or
/// the worker threads cannot be started.
fn build(
    roots: &[PathBuf],
    base: &Path,
    opts: &LintOptions,
    progress: &(dyn Fn(usize, usize) + Sync),
) -> Result<Workspace, String> {
    let configs = Arc::new(configs(base));
    let ignore = crate::globs::IgnoreGlobs::new(base.to_path_buf(), &[])?;
    let walk = crate::walk::WalkOptions {
        cwd: base,
        no_ignore: false,
        cli_ignore: &ignore,
        configs: &configs,
    };
    let walked = crate::walk::collect(roots, &walk).map_err(|e| e.to_string())?;
    // Facts cross files between sources only: deployment files (Dockerfiles, compose files,
    // package.json) are linted when opened, but have nothing to give the index.
    let sources: Vec<_> = walked
        .targets
        .into_iter()
        .filter(|t| matches!(t.kind, crate::walk::FileKind::Source(_)))
        .collect();
    Workspace::scan(&sources, opts, progress)
}
