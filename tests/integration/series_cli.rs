//! Series selectors on the command line, `f0 compare` between runs with several samples each
//! and against stored baselines, Markdown escaping of hostile names and tags, and every bad
//! input of the series commands getting a clear error (exit 1, never a panic).

use serde_json::{json, Value};

use crate::util::action::{fails, json, json_as, ok, stdout};
use crate::util::{step, Scratch};

const T0: i64 = 1_767_225_600;

/// Imports `values` as metric `name` with `tags` (one run per call); returns the run id.
fn import(s: &Scratch, name: &str, tags: &[(&str, &str)], offset: i64, values: &[f64]) -> i64 {
    let mut text = String::from("timestamp,value\n");
    for (i, v) in values.iter().enumerate() {
        text.push_str(&format!("{},{v}\n", T0 + offset + i as i64));
    }
    let file = s.write(&format!("i{offset}.csv"), &text);
    let mut args = vec![
        "import".to_owned(),
        file.to_str().unwrap().to_owned(),
        "--name".to_owned(),
        name.to_owned(),
        "--json".to_owned(),
    ];
    for (k, v) in tags {
        args.extend(["--tag".to_owned(), format!("{k}={v}")]);
    }
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let v: Value = serde_json::from_str(ok(s, &args).trim()).unwrap();
    v["run_id"].as_i64().unwrap()
}

/// 20 values around `level` (±1).
fn around(level: f64) -> Vec<f64> {
    (0..20)
        .map(|i| level + [-1.0, 0.0, 1.0, 0.5][i % 4])
        .collect()
}

/// Two runs of a recipe with steps `a` and `b`.
fn two_step_runs(s: &Scratch) {
    let r = s.write(
        "ab.yaml",
        &format!(
            "metadata: {{name: ab}}\nsteps:\n{}{}",
            step("a", 1, "Noop", ""),
            step("b", 2, "Noop", "")
        ),
    );
    for _ in 0..2 {
        assert_eq!(s.run_json(&r, &[]).0, 0);
    }
}

