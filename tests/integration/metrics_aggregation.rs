//! Property tests for streaming aggregation: exact moments against a two-pass reference,
//! merging equals recording everything, and percentiles within the HdrHistogram bound.

use framework0::metrics::Aggregator;
use proptest::prelude::*;

const PCTS: [f64; 5] = [50.0, 90.0, 95.0, 99.0, 99.9];

fn reference(xs: &[f64]) -> (f64, f64) {
    let n = xs.len() as f64;
    let mean = xs.iter().sum::<f64>() / n;
    let var = if xs.len() > 1 {
        xs.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / (n - 1.0)
    } else {
        0.0
    };
    (mean, var.sqrt())
}

fn close(a: f64, b: f64, scale: f64) -> bool {
    (a - b).abs() <= 1e-9 * scale.max(1.0)
}

fn aggregate(xs: &[f64]) -> Aggregator {
    let mut a = Aggregator::new(3);
    for (i, &x) in xs.iter().enumerate() {
        a.record(x, i as i64 * 1000);
    }
    a
}

#[test]
fn empty_aggregate_has_no_summary_and_golden_values_match_python() {
    assert!(Aggregator::new(3).summary("m", &PCTS).is_none());
    // COMPAT §5 golden: [0,10,...,90] → mean 45, sample sd 30.276503540974918.
    let xs: Vec<f64> = (0..10).map(|i| f64::from(i) * 10.0).collect();
    let s = aggregate(&xs).summary("m", &PCTS).unwrap();
    assert_eq!(s.mean, 45.0);
    assert!((s.std_dev - 30.276503540974918).abs() < 1e-12);
    assert_eq!((s.min_value, s.max_value, s.count), (0.0, 90.0, 10));
    assert_eq!(s.time_range, (0, 9000));
    assert_eq!(s.median, 40.0, "nearest rank: the 5th of 10 sorted values");
    let one = aggregate(&[7.0]).summary("m", &PCTS).unwrap();
    assert_eq!(
        (one.std_dev, one.median, one.percentiles["99.9"]),
        (0.0, 7.0, 7.0)
    );
}

proptest! {
    #[test]
    fn moments_are_exact(xs in proptest::collection::vec(0.0f64..1e9, 1..400)) {
        let s = aggregate(&xs).summary("m", &PCTS).unwrap();
        let (mean, sd) = reference(&xs);
        prop_assert_eq!(s.count, xs.len() as u64);
        prop_assert!(close(s.mean, mean, mean));
        prop_assert!((s.std_dev - sd).abs() <= 1e-7 * sd.max(1.0), "{} vs {}", s.std_dev, sd);
        prop_assert_eq!(s.min_value, xs.iter().cloned().fold(f64::INFINITY, f64::min));
        prop_assert_eq!(s.max_value, xs.iter().cloned().fold(f64::NEG_INFINITY, f64::max));
    }

    #[test]
    fn merging_equals_recording_everything(
        a in proptest::collection::vec(0u32..5_000_000, 0..300),
        b in proptest::collection::vec(0u32..5_000_000, 0..300),
    ) {
        let (a, b): (Vec<f64>, Vec<f64>) = (a.into_iter().map(f64::from).collect(), b.into_iter().map(f64::from).collect());
        let mut merged = aggregate(&a);
        merged.merge(&aggregate(&b));
        let all: Vec<f64> = a.iter().chain(&b).copied().collect();
        let whole = aggregate(&all);
        prop_assert_eq!(merged.count(), whole.count());
        match (merged.summary("m", &PCTS), whole.summary("m", &PCTS)) {
            (None, None) => {}
            (Some(m), Some(w)) => {
                prop_assert!(close(m.mean, w.mean, w.mean));
                prop_assert!((m.std_dev - w.std_dev).abs() <= 1e-6 * w.std_dev.max(1.0));
                prop_assert_eq!(m.percentiles, w.percentiles);
                prop_assert_eq!(m.median, w.median);
                prop_assert_eq!((m.min_value, m.max_value), (w.min_value, w.max_value));
            }
            (m, w) => prop_assert!(false, "one empty: {m:?} {w:?}"),
        }
    }

    #[test]
    fn percentiles_are_within_the_histogram_bound(
        xs in proptest::collection::vec(1u64..10_000_000_000, 1..500),
        digits in 1u8..=4,
    ) {
        let mut agg = Aggregator::new(digits);
        for &x in &xs { agg.record(x as f64, 0); }
        let s = agg.summary("m", &PCTS).unwrap();
        let mut sorted = xs.clone();
        sorted.sort_unstable();
        let rel = 10f64.powi(-i32::from(digits));
        for p in PCTS {
            let rank = ((p / 100.0 * xs.len() as f64).ceil() as usize).clamp(1, xs.len());
            let exact = sorted[rank - 1] as f64;
            let got = s.percentiles[&framework0::metrics::types::percentile_key(p)];
            prop_assert!((got - exact).abs() <= exact * 2.0 * rel + 1.0,
                "p{p}: got {got}, exact {exact}, digits {digits}");
            prop_assert!(got >= s.min_value && got <= s.max_value);
        }
    }
}
