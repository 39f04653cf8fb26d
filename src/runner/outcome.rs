//! The result of a run and of each step, and Framework0's status rules.

use std::fmt;

use serde::{Serialize, Serializer};

use super::measure::StepUsage;

/// Why a step did not run. Text only at output (`skip_reason` in the run JSON and the logs).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SkipReason {
    /// `--only` did not name it.
    NotSelected,
    /// `--skip` named it.
    Excluded,
    /// A step it depends on failed, or was skipped because of a failure.
    Dependency(String),
}

impl SkipReason {
    /// Whether the steps that depend on a step skipped for this reason are blocked too
    /// (a filtered step does not block its dependents; a failure propagates).
    pub fn blocks_dependents(&self) -> bool {
        matches!(self, SkipReason::Dependency(_))
    }
}

impl fmt::Display for SkipReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SkipReason::NotSelected => f.write_str("not selected by --only"),
            SkipReason::Excluded => f.write_str("excluded by --skip"),
            SkipReason::Dependency(dep) => write!(
                f,
                "dependency '{dep}' failed or was skipped because of a failure"
            ),
        }
    }
}

impl Serialize for SkipReason {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

/// How a step ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum StepStatus {
    /// Succeeded (after any retries).
    Completed,
    /// Failed on its last attempt.
    Failed,
    /// Not run: filtered out by `--only`/`--skip`, or a dependency failed.
    Skipped,
    /// Not reached: an earlier step failed and the run stopped, or the run was interrupted.
    NotRun,
}

/// One step's outcome.
#[derive(Debug, Clone, Serialize)]
pub struct StepOutcome {
    /// Step name.
    pub name: String,
    /// How it ended.
    pub status: StepStatus,
    /// Attempts made.
    pub attempts: u32,
    /// Wall time of all attempts, seconds.
    pub duration_seconds: f64,
    /// The last attempt's failure message.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    /// Why it was skipped.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub skip_reason: Option<SkipReason>,
    /// Warnings, e.g. expected context keys that are missing.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub warnings: Vec<String>,
    /// Resources used (for steps that ran).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub usage: Option<StepUsage>,
}

/// Final status of a run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum RunStatus {
    /// No step failed.
    Completed,
    /// Some steps failed, some succeeded.
    Partial,
    /// Steps failed and none succeeded.
    Failed,
    /// Ctrl-C stopped the run.
    Interrupted,
}

impl RunStatus {
    /// Framework0's rule: `completed` if no step failed, `partial` if some succeeded, else `failed`.
    pub fn from_counts(completed: usize, failed: usize) -> RunStatus {
        match (failed, completed) {
            (0, _) => RunStatus::Completed,
            (_, c) if c > 0 => RunStatus::Partial,
            _ => RunStatus::Failed,
        }
    }

    /// The status as text.
    pub fn as_str(self) -> &'static str {
        match self {
            RunStatus::Completed => "completed",
            RunStatus::Partial => "partial",
            RunStatus::Failed => "failed",
            RunStatus::Interrupted => "interrupted",
        }
    }
}

/// The outcome of a whole run.
#[derive(Debug, Clone, Serialize)]
pub struct RunOutcome {
    /// Run id in the store.
    pub run_id: i64,
    /// Recipe path as given.
    pub recipe_path: String,
    /// Final status.
    pub status: RunStatus,
    /// Whether the recipe succeeded (exit 0).
    pub success: bool,
    /// Wall time, seconds.
    pub execution_time: f64,
    /// Steps in the recipe.
    pub total_steps: usize,
    /// Steps that completed.
    pub completed_steps: usize,
    /// Steps that failed.
    pub failed_steps: usize,
    /// Steps skipped (filtered or blocked by a failed dependency).
    pub skipped_steps: usize,
    /// `completed / total * 100`, 100 for an empty recipe.
    pub success_rate: f64,
    /// Every step in execution order.
    pub steps: Vec<StepOutcome>,
    /// Context keys after the run, sorted.
    pub context_keys: Vec<String>,
}

impl RunOutcome {
    /// Framework0's success rate.
    pub fn rate(completed: usize, total: usize) -> f64 {
        if total == 0 {
            100.0
        } else {
            completed as f64 / total as f64 * 100.0
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn status_rules() {
        assert_eq!(RunStatus::from_counts(0, 0), RunStatus::Completed);
        assert_eq!(RunStatus::from_counts(2, 0), RunStatus::Completed);
        assert_eq!(RunStatus::from_counts(1, 1), RunStatus::Partial);
        assert_eq!(RunStatus::from_counts(0, 1), RunStatus::Failed);
        assert_eq!(RunOutcome::rate(0, 0), 100.0);
        assert_eq!(RunOutcome::rate(1, 4), 25.0);
    }
}
