//! A native `engine.steps.python.compute_numbers.ComputeNumbers` (Framework0's example
//! scriptlet): reads numbers from `args.src` (one per line or comma-separated) and writes
//! `numbers.stats_v1 {count, sum, mean, median, min, max, stdev}`, `numbers.count` and
//! `numbers.source`. Unlike the Python original it parses decimals correctly (COMPAT §7).

use std::path::PathBuf;

use serde_json::{json, Map, Value};

use crate::analyze::error::StatsError;
use crate::analyze::{descriptive, summation};
use crate::diagnostic::{compact, Code, Finding};
use crate::scriptlet::{Registry, Scriptlet, ScriptletError, StepEnv};

/// Registers this file's scriptlets in `r`.
pub fn register(r: &mut Registry) {
    r.register(
        &["engine.steps.python.compute_numbers"],
        "ComputeNumbers",
        "statistics of the numbers in args.src into numbers.stats_v1",
        || Box::new(ComputeNumbers),
        Some(validate),
    );
}

fn validate(args: &Map<String, Value>, base: &str) -> Vec<Finding> {
    match args.get("src") {
        Some(Value::String(s)) if !s.is_empty() => vec![],
        other => vec![Finding::error(
            Code::InvalidArg,
            format!("{base}.src"),
            format!(
                "ComputeNumbers needs 'src': the path of a file of numbers, got {}",
                other.map_or("nothing".to_owned(), compact)
            ),
        )],
    }
}

struct ComputeNumbers;

impl Scriptlet for ComputeNumbers {
    fn run(&mut self, env: &StepEnv, args: &Map<String, Value>) -> Result<i32, ScriptletError> {
        let src = args.get("src").and_then(Value::as_str).unwrap_or_default();
        let path = PathBuf::from(src);
        let text = std::fs::read_to_string(&path)
            .map_err(|e| ScriptletError::failed_in(format!("cannot read {}", path.display()), e))?;
        let values = parse_numbers(&text).map_err(|(line, field)| {
            ScriptletError::Message(format!(
                "{}:{line}: '{field}' is not a finite number",
                path.display()
            ))
        })?;
        if values.is_empty() {
            return Err(ScriptletError::Message(format!(
                "{} holds no numbers",
                path.display()
            )));
        }
        let stats =
            stats(&values).map_err(|e| ScriptletError::failed_in(path.display().to_string(), e))?;
        env.set("numbers.stats_v1", stats)?;
        env.set("numbers.count", json!(values.len()))?;
        env.set("numbers.source", json!(src))?;
        Ok(0)
    }
}

/// Parses numbers one per line or comma-separated; on error gives (1-based line, field).
fn parse_numbers(text: &str) -> Result<Vec<f64>, (usize, String)> {
    let mut out = Vec::new();
    for (i, line) in text.lines().enumerate() {
        for field in line.split(',').map(str::trim).filter(|f| !f.is_empty()) {
            match field.parse::<f64>() {
                Ok(v) if v.is_finite() => out.push(v),
                _ => return Err((i + 1, field.to_owned())),
            }
        }
    }
    Ok(out)
}

/// Framework0's `stats_v1` object (sample standard deviation, n − 1; null for one value).
fn stats(values: &[f64]) -> Result<Value, StatsError> {
    Ok(json!({
        "count": values.len(),
        "sum": summation::sum(values),
        "mean": descriptive::mean(values)?,
        "median": descriptive::median(values)?,
        "min": descriptive::min(values)?,
        "max": descriptive::max(values)?,
        "stdev": if values.len() > 1 { Some(descriptive::std_dev(values)?) } else { None },
    }))
}
