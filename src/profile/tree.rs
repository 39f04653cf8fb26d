//! The profile's call tree: one node type for sampled stacks and for timer records, so
//! flamegraphs, bottleneck rules and baseline comparison work the same on both.
//!
//! A node's `total_ns` includes its callees, `self_ns` does not (`total = self + Σ
//! children.total` for sampled trees; for timer trees `self` saturates at 0 when children
//! overlap, e.g. on other threads). Children are sorted by descending `total_ns`, then name.

use std::collections::HashMap;

use serde::{Deserialize, Serialize};

/// One node: a function (or timer) under one call path.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Node {
    /// Function, timer or process name.
    pub name: String,
    /// Time in this node and its callees, ns.
    pub total_ns: u64,
    /// Time in this node itself, ns.
    pub self_ns: u64,
    /// Stack samples through this node (sampled trees).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub samples: Option<u64>,
    /// Samples with this node as the leaf (sampled trees).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub self_samples: Option<u64>,
    /// Per-call figures (timer trees).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub calls: Option<CallStats>,
    /// Time of callees left out of `children` because each held less than
    /// [`PRUNE_SHARE`] of the profile or stood below [`MAX_REPORT_DEPTH`] (the folded stacks
    /// keep them), ns.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pruned_ns: Option<u64>,
    /// Callees.
    #[serde(default)]
    pub children: Vec<Node>,
}

/// Callees below this share of the whole profile are left out of the report's trees.
pub const PRUNE_SHARE: f64 = 0.001;

/// The deepest call path the report's trees keep (a root is at depth 1). Each level is two
/// levels of JSON nesting and JSON readers bound nesting (serde_json at 128), while `perf`
/// records stacks of up to 127 frames (an unwinder lost in code without frame pointers
/// reaches that), so an uncut tree made reports that no reader here took back, the stored
/// profile included. The folded stacks and the flamegraph keep every frame.
pub const MAX_REPORT_DEPTH: usize = 48;

/// Drops, below every node, callees whose total is under `min_ns` and every callee below
/// [`MAX_REPORT_DEPTH`], noting their time in `pruned_ns`; roots are kept.
pub fn prune(nodes: &mut [Node], min_ns: u64) {
    prune_at(nodes, min_ns, 1);
}

fn prune_at(nodes: &mut [Node], min_ns: u64, depth: usize) {
    let deepest = depth >= MAX_REPORT_DEPTH;
    for n in nodes {
        let before = n.children.len();
        let mut cut = 0;
        n.children.retain(|c| {
            let keep = !deepest && c.total_ns >= min_ns;
            if !keep {
                cut += c.total_ns;
            }
            keep
        });
        if n.children.len() < before {
            n.pruned_ns = Some(n.pruned_ns.unwrap_or(0) + cut);
        }
        prune_at(&mut n.children, min_ns, depth + 1);
    }
}

/// [`prune`] at [`PRUNE_SHARE`] of the forest's total.
pub fn prune_small(nodes: &mut [Node]) {
    let total: u64 = nodes.iter().map(|n| n.total_ns).sum();
    prune(nodes, (total as f64 * PRUNE_SHARE) as u64);
}

/// What a timer node knows about its calls.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct CallStats {
    /// Calls merged into the node.
    pub count: u64,
    /// Calls that failed (returned `Err` or panicked).
    pub failures: u64,
    /// Mean wall time per call, ns.
    pub mean_ns: f64,
    /// 95th percentile of the wall time per call (nearest rank), ns.
    pub p95_ns: u64,
    /// Largest call, ns.
    pub max_ns: u64,
    /// `total_ns` / the parent's `total_ns` (1.0 for roots).
    pub share_of_parent: f64,
    /// Thread CPU time, ns (trackers and scopes only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cpu_ns: Option<u64>,
    /// Allocations made in the node, callees included (counting allocator, scopes only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub allocations: Option<u64>,
    /// Bytes allocated in the node, callees included.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub alloc_bytes: Option<u64>,
    /// Allocations in the node itself (minus measured callees).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub self_allocations: Option<u64>,
    /// Time the thread was runnable but waiting for a CPU while in the node, ns (scopes only,
    /// `/proc/thread-self/schedstat`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub run_queue_ns: Option<u64>,
    /// Bytes read by the thread while in the node (`/proc/thread-self/io` rchar).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub read_bytes: Option<u64>,
    /// Bytes written by the thread while in the node (wchar).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub write_bytes: Option<u64>,
}

