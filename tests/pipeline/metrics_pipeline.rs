//! The pipeline with specific configurations: filters on the recording path, overflow,
//! thinning under the overhead budget, sinks, shutdown, install rules and the no-op mode.
//! Tests here install their own pipelines, so they take a lock and run one at a time.

use framework0::metrics::{
    self, counter, gauge, histogram, timer, JsonLinesSink, MemorySink, MetricFilter, MetricSink,
    MetricUnit, MetricsConfiguration, PerformanceMetric, PipelineError, SinkError,
};

use crate::serial;

fn config(f: impl FnOnce(&mut MetricsConfiguration)) -> MetricsConfiguration {
    let mut c = MetricsConfiguration::default();
    c.performance.collection_overhead_limit = 1.0;
    f(&mut c);
    c
}

fn count_of(name: &str) -> u64 {
    metrics::snapshot()
        .iter()
        .filter(|s| s.aggregation.metric_name == name)
        .map(|s| s.aggregation.count)
        .sum()
}

#[test]
fn without_a_pipeline_recording_is_a_no_op() {
    let _g = serial();
    assert!(!metrics::is_enabled());
    let t = timer("noop_timer", &[]);
    for _ in 0..100 {
        t.time(|| ());
    }
    histogram("noop_hist", MetricUnit::Count, &[]).record(5);
    counter("noop_counter", &[]).increment(3);
    let _tr = framework0::performance_tracker("noop_tracker");
    drop(_tr);
    assert_eq!(
        count_of("noop_timer") + count_of("noop_hist") + count_of("noop_tracker"),
        0
    );
    assert_eq!(counter("noop_counter", &[]).value(), 0);
    assert!(metrics::call_records()
        .iter()
        .all(|r| r.name != "noop_timer"));
}

#[test]
fn filters_apply_on_the_recording_path() {
    let _g = serial();
    let c = config(|c| {
        c.filters = vec![
            MetricFilter {
                sample_rate: 0.5,
                ..MetricFilter::new("flt_sampled")
            },
            MetricFilter {
                value_range: Some((10.0, 20.0)),
                ..MetricFilter::new("flt_hist")
            },
            MetricFilter {
                rate_limit: Some(5),
                ..MetricFilter::new("flt_counter")
            },
            MetricFilter {
                tag_filters: [("db".to_string(), "main".to_string())].into(),
                ..MetricFilter::new("flt_tagged")
            },
        ]
    });
    let sink = MemorySink::new();
    let h = metrics::install(c, Box::new(sink.reader())).unwrap();
    let sampled = timer("flt_sampled", &[]);
    for _ in 0..4000 {
        sampled.time(|| ());
    }
    let hist = histogram("flt_hist", MetricUnit::Bytes, &[]);
    for v in 0..30 {
        hist.record(v);
    }
    let ctr = counter("flt_counter", &[]);
    for _ in 0..20 {
        ctr.increment(1);
    }
    timer("flt_tagged", &[("db", "main")]).time(|| ());
    timer("flt_tagged", &[("db", "replica")]).time(|| ());
    let snap = metrics::snapshot();
    let get = |name: &str| {
        snap.iter()
            .filter(|s| s.aggregation.metric_name == name)
            .collect::<Vec<_>>()
    };
    let s = get("flt_sampled")[0];
    assert_eq!(
        s.aggregation.count + s.filtered.sampled_out,
        4000,
        "kept + sampled out = recorded"
    );
    assert!(
        (1700..2300).contains(&s.aggregation.count),
        "{}",
        s.aggregation.count
    );
    let hs = get("flt_hist")[0];
    assert_eq!((hs.aggregation.count, hs.filtered.out_of_range), (11, 19));
    assert_eq!(
        (hs.aggregation.min_value, hs.aggregation.max_value),
        (10.0, 20.0)
    );
    // 20 increments inside one second against a limit of 5.
    assert!(ctr.value() >= 5 && ctr.value() <= 10, "{}", ctr.value());
    let tagged = get("flt_tagged");
    assert_eq!(tagged.len(), 1);
    assert_eq!(tagged[0].tags["db"], "main");
    h.shutdown().unwrap();
    let written: Vec<PerformanceMetric> = sink.metrics();
    assert_eq!(
        written.iter().filter(|m| m.name == "flt_sampled").count() as u64,
        s.aggregation.count
    );
    assert!(written
        .iter()
        .filter(|m| m.name == "flt_tagged")
        .all(|m| m.tags["db"] == "main"));
}

