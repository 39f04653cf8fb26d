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
//! [`sum_by`] runs four independent accumulators over interleaved lanes (so the additions
//! pipeline) and merges them at the end; the error bound is unchanged.
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
    #[inline(always)]
    pub fn add(&mut self, x: f64) {
        let t = self.sum + x;
        self.compensation += if self.sum.abs() >= x.abs() {
            (self.sum - t) + x
        } else {
            (x - t) + self.sum
        };
        self.sum = t;
    }

    /// Adds every term of another running sum.
    pub fn merge(&mut self, other: NeumaierSum) {
        self.add(other.sum);
        self.add(other.compensation);
    }

    /// The compensated total.
    #[inline]
    pub fn value(&self) -> f64 {
        self.sum + self.compensation
    }
}

/// Compensated sum of `values`.
pub fn sum(values: &[f64]) -> f64 {
    sum_by(values, |x| x)
}

/// Compensated sum of `f(x)` over `values`.
#[inline]
pub fn sum_by(values: &[f64], f: impl Fn(f64) -> f64) -> f64 {
    let mut lanes = [NeumaierSum::new(); 4];
    let chunks = values.chunks_exact(4);
    let rest = chunks.remainder();
    for chunk in chunks {
        for (lane, &x) in lanes.iter_mut().zip(chunk) {
            lane.add(f(x));
        }
    }
    let [mut total, b, c, d] = lanes;
    for &x in rest {
        total.add(f(x));
    }
    total.merge(b);
    total.merge(c);
    total.merge(d);
    total.value()
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
    }
}
