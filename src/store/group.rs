//! Samples of several series that share their tags and source and were taken at one instant
//! (a step's six measurements: `runner::measure::STEP_SERIES`), staged as one entry.
//!
//! Built as six [`SampleRow`]s, a step's measurements cost six owned keys, each with its own
//! copy of the step's tags, built on the runner's thread and dropped after the commit
//! (callgrind, 1,000 no-op steps: 28 k instructions per step, a quarter of the runner's
//! thread). A group holds the tags once. A commit finds all of a group's series ids with one
//! lookup in the connection's group cache ([`GroupIds`]: filled by the commits that created
//! or found them, and by the preload of a recipe's known step series, `store/preload.rs`);
//! a group missing there is resolved series by series through keys borrowed from it
//! ([`SeriesRef`]), and only its new series are created.

use std::collections::BTreeMap;

use serde_json::Value;

use super::metrics::SeriesRef;
use super::{SampleRow, SeriesShape};

/// One value per series of `shapes`, all tagged `tags`, from `source`, at `ts_ns`.
#[derive(Debug, Clone, PartialEq)]
pub struct SampleGroup {
    /// The series' names, types and units, in the order of `values`.
    pub shapes: &'static [SeriesShape<'static>],
    /// The tags every series of the group carries.
    pub tags: BTreeMap<String, String>,
    /// The producer of every series of the group.
    pub source: Option<&'static str>,
    /// Epoch nanoseconds of every sample.
    pub ts_ns: i64,
    /// One finite value per shape.
    pub values: Vec<f64>,
}

impl SampleGroup {
    /// The group's series as references borrowed from it, in shape order (one per value).
    pub(super) fn series(&self) -> impl Iterator<Item = SeriesRef<'_>> + '_ {
        self.shapes
            .iter()
            .take(self.values.len())
            .map(|&(name, metric_type, unit)| SeriesRef {
                name,
                metric_type,
                unit,
                tags: &self.tags,
                source: self.source,
            })
    }

    /// Number of samples (the shapes that have a value).
    pub fn len(&self) -> usize {
        self.shapes.len().min(self.values.len())
    }

    /// True when the group holds no sample.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// What a group's series ids are cached by: its shapes, tags and source.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct GroupKey {
    shapes: &'static [SeriesShape<'static>],
    tags: BTreeMap<String, String>,
    source: Option<&'static str>,
}

impl std::hash::Hash for GroupKey {
    fn hash<H: std::hash::Hasher>(&self, h: &mut H) {
        GroupRef::from(self).hash(h);
    }
}

/// A [`GroupKey`] borrowed from a group: hashes and compares as the owned key does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct GroupRef<'a> {
    shapes: &'a [SeriesShape<'static>],
    tags: &'a BTreeMap<String, String>,
    source: Option<&'a str>,
}

impl std::hash::Hash for GroupRef<'_> {
    fn hash<H: std::hash::Hasher>(&self, h: &mut H) {
        // The shapes by their first name and number: cheap, and the tags tell groups apart.
        self.shapes.len().hash(h);
        self.shapes.first().map(|s| s.0).hash(h);
        self.tags.hash(h);
        self.source.hash(h);
    }
}

impl<'a> From<&'a GroupKey> for GroupRef<'a> {
    fn from(k: &'a GroupKey) -> Self {
        GroupRef {
            shapes: k.shapes,
            tags: &k.tags,
            source: k.source,
        }
    }
}

impl<'a> From<&'a SampleGroup> for GroupRef<'a> {
    fn from(g: &'a SampleGroup) -> Self {
        GroupRef {
            shapes: g.shapes,
            tags: &g.tags,
            source: g.source,
        }
    }
}

impl hashbrown::Equivalent<GroupKey> for GroupRef<'_> {
    fn equivalent(&self, k: &GroupKey) -> bool {
        // The shapes are nearly always the same static list: its address settles it.
        (std::ptr::eq(self.shapes, k.shapes) || self.shapes == k.shapes)
            && self.source == k.source
            && *self.tags == k.tags
    }
}

/// The series ids of groups this connection has written or preloaded, one per shape: a
/// group found here costs one lookup for all its series, not one per series.
#[derive(Debug, Default)]
pub(super) struct GroupIds {
    ids: hashbrown::HashMap<GroupKey, Box<[i64]>, foldhash::fast::RandomState>,
}

impl GroupIds {
    /// The series ids of `group`'s shapes, if known.
    pub fn get(&self, group: &SampleGroup) -> Option<&[i64]> {
        self.ids.get(&GroupRef::from(group)).map(|ids| &ids[..])
    }

