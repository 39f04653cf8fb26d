//! Properties of the online detectors over arbitrary finite streams: every score and tail
//! probability stays in [0, 1], events are ordered, disjoint and respect the suppression
//! window, and the `YYYY-MM-DD HH:MM:SS` timestamp form names the same instant as RFC 3339
//! with `Z`.

use framework0::analyze::online::{
    DetectorKind, DetectorSet, EventParams, EventReport, OnlineOptions, OnlineParams, OnlineRunner,
    Point,
};
use framework0::store::timestamp::parse_timestamp;
use proptest::prelude::*;

/// Finite values of every magnitude, with runs of repeats (flat stretches, ties).
fn stream() -> impl Strategy<Value = Vec<f64>> {
    let value = prop_oneof![
        4 => -1e3f64..1e3,
        1 => prop::num::f64::NORMAL,
        1 => Just(0.0),
        1 => Just(f64::MAX),
        1 => Just(-f64::MAX),
        1 => Just(f64::MIN_POSITIVE),
    ];
    prop::collection::vec((value, 1usize..20), 1..60).prop_map(|runs| {
        runs.into_iter()
            .flat_map(|(v, n)| std::iter::repeat(v).take(n))
            .collect()
    })
}

/// Small windows so that every model leaves its warm-up within a short stream.
fn small_params() -> OnlineParams {
    let mut p = OnlineParams {
        window: 8,
        calibration_memory: 40,
        calibration_warmup: 20,
        ..OnlineParams::default()
    };
    p.knn.reference = 40;
    p.knn.dim = 3;
    p.seasonal.buffer = 64;
    p.seasonal.error_window = 16;
    p
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

    #[test]
    fn scores_and_probabilities_stay_in_the_unit_interval(xs in stream()) {
        for kind in DetectorKind::ALL {
            let mut set = DetectorSet::new(&[kind], &small_params()).unwrap();
            let before = set.state_bytes();
            for &x in &xs {
                let s = set.update(x).unwrap();
                prop_assert!((0.0..=1.0).contains(&s.score), "{kind:?}: score {}", s.score);
                prop_assert!(
                    (0.0..=1.0).contains(&s.tail_probability),
                    "{kind:?}: p {}", s.tail_probability
                );
            }
            // Bounded state: the windows were sized at construction and never outgrow it.
            // (The seasonal profile is allocated once a period is found: at most a third of
            // the 64-point buffer.)
            prop_assert!(set.state_bytes() <= before + 8 * 64 / 3 + 8, "{kind:?}");
        }
    }

    #[test]
    fn events_are_ordered_disjoint_and_suppressed(
        xs in stream(),
        threshold in 0.05f64..1.0,
        gap in 0usize..5,
        suppression in 0usize..30,
    ) {
        let options = OnlineOptions {
            detectors: DetectorKind::ALL.to_vec(),
            events: EventParams { threshold, gap, suppression },
            params: small_params(),
        };
        let mut r = OnlineRunner::new(&options).unwrap();
        let mut events = Vec::new();
        for &value in &xs {
            events.extend(r.push(Point { ts_ns: Some(1), value }).unwrap());
        }
        events.extend(r.finish());
        let mut last_end: Option<u64> = None;
        for e in &events {
            prop_assert!(e.start.index <= e.peak.index && e.peak.index <= e.end.index);
            prop_assert!(e.start.score >= threshold && e.peak.score >= e.start.score);
            prop_assert!(e.flagged >= 1 && e.flagged <= e.end.index - e.start.index + 1);
            if let Some(end) = last_end {
                prop_assert!(e.start.index > end + suppression as u64, "{end} then {:?}", e.start);
            }
            last_end = Some(e.end.index);
            let json = serde_json::to_string(&EventReport::from(e)).unwrap();
            prop_assert!(!json.contains("NaN") && !json.contains("inf"), "{json}");
        }
    }

    #[test]
    fn sql_timestamps_are_utc(
        y in 1678i64..2262, mo in 1u32..=12, d in 1u32..=28,
        h in 0u32..24, mi in 0u32..60, s in 0u32..60,
    ) {
        let date = format!("{y:04}-{mo:02}-{d:02}");
        let time = format!("{h:02}:{mi:02}:{s:02}");
        prop_assert_eq!(
            parse_timestamp(&format!("{date} {time}")),
            parse_timestamp(&format!("{date}T{time}Z"))
        );
    }
}
