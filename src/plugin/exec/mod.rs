//! The `exec` collector: any program that prints metrics (Telegraf's `exec` input, a Nagios
//! or Sensu check, a script written for Prometheus's textfile collector).
//!
//! ```yaml
//! collectors:
//!   exec:
//!     command: [./queue_depth.sh, --all]   # argv, no shell; required
//!     interval: 10s                         # run again every interval (default 1s)
//!     format: prometheus                    # or jsonl; default prometheus
//!     timeout: 5s                           # per run; default 10s
//!     tags: {service: billing}              # added to every metric (they win over labels)
//! ```
//!
//! Each run's stdout is parsed whole before anything of it is stored:
//! - `prometheus`: text exposition (see [`prometheus_text`]); a sample becomes a metric of
//!   its name with its labels as tags, type `counter` for counter families, `histogram` for
//!   histogram and summary families, `gauge` otherwise, unit from the name's suffix
//!   (`_seconds` → `s`, `_bytes` → `bytes`, `_percent` → `%`, else `count`), and the line's
//!   timestamp or the time of the run. NaN and ±Inf samples are skipped (f0 stores finite
//!   numbers).
//! - `jsonl`: one Framework0 `PerformanceMetric` JSON object per line (as `f0 import` reads).
//!
//! A run that fails stores nothing from that run and counts as a failed sample (the step
//! fails at the end of the collection, see [`crate::plugin`]), with one of these messages:
//! - `'prog' exited with status 3; stderr: "..."` (or `was killed by signal 9`);
//! - `'prog' did not finish within its timeout of 5s and was killed (...)` — the whole
//!   process group is killed;
//! - `'prog' printed line 4 that is not Prometheus text exposition: <why>: "<the line>"`
//!   (`... not a PerformanceMetric JSON object ...` for `jsonl`);
//! - `'prog' printed more than 16 MiB on stdout`, or output that is not UTF-8.

pub mod prometheus_text;
mod run;

use std::collections::BTreeMap;
use std::time::Duration;

use serde_json::{Map, Value};

use self::prometheus_text::{Family, TextSample};
use super::{Collector, PluginError};
use crate::diagnostic::compact;
use crate::metrics::{check_identity, MetricType, MetricUnit, PerformanceMetric};
use crate::scriptlet::args::{ArgMap, FieldError};

pub use run::{RunError, MAX_OUTPUT};

/// The name recipes use.
pub const NAME: &str = "exec";
/// Per-run timeout when none is given.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(10);
const KEYS: [&str; 4] = ["command", "format", "timeout", "tags"];

/// What the command prints.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Format {
    /// Prometheus text exposition.
    #[default]
    Prometheus,
    /// PerformanceMetric JSON lines.
    Jsonl,
}

/// The `exec` collector (see the module docs).
#[derive(Debug, Clone, Default)]
pub struct ExecCollector {
    command: Vec<String>,
    format: Format,
    timeout: Option<Duration>,
    tags: BTreeMap<String, String>,
}

impl Collector for ExecCollector {
    fn configure(&mut self, args: &Map<String, Value>) -> Result<(), FieldError> {
        let v = Value::Object(args.clone());
        let s = ArgMap::new(&v, &KEYS)?;
        self.command = s.command("command")?;
        self.format = match s.get("format").map(|f| (f, f.as_str())) {
            None | Some((_, Some("prometheus"))) => Format::Prometheus,
            Some((_, Some("jsonl"))) => Format::Jsonl,
            Some((f, _)) => {
                return Err(FieldError::new(
                    "format",
                    format!("unknown format {}; accepted: prometheus, jsonl", compact(f)),
                ))
            }
        };
        self.timeout = s.duration("timeout")?;
        self.tags = tags(s.get("tags"))?;
        Ok(())
    }

    fn sample(&mut self, out: &mut Vec<PerformanceMetric>) -> Result<(), PluginError> {
        let timeout = self.timeout.unwrap_or(DEFAULT_TIMEOUT);
        let text = run::run(&self.command, timeout).map_err(|e| PluginError::new(e.to_string()))?;
        let now = crate::util::epoch_nanos();
        let mut metrics = match self.format {
            Format::Prometheus => from_prometheus(&text, now),
            Format::Jsonl => from_jsonl(&text),
        }
        .map_err(|(line, why, raw)| {
            PluginError::new(format!(
                "'{}' printed line {line} that is not {}: {why}: {}",
                self.command[0],
                match self.format {
                    Format::Prometheus => "Prometheus text exposition",
                    Format::Jsonl => "a PerformanceMetric JSON line",
                },
                compact(&Value::String(raw.to_owned()))
            ))
        })?;
        for m in &mut metrics {
            m.tags
                .extend(self.tags.iter().map(|(k, v)| (k.clone(), v.clone())));
        }
        out.extend(metrics);
        Ok(())
    }
}

