//! One calibrated online detector (a [`Model`] and its [`Calibrator`]) and a set of them
//! fused into one score.
//!
//! Evidence accumulation: one point 3σ away is common, twenty in a row are not. Besides the
//! point's own tail probability pₜ, each detector runs Page's CUSUM (Page 1954, *Biometrika*
//! 41) on the point surprisals: Cₜ = max(0, Cₜ₋₁ − ln pₜ − κ). For calibrated p-values,
//! −ln pₜ is Exp(1) and the drift 1 − κ < 0 keeps C near zero; a lasting shift, a variance
//! burst or a broken pattern yields a run of small p-values and C climbs. Cₜ has its own
//! calibrator, with an exponential tail (the stationary law of such a reflected random walk
//! has one), never lighter than the tail under independence, P(C ≥ c) ≤ e^{−θc} with θ the
//! positive root of (1 − θ)·e^{θκ} = 1 (Lundberg's inequality for this walk; θ ≈ 0.80 at
//! κ = 2) — autocorrelated p-values make excursions longer, never shorter. The CUSUM starts
//! once the point calibrator scores. Surprisals that are autocorrelated (lag-1 correlation ρ,
//! estimated online) are weighed by (1 − ρ)/(1 + ρ) — the variance inflation of a sum of
//! AR(1) terms — so a wandering but normal series does not pile up evidence. Only for models whose surprise is a single point's
//! (the EWMA chart and the k-NN shingles already sum up several points). The detector reports p = min(1, 2·min(pₜ, p_C)) (Bonferroni over the
//! two tests): sudden and sustained anomalies register on the same scale.
//!
//! Fusion: the set reports, for each point, the smallest tail probability among its members
//! multiplied by the number of members (Bonferroni's bound on the probability that *any*
//! member is that surprised by chance), so a set of calibrated detectors is itself
//! calibrated and one threshold means the same for one detector or five.

use super::calibrate::{Calibrated, Calibrator};
use super::error::OnlineError;
use super::ewma::EwmaChart;
use super::knn::{KnnConformal, KnnParams};
use super::model::Model;
use super::robust::RollingRobust;
use super::rolling::RollingZ;
use super::seasonal::{Seasonal, SeasonalParams};
use super::DetectorKind;

/// Settings shared by the detectors.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct OnlineParams {
    /// Window (points) of the rolling detectors and span of the EWMA baseline.
    pub window: usize,
    /// Smoothing λ of the EWMA chart statistic.
    pub ewma_lambda: f64,
    /// Seasonal baseline settings.
    pub seasonal: SeasonalParams,
    /// KNN conformal settings.
    pub knn: KnnParams,
    /// Past surprises each calibrator compares a new one with.
    pub calibration_memory: usize,
    /// Surprises a calibrator needs before it scores.
    pub calibration_warmup: usize,
    /// CUSUM reference κ (> 1) of the evidence accumulation; `None` scores points alone.
    pub cusum_reference: Option<f64>,
}

impl Default for OnlineParams {
    fn default() -> Self {
        OnlineParams {
            window: 576,
            ewma_lambda: 0.25,
            seasonal: SeasonalParams::default(),
            knn: KnnParams::default(),
            calibration_memory: 2000,
            calibration_warmup: 100,
            cusum_reference: Some(2.0),
        }
    }
}

/// The verdict on one point.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PointScore {
    /// Calibrated anomaly score in [0, 1] (see [`super::calibrate`]).
    pub score: f64,
    /// Estimated probability of a surprise at least this large, in (0, 1].
    pub tail_probability: f64,
    /// The value the deciding detector expected.
    pub expected: f64,
    /// The deciding detector (the most surprised member of a set).
    pub detector: DetectorKind,
}

/// A model with its calibrator.
#[derive(Debug)]
pub struct OnlineDetector {
    kind: DetectorKind,
    model: Box<dyn Model>,
    calibrator: Calibrator,
    cusum: Option<Cusum>,
}

/// One point adds at most −ln of this to the CUSUM (≈ 18.4): a single extreme point is
/// the point test's business, and an unbounded step would keep the statistic — and every
/// later point — high for thousands of points.
const MIN_EVIDENCE_P: f64 = 1e-8;

