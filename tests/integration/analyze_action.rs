//! The analyze action in recipes: step metrics of earlier runs, baselines established in one
//! run and compared in the next, the recipe-level config, and argument findings.

use crate::util::action::{
    analyze_recipe, assert_schema_valid, floats, import_rows, metric_names, wobbly_series,
};
use crate::util::{step, Scratch};
use serde_json::{json, Value};

const T0: i64 = 1_767_225_600;

/// Runs a recipe that must succeed; returns its run id.
#[track_caller]
fn run_ok(s: &Scratch, recipe: &std::path::Path) -> i64 {
    let (code, out) = s.run_json(recipe, &[]);
    assert_eq!(code, 0, "{out:#}");
    out["run_id"].as_i64().unwrap()
}

fn last_analysis(s: &Scratch) -> Value {
    let v = s
        .ctx("metrics.last_analysis")
        .expect("metrics.last_analysis");
    assert_schema_valid(&v);
    v
}

fn sql_values(s: &Scratch, name: &str, run: i64) -> Vec<f64> {
    let conn = s.sql();
    let mut stmt = conn
        .prepare(
            "SELECT m.value FROM metric_samples m JOIN metric_series s ON s.id = m.series_id \
             WHERE s.name = ?1 AND m.run_id = ?2",
        )
        .unwrap();
    stmt.query_map(rusqlite::params![name, run], |r| r.get(0))
        .unwrap()
        .map(Result::unwrap)
        .collect()
}

#[test]
fn an_analyze_step_pools_the_step_metrics_of_the_previous_run_when_asked() {
    let s = Scratch::new();
    let work = s.write(
        "work.yaml",
        &format!(
            "steps:\n{}{}{}{}",
            step("a", 1, "Noop", ""),
            step("b", 2, "Sleep", "args: {seconds: 0.01}"),
            step("c", 3, "SetContext", "args: {values: {x.y: 1}}"),
            step("d", 4, "Noop", "")
        ),
    );
    let first = run_ok(&s, &work);
    let recipe = analyze_recipe(
        &s,
        "analyze.yaml",
        "timeframe: last_run, metrics: [step_wall_time, 'step_cpu_*'], pool: true, include_trends: true, percentiles: [50, 95]",
        "",
    );
    let second = run_ok(&s, &recipe);
    let v = last_analysis(&s);
    assert_eq!(v["run_id"], second);
    assert_eq!(v["analysed_run_id"], first);
    assert_eq!(v["timeframe"], "last_run");
    assert_eq!(metric_names(&v), ["step_wall_time", "step_cpu_time"]);
    let wall = &v["metrics"][0];
    assert_eq!(
        (&wall["pooled"], &wall["scope"], &wall["series"]),
        (&json!(true), &json!("pooled"), &json!("*"))
    );
    assert_eq!(
        wall["tags"],
        json!({"recipe": "work"}),
        "the tags all four steps share"
    );
    assert_eq!(
        wall["members"],
        json!([
            "recipe=work,step=a",
            "recipe=work,step=b",
            "recipe=work,step=c",
            "recipe=work,step=d"
        ])
    );
    assert_eq!(wall["metric_type"], "timing");
    assert_eq!(wall["unit"], "ns");
    let values = sql_values(&s, "step_wall_time", first);
    assert_eq!(values.len(), 4);
    assert_eq!(wall["summary"]["sample_count"], 4);
    let mean = values.iter().sum::<f64>() / 4.0;
    assert!((wall["summary"]["mean"].as_f64().unwrap() - mean).abs() <= 1e-9 * mean);
    assert!(
        wall["summary"]["max_value"].as_f64().unwrap() >= 1e7,
        "the 10 ms sleep"
    );
    assert_eq!(wall["summary"]["percentiles"].as_object().unwrap().len(), 2);
    assert_eq!(wall["trend"]["metric_name"], "step_wall_time");
    let stored = s
        .sql()
        .query_row("SELECT run_id, step, result FROM analyses", [], |r| {
            Ok((
                r.get::<_, i64>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, String>(2)?,
            ))
        })
        .unwrap();
    assert_eq!((stored.0, stored.1.as_str()), (second, "analyze"));
    assert_eq!(serde_json::from_str::<Value>(&stored.2).unwrap(), v);
}

