//! Scratch: delays per detector and planted anomaly, noise alarms.
use framework0::analyze::online::*;
use framework0::analyze::rng::Xoshiro256;
fn events(kinds: &[DetectorKind], xs: &[f64]) -> Vec<(u64, u64)> {
    let mut r = OnlineRunner::new(&OnlineOptions {
        detectors: kinds.to_vec(),
        ..OnlineOptions::default()
    })
    .unwrap();
    let mut out = Vec::new();
    for &x in xs {
        if let Some(e) = r
            .push(Point {
                ts_ns: None,
                value: x,
            })
            .unwrap()
        {
            out.push((e.start.index, e.end.index));
        }
    }
    out.extend(r.finish().map(|e| (e.start.index, e.end.index)));
    out
}
fn main() {
    if let Ok(which) = std::env::var("NOISE") {
        let (kind, seed, ar): (DetectorKind, u64, bool) = match which.as_str() {
            "ewma" => (DetectorKind::Ewma, 3, false),
            _ => (DetectorKind::Knn, 5, true),
        };
        for cusum in [None, Some(2.0)] {
            let mut g = Xoshiro256::seed_from_u64(seed);
            // Same stream as in main: noise (6000), then AR (10k), then white (10k).
            let _noise: Vec<f64> = (0..6000)
                .map(|_| 10.0 * g.standard_normal() + 100.0)
                .collect();
            let mut a = 0.0;
            let arn: Vec<f64> = (0..10_000)
                .map(|_| {
                    a = 0.7 * a + g.standard_normal();
                    a
                })
                .collect();
            let white: Vec<f64> = (0..10_000).map(|_| g.standard_normal()).collect();
            let xs = if ar { arn } else { white };
            let params = OnlineParams {
                cusum_reference: cusum,
                ..OnlineParams::default()
            };
            let mut set = DetectorSet::new(&[kind], &params).unwrap();
            let mut top: Vec<(f64, usize)> = xs
                .iter()
                .enumerate()
                .map(|(i, &x)| (set.update(x).unwrap().score, i))
                .collect();
            top.sort_by(|a, b| b.0.total_cmp(&a.0));
            println!("cusum {cusum:?}: top scores {:?}", &top[..6]);
        }
        return;
    }
    if std::env::var_os("SPIKE").is_some() {
        let mut g = Xoshiro256::seed_from_u64(1);
        let noise: Vec<f64> = (0..6000)
            .map(|_| 10.0 * g.standard_normal() + 100.0)
            .collect();
        let mut set = DetectorSet::new(&[DetectorKind::Mad], &OnlineParams::default()).unwrap();
        for (i, &x) in noise.iter().enumerate() {
            let x = if i == 4000 { x + 80.0 } else { x };
            let v = set.update(x).unwrap();
            if (3995..4005).contains(&i) {
                println!("{i} {x:.2} {v:?}");
            }
        }
        return;
    }
    let day = 288usize;
    for seed in 1..=10u64 {
        let mut g = Xoshiro256::seed_from_u64(seed);
        let n = 6000;
        let a = 4000;
        let noise: Vec<f64> = (0..n).map(|_| 10.0 * g.standard_normal() + 100.0).collect();
        let mut ar = 0.0;
        let arn: Vec<f64> = (0..10_000)
            .map(|_| {
                ar = 0.7 * ar + g.standard_normal();
                ar
            })
            .collect();
        let white: Vec<f64> = (0..10_000).map(|_| g.standard_normal()).collect();
        let spike: Vec<f64> = noise
            .iter()
            .enumerate()
            .map(|(i, x)| if i == a { x + 100.0 } else { *x })
            .collect();
        let shift: Vec<f64> = noise
            .iter()
            .enumerate()
            .map(|(i, x)| if i >= a { x + 50.0 } else { *x })
            .collect();
        let var: Vec<f64> = noise
            .iter()
            .enumerate()
            .map(|(i, x)| {
                if i >= a && i < a + 300 {
                    100.0 + (x - 100.0) * 4.0
                } else {
                    *x
                }
            })
            .collect();
        let wave =
            |i: usize| 100.0 + 40.0 * ((i % day) as f64 / day as f64 * std::f64::consts::TAU).sin();
        let seas: Vec<f64> = (0..n)
            .map(|i| wave(i) + 2.0 * g.standard_normal())
            .collect();
        let up: Vec<f64> = seas
            .iter()
            .enumerate()
            .map(|(i, x)| {
                if i >= a && i < a + day {
                    x + (wave(i) - 100.0) * 0.8
                } else {
                    *x
                }
            })
            .collect();
        let flat: Vec<f64> = seas
            .iter()
            .enumerate()
            .map(|(i, x)| {
                if i >= a && i < a + day {
                    100.0 + (x - wave(i))
                } else {
                    *x
                }
            })
            .collect();
        for k in DetectorKind::ALL
            .iter()
            .map(|k| vec![*k])
            .chain([DEFAULT_DETECTORS.to_vec()])
        {
            let d = |xs: &[f64]| {
                let e = events(&k, xs);
                let hit = e
                    .iter()
                    .find(|e| e.0 as usize >= a)
                    .map(|e| e.0 as i64 - a as i64);
                let before = e.iter().filter(|e| (e.0 as usize) < a).count();
                format!("{:?}/{}", hit, before)
            };
            println!("seed {seed} {:24} white {} ar {} | spike {} shift {} var {} seas-noise {} up {} flat {}",
              format!("{:?}", k.iter().map(|x| x.name()).collect::<Vec<_>>()), events(&k, &white).len(), events(&k, &arn).len(),
              d(&spike), d(&shift), d(&var), events(&k, &seas).len(), d(&up), d(&flat));
        }
    }
}
#[allow(dead_code)]
fn debug_spike() {}