fn tags(v: Option<&Value>) -> Result<BTreeMap<String, String>, FieldError> {
    let Some(v) = v else {
        return Ok(BTreeMap::new());
    };
    let map = v.as_object().ok_or_else(|| {
        FieldError::new(
            "tags",
            format!(
                "must be a mapping of tag names to strings, got {}",
                compact(v)
            ),
        )
    })?;
    map.iter()
        .map(|(k, v)| match v {
            Value::String(s) => Ok((k.clone(), s.clone())),
            other => Err(FieldError::new(
                format!("tags.{k}"),
                format!("must be a string, got {}", compact(other)),
            )),
        })
        .collect()
}

/// A bad line: its number, why, and the line itself.
type LineError<'t> = (usize, String, &'t str);

fn from_prometheus(text: &str, now_ns: i64) -> Result<Vec<PerformanceMetric>, LineError<'_>> {
    let line_of = |n: usize| text.lines().nth(n - 1).unwrap_or("");
    let samples =
        prometheus_text::parse(text).map_err(|e| (e.line, e.message.clone(), line_of(e.line)))?;
    let mut out = Vec::with_capacity(samples.len());
    for (s, line) in samples.into_iter().zip(sample_lines(text)) {
        if !s.value.is_finite() {
            continue;
        }
        check_identity(&s.name, &s.labels).map_err(|e| (line, e.to_string(), line_of(line)))?;
        out.push(metric(s, now_ns));
    }
    Ok(out)
}

/// The 1-based numbers of the sample lines of valid text (as [`prometheus_text::parse`]
/// reads them).
fn sample_lines(text: &str) -> impl Iterator<Item = usize> + '_ {
    text.lines()
        .enumerate()
        .take_while(|(_, l)| l.trim() != "# EOF")
        .filter(|(_, l)| !l.trim().is_empty() && !l.trim_start().starts_with('#'))
        .map(|(i, _)| i + 1)
}

fn metric(s: TextSample, now_ns: i64) -> PerformanceMetric {
    let metric_type = match s.family {
        Family::Counter => MetricType::Counter,
        Family::Histogram | Family::Summary => MetricType::Histogram,
        Family::Gauge | Family::Untyped => MetricType::Gauge,
    };
    let base = s.name.strip_suffix("_total").unwrap_or(&s.name);
    // A histogram's or summary's `_bucket` and `_count` samples count observations; its
    // `_sum` is in the family's unit.
    let observations = matches!(s.family, Family::Histogram | Family::Summary)
        && (base.ends_with("_bucket") || base.ends_with("_count"));
    let base = match s.family {
        Family::Histogram | Family::Summary => base.strip_suffix("_sum").unwrap_or(base),
        _ => base,
    };
    let unit = [
        ("_seconds", MetricUnit::Seconds),
        ("_bytes", MetricUnit::Bytes),
        ("_percent", MetricUnit::Percent),
    ]
    .into_iter()
    .find(|(suffix, _)| !observations && base.ends_with(suffix))
    .map_or(MetricUnit::Count, |(_, u)| u);
    PerformanceMetric {
        timestamp: s
            .timestamp_ms
            .map_or(now_ns, |ms| ms.saturating_mul(1_000_000)),
        name: s.name,
        value: s.value,
        metric_type,
        unit,
        tags: s.labels,
        source: None,
        context: Map::new(),
    }
}

fn from_jsonl(text: &str) -> Result<Vec<PerformanceMetric>, LineError<'_>> {
    let mut out = Vec::new();
    for (i, raw) in text.lines().enumerate() {
        if raw.trim().is_empty() {
            continue;
        }
        let m = crate::store::import::parse_metric_line(raw).map_err(|why| (i + 1, why, raw))?;
        check_identity(&m.name, &m.tags).map_err(|e| (i + 1, e.to_string(), raw))?;
        out.push(m);
    }
    Ok(out)
}

#[cfg(test)]
#[path = "tests.rs"]
mod tests;
