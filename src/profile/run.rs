//! One profile from plan to report: gather the target, rank bottlenecks, write folded
//! stacks, the flamegraph and the report JSON into the output folder, compare with and/or
//! save a baseline, store the profile.

use std::path::{Path, PathBuf};

use serde_json::Value;

use super::args::{Mode, ProfilePlan, Target};
use super::bottleneck::{detect, rankings, RuleInput};
use super::compare::{compare, Comparison, NodeMap};
use super::error::ProfileError;
use super::flame;
use super::gather::{gather, Gathered, Origin};
use super::parity;
use super::report::{
    BaselineInfo, Classification, Files, ProfileReport, TargetInfo, SCHEMA_VERSION,
};
use super::tree::prune_small;
use crate::store::Store;

/// Where the profile is made.
#[derive(Clone, Copy)]
pub struct Context<'a> {
    /// The run (recipe steps).
    pub run_id: Option<i64>,
    /// The profiling step.
    pub step: Option<&'a str>,
    /// Polled for cancellation.
    pub cancelled: &'a dyn Fn() -> bool,
}

/// A file name made of `label`'s letters, digits, `-` and `_` (never a path).
pub fn file_stem(label: &str) -> String {
    let s: String = label
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' || c == '_' {
                c
            } else {
                '_'
            }
        })
        .take(80)
        .collect();
    if s.is_empty() {
        "profile".into()
    } else {
        s
    }
}

fn write(path: &Path, bytes: &[u8]) -> Result<(), ProfileError> {
    std::fs::write(path, bytes).map_err(|source| ProfileError::Write {
        path: path.to_path_buf(),
        source,
    })
}

/// What the verdict rests on: CPU time over the time the work could run (wall time less the
/// time it waited for a CPU), and that wait.
fn cpu_share(g: &Gathered) -> Option<(f64, f64)> {
    match (&g.command, &g.timers) {
        (Some(c), _) => (c.proc.wall_seconds > 0.0)
            .then_some((c.proc.cpu_utilization_runnable, c.proc.run_queue_seconds)),
        (None, Some(t)) => {
            let wall: u64 = t.merged.iter().map(|n| n.total_ns).sum();
            // Scopes read their thread's run-queue wait; a machine busy with other work
            // must not make a computing job look like it waits (it did: 25-48 % "CPU").
            let queued: u64 = t
                .merged
                .iter()
                .map(|n| {
                    n.calls
                        .as_ref()
                        .and_then(|c| c.run_queue_ns)
                        .unwrap_or(0)
                        .min(n.total_ns)
                })
                .sum();
            let cpu: Option<u64> = t
                .merged
                .iter()
                .map(|n| n.calls.as_ref().and_then(|c| c.cpu_ns))
                .sum();
            let runnable = wall.saturating_sub(queued);
            cpu.filter(|_| runnable > 0)
                .map(|c| ((c as f64 / runnable as f64).min(1.0), queued as f64 / 1e9))
        }
        _ => None,
    }
}

fn classify(g: &Gathered) -> Classification {
    match cpu_share(g) {
        Some((r, queued)) => Classification {
            verdict: if r >= 0.5 {
                "cpu_bound"
            } else {
                "not_cpu_bound"
            }
            .into(),
            cpu_utilization: Some(r),
            evidence: format!(
                "CPU time is {:.1} % of the time it could run ({}; {:.3} s waiting for a CPU excluded)",
                r * 100.0,
                if r >= 0.5 {
                    "busy computing"
                } else {
                    "mostly waiting: I/O, locks or sleep"
                },
                queued
            ),
        },
        None => Classification {
            verdict: "unknown".into(),
            cpu_utilization: None,
            evidence: "no CPU time recorded (timers without CPU time)".into(),
        },
    }
}

