//! Where health results live in the context, as Framework0's health scriptlet puts them:
//! `health.latest_results` (check results), `health.latest_processing` (the processing of
//! the latest results, with the alerts in force) and `health.overall_status`.
//!
//! [`record`] is the one writer, shared by the health scriptlet's checks and the metrics
//! framework's performance thresholds: the alerts in force are read back, updated by the new
//! readings (an alert stays until a reading of the same metric and source clears it), and
//! the overall status follows them, so a later health step sees the earlier ones' alerts.

use std::collections::BTreeMap;

use serde_json::{json, Value};
use tracing::{error, warn};

use super::alert::ActiveAlerts;
use super::check::CheckResult;
use super::health::{AlertLevel, Threshold};
use super::processing::{process_results, Processing};
use crate::scriptlet::{ScriptletError, StepEnv};

/// Context key of the latest check results.
pub const LATEST_RESULTS: &str = "health.latest_results";
/// Context key of their processing.
pub const LATEST_PROCESSING: &str = "health.latest_processing";
/// Context key of the overall status.
pub const OVERALL_STATUS: &str = "health.overall_status";

/// How new results join the stored ones.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// The new results are the latest results (a system health check).
    Replace,
    /// The new results replace the stored checks of the same name and join the others
    /// (performance thresholds evaluated by another component).
    Merge,
}

/// The stored check results (empty when absent or not in the result shape).
pub fn stored_results(env: &StepEnv) -> Vec<CheckResult> {
    env.get(LATEST_RESULTS)
        .and_then(|v| serde_json::from_value(v).ok())
        .unwrap_or_default()
}

/// The stored processing, if any parses.
pub fn stored_processing(env: &StepEnv) -> Option<Processing> {
    env.get(LATEST_PROCESSING)
        .and_then(|v| serde_json::from_value(v).ok())
}

/// The alerts in force according to the context.
pub fn stored_active_alerts(env: &StepEnv) -> ActiveAlerts {
    ActiveAlerts::from_alerts(
        stored_processing(env)
            .map(|p| p.active_alerts)
            .unwrap_or_default(),
    )
}

/// Evaluates `results` against `thresholds` at `now`, logs the alerts raised on
/// `framework0.health.alerts`, and stores results, processing and overall status.
pub fn record(
    env: &StepEnv,
    mut results: Vec<CheckResult>,
    thresholds: &BTreeMap<String, Threshold>,
    mode: Mode,
    now: f64,
) -> Result<Processing, ScriptletError> {
    let mut active = stored_active_alerts(env);
    let processing = process_results(&results, thresholds, &mut active, now);
    for a in &processing.alerts {
        match a.alert_level {
            AlertLevel::Critical | AlertLevel::Emergency => {
                error!(target: "framework0.health.alerts", "Critical alert: {}", a.message)
            }
            _ => warn!(target: "framework0.health.alerts", "Warning alert: {}", a.message),
        }
    }
    for r in &mut results {
        r.stamp_ages(now);
    }
    if mode == Mode::Merge {
        let mut merged: Vec<CheckResult> = stored_results(env)
            .into_iter()
            .filter(|old| results.iter().all(|r| r.check_name != old.check_name))
            .collect();
        merged.append(&mut results);
        results = merged;
    }
    env.set(LATEST_RESULTS, to_json(&results)?)?;
    env.set(LATEST_PROCESSING, to_json(&processing)?)?;
    env.set(OVERALL_STATUS, json!(active.overall_status().as_str()))?;
    Ok(processing)
}

fn to_json<T: serde::Serialize>(v: &T) -> Result<Value, ScriptletError> {
    serde_json::to_value(v)
        .map_err(|e| ScriptletError::failed_in("cannot serialize health results", e))
}
