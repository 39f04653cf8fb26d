//! `CustomMetricsCollector`: [`CustomMetrics`] (COMPAT.md §4 shapes: `counter_`, `gauge_`,
//! `histogram_` prefixes, business metrics as gauges tagged `metric_category: business`)
//! as a [`Collector`], source `custom_collector`. Each recorded metric is kept until the
//! next sample hands it on.
//!
//! A recipe lists custom metrics under `collectors.custom`:
//!
//! ```yaml
//! custom:
//!   counters:   {jobs_done: 3}                  # name: increment (or {increment, tags})
//!   gauges:     {queue_depth: 7}                # name: value (or {value, unit, tags})
//!   histograms: {payload_size: [512, 2048]}     # name: values (or {values, unit, tags})
//!   business:   {revenue: 9.5}                  # name: value (or {value, unit, tags})
//! ```
//!
//! Units are Framework0's strings (`ms`, `bytes`, `%`, …; default `count`).

use std::str::FromStr;

use serde_json::{Map, Value};

use super::{CollectError, Collector};
use crate::metrics::{CustomMetrics, MetricError, MetricUnit, PerformanceMetric, CUSTOM_SOURCE};
use crate::scriptlet::args::{check_keys, FieldError};

/// The kinds of custom metric, as the recipe sections name them.
pub const SECTIONS: [&str; 4] = ["counters", "gauges", "histograms", "business"];

/// What one recipe entry records.
#[derive(Debug, Clone, PartialEq)]
pub enum CustomValue {
    /// Add to a counter.
    Counter(u64),
    /// Set a gauge.
    Gauge(f64),
    /// Record histogram samples.
    Histogram(Vec<f64>),
    /// Record a business gauge.
    Business(f64),
}

/// One recipe entry.
#[derive(Debug, Clone, PartialEq)]
pub struct CustomEntry {
    /// Name without prefix.
    pub name: String,
    /// What to record.
    pub value: CustomValue,
    /// Unit (counters are always `count`).
    pub unit: MetricUnit,
    /// Tags.
    pub tags: Vec<(String, String)>,
}

/// Records custom metrics and hands them on at each sample; see the module docs.
#[derive(Debug, Default)]
pub struct CustomMetricsCollector {
    inner: CustomMetrics,
    pending: Vec<PerformanceMetric>,
}

impl CustomMetricsCollector {
    /// An empty collector.
    pub fn new() -> Self {
        Self::default()
    }

    /// Records through the wrapped [`CustomMetrics`] and keeps the metric for the next
    /// sample:
    ///
    /// ```
    /// use framework0::collect::CustomMetricsCollector;
    /// use framework0::metrics::MetricUnit;
    /// let mut c = CustomMetricsCollector::new();
    /// c.record(|m| m.record_gauge("queue_depth", 7.0, MetricUnit::Count, &[])).unwrap();
    /// c.record(|m| m.record_counter("jobs", 2, &[("kind", "etl")])).unwrap();
    /// ```
    pub fn record(
        &mut self,
        f: impl FnOnce(&mut CustomMetrics) -> Result<PerformanceMetric, MetricError>,
    ) -> Result<&PerformanceMetric, MetricError> {
        let m = f(&mut self.inner)?;
        self.pending.push(m);
        Ok(self.pending.last().expect("just pushed"))
    }

    /// The wrapped [`CustomMetrics`] (counter totals).
    pub fn metrics(&self) -> &CustomMetrics {
        &self.inner
    }

    /// Records every entry.
    pub fn record_all(&mut self, entries: &[CustomEntry]) -> Result<(), MetricError> {
        for e in entries {
            let tags: Vec<(&str, &str)> = e
                .tags
                .iter()
                .map(|(k, v)| (k.as_str(), v.as_str()))
                .collect();
            let (name, unit) = (e.name.as_str(), e.unit);
            match &e.value {
                CustomValue::Counter(n) => {
                    self.record(|m| m.record_counter(name, *n, &tags))?;
                }
                CustomValue::Gauge(v) => {
                    self.record(|m| m.record_gauge(name, *v, unit, &tags))?;
                }
                CustomValue::Histogram(vs) => {
                    for v in vs {
                        self.record(|m| m.record_histogram(name, *v, unit, &tags))?;
                    }
                }
                CustomValue::Business(v) => {
                    self.record(|m| m.record_business_metric(name, *v, unit, &tags))?;
                }
            }
        }
        Ok(())
    }
}

