//! The one home of cheap kernel readings: what the system collector needs beyond `sysinfo`
//! (network interfaces `/proc/net/dev`, whole-disk I/O `/proc/diskstats`, the CPU clock
//! `/sys/.../scaling_cur_freq` or `/proc/cpuinfo`, disk space `statvfs`) and this process's
//! own figures, which the runner's per-step measurement and the metrics layer use too: CPU
//! time (`getrusage`), resident set (`/proc/self/statm`); the per-step readings of peak RSS and I/O bytes keep
//! their files open in [`super::self_probe`]; and the same figures of
//! a child process ([`read_process`]: its CPU clock, `/proc/<pid>/status`, `/proc/<pid>/io`).
//!
//! One file read per probe, into a buffer kept between samples. The parsers are pure
//! functions of the file text so tests feed them fixed text. Where a file does not exist
//! (off Linux) the collector leaves its metrics out.

use std::io::Read;
use std::path::Path;

/// Cumulative counters of one network interface (`/proc/net/dev`).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct IfCounters {
    /// Interface name, e.g. `eth0`.
    pub name: String,
    /// Bytes received.
    pub bytes_recv: u64,
    /// Packets received.
    pub packets_recv: u64,
    /// Bytes sent.
    pub bytes_sent: u64,
    /// Packets sent.
    pub packets_sent: u64,
}

/// Cumulative I/O counters summed over whole disks (`/proc/diskstats`; partitions excluded).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct DiskCounters {
    /// Reads completed.
    pub read_count: u64,
    /// Bytes read (sectors × 512).
    pub read_bytes: u64,
    /// Writes completed.
    pub write_count: u64,
    /// Bytes written (sectors × 512).
    pub write_bytes: u64,
}

/// Parses `/proc/net/dev`: two header lines, then `name: rx_bytes rx_packets … tx_bytes
/// tx_packets …` (receive fields 1–8, transmit fields 9–16). Malformed lines are skipped.
pub fn parse_net_dev(text: &str) -> Vec<IfCounters> {
    text.lines()
        .filter_map(|line| {
            let (name, rest) = line.split_once(':')?;
            let f: Vec<u64> = rest
                .split_whitespace()
                .map(str::parse)
                .collect::<Result<_, _>>()
                .ok()?;
            (f.len() >= 10).then(|| IfCounters {
                name: name.trim().to_owned(),
                bytes_recv: f[0],
                packets_recv: f[1],
                bytes_sent: f[8],
                packets_sent: f[9],
            })
        })
        .collect()
}

/// Parses `/proc/diskstats` (`major minor name reads merged sectors ms writes merged
/// sectors …`), summing the devices for which `whole_disk(name)` holds. Sectors are always
/// 512 bytes in this file.
pub fn parse_diskstats(text: &str, whole_disk: impl Fn(&str) -> bool) -> DiskCounters {
    let mut total = DiskCounters::default();
    for line in text.lines() {
        let f: Vec<&str> = line.split_whitespace().collect();
        if f.len() < 10 || !whole_disk(f[2]) {
            continue;
        }
        let n = |i: usize| f[i].parse::<u64>().unwrap_or(0);
        total.read_count = total.read_count.saturating_add(n(3));
        total.read_bytes = total.read_bytes.saturating_add(n(5).saturating_mul(512));
        total.write_count = total.write_count.saturating_add(n(7));
        total.write_bytes = total.write_bytes.saturating_add(n(9).saturating_mul(512));
    }
    total
}

/// Mean of the `cpu MHz` lines of `/proc/cpuinfo` (None when there are none).
pub fn parse_cpuinfo_mhz(text: &str) -> Option<f64> {
    let (sum, n) = text
        .lines()
        .filter(|l| l.starts_with("cpu MHz"))
        .filter_map(|l| l.split_once(':')?.1.trim().parse::<f64>().ok())
        .fold((0.0, 0u32), |(s, n), x| (s + x, n + 1));
    (n > 0).then(|| sum / f64::from(n))
}

