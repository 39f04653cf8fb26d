//! `performance_tracker`: an RAII guard timing a block (wall and thread CPU time), with tags
//! and metadata, nested in the call tree like timers.
//!
//! ```
//! use framework0::metrics::performance_tracker;
//! let mut t = performance_tracker("file_processing");
//! t.add_tag("kind", "csv");
//! t.add_metadata("rows", 1200);
//! // ... work ...
//! drop(t); // records `file_processing` (wall ns) and `file_processing_cpu_time` (CPU ns)
//! ```
//!
//! On drop it records two `timing`/`ns` metrics, `<name>` (wall time) and `<name>_cpu_time`
//! (the thread's CPU time over the block), both with the added tags and context
//! `{span_id, parent_id, metadata}`, and a [`CallRecord`] with `cpu_ns` and the metadata.
//! The guard is `!Send`: CPU time and the current span belong to the creating thread.

use std::marker::PhantomData;

use serde_json::{json, Map, Value};

use super::calltree::CallRecord;
use super::clock::{clock, thread_cpu_ns};
use super::direct::{push_direct, Direct};
use super::drain::{metric_for, span_context};
use super::handles::admitted;
use super::pipeline::is_enabled;
use super::registry::register;
use super::ring::LOCAL;
use super::types::{MetricType, MetricUnit, Tags};

/// Suffix of the CPU-time series of a tracker.
pub const CPU_TIME_SUFFIX: &str = "_cpu_time";

/// An open tracked block; see the module docs.
#[derive(Debug)]
#[must_use = "the block is tracked until the guard drops"]
pub struct PerformanceTracker {
    name: String,
    active: bool,
    tags: Tags,
    metadata: Map<String, Value>,
    span: u64,
    parent: u64,
    start: u64,
    cpu_start: u64,
    /// The clock readings (raw end, CPU ns) taken by [`PerformanceTracker::stop_clock`].
    stopped: Option<(u64, u64)>,
    _not_send: PhantomData<*const ()>,
}

/// Starts tracking a block called `name` (a no-op guard without a pipeline installed).
pub fn performance_tracker(name: impl Into<String>) -> PerformanceTracker {
    let name = name.into();
    let active = is_enabled() && !name.is_empty();
    let (parent, span) = if active {
        LOCAL.with(|l| {
            let parent = l.current.get();
            let span = l.next_span();
            l.current.set(span);
            (parent, span)
        })
    } else {
        (0, 0)
    };
    // Wall time is read outside CPU time on both ends, so the wall interval encloses the CPU one.
    let start = clock().raw();
    let cpu_start = if active { thread_cpu_ns() } else { 0 };
    PerformanceTracker {
        name,
        active,
        tags: Tags::new(),
        metadata: Map::new(),
        span,
        parent,
        cpu_start,
        start,
        stopped: None,
        _not_send: PhantomData,
    }
}

impl PerformanceTracker {
    /// Attaches a metadata entry (kept in the metric's context and the call record).
    pub fn add_metadata(&mut self, key: impl Into<String>, value: impl Into<Value>) -> &mut Self {
        self.metadata.insert(key.into(), value.into());
        self
    }

    /// Adds a tag to the recorded series.
    pub fn add_tag(&mut self, key: impl Into<String>, value: impl Into<String>) -> &mut Self {
        self.tags.insert(key.into(), value.into());
        self
    }

    /// Starts the block's wall time again now (its CPU time keeps its start). A profiling
    /// scope calls it after its own start-up readings, right before its run-queue reading,
    /// so a wait at one of those system calls is in neither the wall time nor the wait.
    pub(crate) fn restart_wall(&mut self) {
        if self.active && self.stopped.is_none() {
            self.start = clock().raw();
        }
    }

    /// Ends the block's wall and CPU time now (the first call counts); the metrics are still
    /// recorded on drop. A profiling scope stops the clock before its closing run-queue
    /// reading, so a wait at that reading (or in its bookkeeping after it) stays out of the
    /// block's wall time as it stays out of the wait.
    pub(crate) fn stop_clock(&mut self) {
        if self.active && self.stopped.is_none() {
            let cpu = thread_cpu_ns().saturating_sub(self.cpu_start);
            self.stopped = Some((clock().raw(), cpu));
        }
    }

    /// This block's span id (0 when inactive).
    pub fn span_id(&self) -> u64 {
        self.span
    }
}

impl Drop for PerformanceTracker {
    fn drop(&mut self) {
        if !self.active {
            return;
        }
        let c = clock();
        let (end, cpu) = self.stopped.unwrap_or_else(|| {
            let cpu = thread_cpu_ns().saturating_sub(self.cpu_start);
            (c.raw(), cpu)
        });
        LOCAL.with(|l| l.current.set(self.parent));
        let wall = c.delta_ns(self.start, end);
        let ts = c.epoch_ns(end);
        let tags = std::mem::take(&mut self.tags);
        let wall_site = register(
            &self.name,
            MetricType::Timing,
            MetricUnit::Nanoseconds,
            tags.clone(),
        );
        let cpu_site = register(
            &format!("{}{CPU_TIME_SUFFIX}", self.name),
            MetricType::Timing,
            MetricUnit::Nanoseconds,
            tags,
        );
        let mut context = span_context(self.span, self.parent);
        if !self.metadata.is_empty() {
            context.insert("metadata".into(), Value::Object(self.metadata.clone()));
        }
        if admitted(wall_site, || wall as f64, || end) {
            let mut m = metric_for(wall_site, wall as f64, ts);
            m.context = context.clone();
            m.context.insert("cpu_time_ns".into(), json!(cpu));
            let mut meta = std::mem::take(&mut self.metadata);
            if !wall_site.tags.is_empty() {
                meta.insert("tags".into(), json!(wall_site.tags));
            }
            push_direct(Direct {
                site: wall_site,
                metric: m,
                call: Some(CallRecord {
                    cpu_ns: Some(cpu),
                    failed: std::thread::panicking(),
                    metadata: (!meta.is_empty()).then_some(meta),
                    ..CallRecord::ended(self.span, self.parent, &wall_site.name, ts, wall)
                }),
            });
        }
        if admitted(cpu_site, || cpu as f64, || end) {
            let mut m = metric_for(cpu_site, cpu as f64, ts);
            m.context = context;
            push_direct(Direct {
                site: cpu_site,
                metric: m,
                call: None,
            });
        }
    }
}
