//! Helpers shared by the golden-value tests, included with
//! `#[path = "hypothesis_fixtures/golden.rs"] mod golden;`.
#![allow(dead_code)]

use serde_json::Value;

/// A JSON array of numbers.
pub fn floats(v: &Value) -> Vec<f64> {
    v.as_array()
        .unwrap_or_else(|| panic!("not an array: {v}"))
        .iter()
        .map(|x| x.as_f64().unwrap())
        .collect()
}

/// Asserts |got − want| ≤ rel·|want| + abs.
pub fn close_abs(got: f64, want: f64, rel: f64, abs: f64, what: &str) {
    let err = (got - want).abs();
    assert!(
        err <= rel * want.abs() + abs,
        "{what}: got {got:e}, want {want:e}, error {err:e}"
    );
}

/// Asserts a relative error of at most `rel` (values down to 1e-300 keep full relative meaning).
pub fn close(got: f64, want: f64, rel: f64, what: &str) {
    close_abs(got, want, rel, 1e-300, what);
}
