//! Filters compiled for one metric series and applied on the recording path.
//!
//! All [`MetricFilter`]s that apply to a series are folded into one [`SiteFilter`]: tag filters
//! are decided once (a series' tags are fixed), value ranges are intersected, sample rates
//! multiplied (independent Bernoulli trials compose by product) and the smallest rate limit
//! kept. Each rejected record is counted by reason so the pipeline can report exactly what
//! was dropped. Sampling uses a per-thread xorshift64* generator; the rate limit is a fixed
//! one-second window packed into one atomic word (`second << 32 | kept`).

use std::cell::Cell;
use std::sync::atomic::{AtomicU64, Ordering::Relaxed};

use serde::Serialize;

use super::filter::MetricFilter;
use super::types::Tags;

/// Counts of records a series' filters rejected, by reason.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct FilterCounts {
    /// Rejected because the series' tags fail a `tag_filters`.
    pub tag_rejected: u64,
    /// Rejected because the value is outside `value_range`.
    pub out_of_range: u64,
    /// Dropped by `sample_rate`.
    pub sampled_out: u64,
    /// Dropped by `rate_limit`.
    pub rate_limited: u64,
}

impl FilterCounts {
    /// All rejections.
    pub fn total(&self) -> u64 {
        self.tag_rejected + self.out_of_range + self.sampled_out + self.rate_limited
    }
}

/// The filters of one series, compiled.
#[derive(Debug)]
pub struct SiteFilter {
    tags_ok: bool,
    range: Option<(f64, f64)>,
    /// Keep when a uniform u64 is below this; `u64::MAX` keeps all.
    sample_threshold: u64,
    rate_limit: Option<u64>,
    window: AtomicU64,
    tag_rejected: AtomicU64,
    out_of_range: AtomicU64,
    sampled_out: AtomicU64,
    rate_limited: AtomicU64,
}

impl SiteFilter {
    /// Folds the filters applying to series `name` with `tags`; None when none applies.
    pub fn compile(filters: &[MetricFilter], name: &str, tags: &Tags) -> Option<SiteFilter> {
        let applying: Vec<&MetricFilter> = filters.iter().filter(|f| f.applies_to(name)).collect();
        if applying.is_empty() {
            return None;
        }
        let tags_ok = applying.iter().all(|f| f.tags_pass(tags));
        let mut range: Option<(f64, f64)> = None;
        for (lo, hi) in applying.iter().filter_map(|f| f.value_range) {
            range = Some(match range {
                Some((a, b)) => (a.max(lo), b.min(hi)),
                None => (lo, hi),
            });
        }
        let rate: f64 = applying.iter().map(|f| f.sample_rate).product();
        let sample_threshold = if rate >= 1.0 {
            u64::MAX
        } else {
            (rate * 2f64.powi(64)) as u64
        };
        Some(SiteFilter {
            tags_ok,
            range,
            sample_threshold,
            rate_limit: applying.iter().filter_map(|f| f.rate_limit).min(),
            window: AtomicU64::new(0),
            tag_rejected: AtomicU64::new(0),
            out_of_range: AtomicU64::new(0),
            sampled_out: AtomicU64::new(0),
            rate_limited: AtomicU64::new(0),
        })
    }

    /// Whether `other` decides every record as this one does (counters aside).
    pub fn same_rules(&self, other: &SiteFilter) -> bool {
        self.tags_ok == other.tags_ok
            && self.range.map(|(a, b)| (a.to_bits(), b.to_bits()))
                == other.range.map(|(a, b)| (a.to_bits(), b.to_bits()))
            && self.sample_threshold == other.sample_threshold
            && self.rate_limit == other.rate_limit
    }

    /// Zeroes the rejection counters and the rate window (a filter reused by a new install).
    pub(crate) fn reset_counts(&self) {
        for c in [
            &self.window,
            &self.tag_rejected,
            &self.out_of_range,
            &self.sampled_out,
            &self.rate_limited,
        ] {
            c.store(0, Relaxed);
        }
    }

    /// Decides one record with `value`, recorded in second `now_sec` (any monotonic seconds
    /// count). Counts the rejection reason.
    #[inline]
    pub fn admit(&self, value: f64, now_sec: u64) -> bool {
        if !self.tags_ok {
            self.tag_rejected.fetch_add(1, Relaxed);
            return false;
        }
        if let Some((lo, hi)) = self.range {
            if !(value >= lo && value <= hi) {
                self.out_of_range.fetch_add(1, Relaxed);
                return false;
            }
        }
        if self.sample_threshold != u64::MAX && next_random() >= self.sample_threshold {
            self.sampled_out.fetch_add(1, Relaxed);
            return false;
        }
        if let Some(limit) = self.rate_limit {
            if !self.take_rate_token(limit, now_sec) {
                self.rate_limited.fetch_add(1, Relaxed);
                return false;
            }
        }
        true
    }

