//! The analysis of one series' window with the engine's functions — summary
//! ([`summarize`]), anomalies ([`detect`]), change points ([`compute_change_points`]), linear
//! trend and prediction interval ([`linear_trend`]) — plus its histogram and the points to
//! draw ([`super::super::lttb`]).
//!
//! Statistics use every sample of the window; only the drawn points are downsampled, keeping
//! the extremes, the shown anomalies and the change points.

use std::collections::BTreeMap;

use super::select::{Columns, SeriesData};
use super::Settings;
use crate::analyze::anomaly::{detect, AnomalyConfig, AnomalyMethod};
use crate::analyze::changepoint::{compute_change_points, ChangePoint};
use crate::analyze::summary::{summarize, StatisticalSummary, SummaryOptions};
use crate::analyze::trend::linear_trend;
use crate::report::lttb::downsample;
use crate::report::model::{
    Anomalies, AnomalyMark, Band, Distribution, Forecast, Histogram, Points, Rung, TrendReport,
};

/// The percentile ladder of every distribution.
pub const LADDER: [f64; 6] = [50.0, 75.0, 90.0, 95.0, 99.0, 99.9];
/// At most this many anomalies are listed and marked per series (the most confident).
pub const MAX_MARKS: usize = 100;
/// At most this many change points are marked on a chart (the largest by magnitude).
pub const MAX_DRAWN_CHANGE_POINTS: usize = 50;
/// Below this r² a forecast is not meaningful.
pub const MIN_FORECAST_R2: f64 = 0.3;
/// Coverage of the forecast's prediction interval.
pub const FORECAST_LEVEL: f64 = 0.95;
/// From this many samples a window's change points are detected on a thread of their own.
pub const PARALLEL_FROM: usize = 100_000;

/// What the analysis of one window found.
#[derive(Debug, Clone, PartialEq)]
pub struct WindowAnalysis {
    /// Statistics (none below 2 samples).
    pub summary: Option<StatisticalSummary>,
    /// Anomalies.
    pub anomalies: Anomalies,
    /// Change points.
    pub change_points: Vec<ChangePoint>,
    /// Histogram and ladder (none without a summary).
    pub distribution: Option<Distribution>,
    /// Trend and forecast.
    pub trend: Option<TrendReport>,
    /// What could not be computed.
    pub warnings: Vec<String>,
}

/// Analyses the window of `s`. A long window's change points (about half of its cost) are
/// detected on a thread of their own beside its other statistics.
pub fn analyze_window(s: &SeriesData, settings: &Settings) -> WindowAnalysis {
    let w = &s.window;
    let detect = || {
        (w.len() >= 2)
            .then(|| compute_change_points(&w.values, Some(&w.timestamps), &settings.change_points))
    };
    let (found, (mut a, at)) = if w.len() >= PARALLEL_FROM {
        std::thread::scope(|scope| {
            let cps = scope.spawn(detect);
            let rest = without_change_points(s, settings);
            (cps.join().expect("change-point detection panicked"), rest)
        })
    } else {
        (detect(), without_change_points(s, settings))
    };
    match found {
        Some(Ok(cps)) => a.change_points = cps,
        Some(Err(e)) => a.warnings.insert(at, format!("change points: {e}")),
        None => {}
    }
    a
}

/// Everything of [`analyze_window`] but the change points, and where in the warnings theirs
/// belongs (after the statistics').
fn without_change_points(s: &SeriesData, settings: &Settings) -> (WindowAnalysis, usize) {
    let w = &s.window;
    let mut warnings = Vec::new();
    let options = SummaryOptions {
        metric_name: s.key.name.clone(),
        time_range: w
            .timestamps
            .first()
            .zip(w.timestamps.last())
            .map(|(a, b)| (*a, *b)),
        percentiles: LADDER.to_vec(),
        method: settings.percentile_method,
    };
    let summary = match summarize(&w.values, &options) {
        Ok(sum) => Some(sum.saturated()),
        Err(e) => {
            warnings.push(format!("statistics: {e}"));
            None
        }
    };
    let at = warnings.len();
    let anomalies = anomalies(w, settings, &mut warnings);
    let distribution = summary.as_ref().map(|sum| Distribution {
        percentile_method: settings.percentile_method,
        ladder: sum
            .percentiles
            .iter()
            .map(|(percent, value)| Rung { percent, value })
            .collect(),
        histogram: histogram(&w.values, sum.min_value, sum.max_value),
    });
    let trend = if w.len() >= 2 {
        trend(w, &mut warnings)
    } else {
        None
    };
    let a = WindowAnalysis {
        summary,
        anomalies,
        change_points: Vec::new(),
        distribution,
        trend,
        warnings,
    };
    (a, at)
}

