//! `scriptlets.foundation.health_monitoring.HealthMonitoringScriptlet`: local health checks
//! with thresholds and alerts ([`crate::events::health`]). Nothing but this machine is read.
//!
//! `args.action` (default `setup`):
//! - `setup`: `config {monitoring {enabled, check_interval}, thresholds {metric: {warning_min,
//!   warning_max, critical_min, critical_max, enabled}}}`, `thresholds` (merged over
//!   `config.thresholds`), `monitor_name` (default `system_health`), `initial_check`
//!   (default true) → `health.monitoring_enabled`, `health.setup_timestamp`,
//!   `health.monitor_name`, `health.config` (thresholds over the defaults), and with an
//!   initial check the keys of `check`.
//! - `check`: evaluates CPU and memory against `args.thresholds`, else `health.config`'s,
//!   else the defaults → `health.latest_results` (check results), `health.latest_processing`
//!   (summary), `health.alerts`, `health.overall_status`, `health.check_timestamp`.
//! - `report`: `format` `text` (default) | `json`, optional `output_file` → `health.latest_report`
//!   (a string, or an object for json), `health.report_timestamp`, `health.report_format`.
//!   Reports the latest results in the context, running a check first when there are none.

use std::collections::BTreeMap;
use std::time::SystemTime;

use serde_json::{json, Map, Value};

use crate::diagnostic::{compact, Code, Finding};
use crate::events::health_report::{json_report, processing_summary, text_report, FORMAT_NAMES};
use crate::events::{
    default_thresholds, iso_utc, overall_status, system_checks, thresholds_from_config, Alert,
    CheckResult, EventsError, Threshold,
};
use crate::scriptlet::args::{bool_arg, check_bool, Choice};
use crate::scriptlet::{Registry, Scriptlet, ScriptletError, StepEnv};
use crate::util::epoch_seconds;

/// The module path.
pub const MODULE: &str = "scriptlets.foundation.health_monitoring";
/// The class name.
pub const FUNCTION: &str = "HealthMonitoringScriptlet";

const ACTION: Choice = Choice {
    scriptlet: FUNCTION,
    field: "action",
    default: Some("setup"),
    valid: &["setup", "check", "report"],
    code: Code::UnknownAction,
};

const FORMAT: Choice = Choice {
    scriptlet: FUNCTION,
    field: "format",
    default: Some("text"),
    valid: FORMAT_NAMES,
    code: Code::InvalidArg,
};

/// Registers this file's scriptlets in `r`.
pub fn register(r: &mut Registry) {
    r.register(
        &[MODULE],
        FUNCTION,
        "local health checks and alerts: args.action = setup | check | report",
        || Box::new(HealthMonitoringScriptlet),
        Some(validate),
    );
}

fn validate(args: &Map<String, Value>, base: &str) -> Vec<Finding> {
    let mut out = ACTION.validate(args, base);
    out.extend(FORMAT.validate(args, base));
    out.extend(check_bool(args, base, "initial_check"));
    if let Err(e) = thresholds_from_args(args) {
        let (field, message) = match e {
            EventsError::InvalidConfig { field, message } => (field, message),
            other => ("thresholds".to_owned(), other.to_string()),
        };
        out.push(Finding::error(
            Code::InvalidArg,
            format!("{base}.{field}"),
            message,
        ));
    }
    if let Some(m) = args.get("config").and_then(|c| c.get("monitoring")) {
        if !m.is_object() {
            out.push(Finding::error(
                Code::InvalidArg,
                format!("{base}.config.monitoring"),
                format!(
                    "must be a mapping {{enabled, check_interval}}, got {}",
                    compact(m)
                ),
            ));
        }
    }
    for key in ["output_file", "monitor_name"] {
        if let Some(v) = args.get(key).filter(|v| !v.is_string()) {
            out.push(Finding::error(
                Code::InvalidArg,
                format!("{base}.{key}"),
                format!("must be a string, got {}", compact(v)),
            ));
        }
    }
    out
}

/// Thresholds given in `args.config.thresholds` and `args.thresholds` (the latter wins), or
/// None when neither is given.
fn thresholds_from_args(
    args: &Map<String, Value>,
) -> Result<Option<BTreeMap<String, Threshold>>, EventsError> {
    let config = match args.get("config") {
        None => None,
        Some(Value::Object(c)) => c
            .get("thresholds")
            .map(|t| thresholds_from_config(t, "config.thresholds"))
            .transpose()?,
        Some(v) => {
            return Err(EventsError::InvalidConfig {
                field: "config".into(),
                message: format!(
                    "must be a mapping {{monitoring, thresholds}}, got {}",
                    compact(v)
                ),
            })
        }
    };
    let direct = args
        .get("thresholds")
        .map(|t| thresholds_from_config(t, "thresholds"))
        .transpose()?;
    Ok(match (config, direct) {
        (None, None) => None,
        (c, d) => Some(
            c.unwrap_or_default()
                .into_iter()
                .chain(d.unwrap_or_default())
                .collect(),
        ),
    })
}

/// Thresholds for a check: the step's own, else those `setup` stored, else the defaults.
fn effective_thresholds(
    env: &StepEnv,
    args: &Map<String, Value>,
) -> Result<BTreeMap<String, Threshold>, ScriptletError> {
    if let Some(t) = thresholds_from_args(args).map_err(ScriptletError::failed)? {
        return Ok(default_thresholds().into_iter().chain(t).collect());
    }
    match env
        .get("health.config")
        .and_then(|c| c.get("thresholds").cloned())
    {
        Some(t) => {
            thresholds_from_config(&t, "health.config.thresholds").map_err(ScriptletError::failed)
        }
        None => Ok(default_thresholds()),
    }
}

