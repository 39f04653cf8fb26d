//! The health of what an analysis found (Framework0's health 5B): threshold readings and
//! regression readings as Framework0 check results, and cross-component events for
//! anomalies and established baselines.
//!
//! - Check `performance_thresholds`: one [`HealthMetric`] (type `performance`) per declared
//!   threshold and analysed set its selector matches, named `<series label>[:STAT]`
//!   (`step_wall_time{step="build"}:p95`), judged against the threshold.
//! - Check `performance_regressions`: one reading `<series label>:regression` per baseline
//!   comparison with verdict `regressed`, its value the relative change in the worse direction
//!   (a fraction), judged against `warning_max = health.regression_threshold` (strict `>`, so
//!   a change exactly at the threshold raises nothing).
//! - Events: `performance_anomaly` per flagged sample, `system_baseline` per established
//!   baseline (the `metric_threshold` events follow from the alerts, see [`super::health_step`]).

use std::collections::BTreeMap;

use serde_json::{json, Map};

use super::report::{EstablishedBaseline, MetricAnalysis};
use super::select::Selection;
use super::thresholds::{Stat, ThresholdSpec};
use crate::analyze::baseline::Verdict;
use crate::analyze::quantile::PercentileMethod;
use crate::events::cross::CrossEventData;
use crate::events::{
    AlertLevel, CheckResult, CrossComponentEvent, CrossEventType, HealthMetric, HealthMetricType,
    HealthStatus, Threshold,
};

/// The component named in events and readings.
pub const SOURCE: &str = "performance_metrics";

/// What the health evaluation of one analysis works on.
#[derive(Debug, Clone, Copy)]
pub struct HealthInput<'a> {
    /// The analysed sets with their samples.
    pub selection: &'a Selection,
    /// The results per set.
    pub metrics: &'a [MetricAnalysis],
    /// Baselines this analysis stored.
    pub established: &'a [EstablishedBaseline],
    /// The declared thresholds.
    pub specs: &'a [ThresholdSpec],
    /// The quantile definition for `pNN` statistics.
    pub method: PercentileMethod,
    /// `health.regression_threshold`.
    pub regression_threshold: f64,
    /// Epoch seconds.
    pub now: f64,
}

/// The outcome: checks to record, the thresholds of their readings, and events.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Evaluation {
    /// `performance_thresholds` (with declared thresholds) and `performance_regressions`
    /// (with baseline comparisons).
    pub checks: Vec<CheckResult>,
    /// The threshold of each reading, by reading name.
    pub thresholds: BTreeMap<String, Threshold>,
    /// Threshold keys that judged nothing, with the reason.
    pub unmatched: Vec<String>,
    /// Anomaly and baseline events.
    pub events: Vec<CrossComponentEvent>,
}

/// Evaluates the health of an analysis.
pub fn evaluate(input: HealthInput<'_>) -> Evaluation {
    let mut thresholds = BTreeMap::new();
    let mut checks = Vec::new();
    let mut unmatched = Vec::new();
    if !input.specs.is_empty() {
        let readings = threshold_readings(&input, &mut thresholds, &mut unmatched);
        checks.push(check(
            "performance_thresholds",
            readings,
            &thresholds,
            input.now,
        ));
    }
    let compared = input
        .metrics
        .iter()
        .any(|m| m.baseline_comparison.is_some());
    if compared {
        let readings = regression_readings(&input, &mut thresholds);
        checks.push(check(
            "performance_regressions",
            readings,
            &thresholds,
            input.now,
        ));
    }
    let mut events = anomaly_events(&input);
    events.extend(input.established.iter().map(baseline_event));
    Evaluation {
        checks,
        thresholds,
        unmatched,
        events,
    }
}

/// The label of the set behind `m` (as the analysis names it in messages).
fn label_of(input: &HealthInput<'_>, m: &MetricAnalysis) -> String {
    input
        .selection
        .sets
        .iter()
        .find(|s| s.set.name == m.metric_name && s.set.key() == m.series)
        .map_or_else(
            || crate::metrics::selector::series_label(&m.metric_name, &m.tags),
            |s| s.set.label(),
        )
}

fn threshold_readings(
    input: &HealthInput<'_>,
    thresholds: &mut BTreeMap<String, Threshold>,
    unmatched: &mut Vec<String>,
) -> Vec<HealthMetric> {
    let mut readings = Vec::new();
    for spec in input.specs {
        let before = readings.len();
        for s in &input.selection.sets {
            if !spec.selector.matches(&s.set.name, &s.set.tags) {
                continue;
            }
            let values = &s.samples.values;
            let Some(value) = spec.stat.of(values, input.method) else {
                continue;
            };
            let name = format!("{}{}", s.set.label(), spec.stat.suffix());
            let timestamp = match spec.stat {
                Stat::Latest => s
                    .samples
                    .timestamps
                    .last()
                    .map_or(input.now, |t| *t as f64 / 1e9),
                _ => input.now,
            };
            let key = s.set.members.first().map(|m| &m.key);
            let reading = HealthMetric::new(
                name.clone(),
                value,
                HealthMetricType::Performance,
                key.map_or("", |k| k.unit.as_str()),
                key.and_then(|k| k.source.clone())
                    .unwrap_or_else(|| SOURCE.to_owned()),
                timestamp,
            )
            .with_meta("threshold", json!(spec.key))
            .with_meta("metric", json!(s.set.name))
            .with_meta("series", json!(s.set.key()))
            .with_meta("statistic", json!(spec.stat.name()))
            .with_meta("sample_count", json!(values.len()));
            let mut t = spec.threshold.clone();
            t.metric_name = name.clone();
            thresholds.insert(name, t);
            readings.push(reading);
        }
        if readings.len() == before {
            unmatched.push(format!(
                "{}: no analysed series matches (or none has a finite {})",
                spec.key,
                spec.stat.name()
            ));
        }
    }
    readings
}

