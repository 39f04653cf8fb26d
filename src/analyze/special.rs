//! Special functions behind the p-values and intervals: log-gamma, the regularized incomplete
//! beta function, Student's t and the normal distribution (CDF, survival, quantile), erf/erfc.
//!
//! * `ln Γ(x)`: Stirling's series with Bernoulli terms up to x⁻¹⁵ for x ≥ 10, shifted there by
//!   the recurrence Γ(x+1) = xΓ(x) below (absolute error ≈ 1e-15).
//! * `I_x(a, b)`: the continued fraction of Numerical Recipes §6.4 evaluated with the modified
//!   Lentz algorithm, on the side of the symmetry I_x(a,b) = 1 − I_{1−x}(b,a) where it converges
//!   fast. The prefactor x^a (1−x)^b / (a B(a,b)) takes `1 − x` as a separate argument so tails
//!   keep full relative precision.
//! * Student t with ν degrees of freedom: P(|T| > t) = I_{ν/(ν+t²)}(ν/2, 1/2).
//! * erfc(x) = Q(1/2, x²) (regularized upper incomplete gamma; Abramowitz & Stegun 7.1.2 and
//!   6.5.17): the series of P(1/2, x²) for x² < 1.5, else the Legendre continued fraction of
//!   Q; e^{-x²} is evaluated with x² split exactly into hi + lo, giving ~1e-15 relative accuracy.
//! * Quantiles: the normal one starts from Abramowitz & Stegun 26.2.23 and polishes with Halley
//!   steps on Φ; the t one runs safeguarded Newton (bisection fallback) on the t CDF.
//!
//! Measured against SciPy (tests/hypothesis_special.rs): erf/erfc within 2e-15 relative; t
//! p-values and quantiles within 1e-14 for ν ≤ 100, 1e-13 at ν = 1000 and 5e-12 at ν = 1e5
//! (the continued fraction is ill-conditioned near x ≈ a/(a+b) when a = ν/2 is huge).
//!
//! References: Press et al., *Numerical Recipes* (3rd ed.) §6.1–6.4, §6.14;
//! Abramowitz & Stegun, *Handbook of Mathematical Functions* ch. 6, 7, 26.

use std::f64::consts::PI;

const EPS: f64 = 1e-16;
const TINY: f64 = 1e-300;
const MAX_ITER: usize = 100_000;

/// Stirling's series ln Γ(x) for x ≥ 10.
fn ln_gamma_stirling(x: f64) -> f64 {
    (x - 0.5) * x.ln() - x + 0.5 * (2.0 * PI).ln() + stirling_tail(x)
}

/// Σ B₂ₖ / (2k(2k−1) x^{2k−1}) for k = 1..8.
fn stirling_tail(x: f64) -> f64 {
    const C: [f64; 8] = [
        1.0 / 12.0,
        -1.0 / 360.0,
        1.0 / 1260.0,
        -1.0 / 1680.0,
        1.0 / 1188.0,
        -691.0 / 360_360.0,
        1.0 / 156.0,
        -3617.0 / 122_400.0,
    ];
    let x2 = 1.0 / (x * x);
    C.iter().rev().fold(0.0, |acc, c| acc * x2 + c) / x
}

/// Natural log of the gamma function for x > 0 (NaN otherwise).
pub fn ln_gamma(x: f64) -> f64 {
    if x.is_nan() || x <= 0.0 {
        return f64::NAN;
    }
    if x >= 10.0 {
        return ln_gamma_stirling(x);
    }
    let (mut shifted, mut prod) = (x, 1.0);
    while shifted < 10.0 {
        prod *= shifted;
        shifted += 1.0;
    }
    ln_gamma_stirling(shifted) - prod.ln()
}

/// ln Γ(a) − ln Γ(a+b) without the cancellation of subtracting two large logs (a, b > 0).
fn ln_gamma_ratio(a: f64, b: f64) -> f64 {
    if a < 10.0 {
        return ln_gamma(a) - ln_gamma(a + b);
    }
    // (a−½)ln a − a − [(a+b−½)ln(a+b) − (a+b)] rearranged around ln(1 + b/a).
    -(a - 0.5) * (b / a).ln_1p() - b * (a + b).ln() + b + stirling_tail(a) - stirling_tail(a + b)
}

