//! The analyze action's arguments, parsed from a step's `args` into [`AnalyzeArgs`] with one
//! [`Finding`] per problem (`INVALID_ARG` for a wrong value, type or unknown key,
//! `MISSING_FIELD` for a required part left out), each at its path, e.g.
//! `recipe.steps[2].args.timeframe`.
//!
//! | arg | accepted | default |
//! |---|---|---|
//! | `timeframe` | see [`super::timeframe`] | `1h` |
//! | `metrics` | a series selector (`name`, `glob*`, `name{tag="v"}`, see [`crate::metrics::selector`]), or a list of them | every stored series |
//! | `group_by` | a tag key or a list of them: one result per group of series agreeing on them | one result per series |
//! | `pool` | bool: one result per metric name, pooling every series the selectors match | `false` |
//! | `parity` | `framework0`: Framework0's `forecast_next_hour` beside the forecast | none |
//! | `include_trends` | bool (linear trend + drift across runs) | `false` |
//! | `percentiles` | list of percents in [0, 100] | config, else 50, 90, 95, 99, 99.9 |
//! | `percentile_method` | a [`PercentileMethod`] name (`exclusive` = Framework0) | `linear` |
//! | `anomaly_detection` | bool, or `{enabled, methods: [..], sensitivity}`, or `{mode: online, methods, threshold, …}` (see [`super::online`]) | zscore + iqr, 2.0 |
//! | `change_points` | bool, or `{window_len, max_pvalue, min_magnitude}` | Otava's defaults |
//! | `baseline` | `{establish, compare, higher_is_better, alpha, test}` | none |
//! | `config` | a MetricsConfiguration mapping (see [`super::config`]) | the recipe's `config` |
//! | `analyzers` | `{<name>: {settings}}`: plugin analyzers run on every set (see [`super::plugins`]) | none |
//! | `thresholds` | `{SELECTOR[:STAT]: {warning_max, critical_max, warning_min, critical_min}}` (see [`super::thresholds`]) | `config.health.thresholds` |
//! | `fail_on` | `warning` or `critical`: fail the step at that health status (see [`super::health_step`]) | never |
//!
//! `baseline.establish` is `true` (from the analysed samples), `{run: <id> \| last}`,
//! `{timeframe: "7d"}`, `{last_runs: N}` (each series' samples of the newest N runs holding it)
//! or `{values: {<series>: [numbers]}}`; `baseline.compare: true` judges the analysed samples
//! against each series' stored baseline (before any new one is stored). Everything is per
//! series (name + tags) unless `group_by` or `pool` says otherwise.

use serde_json::{Map, Value};

use super::baseline_args::baseline_settings;
pub use super::baseline_args::{BaselineSettings, EstablishFrom, RunRef};
use super::timeframe::Timeframe;
use crate::analyze::anomaly::{AnomalyMethod, DEFAULT_SENSITIVITY};
use crate::analyze::changepoint::HunterParams;
use crate::analyze::quantile::PercentileMethod;
use crate::diagnostic::{compact, Finding};
use crate::metrics::check_metrics_config;
use crate::metrics::selector::{NameMatch, Selector};
use crate::scriptlet::args::ArgReader;

/// The keys the analyze action reads.
pub const KNOWN_KEYS: &[&str] = &[
    "action",
    "timeframe",
    "metrics",
    "include_trends",
    "percentiles",
    "percentile_method",
    "anomaly_detection",
    "change_points",
    "baseline",
    "config",
    "group_by",
    "pool",
    "parity",
    "analyzers",
    "thresholds",
    "fail_on",
];

/// Which anomaly detectors run, and how sensitive they are (no methods: none run).
#[derive(Debug, Clone, PartialEq)]
pub struct AnomalySettings {
    /// Detectors, in output order.
    pub methods: Vec<AnomalyMethod>,
    /// Common sensitivity (> 0; larger flags less).
    pub sensitivity: f64,
    /// The online detectors instead, with `mode: online` (see [`super::online`]).
    pub online: Option<crate::analyze::online::OnlineOptions>,
    /// Plugin detectors named in `methods` (see [`crate::plugin::Detector`]), after the
    /// built-in ones.
    pub custom: Vec<String>,
}

