//! Whole-project analysis: lints every file (summarising what crosses its boundary in the same
//! pass), builds the module graph ([`graph`]), summarises on demand the files that summarised
//! files call into but that had nothing to summarise on their own (a plain controller between a
//! route and a service), along the chain, propagates roles, singletons and settings across
//! files to a fixed point ([`propagate`]), and lints again, with those facts, the files whose
//! findings they can change.
//!
//! The second pass parses a file again; it runs only for files the project phase gives facts
//! that add findings (a role from a caller elsewhere, a singleton, an HTTP wrapper) or that
//! had findings the facts can remove (start-up-only callers, an `axios.defaults.timeout` set
//! elsewhere). On library code that is a small share of the files.

mod graph;
mod propagate;
mod schedule;
pub mod workspace;

use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};

use leaklint_rules::InProject;
use rayon::prelude::*;

use crate::engine::{LintOptions, Outcome};
use crate::walk::Target;

/// A partial run (`leaklint src/routes/orders.js`, or pre-commit passing the changed files):
/// the project around each named file is read for facts, and only the named files are
/// reported. The project's root is the nearest folder at or above the file with a
/// `package.json`, `tsconfig.json` or `.git`; a file with none above it is linted alone.
/// Returns the targets with `true` for the ones to report.
pub fn with_context(
    named: Vec<Target>,
    paths: &[PathBuf],
    opts: &crate::walk::WalkOptions<'_>,
) -> Result<Vec<(Target, bool)>, crate::config::ConfigError> {
    let mut roots: Vec<PathBuf> = Vec::new();
    for path in paths {
        if !path.is_file() {
            continue;
        }
        let abs = crate::paths::absolute(path, opts.cwd);
        let root = abs.ancestors().skip(1).find(|d| {
            ["package.json", "tsconfig.json", ".git"]
                .iter()
                .any(|marker| d.join(marker).exists())
        });
        if let Some(root) = root
            && !roots.iter().any(|r| root.starts_with(r))
        {
            roots.retain(|r| !r.starts_with(root));
            roots.push(root.to_path_buf());
        }
    }
    if roots.is_empty() {
        // Folders only (or files outside any project): nothing to add, and no need to find
        // the canonical path of each of their files.
        return Ok(named.into_iter().map(|t| (t, true)).collect());
    }
    let seen: std::collections::HashSet<PathBuf> = named
        .iter()
        .map(|t| std::fs::canonicalize(&t.path).unwrap_or_else(|_| t.path.clone()))
        .collect();
    let mut out: Vec<(Target, bool)> = named.into_iter().map(|t| (t, true)).collect();
    // Relative to the current directory, like the named paths, so that display paths agree.
    let root_paths: Vec<PathBuf> = roots
        .iter()
        .map(|r| {
            r.strip_prefix(opts.cwd).map_or_else(
                |_| r.clone(),
                |p| {
                    if p.as_os_str().is_empty() {
                        PathBuf::from(".")
                    } else {
                        p.to_path_buf()
                    }
                },
            )
        })
        .collect();
    let around = crate::walk::collect(&root_paths, opts)?;
    for t in around.targets {
        let canonical = std::fs::canonicalize(&t.path).unwrap_or_else(|_| t.path.clone());
        if !seen.contains(&canonical) {
            out.push((t, false));
        }
    }
    Ok(out)
}

/// Wall time of the project phase, for `LEAKLINT_TIMINGS`.
#[derive(Clone, Copy, Debug, Default)]
pub struct ProjectTimings {
    /// Module graph and propagation.
    pub phase: Duration,
    /// The part of `phase` spent on the module graph: canonical paths, resolving imports.
    pub graph: Duration,
    /// Linting again the files the project phase gave facts to.
    pub relint: Duration,
    pub relinted_files: usize,
    /// `--cache`: (results reused, files linted), over both passes.
    pub cache: Option<(usize, usize)>,
    /// Wall time of the first pass (every file linted and summarised).
    pub first_pass: Duration,
    /// The end of the first pass during which a worker had no file left to take.
    pub first_pass_tail: Duration,
    /// Files summarised only because summarised files call into them (see `demanded`).
    pub demanded_files: usize,
}

/// Lints `targets` as one project. Only files with `report` set are reported; the others are
/// read for facts (a partial run, see [`crate::walk`]). The result is in no particular order.
pub fn lint_project(
    targets: Vec<(Target, bool)>,
    opts: &LintOptions,
    cache: Option<Arc<crate::cache::Cache>>,
) -> Result<(Vec<Outcome>, ProjectTimings), String> {
    let pool = crate::engine::pool()?;
    pool.install(|| run(targets, opts, cache))
}

