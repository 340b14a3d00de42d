//! The whole project as the language server keeps it: every file's summary, the imports
//! between files, and the facts propagation gives each file, kept current one file at a time.
//!
//! The command line reads the project once ([`super::lint_project`]); an editor changes one
//! file at a time, so this keeps the summaries and each file's resolved imports, replaces one
//! file's summary when its text changes (an unsaved buffer's text counts for its own file), and
//! propagates again over all summaries, which is cheap next to linting (no parsing).

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};

use leaklint_rules::InProject;
use leaklint_rules::project::{FileFacts, Summary};
use rayon::prelude::*;

use super::graph::Graph;
use super::propagate::{self, Node};
use crate::engine::LintOptions;
use crate::walk::Target;

/// The project's files, summaries and facts. Files are identified by canonical path.
pub struct Workspace {
    paths: Vec<PathBuf>,
    by_path: HashMap<PathBuf, usize>,
    /// One per file, in `paths` order (a file nothing summarised has an empty summary).
    nodes: Vec<Node>,
    graph: Graph,
    /// By index into `paths`; files with nothing to learn are left out.
    facts: HashMap<usize, FileFacts>,
}

/// The canonical path of `path`, or `path` itself when it cannot be resolved (a file not yet
/// on disk).
pub fn canonical(path: &Path) -> PathBuf {
    std::fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf())
}

impl Workspace {
    /// Reads and summarises `targets` (as the command line's first pass does) on a pool of
    /// worker threads, calling `progress(done, total)` after each file. Unreadable files and
    /// files that do not parse take part with an empty summary; once `cancel` is set, the files
    /// not yet read are skipped (the caller throws the result away). Errors: the threads cannot
    /// be started.
    pub fn scan(
        targets: &[Target],
        opts: &LintOptions,
        progress: &(dyn Fn(usize, usize) + Sync),
        cancel: &std::sync::atomic::AtomicBool,
    ) -> Result<Workspace, String> {
        let total = targets.len();
        let done = AtomicUsize::new(0);
        let summarise = |t: &Target, demanded: bool| -> Option<Summary> {
            match crate::engine::read_source(&t.path) {
                Ok(Ok(bytes)) => {
                    let project = InProject {
                        summarize: Some(&t.display),
                        demanded,
                        ..InProject::default()
                    };
                    crate::engine::lint_bytes_in_project(
                        t.display.clone(),
                        bytes,
                        &t.kind,
                        &t.config,
                        opts,
                        &project,
                        None,
                    )
                    .1
                }
                _ => None,
            }
        };
        let pool = crate::engine::pool()?;
        let (paths, mut summaries): (Vec<PathBuf>, Vec<Option<Summary>>) = pool.install(|| {
            targets
                .par_iter()
                .map(|t| {
                    if cancel.load(Ordering::Relaxed) {
                        return (t.path.clone(), None);
                    }
                    let summary = summarise(t, false);
                    progress(done.fetch_add(1, Ordering::Relaxed) + 1, total);
                    (canonical(&t.path), summary)
                })
                .unzip()
        });
        // As on the command line: files that summarised files call into are summarised too,
        // whatever their text holds, along the chain.
        let graph = Graph::new(&paths);
        let resolve = |i: usize, s: &Summary| -> Vec<Option<usize>> {
            s.imports
                .iter()
                .map(|import| graph.resolve(&paths[i], &import.specifier))
                .collect()
        };
        let mut imports: Vec<Option<Vec<Option<usize>>>> = summaries
            .iter()
            .enumerate()
            .map(|(i, s)| s.as_ref().map(|s| resolve(i, s)))
            .collect();
        let mut frontier: Vec<usize> = (0..paths.len())
            .filter(|&i| summaries[i].is_some())
            .collect();
        let mut asked = vec![false; paths.len()];
        let eligible = |i: usize| {
            matches!(targets[i].kind, crate::walk::FileKind::Source(_))
                && super::may_lead_on(&targets[i].path)
        };
        while !cancel.load(Ordering::Relaxed) {
            let wanted = super::demanded(&frontier, &summaries, &imports, &mut asked, &eligible);
            if wanted.is_empty() {
                break;
            }
            let found: Vec<(usize, Option<Summary>)> = pool.install(|| {
                wanted
                    .into_par_iter()
                    .map(|i| (i, summarise(&targets[i], true)))
                    .collect()
            });
            frontier.clear();
            for (i, summary) in found {
                if let Some(summary) = summary {
                    imports[i] = Some(resolve(i, &summary));
                    summaries[i] = Some(summary);
                    frontier.push(i);
                }
            }
        }
        Ok(Workspace::with_graph(
            paths.into_iter().zip(summaries).collect(),
            graph,
        ))
    }

    /// A workspace of these files (canonical paths) and summaries.
    pub fn new(files: Vec<(PathBuf, Option<Summary>)>) -> Workspace {
        let paths: Vec<PathBuf> = files.iter().map(|(p, _)| p.clone()).collect();
        let graph = Graph::new(&paths);
        Workspace::with_graph(files, graph)
    }

