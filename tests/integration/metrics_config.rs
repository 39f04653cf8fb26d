//! MetricsConfiguration: both shapes merged over defaults, validation errors, warnings, and a
//! merge property.

use framework0::metrics::{ConfigError, MetricsConfiguration};
use proptest::prelude::*;
use serde_json::{json, Value};

fn read(v: Value) -> Result<(MetricsConfiguration, Vec<String>), ConfigError> {
    MetricsConfiguration::from_value(&v).map(|(c, w)| (c, w.into_iter().map(|w| w.path).collect()))
}

#[test]
fn defaults_are_framework0s() {
    let (c, w) = read(json!({})).unwrap();
    assert!(w.is_empty());
    assert_eq!(c, MetricsConfiguration::default());
    assert_eq!(c.collection.max_metrics_per_collection, 10_000);
    assert_eq!(c.collection.collection_interval, 60.0);
    assert_eq!(c.analysis.percentiles, [50.0, 90.0, 95.0, 99.0, 99.9]);
    assert_eq!(
        (c.analysis.window_size, c.analysis.min_samples),
        (3600.0, 10)
    );
    assert_eq!(c.analysis.anomaly_sensitivity, 2.0);
    assert_eq!(
        (c.storage.max_age_days, c.storage.max_metrics_count),
        (30.0, 1_000_000)
    );
    assert!(c.integration.logging_enabled && c.integration.context_storage_enabled);
    assert_eq!(c.performance.collection_overhead_limit, 0.01);
    assert_eq!(c.performance.batch_size, 1000);
    assert!(c.performance.async_processing);
    assert_eq!(read(Value::Null).unwrap().0, c);
}

#[test]
fn framework0_sections_merge_key_by_key() {
    let (c, w) = read(json!({
        "collection": {"collection_interval": 5},
        "analysis": {"percentiles": [50, 99], "anomaly_sensitivity": 3.0},
        "storage": {"max_age_days": 7},
        "performance": {"batch_size": 10, "async_processing": false},
    }))
    .unwrap();
    assert!(w.is_empty(), "{w:?}");
    assert_eq!(c.collection.collection_interval, 5.0);
    assert!(c.collection.enabled, "untouched keys keep their defaults");
    assert_eq!(c.analysis.percentiles, [50.0, 99.0]);
    assert_eq!(c.analysis.window_size, 3600.0);
    assert_eq!(c.storage.max_age_days, 7.0);
    assert_eq!(c.storage.max_metrics_count, 1_000_000);
    assert_eq!(
        (c.performance.batch_size, c.performance.async_processing),
        (10, false)
    );
}

#[test]
fn design_doc_shapes_are_accepted() {
    let (c, w) = read(json!({
        "collectors": {"system": {"enabled": true, "interval": 2.5},
                       "application": {"enabled": true, "auto_instrument": false},
                       "network": {"enabled": true, "endpoints": ["127.0.0.1:8080"]},
                       "custom": {"business": {"revenue": true}}},
        "analysis": {"percentiles": [95], "window_size": 600, "anomaly_detection": false},
        "logging": {"log_significant_metrics": false, "threshold_p95": 250},
        "health": {"performance_alerts": false, "regression_threshold": 10},
        "retention": {"max_age_days": 3, "max_metrics_count": 500},
    }))
    .unwrap();
    assert!(w.is_empty(), "{w:?}");
    assert_eq!(c.collectors.system.interval, 2.5);
    assert!(!c.collectors.application.auto_instrument);
    assert_eq!(c.collectors.network.endpoints, ["127.0.0.1:8080"]);
    assert_eq!(c.collectors.custom, json!({"business": {"revenue": true}}));
    assert_eq!(c.analysis.window_size, 600.0);
    assert!(!c.analysis.anomaly_detection);
    assert_eq!(c.logging.threshold_p95, 250.0);
    assert_eq!(c.health.regression_threshold, 10.0);
    assert_eq!(
        (c.storage.max_age_days, c.storage.max_metrics_count),
        (3.0, 500)
    );
}

