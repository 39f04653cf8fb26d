//! The `collect` action's arguments, parsed and validated into a [`CollectPlan`] — the same
//! code serves `f0 validate` (findings, before anything runs) and the step itself.
//!
//! ```yaml
//! args:
//!   action: collect
//!   duration: 10s              # default 10s; "500ms", "2m", "1h" or seconds
//!   collectors:                # absent: the config's collectors (system + application)
//!     system: {enabled: true, interval: 1s, disk_path: /}
//!     application:
//!       enabled: true
//!       auto_instrument: true
//!       workloads: [{name: ls, command: [ls, -la], runs: 5, warmup: 1, timeout: 10s, allow_failure: false}]
//!     network: {enabled: true, interval: 1s, timeout: 2s, endpoints: ["127.0.0.1:8080", {url: "https://127.0.0.1:8443/", required: true, insecure: true}]}
//!     custom: {counters: {jobs: 1}, gauges: {queue: 3}}
//!   filters: [{name: "cpu_*", sample_rate: 0.5}]   # MetricFilter list
//!   config: {...}              # MetricsConfiguration (either shape)
//!   anomaly_detection: true    # online detectors on what is stored (see super::online)
//! ```
//!
//! Any other name in `collectors` is a plugin collector (`exec`, `python`, or one a program
//! registered, see [`crate::plugin`]): `{enabled, interval, ...its settings}`, read by
//! [`super::plugins::plan`].
//!
//! When `collectors` is given, only the collectors it lists run (`enabled` defaults to
//! true). The system interval is, first found: `collectors.system.interval`,
//! `config.collectors.system.interval`, `config.collection.collection_interval`, 1 s.
//! Unknown keys are errors (the one rule of [`crate::scriptlet::args`]), so a typo is caught
//! before anything runs. Findings carry the codes `INVALID_ARG` / `MISSING_FIELD` and paths
//! such as `recipe.steps[2].args.collectors.system.interval`.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use serde_json::{Map, Value};

use super::custom::{parse_entries, CustomEntry};
use super::network::{Endpoint, DEFAULT_TIMEOUT};
use super::plugins::PluginPlan;
use super::workload::Workload;
use crate::diagnostic::{compact, Code, Finding};
use crate::metrics::filter::FILTER_KEYS;
use crate::metrics::{ConfigError, FilterError, MetricFilter, MetricsConfiguration};
use crate::plugin::Plugins;
use crate::scriptlet::args::{unknown_key_message, ArgMap, ArgReader, FieldError};

/// Collection length when `duration` is absent.
pub const DEFAULT_DURATION: Duration = Duration::from_secs(10);
/// System interval when nothing sets one.
pub const DEFAULT_INTERVAL: Duration = Duration::from_secs(1);
/// The collectors, as `collectors` keys.
pub const COLLECTORS: [&str; 4] = ["system", "application", "network", "custom"];
const ARGS: [&str; 6] = [
    "action",
    "duration",
    "collectors",
    "filters",
    "config",
    "anomaly_detection",
];

/// System collector settings.
#[derive(Debug, Clone, PartialEq)]
pub struct SystemPlan {
    /// Sampling interval.
    pub interval: Duration,
    /// File system whose space is reported.
    pub disk_path: PathBuf,
}

/// Application collector settings.
#[derive(Debug, Clone, PartialEq)]
pub struct ApplicationPlan {
    /// Accepted for the design's shape; `f0` times every step regardless.
    pub auto_instrument: bool,
    /// Command workloads, run in order.
    pub workloads: Vec<Workload>,
}

/// Network collector settings.
#[derive(Debug, Clone, PartialEq)]
pub struct NetworkPlan {
    /// Endpoints to probe.
    pub endpoints: Vec<Endpoint>,
    /// Probe again every interval; once when `None`.
    pub interval: Option<Duration>,
}