fn framework0(g: &Gathered) -> parity::Framework0Bottlenecks {
    let mut resources = Vec::new();
    if let Some(c) = &g.command {
        let tl = &c.proc.timeline;
        let cpu: Vec<f64> = tl
            .windows(2)
            .filter(|w| w[1].t_seconds > w[0].t_seconds)
            .map(|w| {
                let used = (w[1].cpu_user_seconds + w[1].cpu_sys_seconds)
                    - (w[0].cpu_user_seconds + w[0].cpu_sys_seconds);
                (used / (w[1].t_seconds - w[0].t_seconds) * 100.0).max(0.0)
            })
            .collect();
        resources.push(("process_cpu_usage_percent".to_owned(), cpu));
        let total = super::proctree::total_memory_bytes();
        if total > 0 {
            resources.push((
                "process_memory_usage_percent".to_owned(),
                tl.iter()
                    .map(|s| s.rss_bytes as f64 / total as f64 * 100.0)
                    .collect(),
            ));
        }
    }
    parity::detect(&g.timings, &resources, &[])
}

fn target_info(t: &Target) -> (TargetInfo, String) {
    match t {
        Target::Command(a) => (
            TargetInfo {
                kind: "command".into(),
                command: Some(a.clone()),
                step: None,
            },
            "command".into(),
        ),
        Target::Step(s) => (
            TargetInfo {
                kind: "step".into(),
                command: None,
                step: Some(s.clone()),
            },
            format!("step:{s}"),
        ),
        Target::InProcess => (
            TargetInfo {
                kind: "in_process".into(),
                command: None,
                step: None,
            },
            "in_process".into(),
        ),
    }
}

fn runs_json(runs: &[NodeMap]) -> Value {
    serde_json::to_value(runs).unwrap_or(Value::Null)
}

fn load_runs(v: &Value) -> Option<Vec<NodeMap>> {
    serde_json::from_value(v.clone())
        .ok()
        .filter(|r: &Vec<NodeMap>| !r.is_empty())
}

/// Where the files of one profile go: `<dir>/<stem><suffix>`.
struct Out {
    dir: PathBuf,
    stem: String,
}

impl Out {
    fn path(&self, suffix: &str) -> PathBuf {
        self.dir.join(format!("{}{suffix}", self.stem))
    }

    /// Writes `bytes` to the file with `suffix`; returns its path as text.
    fn write(&self, suffix: &str, bytes: &[u8]) -> Result<String, ProfileError> {
        let path = self.path(suffix);
        write(&path, bytes)?;
        Ok(path.display().to_string())
    }

    fn svg(&self, suffix: &str, rendered: Result<Vec<u8>, String>) -> Result<String, ProfileError> {
        let svg = rendered.map_err(|message| ProfileError::Flamegraph {
            path: self.path(suffix),
            message,
        })?;
        self.write(suffix, &svg)
    }
}

fn baseline_error(name: &str, message: &str) -> ProfileError {
    ProfileError::Baseline {
        name: name.to_owned(),
        message: message.to_owned(),
    }
}

/// Compares with the stored baseline `name` and writes the differential flamegraph.
fn compare_with(
    store: Option<&Store>,
    name: &str,
    current: (&[NodeMap], &str),
    title: &str,
    out: &Out,
) -> Result<Comparison, ProfileError> {
    let s = store.ok_or_else(|| baseline_error(name, "no store to read baselines from"))?;
    let row = s.profile_baseline(name)?.ok_or_else(|| {
        baseline_error(
            name,
            "no such profile baseline; save one first with baseline: {save: NAME}",
        )
    })?;
    let base_runs = load_runs(&row.runs)
        .ok_or_else(|| baseline_error(name, "stored baseline holds no runs"))?;
    let mut c = compare(name, &base_runs, current.0);
    let diff = flame::diff_svg(
        &row.folded,
        current.1,
        &format!("{title} vs baseline {name}"),
    );
    c.diff_flamegraph = Some(out.svg(".diff.svg", diff)?);
    Ok(c)
}

