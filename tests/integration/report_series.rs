//! The report on the per-series model, over the six runs of `series_steps` (recipe `two_steps`:
//! a fast and a slow step, the slow one's sleep doubled in run 6, verdicts at a 50 % threshold
//! so scheduler noise cannot flip them). Each run's own report step wrote
//! `reports/two_steps-<run>/report.json`; `f0 report` reads the store afterwards.

use serde_json::Value;

use crate::report::assert_valid;
use crate::series_steps::{built, scenario, stored, BOTH, SLOW};
use crate::util::action::{fails, ok};
use crate::util::Scratch;

/// The headline row of `step`.
fn row<'a>(report: &'a Value, step: &str) -> &'a Value {
    report["headline"]
        .as_array()
        .unwrap()
        .iter()
        .find(|h| h["tags"]["step"] == step)
        .unwrap_or_else(|| panic!("no headline row for step {step}: {report:#}"))
}

fn steps(report: &Value) -> Vec<String> {
    let mut out: Vec<String> = report["headline"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h["tags"]["step"].as_str().unwrap().to_owned())
        .collect();
    out.sort();
    out
}

fn read_json(path: &std::path::Path) -> Value {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{path:?}: {e}"));
    let v: Value = serde_json::from_str(&text).unwrap();
    assert_valid(&v);
    v
}

/// `f0 report --format json` into `out/` with `extra` flags; the report model.
fn report(s: &Scratch, extra: &[&str]) -> Value {
    let mut args = vec!["report", "--format", "json", "-o", "out"];
    args.extend_from_slice(extra);
    ok(s, &args);
    read_json(&s.path("out/report.json"))
}

#[test]
fn the_report_step_of_run_6_has_one_row_per_step_and_flags_only_the_slowed_step() {
    let v = read_json(&built().join("reports/two_steps-6/report.json"));
    assert_eq!(steps(&v), ["fast", "slow"], "one headline row per step");
    let (slow, fast) = (row(&v, "slow"), row(&v, "fast"));
    assert_eq!(slow["verdict"], "regressed", "{slow:#}");
    assert_eq!(fast["verdict"], "unchanged", "{fast:#}");
    assert_eq!(v["headline"][0]["tags"]["step"], "slow", "worst first");
    let values = stored(&scenario(), "slow");
    for h in [slow, fast] {
        // One sample per run, judged as the analyze step judged it: the prediction-interval
        // test against the step's own baseline of runs 1–5.
        assert_eq!(
            (&h["sample_count"], &h["reference_count"], &h["test"]),
            (
                &Value::from(1),
                &Value::from(5),
                &Value::from("prediction_interval")
            ),
            "{h:#}"
        );
        assert!(
            h["basis"].as_str().unwrap().starts_with("baseline #"),
            "{h}"
        );
        assert_eq!(h["reason"], "as judged by this run's analyze step");
    }
    let before = values[..5].iter().sum::<f64>() / 5.0;
    let mean = slow["reference_mean"].as_f64().unwrap();
    assert!((mean - before).abs() <= 1e-9 * before, "{mean} vs {before}");
    assert!(slow["relative_change"].as_f64().unwrap() > 0.5, "{slow}");
    let md = std::fs::read_to_string(built().join("reports/two_steps-6/report.md")).unwrap();
    let regressed = md.lines().filter(|l| l.contains("regressed")).count();
    assert!(regressed >= 1 && md.contains(r#"step="fast""#), "{md}");
}

#[test]
fn the_first_runs_report_is_insufficient_with_the_reason_not_a_pooled_verdict() {
    let v = read_json(&built().join("reports/two_steps-1/report.json"));
    assert_eq!(steps(&v), ["fast", "slow"]);
    for step in ["fast", "slow"] {
        let h = row(&v, step);
        assert_eq!(h["verdict"], "insufficient", "{h:#}");
        assert!(
            h["reason"]
                .as_str()
                .unwrap()
                .contains("no run before run 1"),
            "{h:#}"
        );
    }
}

#[test]
fn f0_report_of_run_6_judges_each_step_against_its_baseline_from_before_the_run() {
    let s = scenario();
    let v = report(&s, &["--run", "6", "--metric", BOTH]);
    assert_eq!(steps(&v), ["fast", "slow"]);
    let (slow, fast) = (row(&v, "slow"), row(&v, "fast"));
    assert_eq!(
        (&slow["verdict"], &fast["verdict"]),
        (&"regressed".into(), &"unchanged".into())
    );
    // The baseline rolled on by run 6 holds run 6 itself; the one established in run 5 is used.
    let conn = s.sql();
    let id: i64 = conn
        .query_row(
            "SELECT id FROM baselines WHERE metric = 'step_wall_time' AND run_id = 5 \
             AND tags LIKE '%\"slow\"%'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(slow["basis"], format!("baseline #{id}"));
    assert_eq!(slow["test"], "prediction_interval");

    let earlier = report(&s, &["--run", "5", "--metric", BOTH]);
    for step in ["fast", "slow"] {
        assert_eq!(row(&earlier, step)["verdict"], "unchanged", "{earlier:#}");
    }
}

#[test]
fn a_tag_matcher_narrows_the_report_to_the_series_it_selects() {
    let s = scenario();
    let v = report(&s, &["--run", "6", "--metric", SLOW]);
    assert_eq!(steps(&v), ["slow"]);
    assert_eq!(v["series"].as_array().unwrap().len(), 1);
    assert_eq!(v["selectors"], serde_json::json!([SLOW]));
    let every = report(&s, &["--run", "6", "--metric", "step_wall_time"]);
    assert_eq!(steps(&every), ["fast", "judge", "report", "slow"]);
    let not_slow = report(
        &s,
        &[
            "--run",
            "6",
            "--metric",
            r#"step_wall_time{step!~"slow|judge|report"}"#,
        ],
    );
    assert_eq!(steps(&not_slow), ["fast"]);
}

#[test]
fn bad_selectors_are_refused_with_the_column_or_the_stored_tag_keys() {
    let s = scenario();
    let err = fails(&s, &["report", "--metric", r#"step_wall_time{step"slow"}"#]);
    assert!(
        err.contains("--metric: invalid series selector") && err.contains("at column 20"),
        "{err}"
    );
    let err = fails(
        &s,
        &["report", "--metric", r#"step_wall_time{stpe="slow"}"#],
    );
    assert!(
        err.contains("stpe") && err.contains("recipe, step"),
        "{err}"
    );
    let recipe = s.write(
        "bad.yaml",
        "metadata: {name: bad}\nsteps:\n  - idx: 1\n    name: r\n    module: \
         scriptlets.foundation.performance_metrics\n    function: PerformanceMetricsScriptlet\n    \
         args: {action: report, metrics: ['cpu', 'm{a=~\"(\"}']}\n",
    );
    let o = s.run(&["validate", recipe.to_str().unwrap()]);
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    );
    assert_ne!(o.status.code(), Some(0), "{text}");
    assert!(text.contains("args.metrics[1]"), "{text}");
}
