//! Bottleneck rules: explicit, each citing the numbers behind its suggestion.
//!
//! | rule | fires when | suggestion |
//! |---|---|---|
//! | `dominant_function` | one function > 50 % of all self time (≥ 10 ms in all) | look there first |
//! | `hot_function` | a function ≥ 10 % of self time (top 5) | the next places to look |
//! | `many_short_calls` | ≥ 1000 calls, mean < 10 µs, ≥ 10 % of the time | batch or cache |
//! | `outliers` | ≥ 20 calls and p95 > 3 × mean | outliers: look at contention |
//! | `cpu_below_wall` | CPU / (wall − run-queue wait) < 0.5 (command, or the deepest timer node ≥ 1 ms) | blocked on I/O, locks or sleep |
//! | `allocation_heavy` | ≥ 100 allocations or ≥ 1 MiB per call in the block itself | reuse buffers |
//! | `syscall_heavy` | system time > 30 % of CPU time (≥ 10 ms CPU) | fewer, larger syscalls |

use serde::{Deserialize, Serialize};

use super::proctree::ProcSummary;
use super::tree::{FunctionRow, Node};

/// One bottleneck with its evidence and what to do.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Bottleneck {
    /// 1-based rank (severity, then self time).
    pub rank: usize,
    /// The rule that fired.
    pub rule: String,
    /// `high`, `medium` or `low`.
    pub severity: String,
    /// The function, timer path or `command`.
    pub location: String,
    /// Self time of the location, ns (0 for whole-command rules).
    pub self_ns: u64,
    /// Share of all time, 0..1.
    pub share: f64,
    /// The numbers behind the finding, in words.
    pub evidence: String,
    /// What to change.
    pub suggestion: String,
}

/// Ranked views of the same profile.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Rankings {
    /// Functions by descending self time (top 10).
    pub by_self_time: Vec<RankedSelf>,
    /// Timer nodes by descending p95 / mean (top 10, ≥ 2 calls).
    pub by_spread: Vec<RankedSpread>,
}

/// A function in the self-time ranking.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RankedSelf {
    /// Function name.
    pub name: String,
    /// Self time, ns.
    pub self_ns: u64,
    /// Share of all self time, 0..1.
    pub self_share: f64,
}

/// A timer node in the spread ranking.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RankedSpread {
    /// Path of the node (`a;b;c`).
    pub path: String,
    /// Calls.
    pub calls: u64,
    /// Mean per call, ns.
    pub mean_ns: f64,
    /// p95 per call, ns.
    pub p95_ns: u64,
    /// p95 / mean.
    pub spread: f64,
}

/// What the rules look at.
#[derive(Debug, Clone, Copy, Default)]
pub struct RuleInput<'a> {
    /// The flat profile (sampled or timers), by self time.
    pub functions: &'a [FunctionRow],
    /// Timer trees (for per-call rules).
    pub timer_roots: &'a [Node],
    /// The /proc view of a command.
    pub proc: Option<&'a ProcSummary>,
}

fn ms(ns: f64) -> String {
    format!("{:.1} ms", ns / 1e6)
}

fn pct(x: f64) -> String {
    format!("{:.1} %", x * 100.0)
}

fn finding(
    rule: &str,
    severity: &str,
    location: &str,
    self_ns: u64,
    share: f64,
    evidence: String,
    suggestion: String,
) -> Bottleneck {
    Bottleneck {
        rank: 0,
        rule: rule.into(),
        severity: severity.into(),
        location: location.into(),
        self_ns,
        share,
        evidence,
        suggestion,
    }
}

/// Less sampled time than this is too little evidence for the function rules.
pub const MIN_EVIDENCE_NS: u64 = 10_000_000;

fn look_at(name: &str) -> String {
    if name == "[kernel]" {
        "the time is spent in the kernel on the program's behalf: make fewer, larger syscalls"
            .into()
    } else if name.starts_with('[') {
        format!("the time is in {name}, which has no symbols: install its debug symbols or build it with -g to see inside")
    } else {
        format!("look at {name} first: optimise its own loop or call it less")
    }
}

