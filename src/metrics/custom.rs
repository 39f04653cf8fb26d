//! Custom metrics in Framework0's shapes (COMPAT.md §4), source `custom_collector`.
//!
//! - `record_counter("jobs", 2)` → `counter_jobs`, type `counter`, unit `count`, value = the
//!   running total of that counter (per name and tags) in this collector;
//! - `record_gauge("queue", 7.0, unit)` → `gauge_queue`, type `gauge`;
//! - `record_histogram("size", 512.0, unit)` → `histogram_size`, type `histogram`;
//! - `record_business_metric("revenue", 9.5, unit)` → a gauge (`gauge_revenue`) tagged
//!   `metric_category: "business"`.
//!
//! Each call returns the metric it built. With a pipeline installed the metric is also
//! recorded (filters apply; gauges and histograms are aggregated, counters emitted as is).

use std::collections::HashMap;

use super::direct::{push_direct, Direct};
use super::handles::{admitted, tags_of};
use super::pipeline::is_enabled;
use super::registry::register;
use super::types::{MetricError, MetricType, MetricUnit, PerformanceMetric, Tags};

/// The `source` of custom metrics.
pub const CUSTOM_SOURCE: &str = "custom_collector";

/// A collector of custom metrics; keeps counter totals.
#[derive(Debug, Default)]
pub struct CustomMetrics {
    counters: HashMap<(String, Tags), u64>,
}

impl CustomMetrics {
    /// An empty collector.
    pub fn new() -> Self {
        CustomMetrics::default()
    }

    /// Adds `increment` to counter `name` and records its running total as `counter_<name>`.
    pub fn record_counter(
        &mut self,
        name: &str,
        increment: u64,
        tags: &[(&str, &str)],
    ) -> Result<PerformanceMetric, MetricError> {
        let tags = tags_of(tags);
        let total = self
            .counters
            .entry((name.to_string(), tags.clone()))
            .or_insert(0);
        *total = total.saturating_add(increment);
        let total = *total as f64;
        emit(
            "counter_",
            name,
            total,
            MetricType::Counter,
            MetricUnit::Count,
            tags,
        )
    }

    /// Records gauge `gauge_<name>`.
    pub fn record_gauge(
        &mut self,
        name: &str,
        value: f64,
        unit: MetricUnit,
        tags: &[(&str, &str)],
    ) -> Result<PerformanceMetric, MetricError> {
        emit(
            "gauge_",
            name,
            value,
            MetricType::Gauge,
            unit,
            tags_of(tags),
        )
    }

    /// Records one sample of histogram `histogram_<name>`.
    pub fn record_histogram(
        &mut self,
        name: &str,
        value: f64,
        unit: MetricUnit,
        tags: &[(&str, &str)],
    ) -> Result<PerformanceMetric, MetricError> {
        emit(
            "histogram_",
            name,
            value,
            MetricType::Histogram,
            unit,
            tags_of(tags),
        )
    }

    /// Records a business metric: gauge `gauge_<name>` tagged `metric_category: business`.
    pub fn record_business_metric(
        &mut self,
        name: &str,
        value: f64,
        unit: MetricUnit,
        tags: &[(&str, &str)],
    ) -> Result<PerformanceMetric, MetricError> {
        let mut t = tags_of(tags);
        t.insert("metric_category".into(), "business".into());
        emit("gauge_", name, value, MetricType::Gauge, unit, t)
    }

    /// The running total of counter `name` with `tags`.
    pub fn counter_total(&self, name: &str, tags: &[(&str, &str)]) -> u64 {
        self.counters
            .get(&(name.to_string(), tags_of(tags)))
            .copied()
            .unwrap_or(0)
    }
}

fn emit(
    prefix: &str,
    name: &str,
    value: f64,
    metric_type: MetricType,
    unit: MetricUnit,
    tags: Tags,
) -> Result<PerformanceMetric, MetricError> {
    let mut m = PerformanceMetric::new(format!("{prefix}{name}"), value, metric_type, unit)?;
    if name.is_empty() {
        return Err(MetricError::EmptyName);
    }
    m.tags = tags;
    m.source = Some(CUSTOM_SOURCE.into());
    if is_enabled() {
        let site = register(&m.name, metric_type, unit, m.tags.clone());
        if admitted(site, || value, || super::clock::clock().raw()) {
            push_direct(Direct {
                site,
                metric: m.clone(),
                call: None,
            });
        }
    }
    Ok(m)
}
