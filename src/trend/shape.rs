//! Classifying one memory series (one figure of one process over one window) into a shape, and a
//! process's series together into a verdict.
//!
//! Thresholds are relative to the series' own range and noise, so they hold for a 40-second
//! recording and for a week of Prometheus scrapes alike:
//! - a series whose range is below 1 MB or 5% of its median level is flat, whatever its shape;
//! - a *jump* is a rise within at most three rising steps of at least 15% of the series' range,
//!   5% of its level and five times the typical step (median absolute deviation of the steps);
//! - jumps are *periodic* when there are at least three and the gaps between them are whole
//!   multiples of their median gap, within ±20%;
//! - a *sharp drop* is a fall within three samples of at least 40% of the range and 20% of the
//!   level it falls from, after a climb
//!   covering at least half of the window (Mann–Kendall p < 0.01 on the climb);
//! - a *plateau* is a two-segment fit where the level of the second segment (its median) is at
//!   least half the range above the start, and the second segment, covering at least 30% of the
//!   window, moves by at most 20% of the range at under 15% of the first segment's slope, the
//!   bend explaining at least half of the squared error of a single line;
//! - a *climb* has a Theil–Sen slope whose rise over the window is at least 5% of the median level
//!   and twice the noise around the line, with Mann–Kendall p < 0.01 and tau above 0.3.

use serde::Serialize;

use super::stats::{self, Trend};
use super::table::Metric;

/// A window needs this many samples to be classified.
pub const MIN_SAMPLES: usize = 8;

/// Bytes: a series whose range is smaller than this (or than 5% of its level) is flat.
const NOISE_FLOOR: f64 = 1e6;

/// The shape of one series.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub enum Shape {
    /// Rises steadily over the window.
    Climbing,
    /// Falls steadily over the window.
    Falling,
    /// No trend beyond noise.
    Flat,
    /// Rises to a level, then stays there.
    Plateau {
        /// Bytes, the median of the flat part.
        level: f64,
        /// Seconds since the epoch where the flat part starts.
        since: f64,
    },
    /// Climbs for most of the window, then falls sharply.
    ClimbThenDrop {
        /// Bytes fallen.
        drop: f64,
        /// Seconds since the epoch of the sample before the drop.
        at: f64,
    },
    /// Rises sharply on a fixed schedule.
    PeriodicJumps {
        /// Seconds between jumps.
        period: f64,
        /// Bytes, the median jump.
        jump: f64,
        /// How many jumps were seen.
        count: usize,
        /// Theil–Sen slope of the level just before each jump, bytes per second: near 0 when
        /// each run's memory is given back, positive when every run leaves some behind.
        baseline_slope: f64,
    },
}

/// The figures of one classified series.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Classified {
    #[serde(flatten)]
    pub shape: Shape,
    /// Theil–Sen slope over the whole window, bytes per second.
    pub slope: f64,
    /// Mann–Kendall over the whole window.
    #[serde(skip)]
    pub trend: Trend,
    /// How sure the shape is, 0 to 1 (see `confidence` in the README's trend section for what it
    /// is for each shape).
    pub confidence: f64,
    pub first: f64,
    pub last: f64,
    pub min: f64,
    pub max: f64,
}

/// Classifies points `(t seconds, bytes)` in time order; needs [`MIN_SAMPLES`].
pub fn classify(t: &[f64], y: &[f64]) -> Option<Classified> {
    if t.len() < MIN_SAMPLES {
        return None;
    }
    let t0 = t[0];
    let x: Vec<f64> = t.iter().map(|v| v - t0).collect();
    let span = x[x.len() - 1];
    let min = y.iter().copied().fold(f64::INFINITY, f64::min);
    let max = y.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    let range = max - min;
    let line = stats::theil_sen(&x, y)?;
    let trend = stats::mann_kendall(y);
    let mut out = Classified {
        shape: Shape::Flat,
        slope: line.slope,
        trend,
        confidence: 0.0,
        first: y[0],
        last: y[y.len() - 1],
        min,
        max,
    };
    // Changes below a megabyte, or 5% of the level, are noise for a Node.js process (an idle
    // one holds 40 MB of RSS and its heap breathes by more than that).
    let level = stats::median(y).unwrap_or(0.0).abs();
    if range < NOISE_FLOOR.max(0.05 * level) {
        out.confidence = 1.0 - trend.tau.abs();
        return Some(out);
    }
    let steps: Vec<f64> = y.windows(2).map(|w| w[1] - w[0]).collect();
    let step_noise = stats::mad(&steps);

    if let Some((shape, confidence)) = periodic(t, y, &steps, range, step_noise, level) {
        out.shape = shape;
        out.confidence = confidence;
        return Some(out);
    }
    if let Some((shape, confidence)) = climb_then_drop(t, &x, y, range, span) {
        out.shape = shape;
        out.confidence = confidence;
        return Some(out);
    }
    if let Some((shape, confidence)) = plateau(t, &x, y, range, span) {
        out.shape = shape;
        out.confidence = confidence;
        return Some(out);
    }
    let residuals: Vec<f64> = x.iter().zip(y).map(|(x, y)| y - line.at(*x)).collect();
    let noise = stats::mad(&residuals);
    let rise = line.slope * span;
    let significant = trend.p < 0.01 && trend.tau.abs() > 0.3;
    let large = rise.abs() >= 0.05 * level && rise.abs() >= 2.0 * noise;
    if significant && large {
        out.shape = if rise > 0.0 {
            Shape::Climbing
        } else {
            Shape::Falling
        };
        out.confidence = 1.0 - trend.p;
    } else {
        out.confidence = 1.0 - trend.tau.abs();
    }
    Some(out)
}