/// Lints each job's target (`lint` says how) on [`crate::budget`]'s workers, each file within
/// its time budget; a file past its budget is reported as not analysed. The first `serial`
/// jobs are taken one after another by one worker ([`crate::budget::run_lanes`]). The jobs'
/// data is shared (`Arc`) because a worker given up on may outlive the run.
fn lint_within_budget<J: Send + Sync + 'static>(
    targets: &Arc<Vec<(Target, bool)>>,
    jobs: Vec<(usize, J)>,
    serial: usize,
    opts: &Arc<LintOptions>,
    cache: &Option<Arc<crate::cache::Cache>>,
    lint: fn(&Target, &LintOptions, &J, Option<&crate::cache::Cache>) -> Linted,
) -> Result<(Vec<(usize, Linted)>, Duration), String> {
    let indexes: Vec<usize> = jobs.iter().map(|(t, _)| *t).collect();
    let jobs = jobs
        .into_iter()
        .map(|(t, j)| {
            let budget = opts.file_budget(&targets[t].0.config);
            ((t, j), budget)
        })
        .collect();
    let (targets_, opts_, cache_) = (Arc::clone(targets), Arc::clone(opts), cache.clone());
    let (done, tail) =
        crate::budget::run_lanes(jobs, serial, rayon::current_num_threads(), move |(t, j)| {
            lint(&targets_[*t].0, &opts_, j, cache_.as_deref())
        })?;
    let done: Vec<_> = indexes
        .into_iter()
        .zip(done)
        .map(|(t, done)| match done {
            crate::budget::Done::Finished(linted) => (t, linted),
            other => {
                let failed = other_than_finished(other);
                let path = targets[t].0.display.clone();
                (t, (crate::engine::supervised(path, failed), None))
            }
        })
        .collect();
    Ok((done, tail))
}

/// A file's outcome and summary.
type Linted = (Outcome, Option<leaklint_rules::project::Summary>);

/// `done` (not `Finished`) as a result with no value.
fn other_than_finished(done: crate::budget::Done<Linted>) -> crate::budget::Done<Outcome> {
    use crate::budget::Done;
    match done {
        Done::Finished((outcome, _)) => Done::Finished(outcome),
        Done::Overran { phase, budget } => Done::Overran { phase, budget },
        Done::Panicked => Done::Panicked,
        Done::NotStarted(e) => Done::NotStarted(e),
    }
}

/// Reads and lints one target in the project: pass 1 (summarising) and pass 2 (with facts) read
/// files the same way, so a file too large or unreadable is reported the same in both.
fn lint_target(
    target: &Target,
    opts: &LintOptions,
    project: &InProject,
    cache: Option<&crate::cache::Cache>,
) -> Linted {
    leaklint_rules::progress::enter(leaklint_rules::progress::Phase::Read);
    match crate::engine::read_source(&target.path) {
        Ok(Ok(bytes)) => crate::engine::lint_bytes_in_project(
            target.display.clone(),
            bytes,
            &target.kind,
            &target.config,
            opts,
            project,
            cache,
        ),
        Ok(Err(len)) => (crate::engine::too_large(target.display.clone(), len), None),
        Err(e) => (
            Outcome::Failed {
                error: format!("cannot read {}: {e}", target.display),
                path: target.display.clone(),
            },
            None,
        ),
    }
}

/// Can a demanded file's summary continue the chain ([`leaklint_rules::project::leads_on`])? Read
/// again from disk: the first pass keeps no text, and reading a file the page cache holds costs
/// far less than parsing it (on the benchmark corpus a third of the files summarised files call
/// into, 380 of 1,131, import nothing: each was parsed a second time for no summary). A file
/// that cannot be read as UTF-8 text now is left for the demanded run to judge.
pub(crate) fn may_lead_on(path: &std::path::Path) -> bool {
    std::fs::read_to_string(path).map_or(true, |src| leaklint_rules::project::leads_on(&src))
}

