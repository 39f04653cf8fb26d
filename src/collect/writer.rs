//! The single writer of a collection: collectors send batches of metrics into a bounded
//! queue; one thread applies the caps and filters and writes them to a [`MetricSink`]
//! (the store, through `StoreSink`), counting what it wrote per source and per name.
//!
//! Per batch: at most `max_per_batch` metrics are kept (`collection.max_metrics_per_collection`,
//! the excess is counted as `capped`); then each metric passes the filters of its series
//! ([`SiteFilter`], compiled once per name and tags; rate limits use the metric's own
//! timestamp); survivors are written in chunks of `chunk` (`performance.batch_size`).

use std::collections::{BTreeMap, HashMap};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::mpsc::{sync_channel, Receiver, SyncSender, TrySendError};
use std::sync::Arc;
use std::thread::JoinHandle;

use serde::Serialize;

use super::CollectError;
use crate::metrics::filter_runtime::SiteFilter;
use crate::metrics::{MetricFilter, MetricSink, PerformanceMetric, Tags};

/// Sink error messages kept (all are counted).
const KEPT_ERRORS: usize = 5;

enum Msg {
    Batch(Vec<PerformanceMetric>),
    Finish,
}

/// A handle collectors send batches through; cheap to clone.
#[derive(Clone)]
pub struct BatchSender {
    tx: SyncSender<Msg>,
    dropped: Arc<AtomicU64>,
}

impl BatchSender {
    /// Queues `batch` without blocking; when the queue is full (or the writer is gone) the
    /// batch is dropped, counted, and `false` returned.
    pub fn try_send(&self, batch: Vec<PerformanceMetric>) -> bool {
        match self.tx.try_send(Msg::Batch(batch)) {
            Ok(()) => true,
            Err(TrySendError::Full(_) | TrySendError::Disconnected(_)) => {
                self.dropped.fetch_add(1, Ordering::Relaxed);
                false
            }
        }
    }

    /// Queues `batch`, waiting for room.
    pub fn send(&self, batch: Vec<PerformanceMetric>) -> Result<(), CollectError> {
        self.tx.send(Msg::Batch(batch)).map_err(|_| {
            CollectError::Sink(crate::metrics::SinkError::msg(
                "the metric writer has already finished",
            ))
        })
    }
}

/// Limits of a writer.
#[derive(Debug, Clone)]
pub struct WriterOptions {
    /// Batches the queue holds (≥ 1).
    pub queue_capacity: usize,
    /// Metrics per sink write (≥ 1).
    pub chunk: usize,
    /// Most metrics kept from one batch (one collector pass).
    pub max_per_batch: usize,
    /// Filters applied before writing.
    pub filters: Vec<MetricFilter>,
}

impl Default for WriterOptions {
    fn default() -> Self {
        WriterOptions {
            queue_capacity: 64,
            chunk: 1000,
            max_per_batch: 10_000,
            filters: Vec::new(),
        }
    }
}

/// What the writer stored.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct WriteReport {
    /// Metrics written to the sink.
    pub written: u64,
    /// Written, per source (`system_collector`, …).
    pub by_source: BTreeMap<String, u64>,
    /// Written, per metric name.
    pub by_name: BTreeMap<String, u64>,
    /// Earliest and latest timestamp written (epoch ns).
    pub time_span: Option<(i64, i64)>,
    /// Rejected by filters.
    pub filtered: u64,
    /// Cut by the per-batch cap.
    pub capped: u64,
    /// Batches dropped because the queue was full.
    pub dropped_batches: u64,
    /// Metrics the sink refused.
    pub failed: u64,
    /// The first sink errors.
    pub errors: Vec<String>,
}

/// The writer thread; see the module docs.
pub struct MetricWriter {
    sender: BatchSender,
    thread: Option<JoinHandle<WriteReport>>,
}

impl MetricWriter {
    /// Starts a writer over `sink`.
    pub fn spawn(sink: Box<dyn MetricSink>, opts: WriterOptions) -> Result<Self, CollectError> {
        let (tx, rx) = sync_channel(opts.queue_capacity.max(1));
        let thread = std::thread::Builder::new()
            .name("f0-collect-writer".into())
            .spawn(move || write_loop(sink, &opts, &rx))
            .map_err(|source| CollectError::Spawn {
                what: "metric writer",
                source,
            })?;
        Ok(MetricWriter {
            sender: BatchSender {
                tx,
                dropped: Arc::new(AtomicU64::new(0)),
            },
            thread: Some(thread),
        })
    }

