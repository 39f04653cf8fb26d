//! Seasonal baseline: additive Holt–Winters smoothing in error-correction form (Holt 1957;
//! Winters 1960, *Management Science* 6(3); the ETS(A,N,A) state equations of Hyndman,
//! Koehler, Ord & Snyder 2008, *Forecasting with Exponential Smoothing*):
//! forecast ŷₜ = ℓₜ₋₁ + sₜ₋ₘ, error eₜ = xₜ − ŷₜ, ℓₜ = ℓₜ₋₁ + α·eₜ, sₜ = sₜ₋ₘ + γ·eₜ,
//! with the period m found by [`super::period::detect_period`] on a bounded buffer of recent
//! points (re-checked as the buffer fills and then every half buffer). Until a period is
//! found (or when there is none) the model is simple exponential smoothing of the level.
//!
//! The error is standardized by the robust spread (1.4826·MAD) of the last errors, surprise
//! z²/2; the states learn from errors winsorized at ±3 spreads (Gelper, Fried & Croux 2010,
//! *Robust forecasting with exponential and Holt–Winters smoothing*, J. Forecasting 29), so a
//! spike leaves the seasonal profile intact while a lasting change is absorbed within a few
//! cycles. When a new period is found the profile is re-initialized from the buffer (mean of
//! each phase over the complete cycles held, minus the cycle mean).
//!
//! Per point: O(log W) for the spread; every B/2 points one O(B log B) period detection on
//! the buffer of B points (amortized O(log B)). State: the buffer, one value per phase and the
//! error window.

use super::model::{gaussian_surprise, robust_scale, Model, Observation};
use super::period::detect_period;
use super::ring::Ring;
use super::sorted::SortedWindow;

/// Settings of [`Seasonal`].
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SeasonalParams {
    /// Points kept for period detection (the longest period found is a third of it).
    pub buffer: usize,
    /// Level smoothing α in (0, 1].
    pub alpha: f64,
    /// Seasonal smoothing γ in (0, 1].
    pub gamma: f64,
    /// Errors whose spread standardizes the next one.
    pub error_window: usize,
    /// A period given by the user (skips detection); `None` to detect.
    pub period: Option<usize>,
}

impl Default for SeasonalParams {
    fn default() -> Self {
        SeasonalParams {
            buffer: 4096,
            alpha: 0.05,
            gamma: 0.2,
            error_window: 512,
            period: None,
        }
    }
}

/// Errors beyond this many spreads are clipped when the states learn.
const CLIP: f64 = 3.0;
/// Scoring starts after this many points.
const MIN_POINTS: usize = 30;

/// Holt–Winters seasonal baseline with period detection.
#[derive(Debug, Clone)]
pub struct Seasonal {
    params: SeasonalParams,
    buffer: Ring<f64>,
    season: Vec<f64>,
    phase: usize,
    level: f64,
    errors: Ring<f64>,
    sorted_errors: SortedWindow,
    seen: usize,
    next_check: usize,
}

impl Seasonal {
    /// A seasonal baseline with these settings.
    pub fn new(params: SeasonalParams) -> Self {
        let buffer = params.buffer.max(64);
        let mut s = Seasonal {
            params: SeasonalParams { buffer, ..params },
            buffer: Ring::new(buffer),
            season: Vec::new(),
            phase: 0,
            level: 0.0,
            errors: Ring::new(params.error_window.max(16)),
            sorted_errors: SortedWindow::with_capacity(params.error_window.max(16)),
            seen: 0,
            next_check: 256.min(buffer),
        };
        if let Some(p) = params.period.filter(|&p| p >= 2) {
            s.season = vec![0.0; p];
        }
        s
    }

    /// The period in use, if any.
    pub fn period(&self) -> Option<usize> {
        (!self.season.is_empty()).then_some(self.season.len())
    }

    fn forecast(&self) -> f64 {
        self.level + self.season.get(self.phase).copied().unwrap_or(0.0)
    }