/// Page's CUSUM over the point surprisals, with its own calibrator.
#[derive(Debug)]
struct Cusum {
    reference: f64,
    /// Lundberg's exponent θ of the walk's increments under independence.
    lundberg: f64,
    statistic: f64,
    calibrator: Calibrator,
    /// Exponentially weighted lag-1 autocorrelation of the surprisals.
    memory: LagOne,
}

/// An exponentially weighted estimate of the lag-1 autocorrelation of a series.
#[derive(Debug, Clone, Copy)]
struct LagOne {
    alpha: f64,
    mean: f64,
    var: f64,
    cov: f64,
    previous: Option<f64>,
}

impl LagOne {
    fn new(span: usize) -> Self {
        LagOne {
            alpha: 2.0 / (span.max(2) as f64 + 1.0),
            mean: 1.0,
            var: 1.0,
            cov: 0.0,
            previous: None,
        }
    }

    /// Adds `x`; the current autocorrelation, clamped to [0, 0.95].
    fn update(&mut self, x: f64) -> f64 {
        let a = self.alpha;
        if let Some(prev) = self.previous {
            self.cov += a * ((x - self.mean) * (prev - self.mean) - self.cov);
        }
        let d = x - self.mean;
        self.mean += a * d;
        self.var = (1.0 - a) * (self.var + a * d * d);
        self.previous = Some(x);
        if self.var > 0.0 {
            (self.cov / self.var).clamp(0.0, 0.95)
        } else {
            0.0
        }
    }
}

/// The positive root θ of (1 − θ)·e^{θκ} = 1 (κ > 1), by bisection on (0, 1).
fn lundberg_exponent(kappa: f64) -> f64 {
    let f = |t: f64| (1.0 - t).ln() + t * kappa;
    let (mut lo, mut hi) = (1e-9, 1.0 - 1e-12);
    for _ in 0..100 {
        let mid = 0.5 * (lo + hi);
        if f(mid) > 0.0 {
            lo = mid;
        } else {
            hi = mid;
        }
    }
    0.5 * (lo + hi)
}

impl Cusum {
    fn new(reference: f64, params: &OnlineParams) -> Self {
        let reference = reference.max(1.01);
        Cusum {
            reference,
            lundberg: lundberg_exponent(reference),
            statistic: 0.0,
            memory: LagOne::new(params.calibration_memory),
            calibrator: Calibrator::with_max_shape(
                params.calibration_memory,
                params.calibration_warmup,
                0.0,
            ),
        }
    }

    /// Adds the point with tail probability `p`; the calibrated statistic.
    fn update(&mut self, p: f64) -> Calibrated {
        let surprisal = -p.max(MIN_EVIDENCE_P).ln();
        // Correlated surprisals (a slowly wandering series) come in runs; weigh each by
        // (1 − ρ)/(1 + ρ), the share of independent information in a run of AR(1) terms.
        let rho = self.memory.update(surprisal);
        let weight = (1.0 - rho) / (1.0 + rho);
        self.statistic = (self.statistic + weight * (surprisal - self.reference)).max(0.0);
        let fitted = self.calibrator.calibrate(self.statistic).tail_probability;
        let independent = (-self.lundberg * self.statistic).exp();
        Calibrated::from_probability(fitted.max(independent))
    }
}

impl OnlineDetector {
    /// A fresh detector of `kind`.
    pub fn new(kind: DetectorKind, params: &OnlineParams) -> Self {
        let w = params.window.max(3);
        let model: Box<dyn Model> = match kind {
            DetectorKind::Zscore => Box::new(RollingZ::new(w)),
            DetectorKind::Mad => Box::new(RollingRobust::new(w)),
            DetectorKind::Ewma => Box::new(EwmaChart::new(w, params.ewma_lambda)),
            DetectorKind::Seasonal => Box::new(Seasonal::new(params.seasonal)),
            DetectorKind::Knn => Box::new(KnnConformal::new(params.knn)),
        };
        let cusum = params
            .cusum_reference
            .filter(|_| !model.accumulates())
            .map(|r| Cusum::new(r, params));
        OnlineDetector {
            kind,
            model,
            calibrator: Calibrator::new(params.calibration_memory, params.calibration_warmup),
            cusum,
        }
    }

