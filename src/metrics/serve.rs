//! The in-process recorder as a Prometheus / OpenMetrics scrape target, for long-running
//! programs that use the library:
//!
//! ```no_run
//! use framework0::metrics::{self, MemorySink, MetricsConfiguration};
//! let _pipeline = metrics::install(MetricsConfiguration::default(), Box::new(MemorySink::with_limit(0)))?;
//! let server = metrics::serve("127.0.0.1:9464")?; // GET http://127.0.0.1:9464/metrics
//! // ... the program runs, recording timers, counters, gauges ...
//! server.shutdown();
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! Counters expose their running total and gauges their current value; timers, histograms
//! and trackers are summaries (the configured `analysis.percentiles` as quantiles, with `_sum`
//! and `_count`) of every record since install or the last [`super::reset`]. Durations are in
//! seconds and sizes in bytes; the process's own metrics come with every scrape.

use crate::exposition::{
    base_unit, resolve, ExpositionServer, Family, FamilySet, Kind, ServeError, SummaryValue, Value,
};

use super::registry::all_sites;
use super::types::{MetricType, MetricUnit, Tags};

/// Serves the recorder at `addr` (`HOST:PORT`, port 0 for a free one) until the returned
/// server is shut down or dropped.
pub fn serve(addr: &str) -> Result<ExpositionServer, ServeError> {
    ExpositionServer::start(resolve(addr)?, Box::new(|| Ok(recorder_families())))
}

fn family(set: &mut FamilySet, name: &str, kind: Kind, t: MetricType, unit: MetricUnit) -> usize {
    let base = base_unit(unit.as_str());
    set.family(name, kind, base.name, || {
        format!("f0 recorder {t} series {name} (unit {unit}).")
    })
}

fn labels(tags: &Tags) -> impl Iterator<Item = (&String, String)> {
    tags.iter().map(|(k, v)| (k, v.clone()))
}

/// The quantile of a percentile key (`"99.9"` → 0.999): parsed as `99.9e-2`, so the result is
/// the double nearest the decimal quantile rather than the rounded quotient `99.9 / 100`.
fn quantile_of(percentile: &str) -> Option<f64> {
    percentile.parse::<f64>().ok()?;
    format!("{percentile}e-2").parse().ok()
}

/// The recorder's series as families (see the module docs); flushes the pipeline first.
pub fn recorder_families() -> Vec<Family> {
    let mut set = FamilySet::new();
    for site in all_sites() {
        let raw = site.value.load(std::sync::atomic::Ordering::Relaxed);
        let unit = base_unit(site.unit.as_str());
        let (kind, value) = match site.metric_type {
            MetricType::Counter => (Kind::Counter, Value::Counter(unit.to_base(raw as f64))),
            MetricType::Gauge => (Kind::Gauge, Value::Gauge(unit.to_base(f64::from_bits(raw)))),
            _ => continue,
        };
        let f = family(&mut set, &site.name, kind, site.metric_type, site.unit);
        // Each value is built for its family's kind.
        let _ = set.push(f, labels(&site.tags), value);
    }
    for s in super::pipeline::snapshot() {
        if matches!(s.metric_type, MetricType::Counter | MetricType::Gauge) {
            continue;
        }
        let a = &s.aggregation;
        let unit = base_unit(s.unit.as_str());
        let mut quantiles: Vec<(f64, f64)> = a
            .percentiles
            .iter()
            .filter_map(|(p, v)| Some((quantile_of(p)?, unit.to_base(*v))))
            .collect();
        quantiles.sort_by(|x, y| x.0.total_cmp(&y.0));
        let value = Value::Summary(SummaryValue {
            quantiles,
            count: a.count,
            sum: unit.to_base(a.mean * a.count as f64),
        });
        let f = family(
            &mut set,
            &a.metric_name,
            Kind::Summary,
            s.metric_type,
            s.unit,
        );
        let _ = set.push(f, labels(&s.tags), value);
    }
    set.into_families()
}

#[cfg(test)]
mod tests {
    #[test]
    fn percentile_keys_become_exact_quantiles() {
        assert_eq!(super::quantile_of("99.9"), Some(0.999));
        assert_eq!(super::quantile_of("50"), Some(0.5));
        assert_eq!(super::quantile_of("x"), None);
    }
}
