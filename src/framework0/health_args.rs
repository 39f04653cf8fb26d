//! The arguments of `HealthMonitoringScriptlet`: `config {monitoring, thresholds,
//! system_resources, connectivity, alerts, output}`, `thresholds`, `monitor_name`,
//! `initial_check`, `format`, `output_file`, `fail_on`.
//!
//! - `monitoring`: `{enabled, check_interval, …}` (Framework0's keys; only `enabled` is read).
//! - `thresholds` (in `config` and beside it; the latter wins per metric):
//!   `{metric: {warning_min, warning_max, critical_min, critical_max, enabled}}`.
//! - `system_resources`: `{enabled, cpu_enabled, memory_enabled, disk_enabled,
//!   network_enabled}` (booleans, default true).
//! - `connectivity` (f0's): `{hosts: ["host:port", …], timeout: 5s}`: the hosts the
//!   `internet_connectivity` check dials; without hosts nothing is dialled.
//! - `alerts`, `output`: Framework0's sections, accepted and not used.
//! - `fail_on` (f0's): `warning` or `critical`: a `setup` (with its initial check) or `check`
//!   step fails when `health.overall_status` after the check is at least that.

use std::collections::BTreeMap;

use serde_json::{Map, Value};

use super::health_probe::ProbePlan;
use crate::diagnostic::compact;
use crate::events::{thresholds_from_config, EventsError, FailOn, Threshold};
use crate::util::duration::parse_duration;

/// A bad argument: (path below `args`, message).
pub(crate) type ArgError = (String, String);

/// What the arguments ask for.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct HealthSettings {
    /// `config.monitoring.enabled` (default true).
    pub enabled: bool,
    /// `config.monitoring` as given (default `{}`).
    pub monitoring: Value,
    /// The step's own thresholds, if it names any.
    pub thresholds: Option<BTreeMap<String, Threshold>>,
    /// Which checks run.
    pub probe: ProbePlan,
    /// Fail the step at this overall status.
    pub fail_on: Option<FailOn>,
}

const CONFIG_KEYS: [&str; 6] = [
    "monitoring",
    "thresholds",
    "system_resources",
    "connectivity",
    "alerts",
    "output",
];
const SWITCHES: [&str; 5] = [
    "enabled",
    "cpu_enabled",
    "memory_enabled",
    "disk_enabled",
    "network_enabled",
];

fn bad(field: &str, message: String) -> ArgError {
    (field.to_owned(), message)
}

fn mapping<'a>(v: &'a Value, field: &str, what: &str) -> Result<&'a Map<String, Value>, ArgError> {
    v.as_object().ok_or_else(|| {
        bad(
            field,
            format!("must be a mapping {what}, got {}", compact(v)),
        )
    })
}

fn events_error(e: EventsError) -> ArgError {
    match e {
        EventsError::InvalidConfig { field, message } => (field, message),
        other => ("thresholds".to_owned(), other.to_string()),
    }
}

/// Parses the arguments.
pub(crate) fn parse(args: &Map<String, Value>) -> Result<HealthSettings, ArgError> {
    let empty = Map::new();
    let config = match args.get("config") {
        None => &empty,
        Some(c) => mapping(
            c,
            "config",
            "{monitoring, thresholds, system_resources, connectivity}",
        )?,
    };
    if let Some(k) = config.keys().find(|k| !CONFIG_KEYS.contains(&k.as_str())) {
        return Err(bad(
            &format!("config.{k}"),
            format!("unknown key; accepted: {}", CONFIG_KEYS.join(", ")),
        ));
    }
    for key in ["alerts", "output"] {
        if let Some(v) = config.get(key) {
            mapping(v, &format!("config.{key}"), "(Framework0's section)")?;
        }
    }
    let monitoring = config
        .get("monitoring")
        .cloned()
        .unwrap_or(Value::Object(Map::new()));
    let m = mapping(
        &monitoring,
        "config.monitoring",
        "{enabled, check_interval}",
    )?;
    let enabled = switch(m, "enabled", "config.monitoring")?;
    let mut probe = ProbePlan::default();
    if let Some(v) = config.get("system_resources") {
        let s = mapping(v, "config.system_resources", "of booleans")?;
        if let Some(k) = s.keys().find(|k| !SWITCHES.contains(&k.as_str())) {
            return Err(bad(
                &format!("config.system_resources.{k}"),
                format!("unknown key; accepted: {}", SWITCHES.join(", ")),
            ));
        }
        let at = "config.system_resources";
        let all = switch(s, "enabled", at)?;
        probe.cpu = all && switch(s, "cpu_enabled", at)?;
        probe.memory = all && switch(s, "memory_enabled", at)?;
        probe.disk = all && switch(s, "disk_enabled", at)?;
        probe.network = all && switch(s, "network_enabled", at)?;
    }
    if let Some(v) = config.get("connectivity") {
        connectivity(v, &mut probe)?;
    }
    let from_config = config
        .get("thresholds")
        .map(|t| thresholds_from_config(t, "config.thresholds"))
        .transpose()
        .map_err(events_error)?;
    let direct = args
        .get("thresholds")
        .map(|t| thresholds_from_config(t, "thresholds"))
        .transpose()
        .map_err(events_error)?;
    let thresholds = match (from_config, direct) {
        (None, None) => None,
        (c, d) => Some(
            c.unwrap_or_default()
                .into_iter()
                .chain(d.unwrap_or_default())
                .collect(),
        ),
    };
    let fail_on = args
        .get("fail_on")
        .map(FailOn::parse)
        .transpose()
        .map_err(|m| bad("fail_on", m))?;
    Ok(HealthSettings {
        enabled,
        monitoring,
        thresholds,
        probe,
        fail_on,
    })
}