/// Jumps as `(index of the sample before, rise)`: runs of up to three rising steps whose total
/// rise reaches the threshold (a job's allocation can straddle a sample).
fn jumps(steps: &[f64], range: f64, step_noise: f64, level: f64) -> Vec<(usize, f64)> {
    let threshold = (0.15 * range).max(5.0 * step_noise).max(0.05 * level);
    let mut out = Vec::new();
    let mut i = 0;
    while i < steps.len() {
        if steps[i] > 0.0 {
            let mut rise = 0.0;
            let mut j = i;
            while j < steps.len() && j < i + 3 && steps[j] > 0.0 {
                rise += steps[j];
                j += 1;
                if rise >= threshold {
                    break;
                }
            }
            if rise >= threshold {
                out.push((i, rise));
                // The rest of this run of rising steps belongs to the same jump.
                while j < steps.len() && steps[j] > 0.0 {
                    j += 1;
                }
                i = j;
                continue;
            }
        }
        i += 1;
    }
    out
}

fn periodic(
    t: &[f64],
    y: &[f64],
    steps: &[f64],
    range: f64,
    step_noise: f64,
    level: f64,
) -> Option<(Shape, f64)> {
    let starts = jumps(steps, range, step_noise, level);
    if starts.len() < 3 {
        return None;
    }
    let times: Vec<f64> = starts
        .iter()
        .map(|&(i, _)| (t[i] + t[i + 1]) / 2.0)
        .collect();
    let gaps: Vec<f64> = times.windows(2).map(|w| w[1] - w[0]).collect();
    let period = stats::median(&gaps)?;
    if period <= 0.0 {
        return None;
    }
    let regular = gaps
        .iter()
        .filter(|g| {
            let k = (*g / period).round();
            k >= 1.0 && (*g / period - k).abs() <= 0.2
        })
        .count();
    let share = regular as f64 / gaps.len() as f64;
    if share < 0.75 {
        return None;
    }
    let sizes: Vec<f64> = starts.iter().map(|&(_, rise)| rise).collect();
    let (before_t, before_y): (Vec<f64>, Vec<f64>) =
        starts.iter().map(|&(i, _)| (t[i] - t[0], y[i])).unzip();
    Some((
        Shape::PeriodicJumps {
            period,
            jump: stats::median(&sizes)?,
            count: starts.len(),
            baseline_slope: stats::theil_sen(&before_t, &before_y).map_or(0.0, |l| l.slope),
        },
        share,
    ))
}

fn climb_then_drop(t: &[f64], x: &[f64], y: &[f64], range: f64, span: f64) -> Option<(Shape, f64)> {
    // The largest fall from a sample to the lowest of the next three.
    let (at, fall) = (0..y.len() - 1)
        .map(|i| {
            let low = y[i + 1..(i + 4).min(y.len())]
                .iter()
                .copied()
                .fold(f64::INFINITY, f64::min);
            (i, y[i] - low)
        })
        .max_by(|a, b| a.1.total_cmp(&b.1))?;
    let peak = y[at];
    if fall < 0.4 * range || fall < 0.2 * peak || x[at] < 0.5 * span || at + 1 < MIN_SAMPLES {
        return None;
    }
    let climb = stats::mann_kendall(&y[..=at]);
    if climb.tau <= 0.3 || climb.p >= 0.01 {
        return None;
    }
    Some((
        Shape::ClimbThenDrop {
            drop: fall,
            at: t[at],
        },
        (fall / range).min(1.0),
    ))
}

