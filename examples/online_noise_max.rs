//! Scratch: the largest score each detector gives a 10k-point noise series (after the
//! events' own rules do not matter: raw point scores), over many seeds.
use framework0::analyze::online::*;
use framework0::analyze::rng::Xoshiro256;
fn main() {
    let seeds = 40u64;
    for k in DetectorKind::ALL
        .iter()
        .map(|k| vec![*k])
        .chain([DEFAULT_DETECTORS.to_vec()])
    {
        let mut maxes = Vec::new();
        for seed in 0..seeds {
            let mut g = Xoshiro256::seed_from_u64(1000 + seed);
            for ar in [false, true] {
                let mut a = 0.0;
                let xs: Vec<f64> = (0..10_000)
                    .map(|_| {
                        let e = g.standard_normal();
                        a = if ar { 0.7 * a + e } else { e };
                        a
                    })
                    .collect();
                let mut params = OnlineParams::default();
                if std::env::var_os("NOCUSUM").is_some() {
                    params.cusum_reference = None;
                }
                let mut set = DetectorSet::new(&k, &params).unwrap();
                let sc: Vec<f64> = xs.iter().map(|&x| set.update(x).unwrap().score).collect();
                let cut: usize = std::env::var("CUT")
                    .ok()
                    .and_then(|c| c.parse().ok())
                    .unwrap_or(0);
                let late = std::env::var_os("EARLY").is_none();
                let m = sc
                    .iter()
                    .enumerate()
                    .filter(|(i, _)| (*i >= cut) == late)
                    .map(|(_, s)| *s)
                    .fold(0.0, f64::max);
                if m > 0.8 {
                    let at = sc.iter().position(|&s| s == m).unwrap();
                    println!(
                        "seed {seed} ar {ar} max {m:.3} at {at}: {:?}",
                        &xs[at.saturating_sub(12)..=at]
                            .iter()
                            .map(|x| (x * 100.0).round() / 100.0)
                            .collect::<Vec<_>>()
                    );
                    println!(
                        "   scores {:?}",
                        &sc[at.saturating_sub(12)..=at]
                            .iter()
                            .map(|x| (x * 100.0).round() / 100.0)
                            .collect::<Vec<_>>()
                    );
                }
                maxes.push(m);
            }
        }
        maxes.sort_by(f64::total_cmp);
        let q = |p: f64| maxes[((maxes.len() - 1) as f64 * p) as usize];
        println!(
            "{:28} median {:.3} p90 {:.3} p95 {:.3} max {:.3}",
            format!("{:?}", k.iter().map(|x| x.name()).collect::<Vec<_>>()),
            q(0.5),
            q(0.9),
            q(0.95),
            q(1.0)
        );
    }
}
