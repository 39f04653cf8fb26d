//! `f0 validate` on the analyze action's grouping, anomaly, change-point and analyzer settings: each bad
//! value is named by its field with what is accepted, and `false` turns a stage off.

use crate::util::collect::recipe;
use crate::util::Scratch;

fn analyze(name: &str, idx: i64, args: &str) -> String {
    format!(
        "  - {{name: {name}, idx: {idx}, type: python, module: scriptlets.foundation.performance_metrics, \
         function: PerformanceMetricsScriptlet, args: {{action: analyze, metrics: [m], {args}}}}}\n"
    )
}

#[test]
fn bad_grouping_anomaly_and_change_point_settings_are_named_by_field() {
    let s = Scratch::new();
    let r = recipe(
        &s,
        &[
            analyze("g1", 1, "group_by: 5"),
            analyze("g2", 2, "group_by: [host, '']"),
            analyze("a1", 3, "anomaly_detection: 3"),
            analyze("a2", 4, "anomaly_detection: {methods: []}"),
            analyze("a3", 5, "anomaly_detection: {methods: [zscore, 7, nosuch]}"),
            analyze("c1", 6, "change_points: {window_len: 1}"),
            analyze("c2", 7, "change_points: fast"),
            analyze("off", 8, "anomaly_detection: false, change_points: false"),
            analyze("p1", 9, "analyzers: 5"),
            analyze("p2", 10, "analyzers: {python: 5}"),
        ],
    );
    let out = s.run(&["validate", r.to_str().unwrap()]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "{text}");
    let methods =
        "zscore, modified_zscore, iqr, iqr_nearest_rank, baseline, ewma, isolation_forest";
    for finding in [
        "at recipe.steps[0].args.group_by: must be a tag key or a non-empty list of tag keys, got 5 (step 'g1')".to_owned(),
        "at recipe.steps[1].args.group_by: must be a tag key or a non-empty list of tag keys, got [\"host\",\"\"] (step 'g2')".to_owned(),
        "at recipe.steps[2].args.anomaly_detection: must be true, false or a mapping {enabled, methods, sensitivity}, got 3 (step 'a1')".to_owned(),
        format!("at recipe.steps[3].args.anomaly_detection.methods: must be a non-empty list of {methods}; got [] (step 'a2')"),
        "at recipe.steps[4].args.anomaly_detection.methods[1]: must be a detector name, got 7 (step 'a3')".to_owned(),
        format!("at recipe.steps[4].args.anomaly_detection.methods[2]: unknown anomaly method 'nosuch'; accepted: {methods} (step 'a3')"),
        "at recipe.steps[5].args.change_points: must be true, false or {window_len, max_pvalue, min_magnitude}: invalid window_len `1`: accepted an integer ≥ 2 (step 'c1')".to_owned(),
        // Regression: this said "invalid type: string \"fast\", expected struct HunterParams".
        "at recipe.steps[6].args.change_points: must be true, false or {window_len, max_pvalue, min_magnitude}, got \"fast\" (step 'c2')".to_owned(),
        "at recipe.steps[8].args.analyzers: must be a mapping of analyzer names (python) to their settings, got 5 (step 'p1')".to_owned(),
        "at recipe.steps[9].args.analyzers.python: must be true, false or a mapping of settings, got 5 (step 'p2')".to_owned(),
    ] {
        assert!(text.contains(&finding), "{finding}\n{text}");
    }
    assert!(!text.contains("'off'"), "false turns a stage off: {text}");
    assert!(text.contains("(10 steps, 10 errors, 0 warnings)"), "{text}");
}
