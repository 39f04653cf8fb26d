//! Helpers shared by the `tests/analyze_*.rs` suites.
#![allow(dead_code)] // each suite uses its own subset

/// Reads and parses `tests/fixtures/percentiles/expected.json` (made by `gen.py` beside it)
/// into the suite's own view of it.
pub fn percentile_fixture<T: serde::de::DeserializeOwned>() -> T {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/percentiles/expected.json"
    );
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{path}: {e}"));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{path}: {e}"))
}

/// Asserts `|got − want| ≤ tol·|want|` (so exact equality when `want` is 0).
#[track_caller]
pub fn assert_rel(got: f64, want: f64, tol: f64, what: &str) {
    assert!(
        (got - want).abs() <= tol * want.abs(),
        "{what}: got {got:e}, want {want:e} (relative tolerance {tol:e})"
    );
}
