//! The headline scenario of per-series analysis: recipe `two_steps` has a fast (40 ms) and a
//! slow (120 ms) step and is run six times; in run 6 the slow step's sleep doubles (a variant
//! of the recipe under the same name). Each step is its own series, analysed, compared and
//! charted on its own; pooling happens only when asked.
//!
//! The verdicts use a 50 % threshold so that scheduler noise on a loaded machine (a 40 ms sleep
//! taking 50 ms) cannot flip them, while the planted +100 % is far above it.

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use serde_json::{json, Value};

use crate::util::action::{
    assert_schema_valid, json, json_as, ok, stderr, stdout, step_result, step_wall_times,
};
use crate::util::Scratch;

pub const FAST: &str = r#"step_wall_time{step="fast"}"#;
pub const SLOW: &str = r#"step_wall_time{step="slow"}"#;
pub const BOTH: &str = r#"step_wall_time{step=~"fast|slow"}"#;

/// The recipe with the slow step sleeping `slow` seconds, an analyze step that judges this
/// run's time of each step against the step's rolling baseline of the last 5 runs, and a
/// report step writing the run's JSON and Markdown report (`reports/two_steps-<run>/`).
fn recipe(s: &Scratch, file: &str, slow: f64) -> PathBuf {
    s.write(
        file,
        &format!(
            "metadata: {{name: two_steps}}\n\
             config: {{health: {{regression_threshold: 0.5}}}}\n\
             steps:\n\
             \x20 - {{idx: 1, name: fast, type: python, module: f0.builtin, function: Sleep, args: {{seconds: 0.04}}}}\n\
             \x20 - {{idx: 2, name: slow, type: python, module: f0.builtin, function: Sleep, args: {{seconds: {slow}}}}}\n\
             \x20 - idx: 3\n\
             \x20   name: judge\n\
             \x20   module: scriptlets.foundation.performance_metrics\n\
             \x20   function: PerformanceMetricsScriptlet\n\
             \x20   args:\n\
             \x20     action: analyze\n\
             \x20     timeframe: this_run\n\
             \x20     metrics: '{BOTH}'\n\
             \x20     anomaly_detection: false\n\
             \x20     change_points: false\n\
             \x20     baseline: {{compare: true, establish: {{last_runs: 5}}}}\n\
             \x20 - idx: 4\n\
             \x20   name: report\n\
             \x20   module: scriptlets.foundation.performance_metrics\n\
             \x20   function: PerformanceMetricsScriptlet\n\
             \x20   args: {{action: report, formats: [json, markdown], metrics: '{BOTH}'}}\n"
        ),
    )
}

/// Runs the six runs into a fresh store; `None` when the machine was too noisy for the planted
/// change to dominate (a fast-step time, or a slow-step time before run 6, more than 30 % off
/// its median), so that the verdicts below test the tool, not the scheduler.
fn six_runs() -> Option<PathBuf> {
    // Kept for the whole test process, under the target directory.
    let s = Scratch {
        dir: tempfile::tempdir_in(env!("CARGO_TARGET_TMPDIR")).unwrap(),
    };
    let normal = recipe(&s, "two_steps.yaml", 0.12);
    let slower = recipe(&s, "two_steps_slower.yaml", 0.24);
    for run in 1..=6 {
        let r = if run == 6 { &slower } else { &normal };
        let (code, out) = s.run_json(r, &[]);
        assert_eq!(code, 0, "run {run}: {out:#}");
        assert_eq!(out["run_id"], run);
    }
    let steady = |v: &[f64]| {
        let mut sorted = v.to_vec();
        sorted.sort_by(f64::total_cmp);
        let median = sorted[sorted.len() / 2];
        v.iter().all(|x| (x - median).abs() <= 0.3 * median)
    };
    let (fast, slow) = (stored(&s, "fast"), stored(&s, "slow"));
    if !(steady(&fast) && steady(&slow[..5])) {
        eprintln!("series_steps: machine too noisy (fast {fast:?}, slow {slow:?}); running the six runs again");
        return None;
    }
    Some(s.dir.keep())
}