fn function_rules(fs: &[FunctionRow], out: &mut Vec<Bottleneck>) {
    let all: u64 = fs.iter().map(|f| f.self_ns).sum();
    if all < MIN_EVIDENCE_NS {
        return;
    }
    for (i, f) in fs.iter().take(5).enumerate() {
        let share = if all > 0 {
            f.self_ns as f64 / all as f64
        } else {
            0.0
        };
        let evidence = format!(
            "{} spends {} of {} ({}) in its own code",
            f.name,
            ms(f.self_ns as f64),
            ms(all as f64),
            pct(share)
        );
        if i == 0 && share > 0.5 {
            out.push(finding(
                "dominant_function",
                "high",
                &f.name,
                f.self_ns,
                share,
                evidence,
                format!(
                    "{}; it alone takes {} of the time, more than everything else together",
                    look_at(&f.name),
                    pct(share)
                ),
            ));
        } else if share >= 0.1 {
            out.push(finding(
                "hot_function",
                "medium",
                &f.name,
                f.self_ns,
                share,
                evidence,
                format!(
                    "{} is the next place to look ({} of the time)",
                    f.name,
                    pct(share)
                ),
            ));
        }
    }
}

fn node_rules(path: &str, n: &Node, grand_total: u64, out: &mut Vec<Bottleneck>) {
    let Some(c) = &n.calls else { return };
    let before = out.len();
    for ch in &n.children {
        node_rules(&format!("{path};{}", ch.name), ch, grand_total, out);
    }
    // A child holding most of this node's time that already waits explains this node's wait.
    let waiting_child = out[before..].iter().any(|b| {
        b.rule == "cpu_below_wall"
            && n.children.iter().any(|ch| {
                b.location == format!("{path};{}", ch.name) && ch.total_ns * 2 >= n.total_ns
            })
    });
    let share = if grand_total > 0 {
        n.total_ns as f64 / grand_total as f64
    } else {
        0.0
    };
    if c.count >= 1000 && c.mean_ns < 10_000.0 && share >= 0.1 {
        out.push(finding("many_short_calls", "medium", path, n.self_ns, share,
            format!("{} calls averaging {:.2} µs add up to {} ({} of the time)", c.count, c.mean_ns / 1e3, ms(n.total_ns as f64), pct(share)),
            "batch the work into fewer calls or cache repeated results: per-call overhead dominates".into()));
    }
    if c.count >= 20 && c.p95_ns as f64 > 3.0 * c.mean_ns {
        out.push(finding("outliers", if c.p95_ns as f64 > 5.0 * c.mean_ns { "high" } else { "medium" }, path, n.self_ns, share,
            format!("p95 {} is {:.1}× the mean {} over {} calls", ms(c.p95_ns as f64), c.p95_ns as f64 / c.mean_ns, ms(c.mean_ns), c.count),
            "a few calls are far slower than the rest: look for lock contention, cold caches, GC-like pauses or I/O on the slow path".into()));
    }
    if let Some(cpu) = c
        .cpu_ns
        .filter(|_| n.total_ns >= 1_000_000 && !waiting_child)
    {
        let queued = c.run_queue_ns.unwrap_or(0).min(n.total_ns);
        let runnable = (n.total_ns - queued).max(1);
        let ratio = cpu as f64 / runnable as f64;
        if ratio < 0.5 {
            out.push(finding("cpu_below_wall", "medium", path, n.self_ns, share,
                format!("CPU {} over wall {} ({} busy; {} waiting for a CPU excluded)", ms(cpu as f64), ms(n.total_ns as f64), pct(ratio), ms(queued as f64)),
                "the block mostly waits: blocked on I/O, a lock or sleep; overlap the waits or remove them".into()));
        }
    }
    if let (Some(a), Some(b)) = (c.self_allocations, c.alloc_bytes) {
        let child_bytes: u64 = n
            .children
            .iter()
            .filter_map(|ch| ch.calls.as_ref().and_then(|s| s.alloc_bytes))
            .sum();
        let per_call = a as f64 / c.count as f64;
        let bytes_per_call = b.saturating_sub(child_bytes) as f64 / c.count as f64;
        if per_call >= 100.0 || bytes_per_call >= 1048576.0 {
            out.push(finding("allocation_heavy", "medium", path, n.self_ns, share,
                format!("{per_call:.0} allocations and {:.0} KiB per call in the block itself over {} calls", bytes_per_call / 1024.0, c.count),
                "reuse buffers (clear and refill instead of allocating), reserve capacity up front, avoid temporary Strings/Vecs".into()));
        }
    }
}