    /// Which detector this is.
    pub fn kind(&self) -> DetectorKind {
        self.kind
    }

    /// Scores `x` from the past, then learns it.
    pub fn update(&mut self, x: f64) -> Result<PointScore, OnlineError> {
        if !x.is_finite() {
            return Err(OnlineError::NonFinite { value: x });
        }
        Ok(self.update_finite(x))
    }

    fn update_finite(&mut self, x: f64) -> PointScore {
        let o = self.model.observe(x);
        let mut c = match o.surprise {
            Some(raw) => self.calibrator.calibrate(raw),
            None => Calibrated::NONE,
        };
        let ready = self.calibrator.is_ready();
        if let (Some(cusum), Some(_), true) = (self.cusum.as_mut(), o.surprise, ready) {
            let sustained = cusum.update(c.tail_probability);
            let p = 2.0 * c.tail_probability.min(sustained.tail_probability);
            c = Calibrated::from_probability(p.min(1.0));
        }
        PointScore {
            score: c.score,
            tail_probability: c.tail_probability,
            expected: o.expected,
            detector: self.kind,
        }
    }

    /// Heap bytes of the model and the calibrator.
    pub fn state_bytes(&self) -> usize {
        self.model.state_bytes()
            + self.calibrator.heap_bytes()
            + self.cusum.as_ref().map_or(0, |c| c.calibrator.heap_bytes())
    }
}

/// Several detectors on one stream, fused by the Bonferroni bound.
#[derive(Debug)]
pub struct DetectorSet {
    members: Vec<OnlineDetector>,
}

impl DetectorSet {
    /// One detector of each kind in `kinds` (duplicates dropped; at least one).
    pub fn new(kinds: &[DetectorKind], params: &OnlineParams) -> Result<Self, OnlineError> {
        let mut unique: Vec<DetectorKind> = Vec::new();
        for &k in kinds {
            if !unique.contains(&k) {
                unique.push(k);
            }
        }
        if unique.is_empty() {
            return Err(OnlineError::NoDetector {
                accepted: DetectorKind::names(),
            });
        }
        Ok(DetectorSet {
            members: unique
                .into_iter()
                .map(|k| OnlineDetector::new(k, params))
                .collect(),
        })
    }

    /// The members' kinds.
    pub fn kinds(&self) -> Vec<DetectorKind> {
        self.members.iter().map(OnlineDetector::kind).collect()
    }

    /// Scores `x` with every member and fuses the verdicts.
    pub fn update(&mut self, x: f64) -> Result<PointScore, OnlineError> {
        if !x.is_finite() {
            return Err(OnlineError::NonFinite { value: x });
        }
        let n = self.members.len() as f64;
        let mut best: Option<PointScore> = None;
        for m in &mut self.members {
            let s = m.update_finite(x);
            if best.map_or(true, |b| s.tail_probability < b.tail_probability) {
                best = Some(s);
            }
        }
        let best = best.expect("a set has at least one member");
        let fused = Calibrated::from_probability((best.tail_probability * n).min(1.0));
        Ok(PointScore {
            score: fused.score,
            tail_probability: fused.tail_probability,
            ..best
        })
    }

    /// Heap bytes of every member.
    pub fn state_bytes(&self) -> usize {
        self.members.iter().map(OnlineDetector::state_bytes).sum()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_default_set_holds_about_a_quarter_megabyte() {
        let mut set =
            DetectorSet::new(super::super::DEFAULT_DETECTORS, &OnlineParams::default()).unwrap();
        for i in 0..5000 {
            set.update(f64::from(i % 288)).unwrap();
        }
        let bytes = set.state_bytes();
        assert!((200_000..300_000).contains(&bytes), "{bytes}");
    }

    #[test]
    fn lundberg_exponent_solves_its_equation() {
        let t = lundberg_exponent(2.0);
        assert!(((1.0 - t) * (2.0 * t).exp() - 1.0).abs() < 1e-9);
        assert!((t - 0.797).abs() < 0.01, "{t}");
    }
}
