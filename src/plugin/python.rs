//! Python collectors and analyzers, run by a bridge worker of their own
//! ([`crate::bridge::PluginWorker`]).
//!
//! ```yaml
//! collectors:
//!   python: {module: probes, function: queue_depth, interval: 5s, settings: {queue: mail}}
//! analyzers:
//!   python: {module: checks, function: SloCheck, settings: {max_mean: 250}}
//! ```
//!
//! `function` names a function, or a class instantiated once per step (no arguments) whose
//! `collect` / `analyze` method is called. A **collector** is called as `f(settings)` on every
//! sample and returns a list of metrics, each `{"name", "value"}` plus optional
//! `"metric_type"` (default `gauge`), `"unit"` (default `count`), `"tags"` and `"timestamp"`
//! (epoch ns; default now). An **analyzer** is called as `f(series, settings)` once per
//! analysed set, `series` being `{"name", "tags", "series", "unit", "values", "timestamps"}`,
//! and returns `{"passed": bool, "message": str, "values": {name: number}}` — what lands in
//! the set's result under `analyzers` (see `schemas/analysis.schema.json`).
//!
//! Other settings: `path` (directories, relative to the current one, searched for the module
//! first), `timeout` (per call, default 10 s; the worker is killed past it). Then, as for a
//! Python step ([`PythonSetup`]): under `f0 run` / `f0 validate` the recipe's directory, the
//! current directory, each `--pythonpath`, `PYTHONPATH`; the interpreter is `--python`, else
//! `$F0_PYTHON`, else `python3`. An exception, a timeout or a value of the
//! wrong shape is the sample's (collector) or the step's (analyzer) error, naming
//! `module.function` and what was wrong.

use std::path::{Path, PathBuf};
use std::time::Duration;

use serde::Deserialize;
use serde_json::{json, Map, Value};

use super::{Analyzer, Collector, PluginError, SeriesView, Verdict};
use crate::bridge::{BridgeConfig, CallError, PluginWorker, DEFAULT_PYTHON, PYTHON_ENV};
use crate::diagnostic::compact;
use crate::metrics::{MetricType, MetricUnit, PerformanceMetric, Tags};
use crate::scriptlet::args::{ArgMap, FieldError};

/// The name recipes use.
pub const NAME: &str = "python";
/// Per-call timeout when none is given.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(10);
const KEYS: [&str; 5] = ["module", "function", "settings", "path", "timeout"];

/// The interpreter and search path Python plugins start their worker with (the `f0` command
/// line gives its `--python`, the recipe and `--pythonpath`, see [`super::Plugins::with_python`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PythonSetup {
    /// The interpreter.
    pub python: PathBuf,
    /// The recipe (its directory is searched first after the step's own `path`).
    pub recipe: PathBuf,
    /// More directories, after the recipe's and the current one.
    pub pythonpath: Vec<PathBuf>,
}

impl Default for PythonSetup {
    /// `$F0_PYTHON` (else `python3`), no recipe (the current directory), no more directories.
    fn default() -> Self {
        PythonSetup {
            python: std::env::var_os(PYTHON_ENV)
                .unwrap_or_else(|| DEFAULT_PYTHON.into())
                .into(),
            recipe: PathBuf::from("./recipe"),
            pythonpath: Vec::new(),
        }
    }
}

/// What both kinds share: where the code is and its worker.
#[derive(Default)]
struct PythonCode {
    setup: PythonSetup,
    module: String,
    function: String,
    settings: Value,
    path: Vec<PathBuf>,
    timeout: Option<Duration>,
    worker: Option<PluginWorker>,
}

fn dotted(field: &str, v: Option<String>) -> Result<String, FieldError> {
    let v = v.ok_or_else(|| FieldError::new(field, format!("missing '{field}'")))?;
    let ok = v.split('.').all(|part| {
        let mut c = part.chars();
        c.next().is_some_and(|c| c.is_alphabetic() || c == '_')
            && c.all(|c| c.is_alphanumeric() || c == '_')
    });
    if !ok {
        return Err(FieldError::new(
            field,
            format!("{v:?} is not a Python name (dotted identifiers such as probes.queue)"),
        ));
    }
    Ok(v)
}

impl PythonCode {
    fn configure(&mut self, args: &Map<String, Value>) -> Result<(), FieldError> {
        let v = Value::Object(args.clone());
        let s = ArgMap::new(&v, &KEYS)?;
        self.module = dotted("module", s.string("module")?)?;
        self.function = dotted("function", s.string("function")?)?;
        self.settings = match s.get("settings") {
            None => json!({}),
            Some(m @ Value::Object(_)) => m.clone(),
            Some(other) => {
                return Err(FieldError::new(
                    "settings",
                    format!(
                        "must be a mapping (passed to the Python code), got {}",
                        compact(other)
                    ),
                ))
            }
        };
        self.path = s
            .list("path")?
            .iter()
            .enumerate()
            .map(|(i, p)| match p {
                Value::String(d) if !d.is_empty() => Ok(PathBuf::from(d)),
                other => Err(FieldError::new(
                    format!("path[{i}]"),
                    format!("must be a directory name, got {}", compact(other)),
                )),
            })
            .collect::<Result<_, _>>()?;
        self.timeout = s.duration("timeout")?;
        Ok(())
    }

