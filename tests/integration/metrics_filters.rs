//! Property tests for recording-path filters: value ranges, sampling rates and rate limits.

use framework0::metrics::filter_runtime::SiteFilter;
use framework0::metrics::{MetricFilter, Tags};
use proptest::prelude::*;

fn compile(f: MetricFilter) -> SiteFilter {
    SiteFilter::compile(&[f], "m", &Tags::new()).expect("filter applies to `m`")
}

proptest! {
    #[test]
    fn value_range_keeps_exactly_the_values_inside(
        lo in -1e6f64..1e6, width in 0.0f64..1e6,
        xs in proptest::collection::vec(-3e6f64..3e6, 1..200),
    ) {
        let hi = lo + width;
        let f = compile(MetricFilter { value_range: Some((lo, hi)), ..MetricFilter::new("m") });
        let kept = xs.iter().filter(|&&x| f.admit(x, 0)).count();
        let inside = xs.iter().filter(|&&x| x >= lo && x <= hi).count();
        prop_assert_eq!(kept, inside);
        prop_assert_eq!(f.counts().out_of_range as usize, xs.len() - inside);
    }

    #[test]
    fn rate_limit_keeps_at_most_limit_per_second(
        limit in 1u64..50,
        per_sec in proptest::collection::vec(0u64..120, 1..6),
    ) {
        let f = compile(MetricFilter { rate_limit: Some(limit), ..MetricFilter::new("m") });
        let mut expected = 0;
        for (sec, &n) in per_sec.iter().enumerate() {
            let kept = (0..n).filter(|_| f.admit(1.0, sec as u64)).count() as u64;
            prop_assert_eq!(kept, n.min(limit));
            expected += n - n.min(limit);
        }
        prop_assert_eq!(f.counts().rate_limited, expected);
    }

    #[test]
    fn sampling_keeps_about_the_rate_and_counts_the_rest(rate in 0.05f64..0.95) {
        let f = compile(MetricFilter { sample_rate: rate, ..MetricFilter::new("m") });
        let n = 20_000u64;
        let kept = (0..n).filter(|_| f.admit(1.0, 0)).count() as u64;
        let sd = (n as f64 * rate * (1.0 - rate)).sqrt();
        prop_assert!((kept as f64 - n as f64 * rate).abs() < 6.0 * sd, "kept {kept} of {n} at {rate}");
        prop_assert_eq!(kept + f.counts().sampled_out, n);
    }

    #[test]
    fn name_globs_select_the_series(suffix in "[a-z]{1,8}") {
        let f = MetricFilter::new("db_*");
        let db_name = format!("db_{suffix}");
        let http_name = format!("http_{suffix}");
        prop_assert!(f.applies_to(&db_name));
        prop_assert!(!f.applies_to(&http_name));
        prop_assert!(MetricFilter::new(&db_name).applies_to(&db_name));
    }
}

#[test]
fn combined_sample_rates_multiply() {
    let a = MetricFilter {
        sample_rate: 0.5,
        ..MetricFilter::new("*")
    };
    let b = MetricFilter {
        sample_rate: 0.5,
        ..MetricFilter::new("m")
    };
    let f = SiteFilter::compile(&[a, b], "m", &Tags::new()).unwrap();
    let n = 40_000u64;
    let kept = (0..n).filter(|_| f.admit(1.0, 0)).count() as f64;
    // Expect 0.25 · n = 10 000 with sd ≈ 86.6.
    assert!((kept - 10_000.0).abs() < 600.0, "kept {kept}");
}
