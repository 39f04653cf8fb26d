//! `SystemMetricsCollector`: CPU, memory, swap, disk, network and this process, in
//! Framework0's metric names (COMPAT.md §4), source `system_collector`.
//!
//! **No sample ever sleeps.** CPU usage, rates and this process's CPU share are deltas
//! between two consecutive samples: the collector keeps the previous refresh (sysinfo keeps
//! the previous `/proc/stat` times; this module keeps the previous counters), so the
//! **first sample only primes** and emits the level metrics (memory, swap, disk space,
//! cumulative counters, clock, RSS). Every later sample emits everything. Framework0's Python
//! collector slept a second inside each sample instead (`psutil.cpu_percent(interval=1)`).
//!
//! A sample refreshes only what it reports: `/proc/stat` (through sysinfo), `/proc/meminfo`
//! (sysinfo), `/proc/net/dev`, `/proc/diskstats`, the CPU clock, one `statvfs` and
//! `getrusage` — a few hundred microseconds (see `benches/collect.rs`).
//!
//! Metrics (type, unit):
//! - `cpu_usage_total`, `cpu_usage_core_{i}` (resource, %); `cpu_frequency_current` (gauge,
//!   `count`: MHz, the unit set has no MHz).
//! - `memory_usage_percent` ((total − available) / total, resource, %), `memory_total_bytes`,
//!   `memory_available_bytes`, `memory_used_bytes`, `swap_used_bytes` (resource, bytes),
//!   `swap_usage_percent` (resource, %).
//! - `disk_usage_percent` (psutil's used / (used + available), resource, %),
//!   `disk_total_gb`, `disk_used_gb` (resource, `count`: GiB, the unit set has no GB) of the
//!   file system holding `disk_path` (default `/`).
//! - `disk_read_bytes`, `disk_write_bytes` (counter, bytes), `disk_read_count`,
//!   `disk_write_count` (counter, count): totals since boot over whole disks; rates
//!   `disk_read_bytes_per_sec`, `disk_write_bytes_per_sec` (throughput, bytes per second),
//!   `disk_read_count_per_sec`, `disk_write_count_per_sec` (throughput, ops/s).
//! - `network_bytes_sent`, `network_bytes_recv` (counter, bytes), `network_packets_sent`,
//!   `network_packets_recv` (counter, count) and their `_per_sec` rates (throughput; bytes
//!   per second, ops/s): untagged = all interfaces, tagged `interface` = one interface.
//! - `process_cpu_percent` (this process, resource, %; 100 = one core busy),
//!   `process_rss_bytes` (resource, bytes).
//! - The collector's own cost, tagged `collector: system`: `collector_sample_duration`
//!   (timing, ns, wall time of the sample) and `collector_overhead_percent` (resource, %:
//!   CPU time spent sampling ÷ wall time since the first sample).

use std::path::{Path, PathBuf};
use std::time::Instant;

use sysinfo::{CpuRefreshKind, MemoryRefreshKind, System};

use super::emit::Emitter;
use super::{CollectError, Collector};
use crate::metrics::clock::{epoch_now_ns, thread_cpu_ns};
use crate::metrics::{MetricType, MetricUnit, PerformanceMetric};
use crate::util::procfs::{self, DiskCounters, FreqSource, IfCounters};

/// The `source` of system metrics.
pub const SYSTEM_SOURCE: &str = "system_collector";

const GIB: f64 = 1024.0 * 1024.0 * 1024.0;

/// Counters of the previous sample, for deltas.
struct Prev {
    at: Instant,
    disk: Option<DiskCounters>,
    nets: Vec<IfCounters>,
    process_cpu_ns: u64,
}

/// Samples system metrics; see the module docs.
pub struct SystemMetricsCollector {
    sys: System,
    freq: FreqSource,
    whole_disks: Vec<String>,
    disk_path: PathBuf,
    buf: String,
    prev: Option<Prev>,
    first_at: Option<Instant>,
    sampling_cpu_ns: u64,
}

