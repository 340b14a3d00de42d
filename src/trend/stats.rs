//! Robust statistics for short, noisy memory series.
//!
//! Own code, on purpose and kept small: the crates we looked at either come with a linear-algebra
//! stack for one median (`anofox-regression`), are too new to count as maintained (`robust-rs`
//! 0.1), or model a change in *mean* (`pelt`'s PELT with L1/L2 cost, `changepoint`'s Bayesian
//! online detector) where the shapes here need a change in *slope* (a climb that levels off) and
//! single sharp steps. The normal tail probability comes from `libm::erfc`.

/// The median of `values` (NaN-free); `None` when empty. Sorts a copy.
pub fn median(values: &[f64]) -> Option<f64> {
    if values.is_empty() {
        return None;
    }
    let mut v = values.to_vec();
    v.sort_by(f64::total_cmp);
    let mid = v.len() / 2;
    Some(if v.len().is_multiple_of(2) {
        (v[mid - 1] + v[mid]) / 2.0
    } else {
        v[mid]
    })
}

/// Median absolute deviation from the median, scaled by 1.4826 so that it estimates the standard
/// deviation of normal noise.
pub fn mad(values: &[f64]) -> f64 {
    let Some(m) = median(values) else { return 0.0 };
    let dev: Vec<f64> = values.iter().map(|v| (v - m).abs()).collect();
    1.4826 * median(&dev).unwrap_or(0.0)
}

/// Above this many points, Theil–Sen and Mann–Kendall use every `stride`-th pair partner so
/// that the work stays near `MAX_POINTS²/2` pairs (a day of one-second samples is 86,400 points).
const MAX_POINTS: usize = 1500;

/// A Theil–Sen line: `y ≈ intercept + slope · x`.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Line {
    pub slope: f64,
    pub intercept: f64,
}

impl Line {
    pub fn at(&self, x: f64) -> f64 {
        self.intercept + self.slope * x
    }
}

/// The Theil–Sen estimator: the median of the slopes between all pairs of points (pairs with
/// equal x skipped) and the median of `y − slope·x` as intercept. Robust to up to 29% outliers,
/// such as the sawtooth of garbage collection. `None` with fewer than two distinct x.
pub fn theil_sen(x: &[f64], y: &[f64]) -> Option<Line> {
    let stride = x.len().div_ceil(MAX_POINTS).max(1);
    let mut slopes = Vec::new();
    for i in 0..x.len() {
        let mut j = i + 1;
        while j < x.len() {
            let dx = x[j] - x[i];
            if dx != 0.0 {
                slopes.push((y[j] - y[i]) / dx);
            }
            j += stride;
        }
    }
    let slope = median(&slopes)?;
    let residuals: Vec<f64> = x.iter().zip(y).map(|(x, y)| y - slope * x).collect();
    Some(Line {
        slope,
        intercept: median(&residuals)?,
    })
}

/// The Mann–Kendall trend test.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Trend {
    /// Kendall's tau between time and value, −1 (always falling) to 1 (always rising).
    pub tau: f64,
    /// Two-sided p-value of "no monotonic trend" (normal approximation, tie-corrected).
    pub p: f64,
}

