//! Profiling a Rust program from the inside: the counting allocator as global allocator, a
//! metrics pipeline, `#[performance_timer]` functions and `profile::scope` blocks; then an
//! in-process profile (call tree with calls, p95, CPU and allocations per node, bottlenecks
//! with suggestions, folded stacks and a flamegraph in `OUT`).
//!
//! Run: `cargo run --example profile_inprocess [-- OUT]` (default `profiles/` in the system
//! temp directory).

use std::collections::HashMap;

use framework0::collect::alloc::CountingAllocator;
use framework0::metrics::{self, MemorySink, MetricsConfiguration};
use framework0::performance_timer;
use framework0::profile::{args, run, scope, tree::Node};

#[global_allocator]
static ALLOC: CountingAllocator = CountingAllocator::new();

/// Lower-cased words of a line (allocates one String per word).
#[performance_timer]
fn words(line: &str) -> Vec<String> {
    line.split_whitespace().map(str::to_lowercase).collect()
}

fn word_count(text: &[String]) -> HashMap<String, usize> {
    let _s = scope("count");
    let mut m = HashMap::new();
    for line in text {
        for w in words(line) {
            *m.entry(w).or_insert(0) += 1;
        }
    }
    m
}

fn print(n: &Node, depth: usize) {
    let c = n.calls.clone().unwrap_or_default();
    println!(
        "{:indent$}{} total {:.3} ms self {:.3} ms calls {} p95 {:.1} µs allocations {}",
        "",
        n.name,
        n.total_ns as f64 / 1e6,
        n.self_ns as f64 / 1e6,
        c.count,
        c.p95_ns as f64 / 1e3,
        c.allocations.map_or("-".into(), |a| a.to_string()),
        indent = depth * 2
    );
    for ch in &n.children {
        print(ch, depth + 1);
    }
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let out = std::env::args()
        .nth(1)
        .unwrap_or_else(|| std::env::temp_dir().join("profiles").display().to_string());
    let handle = metrics::install(
        MetricsConfiguration::default(),
        Box::new(MemorySink::with_limit(0)),
    )?;
    {
        let _job = scope("job");
        let text: Vec<String> = {
            let _load = scope("load");
            (0..2000)
                .map(|i| format!("The quick brown fox {i} jumps over the lazy dog {}", i % 7))
                .collect()
        };
        let counts = word_count(&text);
        println!("{} distinct words", counts.len());
    }
    let plan_args = serde_json::json!({"target": "in_process", "output_dir": out});
    let (plan, findings) = args::parse(plan_args.as_object().ok_or("args")?, "args");
    let plan = plan.ok_or_else(|| format!("{findings:?}"))?;
    let never = || false;
    let report = run::execute(
        &plan,
        run::Context {
            run_id: None,
            step: None,
            cancelled: &never,
        },
        None,
    )?;
    handle.shutdown()?;
    for root in &report.timers.as_ref().ok_or("no timers")?.merged {
        print(root, 0);
    }
    for b in &report.bottlenecks {
        println!(
            "#{} {} at {}: {} -> {}",
            b.rank, b.rule, b.location, b.evidence, b.suggestion
        );
    }
    println!("flamegraph: {}", report.files.flamegraph);
    Ok(())
}