impl Default for AnomalySettings {
    fn default() -> Self {
        AnomalySettings {
            methods: vec![AnomalyMethod::Zscore, AnomalyMethod::Iqr],
            sensitivity: DEFAULT_SENSITIVITY,
            online: None,
            custom: Vec::new(),
        }
    }
}

/// How the selected series are split into results.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum Grouping {
    /// One result per series (name + tags).
    #[default]
    Series,
    /// One result per name and values of these tag keys.
    By(Vec<String>),
    /// One result per name, pooling every selected series.
    Pool,
}

/// Compatibility modes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Parity {
    /// Framework0's `forecast_next_hour` (3600 s ahead) in each trend.
    Framework0,
}

/// The parsed arguments of one analysis.
#[derive(Debug, Clone, PartialEq)]
pub struct AnalyzeArgs {
    /// Which samples.
    pub timeframe: Timeframe,
    /// Which series.
    pub metrics: Vec<Selector>,
    /// How they are split into results.
    pub grouping: Grouping,
    /// Compatibility mode.
    pub parity: Option<Parity>,
    /// Linear trend per metric and drift across runs.
    pub include_trends: bool,
    /// Percents requested in the arguments themselves.
    pub percentiles: Option<Vec<f64>>,
    /// Quantile definition.
    pub percentile_method: PercentileMethod,
    /// Anomaly detectors.
    pub anomalies: AnomalySettings,
    /// Change-point parameters; `None` turns detection off.
    pub change_points: Option<HunterParams>,
    /// Baseline work.
    pub baseline: BaselineSettings,
    /// The `config` mapping inside the arguments (see [`super::config`]).
    pub config: Option<Value>,
    /// Plugin analyzers (see [`super::plugins`]).
    pub analyzers: Vec<super::plugins::AnalyzerPlan>,
    /// Performance thresholds (see [`super::thresholds`]); they win over the configuration's.
    pub thresholds: Vec<super::thresholds::ThresholdSpec>,
    /// Fail the step at this health status.
    pub fail_on: Option<super::thresholds::FailOn>,
}

impl Default for AnalyzeArgs {
    fn default() -> Self {
        AnalyzeArgs {
            timeframe: Timeframe::Last {
                seconds: 3600,
                count: 1,
                unit: 'h',
            },
            metrics: vec![Selector {
                name: Some(NameMatch::Glob(
                    glob::Pattern::new("*").expect("valid glob"),
                )),
                matchers: Vec::new(),
            }],
            grouping: Grouping::Series,
            parity: None,
            include_trends: false,
            percentiles: None,
            percentile_method: PercentileMethod::default(),
            anomalies: AnomalySettings::default(),
            change_points: Some(HunterParams::default()),
            baseline: BaselineSettings::default(),
            config: None,
            analyzers: Vec::new(),
            thresholds: Vec::new(),
            fail_on: None,
        }
    }
}

