//! The flusher's state and one flush cycle: drain the per-thread rings (raw records → call
//! records and raw samples, thinned to the overhead budget) and the direct queue (aggregated
//! here), fold the aggregates of exited threads, emit counter and gauge levels, write batches.
//! Snapshots merge the per-thread aggregates of live threads with those of exited ones.

use std::collections::{HashMap, VecDeque};

use serde::Serialize;
use serde_json::{json, Map, Value};

use super::aggregator::Aggregator;
use super::budget::OverheadBudget;
use super::calltree::CallRecord;
use super::clock::{clock, thread_cpu_ns};
use super::direct::{take_direct, Direct};
use super::local_agg::{Merged, EPOCH};
use super::registry::{sites_from, Site};
use super::ring::{self, Event, EventKind};
use super::sink::MetricSink;
use super::types::{MetricType, PerformanceMetric};

/// The `source` of metrics recorded in-process.
pub const APPLICATION_SOURCE: &str = "application_collector";

/// Counters the pipeline keeps about itself.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct PipelineStats {
    /// Raw records taken from the per-thread rings.
    pub events_drained: u64,
    /// Raw records dropped because their thread's ring was full (their values are still in
    /// the aggregates; only the raw sample and call record are lost).
    pub raw_dropped: u64,
    /// Records from the direct (slow-path) queue: failures, trackers, custom metrics.
    pub direct_records: u64,
    /// Raw records not pushed by the recording threads because the flusher ran over its CPU
    /// budget and raised the stride (their values are still in the aggregates).
    pub raw_thinned: u64,
    /// Drained raw records not turned into metrics because the cycle had already built
    /// `collection.max_metrics_per_collection` of them (their call records are kept).
    pub raw_capped: u64,
    /// Metrics written to the sink.
    pub metrics_written: u64,
    /// Batches written to the sink.
    pub batches_written: u64,
    /// Batches the sink refused.
    pub sink_errors: u64,
    /// The last sink error.
    pub last_sink_error: Option<String>,
    /// Flush cycles run.
    pub flush_cycles: u64,
    /// CPU time the flush cycles used, ns.
    pub flush_cpu_ns: u64,
    /// Current thinning stride: recording threads push one raw record in `emit_stride`.
    pub emit_stride: u64,
}

/// Aggregates of one series.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SeriesSnapshot {
    /// Metric type of the series.
    pub metric_type: MetricType,
    /// Unit of the values.
    pub unit: super::types::MetricUnit,
    /// Series tags.
    pub tags: super::types::Tags,
    /// The aggregation (its `metric_name` is the series name).
    pub aggregation: super::types::MetricAggregation,
    /// Records the series' filters rejected.
    pub filtered: super::filter_runtime::FilterCounts,
}

pub(crate) struct State {
    pub(crate) sink: Option<Box<dyn MetricSink>>,
    pub(crate) batch_size: usize,
    pub(crate) percentiles: Vec<f64>,
    pub(crate) budget: OverheadBudget,
    pub(crate) call_log_capacity: usize,
    /// Most raw metrics one cycle builds (`collection.max_metrics_per_collection`).
    pub(crate) max_raw_per_cycle: u64,
    raw_budget: u64,
    sites: Vec<&'static Site>,
    aggs: HashMap<u32, Aggregator>,
    retired: HashMap<u32, Merged>,
    retired_lost: (u64, u64),
    lost_baseline: (u64, u64),
    last_values: HashMap<u32, u64>,
    pub(crate) calls: VecDeque<CallRecord>,
    pending: Vec<PerformanceMetric>,
    last_cycle_raw: u64,
    pub(crate) stats: PipelineStats,
}

impl State {
    pub(crate) fn new() -> State {
        State {
            sink: None,
            batch_size: 1000,
            percentiles: vec![50.0, 90.0, 95.0, 99.0, 99.9],
            budget: OverheadBudget::new(0.01),
            call_log_capacity: 100_000,
            max_raw_per_cycle: 10_000,
            raw_budget: 10_000,
            sites: Vec::new(),
            aggs: HashMap::new(),
            retired: HashMap::new(),
            retired_lost: (0, 0),
            lost_baseline: (0, 0),
            last_values: HashMap::new(),
            calls: VecDeque::new(),
            pending: Vec::new(),
            last_cycle_raw: 0,
            stats: PipelineStats {
                emit_stride: 1,
                ..PipelineStats::default()
            },
        }
    }

