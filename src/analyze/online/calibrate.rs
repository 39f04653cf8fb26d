//! Calibration: a detector's raw surprise becomes a tail probability and a score in [0, 1]
//! that mean the same for every detector and every series.
//!
//! The raw surprise of a point (z²/2, a k-NN distance, …) is compared with the surprises of
//! the last `M` points of the same stream:
//!
//! * while at least ten past surprises are as large, the tail probability is the conformal
//!   p-value p = (#{past surprises ≥ r} + 1) / (n + 1) (Vovk, Gammerman & Shafer 2005,
//!   *Algorithmic Learning in a Random World*; Laxhammar & Falkman 2010, conformal anomaly
//!   detection);
//! * beyond that, the tail is a generalized Pareto distribution (the Pickands–Balkema–de Haan
//!   limit for excesses over a high threshold, as in SPOT: Siffer, Fouque, Termier & Largouët,
//!   *Anomaly Detection in Streams with Extreme Value Theory*, KDD 2017) fitted to the
//!   excesses of the top 20 % over the 80th percentile t: the shape ξ by probability-weighted
//!   moments (Hosking & Wallis 1987, *Technometrics* 29(3): with a₀ the mean excess and
//!   a₁ = Σⱼ (1 − (j − 0.35)/m)·y₍ⱼ₎/m, ξ̂ = 2 − a₀/(a₀ − 2a₁)), lowered by one standard
//!   error (√(7/(3m)), the estimator's at ξ = 0) so that a heavy tail is used only where the
//!   data show one beyond estimation noise, and clamped to [0, 0.9] (0 is the exponential
//!   tail: a light-tailed stream is treated as exponential, which errs towards fewer
//!   alarms); the scale σ = a₀(1 − ξ)(1 + 1/√m) (the GPD mean excess, raised by its
//!   relative standard error for the same reason: averaged over the estimate's noise, the
//!   tail at σ̂ claims smaller probabilities than the tail at σ), and
//!   p = 0.2·(1 + ξ(r − t)/σ)^(−1/ξ).
//!
//! The three largest excesses are winsorized before the fit, so one huge anomaly in the
//! window does not blunt the detector for everything after it; a heavy-tailed stream gets a
//! heavy tail (ξ > 0) and hence fewer false alarms than a Gaussian model would give it. The
//! fit is refreshed every 16 points (amortized O(M/16) per point).
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
/// The fraction of the history whose excesses the tail is fitted to.
const TAIL_FRACTION: f64 = 0.2;
/// The empirical p-value is used while at least this many past surprises are as large.
const MIN_ABOVE: usize = 10;
/// The largest excesses winsorized before the fit.
const WINSORIZED: usize = 3;
/// The largest GPD shape used by default (heavier tails are treated as this heavy).
pub const MAX_SHAPE: f64 = 0.9;
/// Points between two tail fits.
const REFIT_EVERY: usize = 16;

/// A generalized Pareto tail above a threshold.
#[derive(Debug, Clone, Copy, PartialEq)]
struct TailFit {
    /// The threshold t (a past quantile).
    threshold: f64,
    /// P(R ≥ t).
    mass: f64,
    /// Shape ξ ≥ 0.
    shape: f64,
    /// Scale σ (0 when every excess is 0).
    scale: f64,
}

impl TailFit {
    /// Fits the excesses of the ascending `sorted` values above their (1 − TAIL_FRACTION)
    /// quantile (see the module docs).
    fn fit(sorted: &[f64], max_shape: f64) -> TailFit {
        let n = sorted.len();
        let mut m = ((TAIL_FRACTION * n as f64).ceil() as usize).clamp(1, n);
        let threshold = sorted[n - m];
        // An atom at the threshold (a stream that is mostly zero surprise): fit the values
        // strictly above it, with their own mass.
        let strictly_above = n - sorted.partition_point(|&y| y <= threshold);
        if strictly_above < m {
            m = strictly_above;
        }
        if m < MIN_ABOVE {
            let top = &sorted[n - m..];
            let mean = top.iter().map(|x| x - threshold).sum::<f64>() / m.max(1) as f64;
            return TailFit {
                threshold,
                mass: m as f64 / (n + 1) as f64,
                shape: 0.0,
                scale: mean,
            };
        }
        let top = &sorted[n - m..];
        let cap = top[m - WINSORIZED - 1] - threshold;
        let (mut a0, mut a1) = (0.0, 0.0);
        for (j, x) in top.iter().enumerate() {
            let y = (x - threshold).min(cap);
            a0 += y;
            a1 += (1.0 - (j as f64 + 0.65) / m as f64) * y;
        }
        a0 /= m as f64;
        a1 /= m as f64;
        let denominator = a0 - 2.0 * a1;
        let standard_error = (7.0 / (3.0 * m as f64)).sqrt();
        let shape = if a0 > 0.0 && denominator > 0.0 {
            (2.0 - a0 / denominator - standard_error).clamp(0.0, max_shape)
        } else {
            0.0
        };
        TailFit {
            threshold,
            mass: m as f64 / (n + 1) as f64,
            shape,
            scale: a0 * (1.0 - shape) * (1.0 + 1.0 / (m as f64).sqrt()),
        }
    }

