//! From tables to the report: cut each table into windows at restarts, note long gaps, classify
//! every series of every window, and give each window a verdict.

use serde::Serialize;

use super::read::Format;
use super::shape::{self, Classified, MIN_SAMPLES, Shape, Verdict};
use super::stats;
use super::table::{Metric, Restart, Table};

/// The whole `leaklint trend` report (also the `--format json` document).
#[derive(Debug, Serialize)]
pub struct Report<'a> {
    /// Version of this JSON layout.
    pub version: u32,
    pub files: &'a [FileReport],
}

#[derive(Debug, Serialize)]
pub struct FileReport {
    pub path: String,
    pub format: Format,
    pub sources: Vec<SourceReport>,
}

/// One process (or one scraped instance).
#[derive(Debug, Serialize)]
pub struct SourceReport {
    pub name: String,
    pub restarts: Vec<Restart>,
    pub gaps: Vec<Gap>,
    pub windows: Vec<Window>,
}

/// A stretch between two samples much longer than the usual interval.
#[derive(Debug, Serialize)]
pub struct Gap {
    /// Seconds since the epoch of the samples either side.
    pub from: f64,
    pub to: f64,
    /// Input lines of those samples.
    pub from_line: usize,
    pub to_line: usize,
    /// The median interval between samples, seconds.
    pub usual_interval: f64,
}

/// The samples of one process life between restarts.
#[derive(Debug, Serialize)]
pub struct Window {
    /// Seconds since the epoch (or since the first scrape, for untimed Prometheus text).
    pub start: f64,
    pub end: f64,
    pub samples: usize,
    /// Requests served in the window, when a request counter was given.
    pub requests: Option<f64>,
    /// `None` when the window has fewer than [`MIN_SAMPLES`] samples.
    pub verdict: Option<Verdict>,
    /// The figure the verdict rests on.
    pub evidence: Option<Metric>,
    pub series: Vec<SeriesReport>,
    /// The points, for charts; not in the JSON report.
    #[serde(skip)]
    pub points: Vec<(String, Metric, Vec<f64>, Vec<f64>)>,
}

#[derive(Debug, Serialize)]
pub struct SeriesReport {
    pub name: String,
    pub metric: Metric,
    #[serde(flatten)]
    pub classified: Classified,
    /// Theil–Sen slope in bytes per hour.
    pub bytes_per_hour: f64,
    /// Theil–Sen slope of bytes against the request counter, per 1,000 requests.
    pub bytes_per_1000_requests: Option<f64>,
}

/// A gap is an interval longer than ten times the median interval and longer than a minute.
const GAP_FACTOR: f64 = 10.0;
const GAP_MIN_SECONDS: f64 = 60.0;

pub fn analyze(path: &str, format: Format, tables: Vec<Table>) -> FileReport {
    FileReport {
        path: path.to_string(),
        format,
        sources: tables.into_iter().map(source).collect(),
    }
}

fn source(table: Table) -> SourceReport {
    let intervals: Vec<f64> = table.times.windows(2).map(|w| w[1] - w[0]).collect();
    let usual = stats::median(&intervals).unwrap_or(0.0);
    let mut gaps = Vec::new();
    for (i, dt) in intervals.iter().enumerate() {
        let restart = table.restarts.iter().any(|r| r.row == i + 1);
        if !restart && *dt > (GAP_FACTOR * usual).max(GAP_MIN_SECONDS) {
            gaps.push(Gap {
                from: table.times[i],
                to: table.times[i + 1],
                from_line: table.lines[i],
                to_line: table.lines[i + 1],
                usual_interval: usual,
            });
        }
    }
    let mut bounds: Vec<usize> = vec![0];
    bounds.extend(table.restarts.iter().map(|r| r.row));
    bounds.push(table.times.len());
    bounds.dedup();
    let windows = bounds
        .windows(2)
        .map(|b| window(&table, b[0], b[1]))
        .collect();
    SourceReport {
        name: table.name,
        restarts: table.restarts,
        gaps,
        windows,
    }
}

fn window(table: &Table, lo: usize, hi: usize) -> Window {
    let times = &table.times[lo..hi];
    let requests = table
        .columns
        .iter()
        .find(|c| c.metric == Metric::Requests)
        .map(|c| present(times, &c.values[lo..hi]));
    let served = requests
        .as_ref()
        .and_then(|(_, r)| Some(r.last()? - r.first()?))
        .filter(|n| *n > 0.0);
    let mut series = Vec::new();
    let mut points = Vec::new();
    for c in table
        .columns
        .iter()
        .filter(|c| c.metric != Metric::Requests)
    {
        let (t, y) = present(times, &c.values[lo..hi]);
        if let Some(classified) = shape::classify(&t, &y) {
            let per_request = served.and_then(|_| per_1000_requests(table, c, lo, hi));
            series.push(SeriesReport {
                name: c.name.clone(),
                metric: c.metric,
                bytes_per_hour: classified.slope * 3600.0,
                bytes_per_1000_requests: per_request,
                classified,
            });
        }
        points.push((c.name.clone(), c.metric, t, y));
    }
    series.sort_by(|a, b| (a.metric, &a.name).cmp(&(b.metric, &b.name)));
    let shapes: Vec<(Metric, &Shape)> = series
        .iter()
        .map(|s| (s.metric, &s.classified.shape))
        .collect();
    let (verdict, evidence) = if times.len() < MIN_SAMPLES || series.is_empty() {
        (None, None)
    } else {
        let (v, m) = shape::verdict(&shapes);
        (Some(v), m)
    };
    Window {
        start: times[0],
        end: times[times.len() - 1],
        samples: times.len(),
        requests: served,
        verdict,
        evidence,
        series,
        points,
    }
}

/// The rows where a column has a value.
fn present(times: &[f64], values: &[Option<f64>]) -> (Vec<f64>, Vec<f64>) {
    times
        .iter()
        .zip(values)
        .filter_map(|(t, v)| v.map(|v| (*t, v)))
        .unzip()
}

/// Bytes per 1,000 requests: Theil–Sen of the figure against the request counter, over the rows
/// that have both.
fn per_1000_requests(
    table: &Table,
    column: &super::table::Column,
    lo: usize,
    hi: usize,
) -> Option<f64> {
    let requests = table
        .columns
        .iter()
        .find(|c| c.metric == Metric::Requests)?;
    let (x, y): (Vec<f64>, Vec<f64>) = requests.values[lo..hi]
        .iter()
        .zip(&column.values[lo..hi])
        .filter_map(|(r, v)| Some(((*r)?, (*v)?)))
        .unzip();
    let line = stats::theil_sen(&x, &y)?;
    Some(line.slope * 1000.0)
}

/// Whether any window of the report is a leak.
pub fn any_leak(files: &[FileReport]) -> bool {
    files
        .iter()
        .flat_map(|f| &f.sources)
        .flat_map(|s| &s.windows)
        .any(|w| w.verdict.is_some_and(Verdict::is_leak))
}
