//! k-nearest-neighbour conformal anomaly detector over shingles (Ishimtsev, Bernstein,
//! Burnaev & Nazarov 2017, *Conformal k-NN Anomaly Detector for Univariate Data Streams*,
//! PMLR 60 — "KNN-CAD"; the conformal framework of Vovk, Gammerman & Shafer 2005).
//!
//! Each point closes a shingle, the vector of the last `dim` values. Its nonconformity is
//! the mean over its `k` nearest neighbours, among the last `N` shingles, of the Euclidean
//! distance per coordinate (‖a − b‖/√dim; distances rather than squared distances give the
//! calibrator a tail it extrapolates conservatively) (the reference set, a sliding window); the calibrator turns it into a conformal
//! p-value against the nonconformities of the past points. A shingle is novel when its shape
//! *and* level were not seen recently: spikes, level shifts, changed daily profiles,
//! flattened or noisier stretches all make it so, while a lasting new regime becomes normal
//! once `k` shingles of it are in the reference set.
//!
//! Per point: O(N·dim) arithmetic (N and dim fixed, so constant in the stream length) and a
//! bounded insertion into the k-best list; state: N·dim values.

use super::model::{Model, Observation};
use super::ring::Ring;

/// Settings of [`KnnConformal`].
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct KnnParams {
    /// Shingle length.
    pub dim: usize,
    /// Neighbours averaged.
    pub k: usize,
    /// Shingles in the reference set.
    pub reference: usize,
}

impl Default for KnnParams {
    fn default() -> Self {
        KnnParams {
            dim: 8,
            k: 5,
            reference: 600,
        }
    }
}

/// KNN conformal detector.
#[derive(Debug, Clone)]
pub struct KnnConformal {
    params: KnnParams,
    recent: Ring<f64>,
    /// Reference shingles, `dim` values each, in a ring of `reference` slots.
    shingles: Vec<f64>,
    slots: usize,
    next_slot: usize,
    /// The k best (squared distance, last value of the neighbour) of the current query.
    best: Vec<(f64, f64)>,
    query: Vec<f64>,
}

impl KnnConformal {
    /// A detector with these settings (dim ≥ 1, k ≥ 1, reference > k).
    pub fn new(params: KnnParams) -> Self {
        let dim = params.dim.max(1);
        let k = params.k.max(1);
        let reference = params.reference.max(k + 1);
        let params = KnnParams { dim, k, reference };
        KnnConformal {
            params,
            recent: Ring::new(dim),
            shingles: Vec::with_capacity(dim * reference),
            slots: 0,
            next_slot: 0,
            best: Vec::with_capacity(k + 1),
            query: Vec::with_capacity(dim),
        }
    }

    /// Mean distance (per coordinate) of the query to its k nearest reference shingles, and the mean
    /// of their last values (what the neighbours say comes next).
    fn nonconformity(&mut self) -> (f64, f64) {
        let (k, dim) = (self.params.k, self.params.dim);
        self.best.clear();
        for s in self.shingles.chunks_exact(dim) {
            let mut d = 0.0;
            for (a, b) in s.iter().zip(&self.query) {
                d += (a - b) * (a - b);
            }
            if self.best.len() == k {
                if d >= self.best[k - 1].0 {
                    continue;
                }
                self.best.pop();
            }
            let at = self.best.partition_point(|y| y.0 < d);
            self.best.insert(at, (d, s[dim - 1]));
        }
        let n = self.best.len().max(1) as f64;
        let distance = self
            .best
            .iter()
            .map(|b| (b.0 / dim as f64).sqrt())
            .sum::<f64>()
            / n;
        let expected = self.best.iter().map(|b| b.1).sum::<f64>() / n;
        (distance, expected)
    }

    fn remember(&mut self) {
        let dim = self.params.dim;
        if self.slots < self.params.reference {
            self.shingles.extend_from_slice(&self.query);
            self.slots += 1;
        } else {
            let at = self.next_slot * dim;
            self.shingles[at..at + dim].copy_from_slice(&self.query);
        }
        self.next_slot = (self.next_slot + 1) % self.params.reference;
    }
}

impl Model for KnnConformal {
    fn observe(&mut self, x: f64) -> Observation {
        let previous = self.recent.back(0).unwrap_or(x);
        self.recent.push(x);
        if !self.recent.is_full() {
            return Observation {
                surprise: None,
                expected: previous,
            };
        }
        self.query.clear();
        self.query.extend(self.recent.iter());
        let mut observation = Observation {
            surprise: None,
            expected: previous,
        };
        if self.slots > self.params.k.max(30) {
            let (distance, expected) = self.nonconformity();
            observation = Observation {
                surprise: Some(distance),
                expected,
            };
        }
        self.remember();
        observation
    }

    fn state_bytes(&self) -> usize {
        self.recent.heap_bytes()
            + self.shingles.capacity() * 8
            + self.best.capacity() * 16
            + self.query.capacity() * 8
    }

    fn accumulates(&self) -> bool {
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_novel_shape_is_far_and_a_repeated_one_is_near() {
        let mut m = KnnConformal::new(KnnParams {
            dim: 4,
            k: 2,
            reference: 100,
        });
        let wave = [0.0, 1.0, 0.0, -1.0];
        let mut last = None;
        for i in 0..200 {
            last = m.observe(wave[i % 4]).surprise;
        }
        assert_eq!(last, Some(0.0));
        // The spike is ~10 away in one of 4 coordinates: √(100/4) ≈ 4.6 per coordinate.
        let spike = m.observe(10.0).surprise.unwrap();
        assert!(spike > 4.0, "{spike}");
    }
}
