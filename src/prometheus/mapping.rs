//! How a stored series appears in Prometheus: its kind (f0 `counter` → counter, `timing` and
//! `histogram` → histogram of the samples, everything else → gauge of the latest value), its
//! base unit, help text and labels (the tags).

use crate::exposition::buckets::{DECADE_BOUNDS, SECONDS_BOUNDS};
use crate::exposition::{base_unit, Accumulator, BaseUnit, FamilySet, Kind, Value};
use crate::store::exposition::ExposedSample;
use crate::store::SeriesKey;

/// One stored series as it is being exposed: its latest sample and, for timers and
/// histograms, the buckets of the samples counted so far.
pub(crate) struct SeriesState {
    key: SeriesKey,
    kind: Kind,
    unit: BaseUnit,
    latest: Option<ExposedSample>,
    hist: Option<Accumulator>,
}

impl SeriesState {
    pub fn new(key: SeriesKey) -> SeriesState {
        let kind = match key.metric_type.as_str() {
            "counter" => Kind::Counter,
            "timing" | "histogram" => Kind::Histogram,
            _ => Kind::Gauge,
        };
        let unit = base_unit(&key.unit);
        let bounds = if unit.is_seconds() {
            SECONDS_BOUNDS
        } else {
            DECADE_BOUNDS
        };
        let hist = (kind == Kind::Histogram).then(|| Accumulator::in_unit(bounds, unit));
        SeriesState {
            key,
            kind,
            unit,
            latest: None,
            hist,
        }
    }

    /// Takes `s` as the latest sample if it is later than the one held; counts it into the
    /// histogram (timers and histograms) when `counted`.
    pub fn observe(&mut self, s: ExposedSample, counted: bool) {
        if self.latest.map_or(true, |l| s.is_after(&l)) {
            self.latest = Some(s);
        }
        if let (Some(h), true) = (self.hist.as_mut(), counted) {
            h.observe(s.value);
        }
    }

    /// Whether samples of this series are counted into a histogram.
    pub fn is_histogram(&self) -> bool {
        self.hist.is_some()
    }

    /// The value to expose, if there is one yet.
    fn value(&self) -> Option<Value> {
        match (&self.hist, self.latest) {
            (Some(h), _) if h.count() > 0 => Some(Value::Histogram(h.value())),
            (None, Some(l)) if self.kind == Kind::Counter => {
                Some(Value::Counter(self.unit.to_base(l.value)))
            }
            (None, Some(l)) => Some(Value::Gauge(self.unit.to_base(l.value))),
            _ => None,
        }
    }

    /// Adds the series to `set` with its tags (those named in `own` are renamed
    /// `exported_<name>`, as Prometheus does on a clash) and the `extra` labels.
    pub fn expose(&self, set: &mut FamilySet, own: &[&str], extra: &[(&str, &str)]) {
        let Some(value) = self.value() else {
            return;
        };
        let key = &self.key;
        let family = set.family(&key.name, self.kind, self.unit.name, || {
            help(key, self.kind)
        });
        let tags = key.tags.iter().map(|(k, v)| {
            let k = if own.contains(&k.as_str()) {
                format!("exported_{k}")
            } else {
                k.clone()
            };
            (k, v.clone())
        });
        let extra = extra.iter().map(|(k, v)| (k.to_string(), v.to_string()));
        // The value was built for the series' kind, so it always fits its family.
        let _ = set.push(family, tags.chain(extra), value);
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
