//! The contracts of a plugin: [`Collector`], [`Analyzer`] and [`Detector`].
//!
//! Every plugin is made fresh by its factory (one instance per step, so a plugin may keep
//! state across the samples of one collection), then [`configure`](Collector::configure)d
//! with its recipe settings. `configure` is the argument-check hook: `f0 validate` calls it on
//! a fresh instance exactly as a run does, so it must be cheap and free of side effects (read
//! and check the settings, look a program up; never sample, never write). Its [`FieldError`]
//! names the field relative to the plugin's mapping (`device`, `command[0]`); the host puts
//! the path in front (`recipe.steps[1].args.collectors.gpu.device`).
//!
//! Errors while working are [`PluginError`]s: a collector's failed sample is counted and
//! kept in the collection summary (`metrics.last_collection.collectors.plugins.<name>`) and
//! fails the step once the collection is over; an analyzer's error fails the analyze step
//! naming the analyzer and the series; a detector's error (or a point it returns out of range)
//! is a warning in the set's result, as a built-in method's is. Cost is measured by the host, not reported by the
//! plugin: wall time per sample (`mean_sample_ns`) for collectors, `cost_ns` per result for
//! analyzers.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::metrics::PerformanceMetric;
use crate::scriptlet::args::{check_keys, FieldError};

/// A plugin's failure while working (not while reading its settings).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct PluginError(pub String);

impl PluginError {
    /// An error with `message`.
    pub fn new(message: impl Into<String>) -> Self {
        PluginError(message.into())
    }
}

/// Settings a plugin that takes none accepts: only an empty mapping.
pub fn no_settings(args: &Map<String, Value>) -> Result<(), FieldError> {
    check_keys(args, &[])
}

/// A source of metrics sampled on an interval, named in a recipe under `collect`'s
/// `collectors: {<name>: {interval, enabled, ...its own settings}}`.
///
/// The host owns `enabled` and `interval` (default 1 s; one sample at the start, then one
/// per interval, at a fixed rate, on the collector's own thread) and passes the other keys to
/// [`Collector::configure`]. Each metric a sample appends is stored with the source
/// `<name>_collector` (so it counts under `totals.<name>`), after the step's filters.
pub trait Collector: Send {
    /// Reads the settings (the recipe mapping without `enabled` and `interval`); the default
    /// accepts none.
    fn configure(&mut self, args: &Map<String, Value>) -> Result<(), FieldError> {
        no_settings(args)
    }

    /// Gets ready to sample (starts a worker process, opens a connection) before the
    /// collection window opens, so that `duration` is spent sampling rather than starting up;
    /// the default has nothing to do. An error here is reported again by the first
    /// [`Collector::sample`], which tries once more.
    fn start(&mut self) -> Result<(), PluginError> {
        Ok(())
    }

    /// Takes one sample, appending its metrics to `out`; an error keeps what was appended
    /// before it.
    fn sample(&mut self, out: &mut Vec<PerformanceMetric>) -> Result<(), PluginError>;
}

/// One analysed series (or group, or pool) as an [`Analyzer`] sees it.
#[derive(Debug, Clone, Copy)]
pub struct SeriesView<'a> {
    /// The metric name.
    pub name: &'a str,
    /// The series' tags (a group's tags; the tags a pool's series share).
    pub tags: &'a BTreeMap<String, String>,
    /// The canonical tag string (`host=a,region=eu`; `{}` untagged; `*` pooled).
    pub series: &'a str,
    /// The unit (`ms`, `%`, ...).
    pub unit: &'a str,
    /// The values, in time order.
    pub values: &'a [f64],
    /// Their epoch-ns timestamps.
    pub timestamps: &'a [i64],
}

/// What an analyzer concluded about one series: stored in the series' result of
/// `metrics.last_analysis` under `analyzers` (see `schemas/analysis.schema.json`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Verdict {
    /// Whether the series meets what the analyzer checks.
    pub passed: bool,
    /// One line for people.
    pub message: String,
    /// Named numbers behind the verdict (finite).
    #[serde(default)]
    pub values: BTreeMap<String, f64>,
}

/// A check over the samples of each analysed series, named in a recipe under `analyze`'s
/// `analyzers: {<name>: {...its settings}}`. It runs after the built-in statistics, once per
/// series, group or pool the step analyses.
pub trait Analyzer: Send {
    /// Reads the settings; the default accepts none.
    fn configure(&mut self, args: &Map<String, Value>) -> Result<(), FieldError> {
        no_settings(args)
    }

    /// Judges one series.
    fn analyze(&mut self, series: &SeriesView<'_>) -> Result<Verdict, PluginError>;
}

/// One point a [`Detector`] flags.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Detection {
    /// 0-based index of the point in the values.
    pub index: usize,
    /// Confidence in [0, 1].
    pub confidence: f64,
    /// The value the point was compared with.
    pub baseline: f64,
    /// How far it is from that value (≥ 0).
    pub deviation: f64,
}

/// An anomaly method named in `anomaly_detection: {methods: [<name>]}` beside the built-in
/// ones (a built-in method's name keeps naming the built-in). It runs on every analysed set
/// after them; each point it returns lands in the set's `anomalies` with its name as
/// `detection_method` and the sample's value, time and series.
pub trait Detector: Send {
    /// Flags the anomalous points of `values`; `sensitivity` is the step's common
    /// sensitivity (larger flags less).
    fn detect(&mut self, values: &[f64], sensitivity: f64) -> Result<Vec<Detection>, PluginError>;
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    struct Fixed;
    impl Collector for Fixed {
        fn sample(&mut self, _: &mut Vec<PerformanceMetric>) -> Result<(), PluginError> {
            Ok(())
        }
    }
    impl Analyzer for Fixed {
        fn analyze(&mut self, _: &SeriesView<'_>) -> Result<Verdict, PluginError> {
            Err(PluginError::new("not used"))
        }
    }

    fn settings(v: Value) -> Map<String, Value> {
        v.as_object().unwrap().clone()
    }

    #[test]
    fn a_plugin_without_settings_accepts_an_empty_mapping_and_names_any_key() {
        assert!(Collector::configure(&mut Fixed, &Map::new()).is_ok());
        assert!(Analyzer::configure(&mut Fixed, &Map::new()).is_ok());
        for e in [
            Collector::configure(&mut Fixed, &settings(json!({"threshold": 3}))).unwrap_err(),
            Analyzer::configure(&mut Fixed, &settings(json!({"threshold": 3}))).unwrap_err(),
        ] {
            assert_eq!(e.field, "threshold");
            assert!(
                e.message.contains("unknown key 'threshold'"),
                "{}",
                e.message
            );
        }
    }
}