/// Reads a whole file into `buf` (cleared first), reusing its allocation.
pub fn read_into(path: &Path, buf: &mut String) -> std::io::Result<()> {
    buf.clear();
    std::fs::File::open(path)?.read_to_string(buf)?;
    Ok(())
}

/// Names of whole disks: the entries of `/sys/block` (what psutil counts), empty off Linux.
pub fn whole_disk_names() -> Vec<String> {
    std::fs::read_dir("/sys/block")
        .map(|d| {
            d.flatten()
                .map(|e| e.file_name().to_string_lossy().into_owned())
                .collect()
        })
        .unwrap_or_default()
}

/// Where the CPU clock is read from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FreqSource {
    /// `scaling_cur_freq` of each CPU (kHz).
    Sysfs(Vec<std::path::PathBuf>),
    /// `/proc/cpuinfo` `cpu MHz` lines.
    Cpuinfo,
    /// Nothing readable.
    None,
}

impl FreqSource {
    /// Picks the cheapest readable source for `cpus` CPUs.
    pub fn detect(cpus: usize) -> FreqSource {
        let paths: Vec<_> = (0..cpus)
            .map(|i| {
                std::path::PathBuf::from(format!(
                    "/sys/devices/system/cpu/cpu{i}/cpufreq/scaling_cur_freq"
                ))
            })
            .collect();
        if !paths.is_empty() && paths.iter().all(|p| p.exists()) {
            FreqSource::Sysfs(paths)
        } else if std::fs::read_to_string("/proc/cpuinfo")
            .ok()
            .and_then(|t| parse_cpuinfo_mhz(&t))
            .is_some()
        {
            FreqSource::Cpuinfo
        } else {
            FreqSource::None
        }
    }

    /// The mean current CPU clock in MHz, reading into `buf`.
    pub fn read_mhz(&self, buf: &mut String) -> Option<f64> {
        match self {
            FreqSource::Sysfs(paths) => {
                let mut sum = 0.0;
                for p in paths {
                    read_into(p, buf).ok()?;
                    sum += buf.trim().parse::<f64>().ok()? / 1000.0;
                }
                Some(sum / paths.len() as f64)
            }
            FreqSource::Cpuinfo => {
                read_into(Path::new("/proc/cpuinfo"), buf).ok()?;
                parse_cpuinfo_mhz(buf)
            }
            FreqSource::None => None,
        }
    }
}

/// Space of one file system, bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DiskSpace {
    /// Size of the file system.
    pub total: u64,
    /// Used blocks (total − free).
    pub used: u64,
    /// Free to unprivileged users (what `df` shows as available).
    pub available: u64,
}

impl DiskSpace {
    /// psutil's `disk_usage().percent`: used / (used + available) × 100 (0 when both are 0).
    pub fn percent(&self) -> f64 {
        let denom = self.used as f64 + self.available as f64;
        if denom > 0.0 {
            self.used as f64 / denom * 100.0
        } else {
            0.0
        }
    }
}

/// Space of the file system holding `path` (`statvfs`).
// The statvfs field types differ between platforms (u32 on some), hence the casts.
#[allow(clippy::unnecessary_cast)]
pub fn disk_space(path: &Path) -> std::io::Result<DiskSpace> {
    use std::os::unix::ffi::OsStrExt;
    let c = std::ffi::CString::new(path.as_os_str().as_bytes())
        .map_err(|e| std::io::Error::new(std::io::ErrorKind::InvalidInput, e))?;
    // SAFETY: zeroed statvfs is a valid out-parameter; `c` is a NUL-terminated path.
    let mut st: libc::statvfs = unsafe { std::mem::zeroed() };
    // SAFETY: both pointers are valid for the call.
    if unsafe { libc::statvfs(c.as_ptr(), &mut st) } != 0 {
        return Err(std::io::Error::last_os_error());
    }
    let frsize = st.f_frsize as u64;
    let blocks = |n| (n as u64).saturating_mul(frsize);
    Ok(DiskSpace {
        total: blocks(st.f_blocks),
        used: blocks(st.f_blocks.saturating_sub(st.f_bfree)),
        available: blocks(st.f_bavail),
    })
}

