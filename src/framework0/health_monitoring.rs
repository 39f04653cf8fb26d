//! `scriptlets.foundation.health_monitoring.HealthMonitoringScriptlet`: Framework0's system
//! health checks (CPU, memory, disk, connectivity), thresholds, alerts and reports. Only this
//! machine is read and only the hosts a recipe lists are dialled ([`super::health_probe`]).
//!
//! `args.action` (default `setup`), arguments as `health_args.rs` beside this file reads them:
//! - `setup` → `health.monitoring_enabled`, `health.setup_timestamp`, `health.monitor_name`
//!   (`monitor_name`, default `system_health`) and, with `initial_check` (default true), the
//!   keys of a check.
//! - `check` → `health.latest_results` (the four checks), `health.latest_processing`
//!   (`{summary, alerts, active_alerts}`), `health.overall_status` (from the alerts in
//!   force), `health.check_timestamp`; also the setup keys when no setup ran before, as
//!   Framework0's check sets itself up. With `fail_on: warning | critical` the step fails when
//!   the overall status after the check is at least that (the keys are written first).
//! - `report` (`format` `text` | `json` | `markdown`, `output_file`) → Framework0's health
//!   report of the results and alerts in the context (including those the metrics
//!   framework's thresholds recorded), printed on stdout unless written to `output_file`;
//!   `health.latest_report` (the report text), `health.report_timestamp`,
//!   `health.report_format`.
//!
//! Thresholds, by metric name: the step's own (`config.thresholds`, `thresholds`), else the
//! recipe's `config.health.thresholds`, else [`default_thresholds`].

use std::collections::BTreeMap;

use serde_json::{json, Map, Value};

use super::health_args::{self, HealthSettings};
use super::health_probe::system_health;
use crate::diagnostic::{compact, Code, Finding};
use crate::events::health_context::{self, Mode};
use crate::events::health_report::{dashboard, format_report, ReportFormat, FORMAT_NAMES};
use crate::events::{
    console, default_thresholds, overall_from_alerts, thresholds_from_config, Processing, Threshold,
};
use crate::scriptlet::args::{bool_arg, check_bool, Choice};
use crate::scriptlet::{Registry, Scriptlet, ScriptletError, StepEnv};
use crate::util::epoch_seconds;

/// The module path.
pub const MODULE: &str = "scriptlets.foundation.health_monitoring";
/// The class name.
pub const FUNCTION: &str = "HealthMonitoringScriptlet";
/// Framework0's scriptlet name.
pub const NAME: &str = "health_monitoring";

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
        "system health checks, thresholds and alerts: args.action = setup | check | report",
        || Box::new(HealthMonitoringScriptlet),
        Some(validate),
    );
}

