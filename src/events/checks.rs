//! Framework0's four system health checks, built from readings taken elsewhere (the probe
//! that reads this machine is `crate::framework0::health_probe`; tests pass readings in).
//!
//! The check names, metric names, units, sources and messages are Framework0's:
//! - `cpu_usage`: `cpu_usage_total`, `cpu_core_count`, `cpu_core_{i}_usage`,
//!   `cpu_frequency`; critical at ≥ 95 %, warning at ≥ 80 %
//!   (`Critical CPU usage: 97.5%`, `High …`, `Normal …`).
//! - `memory_usage`: `memory_usage_percent`, `memory_total`, `memory_available`,
//!   `memory_used`, and `swap_usage_percent`, `swap_total`, `swap_used`; ≥ 95 / ≥ 85 %.
//! - `disk_usage`: per mount point `disk_usage_percent_{p}`, `disk_total_{p}`,
//!   `disk_free_{p}` (`p` the path with `/` as `_`, `root` for `/`) and
//!   `disk_usage_max_percent`; a path at ≥ 90 % is critical, ≥ 80 % a warning.
//! - `internet_connectivity`: per dialled host `connection_{host}_{port}` (1 or 0) and
//!   `connection_time_{host}_{port}` (seconds), and `connectivity_success_ratio`; none
//!   reachable is critical, under half a warning. Framework0 dials public hosts; f0 never
//!   does: without configured hosts the check is `unknown` and says which hosts Framework0
//!   would have needed.

use serde_json::json;

use super::check::{CheckResult, HealthMetric, HealthMetricType};
use super::health::HealthStatus;

const RESOURCE: HealthMetricType = HealthMetricType::SystemResource;

/// The hosts Framework0's connectivity check dials (never dialled here).
pub const FRAMEWORK0_HOSTS: [(&str, u16); 3] =
    [("8.8.8.8", 53), ("1.1.1.1", 53), ("google.com", 80)];

/// CPU usage, sampled over an interval.
#[derive(Debug, Clone, PartialEq)]
pub struct CpuReading {
    /// All cores, percent.
    pub total: f64,
    /// Per core, percent.
    pub per_core: Vec<f64>,
    /// Current frequency, MHz, when known.
    pub frequency_mhz: Option<f64>,
}

/// Memory and swap.
#[derive(Debug, Clone, PartialEq)]
pub struct MemoryReading {
    /// (total − available) / total, percent.
    pub percent: f64,
    /// Bytes.
    pub total: u64,
    /// Bytes.
    pub available: u64,
    /// Bytes.
    pub used: u64,
    /// Swap, when the system reports it.
    pub swap: Option<SwapReading>,
}

/// Swap space.
#[derive(Debug, Clone, PartialEq)]
pub struct SwapReading {
    /// Percent used (0 without swap).
    pub percent: f64,
    /// Bytes.
    pub total: u64,
    /// Bytes.
    pub used: u64,
}

/// One mounted filesystem.
#[derive(Debug, Clone, PartialEq)]
pub struct DiskReading {
    /// Mount point.
    pub mount: String,
    /// Bytes.
    pub total: u64,
    /// Bytes available.
    pub free: u64,
    /// Bytes used.
    pub used: u64,
}

/// The outcome of dialling one host.
#[derive(Debug, Clone, PartialEq)]
pub enum Dial {
    /// A TCP connection was attempted: whether it connected, and how long it took.
    Attempted {
        /// Connected.
        connected: bool,
        /// Seconds the attempt took.
        seconds: f64,
    },
    /// The address could not be resolved (no metrics, counted as failed, as Framework0).
    Unresolved(String),
}

/// A configured host and what dialling it gave.
#[derive(Debug, Clone, PartialEq)]
pub struct HostDial {
    /// Host name or address.
    pub host: String,
    /// TCP port.
    pub port: u16,
    /// The outcome.
    pub dial: Dial,
}

fn metric(
    name: String,
    value: impl Into<super::check::MetricValue>,
    unit: &str,
    source: &str,
    ts: f64,
) -> HealthMetric {
    HealthMetric::new(name, value, RESOURCE, unit, source, ts)
}

