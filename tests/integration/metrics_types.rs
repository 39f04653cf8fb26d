//! Framework0's exact JSON for metric types, units, metrics and aggregations (COMPAT.md §4).

use framework0::metrics::{
    MetricAggregation, MetricError, MetricType, MetricUnit, PerformanceMetric,
};

#[test]
fn enum_strings_match_framework0() {
    let types: Vec<String> = MetricType::ALL
        .iter()
        .map(|t| serde_json::to_string(t).unwrap())
        .collect();
    assert_eq!(
        types,
        [
            r#""timing""#,
            r#""throughput""#,
            r#""resource""#,
            r#""counter""#,
            r#""gauge""#,
            r#""histogram""#
        ]
    );
    let units: Vec<String> = MetricUnit::ALL
        .iter()
        .map(|u| serde_json::from_str::<String>(&serde_json::to_string(u).unwrap()).unwrap())
        .collect();
    assert_eq!(
        units,
        ["ns", "\u{3bc}s", "ms", "s", "bytes", "KB", "MB", "%", "count", "ops/s"]
    );
    // U+03BC GREEK SMALL LETTER MU, not U+00B5 MICRO SIGN.
    assert_eq!(
        MetricUnit::Microseconds.as_str().as_bytes(),
        [0xce, 0xbc, b's']
    );
    assert!(serde_json::from_str::<MetricUnit>("\"\u{b5}s\"").is_err());
    for u in MetricUnit::ALL {
        assert_eq!(u.as_str().parse::<MetricUnit>(), Ok(u));
    }
    assert_eq!(
        "lightyears".parse::<MetricUnit>(),
        Err(MetricError::UnknownUnit("lightyears".into()))
    );
    assert!("timer".parse::<MetricType>().is_err());
}

#[test]
fn performance_metric_json_is_golden() {
    let m = PerformanceMetric::new(
        "db_query",
        1250.0,
        MetricType::Timing,
        MetricUnit::Microseconds,
    )
    .unwrap()
    .with_timestamp(1_700_000_000_123_456_789)
    .with_tag("function", "query")
    .with_tag("db", "main")
    .with_source("application_collector");
    let json = serde_json::to_string(&m).unwrap();
    assert_eq!(
        json,
        "{\"name\":\"db_query\",\"value\":1250.0,\"metric_type\":\"timing\",\"unit\":\"\u{3bc}s\",\
         \"timestamp\":1700000000123456789,\"tags\":{\"db\":\"main\",\"function\":\"query\"},\
         \"source\":\"application_collector\",\"context\":{}}"
    );
    let back: PerformanceMetric = serde_json::from_str(&json).unwrap();
    assert_eq!(back, m);
    // Framework0 JSON with a null source and no tags/context reads back.
    let py = r#"{"name":"cpu_usage_total","value":12.5,"metric_type":"resource","unit":"%","timestamp":1,"source":null}"#;
    let m: PerformanceMetric = serde_json::from_str(py).unwrap();
    assert_eq!(
        (m.unit, m.source, m.tags.len()),
        (MetricUnit::Percent, None, 0)
    );
}

#[test]
fn bad_metric_values_are_typed_errors() {
    assert_eq!(
        PerformanceMetric::new("", 1.0, MetricType::Gauge, MetricUnit::Count),
        Err(MetricError::EmptyName)
    );
    let e =
        PerformanceMetric::new("x", f64::NAN, MetricType::Gauge, MetricUnit::Count).unwrap_err();
    assert!(e.to_string().contains("non-finite"), "{e}");
    assert!(
        PerformanceMetric::new("x", f64::INFINITY, MetricType::Gauge, MetricUnit::Count).is_err()
    );
}

#[test]
fn aggregation_json_uses_python_percentile_keys() {
    let a = MetricAggregation {
        metric_name: "m".into(),
        count: 3,
        mean: 2.0,
        median: 2.0,
        std_dev: 1.0,
        min_value: 1.0,
        max_value: 3.0,
        percentiles: [("50".to_string(), 2.0), ("99.9".to_string(), 3.0)].into(),
        time_range: (10, 20),
    };
    assert_eq!(
        serde_json::to_value(&a).unwrap(),
        serde_json::json!({"metric_name": "m", "count": 3, "mean": 2.0, "median": 2.0,
            "std_dev": 1.0, "min_value": 1.0, "max_value": 3.0,
            "percentiles": {"50": 2.0, "99.9": 3.0}, "time_range": [10, 20]})
    );
    assert_eq!(framework0::metrics::types::percentile_key(50.0), "50");
    assert_eq!(framework0::metrics::types::percentile_key(99.9), "99.9");
}
