//! A Rust program using the library, profiled in process: the counting allocator is this
//! binary's global allocator and a metrics pipeline is installed, so its
//! `#[performance_timer]` functions and `profile::scope` blocks come back as a call tree with
//! calls, CPU time and allocations per node (its own binary: it installs process-global state).

use std::time::Duration;

use framework0::collect::alloc::CountingAllocator;
use framework0::metrics::{self, MemorySink, MetricsConfiguration};
use framework0::performance_timer;
use framework0::profile::args::{parse, Target};
use framework0::profile::{run, scope};
use serde_json::json;

#[global_allocator]
static ALLOC: CountingAllocator = CountingAllocator::new();

#[performance_timer]
fn parse_line(line: &str) -> Vec<String> {
    line.split(',').map(str::to_owned).collect()
}

fn job() -> usize {
    let _job = scope("job");
    let buffers: Vec<Vec<u8>> = {
        let _load = scope("load");
        (0..500).map(|i| vec![i as u8; 64]).collect()
    };
    let _parse = scope("parse_all");
    buffers
        .iter()
        .map(|b| parse_line(&format!("{},{},{}", b[0], b[1], b[2])).len())
        .sum()
}

#[test]
fn timers_call_tree_carries_calls_cpu_and_allocations() {
    let handle = metrics::install(
        MetricsConfiguration::default(),
        Box::new(MemorySink::with_limit(0)),
    )
    .unwrap();
    assert_eq!(job(), 1500);
    std::thread::sleep(Duration::from_millis(1));
    let dir = tempfile::tempdir().unwrap();
    let args =
        json!({"target": "in_process", "output_dir": dir.path().join("out").to_str().unwrap()});
    let (plan, findings) = parse(args.as_object().unwrap(), "args");
    let plan = plan.unwrap_or_else(|| panic!("{findings:?}"));
    assert_eq!(plan.target, Target::InProcess);
    let never = || false;
    let report = run::execute(
        &plan,
        run::Context {
            run_id: None,
            step: None,
            cancelled: &never,
        },
        None,
    )
    .unwrap();
    // Shown with the assertions on counts: thinning or a full ring would explain a shortfall.
    let stats = metrics::stats();
    handle.shutdown().unwrap();

    let t = report.timers.as_ref().expect("timer profile");
    assert!(t.allocations_counted);
    let job = t.merged.iter().find(|n| n.name == "job").expect("job root");
    let names: Vec<&str> = job.children.iter().map(|c| c.name.as_str()).collect();
    assert!(
        names.contains(&"load") && names.contains(&"parse_all"),
        "{names:?}"
    );
    let load = job
        .children
        .iter()
        .find(|c| c.name == "load")
        .unwrap()
        .calls
        .clone()
        .unwrap();
    // Exactly 500 buffers of 64 bytes and the outer Vec of 500 × 24-byte Vec headers.
    assert_eq!(
        (load.allocations, load.alloc_bytes),
        (Some(501), Some(500 * 64 + 500 * 24))
    );
    assert_eq!(load.self_allocations, Some(501));
    let parse_all = job.children.iter().find(|c| c.name == "parse_all").unwrap();
    let pl = parse_all
        .children
        .first()
        .unwrap_or_else(|| panic!("parse_all has no callees: {stats:?}"));
    assert_eq!(pl.name, "profile_inprocess::parse_line");
    let c = pl.calls.as_ref().unwrap();
    assert_eq!(c.count, 500, "{stats:?}");
    assert!(c.p95_ns as f64 >= c.mean_ns * 0.5 && c.share_of_parent <= 1.0);
    // parse_line's own allocations (3 Strings + the Vec per call) are charged to parse_all.
    assert!(parse_all.calls.as_ref().unwrap().allocations.unwrap() >= 2000);
    assert!(job.calls.as_ref().unwrap().cpu_ns.unwrap() > 0);
    assert_eq!(
        report.classification.verdict, "cpu_bound",
        "{:?}",
        report.classification
    );
    let svg = std::fs::read_to_string(&report.files.flamegraph).unwrap();
    assert!(svg.contains("parse_line"));
}
