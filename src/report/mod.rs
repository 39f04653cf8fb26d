//! The `report` action of `PerformanceMetricsScriptlet` and the engine behind `f0 report`:
//! store + context → the report model ([`mod@gather`], [`model`]) → HTML, Markdown, JSON and text
//! files ([`render`]) written safely into one folder ([`output`]).
//!
//! Everything is per series (a metric name plus its tag set): verdicts (regressed / improved /
//! unchanged / insufficient, worst first), time series with their band, anomalies and change
//! points, distributions, trends with forecast intervals, history across runs, the system
//! overview, Framework0's bottleneck rules and the last profile. In a recipe the written
//! paths land at `metrics.last_report`. Arguments: see [`args`].

pub mod args;
pub mod error;
pub mod escape;
pub mod gather;
pub mod lttb;
pub mod model;
pub mod numfmt;
pub mod output;
pub mod render;

pub use args::{parse_args, Format, ReportArgs, WindowSpec};
pub use error::ReportError;
pub use gather::{gather, ContextInputs, GatherRequest};
pub use model::Report;

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use serde_json::{json, Map, Value};

use crate::diagnostic::{Finding, Level};
use crate::scriptlet::{ActionSpec, ScriptletError, StepEnv};

/// The `report` action of `PerformanceMetricsScriptlet`.
pub const ACTION: ActionSpec = ActionSpec::new("report", validate_args, run_step);

/// The files one report wrote.
#[derive(Debug, Clone, PartialEq)]
pub struct Written {
    /// The output folder.
    pub dir: PathBuf,
    /// Each format's file, in writing order.
    pub files: Vec<(Format, PathBuf)>,
}

/// Renders `report` in every format of `formats` into `dir` (already prepared by
/// [`output::prepare_dir`]).
pub fn write_all(report: &Report, formats: &[Format], dir: &Path) -> Result<Written, ReportError> {
    let mut files = Vec::with_capacity(formats.len());
    for &f in formats {
        let text = render::render(report, f)?;
        files.push((f, output::write(dir, f, text.as_bytes())?));
    }
    Ok(Written {
        dir: dir.to_path_buf(),
        files,
    })
}

/// A folder name from user text: letters, digits, `.`, `_` and `-` kept, the rest `_`, no
/// leading dot, at most 80 characters.
pub fn folder_name(text: &str) -> String {
    let mut s: String = text
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || "._-".contains(c) {
                c
            } else {
                '_'
            }
        })
        .take(80)
        .collect();
    while s.starts_with('.') {
        s.remove(0);
    }
    if s.is_empty() {
        "report".to_owned()
    } else {
        s
    }
}

/// `reports/<recipe>-<run id>` (or `reports/<timeframe>` without a run), relative to the
/// store's folder.
pub fn default_dir_name(recipe: Option<&str>, run: Option<i64>, timeframe: &str) -> String {
    match run {
        Some(id) => format!("reports/{}-{id}", folder_name(recipe.unwrap_or("run"))),
        None => format!("reports/{}", folder_name(timeframe)),
    }
}

/// The folder beside the store, for paths relative to it.
pub fn store_dir(store_path: &Path) -> PathBuf {
    match store_path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    }
}

/// What a report leaves at `metrics.last_report`.
pub fn summary(report: &Report, written: &Written, step: Option<&str>) -> Value {
    let files: Map<String, Value> = written
        .files
        .iter()
        .map(|(f, p)| (f.name().to_owned(), Value::String(p.display().to_string())))
        .collect();
    json!({
        "action": "report",
        "generated_at": report.generated_at_ns as f64 / 1e9,
        "run_id": report.run_id,
        "step": step,
        "title": report.title,
        "timeframe": report.window.timeframe,
        "output_dir": written.dir.display().to_string(),
        "files": files,
        "series": report.series.len(),
        "verdicts": report.verdict_counts,
    })
}

/// The findings of the report action's arguments at path `base` (for `f0 validate` and the
/// runner's pre-check).
pub fn validate_args(args: &Map<String, Value>, base: &str) -> Vec<Finding> {
    parse_args(args, base).1
}

