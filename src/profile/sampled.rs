//! From resolved, symbolized samples to the profile's sampled part: the merged call tree
//! (one root per process name), one tree per thread, the flat function table.

use std::collections::HashMap;

use serde::{Deserialize, Serialize};

use super::perf::resolve::Resolved;
use super::perf::symbolize::{FrameNames, SymbolStats};
use super::perf::EventSetup;
use super::tree::{functions, FunctionRow, Node, StackTreeBuilder};

/// Per-thread trees kept in the profile (the busiest first).
pub const MAX_THREADS: usize = 32;

/// One thread's call tree.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ThreadTree {
    /// Process id.
    pub pid: u32,
    /// Thread id.
    pub tid: u32,
    /// Thread name (`comm`).
    pub name: String,
    /// CPU time sampled on the thread, ns.
    pub total_ns: u64,
    /// Its call tree.
    pub roots: Vec<Node>,
}

/// The sampled side of a command profile.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SampledProfile {
    /// How the events were opened.
    pub setup: EventSetup,
    /// Unwinding method.
    pub unwinding: String,
    /// Samples taken.
    pub samples: u64,
    /// CPU time the samples stand for, seconds.
    pub sampled_cpu_seconds: f64,
    /// Records the kernel dropped (full ring).
    pub lost_records: u64,
    /// Times the kernel throttled the rate.
    pub throttled: u64,
    /// Processes the command forked.
    pub processes_forked: u64,
    /// Symbolization counts.
    pub symbols: SymbolStats,
    /// Merged call tree, one root per process name.
    pub merged: Vec<Node>,
    /// Per-thread trees, busiest first (at most [`MAX_THREADS`]).
    pub threads: Vec<ThreadTree>,
    /// Threads left out of `threads`.
    pub threads_omitted: usize,
    /// Flat profile of the merged tree, by self time.
    pub functions: Vec<FunctionRow>,
}

/// Builds the sampled profile.
pub fn assemble(
    r: &Resolved,
    names: &[FrameNames],
    symbols: SymbolStats,
    setup: EventSetup,
) -> SampledProfile {
    let process_name = |pid: u32| {
        r.threads
            .get(&pid)
            .map(|t| t.name.clone())
            .unwrap_or_else(|| format!("pid {pid}"))
    };
    let mut merged = StackTreeBuilder::default();
    let mut per_thread: HashMap<u32, StackTreeBuilder> = HashMap::new();
    let mut thread_ns: HashMap<u32, (u32, u64)> = HashMap::new();
    let mut total_ns = 0u64;
    for s in &r.samples {
        let frames: Vec<&str> = s
            .stack
            .iter()
            .flat_map(|&f| names[f as usize].iter().map(String::as_str))
            .collect();
        let proc = process_name(s.pid);
        merged.add(
            std::iter::once(proc.as_str()).chain(frames.iter().copied()),
            s.period_ns,
        );
        per_thread
            .entry(s.tid)
            .or_default()
            .add(frames.iter().copied(), s.period_ns);
        let e = thread_ns.entry(s.tid).or_insert((s.pid, 0));
        e.1 += s.period_ns;
        total_ns += s.period_ns;
    }
    let mut order: Vec<(u32, u32, u64)> =
        thread_ns.iter().map(|(&t, &(p, ns))| (t, p, ns)).collect();
    order.sort_by(|a, b| b.2.cmp(&a.2).then(a.0.cmp(&b.0)));
    let omitted = order.len().saturating_sub(MAX_THREADS);
    let threads = order
        .into_iter()
        .take(MAX_THREADS)
        .map(|(tid, pid, ns)| ThreadTree {
            pid,
            tid,
            name: r
                .threads
                .get(&tid)
                .map(|t| t.name.clone())
                .unwrap_or_default(),
            total_ns: ns,
            roots: per_thread
                .remove(&tid)
                .map(StackTreeBuilder::finish)
                .unwrap_or_default(),
        })
        .collect();
    let merged = merged.finish();
    // The flat table skips the process-name roots: they are not functions.
    let below_roots: Vec<Node> = merged.iter().flat_map(|m| m.children.clone()).collect();
    let mut table = functions(&below_roots);
    let all = total_ns.max(1) as f64;
    for row in &mut table {
        row.self_share = row.self_ns as f64 / all;
        row.total_share = row.total_ns as f64 / all;
    }
    SampledProfile {
        setup,
        unwinding: "frame pointers (kernel PERF_SAMPLE_CALLCHAIN)".to_owned(),
        samples: r.samples.len() as u64,
        sampled_cpu_seconds: total_ns as f64 / 1e9,
        lost_records: r.lost,
        throttled: r.throttled,
        processes_forked: r.processes,
        symbols,
        merged,
        threads,
        threads_omitted: omitted,
        functions: table,
    }
}
