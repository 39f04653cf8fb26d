//! Numbers as Python prints them, for messages Framework0 formats with f-strings
//! (`Performance: {name} = {value} {unit}`, `CRITICAL: cpu_usage_total is 100.0 % …`).
//!
//! `repr(float)` is the shortest string that reads back to the same float, in fixed notation
//! when the decimal point falls within 16 digits (`-4 < decpt <= 16`), else in exponent
//! notation with a signed exponent of at least two digits (`1e-05`, `1.5e+16`); a whole
//! number keeps `.0`. `nan`, `inf`, `-inf` as Python spells them.

/// `x` as Python's `repr(float)`.
pub fn py_float(x: f64) -> String {
    if x.is_nan() {
        return "nan".to_owned();
    }
    if x.is_infinite() {
        return if x > 0.0 { "inf" } else { "-inf" }.to_owned();
    }
    // `{:e}` is Rust's shortest round-trip digits in scientific form, e.g. `-1.5e-5`.
    let sci = format!("{x:e}");
    let (mantissa, exp) = sci.split_once('e').unwrap_or((sci.as_str(), "0"));
    let exp: i32 = exp.parse().unwrap_or(0);
    let decpt = exp + 1;
    if -4 < decpt && decpt <= 16 {
        // Display never uses an exponent and also prints the shortest round-trip digits.
        let fixed = format!("{x}");
        if fixed.contains('.') {
            fixed
        } else {
            format!("{fixed}.0")
        }
    } else {
        let sign = if exp < 0 { '-' } else { '+' };
        format!("{mantissa}e{sign}{:02}", exp.unsigned_abs())
    }
}

/// A JSON number as Python prints the int or float it came from (`2`, `2.0`).
pub fn py_number(n: &serde_json::Number) -> String {
    if n.is_f64() {
        n.as_f64().map_or_else(|| n.to_string(), py_float)
    } else {
        n.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn matches_python_repr() {
        // Each pair is (value, what Python 3.11 prints for repr(value)).
        let cases = [
            (100.0, "100.0"),
            (5.3, "5.3"),
            (0.0, "0.0"),
            (-0.0, "-0.0"),
            (4.902110381900624, "4.902110381900624"),
            (1e15, "1000000000000000.0"),
            (1e16, "1e+16"),
            (1.5e16, "1.5e+16"),
            (0.0001, "0.0001"),
            (0.00001, "1e-05"),
            (5.6743621826171875e-05, "5.6743621826171875e-05"),
            (-2.5e-7, "-2.5e-07"),
            (1.7976931348623157e308, "1.7976931348623157e+308"),
            (12.5, "12.5"),
            (f64::NAN, "nan"),
            (f64::NEG_INFINITY, "-inf"),
        ];
        for (x, want) in cases {
            assert_eq!(py_float(x), want, "{x:e}");
        }
    }

    #[test]
    fn json_numbers_keep_int_or_float() {
        let v: serde_json::Value = serde_json::from_str("[2, 2.0, -7, 1e-05]").unwrap();
        let got: Vec<String> = v
            .as_array()
            .unwrap()
            .iter()
            .map(|x| py_number(x.as_number().unwrap()))
            .collect();
        assert_eq!(got, ["2", "2.0", "-7", "1e-05"]);
    }
}