/// Framework0's `{:.1f}` message status: critical at ≥ `critical`, warning at ≥ `warning`.
fn level(value: f64, warning: f64, critical: f64) -> HealthStatus {
    if value >= critical {
        HealthStatus::Critical
    } else if value >= warning {
        HealthStatus::Warning
    } else {
        HealthStatus::Healthy
    }
}

fn worded(status: HealthStatus) -> &'static str {
    match status {
        HealthStatus::Critical => "Critical",
        HealthStatus::Warning => "High",
        _ => "Normal",
    }
}

/// The `cpu_usage` check of a reading taken at `ts` (a failed reading: status unknown).
pub fn cpu_check(
    reading: Result<CpuReading, String>,
    elapsed: f64,
    ts: f64,
    now: f64,
) -> CheckResult {
    let r = match reading {
        Ok(r) => r,
        Err(e) => return CheckResult::failed("cpu_usage", "CPU", &e, elapsed, now),
    };
    let mut metrics = vec![
        metric("cpu_usage_total".into(), r.total, "%", "system_cpu", ts),
        metric(
            "cpu_core_count".into(),
            r.per_core.len() as u64,
            "cores",
            "system_cpu",
            ts,
        ),
    ];
    for (i, c) in r.per_core.iter().enumerate() {
        metrics.push(metric(
            format!("cpu_core_{i}_usage"),
            *c,
            "%",
            &format!("cpu_core_{i}"),
            ts,
        ));
    }
    if let Some(f) = r.frequency_mhz {
        metrics.push(metric("cpu_frequency".into(), f, "MHz", "system_cpu", ts));
    }
    let status = level(r.total, 80.0, 95.0);
    let message = format!("{} CPU usage: {:.1}%", worded(status), r.total);
    CheckResult::new("cpu_usage", status, message, metrics, elapsed, now)
}

/// The `memory_usage` check.
pub fn memory_check(
    reading: Result<MemoryReading, String>,
    elapsed: f64,
    ts: f64,
    now: f64,
) -> CheckResult {
    let r = match reading {
        Ok(r) => r,
        Err(e) => return CheckResult::failed("memory_usage", "Memory", &e, elapsed, now),
    };
    let m = "system_memory";
    let mut metrics = vec![
        metric("memory_usage_percent".into(), r.percent, "%", m, ts),
        metric("memory_total".into(), r.total, "bytes", m, ts),
        metric("memory_available".into(), r.available, "bytes", m, ts),
        metric("memory_used".into(), r.used, "bytes", m, ts),
    ];
    if let Some(s) = &r.swap {
        metrics.push(metric(
            "swap_usage_percent".into(),
            s.percent,
            "%",
            "system_swap",
            ts,
        ));
        metrics.push(metric(
            "swap_total".into(),
            s.total,
            "bytes",
            "system_swap",
            ts,
        ));
        metrics.push(metric(
            "swap_used".into(),
            s.used,
            "bytes",
            "system_swap",
            ts,
        ));
    }
    let status = level(r.percent, 85.0, 95.0);
    let message = format!("{} memory usage: {:.1}%", worded(status), r.percent);
    CheckResult::new("memory_usage", status, message, metrics, elapsed, now)
}

/// A mount point as Framework0 names it in metrics: `/` → `root`, `/var/lib` → `var_lib`.
pub fn path_safe(mount: &str) -> String {
    let s = mount.replace(['/', '\\'], "_");
    let s = s.trim_matches('_');
    if s.is_empty() {
        "root".to_owned()
    } else {
        s.to_owned()
    }
}

