//! EWMA / EWMV control chart: an exponentially weighted mean and variance of the stream
//! (Finch 2009, *Incremental calculation of weighted mean and variance*, the EWMV recurrence)
//! and, on the standardized residual zₜ = (xₜ − μₜ₋₁)/σₜ₋₁, both a Shewhart test (zₜ itself)
//! and an EWMA chart Eₜ = λzₜ + (1 − λ)Eₜ₋₁, whose in-control variance is λ/(2 − λ)
//! (Roberts 1959, *Technometrics* 1(3); the combined Shewhart–EWMA scheme of Lucas &
//! Saccucci 1990, *Technometrics* 32(1)). The surprise is the larger of z²/2 and
//! E²·(2 − λ)/(2λ): single large deviations and small persistent shifts both register.
//!
//! The baseline learns from residuals winsorized at ±4σ (a Huber-type update, as in Gelper,
//! Fried & Croux 2010, *Robust forecasting with exponential and Holt–Winters smoothing*), so
//! one spike moves neither the mean nor the variance much. O(1) time and memory per point.

use super::model::{gaussian_surprise, Model, Observation};

/// Residuals beyond this many σ are clipped when the baseline learns.
const CLIP_SIGMAS: f64 = 4.0;

/// EWMA/EWMV control chart.
#[derive(Debug, Clone)]
pub struct EwmaChart {
    alpha: f64,
    lambda: f64,
    mean: f64,
    var: f64,
    chart: f64,
    seen: usize,
    min_points: usize,
}

impl EwmaChart {
    /// Baseline smoothing α = 2/(span + 1); chart smoothing `lambda` in (0, 1].
    pub fn new(span: usize, lambda: f64) -> Self {
        let span = span.max(2);
        EwmaChart {
            alpha: 2.0 / (span as f64 + 1.0),
            lambda: lambda.clamp(1e-3, 1.0),
            mean: 0.0,
            var: 0.0,
            chart: 0.0,
            seen: 0,
            min_points: span.min(30),
        }
    }

    fn learn(&mut self, x: f64) {
        self.seen += 1;
        if self.seen == 1 {
            self.mean = x;
            return;
        }
        // Warm-up: plain running moments until the smoothing weight reaches α.
        let a = self.alpha.max(1.0 / self.seen as f64);
        let sd = self.var.sqrt();
        let mut d = x - self.mean;
        if self.seen > self.min_points && sd > 0.0 {
            d = d.clamp(-CLIP_SIGMAS * sd, CLIP_SIGMAS * sd);
        }
        self.mean += a * d;
        self.var = (1.0 - a) * (self.var + a * d * d);
    }
}

impl Model for EwmaChart {
    fn observe(&mut self, x: f64) -> Observation {
        let expected = if self.seen == 0 { x } else { self.mean };
        let mut surprise = None;
        if self.seen >= self.min_points {
            let sd = self.var.sqrt();
            let shewhart = gaussian_surprise(x - self.mean, sd);
            let z = if sd > 0.0 {
                ((x - self.mean) / sd).clamp(-1e3, 1e3)
            } else {
                0.0
            };
            self.chart = self.lambda * z + (1.0 - self.lambda) * self.chart;
            let chart_sd = (self.lambda / (2.0 - self.lambda)).sqrt();
            surprise = Some(shewhart.max(gaussian_surprise(self.chart, chart_sd)));
        }
        self.learn(x);
        Observation { surprise, expected }
    }

    fn state_bytes(&self) -> usize {
        0
    }

    fn accumulates(&self) -> bool {
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_small_persistent_shift_builds_up_in_the_chart() {
        let mut m = EwmaChart::new(100, 0.2);
        let mut rng = crate::analyze::rng::Xoshiro256::seed_from_u64(5);
        for _ in 0..500 {
            m.observe(rng.standard_normal());
        }
        let first = m.observe(1.5 + rng.standard_normal()).surprise.unwrap();
        let mut last = first;
        for _ in 0..15 {
            last = m.observe(1.5 + rng.standard_normal()).surprise.unwrap();
        }
        // A 1.5σ shift: the chart statistic approaches 1.5/√(0.2/1.8) = 4.5 chart σ.
        assert!(last > 5.0, "first {first}, after 16 points {last}");
    }
}
