//! Scratch: calibration of i.i.d. surprises.
use framework0::analyze::online::Calibrator;
use framework0::analyze::rng::Xoshiro256;
fn main() {
    for (name, f) in [("chi2/2", 0), ("exp", 1)] {
        let mut maxes = Vec::new();
        let mut below = [0usize; 4];
        let mut total = 0usize;
        for seed in 0..40u64 {
            let mut g = Xoshiro256::seed_from_u64(seed);
            let mut c = Calibrator::new(2000, 100);
            let mut m: f64 = 0.0;
            for i in 0..10_000 {
                let raw = if f == 0 {
                    let z = g.standard_normal();
                    0.5 * z * z
                } else {
                    -(1.0 - g.next_f64()).ln()
                };
                let s = c.calibrate(raw);
                if i >= 2000 {
                    m = m.max(s.score);
                    total += 1;
                    for (k, t) in [1e-2, 1e-3, 1e-4, 1e-5].iter().enumerate() {
                        if s.tail_probability <= *t {
                            below[k] += 1;
                        }
                    }
                }
            }
            maxes.push(m);
        }
        maxes.sort_by(f64::total_cmp);
        println!(
            "{name}: max score median {:.3} p95 {:.3}; P(p<=1e-2..1e-5) observed {:?} of {total}",
            maxes[20],
            maxes[38],
            below.map(|b| b as f64 / total as f64)
        );
    }
}
