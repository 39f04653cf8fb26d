//! Deterministic latency-like samples shared by `benches/analysis.rs` and
//! `examples/analyze_bench.rs` (included with `#[path]`; no random-number crate needed).

/// `n` rounded, right-skewed values from 1e5 to about 2e6 (`1e5·e^{3u}`, `u` uniform from an
/// xorshift64 generator), so values repeat and a mode exists.
pub fn latencies(n: usize) -> Vec<f64> {
    let mut state = 0x9E37_79B9_7F4A_7C15_u64;
    (0..n)
        .map(|_| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            let u = ((state >> 11) as f64 + 0.5) / (1u64 << 53) as f64;
            (1e5 * (3.0 * u).exp()).round()
        })
        .collect()
}
