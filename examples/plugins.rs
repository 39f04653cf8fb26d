//! A program that extends f0 with its own collector and analyzer, then runs a recipe that
//! names both like built-ins (README, "Extending f0").
//!
//! - `loadavg` ([`LoadAverage`]): a [`Collector`] reading `/proc/loadavg`; settings
//!   `{periods: [1, 5, 15]}` (which averages), checked by `configure` — the same hook
//!   `validate` uses.
//! - `slo` ([`SloCheck`]): an [`Analyzer`] passing a series whose mean is at most `max_mean`.
//! - `jump` ([`Jump`]): a [`Detector`] flagging a value that jumps from the previous one by
//!   more than `sensitivity` times the median jump.
//!
//! Run: `cargo run --example plugins [-- STORE.db]` (default: a store in the system temp
//! directory). It validates `examples/plugins/plugins.yaml` against the registry with the two
//! plugins, runs it, and prints each series' verdict; it exits non-zero when the run fails.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use framework0::metrics::{MetricType, MetricUnit, PerformanceMetric};
use framework0::plugin::{
    Analyzer, Collector, Detection, Detector, PluginError, SeriesView, Verdict,
};
use framework0::recipe::{load_recipe, validate::validate};
use framework0::runner::{Interrupt, RunOptions, Runner, RunnerBuilder};
use framework0::scriptlet::args::{ArgMap, FieldError};
use framework0::store::{SharedStore, Store};
use serde_json::{Map, Value};

/// The load averages of `/proc/loadavg` as `load_average{period="1m"}` gauges.
struct LoadAverage {
    periods: Vec<u32>,
}

impl LoadAverage {
    fn new() -> Self {
        LoadAverage {
            periods: vec![1, 5, 15],
        }
    }
}

impl Collector for LoadAverage {
    fn configure(&mut self, args: &Map<String, Value>) -> Result<(), FieldError> {
        let v = Value::Object(args.clone());
        let s = ArgMap::new(&v, &["periods"])?;
        if s.get("periods").is_none() {
            return Ok(());
        }
        self.periods = s
            .list("periods")?
            .iter()
            .enumerate()
            .map(|(i, p)| match p.as_u64() {
                Some(p @ (1 | 5 | 15)) => Ok(p as u32),
                _ => Err(FieldError::new(
                    format!("periods[{i}]"),
                    format!("must be 1, 5 or 15 (minutes), got {p}"),
                )),
            })
            .collect::<Result<_, _>>()?;
        Ok(())
    }

    fn sample(&mut self, out: &mut Vec<PerformanceMetric>) -> Result<(), PluginError> {
        let text = std::fs::read_to_string("/proc/loadavg")
            .map_err(|e| PluginError::new(format!("cannot read /proc/loadavg: {e}")))?;
        let fields: Vec<&str> = text.split_whitespace().collect();
        for p in &self.periods {
            let column = match p {
                1 => 0,
                5 => 1,
                _ => 2,
            };
            let value: f64 = fields
                .get(column)
                .and_then(|f| f.parse().ok())
                .ok_or_else(|| PluginError::new(format!("unexpected /proc/loadavg: {text:?}")))?;
            let m =
                PerformanceMetric::new("load_average", value, MetricType::Gauge, MetricUnit::Count)
                    .map_err(|e| PluginError::new(e.to_string()))?
                    .with_tag("period", format!("{p}m"));
            out.push(m);
        }
        Ok(())
    }
}

/// Passes a series whose mean is at most `max_mean`.
#[derive(Default)]
struct SloCheck {
    max_mean: f64,
}

impl Analyzer for SloCheck {
    fn configure(&mut self, args: &Map<String, Value>) -> Result<(), FieldError> {
        let v = Value::Object(args.clone());
        let s = ArgMap::new(&v, &["max_mean"])?;
        self.max_mean = match s.get("max_mean").and_then(Value::as_f64) {
            Some(m) if m.is_finite() => m,
            _ => {
                return Err(FieldError::new(
                    "max_mean",
                    "required: a number, the highest mean that passes",
                ))
            }
        };
        Ok(())
    }

    fn analyze(&mut self, series: &SeriesView<'_>) -> Result<Verdict, PluginError> {
        let n = series.values.len() as f64;
        let mean = series.values.iter().sum::<f64>() / n;
        let passed = mean <= self.max_mean;
        Ok(Verdict {
            passed,
            message: format!(
                "mean {mean:.3} is {} the objective {}",
                if passed { "within" } else { "above" },
                self.max_mean
            ),
            values: BTreeMap::from([
                ("mean".to_owned(), mean),
                ("max_mean".to_owned(), self.max_mean),
            ]),
        })
    }
}

/// Flags `x[i]` when `|x[i] - x[i-1]|` exceeds `sensitivity` times the median jump (and is
/// not zero); its confidence is `min(jump / (2 * sensitivity * median), 1)`.
#[derive(Default)]
struct Jump;

impl Detector for Jump {
    fn detect(&mut self, values: &[f64], sensitivity: f64) -> Result<Vec<Detection>, PluginError> {
        let jumps: Vec<f64> = values.windows(2).map(|w| (w[1] - w[0]).abs()).collect();
        let mut sorted = jumps.clone();
        sorted.sort_by(f64::total_cmp);
        let median = sorted.get(sorted.len() / 2).copied().unwrap_or(0.0);
        let limit = sensitivity * median;
        Ok(jumps
            .iter()
            .enumerate()
            .filter(|(_, j)| **j > limit && **j > 0.0)
            .map(|(i, j)| Detection {
                index: i + 1,
                confidence: if limit > 0.0 {
                    (j / (2.0 * limit)).min(1.0)
                } else {
                    1.0
                },
                baseline: values[i],
                deviation: *j,
            })
            .collect())
    }
}

/// The runner builder with the three plugins.
fn builder() -> RunnerBuilder {
    Runner::builder()
        .collector("loadavg", LoadAverage::new)
        .analyzer("slo", SloCheck::default)
        .detector("jump", Jump::default)
}

/// The example's recipe.
fn recipe_path() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/plugins/plugins.yaml")
}

/// Validates and runs `recipe` into the store at `store`; the run's id.
fn run(recipe: &Path, store: &Path) -> Result<i64, Box<dyn std::error::Error>> {
    let loaded = load_recipe(recipe)?;
    let registry = builder().registry()?;
    for f in validate(&loaded, &registry) {
        println!("{f}");
    }
    let store = SharedStore::new(Store::open(store)?);
    let mut runner = builder().build(store, Interrupt::new())?;
    let outcome = runner.run(&loaded, &RunOptions::default())?;
    if !outcome.success {
        return Err(format!("the run failed: {:?}", outcome.steps).into());
    }
    Ok(outcome.run_id)
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let store: PathBuf = std::env::args_os()
        .nth(1)
        .map(PathBuf::from)
        .unwrap_or_else(|| std::env::temp_dir().join("f0-plugins-example.db"));
    let run_id = run(&recipe_path(), &store)?;
    let analysis = Store::open(&store)?
        .context_value("metrics.last_analysis")?
        .unwrap_or_default();
    println!("run {run_id} stored in {}", store.display());
    for m in analysis["metrics"].as_array().into_iter().flatten() {
        for v in m["analyzers"].as_array().into_iter().flatten() {
            println!(
                "{}{{{}}}: {} {}",
                m["metric_name"].as_str().unwrap_or(""),
                m["series"].as_str().unwrap_or(""),
                v["analyzer"],
                v["message"]
            );
        }
    }
    Ok(())
}

#[cfg(test)]
#[path = "plugins/tests.rs"]
mod tests;
