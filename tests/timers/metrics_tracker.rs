//! `performance_tracker` and custom metrics: wall and CPU time, tags, metadata, nesting with
//! timers, and Framework0's custom-collector shapes.

use crate::support;

use framework0::metrics::{self, CallTree, CustomMetrics, MetricType, MetricUnit};
use framework0::{performance_timer, performance_tracker};
use support::{one_series, sink, written};

#[performance_timer(metric_name = "trk_step")]
fn step(n: u64) -> u64 {
    (0..n).fold(0u64, |a, i| std::hint::black_box(a.wrapping_add(i * i)))
}

#[test]
fn tracker_records_wall_and_cpu_time_with_tags_and_metadata() {
    sink();
    {
        let mut t = performance_tracker("trk_file_processing");
        t.add_tag("kind", "csv")
            .add_metadata("rows", 1200)
            .add_metadata("path", "in.csv");
        step(200_000);
    }
    let wall = one_series("trk_file_processing");
    let cpu = one_series("trk_file_processing_cpu_time");
    assert_eq!((wall.aggregation.count, cpu.aggregation.count), (1, 1));
    assert_eq!(wall.tags["kind"], "csv");
    assert_eq!(cpu.tags["kind"], "csv");
    assert!(cpu.aggregation.max_value > 0.0);
    assert!(
        cpu.aggregation.max_value <= wall.aggregation.max_value,
        "CPU time of a single-threaded block cannot exceed its wall time"
    );
    let m = &written("trk_file_processing")[0];
    assert_eq!(m.context["metadata"]["rows"], 1200);
    assert_eq!(m.context["metadata"]["path"], "in.csv");
    assert!(m.context["cpu_time_ns"].as_u64().unwrap() > 0);
    assert_eq!(
        (m.metric_type, m.unit),
        (MetricType::Timing, MetricUnit::Nanoseconds)
    );
}

#[test]
fn nested_trackers_and_timers_form_one_call_tree() {
    sink();
    {
        let _outer = performance_tracker("trk_outer");
        step(10);
        {
            let inner = performance_tracker("trk_inner");
            step(10);
            step(10);
            assert_ne!(inner.span_id(), 0);
        }
    }
    let recs: Vec<_> = metrics::call_records()
        .into_iter()
        .filter(|r| r.name.starts_with("trk_") && r.name != "trk_file_processing")
        .collect();
    let outer = recs.iter().find(|r| r.name == "trk_outer").unwrap();
    let inner = recs.iter().find(|r| r.name == "trk_inner").unwrap();
    assert_eq!(inner.parent_id, Some(outer.span_id));
    assert!(outer.cpu_ns.is_some() && inner.cpu_ns.is_some());
    let under_inner = recs
        .iter()
        .filter(|r| r.name == "trk_step" && r.parent_id == Some(inner.span_id))
        .count();
    let under_outer = recs
        .iter()
        .filter(|r| r.name == "trk_step" && r.parent_id == Some(outer.span_id))
        .count();
    assert_eq!((under_outer, under_inner), (1, 2));
    let tree = CallTree::build(&recs);
    let root = tree.roots.iter().find(|n| n.name == "trk_outer").unwrap();
    let names: Vec<_> = root.children.iter().map(|c| (c.name, c.calls)).collect();
    assert!(
        names.contains(&("trk_inner", 1)) && names.contains(&("trk_step", 1)),
        "{names:?}"
    );
}

#[test]
fn custom_metrics_follow_framework0_shapes() {
    sink();
    let mut c = CustomMetrics::new();
    let a = c.record_counter("cm_jobs", 2, &[("queue", "a")]).unwrap();
    let b = c.record_counter("cm_jobs", 3, &[("queue", "a")]).unwrap();
    assert_eq!(
        (a.name.as_str(), a.value, b.value),
        ("counter_cm_jobs", 2.0, 5.0)
    );
    assert_eq!(
        (b.metric_type, b.unit),
        (MetricType::Counter, MetricUnit::Count)
    );
    assert_eq!(c.counter_total("cm_jobs", &[("queue", "a")]), 5);
    let g = c
        .record_gauge("cm_queue", 7.0, MetricUnit::Count, &[])
        .unwrap();
    assert_eq!(
        (g.name.as_str(), g.metric_type),
        ("gauge_cm_queue", MetricType::Gauge)
    );
    let h = c
        .record_histogram("cm_size", 512.0, MetricUnit::Bytes, &[])
        .unwrap();
    assert_eq!(
        (h.name.as_str(), h.metric_type),
        ("histogram_cm_size", MetricType::Histogram)
    );
    let biz = c
        .record_business_metric("cm_revenue", 9.5, MetricUnit::Count, &[])
        .unwrap();
    assert_eq!(
        (biz.name.as_str(), biz.metric_type),
        ("gauge_cm_revenue", MetricType::Gauge)
    );
    assert_eq!(biz.tags["metric_category"], "business");
    for m in [&a, &g, &h, &biz] {
        assert_eq!(m.source.as_deref(), Some("custom_collector"));
    }
    assert!(c
        .record_gauge("cm_bad", f64::NAN, MetricUnit::Count, &[])
        .is_err());
    assert!(c.record_gauge("", 1.0, MetricUnit::Count, &[]).is_err());
    let totals: Vec<f64> = written("counter_cm_jobs").iter().map(|m| m.value).collect();
    assert_eq!(totals, [2.0, 5.0]);
    assert_eq!(one_series("histogram_cm_size").aggregation.count, 1);
    assert_eq!(
        one_series("gauge_cm_revenue").tags["metric_category"],
        "business"
    );
}
