//! Accuracy against the NIST StRD datasets in `../shared/data/nist/` (README and `certified.json`
//! there): univariate mean and standard deviation against the exact result for the same `f64`
//! inputs (rational arithmetic) and against NIST's certified values, and simple linear regression
//! (Norris with intercept, NoInt1 and NoInt2 through the origin) against certified values.
//!
//! LRE = −log10(|computed − certified| / |certified|), capped at 15 (the certified digits).
//! Run with `--nocapture` to see every LRE.

use framework0::analyze::descriptive::{mean, std_dev};
use framework0::analyze::regression::{ols, ols_through_origin, OlsFit};
use num_bigint::BigInt;
use num_rational::BigRational;
use num_traits::ToPrimitive;
use serde::Deserialize;

const NIST: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../shared/data/nist/");

#[derive(Deserialize)]
struct Dataset {
    file: String,
    dataset: String,
    kind: String,
    n: usize,
    certified: serde_json::Value,
}

fn datasets(kind: &str) -> Vec<Dataset> {
    let path = format!("{NIST}certified.json");
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
    let all: Vec<Dataset> = serde_json::from_str(&text).unwrap();
    all.into_iter().filter(|d| d.kind == kind).collect()
}

fn read(file: &str) -> String {
    let path = format!("{NIST}{file}");
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

/// A certified value `{ "text": …, "value": … }`, parsed from its printed text.
fn certified(v: &serde_json::Value) -> f64 {
    v["text"].as_str().unwrap().parse().unwrap()
}

fn lre(computed: f64, certified: f64) -> f64 {
    let rel = (computed - certified).abs() / certified.abs();
    if rel == 0.0 {
        15.0
    } else {
        (-rel.log10()).min(15.0)
    }
}

/// Univariate data: every non-blank line after the `Data: Y` line and its dashes, first token.
fn univariate_values(text: &str) -> Vec<f64> {
    let lines: Vec<&str> = text.lines().collect();
    let header = lines
        .iter()
        .position(|l| l.starts_with("Data:") && l["Data:".len()..].trim_start().starts_with('Y'))
        .expect("a `Data: Y` line");
    lines[header + 2..]
        .iter()
        .filter_map(|l| l.split_whitespace().next())
        .map(|t| t.parse().unwrap())
        .collect()
}

/// Regression data: `(x, y)` from line 61 on (y is the first column), blank lines skipped.
fn regression_columns(text: &str) -> (Vec<f64>, Vec<f64>) {
    let (mut x, mut y) = (Vec::new(), Vec::new());
    for line in text.lines().skip(60).filter(|l| !l.trim().is_empty()) {
        let cols: Vec<f64> = line
            .split_whitespace()
            .map(|t| t.parse().unwrap())
            .collect();
        assert_eq!(cols.len(), 2, "{line}");
        y.push(cols[0]);
        x.push(cols[1]);
    }
    (x, y)
}

fn exact(x: f64) -> BigRational {
    BigRational::from_float(x).expect("finite")
}

/// The exact mean and sample standard deviation of the given `f64` values, each rounded to `f64`.
fn exact_mean_and_sd(values: &[f64]) -> (f64, f64) {
    let xs: Vec<BigRational> = values.iter().map(|&v| exact(v)).collect();
    let n = BigRational::from_integer(BigInt::from(xs.len()));
    let mean = xs.iter().sum::<BigRational>() / &n;
    let ss: BigRational = xs.iter().map(|x| (x - &mean) * (x - &mean)).sum();
    let var = ss / (n - BigRational::from_integer(BigInt::from(1)));
    // √var: the f64 root, then one Newton step in exact arithmetic (error ~1e-32), rounded once.
    let s0 = exact(var.to_f64().unwrap().sqrt());
    let s1 = (&s0 + &var / &s0) / BigRational::from_integer(BigInt::from(2));
    (mean.to_f64().unwrap(), s1.to_f64().unwrap())
}

#[test]
fn univariate_mean_and_sd_equal_exact_arithmetic_and_certified_values() {
    let sets = datasets("univariate");
    assert_eq!(sets.len(), 9);
    for set in sets {
        let values = univariate_values(&read(&set.file));
        assert_eq!(values.len(), set.n, "{}", set.file);
        let (m, s) = (mean(&values).unwrap(), std_dev(&values).unwrap());
        let (exact_m, exact_s) = exact_mean_and_sd(&values);
        assert!(
            (m - exact_m).abs() <= 1e-13 * exact_m.abs(),
            "{}: mean {m:e} vs exact {exact_m:e}",
            set.dataset
        );
        assert!(
            (s - exact_s).abs() <= 1e-13 * exact_s.abs(),
            "{}: sd {s:e} vs exact {exact_s:e}",
            set.dataset
        );

        let (cert_m, cert_s) = (
            certified(&set.certified["mean"]),
            certified(&set.certified["standard_deviation"]),
        );
        let (lre_m, lre_s) = (lre(m, cert_m), lre(s, cert_s));
        let floor = match set.dataset.as_str() {
            "NumAcc3" => 9.0,
            "NumAcc4" => 8.0,
            _ => 13.0,
        };
        println!(
            "{:<9} mean LRE {lre_m:5.2}  sd LRE {lre_s:5.2}  (exact-for-f64 sd LRE {:5.2}; floor {floor})",
            set.dataset,
            lre(exact_s, cert_s)
        );
        assert!(lre_m >= 13.0, "{}: mean LRE {lre_m}", set.dataset);
        assert!(lre_s >= floor, "{}: sd LRE {lre_s} < {floor}", set.dataset);
    }
}

fn check_fit(set: &Dataset, fit: &OlsFit) {
    let c = &set.certified;
    let mut checks: Vec<(String, f64, f64)> = Vec::new();
    for param in c["parameters"].as_array().unwrap() {
        let name = param["name"].as_str().unwrap();
        let coefficient = match name {
            "B0" => fit.intercept.expect("intercept"),
            "B1" => fit.slope,
            other => panic!("unexpected parameter {other}"),
        };
        checks.push((
            name.to_string(),
            coefficient.estimate,
            certified(&param["estimate"]),
        ));
        checks.push((
            format!("sd({name})"),
            coefficient.std_error,
            certified(&param["standard_deviation"]),
        ));
    }
    checks.push((
        "residual sd".into(),
        fit.residual_std_dev,
        certified(&c["residual_standard_deviation"]),
    ));
    checks.push(("R²".into(), fit.r_squared, certified(&c["r_squared"])));
    for (what, got, want) in checks {
        let score = lre(got, want);
        println!(
            "{:<7} {what:<12} {got:<22e} certified {want:<22e} LRE {score:5.2}",
            set.dataset
        );
        assert!(score >= 12.0, "{} {what}: LRE {score}", set.dataset);
    }
}

#[test]
fn linear_regression_matches_certified_values() {
    let sets: Vec<Dataset> = datasets("linear_regression")
        .into_iter()
        .filter(|d| ["Norris", "NoInt1", "NoInt2"].contains(&d.dataset.as_str()))
        .collect();
    assert_eq!(sets.len(), 3);
    for set in &sets {
        let (x, y) = regression_columns(&read(&set.file));
        assert_eq!(x.len(), set.n, "{}", set.file);
        let intercept = set.certified["model"]["intercept"].as_bool().unwrap();
        let fit = if intercept {
            ols(&x, &y)
        } else {
            ols_through_origin(&x, &y)
        }
        .unwrap();
        assert_eq!(fit.intercept.is_some(), intercept);
        check_fit(set, &fit);
    }
}
