//! Python collectors and analyzers (`collectors: {python: {module, function}}`,
//! `analyzers: {python: {module, function}}`), to run through the bridge's worker.
//!
//! Not available yet in this version of f0: both answer so when their settings are checked,
//! so `f0 validate` and a run say it before anything runs.

use serde_json::{Map, Value};

use super::{Analyzer, Collector, PluginError, SeriesView, Verdict};
use crate::metrics::PerformanceMetric;
use crate::scriptlet::args::FieldError;

/// The name recipes use.
pub const NAME: &str = "python";

fn not_yet(kind: &str) -> FieldError {
    FieldError::new(
        "",
        format!("Python {kind}s are not available yet in this version of f0; run a Python scriptlet step, or use the exec collector (a command printing metrics)"),
    )
}

/// A collector written in Python (not available yet).
#[derive(Debug, Default)]
pub struct PythonCollector;

impl Collector for PythonCollector {
    fn configure(&mut self, _: &Map<String, Value>) -> Result<(), FieldError> {
        Err(not_yet("collector"))
    }

    fn sample(&mut self, _: &mut Vec<PerformanceMetric>) -> Result<(), PluginError> {
        Err(PluginError::new(not_yet("collector").message))
    }
}

/// An analyzer written in Python (not available yet).
#[derive(Debug, Default)]
pub struct PythonAnalyzer;

impl Analyzer for PythonAnalyzer {
    fn configure(&mut self, _: &Map<String, Value>) -> Result<(), FieldError> {
        Err(not_yet("analyzer"))
    }

    fn analyze(&mut self, _: &SeriesView<'_>) -> Result<Verdict, PluginError> {
        Err(PluginError::new(not_yet("analyzer").message))
    }
}