fn anomalies(w: &Columns, settings: &Settings, warnings: &mut Vec<String>) -> Anomalies {
    let config = AnomalyConfig {
        sensitivity: settings.anomalies.sensitivity,
        ..AnomalyConfig::default()
    };
    let mut flagged: BTreeMap<usize, (Vec<AnomalyMethod>, f64)> = BTreeMap::new();
    let mut by_method = BTreeMap::new();
    for &method in &settings.anomalies.methods {
        match detect(&w.values, method, &config) {
            Ok(points) => {
                let mut n = 0;
                for p in points.iter().filter(|p| p.is_anomaly) {
                    n += 1;
                    let slot = flagged.entry(p.index).or_insert((Vec::new(), 0.0));
                    slot.0.push(method);
                    slot.1 = slot.1.max(p.confidence);
                }
                by_method.insert(method.name().to_owned(), n);
            }
            // Too few samples for a detector is normal for short series: say so once.
            Err(e) => warnings.push(format!("{}: {e}", method.name())),
        }
    }
    let count = flagged.len();
    let mut marks: Vec<AnomalyMark> = flagged
        .into_iter()
        .map(|(index, (methods, confidence))| AnomalyMark {
            index,
            ts_ns: w.timestamps[index],
            value: w.values[index],
            run_id: w.run_ids[index],
            methods,
            confidence,
        })
        .collect();
    if marks.len() > MAX_MARKS {
        marks.sort_by(|a, b| {
            b.confidence
                .total_cmp(&a.confidence)
                .then(a.index.cmp(&b.index))
        });
        marks.truncate(MAX_MARKS);
        marks.sort_by_key(|m| m.index);
    }
    Anomalies {
        methods: settings.anomalies.methods.clone(),
        sensitivity: settings.anomalies.sensitivity,
        count,
        by_method,
        marks,
    }
}

/// Bins by the Rice rule (⌈2·n^⅓⌉, at most 50) over [min, max]; one bin for a constant series.
pub fn histogram(values: &[f64], min: f64, max: f64) -> Histogram {
    let n = values.len();
    let width = max - min;
    let bins = if width > 0.0 && width.is_finite() {
        ((2.0 * (n as f64).cbrt()).ceil() as usize).clamp(1, 50)
    } else {
        1
    };
    let step = if bins == 1 { 0.0 } else { width / bins as f64 };
    let mut edges: Vec<f64> = (0..bins).map(|i| min + step * i as f64).collect();
    edges.push(max);
    let mut counts = vec![0u64; bins];
    for &v in values {
        let i = if step > 0.0 {
            (((v - min) / step) as usize).min(bins - 1)
        } else {
            0
        };
        counts[i] += 1;
    }
    Histogram {
        edges,
        counts,
        rule: "Rice rule: ceil(2·n^(1/3)) equal-width bins, at most 50".to_owned(),
    }
}

fn trend(w: &Columns, warnings: &mut Vec<String>) -> Option<TrendReport> {
    let line = match linear_trend(&w.values, &w.timestamps) {
        Ok(line) => line,
        Err(e) => {
            warnings.push(format!("trend: {e}"));
            return None;
        }
    };
    let (start_ns, end_ns) = (w.timestamps[0], w.timestamps[w.len() - 1]);
    let horizon = line.span_seconds;
    let (forecast, forecast_note) = if line.n < 3 {
        (
            None,
            Some(format!("{} points: a forecast needs at least 3", line.n)),
        )
    } else if line.r_squared < MIN_FORECAST_R2 {
        (
            None,
            Some(format!(
                "not meaningful: r² {:.3} < {MIN_FORECAST_R2} (the line explains too little)",
                line.r_squared
            )),
        )
    } else {
        match line.predict(horizon * 2.0, FORECAST_LEVEL) {
            Ok(p) => (
                Some(Forecast {
                    horizon_seconds: horizon,
                    at_ns: end_ns.saturating_add((horizon * 1e9) as i64),
                    value: p.value,
                    lower: p.lower.unwrap_or(p.value),
                    upper: p.upper.unwrap_or(p.value),
                    level: FORECAST_LEVEL,
                }),
                None,
            ),
            Err(e) => (None, Some(format!("forecast: {e}"))),
        }
    };
    Some(TrendReport {
        direction: line.direction(),
        slope: line.slope,
        intercept: line.intercept,
        r_squared: line.r_squared,
        start_ns,
        end_ns,
        forecast,
        forecast_note,
    })
}

/// The points to draw of `w`: at most `target` LTTB picks plus extremes and `keep`.
pub fn points(w: &Columns, target: usize, keep: &[usize]) -> Points {
    let t0 = w.timestamps.first().copied().unwrap_or(0);
    let x: Vec<f64> = w.timestamps.iter().map(|&t| (t - t0) as f64).collect();
    let picked = downsample(&x, &w.values, target, keep);
    Points {
        ts_ns: picked.iter().map(|&i| w.timestamps[i]).collect(),
        values: picked.iter().map(|&i| w.values[i]).collect(),
        run_ids: picked.iter().map(|&i| w.run_ids[i]).collect(),
        sample_count: w.len(),
    }
}

/// Mean ± 2 sd of the window itself (when there is no reference).
pub fn own_band(summary: &StatisticalSummary) -> Band {
    Band {
        lower: summary.mean - 2.0 * summary.std_dev,
        centre: summary.mean,
        upper: summary.mean + 2.0 * summary.std_dev,
        source: "this window: mean ± 2 sd".to_owned(),
    }
}

/// The change points a chart marks: all of them, or the [`MAX_DRAWN_CHANGE_POINTS`] largest
/// by magnitude (ties by position), in position order.
pub fn drawn_change_points(cps: &[ChangePoint]) -> impl Iterator<Item = &ChangePoint> {
    let mut order: Vec<&ChangePoint> = cps.iter().collect();
    if order.len() > MAX_DRAWN_CHANGE_POINTS {
        order.sort_by(|a, b| {
            b.magnitude
                .total_cmp(&a.magnitude)
                .then(a.index.cmp(&b.index))
        });
        order.truncate(MAX_DRAWN_CHANGE_POINTS);
        order.sort_by_key(|c| c.index);
    }
    order.into_iter()
}
