//! Plugins in an analysis. Analyzers (`analyzers: {<name>: {...settings}}`, see
//! [`crate::plugin::Analyzer`]): their settings checked by the plugin's own `configure` when
//! the arguments are read, one fresh instance per analysis, run on every analysed set after
//! the built-in statistics; each verdict lands in the set's result under `analyzers`.
//! Detectors (`anomaly_detection: {methods: [<name>]}`, see [`crate::plugin::Detector`]): one
//! instance per analysis, run after the built-in methods; what they flag lands in the set's
//! `anomalies` with their name as `detection_method`.

use std::collections::BTreeMap;
use std::time::Instant;

use serde::Serialize;
use serde_json::{Map, Value};

use super::report::{AnomalyResult, MetricAnalysis};
use super::select::SetSamples;
use super::AnalyzeError;
use crate::diagnostic::compact;
use crate::plugin::{Analyzer, Detection, Detector, Plugins, SeriesView};
use crate::scriptlet::args::{ArgReader, FieldError};

/// One analyzer to run.
#[derive(Debug, Clone, PartialEq)]
pub struct AnalyzerPlan {
    /// Its name in `analyzers`.
    pub name: String,
    /// Its settings, already checked.
    pub settings: Map<String, Value>,
}

/// An analyzer's verdict on one set, as stored.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AnalyzerOutput {
    /// The analyzer's name.
    pub analyzer: String,
    /// Whether the set meets what it checks.
    pub passed: bool,
    /// Its message.
    pub message: String,
    /// The numbers behind the verdict.
    pub values: BTreeMap<String, f64>,
    /// Wall time the analyzer took on this set, ns.
    pub cost_ns: u64,
}

fn configured(plugins: &Plugins, plan: &AnalyzerPlan) -> Result<Box<dyn Analyzer>, FieldError> {
    let mut a = plugins.analyzer(&plan.name).ok_or_else(|| {
        FieldError::new(
            "",
            format!(
                "unknown analyzer '{}'; valid analyzers: {}",
                plan.name,
                plugins.analyzer_names().join(", ")
            ),
        )
    })?;
    a.configure(&plan.settings)?;
    Ok(a)
}

/// Reads `analyzers` (a mapping of analyzer names to settings; `true` or `null` for none).
pub fn parse(r: &mut ArgReader<'_>, v: &Value, plugins: &Plugins) -> Vec<AnalyzerPlan> {
    let Some(map) = v.as_object() else {
        r.invalid(
            "analyzers",
            format!(
                "must be a mapping of analyzer names ({}) to their settings, got {}",
                plugins.analyzer_names().join(", "),
                compact(v)
            ),
        );
        return Vec::new();
    };
    let mut plans = Vec::new();
    for (name, settings) in map {
        let at = format!("analyzers.{name}");
        let settings = match settings {
            Value::Bool(false) => continue,
            Value::Bool(true) | Value::Null => Map::new(),
            Value::Object(m) => m.clone(),
            other => {
                let message = format!(
                    "must be true, false or a mapping of settings, got {}",
                    compact(other)
                );
                r.invalid(&at, message);
                continue;
            }
        };
        let plan = AnalyzerPlan {
            name: name.clone(),
            settings,
        };
        if r.take(configured(plugins, &plan), &at).is_some() {
            plans.push(plan);
        }
    }
    plans
}

/// The analyzers of one analysis, configured.
pub struct Running(Vec<(String, Box<dyn Analyzer>)>);

impl Running {
    /// Fresh instances of `plans` from `plugins`.
    pub fn new(plugins: &Plugins, plans: &[AnalyzerPlan]) -> Result<Self, AnalyzeError> {
        plans
            .iter()
            .map(|p| {
                configured(plugins, p)
                    .map(|a| (p.name.clone(), a))
                    .map_err(|e| AnalyzeError::Plugin(format!("analyzers.{}: {e}", p.name)))
            })
            .collect::<Result<_, _>>()
            .map(Running)
    }

