//! The counting allocator installed as this test binary's global allocator: process totals,
//! per-thread counts, and allocations charged to `alloc::track` blocks and read back by the
//! application collector.

use framework0::collect::alloc::{self, CountingAllocator};
use framework0::collect::{ApplicationMetricsCollector, Collector};
use framework0::metrics::{self, MemorySink, MetricsConfiguration};

#[global_allocator]
static ALLOC: CountingAllocator = CountingAllocator::new();

#[test]
fn counts_attributes_and_reports_allocations() {
    assert!(alloc::is_counting(), "the test harness itself allocated");
    let before = alloc::thread_counts();
    let v: Vec<u8> = vec![7; 1 << 20];
    let d = alloc::thread_counts().since(&before);
    assert!(d.allocations >= 1 && d.bytes_allocated >= 1 << 20, "{d:?}");
    drop(std::hint::black_box(v));
    assert!(alloc::thread_counts().since(&before).bytes_freed >= 1 << 20);

    let handle =
        metrics::install(MetricsConfiguration::default(), Box::new(MemorySink::new())).unwrap();
    for _ in 0..3 {
        let mut scope = alloc::track("load_table");
        scope.add_tag("table", "users");
        let rows: Vec<String> = (0..1000).map(|i| format!("row {i}")).collect();
        assert!(scope.so_far().allocations >= 1000);
        drop(std::hint::black_box(rows));
    }
    let mut out = Vec::new();
    ApplicationMetricsCollector::new().sample(&mut out).unwrap();
    handle.shutdown().unwrap();

    let find = |name: &str| {
        out.iter()
            .find(|m| m.name == name)
            .unwrap_or_else(|| panic!("{name} missing: {out:?}"))
    };
    let bytes = find("tracker_alloc_bytes");
    assert_eq!(bytes.tags["tracker"], "load_table");
    assert_eq!(bytes.tags["table"], "users");
    assert!(
        bytes.value >= 3.0 * 1000.0 * 5.0,
        "three blocks of 1000 strings: {}",
        bytes.value
    );
    let count = find("tracker_allocations");
    assert!(
        count.value >= 3000.0 && count.value < 3.0 * 1100.0,
        "{}",
        count.value
    );
    let calls = out
        .iter()
        .find(|m| m.name == "function_call_count" && m.tags["function"] == "load_table")
        .expect("the tracker's timing series becomes a function");
    assert_eq!(calls.value, 3.0);
    assert!(find("alloc_bytes_total").value >= (1 << 20) as f64);
    assert!(find("alloc_live_bytes").value > 0.0);
    assert!(out
        .iter()
        .all(|m| m.source.as_deref() == Some("application_collector")));
}
