//! The store as a scrape target: the latest value of every gauge and counter series, and
//! cumulative histograms of every timing and histogram series.
//!
//! The first scrape reads the store once (one index seek per series for the latest values,
//! the samples of timing/histogram series); every later scrape reads only the samples written
//! since (rows above the last rowid seen), so its cost follows what changed, not the store's
//! size. Histogram buckets are therefore cumulative counters over every sample seen — what
//! Prometheus's `rate()` and `histogram_quantile()` expect — starting from the samples stamped
//! within `window` before the exporter was created (all samples when there is no window).
//! If the store's rowids ever go backwards (a VACUUM renumbered them, the file was replaced),
//! the exporter starts over, which Prometheus sees as a counter reset.

use std::collections::BTreeMap;

use crate::exposition::{Accumulator, Family, FamilySet, Kind, Value};
use crate::store::exposition::{ExposedSample, ExposedSeries};
use crate::store::{SeriesKey, Store, StoreError};

use super::mapping::{labels, Shape};

struct Tracked {
    key: SeriesKey,
    shape: Shape,
    latest: Option<ExposedSample>,
    hist: Option<Accumulator>,
}

/// Incremental store exporter (see the module docs).
pub struct StoreExporter {
    since_ns: Option<i64>,
    series: BTreeMap<i64, Tracked>,
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

    /// Series dropped at the last scrape because another series of the same family had the
    /// same labels after sanitising.
    pub fn duplicates(&self) -> u64 {
        self.duplicates
    }

    /// Brings the tracked state up to date with `store`.
    pub fn refresh(&mut self, store: &Store) -> Result<(), StoreError> {
        store.read_snapshot(|store| {
            let max_rowid = store.max_sample_rowid()?;
            match self.cursor {
                Some((_, rowid)) if max_rowid < rowid => {
                    *self = StoreExporter::new(self.since_ns);
                    self.load(store, max_rowid)
                }
                Some(cursor) => self.update(store, cursor, max_rowid),
                None => self.load(store, max_rowid),
            }
        })
    }

    fn track(&mut self, series: Vec<ExposedSeries>) -> i64 {
        let mut max_id = self.cursor.map_or(0, |c| c.0);
        for s in series {
            let shape = Shape::of(&s.key);
            let hist = (shape.kind == Kind::Histogram).then(|| shape.accumulator());
            max_id = max_id.max(s.id);
            self.series.insert(
                s.id,
                Tracked {
                    key: s.key,
                    shape,
                    latest: None,
                    hist,
                },
            );
        }
        max_id
    }

    /// First read: every series, latest values by index, histogram samples since the window.
    fn load(&mut self, store: &Store, max_rowid: i64) -> Result<(), StoreError> {
        let max_id = self.track(store.series_after(0)?);
        for sample in store.latest_samples()? {
            if let Some(t) = self.series.get_mut(&sample.series_id) {
                t.latest = Some(sample);
            }
        }
        for (&id, t) in self.series.iter_mut() {
            if let Some(acc) = t.hist.as_mut() {
                let scale = t.shape.unit.scale;
                store.series_samples_since(id, self.since_ns, |s| acc.observe(s.value * scale))?;
            }
        }
        self.cursor = Some((max_id, max_rowid));
        Ok(())
    }

    /// Later reads: new series, then the samples written since the last read.
    fn update(
        &mut self,
        store: &Store,
        (series_id, rowid): (i64, i64),
        max_rowid: i64,
    ) -> Result<(), StoreError> {
        let max_id = self.track(store.series_after(series_id)?);
        let since = self.since_ns.unwrap_or(i64::MIN);
        store.samples_after_rowid(rowid, |s| {
            let Some(t) = self.series.get_mut(&s.series_id) else {
                return;
            };
            if t.latest.map_or(true, |l| s.is_after(&l)) {
                t.latest = Some(s);
            }
            if let (Some(acc), true) = (t.hist.as_mut(), s.ts_ns >= since) {
                acc.observe(s.value * t.shape.unit.scale);
            }
        })?;
        self.cursor = Some((max_id, max_rowid));
        Ok(())
    }

    fn families(&mut self) -> Vec<Family> {
        let mut set = FamilySet::new();
        for t in self.series.values() {
            let value = match (&t.hist, t.latest) {
                (Some(acc), _) if acc.count() > 0 => Value::Histogram(acc.value()),
                (None, Some(l)) if t.shape.kind == Kind::Counter => {
                    Value::Counter(l.value * t.shape.unit.scale)
                }
                (None, Some(l)) => Value::Gauge(l.value * t.shape.unit.scale),
                _ => continue,
            };
            let family = t.shape.family(&mut set, &t.key);
            // The value was built for the series' kind, so it always fits its family.
            let _ = set.push(family, labels(&t.key, &[]), value);
        }
        self.duplicates = set.duplicates();
        set.into_families()
    }
}