fn regression_readings(
    input: &HealthInput<'_>,
    thresholds: &mut BTreeMap<String, Threshold>,
) -> Vec<HealthMetric> {
    let mut readings = Vec::new();
    for m in input.metrics {
        let Some(c) = &m.baseline_comparison else {
            continue;
        };
        if c.comparison.verdict != Verdict::Regressed {
            continue;
        }
        let worse = if c.higher_is_better {
            -c.comparison.relative_change
        } else {
            c.comparison.relative_change
        };
        let name = format!("{}:regression", label_of(input, m));
        let reading = HealthMetric::new(
            name.clone(),
            worse,
            HealthMetricType::Performance,
            "ratio",
            SOURCE,
            input.now,
        )
        .with_meta("metric", json!(m.metric_name))
        .with_meta("series", json!(m.series))
        .with_meta("verdict", json!("regressed"))
        .with_meta("relative_change", json!(c.comparison.relative_change))
        .with_meta("p_value", json!(c.comparison.p_value))
        .with_meta("baseline_mean", json!(c.comparison.baseline_mean))
        .with_meta("candidate_mean", json!(c.comparison.candidate_mean))
        .with_meta("baseline_id", json!(c.baseline_id));
        let t = Threshold {
            metric_name: name.clone(),
            warning_min: None,
            warning_max: Some(input.regression_threshold),
            critical_min: None,
            critical_max: None,
            enabled: true,
        };
        thresholds.insert(name, t);
        readings.push(reading);
    }
    readings
}

/// A check of `readings`: its status the worst level any reading deserves.
fn check(
    name: &str,
    readings: Vec<HealthMetric>,
    thresholds: &BTreeMap<String, Threshold>,
    now: f64,
) -> CheckResult {
    let levels: Vec<AlertLevel> = readings
        .iter()
        .filter_map(|r| {
            let t = thresholds.get(&r.name)?;
            t.evaluate(r.value.as_f64()?)
        })
        .collect();
    let count = |l: AlertLevel| levels.iter().filter(|x| **x == l).count();
    let status = levels
        .iter()
        .map(|l| l.status())
        .fold(HealthStatus::Healthy, HealthStatus::worst);
    let message = format!(
        "{} reading(s): {} critical, {} warning",
        readings.len(),
        count(AlertLevel::Critical),
        count(AlertLevel::Warning)
    );
    CheckResult::new(name, status, message, readings, 0.0, now)
}

fn anomaly_events(input: &HealthInput<'_>) -> Vec<CrossComponentEvent> {
    let mut out = Vec::new();
    for m in input.metrics {
        let label = label_of(input, m);
        for a in &m.anomalies {
            let method = a.detection_method.clone();
            let mut e = CrossComponentEvent::new(
                CrossEventType::PerformanceAnomaly,
                SOURCE,
                CrossEventData {
                    metric_name: label.clone(),
                    anomaly_type: method,
                    severity: AlertLevel::Warning.as_str().to_owned(),
                    value: a.metric.value,
                    baseline: Some(a.baseline_value),
                },
            );
            e.framework_context = Map::from_iter([
                ("series".to_owned(), json!(m.series)),
                ("index".to_owned(), json!(a.index)),
                ("confidence_score".to_owned(), json!(a.confidence_score)),
                (
                    "deviation_magnitude".to_owned(),
                    json!(a.deviation_magnitude),
                ),
            ]);
            out.push(e);
        }
    }
    out
}

fn baseline_event(b: &EstablishedBaseline) -> CrossComponentEvent {
    let mut e = CrossComponentEvent::new(
        CrossEventType::SystemBaseline,
        SOURCE,
        CrossEventData {
            metric_name: crate::metrics::selector::series_label(&b.metric, &b.tags),
            anomaly_type: "baseline_established".to_owned(),
            severity: AlertLevel::Info.as_str().to_owned(),
            value: b.mean,
            baseline: Some(b.mean),
        },
    );
    e.framework_context = Map::from_iter([
        ("baseline_id".to_owned(), json!(b.id)),
        ("series".to_owned(), json!(b.series)),
        ("sample_count".to_owned(), json!(b.sample_count)),
        ("std_dev".to_owned(), json!(b.std_dev)),
    ]);
    e
}
