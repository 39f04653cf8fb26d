//! `ConnectionPoolMetrics`: an API through which a program's connection pool reports its
//! state, sampled like any collector (source `network_collector`, tag `pool`).
//!
//! The pool calls [`opened`](ConnectionPoolMetrics::opened) /
//! [`closed`](ConnectionPoolMetrics::closed) when connections come and go,
//! [`acquired`](ConnectionPoolMetrics::acquired) with how long the caller waited, and
//! [`released`](ConnectionPoolMetrics::released). A connection is idle from `opened` until
//! `acquired` and again from `released`. All calls are lock-free atomics; share the value
//! in an `Arc`.
//!
//! Each sample emits `connection_pool_active`, `connection_pool_idle` (gauge, count),
//! `connection_pool_acquisitions` (counter, count, running total) and, when connections were
//! acquired since the previous sample, `connection_pool_wait_time` (timing, ms: their mean
//! wait, with `{"max_ms", "acquisitions"}` of the window in the context).

use std::sync::atomic::{AtomicI64, AtomicU64, Ordering::Relaxed};
use std::sync::Arc;
use std::time::Duration;

use serde_json::json;

use super::emit::Emitter;
use super::network::NETWORK_SOURCE;
use super::{CollectError, Collector};
use crate::metrics::clock::epoch_now_ns;
use crate::metrics::{MetricType, MetricUnit, PerformanceMetric};

/// Live state of one connection pool; see the module docs.
#[derive(Debug)]
pub struct ConnectionPoolMetrics {
    name: String,
    active: AtomicI64,
    idle: AtomicI64,
    acquisitions: AtomicU64,
    window_count: AtomicU64,
    window_wait_ns: AtomicU64,
    window_max_ns: AtomicU64,
}

impl ConnectionPoolMetrics {
    /// A pool called `name` with no connections.
    pub fn new(name: impl Into<String>) -> Arc<Self> {
        Arc::new(ConnectionPoolMetrics {
            name: name.into(),
            active: AtomicI64::new(0),
            idle: AtomicI64::new(0),
            acquisitions: AtomicU64::new(0),
            window_count: AtomicU64::new(0),
            window_wait_ns: AtomicU64::new(0),
            window_max_ns: AtomicU64::new(0),
        })
    }

    /// The pool's name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// A new idle connection.
    pub fn opened(&self) {
        self.idle.fetch_add(1, Relaxed);
    }

    /// An idle connection closed.
    pub fn closed(&self) {
        self.idle.fetch_sub(1, Relaxed);
    }

    /// A caller got a connection after waiting `wait`.
    pub fn acquired(&self, wait: Duration) {
        self.idle.fetch_sub(1, Relaxed);
        self.active.fetch_add(1, Relaxed);
        self.acquisitions.fetch_add(1, Relaxed);
        let ns = u64::try_from(wait.as_nanos()).unwrap_or(u64::MAX);
        self.window_count.fetch_add(1, Relaxed);
        self.window_wait_ns.fetch_add(ns, Relaxed);
        self.window_max_ns.fetch_max(ns, Relaxed);
    }

    /// A caller gave its connection back.
    pub fn released(&self) {
        self.active.fetch_sub(1, Relaxed);
        self.idle.fetch_add(1, Relaxed);
    }

    /// Connections in use (never below 0, even after unbalanced calls).
    pub fn active(&self) -> u64 {
        self.active.load(Relaxed).max(0) as u64
    }

    /// Idle connections (never below 0).
    pub fn idle(&self) -> u64 {
        self.idle.load(Relaxed).max(0) as u64
    }

    /// Appends the pool's metrics stamped `ts` and starts a new wait window.
    pub fn emit(&self, out: &mut Vec<PerformanceMetric>, ts: i64) {
        let mut e = Emitter::new(out, ts, NETWORK_SOURCE);
        let tags = [("pool", self.name.as_str())];
        let (g, c) = (MetricType::Gauge, MetricUnit::Count);
        e.push_tagged("connection_pool_active", self.active() as f64, g, c, &tags);
        e.push_tagged("connection_pool_idle", self.idle() as f64, g, c, &tags);
        e.push_tagged(
            "connection_pool_acquisitions",
            self.acquisitions.load(Relaxed) as f64,
            MetricType::Counter,
            c,
            &tags,
        );
        let n = self.window_count.swap(0, Relaxed);
        let sum = self.window_wait_ns.swap(0, Relaxed);
        let max = self.window_max_ns.swap(0, Relaxed);
        if n > 0 {
            if let Some(m) = e.push_tagged(
                "connection_pool_wait_time",
                sum as f64 / n as f64 / 1e6,
                MetricType::Timing,
                MetricUnit::Milliseconds,
                &tags,
            ) {
                m.context.insert("max_ms".into(), json!(max as f64 / 1e6));
                m.context.insert("acquisitions".into(), json!(n));
            }
        }
    }
}

/// Samples pools as a [`Collector`].
#[derive(Debug, Default)]
pub struct PoolCollector {
    pools: Vec<Arc<ConnectionPoolMetrics>>,
}

impl PoolCollector {
    /// A collector over `pools`.
    pub fn new(pools: Vec<Arc<ConnectionPoolMetrics>>) -> Self {
        PoolCollector { pools }
    }
}

impl Collector for PoolCollector {
    fn source(&self) -> &'static str {
        NETWORK_SOURCE
    }

    fn sample(&mut self, out: &mut Vec<PerformanceMetric>) -> Result<(), CollectError> {
        let ts = epoch_now_ns();
        for p in &self.pools {
            p.emit(out, ts);
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tracks_active_idle_and_window_waits() {
        let p = ConnectionPoolMetrics::new("db");
        let mut c = PoolCollector::new(vec![Arc::clone(&p)]);
        for _ in 0..3 {
            p.opened();
        }
        p.acquired(Duration::from_millis(2));
        p.acquired(Duration::from_millis(4));
        p.released();
        let mut v = Vec::new();
        c.sample(&mut v).unwrap();
        let get =
            |v: &[PerformanceMetric], n: &str| v.iter().find(|m| m.name == n).map(|m| m.value);
        assert_eq!(get(&v, "connection_pool_active"), Some(1.0));
        assert_eq!(get(&v, "connection_pool_idle"), Some(2.0));
        assert_eq!(get(&v, "connection_pool_acquisitions"), Some(2.0));
        assert_eq!(get(&v, "connection_pool_wait_time"), Some(3.0));
        let w = v
            .iter()
            .find(|m| m.name == "connection_pool_wait_time")
            .unwrap();
        assert_eq!(w.context["max_ms"], 4.0);
        assert_eq!(w.tags["pool"], "db");
        let mut v2 = Vec::new();
        c.sample(&mut v2).unwrap();
        assert_eq!(
            get(&v2, "connection_pool_wait_time"),
            None,
            "no acquisitions since"
        );
        p.released();
        p.released();
        assert_eq!(p.active(), 0, "unbalanced releases never go below zero");
    }
}
