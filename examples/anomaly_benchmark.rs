//! The online anomaly benchmark: every online detector and the default set over the
//! generated corpus (`benches/online_support/corpus.rs`), scored with the NAB windowed rule
//! (standard, low-FP and low-FN profiles, threshold optimized per profile, null = 0,
//! perfect = 100), plus the score and the false alarms at the default threshold.
//!
//! Run: `benches/anomaly_benchmark.sh` (or `cargo run --release --example anomaly_benchmark
//! -- [--seed N]... [--sets LIST;LIST] [--gap N] [--suppression N]`).

#[path = "../benches/online_support/corpus.rs"]
mod corpus;
#[path = "../benches/online_support/harness.rs"]
mod harness;

use std::time::Instant;

use framework0::analyze::online::score::STANDARD;
use framework0::analyze::online::{
    default_event_params, DetectorKind, EventParams, OnlineParams, DEFAULT_DETECTORS,
};

struct Options {
    params: OnlineParams,
    detail: bool,
    seeds: Vec<u64>,
    sets: Vec<Vec<DetectorKind>>,
    events: EventParams,
}

fn options() -> Options {
    let mut o = Options {
        params: OnlineParams::default(),
        detail: false,
        seeds: Vec::new(),
        sets: Vec::new(),
        events: default_event_params(),
    };
    let args: Vec<String> = std::env::args().skip(1).collect();
    let mut it = args.iter();
    while let Some(a) = it.next() {
        let mut value = || it.next().cloned().unwrap_or_default();
        match a.as_str() {
            "--detail" => o.detail = true,
            "--cusum" => {
                let v: f64 = value().parse().expect("--cusum K");
                o.params.cusum_reference = (v > 0.0).then_some(v);
            }
            "--window" => o.params.window = value().parse().expect("--window N"),
            "--memory" => o.params.calibration_memory = value().parse().expect("--memory N"),
            "--knn" => {
                let v: Vec<usize> = value()
                    .split(',')
                    .map(|x| x.parse().expect("--knn DIM,K,N"))
                    .collect();
                o.params.knn.dim = v[0];
                o.params.knn.k = v[1];
                o.params.knn.reference = v[2];
            }
            "--seed" => o.seeds.push(value().parse().expect("--seed N")),
            "--gap" => o.events.gap = value().parse().expect("--gap N"),
            "--suppression" => o.events.suppression = value().parse().expect("--suppression N"),
            "--threshold" => o.events.threshold = value().parse().expect("--threshold T"),
            "--sets" => {
                for list in value().split(';') {
                    o.sets
                        .push(DetectorKind::parse_list(list).expect("detector list"));
                }
            }
            other => panic!("unknown flag {other}"),
        }
    }
    if o.seeds.is_empty() {
        o.seeds = vec![1, 2];
    }
    if o.sets.is_empty() {
        o.sets = DetectorKind::ALL.iter().map(|&k| vec![k]).collect();
        o.sets.push(DEFAULT_DETECTORS.to_vec());
    }
    o
}

fn label(set: &[DetectorKind]) -> String {
    let names: Vec<&str> = set.iter().map(|k| k.name()).collect();
    let joined = names.join(",");
    if set == DEFAULT_DETECTORS {
        format!("default ({joined})")
    } else {
        joined
    }
}

fn main() {
    let o = options();
    let params = o.params;
    for &seed in &o.seeds {
        let corpus = corpus::corpus(seed);
        let points: usize = corpus.iter().map(|s| s.values.len()).sum();
        let windows: usize = corpus.iter().map(|s| s.anomalies.len()).sum();
        println!(
            "corpus seed {seed}: {} series, {points} points, {windows} labelled anomalies; events: gap {}, suppression {}, default threshold {}",
            corpus.len(),
            o.events.gap,
            o.events.suppression,
            o.events.threshold
        );
        println!(
            "| detector | standard | low FP | low FN | best thresholds | standard @ default | noise alarms / 10k pts | points/s |"
        );
        println!("|---|---|---|---|---|---|---|---|");
        for set in &o.sets {
            let t0 = Instant::now();
            let scored = harness::score_corpus(&corpus, set, &params);
            let rate = points as f64 / t0.elapsed().as_secs_f64();
            let best = harness::optimize(&scored, o.events.gap, o.events.suppression);
            let at_default = harness::corpus_score(&scored, o.events, &STANDARD);
            let (alarms, noise_points) = harness::noise_alarms(&scored, o.events);
            println!(
                "| {} | {:.1} | {:.1} | {:.1} | {:.2}/{:.2}/{:.2} | {:.1} | {:.2} | {:.0} |",
                label(set),
                best[0].1,
                best[1].1,
                best[2].1,
                best[0].0,
                best[1].0,
                best[2].0,
                at_default,
                alarms as f64 * 10_000.0 / noise_points.max(1) as f64,
                rate
            );
            if o.detail {
                let ev = EventParams {
                    threshold: best[0].0,
                    ..o.events
                };
                for (c, w, hit, fp, sc) in harness::by_category(&scored, ev) {
                    println!("|   {c} | windows {w} | detected {hit} | false events {fp} | standard {sc:.1} | | | |");
                }
            }
        }
        let prefix = harness::score_prefix_zscore(&corpus, 4.0);
        let points = harness::optimize_pointwise(&prefix);
        let events = harness::optimize(&prefix, o.events.gap, o.events.suppression);
        println!(
            "| reference: batch zscore on growing prefixes, sensitivity 4, every flagged point | {:.1} | {:.1} | {:.1} | | | | |",
            points[0].1, points[1].1, points[2].1
        );
        println!(
            "| reference: the same grouped into events | {:.1} | {:.1} | {:.1} | | | | |",
            events[0].1, events[1].1, events[2].1
        );
        if o.detail {
            for set in &o.sets {
                let scored = harness::score_corpus(&corpus, set, &params);
                let p = harness::optimize_pointwise(&scored);
                println!(
                    "|   {} scored point by point (no events) | {:.1} | {:.1} | {:.1} | | | | |",
                    label(set),
                    p[0].1,
                    p[1].1,
                    p[2].1
                );
            }
        }
        println!();
    }
}
