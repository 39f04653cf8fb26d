//! Health thresholds, alerts and checks (COMPAT.md §6).

use framework0::events::{
    checks_from_readings, default_thresholds, overall_status, thresholds_from_config, Alert,
    AlertLevel, EventsError, HealthStatus, Threshold,
};
use framework0::metrics::{MetricType, MetricUnit, PerformanceMetric};
use serde_json::json;

fn pct(name: &str, v: f64, source: &str) -> PerformanceMetric {
    PerformanceMetric::new(name, v, MetricType::Resource, MetricUnit::Percent)
        .unwrap()
        .with_source(source)
}

fn both(wmin: f64, wmax: f64, cmin: f64, cmax: f64) -> Threshold {
    Threshold {
        metric_name: "m".into(),
        warning_min: Some(wmin),
        warning_max: Some(wmax),
        critical_min: Some(cmin),
        critical_max: Some(cmax),
        enabled: true,
    }
}

#[test]
fn critical_is_evaluated_first_with_strict_bounds() {
    let t = both(20.0, 80.0, 10.0, 95.0);
    let cases = [
        (95.5, Some(AlertLevel::Critical)),
        (95.0, Some(AlertLevel::Warning)), // equal to the critical bound: not critical
        (80.0, None),                      // equal to the warning bound: inside
        (80.000001, Some(AlertLevel::Warning)),
        (50.0, None),
        (20.0, None),
        (19.9, Some(AlertLevel::Warning)),
        (10.0, Some(AlertLevel::Warning)),
        (9.99, Some(AlertLevel::Critical)),
        (-1e9, Some(AlertLevel::Critical)),
    ];
    for (v, want) in cases {
        assert_eq!(t.evaluate(v), want, "value {v}");
    }
    // A value beyond both bounds is critical even when warning bounds are tighter.
    let inverted = both(0.0, 50.0, 0.0, 60.0);
    assert_eq!(inverted.evaluate(70.0), Some(AlertLevel::Critical));
    let off = Threshold {
        enabled: false,
        ..t
    };
    assert_eq!(off.evaluate(1e9), None);
}

#[test]
fn alert_messages_and_ids_match_framework0() {
    let t = Threshold::max("cpu_usage_total", 80.0, 95.0);
    let cpu = pct("cpu_usage_total", 100.0, "system_cpu");
    let a = Alert::new(&cpu, &t, AlertLevel::Critical, 1_760_357_696.9);
    assert_eq!(
        a.message,
        "CRITICAL: cpu_usage_total is 100.0 % from system_cpu (critical thresholds: min=None, max=95.0)"
    );
    assert_eq!(a.alert_id, "cpu_usage_total_1760357696");
    assert_eq!(a.status, HealthStatus::Critical);
    let w = Alert::new(
        &pct("cpu_usage_total", 87.25, "system_cpu"),
        &t,
        AlertLevel::Warning,
        1.0,
    );
    assert_eq!(
        w.message,
        "WARNING: cpu_usage_total is 87.25 % from system_cpu (warning thresholds: min=None, max=80.0)"
    );
    let v = serde_json::to_value(&a).unwrap();
    assert_eq!(
        v,
        json!({
            "alert_id": "cpu_usage_total_1760357696",
            "metric_name": "cpu_usage_total",
            "metric_value": 100.0,
            "metric_unit": "%",
            "threshold_config": {"metric_name": "cpu_usage_total", "warning_min": null, "warning_max": 80.0,
                                 "critical_min": null, "critical_max": 95.0, "enabled": true},
            "alert_level": "critical",
            "status": "critical",
            "timestamp": 1_760_357_696.9,
            "source": "system_cpu",
            "message": a.message,
        })
    );
}

