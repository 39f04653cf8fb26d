//! The runner hook behind `target: {step: NAME}`: [`around_step`] wraps one step attempt on
//! the step's own thread, measuring its wall time, the CPU time, allocations, I/O and
//! run-queue wait of that thread, and — when a metrics pipeline is installed — opening a
//! [`super::scope()`] so every timer the step records nests under it. The capture is kept in
//! memory (the last [`MAX_CAPTURES`]) for a later profile step of the same run.
//!
//! What it adds over the runner's stored step figures (which a profile falls back to without
//! a capture, [`super::gather`]): CPU time and I/O of the step's own thread rather than the
//! process's, the time it waited for a CPU, allocation counts (with
//! [`crate::collect::alloc::CountingAllocator`]) and the step's timer records.
//!
//! The catalog registers it as the registry's around-step hook, and the runner calls it
//! around the attempts of the steps a step of the recipe names as `target.step` (see
//! `runner/plan.rs`, `Captured`): `around_step(&info, || scriptlet.run(&env, &args))`. Other
//! steps pay none of its six system calls (thread CPU clock, `/proc/thread-self/io` and
//! `schedstat`, each before and after), and a profile of a step many steps back still finds
//! its capture, as only targeted steps take a place among the kept ones.

use std::sync::{Mutex, PoisonError};
use std::time::Instant;

use crate::collect::alloc::thread_counts;
use crate::metrics::{clock::thread_cpu_ns, CallRecord};
use crate::scriptlet::StepInfo;

use super::scope::{scope, thread_io, thread_run_delay_ns, SpanCost};

/// Captures kept.
pub const MAX_CAPTURES: usize = 64;

/// What one step attempt did.
#[derive(Debug, Clone, PartialEq)]
pub struct StepCapture {
    /// Run id.
    pub run_id: i64,
    /// Step name.
    pub step: String,
    /// Attempt number.
    pub attempt: u32,
    /// Wall time, ns.
    pub wall_ns: u64,
    /// The step thread's CPU time, ns.
    pub cpu_ns: u64,
    /// Allocations, bytes and I/O of the step thread.
    pub cost: SpanCost,
    /// Call records under the step (its own first), when a pipeline was installed.
    pub records: Vec<CallRecord>,
}

static CAPTURES: Mutex<Vec<StepCapture>> = Mutex::new(Vec::new());

fn store(c: StepCapture) {
    let mut g = CAPTURES.lock().unwrap_or_else(PoisonError::into_inner);
    g.retain(|o| !(o.run_id == c.run_id && o.step == c.step));
    if g.len() >= MAX_CAPTURES {
        g.remove(0);
    }
    g.push(c);
}

/// The latest capture of `step` in `run_id`.
pub fn captured(run_id: i64, step: &str) -> Option<StepCapture> {
    let g = CAPTURES.lock().unwrap_or_else(PoisonError::into_inner);
    g.iter()
        .rev()
        .find(|c| c.run_id == run_id && c.step == step)
        .cloned()
}

/// `span` and every record below it, `span`'s own first.
pub fn subtree(records: &[CallRecord], span: u64) -> Vec<CallRecord> {
    let mut keep = vec![span];
    let mut out: Vec<CallRecord> = records
        .iter()
        .filter(|r| r.span_id == span)
        .cloned()
        .collect();
    let mut i = 0;
    while i < keep.len() {
        let p = keep[i];
        i += 1;
        for r in records.iter().filter(|r| r.parent_id == Some(p)) {
            keep.push(r.span_id);
            out.push(r.clone());
        }
    }
    out
}

/// Runs one attempt of a step (`run`) and captures it; see the module docs.
pub fn around_step<T>(info: &StepInfo, run: impl FnOnce() -> T) -> T {
    let (t0, cpu0, a0, io0, q0) = (
        Instant::now(),
        thread_cpu_ns(),
        thread_counts(),
        thread_io(),
        thread_run_delay_ns(),
    );
    let guard = crate::metrics::is_enabled().then(|| scope(info.step_name.clone()));
    let span = guard.as_ref().map_or(0, |g| g.span_id());
    let out = run();
    drop(guard);
    let (a, io) = (thread_counts().since(&a0), thread_io());
    let records = if span != 0 {
        subtree(&crate::metrics::call_records(), span)
    } else {
        Vec::new()
    };
    store(StepCapture {
        run_id: info.run_id,
        step: info.step_name.clone(),
        attempt: info.attempt,
        wall_ns: t0.elapsed().as_nanos() as u64,
        cpu_ns: thread_cpu_ns().saturating_sub(cpu0),
        cost: SpanCost {
            allocations: a.allocations,
            alloc_bytes: a.bytes_allocated,
            read_bytes: io.0.saturating_sub(io0.0),
            write_bytes: io.1.saturating_sub(io0.1),
            run_queue_ns: thread_run_delay_ns().saturating_sub(q0),
        },
        records,
    });
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn info(step: &str) -> StepInfo {
        StepInfo {
            step_name: step.into(),
            recipe_path: "r.yaml".into(),
            recipe_name: "r".into(),
            attempt: 1,
            run_id: -7,
        }
    }

    #[test]
    fn a_step_is_captured_with_its_cpu_and_wall_time() {
        let v = around_step(&info("busy"), || {
            let t = Instant::now();
            let mut x = 0u64;
            while t.elapsed().as_millis() < 20 {
                x = std::hint::black_box(x + 1);
            }
            x
        });
        assert!(v > 0);
        let c = captured(-7, "busy").unwrap();
        // Spinning: the time is either on a CPU or runnable in the queue (a loaded machine).
        assert!(c.wall_ns >= 20_000_000, "{c:?}");
        assert!(c.cpu_ns + c.cost.run_queue_ns >= 10_000_000, "{c:?}");
        assert!(captured(-7, "other").is_none());
    }

    #[test]
    fn subtree_follows_parent_links_only() {
        let r = |s, p| CallRecord::ended(s, p, "n", 100, 10);
        let recs = vec![r(1, 0), r(2, 1), r(3, 2), r(4, 0), r(5, 4)];
        let ids: Vec<u64> = subtree(&recs, 1).iter().map(|r| r.span_id).collect();
        assert_eq!(ids, vec![1, 2, 3]);
    }
}
