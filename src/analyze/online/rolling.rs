//! Rolling z-score: the mean and variance of the last W points, updated in O(1) per point
//! with Welford's recurrences run forwards for the arrival and backwards for the eviction
//! (Welford 1962, *Technometrics* 4(3); the sliding form as in Knuth, TAOCP vol. 2,
//! §4.2.2). The sums are recomputed exactly from the window every W points, so rounding
//! error cannot accumulate over an unbounded stream (O(1) amortized).
//!
//! A point x is compared with the window before it: z = (x − x̄)/s, surprise z²/2. This is
//! the online form of NAB's "windowed Gaussian" baseline.

use super::model::{gaussian_surprise, Model, Observation};
use super::ring::Ring;

/// Rolling mean/variance z-score over a window.
#[derive(Debug, Clone)]
pub struct RollingZ {
    window: Ring<f64>,
    mean: f64,
    m2: f64,
    since_exact: usize,
    min_points: usize,
}

impl RollingZ {
    /// A window of `window` points (≥ 2); scoring starts once `min(window, 30)` are held.
    pub fn new(window: usize) -> Self {
        let window = window.max(2);
        RollingZ {
            window: Ring::new(window),
            mean: 0.0,
            m2: 0.0,
            since_exact: 0,
            min_points: window.min(30),
        }
    }

    /// The window's sample standard deviation.
    fn std_dev(&self) -> f64 {
        let n = self.window.len();
        if n < 2 {
            0.0
        } else {
            (self.m2.max(0.0) / (n - 1) as f64).sqrt()
        }
    }

    fn recompute(&mut self) {
        let n = self.window.len() as f64;
        self.mean = self.window.iter().sum::<f64>() / n;
        self.m2 = self.window.iter().map(|x| (x - self.mean).powi(2)).sum();
        self.since_exact = 0;
    }

    fn learn(&mut self, x: f64) {
        if let Some(old) = self.window.push(x) {
            let n = self.window.len() as f64;
            // Replace `old` by `x` at constant n.
            let delta = x - old;
            let new_mean = self.mean + delta / n;
            self.m2 += delta * (x - new_mean + old - self.mean);
            self.mean = new_mean;
        } else {
            let n = self.window.len() as f64;
            let d = x - self.mean;
            self.mean += d / n;
            self.m2 += d * (x - self.mean);
        }
        self.since_exact += 1;
        if self.since_exact >= self.window.capacity() {
            self.recompute();
        }
    }
}

impl Model for RollingZ {
    fn observe(&mut self, x: f64) -> Observation {
        let expected = self.mean;
        let surprise = (self.window.len() >= self.min_points)
            .then(|| gaussian_surprise(x - self.mean, self.std_dev()));
        self.learn(x);
        Observation { surprise, expected }
    }

    fn state_bytes(&self) -> usize {
        self.window.heap_bytes()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mean_and_variance_track_the_window_exactly() {
        let mut z = RollingZ::new(4);
        for x in [1.0, 2.0, 3.0, 4.0, 10.0, 20.0] {
            z.observe(x);
        }
        // Window 3, 4, 10, 20.
        assert!((z.mean - 9.25).abs() < 1e-12);
        let var = [3.0f64, 4.0, 10.0, 20.0]
            .iter()
            .map(|x| (x - 9.25).powi(2))
            .sum::<f64>()
            / 3.0;
        assert!((z.std_dev() - var.sqrt()).abs() < 1e-12);
    }
}