fn plateau(t: &[f64], x: &[f64], y: &[f64], range: f64, span: f64) -> Option<(Shape, f64)> {
    let split = stats::best_split(x, y, (y.len() / 10).max(4))?;
    let right_span = x[x.len() - 1] - x[split.at];
    let level = stats::median(&y[split.at..])?;
    let start = y[..split.at].iter().copied().fold(f64::INFINITY, f64::min);
    // Measured on the data, not on the left line: a fast climb that bends is concave, and a
    // straight line through it underestimates how far it rose.
    let rise = level - start;
    let drift = split.right.slope * right_span;
    if rise < 0.5 * range
        || drift.abs() > 0.2 * range
        || split.right.slope > 0.15 * split.left.slope
        || right_span < 0.3 * span
        || split.ratio > 0.5
    {
        return None;
    }
    Some((
        Shape::Plateau {
            level,
            since: t[split.at],
        },
        1.0 - split.ratio,
    ))
}

/// What a process's series say together.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Verdict {
    /// Memory the process holds grows with time (or load) and does not come back.
    Leak,
    /// `heapUsed` climbs while RSS is still flat: V8 is filling heap it already has.
    LeakNotYetInRss,
    /// `external`/`arrayBuffers` climb while `heapUsed` is flat.
    BufferLeak,
    /// Jumps on a schedule: a periodic job allocating transiently.
    PeriodicJob,
    /// Climbed to a ceiling and stayed: V8 reached its old-space limit, not a leak.
    HeapLimitPlateau,
    /// Climbed for a long while, then dropped sharply: deferred collection, not a leak.
    DeferredCollection,
    /// No growth.
    Stable,
}

impl Verdict {
    /// Whether this verdict means a leak (the command then exits 1).
    pub fn is_leak(self) -> bool {
        matches!(
            self,
            Verdict::Leak | Verdict::LeakNotYetInRss | Verdict::BufferLeak
        )
    }

    /// One sentence for people.
    pub fn sentence(self) -> &'static str {
        match self {
            Verdict::Leak => "leak: memory grows steadily and never falls",
            Verdict::LeakNotYetInRss => {
                "leak not yet visible in RSS: heapUsed climbs inside heap V8 already holds"
            }
            Verdict::BufferLeak => {
                "Buffer / ArrayBuffer leak outside the JS heap: external memory climbs while heapUsed is flat"
            }
            Verdict::PeriodicJob => {
                "a periodic job allocating transiently: look at the job (if the level after each run keeps rising, the job leaks)"
            }
            Verdict::HeapLimitPlateau => {
                "not a leak: memory climbed to a ceiling and stays there (V8 reached its old-space limit, --max-old-space-size)"
            }
            Verdict::DeferredCollection => {
                "not a leak: a long climb ended by a sharp drop (deferred collection of a large old generation)"
            }
            Verdict::Stable => "no leak: memory is stable",
        }
    }
}

