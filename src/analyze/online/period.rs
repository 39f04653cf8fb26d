//! Period detection: the autocorrelation function of a bounded buffer of recent points,
//! computed through the FFT (Wiener–Khinchin: the ACF is the inverse transform of the power
//! spectrum; zero padding to ≥ 2n makes it the linear, not circular, correlation), and the
//! first prominent ACF peak taken as the period — the approach of Vlachos, Yu & Castelli
//! 2005, *On periodicity detection and structural periodic similarity* (SDM), which
//! validates periodogram candidates on the ACF, simplified to the ACF alone.
//!
//! A lag k is a period candidate when r(k) is a local maximum, r(k) ≥ 0.3 and r(k) rises at
//! least 0.2 above the lowest r between 0 and k (a trend or random walk has a high but
//! monotonically falling ACF and no such peak). Among the candidates with r(k) within 0.1
//! of the best, the shortest lag wins (multiples of the period correlate almost as well).
//! O(n log n) per detection on a buffer of n points.

/// Smallest period considered.
pub const MIN_PERIOD: usize = 4;
/// A peak must reach this autocorrelation.
const MIN_PEAK: f64 = 0.3;
/// A peak must rise this much above the lowest autocorrelation at shorter lags.
const MIN_PROMINENCE: f64 = 0.2;
/// Candidates this close to the best peak count as equally good.
const TIE: f64 = 0.1;

/// In-place iterative radix-2 FFT of `(re, im)` (length a power of two); `inverse` uses
/// the conjugate twiddles and divides by n.
fn fft(re: &mut [f64], im: &mut [f64], inverse: bool) {
    let n = re.len();
    debug_assert!(n.is_power_of_two() && im.len() == n);
    let mut j = 0;
    for i in 1..n {
        let mut bit = n >> 1;
        while j & bit != 0 {
            j ^= bit;
            bit >>= 1;
        }
        j |= bit;
        if i < j {
            re.swap(i, j);
            im.swap(i, j);
        }
    }
    let sign = if inverse { 1.0 } else { -1.0 };
    let mut len = 2;
    while len <= n {
        let angle = sign * 2.0 * std::f64::consts::PI / len as f64;
        for start in (0..n).step_by(len) {
            for k in 0..len / 2 {
                let (s, c) = (angle * k as f64).sin_cos();
                let (a, b) = (start + k, start + k + len / 2);
                let (tr, ti) = (re[b] * c - im[b] * s, re[b] * s + im[b] * c);
                re[b] = re[a] - tr;
                im[b] = im[a] - ti;
                re[a] += tr;
                im[a] += ti;
            }
        }
        len <<= 1;
    }
    if inverse {
        let scale = 1.0 / n as f64;
        re.iter_mut().for_each(|x| *x *= scale);
        im.iter_mut().for_each(|x| *x *= scale);
    }
}

/// The autocorrelation r(0..=max_lag) of `xs` (mean removed, r(0) = 1); all zeros for a
/// constant series.
pub fn autocorrelation(xs: &[f64], max_lag: usize) -> Vec<f64> {
    let n = xs.len();
    let max_lag = max_lag.min(n.saturating_sub(1));
    if n == 0 {
        return Vec::new();
    }
    let mean = xs.iter().sum::<f64>() / n as f64;
    let size = (2 * n).next_power_of_two();
    let mut re: Vec<f64> = xs.iter().map(|x| x - mean).collect();
    re.resize(size, 0.0);
    let mut im = vec![0.0; size];
    fft(&mut re, &mut im, false);
    for (r, i) in re.iter_mut().zip(im.iter_mut()) {
        *r = *r * *r + *i * *i;
        *i = 0.0;
    }
    fft(&mut re, &mut im, true);
    let r0 = re[0];
    if r0.is_nan() || r0 <= 0.0 {
        return vec![0.0; max_lag + 1];
    }
    (0..=max_lag).map(|k| re[k] / r0).collect()
}

/// The dominant period of `xs` between [`MIN_PERIOD`] and `max_period`, if any (see the
/// module docs).
pub fn detect_period(xs: &[f64], max_period: usize) -> Option<usize> {
    let r = autocorrelation(xs, max_period + 1);
    if r.len() < MIN_PERIOD + 2 {
        return None;
    }
    let mut lowest = f64::INFINITY;
    let mut candidates = Vec::new();
    for k in 1..r.len() - 1 {
        lowest = lowest.min(r[k]);
        let peak = r[k] >= r[k - 1] && r[k] >= r[k + 1];
        if k >= MIN_PERIOD && peak && r[k] >= MIN_PEAK && r[k] - lowest >= MIN_PROMINENCE {
            candidates.push((k, r[k]));
        }
    }
    let best = candidates
        .iter()
        .map(|c| c.1)
        .fold(f64::NEG_INFINITY, f64::max);
    candidates
        .into_iter()
        .find(|&(_, rk)| rk >= best - TIE)
        .map(|(k, _)| k)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analyze::rng::Xoshiro256;

    #[test]
    fn fft_acf_matches_the_direct_sum() {
        let xs: Vec<f64> = (0..37).map(|i| ((i * 7) % 11) as f64).collect();
        let r = autocorrelation(&xs, 10);
        let m = xs.iter().sum::<f64>() / 37.0;
        let c = |k: usize| {
            (0..37 - k)
                .map(|i| (xs[i] - m) * (xs[i + k] - m))
                .sum::<f64>()
        };
        for (k, rk) in r.iter().enumerate() {
            assert!((rk - c(k) / c(0)).abs() < 1e-9, "lag {k}");
        }
    }

    #[test]
    fn finds_a_daily_period_in_noise_and_none_in_noise_or_trend() {
        let mut rng = Xoshiro256::seed_from_u64(11);
        let day: Vec<f64> = (0..2000)
            .map(|i| {
                let phase = (i % 96) as f64 / 96.0 * std::f64::consts::TAU;
                10.0 * phase.sin() + rng.standard_normal()
            })
            .collect();
        assert_eq!(detect_period(&day, 700), Some(96));
        let noise: Vec<f64> = (0..2000).map(|_| rng.standard_normal()).collect();
        assert_eq!(detect_period(&noise, 700), None);
        let mut walk = 0.0;
        let trend: Vec<f64> = (0..2000)
            .map(|_| {
                walk += rng.standard_normal();
                walk
            })
            .collect();
        assert_eq!(detect_period(&trend, 700), None);
    }
}
