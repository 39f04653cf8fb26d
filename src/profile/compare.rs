//! Node-by-node comparison of a profile with a baseline: per call path, the self and total
//! time of each run on both sides; which nodes got slower or faster, by how much, and —
//! where both sides have at least two runs — Welch's t-test over the runs' self times.
//!
//! A node is judged when it holds at least [`MIN_SHARE`] of either side's time. It is
//! `slower`/`faster` when its self time changed by more than [`MIN_CHANGE`] (relative) and,
//! with a test available, p < [`ALPHA`]; `new`/`gone` when one side has none of it.

use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Serialize};

use super::tree::Node;
use crate::analyze::hypothesis::welch_t_test;

/// Smallest share of the time a node needs to be judged.
pub const MIN_SHARE: f64 = 0.01;
/// Smallest relative change that counts.
pub const MIN_CHANGE: f64 = 0.10;
/// Significance level of the t-test.
pub const ALPHA: f64 = 0.05;
/// Most nodes listed (largest absolute change first).
pub const MAX_NODES: usize = 50;

/// One run's nodes: path → (total ns, self ns).
pub type NodeMap = BTreeMap<String, (u64, u64)>;

/// The nodes of a forest.
pub fn node_map(roots: &[Node]) -> NodeMap {
    let mut m = NodeMap::new();
    for r in roots {
        r.walk("", &mut |path, n| {
            let e = m.entry(path.to_owned()).or_insert((0, 0));
            e.0 += n.total_ns;
            e.1 += n.self_ns;
        });
    }
    m
}

/// How one node changed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NodeChange {
    /// Call path (`a;b;c`).
    pub path: String,
    /// Mean self time over the baseline's runs, ns.
    pub baseline_self_ns: f64,
    /// Mean self time over this profile's runs, ns.
    pub current_self_ns: f64,
    /// Mean total time over the baseline's runs, ns.
    pub baseline_total_ns: f64,
    /// Mean total time over this profile's runs, ns.
    pub current_total_ns: f64,
    /// current − baseline self time, ns.
    pub change_ns: f64,
    /// Relative change of self time, percent (absent when the baseline had none).
    pub change_percent: Option<f64>,
    /// Welch's t-test p-value over the runs (absent with fewer than 2 runs on a side).
    pub p_value: Option<f64>,
    /// `slower`, `faster`, `unchanged`, `new` or `gone`.
    pub verdict: String,
}

/// The comparison.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Comparison {
    /// Baseline name.
    pub baseline: String,
    /// Runs on the baseline side.
    pub baseline_runs: usize,
    /// Runs on this side.
    pub current_runs: usize,
    /// `welch_t_test`, or why there is none.
    pub significance: String,
    /// Nodes judged slower.
    pub slower: usize,
    /// Nodes judged faster.
    pub faster: usize,
    /// The changes, largest absolute change first (at most [`MAX_NODES`]).
    pub nodes: Vec<NodeChange>,
    /// Differential flamegraph, when written.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub diff_flamegraph: Option<String>,
}

fn mean(v: &[f64]) -> f64 {
    if v.is_empty() {
        0.0
    } else {
        v.iter().sum::<f64>() / v.len() as f64
    }
}

fn column(runs: &[NodeMap], path: &str, pick: fn(&(u64, u64)) -> u64) -> Vec<f64> {
    runs.iter()
        .map(|r| r.get(path).map_or(0.0, |v| pick(v) as f64))
        .collect()
}

fn side_total(runs: &[NodeMap]) -> f64 {
    mean(
        &runs
            .iter()
            .map(|r| r.values().map(|v| v.1 as f64).sum())
            .collect::<Vec<f64>>(),
    )
}

