//! Online detectors on planted anomalies: each detects within a stated delay, and none raises
//! an alarm on noise-only series of 10,000 points at the default threshold. Delays are counted
//! from the anomaly's first point to the start of the first event at or after it.

use framework0::analyze::online::{
    DetectorKind, OnlineOptions, OnlineRunner, Point, DEFAULT_DETECTORS, DEFAULT_THRESHOLD,
};
use framework0::analyze::rng::Xoshiro256;

const N: usize = 6000;
const ONSET: usize = 4000;
const DAY: usize = 288;
const SIGMA: f64 = 10.0;

/// Event (start, end) indices of `xs` under the default options for `kinds`.
fn events(kinds: &[DetectorKind], xs: &[f64]) -> Vec<(usize, usize)> {
    let options = OnlineOptions {
        detectors: kinds.to_vec(),
        ..OnlineOptions::default()
    };
    let mut r = OnlineRunner::new(&options).unwrap();
    let mut out = Vec::new();
    for &value in xs {
        if let Some(e) = r.push(Point { ts_ns: None, value }).unwrap() {
            out.push((e.start.index as usize, e.end.index as usize));
        }
    }
    out.extend(
        r.finish()
            .map(|e| (e.start.index as usize, e.end.index as usize)),
    );
    out
}

/// Delay of the first event at or after the onset; panics on an alarm before it.
fn delay(kinds: &[DetectorKind], xs: &[f64], what: &str) -> Option<usize> {
    let e = events(kinds, xs);
    let early: Vec<_> = e.iter().filter(|e| e.0 < ONSET).collect();
    assert!(
        early.is_empty(),
        "{kinds:?} {what}: alarms before the anomaly {early:?}"
    );
    e.iter().find(|e| e.0 >= ONSET).map(|e| e.0 - ONSET)
}

fn noise(seed: u64) -> Vec<f64> {
    let mut g = Xoshiro256::seed_from_u64(seed);
    (0..N)
        .map(|_| 100.0 + SIGMA * g.standard_normal())
        .collect()
}

fn wave(i: usize) -> f64 {
    100.0 + 4.0 * SIGMA * ((i % DAY) as f64 / DAY as f64 * std::f64::consts::TAU).sin()
}

fn daily(seed: u64) -> Vec<f64> {
    let mut g = Xoshiro256::seed_from_u64(seed);
    (0..N)
        .map(|i| wave(i) + 0.2 * SIGMA * g.standard_normal())
        .collect()
}

fn planted(seed: u64, kind: &str) -> Vec<f64> {
    let in_burst = |i: usize, len: usize| (ONSET..ONSET + len).contains(&i);
    match kind {
        "spike" => {
            let mut x = noise(seed);
            x[ONSET] += 10.0 * SIGMA;
            x
        }
        "shift" => noise(seed)
            .into_iter()
            .enumerate()
            .map(|(i, x)| if i >= ONSET { x + 5.0 * SIGMA } else { x })
            .collect(),
        "variance" => noise(seed)
            .into_iter()
            .enumerate()
            .map(|(i, x)| {
                if in_burst(i, 300) {
                    100.0 + 5.0 * (x - 100.0)
                } else {
                    x
                }
            })
            .collect(),
        // One day whose profile is flat at the daily mean (NAB's art_daily_flatmiddle).
        "flat day" => daily(seed)
            .into_iter()
            .enumerate()
            .map(|(i, x)| {
                if in_burst(i, DAY) {
                    x - wave(i) + 100.0
                } else {
                    x
                }
            })
            .collect(),
        // One day whose swing is 80 % larger (NAB's art_daily_jumpsup).
        "taller day" => daily(seed)
            .into_iter()
            .enumerate()
            .map(|(i, x)| {
                if in_burst(i, DAY) {
                    x + 0.8 * (wave(i) - 100.0)
                } else {
                    x
                }
            })
            .collect(),
        _ => unreachable!("{kind}"),
    }
}

/// The stated worst delay (points) per detector and anomaly; `None`: not claimed (the
/// detector has no seasonal model).
fn stated(kinds: &[DetectorKind], anomaly: &str) -> Option<usize> {
    let seasonal_aware = kinds.contains(&DetectorKind::Seasonal) || kinds == [DetectorKind::Knn];
    match anomaly {
        // A k-NN shingle of 8 points can need the spike deeper inside it.
        "spike" if kinds == [DetectorKind::Knn] => Some(8),
        "spike" => Some(0),
        "shift" => Some(5),
        "variance" => Some(20),
        "flat day" | "taller day" if seasonal_aware => Some(5),
        _ => None,
    }
}

fn sets() -> Vec<Vec<DetectorKind>> {
    let mut s: Vec<Vec<DetectorKind>> = DetectorKind::ALL.iter().map(|&k| vec![k]).collect();
    s.push(DEFAULT_DETECTORS.to_vec());
    s
}

#[test]
fn every_detector_finds_planted_anomalies_within_its_stated_delay() {
    for kinds in sets() {
        for anomaly in ["spike", "shift", "variance", "flat day", "taller day"] {
            let Some(limit) = stated(&kinds, anomaly) else {
                continue;
            };
            for seed in 1..=3 {
                let d = delay(&kinds, &planted(seed, anomaly), anomaly);
                assert!(
                    d.is_some_and(|d| d <= limit),
                    "{kinds:?} on a {anomaly} (seed {seed}): delay {d:?}, stated ≤ {limit}"
                );
            }
        }
    }
}

#[test]
fn no_alarm_on_noise_only_series_of_ten_thousand_points() {
    for kinds in sets() {
        for seed in 1..=3u64 {
            let mut g = Xoshiro256::seed_from_u64(100 + seed);
            let white: Vec<f64> = (0..10_000).map(|_| g.standard_normal()).collect();
            let mut a = 0.0;
            let ar: Vec<f64> = (0..10_000)
                .map(|_| {
                    a = 0.7 * a + g.standard_normal();
                    a
                })
                .collect();
            for (name, xs) in [("white noise", &white), ("AR(1) 0.7 noise", &ar)] {
                let e = events(&kinds, xs);
                assert!(
                    e.is_empty(),
                    "{kinds:?} on {name} (seed {seed}) at threshold {DEFAULT_THRESHOLD}: {e:?}"
                );
            }
        }
    }
}

#[test]
fn seasonal_detectors_see_no_anomaly_in_a_clean_daily_pattern() {
    for kinds in [vec![DetectorKind::Seasonal], DEFAULT_DETECTORS.to_vec()] {
        for seed in 1..=2 {
            let e = events(&kinds, &daily(seed));
            assert!(e.is_empty(), "{kinds:?} (seed {seed}): {e:?}");
        }
    }
}
