//! The probe behind Framework0's system health checks: reads this machine (CPU over a
//! sampling interval, memory and swap, every mounted filesystem) and dials the hosts a
//! recipe lists — never a public host of its own accord — then builds the checks with
//! [`crate::events::checks`].
//!
//! Readings follow psutil, which Framework0 reads: CPU and memory percentages rounded to one
//! decimal (`cpu_percent`, `virtual_memory().percent` = (total − available) / total), swap
//! percent = used / total, disk usage = used / total per mount point (`statvfs`), the CPU
//! clock in MHz.

use std::net::{TcpStream, ToSocketAddrs};
use std::path::Path;
use std::time::{Duration, Instant};

use sysinfo::{CpuRefreshKind, Disks, MemoryRefreshKind, System};

use crate::events::checks::{
    connectivity_check, cpu_check, disk_check, memory_check, CpuReading, Dial, DiskReading,
    HostDial, MemoryReading, SwapReading,
};
use crate::events::CheckResult;
use crate::scriptlet::ScriptletError;
use crate::util::epoch_seconds;
use crate::util::procfs::{disk_space, FreqSource};

/// Which checks run and how (Framework0's `system_resources` switches plus the hosts to
/// dial).
#[derive(Debug, Clone, PartialEq)]
pub struct ProbePlan {
    /// Run the `cpu_usage` check.
    pub cpu: bool,
    /// Run the `memory_usage` check.
    pub memory: bool,
    /// Run the `disk_usage` check.
    pub disk: bool,
    /// Run the `internet_connectivity` check.
    pub network: bool,
    /// CPU sampling interval (Framework0: 1 s).
    pub cpu_interval: Duration,
    /// Hosts to dial, `(host, port)`; empty: nothing is dialled.
    pub hosts: Vec<(String, u16)>,
    /// Timeout of one dial (Framework0: 5 s).
    pub dial_timeout: Duration,
}

impl Default for ProbePlan {
    fn default() -> Self {
        ProbePlan {
            cpu: true,
            memory: true,
            disk: true,
            network: true,
            cpu_interval: Duration::from_secs(1),
            hosts: Vec::new(),
            dial_timeout: Duration::from_secs(5),
        }
    }
}

/// Rounds to one decimal, as psutil's percentages.
fn round1(x: f64) -> f64 {
    (x * 10.0).round() / 10.0
}

fn percent(part: u64, whole: u64) -> f64 {
    if whole == 0 {
        0.0
    } else {
        part as f64 / whole as f64 * 100.0
    }
}

/// Runs the checks `plan` enables, in Framework0's order; `sleep` waits out the CPU sampling
/// interval (and fails on cancellation).
pub fn system_health(
    plan: &ProbePlan,
    sleep: &dyn Fn(Duration) -> Result<(), ScriptletError>,
) -> Result<Vec<CheckResult>, ScriptletError> {
    let mut out = Vec::new();
    let mut sys = System::new().map_err(|e| e.to_string());
    if plan.cpu {
        let started = Instant::now();
        let reading = match &mut sys {
            Ok(sys) => read_cpu(sys, plan.cpu_interval, sleep)?,
            Err(e) => Err(e.clone()),
        };
        let ts = epoch_seconds();
        out.push(cpu_check(
            reading,
            started.elapsed().as_secs_f64(),
            ts,
            epoch_seconds(),
        ));
    }
    if plan.memory {
        let started = Instant::now();
        let reading = sys.as_mut().map_err(|e| e.clone()).and_then(read_memory);
        let ts = epoch_seconds();
        out.push(memory_check(
            reading,
            started.elapsed().as_secs_f64(),
            ts,
            epoch_seconds(),
        ));
    }
    if plan.disk {
        let started = Instant::now();
        let reading = read_disks();
        let ts = epoch_seconds();
        out.push(disk_check(
            reading,
            started.elapsed().as_secs_f64(),
            ts,
            epoch_seconds(),
        ));
    }
    if plan.network {
        let started = Instant::now();
        let dials: Vec<HostDial> = plan
            .hosts
            .iter()
            .map(|(h, p)| dial(h, *p, plan.dial_timeout))
            .collect();
        let ts = epoch_seconds();
        out.push(connectivity_check(
            &dials,
            started.elapsed().as_secs_f64(),
            ts,
            epoch_seconds(),
        ));
    }
    Ok(out)
}