/// ln B(a, b) = ln Γ(a) + ln Γ(b) − ln Γ(a+b).
pub fn ln_beta(a: f64, b: f64) -> f64 {
    let (big, small) = if a >= b { (a, b) } else { (b, a) };
    ln_gamma(small) + ln_gamma_ratio(big, small)
}

/// Continued fraction of I_x(a,b) (Numerical Recipes `betacf`), modified Lentz; y = 1 − x.
fn beta_cf(a: f64, b: f64, x: f64, y: f64) -> f64 {
    let (qab, qap, qam) = (a + b, a + 1.0, a - 1.0);
    let guard = |v: f64| if v.abs() < TINY { TINY } else { v };
    let mut c = 1.0;
    // 1 − (a+b)x/(a+1) rewritten as (1 − b + (a+b)y)/(a+1): no cancellation when x ≈ 1.
    let mut d = 1.0 / guard((1.0 - b + qab * y) / qap);
    let mut h = d;
    for m in 1..MAX_ITER {
        let m = m as f64;
        let m2 = 2.0 * m;
        let aa = m * (b - m) * x / ((qam + m2) * (a + m2));
        d = 1.0 / guard(1.0 + aa * d);
        c = guard(1.0 + aa / c);
        h *= d * c;
        let aa = -(a + m) * (qab + m) * x / ((a + m2) * (qap + m2));
        d = 1.0 / guard(1.0 + aa * d);
        c = guard(1.0 + aa / c);
        let del = d * c;
        h *= del;
        if (del - 1.0).abs() < EPS {
            break;
        }
    }
    h
}

/// ln of x^a (1−x)^b / B(a,b), with y = 1 − x given separately.
fn beta_prefactor_ln(a: f64, b: f64, x: f64, y: f64) -> f64 {
    let ln_x = if x > 0.5 { (-y).ln_1p() } else { x.ln() };
    let ln_y = if y > 0.5 { (-x).ln_1p() } else { y.ln() };
    a * ln_x + b * ln_y - ln_beta(a, b)
}

/// Regularized incomplete beta I_x(a, b) with y = 1 − x passed in (for precision near x = 1).
/// Returns NaN for a, b ≤ 0 or x outside [0, 1].
pub fn beta_inc_complement(a: f64, b: f64, x: f64, y: f64) -> f64 {
    if !(a > 0.0 && b > 0.0 && (0.0..=1.0).contains(&x) && (0.0..=1.0).contains(&y)) {
        return f64::NAN;
    }
    if x == 0.0 {
        return 0.0;
    }
    if y == 0.0 {
        return 1.0;
    }
    let front = beta_prefactor_ln(a, b, x, y).exp();
    if x < (a + 1.0) / (a + b + 2.0) {
        front * beta_cf(a, b, x, y) / a
    } else {
        1.0 - front * beta_cf(b, a, y, x) / b
    }
}

/// Regularized incomplete beta I_x(a, b) = B(x; a, b) / B(a, b).
pub fn beta_inc(a: f64, b: f64, x: f64) -> f64 {
    beta_inc_complement(a, b, x, 1.0 - x)
}

/// Two-sided Student t p-value P(|T_ν| ≥ |t|). NaN for NaN input or ν ≤ 0; 0 for infinite t.
pub fn student_t_two_sided_p(t: f64, df: f64) -> f64 {
    if t.is_nan() || df.is_nan() || df <= 0.0 {
        return f64::NAN;
    }
    if t.is_infinite() {
        return 0.0;
    }
    if df.is_infinite() {
        return erfc(t.abs() * std::f64::consts::FRAC_1_SQRT_2);
    }
    let t2 = t * t;
    let a = 0.5 * df;
    if !t2.is_finite() {
        // |t| > ~1e154: x = ν/(ν+t²) < 1e-300, where I_x(a, ½) = x^a / (a B(a, ½)) to double
        // precision; ln x = ln ν − 2 ln|t| avoids forming t².
        let ln_x = df.ln() - 2.0 * t.abs().ln();
        return (a * ln_x - a.ln() - ln_beta(a, 0.5)).exp();
    }
    let denom = df + t2;
    beta_inc_complement(a, 0.5, df / denom, t2 / denom).clamp(0.0, 1.0)
}

/// Survival function P(T_ν > t).
pub fn student_t_sf(t: f64, df: f64) -> f64 {
    let half = 0.5 * student_t_two_sided_p(t, df);
    if t >= 0.0 {
        half
    } else {
        1.0 - half
    }
}

