//! `leaklint heap summary`, `leaklint heap diff` and `leaklint confirm`: the command-line side
//! of the runtime checker (the work is done in the `leaklint-runtime-check` crate).
//!
//! Exit status: `heap summary` and `heap diff` exit 0 when they could read every snapshot;
//! `confirm` exits 1 when a finding is confirmed or there is unexplained growth, 0 otherwise;
//! all three exit 2 for a snapshot that cannot be read (the message names the file, the byte
//! offset and what was expected there) or a usage error.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Instant;

use clap::{Subcommand, ValueEnum};
use leaklint_runtime_check as rc;
use rc::{Graph, ReadOptions, Snapshot};

use crate::exit::{Exit, Failure};

#[derive(Debug, Subcommand)]
pub enum HeapCommand {
    /// Per-class counts, self and retained sizes, and the objects that retain the most.
    Summary {
        /// A `.heapsnapshot` or `.heapsnapshot.gz` file.
        #[arg(value_name = "SNAPSHOT")]
        snapshot: PathBuf,
        /// Rows to show.
        #[arg(long, value_name = "N", default_value_t = 20)]
        top: usize,
        /// Output format.
        #[arg(short, long, value_enum, default_value_t = HeapFormat::Text)]
        format: HeapFormat,
    },
    /// Compare two or three snapshots of one process by node id (#New, #Deleted, #Delta, size
    /// delta per class and per closure location); with three, what grew in both intervals.
    Diff {
        /// Two or three snapshots, oldest first.
        #[arg(value_name = "SNAPSHOT", num_args = 2..=3, required = true)]
        snapshots: Vec<PathBuf>,
        /// Rows to show per table.
        #[arg(long, value_name = "N", default_value_t = 20)]
        top: usize,
        /// With three snapshots: a row must grow by at least N objects in each interval.
        #[arg(long, value_name = "N", default_value_t = 1)]
        min_growth: i64,
        /// Output format.
        #[arg(short, long, value_enum, default_value_t = HeapFormat::Text)]
        format: HeapFormat,
    },
    /// Allocation sites of a sampling heap profile (`node --heap-prof`) by sampled bytes, self
    /// and with callees, at file:line through source maps. Sampling shows where memory is
    /// allocated, not what is retained.
    Profile {
        /// A `.heapprofile` (or `.heapprofile.gz`) file.
        #[arg(value_name = "PROFILE")]
        profile: PathBuf,
        /// Sites to show.
        #[arg(long, value_name = "N", default_value_t = 20)]
        top: usize,
        /// Output format.
        #[arg(short, long, value_enum, default_value_t = HeapFormat::Text)]
        format: HeapFormat,
    },
}

