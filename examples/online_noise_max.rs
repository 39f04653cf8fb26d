//! The highest score each online detector (and the default set) gives a noise-only series of
//! 10,000 points, over 40 seeds of white noise and 40 of AR(1) φ = 0.7 noise: the measurement
//! behind the default threshold (no detector should reach it on pure noise). Run:
//! `cargo run --release --example online_noise_max`.

use framework0::analyze::online::{DetectorKind, DetectorSet, OnlineParams, DEFAULT_DETECTORS};
use framework0::analyze::rng::Xoshiro256;

const SEEDS: u64 = 40;

fn main() {
    let sets = DetectorKind::ALL
        .iter()
        .map(|k| vec![*k])
        .chain([DEFAULT_DETECTORS.to_vec()]);
    println!("| detectors | median | p90 | p95 | max | series ≥ 0.7 |\n|---|---|---|---|---|---|");
    for kinds in sets {
        let mut maxes = Vec::new();
        for seed in 0..SEEDS {
            let mut g = Xoshiro256::seed_from_u64(1000 + seed);
            for phi in [0.0, 0.7] {
                let mut a = 0.0;
                let mut set = DetectorSet::new(&kinds, &OnlineParams::default()).unwrap();
                let mut m: f64 = 0.0;
                for _ in 0..10_000 {
                    a = phi * a + g.standard_normal();
                    m = m.max(set.update(a).unwrap().score);
                }
                maxes.push(m);
            }
        }
        maxes.sort_by(f64::total_cmp);
        let q = |p: f64| maxes[((maxes.len() - 1) as f64 * p) as usize];
        let names: Vec<&str> = kinds.iter().map(|k| k.name()).collect();
        println!(
            "| {} | {:.3} | {:.3} | {:.3} | {:.3} | {} of {} |",
            names.join(","),
            q(0.5),
            q(0.9),
            q(0.95),
            q(1.0),
            maxes.iter().filter(|&&m| m >= 0.7).count(),
            maxes.len()
        );
    }
}
