//! Counter, gauge and histogram handles: created once (one registry lookup), then recorded
//! through with no lookup, lock or allocation.
//!
//! - [`Counter::increment`]: filters, then one relaxed `fetch_add` on the series total; the
//!   flusher emits the running total when it changed.
//! - [`Gauge::set`]: one relaxed store of the value's bits; emitted and aggregated per flush
//!   when changed.
//! - [`Histogram::record`]: filters, then the thread's own aggregate (log-linear buckets, see
//!   `local_agg`) and one raw record into the thread's ring for the sink.

use std::sync::atomic::Ordering::Relaxed;

use super::clock::{clock, raw_now};
use super::direct::{push_direct, Direct};
use super::drain::metric_for;
use super::pipeline::ENABLED;
use super::registry::{register, Site};
use super::ring::{Event, LOCAL};
use super::types::{MetricError, MetricType, MetricUnit, Tags};

/// Builds a tag map from pairs.
pub fn tags_of(pairs: &[(&str, &str)]) -> Tags {
    pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

/// Applies the site's filters to the value `value()`; true when the record is kept. The
/// value and the time are computed only when a filter applies.
#[inline(always)]
pub(crate) fn admitted(
    site: &Site,
    value: impl FnOnce() -> f64,
    raw_now: impl FnOnce() -> u64,
) -> bool {
    match site.filter() {
        None => true,
        Some(f) => {
            let sec = if f.needs_time() {
                clock().secs(raw_now())
            } else {
                0
            };
            f.admit(value(), sec)
        }
    }
}

/// A monotonically growing count (`counter`/`count`).
#[derive(Debug, Clone, Copy)]
pub struct Counter {
    site: &'static Site,
}

/// The counter series `name` with `tags`.
pub fn counter(name: &str, tags: &[(&str, &str)]) -> Counter {
    Counter {
        site: register(name, MetricType::Counter, MetricUnit::Count, tags_of(tags)),
    }
}

impl Counter {
    /// Adds `n` (no-op without a pipeline, or when a filter rejects `n`).
    #[inline]
    pub fn increment(&self, n: u64) {
        if !ENABLED.load(Relaxed) || !admitted(self.site, || n as f64, || clock().raw()) {
            return;
        }
        self.site.value.fetch_add(n, Relaxed);
    }

    /// The running total.
    pub fn value(&self) -> u64 {
        self.site.value.load(Relaxed)
    }
}

/// A value that goes up and down (`gauge`).
#[derive(Debug, Clone, Copy)]
pub struct Gauge {
    site: &'static Site,
}

/// The gauge series `name` in `unit` with `tags`.
pub fn gauge(name: &str, unit: MetricUnit, tags: &[(&str, &str)]) -> Gauge {
    Gauge {
        site: register(name, MetricType::Gauge, unit, tags_of(tags)),
    }
}

impl Gauge {
    /// Sets the value; a non-finite value is refused.
    #[inline]
    pub fn set(&self, value: f64) -> Result<(), MetricError> {
        if !value.is_finite() {
            return Err(MetricError::NonFinite {
                name: self.site.name.clone(),
                value,
            });
        }
        if ENABLED.load(Relaxed) && admitted(self.site, || value, || clock().raw()) {
            self.site.value.store(value.to_bits(), Relaxed);
        }
        Ok(())
    }

    /// The current value.
    pub fn value(&self) -> f64 {
        f64::from_bits(self.site.value.load(Relaxed))
    }
}

/// A distribution of non-negative integer values (`histogram`).
#[derive(Debug, Clone, Copy)]
pub struct Histogram {
    site: &'static Site,
}

/// The histogram series `name` in `unit` with `tags`.
pub fn histogram(name: &str, unit: MetricUnit, tags: &[(&str, &str)]) -> Histogram {
    Histogram {
        site: register(name, MetricType::Histogram, unit, tags_of(tags)),
    }
}

impl Histogram {
    /// Records one value.
    #[inline]
    pub fn record(&self, value: u64) {
        if ENABLED.load(Relaxed) {
            record_value(self.site, value);
        }
    }
}

/// Records `value` in `site` on this thread (the recorder is enabled). Out of line, so the
/// caller's code stays small and the thread-local is reached directly.
#[inline(never)]
fn record_value(site: &'static Site, value: u64) {
    let now = raw_now();
    if !admitted(site, || value as f64, || now) {
        return;
    }
    let ev = || Event::value(site.id, now, value);
    if !LOCAL.with(|l| l.record(site.id, value, now, ev)) {
        record_unaggregated(site, value, now);
    }
}

/// A histogram value of a series without a per-thread aggregate: recorded via the slow path.
#[cold]
#[inline(never)]
fn record_unaggregated(site: &'static Site, value: u64, now: u64) {
    let ts = clock().epoch_ns(now);
    push_direct(Direct {
        site,
        metric: metric_for(site, value as f64, ts),
        call: None,
    });
}
