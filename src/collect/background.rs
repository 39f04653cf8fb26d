//! Running a [`Collector`] on its own thread at a fixed rate, handing each sample to a
//! bounded queue.
//!
//! Schedule: one sample at start (for the system collector, the priming sample), then one
//! at `start + k·interval` for k = 1, 2, … (fixed rate: a slow sample does not shift later
//! ticks; missed ticks are skipped, not bunched). With `final_sample`, stopping takes one
//! more sample when at least [`MIN_FINAL_GAP`] has passed since the last one, so a
//! collection shorter than the interval still yields a delta sample. Without an interval
//! the collector samples once and waits to be stopped.
//!
//! Each sample is one batch sent with [`BatchSender::try_send`]: when the queue is full the
//! batch is dropped and counted, never blocking the sampling thread.

use std::sync::{Arc, Condvar, Mutex, PoisonError};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use super::writer::BatchSender;
use super::{CollectError, Collector};

/// Least time since the previous sample for the final sample on stop.
pub const MIN_FINAL_GAP: Duration = Duration::from_millis(100);
/// Error messages kept per collector (all are counted).
const KEPT_ERRORS: usize = 5;

/// What a background collector did.
#[derive(Debug, Clone, Default, PartialEq, serde::Serialize)]
pub struct BackgroundReport {
    /// The collector's source.
    pub source: String,
    /// Samples taken (including the first).
    pub samples: u64,
    /// Metrics produced.
    pub metrics: u64,
    /// Samples that failed.
    pub error_count: u64,
    /// The first failures' messages.
    pub errors: Vec<String>,
    /// Batches dropped because the queue was full.
    pub dropped_batches: u64,
    /// Mean wall time of one sample, nanoseconds.
    pub mean_sample_ns: f64,
}

struct Stop {
    flag: Mutex<bool>,
    cv: Condvar,
}

/// A collector sampling on its own thread; [`BackgroundCollector::stop`] ends it.
pub struct BackgroundCollector {
    stop: Arc<Stop>,
    thread: Option<JoinHandle<BackgroundReport>>,
}

impl BackgroundCollector {
    /// Starts sampling `collector` every `interval` (once when `None`) into `out`.
    pub fn spawn(
        collector: Box<dyn Collector>,
        interval: Option<Duration>,
        final_sample: bool,
        out: BatchSender,
    ) -> Result<Self, CollectError> {
        let stop = Arc::new(Stop {
            flag: Mutex::new(false),
            cv: Condvar::new(),
        });
        let stop2 = Arc::clone(&stop);
        let thread = std::thread::Builder::new()
            .name(format!("f0-collect-{}", collector.source()))
            .spawn(move || run(collector, interval, final_sample, &out, &stop2))
            .map_err(|source| CollectError::Spawn {
                what: "collector",
                source,
            })?;
        Ok(BackgroundCollector {
            stop,
            thread: Some(thread),
        })
    }

    /// Stops sampling (after the final sample, if asked for) and returns the report.
    pub fn stop(mut self) -> BackgroundReport {
        self.signal();
        self.thread
            .take()
            .and_then(|t| t.join().ok())
            .unwrap_or_default()
    }

    fn signal(&self) {
        *self
            .stop
            .flag
            .lock()
            .unwrap_or_else(PoisonError::into_inner) = true;
        self.stop.cv.notify_all();
    }
}

impl Drop for BackgroundCollector {
    fn drop(&mut self) {
        self.signal();
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

struct Sampler<'a> {
    collector: Box<dyn Collector>,
    out: &'a BatchSender,
    report: BackgroundReport,
    sample_ns: u128,
    last: Instant,
}

impl Sampler<'_> {
    fn sample(&mut self) {
        let started = Instant::now();
        let mut batch = Vec::new();
        let result = self.collector.sample(&mut batch);
        self.sample_ns += started.elapsed().as_nanos();
        self.last = started;
        self.report.samples += 1;
        if let Err(e) = result {
            self.report.error_count += 1;
            if self.report.errors.len() < KEPT_ERRORS {
                self.report.errors.push(e.to_string());
            }
        }
        if !batch.is_empty() {
            self.report.metrics += batch.len() as u64;
            if !self.out.try_send(batch) {
                self.report.dropped_batches += 1;
            }
        }
    }
}