/// Compares `current` runs with `baseline` runs (each at least one run).
pub fn compare(name: &str, baseline: &[NodeMap], current: &[NodeMap]) -> Comparison {
    let tested = baseline.len() >= 2 && current.len() >= 2;
    let (bt, ct) = (side_total(baseline), side_total(current));
    let paths: BTreeSet<&String> = baseline
        .iter()
        .chain(current)
        .flat_map(|r| r.keys())
        .collect();
    let mut nodes = Vec::new();
    for path in paths {
        let (bs, cs) = (
            column(baseline, path, |v| v.1),
            column(current, path, |v| v.1),
        );
        let (b, c) = (mean(&bs), mean(&cs));
        if b < MIN_SHARE * bt && c < MIN_SHARE * ct {
            continue;
        }
        let p_value = tested.then(|| welch_t_test(&cs, &bs).map(|t| t.p_value).unwrap_or(1.0));
        let rel = (b > 0.0).then(|| (c - b) / b);
        let significant = p_value.map_or(true, |p| p < ALPHA);
        let verdict = match rel {
            _ if b == 0.0 && c > 0.0 => "new",
            _ if c == 0.0 && b > 0.0 => "gone",
            Some(r) if r > MIN_CHANGE && significant => "slower",
            Some(r) if r < -MIN_CHANGE && significant => "faster",
            _ => "unchanged",
        };
        nodes.push(NodeChange {
            path: path.clone(),
            baseline_self_ns: b,
            current_self_ns: c,
            baseline_total_ns: mean(&column(baseline, path, |v| v.0)),
            current_total_ns: mean(&column(current, path, |v| v.0)),
            change_ns: c - b,
            change_percent: rel.map(|r| r * 100.0),
            p_value,
            verdict: verdict.to_owned(),
        });
    }
    nodes.sort_by(|a, b| {
        b.change_ns
            .abs()
            .total_cmp(&a.change_ns.abs())
            .then_with(|| a.path.cmp(&b.path))
    });
    let count = |v: &str| nodes.iter().filter(|n| n.verdict == v).count();
    let (slower, faster) = (count("slower"), count("faster"));
    nodes.truncate(MAX_NODES);
    Comparison {
        baseline: name.to_owned(),
        baseline_runs: baseline.len(),
        current_runs: current.len(),
        significance: if tested {
            "welch_t_test".into()
        } else {
            "none: needs at least 2 runs on each side (args.runs)".into()
        },
        slower,
        faster,
        nodes,
        diff_flamegraph: None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(hot: u64, cold: u64) -> NodeMap {
        [
            ("main".to_owned(), (hot + cold, 0)),
            ("main;hot".to_owned(), (hot, hot)),
            ("main;cold".to_owned(), (cold, cold)),
        ]
        .into()
    }

    #[test]
    fn a_node_that_doubled_is_slower_with_a_significant_test() {
        let base = vec![run(100, 50), run(102, 49), run(98, 51)];
        let cur = vec![run(200, 50), run(205, 51), run(198, 49)];
        let c = compare("b", &base, &cur);
        assert_eq!(c.significance, "welch_t_test");
        let hot = c.nodes.iter().find(|n| n.path == "main;hot").unwrap();
        assert_eq!(hot.verdict, "slower");
        assert!(hot.p_value.unwrap() < 0.01);
        assert!((hot.change_percent.unwrap() - 101.0).abs() < 1.0);
        assert_eq!(c.nodes[0].path, "main;hot");
        assert_eq!(
            c.nodes
                .iter()
                .find(|n| n.path == "main;cold")
                .unwrap()
                .verdict,
            "unchanged"
        );
        assert_eq!((c.slower, c.faster), (1, 0));
    }

    #[test]
    fn single_runs_judge_by_change_alone_and_say_so() {
        let c = compare("b", &[run(100, 50)], &[run(50, 50)]);
        assert!(c.significance.starts_with("none"));
        assert_eq!(
            c.nodes
                .iter()
                .find(|n| n.path == "main;hot")
                .unwrap()
                .verdict,
            "faster"
        );
        let mut gone = run(100, 0);
        gone.remove("main;cold");
        let c = compare("b", &[run(100, 50)], &[gone]);
        assert_eq!(
            c.nodes
                .iter()
                .find(|n| n.path == "main;cold")
                .unwrap()
                .verdict,
            "gone"
        );
    }
}
