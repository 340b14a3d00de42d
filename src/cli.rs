//! Command-line arguments (clap derive).
//!
//! `leaklint [PATHS]...` lints; `leaklint rules`, `leaklint explain <rule>` and `leaklint init`
//! are subcommands (and clap's `help`). A subcommand name is only recognised as the first
//! argument, so a directory that happens to be called `rules`, `explain`, `init` or `help` must be
//! written `./rules` when it comes first (any other spelling works too: `rules/`, an absolute
//! path); `leaklint src rules` lints both directories.

use std::path::PathBuf;

use clap::{Parser, Subcommand, ValueEnum};

#[derive(Debug, Parser)]
#[command(
    name = "leaklint",
    version,
    about = "Find memory leaks in Node.js JavaScript and TypeScript",
    after_help = "Exit status: 0 no errors (and --max-warnings not exceeded), 1 errors, too many \
                  warnings or a file that does not parse, 2 usage, configuration or I/O error.\n\
                  A path named like a subcommand (rules, explain, init, heap, confirm, record, lsp, trend, help) \
                  must be written ./rules.",
    args_conflicts_with_subcommands = true
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Option<Command>,

    #[command(flatten)]
    pub lint: LintArgs,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// List every rule: id, default severity, category and summary.
    Rules,
    /// Print a rule's documentation (markdown).
    Explain {
        /// The rule id, e.g. `listener-leak`.
        rule: String,
    },
    /// Write a commented starter `leaklint.toml` in the current directory.
    Init,
    /// Read V8 heap snapshots: `heap summary S`, `heap diff S1 S2 [S3]`.
    #[command(subcommand)]
    Heap(crate::heap::HeapCommand),
    /// Lint (or read a JSON report), then confirm each finding with heap evidence from three
    /// snapshots, and list growth that no finding explains.
    Confirm(crate::heap::ConfirmArgs),
    /// Confirm in one command: run the app with the inspector, put the same load on it three
    /// times, snapshot after each, then `confirm`: `record --urls urls.txt -- node server.js`.
    Record(crate::record::RecordArgs),
    /// Run the language server on standard input and output, for editors.
    Lsp,
    /// Is it a leak at all? Classify memory series (JSON lines, CSV, Grafana CSV, Prometheus
    /// scrapes), or record one with `--sample -- node server.js`.
    Trend(crate::trend::TrendArgs),
}

#[derive(Debug, clap::Args)]
pub struct LintArgs {
    /// Files and directories to lint. Directories are walked; `.gitignore`, `.ignore`, hidden
    /// files and `node_modules` are skipped there.
    #[arg(value_name = "PATHS", default_value = ".", conflicts_with = "stdin")]
    pub paths: Vec<PathBuf>,

    /// Output format.
    #[arg(short, long, value_enum, default_value_t = Format::Pretty)]
    pub format: Format,

    /// Write the report to FILE instead of standard output.
    #[arg(short, long, value_name = "FILE")]
    pub output: Option<PathBuf>,

    /// Make the paths of the sarif and github formats relative to DIR (the repository root)
    /// instead of the current directory.
    #[arg(long, value_name = "DIR")]
    pub root: Option<PathBuf>,

    /// SARIF only: set `automationDetails.id` to `NAME/`, the category GitHub code scanning keeps
    /// this run's results under. Without it the field is left out, so upload-sarif's own
    /// `category` input applies.
    #[arg(long, value_name = "NAME")]
    pub category: Option<String>,

    /// Exit with status 1 when there are more than N warnings.
    #[arg(long, value_name = "N")]
    pub max_warnings: Option<usize>,

    /// Report errors only: warnings are neither shown nor counted.
    #[arg(short, long)]
    pub quiet: bool,

    /// Report only findings at least this sure. `high`: the repetition and the lifetime are
    /// proven from the code (registered per request, connection, message or tick); `medium` (the
    /// default): also findings where they are inferred (library code that can be called any
    /// number of times). Wins over `min_confidence` in leaklint.toml.
    #[arg(long, value_enum, value_name = "LEVEL")]
    pub min_confidence: Option<MinConfidence>,

    /// Give up on a file that takes longer than this many seconds to lint (default 10; 0 for no
    /// limit): it is reported as not analysed, with the phase it was in, and the other files are
    /// still linted. Wins over `file_budget` in leaklint.toml.
    #[arg(long, value_name = "SECONDS", value_parser = parse_budget)]
    pub file_budget: Option<std::time::Duration>,