fn proc_rules(p: &ProcSummary, out: &mut Vec<Bottleneck>) {
    let cpu = p.cpu_user_seconds + p.cpu_sys_seconds;
    if p.wall_seconds > 0.0 && p.cpu_utilization_runnable < 0.5 {
        out.push(finding("cpu_below_wall", "high", "command", 0, 1.0 - p.cpu_utilization_runnable,
            format!("CPU {:.3} s over wall {:.3} s ({} of one core; {:.3} s waiting for a CPU excluded)", cpu, p.wall_seconds, pct(p.cpu_utilization_runnable), p.run_queue_seconds),
            "the command is not CPU-bound: it is blocked on I/O, locks or sleep; profile its waits (strace -c, off-CPU analysis) rather than its code".into()));
    }
    if cpu >= 0.01 && p.sys_share > 0.3 {
        out.push(finding("syscall_heavy", "medium", "command", 0, p.sys_share,
            format!("system time {:.3} s is {} of CPU time {:.3} s", p.cpu_sys_seconds, pct(p.sys_share), cpu),
            "much time goes to the kernel: make fewer, larger syscalls (buffer reads and writes, batch small operations)".into()));
    }
}

/// Runs every rule; findings ranked by severity, then self time.
pub fn detect(input: RuleInput<'_>) -> Vec<Bottleneck> {
    let mut out = Vec::new();
    function_rules(input.functions, &mut out);
    let grand: u64 = input.timer_roots.iter().map(|r| r.total_ns).sum();
    for r in input.timer_roots {
        node_rules(&r.name, r, grand, &mut out);
    }
    if let Some(p) = input.proc {
        proc_rules(p, &mut out);
    }
    let sev = |s: &str| match s {
        "high" => 0,
        "medium" => 1,
        _ => 2,
    };
    out.sort_by(|a, b| {
        sev(&a.severity)
            .cmp(&sev(&b.severity))
            .then(b.self_ns.cmp(&a.self_ns))
    });
    for (i, b) in out.iter_mut().enumerate() {
        b.rank = i + 1;
    }
    out
}

/// The two rankings of a profile.
pub fn rankings(functions: &[FunctionRow], timer_roots: &[Node]) -> Rankings {
    let mut by_spread = Vec::new();
    for r in timer_roots {
        r.walk("", &mut |path, n| {
            if let Some(c) = n.calls.as_ref().filter(|c| c.count >= 2 && c.mean_ns > 0.0) {
                by_spread.push(RankedSpread {
                    path: path.to_owned(),
                    calls: c.count,
                    mean_ns: c.mean_ns,
                    p95_ns: c.p95_ns,
                    spread: c.p95_ns as f64 / c.mean_ns,
                });
            }
        });
    }
    by_spread.sort_by(|a, b| {
        b.spread
            .total_cmp(&a.spread)
            .then_with(|| a.path.cmp(&b.path))
    });
    by_spread.truncate(10);
    let all: u64 = functions.iter().map(|f| f.self_ns).sum();
    Rankings {
        by_self_time: functions
            .iter()
            .take(10)
            .map(|f| RankedSelf {
                name: f.name.clone(),
                self_ns: f.self_ns,
                self_share: if all > 0 {
                    f.self_ns as f64 / all as f64
                } else {
                    0.0
                },
            })
            .collect(),
        by_spread,
    }
}