fn switch(m: &Map<String, Value>, key: &str, at: &str) -> Result<bool, ArgError> {
    match m.get(key) {
        None => Ok(true),
        Some(Value::Bool(b)) => Ok(*b),
        Some(v) => Err(bad(
            &format!("{at}.{key}"),
            format!("must be true or false, got {}", compact(v)),
        )),
    }
}

fn connectivity(v: &Value, probe: &mut ProbePlan) -> Result<(), ArgError> {
    let at = "config.connectivity";
    let c = mapping(v, at, "{hosts, timeout}")?;
    if let Some(k) = c
        .keys()
        .find(|k| !["hosts", "timeout"].contains(&k.as_str()))
    {
        return Err(bad(
            &format!("{at}.{k}"),
            "unknown key; accepted: hosts, timeout".to_owned(),
        ));
    }
    if let Some(t) = c.get("timeout") {
        probe.dial_timeout =
            parse_duration(t).map_err(|e| bad(&format!("{at}.timeout"), e.to_string()))?;
    }
    let Some(hosts) = c.get("hosts") else {
        return Ok(());
    };
    let list = hosts.as_array().ok_or_else(|| {
        bad(
            &format!("{at}.hosts"),
            format!("must be a list of \"host:port\", got {}", compact(hosts)),
        )
    })?;
    for (i, h) in list.iter().enumerate() {
        let field = format!("{at}.hosts[{i}]");
        probe.hosts.push(host_port(h).map_err(|m| bad(&field, m))?);
    }
    Ok(())
}

/// `"host:port"` (IPv6 in brackets: `"[::1]:80"`).
fn host_port(v: &Value) -> Result<(String, u16), String> {
    let want = || {
        format!(
            "must be \"host:port\" with a port 1-65535, got {}",
            compact(v)
        )
    };
    let s = v.as_str().ok_or_else(want)?;
    let (host, port) = s.rsplit_once(':').ok_or_else(want)?;
    let host = host
        .strip_prefix('[')
        .and_then(|h| h.strip_suffix(']'))
        .unwrap_or(host);
    let port: u16 = port.parse().ok().filter(|p| *p > 0).ok_or_else(want)?;
    if host.is_empty() || host.chars().any(char::is_whitespace) {
        return Err(want());
    }
    Ok((host.to_owned(), port))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;
    use std::time::Duration;

    fn args(v: Value) -> Map<String, Value> {
        v.as_object().unwrap().clone()
    }

    #[test]
    fn settings_are_read_and_bad_values_named() {
        let s = parse(&args(json!({
            "config": {"monitoring": {"enabled": false, "check_interval": 30},
                       "thresholds": {"cpu_usage_total": {"warning_max": 80.0}},
                       "system_resources": {"disk_enabled": false},
                       "connectivity": {"hosts": ["127.0.0.1:5432", "[::1]:80"], "timeout": "2s"}},
            "thresholds": {"cpu_usage_total": {"critical_max": 90.0}},
        })))
        .unwrap();
        assert!(!s.enabled && s.probe.cpu && !s.probe.disk);
        assert_eq!(
            s.probe.hosts,
            [("127.0.0.1".to_owned(), 5432), ("::1".to_owned(), 80)]
        );
        assert_eq!(s.probe.dial_timeout, Duration::from_secs(2));
        let t = &s.thresholds.unwrap()["cpu_usage_total"];
        assert_eq!(
            (t.warning_max, t.critical_max),
            (None, Some(90.0)),
            "the direct thresholds win"
        );
        for (bad, field) in [
            (json!({"config": {"monitor": {}}}), "config.monitor"),
            (
                json!({"config": {"monitoring": {"enabled": "yes"}}}),
                "config.monitoring.enabled",
            ),
            (
                json!({"config": {"system_resources": {"gpu_enabled": true}}}),
                "config.system_resources.gpu_enabled",
            ),
            (
                json!({"config": {"connectivity": {"hosts": ["localhost"]}}}),
                "config.connectivity.hosts[0]",
            ),
            (
                json!({"config": {"connectivity": {"hosts": ["h:0"]}}}),
                "config.connectivity.hosts[0]",
            ),
            (
                json!({"config": {"connectivity": {"timeout": -1}}}),
                "config.connectivity.timeout",
            ),
            (
                json!({"thresholds": {"cpu": {"warn": 1}}}),
                "thresholds.cpu.warn",
            ),
            (json!({"config": 3}), "config"),
        ] {
            assert_eq!(parse(&args(bad.clone())).unwrap_err().0, field, "{bad}");
        }
    }
}
