//! The profile action's arguments, parsed into a [`ProfilePlan`] with findings.
//!
//! ```yaml
//! args:
//!   action: profile
//!   target: {command: [./app, --fast]}   # or {step: build}, or in_process
//!   frequency: 499          # samples per second per running thread (1..=10000)
//!   runs: 3                 # repeated runs of a command (significance against a baseline)
//!   proc_interval: 100ms    # /proc tree sampling interval
//!   output_dir: profiles    # folded stacks, flamegraph SVG(s), profile JSON
//!   mode: native            # or framework0 (COMPAT §5 rules, strings and JSON shape)
//!   baseline: {save: main, compare: main}   # or a name: compare with it
//! ```

use std::time::Duration;

use serde_json::{Map, Value};

use crate::diagnostic::{compact, Finding};
use crate::scriptlet::args::ArgReader;
use crate::util::duration::parse_duration;

/// Default sampling frequency, Hz: each sample costs the sampled thread about 25 µs of CPU
/// in this project's VMs, so 499 Hz adds ≈ 1.5 % CPU (999 Hz ≈ 2.4 %, 99 Hz ≈ 0.3 %;
/// `benches/profile_overhead.rs`), under the 3 % budget with a margin, at five times
/// pprof-rs's 99 Hz resolution.
pub const DEFAULT_FREQUENCY_HZ: u64 = 499;
/// Highest accepted frequency, Hz.
pub const MAX_FREQUENCY_HZ: u64 = 10_000;
/// Most repeated runs.
pub const MAX_RUNS: u32 = 100;
/// Default /proc interval.
pub const DEFAULT_PROC_INTERVAL: Duration = Duration::from_millis(100);
/// Default output folder.
pub const DEFAULT_OUTPUT_DIR: &str = "profiles";

/// What to profile.
#[derive(Debug, Clone, PartialEq)]
pub enum Target {
    /// A command, its stacks sampled.
    Command(Vec<String>),
    /// A recipe step's recorded timers.
    Step(String),
    /// The timers recorded in this process.
    InProcess,
}

/// Which bottleneck rules.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Mode {
    /// This project's rules.
    Native,
    /// Native rules plus Framework0's (COMPAT §5).
    Framework0,
}

/// Baseline handling.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct BaselinePlan {
    /// Save this profile as the baseline of this name.
    pub save: Option<String>,
    /// Compare with the baseline of this name.
    pub compare: Option<String>,
}

/// A validated profile request.
#[derive(Debug, Clone, PartialEq)]
pub struct ProfilePlan {
    /// What to profile.
    pub target: Target,
    /// Sampling frequency, Hz.
    pub frequency_hz: u64,
    /// Repeated runs (commands).
    pub runs: u32,
    /// /proc sampling interval.
    pub proc_interval: Duration,
    /// Output folder.
    pub output_dir: String,
    /// Rules.
    pub mode: Mode,
    /// Baselines.
    pub baseline: BaselinePlan,
    /// Let a profiled command write to the profiler's own stdout and stderr (the CLI without
    /// `--json`); otherwise its output goes to `<output_dir>/<name>.stdout` and `.stderr`.
    pub inherit_output: bool,
}

const KNOWN: &[&str] = &[
    "action",
    "target",
    "frequency",
    "runs",
    "proc_interval",
    "output_dir",
    "mode",
    "baseline",
];
const TARGET_HELP: &str = "accepted: {command: [program, args...]}, {step: NAME} or \"in_process\"";

fn target(v: Option<&Value>, out: &mut ArgReader<'_>) -> Option<Target> {
    let Some(v) = v else {
        out.missing("target", format!("profile needs 'target'; {TARGET_HELP}"));
        return None;
    };
    match v {
        Value::String(s) if s == "in_process" => Some(Target::InProcess),
        Value::Object(m) if m.len() == 1 && m.contains_key("in_process") => Some(Target::InProcess),
        Value::Object(m) if m.len() == 1 && m.contains_key("command") => match &m["command"] {
            Value::Array(a)
                if !a.is_empty() && a.iter().all(|x| x.as_str().is_some_and(|s| !s.is_empty())) =>
            {
                Some(Target::Command(
                    a.iter()
                        .filter_map(|x| x.as_str().map(str::to_owned))
                        .collect(),
                ))
            }
            other => {
                out.invalid("target.command", format!("got {}; accepted: a non-empty list of non-empty strings, e.g. [./app, --fast]", compact(other)));
                None
            }
        },
        Value::Object(m) if m.len() == 1 && m.contains_key("step") => match &m["step"] {
            Value::String(s) if !s.is_empty() => Some(Target::Step(s.clone())),
            other => {
                out.invalid(
                    "target.step",
                    format!(
                        "got {}; accepted: the name of a step of this recipe",
                        compact(other)
                    ),
                );
                None
            }
        },
        other => {
            out.invalid("target", format!("got {}; {TARGET_HELP}", compact(other)));
            None
        }
    }
}