/// Parses `args` (at path `base`); every finding is returned, the arguments only when no
/// finding is an error.
pub fn parse_args(args: &Map<String, Value>, base: &str) -> (Option<AnalyzeArgs>, Vec<Finding>) {
    let mut findings = Vec::new();
    let mut r = ArgReader::new(base, &mut findings);
    let mut out = AnalyzeArgs::default();
    r.unknown_keys(args, KNOWN_KEYS);
    for (key, v) in args {
        match key.as_str() {
            "timeframe" => {
                out.timeframe = r.parsed(key, v, "a timeframe").unwrap_or(out.timeframe);
            }
            "metrics" => out.metrics = selectors(&mut r, v).unwrap_or_default(),
            "group_by" => {
                if let Some(keys) = group_keys(&mut r, v) {
                    out.grouping = Grouping::By(keys);
                }
            }
            "pool" => {
                let pooled = r.bool(key, v) == Some(true) && !args.contains_key("group_by");
                if pooled {
                    out.grouping = Grouping::Pool;
                }
            }
            "parity" => out.parity = parity(&mut r, v),
            "include_trends" => out.include_trends = r.bool(key, v).unwrap_or_default(),
            "percentiles" => out.percentiles = r.percents(key, v),
            "percentile_method" => {
                out.percentile_method = r.parsed(key, v, "a percentile method").unwrap_or_default();
            }
            "anomaly_detection" => out.anomalies = anomaly_settings(&mut r, v),
            "change_points" => out.change_points = change_points(&mut r, v),
            "baseline" => out.baseline = baseline_settings(&mut r, v),
            "analyzers" => {
                out.analyzers =
                    super::plugins::parse(&mut r, v, &crate::plugin::Plugins::current());
            }
            "thresholds" => {
                let (specs, f) = super::thresholds::parse_thresholds(v, &r.at(key));
                r.extend(f);
                out.thresholds = specs;
            }
            "fail_on" => match super::thresholds::FailOn::parse(v) {
                Ok(f) => out.fail_on = Some(f),
                Err(m) => r.invalid(key, m),
            },
            "config" => {
                let at = r.at("config");
                r.extend(check_metrics_config(v, &at));
                r.extend(super::thresholds::from_config(v, &at).1);
                out.config = Some(v.clone());
            }
            _ => {}
        }
    }
    if args.get("pool") == Some(&Value::Bool(true)) && args.contains_key("group_by") {
        r.invalid(
            "pool",
            "pool: true and group_by exclude each other (pooling merges every series of a \
             name; group_by merges those that agree on the listed tags)"
                .to_owned(),
        );
    }
    let ok = !r.has_errors();
    (ok.then_some(out), findings)
}

fn group_keys(r: &mut ArgReader<'_>, v: &Value) -> Option<Vec<String>> {
    let keys: Option<Vec<String>> = match v {
        Value::String(s) if !s.is_empty() => Some(vec![s.clone()]),
        Value::Array(items) if !items.is_empty() => items
            .iter()
            .map(|x| x.as_str().filter(|s| !s.is_empty()).map(str::to_owned))
            .collect(),
        _ => None,
    };
    if keys.is_none() {
        r.invalid(
            "group_by",
            format!(
                "must be a tag key or a non-empty list of tag keys, got {}",
                compact(v)
            ),
        );
    }
    keys
}

fn parity(r: &mut ArgReader<'_>, v: &Value) -> Option<Parity> {
    match v.as_str() {
        Some("framework0") => Some(Parity::Framework0),
        _ => {
            r.invalid(
                "parity",
                format!(
                    "must be framework0 (adds Framework0's forecast_next_hour to each trend), got {}",
                    compact(v)
                ),
            );
            None
        }
    }
}

/// The `metrics` argument `v`: one series selector or a non-empty list of them, each parsed
/// by [`Selector`]'s parser (errors at `metrics` / `metrics[i]` give the column).
pub fn selectors(r: &mut ArgReader<'_>, v: &Value) -> Option<Vec<Selector>> {
    let texts: Vec<&Value> = match v {
        Value::Array(items) if !items.is_empty() => items.iter().collect(),
        Value::String(_) => vec![v],
        _ => {
            r.invalid(
                "metrics",
                format!(
                    "must be a series selector (a name, a glob, name{{tag=\"v\"}}), or a \
                     non-empty list of them, got {}",
                    compact(v)
                ),
            );
            return None;
        }
    };
    let mut out = Vec::new();
    for (i, t) in texts.into_iter().enumerate() {
        let field = if v.is_array() {
            format!("metrics[{i}]")
        } else {
            "metrics".to_owned()
        };
        out.push(r.parsed(&field, t, "a series selector")?);
    }
    Some(out)
}

