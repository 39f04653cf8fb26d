//! The global pipeline: install it with a sink, record through handles, timers and trackers,
//! shut it down to flush.
//!
//! ```no_run
//! use framework0::metrics::{self, MetricsConfiguration, JsonLinesSink};
//! let sink = JsonLinesSink::open("metrics.jsonl")?;
//! let handle = metrics::install(MetricsConfiguration::default(), Box::new(sink))?;
//! // ... timed code ...
//! let stats = handle.shutdown()?; // final flush, sink flushed
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! **Without a pipeline installed every recording call is a no-op**: timers, trackers and
//! handles check one relaxed atomic flag and return, reading no clock and storing nothing.
//! For in-memory aggregation only, install a [`super::MemorySink`] (`MemorySink::with_limit(0)`
//! keeps no raw samples) and read [`snapshot`] and [`call_records`].
//!
//! Counts and aggregates are kept exactly by each recording thread; raw records (call records
//! and raw samples for the sink) travel through bounded per-thread rings. With
//! `performance.async_processing` a background thread drains them every
//! `performance.flush_interval_ms`; otherwise they wait (a full ring drops raw records, counted
//! in [`PipelineStats::raw_dropped`]) until [`flush`], [`snapshot`] or shutdown.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Condvar, LazyLock, Mutex, MutexGuard, PoisonError};
use std::thread::JoinHandle;
use std::time::Duration;

use super::aggregator::SIGNIFICANT_DIGITS;
use super::calltree::CallRecord;
use super::config::{ConfigError, MetricsConfiguration};
use super::direct::DIRECT_CAPACITY;
use super::drain::{PipelineStats, SeriesSnapshot, State};
use super::local_agg::sub_bits;
use super::registry::set_filters;
use super::ring::{RAW_STRIDE, RING_CAPACITY, SUB_BITS};
use super::sink::{MetricSink, SinkError};

/// Recording is on (a pipeline is installed). Checked first on every hot path.
pub(crate) static ENABLED: AtomicBool = AtomicBool::new(false);

static STATE: LazyLock<Mutex<State>> = LazyLock::new(|| Mutex::new(State::new()));
static INSTALLED: Mutex<bool> = Mutex::new(false);

fn state() -> MutexGuard<'static, State> {
    STATE.lock().unwrap_or_else(PoisonError::into_inner)
}