    /// A sender for collectors.
    pub fn sender(&self) -> BatchSender {
        self.sender.clone()
    }

    /// Writes everything queued so far, flushes the sink and returns the report. Batches
    /// sent after this are dropped.
    pub fn finish(mut self) -> WriteReport {
        let _ = self.sender.tx.send(Msg::Finish);
        let mut report = self
            .thread
            .take()
            .and_then(|t| t.join().ok())
            .unwrap_or_default();
        report.dropped_batches = self.sender.dropped.load(Ordering::Relaxed);
        report
    }
}

impl Drop for MetricWriter {
    fn drop(&mut self) {
        if let Some(t) = self.thread.take() {
            let _ = self.sender.tx.send(Msg::Finish);
            let _ = t.join();
        }
    }
}

struct Writer {
    sink: Box<dyn MetricSink>,
    filters: Vec<MetricFilter>,
    compiled: HashMap<(String, Tags), Option<SiteFilter>>,
    report: WriteReport,
}

impl Writer {
    fn admit(&mut self, m: &PerformanceMetric) -> bool {
        if self.filters.is_empty() {
            return true;
        }
        let filters = &self.filters;
        let f = self
            .compiled
            .entry((m.name.clone(), m.tags.clone()))
            .or_insert_with(|| SiteFilter::compile(filters, &m.name, &m.tags));
        match f {
            None => true,
            Some(f) => f.admit(
                m.value,
                u64::try_from(m.timestamp / 1_000_000_000).unwrap_or(0),
            ),
        }
    }

    fn write(&mut self, chunk: &[PerformanceMetric]) {
        if chunk.is_empty() {
            return;
        }
        match self.sink.write_batch(chunk) {
            Ok(()) => {
                let r = &mut self.report;
                r.written += chunk.len() as u64;
                for m in chunk {
                    let source = m.source.clone().unwrap_or_default();
                    *r.by_source.entry(source).or_default() += 1;
                    *r.by_name.entry(m.name.clone()).or_default() += 1;
                    r.time_span = Some(match r.time_span {
                        None => (m.timestamp, m.timestamp),
                        Some((a, b)) => (a.min(m.timestamp), b.max(m.timestamp)),
                    });
                }
            }
            Err(e) => {
                self.report.failed += chunk.len() as u64;
                if self.report.errors.len() < KEPT_ERRORS {
                    let mut msg = e.to_string();
                    if let Some(src) = std::error::Error::source(&e) {
                        msg = format!("{msg}: {src}");
                    }
                    self.report.errors.push(msg);
                }
            }
        }
    }

    fn batch(&mut self, mut batch: Vec<PerformanceMetric>, opts: &WriterOptions) {
        if batch.len() > opts.max_per_batch {
            self.report.capped += (batch.len() - opts.max_per_batch) as u64;
            batch.truncate(opts.max_per_batch);
        }
        let before = batch.len();
        batch.retain(|m| self.admit(m));
        self.report.filtered += (before - batch.len()) as u64;
        for chunk in batch.chunks(opts.chunk.max(1)) {
            self.write(chunk);
        }
    }
}