/// A validated `collect` request.
#[derive(Debug, Clone)]
pub struct CollectPlan {
    /// How long the system collector runs (the step also waits for its workloads).
    pub duration: Duration,
    /// System collector, when enabled.
    pub system: Option<SystemPlan>,
    /// Application collector, when enabled.
    pub application: Option<ApplicationPlan>,
    /// Network collector, when enabled.
    pub network: Option<NetworkPlan>,
    /// Custom metrics, when enabled.
    pub custom: Option<Vec<CustomEntry>>,
    /// `args.filters` followed by `config.filters`.
    pub filters: Vec<MetricFilter>,
    /// The effective configuration.
    pub config: MetricsConfiguration,
    /// Online anomaly detection on what is stored (see [`super::online`]).
    pub online: Option<crate::analyze::online::OnlineOptions>,
    /// Plugin collectors (see [`crate::plugin`]), in name order.
    pub plugins: Vec<PluginPlan>,
    /// The plugins the plan was read with (that make its plugin collectors).
    pub plugin_set: Arc<Plugins>,
}

/// Parses and validates the `collect` arguments; `base` is the path of `args`. The plan is
/// returned only when there is no error finding. `recipe_config` (the recipe-level
/// `config`) is used when `args.config` is absent.
pub fn parse(
    args: &Map<String, Value>,
    base: &str,
    recipe_config: Option<&Value>,
) -> (Option<CollectPlan>, Vec<Finding>) {
    parse_with(args, base, recipe_config, &Plugins::current())
}

/// [`parse`] naming the collector plugins of `plugins`.
pub fn parse_with(
    args: &Map<String, Value>,
    base: &str,
    recipe_config: Option<&Value>,
    plugin_set: &Arc<Plugins>,
) -> (Option<CollectPlan>, Vec<Finding>) {
    let mut findings = Vec::new();
    let mut out = ArgReader::new(base, &mut findings);
    let whole = Value::Object(args.clone());
    let spec = out.take(ArgMap::new(&whole, &ARGS), "");
    let duration = spec
        .as_ref()
        .and_then(|s| out.take(s.duration("duration"), ""))
        .flatten()
        .unwrap_or(DEFAULT_DURATION);
    let raw_config = args
        .get("config")
        .or(recipe_config)
        .filter(|v| !v.is_null());
    // Collectors are checked even when the config is not, so every error shows at once.
    let config = config(&mut out, raw_config).unwrap_or_default();
    let mut filters = filters(&mut out, args.get("filters"));
    filters.extend(config.filters.iter().cloned());
    let raw = raw_config.cloned().unwrap_or(Value::Null);
    let (system, application, network, custom, plugins) =
        collectors(&mut out, args.get("collectors"), &config, &raw, plugin_set);
    let online = super::online::parse(&mut out, args.get("anomaly_detection"));
    let plan = CollectPlan {
        duration,
        system,
        application,
        network,
        custom,
        filters,
        config,
        online,
        plugins,
        plugin_set: Arc::clone(plugin_set),
    };
    let failed = out.has_errors();
    ((!failed).then_some(plan), findings)
}

fn config(out: &mut ArgReader<'_>, raw: Option<&Value>) -> Option<MetricsConfiguration> {
    let Some(raw) = raw else {
        return Some(MetricsConfiguration::default());
    };
    match MetricsConfiguration::from_value(raw) {
        Ok((c, warnings)) => {
            for w in warnings {
                let at = out.at(&format!("config.{}", w.path));
                out.push(Finding::warning(Code::InvalidArg, at, w.message));
            }
            Some(c)
        }
        Err(e) => {
            let path = match &e {
                ConfigError::WrongType { path, .. } | ConfigError::Invalid { path, .. } => {
                    if path == "<root>" {
                        "config".to_owned()
                    } else {
                        format!("config.{path}")
                    }
                }
                ConfigError::Filter { index, source } => {
                    format!("config.filters[{index}]{}", filter_field(source))
                }
            };
            let at = out.at(&path);
            out.push(Finding::error(Code::InvalidArg, at, e.to_string()));
            None
        }
    }
}

fn filter_field(e: &FilterError) -> &'static str {
    match e {
        FilterError::Shape(_) => "",
        FilterError::BadName { .. } => ".name",
        FilterError::SampleRate(_) => ".sample_rate",
        FilterError::ValueRange(..) => ".value_range",
        FilterError::RateLimit => ".rate_limit",
    }
}

