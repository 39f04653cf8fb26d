//! The series registry: every metric series (name, type, unit, tags) gets a small integer id
//! and a `'static` [`Site`] once, when its handle is created; recording then goes through the
//! cached `&'static Site` with no lookup.
//!
//! Sites live for the rest of the process (their number is the number of distinct series).
//! Installing a pipeline re-compiles every site's filters. A replaced [`SiteFilter`] stays
//! allocated because recording threads may still hold a pointer to it, but each site keeps
//! the filters it ever had and reuses one with the same rules (counters reset) instead of
//! allocating another: memory grows with the number of distinct filter configurations a
//! series sees, never with the number of installs.

use std::collections::HashMap;
use std::sync::atomic::{AtomicPtr, AtomicU64, Ordering};
use std::sync::{LazyLock, Mutex, MutexGuard, PoisonError};

use super::filter::MetricFilter;
use super::filter_runtime::{FilterCounts, SiteFilter};
use super::types::{MetricType, MetricUnit, Tags};

/// One registered metric series.
#[derive(Debug)]
pub struct Site {
    /// Index in the registry.
    pub id: u32,
    /// Metric name.
    pub name: String,
    /// Metric type.
    pub metric_type: MetricType,
    /// Unit of recorded values.
    pub unit: MetricUnit,
    /// Fixed tags of the series.
    pub tags: Tags,
    /// Counter total, or gauge value as `f64` bits.
    pub(crate) value: AtomicU64,
    filter: AtomicPtr<SiteFilter>,
    /// Every filter this site has had (never freed; see the module docs).
    compiled: Mutex<Vec<&'static SiteFilter>>,
}

impl Site {
    /// The compiled filter, if any applies.
    #[inline(always)]
    pub(crate) fn filter(&self) -> Option<&'static SiteFilter> {
        let p = self.filter.load(Ordering::Acquire);
        // SAFETY: non-null pointers stored here come from `Box::leak` (kept in `compiled`)
        // and are never freed.
        unsafe { p.cast_const().as_ref() }
    }

    /// Whether a filter applies to this series.
    #[inline(always)]
    pub(crate) fn has_filter(&self) -> bool {
        !self.filter.load(Ordering::Relaxed).is_null()
    }

    /// Rejections by this series' filters so far.
    pub fn filter_counts(&self) -> FilterCounts {
        self.filter().map(SiteFilter::counts).unwrap_or_default()
    }
}

type Key = (String, MetricType, MetricUnit, Tags);

#[derive(Default)]
struct Registry {
    sites: Vec<&'static Site>,
    by_key: HashMap<Key, u32>,
    filters: Vec<MetricFilter>,
}

static REGISTRY: LazyLock<Mutex<Registry>> = LazyLock::new(Mutex::default);

fn lock() -> MutexGuard<'static, Registry> {
    REGISTRY.lock().unwrap_or_else(PoisonError::into_inner)
}

/// The compiled filter of a series: one of `known` with the same rules (its counters reset),
/// or a new one added to `known`; null when no filter applies.
fn compile(
    filters: &[MetricFilter],
    name: &str,
    tags: &Tags,
    known: &mut Vec<&'static SiteFilter>,
) -> *mut SiteFilter {
    let Some(f) = SiteFilter::compile(filters, name, tags) else {
        return std::ptr::null_mut();
    };
    let kept = match known.iter().find(|k| k.same_rules(&f)) {
        Some(k) => {
            k.reset_counts();
            *k
        }
        None => {
            let leaked: &'static SiteFilter = Box::leak(Box::new(f));
            known.push(leaked);
            leaked
        }
    };
    std::ptr::from_ref(kept).cast_mut()
}

/// Returns the site for a series, registering it on first use. Not for the hot path: call once
/// and keep the `&'static Site`.
pub fn register(
    name: &str,
    metric_type: MetricType,
    unit: MetricUnit,
    tags: Tags,
) -> &'static Site {
    let mut reg = lock();
    let key = (name.to_string(), metric_type, unit, tags);
    if let Some(&id) = reg.by_key.get(&key) {
        return reg.sites[id as usize];
    }
    let id = u32::try_from(reg.sites.len()).expect("fewer than 2^32 metric series");
    let mut known = Vec::new();
    let filter = compile(&reg.filters, name, &key.3, &mut known);
    let site: &'static Site = Box::leak(Box::new(Site {
        id,
        name: key.0.clone(),
        metric_type,
        unit,
        tags: key.3.clone(),
        value: AtomicU64::new(0),
        filter: AtomicPtr::new(filter),
        compiled: Mutex::new(known),
    }));
    reg.sites.push(site);
    reg.by_key.insert(key, id);
    site
}

/// Replaces the active filters and re-compiles them for every site.
pub(crate) fn set_filters(filters: Vec<MetricFilter>) {
    let mut reg = lock();
    for site in &reg.sites {
        let mut known = site.compiled.lock().unwrap_or_else(PoisonError::into_inner);
        let f = compile(&filters, &site.name, &site.tags, &mut known);
        site.filter.store(f, Ordering::Release);
    }
    reg.filters = filters;
}

/// Sites registered at or after index `from` (the flusher keeps its own copy of the list).
pub(crate) fn sites_from(from: usize) -> Vec<&'static Site> {
    let reg = lock();
    reg.sites.get(from..).map(<[_]>::to_vec).unwrap_or_default()
}

/// Every registered site.
pub fn all_sites() -> Vec<&'static Site> {
    sites_from(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reinstalling_the_same_filters_reuses_the_compiled_filter() {
        let site = register(
            "registry_reuse_test",
            MetricType::Counter,
            MetricUnit::Count,
            Tags::new(),
        );
        let f = vec![MetricFilter {
            sample_rate: 0.5,
            ..MetricFilter::new("registry_reuse_test")
        }];
        set_filters(f.clone());
        let first = site.filter.load(Ordering::Acquire);
        for _ in 0..100 {
            set_filters(Vec::new());
            set_filters(f.clone());
        }
        assert_eq!(site.filter.load(Ordering::Acquire), first);
        assert_eq!(site.compiled.lock().unwrap().len(), 1);
        set_filters(Vec::new());
    }
}
