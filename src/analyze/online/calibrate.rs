//! Calibration: a detector's raw surprise becomes a tail probability and a score in [0, 1]
//! that mean the same for every detector and every series.
//!
//! The raw surprise of a point (z²/2, a k-NN distance, …) is compared with the surprises of
//! the last `M` points of the same stream:
//!
//! * inside the observed range, the tail probability is the conformal p-value
//!   p = (#{past surprises ≥ r} + 1) / (n + 1) (Vovk, Gammerman & Shafer 2005, *Algorithmic
//!   Learning in a Random World*; Laxhammar & Falkman 2010, conformal anomaly detection);
//! * beyond the k-th largest past surprise t (k = max(⌈0.02·n⌉, 10)), the excesses over t are
//!   modelled as exponential — the generalized Pareto limit of Pickands–Balkema–de Haan with
//!   shape 0, as in SPOT (Siffer, Fouque, Termier & Largouët, *Anomaly Detection in Streams
//!   with Extreme Value Theory*, KDD 2017): p = k/(n+1) · exp(−(r − t)/β). β is estimated
//!   from the lower 90 % of the excesses over t — their mean divided by the mean of an
//!   exponential truncated at the same quantile, E[X | X < q]/β = (1 − e^{−q}(1 + q))/(1 − e^{−q})
//!   with q = −ln(1 − f) — so one huge past anomaly in the window does not inflate the tail
//!   for everything after it. The smaller of the two estimates is used.
//!
//! The score is the tail probability on a log scale: score = min(1, −log₁₀ p / 10), so a
//! score of 0.5 means "a surprise this large happens about once in 10⁵ points of this
//! stream" and 1 means once in 10¹⁰ or rarer — it does not saturate for ordinary alarms
//! (the same log scale as the anomaly likelihood of Ahmad, Lavin, Purdy & Agha 2017).
//! Until `min_history` surprises have been seen the probability is 1 and the score 0.

use super::ring::Ring;
use super::sorted::SortedWindow;

/// Decades of tail probability mapped onto the score range [0, 1].
pub const SCORE_DECADES: f64 = 10.0;
/// The fraction of the history that forms the extreme tail.
const TAIL_FRACTION: f64 = 0.02;
/// The fewest excesses the tail is fitted to.
const MIN_TAIL: usize = 10;
/// The fraction of the excesses (the smallest) the tail scale is estimated from.
const KEPT_EXCESSES: f64 = 0.9;

/// The calibrated view of one point.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Calibrated {
    /// Estimated probability of a surprise at least this large, in (0, 1].
    pub tail_probability: f64,
    /// −log₁₀(tail probability)/10, clamped to [0, 1].
    pub score: f64,
}

impl Calibrated {
    /// The calibrated view of a tail probability.
    pub fn from_probability(p: f64) -> Self {
        let p = if p.is_nan() { 1.0 } else { p.clamp(0.0, 1.0) };
        let score = if p <= 0.0 {
            1.0
        } else {
            (-p.log10() / SCORE_DECADES).clamp(0.0, 1.0)
        };
        Calibrated {
            tail_probability: p,
            score,
        }
    }

    /// The tail probability a score stands for (the inverse of the log scale).
    pub fn probability_of_score(score: f64) -> f64 {
        10f64.powf(-score.clamp(0.0, 1.0) * SCORE_DECADES)
    }

    /// Nothing known yet: probability 1, score 0.
    pub const NONE: Calibrated = Calibrated {
        tail_probability: 1.0,
        score: 0.0,
    };
}

/// The last `M` raw surprises of one stream, sorted, and the tail model over them.
#[derive(Debug, Clone)]
pub struct Calibrator {
    history: Ring<f64>,
    sorted: SortedWindow,
    min_history: usize,
}

impl Calibrator {
    /// Remembers the last `memory` surprises and starts scoring after `min_history` of them.
    pub fn new(memory: usize, min_history: usize) -> Self {
        let memory = memory.max(MIN_TAIL + 1);
        Calibrator {
            history: Ring::new(memory),
            sorted: SortedWindow::with_capacity(memory),
            min_history: min_history.clamp(MIN_TAIL + 1, memory),
        }
    }