/// The folder the six runs were made in once per test process (their store, and the reports
/// each run's report step wrote under `reports/`).
pub fn built() -> &'static Path {
    static BUILT: OnceLock<PathBuf> = OnceLock::new();
    BUILT.get_or_init(|| {
        (0..5).find_map(|_| six_runs()).expect(
            "five attempts at the six runs were all too noisy to judge (machine overloaded)",
        )
    })
}

/// A store holding the six runs (built once, copied for each test).
pub fn scenario() -> Scratch {
    let dir = built();
    let s = Scratch::new();
    for ext in ["", "-wal", "-shm"] {
        let from = dir.join(format!("store.db{ext}"));
        if from.exists() {
            std::fs::copy(&from, s.path(&format!("store.db{ext}"))).unwrap();
        }
    }
    s
}

/// The stored values of one step's wall time, by SQL.
pub fn stored(s: &Scratch, step: &str) -> Vec<f64> {
    step_wall_times(s, "two_steps", step)
}

fn mean(v: &[f64]) -> f64 {
    v.iter().sum::<f64>() / v.len() as f64
}

#[track_caller]
fn close(got: &Value, want: f64) {
    let got = got.as_f64().unwrap();
    assert!(
        (got - want).abs() <= 1e-9 * want.abs(),
        "got {got}, want {want}"
    );
}

#[test]
fn per_step_analysis_gives_one_series_per_step_with_that_steps_mean() {
    let s = scenario();
    let v = json(&s, &["analyze", "--metric", BOTH, "--timeframe", "all"]);
    assert_eq!(v["metrics"].as_array().unwrap().len(), 2, "{v:#}");
    let (fast, slow) = (stored(&s, "fast"), stored(&s, "slow"));
    assert_eq!((fast.len(), slow.len()), (6, 6));
    for (step, values) in [("fast", &fast), ("slow", &slow)] {
        let m = step_result(&v, "metrics", step);
        assert_eq!(m["tags"], json!({"recipe": "two_steps", "step": step}));
        assert_eq!(m["series"], format!("recipe=two_steps,step={step}"));
        assert_eq!(
            (&m["scope"], &m["pooled"]),
            (&json!("series"), &json!(false))
        );
        assert_eq!(m["summary"]["sample_count"], 6);
        close(&m["summary"]["mean"], mean(values));
    }
    assert!(mean(&fast) >= 0.04e9 && mean(&slow) >= (5.0 * 0.12e9 + 0.24e9) / 6.0);
    assert!(mean(&slow) > mean(&fast), "{fast:?} {slow:?}");
    let text = ok(&s, &["analyze", "--metric", BOTH, "--timeframe", "all"]);
    for step in ["fast", "slow"] {
        let line = format!(
            r#"metric step_wall_time{{recipe="two_steps", step="{step}"}} (timing, ns): 6 samples, timeframe all"#
        );
        assert!(
            text.lines().any(|l| l == line),
            "missing {line:?} in:\n{text}"
        );
    }
    assert!(!text.contains("pooled"), "{text}");
}

