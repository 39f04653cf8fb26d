//! Collecting what a target recorded: a command's sampled profile (per run), a step's
//! captured timers (or, without the runner hook, the runner's stored step measurements),
//! or this process's timer records.

use std::collections::HashMap;

use super::args::{ProfilePlan, Target};
use super::capture::{captured, StepCapture};
use super::command::{profile_command, CommandProfile, CommandSpec, Output};
use super::compare::{node_map, NodeMap};
use super::error::ProfileError;
use super::scope::{span_costs, SpanCost};
use super::timers::{self, TimerProfile};
use super::tree::{CallStats, FunctionRow, Node};
use crate::store::{SampleWindow, Store};

/// What the target yielded.
#[derive(Debug, Clone, Default)]
pub struct Gathered {
    /// The command's profile (last run).
    pub command: Option<CommandProfile>,
    /// Wall seconds per run.
    pub run_walls: Vec<f64>,
    /// Timer profile.
    pub timers: Option<TimerProfile>,
    /// Per-call durations by timer name (Framework0 parity).
    pub timings: Vec<(String, Vec<f64>)>,
    /// Each run's nodes (for baselines).
    pub runs: Vec<NodeMap>,
}

impl Gathered {
    /// The tree the flamegraph shows.
    pub fn roots(&self) -> &[Node] {
        if let Some(s) = self.command.as_ref().and_then(|c| c.sampled.as_ref()) {
            return &s.merged;
        }
        self.timers.as_ref().map_or(&[], |t| &t.merged)
    }

    /// The flat profile.
    pub fn functions(&self) -> &[FunctionRow] {
        if let Some(s) = self.command.as_ref().and_then(|c| c.sampled.as_ref()) {
            return &s.functions;
        }
        self.timers.as_ref().map_or(&[], |t| &t.functions)
    }
}

/// Where a step is being profiled from.
#[derive(Clone)]
pub struct Origin<'a> {
    /// The run.
    pub run_id: Option<i64>,
    /// Polled for cancellation.
    pub cancelled: &'a dyn Fn() -> bool,
    /// Files for a command's stdout and stderr.
    pub output_files: Option<(std::path::PathBuf, std::path::PathBuf)>,
}

fn timings_of(records: &[crate::metrics::CallRecord]) -> Vec<(String, Vec<f64>)> {
    let mut by: HashMap<&str, Vec<f64>> = HashMap::new();
    for r in records {
        by.entry(r.name).or_default().push(r.duration_ns as f64);
    }
    let mut v: Vec<(String, Vec<f64>)> = by.into_iter().map(|(k, v)| (k.to_owned(), v)).collect();
    v.sort_by(|a, b| a.0.cmp(&b.0));
    v
}

fn from_records(
    records: &[crate::metrics::CallRecord],
    costs: &HashMap<u64, SpanCost>,
) -> Gathered {
    let t = timers::profile(records, costs);
    Gathered {
        runs: vec![node_map(&t.merged)],
        timings: timings_of(records),
        timers: Some(t),
        ..Default::default()
    }
}

/// A one-node tree for a step measured only as a whole.
fn step_node(step: &str, wall_ns: u64, cpu_ns: Option<u64>, cost: Option<SpanCost>) -> Node {
    Node {
        name: step.to_owned(),
        total_ns: wall_ns,
        self_ns: wall_ns,
        calls: Some(CallStats {
            count: 1,
            mean_ns: wall_ns as f64,
            p95_ns: wall_ns,
            max_ns: wall_ns,
            share_of_parent: 1.0,
            cpu_ns,
            allocations: cost.map(|c| c.allocations),
            alloc_bytes: cost.map(|c| c.alloc_bytes),
            self_allocations: cost.map(|c| c.allocations),
            read_bytes: cost.map(|c| c.read_bytes),
            write_bytes: cost.map(|c| c.write_bytes),
            run_queue_ns: cost.map(|c| c.run_queue_ns),
            ..Default::default()
        }),
        ..Node::named(step)
    }
}

fn single(node: Node) -> Gathered {
    let roots = vec![node];
    let t = TimerProfile {
        records: 0,
        allocations_counted: roots[0]
            .calls
            .as_ref()
            .is_some_and(|c| c.allocations.is_some()),
        functions: super::tree::functions(&roots),
        threads: Vec::new(),
        merged: roots,
    };
    Gathered {
        runs: vec![node_map(&t.merged)],
        timers: Some(t),
        ..Default::default()
    }
}

