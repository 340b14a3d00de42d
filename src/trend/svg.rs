//! `--plot FILE.svg`: one panel per window, every memory figure in megabytes against minutes
//! since the window's start, drawn with plotters' SVG backend.

use std::path::Path;

use plotters::prelude::*;

use super::analyze::FileReport;
use super::render::{clock, shape_words};

const PANEL_HEIGHT: u32 = 320;
const WIDTH: u32 = 900;
const COLOURS: [RGBColor; 6] = [
    RGBColor(31, 119, 180),
    RGBColor(214, 39, 40),
    RGBColor(44, 160, 44),
    RGBColor(255, 127, 14),
    RGBColor(148, 103, 189),
    RGBColor(140, 86, 75),
];

/// Writes the chart of every window of `files` to `path`.
pub fn plot(files: &[FileReport], path: &Path) -> Result<(), String> {
    let windows: Vec<_> = files
        .iter()
        .flat_map(|f| f.sources.iter())
        .flat_map(|s| s.windows.iter().map(move |w| (s.name.as_str(), w)))
        .collect();
    let height = PANEL_HEIGHT * windows.len().max(1) as u32;
    let root = SVGBackend::new(path, (WIDTH, height)).into_drawing_area();
    let err = |e: &dyn std::fmt::Display| format!("cannot draw {}: {e}", path.display());
    root.fill(&WHITE).map_err(|e| err(&e))?;
    let panels = root.split_evenly((windows.len().max(1), 1));
    for ((source, w), panel) in windows.iter().zip(panels.iter()) {
        let mut lines: Vec<_> = w.points.iter().filter(|p| !p.2.is_empty()).collect();
        lines.sort_by(|a, b| (a.1, &a.0).cmp(&(b.1, &b.0)));
        let max_mb = lines
            .iter()
            .flat_map(|p| p.3.iter())
            .fold(0.0f64, |m, v| m.max(v / 1e6));
        let minutes = ((w.end - w.start) / 60.0).max(1e-3);
        let title = match w.verdict {
            Some(v) => format!("{source} from {}: {}", clock(w.start), v.sentence()),
            None => format!("{source} from {}: too few samples", clock(w.start)),
        };
        let mut chart = ChartBuilder::on(panel)
            .caption(title, ("sans-serif", 16))
            .margin(10)
            .x_label_area_size(30)
            .y_label_area_size(60)
            .build_cartesian_2d(0.0..minutes, 0.0..max_mb * 1.05 + 1e-9)
            .map_err(|e| err(&e))?;
        chart
            .configure_mesh()
            .x_desc("minutes")
            .y_desc("MB")
            .draw()
            .map_err(|e| err(&e))?;
        for (i, (name, _, t, y)) in lines.iter().enumerate() {
            let colour = COLOURS[i % COLOURS.len()];
            let shape = w
                .series
                .iter()
                .find(|s| &s.name == name)
                .map(|s| shape_words(&s.classified.shape))
                .unwrap_or_default();
            chart
                .draw_series(LineSeries::new(
                    t.iter()
                        .zip(y.iter())
                        .map(|(t, y)| ((t - w.start) / 60.0, y / 1e6)),
                    colour.stroke_width(2),
                ))
                .map_err(|e| err(&e))?
                .label(format!("{name}: {shape}"))
                .legend(move |(x, y)| {
                    PathElement::new(vec![(x, y), (x + 18, y)], colour.stroke_width(2))
                });
        }
        chart
            .configure_series_labels()
            .position(SeriesLabelPosition::UpperLeft)
            .background_style(WHITE.mix(0.8))
            .border_style(BLACK)
            .draw()
            .map_err(|e| err(&e))?;
    }
    root.present().map_err(|e| err(&e))
}
