//! The command-line application: parses arguments, runs a subcommand or a lint, prints the
//! report, and decides the exit status.

use std::ffi::OsString;
use std::io::{IsTerminal, Read, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;

use clap::Parser;
use leaklint_rules::{Flavor, Meta};

use crate::cli::{Cli, ColorChoice, Command, Format, LintArgs};
use crate::config::Configs;
use crate::engine::{LintOptions, Outcome};
use crate::exit::{Exit, Failure};
use crate::globs::IgnoreGlobs;
use crate::output::{RenderOptions, RunInfo};
use crate::report::Report;
use crate::walk::FileKind;

/// Width of the pretty report when it does not go to a terminal: fixed, so that the same input
/// gives the same bytes in CI logs, files and tests.
pub const DEFAULT_WIDTH: usize = 100;

/// Runs leaklint with these arguments (the first is the program name).
pub fn run<I, T>(args: I) -> ExitCode
where
    I: IntoIterator<Item = T>,
    T: Into<OsString> + Clone,
{
    let cli = match Cli::try_parse_from(args) {
        Ok(cli) => cli,
        Err(e) => {
            // clap prints help/version to stdout (status 0) and usage errors to stderr (2).
            let _ = e.print();
            return ExitCode::from(u8::try_from(e.exit_code()).unwrap_or(2));
        }
    };
    match dispatch(cli) {
        Ok(exit) => exit.into(),
        Err(failure) => {
            if let Some(message) = failure.message() {
                say("error", message);
            }
            ExitCode::from(2)
        }
    }
}

/// A line on stderr. Unlike `eprintln!`, never panics when stderr is closed.
fn say(kind: &str, message: &str) {
    let _ = writeln!(std::io::stderr().lock(), "{kind}: {message}");
}

fn dispatch(cli: Cli) -> Result<Exit, Failure> {
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    match cli.command {
        Some(Command::Rules) => crate::commands::rules(&mut out),
        Some(Command::Explain { rule }) => crate::commands::explain(&rule, &mut out),
        Some(Command::Init) => crate::commands::init(&current_dir()?, &mut out),
        Some(Command::Heap(cmd)) => crate::heap::heap(cmd),
        Some(Command::Confirm(args)) => crate::heap::confirm(args),
        Some(Command::Record(args)) => {
            drop(out);
            crate::record::record(args)
        }
        Some(Command::Trend(args)) => {
            drop(out);
            crate::trend::trend(args)
        }
        Some(Command::Lsp) => {
            drop(out);
            crate::lsp::run()
        }
        None => {
            drop(out);
            // A lint run is short-lived and allocates an AST per file: keep freed memory for the
            // next file instead of handing it back to the kernel to be zeroed again.
            crate::heap::tune_allocator();
            lint(cli.lint)
        }
    }
}

fn current_dir() -> Result<PathBuf, Failure> {
    std::env::current_dir()
        .map_err(|e| Failure::Io(format!("cannot read the current directory: {e}")))
}

/// The suppressions file (`--suppress-all`, `--prune-suppressions`, or just its presence):
/// updates it when asked, then hides the findings it allows.
fn apply_baseline(report: &mut Report, args: &LintArgs, cwd: &Path) -> Result<(), Failure> {
    let path = args
        .suppressions_location
        .clone()
        .unwrap_or_else(|| PathBuf::from(crate::baseline::DEFAULT_FILE));
    let path = crate::paths::absolute(&path, cwd);
    let shown = crate::paths::display(&path, cwd);
    if args.prune_suppressions && !path.exists() {
        return Err(Failure::Usage(format!(
            "--prune-suppressions: there is no {shown} (write one with --suppress-all)"
        )));
    }
    let mut baseline = crate::baseline::Baseline::load(&path).map_err(Failure::Config)?;
    if args.suppress_all || args.prune_suppressions {
        if args.suppress_all {
            baseline.suppress_all(report, cwd);
        } else {
            baseline.prune(report, cwd);
        }
        baseline.write().map_err(Failure::Io)?;
        say(
            "note",
            &format!(
                "wrote {shown}: {} findings in {} files",
                baseline.total(),
                baseline.files()
            ),
        );
    }
    if baseline.is_empty() {
        return Ok(());
    }
    let applied = baseline.apply(report, cwd);
    for note in &applied.notes {
        say("note", note);
    }
    if applied.hidden > 0 {
        say(
            "note",
            &format!("{} findings not shown: recorded in {shown}", applied.hidden),
        );
    }
    Ok(())
}

/// `--category` names a SARIF run: with another format, or empty, it is a usage error rather
/// than an option that silently does nothing.
fn check_category(args: &LintArgs) -> Result<(), Failure> {
    match args.category.as_deref() {
        Some(_) if args.format != Format::Sarif => Err(Failure::Usage(
            "--category applies to --format sarif only".to_owned(),
        )),
        Some(name) if name.trim_matches('/').is_empty() => Err(Failure::Usage(
            "--category needs a name, such as `leaklint` or `leaklint/frontend`".to_owned(),
        )),
        _ => Ok(()),
    }
}

fn rule_ids(ids: &[String], flag: &str) -> Result<Vec<&'static str>, Failure> {
    ids.iter()
        .map(|id| {
            leaklint_rules::find_rule(id)
                .map(|m: &'static Meta| m.id)
                .ok_or_else(|| {
                    Failure::Usage(format!(
                        "unknown rule `{id}` given to {flag}; known rules: {}",
                        crate::config::known_rule_ids()
                    ))
                })
        })
        .collect()
}

fn lint(args: LintArgs) -> Result<Exit, Failure> {
    check_category(&args)?;
    let cwd = current_dir()?;
    let opts = LintOptions {
        only: rule_ids(&args.rules, "--rule")?,
        disable: rule_ids(&args.disable, "--disable")?,
        quiet: args.quiet,
        report_unused_directives: args.report_unused_disable_directives,
        levels: Vec::new(),
        min_confidence: args.min_confidence.map(|c| c.level()),
        file_budget: args.file_budget,
    };
    let configs = Arc::new(
        Configs::new(&cwd, args.config.as_deref()).map_err(|e| Failure::Config(e.to_string()))?,
    );
    let cli_ignore = IgnoreGlobs::new(cwd.clone(), &args.ignore_pattern)
        .map_err(|e| Failure::Usage(format!("--ignore-pattern: {e}")))?;

    // Checked before linting: a bad --root is a usage error, whatever the format.
    let root = crate::output::artifact::Root::new(&cwd, args.root.as_deref()).map_err(|e| {
        let shown = args.root.as_deref().unwrap_or(&cwd).display();
        Failure::Usage(format!("--root {shown}: {e}"))
    })?;

    let mut errors = Vec::new();
    let mut walk_notes = Vec::new();
    let started = std::time::Instant::now();
    let mut walk_wall = std::time::Duration::ZERO;
    let mut project_timings = crate::project::ProjectTimings::default();
    let outcomes = if args.stdin {
        vec![lint_stdin(&args, &cwd, &configs, opts)?]
    } else {
        let walk_options = crate::walk::WalkOptions {
            cwd: &cwd,
            no_ignore: args.no_ignore,
            cli_ignore: &cli_ignore,
            configs: &configs,
            cancel: None,
        };
        let walked = crate::walk::collect(&args.paths, &walk_options)
            .map_err(|e| Failure::Config(e.to_string()))?;
        for note in &walked.notes {
            say("note", note);
        }
        walk_notes = walked.notes;
        errors.extend(walked.errors);
        if walked.targets.is_empty() && errors.is_empty() {
            say("note", "no JavaScript or TypeScript files to lint");
        }
        walk_wall = started.elapsed();
        // Named files are linted with the project around them (see `project::with_context`).
        let targets = crate::project::with_context(walked.targets, &args.paths, &walk_options)
            .map_err(|e| Failure::Config(e.to_string()))?;
        let cache = args.cache.then(|| {
            let path = crate::cache::path(args.cache_location.as_deref(), &cwd);
            let (cache, warning) = crate::cache::Cache::open(path);
            if let Some(warning) = warning {
                say("warning", &warning);
            }
            Arc::new(cache)
        });
        let (outcomes, timings) =
            crate::project::lint_project(targets, &opts, cache.clone()).map_err(Failure::Io)?;
        project_timings = timings;
        if let Some(cache) = &cache {
            project_timings.cache = Some(cache.counts());
            // The results are right either way: a cache that cannot be written is a warning.
            if let Err(e) = cache.save() {
                say("warning", &e);
            }
        }
        outcomes
    };

    let mut report = Report::default();
    let mut skipped = Vec::new();
    for outcome in outcomes {
        match outcome {
            Outcome::Linted(file) => report.files.push(file),
            Outcome::Skipped { path, reason } => skipped.push(format!("skipped {path}: {reason}")),
            Outcome::Failed { error, .. } => errors.push(error),
        }
    }
    // Deterministic output whatever order the worker threads finished in.
    report.files.sort_by(|a, b| a.path.cmp(&b.path));
    skipped.sort();
    errors.sort();
    for note in &skipped {
        say("note", note);
    }
    apply_baseline(&mut report, &args, &cwd)?;
    for error in &errors {
        say("error", error);
    }

    let summary = report.summary();
    let exit = if !errors.is_empty() {
        Exit::IoTrouble
    } else if summary.errors > 0 || args.max_warnings.is_some_and(|max| summary.warnings > max) {
        Exit::Problems
    } else {
        Exit::Clean
    };

    let linted_at = std::time::Instant::now();
    let run = RunInfo {
        root,
        exit_code: exit.code(),
        errors,
        notes: walk_notes.into_iter().chain(skipped).collect(),
        category: args.category.clone(),
    };
    write_report(&report, &args, &run)?;
    if std::env::var_os("LEAKLINT_TIMINGS").is_some_and(|v| !v.is_empty()) {
        print_timings(
            &report,
            walk_wall,
            linted_at - started,
            project_timings,
            linted_at.elapsed(),
        );
    }
    Ok(exit)
}

/// `LEAKLINT_TIMINGS=1`: where the time went. Phases inside the linter are summed over files
/// (and so over worker threads); walking + linting and output are wall time.
fn print_timings(
    report: &Report,
    walk_wall: std::time::Duration,
    lint_wall: std::time::Duration,
    project: crate::project::ProjectTimings,
    output_wall: std::time::Duration,
) {
    let mut sum = leaklint_rules::Timings::default();
    for f in &report.files {
        sum += *f.timings;
    }
    let ms = |d: std::time::Duration| d.as_secs_f64() * 1000.0;
    let lines = [
        format!(
            "timing walk (wall, before linting starts): {:.0} ms",
            ms(walk_wall)
        ),
        format!(
            "timing walk+read+lint (wall): {:.0} ms for {} files",
            ms(lint_wall),
            report.files.len()
        ),
        format!(
            "timing   first pass (wall): {:.0} ms, of which {:.0} ms with a worker out of files",
            ms(project.first_pass),
            ms(project.first_pass_tail)
        ),
        format!(
            "timing   parse (summed over files): {:.0} ms",
            ms(sum.parse)
        ),
        format!(
            "timing     of which limits pre-scan: {:.0} ms",
            ms(sum.limits)
        ),
        format!(
            "timing   trigger scan (summed over files): {:.0} ms",
            ms(sum.triggers)
        ),
        format!(
            "timing   resolve (summed over files): {:.0} ms",
            ms(sum.resolve)
        ),
        format!(
            "timing   model (summed over files): {:.0} ms; built for rules in {} files ({} KB), \
             only for the project summary in {} files ({} KB)",
            ms(sum.model),
            sum.modeled.files,
            sum.modeled.bytes / 1000,
            sum.summarized_only.files,
            sum.summarized_only.bytes / 1000
        ),
        format!(
            "timing   project summary (summed over files): {:.0} ms",
            ms(sum.summary)
        ),
        format!(
            "timing   rules (summed over files): {:.0} ms",
            ms(sum.rules)
        ),
        format!(
            "timing   freeing syntax trees and models (summed over files): {:.0} ms",
            ms(sum.drop)
        ),
        format!(
            "timing   project phase: module graph and propagation (wall): {:.0} ms",
            ms(project.phase)
        ),
        match project.cache {
            Some((hits, misses)) => format!(
                "timing   cache: {hits} results reused, {misses} files linted (each pass counts)"
            ),
            None => "timing   cache: off".to_string(),
        },
        format!(
            "timing     of which module graph (canonical paths, resolving imports) and summarising \
             the {} files that summarised files call into: {:.0} ms",
            project.demanded_files,
            ms(project.graph)
        ),
        format!(
            "timing   project phase: linting again with project facts (wall): {:.0} ms for {} files",
            ms(project.relint),
            project.relinted_files
        ),
        format!("timing output (wall): {:.0} ms", ms(output_wall)),
    ];
    for line in lines {
        let _ = writeln!(std::io::stderr().lock(), "{line}");
    }
}

fn lint_stdin(
    args: &LintArgs,
    cwd: &Path,
    configs: &Configs,
    opts: LintOptions,
) -> Result<Outcome, Failure> {
    let mut bytes = Vec::new();
    std::io::stdin()
        .lock()
        .read_to_end(&mut bytes)
        .map_err(|e| Failure::Io(format!("cannot read standard input: {e}")))?;
    // Without --stdin-filename the text is taken as JavaScript, configured from the current
    // directory. Ignore globs do not apply to standard input: an editor asked for this text.
    let (display, kind, abs) = match &args.stdin_filename {
        Some(name) => {
            let display = crate::paths::display(name, cwd);
            let abs = crate::paths::absolute(name, cwd);
            // The name decides the kind; a YAML name is taken as a Kubernetes manifest.
            let kind = match leaklint_rules::deploy::DeployKind::from_path(&display) {
                Some(deploy) => Some(FileKind::Deployment(deploy, crate::walk::context(&abs))),
                None => Flavor::from_path(&display).map(FileKind::Source),
            };
            let Some(kind) = kind else {
                return Err(Failure::Usage(format!(
                    "--stdin-filename {display}: not a JavaScript or TypeScript file name \
                     (.js .mjs .cjs .jsx .ts .mts .cts .tsx, not .d.ts) nor a deployment file \
                     name (Dockerfile, compose.yaml, *.yaml, Procfile, *.service, \
                     ecosystem.config.*, package.json)"
                )));
            };
            (display, kind, abs)
        }
        None => (
            "<stdin>".to_owned(),
            FileKind::Source(Flavor::JavaScript),
            cwd.join("<stdin>"),
        ),
    };
    let config = configs
        .for_file(&abs)
        .map_err(|e| Failure::Config(e.to_string()))?;
    Ok(crate::engine::lint_detached(
        display, bytes, kind, config, opts,
    ))
}

fn write_report(report: &Report, args: &LintArgs, run: &RunInfo) -> Result<(), Failure> {
    let to_terminal = args.output.is_none() && std::io::stdout().is_terminal();
    let color = match args.color {
        ColorChoice::Always => true,
        ColorChoice::Never => false,
        ColorChoice::Auto => {
            to_terminal && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
        }
    };
    let width = if to_terminal {
        terminal_size::terminal_size().map_or(DEFAULT_WIDTH, |(w, _)| usize::from(w.0))
    } else {
        DEFAULT_WIDTH
    };
    let text = crate::output::render(report, args.format, RenderOptions { color, width }, run);
    match &args.output {
        Some(path) => std::fs::write(path, text)
            .map_err(|e| Failure::Io(format!("cannot write {}: {e}", path.display()))),
        None => {
            let mut out = std::io::stdout().lock();
            out.write_all(text.as_bytes())
                .and_then(|()| out.flush())
                .map_err(Failure::stdout)
        }
    }
}