/// CPU time (user + system) this process has used, nanoseconds (`getrusage(RUSAGE_SELF)`).
pub fn process_cpu_ns() -> u64 {
    process_usage().cpu_ns
}

/// What one `getrusage(RUSAGE_SELF)` says (zeros where it fails).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct ProcessUsage {
    /// User + system CPU time of every thread, ns.
    pub cpu_ns: u64,
    /// `ru_maxrss`, KiB: the larger of the address space's peak-resident mark (which
    /// `/proc/self/clear_refs` resets) and the marks the process's exited threads left behind
    /// (which nothing resets).
    pub max_rss_kib: u64,
}

/// CPU time and peak resident set of this process from one `getrusage(RUSAGE_SELF)`.
pub fn process_usage() -> ProcessUsage {
    // SAFETY: zeroed rusage is a valid out-parameter for getrusage.
    let mut ru: libc::rusage = unsafe { std::mem::zeroed() };
    // SAFETY: `ru` is valid and writable; RUSAGE_SELF is a valid target.
    if unsafe { libc::getrusage(libc::RUSAGE_SELF, &mut ru) } != 0 {
        return ProcessUsage::default();
    }
    ProcessUsage {
        cpu_ns: timeval_ns(ru.ru_utime).saturating_add(timeval_ns(ru.ru_stime)),
        max_rss_kib: u64::try_from(ru.ru_maxrss).unwrap_or(0),
    }
}

/// A `timeval` in nanoseconds.
pub fn timeval_ns(t: libc::timeval) -> u64 {
    (t.tv_sec.max(0) as u64)
        .saturating_mul(1_000_000_000)
        .saturating_add((t.tv_usec.max(0) as u64).saturating_mul(1000))
}

/// Resident set size of this process in bytes (`/proc/self/statm`), None where unavailable.
pub fn resident_set_bytes() -> Option<u64> {
    let statm = std::fs::read_to_string("/proc/self/statm").ok()?;
    let pages: u64 = statm.split_whitespace().nth(1)?.parse().ok()?;
    // SAFETY: sysconf with a valid name has no preconditions.
    let page = unsafe { libc::sysconf(libc::_SC_PAGESIZE) };
    u64::try_from(page).ok().map(|p| pages.saturating_mul(p))
}

/// The KiB figure of a `/proc/<pid>/status` line starting with `field` (e.g. `VmHWM:`).
pub fn parse_status_kib(text: &str, field: &str) -> Option<u64> {
    text.lines()
        .find_map(|l| l.strip_prefix(field))
        .and_then(|rest| rest.split_whitespace().next()?.parse().ok())
}

/// `rchar` and `wchar` of a `/proc/<pid>/io` text (0 for a missing line).
pub fn parse_io(text: &str) -> (u64, u64) {
    let get = |name: &str| {
        text.lines()
            .find_map(|l| l.strip_prefix(name))
            .and_then(|v| v.trim().parse().ok())
            .unwrap_or(0)
    };
    (get("rchar:"), get("wchar:"))
}

/// `utime + stime` (clock ticks) of a `/proc/<pid>/stat` text: fields 14 and 15, counted
/// after the parenthesised command name (which may itself hold spaces and parentheses).
pub fn parse_stat_cpu_ticks(text: &str) -> Option<u64> {
    let rest = &text[text.rfind(')')? + 1..];
    let mut f = rest.split_whitespace().skip(11);
    let utime: u64 = f.next()?.parse().ok()?;
    let stime: u64 = f.next()?.parse().ok()?;
    Some(utime.saturating_add(stime))
}