    /// Forgets aggregates, call records and statistics (sites stay registered, and counter
    /// and gauge levels already emitted are not emitted again).
    pub(crate) fn reset(&mut self) {
        EPOCH.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        self.lost_baseline.0 += self.stats.raw_dropped;
        self.lost_baseline.1 += self.stats.raw_thinned;
        self.retired.clear();
        self.aggs.clear();
        self.calls.clear();
        self.pending.clear();
        self.stats = PipelineStats {
            emit_stride: 1,
            ..PipelineStats::default()
        };
        self.budget = OverheadBudget::new(self.budget.limit());
        ring::RAW_STRIDE.store(1, std::sync::atomic::Ordering::Relaxed);
    }

    /// One cycle. `budgeted` adapts the thinning stride to the measured flusher CPU share.
    pub(crate) fn cycle(&mut self, budgeted: bool) {
        let cpu0 = thread_cpu_ns();
        let c = clock();
        self.raw_budget = self.max_raw_per_cycle;
        self.sites.extend(sites_from(self.sites.len()));
        let mut live = (0, 0);
        let serial = ring::drain_lock();
        for r in ring::rings() {
            let closed = r.is_closed();
            self.stats.events_drained += r.drain(&serial, |ev| self.on_event(ev)) as u64;
            if closed {
                // Nothing arrives after `closed` (release/acquire): fold and forget the ring.
                let retired = &mut self.retired;
                r.read_aggs(|site, m| {
                    retired
                        .entry(site)
                        .or_insert_with(|| Merged::empty(0))
                        .merge(&m)
                });
                let (d, t) = r.raw_lost();
                self.retired_lost = (self.retired_lost.0 + d, self.retired_lost.1 + t);
                ring::retire(std::slice::from_ref(&r));
            } else {
                let (d, t) = r.raw_lost();
                live = (live.0 + d, live.1 + t);
            }
        }
        let (d, t) = (self.retired_lost.0 + live.0, self.retired_lost.1 + live.1);
        self.stats.raw_dropped = d.saturating_sub(self.lost_baseline.0);
        self.stats.raw_thinned = t.saturating_sub(self.lost_baseline.1);
        let (direct, overflow) = take_direct();
        for d in direct {
            self.on_direct(d);
        }
        for (site, agg) in overflow {
            self.agg(site).merge(&agg);
        }
        self.emit_levels();
        self.write_pending();
        let cpu = thread_cpu_ns().saturating_sub(cpu0);
        self.stats.flush_cycles += 1;
        self.stats.flush_cpu_ns += cpu;
        let end_raw = c.raw();
        if budgeted && self.last_cycle_raw != 0 {
            let wall = c.delta_ns(self.last_cycle_raw, end_raw);
            let stride = self.budget.after_cycle(self.stats.emit_stride, cpu, wall);
            self.stats.emit_stride = stride;
            ring::RAW_STRIDE.store(stride, std::sync::atomic::Ordering::Relaxed);
        }
        self.last_cycle_raw = end_raw;
    }

    fn agg(&mut self, site: u32) -> &mut Aggregator {
        self.aggs
            .entry(site)
            .or_insert_with(Aggregator::with_configured_precision)
    }

    fn on_event(&mut self, ev: &Event) {
        let Some(&site) = self.sites.get(ev.site as usize) else {
            return;
        };
        let value = event_value(ev);
        let ts = event_epoch(ev);
        let call = ev.kind == EventKind::Call;
        if call {
            let dur = value as u64;
            self.push_call(CallRecord::ended(ev.span, ev.parent, &site.name, ts, dur));
        }
        if self.raw_budget == 0 {
            self.stats.raw_capped += 1;
            return;
        }
        self.raw_budget -= 1;
        let mut m = metric_for(site, value, ts);
        if call {
            m.context = span_context(ev.span, ev.parent);
        }
        self.pending.push(m);
    }

    fn on_direct(&mut self, d: Direct) {
        self.stats.direct_records += 1;
        if d.site.metric_type != MetricType::Counter {
            let (v, ts) = (d.metric.value, d.metric.timestamp);
            self.agg(d.site.id).record(v, ts);
        }
        if let Some(call) = d.call {
            self.push_call(call);
        }
        self.pending.push(d.metric);
    }

    pub(crate) fn push_call(&mut self, call: CallRecord) {
        if self.call_log_capacity == 0 {
            return;
        }
        if self.calls.len() >= self.call_log_capacity {
            self.calls.pop_front();
        }
        self.calls.push_back(call);
    }