    fn fail(&self, e: CallError) -> PluginError {
        PluginError::new(format!("python '{}': {e}", self.name()))
    }

    /// The worker, started first if there is none (or the last one died).
    fn worker(&mut self) -> Result<&mut PluginWorker, PluginError> {
        let w = match self.worker.take() {
            Some(w) => w,
            None => {
                let s = &self.setup;
                let recipe_dir = match s.recipe.parent() {
                    Some(d) if !d.as_os_str().is_empty() => d,
                    _ => Path::new("."),
                };
                let mut dirs = self.path.clone();
                dirs.extend([recipe_dir.to_path_buf(), PathBuf::from(".")]);
                dirs.extend(s.pythonpath.iter().cloned());
                let config = BridgeConfig::searching(&s.python, dirs);
                PluginWorker::start(&config).map_err(|e| self.fail(e))?
            }
        };
        Ok(self.worker.insert(w))
    }

    fn call(&mut self, method: &str, args: Vec<Value>) -> Result<Value, PluginError> {
        let (module, function) = (self.module.clone(), self.function.clone());
        let timeout = self.timeout.unwrap_or(DEFAULT_TIMEOUT);
        let result = self
            .worker()?
            .call(&module, &function, method, args, timeout);
        match result {
            Ok(v) => Ok(v),
            Err(e @ CallError::Raised { .. }) => Err(self.fail(e)),
            Err(e) => {
                // A dead or killed worker is started afresh by the next call.
                self.worker = None;
                Err(self.fail(e))
            }
        }
    }

    fn name(&self) -> String {
        format!("{}.{}", self.module, self.function)
    }
}

/// A collector written in Python (see the module docs).
#[derive(Default)]
pub struct PythonCollector(PythonCode);

impl PythonCollector {
    /// A collector whose worker starts with `setup`.
    pub fn new(setup: PythonSetup) -> Self {
        PythonCollector(PythonCode {
            setup,
            ..PythonCode::default()
        })
    }
}

/// One metric as Python returns it.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct PyMetric {
    name: String,
    value: f64,
    #[serde(default)]
    metric_type: Option<MetricType>,
    #[serde(default)]
    unit: Option<MetricUnit>,
    #[serde(default)]
    tags: Tags,
    #[serde(default)]
    timestamp: Option<i64>,
}

impl Collector for PythonCollector {
    fn configure(&mut self, args: &Map<String, Value>) -> Result<(), FieldError> {
        self.0.configure(args)
    }

    /// Starts the worker: Python's start-up (tens of milliseconds, far more on a busy
    /// machine) otherwise ate into the collection window, and a 500 ms window sampled every
    /// 100 ms got one sample instead of five.
    fn start(&mut self) -> Result<(), PluginError> {
        self.0.worker().map(drop)
    }

    fn sample(&mut self, out: &mut Vec<PerformanceMetric>) -> Result<(), PluginError> {
        let settings = self.0.settings.clone();
        let value = self.0.call("collect", vec![settings])?;
        let name = self.0.name();
        let items = value.as_array().ok_or_else(|| {
            PluginError::new(format!(
                "python '{name}' returned {} instead of a list of metrics",
                compact(&value)
            ))
        })?;
        let now = crate::util::epoch_nanos();
        let mut batch = Vec::with_capacity(items.len());
        for (i, item) in items.iter().enumerate() {
            let m: PyMetric = serde_json::from_value(item.clone()).map_err(|e| {
                PluginError::new(format!(
                    "python '{name}' returned item {i} that is not a metric {{name, value, metric_type, unit, tags, timestamp}}: {e}: {}",
                    compact(item)
                ))
            })?;
            batch.push(PerformanceMetric {
                name: m.name,
                value: m.value,
                metric_type: m.metric_type.unwrap_or(MetricType::Gauge),
                unit: m.unit.unwrap_or(MetricUnit::Count),
                timestamp: m.timestamp.unwrap_or(now),
                tags: m.tags,
                source: None,
                context: Map::new(),
            });
        }
        out.extend(batch);
        Ok(())
    }
}

/// An analyzer written in Python (see the module docs).
#[derive(Default)]
pub struct PythonAnalyzer(PythonCode);

impl PythonAnalyzer {
    /// An analyzer whose worker starts with `setup`.
    pub fn new(setup: PythonSetup) -> Self {
        PythonAnalyzer(PythonCode {
            setup,
            ..PythonCode::default()
        })
    }
}

impl Analyzer for PythonAnalyzer {
    fn configure(&mut self, args: &Map<String, Value>) -> Result<(), FieldError> {
        self.0.configure(args)
    }

    fn analyze(&mut self, s: &SeriesView<'_>) -> Result<Verdict, PluginError> {
        let series = json!({
            "name": s.name, "tags": s.tags, "series": s.series, "unit": s.unit,
            "values": s.values, "timestamps": s.timestamps,
        });
        let settings = self.0.settings.clone();
        let value = self.0.call("analyze", vec![series, settings])?;
        serde_json::from_value(value.clone()).map_err(|e| {
            PluginError::new(format!(
                "python '{}' returned {} which is not a verdict {{passed, message, values}}: {e}",
                self.0.name(),
                compact(&value)
            ))
        })
    }
}
