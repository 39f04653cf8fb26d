//! Health thresholds, alerts and checks (COMPAT.md §6).

use framework0::events::{
    default_thresholds, overall_from_alerts, process_results, thresholds_from_config, ActiveAlerts,
    Alert, AlertLevel, CheckResult, EventsError, HealthMetric, HealthMetricType, HealthStatus,
    Threshold,
};
use serde_json::json;

fn pct(name: &str, v: f64, source: &str, ts: f64) -> HealthMetric {
    HealthMetric::new(name, v, HealthMetricType::SystemResource, "%", source, ts)
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
    let cpu = pct(
        "cpu_usage_total",
        100.0,
        "system_cpu",
        1_796_113_345.141_098_3,
    );
    let a = Alert::new(&cpu, &t, AlertLevel::Critical, 1_796_113_345.142_088_2);
    assert_eq!(
        a.message,
        "CRITICAL: cpu_usage_total is 100.0 % from system_cpu (critical thresholds: min=None, max=95.0)"
    );
    // Framework0's id: the metric and the reading's timestamp as Python prints the float.
    assert_eq!(a.alert_id, "cpu_usage_total_1796113345.1410983");
    assert_eq!(a.status, HealthStatus::Critical);
    let w = Alert::new(
        &pct("cpu_usage_total", 87.25, "system_cpu", 1.0),
        &t,
        AlertLevel::Warning,
        1.0,
    );
    assert_eq!(
        w.message,
        "WARNING: cpu_usage_total is 87.25 % from system_cpu (warning thresholds: min=None, max=80.0)"
    );
    // The golden alert of Framework0's health_comprehensive_test run, key for key.
    let golden: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(crate::util::shared(
            "framework0/golden/health_comprehensive_test.context.json",
        ))
        .unwrap(),
    )
    .unwrap();
    let g = &golden["health.latest_processing"][1]["alerts"][0];
    let mut v = serde_json::to_value(&a).unwrap();
    assert_eq!(v["alert_id"], g["alert_id"]);
    assert_eq!(v["message"], g["message"]);
    assert_eq!(v["threshold_config"], g["threshold_config"]);
    v["timestamp"] = g["timestamp"].clone();
    assert_eq!(&v, g);
}

#[test]
fn processing_raises_alerts_and_the_overall_status_follows_them() {
    let m = |name: &str, v: f64| pct(name, v, "system_memory", 5.0);
    let results = vec![
        CheckResult::new(
            "cpu_usage",
            HealthStatus::Critical,
            "c".into(),
            vec![pct("cpu_usage_total", 100.0, "system_cpu", 5.0)],
            1.0,
            5.0,
        ),
        CheckResult::new(
            "memory_usage",
            HealthStatus::Warning,
            "m".into(),
            vec![
                m("memory_usage_percent", 90.0),
                m("swap_usage_percent", 99.0),
            ],
            0.25,
            5.0,
        ),
    ];
    let mut active = ActiveAlerts::default();
    let p = process_results(&results, &default_thresholds(), &mut active, 6.0);
    assert_eq!(p.alerts.len(), 2, "swap has no threshold");
    assert_eq!(p.summary.total_metrics, 3);
    assert_eq!(p.summary.status_summary.critical, 1);
    assert_eq!(
        overall_from_alerts(&p.active_alerts),
        HealthStatus::Critical
    );
    // A later reading within its threshold clears the alert; the other one stays in force.
    let calm = vec![CheckResult::new(
        "cpu_usage",
        HealthStatus::Healthy,
        "c".into(),
        vec![pct("cpu_usage_total", 10.0, "system_cpu", 7.0)],
        1.0,
        7.0,
    )];
    let p = process_results(&calm, &default_thresholds(), &mut active, 8.0);
    assert!(p.alerts.is_empty());
    let left: Vec<&str> = p
        .active_alerts
        .iter()
        .map(|a| a.metric_name.as_str())
        .collect();
    assert_eq!(left, ["memory_usage_percent"]);
    assert_eq!(active.overall_status(), HealthStatus::Warning);
    let none = process_results(
        &[],
        &default_thresholds(),
        &mut ActiveAlerts::default(),
        0.0,
    );
    assert_eq!(
        overall_from_alerts(&none.active_alerts),
        HealthStatus::Healthy
    );
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
fn a_threshold_naming_another_metric_says_which_it_is_listed_under() {
    let bad = json!({"cpu": {"metric_name": "mem", "warning_max": 1}});
    let e = thresholds_from_config(&bad, "config.thresholds").unwrap_err();
    assert_eq!(
        e.to_string(),
        "invalid config.thresholds.cpu.metric_name: is \"mem\", but the threshold is listed under 'cpu'"
    );
    let same = json!({"cpu": {"metric_name": "cpu", "warning_max": 1}});
    assert!(thresholds_from_config(&same, "config.thresholds").is_ok());
}

#[test]
fn unknown_ranks_between_healthy_and_warning_and_alert_levels_map_to_statuses() {
    let (h, u, w, c) = (
        HealthStatus::Healthy,
        HealthStatus::Unknown,
        HealthStatus::Warning,
        HealthStatus::Critical,
    );
    assert_eq!(h.worst(u), u);
    assert_eq!(u.worst(h), u);
    assert_eq!(u.worst(w), w);
    assert_eq!(c.worst(u), c);
    let names: Vec<&str> = HealthStatus::ALL.iter().map(|s| s.as_str()).collect();
    assert_eq!(names, ["healthy", "warning", "critical", "unknown"]);
    for (level, name, status) in [
        (AlertLevel::Info, "info", h),
        (AlertLevel::Warning, "warning", w),
        (AlertLevel::Critical, "critical", c),
        (AlertLevel::Emergency, "emergency", c),
    ] {
        assert_eq!((level.as_str(), level.status()), (name, status));
        assert_eq!(
            serde_json::to_value(level).unwrap(),
            name,
            "the JSON spelling"
        );
    }
}
