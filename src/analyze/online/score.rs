//! The NAB windowed scoring rule (Lavin & Ahmad 2015, *Evaluating Real-time Anomaly Detection
//! Algorithms — the Numenta Anomaly Benchmark*, IEEE ICMLA; the rules of NAB v1.1's
//! `sweeper.py`), used by the benchmark harness to compare detectors and choose the defaults.
//!
//! * Each labelled anomaly gets a window of width 10 % of the series length divided by the
//!   number of anomalies, centred on the label (overlapping windows merge).
//! * The first min(⌊0.15·n⌋, 750) points are probationary: detections there are ignored.
//! * In a window, only the earliest detection counts: it earns
//!   A_TP·σ(−(right − i + 1)/width)/σ(−1), with σ(y) = 2/(1 + e^{5y}) − 1 (≈ 1 at the window's
//!   left edge, 0 at its right edge); a window without detection costs A_FN.
//! * Every detection outside a window costs A_FP·σ(d), d = (i − right)/(width − 1) measured
//!   from the preceding window (a detection just after a window costs little, one ≥ 3 widths
//!   away the full A_FP; before the first window, the full A_FP).
//! * Normalized score = 100·(raw − null)/(perfect − null), where null (never detect) scores
//!   −A_FN per window and perfect A_TP per window; thresholds are optimized per profile.
//!
//! Profiles: standard (A_TP 1, A_FP 0.11, A_FN 1), low FP (A_FP 0.22), low FN (A_FN 2).

/// Cost weights of one NAB application profile.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Profile {
    /// Profile name.
    pub name: &'static str,
    /// Weight of a true positive.
    pub tp: f64,
    /// Weight of a false positive.
    pub fp: f64,
    /// Weight of a missed window.
    pub fn_: f64,
}

/// NAB's standard profile.
pub const STANDARD: Profile = Profile {
    name: "standard",
    tp: 1.0,
    fp: 0.11,
    fn_: 1.0,
};
/// NAB's "reward low false positives" profile.
pub const LOW_FP: Profile = Profile {
    name: "low_fp",
    tp: 1.0,
    fp: 0.22,
    fn_: 1.0,
};
/// NAB's "reward low false negatives" profile.
pub const LOW_FN: Profile = Profile {
    name: "low_fn",
    tp: 1.0,
    fp: 0.11,
    fn_: 2.0,
};
/// The three profiles.
pub const PROFILES: [Profile; 3] = [STANDARD, LOW_FP, LOW_FN];

/// An anomaly window, inclusive point indices.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Window {
    /// First index.
    pub left: usize,
    /// Last index.
    pub right: usize,
}

impl Window {
    fn width(self) -> usize {
        self.right - self.left + 1
    }
}

/// σ(y) = 2/(1 + e^{5y}) − 1, −1 from y ≥ 3 on.
fn scaled_sigmoid(y: f64) -> f64 {
    if y >= 3.0 {
        -1.0
    } else {
        2.0 / (1.0 + (5.0 * y).exp()) - 1.0
    }
}

/// The probationary length of a series of `len` points.
pub fn probation(len: usize) -> usize {
    ((0.15 * len as f64).floor() as usize).min(750)
}

/// NAB's windows around the labelled anomaly indices of a series of `len` points.
pub fn windows(len: usize, anomalies: &[usize]) -> Vec<Window> {
    if anomalies.is_empty() || len == 0 {
        return Vec::new();
    }
    let mut labels = anomalies.to_vec();
    labels.sort_unstable();
    let half = (0.1 * len as f64 / labels.len() as f64) as usize / 2;
    let mut out: Vec<Window> = Vec::new();
    for a in labels {
        let w = Window {
            left: a.saturating_sub(half),
            right: (a + half).min(len - 1),
        };
        match out.last_mut() {
            Some(last) if w.left <= last.right => last.right = last.right.max(w.right),
            _ => out.push(w),
        }
    }
    out
}

/// Windows that can be scored (not entirely probationary).
pub fn scorable_windows(len: usize, windows: &[Window]) -> usize {
    let p = probation(len);
    windows.iter().filter(|w| w.right >= p).count()
}

/// The raw NAB score of one series: `detections` are point indices in increasing order.
pub fn series_score(
    len: usize,
    windows: &[Window],
    detections: &[usize],
    profile: &Profile,
) -> f64 {
    let p = probation(len);
    let max_tp = scaled_sigmoid(-1.0);
    let mut best: Vec<Option<f64>> = vec![None; windows.len()];
    let mut fp = 0.0;
    for &i in detections.iter().filter(|&&i| i >= p && i < len) {
        let inside = windows.iter().position(|w| w.left <= i && i <= w.right);
        match inside {
            Some(k) => {
                let w = windows[k];
                let y = -((w.right as f64 - i as f64 + 1.0) / w.width() as f64);
                let s = scaled_sigmoid(y) * profile.tp / max_tp;
                best[k] = Some(best[k].map_or(s, |b: f64| b.max(s)));
            }
            None => {
                let before = windows.iter().rev().find(|w| w.right < i);
                let y = match before {
                    Some(w) if w.width() > 1 => (i - w.right) as f64 / (w.width() - 1) as f64,
                    _ => 3.0,
                };
                fp += scaled_sigmoid(y) * profile.fp;
            }
        }
    }
    let windows_part: f64 = windows
        .iter()
        .zip(&best)
        .filter(|(w, _)| w.right >= p)
        .map(|(_, b)| b.unwrap_or(-profile.fn_))
        .sum();
    windows_part + fp
}

/// 100·(raw − null)/(perfect − null) for a corpus with `windows` scorable windows.
pub fn normalize(raw: f64, windows: usize, profile: &Profile) -> f64 {
    let null = -profile.fn_ * windows as f64;
    let perfect = profile.tp * windows as f64;
    if perfect <= null {
        return 0.0;
    }
    100.0 * (raw - null) / (perfect - null)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn windows_are_a_tenth_of_the_series_centred_and_merged() {
        assert_eq!(
            windows(1000, &[500]),
            [Window {
                left: 450,
                right: 550
            }]
        );
        assert_eq!(
            windows(1000, &[500, 510]),
            [Window {
                left: 475,
                right: 535
            }]
        );
        assert_eq!(probation(1000), 150);
        assert_eq!(probation(100_000), 750);
    }

    #[test]
    fn early_detection_earns_the_most_and_false_positives_cost() {
        let w = windows(1000, &[500]);
        let s = |d: &[usize]| series_score(1000, &w, d, &STANDARD);
        assert!((s(&[450]) - 1.0).abs() < 1e-12);
        assert_eq!(s(&[]), -1.0);
        assert!(s(&[500]) > 0.8 && s(&[500]) < 0.9);
        assert!(s(&[540]) < s(&[500]));
        // Only the earliest detection in a window counts.
        assert_eq!(s(&[450, 500]), s(&[450]));
        // A false positive before any window costs the full weight; probation is free.
        assert!((s(&[300]) - (-1.0 - 0.11)).abs() < 1e-12);
        assert_eq!(s(&[100]), -1.0);
        // Right after the window it costs little, three widths later the full weight.
        assert!(s(&[560]) > -1.0 - 0.11 * 0.5);
        assert!((s(&[900]) - (-1.0 - 0.11)).abs() < 1e-12);
        assert_eq!(normalize(-1.0, 1, &STANDARD), 0.0);
        assert_eq!(normalize(1.0, 1, &STANDARD), 100.0);
        assert_eq!(normalize(-2.0, 1, &LOW_FN), 0.0);
    }
}