/// The trees as the report shows them: callees under 0.1 % of the profile left out.
fn pruned(
    g: &Gathered,
) -> (
    Option<super::command::CommandProfile>,
    Option<super::timers::TimerProfile>,
) {
    let mut command = g.command.clone();
    if let Some(s) = command.as_mut().and_then(|c| c.sampled.as_mut()) {
        prune_small(&mut s.merged);
        for t in &mut s.threads {
            prune_small(&mut t.roots);
        }
    }
    let mut timers = g.timers.clone();
    if let Some(t) = timers.as_mut() {
        prune_small(&mut t.merged);
        for th in &mut t.threads {
            prune_small(&mut th.roots);
        }
    }
    (command, timers)
}

fn report_of(
    plan: &ProfilePlan,
    ctx: Context<'_>,
    g: &Gathered,
    files: Files,
    baseline: BaselineInfo,
) -> ProfileReport {
    let timer_roots = g.timers.as_ref().map_or(&[][..], |t| &t.merged[..]);
    let (command, timers) = pruned(g);
    ProfileReport {
        kind: "profile".into(),
        schema_version: SCHEMA_VERSION,
        generated_at: crate::util::epoch_seconds(),
        run_id: ctx.run_id,
        step: ctx.step.map(str::to_owned),
        target: target_info(&plan.target).0,
        mode: match plan.mode {
            Mode::Native => "native",
            Mode::Framework0 => "framework0",
        }
        .into(),
        time_unit: "ns".into(),
        classification: classify(g),
        bottlenecks: detect(RuleInput {
            functions: g.functions(),
            timer_roots,
            proc: g.command.as_ref().map(|c| &c.proc),
        }),
        rankings: rankings(g.functions(), timer_roots),
        framework0: (plan.mode == Mode::Framework0).then(|| framework0(g)),
        command,
        run_wall_seconds: if g.run_walls.len() > 1 {
            g.run_walls.clone()
        } else {
            Vec::new()
        },
        timers,
        files,
        baseline,
        store_id: None,
    }
}

/// Makes the profile `plan` asks for. `store` is used for baselines and to keep the profile.
pub fn execute(
    plan: &ProfilePlan,
    ctx: Context<'_>,
    store: Option<&mut Store>,
) -> Result<ProfileReport, ProfileError> {
    let out = Out {
        dir: PathBuf::from(&plan.output_dir),
        stem: file_stem(ctx.step.unwrap_or("profile")),
    };
    std::fs::create_dir_all(&out.dir).map_err(|source| ProfileError::Write {
        path: out.dir.clone(),
        source,
    })?;
    let origin = Origin {
        run_id: ctx.run_id,
        cancelled: ctx.cancelled,
        output_files: Some((out.path(".stdout"), out.path(".stderr"))),
    };
    let g = gather(plan, origin, store.as_deref())?;
    let (target, label) = target_info(&plan.target);
    let title = format!(
        "f0 profile: {}",
        target
            .command
            .as_ref()
            .map_or(label.clone(), |c| c.join(" "))
    );
    let folded = flame::folded(g.roots());
    let mut files = Files {
        output_dir: plan.output_dir.clone(),
        folded: out.write(".folded", folded.as_bytes())?,
        flamegraph: out.svg(".svg", flame::svg(&folded, &title))?,
        diff_flamegraph: None,
        report: out.path(".profile.json").display().to_string(),
    };
    let mut baseline = BaselineInfo::default();
    if let Some(name) = &plan.baseline.compare {
        let c = compare_with(store.as_deref(), name, (&g.runs, &folded), &title, &out)?;
        files.diff_flamegraph = c.diff_flamegraph.clone();
        baseline.comparison = Some(c);
    }
    let mut report = report_of(plan, ctx, &g, files, baseline);
    if let Some(s) = store {
        let json = serde_json::to_value(&report).unwrap_or(Value::Null);
        let id = s.insert_profile(ctx.run_id, ctx.step, &label, &json, &folded)?;
        report.store_id = Some(id);
        if let Some(name) = &plan.baseline.save {
            s.save_profile_baseline(name, Some(id), &runs_json(&g.runs), &folded)?;
            report.baseline.saved = Some(name.clone());
        }
    }
    out.write(
        ".profile.json",
        &serde_json::to_vec_pretty(&report).unwrap_or_default(),
    )?;
    Ok(report)
}