    /// [`Workspace::new`] with the module graph of these files already made.
    fn with_graph(files: Vec<(PathBuf, Option<Summary>)>, graph: Graph) -> Workspace {
        let paths: Vec<PathBuf> = files.iter().map(|(p, _)| p.clone()).collect();
        let nodes = files
            .into_iter()
            .map(|(p, s)| node(&graph, &p, s.unwrap_or_default()))
            .collect();
        let mut ws = Workspace {
            by_path: paths
                .iter()
                .cloned()
                .enumerate()
                .map(|(i, p)| (p, i))
                .collect(),
            paths,
            nodes,
            graph,
            facts: HashMap::new(),
        };
        ws.facts = propagate::propagate(&ws.nodes);
        ws
    }

    /// Files in the workspace.
    pub fn len(&self) -> usize {
        self.paths.len()
    }

    pub fn is_empty(&self) -> bool {
        self.paths.is_empty()
    }

    /// Whether the file at `path` (canonical) is in the workspace.
    pub fn contains(&self, path: &Path) -> bool {
        self.by_path.contains_key(path)
    }

    /// Replaces the summary of the file at `path` (canonical), adding the file when it is new
    /// (then every file's imports are resolved again: one of them may name it), and propagates
    /// again.
    pub fn update(&mut self, path: &Path, summary: Option<Summary>) {
        let summary = summary.unwrap_or_default();
        // A file created or deleted on disk changes what a specifier names.
        self.graph.forget_resolutions();
        match self.by_path.get(path) {
            Some(&i) => self.nodes[i] = node(&self.graph, path, summary),
            None => {
                self.by_path.insert(path.to_path_buf(), self.paths.len());
                self.paths.push(path.to_path_buf());
                self.graph = Graph::new(&self.paths);
                let mut nodes = std::mem::take(&mut self.nodes);
                nodes.push(Node {
                    summary,
                    imports: Vec::new(),
                    entry: false,
                });
                self.nodes = nodes
                    .into_iter()
                    .zip(&self.paths)
                    .map(|(n, p)| node(&self.graph, p, n.summary))
                    .collect();
            }
        }
        self.facts = propagate::propagate(&self.nodes);
    }

    /// What the project says about the file at `path` (canonical); empty when nothing.
    pub fn facts(&self, path: &Path) -> FileFacts {
        self.by_path
            .get(path)
            .and_then(|i| self.facts.get(i))
            .cloned()
            .unwrap_or_default()
    }
}

/// A file's node: its summary and what each of its imports resolves to.
fn node(graph: &Graph, path: &Path, summary: Summary) -> Node {
    let imports = summary
        .imports
        .iter()
        .map(|import| graph.resolve(path, &import.specifier))
        .collect();
    Node {
        summary,
        imports,
        entry: path.file_stem().is_some_and(|s| s == "index"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_empty_workspace_has_no_facts() {
        let ws = Workspace::new(Vec::new());
        assert!(ws.is_empty());
        assert!(ws.facts(Path::new("/nowhere.js")).is_empty());
    }

    /// A cancelled build (the language server's session ended, or its folders changed) walks
    /// and reads nothing more: the index thread is detached and must not go on working.
    #[test]
    fn a_cancelled_build_stops_walking_and_reading() {
        let dir = tempfile::tempdir().unwrap();
        for name in ["a.js", "b.js"] {
            std::fs::write(dir.path().join(name), "module.exports = 1;\n").unwrap();
        }
        let configs = std::sync::Arc::new(crate::config::Configs::new(dir.path(), None).unwrap());
        let ignore = crate::globs::IgnoreGlobs::new(dir.path().to_path_buf(), &[]).unwrap();
        let walk = |cancel| {
            crate::walk::collect(
                &[dir.path().to_path_buf()],
                &crate::walk::WalkOptions {
                    cwd: dir.path(),
                    no_ignore: false,
                    cli_ignore: &ignore,
                    configs: &configs,
                    cancel: Some(cancel),
                },
            )
            .unwrap()
            .targets
        };
        let go = std::sync::atomic::AtomicBool::new(false);
        let stop = std::sync::atomic::AtomicBool::new(true);
        assert_eq!(walk(&go).len(), 2);
        assert!(walk(&stop).is_empty());

        let targets = walk(&go);
        let read = AtomicUsize::new(0);
        let count = |_: usize, _: usize| {
            read.fetch_add(1, Ordering::Relaxed);
        };
        let opts = LintOptions::default();
        Workspace::scan(&targets, &opts, &count, &go).unwrap();
        assert_eq!(read.load(Ordering::Relaxed), 2);
        read.store(0, Ordering::Relaxed);
        Workspace::scan(&targets, &opts, &count, &stop).unwrap();
        assert_eq!(
            read.load(Ordering::Relaxed),
            0,
            "no file is read once cancelled"
        );
    }
}