    /// Run only this rule (repeatable, or comma-separated).
    #[arg(long = "rule", value_name = "ID", value_delimiter = ',')]
    pub rules: Vec<String>,

    /// Do not run this rule (repeatable, or comma-separated). Wins over --rule.
    #[arg(long = "disable", value_name = "ID", value_delimiter = ',')]
    pub disable: Vec<String>,

    /// Use this configuration file for every linted file instead of the nearest `leaklint.toml`.
    #[arg(short, long, value_name = "FILE")]
    pub config: Option<PathBuf>,

    /// Lint source text read from standard input.
    #[arg(long)]
    pub stdin: bool,

    /// The path the standard input stands for: picks the syntax and the configuration, and is
    /// the path shown in the report.
    #[arg(long, value_name = "PATH", requires = "stdin")]
    pub stdin_filename: Option<PathBuf>,

    /// Lint ignored files too: disables `.gitignore`/`.ignore` files, the `node_modules` skip,
    /// `ignore` globs of the configuration and --ignore-pattern. Hidden files stay skipped.
    #[arg(long)]
    pub no_ignore: bool,

    /// Keep each file's results between runs and lint again only files that changed (or whose
    /// findings depend on facts from a file that changed). Results are keyed by the file's
    /// content, the configuration, the rules and the leaklint version.
    #[arg(long, conflicts_with = "stdin")]
    pub cache: bool,

    /// Where --cache keeps its file [default: .leaklintcache in the current directory]. A
    /// folder (an existing one, or a path ending in `/`) gets `.leaklintcache` inside.
    #[arg(long, value_name = "PATH", requires = "cache")]
    pub cache_location: Option<PathBuf>,

    /// Skip files matching GLOB, relative to the current directory (repeatable).
    #[arg(long, value_name = "GLOB")]
    pub ignore_pattern: Vec<String>,

    /// Record every current finding in the suppressions file (counts per file and rule), so
    /// that later runs report only new findings. Replaces the counts of the files linted.
    #[arg(long, conflicts_with = "prune_suppressions")]
    pub suppress_all: bool,

    /// Lower the counts of the suppressions file to the findings that remain, dropping what
    /// was fixed and files that no longer exist.
    #[arg(long, conflicts_with_all = ["rules", "disable"])]
    pub prune_suppressions: bool,

    /// The suppressions file to read and write [default: leaklint-suppressions.json in the
    /// current directory]. Its paths are relative to its folder.
    #[arg(long, value_name = "FILE")]
    pub suppressions_location: Option<PathBuf>,

    /// Report `leaklint-disable` directives that suppressed nothing (as warnings).
    #[arg(long)]
    pub report_unused_disable_directives: bool,

    /// When to colour the pretty report: `auto` colours only a terminal (and honours NO_COLOR).
    #[arg(long, value_enum, default_value_t = ColorChoice::Auto, value_name = "WHEN")]
    pub color: ColorChoice,
}

/// `--min-confidence` values (see `leaklint_rules::Confidence`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum MinConfidence {
    /// Only findings whose repetition and lifetime are proven from the code.
    High,
    /// Every finding (the default).
    Medium,
}

impl MinConfidence {
    pub fn level(self) -> leaklint_rules::Confidence {
        match self {
            MinConfidence::High => leaklint_rules::Confidence::High,
            MinConfidence::Medium => leaklint_rules::Confidence::Medium,
        }
    }
}

/// Report formats.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// Graphical report with source snippets (miette).
    Pretty,
    /// One line per problem: `path:line:col: severity [rule] message`.
    Compact,
    /// Versioned JSON report (see the `output::json` module for the schema).
    Json,
    /// SARIF 2.1.0, ready for GitHub code scanning.
    Sarif,
    /// GitHub Actions annotations (`::error file=…,line=…::message`).
    Github,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum ColorChoice {
    Auto,
    Always,
    Never,
}

/// `--file-budget`: seconds, as a number.
fn parse_budget(text: &str) -> Result<std::time::Duration, String> {
    let value: f64 = text
        .trim()
        .parse()
        .map_err(|_| format!("a number of seconds, not `{text}`"))?;
    crate::budget::seconds(value)
}
