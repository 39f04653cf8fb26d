//! Compensated arithmetic: Neumaier summation, and `√(a/b)` without double rounding.
//!
//! Naive left-to-right summation of `n` terms has an error bound of about `(n-1)·u·Σ|xᵢ|`
//! (`u = 2⁻⁵³`). Neumaier's improvement of Kahan summation keeps the low-order bits lost by each
//! addition in a separate compensation term:
//!
//! ```text
//! t = s + x
//! c += if |s| ≥ |x| { (s - t) + x } else { (x - t) + s }
//! s = t                                  result = s + c
//! ```
//!
//! which bounds the error by `2u·|Σxᵢ| + O(n·u²)·Σ|xᵢ|`: the result is as accurate as if it were
//! computed exactly and rounded once, unless the sum cancels massively.
//!
//! Reference: A. Neumaier, "Rundungsfehleranalyse einiger Verfahren zur Summation endlicher
//! Summen", ZAMM 54 (1974) 39–51; N. J. Higham, *Accuracy and Stability of Numerical
//! Algorithms*, 2nd ed., §4.3.
//!
//! [`sum_by`] and [`pair_sums_by`] run four independent accumulators over interleaved lanes (so
//! the additions pipeline) and merge them at the end; the error bound is unchanged.
//!
//! [`sqrt_ratio`] computes a standard deviation `√(M₂/(n−1))` without rounding twice: with the
//! rounded quotient `q`, its exact remainder `e = (a − q·b)/b` and `s = √q`, one Newton step
//! `s + ((q − s²) + e)/(2s)`, both residuals computed with fused multiply-adds, lands within about
//! half an ulp — as Python's `statistics.stdev`, which rounds once from exact fractions.

/// A running compensated sum.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct NeumaierSum {
    sum: f64,
    compensation: f64,
}

impl NeumaierSum {
    /// An empty sum (zero).
    pub const fn new() -> Self {
        NeumaierSum {
            sum: 0.0,
            compensation: 0.0,
        }
    }

    /// Adds one term.
    ///
    /// Both correction candidates are computed and one is selected, rather than branching:
    /// which operand is larger is unpredictable for data of mixed signs, and a mispredicted
    /// branch costs more than the two extra subtractions.
    #[inline(always)]
    pub fn add(&mut self, x: f64) {
        let t = self.sum + x;
        let sum_larger = (self.sum - t) + x;
        let x_larger = (x - t) + self.sum;
        self.compensation += if self.sum.abs() >= x.abs() {
            sum_larger
        } else {
            x_larger
        };
        self.sum = t;
    }

    /// Adds every term of another running sum.
    pub fn merge(&mut self, other: NeumaierSum) {
        self.add(other.sum);
        self.add(other.compensation);
    }

    /// The compensated total (`±∞` once the running sum has overflowed).
    #[inline]
    pub fn value(&self) -> f64 {
        if self.sum.is_finite() {
            self.sum + self.compensation
        } else {
            self.sum
        }
    }
}

/// Compensated sum of `values`.
pub fn sum(values: &[f64]) -> f64 {
    sum_by(values, |x| x)
}

/// Compensated sum of `f(x)` over `values`.
#[inline]
pub fn sum_by(values: &[f64], f: impl Fn(f64) -> f64) -> f64 {
    let [total] = pair_sums_by(values, values, |x, _| [f(x)]);
    total
}

/// `K` compensated sums of `f(xᵢ, yᵢ)` over two series of equal length (pass the same series
/// twice for one-series terms), in one pass of four interleaved lanes.
#[inline]
pub fn pair_sums_by<const K: usize>(
    x: &[f64],
    y: &[f64],
    f: impl Fn(f64, f64) -> [f64; K],
) -> [f64; K] {
    debug_assert_eq!(x.len(), y.len());
    let mut lanes = [[NeumaierSum::new(); K]; 4];
    let (xs, ys) = (x.chunks_exact(4), y.chunks_exact(4));
    let (x_rest, y_rest) = (xs.remainder(), ys.remainder());
    for (cx, cy) in xs.zip(ys) {
        for (lane, (&a, &b)) in lanes.iter_mut().zip(cx.iter().zip(cy)) {
            for (sum, term) in lane.iter_mut().zip(f(a, b)) {
                sum.add(term);
            }
        }
    }
    let [mut total, rest @ ..] = lanes;
    for (&a, &b) in x_rest.iter().zip(y_rest) {
        for (sum, term) in total.iter_mut().zip(f(a, b)) {
            sum.add(term);
        }
    }
    for lane in rest {
        for (sum, part) in total.iter_mut().zip(lane) {
            sum.merge(part);
        }
    }
    total.map(|sum| sum.value())
}

/// `√(a/b)` for `a ≥ 0`, `b > 0`, correct to about half an ulp.
pub fn sqrt_ratio(a: f64, b: f64) -> f64 {
    let q = a / b;
    let s = q.sqrt();
    if s == 0.0 || !s.is_finite() {
        return s;
    }
    let quotient_error = (-q).mul_add(b, a) / b;
    let residual = (-s).mul_add(s, q) + quotient_error;
    s + residual / (2.0 * s)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn recovers_terms_that_naive_summation_loses() {
        // 1 + 1e100 + 1 - 1e100 is 2; naive summation gives 0.
        assert_eq!(sum(&[1.0, 1e100, 1.0, -1e100]), 2.0);
        let naive: f64 = [1.0, 1e100, 1.0, -1e100].iter().sum();
        assert_eq!(naive, 0.0);
    }

    #[test]
    fn overflow_gives_infinity_not_nan() {
        assert_eq!(sum(&[f64::MAX, f64::MAX, 1.0]), f64::INFINITY);
        assert_eq!(sum_by(&[1e200, -1e200], |x| x * x), f64::INFINITY);
    }

    #[test]
    fn sqrt_ratio_rounds_once() {
        // √(8250/9): rounding 8250/9 first and then its root gives ...915; the root of the exact
        // quotient rounds to ...918 (Python's statistics.stdev of 0, 10, …, 90).
        assert_eq!((8250.0f64 / 9.0).sqrt(), 30.276503540974915);
        assert_eq!(sqrt_ratio(8250.0, 9.0), 30.276503540974918);
        assert_eq!(sqrt_ratio(0.0, 3.0), 0.0);
        assert_eq!(sqrt_ratio(16.0, 4.0), 2.0);
    }

    #[test]
    fn lanes_and_remainder_all_count() {
        let v: Vec<f64> = (1..=11).map(f64::from).collect();
        assert_eq!(sum(&v), 66.0);
        assert_eq!(sum_by(&v, |x| x * x), 506.0);
        assert_eq!(sum(&[]), 0.0);
        let w: Vec<f64> = v.iter().map(|x| 100.0 - x).collect();
        assert_eq!(
            pair_sums_by(&v, &w, |a, b| [a * b, a - b, 1.0]),
            [6094.0, -968.0, 11.0]
        );
    }
}