fn int_in(
    args: &Map<String, Value>,
    out: &mut ArgReader<'_>,
    field: &str,
    lo: u64,
    hi: u64,
    default: u64,
) -> u64 {
    let Some(v) = args.get(field) else {
        return default;
    };
    match v.as_u64().filter(|n| (lo..=hi).contains(n)) {
        Some(n) => n,
        None => {
            out.invalid(
                field,
                format!("got {}; accepted: an integer from {lo} to {hi}", compact(v)),
            );
            default
        }
    }
}

fn name_of(v: &Value, out: &mut ArgReader<'_>, field: &str) -> Option<String> {
    match v.as_str().filter(|s| !s.is_empty() && s.len() <= 200) {
        Some(s) => Some(s.to_owned()),
        None => {
            out.invalid(
                field,
                format!(
                    "got {}; accepted: a baseline name (1 to 200 characters)",
                    compact(v)
                ),
            );
            None
        }
    }
}

fn baseline(v: Option<&Value>, out: &mut ArgReader<'_>) -> BaselinePlan {
    match v {
        None | Some(Value::Null) => BaselinePlan::default(),
        Some(s @ Value::String(_)) => BaselinePlan {
            save: None,
            compare: name_of(s, out, "baseline"),
        },
        Some(Value::Object(m)) => {
            let mut sub = out.nested("baseline", m, &["save", "compare"]);
            BaselinePlan {
                save: m.get("save").and_then(|v| name_of(v, &mut sub, "save")),
                compare: m
                    .get("compare")
                    .and_then(|v| name_of(v, &mut sub, "compare")),
            }
        }
        Some(other) => {
            out.invalid(
                "baseline",
                format!(
                    "got {}; accepted: a name, or {{save: NAME, compare: NAME}}",
                    compact(other)
                ),
            );
            BaselinePlan::default()
        }
    }
}

fn mode(v: Option<&Value>, out: &mut ArgReader<'_>) -> Mode {
    match v.map(|v| (v, v.as_str())) {
        None | Some((_, Some("native"))) => Mode::Native,
        Some((_, Some("framework0"))) => Mode::Framework0,
        Some((v, _)) => {
            out.invalid(
                "mode",
                format!("got {}; accepted: native, framework0", compact(v)),
            );
            Mode::Native
        }
    }
}

