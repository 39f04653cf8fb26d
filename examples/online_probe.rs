//! Diagnostic: for one detector set, each series' highest score inside each window and
//! outside the windows (after probation).
#[path = "../benches/online_support/corpus.rs"]
mod corpus;
#[path = "../benches/online_support/harness.rs"]
mod harness;
use framework0::analyze::online::{score, DetectorKind, OnlineParams};
fn main() {
    let args: Vec<String> = std::env::args().collect();
    let set = DetectorKind::parse_list(&args[1]).unwrap();
    let seed: u64 = args.get(2).map_or(1, |s| s.parse().unwrap());
    let c = corpus::corpus(seed);
    let scored = harness::score_corpus(&c, &set, &OnlineParams::default());
    if let Some(name) = args.get(4) {
        let s = c.iter().find(|s| &s.name == name).unwrap();
        let params = OnlineParams {
            cusum_reference: None,
            ..OnlineParams::default()
        };
        let mut d = framework0::analyze::online::OnlineDetector::new(set[0], &params);
        let mut cal = framework0::analyze::online::Calibrator::new(2000, 100);
        let mut stat: f64 = 0.0;
        let a = s.anomalies[0];
        for (i, &x) in s.values.iter().enumerate() {
            let v = d.update(x).unwrap();
            stat = (stat - v.tail_probability.max(1e-8).ln() - 2.0).max(0.0);
            let pc = cal.calibrate(stat);
            if std::env::var_os("ALL").is_some() || i + 300 > a && i < a + 30 || stat > 15.0 {
                println!(
                    "{i} x {x:.2} exp {:.2} p {:.2e} C {stat:.2} pC {:.2e}",
                    v.expected, v.tail_probability, pc.tail_probability
                );
            }
        }
        return;
    }
    if let Some(name) = args.get(3) {
        let (s, sc) = c
            .iter()
            .zip(&scored)
            .find(|(s, _)| &s.name == name)
            .unwrap();
        let a = s.anomalies[0];
        println!(
            "len {} anomalies {:?} windows {:?}",
            s.values.len(),
            s.anomalies,
            sc.windows
        );
        for i in a.saturating_sub(10)..(a + 40).min(s.values.len()) {
            println!("{i} {:.2} {:.3}", s.values[i], sc.scores[i]);
        }
        return;
    }
    for (s, sc) in c.iter().zip(&scored) {
        let p = score::probation(sc.len);
        let inside = |i: usize| sc.windows.iter().any(|w| w.left <= i && i <= w.right);
        let out_max = (p..sc.len)
            .filter(|&i| !inside(i))
            .map(|i| sc.scores[i])
            .fold(0.0, f64::max);
        let ws: Vec<String> = sc
            .windows
            .iter()
            .map(|w| {
                let m = (w.left..=w.right).map(|i| sc.scores[i]).fold(0.0, f64::max);
                format!("{m:.2}")
            })
            .collect();
        let thr: f64 = std::env::var("THR")
            .ok()
            .and_then(|t| t.parse().ok())
            .unwrap_or(0.5);
        let ev = framework0::analyze::online::EventParams {
            threshold: thr,
            ..framework0::analyze::online::default_event_params()
        };
        let d: Vec<usize> = harness::detections(&sc.scores, ev)
            .into_iter()
            .filter(|&i| i >= p)
            .collect();
        let fps = d.iter().filter(|&&i| !inside(i)).count();
        println!(
            "{:14} out {:.2} fp@{thr} {fps:2} windows {}",
            s.name,
            out_max,
            ws.join(" ")
        );
    }
}
