//! Downsampling for drawing: Largest-Triangle-Three-Buckets (Steinarsson, *Downsampling Time
//! Series for Visual Representation*, University of Iceland, 2013, §4.2).
//!
//! LTTB keeps the first and last point and, from each of `target − 2` equal-count buckets of
//! the points between them, the point forming the largest triangle with the point kept from
//! the previous bucket and the mean of the next bucket. It picks real samples (never
//! averages), so hovering a drawn point shows a value that was measured.
//!
//! [`downsample`] adds what a chart must not lose: the global minimum and maximum and any
//! `keep` indexes (anomalies, change points), so the result may exceed `target` by those.
//! Statistics never use the result: they are computed on every sample.

/// Indexes (ascending, unique) of the points of `(x, y)` to draw: every index when
/// `x.len() ≤ target`, else LTTB's `target` picks plus the extremes and `keep`.
///
/// `x` must be non-decreasing and as long as `y`; `target` below 3 is treated as 3.
pub fn downsample(x: &[f64], y: &[f64], target: usize, keep: &[usize]) -> Vec<usize> {
    let n = x.len().min(y.len());
    if n <= target.max(3) {
        return (0..n).collect();
    }
    let mut picked = lttb(x, y, target.max(3));
    let (mut lo, mut hi) = (0, 0);
    for i in 0..n {
        if y[i] < y[lo] {
            lo = i;
        }
        if y[i] > y[hi] {
            hi = i;
        }
    }
    picked.extend([lo, hi]);
    picked.extend(keep.iter().copied().filter(|&i| i < n));
    picked.sort_unstable();
    picked.dedup();
    picked
}

/// Plain LTTB of `n > target ≥ 3` points: exactly `target` indexes, ascending.
fn lttb(x: &[f64], y: &[f64], target: usize) -> Vec<usize> {
    let n = x.len().min(y.len());
    let mut out = Vec::with_capacity(target + 2);
    out.push(0);
    let every = (n - 2) as f64 / (target - 2) as f64;
    let mut a = 0usize;
    for bucket in 0..target - 2 {
        let start = (bucket as f64 * every) as usize + 1;
        let end = (((bucket + 1) as f64 * every) as usize + 1).min(n - 1);
        // The next bucket's mean (the last point for the last bucket).
        let next_start = end;
        let next_end = (((bucket + 2) as f64 * every) as usize + 1).min(n);
        let span = (next_end - next_start).max(1) as f64;
        let (mut mx, mut my) = (0.0, 0.0);
        for i in next_start..next_end.max(next_start + 1).min(n) {
            mx += x[i];
            my += y[i];
        }
        let (mx, my) = (mx / span, my / span);
        let (ax, ay) = (x[a], y[a]);
        let mut best = start;
        let mut best_area = -1.0;
        for i in start..end.max(start + 1) {
            let area = ((ax - mx) * (y[i] - ay) - (ax - x[i]) * (my - ay)).abs();
            if area > best_area {
                best_area = area;
                best = i;
            }
        }
        out.push(best);
        a = best;
    }
    out.push(n - 1);
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn xs(n: usize) -> Vec<f64> {
        (0..n).map(|i| i as f64).collect()
    }

    #[test]
    fn short_series_are_kept_whole() {
        assert_eq!(downsample(&xs(5), &[1.0; 5], 10, &[]), vec![0, 1, 2, 3, 4]);
        assert!(downsample(&[], &[], 10, &[]).is_empty());
    }

    #[test]
    fn a_lone_spike_survives_a_hundredfold_reduction() {
        let mut y = vec![1.0; 100_000];
        y[77_777] = 1e6;
        y[12_345] = -5.0;
        let picked = downsample(&xs(y.len()), &y, 1000, &[50_000]);
        assert!(picked.contains(&77_777) && picked.contains(&12_345));
        assert!(picked.contains(&50_000), "kept index survives");
        assert!(picked.len() <= 1003, "{}", picked.len());
    }

    #[test]
    fn lttb_follows_the_shape_of_a_sine() {
        let x = xs(10_000);
        let y: Vec<f64> = x.iter().map(|v| (v / 500.0).sin()).collect();
        let picked = lttb(&x, &y, 200);
        assert_eq!(picked.len(), 200);
        // Each of the six peaks and troughs (x = 500·(π/2 + kπ)) has a pick within 60 samples
        // that is within 1 % of ±1.
        for k in 0..6 {
            let at = 500.0 * (std::f64::consts::FRAC_PI_2 + k as f64 * std::f64::consts::PI);
            let hit = picked
                .iter()
                .any(|&i| (x[i] - at).abs() <= 60.0 && y[i].abs() > 0.99);
            assert!(hit, "peak {k} at {at} lost");
        }
    }

    proptest! {
        #[test]
        fn picks_are_sorted_unique_in_range_and_keep_ends_and_extremes(
            y in prop::collection::vec(-1e6f64..1e6, 0..600),
            target in 0usize..80,
            keep in prop::collection::vec(0usize..700, 0..5),
        ) {
            let x = xs(y.len());
            let p = downsample(&x, &y, target, &keep);
            prop_assert!(p.windows(2).all(|w| w[0] < w[1]));
            prop_assert!(p.iter().all(|&i| i < y.len()));
            if !y.is_empty() {
                prop_assert_eq!(p[0], 0);
                prop_assert_eq!(*p.last().unwrap(), y.len() - 1);
                let min = y.iter().cloned().fold(f64::INFINITY, f64::min);
                let max = y.iter().cloned().fold(f64::NEG_INFINITY, f64::max);
                prop_assert!(p.iter().any(|&i| y[i] == min));
                prop_assert!(p.iter().any(|&i| y[i] == max));
                for k in keep.iter().filter(|&&k| k < y.len()) {
                    prop_assert!(p.contains(k));
                }
                let budget = target.max(3) + 2 + keep.len();
                prop_assert!(p.len() <= budget.max(y.len().min(target.max(3))));
            }
        }
    }
}
