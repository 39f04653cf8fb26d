//! Profiling a computing job while other threads keep every core busy: the job must still be
//! `cpu_bound`, with its wait for a CPU inside its wall time and nothing left as "blocked",
//! and a burst of timed calls must keep every call record (its own binary: it installs the
//! process-global metrics pipeline).
//!
//! Regressions (CI, loaded clones): a scope read its run-queue wait before its timer started,
//! so a 6.6 ms block reported 12.5 ms of waiting; after the CPU clock's system call, so a
//! wait there made a computing block look 25 % busy; and the flusher's budget, judged per
//! 10 ms cycle, thinned a 500-call burst to 1 call in 8.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use framework0::metrics::{self, MemorySink, MetricsConfiguration};
use framework0::performance_timer;
use framework0::profile::args::parse;
use framework0::profile::scope::span_costs;
use framework0::profile::{run, scope};
use serde_json::json;

#[performance_timer]
fn step(i: u64) -> u64 {
    (0..200u64).fold(i, |a, b| a.wrapping_mul(31).wrapping_add(b))
}

/// Spins for `d` of this thread's own CPU time (untimed: the burst below is the only load on
/// the flusher, well inside its budget's credit even in a debug build).
fn compute(d: Duration) -> u64 {
    let start = cpu_now();
    let mut acc = 0u64;
    while cpu_now() - start < d {
        for b in 0..200u64 {
            acc = std::hint::black_box(acc.wrapping_mul(31).wrapping_add(b));
        }
    }
    acc
}

fn cpu_now() -> Duration {
    let mut ts = libc::timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    // SAFETY: a valid clock id and a valid out-pointer.
    unsafe { libc::clock_gettime(libc::CLOCK_THREAD_CPUTIME_ID, &mut ts) };
    Duration::new(ts.tv_sec as u64, ts.tv_nsec as u32)
}

#[test]
fn a_computing_job_beside_busy_threads_is_cpu_bound_and_keeps_every_call() {
    let handle = metrics::install(
        MetricsConfiguration::default(),
        Box::new(MemorySink::with_limit(0)),
    )
    .unwrap();
    let stop = Arc::new(AtomicBool::new(false));
    let cores = std::thread::available_parallelism().map_or(2, |n| n.get());
    let busy: Vec<_> = (0..cores * 2)
        .map(|_| {
            let stop = Arc::clone(&stop);
            std::thread::spawn(move || {
                let mut x = 0u64;
                while !stop.load(Ordering::Relaxed) {
                    x = std::hint::black_box(x.wrapping_add(1));
                }
            })
        })
        .collect();
    let started = Instant::now();
    let mut acc = 0;
    {
        let _job = scope("job");
        for _ in 0..10 {
            let _part = scope("part");
            acc ^= compute(Duration::from_millis(2));
        }
        // A burst: 500 calls at once, drained in the flusher's next cycles.
        let _burst = scope("burst");
        for i in 0..500 {
            acc ^= step(i);
        }
    }
    std::hint::black_box(acc);
    let wall = started.elapsed();
    stop.store(true, Ordering::Relaxed);
    for b in busy {
        b.join().unwrap();
    }

    let dir = tempfile::tempdir().unwrap();
    let args =
        json!({"target": "in_process", "output_dir": dir.path().join("out").to_str().unwrap()});
    let (plan, findings) = parse(args.as_object().unwrap(), "args");
    let plan = plan.unwrap_or_else(|| panic!("{findings:?}"));
    let never = || false;
    let ctx = run::Context {
        run_id: None,
        step: None,
        cancelled: &never,
    };
    let report = run::execute(&plan, ctx, None).unwrap();
    let stats = metrics::stats();
    handle.shutdown().unwrap();

    let t = report.timers.as_ref().expect("timer profile");
    let job = t.merged.iter().find(|n| n.name == "job").expect("job root");
    let c = job.calls.as_ref().unwrap();
    let (cpu, queued) = (c.cpu_ns.unwrap(), c.run_queue_ns.unwrap());
    let context = format!(
        "wall {} ns (outside: {wall:?}), cpu {cpu} ns, run queue {queued} ns, costs {:?}, {stats:?}",
        job.total_ns,
        span_costs().0.len()
    );
    assert!(
        queued <= job.total_ns,
        "the wait lies inside the wall time: {context}"
    );
    let accounted = (cpu + queued) as f64 / job.total_ns as f64;
    assert!(
        accounted >= 0.9,
        "a job that never blocks is computing or waiting for a CPU ({accounted:.2} of its wall time): {context}"
    );
    assert_eq!(
        report.classification.verdict, "cpu_bound",
        "{:?}; {context}",
        report.classification
    );
    let burst = job.children.iter().find(|n| n.name == "burst").unwrap();
    let calls = burst.children.first().and_then(|n| n.calls.as_ref());
    assert_eq!(calls.map(|c| c.count), Some(500), "{context}");
    assert_eq!(stats.raw_thinned, 0, "{stats:?}");
}