    /// Whether any part of the filter needs the record's time (rate limit).
    pub fn needs_time(&self) -> bool {
        self.rate_limit.is_some()
    }

    fn take_rate_token(&self, limit: u64, now_sec: u64) -> bool {
        let sec = now_sec & 0xffff_ffff;
        let mut cur = self.window.load(Relaxed);
        loop {
            let (wsec, kept) = (cur >> 32, cur & 0xffff_ffff);
            let next = if wsec == sec {
                if kept >= limit {
                    return false;
                }
                cur + 1
            } else {
                (sec << 32) | 1
            };
            match self
                .window
                .compare_exchange_weak(cur, next, Relaxed, Relaxed)
            {
                Ok(_) => return true,
                Err(actual) => cur = actual,
            }
        }
    }

    /// Rejections so far.
    pub fn counts(&self) -> FilterCounts {
        FilterCounts {
            tag_rejected: self.tag_rejected.load(Relaxed),
            out_of_range: self.out_of_range.load(Relaxed),
            sampled_out: self.sampled_out.load(Relaxed),
            rate_limited: self.rate_limited.load(Relaxed),
        }
    }
}

thread_local! {
    static RNG: Cell<u64> = const { Cell::new(0) };
}

/// A uniform u64 from the calling thread's xorshift64* generator.
#[inline]
fn next_random() -> u64 {
    RNG.with(|s| {
        let mut x = s.get();
        if x == 0 {
            // Seed from the address of the thread-local and the time: distinct per thread.
            x = (s as *const Cell<u64> as u64) ^ super::clock::epoch_now_ns() as u64;
            x |= 1;
        }
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        s.set(x);
        x.wrapping_mul(0x2545_f491_4f6c_dd1d)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tags(pairs: &[(&str, &str)]) -> Tags {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn no_applying_filter_compiles_to_none() {
        let f = vec![MetricFilter::new("db_*")];
        assert!(SiteFilter::compile(&f, "http_get", &Tags::new()).is_none());
        let off = MetricFilter {
            enabled: false,
            ..MetricFilter::new("*")
        };
        assert!(SiteFilter::compile(&[off], "x", &Tags::new()).is_none());
    }

    #[test]
    fn tag_filters_reject_series_without_the_tags() {
        let f = MetricFilter {
            tag_filters: tags(&[("db", "main")]),
            ..MetricFilter::new("q*")
        };
        let ok = SiteFilter::compile(std::slice::from_ref(&f), "query", &tags(&[("db", "main")]))
            .unwrap();
        assert!(ok.admit(1.0, 0));
        let bad = SiteFilter::compile(&[f], "query", &tags(&[("db", "replica")])).unwrap();
        assert!(!bad.admit(1.0, 0));
        assert_eq!(bad.counts().tag_rejected, 1);
    }

    #[test]
    fn ranges_intersect_and_rate_limit_resets_each_second() {
        let a = MetricFilter {
            value_range: Some((0.0, 10.0)),
            rate_limit: Some(3),
            ..MetricFilter::new("*")
        };
        let b = MetricFilter {
            value_range: Some((5.0, 20.0)),
            rate_limit: Some(2),
            ..MetricFilter::new("m")
        };
        let s = SiteFilter::compile(&[a, b], "m", &Tags::new()).unwrap();
        assert!(!s.admit(4.0, 7));
        assert!(!s.admit(11.0, 7));
        assert!(s.admit(5.0, 7));
        assert!(s.admit(10.0, 7));
        assert!(!s.admit(6.0, 7));
        assert!(s.admit(6.0, 8));
        let c = s.counts();
        assert_eq!((c.out_of_range, c.rate_limited, c.sampled_out), (2, 1, 0));
    }

    #[test]
    fn zero_sample_rate_drops_all_and_full_rate_keeps_all() {
        let z = SiteFilter::compile(
            &[MetricFilter {
                sample_rate: 0.0,
                ..MetricFilter::new("*")
            }],
            "m",
            &Tags::new(),
        )
        .unwrap();
        assert!((0..1000).all(|_| !z.admit(1.0, 0)));
        assert_eq!(z.counts().sampled_out, 1000);
    }
}
