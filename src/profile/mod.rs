//! Profiling (issue #12): where the time goes, and what to change — the `profile` action of
//! `PerformanceMetricsScriptlet` and `f0 profile`.
//!
//! - Commands ([`command`]): stacks of the command and all its threads and children sampled
//!   with `perf_event_open` (cpu-clock, [`perf`]; frame-pointer call chains walked by the
//!   kernel), symbolized with blazesym, beside a /proc view of the process tree
//!   ([`proctree`]). Where sampling is refused the profile says why and keeps the /proc view.
//! - In process ([`timers`], [`mod@scope`], [`capture`]): exact call trees of timer and tracker
//!   records with calls, mean, p95, share of parent, CPU, allocations and I/O per node.
//! - [`bottleneck`] rules with suggestions citing numbers; Framework0's rules in [`parity`].
//! - [`flame`]: folded stacks and (differential) flamegraphs with inferno.
//! - [`compare`]: node-by-node comparison with a stored baseline.
//!
//! Results: [`report::ProfileReport`] at `metrics.last_profile`, in the store's `profiles`
//! table, and as files in `output_dir` (see [`args`]).

pub mod args;
pub mod bottleneck;
pub mod capture;
pub mod command;
pub mod compare;
pub mod error;
pub mod flame;
pub mod gather;
pub mod parity;
pub mod perf;
pub mod proctree;
pub mod report;
pub mod run;
pub mod sampled;
pub mod scope;
pub mod timers;
pub mod tree;

pub use error::ProfileError;
pub use report::ProfileReport;
pub use scope::scope;

use serde_json::{Map, Value};

use crate::diagnostic::{Finding, Level};
use crate::scriptlet::{ActionSpec, ScriptletError, StepEnv};

/// The `profile` action, for the `PerformanceMetricsScriptlet` action table.
pub const ACTION: ActionSpec = ActionSpec::new("profile", validate_args, run_step);

/// Context key of the report.
pub const SUMMARY_KEY: &str = "metrics.last_profile";

/// The findings of the profile action's arguments at path `base`.
pub fn validate_args(args: &Map<String, Value>, base: &str) -> Vec<Finding> {
    args::parse(args, base).1
}

fn failed(e: impl std::fmt::Display) -> ScriptletError {
    ScriptletError::Message(e.to_string())
}

/// Runs the profile action in a recipe step: profiles the target, writes the files, stores
/// the profile and sets `metrics.last_profile`. Returns 1 when a profiled command failed.
pub fn run_step(env: &StepEnv, args: &Map<String, Value>) -> Result<i32, ScriptletError> {
    let (plan, findings) = args::parse(args, "args");
    let plan = plan.ok_or_else(|| {
        failed(ProfileError::InvalidArgs(
            findings
                .into_iter()
                .filter(|f| f.level == Level::Error)
                .collect(),
        ))
    })?;
    let info = env.info();
    let cancelled = || env.is_cancelled();
    let ctx = run::Context {
        run_id: Some(info.run_id),
        step: Some(&info.step_name),
        cancelled: &cancelled,
    };
    // The run's store, held for the step (the runner writes it only between steps).
    let result = run::execute(&plan, ctx, Some(&mut env.store()));
    let report = match result {
        Ok(r) => r,
        Err(ProfileError::Cancelled) => return Err(ScriptletError::Cancelled),
        Err(e) => return Err(failed(e)),
    };
    env.set(SUMMARY_KEY, serde_json::to_value(&report).map_err(failed)?)?;
    let top = report.bottlenecks.first().map_or("none".to_owned(), |b| {
        format!("{} ({})", b.location, b.rule)
    });
    tracing::info!(target: "f0.profile", "profile written to {} (flamegraph {}); top bottleneck: {top}", report.files.report, report.files.flamegraph);
    let exit = report.command.as_ref().map(|c| c.exit);
    match exit {
        Some(e) if e.code != Some(0) => Err(failed(format!(
            "profiled command {:?} failed ({}); the profile was still written",
            report.target.command.clone().unwrap_or_default().join(" "),
            e.code.map_or_else(
                || format!("signal {}", e.signal.unwrap_or(0)),
                |c| format!("exit code {c}")
            )
        ))),
        _ => Ok(0),
    }
}