/// The canonical path of each target, which is how the resolver names files. A walked file is
/// not a link (a walk does not follow them), so its canonical path is its folder's joined with
/// its name: one `realpath` per folder instead of one per file, each of which reads every link
/// on the way from the root (a tenth of the run's system time on a corpus of 10,000 files).
fn canonical_paths(targets: &[(Target, bool)]) -> Vec<PathBuf> {
    use std::collections::{HashMap, HashSet};
    use std::path::Path;
    let folder = |p: &Path| -> PathBuf {
        match p.parent() {
            Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
            _ => PathBuf::from("."),
        }
    };
    let folders: HashSet<PathBuf> = targets
        .iter()
        .filter(|(t, _)| !t.is_link)
        .map(|(t, _)| folder(&t.path))
        .collect();
    let folders: HashMap<PathBuf, Option<PathBuf>> = folders
        .into_par_iter()
        .map(|d| {
            let c = std::fs::canonicalize(&d).ok();
            (d, c)
        })
        .collect();
    targets
        .par_iter()
        .map(|(t, _)| {
            let joined = if t.is_link {
                None
            } else {
                folders[&folder(&t.path)]
                    .as_ref()
                    .zip(t.path.file_name())
                    .map(|(d, name)| d.join(name))
            };
            joined
                .or_else(|| std::fs::canonicalize(&t.path).ok())
                .unwrap_or_else(|| t.path.clone())
        })
        .collect()
}

/// The files, not summarised yet, that the summarised files in `frontier` call into, make
/// instances of, register or export again (each file once: `asked` remembers), among the
/// `eligible` ones (JavaScript and TypeScript files that could be read and parsed, and that
/// import something: see [`may_lead_on`]).
pub(crate) fn demanded(
    frontier: &[usize],
    summaries: &[Option<leaklint_rules::project::Summary>],
    imports: &[Option<Vec<Option<usize>>>],
    asked: &mut [bool],
    eligible: &(dyn Fn(usize) -> bool + Sync),
) -> Vec<usize> {
    use leaklint_rules::project::{ExportValue, Target as Reaches};
    let mut candidates = Vec::new();
    for &t in frontier {
        let (Some(summary), Some(resolved)) = (&summaries[t], &imports[t]) else {
            continue;
        };
        let used = summary.uses.iter().filter_map(|u| match u.target {
            Reaches::Import { import, .. } => Some(import),
            _ => None,
        });
        let exported = summary.exports.iter().filter_map(|e| match e.value {
            ExportValue::Import(import) | ExportValue::All(import) => Some(import),
            _ => None,
        });
        for import in used.chain(exported) {
            let Some(Some(u)) = resolved.get(import) else {
                continue;
            };
            let u = *u;
            // Each file is asked about once: `eligible` may read it.
            if summaries[u].is_none() && !asked[u] {
                asked[u] = true;
                candidates.push(u);
            }
        }
    }
    // In parallel: asking may read the file (hundreds of them on a large project).
    let mut wanted: Vec<usize> = candidates
        .into_par_iter()
        .filter(|&u| eligible(u))
        .collect();
    wanted.sort_unstable();
    wanted
}