/// Resource counters of another process of this user (a worker this process started).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ProcessReading {
    /// User + system CPU time of all its threads, ns.
    pub cpu_ns: u64,
    /// Resident set, bytes (`VmRSS`).
    pub rss_bytes: u64,
    /// Peak resident set since the last [`reset_peak_rss_of`], bytes (`VmHWM`).
    pub peak_rss_bytes: u64,
    /// Bytes read through read syscalls (`rchar`).
    pub read_bytes: u64,
    /// Bytes written through write syscalls (`wchar`).
    pub write_bytes: u64,
}

/// Reads `/proc/<pid>/status` and `/proc/<pid>/io` and the process's CPU clock; None when
/// the process is gone (or off Linux).
pub fn read_process(pid: u32) -> Option<ProcessReading> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let (read_bytes, write_bytes) = std::fs::read_to_string(format!("/proc/{pid}/io"))
        .map(|t| parse_io(&t))
        .unwrap_or((0, 0));
    Some(ProcessReading {
        cpu_ns: process_cpu_ns_of(pid).unwrap_or(0),
        rss_bytes: parse_status_kib(&status, "VmRSS:").unwrap_or(0) * 1024,
        peak_rss_bytes: parse_status_kib(&status, "VmHWM:").unwrap_or(0) * 1024,
        read_bytes,
        write_bytes,
    })
}

/// Resets the peak-resident-set mark of process `pid` (`/proc/<pid>/clear_refs`, value 5;
/// best effort: kernels without it keep the process-wide peak).
pub fn reset_peak_rss_of(pid: u32) {
    let _ = std::fs::write(format!("/proc/{pid}/clear_refs"), "5");
}

/// CPU time of every thread of process `pid`, ns: its CPU clock (`clock_getcpuclockid`,
/// nanosecond resolution), else `/proc/<pid>/stat` (clock ticks, typically 10 ms).
pub fn process_cpu_ns_of(pid: u32) -> Option<u64> {
    let id = libc::pid_t::try_from(pid).ok()?;
    let mut clock: libc::clockid_t = 0;
    // SAFETY: `clock` is a valid out-parameter.
    if unsafe { libc::clock_getcpuclockid(id, &mut clock) } == 0 {
        // SAFETY: zeroed timespec is a valid out-parameter for clock_gettime.
        let mut ts: libc::timespec = unsafe { std::mem::zeroed() };
        // SAFETY: `ts` is valid and writable; `clock` came from clock_getcpuclockid.
        if unsafe { libc::clock_gettime(clock, &mut ts) } == 0 {
            let secs = u64::try_from(ts.tv_sec).unwrap_or(0);
            let nanos = u64::try_from(ts.tv_nsec).unwrap_or(0);
            return Some(secs.saturating_mul(1_000_000_000).saturating_add(nanos));
        }
    }
    let ticks = parse_stat_cpu_ticks(&std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?)?;
    // SAFETY: sysconf with a valid name has no preconditions.
    let hz = u64::try_from(unsafe { libc::sysconf(libc::_SC_CLK_TCK) })
        .ok()?
        .max(1);
    Some(ticks.saturating_mul(1_000_000_000) / hz)
}

#[cfg(test)]
mod tests {
    use super::*;

    const NET_DEV: &str = "Inter-|   Receive                                                |  Transmit
 face |bytes    packets errs drop fifo frame compressed multicast|bytes    packets errs drop fifo colls carrier compressed
    lo:    3193      29    0    0    0     0          0         0     3193      29    0    0    0     0       0          0
  eth0: 382497087   14444    0    0    0     0          0         0  1023388   11191    0    0    0     0       0          0
";

    #[test]
    fn net_dev_fields_land_in_place() {
        let v = parse_net_dev(NET_DEV);
        assert_eq!(v.len(), 2);
        assert_eq!(
            v[1],
            IfCounters {
                name: "eth0".into(),
                bytes_recv: 382_497_087,
                packets_recv: 14_444,
                bytes_sent: 1_023_388,
                packets_sent: 11_191,
            }
        );
        assert_eq!(v[0].name, "lo");
        assert!(parse_net_dev("garbage\n x: 1 2\n").is_empty());
    }