#[test]
fn pooling_and_grouping_happen_only_when_asked() {
    let s = scenario();
    let pooled = json(
        &s,
        &["analyze", "--metric", BOTH, "--timeframe", "all", "--pool"],
    );
    let m = &pooled["metrics"][0];
    assert_eq!(pooled["metrics"].as_array().unwrap().len(), 1);
    assert_eq!(
        (&m["pooled"], &m["scope"], &m["series"]),
        (&json!(true), &json!("pooled"), &json!("*"))
    );
    assert_eq!(
        m["tags"],
        json!({"recipe": "two_steps"}),
        "the tags both steps share"
    );
    assert_eq!(
        m["members"],
        json!(["recipe=two_steps,step=fast", "recipe=two_steps,step=slow"])
    );
    let all: Vec<f64> = [stored(&s, "fast"), stored(&s, "slow")].concat();
    assert_eq!(m["summary"]["sample_count"], 12);
    close(&m["summary"]["mean"], mean(&all));
    let text = ok(
        &s,
        &["analyze", "--metric", BOTH, "--timeframe", "all", "--pool"],
    );
    assert!(text.starts_with(r#"metric step_wall_time{recipe="two_steps"} (pooled, 2 series) (timing, ns): 12 samples"#), "{text}");

    let by_recipe = json(
        &s,
        &[
            "analyze",
            "--metric",
            "step_wall_time",
            "--timeframe",
            "all",
            "--by",
            "recipe",
        ],
    );
    let g = &by_recipe["metrics"][0];
    assert_eq!(by_recipe["metrics"].as_array().unwrap().len(), 1);
    assert_eq!(
        (&g["scope"], &g["grouped_by"], &g["tags"]),
        (
            &json!("group"),
            &json!(["recipe"]),
            &json!({"recipe": "two_steps"})
        )
    );
    assert_eq!(
        g["members"].as_array().unwrap().len(),
        4,
        "fast, slow, the judge and the report step"
    );
    let by_step = json(
        &s,
        &[
            "analyze",
            "--metric",
            BOTH,
            "--timeframe",
            "all",
            "--by",
            "step",
        ],
    );
    let g = step_result(&by_step, "metrics", "slow");
    assert_eq!(
        (&g["tags"], &g["series"]),
        (&json!({"step": "slow"}), &json!("step=slow"))
    );
    close(&g["summary"]["mean"], mean(&stored(&s, "slow")));
}

#[test]
fn the_planted_regression_is_regressed_for_the_slow_step_only_and_fails_the_gate() {
    let s = scenario();
    let gate = ["compare", "--metric", BOTH, "--threshold", "0.5"];
    let v = json_as(&s, "compare", &gate);
    assert_eq!(
        (&v["run_a"], &v["run_b"], &v["recipe"]),
        (&json!(5), &json!(6), &json!("two_steps"))
    );
    assert_eq!(v["window_runs"], json!([[1, 2, 3, 4, 5], [6]]));
    let rows = v["rows"].as_array().unwrap();
    assert_eq!(rows.len(), 2);
    let (slow, fast) = (&rows[0], &rows[1]);
    assert_eq!(
        (&slow["tags"]["step"], &slow["verdict"]),
        (&json!("slow"), &json!("regressed")),
        "worst first: {v:#}"
    );
    assert_eq!(
        (&fast["tags"]["step"], &fast["verdict"]),
        (&json!("fast"), &json!("unchanged")),
        "{v:#}"
    );
    for r in rows {
        assert_eq!(
            (&r["basis"], &r["test"]),
            (&json!("window"), &json!("prediction_interval"))
        );
        assert_eq!(
            (&r["before"]["runs"], &r["after"]["runs"]),
            (&json!([1, 2, 3, 4, 5]), &json!([6]))
        );
        assert_eq!(
            (&r["before"]["n"], &r["after"]["n"]),
            (&json!(5), &json!(1))
        );
    }
    let slow_values = stored(&s, "slow");
    close(&slow["before"]["mean"], mean(&slow_values[..5]));
    close(&slow["after"]["mean"], slow_values[5]);
    assert!(slow["relative_change"].as_f64().unwrap() > 0.5, "{slow}");
    assert_eq!(
        v["counts"],
        json!({"regressed": 1, "improved": 0, "unchanged": 1, "insufficient_data": 0})
    );

    let o = s.run(&[&gate[..], &["--fail-on-regression"]].concat());
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    assert_eq!(
        stderr(&o).trim_end(),
        r#"regressed: 1 series: step_wall_time{recipe="two_steps", step="slow"}"#
    );
    let text = stdout(&o);
    assert!(text.starts_with("compare run 6 against run 5 (recipe two_steps), threshold 50%, alpha 0.05, test welch\nseries with one sample per run are compared across runs: runs 1–5 against run 6 (window 5; one sample on a side: prediction-interval test)\n"), "{text}");
    assert!(
        text.lines()
            .nth(3)
            .unwrap()
            .starts_with(r#"regressed  step_wall_time{recipe="two_steps", step="slow"}  5 → 1"#),
        "{text}"
    );
    assert!(
        text.ends_with("1 regressed, 0 improved, 1 unchanged, 0 insufficient data\n"),
        "{text}"
    );
    let md = ok(&s, &[&gate[..], &["--markdown"]].concat());
    assert!(
        md.contains(
            r#"| **regressed** | step\_wall\_time{recipe="two\_steps", step="slow"} | 5 → 1 |"#
        ),
        "{md}"
    );

    let earlier = s.run(&[
        "compare",
        "4",
        "5",
        "--metric",
        BOTH,
        "--threshold",
        "0.5",
        "--fail-on-regression",
    ]);
    assert_eq!(
        earlier.status.code(),
        Some(0),
        "runs 1–4 against run 5: {}",
        stdout(&earlier)
    );
    assert!(
        stdout(&earlier).contains("runs 1–4 against run 5"),
        "{}",
        stdout(&earlier)
    );
}

#[test]
fn the_analyze_step_of_run_6_judges_each_step_against_its_own_baseline() {
    let s = scenario();
    let v = s.ctx("metrics.last_analysis").unwrap();
    assert_schema_valid(&v);
    assert_eq!(v["run_id"], 6);
    for (step, verdict) in [("slow", "regressed"), ("fast", "unchanged")] {
        let m = step_result(&v, "metrics", step);
        let c = &m["baseline_comparison"];
        assert_eq!(c["verdict"], verdict, "{step}: {c:#}");
        assert_eq!(c["test"], "prediction_interval");
        assert_eq!(
            (&c["baseline_series"], &c["baseline_scope"]),
            (&m["series"], &json!("series"))
        );
        assert_eq!(
            c["baseline_source"],
            json!({"kind": "runs", "last_runs": 5, "runs": [1, 2, 3, 4, 5]})
        );
        assert_eq!(
            (&c["baseline_sample_count"], &c["candidate_sample_count"]),
            (&json!(5), &json!(1))
        );
        let values = stored(&s, step);
        close(&c["baseline_mean"], mean(&values[..5]));
        close(&c["candidate_mean"], values[5]);
    }
    let baselines = s.ctx("metrics.baselines.step_wall_time").unwrap();
    for step in ["fast", "slow"] {
        let b = &baselines[format!("recipe=two_steps,step={step}")];
        assert_eq!(
            b["source"]["runs"],
            json!([2, 3, 4, 5, 6]),
            "rolled on by run 6: {b}"
        );
        close(&b["mean"], mean(&stored(&s, step)[1..]));
    }
}

#[test]
fn history_marks_run_6_as_the_run_where_the_slow_step_got_slower() {
    let s = scenario();
    let v = json_as(&s, "history", &["history", SLOW, "--threshold", "0.5"]);
    let h = &v["series"][0];
    assert_eq!(v["series"].as_array().unwrap().len(), 1);
    let runs = h["runs"].as_array().unwrap();
    assert_eq!(
        runs.iter()
            .map(|r| r["run_id"].as_i64().unwrap())
            .collect::<Vec<_>>(),
        [1, 2, 3, 4, 5, 6]
    );
    let marked: Vec<i64> = runs
        .iter()
        .filter(|r| !r["mark"].is_null())
        .map(|r| r["run_id"].as_i64().unwrap())
        .collect();
    assert_eq!(marked, [6], "{h:#}");
    assert_eq!(runs[5]["mark"]["verdict"], "regressed");
    // Against the runs since the change point before it (a sub-threshold one, from noise, may
    // start that segment after run 1), always ending with run 5.
    let against = runs[5]["mark"]["against_runs"].as_array().unwrap().clone();
    assert_eq!(against.last(), Some(&json!(5)), "{h:#}");
    assert_eq!(h["last_run"]["verdict"], "regressed");
    assert_eq!(h["last_run"]["against_runs"], json!([1, 2, 3, 4, 5]));
    let values = stored(&s, "slow");
    for (r, v) in runs.iter().zip(&values) {
        close(&r["mean"], *v);
        assert_eq!(r["n"], 1);
    }
    let text = ok(&s, &["history", SLOW, "--threshold", "0.5"]);
    let row6 = text
        .lines()
        .find(|l| l.trim_start().starts_with("6 "))
        .unwrap();
    assert!(row6.contains("▲ slower +"), "{text}");
    assert!(row6.contains("vs runs 1–5"), "{text}");
    let fast = json_as(&s, "history", &["history", FAST, "--threshold", "0.5"]);
    assert!(
        fast["series"][0]["runs"]
            .as_array()
            .unwrap()
            .iter()
            .all(|r| r["mark"].is_null()),
        "{fast:#}"
    );
    assert_eq!(fast["series"][0]["last_run"]["verdict"], "unchanged");
}
