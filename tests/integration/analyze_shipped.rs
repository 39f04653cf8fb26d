//! The shipped `recipes/analyze_steps.yaml`: each step judged against its own rolling
//! baseline, from the first run (no baseline yet) to the third (a verdict per step).

use serde_json::{json, Value};

use crate::util::action::{assert_schema_valid, ok, step_result, step_wall_times};
use crate::util::Scratch;

fn last_analysis(s: &Scratch) -> Value {
    let v = s
        .ctx("metrics.last_analysis")
        .expect("metrics.last_analysis");
    assert_schema_valid(&v);
    v
}

#[test]
fn the_shipped_recipe_judges_each_step_against_its_own_rolling_baseline() {
    let s = Scratch::new();
    let recipe = concat!(env!("CARGO_MANIFEST_DIR"), "/recipes/analyze_steps.yaml");
    let out = ok(&s, &["run", recipe]);
    assert!(out.starts_with("Recipe execution completed: "), "{out}");
    let first = last_analysis(&s);
    let series: Vec<&Value> = first["metrics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| &m["series"])
        .collect();
    assert_eq!(
        series,
        [
            &json!("recipe=analyze_steps,step=work_short"),
            &json!("recipe=analyze_steps,step=work_long")
        ],
        "one result per work step, the prepare step left out by the selector"
    );
    for step in ["work_short", "work_long"] {
        let m = step_result(&first, "metrics", step);
        assert_eq!(
            (&m["sample_count"], &m["summary"]),
            (&json!(1), &Value::Null)
        );
        assert_eq!(m["baseline_comparison"], Value::Null);
        let warnings = m["warnings"].to_string();
        assert!(warnings.contains("baseline comparison: no baseline is stored for this series (establish one with baseline.establish)"), "{warnings}");
        assert!(
            warnings
                .contains("baseline not established: 1 sample(s) from {\\\"kind\\\":\\\"runs\\\""),
            "{warnings}"
        );
    }
    assert_eq!(s.ctx("metrics.baselines.step_wall_time"), None);

    ok(&s, &["run", recipe]);
    let second = last_analysis(&s);
    assert_eq!(second["baselines_established"].as_array().unwrap().len(), 2);
    let stored = s.ctx("metrics.baselines.step_wall_time").unwrap();
    let keys: Vec<&String> = stored.as_object().unwrap().keys().collect();
    assert_eq!(
        keys,
        [
            "recipe=analyze_steps,step=work_long",
            "recipe=analyze_steps,step=work_short"
        ]
    );

    ok(&s, &["run", recipe]);
    let third = last_analysis(&s);
    for (step, sleep) in [("work_short", 0.02e9), ("work_long", 0.04e9)] {
        let m = step_result(&third, "metrics", step);
        let c = &m["baseline_comparison"];
        assert_eq!(c["test"], "prediction_interval", "{c:#}");
        assert_eq!(c["baseline_series"], m["series"], "its own baseline: {c:#}");
        assert_eq!(
            (&c["baseline_sample_count"], &c["candidate_sample_count"]),
            (&json!(2), &json!(1))
        );
        assert_eq!(c["baseline_source"]["kind"], "runs");
        assert_eq!(c["regression_threshold"], 0.25, "from the recipe's config");
        let mean = c["baseline_mean"].as_f64().unwrap();
        assert!(
            mean >= sleep,
            "{step}: baseline mean {mean} of a {sleep} ns sleep"
        );
        // The step's own times of runs 1 and 2, never the other step's.
        let own = &step_wall_times(&s, "analyze_steps", step)[..2];
        assert_eq!(own.len(), 2);
        assert!(
            (mean - (own[0] + own[1]) / 2.0).abs() <= 1e-6 * mean,
            "{step}: {mean} vs {own:?}"
        );
    }
    let baselines: i64 = s
        .sql()
        .query_row(
            "SELECT COUNT(DISTINCT tags) FROM baselines WHERE metric = 'step_wall_time' AND scope = 'series'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(baselines, 2);
}