/// Cumulative distribution P(T_ν ≤ t).
pub fn student_t_cdf(t: f64, df: f64) -> f64 {
    student_t_sf(-t, df)
}

/// Density of Student's t.
pub fn student_t_pdf(t: f64, df: f64) -> f64 {
    if df.is_infinite() {
        return (-0.5 * t * t).exp() / (2.0 * PI).sqrt();
    }
    let ln = -ln_gamma_ratio(0.5 * df, 0.5)
        - 0.5 * (df * PI).ln()
        - 0.5 * (df + 1.0) * (t * t / df).ln_1p();
    ln.exp()
}

/// Quantile (inverse CDF) of Student's t: the t with P(T_ν ≤ t) = p. NaN outside 0 < p < 1.
pub fn student_t_quantile(p: f64, df: f64) -> f64 {
    if !(p > 0.0 && p < 1.0) || df.is_nan() || df <= 0.0 {
        return f64::NAN;
    }
    if df.is_infinite() {
        return normal_quantile(p);
    }
    if p == 0.5 {
        return 0.0;
    }
    // Solve in the lower tail (more precision); mirror for p > 0.5.
    let (target, sign) = if p < 0.5 { (p, -1.0) } else { (1.0 - p, 1.0) };
    let z = normal_quantile(target);
    // Cornish–Fisher start, then bracket [lo, hi] with cdf(lo) ≤ target ≤ cdf(hi).
    let mut t = (z + (z * z * z + z) / (4.0 * df)).min(-1e-3);
    let mut hi = 0.0;
    let mut lo = t;
    while student_t_cdf(lo, df) > target {
        hi = lo;
        lo *= 2.0;
    }
    for _ in 0..200 {
        let f = student_t_cdf(t, df) - target;
        if f > 0.0 {
            hi = t;
        } else {
            lo = t;
        }
        let step = f / student_t_pdf(t, df);
        let mut next = t - step;
        if !(next > lo && next < hi && next.is_finite()) {
            next = 0.5 * (lo + hi);
        }
        if (next - t).abs() <= 1e-15 * t.abs() || hi - lo <= 1e-15 * lo.abs() {
            t = next;
            break;
        }
        t = next;
    }
    sign * t.abs()
}

/// e^{-x²} with x² split exactly into hi + lo.
fn exp_neg_sq(x: f64) -> f64 {
    let hi = x * x;
    let lo = x.mul_add(x, -hi);
    (-hi).exp() * (-lo).exp()
}

/// erf(|x|) for x² < 1.5 from the series of P(1/2, x²).
fn erf_series(ax: f64) -> f64 {
    let z = ax * ax;
    let (mut ap, mut del) = (0.5, 2.0);
    let mut sum = del;
    for _ in 0..MAX_ITER {
        ap += 1.0;
        del *= z / ap;
        sum += del;
        if del.abs() < sum.abs() * EPS {
            break;
        }
    }
    // P(a,z) = e^{-z} z^a / Γ(a+1) Σ; with a = ½: Γ(3/2) = √π/2, z^a = |x|, and sum holds 1/a·…
    exp_neg_sq(ax) * ax * sum / PI.sqrt()
}

/// erfc(|x|) for x² ≥ 1.5 from the continued fraction of Q(1/2, x²) (modified Lentz).
fn erfc_cf(ax: f64) -> f64 {
    let z = ax * ax;
    let a = 0.5;
    let guard = |v: f64| if v.abs() < TINY { TINY } else { v };
    let mut b = z + 1.0 - a;
    let mut c = 1.0 / TINY;
    let mut d = 1.0 / b;
    let mut h = d;
    for i in 1..MAX_ITER {
        let i = i as f64;
        let an = -i * (i - a);
        b += 2.0;
        d = 1.0 / guard(an * d + b);
        c = guard(b + an / c);
        let del = d * c;
        h *= del;
        if (del - 1.0).abs() < EPS {
            break;
        }
    }
    exp_neg_sq(ax) * ax * h / PI.sqrt()
}

