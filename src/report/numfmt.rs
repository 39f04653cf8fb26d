//! How numbers, changes, p-values and times are printed in the HTML, Markdown and text
//! reports: one set of functions, so the formats agree digit for digit (the JSON keeps full
//! precision).

use crate::store::timestamp::format_rfc3339;

/// A value with 6 significant digits, trailing zeros dropped (`345`, `13.7826`, `0.001234`);
/// scientific notation beyond 1e15 or below 1e-4.
pub fn num(x: f64) -> String {
    if x == 0.0 {
        return "0".to_owned();
    }
    if !x.is_finite() {
        return format!("{x}");
    }
    let mag = x.abs().log10().floor();
    if !(-4.0..15.0).contains(&mag) {
        return format!("{x:.4e}");
    }
    let decimals = (5.0 - mag).clamp(0.0, 9.0) as usize;
    let s = format!("{x:.decimals$}");
    // With 6 significant digits kept, nothing that reaches here rounds to (-)0.
    if s.contains('.') {
        s.trim_end_matches('0').trim_end_matches('.').to_owned()
    } else {
        s
    }
}

/// A relative change as a signed percentage with one decimal (`+25.3%`).
pub fn pct(rel: f64) -> String {
    format!("{:+.1}%", rel * 100.0)
}

/// A p-value: 4 significant digits, `< 0.0001` below that.
pub fn p_value(p: f64) -> String {
    if p < 1e-4 {
        "< 0.0001".to_owned()
    } else {
        format!("{p:.4}")
    }
}

/// Epoch ns as RFC 3339 UTC.
pub fn time(ns: i64) -> String {
    format_rfc3339(ns)
}

/// A value with its unit (`12.5 ms`, `80 %`).
pub fn with_unit(x: f64, unit: &str) -> String {
    if unit.is_empty() || unit == "count" {
        num(x)
    } else {
        format!("{} {unit}", num(x))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn six_significant_digits_without_trailing_zeros() {
        assert_eq!(num(345.0), "345");
        assert_eq!(num(4755.0), "4755");
        assert_eq!(num(13.782608695652174), "13.7826");
        assert_eq!(num(0.001234), "0.001234");
        assert_eq!(num(-2.5), "-2.5");
        assert_eq!(num(123456789.0), "123456789");
        assert_eq!(num(1e20), "1.0000e20");
        assert_eq!(num(-0.0), "0");
        assert_eq!(num(-1e-9), "-1.0000e-9");
        assert_eq!(pct(0.2534), "+25.3%");
        assert_eq!(pct(-0.1), "-10.0%");
        assert_eq!(p_value(0.00001), "< 0.0001");
        assert_eq!(p_value(0.04567), "0.0457");
        assert_eq!(with_unit(12.5, "ms"), "12.5 ms");
    }

    #[test]
    fn non_finite_values_print_as_rust_spells_them_and_tiny_ones_never_as_minus_zero() {
        assert_eq!(num(f64::INFINITY), "inf");
        assert_eq!(num(f64::NEG_INFINITY), "-inf");
        assert_eq!(num(f64::NAN), "NaN");
        for x in [-1e-4, -0.00010000001, -9.99999e-5, -0.5, -1.0, -99999.9] {
            let s = num(x);
            assert!(s.starts_with('-') && s != "-0", "{x} -> {s}");
        }
    }
}