#[test]
fn selectors_pick_series_by_tags_and_typos_get_errors_that_list_what_is_stored() {
    let s = Scratch::new();
    two_step_runs(&s);
    let v = json(
        &s,
        &[
            "analyze",
            "--metric",
            r#"{step="a"}"#,
            "--timeframe",
            "all",
            "--anomaly-methods",
            "none",
        ],
    );
    let results = v["metrics"].as_array().unwrap();
    assert_eq!(results.len(), 6, "every step_* metric of step a: {v:#}");
    assert!(results
        .iter()
        .all(|m| m["tags"] == json!({"recipe": "ab", "step": "a"})));
    let v = json(
        &s,
        &[
            "analyze",
            "--metric",
            r#"step_wall_time{step!="a"}"#,
            "--timeframe",
            "all",
            "--anomaly-methods",
            "none",
        ],
    );
    assert_eq!(v["metrics"].as_array().unwrap().len(), 1);
    assert_eq!(v["metrics"][0]["tags"]["step"], "b");

    let err = fails(&s, &["analyze", "--metric", r#"step_wall_time{step"a"}"#]);
    assert_eq!(
        err.trim_end(),
        r#"Error: --metric: invalid series selector 'step_wall_time{step"a"}': at column 20: expected '=', '!=', '=~' or '!~' after tag key 'step', found '"'"#
    );
    let err = fails(&s, &["analyze", "--metric", r#"step_wall_time{stpe="a"}"#]);
    assert_eq!(
        err.trim_end(),
        r#"Error: selector 'step_wall_time{stpe="a"}': no series of 'step_wall_time' has tag key 'stpe'; its tag keys: recipe, step"#
    );
    let err = fails(&s, &["analyze", "--metric", r#"{stpe="a"}"#]);
    assert_eq!(
        err.trim_end(),
        r#"Error: selector '{stpe="a"}': no series of any stored metric has tag key 'stpe'; its tag keys: recipe, step"#
    );
    let err = fails(
        &s,
        &[
            "analyze",
            "--metric",
            r#"step_wall_time{step="c"}"#,
            "--timeframe",
            "all",
        ],
    );
    assert_eq!(
        err.trim_end(),
        r#"Error: no metric could be analysed: step_wall_time{step="c"}: no stored series matches these tags (stored: step = "a", "b")"#
    );
    let err = fails(
        &s,
        &["analyze", "--metric", "step_wall_time", "--by", "stpe"],
    );
    assert_eq!(err.trim_end(), "Error: group_by: no selected series of 'step_wall_time' has tag key 'stpe'; its tag keys: recipe, step");
    let err = fails(
        &s,
        &[
            "analyze",
            "--metric",
            "step_wall_time",
            "--by",
            "step",
            "--pool",
        ],
    );
    assert!(
        err.starts_with("Error: --pool: pool: true and group_by exclude each other"),
        "{err}"
    );
    let err = fails(
        &s,
        &[
            "analyze",
            "--metric",
            "step_wall_time",
            "--parity",
            "python",
        ],
    );
    assert!(
        err.starts_with("Error: --parity: must be framework0"),
        "{err}"
    );
}

#[test]
fn changepoints_need_exactly_one_series_and_say_how_to_narrow() {
    let s = Scratch::new();
    two_step_runs(&s);
    let err = fails(&s, &["changepoints", "--metric", "step_wall_time"]);
    assert_eq!(
        err.trim_end(),
        r#"Error: --metric 'step_wall_time' matches 2 series: step_wall_time{recipe="ab", step="a"}, step_wall_time{recipe="ab", step="b"}; select one of them with tag matchers, e.g. --metric 'step_wall_time{recipe="ab", step="a"}'"#
    );
    let v = json(
        &s,
        &["changepoints", "--metric", r#"step_wall_time{step="b"}"#],
    );
    assert_eq!(
        (&v["tags"], &v["series"], &v["sample_count"]),
        (
            &json!({"recipe": "ab", "step": "b"}),
            &json!("recipe=ab,step=b"),
            &json!(2)
        )
    );
    let text = ok(
        &s,
        &["changepoints", "--metric", r#"step_wall_time{step="b"}"#],
    );
    assert!(
        text.starts_with(r#"metric step_wall_time{recipe="ab", step="b"}: 2 samples"#),
        "{text}"
    );
}

#[test]
fn runs_with_many_samples_are_compared_run_against_run_and_against_baselines() {
    let s = Scratch::new();
    let host = [("host", "h1")];
    let r1 = import(&s, "latency", &host, 0, &around(100.0));
    let r2 = import(&s, "latency", &host, 100, &around(150.0));
    let v = json_as(&s, "compare", &["compare"]);
    assert_eq!(
        (&v["run_a"], &v["run_b"], &v["recipe"], &v["window_runs"]),
        (&json!(r1), &json!(r2), &json!("import"), &Value::Null)
    );
    let row = &v["rows"][0];
    assert_eq!(
        (&row["basis"], &row["test"], &row["verdict"]),
        (&json!("runs"), &json!("welch"), &json!("regressed"))
    );
    assert_eq!(
        (&row["before"]["n"], &row["after"]["n"], &row["tags"]),
        (&json!(20), &json!(20), &json!({"host": "h1"}))
    );
    assert!(
        (row["relative_change"].as_f64().unwrap() - 50.0 / 100.125).abs() < 1e-12,
        "{row}"
    );
    let mw = json_as(&s, "compare", &["compare", "--test", "mann-whitney"]);
    assert_eq!(mw["rows"][0]["test"], "mann_whitney");
    let lenient = json_as(&s, "compare", &["compare", "--threshold", "0.6"]);
    assert_eq!(
        lenient["rows"][0]["verdict"], "unchanged",
        "a 50 % change under a 60 % threshold"
    );

    let establish = s.write(
        "base.yaml",
        "steps:\n  - {name: base, idx: 1, module: scriptlets.foundation.performance_metrics, function: PerformanceMetricsScriptlet, \
         args: {action: analyze, metrics: latency, timeframe: all, anomaly_detection: false, baseline: {establish: {run: 1}}}}\n",
    );
    assert_eq!(s.run_json(&establish, &[]).0, 0);
    let b = json_as(&s, "compare", &["compare", "--baseline", &r2.to_string()]);
    let row = &b["rows"][0];
    assert_eq!(
        (&b["against"], &b["run_a"], &b["run_b"]),
        (&json!("baseline"), &Value::Null, &json!(r2))
    );
    assert_eq!(
        (
            &row["basis"],
            &row["verdict"],
            &row["before"]["baseline_id"]
        ),
        (&json!("baseline"), &json!("regressed"), &json!(1))
    );
    assert_eq!(
        row["before"]["runs"],
        json!([3]),
        "the run that established it"
    );
    let text = ok(&s, &["compare", "--baseline", &r2.to_string()]);
    assert!(
        text.starts_with(&format!(
            "compare run {r2} against stored baselines (recipe import)"
        )),
        "{text}"
    );
    assert!(text.contains(" (#1) "), "{text}");
}

#[test]
fn markdown_escapes_hostile_names_and_tags() {
    let s = Scratch::new();
    let tags = [("step", "a|b`<script>alert(1)</script>*x*")];
    import(&s, "lat|ency_`x`", &tags, 0, &around(100.0));
    import(&s, "lat|ency_`x`", &tags, 100, &around(100.0));
    let md = ok(&s, &["compare", "--markdown"]);
    let row = md
        .lines()
        .find(|l| l.starts_with("| unchanged"))
        .unwrap_or_else(|| panic!("{md}"));
    assert!(row.contains(r#"lat\|ency\_\`x\`"#), "{row}");
    assert!(
        row.contains(r#"a\|b\`&lt;script&gt;alert(1)&lt;/script&gt;\*x\*"#),
        "{row}"
    );
    assert_eq!(
        row.matches(" | ").count(),
        7,
        "eight cells, no pipe of the data splits a cell: {row}"
    );
    assert!(!md.contains("<script>"), "{md}");
}

#[test]
fn bad_compare_and_history_input_is_refused_with_the_reason() {
    let s = Scratch::new();
    let missing = fails(&s, &["compare"]);
    assert!(
        missing.starts_with("Error: no context store at "),
        "{missing}"
    );
    let missing = fails(&s, &["history", "m"]);
    assert!(
        missing.starts_with("Error: no context store at "),
        "{missing}"
    );
    let r1 = import(&s, "m", &[], 0, &around(1.0));
    let first = fails(&s, &["compare"]);
    assert_eq!(first.trim_end(), format!("Error: run: run {r1} is the first run of recipe 'import' with samples: there is no earlier run to compare it with (run the recipe again, name run A, or compare with stored baselines: --baseline)"));
    let r2 = import(&s, "m", &[], 100, &around(1.0));
    for (args, message) in [
        (&["compare", "99"][..], "Error: run: run 99 holds no samples (runs with samples: 1–2)".to_owned()),
        (&["compare", &r2.to_string(), &r1.to_string()], format!("Error: run: run A ({r2}) must come before run B ({r1})")),
        (&["compare", "--recipe", "nope"], "Error: run: no run of recipe 'nope' holds samples (recipes with samples: import)".to_owned()),
        (&["compare", "--window", "0"], "Error: --window: must be a number of runs in 1..=1000, got 0".to_owned()),
        (&["compare", "--threshold", "-1"], "Error: --threshold: must be a finite fraction ≥ 0 (0.2 = 20 %), got -1".to_owned()),
        (&["compare", "--alpha", "1"], "Error: --alpha: must be a significance level in (0, 1), got 1".to_owned()),
        (&["compare", "--baseline", "1", "2"], "Error: --baseline: compares one run with stored baselines: name at most one run".to_owned()),
        (&["compare", "--metric", "m{"], "Error: --metric: invalid series selector 'm{': at column 3: expected a tag key or '}', found the end of the selector".to_owned()),
        (&["history", "m{a=1}"], "Error: invalid series selector 'm{a=1}': at column 5: expected a quoted value (\"...\" or '...') after 'a=', found '1'".to_owned()),
        (&["history", "m", "--window", "1"], "Error: --window: must be a number of runs in 2..=1000, got 1".to_owned()),
        (&["history", "m", "--recipe", "nope"], "Error: --recipe: no run of recipe 'nope' is stored".to_owned()),
        (&["history", "nope"], "Error: unknown metric 'nope'; stored metrics: m".to_owned()),
        (&["history", "m", "--max-pvalue", "2"], "Error: --max-pvalue: invalid max_pvalue `2`: accepted a number in (0, 1]".to_owned()),
    ] {
        let err = fails(&s, args);
        assert_eq!(err.trim_end(), message, "{args:?}");
    }
    let out = s.run(&["compare", "--json", "--markdown"]);
    assert_eq!(
        out.status.code(),
        Some(2),
        "clap refuses two output formats"
    );
    assert!(stdout(&out).is_empty());
}
