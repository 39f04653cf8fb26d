//! Rolling robust z-score: the median and the median absolute deviation (MAD) of the last W
//! points, kept in a sorted window (O(log W) comparisons per point, see
//! [`super::sorted`]). A point x is compared with the window before it through the modified
//! z-score M = (x − median)/(1.4826·MAD) (Iglewicz & Hoaglin 1993, *How to Detect and
//! Handle Outliers*; the sliding-window form is Hampel's filter, Hampel 1974, *JASA*
//! 69(346)), surprise M²/2. Unlike the mean and standard deviation, neither median nor MAD
//! moves much when the window itself holds a few outliers, so one spike does not mask the
//! next.

use super::model::{gaussian_surprise, robust_scale, Model, Observation};
use super::ring::Ring;
use super::sorted::SortedWindow;

/// Rolling median/MAD z-score over a window.
#[derive(Debug, Clone)]
pub struct RollingRobust {
    window: Ring<f64>,
    sorted: SortedWindow,
    min_points: usize,
}

impl RollingRobust {
    /// A window of `window` points (≥ 3); scoring starts once `min(window, 30)` are held.
    pub fn new(window: usize) -> Self {
        let window = window.max(3);
        RollingRobust {
            window: Ring::new(window),
            sorted: SortedWindow::with_capacity(window),
            min_points: window.min(30),
        }
    }
}

impl Model for RollingRobust {
    fn observe(&mut self, x: f64) -> Observation {
        let ready = self.window.len() >= self.min_points;
        let expected = if self.sorted.is_empty() {
            x
        } else {
            self.sorted.median()
        };
        let surprise = ready.then(|| gaussian_surprise(x - expected, robust_scale(&self.sorted)));
        if let Some(old) = self.window.push(x) {
            self.sorted.remove(old);
        }
        self.sorted.insert(x);
        Observation { surprise, expected }
    }

    fn state_bytes(&self) -> usize {
        self.window.heap_bytes() + self.sorted.heap_bytes()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_spike_is_measured_against_median_and_mad() {
        let mut m = RollingRobust::new(5);
        for x in [1.0, 2.0, 3.0, 4.0, 5.0] {
            m.observe(x);
        }
        let o = m.observe(3.0 + 1.4826 * 4.0);
        assert_eq!(o.expected, 3.0);
        // MAD of 1..5 is 1, so the point sits 4 robust σ away: surprise 8.
        assert!((o.surprise.unwrap() - 8.0).abs() < 1e-9, "{o:?}");
    }
}
