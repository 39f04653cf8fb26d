//! Snapshot tests of both exposition formats against committed golden files
//! (`tests/fixtures/exposition/`); `F0_BLESS=1` rewrites them.

use super::*;

fn golden(name: &str, got: &[u8]) {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/exposition")
        .join(name);
    let got = String::from_utf8(got.to_vec()).expect("utf-8 exposition");
    if std::env::var_os("F0_BLESS").is_some() {
        std::fs::write(&path, &got).unwrap();
    }
    let want = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("{}: {e} (run with F0_BLESS=1 to create it)", path.display()));
    assert_eq!(
        got,
        want,
        "{} differs (F0_BLESS=1 rewrites it)",
        path.display()
    );
}

/// One family of each kind, with labels that need escaping and values of every shape.
fn sample() -> Vec<Family> {
    let mut g = Family::new("cpu.usage", Kind::Gauge, "CPU use \\ per core\nof the host")
        .with_unit("percent");
    g.push([("core", "0")], Value::Gauge(12.5)).unwrap();
    g.push(
        [("core", "1"), ("note", "say \"hi\"\\n\nnext")],
        Value::Gauge(100.0),
    )
    .unwrap();
    g.push([("core", "2")], Value::Gauge(f64::NAN)).unwrap();
    g.push([("core", "3")], Value::Gauge(f64::NEG_INFINITY))
        .unwrap();
    g.push([("core", "4")], Value::Gauge(1.5e300)).unwrap();
    let mut c = Family::new("requests_total", Kind::Counter, "Requests \"served\".");
    c.push(std::iter::empty::<(&str, &str)>(), Value::Counter(7.0))
        .unwrap();
    c.push([("code", "500")], Value::Counter(0.25)).unwrap();
    let mut h =
        Family::new("step_wall_time", Kind::Histogram, "Step wall time.").with_unit("seconds");
    let mut acc = Accumulator::new(&[0.001, 0.25, 1.0]);
    for v in [0.0005, 0.2, 0.25, 3.0] {
        acc.observe(v);
    }
    h.push(
        [("step", "build"), ("le", "x")],
        Value::Histogram(acc.value()),
    )
    .unwrap();
    let mut s = Family::new("db_query_seconds", Kind::Summary, "Query time.");
    let sv = SummaryValue {
        quantiles: vec![(0.5, 0.002), (0.999, 0.125)],
        count: 10,
        sum: 0.05,
    };
    s.push([("db", "main")], Value::Summary(sv)).unwrap();
    let empty = Family::new("never_set", Kind::Gauge, "No series: left out.");
    vec![g, c, h, s, empty]
}

#[test]
fn text_0_0_4_matches_golden() {
    let mut out = Vec::new();
    encode(&sample(), Format::Text, &mut out);
    golden("sample.prom", &out);
}

#[test]
fn openmetrics_matches_golden() {
    let mut out = Vec::new();
    encode(&sample(), Format::OpenMetrics, &mut out);
    golden("sample.om.txt", &out);
}

#[test]
fn empty_exposition_is_empty_text_or_bare_eof() {
    let mut out = Vec::new();
    encode(&[], Format::Text, &mut out);
    assert!(out.is_empty());
    encode(&[], Format::OpenMetrics, &mut out);
    assert_eq!(out, b"# EOF\n");
}

#[test]
fn content_types_name_their_versions() {
    assert_eq!(
        Format::Text.content_type(),
        "text/plain; version=0.0.4; charset=utf-8"
    );
    assert!(Format::OpenMetrics
        .content_type()
        .starts_with("application/openmetrics-text; version=1.0.0"));
}

proptest::proptest! {
    /// Whatever the label values, every sample line has balanced, escaped quotes: the value
    /// text between `="` and the closing `"` never holds a raw quote or newline.
    #[test]
    fn label_values_never_break_a_line(v in "\\PC{0,30}|[\"\\\\\n]{0,6}") {
        let mut f = Family::new("x", Kind::Gauge, "h");
        f.push([("k", v.as_str())], Value::Gauge(1.0)).unwrap();
        let mut out = Vec::new();
        encode(&[f], Format::OpenMetrics, &mut out);
        let text = String::from_utf8(out).unwrap();
        let lines: Vec<&str> = text.lines().collect();
        proptest::prop_assert_eq!(lines.len(), 4, "{}", text);
        let line = lines[2];
        let inner = line.strip_prefix("x{k=\"").and_then(|l| l.strip_suffix("\"} 1")).unwrap();
        let mut chars = inner.chars();
        let mut decoded = String::new();
        while let Some(c) = chars.next() {
            proptest::prop_assert_ne!(c, '"');
            if c == '\\' {
                match chars.next() {
                    Some('n') => decoded.push('\n'),
                    Some(e) => decoded.push(e),
                    None => proptest::prop_assert!(false, "dangling escape"),
                }
            } else {
                decoded.push(c);
            }
        }
        proptest::prop_assert_eq!(decoded, v);
    }
}