/// Waits until `deadline` or a stop; true when stopped.
fn wait_until(stop: &Stop, deadline: Option<Instant>) -> bool {
    let mut stopped = stop.flag.lock().unwrap_or_else(PoisonError::into_inner);
    loop {
        if *stopped {
            return true;
        }
        match deadline {
            None => {
                stopped = stop
                    .cv
                    .wait(stopped)
                    .unwrap_or_else(PoisonError::into_inner);
            }
            Some(d) => {
                let now = Instant::now();
                if now >= d {
                    return false;
                }
                stopped = stop
                    .cv
                    .wait_timeout(stopped, d - now)
                    .unwrap_or_else(PoisonError::into_inner)
                    .0;
            }
        }
    }
}

/// The tick after tick `k` was sampled at `elapsed` since the start: fixed rate, so the
/// first tick still ahead (ticks a late sample overran are skipped, never bunched).
fn next_tick(k: u32, elapsed: Duration, interval: Duration) -> u32 {
    let due = (elapsed.as_secs_f64() / interval.as_secs_f64()).floor() as u32 + 1;
    due.max(k + 1)
}

fn run(
    collector: Box<dyn Collector>,
    interval: Option<Duration>,
    final_sample: bool,
    out: &BatchSender,
    stop: &Stop,
) -> BackgroundReport {
    let start = Instant::now();
    let mut s = Sampler {
        report: BackgroundReport {
            source: collector.source().to_owned(),
            ..BackgroundReport::default()
        },
        collector,
        out,
        sample_ns: 0,
        last: start,
    };
    s.sample();
    let mut k: u32 = 1;
    loop {
        let next = interval.map(|i| start + i * k);
        if wait_until(stop, next) {
            if final_sample && interval.is_some() && s.last.elapsed() >= MIN_FINAL_GAP {
                s.sample();
            }
            break;
        }
        s.sample();
        if let Some(i) = interval {
            k = next_tick(k, start.elapsed(), i);
        }
    }
    let mut report = s.report;
    if report.samples > 0 {
        report.mean_sample_ns = s.sample_ns as f64 / report.samples as f64;
    }
    report
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::collect::writer::{MetricWriter, WriterOptions};
    use crate::metrics::{MemorySink, MetricType, MetricUnit, PerformanceMetric};

    struct Ticker(u32);
    impl Collector for Ticker {
        fn source(&self) -> &'static str {
            "ticker"
        }
        fn sample(&mut self, out: &mut Vec<PerformanceMetric>) -> Result<(), CollectError> {
            self.0 += 1;
            if self.0 == 2 {
                return Err(CollectError::Network("second sample fails".into()));
            }
            out.push(
                PerformanceMetric::new(
                    "tick",
                    f64::from(self.0),
                    MetricType::Gauge,
                    MetricUnit::Count,
                )
                .unwrap(),
            );
            Ok(())
        }
    }

    #[test]
    fn samples_at_start_then_each_interval_and_on_stop() {
        let sink = MemorySink::new();
        let w = MetricWriter::spawn(Box::new(sink.reader()), WriterOptions::default()).unwrap();
        let bg = BackgroundCollector::spawn(
            Box::new(Ticker(0)),
            Some(Duration::from_millis(100)),
            true,
            w.sender(),
        )
        .unwrap();
        std::thread::sleep(Duration::from_millis(350));
        let r = bg.stop();
        let report = w.finish();
        // t = 0, 100, 200, 300 ms, and a final one only if ≥ 100 ms after the last; a
        // loaded machine may skip a late tick (see `ticks_are_fixed_rate`).
        assert!((3..=5).contains(&r.samples), "{r:?}");
        assert_eq!(r.error_count, 1);
        assert_eq!(r.errors, vec!["second sample fails".to_owned()]);
        assert_eq!(r.metrics, r.samples - 1);
        assert_eq!(report.written, r.metrics);
        assert_eq!(sink.metrics().len() as u64, r.metrics);
    }

    #[test]
    fn ticks_are_fixed_rate() {
        let ms = Duration::from_millis;
        assert_eq!(next_tick(1, ms(103), ms(100)), 2, "on time");
        assert_eq!(
            next_tick(2, ms(199), ms(100)),
            3,
            "early wake-ups never repeat a tick"
        );
        assert_eq!(next_tick(2, ms(350), ms(100)), 4, "tick 3 overran: skipped");
        assert_eq!(next_tick(5, ms(500), ms(100)), 6);
    }

    #[test]
    fn without_an_interval_it_samples_once() {
        let w = MetricWriter::spawn(Box::new(MemorySink::new()), WriterOptions::default()).unwrap();
        let bg = BackgroundCollector::spawn(Box::new(Ticker(0)), None, true, w.sender()).unwrap();
        std::thread::sleep(Duration::from_millis(150));
        assert_eq!(bg.stop().samples, 1);
        assert_eq!(w.finish().written, 1);
    }
}