#[derive(Debug, clap::Args)]
pub struct ConfirmArgs {
    /// Three snapshots of one process, oldest first, taken after the same amount of load each.
    #[arg(long, value_name = "SNAPSHOT", num_args = 3, required = true)]
    pub snapshots: Vec<PathBuf>,
    /// Files and directories to lint (default: .). Not with --findings.
    #[arg(value_name = "PATHS", conflicts_with = "findings")]
    pub paths: Vec<PathBuf>,
    /// Read findings from a `leaklint --format json` report instead of linting.
    #[arg(long, value_name = "REPORT")]
    pub findings: Option<PathBuf>,
    /// The directory the app ran from, as the snapshot's absolute script paths spell it:
    /// `<DIR>/src/app.js` in a snapshot is `src/app.js` here. Without it, script paths are matched
    /// to linted files by their longest common suffix.
    #[arg(long, value_name = "DIR")]
    pub root: Option<String>,
    /// Unexplained growth must grow by at least N objects (or entries) in each interval.
    #[arg(long, value_name = "N", default_value_t = rc::confirm::DEFAULT_MIN_GROWTH)]
    pub min_growth: u64,
    /// A sampling heap profile (`node --heap-prof`) of the app: each verdict also shows the
    /// bytes sampled in the function around the finding. Weaker evidence: sampling shows where
    /// memory is allocated, not what is retained, so it never decides a verdict.
    #[arg(long, value_name = "PROFILE")]
    pub profile: Option<PathBuf>,
    /// Output format.
    #[arg(short, long, value_enum, default_value_t = HeapFormat::Text)]
    pub format: HeapFormat,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum HeapFormat {
    /// For people.
    Text,
    /// One JSON object (schema in the README).
    Json,
}

// Linked in for its C library: `mi_option_set` below.
use mimalloc as _;

unsafe extern "C" {
    /// mimalloc's option setter (`mimalloc.h` of the vendored mimalloc v2).
    fn mi_option_set(option: std::ffi::c_int, value: std::ffi::c_long);
}

#[cfg(target_os = "linux")]
unsafe extern "C" {
    /// Linux `prctl(2)`.
    fn prctl(option: std::ffi::c_int, ...) -> std::ffi::c_int;
}

/// `mi_option_purge_delay` in mimalloc v2's `mi_option_e` (the 16th option).
const MI_OPTION_PURGE_DELAY: std::ffi::c_int = 15;

/// The heap commands allocate and free arrays of hundreds of megabytes in turn. By default
/// mimalloc (the global allocator) hands freed memory back to the OS after 10 ms and takes it
/// again for the next array, and the kernel zeroes it every time: on a 0.5 GB snapshot that
/// cost more system time than the analysis itself (3.1 s instead of 1.5 s). The process is
/// short-lived, so keep freed memory instead. Transparent huge pages are turned off for the
/// same reason: faulting them in made the run time swing between 1.6 and 2.6 s (compaction
/// stalls), while 4 KiB pages cost a steady 0.3 s.
pub(crate) fn tune_allocator() {
    // SAFETY: a plain setter of a global option; any value is valid for it (-1: never purge).
    unsafe { mi_option_set(MI_OPTION_PURGE_DELAY, -1) };
    no_huge_pages();
}

/// `confirm` reads its snapshots one after another, each larger than the one before: the arrays
/// freed when an older snapshot is done with (nodes, edges, retainers, dominator work arrays) are
/// too small for the next snapshot's, so memory kept for reuse is never reused and only adds to
/// the peak. Hand freed memory back at once; huge pages stay off as for the other commands.
pub(crate) fn tune_allocator_for_sequence() {
    // SAFETY: as in `tune_allocator` (0: purge freed memory at once).
    unsafe { mi_option_set(MI_OPTION_PURGE_DELAY, 0) };
    no_huge_pages();
}

fn no_huge_pages() {
    #[cfg(target_os = "linux")]
    {
        const PR_SET_THP_DISABLE: std::ffi::c_int = 41;
        // SAFETY: sets a flag of this process's memory map; failure (an old kernel) is harmless.
        let _ = unsafe {
            prctl(
                PR_SET_THP_DISABLE,
                1 as std::ffi::c_ulong,
                0 as std::ffi::c_ulong,
                0 as std::ffi::c_ulong,
                0 as std::ffi::c_ulong,
            )
        };
    }
}

fn timings() -> bool {
    std::env::var_os("LEAKLINT_TIMINGS").is_some_and(|v| !v.is_empty())
}

fn note_time(what: &str, since: Instant) {
    if timings() {
        let _ = writeln!(
            std::io::stderr().lock(),
            "timing {what}: {:.0} ms",
            since.elapsed().as_secs_f64() * 1000.0
        );
    }
}

fn shown(path: &Path) -> String {
    path.display().to_string()
}

fn read(path: &Path, keep_edges: bool) -> Result<Snapshot, Failure> {
    let started = Instant::now();
    let opts = ReadOptions {
        keep_edges,
        progress: true,
    };
    let snap = rc::read_snapshot(path, &shown(path), &opts).map_err(|e| {
        // A profile or other JSON given by mistake: say what it is rather than where its
        // bytes stop looking like a snapshot.
        match rc::filekind::sniff(path).explain() {
            Some(what) => Failure::Usage(format!("{}: {what}", shown(path))),
            None => Failure::Io(e.to_string()),
        }
    })?;
    note_time(&format!("read {}", shown(path)), started);
    Ok(snap)
}

/// Reads several snapshots at once, one thread each; `full[i]` says whether to keep edges.
fn read_all(paths: &[PathBuf], full: &[bool]) -> Result<Vec<Snapshot>, Failure> {
    std::thread::scope(|scope| {
        let handles: Vec<_> = paths
            .iter()
            .zip(full)
            .map(|(p, &f)| scope.spawn(move || read(p, f)))
            .collect();
        let mut out = Vec::new();
        let mut first_error = None;
        for h in handles {
            match h.join() {
                Ok(Ok(s)) => out.push(s),
                Ok(Err(e)) => {
                    first_error.get_or_insert(e);
                }
                Err(_) => {
                    first_error.get_or_insert(Failure::Io(
                        "internal error while reading a snapshot (please report it)".into(),
                    ));
                }
            }
        }
        match first_error {
            Some(e) => Err(e),
            None => Ok(out),
        }
    })
}

/// Snapshots given on the command line: files, each once. A directory among them is most
/// often a path to lint that took a snapshot's place (`--snapshots s1 s2 app/`).
fn check_snapshot_args(paths: &[PathBuf]) -> Result<(), Failure> {
    for (i, p) in paths.iter().enumerate() {
        if p.is_dir() {
            return Err(Failure::Usage(format!(
                "{} is a directory, not a snapshot: {} snapshot files are needed, oldest first                  (paths to lint go after them: `--snapshots s1 s2 s3 app/`)",
                shown(p),
                if paths.len() == 3 {
                    "three"
                } else {
                    "two or three"
                }
            )));
        }
        let same = |a: &Path, b: &Path| match (a.canonicalize(), b.canonicalize()) {
            (Ok(x), Ok(y)) => x == y,
            _ => a == b,
        };
        if let Some(q) = paths[..i].iter().find(|q| same(q, p)) {
            return Err(Failure::Usage(format!(
                "{} is given twice ({} and {}): give snapshots taken one after another",
                shown(p),
                shown(q),
                shown(p)
            )));
        }
    }
    Ok(())
}

/// Snapshots of one process, oldest first: see `rc::sequence`. Exit status 2 otherwise.
fn check_sequence(paths: &[PathBuf], snaps: &[&Snapshot]) -> Result<(), Failure> {
    let names: Vec<String> = paths.iter().map(|p| shown(p)).collect();
    rc::sequence::check(snaps, &names).map_err(|e| Failure::Usage(e.to_string()))
}

fn print(text: &str) -> Result<(), Failure> {
    let mut out = std::io::stdout().lock();
    out.write_all(text.as_bytes())
        .and_then(|()| out.flush())
        .map_err(Failure::stdout)
}

pub fn heap(cmd: HeapCommand) -> Result<Exit, Failure> {
    tune_allocator();
    match cmd {
        HeapCommand::Summary {
            snapshot,
            top,
            format,
        } => {
            let snap = read(&snapshot, true)?;
            let started = Instant::now();
            let mut g = Graph::with_dominators(snap);
            let mut maps = source_maps(None)?;
            maps.apply_to_graph(&mut g).map_err(map_failure)?;
            show_map_notes(&maps);
            let summary = rc::summary::summarize(&mut g, top);
            note_time("graph, dominators and summary", started);
            let path = shown(&snapshot);
            print(&match format {
                HeapFormat::Text => rc::render::summary_text(&path, &summary, top),
                HeapFormat::Json => rc::render::summary_json(&path, &summary, top),
            })?;
            Ok(Exit::Clean)
        }
        HeapCommand::Profile {
            profile,
            top,
            format,
        } => {
            let mut maps = source_maps(None)?;
            let path = shown(&profile);
            let p = read_profile(&profile, &mut maps)?;
            show_map_notes(&maps);
            print(&match format {
                HeapFormat::Text => rc::profile::render_text(&path, &p, top),
                HeapFormat::Json => rc::profile::render_json(&path, &p, top),
            })?;
            Ok(Exit::Clean)
        }
        HeapCommand::Diff {
            snapshots,
            top,
            min_growth,
            format,
        } => {
            // Only the middle snapshot of three (the last of two) is read with its edges: it
            // names the scripts and gives retainer paths. The others need ids, classes, sizes.
            let full_index = 1;
            check_snapshot_args(&snapshots)?;
            let full: Vec<bool> = (0..snapshots.len()).map(|i| i == full_index).collect();
            let mut snaps = read_all(&snapshots, &full)?;
            check_sequence(&snapshots, &snaps.iter().collect::<Vec<_>>())?;
            let started = Instant::now();
            let mut g = Graph::new(std::mem::take(&mut snaps[full_index]));
            // Locations of compiled scripts move to their sources, in every snapshot alike.
            let mut maps = source_maps(None)?;
            maps.apply_to_graph(&mut g).map_err(map_failure)?;
            for (i, snap) in snaps.iter_mut().enumerate() {
                if i != full_index {
                    maps.apply_to_light(snap);
                }
            }
            show_map_notes(&maps);
            note_time("graph", started);
            let started = Instant::now();
            let refs: Vec<&Snapshot> = snaps
                .iter()
                .enumerate()
                .map(|(i, s)| if i == full_index { &g.snap } else { s })
                .collect();
            let cmp = rc::diff::compare(&refs, full_index, &g.scripts);
            note_time("comparison", started);
            let paths: Vec<String> = snapshots.iter().map(|p| shown(p)).collect();
            print(&match format {
                HeapFormat::Text => rc::render::diff_text(&paths, &cmp, Some(&g), top, min_growth),
                HeapFormat::Json => rc::render::diff_json(&paths, &cmp, Some(&g), top, min_growth),
            })?;
            Ok(Exit::Clean)
        }
    }
}

/// Source maps looked for relative to the working directory (see `rc::sourcemaps`).
fn source_maps(root: Option<&str>) -> Result<rc::sourcemaps::SourceMaps, Failure> {
    let cwd = std::env::current_dir()
        .map_err(|e| Failure::Io(format!("cannot read the current directory: {e}")))?;
    Ok(rc::sourcemaps::SourceMaps::new(root, cwd))
}

/// A sampling heap profile; a broken one (or another kind of file) is bad input: exit 2.
fn read_profile(
    path: &Path,
    maps: &mut rc::sourcemaps::SourceMaps,
) -> Result<rc::profile::Profile, Failure> {
    let started = Instant::now();
    let p = rc::profile::read_profile(path, &shown(path), maps)
        .map_err(|e| Failure::Usage(e.to_string()))?;
    note_time(&format!("profile {}", shown(path)), started);
    Ok(p)
}

/// A broken source map is bad input: exit status 2, naming the file.
fn map_failure(e: rc::sourcemaps::SourceMapError) -> Failure {
    Failure::Usage(e.to_string())
}

/// Maps that were named but could not be used, on standard error.
fn show_map_notes(maps: &rc::sourcemaps::SourceMaps) {
    for n in maps.notes() {
        eprintln!("leaklint: note: {n}");
    }
}

pub fn confirm(args: ConfirmArgs) -> Result<Exit, Failure> {
    let findings = findings(args.findings.as_deref(), &args.paths)?;
    confirm_findings(args, &findings)
}

/// The findings to confirm: read from a JSON report, or from linting `paths` (default `.`).
pub(crate) fn findings(
    report: Option<&Path>,
    paths: &[PathBuf],
) -> Result<Vec<rc::Finding>, Failure> {
    match report {
        Some(report) => {
            let text = std::fs::read_to_string(report)
                .map_err(|e| Failure::Io(format!("cannot read {}: {e}", report.display())))?;
            rc::confirm::findings_from_json(&text)
                .map_err(|e| Failure::Usage(format!("{}: {e}", report.display())))
        }
        None => {
            let cwd = std::env::current_dir()
                .map_err(|e| Failure::Io(format!("cannot read the current directory: {e}")))?;
            lint_findings(paths, &cwd)
        }
    }
}

/// `confirm` with its findings already at hand (`args.findings` and `args.paths` unused).
pub(crate) fn confirm_findings(
    args: ConfirmArgs,
    findings: &[rc::Finding],
) -> Result<Exit, Failure> {
    tune_allocator_for_sequence();
    check_snapshot_args(&args.snapshots)?;
    // The profile first: a wrong file is reported before the snapshots are read.
    let profile = match &args.profile {
        Some(p) => {
            let mut maps = source_maps(args.root.as_deref())?;
            let profile = read_profile(p, &mut maps)?;
            show_map_notes(&maps);
            Some(profile)
        }
        None => None,
    };
    let started = Instant::now();
    let paths: Vec<String> = args.snapshots.iter().map(|p| shown(p)).collect();
    let opts = rc::confirm::Options {
        root: args.root.clone(),
        min_growth: args.min_growth,
    };
    // One snapshot at a time, oldest first: `confirm_with` adds each to the Comparison, observes
    // it, and frees it (but for its script names and collection entry counts) before the next
    // is read (three 0.5 GB snapshots: 2.8 GB, then 1.89 GB, now the figure in the README).
    // Each is checked against the one before it while the next is read.
    let mut previous: Option<rc::sequence::Fingerprint> = None;
    let mut maps = source_maps(args.root.as_deref())?;
    let mut result = rc::confirm::confirm_with(
        args.snapshots.len(),
        |i| {
            let snap = read(&args.snapshots[i], true)?;
            let print = rc::sequence::Fingerprint::of(&snap);
            if let Some(before) = &previous {
                rc::sequence::check_pair(before, &print, &paths[i - 1], &paths[i])
                    .map_err(|e| Failure::Usage(e.to_string()))?;
            }
            previous = Some(print);
            let started = Instant::now();
            let mut g = Graph::new(snap);
            maps.apply_to_graph(&mut g).map_err(map_failure)?;
            note_time(&format!("graph {}", paths[i]), started);
            Ok(g)
        },
        findings,
        &opts,
    )?;
    note_time("confirm", started);
    show_map_notes(&maps);
    if let Some(p) = &profile {
        rc::confirm::add_allocations(&mut result.verdicts, p, args.root.as_deref());
    }
    print(&match args.format {
        HeapFormat::Text => rc::confirm::render_text(&paths, &result),
        HeapFormat::Json => rc::confirm::render_json(&paths, &result),
    })?;
    Ok(if result.leaks_found() {
        Exit::Problems
    } else {
        Exit::Clean
    })
}

/// Lints `paths` with the default configuration lookup (`leaklint.toml`) and returns every
/// finding that has a runtime signature.
fn lint_findings(paths: &[PathBuf], cwd: &Path) -> Result<Vec<rc::Finding>, Failure> {
    let paths = if paths.is_empty() {
        vec![PathBuf::from(".")]
    } else {
        paths.to_vec()
    };
    let configs = Arc::new(
        crate::config::Configs::new(cwd, None).map_err(|e| Failure::Config(e.to_string()))?,
    );
    let cli_ignore = crate::globs::IgnoreGlobs::new(cwd.to_path_buf(), &[])
        .map_err(|e| Failure::Usage(e.to_string()))?;
    let walked = crate::walk::collect(
        &paths,
        &crate::walk::WalkOptions {
            cwd,
            no_ignore: false,
            cli_ignore: &cli_ignore,
            configs: &configs,
            cancel: None,
        },
    )
    .map_err(|e| Failure::Config(e.to_string()))?;
    if let Some(e) = walked.errors.first() {
        return Err(Failure::Io(e.clone()));
    }
    let outcomes =
        crate::engine::lint_targets(walked.targets, &crate::engine::LintOptions::default())
            .map_err(Failure::Io)?;
    let mut findings = Vec::new();
    for outcome in outcomes {
        let crate::engine::Outcome::Linted(file) = outcome else {
            continue;
        };
        for p in &file.problems {
            let Some(sig) = &p.signature else { continue };
            findings.push(rc::Finding {
                rule: p.source.id().to_owned(),
                file: file.path.clone(),
                line: p.at.start.line as u32,
                column: p.at.start.column as u32,
                message: p.message.clone(),
                signature: sig.clone(),
            });
        }
    }
    findings.sort_by(|a, b| {
        (&a.file, a.line, a.column, &a.rule).cmp(&(&b.file, b.line, b.column, &b.rule))
    });
    Ok(findings)
}
