//! The analyze step's health in the context (issue 14): the [`Evaluation`]'s checks are
//! recorded where Framework0's health scriptlet keeps its results (`health.latest_results`,
//! merged by check name; `health.latest_processing`; `health.overall_status` from the alerts
//! in force), so a later health step sees them, and summarised under `metrics.health.*`:
//!
//! | key | value |
//! |---|---|
//! | `metrics.health.overall_status` | `healthy`, `warning` or `critical`: the worst alert this step raised |
//! | `metrics.health.alerts` | the alerts this step raised (Framework0's alert JSON) |
//! | `metrics.health.checks` | its check results |
//! | `metrics.health.events` | cross-component events: `performance_anomaly`, `metric_threshold`, `system_baseline` |
//! | `metrics.health.unmatched_thresholds` | threshold keys that judged nothing, with the reason |
//!
//! `fail_on: warning | critical` fails the step when `metrics.health.overall_status` is at
//! least that (after the keys are written).

use serde_json::{json, Value};

use super::health::{Evaluation, SOURCE};
use super::thresholds::FailOn;
use crate::events::health_context::{record, Mode};
use crate::events::{overall_from_alerts, Alert, CrossComponentEvent, HealthStatus};
use crate::scriptlet::{ScriptletError, StepEnv};

/// The analyze step's health verdict under `fail_on`.
#[derive(Debug, thiserror::Error)]
#[error("health status {status} (fail_on: {fail_on}): {}", .alerts.join("; "))]
pub struct HealthFailure {
    /// The status found.
    pub status: &'static str,
    /// The level asked for.
    pub fail_on: &'static str,
    /// The alerts' messages.
    pub alerts: Vec<String>,
}

/// Records `eval` in the context (nothing when it holds no check and no event); returns the
/// step's status.
pub fn record_health(
    env: &StepEnv,
    eval: Evaluation,
    now: f64,
) -> Result<(HealthStatus, Vec<Alert>), ScriptletError> {
    if eval.checks.is_empty() && eval.events.is_empty() {
        return Ok((HealthStatus::Healthy, Vec::new()));
    }
    let alerts = if eval.checks.is_empty() {
        Vec::new()
    } else {
        record(env, eval.checks.clone(), &eval.thresholds, Mode::Merge, now)?.alerts
    };
    let status = overall_from_alerts(&alerts);
    let mut events = eval.events;
    events.extend(
        alerts
            .iter()
            .map(|a| CrossComponentEvent::from_alert(a, SOURCE)),
    );
    for e in &mut events {
        e.mark_processed(SOURCE);
        log_event(e);
    }
    let keys: [(&str, Value); 5] = [
        ("metrics.health.overall_status", json!(status.as_str())),
        ("metrics.health.alerts", to_json(&alerts)?),
        ("metrics.health.checks", to_json(&eval.checks)?),
        ("metrics.health.events", to_json(&events)?),
        ("metrics.health.unmatched_thresholds", json!(eval.unmatched)),
    ];
    for (k, v) in keys {
        env.set(k, v)?;
    }
    for u in &eval.unmatched {
        tracing::warn!(target: "framework0.health", "threshold {u}");
    }
    Ok((status, alerts))
}

/// The failure `fail_on` asks for, if `status` reaches it.
pub fn judge(
    fail_on: Option<FailOn>,
    status: HealthStatus,
    alerts: &[Alert],
) -> Result<(), HealthFailure> {
    match fail_on {
        Some(f) if f.fails(status) => Err(HealthFailure {
            status: status.as_str(),
            fail_on: f.as_str(),
            alerts: alerts.iter().map(|a| a.message.clone()).collect(),
        }),
        _ => Ok(()),
    }
}

fn log_event(e: &CrossComponentEvent) {
    let kind = serde_json::to_value(e.event_type)
        .ok()
        .and_then(|v| v.as_str().map(str::to_owned))
        .unwrap_or_default();
    let extra = serde_json::to_string(e).unwrap_or_default();
    tracing::info!(
        target: "framework0.events",
        extra_data = extra.as_str(),
        "{kind}: {} ({}, {})",
        e.data.metric_name,
        e.data.anomaly_type,
        e.data.severity
    );
}

fn to_json<T: serde::Serialize>(v: &T) -> Result<Value, ScriptletError> {
    serde_json::to_value(v).map_err(|e| ScriptletError::failed_in("cannot serialize health", e))
}
