//! Health checks: metrics grouped by source into [`CheckResult`]s, evaluated against
//! [`Threshold`]s into [`Alert`]s, and the local probe. Only this machine is read (CPU and
//! memory through the system collector of `crate::collect`); nothing is dialled.

use std::collections::BTreeMap;
use std::time::Instant;

use super::health::{Alert, CheckResult, HealthStatus, Threshold};
use super::EventsError;
use crate::collect::{CollectError, Collector, SystemMetricsCollector};
use crate::metrics::PerformanceMetric;

/// Builds one check per metric source (in order of first appearance) from `readings`:
/// each metric is evaluated against its threshold in `thresholds` (metrics without one are
/// healthy) and breaches become alerts. A failed reading gives one `system_resources`
/// check with status unknown. `probe_secs` is the time the reading took.
pub fn checks_from_readings(
    readings: Result<Vec<PerformanceMetric>, EventsError>,
    probe_secs: f64,
    thresholds: &BTreeMap<String, Threshold>,
    now: f64,
) -> (Vec<CheckResult>, Vec<Alert>) {
    let metrics = match readings {
        Ok(m) => m,
        Err(e) => {
            let check = CheckResult {
                check_name: "system_resources".to_owned(),
                status: HealthStatus::Unknown,
                message: format!("Check failed: {e}"),
                metrics: Vec::new(),
                execution_time: probe_secs,
                timestamp: now,
                error: Some(e.to_string()),
                metric_count: 0,
            };
            return (vec![check], Vec::new());
        }
    };
    let mut sources: Vec<String> = Vec::new();
    for m in &metrics {
        let s = m.source.clone().unwrap_or_else(|| "unknown".to_owned());
        if !sources.contains(&s) {
            sources.push(s);
        }
    }
    let mut alerts = Vec::new();
    let results = sources
        .into_iter()
        .map(|source| {
            let mine: Vec<PerformanceMetric> = metrics
                .iter()
                .filter(|m| m.source.as_deref().unwrap_or("unknown") == source)
                .cloned()
                .collect();
            check_metrics(source, mine, thresholds, now, probe_secs, &mut alerts)
        })
        .collect();
    (results, alerts)
}

fn check_metrics(
    name: String,
    metrics: Vec<PerformanceMetric>,
    thresholds: &BTreeMap<String, Threshold>,
    now: f64,
    probe_secs: f64,
    alerts: &mut Vec<Alert>,
) -> CheckResult {
    let started = Instant::now();
    let mut status = HealthStatus::Healthy;
    let mut notes = Vec::new();
    for m in &metrics {
        let Some(t) = thresholds.get(&m.name) else {
            continue;
        };
        if let Some(level) = t.evaluate(m.value) {
            let alert = Alert::new(m, t, level, now);
            notes.push(alert.message.clone());
            status = worst(status, alert.status);
            alerts.push(alert);
        }
    }
    let message = if notes.is_empty() {
        format!("All {} metric(s) within thresholds", metrics.len())
    } else {
        notes.join("; ")
    };
    CheckResult {
        check_name: name,
        status,
        message,
        metric_count: metrics.len(),
        metrics,
        execution_time: probe_secs + started.elapsed().as_secs_f64(),
        timestamp: now,
        error: None,
    }
}

fn worst(a: HealthStatus, b: HealthStatus) -> HealthStatus {
    if b.rank() > a.rank() {
        b
    } else {
        a
    }
}

/// Worst status over `results`: critical, then warning, then unknown, else healthy;
/// unknown when there are no results.
pub fn overall_status(results: &[CheckResult]) -> HealthStatus {
    if results.is_empty() {
        return HealthStatus::Unknown;
    }
    results
        .iter()
        .map(|r| r.status)
        .fold(HealthStatus::Healthy, worst)
}

/// Reads this machine's CPU and memory and runs the checks `system_cpu` and `system_memory`
/// against `thresholds`.
pub fn system_checks(
    thresholds: &BTreeMap<String, Threshold>,
    now: f64,
) -> (Vec<CheckResult>, Vec<Alert>) {
    let started = Instant::now();
    let readings = probe_local();
    checks_from_readings(readings, started.elapsed().as_secs_f64(), thresholds, now)
}

/// The local probe, through the system collector (`crate::collect`): `cpu_usage_total`
/// (relabelled source `system_cpu`) over the interval between a priming sample and a second
/// one `sysinfo::MINIMUM_CPU_UPDATE_INTERVAL` later, and `memory_usage_percent` (source
/// `system_memory`) = (total − available) / total · 100, as psutil's
/// `virtual_memory().percent`. Only this machine is read.
fn probe_local() -> Result<Vec<PerformanceMetric>, EventsError> {
    let probe = |e: CollectError| EventsError::Probe(e.to_string());
    let mut collector = SystemMetricsCollector::new("/").map_err(probe)?;
    let mut out = Vec::new();
    collector.sample(&mut out).map_err(probe)?;
    std::thread::sleep(sysinfo::MINIMUM_CPU_UPDATE_INTERVAL);
    out.clear();
    collector.sample(&mut out).map_err(probe)?;
    let pick = |name: &str, source: &str| {
        out.iter()
            .find(|m| m.name == name && m.tags.is_empty())
            .map(|m| m.clone().with_source(source))
            .ok_or_else(|| EventsError::Probe(format!("no {name} reading on this system")))
    };
    Ok(vec![
        pick("cpu_usage_total", "system_cpu")?,
        pick("memory_usage_percent", "system_memory")?,
    ])
}