impl Collector for CustomMetricsCollector {
    fn source(&self) -> &'static str {
        CUSTOM_SOURCE
    }

    fn sample(&mut self, out: &mut Vec<PerformanceMetric>) -> Result<(), CollectError> {
        out.append(&mut self.pending);
        Ok(())
    }
}

fn finite(v: &Value, field: &str) -> Result<f64, FieldError> {
    v.as_f64()
        .filter(|x| x.is_finite())
        .ok_or_else(|| FieldError::new(field, format!("must be a finite number, got {v}")))
}

fn options(
    m: &Map<String, Value>,
    value_key: &str,
) -> Result<(MetricUnit, Vec<(String, String)>), FieldError> {
    let allowed = [value_key, "unit", "tags"];
    check_keys(m, &allowed)?;
    let unit = match m.get("unit") {
        None => MetricUnit::Count,
        Some(Value::String(u)) => {
            MetricUnit::from_str(u).map_err(|e| FieldError::new("unit", e.to_string()))?
        }
        Some(other) => {
            return Err(FieldError::new(
                "unit",
                format!("must be a string, got {other}"),
            ))
        }
    };
    let tags = match m.get("tags") {
        None => Vec::new(),
        Some(Value::Object(t)) => t
            .iter()
            .map(|(k, v)| match v {
                Value::String(s) => Ok((k.clone(), s.clone())),
                other => Err(FieldError::new(
                    format!("tags.{k}"),
                    format!("tag values must be strings, got {other}"),
                )),
            })
            .collect::<Result<_, _>>()?,
        Some(other) => {
            return Err(FieldError::new(
                "tags",
                format!("must be a mapping of strings, got {other}"),
            ))
        }
    };
    if !m.contains_key(value_key) {
        return Err(FieldError::new(value_key, format!("missing '{value_key}'")));
    }
    Ok((unit, tags))
}

fn entry(section: &str, name: &str, v: &Value) -> Result<CustomEntry, FieldError> {
    let value_key = match section {
        "counters" => "increment",
        "histograms" => "values",
        _ => "value",
    };
    let (raw, unit, tags) = match v {
        Value::Object(m) => {
            let (unit, tags) = options(m, value_key)?;
            (&m[value_key], unit, tags)
        }
        other => (other, MetricUnit::Count, Vec::new()),
    };
    let at = if v.is_object() { value_key } else { "" };
    let value = match section {
        "counters" => CustomValue::Counter(raw.as_u64().ok_or_else(|| {
            FieldError::new(
                at,
                format!("a counter increment must be a non-negative integer, got {raw}"),
            )
        })?),
        "gauges" => CustomValue::Gauge(finite(raw, at)?),
        "business" => CustomValue::Business(finite(raw, at)?),
        _ => match raw {
            Value::Array(xs) if !xs.is_empty() => CustomValue::Histogram(
                xs.iter()
                    .enumerate()
                    .map(|(i, x)| finite(x, &format!("{at}[{i}]")))
                    .collect::<Result<_, _>>()?,
            ),
            Value::Array(_) => return Err(FieldError::new(at, "needs at least one value")),
            other => CustomValue::Histogram(vec![finite(other, at)?]),
        },
    };
    Ok(CustomEntry {
        name: name.to_owned(),
        value,
        unit,
        tags,
    })
}