/// The findings of the scriptlet's arguments at `base`.
pub(crate) fn validate(args: &Map<String, Value>, base: &str) -> Vec<Finding> {
    let mut out = ACTION.validate(args, base);
    out.extend(FORMAT.validate(args, base));
    out.extend(check_bool(args, base, "initial_check"));
    if let Err((field, message)) = health_args::parse(args) {
        out.push(Finding::error(
            Code::InvalidArg,
            format!("{base}.{field}"),
            message,
        ));
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

fn settings(args: &Map<String, Value>) -> Result<HealthSettings, ScriptletError> {
    health_args::parse(args).map_err(|(field, message)| ScriptletError::InvalidArg {
        field: format!("args.{field}"),
        message,
    })
}

struct HealthMonitoringScriptlet;

impl Scriptlet for HealthMonitoringScriptlet {
    fn run(&mut self, env: &StepEnv, args: &Map<String, Value>) -> Result<i32, ScriptletError> {
        let action = ACTION.get(args)?;
        tracing::info!(target: "framework0.health_monitoring.orchestrator", "Action: {action}");
        match action {
            "setup" => setup(env, args),
            "check" => check(env, args),
            _ => report(env, args),
        }
    }
}

/// The `setup` action (also run in-process by the health self-test).
pub(crate) fn setup(env: &StepEnv, args: &Map<String, Value>) -> Result<i32, ScriptletError> {
    let s = settings(args)?;
    write_setup_keys(env, args, &s)?;
    if bool_arg(args, "initial_check", true)? {
        tracing::info!(target: "framework0.health_monitoring.orchestrator", "Running initial health check");
        run_checks(env, &s)?;
    }
    Ok(0)
}

fn write_setup_keys(
    env: &StepEnv,
    args: &Map<String, Value>,
    s: &HealthSettings,
) -> Result<(), ScriptletError> {
    let name = args
        .get("monitor_name")
        .and_then(Value::as_str)
        .unwrap_or("system_health");
    env.set("health.monitoring_enabled", json!(s.enabled))?;
    env.set("health.setup_timestamp", json!(epoch_seconds()))?;
    env.set("health.monitor_name", json!(name))?;
    tracing::info!(target: "framework0.health_monitoring.orchestrator", "Health monitoring '{name}' set up");
    Ok(())
}

/// The thresholds of a check: the step's own, else the recipe's `config.health.thresholds`,
/// else the defaults.
fn thresholds(
    env: &StepEnv,
    s: &HealthSettings,
) -> Result<BTreeMap<String, Threshold>, ScriptletError> {
    if let Some(t) = &s.thresholds {
        return Ok(t.clone());
    }
    let recipe = env
        .get("recipe.config")
        .and_then(|c| c.get("health").and_then(|h| h.get("thresholds")).cloned());
    match recipe {
        Some(t) => thresholds_from_config(&t, "recipe.config.health.thresholds").map_err(|e| {
            ScriptletError::failed_in("cannot read the recipe's health thresholds", e)
        }),
        None => Ok(default_thresholds()),
    }
}

fn run_checks(env: &StepEnv, s: &HealthSettings) -> Result<Processing, ScriptletError> {
    let thresholds = thresholds(env, s)?;
    let results = system_health(&s.probe, &|d| env.sleep(d))?;
    let p = health_context::record(env, results, &thresholds, Mode::Replace, epoch_seconds())?;
    let c = &p.summary.status_summary;
    tracing::info!(
        target: "framework0.health_monitoring.orchestrator",
        "Health check completed: H:{} W:{} C:{} U:{}", c.healthy, c.warning, c.critical, c.unknown
    );
    let status = overall_from_alerts(&p.active_alerts);
    if let Some(f) = s.fail_on.filter(|f| f.fails(status)) {
        let alerts: Vec<&str> = p.active_alerts.iter().map(|a| a.message.as_str()).collect();
        return Err(ScriptletError::Message(format!(
            "health status {} (fail_on: {}): {}",
            status.as_str(),
            f.as_str(),
            alerts.join("; ")
        )));
    }
    Ok(p)
}

fn check(env: &StepEnv, args: &Map<String, Value>) -> Result<i32, ScriptletError> {
    let s = settings(args)?;
    if env.get("health.monitoring_enabled").is_none() {
        write_setup_keys(env, args, &s)?;
    }
    run_checks(env, &s)?;
    env.set("health.check_timestamp", json!(epoch_seconds()))?;
    Ok(0)
}

fn report(env: &StepEnv, args: &Map<String, Value>) -> Result<i32, ScriptletError> {
    settings(args)?;
    let format = FORMAT.get(args)?;
    let results = health_context::stored_results(env);
    let processing = health_context::stored_processing(env);
    let (active, recent) = processing
        .map(|p| (p.active_alerts, p.alerts.len()))
        .unwrap_or_default();
    let now = epoch_seconds();
    let d = dashboard(&results, &active, recent, now);
    // FORMAT only yields names ReportFormat knows.
    let text = format_report(
        &d,
        ReportFormat::parse(format).unwrap_or(ReportFormat::Text),
    );
    match args.get("output_file").and_then(Value::as_str) {
        Some(path) => {
            std::fs::write(path, &text).map_err(|e| {
                ScriptletError::failed_in(format!("cannot write health report to {path}"), e)
            })?;
            tracing::info!(target: "framework0.health_monitoring.orchestrator", "Health report written to: {path}");
        }
        None => console::print_line(&format!("\n{text}")),
    }
    env.set("health.latest_report", json!(text))?;
    env.set("health.report_timestamp", json!(now))?;
    env.set("health.report_format", json!(format))?;
    Ok(0)
}
