//! The series registry: every metric series (name, type, unit, tags) gets a small integer id
//! and a `'static` [`Site`] once, when its handle is created; recording then goes through the
//! cached `&'static Site` with no lookup.
//!
//! Sites live for the rest of the process (their number is the number of distinct series).
//! Installing a pipeline re-compiles every site's filters; a replaced [`SiteFilter`] is kept
//! alive (leaked) because recording threads may still hold a pointer to it — a few words per
//! series per install.

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
}

impl Site {
    /// The compiled filter, if any applies.
    #[inline(always)]
    pub(crate) fn filter(&self) -> Option<&'static SiteFilter> {
        let p = self.filter.load(Ordering::Acquire);
        // SAFETY: non-null pointers stored here come from `Box::leak` and are never freed.
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

fn compile(filters: &[MetricFilter], name: &str, tags: &Tags) -> *mut SiteFilter {
    match SiteFilter::compile(filters, name, tags) {
        Some(f) => Box::leak(Box::new(f)),
        None => std::ptr::null_mut(),
    }
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
    let filter = compile(&reg.filters, name, &key.3);
    let site: &'static Site = Box::leak(Box::new(Site {
        id,
        name: key.0.clone(),
        metric_type,
        unit,
        tags: key.3.clone(),
        value: AtomicU64::new(0),
        filter: AtomicPtr::new(filter),
    }));
    reg.sites.push(site);
    reg.by_key.insert(key, id);
    site
}

/// Replaces the active filters and re-compiles them for every site.
pub(crate) fn set_filters(filters: Vec<MetricFilter>) {
    let mut reg = lock();
    for site in &reg.sites {
        let f = compile(&filters, &site.name, &site.tags);
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