/// Check results and the alerts they raised.
pub(crate) type Checked = (Vec<CheckResult>, Vec<Alert>);

struct HealthMonitoringScriptlet;

impl Scriptlet for HealthMonitoringScriptlet {
    fn run(&mut self, env: &StepEnv, args: &Map<String, Value>) -> Result<i32, ScriptletError> {
        match ACTION.get(args)? {
            "setup" => setup(env, args),
            "check" => check(env, args).map(|_| 0),
            _ => report(env, args),
        }
    }
}

fn setup(env: &StepEnv, args: &Map<String, Value>) -> Result<i32, ScriptletError> {
    // Setup starts afresh: its own thresholds over the defaults, never an older run's.
    let own = thresholds_from_args(args)
        .map_err(ScriptletError::failed)?
        .unwrap_or_default();
    let thresholds: BTreeMap<String, Threshold> =
        default_thresholds().into_iter().chain(own).collect();
    let monitoring = args
        .get("config")
        .and_then(|c| c.get("monitoring"))
        .cloned()
        .unwrap_or_else(|| json!({}));
    let enabled = monitoring
        .get("enabled")
        .and_then(Value::as_bool)
        .unwrap_or(true);
    let name = args
        .get("monitor_name")
        .and_then(Value::as_str)
        .unwrap_or("system_health");
    env.set("health.monitoring_enabled", json!(enabled))?;
    env.set("health.setup_timestamp", json!(epoch_seconds()))?;
    env.set("health.monitor_name", json!(name))?;
    env.set(
        "health.config",
        json!({"monitoring": monitoring, "thresholds": thresholds}),
    )?;
    tracing::info!(target: "framework0.health", "Health monitoring '{name}' set up with {} threshold(s)", thresholds.len());
    if bool_arg(args, "initial_check", true)? {
        run_and_store(env, &thresholds)?;
    }
    Ok(0)
}

fn check(env: &StepEnv, args: &Map<String, Value>) -> Result<Checked, ScriptletError> {
    let thresholds = effective_thresholds(env, args)?;
    run_and_store(env, &thresholds)
}

fn run_and_store(
    env: &StepEnv,
    thresholds: &BTreeMap<String, Threshold>,
) -> Result<Checked, ScriptletError> {
    let now = epoch_seconds();
    let (results, alerts) = system_checks(thresholds, now);
    let processing = processing_summary(&results, &alerts);
    let counts = &processing["summary"]["status_summary"];
    tracing::info!(target: "framework0.health", "Health check completed: H:{} W:{} C:{} U:{}", counts["healthy"], counts["warning"], counts["critical"], counts["unknown"]);
    for a in &alerts {
        tracing::warn!(target: "framework0.health", "{}", a.message);
    }
    env.set("health.latest_results", to_json(&results)?)?;
    env.set("health.latest_processing", processing)?;
    env.set("health.alerts", to_json(&alerts)?)?;
    env.set(
        "health.overall_status",
        json!(overall_status(&results).as_str()),
    )?;
    env.set("health.check_timestamp", json!(now))?;
    Ok((results, alerts))
}

fn to_json<T: serde::Serialize>(v: &T) -> Result<Value, ScriptletError> {
    serde_json::to_value(v)
        .map_err(|e| ScriptletError::failed_in("cannot serialize health results", e))
}

/// The check results and alerts stored in the context, if any.
pub(crate) fn stored_results(env: &StepEnv) -> Result<Option<Checked>, ScriptletError> {
    let Some(results) = env.get("health.latest_results") else {
        return Ok(None);
    };
    let results: Vec<CheckResult> = parse("health.latest_results", results)?;
    let alerts: Vec<Alert> = parse(
        "health.alerts",
        env.get("health.alerts").unwrap_or_else(|| json!([])),
    )?;
    Ok(Some((results, alerts)))
}

fn parse<T: serde::de::DeserializeOwned>(key: &str, v: Value) -> Result<T, ScriptletError> {
    serde_json::from_value(v).map_err(|e| {
        ScriptletError::failed_in(
            format!("context key {key} is not in the health result shape"),
            e,
        )
    })
}

fn report(env: &StepEnv, args: &Map<String, Value>) -> Result<i32, ScriptletError> {
    let format = FORMAT.get(args)?;
    let (results, alerts) = match stored_results(env)? {
        Some(r) => r,
        None => check(env, args)?,
    };
    let generated = iso_utc(SystemTime::now());
    let (value, text) = if format == "json" {
        let v = json_report(&results, &alerts, &generated);
        let t = serde_json::to_string_pretty(&v).unwrap_or_default();
        (v, t)
    } else {
        let t = text_report(&results, &alerts, &generated);
        (json!(t), t)
    };
    if let Some(path) = args.get("output_file").and_then(Value::as_str) {
        std::fs::write(path, &text).map_err(|e| {
            ScriptletError::failed_in(format!("cannot write health report to {path}"), e)
        })?;
        tracing::info!(target: "framework0.health", "Health report written to: {path}");
    }
    env.set("health.latest_report", value)?;
    env.set("health.report_timestamp", json!(epoch_seconds()))?;
    env.set("health.report_format", json!(format))?;
    Ok(0)
}