#[test]
fn a_baseline_from_one_run_judges_the_next_regressed_improved_or_unchanged() {
    let s = Scratch::new();
    let series = |level: f64, k: i64| wobbly_series(T0, level, k);
    let fast = import_rows(&s, "fast.csv", "latency", &series(100.0, 0));
    let establish = analyze_recipe(
        &s,
        "establish.yaml",
        "timeframe: last_run, metrics: latency, baseline: {establish: {run: last}}",
        "",
    );
    let run = run_ok(&s, &establish);
    let b = s.ctx("metrics.baselines.latency").unwrap()["{}"].clone();
    assert_eq!(b["sample_count"], 20);
    assert_eq!(
        (&b["scope"], &b["series"]),
        (&json!("series"), &json!("{}"))
    );
    assert_eq!(b["source"], json!({"kind": "run", "run_id": fast}));
    assert_eq!(b["mean"], 100.125);
    assert_eq!(last_analysis(&s)["baselines_established"][0], b);
    let stored: (i64, String) = s
        .sql()
        .query_row("SELECT run_id, sample_values FROM baselines", [], |r| {
            Ok((r.get(0)?, r.get(1)?))
        })
        .unwrap();
    assert_eq!(stored.0, run);
    assert_eq!(
        serde_json::from_str::<Vec<f64>>(&stored.1).unwrap(),
        series(100.0, 0).iter().map(|r| r.1).collect::<Vec<_>>()
    );

    let compare = analyze_recipe(
        &s,
        "compare.yaml",
        "timeframe: last_run, metrics: latency, baseline: {compare: true}",
        "",
    );
    let cases = [
        (130.0, "regressed"),
        (70.0, "improved"),
        (101.0, "unchanged"),
    ];
    for (k, (level, verdict)) in cases.iter().enumerate() {
        import_rows(
            &s,
            &format!("c{k}.csv"),
            "latency",
            &series(*level, k as i64 + 1),
        );
        run_ok(&s, &compare);
        let v = last_analysis(&s);
        let c = &v["metrics"][0]["baseline_comparison"];
        assert_eq!(c["verdict"], *verdict, "level {level}: {c:#}");
        let want = (level + 0.125 - 100.125) / 100.125;
        assert!(
            (c["relative_change"].as_f64().unwrap() - want).abs() < 1e-12,
            "{c}"
        );
        assert_eq!(c["regression_threshold"], 0.2);
        assert_eq!(c["higher_is_better"], false);
        assert_eq!(c["test"], "welch");
        assert_eq!(c["baseline_sample_count"], 20);
        let (lo, hi) = (
            c["interval"]["lower"].as_f64().unwrap(),
            c["interval"]["upper"].as_f64().unwrap(),
        );
        assert!(lo <= want && want <= hi, "{c}");
        if *verdict == "unchanged" {
            assert!(
                c["p_value"].as_f64().unwrap() < 0.05,
                "1 % is significant yet under the threshold"
            );
        } else {
            assert!(
                c["welch_p_value"].as_f64().unwrap() < 1e-6
                    && c["mann_whitney_p_value"].as_f64().unwrap() < 1e-6,
                "{c}"
            );
        }
    }
}

#[test]
fn the_regression_threshold_comes_from_args_config_over_recipe_config_over_the_default() {
    let s = Scratch::new();
    let rows = |level: f64, k: i64| -> Vec<(i64, f64)> {
        (0..10)
            .map(|i| (T0 + 100 * k + i, level + (i % 3) as f64))
            .collect()
    };
    import_rows(&s, "base.csv", "m", &rows(100.0, 0));
    let establish = analyze_recipe(
        &s,
        "e.yaml",
        "timeframe: last_run, baseline: {establish: true}",
        "",
    );
    run_ok(&s, &establish);
    import_rows(&s, "new.csv", "m", &rows(130.0, 1));
    let lenient = "config: {health: {regression_threshold: 0.5}}\n";
    let by_recipe = analyze_recipe(
        &s,
        "r.yaml",
        "timeframe: last_run, baseline: {compare: true}",
        lenient,
    );
    run_ok(&s, &by_recipe);
    let c = &last_analysis(&s)["metrics"][0]["baseline_comparison"];
    assert_eq!(
        (c["regression_threshold"].as_f64(), c["verdict"].as_str()),
        (Some(0.5), Some("unchanged"))
    );
    let by_args = analyze_recipe(&s, "a.yaml", "timeframe: last_run, metrics: m, baseline: {compare: true}, config: {health: {regression_threshold: 0.1}}", lenient);
    run_ok(&s, &by_args);
    let v = last_analysis(&s);
    assert_eq!(v["regression_threshold"], 0.1);
    assert_eq!(
        v["metrics"][0]["baseline_comparison"]["verdict"],
        "regressed"
    );
    let percentiles = analyze_recipe(
        &s,
        "p.yaml",
        "timeframe: last_run, metrics: m",
        "config: {analysis: {percentiles: [10, 90]}}\n",
    );
    run_ok(&s, &percentiles);
    let keys: Vec<String> = last_analysis(&s)["metrics"][0]["summary"]["percentiles"]
        .as_object()
        .unwrap()
        .keys()
        .cloned()
        .collect();
    assert_eq!(keys, ["10", "90"]);
}

