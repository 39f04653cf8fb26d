//! Metrics recorded in Python (`record_metric`, `performance_timer`, `performance_tracker`)
//! arrive as Framework0 `PerformanceMetric` objects and are written into the run's store
//! through the step's environment, one transaction per batch.

use serde_json::Value;

use crate::metrics::PerformanceMetric;
use crate::scriptlet::{ScriptletError, StepEnv};
use crate::store::{SampleRow, StoreError};

/// Writes the batches of one step and remembers the first store failure.
pub(crate) struct MetricsWriter<'a> {
    env: &'a StepEnv,
    written: usize,
    failed: Option<StoreError>,
}

impl<'a> MetricsWriter<'a> {
    pub(crate) fn new(env: &'a StepEnv) -> Self {
        MetricsWriter {
            env,
            written: 0,
            failed: None,
        }
    }

    /// Writes one batch (a JSON array of metric objects). An object that is not a metric
    /// (or has an empty name) is left out with a warning naming it.
    pub(crate) fn write(&mut self, items: &Value) {
        let Some(items) = items.as_array().filter(|a| !a.is_empty()) else {
            return;
        };
        let rows: Vec<SampleRow> = items.iter().filter_map(row).collect();
        if rows.is_empty() || self.failed.is_some() {
            return;
        }
        let run = Some(self.env.info().run_id);
        match self.env.store().insert_samples(run, &rows) {
            Ok(()) => self.written += rows.len(),
            Err(e) => {
                tracing::error!(target: "f0.bridge", "cannot store the Python step's metrics: {e}");
                self.failed = Some(e);
            }
        }
    }

    /// The step's result for its metrics: the first store failure, if any.
    pub(crate) fn finish(self) -> Result<usize, ScriptletError> {
        match self.failed {
            Some(e) => Err(ScriptletError::failed_in(
                "writing the Python step's metrics",
                e,
            )),
            None => Ok(self.written),
        }
    }
}

/// The sample of one metric object. JSON numbers are finite (the worker tags NaN and
/// infinities as objects, which are not numbers), so beyond its shape only the name needs a
/// check here; the store checks the identity's lengths.
fn row(item: &Value) -> Option<SampleRow> {
    match serde_json::from_value::<PerformanceMetric>(item.clone()) {
        Ok(m) if !m.name.is_empty() => Some(SampleRow::from(&m)),
        Ok(_) => {
            tracing::warn!(target: "f0.bridge", "Python metric {} left out: its name is empty", crate::diagnostic::compact(item));
            None
        }
        Err(e) => {
            tracing::warn!(target: "f0.bridge", "Python metric {} left out: {e}", crate::diagnostic::compact(item));
            None
        }
    }
}
