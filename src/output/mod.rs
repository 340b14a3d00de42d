//! Report formats. Each renders the whole [`Report`] into a string: the report is small next to
//! the sources, and rendering first means `--output` never leaves a half-written file behind
//! because of a rendering problem.

pub mod compact;
pub mod json;
pub mod pretty;

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

pub fn render(report: &Report, format: Format, opts: RenderOptions) -> String {
    match format {
        Format::Pretty => pretty::render(report, opts),
        Format::Compact => compact::render(report),
        Format::Json => json::render(report),
    }
}