/// Complementary error function erfc(x) = 1 − erf(x).
pub fn erfc(x: f64) -> f64 {
    if x.is_nan() {
        return f64::NAN;
    }
    let ax = x.abs();
    let upper = if ax * ax < 1.5 {
        1.0 - erf_series(ax)
    } else if ax > 27.5 {
        0.0
    } else {
        erfc_cf(ax)
    };
    if x >= 0.0 {
        upper
    } else {
        2.0 - upper
    }
}

/// Error function erf(x).
pub fn erf(x: f64) -> f64 {
    if x.is_nan() {
        return f64::NAN;
    }
    let ax = x.abs();
    let v = if ax * ax < 1.5 {
        erf_series(ax)
    } else {
        1.0 - erfc(ax)
    };
    v.copysign(x)
}

/// Standard normal CDF Φ(x).
pub fn normal_cdf(x: f64) -> f64 {
    0.5 * erfc(-x * std::f64::consts::FRAC_1_SQRT_2)
}

/// Standard normal survival function 1 − Φ(x), accurate in the upper tail.
pub fn normal_sf(x: f64) -> f64 {
    0.5 * erfc(x * std::f64::consts::FRAC_1_SQRT_2)
}

/// Standard normal quantile Φ⁻¹(p). NaN outside 0 < p < 1.
pub fn normal_quantile(p: f64) -> f64 {
    if !(p > 0.0 && p < 1.0) {
        return f64::NAN;
    }
    if p == 0.5 {
        return 0.0;
    }
    let (q, sign) = if p < 0.5 { (p, -1.0) } else { (1.0 - p, 1.0) };
    // Abramowitz & Stegun 26.2.23 (|error| < 4.5e-4) for the upper-tail deviate of q.
    let t = (-2.0 * q.ln()).sqrt();
    let num = 2.515517 + t * (0.802853 + t * 0.010328);
    let den = 1.0 + t * (1.432788 + t * (0.189269 + t * 0.001308));
    let mut x = -(t - num / den);
    // Halley steps on Φ(x) − q (x < 0 here).
    for _ in 0..4 {
        let e = normal_cdf(x) - q;
        let u = e * (2.0 * PI).sqrt() * (0.5 * x * x).exp();
        let next = x - u / (1.0 + 0.5 * x * u);
        if !next.is_finite() {
            break;
        }
        let done = (next - x).abs() <= 1e-16 * x.abs();
        x = next;
        if done {
            break;
        }
    }
    sign * x.abs()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ln_gamma_matches_factorials() {
        let mut fact = 1.0f64;
        for n in 1..30 {
            let lg = ln_gamma(n as f64 + 1.0);
            fact *= n as f64;
            assert!(
                (lg - fact.ln()).abs() < 1e-13 * fact.ln().max(1.0),
                "n = {n}"
            );
        }
        assert!((ln_gamma(0.5) - PI.sqrt().ln()).abs() < 3e-15);
    }

    #[test]
    fn beta_inc_closed_forms() {
        // I_x(1, 1) = x, I_x(a, 1) = x^a.
        for &x in &[0.0, 0.1, 0.5, 0.93, 1.0] {
            assert!((beta_inc(1.0, 1.0, x) - x).abs() < 1e-15);
            assert!((beta_inc(3.0, 1.0, x) - x.powi(3)).abs() < 1e-15);
        }
        assert!(beta_inc(-1.0, 1.0, 0.5).is_nan());
    }

    #[test]
    fn huge_t_keeps_the_cauchy_tail() {
        // ν = 1: P(|T| ≥ t) = 1 − (2/π) atan t ≈ 2/(π t) for large t, even past t² = ∞.
        for &t in &[1e10, 1e160, 1e300] {
            let want = 2.0 / (PI * t);
            let got = student_t_two_sided_p(t, 1.0);
            assert!(
                (got - want).abs() <= 1e-9 * want,
                "t {t}: {got:e} vs {want:e}"
            );
        }
        assert_eq!(student_t_two_sided_p(-1e200, 30.0), 0.0);
    }

    #[test]
    fn cauchy_quantile_is_tangent() {
        // ν = 1 is the Cauchy distribution: F⁻¹(p) = tan(π(p − ½)).
        for &p in &[0.001, 0.05, 0.3, 0.75, 0.999] {
            let want = (PI * (p - 0.5)).tan();
            let got = student_t_quantile(p, 1.0);
            assert!(
                (got - want).abs() < 1e-9 * want.abs().max(1.0),
                "p {p}: {got} vs {want}"
            );
        }
    }
}
