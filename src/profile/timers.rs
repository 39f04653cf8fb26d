//! In-process call trees from the library's call records (`#[performance_timer]`,
//! `performance_tracker`, [`super::scope()`]): calls of one name under one path merge into a
//! node with total and self time, calls, mean, p95, share of parent, CPU time, and (for
//! scopes) allocations and I/O bytes from the side table. One tree per recording thread and
//! one merged over all threads.

use std::collections::HashMap;

use serde::{Deserialize, Serialize};

use super::scope::SpanCost;
use super::tree::{functions, sort_nodes, CallStats, FunctionRow, Node};
use crate::metrics::CallRecord;

/// One recording thread's tree.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TimerThread {
    /// The recorder's thread index.
    pub thread: u64,
    /// Its roots.
    pub roots: Vec<Node>,
}

/// The in-process side of a profile.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TimerProfile {
    /// Call records used.
    pub records: usize,
    /// Whether allocation counts are present (a counting allocator and scopes were used).
    pub allocations_counted: bool,
    /// Merged tree over all threads.
    pub merged: Vec<Node>,
    /// Per-thread trees.
    pub threads: Vec<TimerThread>,
    /// Flat profile by self time.
    pub functions: Vec<FunctionRow>,
}

/// Nearest-rank 95th percentile of `sorted` (ascending, non-empty).
pub fn p95(sorted: &[u64]) -> u64 {
    let rank = ((sorted.len() as f64) * 0.95).ceil() as usize;
    sorted[rank.clamp(1, sorted.len()) - 1]
}

struct Index<'a> {
    records: &'a [CallRecord],
    children: HashMap<Option<usize>, Vec<usize>>,
    costs: &'a HashMap<u64, SpanCost>,
}

fn sum_opt(it: impl Iterator<Item = Option<u64>>) -> Option<u64> {
    it.fold(None, |acc, v| match (acc, v) {
        (a, None) => a,
        (None, Some(v)) => Some(v),
        (Some(a), Some(v)) => Some(a + v),
    })
}

impl Index<'_> {
    fn level(&self, calls: &[usize], parent_total: Option<u64>) -> Vec<Node> {
        let mut groups: Vec<(&str, Vec<usize>)> = Vec::new();
        for &i in calls {
            let name = self.records[i].name;
            match groups.iter_mut().find(|(n, _)| *n == name) {
                Some((_, v)) => v.push(i),
                None => groups.push((name, vec![i])),
            }
        }
        groups
            .into_iter()
            .map(|(name, calls)| self.node(name, &calls, parent_total))
            .collect()
    }

    fn node(&self, name: &str, calls: &[usize], parent_total: Option<u64>) -> Node {
        let recs: Vec<&CallRecord> = calls.iter().map(|&c| &self.records[c]).collect();
        let mut durations: Vec<u64> = recs.iter().map(|r| r.duration_ns).collect();
        durations.sort_unstable();
        let total: u64 = durations.iter().sum();
        let kids: Vec<usize> = calls
            .iter()
            .filter_map(|c| self.children.get(&Some(*c)))
            .flatten()
            .copied()
            .collect();
        let children = self.level(&kids, Some(total));
        let child_total: u64 = children.iter().map(|c| c.total_ns).sum();
        let cost = |f: fn(&SpanCost) -> u64| {
            sum_opt(recs.iter().map(|r| self.costs.get(&r.span_id).map(f)))
        };
        let allocations = cost(|c| c.allocations);
        let child_allocs = sum_opt(
            children
                .iter()
                .map(|c| c.calls.as_ref().and_then(|s| s.allocations)),
        );
        Node {
            name: name.to_owned(),
            total_ns: total,
            self_ns: total.saturating_sub(child_total),
            samples: None,
            self_samples: None,
            pruned_ns: None,
            calls: Some(CallStats {
                count: recs.len() as u64,
                failures: recs.iter().filter(|r| r.failed).count() as u64,
                mean_ns: total as f64 / recs.len() as f64,
                p95_ns: p95(&durations),
                max_ns: durations.last().copied().unwrap_or(0),
                share_of_parent: match parent_total {
                    Some(p) if p > 0 => total as f64 / p as f64,
                    _ => 1.0,
                },
                cpu_ns: sum_opt(recs.iter().map(|r| r.cpu_ns)),
                allocations,
                alloc_bytes: cost(|c| c.alloc_bytes),
                self_allocations: allocations.map(|a| a.saturating_sub(child_allocs.unwrap_or(0))),
                read_bytes: cost(|c| c.read_bytes),
                write_bytes: cost(|c| c.write_bytes),
                run_queue_ns: cost(|c| c.run_queue_ns),
            }),
            children,
        }
    }
}

/// The forest of `records` (any order): a record whose parent is absent is a root.
pub fn build(records: &[CallRecord], costs: &HashMap<u64, SpanCost>) -> Vec<Node> {
    let by_id: HashMap<u64, usize> = records
        .iter()
        .enumerate()
        .map(|(i, r)| (r.span_id, i))
        .collect();
    let mut children: HashMap<Option<usize>, Vec<usize>> = HashMap::new();
    for (i, r) in records.iter().enumerate() {
        let parent = r.parent_id.and_then(|p| by_id.get(&p).copied());
        children.entry(parent).or_default().push(i);
    }
    let roots = children.get(&None).cloned().unwrap_or_default();
    let idx = Index {
        records,
        children,
        costs,
    };
    let mut out = idx.level(&roots, None);
    sort_nodes(&mut out);
    out
}

/// The full in-process profile of `records`.
pub fn profile(records: &[CallRecord], costs: &HashMap<u64, SpanCost>) -> TimerProfile {
    let merged = build(records, costs);
    let mut by_thread: Vec<u64> = records.iter().map(|r| r.thread).collect();
    by_thread.sort_unstable();
    by_thread.dedup();
    let threads = by_thread
        .into_iter()
        .map(|t| {
            let own: Vec<CallRecord> = records.iter().filter(|r| r.thread == t).cloned().collect();
            TimerThread {
                thread: t,
                roots: build(&own, costs),
            }
        })
        .collect();
    TimerProfile {
        records: records.len(),
        allocations_counted: records.iter().any(|r| costs.contains_key(&r.span_id)),
        functions: functions(&merged),
        merged,
        threads,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn p95_is_nearest_rank() {
        let v: Vec<u64> = (1..=20).collect();
        assert_eq!(p95(&v), 19);
        assert_eq!(p95(&[7]), 7);
        assert_eq!(p95(&[1, 2]), 2);
    }
}
