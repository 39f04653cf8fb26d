//! Unit tests of the system health checks (kept beside `checks.rs`).

use super::*;
use crate::events::check::MetricValue;

#[test]
fn cpu_and_memory_use_framework0_bounds_and_messages() {
    let cpu = |t| CpuReading {
        total: t,
        per_core: vec![t, t],
        frequency_mhz: Some(2445.404),
    };
    let cases = [
        (95.0, HealthStatus::Critical, "Critical CPU usage: 95.0%"),
        (80.0, HealthStatus::Warning, "High CPU usage: 80.0%"),
        (79.94, HealthStatus::Healthy, "Normal CPU usage: 79.9%"),
    ];
    for (v, status, msg) in cases {
        let r = cpu_check(Ok(cpu(v)), 1.0, 1.0, 2.0);
        assert_eq!((r.status, r.message.as_str()), (status, msg));
    }
    let r = cpu_check(Ok(cpu(1.0)), 1.0, 1.0, 2.0);
    let names: Vec<&str> = r.metrics.iter().map(|m| m.name.as_str()).collect();
    assert_eq!(
        names,
        [
            "cpu_usage_total",
            "cpu_core_count",
            "cpu_core_0_usage",
            "cpu_core_1_usage",
            "cpu_frequency"
        ]
    );
    assert_eq!(r.metrics[1].value, MetricValue::Int(2));
    assert_eq!(r.metrics[2].source.as_deref(), Some("cpu_core_0"));
    let failed = cpu_check(Err("no /proc/stat".into()), 0.5, 1.0, 2.0);
    assert_eq!(
        (failed.status, failed.message.as_str()),
        (HealthStatus::Unknown, "CPU check failed: no /proc/stat")
    );
    let mem = MemoryReading {
        percent: 85.0,
        total: 100,
        available: 15,
        used: 85,
        swap: None,
    };
    let r = memory_check(Ok(mem), 0.0, 1.0, 1.0);
    assert_eq!(
        (r.status, r.message.as_str(), r.metric_count),
        (HealthStatus::Warning, "High memory usage: 85.0%", 4)
    );
}

#[test]
fn disks_are_named_by_mount_point_and_judged_per_path() {
    let d = |m: &str, used: u64| DiskReading {
        mount: m.into(),
        total: 100,
        free: 100 - used,
        used,
    };
    let r = disk_check(
        Ok(vec![d("/", 50), d("/var/lib", 85), d("/empty", 0)]),
        0.0,
        1.0,
        1.0,
    );
    assert_eq!(
        (r.status, r.message.as_str()),
        (HealthStatus::Warning, "High disk usage on: /var/lib")
    );
    assert_eq!(r.metrics[0].name, "disk_usage_percent_root");
    assert_eq!(r.metrics[3].name, "disk_usage_percent_var_lib");
    let max = r.metrics.last().unwrap();
    assert_eq!(
        (max.name.as_str(), max.value.as_f64()),
        ("disk_usage_max_percent", Some(85.0))
    );
    let r = disk_check(Ok(vec![d("/", 90), d("/b", 95)]), 0.0, 1.0, 1.0);
    assert_eq!(r.message, "Critical disk usage on: /, /b");
    let r = disk_check(Ok(vec![d("/", 12)]), 0.0, 1.0, 1.0);
    assert_eq!(r.message, "Normal disk usage, max: 12.0%");
}

#[test]
fn connectivity_is_unknown_without_hosts_and_judged_with_them() {
    let r = connectivity_check(&[], 0.0, 1.0, 1.0);
    assert_eq!(r.status, HealthStatus::Unknown);
    assert!(
        r.message.contains("8.8.8.8:53, 1.1.1.1:53, google.com:80"),
        "{}",
        r.message
    );
    assert_eq!(r.metrics[0].metadata["dialled"], false);
    let dial = |h: &str, ok: bool| HostDial {
        host: h.into(),
        port: 80,
        dial: Dial::Attempted {
            connected: ok,
            seconds: 0.01,
        },
    };
    let r = connectivity_check(
        &[dial("127.0.0.1", true), dial("10.0.0.1", false)],
        0.0,
        1.0,
        1.0,
    );
    assert_eq!(
        (r.status, r.message.as_str()),
        (HealthStatus::Healthy, "Network connectivity OK: 1/2")
    );
    assert_eq!(r.metrics[0].name, "connection_127_0_0_1_80");
    assert_eq!(r.metrics[0].value, MetricValue::Int(1));
    let unresolved = HostDial {
        host: "nowhere.invalid".into(),
        port: 1,
        dial: Dial::Unresolved("no such host".into()),
    };
    let r = connectivity_check(
        &[
            dial("127.0.0.1", true),
            unresolved.clone(),
            dial("10.0.0.1", false),
        ],
        0.0,
        1.0,
        1.0,
    );
    assert_eq!(
        r.message,
        "Limited connectivity: ['nowhere.invalid:1', '10.0.0.1:80']"
    );
    let r = connectivity_check(&[unresolved], 0.0, 1.0, 1.0);
    assert_eq!((r.status, r.metric_count), (HealthStatus::Critical, 1));
}
