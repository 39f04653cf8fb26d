//! The profile report: the JSON at `metrics.last_profile`, in the store and in
//! `<output_dir>/<name>.profile.json` (`schemas/profile.schema.json`, `kind: "profile"`,
//! `schema_version: 1`). The report helper reads `bottlenecks` (the table) and
//! `files.flamegraph` (the SVG to embed).

use serde::{Deserialize, Serialize};

use super::bottleneck::{Bottleneck, Rankings};
use super::command::CommandProfile;
use super::compare::Comparison;
use super::parity::Framework0Bottlenecks;
use super::timers::TimerProfile;

/// Version of the report's shape.
pub const SCHEMA_VERSION: u32 = 1;

/// What was profiled.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TargetInfo {
    /// `command`, `step` or `in_process`.
    pub kind: String,
    /// The command (command targets).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub command: Option<Vec<String>>,
    /// The step (step targets).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub step: Option<String>,
}

/// Whether the work was CPU-bound.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Classification {
    /// `cpu_bound`, `not_cpu_bound` or `unknown`.
    pub verdict: String,
    /// CPU time / wall time (1.0 = one core busy), when known.
    pub cpu_utilization: Option<f64>,
    /// The numbers in words.
    pub evidence: String,
}

/// Files written (paths as given, inside `output_dir`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Files {
    /// The output folder.
    pub output_dir: String,
    /// Folded stacks.
    pub folded: String,
    /// Flamegraph SVG.
    pub flamegraph: String,
    /// Differential flamegraph SVG against the baseline.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub diff_flamegraph: Option<String>,
    /// This report as JSON.
    pub report: String,
}

/// Baseline saving and comparison.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct BaselineInfo {
    /// Name saved under.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub saved: Option<String>,
    /// The comparison.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub comparison: Option<Comparison>,
}

/// The profile report.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ProfileReport {
    /// Always `profile`.
    pub kind: String,
    /// [`SCHEMA_VERSION`].
    pub schema_version: u32,
    /// When, epoch seconds.
    pub generated_at: f64,
    /// The run (recipe steps).
    pub run_id: Option<i64>,
    /// The profiling step.
    pub step: Option<String>,
    /// What was profiled.
    pub target: TargetInfo,
    /// `native` or `framework0`.
    pub mode: String,
    /// Time unit of every `*_ns` field.
    pub time_unit: String,
    /// CPU-bound or not.
    pub classification: Classification,
    /// Bottlenecks, ranked.
    pub bottlenecks: Vec<Bottleneck>,
    /// Rankings by self time and by spread.
    pub rankings: Rankings,
    /// Framework0's bottleneck result (mode `framework0`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub framework0: Option<Framework0Bottlenecks>,
    /// Command profile (the last of `runs`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub command: Option<CommandProfile>,
    /// Wall seconds of each run of the command.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub run_wall_seconds: Vec<f64>,
    /// In-process timer profile.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub timers: Option<TimerProfile>,
    /// Files written.
    pub files: Files,
    /// Baselines.
    pub baseline: BaselineInfo,
    /// Row id in the store's `profiles` table.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub store_id: Option<i64>,
}
