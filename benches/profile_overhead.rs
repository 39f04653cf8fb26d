//! Overhead of `f0 profile` on a CPU-bound command, in one run: the C fixture
//! `tests/fixtures/profile/hot_cold.c` (built with `-O1 -g -fno-omit-frame-pointer`) run
//! plain and profiled at the default frequency, alternating (plain, profiled, plain, ...)
//! so both sides see the same machine load. Reported: median wall time of each side, the
//! ratio of medians, and the median of the per-pair ratios (the command's wall time as the
//! profiler measures it: launch to exit), the command's CPU time on both sides (user + sys,
//! `RUSAGE_CHILDREN`: the kernel's sampling work is charged to the command), and the
//! profiler's post-processing time (symbolization, trees) that follows the command.
//!
//! Run: `cargo bench --bench profile_overhead` (env `F0_BENCH_PAIRS`, default 15;
//! `F0_BENCH_ROUNDS`, the fixture's rounds, default 300 ≈ 0.5 s per run;
//! `F0_BENCH_FREQUENCY`, default the profiler's default).

use std::process::Command;
use std::time::{Duration, Instant};

use framework0::profile::args::{DEFAULT_FREQUENCY_HZ, DEFAULT_PROC_INTERVAL};
use framework0::profile::command::{profile_command, CommandSpec, Output};

/// CPU time (user + sys) of every child reaped so far, seconds.
fn children_cpu() -> f64 {
    let mut u = std::mem::MaybeUninit::<libc::rusage>::zeroed();
    // SAFETY: getrusage fills the struct we pass.
    unsafe { libc::getrusage(libc::RUSAGE_CHILDREN, u.as_mut_ptr()) };
    // SAFETY: filled above (zeroed if the call failed).
    let u = unsafe { u.assume_init() };
    let tv = |t: libc::timeval| t.tv_sec as f64 + t.tv_usec as f64 / 1e6;
    tv(u.ru_utime) + tv(u.ru_stime)
}

fn median(v: &mut [f64]) -> f64 {
    v.sort_by(f64::total_cmp);
    let n = v.len();
    if n % 2 == 1 {
        v[n / 2]
    } else {
        (v[n / 2 - 1] + v[n / 2]) / 2.0
    }
}

fn env_or(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn main() {
    let pairs = env_or("F0_BENCH_PAIRS", 15);
    let rounds = env_or("F0_BENCH_ROUNDS", 300).to_string();
    let exe = std::env::temp_dir().join(format!("f0-bench-hot-cold-{}", std::process::id()));
    let src = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/profile/hot_cold.c"
    );
    match Command::new("gcc")
        .args(["-O1", "-g", "-fno-omit-frame-pointer", "-o"])
        .arg(&exe)
        .arg(src)
        .status()
    {
        Ok(s) if s.success() => {}
        other => {
            eprintln!("gcc is needed to build the benchmark's command (apt-get install -y gcc): {other:?}");
            return;
        }
    }
    let argv = vec![exe.display().to_string(), rounds.clone()];
    let frequency_hz = env_or("F0_BENCH_FREQUENCY", DEFAULT_FREQUENCY_HZ as usize) as u64;
    let spec = CommandSpec {
        argv: argv.clone(),
        frequency_hz,
        proc_interval: DEFAULT_PROC_INTERVAL,
        output: Output::Null,
    };
    let plain = || {
        let cpu = children_cpu();
        let t = Instant::now();
        let st = Command::new(&argv[0])
            .arg(&argv[1])
            .stdout(std::process::Stdio::null())
            .status()
            .expect("run the command");
        assert!(st.success());
        (t.elapsed().as_secs_f64(), children_cpu() - cpu)
    };
    plain(); // warm the page cache
    let (mut a, mut b, mut ratios, mut post) = (Vec::new(), Vec::new(), Vec::new(), Vec::new());
    let (mut ca, mut cb) = (Vec::new(), Vec::new());
    let mut samples = 0;
    for _ in 0..pairs {
        let (p, pc) = plain();
        let cpu = children_cpu();
        let t = Instant::now();
        let prof = profile_command(&spec, &|| false).expect("profile");
        let total = t.elapsed().as_secs_f64();
        cb.push(children_cpu() - cpu);
        ca.push(pc);
        let w = prof.proc.wall_seconds;
        samples = prof.sampled.as_ref().map_or(0, |s| s.samples);
        a.push(p);
        b.push(w);
        ratios.push(w / p);
        post.push(total - w);
        std::thread::sleep(Duration::from_millis(20));
    }
    let _ = std::fs::remove_file(&exe);
    let (ma, mb) = (median(&mut a), median(&mut b));
    println!("profile_overhead: hot_cold {rounds} rounds, {pairs} alternating pairs, {frequency_hz} Hz ({samples} samples in the last run)");
    println!("  unprofiled wall   median {:.4} s", ma);
    println!("  profiled wall     median {:.4} s", mb);
    println!("  ratio of medians  {:.4}x", mb / ma);
    println!("  median pair ratio {:.4}x", median(&mut ratios));
    let (cma, cmb) = (median(&mut ca), median(&mut cb));
    println!(
        "  command CPU       median {:.4} s unprofiled, {:.4} s profiled: {:.4}x",
        cma,
        cmb,
        cmb / cma
    );
    println!(
        "  post-processing   median {:.4} s (after the command exits: symbolize, build trees)",
        median(&mut post)
    );
}
