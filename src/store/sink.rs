//! The store as a [`MetricSink`]: flushed [`PerformanceMetric`]s become series and samples.

use std::path::Path;

use crate::metrics::{MetricSink, PerformanceMetric, SinkError};

use super::{SampleRow, SeriesKey, SharedStore, Store, StoreError};

impl From<&PerformanceMetric> for SampleRow {
    fn from(m: &PerformanceMetric) -> Self {
        SampleRow {
            series: SeriesKey {
                name: m.name.clone(),
                metric_type: m.metric_type.as_str().to_owned(),
                unit: m.unit.as_str().to_owned(),
                tags: m.tags.clone(),
                source: m.source.clone(),
            },
            ts_ns: m.timestamp,
            value: m.value,
            context: (!m.context.is_empty()).then(|| serde_json::Value::Object(m.context.clone())),
        }
    }
}

/// Writes metric batches into a store, attributed to a run (if any), one transaction per batch.
pub struct StoreSink {
    store: Target,
    run_id: Option<i64>,
    written: u64,
}

/// The connection a sink writes through.
enum Target {
    Own(Box<Store>),
    Shared(SharedStore),
}

impl StoreSink {
    /// A sink over its own connection to the store at `path`.
    pub fn open(path: &Path, run_id: Option<i64>) -> Result<StoreSink, StoreError> {
        Ok(StoreSink {
            store: Target::Own(Box::new(Store::open(path)?)),
            run_id,
            written: 0,
        })
    }

    /// A sink writing through a shared store (a recipe step writing into its run's store).
    pub fn shared(store: SharedStore, run_id: Option<i64>) -> StoreSink {
        StoreSink {
            store: Target::Shared(store),
            run_id,
            written: 0,
        }
    }

    /// Samples written so far.
    pub fn written(&self) -> u64 {
        self.written
    }
}

impl MetricSink for StoreSink {
    fn write_batch(&mut self, batch: &[PerformanceMetric]) -> Result<(), SinkError> {
        let rows: Vec<SampleRow> = batch
            .iter()
            .filter(|m| m.value.is_finite())
            .map(SampleRow::from)
            .collect();
        let written = match &mut self.store {
            Target::Own(s) => s.insert_samples(self.run_id, &rows),
            Target::Shared(s) => s.lock().insert_samples(self.run_id, &rows),
        };
        written
            .map_err(|e| SinkError::with_source("cannot write metrics to the context store", e))?;
        self.written += rows.len() as u64;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::metrics::{MetricType, MetricUnit};

    #[test]
    fn metrics_land_as_series_and_samples() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("s.db");
        let mut sink = StoreSink::open(&path, None).unwrap();
        let mut m = PerformanceMetric::new(
            "db_query",
            1500.0,
            MetricType::Timing,
            MetricUnit::Nanoseconds,
        )
        .unwrap();
        m.tags.insert("function".into(), "q".into());
        m.source = Some("application_collector".into());
        sink.write_batch(&[m.clone(), m]).unwrap();
        assert_eq!(sink.written(), 2);
        let store = Store::open(&path).unwrap();
        let got = store.samples("db_query", &Default::default()).unwrap();
        assert_eq!(got.len(), 2);
        assert_eq!(got[0].series.unit, "ns");
        assert_eq!(got[0].series.metric_type, "timing");
        assert_eq!(got[0].series.tags["function"], "q");
        assert_eq!(got[0].value, 1500.0);
    }
}
