//! Report formats. Each renders the whole [`Report`] into a string: the report is small next to
//! the sources, and rendering first means `--output` never leaves a half-written file behind
//! because of a rendering problem.

pub mod artifact;
pub mod compact;
pub mod fingerprint;
pub mod github;
pub mod json;
pub mod pretty;
pub mod sarif;

use crate::cli::Format;
use crate::report::Report;

/// How to render for the destination.
#[derive(Clone, Copy, Debug)]
pub struct RenderOptions {
    /// ANSI colours (pretty only).
    pub color: bool,
    /// Columns to wrap text at (pretty only).
    pub width: usize,
}

/// What the CI formats (SARIF, GitHub) say beyond the report.
#[derive(Clone, Debug)]
pub struct RunInfo {
    /// Where reported paths are relative to.
    pub root: artifact::Root,
    /// The exit status this run ends with.
    pub exit_code: u8,
    /// Files that could not be read (exit status 2).
    pub errors: Vec<String>,
    /// Files skipped, and why.
    pub notes: Vec<String>,
    /// The SARIF run's category (`--category`), if given.
    pub category: Option<String>,
}

pub fn render(report: &Report, format: Format, opts: RenderOptions, run: &RunInfo) -> String {
    match format {
        Format::Pretty => pretty::render(report, opts),
        Format::Compact => compact::render(report),
        Format::Json => json::render(report),
        Format::Sarif => sarif::render(report, run),
        Format::Github => github::render(report, run),
    }
}
