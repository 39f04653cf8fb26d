//! The store as a scrape target: the latest value of every gauge and counter series, and
//! cumulative histograms of every timing and histogram series.
//!
//! The first read takes the store whole (one index seek per series for the latest values,
//! plus the samples of timing/histogram series); every later scrape reads only the samples
//! written since (rows above the last rowid seen), so its cost follows what changed, not the
//! store's size. Histogram buckets are therefore cumulative counters over every sample seen —
//! what Prometheus's `rate()` and `histogram_quantile()` expect — starting from the samples
//! stamped at or after `since_ns` (all samples when there is none). If the store's rowids ever
//! go backwards (a VACUUM renumbered them, the file was replaced), the exporter starts over,
//! which Prometheus sees as a counter reset.

use std::collections::BTreeMap;

use crate::exposition::{Family, FamilySet};
use crate::store::{Store, StoreError};

use super::mapping::SeriesState;

/// Incremental store exporter (see the module docs).
pub struct StoreExporter {
    since_ns: Option<i64>,
    series: BTreeMap<i64, SeriesState>,
    /// Highest series id and sample rowid read; none before the first read.
    cursor: Option<(i64, i64)>,
    duplicates: u64,
}

impl StoreExporter {
    /// An exporter whose histograms count samples stamped at or after `since_ns` (epoch ns)
    /// and every sample written later; all samples when `since_ns` is none.
    pub fn new(since_ns: Option<i64>) -> StoreExporter {
        StoreExporter {
            since_ns,
            series: BTreeMap::new(),
            cursor: None,
            duplicates: 0,
        }
    }

    /// Reads what changed in `store` and returns the families to expose.
    pub fn scrape(&mut self, store: &Store) -> Result<Vec<Family>, StoreError> {
        self.refresh(store)?;
        Ok(self.families())
    }

    /// Series left out of the last scrape because another series of their family had the
    /// same labels once sanitised.
    pub fn duplicates(&self) -> u64 {
        self.duplicates
    }

    /// Brings the tracked state up to date with `store`.
    pub fn refresh(&mut self, store: &Store) -> Result<(), StoreError> {
        store.read_snapshot(|store| {
            let max_rowid = store.max_sample_rowid()?;
            let (series_id, rowid) = match self.cursor {
                Some((_, rowid)) if max_rowid < rowid => {
                    *self = StoreExporter::new(self.since_ns);
                    (0, None)
                }
                Some((series_id, rowid)) => (series_id, Some(rowid)),
                None => (0, None),
            };
            let mut max_id = series_id;
            for s in store.series_after(series_id)? {
                max_id = max_id.max(s.id);
                self.series.insert(s.id, SeriesState::new(s.key));
            }
            match rowid {
                Some(rowid) => self.read_new(store, rowid)?,
                None => self.read_all(store)?,
            }
            self.cursor = Some((max_id, max_rowid));
            Ok(())
        })
    }

    /// First read: latest values by index, histogram samples since the window.
    fn read_all(&mut self, store: &Store) -> Result<(), StoreError> {
        for sample in store.latest_samples()? {
            if let Some(t) = self.series.get_mut(&sample.series_id) {
                t.observe(sample, false);
            }
        }
        for (&id, t) in self.series.iter_mut().filter(|(_, t)| t.is_histogram()) {
            store.series_samples_since(id, self.since_ns, |s| t.observe(s, true))?;
        }
        Ok(())
    }

    /// Later reads: the samples written since the last read.
    fn read_new(&mut self, store: &Store, rowid: i64) -> Result<(), StoreError> {
        let since = self.since_ns.unwrap_or(i64::MIN);
        store.samples_after_rowid(rowid, |s| {
            if let Some(t) = self.series.get_mut(&s.series_id) {
                t.observe(s, s.ts_ns >= since);
            }
        })
    }

    fn families(&mut self) -> Vec<Family> {
        let mut set = FamilySet::new();
        for t in self.series.values() {
            t.expose(&mut set, &[], &[]);
        }
        self.duplicates = set.duplicates();
        set.into_families()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::exposition::{encode, Format};
    use crate::metrics::{MetricType, MetricUnit, PerformanceMetric};
    use crate::store::SampleRow;

    fn sample(name: &str, metric_type: &str, ts_ns: i64, value: f64) -> SampleRow {
        let (t, u) = match metric_type {
            "timing" => (MetricType::Timing, MetricUnit::Milliseconds),
            _ => (MetricType::Gauge, MetricUnit::Count),
        };
        let mut m = PerformanceMetric::new(name, value, t, u).unwrap();
        m.timestamp = ts_ns;
        SampleRow::from(&m)
    }

    fn scraped(e: &mut StoreExporter, store: &Store) -> String {
        let mut out = Vec::new();
        encode(&e.scrape(store).unwrap(), Format::Text, &mut out);
        String::from_utf8(out).unwrap()
    }

    fn line<'a>(text: &'a str, prefix: &str) -> &'a str {
        text.lines()
            .find(|l| l.starts_with(prefix))
            .unwrap_or_else(|| panic!("no {prefix} in:\n{text}"))
    }

    #[test]
    fn later_scrapes_add_new_samples_and_a_replaced_store_starts_over() {
        let dir = tempfile::tempdir().unwrap();
        let mut store = Store::open(&dir.path().join("a.db")).unwrap();
        store
            .insert_samples(
                None,
                &[
                    sample("queue_depth", "gauge", 1, 3.0),
                    sample("work", "timing", 1, 2.0),
                ],
            )
            .unwrap();
        let mut e = StoreExporter::new(None);
        let first = scraped(&mut e, &store);
        assert_eq!(line(&first, "queue_depth "), "queue_depth 3");
        assert!(
            line(&first, "work_seconds_count").ends_with(" 1"),
            "{first}"
        );
        // Only what was written since is read; histogram counts keep growing.
        store
            .insert_samples(
                None,
                &[
                    sample("queue_depth", "gauge", 2, 5.0),
                    sample("work", "timing", 2, 4.0),
                    sample("work", "timing", 3, 6.0),
                ],
            )
            .unwrap();
        let second = scraped(&mut e, &store);
        assert_eq!(line(&second, "queue_depth "), "queue_depth 5");
        assert!(
            line(&second, "work_seconds_count").ends_with(" 3"),
            "{second}"
        );
        // Another file with fewer rows (the store was replaced): counters start over.
        let mut other = Store::open(&dir.path().join("b.db")).unwrap();
        other
            .insert_samples(None, &[sample("work", "timing", 5, 1.0)])
            .unwrap();
        let third = scraped(&mut e, &other);
        assert!(!third.contains("queue_depth"), "{third}");
        assert!(
            line(&third, "work_seconds_count").ends_with(" 1"),
            "{third}"
        );
        assert_eq!(e.duplicates(), 0);
    }
}