impl SystemMetricsCollector {
    /// A collector reporting the disk space of the file system holding `disk_path`.
    /// Fails when `disk_path` cannot be `statvfs`'d.
    pub fn new(disk_path: impl Into<PathBuf>) -> Result<Self, CollectError> {
        let disk_path = disk_path.into();
        procfs::disk_space(&disk_path).map_err(|e| {
            CollectError::probe(format!("disk space of {}", disk_path.display()), e)
        })?;
        let sys = System::new().map_err(|e| {
            CollectError::probe("system information", std::io::Error::other(e.to_string()))
        })?;
        let cpus = std::thread::available_parallelism().map_or(1, usize::from);
        Ok(SystemMetricsCollector {
            sys,
            freq: FreqSource::detect(cpus),
            whole_disks: procfs::whole_disk_names(),
            disk_path,
            buf: String::with_capacity(8192),
            prev: None,
            first_at: None,
            sampling_cpu_ns: 0,
        })
    }

    /// Whether the first (priming) sample has been taken.
    pub fn is_primed(&self) -> bool {
        self.prev.is_some()
    }

    fn read_nets(&mut self) -> Vec<IfCounters> {
        match procfs::read_into(Path::new("/proc/net/dev"), &mut self.buf) {
            Ok(()) => procfs::parse_net_dev(&self.buf),
            Err(_) => Vec::new(),
        }
    }

    fn read_disk(&mut self) -> Option<DiskCounters> {
        procfs::read_into(Path::new("/proc/diskstats"), &mut self.buf).ok()?;
        let names = &self.whole_disks;
        Some(procfs::parse_diskstats(&self.buf, |n| {
            names.iter().any(|w| w == n)
        }))
    }

    fn cpu(&mut self, e: &mut Emitter<'_>, primed: bool) {
        self.sys
            .refresh_cpu_specifics(CpuRefreshKind::nothing().with_usage());
        if primed {
            e.push(
                "cpu_usage_total",
                f64::from(self.sys.global_cpu_usage()),
                MetricType::Resource,
                MetricUnit::Percent,
            );
            for (i, c) in self.sys.cpus().iter().enumerate() {
                e.push(
                    format!("cpu_usage_core_{i}"),
                    f64::from(c.usage()),
                    MetricType::Resource,
                    MetricUnit::Percent,
                );
            }
        }
        if let Some(mhz) = self.freq.read_mhz(&mut self.buf) {
            e.push(
                "cpu_frequency_current",
                mhz,
                MetricType::Gauge,
                MetricUnit::Count,
            );
        }
    }

    fn memory(&mut self, e: &mut Emitter<'_>) {
        self.sys
            .refresh_memory_specifics(MemoryRefreshKind::nothing().with_ram().with_swap());
        let (total, avail) = (self.sys.total_memory(), self.sys.available_memory());
        let pct = |part: u64, whole: u64| {
            if whole == 0 {
                0.0
            } else {
                part as f64 / whole as f64 * 100.0
            }
        };
        let (r, b, p) = (MetricType::Resource, MetricUnit::Bytes, MetricUnit::Percent);
        e.push(
            "memory_usage_percent",
            pct(total.saturating_sub(avail), total),
            r,
            p,
        );
        e.push("memory_total_bytes", total as f64, r, b);
        e.push("memory_available_bytes", avail as f64, r, b);
        e.push("memory_used_bytes", self.sys.used_memory() as f64, r, b);
        let (swap_total, swap_used) = (self.sys.total_swap(), self.sys.used_swap());
        e.push("swap_usage_percent", pct(swap_used, swap_total), r, p);
        e.push("swap_used_bytes", swap_used as f64, r, b);
    }

    fn disk_space(&self, e: &mut Emitter<'_>) {
        if let Ok(d) = procfs::disk_space(&self.disk_path) {
            let r = MetricType::Resource;
            e.push("disk_usage_percent", d.percent(), r, MetricUnit::Percent);
            e.push("disk_total_gb", d.total as f64 / GIB, r, MetricUnit::Count);
            e.push("disk_used_gb", d.used as f64 / GIB, r, MetricUnit::Count);
        }
    }
}

/// Emits four cumulative counters and, with a previous value and `dt` seconds, their rates.
/// `names` are (total name, unit) pairs; rates get `_per_sec`.
fn counters_and_rates(
    e: &mut Emitter<'_>,
    names: [(&str, MetricUnit); 4],
    now: [u64; 4],
    prev: Option<([u64; 4], f64)>,
    tags: &[(&str, &str)],
) {
    for (i, (name, unit)) in names.iter().enumerate() {
        e.push_tagged(*name, now[i] as f64, MetricType::Counter, *unit, tags);
        if let Some((before, dt)) = prev {
            if dt > 0.0 {
                // A counter that went down was reset: no rate for that interval.
                let rate = now[i].saturating_sub(before[i]) as f64 / dt;
                let rate_unit = match unit {
                    MetricUnit::Bytes => MetricUnit::Bytes,
                    _ => MetricUnit::OpsPerSecond,
                };
                e.push_tagged(
                    format!("{name}_per_sec"),
                    rate,
                    MetricType::Throughput,
                    rate_unit,
                    tags,
                );
            }
        }
    }
}