/// The `disk_usage` check of the mounted filesystems (those of size 0 are skipped).
pub fn disk_check(
    reading: Result<Vec<DiskReading>, String>,
    elapsed: f64,
    ts: f64,
    now: f64,
) -> CheckResult {
    let disks = match reading {
        Ok(d) => d,
        Err(e) => return CheckResult::failed("disk_usage", "Disk", &e, elapsed, now),
    };
    let (mut metrics, mut max, mut critical, mut warning) =
        (Vec::new(), 0.0f64, Vec::new(), Vec::new());
    for d in disks.iter().filter(|d| d.total > 0) {
        let pct = d.used as f64 / d.total as f64 * 100.0;
        max = max.max(pct);
        match level(pct, 80.0, 90.0) {
            HealthStatus::Critical => critical.push(d.mount.as_str()),
            HealthStatus::Warning => warning.push(d.mount.as_str()),
            _ => {}
        }
        let p = path_safe(&d.mount);
        let source = format!("disk_{p}");
        metrics.push(metric(
            format!("disk_usage_percent_{p}"),
            pct,
            "%",
            &source,
            ts,
        ));
        metrics.push(metric(
            format!("disk_total_{p}"),
            d.total,
            "bytes",
            &source,
            ts,
        ));
        metrics.push(metric(
            format!("disk_free_{p}"),
            d.free,
            "bytes",
            &source,
            ts,
        ));
    }
    metrics.push(metric(
        "disk_usage_max_percent".into(),
        max,
        "%",
        "disk_summary",
        ts,
    ));
    let (status, message) = if !critical.is_empty() {
        (
            HealthStatus::Critical,
            format!("Critical disk usage on: {}", critical.join(", ")),
        )
    } else if !warning.is_empty() {
        (
            HealthStatus::Warning,
            format!("High disk usage on: {}", warning.join(", ")),
        )
    } else {
        (
            HealthStatus::Healthy,
            format!("Normal disk usage, max: {max:.1}%"),
        )
    };
    CheckResult::new("disk_usage", status, message, metrics, elapsed, now)
}

/// The `internet_connectivity` check of the configured hosts' dials; with no hosts
/// configured nothing was dialled and the check is `unknown`, naming the hosts Framework0
/// would have needed.
pub fn connectivity_check(dials: &[HostDial], elapsed: f64, ts: f64, now: f64) -> CheckResult {
    let name = "internet_connectivity";
    let net = |n: String, v: super::check::MetricValue, unit: &str, source: &str| {
        HealthMetric::new(n, v, HealthMetricType::Network, unit, source, ts)
    };
    if dials.is_empty() {
        let needed: Vec<String> = FRAMEWORK0_HOSTS
            .iter()
            .map(|(h, p)| format!("{h}:{p}"))
            .collect();
        let m = net(
            "connectivity_hosts_checked".into(),
            0u64.into(),
            "hosts",
            "network_summary",
        )
        .with_meta("dialled", json!(false))
        .with_meta("framework0_hosts", json!(needed));
        let message = format!(
            "Internet connectivity not checked: f0 dials no public host (Framework0 would dial {}); \
             list hosts to check under config.connectivity.hosts",
            needed.join(", ")
        );
        return CheckResult::new(name, HealthStatus::Unknown, message, vec![m], elapsed, now);
    }
    let (mut metrics, mut ok, mut failed) = (Vec::new(), 0usize, Vec::new());
    for d in dials {
        let safe = d.host.replace('.', "_");
        let source = format!("network_{safe}");
        match &d.dial {
            Dial::Attempted { connected, seconds } => {
                if *connected {
                    ok += 1;
                } else {
                    failed.push(format!("'{}:{}'", d.host, d.port));
                }
                let v = u64::from(*connected);
                metrics.push(net(
                    format!("connection_{safe}_{}", d.port),
                    v.into(),
                    "status",
                    &source,
                ));
                metrics.push(net(
                    format!("connection_time_{safe}_{}", d.port),
                    (*seconds).into(),
                    "seconds",
                    &source,
                ));
            }
            Dial::Unresolved(_) => failed.push(format!("'{}:{}'", d.host, d.port)),
        }
    }
    let ratio = ok as f64 / dials.len() as f64;
    metrics.push(net(
        "connectivity_success_ratio".into(),
        ratio.into(),
        "ratio",
        "network_summary",
    ));
    let (status, message) = if ok == 0 {
        (
            HealthStatus::Critical,
            "No internet connectivity detected".to_owned(),
        )
    } else if ratio < 0.5 {
        (
            HealthStatus::Warning,
            format!("Limited connectivity: [{}]", failed.join(", ")),
        )
    } else {
        (
            HealthStatus::Healthy,
            format!("Network connectivity OK: {ok}/{}", dials.len()),
        )
    };
    CheckResult::new(name, status, message, metrics, elapsed, now)
}

#[cfg(test)]
mod tests {
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
}
