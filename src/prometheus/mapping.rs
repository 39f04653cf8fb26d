//! How a stored series appears in Prometheus: its kind (f0 `counter` → counter, `timing` and
//! `histogram` → histogram of the samples, everything else → gauge of the latest value), its
//! base unit, help text and labels (the tags).

use crate::exposition::buckets::{DECADE_BOUNDS, SECONDS_BOUNDS};
use crate::exposition::{base_unit, Accumulator, BaseUnit, FamilySet, Kind};
use crate::store::SeriesKey;

/// The Prometheus view of one stored series.
#[derive(Debug, Clone)]
pub(crate) struct Shape {
    pub kind: Kind,
    pub unit: BaseUnit,
}

impl Shape {
    pub fn of(key: &SeriesKey) -> Shape {
        let kind = match key.metric_type.as_str() {
            "counter" => Kind::Counter,
            "timing" | "histogram" => Kind::Histogram,
            _ => Kind::Gauge,
        };
        Shape {
            kind,
            unit: base_unit(&key.unit),
        }
    }

    /// An empty accumulator with the bucket ladder of this unit.
    pub fn accumulator(&self) -> Accumulator {
        Accumulator::new(if self.unit.is_seconds() {
            SECONDS_BOUNDS
        } else {
            DECADE_BOUNDS
        })
    }

    /// The family of `key` in `set`.
    pub fn family(&self, set: &mut FamilySet, key: &SeriesKey) -> usize {
        set.family(&key.name, self.kind, self.unit.name, || {
            help(key, self.kind)
        })
    }
}

/// Help text: the f0 name, type and unit the family came from. It depends on nothing that
/// changes between scrapes or pushes (the Pushgateway refuses a family whose help changes).
fn help(key: &SeriesKey, kind: Kind) -> String {
    let what = match kind {
        Kind::Histogram => "Distribution of the stored samples of",
        Kind::Counter => "Latest stored total of",
        Kind::Gauge | Kind::Summary => "Latest stored value of",
    };
    format!(
        "{what} f0 metric {} ({}, unit {}).",
        key.name, key.metric_type, key.unit
    )
}

/// The labels of `key`: its tags, with the names in `taken` (labels the caller adds itself)
/// renamed `exported_<name>`, as Prometheus does on a clash.
pub(crate) fn labels<'a>(
    key: &'a SeriesKey,
    taken: &'a [&'a str],
) -> impl Iterator<Item = (String, String)> + 'a {
    key.tags.iter().map(move |(k, v)| {
        let k = if taken.contains(&k.as_str()) {
            format!("exported_{k}")
        } else {
            k.clone()
        };
        (k, v.clone())
    })
}
