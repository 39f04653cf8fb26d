//! Compensated (Neumaier) summation.
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
    fn lanes_and_remainder_all_count() {
        let v: Vec<f64> = (1..=11).map(f64::from).collect();
        assert_eq!(sum(&v), 66.0);
        assert_eq!(sum_by(&v, |x| x * x), 506.0);
        assert_eq!(sum(&[]), 0.0);
    }
}