fn anomaly_settings(r: &mut ArgReader<'_>, v: &Value) -> AnomalySettings {
    let mut s = AnomalySettings::default();
    let map = match v {
        Value::Bool(true) => return s,
        Value::Bool(false) => {
            s.methods.clear();
            return s;
        }
        Value::Object(m) => m,
        _ => {
            r.invalid(
                "anomaly_detection",
                format!(
                    "must be true, false or a mapping {{enabled, methods, sensitivity}}, got {}",
                    compact(v)
                ),
            );
            return s;
        }
    };
    let mut sub = r.nested("anomaly_detection", map, &super::online::anomaly_keys());
    if let Some(online) = super::online::online_settings(&mut sub, map) {
        s.methods.clear();
        s.online = Some(online);
        if let Some(e) = map.get("enabled") {
            if sub.bool("enabled", e) == Some(false) {
                s.online = None;
            }
        }
        return s;
    }
    if let Some(m) = map.get("methods") {
        if let Some((methods, custom)) = anomaly_methods(&mut sub, m) {
            s.methods = methods;
            s.custom = custom;
        }
    }
    if let Some(x) = map.get("sensitivity") {
        s.sensitivity = sub
            .number("sensitivity", x, |x| x > 0.0, "a number > 0")
            .unwrap_or(s.sensitivity);
    }
    if let Some(e) = map.get("enabled") {
        if sub.bool("enabled", e) == Some(false) {
            s.methods.clear();
            s.custom.clear();
        }
    }
    s
}

/// A non-empty list of detector names — built-in methods, and plugin detectors — ; an unknown
/// name is reported at its index.
fn anomaly_methods(r: &mut ArgReader<'_>, m: &Value) -> Option<(Vec<AnomalyMethod>, Vec<String>)> {
    let plugins = crate::plugin::Plugins::current();
    let accepted = || {
        let mut names = AnomalyMethod::names();
        for d in plugins.detector_names() {
            names.push_str(", ");
            names.push_str(d);
        }
        names
    };
    let Some(names) = m.as_array().filter(|a| !a.is_empty()) else {
        r.invalid(
            "methods",
            format!(
                "must be a non-empty list of {}; got {}",
                accepted(),
                compact(m)
            ),
        );
        return None;
    };
    let (mut out, mut custom) = (Vec::new(), Vec::new());
    for (i, x) in names.iter().enumerate() {
        match x.as_str().map(|n| (n, n.parse::<AnomalyMethod>())) {
            Some((_, Ok(method))) => out.push(method),
            Some((n, Err(_))) if plugins.detector(n).is_some() => custom.push(n.to_owned()),
            Some((n, Err(_))) => r.invalid(
                &format!("methods[{i}]"),
                format!(
                    "unknown anomaly method '{}'; accepted: {}",
                    n.chars().take(200).collect::<String>(),
                    accepted()
                ),
            ),
            None => r.invalid(
                &format!("methods[{i}]"),
                format!("must be a detector name, got {}", compact(x)),
            ),
        }
    }
    (out.len() + custom.len() == names.len()).then_some((out, custom))
}

fn change_points(r: &mut ArgReader<'_>, v: &Value) -> Option<HunterParams> {
    match v {
        Value::Bool(true) => return Some(HunterParams::default()),
        Value::Bool(false) => return None,
        Value::Object(m) => {
            r.nested(
                "change_points",
                m,
                &["window_len", "max_pvalue", "min_magnitude"],
            );
        }
        _ => {
            r.invalid(
                "change_points",
                format!(
                    "must be true, false or {{window_len, max_pvalue, min_magnitude}}, got {}",
                    compact(v)
                ),
            );
            return None;
        }
    }
    let parsed = serde_json::from_value::<HunterParams>(v.clone())
        .map_err(|e| e.to_string())
        .and_then(|p| p.validate().map(|()| p).map_err(|e| e.to_string()));
    match parsed {
        Ok(p) => Some(p),
        Err(e) => {
            r.invalid(
                "change_points",
                format!("must be true, false or {{window_len, max_pvalue, min_magnitude}}: {e}"),
            );
            None
        }
    }
}
