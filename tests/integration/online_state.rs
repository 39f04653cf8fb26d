//! Bounded state: every online detector's heap stays the same from 10,000 to 1,000,000 points
//! (the windows are allocated once; nothing grows with the stream). Timing and memory of the
//! whole `f0 detect` process are measured by `benches/online_detect.sh`.

use framework0::analyze::online::{DetectorKind, DetectorSet, OnlineParams};
use framework0::analyze::rng::Xoshiro256;

#[test]
fn state_is_bounded_over_a_million_points() {
    let mut params = OnlineParams::default();
    // A smaller reference set keeps the k-NN affordable in a debug build; its memory is
    // reference × dim values either way.
    params.knn.reference = 60;
    for kind in DetectorKind::ALL {
        let mut set = DetectorSet::new(&[kind], &params).unwrap();
        let mut g = Xoshiro256::seed_from_u64(9);
        let mut after_warmup = 0;
        for i in 0..1_000_000u32 {
            // Noise on a daily cycle with a level shift every 100k points: every code path
            // (period detection, refits, suppression of nothing) keeps running.
            let day = f64::from(i % 288) / 288.0 * std::f64::consts::TAU;
            let x = 10.0 * day.sin() + f64::from(i / 100_000) + g.standard_normal();
            set.update(x).unwrap();
            if i == 10_000 {
                after_warmup = set.state_bytes();
            }
        }
        let end = set.state_bytes();
        assert_eq!(
            end, after_warmup,
            "{kind:?}: {after_warmup} bytes at 10k points, {end} at 1M"
        );
        assert!(end < 1 << 20, "{kind:?}: {end} bytes");
    }
}
