//! What an exposition holds: metric families (name, kind, help, unit) of series (labels and a
//! value). Names and label names are sanitised when a family or series is built, so whatever
//! reaches the encoder follows Prometheus's rules.

use super::names::{label_name, metric_name, unit_place, UnitPlace};

/// The type of a metric family.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Kind {
    /// A value that goes up and down.
    Gauge,
    /// A monotonically growing total (samples named `<family>_total`).
    Counter,
    /// Cumulative buckets with `_bucket`, `_sum` and `_count` samples.
    Histogram,
    /// Quantiles with `_sum` and `_count` samples.
    Summary,
}

impl Kind {
    /// The `# TYPE` word.
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Gauge => "gauge",
            Kind::Counter => "counter",
            Kind::Histogram => "histogram",
            Kind::Summary => "summary",
        }
    }

    /// The label this kind reserves for its own use (`le`, `quantile`).
    fn reserved_label(self) -> Option<&'static str> {
        match self {
            Kind::Histogram => Some("le"),
            Kind::Summary => Some("quantile"),
            Kind::Gauge | Kind::Counter => None,
        }
    }
}

/// Cumulative histogram buckets.
#[derive(Debug, Clone, PartialEq)]
pub struct HistogramValue {
    /// `(upper bound, observations ≤ bound)`, bounds ascending, counts non-decreasing; the
    /// `+Inf` bucket is `count` and is not listed.
    pub buckets: Vec<(f64, u64)>,
    /// Number of observations.
    pub count: u64,
    /// Sum of the observations.
    pub sum: f64,
}

/// Quantiles of a distribution.
#[derive(Debug, Clone, PartialEq)]
pub struct SummaryValue {
    /// `(quantile in 0..=1, value)`.
    pub quantiles: Vec<(f64, f64)>,
    /// Number of observations.
    pub count: u64,
    /// Sum of the observations.
    pub sum: f64,
}

/// The value of one series; its variant must match its family's [`Kind`].
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    /// A gauge level.
    Gauge(f64),
    /// A counter total (finite values ≥ 0 in OpenMetrics).
    Counter(f64),
    /// A histogram.
    Histogram(HistogramValue),
    /// A summary.
    Summary(SummaryValue),
}

impl Value {
    /// The kind of family this value belongs in.
    pub fn kind(&self) -> Kind {
        match self {
            Value::Gauge(_) => Kind::Gauge,
            Value::Counter(_) => Kind::Counter,
            Value::Histogram(_) => Kind::Histogram,
            Value::Summary(_) => Kind::Summary,
        }
    }
}

/// One series: its labels (sanitised names, raw values) and value.
#[derive(Debug, Clone, PartialEq)]
pub struct Series {
    pub(crate) labels: Vec<(String, String)>,
    pub(crate) value: Value,
}

impl Series {
    /// Its labels.
    pub fn labels(&self) -> &[(String, String)] {
        &self.labels
    }

    /// Its value.
    pub fn value(&self) -> &Value {
        &self.value
    }
}

/// A value of the wrong kind was added to a family.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("metric family '{family}' is a {expected}; a {got} value cannot join it")]
pub struct KindMismatch {
    /// The family.
    pub family: String,
    /// Its kind.
    pub expected: &'static str,
    /// The value's kind.
    pub got: &'static str,
}

/// A metric family: every series of one name and kind.
#[derive(Debug, Clone, PartialEq)]
pub struct Family {
    pub(crate) name: String,
    pub(crate) kind: Kind,
    pub(crate) help: String,
    pub(crate) unit: Option<String>,
    pub(crate) series: Vec<Series>,
}

impl Family {
    /// A family named `name` (sanitised; a counter's trailing `_total` is dropped, the
    /// encoder adds it to the samples) with help text `help`.
    pub fn new(name: &str, kind: Kind, help: impl Into<String>) -> Family {
        let mut name = metric_name(name).into_owned();
        if kind == Kind::Counter {
            if let Some(base) = name.strip_suffix("_total").filter(|b| !b.is_empty()) {
                name.truncate(base.len());
            }
        }
        Family {
            name,
            kind,
            help: help.into(),
            unit: None,
            series: Vec::new(),
        }
    }

