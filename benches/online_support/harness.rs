//! The benchmark harness: runs online detectors over the generated corpus, groups their
//! scores into events, and scores the event starts with the NAB rule, the threshold
//! optimized per profile (the detector's whole threshold range is swept, as NAB does).
//!
//! Detections are the *starts* of events: what `f0 detect` reports as an alert, decided from
//! the past alone. Shared by `examples/anomaly_benchmark.rs` and the integration tests.
#![allow(dead_code)]

use framework0::analyze::online::score::{self, Profile, Window};
use framework0::analyze::online::{
    DetectorKind, DetectorSet, EventBuilder, EventParams, EventPoint, OnlineParams,
};

use super::corpus::Series;

/// The scores of one detector set over one series.
pub struct Scored {
    /// Per-point calibrated scores.
    pub scores: Vec<f64>,
    /// NAB windows of the series.
    pub windows: Vec<Window>,
    /// Series length.
    pub len: usize,
    /// Whether the series is noise-only.
    pub noise_only: bool,
    /// The series' category.
    pub category: &'static str,
}

/// Scores every series with a fresh set of `kinds`.
pub fn score_corpus(
    corpus: &[Series],
    kinds: &[DetectorKind],
    params: &OnlineParams,
) -> Vec<Scored> {
    corpus
        .iter()
        .map(|s| {
            let mut set = DetectorSet::new(kinds, params).expect("valid set");
            let scores = s
                .values
                .iter()
                .map(|&x| set.update(x).expect("finite").score)
                .collect();
            Scored {
                scores,
                windows: score::windows(s.values.len(), &s.anomalies),
                len: s.values.len(),
                noise_only: s.anomalies.is_empty(),
                category: s.category,
            }
        })
        .collect()
}

/// The event starts of `scores` under `events`.
pub fn detections(scores: &[f64], events: EventParams) -> Vec<usize> {
    let mut b = EventBuilder::new(events).expect("valid event params");
    let verdict = framework0::analyze::online::PointScore {
        score: 0.0,
        tail_probability: 1.0,
        expected: 0.0,
        detector: DetectorKind::Zscore,
    };
    let mut starts = Vec::new();
    for (i, &s) in scores.iter().enumerate() {
        let p = EventPoint {
            index: i as u64,
            ts_ns: None,
            value: 0.0,
            score: s,
        };
        if let Some(e) = b.push(p, &verdict) {
            starts.push(e.start.index as usize);
        }
    }
    starts.extend(b.finish().map(|e| e.start.index as usize));
    starts
}

/// Normalized NAB score of the corpus at one threshold.
pub fn corpus_score(scored: &[Scored], events: EventParams, profile: &Profile) -> f64 {
    let mut raw = 0.0;
    let mut windows = 0;
    for s in scored {
        let d = detections(&s.scores, events);
        raw += score::series_score(s.len, &s.windows, &d, profile);
        windows += score::scorable_windows(s.len, &s.windows);
    }
    score::normalize(raw, windows, profile)
}

/// Events raised on the noise-only series at one threshold, and their points.
pub fn noise_alarms(scored: &[Scored], events: EventParams) -> (usize, usize) {
    scored
        .iter()
        .filter(|s| s.noise_only)
        .fold((0, 0), |(e, n), s| {
            let p = score::probation(s.len);
            let d = detections(&s.scores, events);
            (e + d.iter().filter(|&&i| i >= p).count(), n + s.len - p)
        })
}

/// The thresholds swept: 0.05 to 1 in steps of 0.01.
pub fn thresholds() -> impl Iterator<Item = f64> {
    (5..=100).map(|k| f64::from(k) / 100.0)
}

/// The best (threshold, score) per profile.
pub fn optimize(scored: &[Scored], gap: usize, suppression: usize) -> Vec<(f64, f64)> {
    score::PROFILES
        .iter()
        .map(|profile| {
            thresholds()
                .map(|t| {
                    let ev = EventParams {
                        threshold: t,
                        gap,
                        suppression,
                    };
                    (t, corpus_score(scored, ev, profile))
                })
                .fold((0.0, f64::NEG_INFINITY), |best, c| {
                    if c.1 > best.1 {
                        c
                    } else {
                        best
                    }
                })
        })
        .collect()
}

/// Per category at one setting: (category, windows, windows detected, false-positive
/// events, normalized standard score of the category alone).
pub fn by_category(
    scored: &[Scored],
    events: EventParams,
) -> Vec<(&'static str, usize, usize, usize, f64)> {
    let mut cats: Vec<&'static str> = scored.iter().map(|s| s.category).collect();
    cats.dedup();
    cats.into_iter()
        .map(|c| {
            let (mut w, mut hit, mut fp, mut raw) = (0, 0, 0, 0.0);
            for s in scored.iter().filter(|s| s.category == c) {
                let d = detections(&s.scores, events);
                let p = score::probation(s.len);
                let d: Vec<usize> = d.into_iter().filter(|&i| i >= p).collect();
                w += score::scorable_windows(s.len, &s.windows);
                hit += s
                    .windows
                    .iter()
                    .filter(|win| d.iter().any(|&i| win.left <= i && i <= win.right))
                    .count();
                fp += d
                    .iter()
                    .filter(|&&i| !s.windows.iter().any(|win| win.left <= i && i <= win.right))
                    .count();
                raw += score::series_score(s.len, &s.windows, &d, &score::STANDARD);
            }
            (c, w, hit, fp, score::normalize(raw, w, &score::STANDARD))
        })
        .collect()
}

/// The reference point of the issue: the batch z-score recomputed on every growing prefix
/// (the point included, as `anomaly::zscore` does), its confidence min(z/(2·s), 1) at
/// sensitivity `s` as the score. Running sums give the same numbers in O(1) per point.
pub fn score_prefix_zscore(corpus: &[Series], sensitivity: f64) -> Vec<Scored> {
    corpus
        .iter()
        .map(|s| {
            let (mut n, mut mean, mut m2) = (0.0f64, 0.0f64, 0.0f64);
            let scores = s
                .values
                .iter()
                .map(|&x| {
                    n += 1.0;
                    let d = x - mean;
                    mean += d / n;
                    m2 += d * (x - mean);
                    let sd = if n > 1.0 {
                        (m2 / (n - 1.0)).sqrt()
                    } else {
                        0.0
                    };
                    if sd > 0.0 {
                        ((x - mean).abs() / sd / (2.0 * sensitivity)).min(1.0)
                    } else {
                        0.0
                    }
                })
                .collect();
            Scored {
                scores,
                windows: score::windows(s.values.len(), &s.anomalies),
                len: s.values.len(),
                noise_only: s.anomalies.is_empty(),
                category: s.category,
            }
        })
        .collect()
}

/// NAB's own reading of per-point scores: every point at or above the threshold is a
/// detection (no events, no suppression). Best (threshold, score) per profile.
pub fn optimize_pointwise(scored: &[Scored]) -> Vec<(f64, f64)> {
    score::PROFILES
        .iter()
        .map(|profile| {
            thresholds()
                .map(|t| {
                    let (mut raw, mut windows) = (0.0, 0);
                    for s in scored {
                        let d: Vec<usize> = (0..s.len).filter(|&i| s.scores[i] >= t).collect();
                        raw += score::series_score(s.len, &s.windows, &d, profile);
                        windows += score::scorable_windows(s.len, &s.windows);
                    }
                    (t, score::normalize(raw, windows, profile))
                })
                .fold((0.0, f64::NEG_INFINITY), |best, c| {
                    if c.1 > best.1 {
                        c
                    } else {
                        best
                    }
                })
        })
        .collect()
}
