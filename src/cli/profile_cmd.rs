//! `f0 profile [--frequency HZ] [-o DIR] [--runs N] [--mode M] [--save-baseline NAME]
//! [--compare-baseline NAME] [--json] -- CMD ARGS...`: samples the command's stacks (all
//! threads and children) and its /proc process tree, ranks bottlenecks with suggestions,
//! writes folded stacks, a flamegraph SVG and the report JSON (`schemas/profile.schema.json`)
//! into the output folder, and keeps the profile in the store. The flags go through the same
//! parser as the recipe action's arguments. The command writes to the terminal, or with
//! `--json` to `<output_dir>/profile.stdout` and `.stderr`. Exit status: 0, or 1 when profiling failed or
//! the command did not exit 0 (the profile is still written).

use std::path::Path;

use clap::Args;
use serde_json::{json, Map, Value};

use framework0::profile::{args, run, ProfileReport};

/// Flags of `f0 profile`.
#[derive(Debug, Args)]
pub struct ProfileArgs {
    /// Samples per second per running thread.
    #[arg(long, default_value_t = args::DEFAULT_FREQUENCY_HZ)]
    pub frequency: u64,
    /// Output folder for the folded stacks, flamegraph and report.
    #[arg(short = 'o', long = "output-dir", default_value = args::DEFAULT_OUTPUT_DIR)]
    pub output_dir: String,
    /// Repeated runs (a baseline comparison tests significance over them).
    #[arg(long, default_value_t = 1)]
    pub runs: u64,
    /// /proc sampling interval (e.g. 100ms).
    #[arg(long, default_value = "100ms")]
    pub proc_interval: String,
    /// `native` rules, or `framework0` to add Framework0's bottleneck result.
    #[arg(long, default_value = "native")]
    pub mode: String,
    /// Save this profile as the named baseline.
    #[arg(long, value_name = "NAME")]
    pub save_baseline: Option<String>,
    /// Compare with the named baseline (node by node, differential flamegraph).
    #[arg(long, value_name = "NAME")]
    pub compare_baseline: Option<String>,
    /// Print the report as one JSON object.
    #[arg(long)]
    pub json: bool,
    /// The command and its arguments (after `--`).
    #[arg(last = true, required = true, value_name = "CMD")]
    pub command: Vec<String>,
}

fn to_args(a: &ProfileArgs) -> Map<String, Value> {
    let mut m = Map::new();
    m.insert("target".into(), json!({"command": a.command}));
    m.insert("frequency".into(), json!(a.frequency));
    m.insert("runs".into(), json!(a.runs));
    m.insert("proc_interval".into(), json!(a.proc_interval));
    m.insert("output_dir".into(), json!(a.output_dir));
    m.insert("mode".into(), json!(a.mode));
    let mut b = Map::new();
    if let Some(s) = &a.save_baseline {
        b.insert("save".into(), json!(s));
    }
    if let Some(c) = &a.compare_baseline {
        b.insert("compare".into(), json!(c));
    }
    if !b.is_empty() {
        m.insert("baseline".into(), Value::Object(b));
    }
    m
}

fn print_text(r: &ProfileReport) {
    println!(
        "profile of {}",
        r.target.command.clone().unwrap_or_default().join(" ")
    );
    if let Some(c) = &r.command {
        let p = &c.proc;
        println!(
            "  wall {:.3} s, CPU user {:.3} s + sys {:.3} s ({:.0} % of one core), peak RSS {} KiB",
            p.wall_seconds,
            p.cpu_user_seconds,
            p.cpu_sys_seconds,
            p.cpu_utilization * 100.0,
            p.rss_bytes.peak as u64 / 1024
        );
        match (&c.sampled, &c.sampling.reason) {
            (Some(s), _) => println!(
                "  {} samples at {} Hz ({})",
                s.samples, s.setup.frequency_hz, s.unwinding
            ),
            (None, Some(why)) => println!("  stacks not sampled: {why}"),
            _ => {}
        }
    }
    println!(
        "  {}: {}",
        r.classification.verdict, r.classification.evidence
    );
    for f in r.rankings.by_self_time.iter().take(10) {
        println!(
            "  {:>6.1} %  {:>10.3} ms  {}",
            f.self_share * 100.0,
            f.self_ns as f64 / 1e6,
            f.name
        );
    }
    for b in &r.bottlenecks {
        println!(
            "  #{} [{}] {} at {}: {}\n      -> {}",
            b.rank, b.severity, b.rule, b.location, b.evidence, b.suggestion
        );
    }
    if let Some(c) = &r.baseline.comparison {
        println!(
            "  vs baseline {}: {} slower, {} faster ({})",
            c.baseline, c.slower, c.faster, c.significance
        );
    }
    println!(
        "  flamegraph: {}\n  report: {}",
        r.files.flamegraph, r.files.report
    );
}

/// Runs the command; returns the exit code.
pub fn run(store_path: &Path, a: ProfileArgs) -> u8 {
    let (plan, findings) = args::parse(&to_args(&a), "f0 profile");
    for f in &findings {
        eprintln!("{f}");
    }
    let Some(mut plan) = plan else { return 2 };
    plan.inherit_output = !a.json;
    let mut store = match super::open_store(store_path) {
        Ok(s) => s,
        Err(e) => {
            eprintln!("Error: {e}");
            return 1;
        }
    };
    let never = || false;
    let ctx = run::Context {
        run_id: None,
        step: None,
        cancelled: &never,
    };
    let report = match run::execute(&plan, ctx, Some(&mut store)) {
        Ok(r) => r,
        Err(e) => {
            eprintln!("Error: {e}");
            return 1;
        }
    };
    if !super::print_report(&report, a.json, print_text) {
        return 1;
    }
    match report.command.as_ref().map(|c| c.exit) {
        Some(e) if e.code != Some(0) => {
            eprintln!("the profiled command did not exit 0 ({e:?}); the profile was written");
            1
        }
        _ => 0,
    }
}
