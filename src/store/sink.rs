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
        let written = match &mut self.store {
            Target::Own(s) => s.insert_metrics(self.run_id, batch),
            Target::Shared(s) => s.lock().insert_metrics(self.run_id, batch),
        };
        self.written += written
            .map_err(|e| SinkError::with_source("cannot write metrics to the context store", e))?;
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

    fn metric(name: &str, value: f64, shard: &str) -> PerformanceMetric {
        let mut m = PerformanceMetric::new("x", 1.0, MetricType::Gauge, MetricUnit::Count).unwrap();
        m.name = name.to_owned();
        m.value = value;
        m.timestamp = (value * 1000.0) as i64;
        m.tags.insert("shard".into(), shard.into());
        m
    }

    #[test]
    fn a_batch_keeps_its_run_context_and_order_and_skips_non_finite_values() {
        let dir = tempfile::tempdir().unwrap();
        let mut store = Store::open(&dir.path().join("s.db")).unwrap();
        let run = store.begin_run("r", "r.yaml", 1.0).unwrap();
        let staged = SampleRow::from(&metric("m", 0.5, "a"));
        store.stage_samples(Some(run), vec![staged]).unwrap();
        let mut with_context = metric("m", 2.0, "b");
        with_context
            .context
            .insert("error".into(), serde_json::json!("boom"));
        let batch = [
            metric("m", 1.0, "a"),
            metric("m", f64::NAN, "a"),
            with_context,
        ];
        assert_eq!(store.insert_metrics(Some(run), &batch).unwrap(), 2);
        assert_eq!(store.staged_len(), 0);
        let values: Vec<f64> = store
            .samples_of_runs(&[run])
            .unwrap()
            .iter()
            .map(|r| r.value)
            .collect();
        assert_eq!(values, [0.5, 1.0, 2.0], "the staged sample first");
        let context: Option<String> = store
            .connection()
            .query_row(
                "SELECT context FROM metric_samples WHERE value = 2.0",
                [],
                |r| r.get(0),
            )
            .unwrap();
        assert_eq!(context.as_deref(), Some(r#"{"error":"boom"}"#));
        assert_eq!(store.run_series(run).unwrap().len(), 2, "shards a and b");
        // A second batch of known series costs no new series row.
        store
            .insert_metrics(None, &[metric("m", 3.0, "b")])
            .unwrap();
        let series: i64 = store
            .connection()
            .query_row("SELECT COUNT(*) FROM metric_series", [], |r| r.get(0))
            .unwrap();
        assert_eq!(series, 2);
    }

    #[test]
    fn a_bad_series_identity_fails_the_whole_batch() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("s.db");
        let mut sink = StoreSink::open(&path, None).unwrap();
        let err = sink
            .write_batch(&[metric("ok", 1.0, "a"), metric("", 2.0, "a")])
            .unwrap_err();
        assert!(
            format!("{err:?}").contains("cannot store a sample"),
            "{err:?}"
        );
        assert_eq!(sink.written(), 0);
        let store = Store::open(&path).unwrap();
        assert!(store.samples("ok", &Default::default()).unwrap().is_empty());
    }
}