/// Mann–Kendall on values in time order. With fewer than three values, tau 0 and p 1.
pub fn mann_kendall(y: &[f64]) -> Trend {
    let n = y.len();
    if n < 3 {
        return Trend { tau: 0.0, p: 1.0 };
    }
    let stride = n.div_ceil(MAX_POINTS).max(1);
    let mut s = 0.0f64;
    let mut pairs = 0.0f64;
    for i in 0..n {
        let mut j = i + 1;
        while j < n {
            s += (y[j] - y[i]).signum() * f64::from(u8::from(y[j] != y[i]));
            pairs += 1.0;
            j += stride;
        }
    }
    // Variance under no trend, corrected for ties (groups of equal values), scaled to the pairs
    // actually compared.
    let mut sorted = y.to_vec();
    sorted.sort_by(f64::total_cmp);
    let mut ties = 0.0;
    let mut run = 1.0f64;
    for w in sorted.windows(2) {
        if w[0] == w[1] {
            run += 1.0;
        } else {
            ties += run * (run - 1.0) * (2.0 * run + 5.0);
            run = 1.0;
        }
    }
    ties += run * (run - 1.0) * (2.0 * run + 5.0);
    let nf = n as f64;
    let full_pairs = nf * (nf - 1.0) / 2.0;
    let var = (nf * (nf - 1.0) * (2.0 * nf + 5.0) - ties) / 18.0 * (pairs / full_pairs);
    let z = if var <= 0.0 {
        0.0
    } else if s > 0.0 {
        (s - 1.0) / var.sqrt()
    } else if s < 0.0 {
        (s + 1.0) / var.sqrt()
    } else {
        0.0
    };
    Trend {
        tau: s / pairs,
        p: libm::erfc(z.abs() / std::f64::consts::SQRT_2).clamp(0.0, 1.0),
    }
}

/// The best split of a series into two straight segments (ordinary least squares on each side):
/// where a climb levels off, or a flat stretch starts climbing.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Split {
    /// Index of the first point of the second segment.
    pub at: usize,
    pub left: Fit,
    pub right: Fit,
    /// Sum of squared residuals of the two segments over that of one line through everything:
    /// near 0 when the bend explains the series, 1 when it adds nothing.
    pub ratio: f64,
}

/// An ordinary least-squares line and its sum of squared residuals.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Fit {
    pub slope: f64,
    pub intercept: f64,
    pub sse: f64,
}

/// Prefix sums that give the least-squares line of any index range in O(1).
struct Sums {
    x: Vec<f64>,
    y: Vec<f64>,
    xx: Vec<f64>,
    xy: Vec<f64>,
    yy: Vec<f64>,
}

impl Sums {
    fn new(x: &[f64], y: &[f64]) -> Sums {
        let mut s = Sums {
            x: vec![0.0],
            y: vec![0.0],
            xx: vec![0.0],
            xy: vec![0.0],
            yy: vec![0.0],
        };
        for (a, b) in x.iter().zip(y) {
            s.x.push(s.x.last().unwrap_or(&0.0) + a);
            s.y.push(s.y.last().unwrap_or(&0.0) + b);
            s.xx.push(s.xx.last().unwrap_or(&0.0) + a * a);
            s.xy.push(s.xy.last().unwrap_or(&0.0) + a * b);
            s.yy.push(s.yy.last().unwrap_or(&0.0) + b * b);
        }
        s
    }

    /// Least squares over points `lo..hi`.
    fn fit(&self, lo: usize, hi: usize) -> Fit {
        let n = (hi - lo) as f64;
        let sx = self.x[hi] - self.x[lo];
        let sy = self.y[hi] - self.y[lo];
        let sxx = self.xx[hi] - self.xx[lo] - sx * sx / n;
        let sxy = self.xy[hi] - self.xy[lo] - sx * sy / n;
        let syy = self.yy[hi] - self.yy[lo] - sy * sy / n;
        let slope = if sxx > 0.0 { sxy / sxx } else { 0.0 };
        Fit {
            slope,
            intercept: (sy - slope * sx) / n,
            sse: (syy - slope * sxy).max(0.0),
        }
    }
}

/// Ordinary least squares over all points.
pub fn least_squares(x: &[f64], y: &[f64]) -> Fit {
    Sums::new(x, y).fit(0, x.len())
}