    /// Learns the series ids of the groups of `shapes` tagged `tags` from `source`.
    pub fn insert(
        &mut self,
        shapes: &'static [SeriesShape<'static>],
        tags: BTreeMap<String, String>,
        source: Option<&'static str>,
        ids: Box<[i64]>,
    ) {
        let key = GroupKey {
            shapes,
            tags,
            source,
        };
        self.ids.insert(key, ids);
    }

    /// Number of groups known.
    #[cfg(test)]
    pub fn len(&self) -> usize {
        self.ids.len()
    }
}

/// One sample on its way to `metric_samples`, borrowed from a staged row or group.
#[derive(Debug, Clone, Copy)]
pub(super) struct SampleView<'a> {
    /// The run that wrote it.
    pub run: Option<i64>,
    /// Epoch nanoseconds.
    pub ts_ns: i64,
    /// The value.
    pub value: f64,
    /// Extra context, if any.
    pub context: Option<&'a Value>,
}

impl<'a> SampleView<'a> {
    /// The view of `row`, written by `run`.
    pub fn of_row(run: Option<i64>, row: &'a SampleRow) -> Self {
        SampleView {
            run,
            ts_ns: row.ts_ns,
            value: row.value,
            context: row.context.as_ref(),
        }
    }

    /// The views of `group`'s samples, written by `run`.
    pub fn of_group(
        run: Option<i64>,
        group: &'a SampleGroup,
    ) -> impl Iterator<Item = SampleView<'a>> + 'a {
        group.values.iter().map(move |&value| SampleView {
            run,
            ts_ns: group.ts_ns,
            value,
            context: None,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::Store;

    const SHAPES: [SeriesShape<'static>; 2] =
        [("a_time", "timing", "ns"), ("b_bytes", "resource", "bytes")];

    fn group(step: &str, values: [f64; 2]) -> SampleGroup {
        SampleGroup {
            shapes: &SHAPES,
            tags: [
                ("recipe".to_owned(), "r".to_owned()),
                ("step".to_owned(), step.to_owned()),
            ]
            .into(),
            source: Some("runner"),
            ts_ns: 7,
            values: values.to_vec(),
        }
    }

    #[test]
    fn a_group_reads_back_as_the_rows_it_stands_for() {
        let dir = tempfile::tempdir().unwrap();
        let mut store = Store::open(&dir.path().join("s.db")).unwrap();
        let run = store.begin_run("r", "r.yaml", 1.0).unwrap();
        store
            .stage_group(Some(run), group("s1", [1.5, 2.0]))
            .unwrap();
        store
            .stage_group(Some(run), group("s2", [3.0, -4.0]))
            .unwrap();
        assert_eq!(store.staged_len(), 4);
        store.flush_staged().unwrap();
        // Again, with the series known to the connection now.
        store
            .stage_group(Some(run), group("s1", [5.0, 6.0]))
            .unwrap();
        store.flush_staged().unwrap();
        let fresh = Store::open(&dir.path().join("s.db")).unwrap();
        let a = fresh.samples("a_time", &BTreeMap::new()).unwrap();
        let got: Vec<(String, f64, Option<i64>)> = a
            .iter()
            .map(|s| (s.series.tags["step"].clone(), s.value, s.run_id))
            .collect();
        assert_eq!(
            got,
            [
                ("s1".into(), 1.5, Some(run)),
                ("s2".into(), 3.0, Some(run)),
                ("s1".into(), 5.0, Some(run))
            ]
        );
        let b = fresh.samples("b_bytes", &BTreeMap::new()).unwrap();
        assert_eq!(
            b.iter().map(|s| s.value).collect::<Vec<_>>(),
            [2.0, -4.0, 6.0]
        );
        assert_eq!(b[0].series.unit, "bytes");
        assert_eq!(b[0].series.source.as_deref(), Some("runner"));
        let series: i64 = fresh
            .connection()
            .query_row("SELECT COUNT(*) FROM metric_series", [], |r| r.get(0))
            .unwrap();
        assert_eq!(series, 4, "two steps, two series each, none created twice");
    }

    #[test]
    fn a_group_with_a_bad_tag_is_refused_when_staged_and_nothing_is_kept() {
        let dir = tempfile::tempdir().unwrap();
        let mut store = Store::open(&dir.path().join("s.db")).unwrap();
        let mut bad = group("s1", [1.0, 2.0]);
        bad.tags.insert("k".into(), "v".repeat(2000));
        let e = store.stage_group(None, bad).unwrap_err().to_string();
        assert!(e.contains("cannot store a sample"), "{e}");
        assert_eq!(store.staged_len(), 0);
    }
}
