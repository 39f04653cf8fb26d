//! Histogram buckets for stored samples: a fixed ladder of upper bounds per unit (fixed, so
//! that the same `le` series exist on every scrape and `rate()` over them works), and an
//! accumulator that counts observations into them.
//!
//! Durations (seconds): 1-2.5-5 steps from 1 µs to 100 s. Everything else: 1-2.5-5 steps from
//! 0.001 to 10⁹. Values above the last bound land only in `+Inf`.

use super::model::HistogramValue;
use super::units::BaseUnit;

/// Upper bounds for durations in seconds, 1 µs … 100 s.
pub const SECONDS_BOUNDS: &[f64] = &[
    1e-6, 2.5e-6, 5e-6, 1e-5, 2.5e-5, 5e-5, 1e-4, 2.5e-4, 5e-4, 0.001, 0.0025, 0.005, 0.01, 0.025,
    0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 25.0, 50.0, 100.0,
];

/// Upper bounds for any other unit, 0.001 … 10⁹.
pub const DECADE_BOUNDS: &[f64] = &[
    0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 25.0, 50.0,
    100.0, 250.0, 500.0, 1e3, 2.5e3, 5e3, 1e4, 2.5e4, 5e4, 1e5, 2.5e5, 5e5, 1e6, 2.5e6, 5e6, 1e7,
    2.5e7, 5e7, 1e8, 2.5e8, 5e8, 1e9,
];

/// Counts observations into fixed buckets; [`Accumulator::value`] gives the cumulative form.
/// Observations arrive in their own unit and are compared in the base unit; the sum is kept
/// in the observations' unit and converted once (exact for integral nanoseconds up to 2⁵³).
#[derive(Debug, Clone, PartialEq)]
pub struct Accumulator {
    bounds: &'static [f64],
    unit: BaseUnit,
    /// Observations per bucket (not cumulative); one slot past the bounds for `+Inf`.
    per_bucket: Vec<u64>,
    count: u64,
    sum: f64,
}

impl Accumulator {
    /// An empty accumulator over `bounds` (ascending), for values already in the base unit.
    pub fn new(bounds: &'static [f64]) -> Accumulator {
        Accumulator::in_unit(bounds, BaseUnit::NONE)
    }

    /// An empty accumulator over `bounds` (base unit) for values in a unit `unit` converts.
    pub fn in_unit(bounds: &'static [f64], unit: BaseUnit) -> Accumulator {
        Accumulator {
            bounds,
            unit,
            per_bucket: vec![0; bounds.len() + 1],
            count: 0,
            sum: 0.0,
        }
    }

    /// Counts one observation (`le` is inclusive: a value equal to a bound is in its bucket).
    /// NaN is counted in `+Inf` only and not summed.
    pub fn observe(&mut self, raw: f64) {
        let v = self.unit.to_base(raw);
        let slot = self.bounds.partition_point(|&b| b < v);
        let slot = if v.is_nan() { self.bounds.len() } else { slot };
        self.per_bucket[slot] += 1;
        self.count += 1;
        if !v.is_nan() {
            self.sum += raw;
        }
    }

    /// Observations so far.
    pub fn count(&self) -> u64 {
        self.count
    }

    /// The cumulative buckets, count and sum.
    pub fn value(&self) -> HistogramValue {
        let mut running = 0;
        let buckets = self
            .bounds
            .iter()
            .zip(&self.per_bucket)
            .map(|(&b, &n)| {
                running += n;
                (b, running)
            })
            .collect();
        HistogramValue {
            buckets,
            count: self.count,
            sum: self.unit.to_base(self.sum),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ladders_ascend() {
        for b in [SECONDS_BOUNDS, DECADE_BOUNDS] {
            assert!(b.windows(2).all(|w| w[0] < w[1]));
        }
    }

    #[test]
    fn bounds_are_inclusive_and_cumulative() {
        let mut a = Accumulator::new(&[1.0, 2.0]);
        for v in [0.5, 1.0, 1.5, 2.0, 3.0] {
            a.observe(v);
        }
        let h = a.value();
        assert_eq!(h.buckets, vec![(1.0, 2), (2.0, 4)]);
        assert_eq!(h.count, 5);
        assert_eq!(h.sum, 8.0);
    }

    #[test]
    fn raw_units_are_bucketed_in_base_units_and_summed_exactly() {
        let mut a = Accumulator::in_unit(SECONDS_BOUNDS, crate::exposition::base_unit("ns"));
        for v in [1e6, 2e6, 3e8] {
            a.observe(v);
        }
        let h = a.value();
        assert_eq!(h.sum, 0.303);
        let le = |b: f64| h.buckets.iter().find(|x| x.0 == b).unwrap().1;
        assert_eq!((le(0.001), le(0.0025), le(0.25), le(0.5)), (1, 2, 2, 3));
    }

    #[test]
    fn nan_counts_only_in_inf() {
        let mut a = Accumulator::new(&[1.0]);
        a.observe(f64::NAN);
        assert_eq!(a.value().buckets, vec![(1.0, 0)]);
        assert_eq!((a.count(), a.value().sum), (1, 0.0));
    }
}
