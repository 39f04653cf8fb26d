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
#[path = "checks_tests.rs"]
mod tests;
