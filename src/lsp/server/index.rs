//! The project index: built in the background at `initialize`, with `$/progress`; kept
//! current with each open document's text; the open documents whose facts from other files
//! change are linted again.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::Duration;

use leaklint_rules::Flavor;
use leaklint_rules::project::Summary;
use lsp_types::{FileChangeType, FileEvent, MessageType, Uri};
use serde_json::{Value, json};

use crate::engine::LintOptions;
use crate::lsp::convert;
use crate::project::workspace::{Workspace, canonical};

use super::*;

/// The `$/progress` token of the index build.
const TOKEN: &str = "leaklint/index";

/// The sources the project index follows on disk, as a `workspace/didChangeWatchedFiles`
/// glob pattern (LSP 3.17 `GlobPattern`: `{}` groups alternatives).
pub(super) const SOURCE_GLOB: &str = "**/*.{js,mjs,cjs,jsx,ts,mts,cts,tsx}";

/// Above this many sources changed on disk at once (a `git checkout`, a rebase), the index is
/// built again from a fresh walk rather than updated file by file: each update propagates over
/// the whole project, and a fresh walk also sees moved files and changed `.gitignore`s.
const REBUILD_ABOVE: usize = 64;

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
        // A build still running for other folders is of no use any more: stop it.
        self.index_cancel.store(true, Ordering::Relaxed);
        self.index_cancel = Arc::new(AtomicBool::new(false));
        let cancel = self.index_cancel.clone();
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
                let built = build(&roots, &base, &opts, &progress, &cancel).map(Box::new);
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

    /// Sources created, changed or deleted on disk (reported by the client's file watcher):
    /// the index takes the text on disk, except for files open in the editor, whose buffer
    /// counts. A file the index does not know joins it only when the command line's walk would
    /// take it (see [`walk_would_take`]).
    pub(super) fn sources_changed_on_disk(&mut self, changes: &[FileEvent]) {
        let Index::Ready(ws) = &self.index else {
            return;
        };
        let mut deleted = Vec::new();
        let mut read = Vec::new();
        for change in changes {
            let Some(path) = convert::path_of(&change.uri) else {
                continue;
            };
            // By extension only (`.d.ts` files have none to give).
            let Some(flavor) = convert::flavor(&change.uri, "") else {
                continue;
            };
            let key = canonical_in_folder(&path);
            if self
                .docs
                .values()
                .any(|d| d.canonical.as_ref() == Some(&key))
            {
                continue; // the editor's buffer counts, not the disk
            }
            let known = ws.contains(&key);
            if change.typ == FileChangeType::DELETED {
                if known {
                    deleted.push(key);
                }
            } else if known || walk_would_take(&path, &self.roots, &self.configs) {
                read.push((change.uri.clone(), path, flavor));
            }
        }
        if deleted.len() + read.len() > REBUILD_ABOVE {
            self.start_index();
            self.request_progress();
            return;
        }
        for key in deleted {
            self.summarised(&key, None);
        }
        for (uri, path, flavor) in read {
            self.summarise_from_disk(&uri, &path, flavor);
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
/// ignores) and summarises every file. Once `cancel` is set (the session ended, or the folders
/// changed) the walk and the scan stop early and what they give is thrown away. Errors: a
/// configuration file that cannot be used, or the worker threads cannot be started.
fn build(
    roots: &[PathBuf],
    base: &Path,
    opts: &LintOptions,
    progress: &(dyn Fn(usize, usize) + Sync),
    cancel: &AtomicBool,
) -> Result<Workspace, String> {
    let configs = Arc::new(configs(base));
    let ignore = crate::globs::IgnoreGlobs::new(base.to_path_buf(), &[])?;
    let walk = crate::walk::WalkOptions {
        cwd: base,
        no_ignore: false,
        cli_ignore: &ignore,
        configs: &configs,
        cancel: Some(cancel),
    };
    let walked = crate::walk::collect(roots, &walk).map_err(|e| e.to_string())?;
    // Facts cross files between sources only: deployment files (Dockerfiles, compose files,
    // package.json) are linted when opened, but have nothing to give the index.
    let sources: Vec<_> = walked
        .targets
        .into_iter()
        .filter(|t| matches!(t.kind, crate::walk::FileKind::Source(_)))
        .collect();
    Workspace::scan(&sources, opts, progress, cancel)
}

/// The canonical path of a file that may no longer exist: its folder's canonical path and its
/// name (the index names files by canonical path; a deleted file cannot be resolved itself).
fn canonical_in_folder(path: &Path) -> PathBuf {
    match (path.parent(), path.file_name()) {
        (Some(dir), Some(name)) => canonical(dir).join(name),
        _ => canonical(path),
    }
}

/// Whether the command line's walk of the workspace folders would lint `path`: under a
/// folder, not inside `node_modules` or a hidden directory, not ignored by `leaklint.toml`,
/// and not ignored by a `.gitignore`, `.ignore` or git's exclude files on the way down (read
/// by the `ignore` crate as the walk does, descending only into the file's own ancestors).
fn walk_would_take(path: &Path, roots: &[PathBuf], configs: &Configs) -> bool {
    let Some(root) = roots
        .iter()
        .filter(|r| path.starts_with(r))
        .max_by_key(|r| r.as_os_str().len())
    else {
        return false;
    };
    if path
        .strip_prefix(root)
        .is_ok_and(|below| below.components().any(|c| c.as_os_str() == "node_modules"))
    {
        return false;
    }
    if configs
        .for_file(path)
        .is_ok_and(|config| config.ignore.matched(path).is_some())
    {
        return false;
    }
    let wanted = path.to_path_buf();
    ignore::WalkBuilder::new(root)
        .hidden(true)
        .parents(true)
        .ignore(true)
        .git_ignore(true)
        .git_global(true)
        .git_exclude(true)
        .require_git(false)
        .follow_links(false)
        .filter_entry(move |entry| wanted.starts_with(entry.path()))
        .build()
        .flatten()
        .any(|entry| entry.path() == path)
}