impl Node {
    /// A node named `name` with nothing in it.
    pub fn named(name: impl Into<String>) -> Node {
        Node {
            name: name.into(),
            ..Default::default()
        }
    }

    /// Visits every node with its path (root first, names joined by `;`).
    pub fn walk<'a>(&'a self, prefix: &str, f: &mut impl FnMut(&str, &'a Node)) {
        let path = if prefix.is_empty() {
            self.name.clone()
        } else {
            format!("{prefix};{}", self.name)
        };
        f(&path, self);
        for c in &self.children {
            c.walk(&path, f);
        }
    }

    /// Sorts children (recursively) by descending total, then name.
    pub fn sort(&mut self) {
        sort_nodes(&mut self.children);
    }
}

/// Sorts nodes and their descendants by descending total, then name.
pub fn sort_nodes(nodes: &mut [Node]) {
    nodes.sort_by(|a, b| {
        b.total_ns
            .cmp(&a.total_ns)
            .then_with(|| a.name.cmp(&b.name))
    });
    for n in nodes {
        n.sort();
    }
}

/// Builds a sampled tree by inserting weighted stacks (root first).
#[derive(Debug, Default)]
pub struct StackTreeBuilder {
    roots: Vec<Node>,
    index: HashMap<(usize, String), usize>,
    arena: Vec<Node>,
    children: Vec<Vec<usize>>,
    root_ids: Vec<usize>,
}

impl StackTreeBuilder {
    fn child(&mut self, parent: Option<usize>, name: &str) -> usize {
        let key = (parent.map_or(usize::MAX, |p| p), name.to_owned());
        if let Some(&i) = self.index.get(&key) {
            return i;
        }
        let i = self.arena.len();
        self.arena.push(Node {
            samples: Some(0),
            self_samples: Some(0),
            ..Node::named(name)
        });
        self.children.push(Vec::new());
        match parent {
            Some(p) => self.children[p].push(i),
            None => self.root_ids.push(i),
        }
        self.index.insert(key, i);
        i
    }

    /// Adds one stack of `weight_ns` (root first). An empty stack adds nothing.
    pub fn add<'s>(&mut self, stack: impl IntoIterator<Item = &'s str>, weight_ns: u64) {
        let mut at = None;
        for name in stack {
            let i = self.child(at, name);
            let n = &mut self.arena[i];
            n.total_ns += weight_ns;
            n.samples = n.samples.map(|s| s + 1);
            at = Some(i);
        }
        if let Some(i) = at {
            let n = &mut self.arena[i];
            n.self_ns += weight_ns;
            n.self_samples = n.self_samples.map(|s| s + 1);
        }
    }

    fn take(&mut self, i: usize) -> Node {
        let kids = std::mem::take(&mut self.children[i]);
        let mut n = std::mem::take(&mut self.arena[i]);
        n.children = kids.into_iter().map(|k| self.take(k)).collect();
        n
    }

    /// The finished forest, sorted.
    pub fn finish(mut self) -> Vec<Node> {
        let ids = std::mem::take(&mut self.root_ids);
        self.roots = ids.into_iter().map(|i| self.take(i)).collect();
        sort_nodes(&mut self.roots);
        self.roots
    }
}

/// One row of the flat profile: a function over every path it appears on.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FunctionRow {
    /// Function name.
    pub name: String,
    /// Time in the function itself, ns.
    pub self_ns: u64,
    /// Time in it and its callees, ns (recursion counted once per stack).
    pub total_ns: u64,
    /// `self_ns` / all time, 0..1.
    pub self_share: f64,
    /// `total_ns` / all time, 0..1.
    pub total_share: f64,
    /// Calls (timer trees) or samples with the function on the stack (sampled trees).
    pub count: u64,
}