/// Reads the custom metrics of `collectors.custom` (its `enabled` key excepted); errors name
/// the field relative to `custom`.
pub fn parse_entries(custom: &Map<String, Value>) -> Result<Vec<CustomEntry>, FieldError> {
    let mut out = Vec::new();
    for (section, v) in custom {
        if section == "enabled" {
            continue;
        }
        if !SECTIONS.contains(&section.as_str()) {
            return Err(FieldError::new(
                section.as_str(),
                format!(
                    "unknown key '{section}'; accepted: enabled, {}",
                    SECTIONS.join(", ")
                ),
            ));
        }
        let m = v.as_object().ok_or_else(|| {
            FieldError::new(
                section.as_str(),
                format!("must be a mapping of metric names to values, got {v}"),
            )
        })?;
        for (name, value) in m {
            if name.is_empty() {
                return Err(FieldError::new(
                    section.as_str(),
                    "metric names must not be empty",
                ));
            }
            out.push(
                entry(section, name, value).map_err(|e| e.under(&format!("{section}.{name}")))?,
            );
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn recipe_entries_become_framework0_shapes() {
        let spec = json!({
            "enabled": true,
            "counters": {"jobs": 2},
            "gauges": {"queue": {"value": 7.5, "unit": "ms", "tags": {"q": "main"}}},
            "histograms": {"size": [1, 2, 3]},
            "business": {"revenue": 9.5},
        });
        let entries = parse_entries(spec.as_object().unwrap()).unwrap();
        let mut c = CustomMetricsCollector::new();
        c.record_all(&entries).unwrap();
        let m = c.record(|m| m.record_counter("jobs", 3, &[])).unwrap();
        assert_eq!(m.value, 5.0);
        let mut v = Vec::new();
        c.sample(&mut v).unwrap();
        let names: Vec<&str> = v.iter().map(|m| m.name.as_str()).collect();
        // Sections and names are read in sorted order.
        assert_eq!(
            names,
            [
                "gauge_revenue",
                "counter_jobs",
                "gauge_queue",
                "histogram_size",
                "histogram_size",
                "histogram_size",
                "counter_jobs"
            ]
        );
        assert_eq!(v[6].value, 5.0, "counters carry the running total");
        assert_eq!(v[2].unit, MetricUnit::Milliseconds);
        assert_eq!(v[2].tags["q"], "main");
        assert_eq!(v[0].tags["metric_category"], "business");
        assert!(v.iter().all(|m| m.source.as_deref() == Some(CUSTOM_SOURCE)));
        let mut again = Vec::new();
        c.sample(&mut again).unwrap();
        assert!(again.is_empty(), "each metric is handed on once");
        assert_eq!(c.metrics().counter_total("jobs", &[]), 5);
    }

    #[test]
    fn bad_entries_name_their_field() {
        let err = |v: Value| parse_entries(v.as_object().unwrap()).unwrap_err();
        assert_eq!(err(json!({"timers": {}})).field, "timers");
        assert_eq!(err(json!({"counters": {"a": -1}})).field, "counters.a");
        assert_eq!(err(json!({"counters": {"a": 1.5}})).field, "counters.a");
        assert_eq!(
            err(json!({"gauges": {"g": {"value": 1, "unit": "parsecs"}}})).field,
            "gauges.g.unit"
        );
        assert_eq!(
            err(json!({"gauges": {"g": {"valeu": 1}}})).field,
            "gauges.g.valeu"
        );
        assert_eq!(
            err(json!({"histograms": {"h": [1, "x"]}})).field,
            "histograms.h[1]"
        );
        assert_eq!(err(json!({"histograms": {"h": []}})).field, "histograms.h");
        assert_eq!(
            err(json!({"business": {"b": {"value": 1, "tags": {"k": 1}}}})).field,
            "business.b.tags.k"
        );
        assert_eq!(err(json!({"gauges": 3})).field, "gauges");
    }

    #[test]
    fn bad_entries_say_what_is_wrong_and_what_is_accepted() {
        let err = |v: Value| {
            let e = parse_entries(v.as_object().unwrap()).unwrap_err();
            (e.field.clone(), e.message.clone())
        };
        let (field, msg) = err(json!({"gauges": {"g": {"value": 1, "unit": 5}}}));
        assert_eq!(field, "gauges.g.unit");
        assert!(msg.contains("must be a string, got 5"), "{msg}");
        let (field, msg) = err(json!({"gauges": {"g": {"value": 1, "tags": ["a"]}}}));
        assert_eq!(field, "gauges.g.tags");
        assert!(
            msg.contains("must be a mapping of strings, got [\"a\"]"),
            "{msg}"
        );
        let (field, msg) = err(json!({"histograms": {"h": {"unit": "ms"}}}));
        assert_eq!(field, "histograms.h.values");
        assert!(msg.contains("missing 'values'"), "{msg}");
        let (field, msg) = err(json!({"counters": {"": 1}}));
        assert_eq!(field, "counters");
        assert!(msg.contains("metric names must not be empty"), "{msg}");
    }

    #[test]
    fn a_histogram_given_one_number_records_one_observation() {
        let spec = json!({"histograms": {"size": 4.5}});
        let entries = parse_entries(spec.as_object().unwrap()).unwrap();
        let mut c = CustomMetricsCollector::new();
        c.record_all(&entries).unwrap();
        let mut v = Vec::new();
        c.sample(&mut v).unwrap();
        assert_eq!(v.len(), 1);
        assert_eq!((v[0].name.as_str(), v[0].value), ("histogram_size", 4.5));
        assert_eq!(c.source(), CUSTOM_SOURCE, "stored under the custom source");
    }
}