const NET_NAMES: [(&str, MetricUnit); 4] = [
    ("network_bytes_sent", MetricUnit::Bytes),
    ("network_bytes_recv", MetricUnit::Bytes),
    ("network_packets_sent", MetricUnit::Count),
    ("network_packets_recv", MetricUnit::Count),
];
const DISK_NAMES: [(&str, MetricUnit); 4] = [
    ("disk_read_bytes", MetricUnit::Bytes),
    ("disk_write_bytes", MetricUnit::Bytes),
    ("disk_read_count", MetricUnit::Count),
    ("disk_write_count", MetricUnit::Count),
];

fn net_array(c: &IfCounters) -> [u64; 4] {
    [c.bytes_sent, c.bytes_recv, c.packets_sent, c.packets_recv]
}

fn disk_array(d: &DiskCounters) -> [u64; 4] {
    [d.read_bytes, d.write_bytes, d.read_count, d.write_count]
}

fn sum_nets(nets: &[IfCounters]) -> [u64; 4] {
    nets.iter().map(net_array).fold([0; 4], |mut acc, a| {
        for i in 0..4 {
            acc[i] = acc[i].saturating_add(a[i]);
        }
        acc
    })
}

impl SystemMetricsCollector {
    /// Disk and network counters and their rates since the previous sample (per interface
    /// too, tagged `interface`).
    fn io_rates(
        &self,
        e: &mut Emitter<'_>,
        disk: Option<&DiskCounters>,
        nets: &[IfCounters],
        dt: f64,
    ) {
        if let Some(d) = disk {
            let before = self
                .prev
                .as_ref()
                .and_then(|p| p.disk.as_ref())
                .map(|p| (disk_array(p), dt));
            counters_and_rates(e, DISK_NAMES, disk_array(d), before, &[]);
        }
        if nets.is_empty() {
            return;
        }
        let before = self.prev.as_ref().map(|p| (sum_nets(&p.nets), dt));
        counters_and_rates(e, NET_NAMES, sum_nets(nets), before, &[]);
        for n in nets {
            let before = self
                .prev
                .as_ref()
                .and_then(|p| p.nets.iter().find(|o| o.name == n.name))
                .map(|o| (net_array(o), dt));
            counters_and_rates(
                e,
                NET_NAMES,
                net_array(n),
                before,
                &[("interface", &n.name)],
            );
        }
    }

    /// This process's CPU share since the previous sample and its resident set; returns the
    /// CPU time read, for the next sample.
    fn process(&self, e: &mut Emitter<'_>, dt: f64) -> u64 {
        let process_cpu_ns = procfs::process_cpu_ns();
        if let Some(p) = &self.prev {
            if dt > 0.0 {
                let used = process_cpu_ns.saturating_sub(p.process_cpu_ns) as f64 / 1e9;
                e.push(
                    "process_cpu_percent",
                    used / dt * 100.0,
                    MetricType::Resource,
                    MetricUnit::Percent,
                );
            }
        }
        if let Some(rss) = procfs::resident_set_bytes() {
            e.push(
                "process_rss_bytes",
                rss as f64,
                MetricType::Resource,
                MetricUnit::Bytes,
            );
        }
        process_cpu_ns
    }
}