/// The flat profile of a forest: per name, self and (recursion-free) total; sorted by
/// descending self time, then name. `count_calls` counts timer calls instead of samples.
pub fn functions(roots: &[Node]) -> Vec<FunctionRow> {
    let mut rows: HashMap<&str, (u64, u64, u64)> = HashMap::new();
    fn visit<'a>(
        n: &'a Node,
        open: &mut Vec<&'a str>,
        rows: &mut HashMap<&'a str, (u64, u64, u64)>,
    ) {
        let e = rows.entry(&n.name).or_default();
        e.0 += n.self_ns;
        if !open.contains(&n.name.as_str()) {
            e.1 += n.total_ns;
            e.2 += n.calls.as_ref().map_or(n.samples.unwrap_or(0), |c| c.count);
        }
        open.push(&n.name);
        for c in &n.children {
            visit(c, open, rows);
        }
        open.pop();
    }
    for r in roots {
        visit(r, &mut Vec::new(), &mut rows);
    }
    let all: u64 = roots.iter().map(|r| r.total_ns).sum();
    let share = |v: u64| if all > 0 { v as f64 / all as f64 } else { 0.0 };
    let mut out: Vec<FunctionRow> = rows
        .into_iter()
        .map(|(name, (s, t, c))| FunctionRow {
            name: name.to_owned(),
            self_ns: s,
            total_ns: t,
            self_share: share(s),
            total_share: share(t),
            count: c,
        })
        .collect();
    out.sort_by(|a, b| b.self_ns.cmp(&a.self_ns).then_with(|| a.name.cmp(&b.name)));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stacks_merge_into_a_tree_with_exact_self_and_total() {
        let mut b = StackTreeBuilder::default();
        b.add(["main", "work", "hot"], 30);
        b.add(["main", "work", "hot"], 30);
        b.add(["main", "work"], 10);
        b.add(["main", "cold"], 5);
        b.add(std::iter::empty(), 99);
        let roots = b.finish();
        assert_eq!(roots.len(), 1);
        let main = &roots[0];
        assert_eq!(
            (main.total_ns, main.self_ns, main.samples),
            (75, 0, Some(4))
        );
        let work = &main.children[0];
        assert_eq!(
            (work.name.as_str(), work.total_ns, work.self_ns),
            ("work", 70, 10)
        );
        assert_eq!(work.children[0].self_samples, Some(2));
        assert_eq!(main.children[1].name, "cold");
    }

    #[test]
    fn pruning_keeps_big_nodes_and_says_how_much_it_cut() {
        let mut b = StackTreeBuilder::default();
        b.add(["main", "hot"], 10_000);
        b.add(["main", "tiny"], 3);
        b.add(["main", "tiny2"], 4);
        b.add(["other"], 2);
        let mut roots = b.finish();
        prune_small(&mut roots);
        assert_eq!(roots.len(), 2, "roots are kept");
        assert_eq!(
            roots[0]
                .children
                .iter()
                .map(|c| c.name.as_str())
                .collect::<Vec<_>>(),
            ["hot"]
        );
        assert_eq!(roots[0].pruned_ns, Some(7));
        assert_eq!(roots[0].children[0].pruned_ns, None);
    }

    #[test]
    fn flat_profile_counts_recursion_once_per_stack() {
        let mut b = StackTreeBuilder::default();
        b.add(["f", "f", "g"], 10);
        b.add(["f"], 10);
        let rows = functions(&b.finish());
        let f = rows.iter().find(|r| r.name == "f").unwrap();
        assert_eq!((f.self_ns, f.total_ns, f.count), (10, 20, 2));
        assert_eq!(rows[0].name, "f"); // ties on self break by name
        assert_eq!(rows[1].name, "g");
        assert_eq!(rows[1].self_share, 0.5);
    }

    #[test]
    fn a_127_frame_stack_still_makes_a_report_json_readers_take_back() {
        let frames: Vec<String> = (0..127).map(|i| format!("f{i}")).collect();
        let mut b = StackTreeBuilder::default();
        b.add(frames.iter().map(String::as_str), 1_000);
        b.add(["f0", "g"], 1_000);
        let mut roots = b.finish();
        let uncut = serde_json::to_string(&roots).unwrap();
        assert!(
            serde_json::from_str::<Vec<Node>>(&uncut).is_err(),
            "deep enough to test"
        );
        prune_small(&mut roots);
        let mut depth = 0;
        let mut at = &roots[0];
        loop {
            depth += 1;
            match at.children.first() {
                Some(c) => at = c,
                None => break,
            }
        }
        assert_eq!(depth, MAX_REPORT_DEPTH);
        assert_eq!(at.name, format!("f{}", MAX_REPORT_DEPTH - 1));
        assert_eq!(at.pruned_ns, Some(1_000), "the cut frames' time is kept");
        assert_eq!(roots[0].children.len(), 2, "a shallow sibling stays");
        let back: Vec<Node> =
            serde_json::from_str(&serde_json::to_string(&roots).unwrap()).unwrap();
        assert_eq!(back, roots);
    }
}