    /// Every analyzer's verdict on `set`; an analyzer's error, or a non-finite number in its
    /// verdict, fails the analysis naming the analyzer and the set.
    pub fn judge(&mut self, set: &SetSamples) -> Result<Vec<AnalyzerOutput>, AnalyzeError> {
        let (s, samples) = (&set.set, &set.samples);
        let key = s.key();
        let unit = samples
            .series
            .first()
            .map(|k| k.unit.as_str())
            .unwrap_or_default();
        let view = SeriesView {
            name: &s.name,
            tags: &s.tags,
            series: &key,
            unit,
            values: &samples.values,
            timestamps: &samples.timestamps,
        };
        let mut out = Vec::with_capacity(self.0.len());
        for (name, a) in &mut self.0 {
            let fail = |m: String| {
                AnalyzeError::Plugin(format!("analyzer '{name}' on {}: {m}", s.label()))
            };
            let started = Instant::now();
            let verdict = a.analyze(&view).map_err(|e| fail(e.0))?;
            let cost_ns = u64::try_from(started.elapsed().as_nanos()).unwrap_or(u64::MAX);
            if let Some((k, v)) = verdict.values.iter().find(|(_, v)| !v.is_finite()) {
                return Err(fail(format!(
                    "value '{k}' is {v}; values must be finite numbers"
                )));
            }
            out.push(AnalyzerOutput {
                analyzer: name.clone(),
                passed: verdict.passed,
                message: verdict.message,
                values: verdict.values,
                cost_ns,
            });
        }
        Ok(out)
    }
}

/// The plugin detectors of one analysis (named in `anomaly_detection.methods`).
pub struct Detectors(Vec<(String, Box<dyn Detector>)>);

impl Detectors {
    /// Fresh instances of the detectors `names`.
    pub fn new(plugins: &Plugins, names: &[String]) -> Result<Self, AnalyzeError> {
        names
            .iter()
            .map(|n| {
                plugins
                    .detector(n)
                    .map(|d| (n.clone(), d))
                    .ok_or_else(|| AnalyzeError::Plugin(format!("no detector plugin named '{n}'")))
            })
            .collect::<Result<_, _>>()
            .map(Detectors)
    }

    /// Runs every detector on `set`'s values, adding what it flags to `m.anomalies`. A
    /// detector's error, and a point it returns out of range (an index past the values, a
    /// confidence outside [0, 1], a negative or non-finite number), become warnings, as a
    /// built-in detector's errors do.
    pub fn detect(&mut self, set: &SetSamples, sensitivity: f64, m: &mut MetricAnalysis) {
        let samples = &set.samples;
        for (name, d) in &mut self.0 {
            let points = match d.detect(&samples.values, sensitivity) {
                Ok(p) => p,
                Err(e) => {
                    m.warnings.push(format!("{name}: {e}"));
                    continue;
                }
            };
            for p in points {
                if let Some(why) = out_of_range(&p, samples.len()) {
                    m.warnings
                        .push(format!("{name}: point {}: {why}; dropped", p.index));
                    continue;
                }
                let series = samples.series_at(p.index);
                let (value, ts) = (samples.values[p.index], samples.timestamps[p.index]);
                match AnomalyResult::detected(series, &p, value, ts, name) {
                    Ok(a) => m.anomalies.push(a),
                    Err(e) => m.warnings.push(format!("{name}: index {}: {e}", p.index)),
                }
            }
        }
    }
}

fn out_of_range(p: &Detection, len: usize) -> Option<String> {
    if p.index >= len {
        return Some(format!("index past the {len} values"));
    }
    if !(0.0..=1.0).contains(&p.confidence) {
        return Some(format!("confidence {} outside [0, 1]", p.confidence));
    }
    if !p.baseline.is_finite() || !p.deviation.is_finite() || p.deviation < 0.0 {
        return Some(format!(
            "baseline {} and deviation {} must be finite, the deviation >= 0",
            p.baseline, p.deviation
        ));
    }
    None
}
