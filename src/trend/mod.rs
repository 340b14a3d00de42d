//! `leaklint trend`: is this memory series a leak at all? Reads memory samples (JSON lines of
//! `process.memoryUsage()`, CSV or a Grafana CSV export, repeated Prometheus scrapes), says for
//! each process which of the known shapes it has (steady leak, leak not yet in RSS, Buffer leak,
//! periodic job, old-space plateau, deferred collection, stable) with slope, confidence and time
//! window, and draws it. `leaklint trend --sample -- node server.js` records such a series.
//!
//! Exit status: 1 when a window's verdict is a leak, 0 otherwise; 2 for a file that cannot be
//! read (the message names the file and line) or fewer than [`shape::MIN_SAMPLES`] samples. With
//! `--sample`, 0 when the sampled command exited 0 or was stopped with Ctrl-C, 1 otherwise.

mod analyze;
mod read;
pub mod render;
mod sample;
pub mod shape;
pub mod stats;
mod svg;
pub mod table;

use std::io::{Read as _, Write as _};
use std::path::PathBuf;

use clap::ValueEnum;

use crate::exit::{Exit, Failure};

#[derive(Debug, clap::Args)]
#[command(
    after_help = "Exit status: 1 when a verdict is a leak, 0 otherwise, 2 for input that \
                        cannot be read; with --sample, 0 when the command exited 0 or was \
                        stopped with Ctrl-C, 1 otherwise."
)]
pub struct TrendArgs {
    /// Files of memory samples (`-` for standard input): JSON lines, CSV (also Grafana's panel
    /// export) or Prometheus text scraped repeatedly.
    #[arg(value_name = "FILE", required_unless_present = "sample")]
    pub files: Vec<PathBuf>,

    /// Output format.
    #[arg(short, long, value_enum, default_value_t = TrendFormat::Text)]
    pub format: TrendFormat,

    /// Also draw every window to this SVG file.
    #[arg(long, value_name = "FILE.svg")]
    pub plot: Option<PathBuf>,

    /// Seconds between samples: with --sample, how often to sample (default 5); when reading
    /// Prometheus text without times, the time between scrapes.
    #[arg(long, value_name = "SECONDS")]
    pub interval: Option<f64>,

    /// Run COMMAND (a Node.js program) and record its memory every --interval seconds to --out,
    /// then classify what was recorded.
    #[arg(long, requires = "command", conflicts_with = "files")]
    pub sample: bool,

    /// With --sample: the file the samples go to (JSON lines; overwritten).
    #[arg(
        long,
        value_name = "FILE",
        default_value = "leaklint-memory.jsonl",
        requires = "sample"
    )]
    pub out: PathBuf,

    /// Columns of the terminal chart.
    #[arg(long, value_name = "N", default_value_t = 60)]
    pub width: usize,

    /// With --sample: the command to run, after `--` (e.g. `-- node server.js`).
    #[arg(last = true, value_name = "COMMAND")]
    pub command: Vec<String>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum TrendFormat {
    /// Verdicts, figures and a terminal chart.
    Text,
    /// One JSON object (layout in the README).
    Json,
}

/// Runs `leaklint trend`.
pub fn trend(args: TrendArgs) -> Result<Exit, Failure> {
    if let Some(i) = args.interval
        && !(i.is_finite() && i > 0.0)
    {
        return Err(Failure::Usage(format!(
            "--interval must be a positive number of seconds, not {i}"
        )));
    }
    if args.sample {
        return sample::run(&args);
    }
    let opts = read::ReadOptions {
        scrape_interval: args.interval,
    };
    let mut files = Vec::new();
    for path in &args.files {
        let shown = path.display().to_string();
        let text = if shown == "-" {
            let mut s = String::new();
            std::io::stdin()
                .read_to_string(&mut s)
                .map_err(|e| Failure::Io(format!("cannot read standard input: {e}")))?;
            s
        } else {
            std::fs::read_to_string(path)
                .map_err(|e| Failure::Io(format!("cannot read {shown}: {e}")))?
        };
        files.push(load(&shown, &text, opts)?);
    }
    report(&files, &args)
}

/// Reads and classifies one input; errors are usage-level (exit 2) and name the file.
fn load(shown: &str, text: &str, opts: read::ReadOptions) -> Result<analyze::FileReport, Failure> {
    let (format, tables) =
        read::read(shown, text, opts).map_err(|e| Failure::Config(format!("{shown}: {e}")))?;
    for t in &tables {
        let n = t.times.len();
        if n < shape::MIN_SAMPLES {
            let what = if n == 1 {
                format!("only one sample (line {})", t.lines[0])
            } else {
                format!("only {n} samples")
            };
            return Err(Failure::Config(format!(
                "{}: {what}; a trend needs at least {} samples",
                t.name,
                shape::MIN_SAMPLES
            )));
        }
    }
    Ok(analyze::analyze(shown, format, tables))
}

/// Prints the report (and draws the plot) for classified files.
fn report(files: &[analyze::FileReport], args: &TrendArgs) -> Result<Exit, Failure> {
    if let Some(plot) = &args.plot {
        svg::plot(files, plot).map_err(Failure::Io)?;
    }
    let text = match args.format {
        TrendFormat::Text => render::text(files, args.width.max(8)),
        TrendFormat::Json => {
            let doc = analyze::Report { version: 1, files };
            let mut s = serde_json::to_string_pretty(&doc)
                .map_err(|e| Failure::Io(format!("cannot write the report: {e}")))?;
            s.push('\n');
            s
        }
    };
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    out.write_all(text.as_bytes()).map_err(Failure::stdout)?;
    out.flush().map_err(Failure::stdout)?;
    Ok(if analyze::any_leak(files) {
        Exit::Problems
    } else {
        Exit::Clean
    })
}