/// The verdict for one window from the shapes of its series, and the metric it rests on.
pub fn verdict(series: &[(Metric, &Shape)]) -> (Verdict, Option<Metric>) {
    let shape_of = |m: Metric| series.iter().find(|(k, _)| *k == m).map(|(_, s)| *s);
    let climbing = |m: Metric| shape_of(m) == Some(&Shape::Climbing);
    let heap_flat = !climbing(Metric::HeapUsed);
    for m in [Metric::External, Metric::ArrayBuffers] {
        if climbing(m) && heap_flat && shape_of(Metric::HeapUsed).is_some() {
            return (Verdict::BufferLeak, Some(m));
        }
    }
    if climbing(Metric::HeapUsed) && shape_of(Metric::Rss) == Some(&Shape::Flat) {
        return (Verdict::LeakNotYetInRss, Some(Metric::HeapUsed));
    }
    // Jumps on a schedule explain a climb: V8 keeps the pages each run needed, so RSS (and
    // heapTotal) can stair-step upwards while the heap itself comes back down between runs.
    for m in [Metric::HeapUsed, Metric::Rss, Metric::Other] {
        if let Some(Shape::PeriodicJumps { .. }) = shape_of(m) {
            return (Verdict::PeriodicJob, Some(m));
        }
    }
    for m in [
        Metric::Rss,
        Metric::HeapUsed,
        Metric::Other,
        Metric::External,
        Metric::ArrayBuffers,
    ] {
        if climbing(m) {
            return (Verdict::Leak, Some(m));
        }
    }
    // The remaining shapes are read from the figure closest to what the operating system sees.
    for m in [
        Metric::Rss,
        Metric::HeapUsed,
        Metric::Other,
        Metric::HeapTotal,
    ] {
        match shape_of(m) {
            Some(Shape::PeriodicJumps { .. }) => return (Verdict::PeriodicJob, Some(m)),
            Some(Shape::Plateau { .. }) => return (Verdict::HeapLimitPlateau, Some(m)),
            Some(Shape::ClimbThenDrop { .. }) => return (Verdict::DeferredCollection, Some(m)),
            _ => {}
        }
    }
    (Verdict::Stable, None)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn times(n: usize, step: f64) -> Vec<f64> {
        (0..n).map(|i| 1.7e9 + i as f64 * step).collect()
    }

    /// Deterministic pseudo-random noise in `0..size` (xorshift of the index), standing in for
    /// garbage-collection noise without any period of its own.
    fn wobble(i: usize, size: f64) -> f64 {
        let mut x = (i as u64 + 1).wrapping_mul(0x9E37_79B9_7F4A_7C15);
        x ^= x >> 33;
        x = x.wrapping_mul(0xFF51_AFD7_ED55_8CCD);
        x ^= x >> 33;
        (x % 10_000) as f64 / 10_000.0 * size
    }

    #[test]
    fn steady_climb() {
        let t = times(60, 10.0);
        let y: Vec<f64> = (0..60)
            .map(|i| 50e6 + i as f64 * 0.5e6 + wobble(i, 2e6))
            .collect();
        let c = classify(&t, &y).unwrap();
        assert_eq!(c.shape, Shape::Climbing);
        assert!((c.slope - 0.05e6).abs() < 0.01e6, "{c:?}");
        assert!(c.confidence > 0.99);
    }

    #[test]
    fn noise_is_flat() {
        let t = times(60, 10.0);
        let y: Vec<f64> = (0..60).map(|i| 50e6 + wobble(i, 5e6)).collect();
        assert_eq!(classify(&t, &y).unwrap().shape, Shape::Flat);
    }

    #[test]
    fn plateau_after_climb() {
        let t = times(60, 1.0);
        let y: Vec<f64> = (0..60)
            .map(|i| 40e6 + (i.min(20) as f64) * 2e6 + wobble(i, 1e6))
            .collect();
        match classify(&t, &y).unwrap().shape {
            Shape::Plateau { level, since } => {
                assert!((level - 80.5e6).abs() < 1e6, "{level}");
                assert!((since - t[20]).abs() <= 3.0, "{since}");
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn climb_then_sharp_drop() {
        let t = times(60, 60.0);
        let y: Vec<f64> = (0..60)
            .map(|i| if i < 50 { 100e6 + i as f64 * 4e6 } else { 110e6 } + wobble(i, 1e6))
            .collect();
        match classify(&t, &y).unwrap().shape {
            Shape::ClimbThenDrop { drop, at } => {
                assert!(drop > 150e6, "{drop}");
                assert_eq!(at, t[49]);
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn periodic_jumps_with_a_missed_one() {
        let t = times(100, 1.0);
        let y: Vec<f64> = (0..100)
            .map(|i| {
                let phase = i % 10;
                // A job every 10 s raises memory by 30 MB for 4 s; the one at 50 s is skipped.
                let job = phase < 4 && i / 10 != 5;
                60e6 + if job { 30e6 } else { 0.0 } + wobble(i, 1e6)
            })
            .collect();
        match classify(&t, &y).unwrap().shape {
            Shape::PeriodicJumps {
                period,
                count,
                baseline_slope,
                ..
            } => {
                assert!(baseline_slope.abs() < 0.05e6, "{baseline_slope}");
                assert!((period - 10.0).abs() < 0.5, "{period}");
                // Ten runs, one skipped, and the first already running at the first sample.
                assert_eq!(count, 8);
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn periodic_jumps_that_leave_memory_behind() {
        let t = times(100, 1.0);
        // Each run every 10 s keeps 2 MB of its 30 MB.
        let y: Vec<f64> = (0..100)
            .map(|i| {
                let job = i % 10 < 4;
                60e6 + (i / 10) as f64 * 2e6 + if job { 30e6 } else { 0.0 } + wobble(i, 1e6)
            })
            .collect();
        match classify(&t, &y).unwrap().shape {
            Shape::PeriodicJumps { baseline_slope, .. } => {
                assert!((baseline_slope - 0.2e6).abs() < 0.05e6, "{baseline_slope}");
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn too_few_samples() {
        assert!(classify(&times(7, 1.0), &[1.0; 7]).is_none());
    }

    #[test]
    fn verdicts_combine_series() {
        let flat = Shape::Flat;
        let up = Shape::Climbing;
        assert_eq!(
            verdict(&[(Metric::Rss, &flat), (Metric::HeapUsed, &up)]).0,
            Verdict::LeakNotYetInRss
        );
        assert_eq!(
            verdict(&[
                (Metric::Rss, &up),
                (Metric::HeapUsed, &flat),
                (Metric::External, &up)
            ])
            .0,
            Verdict::BufferLeak
        );
        assert_eq!(
            verdict(&[(Metric::Rss, &up), (Metric::HeapUsed, &up)]),
            (Verdict::Leak, Some(Metric::Rss))
        );
        assert_eq!(verdict(&[(Metric::Rss, &flat)]).0, Verdict::Stable);
    }
}
