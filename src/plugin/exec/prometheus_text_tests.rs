use super::*;
use proptest::prelude::*;

const NODE: &str = r#"# HELP node_load1 1m load average.
# TYPE node_load1 gauge
node_load1 0.21
# TYPE http_requests counter
http_requests_total{method="post",code="200"} 1027 1395066363000
http_requests_total{method="get", code="400",} 3
# TYPE rpc histogram
rpc_bucket{le="+Inf"} 9
rpc_sum 1.5e3
odd{path="C:\\dir\"x\"\nend"} -Inf
# a comment
# EOF
after_eof{ 1
"#;

#[test]
fn node_exporter_style_text_parses_with_families_labels_and_timestamps() {
    let s = parse(NODE).unwrap();
    assert_eq!(s.len(), 6);
    assert_eq!(
        (s[0].name.as_str(), s[0].value, s[0].family),
        ("node_load1", 0.21, Family::Gauge)
    );
    assert_eq!(s[1].labels["method"], "post");
    assert_eq!(s[1].labels["code"], "200");
    assert_eq!(s[1].timestamp_ms, Some(1_395_066_363_000));
    assert_eq!(s[1].family, Family::Counter);
    assert_eq!(s[2].labels.len(), 2);
    assert_eq!(s[3].family, Family::Histogram);
    assert_eq!(s[3].labels["le"], "+Inf");
    assert_eq!((s[4].value, s[4].family), (1500.0, Family::Histogram));
    assert_eq!(s[5].labels["path"], "C:\\dir\"x\"\nend");
    assert_eq!(s[5].value, f64::NEG_INFINITY);
    assert_eq!(s[5].family, Family::Untyped);
}

#[test]
fn the_first_bad_line_is_named_with_what_is_wrong() {
    let cases = [
        ("ok 1\n9bad 1", 2, "\"9bad\" is not a metric name"),
        ("x{a=\"1\" 2", 1, "separated by ','"),
        ("x{a=1} 2", 1, "not a closed \"quoted\" string"),
        ("x{a=\"1\",a=\"2\"} 2", 1, "label 'a' appears twice"),
        ("\n\nx abc", 3, "value \"abc\" of 'x' is not a number"),
        ("x", 1, "'x' has no value"),
        ("x 1 12.5", 1, "timestamp \"12.5\""),
        ("x 1 2 3", 1, "unexpected \"3\""),
        ("# TYPE x meter\nx 1", 1, "unknown metric type \"meter\""),
        (
            "hello world",
            1,
            "value \"world\" of 'hello' is not a number",
        ),
    ];
    for (text, line, part) in cases {
        let e = parse(text).unwrap_err();
        assert_eq!(e.line, line, "{text:?}: {e}");
        assert!(e.message.contains(part), "{text:?}: {e}");
    }
}

fn label_value() -> impl Strategy<Value = String> {
    proptest::collection::vec(
        prop_oneof![
            Just('a'),
            Just('"'),
            Just('\\'),
            Just('\n'),
            Just(' '),
            Just('é')
        ],
        0..6,
    )
    .prop_map(|v| v.into_iter().collect())
}

fn escape(v: &str) -> String {
    v.replace('\\', "\\\\")
        .replace('"', "\\\"")
        .replace('\n', "\\n")
}

proptest! {
    #[test]
    fn printed_samples_parse_back_exactly(
        name in "[a-zA-Z_:][a-zA-Z0-9_:]{0,8}",
        labels in proptest::collection::btree_map("[a-zA-Z_][a-zA-Z0-9_]{0,5}", label_value(), 0..4),
        value in proptest::num::f64::NORMAL | proptest::num::f64::ZERO,
        ts in proptest::option::of(any::<i64>()),
    ) {
        let set: Vec<String> = labels.iter().map(|(k, v)| format!("{k}=\"{}\"", escape(v))).collect();
        let mut line = name.clone();
        if !set.is_empty() {
            line.push_str(&format!("{{{}}}", set.join(",")));
        }
        line.push_str(&format!(" {value:?}"));
        if let Some(t) = ts {
            line.push_str(&format!(" {t}"));
        }
        let parsed = parse(&line).unwrap();
        prop_assert_eq!(parsed.len(), 1);
        prop_assert_eq!(&parsed[0].name, &name);
        prop_assert_eq!(&parsed[0].labels, &labels);
        prop_assert_eq!(parsed[0].value, value);
        prop_assert_eq!(parsed[0].timestamp_ms, ts);
    }

    #[test]
    fn arbitrary_text_never_panics(text in "\\PC{0,60}") {
        let _ = parse(&text);
    }
}

#[test]
fn what_f0s_own_exposition_encoder_writes_parses_back_in_both_formats() {
    use crate::exposition::{encode, Family as F, Format, HistogramValue, Kind, Value};
    let mut gauge = F::new("queue_depth", Kind::Gauge, "jobs waiting");
    gauge
        .push([("path", "C:\\x \"y\"\nz")], Value::Gauge(-2.5))
        .unwrap();
    let mut counter = F::new("jobs", Kind::Counter, "jobs done");
    counter.push([("q", "a")], Value::Counter(41.0)).unwrap();
    let mut hist = F::new("latency", Kind::Histogram, "request latency");
    let h = HistogramValue {
        buckets: vec![(0.1, 2), (1.0, 5)],
        count: 7,
        sum: 3.25,
    };
    hist.push(Vec::<(&str, &str)>::new(), Value::Histogram(h))
        .unwrap();
    for format in [Format::Text, Format::OpenMetrics] {
        let mut out = Vec::new();
        encode([&gauge, &counter, &hist], format, &mut out);
        let text = String::from_utf8(out).unwrap();
        let s = parse(&text).unwrap_or_else(|e| panic!("{format:?}: {e}\n{text}"));
        let find = |name: &str| {
            s.iter()
                .find(|x| x.name == name)
                .unwrap_or_else(|| panic!("{name} in {text}"))
        };
        let g = find("queue_depth");
        assert_eq!((g.value, g.family), (-2.5, Family::Gauge));
        assert_eq!(g.labels["path"], "C:\\x \"y\"\nz");
        let c = find("jobs_total");
        assert_eq!(
            (c.value, c.family, c.labels["q"].as_str()),
            (41.0, Family::Counter, "a")
        );
        let buckets: Vec<(String, f64)> = s
            .iter()
            .filter(|x| x.name == "latency_bucket")
            .map(|x| (x.labels["le"].clone(), x.value))
            .collect();
        assert_eq!(buckets.len(), 3, "{text}");
        assert_eq!(buckets[2], ("+Inf".to_owned(), 7.0));
        assert_eq!(find("latency_sum").value, 3.25);
        assert_eq!(find("latency_count").family, Family::Histogram);
    }
}