/// Parses `args` (the step's `args` mapping) at path `base`. Returns the plan when there
/// are no errors, and every finding. Unknown keys are errors (the one rule of
/// [`crate::scriptlet::args`]).
pub fn parse(args: &Map<String, Value>, base: &str) -> (Option<ProfilePlan>, Vec<Finding>) {
    let mut findings = Vec::new();
    let mut out = ArgReader::new(base, &mut findings);
    out.unknown_keys(args, KNOWN);
    let target = target(args.get("target"), &mut out);
    let frequency_hz = int_in(
        args,
        &mut out,
        "frequency",
        1,
        MAX_FREQUENCY_HZ,
        DEFAULT_FREQUENCY_HZ,
    );
    let runs = int_in(args, &mut out, "runs", 1, u64::from(MAX_RUNS), 1) as u32;
    let proc_interval = match args.get("proc_interval") {
        None => DEFAULT_PROC_INTERVAL,
        Some(v) => parse_duration(v).unwrap_or_else(|e| {
            out.invalid(
                "proc_interval",
                format!("{e}; accepted: a duration such as \"100ms\" or 0.5"),
            );
            DEFAULT_PROC_INTERVAL
        }),
    };
    let output_dir = match args.get("output_dir") {
        None => DEFAULT_OUTPUT_DIR.to_owned(),
        Some(Value::String(s)) if !s.is_empty() => s.clone(),
        Some(v) => {
            out.invalid(
                "output_dir",
                format!("got {}; accepted: a folder path", compact(v)),
            );
            DEFAULT_OUTPUT_DIR.to_owned()
        }
    };
    let mode = mode(args.get("mode"), &mut out);
    let baseline = baseline(args.get("baseline"), &mut out);
    if runs > 1 && !matches!(target, Some(Target::Command(_)) | None) {
        out.invalid(
            "runs",
            "repeated runs apply to a command target only".into(),
        );
    }
    let ok = !out.has_errors();
    let plan = ok.then(|| ProfilePlan {
        target: target.unwrap_or(Target::InProcess),
        frequency_hz,
        runs,
        proc_interval,
        output_dir,
        mode,
        baseline,
        inherit_output: false,
    });
    (plan, findings)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diagnostic::Code;
    use serde_json::json;

    fn p(v: Value) -> (Option<ProfilePlan>, Vec<Finding>) {
        parse(v.as_object().unwrap(), "args")
    }

    #[test]
    fn defaults_and_each_target_form() {
        let (plan, f) = p(json!({"action": "profile", "target": {"command": ["./a", "-x"]}}));
        let plan = plan.unwrap();
        assert!(f.is_empty(), "{f:?}");
        assert_eq!(
            plan.target,
            Target::Command(vec!["./a".into(), "-x".into()])
        );
        assert_eq!(
            (plan.frequency_hz, plan.runs, plan.mode),
            (DEFAULT_FREQUENCY_HZ, 1, Mode::Native)
        );
        assert_eq!(
            p(json!({"target": {"step": "s"}})).0.unwrap().target,
            Target::Step("s".into())
        );
        assert_eq!(
            p(json!({"target": "in_process"})).0.unwrap().target,
            Target::InProcess
        );
        let b = p(json!({"target": "in_process", "baseline": "main"}))
            .0
            .unwrap()
            .baseline;
        assert_eq!(b.compare.as_deref(), Some("main"));
    }

    #[test]
    fn bad_values_name_field_value_and_what_is_accepted() {
        let (plan, f) = p(
            json!({"target": {"command": []}, "frequency": 0, "mode": "fast", "proc_interval": "soon", "baseline": 3}),
        );
        assert!(plan.is_none());
        let text: Vec<String> = f.iter().map(ToString::to_string).collect();
        let all = text.join("\n");
        for needle in [
            "args.target.command",
            "args.frequency",
            "1 to 10000",
            "args.mode",
            "native, framework0",
            "args.proc_interval",
            "args.baseline",
        ] {
            assert!(all.contains(needle), "{needle} missing in {all}");
        }
        let (_, f) = p(json!({}));
        assert_eq!(f[0].code, Code::MissingField);
        let (plan, f) = p(json!({"target": "in_process", "colour": 1}));
        assert!(plan.is_none());
        assert_eq!(f[0].to_string(), "ERROR [INVALID_ARG] at args.colour: unknown key 'colour'; accepted: action, target, frequency, runs, proc_interval, output_dir, mode, baseline");
        let (_, f) = p(json!({"target": "in_process", "baseline": {"save": "a", "keep": 1}}));
        assert!(
            f[0].to_string()
                .contains("args.baseline.keep: unknown key 'keep'"),
            "{f:?}"
        );
    }

    /// The one error finding of `v`, as `validate` prints it.
    fn only_error(v: Value) -> String {
        let (plan, f) = p(v);
        assert!(plan.is_none(), "{f:?}");
        assert_eq!(f.len(), 1, "{f:?}");
        f[0].to_string()
    }

    #[test]
    fn a_target_of_the_wrong_shape_lists_the_three_forms() {
        assert_eq!(
            only_error(json!({"target": 5})),
            "ERROR [INVALID_ARG] at args.target: got 5; accepted: {command: [program, args...]}, {step: NAME} or \"in_process\""
        );
    }

    #[test]
    fn an_empty_or_overlong_baseline_name_is_refused() {
        assert_eq!(
            only_error(json!({"target": "in_process", "baseline": {"save": ""}})),
            "ERROR [INVALID_ARG] at args.baseline.save: got \"\"; accepted: a baseline name (1 to 200 characters)"
        );
        let long = "b".repeat(201);
        assert!(
            only_error(json!({"target": "in_process", "baseline": long}))
                .starts_with("ERROR [INVALID_ARG] at args.baseline: got \"bbb")
        );
    }

    #[test]
    fn an_output_dir_that_is_not_a_path_is_refused() {
        assert_eq!(
            only_error(json!({"target": "in_process", "output_dir": ""})),
            "ERROR [INVALID_ARG] at args.output_dir: got \"\"; accepted: a folder path"
        );
    }

    #[test]
    fn repeated_runs_of_a_step_target_are_refused() {
        assert_eq!(
            only_error(json!({"target": {"step": "build"}, "runs": 3})),
            "ERROR [INVALID_ARG] at args.runs: repeated runs apply to a command target only"
        );
    }
}