#[test]
fn baselines_from_given_values_and_timeframes_and_drift_across_runs() {
    let s = Scratch::new();
    let r = analyze_recipe(&s, "v.yaml", "timeframe: all, metrics: [m], baseline: {establish: {values: {m: [5, 6, 7], other: [1, 2]}}}", "");
    import_rows(&s, "m.csv", "m", &[(T0, 1.0), (T0 + 1, 2.0)]);
    run_ok(&s, &r);
    assert_eq!(s.ctx("metrics.baselines.m").unwrap()["{}"]["mean"], 6.0);
    assert_eq!(
        s.ctx("metrics.baselines.other").unwrap()["{}"]["source"],
        json!({"kind": "values"})
    );
    for k in 1..5 {
        import_rows(
            &s,
            &format!("m{k}.csv"),
            "m",
            &[
                (T0 + 10 * k, 10.0 * k as f64),
                (T0 + 10 * k + 1, 10.0 * k as f64 + 1.0),
            ],
        );
    }
    let r = analyze_recipe(&s, "t.yaml", "timeframe: all, metrics: m, include_trends: true, baseline: {establish: {timeframe: all}, higher_is_better: true}", "");
    run_ok(&s, &r);
    let v = last_analysis(&s);
    assert_eq!(v["baselines_established"][0]["sample_count"], 10);
    assert_eq!(
        v["baselines_established"][0]["source"],
        json!({"kind": "timeframe", "timeframe": "all", "run_id": null})
    );
    let drift = &v["metrics"][0]["drift"];
    assert_eq!(floats(&drift["run_means"]), [1.5, 10.5, 20.5, 30.5, 40.5]);
    assert_eq!(drift["verdict"], "improved", "rising and higher is better");
}

#[test]
fn pooled_step_timings_of_a_slower_run_regress_against_the_faster_runs_pooled_baseline() {
    let s = Scratch::new();
    let sleeps = |file: &str, secs: f64| {
        let steps: String = (0..6)
            .map(|i| {
                step(
                    &format!("s{i}"),
                    i,
                    "Sleep",
                    &format!("args: {{seconds: {secs}}}"),
                )
            })
            .collect();
        s.write(file, &format!("steps:\n{steps}"))
    };
    // 5 ms against 150 ms: a 30x gap that scheduling noise on a loaded machine cannot close.
    run_ok(&s, &sleeps("fast.yaml", 0.005));
    let establish = analyze_recipe(
        &s,
        "e.yaml",
        "timeframe: last_run, metrics: step_wall_time, pool: true, baseline: {establish: true}",
        "",
    );
    run_ok(&s, &establish);
    run_ok(&s, &sleeps("slow.yaml", 0.15));
    let compare = analyze_recipe(
        &s,
        "c.yaml",
        "timeframe: last_run, metrics: step_wall_time, pool: true, baseline: {compare: true}",
        "",
    );
    run_ok(&s, &compare);
    let c = &last_analysis(&s)["metrics"][0]["baseline_comparison"];
    assert_eq!(c["verdict"], "regressed", "{c:#}");
    assert_eq!(c["baseline_scope"], "pooled", "{c:#}");
    assert!(c["relative_change"].as_f64().unwrap() > 1.0, "{c}");
}