    /// Scores `raw` (≥ 0) against the history, then adds it.
    pub fn calibrate(&mut self, raw: f64) -> Calibrated {
        let out = self.peek(raw);
        if let Some(old) = self.history.push(raw) {
            self.sorted.remove(old);
        }
        self.sorted.insert(raw);
        out
    }

    /// Scores `raw` against the history without adding it.
    pub fn peek(&self, raw: f64) -> Calibrated {
        let n = self.sorted.len();
        if n < self.min_history {
            return Calibrated::NONE;
        }
        let above = self.sorted.count_at_least(raw);
        let empirical = (above + 1) as f64 / (n + 1) as f64;
        let k = ((TAIL_FRACTION * n as f64).ceil() as usize).clamp(MIN_TAIL, n);
        let t = self.sorted.as_slice()[n - k];
        if raw <= t {
            return Calibrated::from_probability(empirical);
        }
        let beta = tail_scale(&self.sorted.as_slice()[n - k..], t);
        let tail = k as f64 / (n + 1) as f64 * (-(raw - t) / beta).exp();
        Calibrated::from_probability(empirical.min(tail))
    }

    /// Surprises remembered so far.
    pub fn len(&self) -> usize {
        self.sorted.len()
    }

    /// True before the first surprise.
    pub fn is_empty(&self) -> bool {
        self.sorted.is_empty()
    }

    /// Heap bytes held.
    pub fn heap_bytes(&self) -> usize {
        self.history.heap_bytes() + self.sorted.heap_bytes()
    }
}

/// The exponential scale of the excesses over `t` of the ascending `top` values, from the
/// lower 90 % of them (see the module docs); never zero.
fn tail_scale(top: &[f64], t: f64) -> f64 {
    let k = top.len();
    let kept = ((KEPT_EXCESSES * k as f64).floor() as usize).clamp(1, k);
    let f = kept as f64 / k as f64;
    let trimmed_mean = top[..kept].iter().map(|x| x - t).sum::<f64>() / kept as f64;
    let factor = if kept == k {
        1.0
    } else {
        let q = -(1.0 - f).ln();
        (1.0 - (-q).exp() * (1.0 + q)) / (1.0 - (-q).exp())
    };
    let floor = 1e-12 * t.abs().max(1e-300);
    (trimmed_mean / factor).max(floor)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analyze::rng::Xoshiro256;

    #[test]
    fn warm_up_scores_zero_then_ranks() {
        let mut c = Calibrator::new(100, 20);
        for i in 0..19 {
            assert_eq!(c.calibrate(f64::from(i)), Calibrated::NONE);
        }
        c.calibrate(19.0);
        // 20 values 0..19: a 10 is reached by 10 of them.
        let p = c.peek(10.0).tail_probability;
        assert!((p - 11.0 / 21.0).abs() < 1e-12, "{p}");
        assert!(c.peek(1e9).score == 1.0);
    }

    #[test]
    fn exponential_surprises_are_calibrated_in_the_tail() {
        // Standard exponential surprises: P(R ≥ r) = e^-r, so r = 12 has p ≈ 6e-6, twelve
        // times below the smallest empirical p-value of 5000 points.
        let want = (-12f64).exp();
        let mut log_ratio = 0.0;
        for seed in 0..6 {
            let mut rng = Xoshiro256::seed_from_u64(seed);
            let mut c = Calibrator::new(5000, 100);
            for _ in 0..5000 {
                c.calibrate(-(1.0 - rng.next_f64()).ln());
            }
            let ratio = c.peek(12.0).tail_probability / want;
            assert!(ratio > 0.2 && ratio < 5.0, "seed {seed}: p/want {ratio}");
            log_ratio += ratio.ln() / 6.0;
        }
        assert!(
            log_ratio.abs() < 0.5f64.ln().abs(),
            "geometric mean ratio {}",
            log_ratio.exp()
        );
    }

    #[test]
    fn the_score_is_a_log_scale_of_the_probability() {
        assert_eq!(Calibrated::from_probability(1e-5).score, 0.5);
        assert_eq!(Calibrated::from_probability(0.0).score, 1.0);
        assert_eq!(Calibrated::from_probability(f64::NAN), Calibrated::NONE);
        let p = Calibrated::probability_of_score(0.3);
        assert!((p - 1e-3).abs() < 1e-15);
    }
}
