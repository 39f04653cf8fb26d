//! The interface every online model implements, and the shared conversion of a standardized
//! deviation into a raw surprise.

/// Raw surprises are capped here (a deviation from a zero spread is "infinitely" surprising;
/// the cap keeps every number finite).
pub const MAX_SURPRISE: f64 = 1e6;

/// What a model says about one point before it learns it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Observation {
    /// Raw surprise (≥ 0, larger = more anomalous) of the point given its past; `None` while
    /// the model is still warming up.
    pub surprise: Option<f64>,
    /// The value the model expected (the baseline the point was compared with).
    pub expected: f64,
}

/// A streaming model: each point is judged from the past only, then folded into the state.
/// Implementations keep bounded state and do O(1) or O(log W) work per point (W a fixed
/// window), so memory and time per point do not grow with the stream.
pub trait Model: Send + std::fmt::Debug {
    /// Judges `x` (finite) against the state built from earlier points, then learns it.
    fn observe(&mut self, x: f64) -> Observation;

    /// Heap bytes held by the state (the bound the tests check).
    fn state_bytes(&self) -> usize;

    /// True when the surprise already sums up several points (an EWMA chart, a shingle):
    /// such models are not accumulated again by the detector's CUSUM, whose calibration
    /// assumes nearly independent point surprises.
    fn accumulates(&self) -> bool {
        false
    }
}

/// The surprise of a deviation `dev` from the expected value on a scale `scale`: z²/2 (the
/// negative log-density of a standard normal, up to a constant; its tail is exponential for
/// Gaussian noise, which the calibrator's tail model assumes). A zero scale makes any nonzero
/// deviation maximally surprising.
pub fn gaussian_surprise(dev: f64, scale: f64) -> f64 {
    if dev == 0.0 {
        return 0.0;
    }
    if scale.is_nan() || scale <= 0.0 {
        return MAX_SURPRISE;
    }
    let z = dev / scale;
    (0.5 * z * z).min(MAX_SURPRISE)
}

/// A robust spread from a sorted window: 1.4826·MAD, falling back to the 75th and 95th
/// percentiles of the absolute deviations (scaled to σ for normal data) when more than half
/// the values are identical, and to 0 when nearly all are.
pub fn robust_scale(window: &super::sorted::SortedWindow) -> f64 {
    let mad = window.mad();
    if mad > 0.0 {
        return 1.4826 * mad;
    }
    let q75 = window.distance_quantile(0.75);
    if q75 > 0.0 {
        return q75 / 1.1503;
    }
    window.distance_quantile(0.95) / 1.9600
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn surprise_is_half_z_squared_and_capped() {
        assert_eq!(gaussian_surprise(3.0, 1.0), 4.5);
        assert_eq!(gaussian_surprise(-3.0, 2.0), 1.125);
        assert_eq!(gaussian_surprise(0.0, 0.0), 0.0);
        assert_eq!(gaussian_surprise(1e-300, 0.0), MAX_SURPRISE);
        assert_eq!(gaussian_surprise(1e300, 1e-300), MAX_SURPRISE);
    }
}