fn filters(out: &mut ArgReader<'_>, v: Option<&Value>) -> Vec<MetricFilter> {
    let list = match v {
        None | Some(Value::Null) => return Vec::new(),
        Some(Value::Array(a)) => a,
        Some(other) => {
            out.error(FieldError::new(
                "filters",
                format!("must be a list of filters ({{name, sample_rate, tag_filters, value_range, rate_limit, enabled}}), got {}", compact(other)),
            ));
            return Vec::new();
        }
    };
    let mut kept = Vec::new();
    for (i, f) in list.iter().enumerate() {
        match MetricFilter::from_value(f) {
            Ok((filter, unknown)) if unknown.is_empty() => kept.push(filter),
            Ok((_, unknown)) => out.error(FieldError::new(
                format!("filters[{i}].{}", unknown[0]),
                unknown_key_message(&unknown[0], &FILTER_KEYS),
            )),
            Err(e) => out.error(FieldError::new(
                format!("filters[{i}]{}", filter_field(&e)),
                e.to_string(),
            )),
        }
    }
    kept
}

type Collectors = (
    Option<SystemPlan>,
    Option<ApplicationPlan>,
    Option<NetworkPlan>,
    Option<Vec<CustomEntry>>,
    Vec<PluginPlan>,
);

fn collectors(
    out: &mut ArgReader<'_>,
    v: Option<&Value>,
    config: &MetricsConfiguration,
    raw_config: &Value,
    plugins: &Plugins,
) -> Collectors {
    let c = &config.collectors;
    let defaults: Map<String, Value> = [
        ("system", c.system.enabled),
        ("application", c.application.enabled),
        ("network", c.network.enabled),
    ]
    .into_iter()
    .filter(|(_, on)| *on)
    .map(|(k, _)| (k.to_owned(), Value::Object(Map::new())))
    .collect();
    let given = match v {
        None | Some(Value::Null) => defaults,
        Some(Value::Object(m)) => m.clone(),
        Some(other) => {
            out.error(FieldError::new(
                "collectors",
                format!(
                    "must be a mapping of collector names ({}) to settings, got {}",
                    valid_collectors(plugins),
                    compact(other)
                ),
            ));
            return (None, None, None, None, Vec::new());
        }
    };
    let plans = plugin_plans(out, &given, plugins);
    let settings = |name: &str| -> Option<Value> {
        match given.get(name)? {
            Value::Bool(true) | Value::Null => Some(Value::Object(Map::new())),
            Value::Bool(false) => None,
            v => Some(v.clone()),
        }
    };
    let enabled = |out: &mut ArgReader<'_>, name: &str, v: &Value| -> bool {
        match v.get("enabled") {
            None | Some(Value::Bool(true)) => true,
            Some(Value::Bool(false)) => false,
            Some(other) => {
                out.error(FieldError::new(
                    format!("collectors.{name}.enabled"),
                    format!("must be true or false, got {}", compact(other)),
                ));
                false
            }
        }
    };
    let mut active = |name: &str| settings(name).filter(|v| enabled(out, name, v));
    let (sys, app, net, cus) = (
        active("system"),
        active("application"),
        active("network"),
        active("custom"),
    );
    let system = sys.and_then(|v| out.take(system(&v, config, raw_config), "collectors.system"));
    let application = app.and_then(|v| out.take(application(&v), "collectors.application"));
    let network = net.and_then(|v| out.take(network(&v, config), "collectors.network"));
    let custom = cus.and_then(|v| {
        let m = v.as_object().cloned().unwrap_or_default();
        out.take(parse_entries(&m), "collectors.custom")
    });
    (system, application, network, custom, plans)
}

/// The plugin collectors among `given` (any name that is not a built-in collector).
fn plugin_plans(
    out: &mut ArgReader<'_>,
    given: &Map<String, Value>,
    plugins: &Plugins,
) -> Vec<PluginPlan> {
    let mut plans = Vec::new();
    for (k, v) in given
        .iter()
        .filter(|(k, _)| !COLLECTORS.contains(&k.as_str()))
    {
        let at = format!("collectors.{k}");
        if plugins.collector(k).is_none() {
            let message = format!(
                "unknown collector '{k}'; valid collectors: {}",
                valid_collectors(plugins)
            );
            out.error(FieldError::new(at, message));
            continue;
        }
        let v = match v {
            Value::Bool(true) | Value::Null => Value::Object(Map::new()),
            Value::Bool(false) => continue,
            v => v.clone(),
        };
        if let Some(Some(p)) = out.take(super::plugins::plan(plugins, k, &v), &at) {
            plans.push(p);
        }
    }
    plans
}