    #[test]
    fn diskstats_sums_whole_disks_only() {
        let text = "   8       0 sda 100 5 2000 30 50 2 800 10 0 40 40 0 0 0 0
   8       1 sda1 90 5 1800 30 40 2 600 10 0 40 40 0 0 0 0
 259       0 nvme0n1 10 0 16 1 3 0 24 1 0 2 2
";
        let d = parse_diskstats(text, |n| n == "sda" || n == "nvme0n1");
        assert_eq!(
            d,
            DiskCounters {
                read_count: 110,
                read_bytes: (2000 + 16) * 512,
                write_count: 53,
                write_bytes: (800 + 24) * 512,
            }
        );
    }

    #[test]
    fn cpuinfo_mhz_is_the_mean() {
        let t = "processor\t: 0\ncpu MHz\t\t: 2000.000\nprocessor\t: 1\ncpu MHz\t\t: 3000.500\n";
        assert_eq!(parse_cpuinfo_mhz(t), Some(2500.25));
        assert_eq!(parse_cpuinfo_mhz("processor: 0\n"), None);
    }

    #[test]
    fn statvfs_of_root_and_a_missing_path() {
        let d = disk_space(Path::new("/")).unwrap();
        assert!(d.total > 0 && d.available <= d.total && d.used <= d.total);
        assert!((0.0..=100.0).contains(&d.percent()));
        let half = DiskSpace {
            total: 100,
            used: 30,
            available: 30,
        };
        assert_eq!(half.percent(), 50.0);
        assert!(disk_space(Path::new("/no/such/dir/f0")).is_err());
    }

    #[test]
    fn rss_is_reported_and_grows_with_touched_memory() {
        let before = resident_set_bytes().expect("linux /proc");
        let v = vec![1u8; 64 << 20];
        let after = resident_set_bytes().unwrap();
        assert!(after >= before + (48 << 20), "{before} -> {after}");
        drop(std::hint::black_box(v));
    }

    #[test]
    fn proc_parsers_read_their_fields() {
        let stat = "4242 (py (x) y) S 1 4242 4242 0 -1 4194304 900 0 0 0 57 13 0 0 20 0 1 0";
        assert_eq!(parse_stat_cpu_ticks(stat), Some(70));
        assert_eq!(parse_stat_cpu_ticks("garbage"), None);
        let status = "Name:\tpython3\nVmHWM:\t   10240 kB\nVmRSS:\t    9000 kB\n";
        assert_eq!(parse_status_kib(status, "VmHWM:"), Some(10240));
        assert_eq!(parse_status_kib(status, "VmRSS:"), Some(9000));
        assert_eq!(parse_status_kib(status, "VmSwap:"), None);
        let io = "rchar: 120\nwchar: 45\nsyscr: 3\n";
        assert_eq!(parse_io(io), (120, 45));
    }

    #[test]
    fn another_process_is_read_through_its_pid() {
        let me = std::process::id();
        let r = read_process(me).expect("own /proc entry");
        assert!(
            r.cpu_ns > 0 && r.rss_bytes > 0 && r.peak_rss_bytes >= r.rss_bytes / 2,
            "{r:?}"
        );
        assert!(read_process(u32::MAX - 7).is_none());
    }

    #[test]
    fn process_cpu_time_grows_with_work() {
        // Spin until 10 ms of CPU are counted (a loaded machine may give this thread a small
        // share of the wall clock); a reading that never grows fails at the deadline.
        let before = process_cpu_ns();
        let mut x = 0u64;
        let t = std::time::Instant::now();
        while process_cpu_ns() < before + 10_000_000 {
            for _ in 0..10_000 {
                x = x.wrapping_mul(6364136223846793005).wrapping_add(1);
            }
            assert!(t.elapsed().as_secs() < 60, "CPU time did not grow in 60 s");
        }
        std::hint::black_box(x);
    }
}
