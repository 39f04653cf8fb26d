//! The runner's bookkeeping around steps: outcomes of steps that did not run, and the run's
//! closing counts, status and context keys (Framework0's `recipe.*` keys).

use std::time::Instant;

use serde_json::{json, Value};

use super::{RunOptions, RunOutcome, RunStatus, SkipReason, StepOutcome, StepStatus, WHO};
use crate::context::Context;
use crate::recipe::{Recipe, Step};
use crate::util::epoch_seconds;

pub(super) fn filtered(step: &Step, opts: &RunOptions) -> Option<SkipReason> {
    if let Some(only) = &opts.only {
        if !only.contains(&step.name) {
            return Some(SkipReason::NotSelected);
        }
    }
    opts.skip
        .contains(&step.name)
        .then_some(SkipReason::Excluded)
}

pub(super) fn skipped(step: &Step, reason: SkipReason) -> StepOutcome {
    tracing::info!(target: "f0.runner", "Skipping step {}: {reason}", step.name);
    StepOutcome {
        status: StepStatus::Skipped,
        skip_reason: Some(reason),
        ..not_run(step)
    }
}

pub(super) fn not_run(step: &Step) -> StepOutcome {
    StepOutcome {
        name: step.name.clone(),
        status: StepStatus::NotRun,
        attempts: 0,
        duration_seconds: 0.0,
        error: None,
        skip_reason: None,
        warnings: Vec::new(),
        usage: None,
    }
}

/// Computes the final counts and status and writes the runner's closing context keys.
pub(super) fn finish(
    ctx: &mut Context,
    run_id: i64,
    recipe: &Recipe,
    steps: Vec<StepOutcome>,
    started: Instant,
    interrupted: bool,
) -> RunOutcome {
    let count = |s: StepStatus| steps.iter().filter(|o| o.status == s).count();
    let (completed, failed, skipped) = (
        count(StepStatus::Completed),
        count(StepStatus::Failed),
        count(StepStatus::Skipped),
    );
    let total = recipe.steps.len();
    let status = if interrupted {
        RunStatus::Interrupted
    } else {
        RunStatus::from_counts(completed, failed)
    };
    let success = status == RunStatus::Completed;
    let execution_time = started.elapsed().as_secs_f64();
    let success_rate = RunOutcome::rate(completed, total);
    let errors: Vec<Value> = steps
        .iter()
        .filter_map(|s| s.error.as_ref().map(|e| json!(format!("{}: {e}", s.name))))
        .collect();
    let warnings: Vec<Value> = steps
        .iter()
        .flat_map(|s| s.warnings.iter().map(|w| json!(w)))
        .collect();
    let keys: [(&str, Value); 9] = [
        ("recipe.end_time", json!(epoch_seconds())),
        ("recipe.execution_time_seconds", json!(execution_time)),
        ("recipe.status", json!(status.as_str())),
        ("recipe.success", json!(success)),
        ("recipe.completed_steps", json!(completed)),
        ("recipe.failed_steps", json!(failed)),
        ("recipe.skipped_steps", json!(skipped)),
        ("recipe.success_rate", json!(success_rate)),
        ("recipe.outputs_created", json!([])),
    ];
    for (k, v) in keys {
        ctx.set(k, v, Some(WHO));
    }
    if !errors.is_empty() {
        ctx.set("recipe.global_errors", Value::Array(errors), Some(WHO));
    }
    if !warnings.is_empty() {
        ctx.set("recipe.global_warnings", Value::Array(warnings), Some(WHO));
    }
    RunOutcome {
        run_id,
        recipe_path: recipe.path.display().to_string(),
        status,
        success,
        execution_time,
        total_steps: total,
        completed_steps: completed,
        failed_steps: failed,
        skipped_steps: skipped,
        success_rate,
        steps,
        context_keys: ctx.keys().map(str::to_owned).collect(),
    }
}
