//! The text report of `leaklint trend`: per window, the verdict, one line per series with its
//! shape, slope and confidence and a sparkline, and a terminal chart of the figure the verdict
//! rests on.

use std::fmt::Write as _;

use super::analyze::{FileReport, SeriesReport, Window};
use super::shape::Shape;

/// A time for people: UTC date and time for epoch seconds, `+N s` for relative times (untimed
/// Prometheus scrapes count from 0).
pub fn clock(t: f64) -> String {
    if t < 1e8 {
        return format!("+{}", duration(t));
    }
    match jiff::Timestamp::from_millisecond((t * 1000.0).round() as i64) {
        Ok(ts) => ts.strftime("%Y-%m-%d %H:%M:%SZ").to_string(),
        Err(_) => format!("{t}"),
    }
}

/// A duration for people: `39 s`, `12.5 min`, `3.2 h`, `2.1 d`.
pub fn duration(seconds: f64) -> String {
    if seconds < 120.0 {
        format!("{seconds:.0} s")
    } else if seconds < 7200.0 {
        format!("{:.1} min", seconds / 60.0)
    } else if seconds < 172_800.0 {
        format!("{:.1} h", seconds / 3600.0)
    } else {
        format!("{:.1} d", seconds / 86400.0)
    }
}

/// Bytes in decimal units: `512 B`, `12.3 kB`, `45.6 MB`, `1.20 GB`.
pub fn bytes(b: f64) -> String {
    let a = b.abs();
    if a >= 1e9 {
        format!("{:.2} GB", b / 1e9)
    } else if a >= 1e6 {
        format!("{:.1} MB", b / 1e6)
    } else if a >= 1e3 {
        format!("{:.1} kB", b / 1e3)
    } else {
        format!("{b:.0} B")
    }
}

fn signed(b: f64) -> String {
    if b >= 0.0 {
        format!("+{}", bytes(b))
    } else {
        bytes(b)
    }
}

/// The shape in words, with its figures.
pub fn shape_words(shape: &Shape) -> String {
    match shape {
        Shape::Climbing => "climbing".into(),
        Shape::Falling => "falling".into(),
        Shape::Flat => "flat".into(),
        Shape::Plateau { level, since } => {
            format!("plateau at {} since {}", bytes(*level), clock(*since))
        }
        Shape::ClimbThenDrop { drop, at } => {
            format!("climb, then a drop of {} at {}", bytes(*drop), clock(*at))
        }
        Shape::PeriodicJumps {
            period,
            jump,
            count,
            baseline_slope,
        } => format!(
            "{count} jumps of about {} every {}; level before each run {}/h",
            bytes(*jump),
            duration(*period),
            signed(baseline_slope * 3600.0)
        ),
    }
}

const SPARKS: [char; 8] = ['▁', '▂', '▃', '▄', '▅', '▆', '▇', '█'];

/// The series resampled to `width` columns (the mean of each column's points), scaled to 0..=1
/// between the minimum and the maximum.
fn columns(y: &[f64], width: usize) -> Vec<f64> {
    let width = width.min(y.len()).max(1);
    let min = y.iter().copied().fold(f64::INFINITY, f64::min);
    let max = y.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    let span = if max > min { max - min } else { 1.0 };
    (0..width)
        .map(|c| {
            let lo = c * y.len() / width;
            let hi = ((c + 1) * y.len() / width).max(lo + 1);
            let mean = y[lo..hi].iter().sum::<f64>() / (hi - lo) as f64;
            (mean - min) / span
        })
        .collect()
}

/// One line of block characters.
pub fn sparkline(y: &[f64], width: usize) -> String {
    columns(y, width)
        .into_iter()
        .map(|v| SPARKS[((v * 7.0).round() as usize).min(7)])
        .collect()
}

/// A chart `height` rows high: each column is a bar from the bottom, drawn in eighths.
pub fn chart(name: &str, t: &[f64], y: &[f64], width: usize, height: usize) -> String {
    let cols = columns(y, width);
    let min = y.iter().copied().fold(f64::INFINITY, f64::min);
    let max = y.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    let top = bytes(max);
    let bottom = bytes(min);
    let pad = top.len().max(bottom.len());
    let mut out = format!("    {name}\n");
    for row in (0..height).rev() {
        let label = if row == height - 1 {
            top.as_str()
        } else if row == 0 {
            bottom.as_str()
        } else {
            ""
        };
        let _ = write!(out, "    {label:>pad$} ┤");
        for v in &cols {
            // How many eighths of this row the bar fills.
            let eighths = ((v * height as f64 * 8.0).round() as i64 - row as i64 * 8).clamp(0, 8);
            out.push(match eighths {
                0 if row == 0 => '▁',
                0 => ' ',
                e => SPARKS[(e - 1) as usize],
            });
        }
        out.push('\n');
    }
    let start = clock(t[0]);
    let mut end = clock(t[t.len() - 1]);
    // The same day needs saying once.
    if start.len() == end.len() && start.get(..11) == end.get(..11) {
        end = end[11..].to_string();
    }
    let gap = cols.len().saturating_sub(start.len() + end.len()).max(1);
    let _ = writeln!(out, "    {:pad$} └{start}{}{end}", "", " ".repeat(gap));
    out
}

