//! The /proc view of a profiled command: at a fixed interval, the command's process tree
//! (found through `/proc/PID/task/TID/children`) is read — CPU user and system time, resident
//! memory, bytes read and written, threads, processes — and summarised as peak and mean.
//!
//! This view needs no perf events: it is what a profile still shows where sampling is
//! refused. Final CPU times come from `wait4`'s resource usage (which includes every reaped
//! descendant), so they are exact even for children that lived between two samples; I/O is
//! the largest sum seen over the live tree (a lower bound when children exit between
//! samples).

use std::collections::HashMap;
use std::path::Path;
use std::time::Instant;

use serde::{Deserialize, Serialize};

/// One process's counters, parsed from `/proc/PID/stat` and `/proc/PID/io`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ProcCounters {
    /// User time, clock ticks (own + reaped children).
    pub utime_ticks: u64,
    /// System time, clock ticks (own + reaped children).
    pub stime_ticks: u64,
    /// Threads.
    pub threads: u64,
    /// Resident pages.
    pub rss_pages: u64,
    /// Bytes read through read syscalls (`rchar`).
    pub read_bytes: u64,
    /// Bytes written through write syscalls (`wchar`).
    pub write_bytes: u64,
}

/// Parses `/proc/PID/stat`: fields after the `(comm)` (which may hold spaces and parens).
/// `utime` is field 14, `stime` 15, `cutime` 16, `cstime` 17, `num_threads` 20, `rss` 24.
pub fn parse_stat(text: &str) -> Option<ProcCounters> {
    let rest = &text[text.rfind(')')? + 1..];
    let f: Vec<&str> = rest.split_whitespace().collect();
    // `rest` starts at field 3 (state).
    let num = |field: usize| f.get(field - 3).and_then(|v| v.parse::<i64>().ok());
    let ticks = |a: usize, b: usize| Some((num(a)?.max(0) + num(b)?.max(0)) as u64);
    Some(ProcCounters {
        utime_ticks: ticks(14, 16)?,
        stime_ticks: ticks(15, 17)?,
        threads: num(20)?.max(0) as u64,
        rss_pages: num(24)?.max(0) as u64,
        ..Default::default()
    })
}

/// Parses `/proc/PID/io` into `(rchar, wchar)`.
pub fn parse_io(text: &str) -> (u64, u64) {
    let field = |name: &str| {
        text.lines()
            .find_map(|l| l.strip_prefix(name)?.trim().parse::<u64>().ok())
            .unwrap_or(0)
    };
    (field("rchar:"), field("wchar:"))
}

/// `MemTotal` from `/proc/meminfo`, bytes (0 where unreadable).
pub fn total_memory_bytes() -> u64 {
    std::fs::read_to_string("/proc/meminfo")
        .ok()
        .and_then(|t| {
            t.lines().find_map(|l| {
                l.strip_prefix("MemTotal:")?
                    .trim()
                    .trim_end_matches("kB")
                    .trim()
                    .parse::<u64>()
                    .ok()
            })
        })
        .map_or(0, |kib| kib * 1024)
}

/// The tree at one instant.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize)]
pub struct TreeSample {
    /// Seconds since the command started.
    pub t_seconds: f64,
    /// Live processes in the tree.
    pub processes: u64,
    /// Threads over them.
    pub threads: u64,
    /// Resident memory summed, bytes.
    pub rss_bytes: u64,
    /// CPU user time so far over the live tree, seconds.
    pub cpu_user_seconds: f64,
    /// CPU system time so far over the live tree, seconds.
    pub cpu_sys_seconds: f64,
    /// Bytes read so far over the live tree.
    pub read_bytes: u64,
    /// Bytes written so far over the live tree.
    pub write_bytes: u64,
    /// Time spent runnable but waiting for a CPU so far (main threads), seconds.
    pub run_queue_seconds: f64,
}

/// Samples a process tree rooted at one pid.
pub struct TreeSampler {
    root: u32,
    started: Instant,
    tick_seconds: f64,
    page_bytes: u64,
    /// Samples taken, oldest first.
    pub samples: Vec<TreeSample>,
    /// Latest run-queue wait per pid, ns (kept after the process exits).
    run_delay: HashMap<u32, u64>,
}

/// Parses `/proc/PID/schedstat` (`cpu_ns run_delay_ns timeslices`) into the run-queue wait.
pub fn parse_schedstat(text: &str) -> Option<u64> {
    text.split_whitespace().nth(1)?.parse().ok()
}

fn read(path: &Path) -> Option<String> {
    std::fs::read_to_string(path).ok()
}