/// The two-segment split with the smallest total squared error, each segment holding at least
/// `min_len` points (at least 3). `None` when the series is too short for two such segments.
/// x values are shifted to start at 0 first, for numerical accuracy with epoch times.
pub fn best_split(x: &[f64], y: &[f64], min_len: usize) -> Option<Split> {
    let min_len = min_len.max(3);
    let n = x.len();
    if n < 2 * min_len {
        return None;
    }
    let x0 = x[0];
    let xs: Vec<f64> = x.iter().map(|v| v - x0).collect();
    let sums = Sums::new(&xs, y);
    let whole = sums.fit(0, n).sse;
    let mut best: Option<Split> = None;
    for at in min_len..=n - min_len {
        let mut left = sums.fit(0, at);
        let mut right = sums.fit(at, n);
        let total = left.sse + right.sse;
        if best.is_none_or(|b| total < b.left.sse + b.right.sse) {
            left.intercept -= left.slope * x0;
            right.intercept -= right.slope * x0;
            best = Some(Split {
                at,
                left,
                right,
                ratio: if whole > 0.0 { total / whole } else { 1.0 },
            });
        }
    }
    best
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn median_and_mad() {
        assert_eq!(median(&[3.0, 1.0, 2.0]), Some(2.0));
        assert_eq!(median(&[4.0, 1.0, 2.0, 3.0]), Some(2.5));
        assert_eq!(median(&[]), None);
        assert!((mad(&[1.0, 2.0, 3.0, 4.0, 100.0]) - 1.4826).abs() < 1e-9);
    }

    #[test]
    fn theil_sen_ignores_outliers() {
        let x: Vec<f64> = (0..20).map(f64::from).collect();
        let mut y: Vec<f64> = x.iter().map(|x| 2.0 * x + 1.0).collect();
        y[5] = 500.0;
        y[12] = -300.0;
        let line = theil_sen(&x, &y).unwrap();
        assert!((line.slope - 2.0).abs() < 1e-9, "{line:?}");
        assert!((line.intercept - 1.0).abs() < 1e-9, "{line:?}");
        assert!(theil_sen(&[1.0, 1.0], &[1.0, 2.0]).is_none());
    }

    #[test]
    fn theil_sen_on_many_points_uses_a_stride() {
        let x: Vec<f64> = (0..5000).map(f64::from).collect();
        let y: Vec<f64> = x.iter().map(|x| 3.0 * x + (x * 7.0).sin()).collect();
        let line = theil_sen(&x, &y).unwrap();
        assert!((line.slope - 3.0).abs() < 0.01, "{line:?}");
    }

    #[test]
    fn mann_kendall_sees_trends_and_their_absence() {
        let up: Vec<f64> = (0..30)
            .map(|i| f64::from(i) + (f64::from(i) * 1.3).sin() * 3.0)
            .collect();
        let t = mann_kendall(&up);
        assert!(t.tau > 0.6 && t.p < 1e-6, "{t:?}");
        let flat: Vec<f64> = (0..30).map(|i| (f64::from(i) * 2.1).sin()).collect();
        let t = mann_kendall(&flat);
        assert!(t.p > 0.05, "{t:?}");
        // Known value: n = 10 strictly increasing, S = 45, var = 125, z = 44/sqrt(125).
        let inc: Vec<f64> = (0..10).map(f64::from).collect();
        let t = mann_kendall(&inc);
        let z: f64 = 44.0 / 125f64.sqrt();
        assert!((t.p - libm::erfc(z / std::f64::consts::SQRT_2)).abs() < 1e-12);
        assert_eq!(t.tau, 1.0);
    }

    #[test]
    fn split_finds_the_bend() {
        let x: Vec<f64> = (0..40).map(|i| 1e9 + f64::from(i)).collect();
        let y: Vec<f64> = (0..40).map(|i| f64::from(i.min(25)) * 4.0).collect();
        let s = best_split(&x, &y, 5).unwrap();
        assert!((24..=27).contains(&s.at), "{s:?}");
        assert!((s.left.slope - 4.0).abs() < 0.2, "{s:?}");
        assert!(s.right.slope.abs() < 0.2, "{s:?}");
        assert!(s.ratio < 0.05, "{s:?}");
        assert!(best_split(&x[..5], &y[..5], 3).is_none());
    }

    #[test]
    fn least_squares_line() {
        let f = least_squares(&[0.0, 1.0, 2.0], &[1.0, 3.0, 5.0]);
        assert!((f.slope - 2.0).abs() < 1e-12 && (f.intercept - 1.0).abs() < 1e-12);
        assert!(f.sse < 1e-12);
    }
}