fn read_cpu(
    sys: &mut System,
    interval: Duration,
    sleep: &dyn Fn(Duration) -> Result<(), ScriptletError>,
) -> Result<Result<CpuReading, String>, ScriptletError> {
    let kind = CpuRefreshKind::nothing().with_usage();
    sys.refresh_cpu_specifics(kind);
    sleep(interval.max(sysinfo::MINIMUM_CPU_UPDATE_INTERVAL))?;
    sys.refresh_cpu_specifics(kind);
    let cores: Vec<f64> = sys
        .cpus()
        .iter()
        .map(|c| round1(f64::from(c.usage())))
        .collect();
    if cores.is_empty() {
        return Ok(Err("no CPU readable in /proc/stat".to_owned()));
    }
    let mut buf = String::new();
    Ok(Ok(CpuReading {
        total: round1(f64::from(sys.global_cpu_usage())),
        frequency_mhz: FreqSource::detect(cores.len()).read_mhz(&mut buf),
        per_core: cores,
    }))
}

fn read_memory(sys: &mut System) -> Result<MemoryReading, String> {
    sys.refresh_memory_specifics(MemoryRefreshKind::nothing().with_ram().with_swap());
    let (total, available) = (sys.total_memory(), sys.available_memory());
    if total == 0 {
        return Err("no memory size readable in /proc/meminfo".to_owned());
    }
    let (swap_total, swap_used) = (sys.total_swap(), sys.used_swap());
    Ok(MemoryReading {
        percent: round1(percent(total.saturating_sub(available), total)),
        total,
        available,
        used: sys.used_memory(),
        swap: Some(SwapReading {
            percent: round1(percent(swap_used, swap_total)),
            total: swap_total,
            used: swap_used,
        }),
    })
}

fn read_disks() -> Result<Vec<DiskReading>, String> {
    let disks = Disks::new_with_refreshed_list().map_err(|e| e.to_string())?;
    let mut mounts: Vec<&Path> = disks.iter().map(|d| d.mount_point()).collect();
    if mounts.is_empty() {
        mounts.push(Path::new("/"));
    }
    mounts.sort();
    mounts.dedup();
    Ok(mounts
        .into_iter()
        .filter_map(|m| {
            // A mount point that cannot be read is skipped, as Framework0 skips it.
            let s = disk_space(m).ok()?;
            Some(DiskReading {
                mount: m.display().to_string(),
                total: s.total,
                free: s.available,
                used: s.used,
            })
        })
        .collect())
}

/// One TCP connection attempt to `host:port` (resolved first; an unresolvable name is no
/// attempt, as in Framework0).
pub fn dial(host: &str, port: u16, timeout: Duration) -> HostDial {
    let started = Instant::now();
    let dial = match (host, port).to_socket_addrs().map(|mut a| a.next()) {
        Ok(Some(addr)) => Dial::Attempted {
            connected: TcpStream::connect_timeout(&addr, timeout).is_ok(),
            seconds: started.elapsed().as_secs_f64(),
        },
        Ok(None) => Dial::Unresolved(format!("{host} has no address")),
        Err(e) => Dial::Unresolved(e.to_string()),
    };
    HostDial {
        host: host.to_owned(),
        port,
        dial,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::events::HealthStatus;

    #[test]
    fn the_machine_gives_framework0s_four_checks() {
        let plan = ProbePlan {
            cpu_interval: Duration::from_millis(100),
            ..ProbePlan::default()
        };
        let results = system_health(&plan, &|d| {
            std::thread::sleep(d);
            Ok(())
        })
        .unwrap();
        let names: Vec<&str> = results.iter().map(|r| r.check_name.as_str()).collect();
        assert_eq!(
            names,
            [
                "cpu_usage",
                "memory_usage",
                "disk_usage",
                "internet_connectivity"
            ]
        );
        for r in &results[..3] {
            assert!(r.error.is_none() && r.metric_count > 1, "{r:?}");
        }
        let cpu = results[0].metrics[0].value.as_f64().unwrap();
        assert!((0.0..=100.0).contains(&cpu), "{cpu}");
        assert_eq!(
            results[3].status,
            HealthStatus::Unknown,
            "nothing was dialled"
        );
    }

    #[test]
    fn dialling_a_loopback_listener_connects_and_a_closed_port_does_not() {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let ok = dial("127.0.0.1", port, Duration::from_secs(2));
        assert!(
            matches!(
                ok.dial,
                Dial::Attempted {
                    connected: true,
                    ..
                }
            ),
            "{ok:?}"
        );
        drop(listener);
        let closed = dial("127.0.0.1", port, Duration::from_secs(2));
        assert!(
            matches!(
                closed.dial,
                Dial::Attempted {
                    connected: false,
                    ..
                }
            ),
            "{closed:?}"
        );
    }
}