fn failed(e: impl Into<Box<dyn std::error::Error + Send + Sync + 'static>>) -> ScriptletError {
    ScriptletError::failed(e)
}

fn context_inputs(env: &StepEnv) -> ContextInputs {
    let baselines: HashMap<String, Value> = env
        .keys()
        .into_iter()
        .filter_map(|k| {
            let metric = k.strip_prefix("metrics.baselines.")?.to_owned();
            Some((metric, env.get(&k)?))
        })
        .collect();
    ContextInputs {
        last_analysis: env.get("metrics.last_analysis"),
        last_collection: env.get("metrics.last_collection"),
        last_profile: env.get("metrics.last_profile"),
        baselines,
    }
}

/// The regression threshold of the recipe's configuration (default 0.2).
pub fn regression_threshold(recipe_config: Option<&Value>) -> Result<f64, ReportError> {
    crate::analyze::action::config::effective(recipe_config, None)
        .map(|c| c.health.regression_threshold)
        .map_err(|e| ReportError::Config(e.to_string()))
}

/// Runs the report action in a recipe step: gathers, writes the files, and sets
/// `metrics.last_report`.
pub fn run_step(env: &StepEnv, args: &Map<String, Value>) -> Result<i32, ScriptletError> {
    let (parsed, findings) = parse_args(args, "args");
    let args = parsed.ok_or_else(|| {
        failed(ReportError::InvalidArgs(
            findings
                .into_iter()
                .filter(|f| f.level == Level::Error)
                .collect(),
        ))
    })?;
    let info = env.info();
    let recipe_dir = store_dir(&info.recipe_path);
    let request = GatherRequest {
        args: &args,
        now_ns: crate::util::epoch_nanos(),
        current_run: Some(info.run_id),
        recipe: Some(info.recipe_name.clone()),
        regression_threshold: regression_threshold(env.get("recipe.config").as_ref())
            .map_err(failed)?,
        base_dir: recipe_dir.clone(),
        context: context_inputs(env),
    };
    // The store is locked only while the model is gathered, not while files are written.
    let (report, store_path) = {
        let store = env.store();
        (
            gather(&store, &request).map_err(failed)?,
            store.path().to_path_buf(),
        )
    };
    let dir = match &args.output_dir {
        Some(given) => output::prepare_dir(given, &recipe_dir),
        None => {
            let name = default_dir_name(Some(&info.recipe_name), Some(info.run_id), "");
            output::prepare_dir(&name, &store_dir(&store_path))
        }
    }
    .map_err(failed)?;
    let written = write_all(&report, &args.formats, &dir).map_err(failed)?;
    env.set(
        "metrics.last_report",
        summary(&report, &written, Some(&info.step_name)),
    )?;
    let names: Vec<&str> = written.files.iter().map(|(f, _)| f.name()).collect();
    tracing::info!(
        target: "f0.report",
        "report of {} series ({}) written to {} ({})",
        report.series.len(),
        render::counts_line(&report),
        written.dir.display(),
        names.join(", ")
    );
    Ok(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folder_names_from_user_text_stay_one_plain_component() {
        assert_eq!(folder_name("../../etc/passwd"), "_.._etc_passwd");
        assert_eq!(folder_name("...hidden"), "hidden");
        assert_eq!(folder_name("..."), "report");
        assert_eq!(folder_name(""), "report");
        assert_eq!(folder_name(&"x".repeat(200)).len(), 80);
    }

    #[test]
    fn default_folders_are_named_for_the_run_or_the_timeframe() {
        assert_eq!(
            default_dir_name(Some("recipes/ci.yaml"), Some(7), "run 7"),
            "reports/recipes_ci.yaml-7"
        );
        assert_eq!(default_dir_name(None, Some(7), "run 7"), "reports/run-7");
        assert_eq!(default_dir_name(None, None, "last 1h"), "reports/last_1h");
    }

    #[test]
    fn a_store_without_a_folder_is_in_the_working_folder() {
        assert_eq!(store_dir(Path::new("store.db")), PathBuf::from("."));
        assert_eq!(store_dir(Path::new("/a/b/store.db")), PathBuf::from("/a/b"));
    }
}
