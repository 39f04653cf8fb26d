//! Building the metrics of one sample: one timestamp and one source for all of them.

use crate::metrics::{MetricType, MetricUnit, PerformanceMetric, Tags};

/// Appends metrics stamped with one timestamp and source to a buffer.
pub struct Emitter<'a> {
    out: &'a mut Vec<PerformanceMetric>,
    ts: i64,
    source: &'static str,
}

impl<'a> Emitter<'a> {
    /// An emitter writing to `out` with timestamp `ts` (epoch ns) and `source`.
    pub fn new(out: &'a mut Vec<PerformanceMetric>, ts: i64, source: &'static str) -> Self {
        Emitter { out, ts, source }
    }

    /// Appends an untagged metric. A non-finite value is skipped (it is never a valid
    /// sample) and `None` returned.
    pub fn push(
        &mut self,
        name: impl Into<String>,
        value: f64,
        metric_type: MetricType,
        unit: MetricUnit,
    ) -> Option<&mut PerformanceMetric> {
        self.push_tagged(name, value, metric_type, unit, &[])
    }

    /// Appends a metric with `tags`; see [`Emitter::push`].
    pub fn push_tagged(
        &mut self,
        name: impl Into<String>,
        value: f64,
        metric_type: MetricType,
        unit: MetricUnit,
        tags: &[(&str, &str)],
    ) -> Option<&mut PerformanceMetric> {
        if !value.is_finite() {
            return None;
        }
        let tags: Tags = tags
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect();
        self.out.push(PerformanceMetric {
            name: name.into(),
            value,
            metric_type,
            unit,
            timestamp: self.ts,
            tags,
            source: Some(self.source.to_owned()),
            context: serde_json::Map::new(),
        });
        self.out.last_mut()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stamps_source_and_time_and_skips_non_finite() {
        let mut v = Vec::new();
        let mut e = Emitter::new(&mut v, 42, "system_collector");
        e.push("a", 1.0, MetricType::Gauge, MetricUnit::Count);
        assert!(e
            .push_tagged(
                "b",
                f64::NAN,
                MetricType::Gauge,
                MetricUnit::Count,
                &[("k", "v")]
            )
            .is_none());
        e.push_tagged(
            "c",
            2.0,
            MetricType::Resource,
            MetricUnit::Percent,
            &[("k", "v")],
        );
        assert_eq!(v.len(), 2);
        assert_eq!(v[1].timestamp, 42);
        assert_eq!(v[1].source.as_deref(), Some("system_collector"));
        assert_eq!(v[1].tags["k"], "v");
    }
}