    /// P(R ≥ r) for r above the threshold.
    fn tail(&self, r: f64) -> f64 {
        let excess = (r - self.threshold).max(0.0);
        if excess == 0.0 {
            return self.mass;
        }
        if self.scale.is_nan() || self.scale <= 0.0 {
            return 0.0;
        }
        let z = excess / self.scale;
        if self.shape < 1e-9 {
            self.mass * (-z).exp()
        } else {
            self.mass * (1.0 + self.shape * z).powf(-1.0 / self.shape)
        }
    }
}

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
    fit: Option<TailFit>,
    since_fit: usize,
    max_shape: f64,
}

impl Calibrator {
    /// Remembers the last `memory` surprises and starts scoring after `min_history` of them.
    pub fn new(memory: usize, min_history: usize) -> Self {
        Calibrator::with_max_shape(memory, min_history, MAX_SHAPE)
    }

    /// Like [`Calibrator::new`] with the GPD shape capped at `max_shape` (0 forces an
    /// exponential tail: right for statistics whose null tail is known to be exponential,
    /// such as a CUSUM's).
    pub fn with_max_shape(memory: usize, min_history: usize, max_shape: f64) -> Self {
        let memory = memory.max(2 * MIN_ABOVE);
        Calibrator {
            history: Ring::new(memory),
            sorted: SortedWindow::with_capacity(memory),
            min_history: min_history.clamp(2 * MIN_ABOVE, memory),
            fit: None,
            since_fit: 0,
            max_shape: max_shape.clamp(0.0, MAX_SHAPE),
        }
    }

    /// Scores `raw` (≥ 0; NaN counts as 0, and values are clamped to [0, f64::MAX] so the
    /// sorted history never holds a value it cannot find again) against the history, then
    /// adds it.
    pub fn calibrate(&mut self, raw: f64) -> Calibrated {
        let raw = if raw.is_nan() {
            0.0
        } else {
            raw.clamp(0.0, f64::MAX)
        };
        let out = self.peek(raw);
        if let Some(old) = self.history.push(raw) {
            self.sorted.remove(old);
        }
        self.sorted.insert(raw);
        self.since_fit += 1;
        if self.sorted.len() >= self.min_history
            && (self.fit.is_none() || self.since_fit >= REFIT_EVERY)
        {
            self.fit = Some(TailFit::fit(self.sorted.as_slice(), self.max_shape));
            self.since_fit = 0;
        }
        out
    }

    /// Scores `raw` against the history without adding it.
    pub fn peek(&self, raw: f64) -> Calibrated {
        let n = self.sorted.len();
        if n < self.min_history {
            return Calibrated::NONE;
        }
        let above = self.sorted.count_at_least(raw);
        if above >= MIN_ABOVE {
            return Calibrated::from_probability((above + 1) as f64 / (n + 1) as f64);
        }
        let fit = self
            .fit
            .unwrap_or_else(|| TailFit::fit(self.sorted.as_slice(), self.max_shape));
        let empirical = (above + 1) as f64 / (n + 1) as f64;
        Calibrated::from_probability(fit.tail(raw).min(empirical))
    }

    /// True once enough surprises are remembered to score.
    pub fn is_ready(&self) -> bool {
        self.sorted.len() >= self.min_history
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
    fn heavy_tails_get_a_heavy_tail() {
        // Pareto surprises, P(R ≥ r) = r^-2 (GPD shape 1/2): r = 1000 has p = 1e-6, where an
        // exponential tail would claim far less.
        let mut rng = Xoshiro256::seed_from_u64(8);
        let mut c = Calibrator::new(5000, 100);
        for _ in 0..5000 {
            c.calibrate((1.0 - rng.next_f64()).powf(-0.5));
        }
        // The shape is estimated one standard error low (≈ 0.43 here), so the tail is a
        // little lighter than the truth, yet decades heavier than an exponential one.
        let p = c.peek(1000.0).tail_probability;
        assert!(p > 1e-8 && p < 5e-6, "p {p}");
        // One huge past surprise does not change the fitted tail.
        let before = c.peek(50.0).tail_probability;
        c.calibrate(1e9);
        let after = c.peek(50.0).tail_probability;
        assert!((after / before - 1.0).abs() < 0.05, "{before} -> {after}");
    }

    #[test]
    fn a_mostly_zero_history_fits_the_tail_above_the_atom() {
        // Page's CUSUM of uniform p-values (reference 2): zero most of the time.
        let mut rng = Xoshiro256::seed_from_u64(1);
        let mut c = Calibrator::new(2000, 100);
        let mut s: f64 = 0.0;
        for _ in 0..4000 {
            s = (s - rng.next_f64().max(1e-300).ln() - 2.0).max(0.0);
            c.calibrate(s);
        }
        let (p20, p40) = (c.peek(20.0).tail_probability, c.peek(40.0).tail_probability);
        // The statistic's tail decays like e^(-0.8 x) (Cramér–Lundberg for this walk).
        assert!(p20 < 1e-5 && p20 > 1e-9, "p(20) {p20}");
        assert!(p40 < p20 * 1e-4, "p(40) {p40}");
    }

    #[test]
    fn a_constant_history_makes_any_new_surprise_maximal() {
        let mut c = Calibrator::new(200, 50);
        for _ in 0..100 {
            c.calibrate(0.0);
        }
        assert_eq!(c.peek(0.0).score, 0.0 + (-(101f64 / 101.0).log10() / 10.0));
        assert_eq!(c.peek(1e-3).score, 1.0);
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
