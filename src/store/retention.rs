//! Retention of metric samples: `max_age_days` and `max_metrics_count`
//! (MetricsConfiguration `storage` / `retention`), enforced in one transaction.

use rusqlite::params;
use serde::Serialize;

use super::{Store, StoreError};

/// What a retention pass removed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
pub struct RetentionReport {
    /// Samples older than the age limit.
    pub expired: u64,
    /// Oldest samples removed to get under the count limit.
    pub over_limit: u64,
}

/// Drops the `metric_run_series` rows whose run has no sample of their series left.
const FORGET_EMPTY_RUN_SERIES: &str = "DELETE FROM metric_run_series WHERE NOT EXISTS \
    (SELECT 1 FROM metric_samples m WHERE m.id BETWEEN metric_run_series.first_id \
    AND metric_run_series.last_id AND m.run_id = metric_run_series.run_id \
    AND m.series_id = metric_run_series.series_id)";

impl Store {
    /// Deletes samples older than `max_age_days` before `now_ns`, then the oldest samples
    /// beyond `max_count`. Series rows stay (they are small and keep their ids stable).
    pub fn enforce_retention(
        &mut self,
        now_ns: i64,
        max_age_days: f64,
        max_count: u64,
    ) -> Result<RetentionReport, StoreError> {
        let age_ns = (max_age_days.max(0.0) * 86_400e9).min(i64::MAX as f64) as i64;
        let cutoff = now_ns.saturating_sub(age_ns);
        let (expired, over_limit) = self.write_tx(|tx| {
            let expired = tx.execute(
                "DELETE FROM metric_samples WHERE ts_ns < ?1",
                params![cutoff],
            )? as u64;
            let count: i64 =
                tx.query_row("SELECT COUNT(*) FROM metric_samples", [], |r| r.get(0))?;
            let excess = (count as u64).saturating_sub(max_count);
            let over_limit = if excess > 0 {
                tx.execute(
                    "DELETE FROM metric_samples WHERE rowid IN \
                     (SELECT rowid FROM metric_samples ORDER BY ts_ns, rowid LIMIT ?1)",
                    params![excess as i64],
                )? as u64
            } else {
                0
            };
            if expired + over_limit > 0 {
                tx.execute_batch(FORGET_EMPTY_RUN_SERIES)?;
            }
            Ok((expired, over_limit))
        })?;
        Ok(RetentionReport {
            expired,
            over_limit,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::{SampleRow, SeriesKey};

    fn sample(ts_ns: i64) -> SampleRow {
        SampleRow {
            series: SeriesKey {
                name: "m".into(),
                metric_type: "gauge".into(),
                unit: "count".into(),
                tags: Default::default(),
                source: None,
            },
            ts_ns,
            value: ts_ns as f64,
            context: None,
        }
    }

    #[test]
    fn removes_expired_then_oldest_over_the_limit() {
        let dir = tempfile::tempdir().unwrap();
        let mut store = Store::open(&dir.path().join("s.db")).unwrap();
        let day = 86_400_000_000_000i64;
        let now = 100 * day;
        let rows: Vec<SampleRow> = [
            now - 40 * day,
            now - 31 * day,
            now - 3 * day,
            now - 2 * day,
            now - day,
        ]
        .into_iter()
        .map(sample)
        .collect();
        store.insert_samples(None, &rows).unwrap();
        let report = store.enforce_retention(now, 30.0, 2).unwrap();
        assert_eq!(
            report,
            RetentionReport {
                expired: 2,
                over_limit: 1
            }
        );
        let left: Vec<i64> = store
            .samples("m", &Default::default())
            .unwrap()
            .iter()
            .map(|s| s.ts_ns)
            .collect();
        assert_eq!(left, [now - 2 * day, now - day]);
    }
}