#[test]
fn unknown_keys_are_warnings_not_errors() {
    let (_, w) = read(json!({"colection": {}, "analysis": {"percentile": [50]},
        "retention": {"days": 3}, "filters": [{"name": "x", "samplerate": 0.5}]}))
    .unwrap();
    assert_eq!(
        w,
        [
            "retention.days",
            "analysis.percentile",
            "colection",
            "filters[0].samplerate"
        ]
    );
}

#[test]
fn wrong_types_are_errors_naming_the_path() {
    let cases = [
        (
            json!({"collection": {"collection_interval": "60"}}),
            "collection.collection_interval",
            "expected a number",
        ),
        (
            json!({"collection": {"enabled": 1}}),
            "collection.enabled",
            "expected a boolean",
        ),
        (
            json!({"performance": {"batch_size": 10.5}}),
            "performance.batch_size",
            "expected a non-negative integer",
        ),
        (
            json!({"performance": {"batch_size": -1}}),
            "performance.batch_size",
            "expected a non-negative integer",
        ),
        (json!({"analysis": []}), "analysis", "expected a mapping"),
        (
            json!({"analysis": {"percentiles": 95}}),
            "analysis.percentiles",
            "expected a list",
        ),
        (
            json!({"analysis": {"percentiles": [50, "p95"]}}),
            "analysis.percentiles[1]",
            "expected a number",
        ),
        (json!([1, 2]), "<root>", "expected a mapping"),
    ];
    for (v, path, msg) in cases {
        let e = read(v.clone()).unwrap_err().to_string();
        assert!(e.contains(path) && e.contains(msg), "{v} -> {e}");
    }
}

#[test]
fn out_of_range_values_are_errors() {
    let cases = [
        (
            json!({"collection": {"collection_interval": 0}}),
            "collection.collection_interval",
        ),
        (
            json!({"collection": {"collection_interval": -5}}),
            "collection.collection_interval",
        ),
        (
            json!({"collectors": {"system": {"interval": 0}}}),
            "collectors.system.interval",
        ),
        (
            json!({"analysis": {"percentiles": [0]}}),
            "analysis.percentiles",
        ),
        (
            json!({"analysis": {"percentiles": [50, 100.5]}}),
            "analysis.percentiles",
        ),
        (
            json!({"analysis": {"percentiles": []}}),
            "analysis.percentiles",
        ),
        (
            json!({"performance": {"collection_overhead_limit": 0}}),
            "collection_overhead_limit",
        ),
        (
            json!({"performance": {"collection_overhead_limit": 1.5}}),
            "collection_overhead_limit",
        ),
        (
            json!({"performance": {"batch_size": 0}}),
            "performance.batch_size",
        ),
        (
            json!({"performance": {"histogram_significant_digits": 6}}),
            "histogram_significant_digits",
        ),
        (
            json!({"retention": {"max_age_days": 0}}),
            "storage.max_age_days",
        ),
        (
            json!({"filters": [{"name": "x", "sample_rate": 1.5}]}),
            "filters[0]",
        ),
        (json!({"filters": [{"sample_rate": 0.5}]}), "filters[0]"),
        (
            json!({"filters": [{"name": "x", "value_range": [5, 1]}]}),
            "filters[0]",
        ),
        (
            json!({"filters": [{"name": "x", "rate_limit": 0}]}),
            "filters[0]",
        ),
        (json!({"filters": [{"name": "[x"}]}), "filters[0]"),
        (json!({"filters": [{"name": ""}]}), "filters[0]"),
        (json!(5), "<root>"),
    ];
    for (v, path) in cases {
        let e = read(v.clone()).unwrap_err().to_string();
        assert!(e.contains(path), "{v} -> {e}");
    }
    // 100 itself is a valid percentile.
    assert!(read(json!({"analysis": {"percentiles": [100]}})).is_ok());
}

