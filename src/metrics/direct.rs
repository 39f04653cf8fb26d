//! The direct queue: slow-path records that carry more than a ring event can hold — failed
//! timed calls (with their error text), trackers (with CPU time and metadata) and custom
//! metrics. A bounded vector behind a mutex; when full, the record's value is folded into an
//! overflow aggregate instead, so aggregates stay exact and memory stays bounded.

use std::collections::HashMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{LazyLock, Mutex, PoisonError};

use super::aggregator::Aggregator;
use super::calltree::CallRecord;
use super::registry::Site;
use super::types::{MetricType, PerformanceMetric};

/// One slow-path record.
#[derive(Debug)]
pub(crate) struct Direct {
    /// The series it belongs to.
    pub(crate) site: &'static Site,
    /// The metric to emit.
    pub(crate) metric: PerformanceMetric,
    /// The call it closes, if it is a call.
    pub(crate) call: Option<CallRecord>,
}

#[derive(Default)]
struct Queue {
    items: Vec<Direct>,
    overflow: HashMap<u32, Aggregator>,
}

static QUEUE: LazyLock<Mutex<Queue>> = LazyLock::new(Mutex::default);

/// Most records held between flushes (set by `install` from `buffer_capacity`).
pub(crate) static DIRECT_CAPACITY: AtomicUsize = AtomicUsize::new(1 << 16);

/// Queues a record (or aggregates it when the queue is full).
pub(crate) fn push_direct(d: Direct) {
    let mut q = QUEUE.lock().unwrap_or_else(PoisonError::into_inner);
    if q.items.len() < DIRECT_CAPACITY.load(Ordering::Relaxed) {
        q.items.push(d);
    } else if d.site.metric_type != MetricType::Counter {
        q.overflow
            .entry(d.site.id)
            .or_insert_with(Aggregator::with_configured_precision)
            .record(d.metric.value, d.metric.timestamp);
    }
}

/// Takes everything queued.
pub(crate) fn take_direct() -> (Vec<Direct>, HashMap<u32, Aggregator>) {
    let mut q = QUEUE.lock().unwrap_or_else(PoisonError::into_inner);
    (
        std::mem::take(&mut q.items),
        std::mem::take(&mut q.overflow),
    )
}