impl Collector for SystemMetricsCollector {
    fn source(&self) -> &'static str {
        SYSTEM_SOURCE
    }

    fn sample(&mut self, out: &mut Vec<PerformanceMetric>) -> Result<(), CollectError> {
        let started = Instant::now();
        let cpu_before = thread_cpu_ns();
        let mut e = Emitter::new(out, epoch_now_ns(), SYSTEM_SOURCE);
        let primed = self.prev.is_some();
        let dt = self
            .prev
            .as_ref()
            .map_or(0.0, |p| started.duration_since(p.at).as_secs_f64());
        self.cpu(&mut e, primed);
        self.memory(&mut e);
        self.disk_space(&mut e);

        let disk = self.read_disk();
        let nets = self.read_nets();
        self.io_rates(&mut e, disk.as_ref(), &nets, dt);
        let process_cpu_ns = self.process(&mut e, dt);
        self.prev = Some(Prev {
            at: started,
            disk,
            nets,
            process_cpu_ns,
        });
        let first = *self.first_at.get_or_insert(started);
        self.sampling_cpu_ns += thread_cpu_ns().saturating_sub(cpu_before);
        let tag = [("collector", "system")];
        e.push_tagged(
            "collector_sample_duration",
            started.elapsed().as_nanos() as f64,
            MetricType::Timing,
            MetricUnit::Nanoseconds,
            &tag,
        );
        let wall = started.duration_since(first).as_secs_f64() + started.elapsed().as_secs_f64();
        if primed && wall > 0.0 {
            e.push_tagged(
                "collector_overhead_percent",
                self.sampling_cpu_ns as f64 / 1e9 / wall * 100.0,
                MetricType::Resource,
                MetricUnit::Percent,
                &tag,
            );
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(v: &[PerformanceMetric]) -> Vec<&str> {
        v.iter().map(|m| m.name.as_str()).collect()
    }

    #[test]
    fn first_sample_primes_then_everything_is_reported() {
        let mut c = SystemMetricsCollector::new("/").unwrap();
        let mut first = Vec::new();
        c.sample(&mut first).unwrap();
        assert!(c.is_primed());
        let n = names(&first);
        assert!(!n.contains(&"cpu_usage_total"), "{n:?}");
        assert!(!n.contains(&"process_cpu_percent"));
        for level in [
            "memory_usage_percent",
            "memory_total_bytes",
            "disk_usage_percent",
            "disk_total_gb",
            "process_rss_bytes",
            "collector_sample_duration",
        ] {
            assert!(n.contains(&level), "{level} missing from {n:?}");
        }
        std::thread::sleep(std::time::Duration::from_millis(50));
        let mut second = Vec::new();
        c.sample(&mut second).unwrap();
        let n = names(&second);
        for m in [
            "cpu_usage_total",
            "cpu_usage_core_0",
            "process_cpu_percent",
            "collector_overhead_percent",
            "network_bytes_recv_per_sec",
        ] {
            assert!(n.contains(&m), "{m} missing from {n:?}");
        }
        for m in &second {
            assert!(m.value.is_finite() && m.value >= 0.0, "{m:?}");
            assert_eq!(m.source.as_deref(), Some(SYSTEM_SOURCE));
            if m.unit == MetricUnit::Percent && m.name.starts_with("cpu_usage") {
                assert!(m.value <= 100.0 + 1e-9, "{m:?}");
            }
        }
        let total = second
            .iter()
            .find(|m| m.name == "memory_total_bytes")
            .unwrap();
        let used = second
            .iter()
            .find(|m| m.name == "memory_used_bytes")
            .unwrap();
        assert!(total.value > 0.0 && used.value <= total.value);
        let lo = second.iter().find(|m| {
            m.name == "network_bytes_recv" && m.tags.get("interface").is_some_and(|i| i == "lo")
        });
        assert!(lo.is_some(), "loopback interface has its own series");
    }

    #[test]
    fn a_missing_disk_path_is_refused() {
        let err = SystemMetricsCollector::new("/no/such/dir").err().unwrap();
        assert!(err.to_string().contains("/no/such/dir"), "{err}");
    }

    #[test]
    fn rates_are_deltas_over_the_interval() {
        let mut v = Vec::new();
        let mut e = Emitter::new(&mut v, 1, SYSTEM_SOURCE);
        counters_and_rates(
            &mut e,
            NET_NAMES,
            [300, 50, 9, 1],
            Some(([100, 60, 5, 1], 2.0)),
            &[],
        );
        let get = |n: &str| v.iter().find(|m| m.name == n).unwrap().value;
        assert_eq!(get("network_bytes_sent"), 300.0);
        assert_eq!(get("network_bytes_sent_per_sec"), 100.0);
        assert_eq!(
            get("network_bytes_recv_per_sec"),
            0.0,
            "a reset counter gives no rate"
        );
        assert_eq!(get("network_packets_sent_per_sec"), 2.0);
        let unit = v
            .iter()
            .find(|m| m.name == "network_packets_sent_per_sec")
            .unwrap()
            .unit;
        assert_eq!(unit, MetricUnit::OpsPerSecond);
    }
}