fn valid_collectors(plugins: &Plugins) -> String {
    let mut names = COLLECTORS.to_vec();
    names.extend(plugins.collector_names());
    names.join(", ")
}

#[cfg(test)]
#[path = "args_tests.rs"]
mod tests;

fn system(v: &Value, config: &MetricsConfiguration, raw: &Value) -> Result<SystemPlan, FieldError> {
    let s = ArgMap::new(v, &["enabled", "interval", "disk_path"])?;
    let from_config = if raw.pointer("/collectors/system/interval").is_some() {
        Some(config.collectors.system.interval)
    } else if raw.pointer("/collection/collection_interval").is_some() {
        Some(config.collection.collection_interval)
    } else {
        None
    };
    let interval = match s.interval("interval")? {
        Some(i) => i,
        None => from_config.map_or(DEFAULT_INTERVAL, Duration::from_secs_f64),
    };
    let disk_path = PathBuf::from(s.string("disk_path")?.unwrap_or_else(|| "/".into()));
    if let Err(e) = crate::util::procfs::disk_space(&disk_path) {
        return Err(FieldError::new(
            "disk_path",
            format!(
                "cannot read the file system of {}: {e}",
                disk_path.display()
            ),
        ));
    }
    Ok(SystemPlan {
        interval,
        disk_path,
    })
}

fn application(v: &Value) -> Result<ApplicationPlan, FieldError> {
    let s = ArgMap::new(v, &["enabled", "auto_instrument", "workloads"])?;
    let mut workloads: Vec<Workload> = Vec::new();
    for (i, w) in s.list("workloads")?.iter().enumerate() {
        let w = workload(w, i).map_err(|e| e.under(&format!("workloads[{i}]")))?;
        if workloads.iter().any(|o| o.name == w.name) {
            return Err(FieldError::new(
                format!("workloads[{i}].name"),
                format!(
                    "workload name '{}' is used twice; names must be unique",
                    w.name
                ),
            ));
        }
        workloads.push(w);
    }
    Ok(ApplicationPlan {
        auto_instrument: s.bool("auto_instrument", true)?,
        workloads,
    })
}

fn workload(v: &Value, i: usize) -> Result<Workload, FieldError> {
    let s = ArgMap::new(
        v,
        &[
            "name",
            "command",
            "runs",
            "warmup",
            "timeout",
            "allow_failure",
        ],
    )?;
    let command = s.command("command")?;
    Ok(Workload {
        name: s.string("name")?.unwrap_or_else(|| format!("workload_{i}")),
        command,
        runs: s.count("runs", 1, 1)?,
        warmup: s.count("warmup", 0, 0)?,
        timeout: s.duration("timeout")?,
        allow_failure: s.bool("allow_failure", false)?,
    })
}

fn network(v: &Value, config: &MetricsConfiguration) -> Result<NetworkPlan, FieldError> {
    let s = ArgMap::new(v, &["enabled", "endpoints", "interval", "timeout"])?;
    let timeout = s.duration("timeout")?.unwrap_or(DEFAULT_TIMEOUT);
    let listed: Vec<Value> = if s.get("endpoints").is_some() {
        s.list("endpoints")?.to_vec()
    } else {
        config
            .collectors
            .network
            .endpoints
            .iter()
            .cloned()
            .map(Value::String)
            .collect()
    };
    let endpoints = listed
        .iter()
        .enumerate()
        .map(|(i, e)| {
            Endpoint::from_value(e, timeout).map_err(|err| err.under(&format!("endpoints[{i}]")))
        })
        .collect::<Result<_, _>>()?;
    Ok(NetworkPlan {
        endpoints,
        interval: s.interval("interval")?,
    })
}