fn from_capture(c: &StepCapture) -> Gathered {
    if c.records.is_empty() {
        return single(step_node(&c.step, c.wall_ns, Some(c.cpu_ns), Some(c.cost)));
    }
    let (costs, _) = span_costs();
    from_records(&c.records, &costs)
}

/// The runner's stored measurements of `step` in `run_id` (`step_wall_time`, ...): the runner's
/// series tagged with the step, read through the run's series (an indexed read, however many
/// samples the run holds).
fn from_store(store: &Store, run_id: i64, step: &str) -> Result<Option<Gathered>, ProfileError> {
    let unreadable = |e: crate::store::StoreError| {
        ProfileError::NothingRecorded(format!("cannot read step measurements: {e}"))
    };
    let window = SampleWindow {
        since_ns: None,
        run_id: Some(run_id),
    };
    let mut mine: HashMap<String, f64> = HashMap::new();
    for series in store.run_series(run_id).map_err(unreadable)? {
        let k = &series.key;
        if k.source.as_deref() != Some("runner")
            || !k.name.starts_with("step_")
            || k.tags.get("step").map(String::as_str) != Some(step)
        {
            continue;
        }
        let name = k.name.clone();
        let samples = store
            .samples_of_series(&name, std::slice::from_ref(&series), window)
            .map_err(unreadable)?;
        if let Some(&v) = samples.values.last() {
            mine.insert(name, v);
        }
    }
    let Some(&wall) = mine.get("step_wall_time") else {
        return Ok(None);
    };
    let cost = SpanCost {
        read_bytes: mine.get("step_read_bytes").copied().unwrap_or(0.0) as u64,
        write_bytes: mine.get("step_write_bytes").copied().unwrap_or(0.0) as u64,
        ..Default::default()
    };
    let mut node = step_node(
        step,
        wall as u64,
        mine.get("step_cpu_time").map(|v| *v as u64),
        Some(cost),
    );
    if let Some(c) = node.calls.as_mut() {
        (c.allocations, c.alloc_bytes, c.self_allocations) = (None, None, None);
    }
    Ok(Some(single(node)))
}

/// Gathers `plan.target`.
pub fn gather(
    plan: &ProfilePlan,
    origin: Origin<'_>,
    store: Option<&Store>,
) -> Result<Gathered, ProfileError> {
    match &plan.target {
        Target::Command(argv) => {
            let output = match &origin.output_files {
                Some((o, e)) if !plan.inherit_output => Output::Files(o.clone(), e.clone()),
                _ => Output::Inherit,
            };
            let spec = CommandSpec {
                argv: argv.clone(),
                frequency_hz: plan.frequency_hz,
                proc_interval: plan.proc_interval,
                output,
            };
            let mut g = Gathered::default();
            for _ in 0..plan.runs {
                let p = profile_command(&spec, origin.cancelled)?;
                g.run_walls.push(p.proc.wall_seconds);
                g.runs.push(
                    p.sampled
                        .as_ref()
                        .map(|s| node_map(&s.merged))
                        .unwrap_or_default(),
                );
                g.command = Some(p);
            }
            Ok(g)
        }
        Target::InProcess => {
            let records = crate::metrics::call_records();
            if records.is_empty() {
                return Err(ProfileError::NothingRecorded(
                    "no timer records in this process: install a metrics pipeline (metrics::install) and time code with #[performance_timer], performance_tracker or profile::scope".into(),
                ));
            }
            Ok(from_records(&records, &span_costs().0))
        }
        Target::Step(step) => {
            if let Some(c) = origin.run_id.and_then(|r| captured(r, step)) {
                return Ok(from_capture(&c));
            }
            let stored = match (store, origin.run_id) {
                (Some(s), Some(r)) => from_store(s, r, step)?,
                _ => None,
            };
            stored.ok_or_else(|| {
                ProfileError::NothingRecorded(format!(
                    "args.target.step: step {} has not run in this run (nothing captured or stored for it); profile a step that ran before this one",
                    crate::diagnostic::compact(&serde_json::Value::String(step.clone()))
                ))
            })
        }
    }
}
