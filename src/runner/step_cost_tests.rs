//! The runner's per-step measurement and capture through [`Runner::run`]: every step reports
//! its own peak RSS (whether or not the mark had to be reset before it), and the capture hook
//! wraps exactly the steps a step of the recipe targets.

use serde_json::{Map, Value};

use super::super::{Interrupt, RunOptions, RunOutcome, Runner};
use crate::profile::capture::captured;
use crate::recipe::parse_recipe;
use crate::scriptlet::{Registry, Scriptlet, ScriptletError, StepEnv};
use crate::store::{SharedStore, Store};

/// Touches `args.mib` MiB, then frees them.
struct Allocates;
impl Scriptlet for Allocates {
    fn run(&mut self, _: &StepEnv, args: &Map<String, Value>) -> Result<i32, ScriptletError> {
        let mib = args.get("mib").and_then(Value::as_u64).unwrap_or(0) as usize;
        let v = vec![1u8; mib << 20];
        std::hint::black_box(&v);
        Ok(0)
    }
}

fn run(yaml: &str) -> RunOutcome {
    run_with(crate::catalog::default_registry(), yaml).0
}

/// Runs `yaml` against `registry` (plus `t.Allocates`); the outcome and the run's store.
fn run_with(mut registry: Registry, yaml: &str) -> (RunOutcome, Store) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("s.db");
    let store = SharedStore::new(Store::open(&path).unwrap());
    registry.register(&["t"], "Allocates", "", || Box::new(Allocates), None);
    let recipe = parse_recipe(std::path::Path::new("r.yaml"), yaml).unwrap();
    let outcome = Runner::new(&registry, store, Interrupt::new())
        .run(&recipe, &RunOptions::default())
        .unwrap();
    let reader = Store::open(&path).unwrap();
    std::mem::forget(dir); // the reader keeps the files; the OS cleans /tmp
    (outcome, reader)
}

fn peak(outcome: &RunOutcome, step: &str) -> u64 {
    let s = outcome.steps.iter().find(|s| s.name == step).unwrap();
    s.usage.unwrap().peak_rss_bytes
}

#[test]
fn each_step_reports_its_own_peak_before_and_after_a_big_one() {
    // In a process of its own: another test's step resetting the peak mark meanwhile would
    // lower this run's peaks.
    if !super::super::measure::alone_in_a_process(
        "runner::step::cost_tests::each_step_reports_its_own_peak_before_and_after_a_big_one",
    ) {
        return;
    }
    let yaml = "steps:\n\
        - {name: quiet1, idx: 1, module: t, function: Allocates}\n\
        - {name: quiet2, idx: 2, module: t, function: Allocates}\n\
        - {name: big1, idx: 3, module: t, function: Allocates, args: {mib: 64}}\n\
        - {name: quiet3, idx: 4, module: t, function: Allocates}\n\
        - {name: big2, idx: 5, module: t, function: Allocates, args: {mib: 64}}\n\
        - {name: quiet4, idx: 6, module: t, function: Allocates}\n";
    let o = run(yaml);
    for big in ["big1", "big2"] {
        assert!(peak(&o, big) >= 64 << 20, "{big}: {}", peak(&o, big));
    }
    for (quiet, before) in [("quiet3", "big1"), ("quiet4", "big2")] {
        assert!(
            peak(&o, quiet) + (48 << 20) < peak(&o, before),
            "{quiet} kept the peak of {before}: {} vs {}",
            peak(&o, quiet),
            peak(&o, before)
        );
    }
}

#[test]
fn only_the_steps_a_step_targets_are_captured() {
    let yaml = "steps:\n\
        - {name: plain, idx: 1, module: t, function: Allocates}\n\
        - {name: aimed, idx: 2, module: t, function: Allocates}\n\
        - {name: aimer, idx: 3, module: t, function: Allocates, args: {target: {step: aimed}}}\n";
    let o = run(yaml);
    assert!(captured(o.run_id, "aimed").is_some());
    assert!(captured(o.run_id, "plain").is_none());
    assert!(captured(o.run_id, "aimer").is_none());
}

#[test]
fn without_the_capture_hook_a_profile_of_a_step_reads_its_stored_figures() {
    // A registry of the same scriptlets without the catalog's around-step hook.
    let mut registry = Registry::new();
    crate::builtin::register(&mut registry);
    crate::catalog::performance_metrics::register(&mut registry);
    let out = tempfile::tempdir().unwrap();
    let yaml = format!(
        "steps:\n\
         - {{name: pause, idx: 1, module: f0.builtin, function: Sleep, args: {{seconds: 0.05}}}}\n\
         - {{name: p, idx: 2, module: scriptlets.performance_metrics, function: PerformanceMetricsScriptlet, args: {{action: profile, target: {{step: pause}}, output_dir: {}}}}}\n",
        out.path().display()
    );
    let (o, store) = run_with(registry, &yaml);
    assert_eq!(o.completed_steps, 2, "{:?}", o.steps);
    assert!(captured(o.run_id, "pause").is_none());
    let last = store
        .context_value("metrics.last_profile")
        .unwrap()
        .unwrap();
    let node = &last["timers"]["merged"][0];
    assert_eq!(node["name"], "pause");
    assert!(node["total_ns"].as_u64().unwrap() >= 50_000_000, "{node}");
    // The stored figures count no allocations (a capture does).
    assert!(node["calls"].get("allocations").is_none(), "{node}");
}