#[test]
fn filters_are_read() {
    let (c, _) = read(json!({"filters": [{"name": "db_*", "sample_rate": 0.25,
        "tag_filters": {"db": "main"}, "value_range": [0, 1e6], "rate_limit": 100}]}))
    .unwrap();
    let f = &c.filters[0];
    assert_eq!(
        (f.name.as_str(), f.sample_rate, f.rate_limit, f.enabled),
        ("db_*", 0.25, Some(100), true)
    );
    assert_eq!(f.value_range, Some((0.0, 1e6)));
    assert_eq!(f.tag_filters["db"], "main");
}

proptest! {
    /// Any subset of valid overrides yields exactly those values, defaults elsewhere.
    #[test]
    fn merge_takes_overrides_and_keeps_defaults(
        interval in proptest::option::of(0.001f64..1e6),
        batch in proptest::option::of(1u64..100_000),
        pcts in proptest::option::of(proptest::collection::vec(0.01f64..=100.0, 1..6)),
        enabled in proptest::option::of(any::<bool>()),
        age in proptest::option::of(0.01f64..1000.0),
    ) {
        let mut v = json!({});
        if let Some(i) = interval { v["collection"] = json!({"collection_interval": i}); }
        if let Some(e) = enabled { v["analysis"] = json!({"enabled": e}); }
        if let Some(p) = &pcts { v["analysis"]["percentiles"] = json!(p); }
        if let Some(b) = batch { v["performance"] = json!({"batch_size": b}); }
        if let Some(a) = age { v["retention"] = json!({"max_age_days": a}); }
        let (c, w) = MetricsConfiguration::from_value(&v).unwrap();
        let d = MetricsConfiguration::default();
        prop_assert!(w.is_empty());
        prop_assert_eq!(c.collection.collection_interval, interval.unwrap_or(d.collection.collection_interval));
        prop_assert_eq!(c.performance.batch_size, batch.unwrap_or(d.performance.batch_size));
        prop_assert_eq!(&c.analysis.percentiles, pcts.as_ref().unwrap_or(&d.analysis.percentiles));
        prop_assert_eq!(c.analysis.enabled, enabled.unwrap_or(true));
        prop_assert_eq!(c.storage.max_age_days, age.unwrap_or(d.storage.max_age_days));
        prop_assert_eq!(c.analysis.window_size, d.analysis.window_size);
        prop_assert_eq!(&c.integration, &d.integration);
    }
}

#[test]
fn limits_name_the_field_and_quote_the_value_briefly() {
    for (v, want) in [
        (
            json!({"collectors": {"system": {"interval": 1e300}}}),
            "`collectors.system.interval` = 1e300: must be at most 31536000 seconds (one year)",
        ),
        (
            json!({"health": {"thresholds": 5}}),
            "`health.thresholds` = 5: must be a mapping of SELECTOR[:STAT] to {warning_max, critical_max, warning_min, critical_min}",
        ),
        (
            // Rust prints this as 0.000…0001234; the error shows it in exponent form.
            json!({"logging": {"threshold_p95": -0.000000000000000000001234}}),
            "`logging.threshold_p95` = -1.234e-21: must be a finite number ≥ 0",
        ),
        (
            json!({"performance": {"buffer_capacity": 99_999_999}}),
            "`performance.buffer_capacity` = 99999999: must be at most 16777216",
        ),
    ] {
        let e = read(v.clone()).unwrap_err().to_string();
        assert!(e.contains(want), "{v} -> {e}");
    }
}

#[test]
fn thresholds_that_are_not_a_mapping_are_one_finding_at_their_own_path() {
    // Regression: `f0 validate` reported this twice, once as the metrics config and once as
    // the analyze thresholds.
    let s = crate::util::Scratch::new();
    let recipe = s.write(
        "r.yaml",
        "config:\n  health: {thresholds: 5}\nsteps:\n  - {name: a, idx: 1, module: f0.builtin, function: Noop}\n",
    );
    let out = s.run(&["validate", recipe.to_str().unwrap()]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "{stdout}");
    let errors: Vec<&str> = stdout.lines().filter(|l| l.starts_with("ERROR")).collect();
    assert_eq!(errors.len(), 1, "{stdout}");
    assert!(
        errors[0].contains("recipe.config.health.thresholds") && errors[0].contains("got 5"),
        "{stdout}"
    );
}