fn write_loop(sink: Box<dyn MetricSink>, opts: &WriterOptions, rx: &Receiver<Msg>) -> WriteReport {
    let mut w = Writer {
        sink,
        filters: opts.filters.clone(),
        compiled: HashMap::new(),
        report: WriteReport::default(),
    };
    while let Ok(Msg::Batch(batch)) = rx.recv() {
        w.batch(batch, opts);
    }
    // Finish: write what is still queued.
    while let Ok(msg) = rx.try_recv() {
        if let Msg::Batch(batch) = msg {
            w.batch(batch, opts);
        }
    }
    if let Err(e) = w.sink.flush() {
        if w.report.errors.len() < KEPT_ERRORS {
            w.report.errors.push(e.to_string());
        }
        w.report.failed += 1;
    }
    w.report
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::metrics::{MemorySink, MetricType, MetricUnit, SinkError};

    fn m(name: &str, v: f64, ts: i64, source: &str) -> PerformanceMetric {
        PerformanceMetric::new(name, v, MetricType::Gauge, MetricUnit::Count)
            .unwrap()
            .with_timestamp(ts)
            .with_source(source)
    }

    #[test]
    fn counts_per_source_and_name_and_applies_filters_and_caps() {
        let sink = MemorySink::new();
        let opts = WriterOptions {
            max_per_batch: 3,
            chunk: 2,
            filters: vec![MetricFilter {
                value_range: Some((0.0, 10.0)),
                ..MetricFilter::new("cpu_*")
            }],
            ..WriterOptions::default()
        };
        let w = MetricWriter::spawn(Box::new(sink.reader()), opts).unwrap();
        let tx = w.sender();
        tx.send(vec![
            m("cpu_usage_total", 5.0, 10, "system_collector"),
            m("cpu_usage_total", 50.0, 20, "system_collector"),
            m("gauge_q", 7.0, 5, "custom_collector"),
            m("dropped_by_cap", 1.0, 1, "custom_collector"),
        ])
        .unwrap();
        let r = w.finish();
        assert_eq!(r.written, 2);
        assert_eq!(r.filtered, 1);
        assert_eq!(r.capped, 1);
        assert_eq!(r.by_source["system_collector"], 1);
        assert_eq!(r.by_source["custom_collector"], 1);
        assert_eq!(r.by_name["cpu_usage_total"], 1);
        assert_eq!(r.time_span, Some((5, 10)));
        assert_eq!(sink.batches(), 1, "two survivors fit one chunk of 2");
        assert!(tx.send(vec![]).is_err(), "the writer has finished");
    }

    struct Failing;
    impl MetricSink for Failing {
        fn write_batch(&mut self, _: &[PerformanceMetric]) -> Result<(), SinkError> {
            Err(SinkError::msg("disk full"))
        }
    }

    #[test]
    fn sink_errors_are_counted_and_kept() {
        let w = MetricWriter::spawn(Box::new(Failing), WriterOptions::default()).unwrap();
        w.sender().send(vec![m("a", 1.0, 1, "s")]).unwrap();
        let r = w.finish();
        assert_eq!((r.written, r.failed), (0, 1));
        assert_eq!(r.errors, vec!["disk full".to_owned()]);
    }

    #[test]
    fn a_sink_errors_cause_and_a_failed_flush_are_reported() {
        struct Broken;
        impl MetricSink for Broken {
            fn write_batch(&mut self, _: &[PerformanceMetric]) -> Result<(), SinkError> {
                let io = std::io::Error::other("no space left on device");
                Err(SinkError::with_source("cannot write store.db", io))
            }
            fn flush(&mut self) -> Result<(), SinkError> {
                Err(SinkError::msg("cannot commit store.db"))
            }
        }
        let w = MetricWriter::spawn(Box::new(Broken), WriterOptions::default()).unwrap();
        w.sender().send(vec![]).unwrap();
        w.sender().send(vec![m("a", 1.0, 1, "s")]).unwrap();
        let r = w.finish();
        assert_eq!(
            r.errors,
            [
                "cannot write store.db: no space left on device",
                "cannot commit store.db"
            ]
        );
        assert_eq!((r.written, r.failed), (0, 2), "one metric and the flush");
    }

    #[test]
    fn a_full_queue_drops_and_counts() {
        struct Slow;
        impl MetricSink for Slow {
            fn write_batch(&mut self, _: &[PerformanceMetric]) -> Result<(), SinkError> {
                std::thread::sleep(std::time::Duration::from_millis(200));
                Ok(())
            }
        }
        let opts = WriterOptions {
            queue_capacity: 1,
            ..WriterOptions::default()
        };
        let w = MetricWriter::spawn(Box::new(Slow), opts).unwrap();
        let tx = w.sender();
        let sent = (0..10)
            .filter(|i| tx.try_send(vec![m("a", f64::from(*i), 1, "s")]))
            .count() as u64;
        let r = w.finish();
        assert!(sent < 10);
        assert_eq!(r.dropped_batches, 10 - sent);
        assert_eq!(r.written, sent);
    }
}
