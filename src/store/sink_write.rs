//! The metrics pipeline's write path: a batch of [`PerformanceMetric`]s goes straight into
//! `metric_samples` in one transaction. Each metric's series is found in the connection's
//! series cache through a key borrowed from the metric ([`SeriesRef`]: no owned key, no
//! allocation for a known series); only a series new to this connection costs its identity
//! check and a `SELECT` (and an `INSERT` if the store lacks it).

use rusqlite::TransactionBehavior;

use super::creator::SeriesCreator;
use super::metrics::{SeriesIds, SeriesRef};
use super::writer::{Row, SampleWriter};
use super::{Store, StoreError};
use crate::metrics::PerformanceMetric;

impl<'a> From<&'a PerformanceMetric> for SeriesRef<'a> {
    fn from(m: &'a PerformanceMetric) -> Self {
        SeriesRef {
            name: &m.name,
            metric_type: m.metric_type.as_str(),
            unit: m.unit.as_str(),
            tags: &m.tags,
            source: m.source.as_deref(),
        }
    }
}

impl Store {
    /// Writes the finite metrics of `batch` for `run_id` in one transaction (after any staged
    /// samples, so samples keep their order); returns how many were written. A metric whose
    /// series identity is invalid fails the whole batch before anything is written.
    pub fn insert_metrics(
        &mut self,
        run_id: Option<i64>,
        batch: &[PerformanceMetric],
    ) -> Result<u64, StoreError> {
        self.flush_staged()?;
        let (path, waited) = (self.path.clone(), self.busy_timeout);
        let err = |e| StoreError::from_sqlite(&path, waited, e);
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(err)?;
        let mut fresh = SeriesIds::default();
        let mut creator = SeriesCreator::new(&tx);
        let mut out = SampleWriter::new(&tx);
        for m in batch.iter().filter(|m| m.value.is_finite()) {
            let key = SeriesRef::from(m);
            let id = match self.series_ids.get(&key).or_else(|| fresh.get(&key)) {
                Some(&id) => id,
                None => {
                    crate::metrics::check_identity(key.name, key.tags).map_err(|e| {
                        StoreError::Data {
                            path: path.clone(),
                            message: format!("cannot store a sample: {e}"),
                        }
                    })?;
                    let owned = key.to_key();
                    let id = creator.id_of(key).map_err(err)?;
                    fresh.insert(owned, id);
                    id
                }
            };
            let context = (!m.context.is_empty())
                .then(|| serde_json::to_string(&m.context).unwrap_or_else(|_| "{}".to_owned()));
            out.push(Row {
                series: id,
                run: run_id,
                ts_ns: m.timestamp,
                value: m.value,
                context,
            })
            .map_err(err)?;
        }
        drop(creator);
        let written = out.finish().map_err(err)?;
        tx.commit().map_err(err)?;
        self.series_ids.extend(fresh);
        self.last_commit = std::time::Instant::now();
        Ok(written)
    }
}
