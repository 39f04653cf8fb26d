//! What a step's measurement counts through `f0 run` (issue #16, "a cheap step"): the store's
//! commits made while a step runs are not the step's bytes, and a profile of a step many
//! steps back still reads that step's capture.

use crate::util::{step, Scratch};
use framework0::store::Store;

/// The last stored value of the runner's series `name` for `step`.
fn step_value(s: &Scratch, name: &str, step: &str) -> f64 {
    let store = Store::open(&s.store()).unwrap();
    let tags = [("step".to_owned(), step.to_owned())].into();
    let rows = store.samples(name, &tags).unwrap();
    rows.last()
        .unwrap_or_else(|| panic!("no {name} for {step}"))
        .value
}

/// Steps that leave finished work (context keys and their samples) for a commit.
fn setters(n: i64) -> String {
    (1..=n)
        .map(|i| {
            step(
                &format!("set{i}"),
                i,
                "SetContext",
                &format!("args: {{values: {{k.{i}: {i}}}}}"),
            )
        })
        .collect()
}

#[test]
fn the_stores_commits_during_a_step_are_not_its_bytes_on_either_path() {
    // Broke: a sleeping step reported the WAL pages written while it slept (process-wide
    // /proc/self/io) as its own: by the run's watchdog (an inline step) or by the runner's wait
    // loop (a step on the step thread, here through its timeout).
    for timeout in ["", ", timeout: 30"] {
        let s = Scratch::new();
        let r = s.write(
            "r.yaml",
            &format!(
                "steps:\n{}{}",
                setters(40),
                step(
                    "nap",
                    100,
                    "Sleep",
                    &format!("args: {{seconds: 0.4}}{timeout}")
                )
            ),
        );
        let (code, out) = s.run_json(&r, &[]);
        assert_eq!(code, 0, "{out}");
        // The setters' keys were committed while the nap ran (at most 50 ms after a step
        // ends), so WAL pages were written during it.
        assert_eq!(s.ctx("k.40"), Some(serde_json::json!(40)));
        assert_eq!(step_value(&s, "step_write_bytes", "nap"), 0.0, "{timeout}");
        assert_eq!(step_value(&s, "step_read_bytes", "nap"), 0.0, "{timeout}");
        assert!(step_value(&s, "step_wall_time", "nap") >= 0.4e9);
    }
}

#[test]
fn the_stores_commits_during_a_step_are_not_its_cpu_time_on_either_path() {
    // Broke: a sleeping step's CPU time (process-wide) held the CPU of the commit of the
    // 400 steps before it, made by the watchdog (an inline step) or the runner's wait loop
    // (a step on the step thread) while it slept.
    for timeout in ["", ", timeout: 30"] {
        let s = Scratch::new();
        let r = s.write(
            "r.yaml",
            &format!(
                "steps:\n{}{}",
                setters(400),
                step(
                    "nap",
                    1000,
                    "Sleep",
                    &format!("args: {{seconds: 0.4}}{timeout}")
                )
            ),
        );
        let (code, out) = s.run_json(&r, &[]);
        assert_eq!(code, 0, "{out}");
        assert_eq!(s.ctx("k.400"), Some(serde_json::json!(400)));
        // Without the exclusion: ≈ 23 ms; with it: 0.5–2.3 ms (the measurement's own work,
        // slower on a loaded machine).
        let cpu = step_value(&s, "step_cpu_time", "nap");
        assert!(cpu < 6e6, "a 0.4 s sleep used {cpu} ns of CPU{timeout}");
    }
}

#[test]
fn a_profile_of_a_step_a_hundred_steps_back_reads_its_capture() {
    // Broke: every step was captured and only the last 64 captures kept, so a profile of a
    // step more than 64 steps back fell back to the runner's stored figures (no run-queue
    // time, no allocation counts).
    let s = Scratch::new();
    let noops: String = (2..=101)
        .map(|i| step(&format!("n{i}"), i, "Noop", ""))
        .collect();
    let r = s.write(
        "r.yaml",
        &format!(
            "steps:\n{}{noops}  - {{name: p, idx: 200, module: scriptlets.performance_metrics, function: PerformanceMetricsScriptlet, args: {{action: profile, target: {{step: work}}, output_dir: out}}}}\n",
            step("work", 1, "Sleep", "args: {seconds: 0.05}")
        ),
    );
    let (code, out) = s.run_json(&r, &[]);
    assert_eq!(code, 0, "{out}");
    let last = s.ctx("metrics.last_profile").unwrap();
    let node = &last["timers"]["merged"][0];
    assert_eq!(node["name"], "work");
    assert!(node["total_ns"].as_u64().unwrap() >= 50_000_000, "{node}");
    let calls = &node["calls"];
    // Only a capture counts allocations (0 without the counting allocator) and CPU time of
    // the step's own thread.
    assert!(
        calls.get("allocations").is_some(),
        "not the capture: {node}"
    );
    assert!(calls["cpu_ns"].as_u64().unwrap() < 50_000_000, "{node}");
}

/// The measurement's system calls in `f0 run` of `n` no-op steps, from `strace -f -y`:
/// (reads and writes of `/proc` files, `getrusage`, `clock_gettime` that reached the kernel,
/// writes to `clear_refs`), or None without strace.
fn measurement_calls(s: &Scratch, n: usize) -> Option<(usize, usize)> {
    let noops: String = (1..=n)
        .map(|i| step(&format!("s{i}"), i as i64, "Noop", ""))
        .collect();
    let r = s.write(&format!("noop{n}.yaml"), &format!("steps:\n{noops}"));
    let log = s.path(&format!("strace{n}.txt"));
    let f0 = s.f0();
    let out = std::process::Command::new("strace")
        .args([
            "-f",
            "-y",
            "-e",
            "trace=pread64,pwrite64,getrusage,clock_gettime",
            "-o",
        ])
        .arg(&log)
        .arg(f0.get_program())
        .args(["run", r.to_str().unwrap()])
        .envs(f0.get_envs().filter_map(|(k, v)| Some((k, v?))))
        .current_dir(f0.get_current_dir().unwrap())
        .output();
    match out {
        Ok(o) if o.status.success() => {}
        Ok(o) => panic!(
            "strace f0 run failed: {}",
            String::from_utf8_lossy(&o.stderr)
        ),
        Err(e) => {
            eprintln!("strace not found ({e}): apt-get install -y strace; system calls per step not counted");
            return None;
        }
    }
    let text = std::fs::read_to_string(&log).unwrap();
    let lines = text.lines();
    let measuring = lines
        .clone()
        .filter(|l| {
            l.contains("</proc/") || l.contains("getrusage(") || l.contains("clock_gettime(")
        })
        .count();
    let resets = lines.filter(|l| l.contains("clear_refs>")).count();
    Some((measuring, resets))
}

#[test]
fn a_no_op_step_costs_eight_measurement_calls_and_no_peak_reset() {
    // Broke: 13 per step (the profiler's capture around every step: thread CPU clock, thread
    // io and schedstat twice each; the runner's peak reset before every step). Eight: six of
    // the step's own figures, two of the watchdog's CPU clock (its commits are not the step's).
    let s = Scratch::new();
    let (Some((many, many_resets)), Some((one, one_resets))) =
        (measurement_calls(&s, 201), measurement_calls(&s, 1))
    else {
        return;
    };
    let per_step = (many - one) as f64 / 200.0;
    let resets = (many_resets - one_resets) as f64 / 200.0;
    assert!(
        per_step <= 8.05,
        "{per_step} measurement calls per step ({many} for 201 steps, {one} for 1)"
    );
    assert!(resets < 0.05, "{resets} peak resets per step");
}