#[test]
fn bad_analyze_args_are_findings_with_codes_and_paths() {
    let s = Scratch::new();
    let r = analyze_recipe(
        &s,
        "bad.yaml",
        "timeframe: 1hr, metrics: [], percentiles: [50, 120], percentile_method: type7, \
         anomaly_detection: {methods: [magic], sensitivity: 0}, change_points: {window_len: 1}, \
         baseline: {establish: {}, alpha: 2, test: ztest}, include_trend: true, \
         config: {health: {regression_threshold: -1}}",
        "",
    );
    let out = s.run(&["validate", r.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1));
    let text = String::from_utf8(out.stdout).unwrap();
    let base = "at recipe.steps[0].args";
    for expected in [
        format!("ERROR [INVALID_ARG] {base}.timeframe: invalid timeframe '1hr'; accepted: "),
        format!("ERROR [INVALID_ARG] {base}.metrics: must be a series selector (a name, a glob, name{{tag=\"v\"}}), or a non-empty list of them, got []"),
        format!("ERROR [INVALID_ARG] {base}.percentiles: must be a non-empty list of percents in [0, 100], got [50,120]"),
        format!("ERROR [INVALID_ARG] {base}.percentile_method: invalid percentile method `type7`"),
        format!("ERROR [INVALID_ARG] {base}.anomaly_detection.methods[0]: unknown anomaly method 'magic'; accepted: zscore, modified_zscore,"),
        format!("ERROR [INVALID_ARG] {base}.anomaly_detection.sensitivity: must be a number > 0, got 0"),
        format!("ERROR [INVALID_ARG] {base}.change_points: must be true, false or {{window_len, max_pvalue, min_magnitude}}: invalid window_len `1`: accepted an integer ≥ 2"),
        format!("ERROR [MISSING_FIELD] {base}.baseline.establish: needs one of run, timeframe, last_runs or values"),
        format!("ERROR [INVALID_ARG] {base}.baseline.alpha: must be a significance level in (0, 1), got 2"),
        format!("ERROR [INVALID_ARG] {base}.baseline.test: must be welch or mann_whitney, got \"ztest\""),
        format!("ERROR [INVALID_ARG] {base}.include_trend: unknown key 'include_trend'; accepted: action, timeframe,"),
        format!("ERROR [INVALID_ARG] {base}.config: metrics config `health.regression_threshold` = -1: must be a finite number greater than 0"),
    ] {
        assert!(text.lines().any(|l| l.starts_with(&expected)), "missing {expected:?} in:\n{text}");
    }
    let r = analyze_recipe(&s, "key.yaml", "config: {analysis: {percentilez: [1]}}", "");
    let out = s.run(&["validate", r.to_str().unwrap()]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "an unknown config key only warns"
    );
    assert!(String::from_utf8(out.stdout).unwrap().contains(&format!(
        "WARNING [UNKNOWN_KEY] {base}.config.analysis.percentilez: "
    )));
    let r = analyze_recipe(&s, "empty.yaml", "baseline: {}", "");
    let out = s.run(&["validate", r.to_str().unwrap()]);
    assert!(String::from_utf8(out.stdout).unwrap().contains(&format!(
        "ERROR [MISSING_FIELD] {base}.baseline: needs 'establish' and/or 'compare'"
    )));
    let (code, out) = s.run_json(&r, &[]);
    assert_eq!(
        code, 1,
        "the runner refuses the recipe before anything runs"
    );
    assert_eq!(out["status"], "error");
}

#[test]
fn analysis_failures_fail_the_step_with_the_reason() {
    let s = Scratch::new();
    import_rows(&s, "m.csv", "m", &[(T0, 1.0), (T0 + 1, 2.0)]);
    for (args, extra, message) in [
        ("metrics: nope, timeframe: all", "", "unknown metric 'nope'; stored metrics: m"),
        ("metrics: m", "", "no samples in timeframe 1h: 'm' (2 stored, the newest at 2026-01-01T00:00:01Z)"),
        ("metrics: m, timeframe: all, baseline: {establish: {run: 999}}", "", "cannot establish a baseline for 'm': 0 sample(s) from {\"kind\":\"run\",\"run_id\":999}; a baseline needs at least 2"),
    ] {
        let r = analyze_recipe(&s, "f.yaml", args, extra);
        let (code, out) = s.run_json(&r, &[]);
        assert_eq!(code, 1, "{out:#}");
        assert_eq!(out["steps"][0]["error"], format!("Step execution failed: {message}"), "{args}");
    }
}