    /// Declares the family's unit (sanitised). OpenMetrics wants a declared unit as the
    /// name's suffix, so the name gets `_{unit}` unless it already ends with it; a name that
    /// holds the unit word elsewhere (`bytes_per_sec`) is left alone, with no unit declared.
    pub fn with_unit(mut self, unit: &str) -> Family {
        let unit = metric_name(unit).into_owned();
        match unit_place(&self.name, &unit) {
            UnitPlace::AtEnd => self.unit = Some(unit),
            UnitPlace::Inside => self.unit = None,
            UnitPlace::Absent => {
                self.name = format!("{}_{unit}", self.name);
                self.unit = Some(unit);
            }
        }
        self
    }

    /// Adds a series. Label names are sanitised; where two names sanitise to the same one,
    /// the first wins; a label the kind reserves (`le` on a histogram, `quantile` on a
    /// summary) is renamed `tag_le` / `tag_quantile`.
    pub fn push<K, V>(
        &mut self,
        labels: impl IntoIterator<Item = (K, V)>,
        value: Value,
    ) -> Result<(), KindMismatch>
    where
        K: AsRef<str>,
        V: Into<String>,
    {
        if value.kind() != self.kind {
            return Err(KindMismatch {
                family: self.name.clone(),
                expected: self.kind.as_str(),
                got: value.kind().as_str(),
            });
        }
        let reserved = self.kind.reserved_label();
        let mut clean: Vec<(String, String)> = Vec::new();
        for (k, v) in labels {
            let mut key = label_name(k.as_ref()).into_owned();
            if Some(key.as_str()) == reserved {
                key.insert_str(0, "tag_");
            }
            if clean.iter().all(|(seen, _)| *seen != key) {
                clean.push((key, v.into()));
            }
        }
        self.series.push(Series {
            labels: clean,
            value,
        });
        Ok(())
    }

    /// The family name (for a counter, without `_total`).
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The family kind.
    pub fn kind(&self) -> Kind {
        self.kind
    }

    /// The help text.
    pub fn help(&self) -> &str {
        &self.help
    }

    /// The unit, if declared.
    pub fn unit(&self) -> Option<&str> {
        self.unit.as_deref()
    }

    /// The series, in insertion order.
    pub fn series(&self) -> &[Series] {
        &self.series
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counter_names_drop_total_and_units_become_suffixes() {
        assert_eq!(
            Family::new("requests_total", Kind::Counter, "").name(),
            "requests"
        );
        assert_eq!(Family::new("_total", Kind::Counter, "").name(), "_total");
        assert_eq!(Family::new("up_total", Kind::Gauge, "").name(), "up_total");
        let f = Family::new("step.wall", Kind::Histogram, "").with_unit("seconds");
        assert_eq!((f.name(), f.unit()), ("step_wall_seconds", Some("seconds")));
        let f = Family::new("rx_bytes_per_sec", Kind::Gauge, "").with_unit("bytes");
        assert_eq!((f.name(), f.unit()), ("rx_bytes_per_sec", None));
        let f = Family::new("rss_bytes", Kind::Gauge, "").with_unit("bytes");
        assert_eq!((f.name(), f.unit()), ("rss_bytes", Some("bytes")));
    }

    #[test]
    fn labels_are_sanitised_deduplicated_and_reserved_names_renamed() {
        let mut f = Family::new("h", Kind::Histogram, "");
        let labels = [("a.b", "1"), ("a-b", "2"), ("le", "x"), ("__x", "y")];
        f.push(
            labels,
            Value::Histogram(HistogramValue {
                buckets: vec![],
                count: 0,
                sum: 0.0,
            }),
        )
        .unwrap();
        let got: Vec<_> = f.series()[0]
            .labels()
            .iter()
            .map(|(k, v)| (k.as_str(), v.as_str()))
            .collect();
        assert_eq!(got, [("a_b", "1"), ("tag_le", "x"), ("tag__x", "y")]);
    }

    #[test]
    fn a_value_of_another_kind_is_refused() {
        let mut f = Family::new("g", Kind::Gauge, "");
        let err = f.push([("k", "v")], Value::Counter(1.0)).unwrap_err();
        assert_eq!(
            err.to_string(),
            "metric family 'g' is a gauge; a counter value cannot join it"
        );
        assert!(f.series().is_empty());
    }
}
