//! Isolation forest (Liu, Ting & Zhou, "Isolation Forest", ICDM 2008) over fixed-width feature
//! vectors, grown with the crate's seeded [`Xoshiro256`] so a seed always gives the same forest.
//!
//! * Each tree draws ψ = min(subsample, n) points without replacement and splits recursively
//!   until a node holds ≤ 1 point or the height limit ⌈log₂ ψ⌉ is reached. A split picks a
//!   feature uniformly among those not constant in the node and a cut uniformly in (min, max].
//! * Path length h(x): edges walked to the external node plus c(size) for the points it holds,
//!   where c(n) = 2H(n−1) − 2(n−1)/n (the average unsuccessful-search path of a binary search
//!   tree; c(2) = 1, c(≤1) = 0) and H(i) ≈ ln i + γ + 1/(2i) − 1/(12i²).
//! * Anomaly score s(x) = 2^(−E[h(x)] / c(ψ)): ≈ 1 for isolated points, ≈ 0.5 or below for
//!   ordinary ones.

use crate::analyze::rng::Xoshiro256;

/// Number of features per point.
pub(super) const FEATURES: usize = 3;
/// One point's features.
pub(super) type Row = [f64; FEATURES];

const EULER_GAMMA: f64 = 0.577_215_664_901_532_9;

/// Average path length of an unsuccessful BST search among n points.
pub(super) fn average_path_length(n: usize) -> f64 {
    match n {
        0 | 1 => 0.0,
        2 => 1.0,
        _ => {
            let i = (n - 1) as f64;
            let harmonic = i.ln() + EULER_GAMMA + 1.0 / (2.0 * i) - 1.0 / (12.0 * i * i);
            2.0 * harmonic - 2.0 * i / n as f64
        }
    }
}

#[derive(Debug, Clone)]
enum Node {
    External {
        size: usize,
    },
    Internal {
        feature: usize,
        cut: f64,
        left: usize,
        right: usize,
    },
}

/// One isolation tree stored as an arena (root at 0).
#[derive(Debug, Clone)]
struct Tree {
    nodes: Vec<Node>,
}

impl Tree {
    fn grow(rows: &[Row], sample: &mut [usize], height_limit: usize, rng: &mut Xoshiro256) -> Self {
        let mut tree = Tree { nodes: Vec::new() };
        tree.build(rows, sample, 0, height_limit, rng);
        tree
    }

    /// Builds the subtree of `idx` and returns its node id.
    fn build(
        &mut self,
        rows: &[Row],
        idx: &mut [usize],
        depth: usize,
        limit: usize,
        rng: &mut Xoshiro256,
    ) -> usize {
        let id = self.nodes.len();
        self.nodes.push(Node::External { size: idx.len() });
        if idx.len() <= 1 || depth >= limit {
            return id;
        }
        let mut ranges = [(0.0, 0.0); FEATURES];
        let mut splittable = [0usize; FEATURES];
        let mut count = 0;
        for (f, range) in ranges.iter_mut().enumerate() {
            let (lo, hi) = idx
                .iter()
                .fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), &i| {
                    (lo.min(rows[i][f]), hi.max(rows[i][f]))
                });
            *range = (lo, hi);
            if hi > lo {
                splittable[count] = f;
                count += 1;
            }
        }
        if count == 0 {
            return id;
        }
        let feature = splittable[rng.below(count)];
        let (lo, hi) = ranges[feature];
        // Cut in (lo, hi]: both sides non-empty (x < cut goes left).
        let mut cut = hi - (hi - lo) * rng.next_f64();
        if cut <= lo {
            cut = hi;
        }
        let mut split = 0;
        for k in 0..idx.len() {
            if rows[idx[k]][feature] < cut {
                idx.swap(k, split);
                split += 1;
            }
        }
        let (l, r) = idx.split_at_mut(split);
        let left = self.build(rows, l, depth + 1, limit, rng);
        let right = self.build(rows, r, depth + 1, limit, rng);
        self.nodes[id] = Node::Internal {
            feature,
            cut,
            left,
            right,
        };
        id
    }

    fn path_length(&self, row: &Row) -> f64 {
        let (mut id, mut depth) = (0, 0.0);
        loop {
            match self.nodes[id] {
                Node::External { size } => return depth + average_path_length(size),
                Node::Internal {
                    feature,
                    cut,
                    left,
                    right,
                } => {
                    id = if row[feature] < cut { left } else { right };
                    depth += 1.0;
                }
            }
        }
    }
}

/// Anomaly scores s(x) ∈ (0, 1] of every row, using `trees` trees of `subsample` points each.
/// `rows` must be non-empty; values must be finite.
pub(super) fn scores(rows: &[Row], trees: usize, subsample: usize, seed: u64) -> Vec<f64> {
    let mut rng = Xoshiro256::seed_from_u64(seed);
    let psi = subsample.clamp(2, rows.len().max(2)).min(rows.len());
    let height_limit = (psi as f64).log2().ceil() as usize;
    let mut pool: Vec<usize> = (0..rows.len()).collect();
    let forest: Vec<Tree> = (0..trees)
        .map(|_| {
            // Partial Fisher–Yates: the first ψ entries become a uniform sample.
            for k in 0..psi {
                let j = k + rng.below(pool.len() - k);
                pool.swap(k, j);
            }
            let mut sample = pool[..psi].to_vec();
            Tree::grow(rows, &mut sample, height_limit, &mut rng)
        })
        .collect();
    let norm = average_path_length(psi).max(f64::MIN_POSITIVE);
    rows.iter()
        .map(|row| {
            let mean_path =
                forest.iter().map(|t| t.path_length(row)).sum::<f64>() / forest.len() as f64;
            2f64.powf(-mean_path / norm)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn average_path_length_values() {
        assert_eq!(average_path_length(1), 0.0);
        assert_eq!(average_path_length(2), 1.0);
        // Against exact harmonic numbers: c(256) = 2·H(255) − 2·255/256 = 10.2486899256,
        // c(10) = 2·H(9) − 1.8 = 3.8579365079.
        assert!((average_path_length(256) - 10.248_689_925_6).abs() < 1e-9);
        assert!((average_path_length(10) - 3.857_936_507_9).abs() < 1e-5);
    }

    #[test]
    fn isolated_point_scores_highest_and_seed_is_deterministic() {
        let mut rows: Vec<Row> = (0..100).map(|i| [(i % 10) as f64, 0.0, 0.0]).collect();
        rows.push([1000.0, 0.0, 0.0]);
        let a = scores(&rows, 50, 64, 9);
        let b = scores(&rows, 50, 64, 9);
        assert_eq!(a, b);
        let top = a.iter().cloned().fold(f64::MIN, f64::max);
        assert_eq!(a[100], top);
        assert!(a[100] > 0.7, "outlier score {}", a[100]);
    }
}