fn series_line(s: &SeriesReport, points: Option<&(Vec<f64>, Vec<f64>)>, pad: usize) -> String {
    let c = &s.classified;
    let mut line = format!(
        "    {:<pad$} {:>9} → {:<9} {:>12}/h",
        s.name,
        bytes(c.first),
        bytes(c.last),
        signed(s.bytes_per_hour)
    );
    match s.bytes_per_1000_requests {
        Some(r) => {
            let _ = write!(line, " {:>11}/1k req", signed(r));
        }
        None => line.push_str(&" ".repeat(19)),
    }
    let _ = write!(line, "  conf {:.2}", c.confidence);
    if let Some((_, y)) = points {
        let _ = write!(line, "  {}", sparkline(y, 20));
    }
    let _ = write!(line, "  {}", shape_words(&c.shape));
    line
}

/// The whole text report.
pub fn text(files: &[FileReport], chart_width: usize) -> String {
    let mut out = String::new();
    for f in files {
        for s in &f.sources {
            let _ = writeln!(out, "{} ({})", s.name, format_name(f));
            for r in &s.restarts {
                let _ = writeln!(out, "  restart at {}: {}", clock(r.at), r.reason);
            }
            for g in &s.gaps {
                let _ = writeln!(
                    out,
                    "  gap of {} between lines {} and {} (samples are usually {} apart): the \
                     verdict assumes nothing happened there",
                    duration(g.to - g.from),
                    g.from_line,
                    g.to_line,
                    duration(g.usual_interval)
                );
            }
            for w in &s.windows {
                window(&mut out, w, chart_width);
            }
        }
    }
    out
}

fn format_name(f: &FileReport) -> &'static str {
    match f.format {
        super::read::Format::JsonLines => "JSON lines",
        super::read::Format::Csv => "CSV",
        super::read::Format::Prometheus => "Prometheus text",
    }
}

fn window(out: &mut String, w: &Window, chart_width: usize) {
    let _ = write!(
        out,
        "  {} → {} ({}, {} samples",
        clock(w.start),
        clock(w.end),
        duration(w.end - w.start),
        w.samples
    );
    if let Some(r) = w.requests {
        let _ = write!(out, ", {r:.0} requests");
    }
    out.push_str(")\n");
    let Some(verdict) = w.verdict else {
        let _ = writeln!(
            out,
            "  too few samples to classify ({}; at least {} are needed)",
            w.samples,
            super::shape::MIN_SAMPLES
        );
        return;
    };
    let _ = writeln!(out, "  verdict: {}", verdict.sentence());
    let pad = w
        .series
        .iter()
        .map(|s| s.name.chars().count())
        .max()
        .unwrap_or(0);
    for s in &w.series {
        let points = w
            .points
            .iter()
            .find(|p| p.0 == s.name)
            .map(|p| (p.2.clone(), p.3.clone()));
        let _ = writeln!(out, "{}", series_line(s, points.as_ref(), pad));
    }
    let evidence = w
        .evidence
        .and_then(|m| w.points.iter().find(|p| p.1 == m))
        .or_else(|| w.points.first());
    if let Some((name, _, t, y)) = evidence {
        out.push_str(&chart(name, t, y, chart_width, 8));
    }
    out.push('\n');
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn units() {
        assert_eq!(bytes(512.0), "512 B");
        assert_eq!(bytes(45.6e6), "45.6 MB");
        assert_eq!(bytes(1.2e9), "1.20 GB");
        assert_eq!(duration(39.0), "39 s");
        assert_eq!(duration(750.0), "12.5 min");
        assert_eq!(clock(1714564800.0), "2024-05-01 12:00:00Z");
        assert_eq!(clock(30.0), "+30 s");
    }

    #[test]
    fn chart_rows_and_sparkline() {
        let y: Vec<f64> = (0..16).map(f64::from).collect();
        assert_eq!(sparkline(&y, 8), "▁▂▃▄▅▆▇█");
        let t: Vec<f64> = (0..16).map(f64::from).collect();
        let c = chart("rss", &t, &y, 16, 4);
        let rows: Vec<&str> = c.lines().collect();
        assert_eq!(rows.len(), 6, "{c}");
        assert!(rows[1].ends_with('█'), "{c}");
        assert!(rows[4].contains('▁'), "{c}");
    }
}