#[test]
fn full_rings_drop_raw_records_but_counts_stay_exact() {
    let _g = serial();
    let c = config(|c| {
        c.performance.buffer_capacity = 64;
        c.performance.async_processing = false;
    });
    let h = metrics::install(c, Box::new(MemorySink::new())).unwrap();
    std::thread::spawn(|| {
        let t = timer("ovf_timer", &[]);
        for _ in 0..1000 {
            t.time(|| ());
        }
    })
    .join()
    .unwrap();
    assert_eq!(count_of("ovf_timer"), 1000);
    let st = metrics::stats();
    assert_eq!(st.raw_dropped, 1000 - 64);
    let calls = metrics::call_records()
        .iter()
        .filter(|r| r.name == "ovf_timer")
        .count();
    assert_eq!(
        calls, 64,
        "dropped raw records keep their counts but lose their call records"
    );
    h.shutdown().unwrap();
}

#[test]
fn the_flusher_thins_raw_samples_over_budget_but_keeps_counts() {
    let _g = serial();
    let c = config(|c| {
        c.performance.collection_overhead_limit = 1e-6;
        c.performance.flush_interval_ms = 1;
    });
    let sink = MemorySink::with_limit(0);
    let h = metrics::install(c, Box::new(sink.reader())).unwrap();
    let t = timer("thin_timer", &[]);
    let start = std::time::Instant::now();
    let mut n = 0u64;
    while start.elapsed() < std::time::Duration::from_millis(300) {
        for _ in 0..1000 {
            t.time(|| ());
        }
        n += 1000;
    }
    let st = h.shutdown().unwrap();
    assert_eq!(count_of("thin_timer"), n);
    assert!(st.emit_stride > 1, "stride {}", st.emit_stride);
    assert!(st.raw_thinned > 0);
    assert_eq!(
        st.events_drained + st.raw_dropped + st.raw_thinned,
        n,
        "{st:?}"
    );
    assert_eq!(
        sink.written() + st.raw_capped,
        st.events_drained,
        "every drained record is written or capped: {st:?}"
    );
}

#[test]
fn json_lines_sink_round_trips_and_shutdown_flushes() {
    let _g = serial();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("metrics.jsonl");
    let c = config(|c| c.performance.async_processing = false);
    let h = metrics::install(c, Box::new(JsonLinesSink::open(&path).unwrap())).unwrap();
    let t = timer("jsonl_timer", &[("k", "v")]);
    for _ in 0..3 {
        t.time(|| ());
    }
    gauge("jsonl_gauge", MetricUnit::Percent, &[])
        .set(42.5)
        .unwrap();
    counter("jsonl_counter", &[]).increment(2);
    counter("jsonl_counter", &[]).increment(3);
    assert!(
        std::fs::read_to_string(&path).unwrap().is_empty(),
        "nothing before a flush"
    );
    let st = h.shutdown().unwrap();
    let back = metrics::read_json_lines(&path).unwrap();
    assert_eq!(back.len() as u64, st.metrics_written);
    let timers: Vec<_> = back.iter().filter(|m| m.name == "jsonl_timer").collect();
    assert_eq!(timers.len(), 3);
    assert!(timers
        .iter()
        .all(|m| m.tags["k"] == "v" && m.tags["function"] == "jsonl_timer"));
    assert!(timers.iter().all(|m| m.context.contains_key("span_id")));
    let g: Vec<_> = back.iter().filter(|m| m.name == "jsonl_gauge").collect();
    assert_eq!(
        (g.len(), g[0].value, g[0].unit),
        (1, 42.5, MetricUnit::Percent)
    );
    let cnt: Vec<_> = back.iter().filter(|m| m.name == "jsonl_counter").collect();
    assert_eq!(cnt.len(), 1);
    assert_eq!(cnt[0].value, 5.0, "counters carry the running total");
    assert!(gauge("jsonl_gauge", MetricUnit::Percent, &[])
        .set(f64::NAN)
        .is_err());
    let bad = dir.path().join("missing").join("x.jsonl");
    let e = JsonLinesSink::open(&bad).unwrap_err();
    assert!(e.to_string().contains("missing"), "{e}");
}