#[test]
fn checks_group_by_source_and_take_the_worst_status() {
    let readings = vec![
        pct("cpu_usage_total", 100.0, "system_cpu"),
        pct("memory_usage_percent", 90.0, "system_memory"),
        pct("swap_usage_percent", 99.0, "system_memory"), // no threshold: healthy
    ];
    let (results, alerts) = checks_from_readings(Ok(readings), 0.2, &default_thresholds(), 5.0);
    assert_eq!(results.len(), 2);
    assert_eq!(results[0].check_name, "system_cpu");
    assert_eq!(results[0].status, HealthStatus::Critical);
    assert_eq!(results[1].status, HealthStatus::Warning);
    assert_eq!(results[1].metric_count, 2);
    assert!(results
        .iter()
        .all(|r| r.execution_time >= 0.2 && r.timestamp == 5.0));
    assert_eq!(alerts.len(), 2);
    assert_eq!(overall_status(&results), HealthStatus::Critical);
    let v = serde_json::to_value(&results[1]).unwrap();
    let keys: Vec<&str> = v.as_object().unwrap().keys().map(String::as_str).collect();
    for k in [
        "check_name",
        "status",
        "message",
        "metrics",
        "execution_time",
        "timestamp",
        "error",
        "metric_count",
    ] {
        assert!(keys.contains(&k), "{k} missing: {keys:?}");
    }

    let healthy = vec![pct("cpu_usage_total", 12.0, "system_cpu")];
    let (r, a) = checks_from_readings(Ok(healthy), 0.0, &default_thresholds(), 0.0);
    assert_eq!((overall_status(&r), a.len()), (HealthStatus::Healthy, 0));
    assert_eq!(r[0].message, "All 1 metric(s) within thresholds");

    let (r, a) = checks_from_readings(
        Err(EventsError::Probe("no /proc".into())),
        0.0,
        &default_thresholds(),
        0.0,
    );
    assert_eq!(overall_status(&r), HealthStatus::Unknown);
    assert_eq!(r[0].error.as_deref(), Some("system probe failed: no /proc"));
    assert!(a.is_empty());
    assert_eq!(overall_status(&[]), HealthStatus::Unknown);
}

#[test]
fn threshold_config_is_parsed_strictly() {
    let cfg = json!({
        "cpu_usage_total": {"warning_max": 80.0, "critical_max": 95},
        "disk": {"critical_min": 1.5, "enabled": false},
    });
    let t = thresholds_from_config(&cfg, "config.thresholds").unwrap();
    assert_eq!(
        t["cpu_usage_total"],
        Threshold::max("cpu_usage_total", 80.0, 95.0)
    );
    assert!(!t["disk"].enabled);
    for (bad, field) in [
        (
            json!({"cpu": {"warn_max": 1}}),
            "config.thresholds.cpu.warn_max",
        ),
        (
            json!({"cpu": {"warning_max": "high"}}),
            "config.thresholds.cpu.warning_max",
        ),
        (
            json!({"cpu": {"enabled": 1}}),
            "config.thresholds.cpu.enabled",
        ),
        (json!({"cpu": 3}), "config.thresholds.cpu"),
        (json!([1]), "config.thresholds"),
    ] {
        match thresholds_from_config(&bad, "config.thresholds") {
            Err(EventsError::InvalidConfig { field: f, .. }) => assert_eq!(f, field, "{bad}"),
            other => panic!("{bad}: {other:?}"),
        }
    }
}

#[test]
fn the_local_probe_reads_cpu_and_memory_percentages() {
    let (results, _) = framework0::events::system_checks(&default_thresholds(), 0.0);
    let names: Vec<&str> = results.iter().map(|r| r.check_name.as_str()).collect();
    assert_eq!(names, ["system_cpu", "system_memory"]);
    for r in &results {
        assert_eq!(r.metric_count, 1);
        let m = &r.metrics[0];
        assert!((0.0..=100.0).contains(&m.value), "{} = {}", m.name, m.value);
        assert_eq!(m.unit, MetricUnit::Percent);
    }
}