    /// Emits counters (running totals) and gauges whose value changed since the last cycle.
    fn emit_levels(&mut self) {
        let ts = clock().epoch_ns(clock().raw());
        for &site in &self.sites {
            let is_gauge = match site.metric_type {
                MetricType::Gauge => true,
                MetricType::Counter => false,
                _ => continue,
            };
            let bits = site.value.load(std::sync::atomic::Ordering::Relaxed);
            let last = self.last_values.insert(site.id, bits);
            if last == Some(bits) || (last.is_none() && bits == 0) {
                continue;
            }
            let v = if is_gauge {
                f64::from_bits(bits)
            } else {
                bits as f64
            };
            if is_gauge {
                self.aggs
                    .entry(site.id)
                    .or_insert_with(Aggregator::with_configured_precision)
                    .record(v, ts);
            }
            self.pending.push(metric_for(site, v, ts));
        }
    }

    fn write_pending(&mut self) {
        let Some(sink) = self.sink.as_mut() else {
            self.pending.clear();
            return;
        };
        for batch in self.pending.chunks(self.batch_size.max(1)) {
            match sink.write_batch(batch) {
                Ok(()) => {
                    self.stats.metrics_written += batch.len() as u64;
                    self.stats.batches_written += 1;
                }
                Err(e) => {
                    self.stats.sink_errors += 1;
                    self.stats.last_sink_error = Some(error_chain(&e));
                }
            }
        }
        self.pending.clear();
    }

    /// Aggregates of every non-empty series: per-thread aggregates of live threads merged
    /// with those of exited threads, plus the slow-path aggregates.
    pub(crate) fn snapshot(&self) -> Vec<SeriesSnapshot> {
        let mut merged = self.retired.clone();
        for r in ring::rings() {
            r.read_aggs(|site, m| {
                merged
                    .entry(site)
                    .or_insert_with(|| Merged::empty(0))
                    .merge(&m)
            });
        }
        let c = clock();
        let ns_per_tick = c.ns_per_tick();
        let from_threads = merged.iter().filter_map(|(&id, m)| {
            let site = *self.sites.get(id as usize)?;
            let scale = if site.metric_type == MetricType::Timing {
                ns_per_tick
            } else {
                1.0
            };
            let agg = m.summary(&site.name, &self.percentiles, scale, |raw| c.epoch_ns(raw))?;
            Some((site, agg))
        });
        let from_direct = self.aggs.iter().filter_map(|(&id, agg)| {
            let site = *self.sites.get(id as usize)?;
            Some((site, agg.summary(&site.name, &self.percentiles)?))
        });
        let mut out: Vec<SeriesSnapshot> = from_threads
            .chain(from_direct)
            .map(|(site, aggregation)| SeriesSnapshot {
                metric_type: site.metric_type,
                unit: site.unit,
                tags: site.tags.clone(),
                aggregation,
                filtered: site.filter_counts(),
            })
            .collect();
        out.sort_by(|a, b| {
            (&a.aggregation.metric_name, &a.tags).cmp(&(&b.aggregation.metric_name, &b.tags))
        });
        out
    }
}

fn error_chain(e: &dyn std::error::Error) -> String {
    let mut s = e.to_string();
    let mut src = e.source();
    while let Some(cause) = src {
        s.push_str(": ");
        s.push_str(&cause.to_string());
        src = cause.source();
    }
    s
}

/// `{span_id, parent_id}` context of a timer metric.
pub(crate) fn span_context(span: u64, parent: u64) -> Map<String, Value> {
    let mut m = Map::new();
    m.insert("span_id".into(), json!(span));
    if parent != 0 {
        m.insert("parent_id".into(), json!(parent));
    }
    m
}

/// A metric of `site` with the given value and time.
pub(crate) fn metric_for(site: &Site, value: f64, ts: i64) -> PerformanceMetric {
    PerformanceMetric {
        name: site.name.clone(),
        value,
        metric_type: site.metric_type,
        unit: site.unit,
        timestamp: ts,
        tags: site.tags.clone(),
        source: Some(APPLICATION_SOURCE.into()),
        context: Map::new(),
    }
}

/// The value an event records: a call's duration in ns, or the histogram value.
#[inline]
pub(crate) fn event_value(ev: &Event) -> f64 {
    match ev.kind {
        EventKind::Value => ev.b as f64,
        _ => clock().delta_ns(ev.a, ev.b) as f64,
    }
}

/// When an event happened, epoch ns: a call's end, or the value's reading time.
#[inline]
pub(crate) fn event_epoch(ev: &Event) -> i64 {
    match ev.kind {
        EventKind::Value => clock().epoch_ns(ev.a),
        _ => clock().epoch_ns(ev.b),
    }
}