struct FailingSink;

impl MetricSink for FailingSink {
    fn write_batch(&mut self, _: &[PerformanceMetric]) -> Result<(), SinkError> {
        Err(SinkError::with_source(
            "store is read-only",
            std::io::Error::other("EROFS"),
        ))
    }
}

#[test]
fn sink_errors_are_counted_and_recording_goes_on() {
    let _g = serial();
    let c = config(|c| c.performance.batch_size = 2);
    let h = metrics::install(c, Box::new(FailingSink)).unwrap();
    let t = timer("failsink_timer", &[]);
    for _ in 0..5 {
        t.time(|| ());
    }
    assert_eq!(count_of("failsink_timer"), 5);
    let st = h.shutdown().unwrap();
    assert_eq!(st.sink_errors, 3, "5 metrics in batches of 2");
    assert_eq!(
        st.last_sink_error.as_deref(),
        Some("store is read-only: EROFS")
    );
    assert_eq!(st.metrics_written, 0);
}

#[test]
fn one_pipeline_at_a_time_and_batches_respect_batch_size() {
    let _g = serial();
    let sink = MemorySink::new();
    let c = config(|c| {
        c.performance.batch_size = 7;
        c.performance.async_processing = false;
    });
    let h = metrics::install(c.clone(), Box::new(sink.reader())).unwrap();
    assert!(matches!(
        metrics::install(c.clone(), Box::new(MemorySink::new())),
        Err(PipelineError::AlreadyInstalled)
    ));
    let t = timer("batch_timer", &[]);
    for _ in 0..30 {
        t.time(|| ());
    }
    h.shutdown().unwrap();
    assert_eq!((sink.written(), sink.batches()), (30, 5));
    let mut bad = c;
    bad.performance.batch_size = 0;
    assert!(matches!(
        metrics::install(bad, Box::new(MemorySink::new())),
        Err(PipelineError::Config(_))
    ));
    let h = metrics::install(MetricsConfiguration::default(), Box::new(MemorySink::new())).unwrap();
    drop(h);
    assert!(!metrics::is_enabled(), "dropping the handle uninstalls");
}

#[test]
fn a_cycle_builds_at_most_max_metrics_per_collection_raw_metrics() {
    let _g = serial();
    let sink = MemorySink::new();
    let c = config(|c| {
        c.collection.max_metrics_per_collection = 5;
        c.performance.async_processing = false;
    });
    let h = metrics::install(c, Box::new(sink.reader())).unwrap();
    let t = timer("cap_timer", &[]);
    for _ in 0..20 {
        t.time(|| ());
    }
    metrics::flush();
    let st = metrics::stats();
    assert_eq!(
        (sink.written(), st.raw_capped, st.events_drained),
        (5, 15, 20)
    );
    let calls = metrics::call_records()
        .iter()
        .filter(|r| r.name == "cap_timer")
        .count();
    assert_eq!(calls, 20, "call records are kept past the cap");
    assert_eq!(count_of("cap_timer"), 20);
    h.shutdown().unwrap();
}

#[test]
fn histogram_precision_follows_the_configured_significant_digits() {
    let _g = serial();
    let spread = |digits: u64, name: &'static str| {
        let c = config(|c| c.performance.histogram_significant_digits = digits);
        let h = metrics::install(c, Box::new(MemorySink::with_limit(0))).unwrap();
        let s = std::thread::spawn(move || {
            let hist = histogram(name, MetricUnit::Bytes, &[]);
            for v in 10_000..20_000u64 {
                hist.record(v);
            }
        });
        s.join().unwrap();
        let snap = metrics::snapshot();
        let a = &snap
            .iter()
            .find(|s| s.aggregation.metric_name == name)
            .unwrap()
            .aggregation;
        h.shutdown().unwrap();
        // Exact nearest-rank median of 10 000..19 999 is 14 999.
        (a.median - 14_999.0).abs() / 14_999.0
    };
    let coarse = spread(1, "prec_d1");
    let fine = spread(3, "prec_d3");
    assert!(coarse <= 1.0 / 16.0, "1 digit: {coarse}");
    assert!(fine <= 1.0 / 1024.0, "3 digits: {fine}");
    assert!(
        coarse > fine,
        "fewer digits, coarser buckets: {coarse} vs {fine}"
    );
}