    /// Re-initializes the profile for period `p` from the buffer; the next point has phase 0.
    fn adopt_period(&mut self, p: usize) {
        let xs: Vec<f64> = self.buffer.iter().collect();
        let cycles = xs.len() / p;
        let tail = &xs[xs.len() - cycles * p..];
        let mut season = vec![0.0; p];
        for cycle in tail.chunks_exact(p) {
            let mean = cycle.iter().sum::<f64>() / p as f64;
            for (s, x) in season.iter_mut().zip(cycle) {
                *s += (x - mean) / cycles as f64;
            }
        }
        self.level = tail[tail.len() - p..].iter().sum::<f64>() / p as f64;
        self.season = season;
        self.phase = 0;
    }

    fn maybe_detect(&mut self) {
        if self.params.period.is_some() || self.buffer.len() < self.next_check {
            return;
        }
        let cap = self.buffer.capacity();
        self.next_check = if self.next_check < cap {
            (self.next_check * 2).min(cap)
        } else {
            self.buffer.len() + cap / 2
        };
        let xs: Vec<f64> = self.buffer.iter().collect();
        let found = detect_period(&xs, xs.len() / 3);
        match found {
            Some(p) if Some(p) != self.period() => self.adopt_period(p),
            None if self.period().is_some() => self.season.clear(),
            _ => {}
        }
    }

    fn learn(&mut self, x: f64, error: f64, scale: f64) {
        self.seen += 1;
        if self.seen == 1 {
            self.level = x;
        } else {
            let e = if self.seen > MIN_POINTS && scale > 0.0 {
                error.clamp(-CLIP * scale, CLIP * scale)
            } else {
                error
            };
            let alpha = self.params.alpha.max(1.0 / self.seen as f64);
            self.level += alpha * e;
            if let Some(s) = self.season.get_mut(self.phase) {
                *s += self.params.gamma * e;
            }
        }
        if !self.season.is_empty() {
            self.phase = (self.phase + 1) % self.season.len();
        }
        if let Some(old) = self.errors.push(error) {
            self.sorted_errors.remove(old);
        }
        self.sorted_errors.insert(error);
        self.buffer.push(x);
        self.maybe_detect();
    }
}

impl Model for Seasonal {
    fn observe(&mut self, x: f64) -> Observation {
        if !self.forecast().is_finite() {
            // Values near ±f64::MAX overflowed the states: start again from this point.
            self.level = x;
            self.season.iter_mut().for_each(|s| *s = 0.0);
        }
        let expected = if self.seen == 0 { x } else { self.forecast() };
        let error = (x - expected).clamp(-f64::MAX, f64::MAX);
        let scale = robust_scale(&self.sorted_errors);
        let surprise = (self.seen >= MIN_POINTS).then(|| {
            let centre = self.sorted_errors.median();
            gaussian_surprise(error - centre, scale)
        });
        self.learn(x, error, scale);
        Observation { surprise, expected }
    }

    fn state_bytes(&self) -> usize {
        self.buffer.heap_bytes()
            + self.season.capacity() * 8
            + self.errors.heap_bytes()
            + self.sorted_errors.heap_bytes()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analyze::rng::Xoshiro256;

    #[test]
    fn learns_the_period_and_forecasts_the_profile() {
        let mut rng = Xoshiro256::seed_from_u64(2);
        let mut m = Seasonal::new(SeasonalParams::default());
        let wave = |i: usize| 50.0 + 20.0 * ((i % 48) as f64 / 48.0 * std::f64::consts::TAU).sin();
        for i in 0..3000 {
            m.observe(wave(i) + 0.5 * rng.standard_normal());
        }
        assert_eq!(m.period(), Some(48));
        let o = m.observe(wave(3000));
        assert!((o.expected - wave(3000)).abs() < 1.0, "{o:?}");
    }
}