/// The pids of `root` and its descendants that are alive now.
pub fn descendants(root: u32) -> Vec<u32> {
    let mut out = vec![root];
    let mut i = 0;
    while i < out.len() && out.len() < 100_000 {
        let pid = out[i];
        i += 1;
        let Ok(tasks) = std::fs::read_dir(format!("/proc/{pid}/task")) else {
            continue;
        };
        for t in tasks.flatten() {
            let Some(text) = read(&t.path().join("children")) else {
                continue;
            };
            out.extend(
                text.split_whitespace()
                    .filter_map(|c| c.parse::<u32>().ok()),
            );
        }
    }
    out
}

impl TreeSampler {
    /// A sampler of `root`'s tree, its clock starting now.
    pub fn new(root: u32) -> TreeSampler {
        // SAFETY: sysconf has no preconditions.
        let tck = unsafe { libc::sysconf(libc::_SC_CLK_TCK) };
        TreeSampler {
            root,
            started: Instant::now(),
            tick_seconds: 1.0 / if tck > 0 { tck as f64 } else { 100.0 },
            page_bytes: super::perf::events::page_size() as u64,
            samples: Vec::new(),
            run_delay: HashMap::new(),
        }
    }

    /// Reads the tree now; a tree already gone adds nothing.
    pub fn sample(&mut self) {
        let mut s = TreeSample {
            t_seconds: self.started.elapsed().as_secs_f64(),
            ..Default::default()
        };
        for pid in descendants(self.root) {
            let Some(mut c) =
                read(Path::new(&format!("/proc/{pid}/stat"))).and_then(|t| parse_stat(&t))
            else {
                continue;
            };
            (c.read_bytes, c.write_bytes) = read(Path::new(&format!("/proc/{pid}/io")))
                .map(|t| parse_io(&t))
                .unwrap_or_default();
            if let Some(d) =
                read(Path::new(&format!("/proc/{pid}/schedstat"))).and_then(|t| parse_schedstat(&t))
            {
                self.run_delay.insert(pid, d);
            }
            s.processes += 1;
            s.threads += c.threads;
            s.rss_bytes += c.rss_pages * self.page_bytes;
            s.cpu_user_seconds += c.utime_ticks as f64 * self.tick_seconds;
            s.cpu_sys_seconds += c.stime_ticks as f64 * self.tick_seconds;
            s.read_bytes += c.read_bytes;
            s.write_bytes += c.write_bytes;
        }
        if s.processes > 0 {
            s.run_queue_seconds = self.run_delay.values().sum::<u64>() as f64 / 1e9;
            self.samples.push(s);
        }
    }
}

/// Peak and mean of a series.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize)]
pub struct PeakMean {
    /// Largest value.
    pub peak: f64,
    /// Mean over the samples.
    pub mean: f64,
}

fn peak_mean(values: impl Iterator<Item = f64> + Clone) -> PeakMean {
    let n = values.clone().count();
    if n == 0 {
        return PeakMean::default();
    }
    PeakMean {
        peak: values.clone().fold(f64::MIN, f64::max),
        mean: values.sum::<f64>() / n as f64,
    }
}

/// The /proc view of a whole run.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ProcSummary {
    /// Samples taken.
    pub samples: usize,
    /// Seconds between samples.
    pub interval_seconds: f64,
    /// Wall time of the command, seconds.
    pub wall_seconds: f64,
    /// CPU user time of the command and its reaped descendants, seconds.
    pub cpu_user_seconds: f64,
    /// CPU system time, seconds.
    pub cpu_sys_seconds: f64,
    /// (user + sys) / wall: 1.0 is one core busy all the time.
    pub cpu_utilization: f64,
    /// Time runnable but waiting for a CPU (other load on the machine; main threads, from
    /// `/proc/PID/schedstat`), seconds.
    pub run_queue_seconds: f64,
    /// (user + sys) / (wall − run-queue wait): how busy the command kept a core while it
    /// could run; the CPU-bound verdict uses this, so a loaded machine does not hide it.
    pub cpu_utilization_runnable: f64,
    /// sys / (user + sys); 0 when no CPU was used.
    pub sys_share: f64,
    /// Resident memory of the tree, bytes.
    pub rss_bytes: PeakMean,
    /// Largest resident set of any one process (`ru_maxrss`), bytes.
    pub max_process_rss_bytes: u64,
    /// Threads in the tree.
    pub threads: PeakMean,
    /// Processes in the tree.
    pub processes: PeakMean,
    /// Bytes read (largest sum seen over the live tree).
    pub read_bytes: u64,
    /// Bytes written (largest sum seen over the live tree).
    pub write_bytes: u64,
    /// The samples themselves.
    pub timeline: Vec<TreeSample>,
}