/// Installing or shutting down the pipeline failed.
#[derive(Debug, thiserror::Error)]
pub enum PipelineError {
    /// A pipeline is already installed; shut it down first.
    #[error("a metrics pipeline is already installed; call shutdown() on its handle first")]
    AlreadyInstalled,
    /// The configuration is invalid.
    #[error(transparent)]
    Config(#[from] ConfigError),
    /// The flusher thread could not be started.
    #[error("cannot start the metrics flusher thread: {0}")]
    Spawn(#[source] std::io::Error),
    /// The sink failed its final flush.
    #[error("metrics sink failed on shutdown: {0}")]
    Sink(#[source] SinkError),
}

struct Stop {
    flag: Mutex<bool>,
    cv: Condvar,
}

/// Owns the installed pipeline; [`PipelineHandle::shutdown`] (or drop) flushes and uninstalls.
pub struct PipelineHandle {
    stop: Arc<Stop>,
    thread: Option<JoinHandle<()>>,
    done: bool,
}

/// Installs the global pipeline writing to `sink`. Records made before were not kept (the
/// recorder was off); aggregates from an earlier pipeline are kept until [`reset`].
pub fn install(
    config: MetricsConfiguration,
    sink: Box<dyn MetricSink>,
) -> Result<PipelineHandle, PipelineError> {
    config.validate()?;
    let mut installed = INSTALLED.lock().unwrap_or_else(PoisonError::into_inner);
    if *installed {
        return Err(PipelineError::AlreadyInstalled);
    }
    let p = &config.performance;
    RING_CAPACITY.store(p.buffer_capacity as usize, Ordering::Relaxed);
    DIRECT_CAPACITY.store(p.buffer_capacity as usize, Ordering::Relaxed);
    SIGNIFICANT_DIGITS.store(p.histogram_significant_digits as u8, Ordering::Relaxed);
    RAW_STRIDE.store(1, Ordering::Relaxed);
    SUB_BITS.store(
        sub_bits(p.histogram_significant_digits as u8),
        Ordering::Relaxed,
    );
    set_filters(config.filters.clone());
    {
        let mut st = state();
        st.sink = Some(sink);
        st.batch_size = usize::try_from(p.batch_size).unwrap_or(usize::MAX);
        st.percentiles = config.analysis.percentiles.clone();
        st.budget = super::budget::OverheadBudget::new(p.collection_overhead_limit);
        st.stats.emit_stride = 1;
        st.max_raw_per_cycle = config.collection.max_metrics_per_collection;
        st.call_log_capacity =
            usize::try_from(config.performance.call_log_capacity).unwrap_or(usize::MAX);
    }
    let stop = Arc::new(Stop {
        flag: Mutex::new(false),
        cv: Condvar::new(),
    });
    let thread = if p.async_processing {
        let interval = Duration::from_millis(p.flush_interval_ms);
        let stop2 = Arc::clone(&stop);
        let t = std::thread::Builder::new()
            .name("f0-metrics-flusher".into())
            .spawn(move || flusher(&stop2, interval))
            .map_err(PipelineError::Spawn)?;
        Some(t)
    } else {
        None
    };
    let clock = super::clock::clock().info();
    if clock.slow_clock_source {
        tracing::warn!(
            target: "framework0.performance",
            "slow clock source {:?}: one read costs {:.0} ns; timings will carry that overhead",
            clock.kernel_clocksource,
            match clock.source {
                super::clock::ClockSource::Tsc => clock.tsc_read_ns,
                super::clock::ClockSource::Monotonic => clock.instant_read_ns,
            }
        );
    }
    *installed = true;
    ENABLED.store(true, Ordering::Release);
    Ok(PipelineHandle {
        stop,
        thread,
        done: false,
    })
}

fn flusher(stop: &Stop, interval: Duration) {
    let mut stopped = stop.flag.lock().unwrap_or_else(PoisonError::into_inner);
    while !*stopped {
        let (guard, _) = stop
            .cv
            .wait_timeout(stopped, interval)
            .unwrap_or_else(PoisonError::into_inner);
        stopped = guard;
        if *stopped {
            break;
        }
        drop(stopped);
        state().cycle(true);
        stopped = stop.flag.lock().unwrap_or_else(PoisonError::into_inner);
    }
}

impl PipelineHandle {
    /// Stops recording, drains everything, writes it to the sink, flushes the sink and
    /// uninstalls. Returns the pipeline's statistics.
    pub fn shutdown(mut self) -> Result<PipelineStats, PipelineError> {
        self.stop_now()
    }

    fn stop_now(&mut self) -> Result<PipelineStats, PipelineError> {
        if self.done {
            return Ok(stats());
        }
        self.done = true;
        *self
            .stop
            .flag
            .lock()
            .unwrap_or_else(PoisonError::into_inner) = true;
        self.stop.cv.notify_all();
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
        ENABLED.store(false, Ordering::Release);
        let mut st = state();
        st.cycle(false);
        let result = match st.sink.as_mut().map(|s| s.flush()) {
            Some(Err(e)) => Err(PipelineError::Sink(e)),
            _ => Ok(st.stats.clone()),
        };
        st.sink = None;
        drop(st);
        *INSTALLED.lock().unwrap_or_else(PoisonError::into_inner) = false;
        result
    }
}

impl Drop for PipelineHandle {
    fn drop(&mut self) {
        let _ = self.stop_now();
    }
}

/// Whether a pipeline is installed (recording is on).
pub fn is_enabled() -> bool {
    ENABLED.load(Ordering::Relaxed)
}

/// Drains all buffers now and writes to the sink (if installed).
pub fn flush() {
    state().cycle(false);
}

/// Flushes, then returns the aggregates of every timer, histogram, gauge and tracker series
/// recorded since install (or the last [`reset`]), sorted by name and tags. Percentiles are
/// `analysis.percentiles` of the installed configuration.
pub fn snapshot() -> Vec<SeriesSnapshot> {
    let mut st = state();
    st.cycle(false);
    st.snapshot()
}

/// Flushes, then returns the most recent call records (at most
/// `performance.call_log_capacity`), oldest first; rebuild trees with
/// [`super::CallTree::build`].
pub fn call_records() -> Vec<CallRecord> {
    let mut st = state();
    st.cycle(false);
    st.calls.iter().cloned().collect()
}

/// The pipeline's counters (without flushing).
pub fn stats() -> PipelineStats {
    state().stats.clone()
}

/// Drains and discards pending records, then clears aggregates, call records and counters.
pub fn reset() {
    let mut st = state();
    let sink = st.sink.take();
    st.cycle(false);
    st.sink = sink;
    st.reset();
}