fn run(
    targets: Vec<(Target, bool)>,
    opts: &LintOptions,
    cache: Option<Arc<crate::cache::Cache>>,
) -> Result<(Vec<Outcome>, ProjectTimings), String> {
    let mut timings = ProjectTimings::default();
    let targets = Arc::new(targets);
    let opts = Arc::new(opts.clone());
    // Pass 1: lint and summarise each file.
    let started = Instant::now();
    // The sizes decide the order (see `schedule`), so they are read before any file is: one
    // `stat` per file, besides the one `read_source` makes when the file is read.
    let sizes: Vec<u64> = targets
        .par_iter()
        .map(|(t, _)| std::fs::metadata(&t.path).map_or(0, |m| m.len()))
        .collect();
    let (order, serial) = schedule::order(&sizes);
    let (mut first, tail) = lint_within_budget(
        &targets,
        order.into_iter().map(|t| (t, ())).collect(),
        serial,
        &opts,
        &cache,
        |target, opts, (), cache| {
            let project = InProject {
                summarize: Some(&target.display),
                ..InProject::default()
            };
            lint_target(target, opts, &project, cache)
        },
    )?;
    timings.first_pass = started.elapsed();
    timings.first_pass_tail = tail;
    // Back in target order (every target is a job of the first pass, once).
    first.sort_unstable_by_key(|(t, _)| *t);
    let first = first.into_iter().map(|(_, linted)| linted);

    // The project phase.
    let started = Instant::now();
    let canonical = canonical_paths(&targets);
    let graph = graph::Graph::new(&canonical);
    let mut outcomes = Vec::with_capacity(targets.len());
    let mut summaries: Vec<Option<leaklint_rules::project::Summary>> =
        Vec::with_capacity(targets.len());
    for (outcome, summary) in first {
        outcomes.push(outcome);
        summaries.push(summary);
    }
    // Each summarised file's imports, resolved to target indexes.
    let resolve = |t: usize, summary: &leaklint_rules::project::Summary| -> Vec<Option<usize>> {
        summary
            .imports
            .iter()
            .map(|import| graph.resolve(&canonical[t], &import.specifier))
            .collect()
    };
    let mut imports: Vec<Option<Vec<Option<usize>>>> = summaries
        .par_iter()
        .enumerate()
        .map(|(t, s)| s.as_ref().map(|s| resolve(t, s)))
        .collect();
    // Files nothing summarised that summarised files call into or export again are summarised
    // now (a controller between the route and the service), and so on along the chain.
    let mut frontier: Vec<usize> = (0..targets.len())
        .filter(|&t| summaries[t].is_some())
        .collect();
    let mut asked = vec![false; targets.len()];
    loop {
        let eligible = |u: usize| {
            matches!(targets[u].0.kind, crate::walk::FileKind::Source(_))
                && matches!(&outcomes[u], Outcome::Linted(r) if r.parse_error.is_none())
                && may_lead_on(&targets[u].0.path)
        };
        let wanted = demanded(&frontier, &summaries, &imports, &mut asked, &eligible);
        if wanted.is_empty() {
            break;
        }
        timings.demanded_files += wanted.len();
        let (done, _) = lint_within_budget(
            &targets,
            wanted.into_iter().map(|t| (t, ())).collect(),
            0,
            &opts,
            &cache,
            |target, opts, (), cache| {
                let project = InProject {
                    summarize: Some(&target.display),
                    demanded: true,
                    ..InProject::default()
                };
                lint_target(target, opts, &project, cache)
            },
        )?;
        frontier.clear();
        // The outcome stays the first pass's: a file is demanded because nothing in it could
        // be reported, and linting it again found the same. Its time counts.
        for (t, (again, summary)) in done {
            if let (Outcome::Linted(first), Outcome::Linted(again)) = (&mut outcomes[t], again) {
                *first.timings += *again.timings;
            }
            if let Some(summary) = summary {
                imports[t] = Some(resolve(t, &summary));
                summaries[t] = Some(summary);
                frontier.push(t);
            }
        }
    }
    let mut nodes = Vec::new();
    let mut node_of = Vec::new();
    for (i, summary) in summaries.into_iter().enumerate() {
        let Some(summary) = summary else { continue };
        node_of.push(i);
        nodes.push((i, summary));
    }
    // Imports resolve to target indexes; propagation works on node indexes.
    let target_to_node: std::collections::HashMap<usize, usize> =
        node_of.iter().enumerate().map(|(n, &t)| (t, n)).collect();
    let nodes: Vec<propagate::Node> = nodes
        .into_iter()
        .map(|(i, summary)| {
            let imports = imports[i]
                .take()
                .unwrap_or_default()
                .into_iter()
                .map(|t| t.and_then(|t| target_to_node.get(&t).copied()))
                .collect();
            let entry = canonical[i].file_stem().is_some_and(|s| s == "index");
            propagate::Node {
                summary,
                imports,
                entry,
            }
        })
        .collect();
    timings.graph = started.elapsed();
    let facts = propagate::propagate(&nodes);
    timings.phase = started.elapsed();

    // Pass 2: lint again the files whose findings the facts can change.
    let started = Instant::now();
    let again: Vec<(usize, leaklint_rules::project::FileFacts)> = facts
        .into_iter()
        .map(|(n, f)| (node_of[n], f))
        .filter(|(t, f)| {
            targets[*t].1
                && (f.can_add()
                    || matches!(&outcomes[*t], Outcome::Linted(r) if !r.problems.is_empty() || !r.suppressed.is_empty()))
        })
        .collect();
    timings.relinted_files = again.len();
    let (redone, _) = lint_within_budget(
        &targets,
        again,
        0,
        &opts,
        &cache,
        |target, opts, facts, cache| {
            let project = InProject {
                facts: Some(facts),
                ..InProject::default()
            };
            lint_target(target, opts, &project, cache)
        },
    )?;
    for (t, (outcome, _)) in redone {
        outcomes[t] = outcome;
    }
    timings.relint = started.elapsed();
    let reported = outcomes
        .into_iter()
        .zip(targets.iter())
        .filter(|(_, (_, report))| *report)
        .map(|(o, _)| o)
        .collect();
    Ok((reported, timings))
}