/// Final resource usage of the command (from `wait4`).
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct FinalUsage {
    /// Wall time, seconds.
    pub wall_seconds: f64,
    /// User CPU, seconds.
    pub user_seconds: f64,
    /// System CPU, seconds.
    pub sys_seconds: f64,
    /// `ru_maxrss`, bytes.
    pub max_rss_bytes: u64,
}

/// Summarises `samples` with the final usage.
pub fn summarise(samples: &[TreeSample], interval_seconds: f64, usage: FinalUsage) -> ProcSummary {
    let last = samples.last().copied().unwrap_or_default();
    let user = usage.user_seconds.max(last.cpu_user_seconds);
    let sys = usage.sys_seconds.max(last.cpu_sys_seconds);
    let cpu = user + sys;
    ProcSummary {
        samples: samples.len(),
        interval_seconds,
        wall_seconds: usage.wall_seconds,
        cpu_user_seconds: user,
        cpu_sys_seconds: sys,
        cpu_utilization: if usage.wall_seconds > 0.0 {
            cpu / usage.wall_seconds
        } else {
            0.0
        },
        run_queue_seconds: last.run_queue_seconds,
        cpu_utilization_runnable: {
            let runnable = usage.wall_seconds - last.run_queue_seconds.min(usage.wall_seconds);
            if runnable > 0.0 {
                (cpu / runnable).min(64.0)
            } else {
                0.0
            }
        },
        sys_share: if cpu > 0.0 { sys / cpu } else { 0.0 },
        rss_bytes: peak_mean(samples.iter().map(|s| s.rss_bytes as f64)),
        max_process_rss_bytes: usage.max_rss_bytes,
        threads: peak_mean(samples.iter().map(|s| s.threads as f64)),
        processes: peak_mean(samples.iter().map(|s| s.processes as f64)),
        read_bytes: samples.iter().map(|s| s.read_bytes).max().unwrap_or(0),
        write_bytes: samples.iter().map(|s| s.write_bytes).max().unwrap_or(0),
        timeline: samples.to_vec(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stat_with_spaces_and_parens_in_comm_parses() {
        let text = "42 (a (b) c) S 1 42 42 0 -1 4194304 100 0 0 0 250 30 5 1 20 0 3 0 1000 1234567 789 18446744073709551615";
        let c = parse_stat(text).unwrap();
        assert_eq!(
            (c.utime_ticks, c.stime_ticks, c.threads, c.rss_pages),
            (255, 31, 3, 789)
        );
        assert!(parse_stat("garbage").is_none());
    }

    #[test]
    fn io_reads_rchar_and_wchar() {
        assert_eq!(parse_io("rchar: 10\nwchar: 20\nsyscr: 1\n"), (10, 20));
        assert_eq!(parse_io(""), (0, 0));
    }

    #[test]
    fn summary_takes_peaks_means_and_the_cpu_ratio() {
        let s = |t: f64, rss: u64, th: u64| TreeSample {
            t_seconds: t,
            processes: 1,
            threads: th,
            rss_bytes: rss,
            cpu_user_seconds: t,
            cpu_sys_seconds: 0.0,
            read_bytes: 5,
            write_bytes: 7,
            run_queue_seconds: 1.0,
        };
        let sum = summarise(
            &[s(0.1, 100, 1), s(0.2, 300, 3)],
            0.1,
            FinalUsage {
                wall_seconds: 2.0,
                user_seconds: 0.5,
                sys_seconds: 0.5,
                max_rss_bytes: 300,
            },
        );
        assert_eq!(
            sum.rss_bytes,
            PeakMean {
                peak: 300.0,
                mean: 200.0
            }
        );
        assert_eq!(sum.threads.peak, 3.0);
        assert_eq!(sum.cpu_utilization, 0.5);
        assert_eq!(sum.cpu_utilization_runnable, 1.0);
        assert_eq!(parse_schedstat("10 20 3\n"), Some(20));
        assert_eq!(sum.sys_share, 0.5);
        assert_eq!((sum.read_bytes, sum.write_bytes), (5, 7));
    }

    #[test]
    fn this_process_is_its_own_tree() {
        let mut t = TreeSampler::new(std::process::id());
        t.sample();
        assert_eq!(t.samples.len(), 1);
        assert!(t.samples[0].threads >= 1 && t.samples[0].rss_bytes > 0);
    }
}
