//! Call records and call-tree reconstruction.
//!
//! Every timed call (`#[performance_timer]`, [`super::Timer`]) and every
//! [`super::performance_tracker`] leaves a [`CallRecord`] with its own span id and its
//! parent's: the span that was current on the same thread (or, for async functions, in the
//! same task) when it started. [`CallTree::build`] turns a set of records back into trees,
//! merging siblings with the same name into one node (a profile): each node holds the
//! number of calls, total and self time. Records whose parent is missing (dropped by the
//! bounded call log or by sampling) become roots.

use std::collections::HashMap;

use serde::Serialize;

/// One finished call.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CallRecord {
    /// Unique id of this call (thread index in the high bits).
    pub span_id: u64,
    /// The enclosing call, if any.
    pub parent_id: Option<u64>,
    /// Metric name of the timer or tracker.
    pub name: &'static str,
    /// Index of the recording thread (the high bits of `span_id`).
    pub thread: u64,
    /// Start, nanoseconds since the Unix epoch.
    pub start_ns: i64,
    /// Wall time, nanoseconds.
    pub duration_ns: u64,
    /// Thread CPU time, nanoseconds (trackers only).
    pub cpu_ns: Option<u64>,
    /// True when the call returned `Err` or panicked.
    pub failed: bool,
    /// Tracker metadata and tags, if any.
    pub metadata: Option<serde_json::Map<String, serde_json::Value>>,
}

impl CallRecord {
    /// A successful call of `name` in span `span` under `parent` (0 = none) that ended at
    /// `end_ns` (epoch) after `duration_ns`; no CPU time or metadata.
    pub fn ended(
        span: u64,
        parent: u64,
        name: &'static str,
        end_ns: i64,
        duration_ns: u64,
    ) -> Self {
        CallRecord {
            span_id: span,
            parent_id: (parent != 0).then_some(parent),
            name,
            thread: span >> 40,
            start_ns: end_ns.saturating_sub(duration_ns as i64),
            duration_ns,
            cpu_ns: None,
            failed: false,
            metadata: None,
        }
    }
}

/// One node of a rebuilt call tree: all calls of `name` under the same path.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CallNode {
    /// Timer or tracker name.
    pub name: &'static str,
    /// Number of calls merged here.
    pub calls: u64,
    /// Failed calls among them.
    pub failures: u64,
    /// Sum of wall times, ns.
    pub total_ns: u64,
    /// `total_ns` minus the children's `total_ns` (saturating), ns.
    pub self_ns: u64,
    /// Callees, sorted by descending `total_ns`.
    pub children: Vec<CallNode>,
}

/// A forest of call nodes.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct CallTree {
    /// Top-level nodes, sorted by descending `total_ns`.
    pub roots: Vec<CallNode>,
}

impl CallTree {
    /// Rebuilds the trees from records (any order).
    pub fn build(records: &[CallRecord]) -> CallTree {
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
        CallTree {
            roots: merge_level(records, &children, children.get(&None)),
        }
    }
}

/// Merges the calls in `level` by name and recurses into their children.
fn merge_level(
    records: &[CallRecord],
    children: &HashMap<Option<usize>, Vec<usize>>,
    level: Option<&Vec<usize>>,
) -> Vec<CallNode> {
    let mut groups: Vec<(&'static str, Vec<usize>)> = Vec::new();
    for &i in level.into_iter().flatten() {
        let name = records[i].name;
        match groups.iter_mut().find(|(n, _)| *n == name) {
            Some((_, v)) => v.push(i),
            None => groups.push((name, vec![i])),
        }
    }
    let mut nodes: Vec<CallNode> = groups
        .into_iter()
        .map(|(name, calls)| {
            let kids: Vec<usize> = calls
                .iter()
                .filter_map(|&c| children.get(&Some(c)))
                .flatten()
                .copied()
                .collect();
            let sub = merge_level(records, children, Some(&kids));
            let total_ns: u64 = calls.iter().map(|&c| records[c].duration_ns).sum();
            let child_ns: u64 = sub.iter().map(|n| n.total_ns).sum();
            CallNode {
                name,
                calls: calls.len() as u64,
                failures: calls.iter().filter(|&&c| records[c].failed).count() as u64,
                total_ns,
                self_ns: total_ns.saturating_sub(child_ns),
                children: sub,
            }
        })
        .collect();
    nodes.sort_by(|a, b| b.total_ns.cmp(&a.total_ns).then(a.name.cmp(b.name)));
    nodes
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rec(span: u64, parent: Option<u64>, name: &'static str, dur: u64) -> CallRecord {
        CallRecord {
            span_id: span,
            parent_id: parent,
            name,
            thread: 1,
            start_ns: 0,
            duration_ns: dur,
            cpu_ns: None,
            failed: false,
            metadata: None,
        }
    }

    #[test]
    fn rebuilds_nested_calls_and_merges_siblings() {
        let recs = vec![
            rec(3, Some(1), "parse", 30),
            rec(1, None, "main", 100),
            rec(2, Some(1), "read", 20),
            rec(4, Some(1), "parse", 25),
            rec(5, Some(4), "lex", 5),
            rec(9, Some(77), "orphan", 7),
        ];
        let t = CallTree::build(&recs);
        assert_eq!(t.roots.len(), 2);
        let main = &t.roots[0];
        assert_eq!(
            (main.name, main.calls, main.total_ns, main.self_ns),
            ("main", 1, 100, 25)
        );
        assert_eq!(main.children[0].name, "parse");
        assert_eq!((main.children[0].calls, main.children[0].total_ns), (2, 55));
        assert_eq!(main.children[0].children[0].name, "lex");
        assert_eq!(main.children[1].name, "read");
        assert_eq!(t.roots[1].name, "orphan");
    }
}
