//! The analyze action's `baseline` argument: every malformed shape is refused by `f0 validate`
//! at its path, with what is accepted.

use crate::util::Scratch;

fn analyze_recipe(baseline: &str) -> String {
    format!(
        "steps:\n  - name: judge\n    idx: 1\n    module: scriptlets.foundation.performance_metrics\n    function: PerformanceMetricsScriptlet\n    args:\n      action: analyze\n      baseline: {baseline}\n"
    )
}

fn validate(s: &Scratch, baseline: &str) -> (Option<i32>, String) {
    let p = s.write("b.yaml", &analyze_recipe(baseline));
    let out = s.run(&["validate", p.to_str().unwrap()]);
    (
        out.status.code(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
    )
}

#[test]
fn malformed_baselines_are_refused_at_their_path_with_what_is_accepted() {
    let s = Scratch::new();
    let base = "recipe.steps[0].args.baseline";
    let cases: &[(&str, String)] = &[
        ("5", format!("{base}: must be a mapping {{establish, compare, higher_is_better, alpha, test}}, got 5")),
        ("{alpha: 0.1}", format!("{base}: needs 'establish' and/or 'compare'")),
        ("{compare: true, alpha: 1.5}", format!("{base}.alpha: ")),
        ("{compare: true, test: ttest}", format!("{base}.test: must be welch or mann_whitney, got \"ttest\"")),
        ("{establish: 3}", format!("{base}.establish: must be true, {{run: <id> | last}}")),
        ("{establish: {}}", format!("{base}.establish: needs one of run, timeframe, last_runs or values")),
        ("{establish: {run: 1, last_runs: 2}}", format!("{base}.establish: names more than one of run, timeframe, last_runs and values")),
        ("{establish: {run: -4}}", format!("{base}.establish.run: must be a run id (an integer > 0) or \"last\", got -4")),
        ("{establish: {last_runs: 0}}", format!("{base}.establish.last_runs: must be a number of runs in 1..=10000, got 0")),
        ("{establish: {timeframe: fortnight}}", format!("{base}.establish.timeframe: ")),
        ("{establish: {values: []}}", format!("{base}.establish.values: must be a mapping {{<metric>: [numbers]}}, got []")),
        ("{establish: {values: {lat: [1]}}}", format!("{base}.establish.values.lat: must be a list of at least 2 finite numbers, got [1]")),
        ("{establish: {values: {'lat*': [1, 2]}}}", format!("{base}.establish.values.lat*: 'lat*' must name one series")),
    ];
    for (baseline, wanted) in cases {
        let (code, out) = validate(&s, baseline);
        assert_eq!(code, Some(1), "baseline {baseline} was accepted: {out}");
        assert!(
            out.contains(wanted.as_str()),
            "baseline {baseline}: wanted {wanted:?} in:\n{out}"
        );
    }
    for good in [
        "{establish: true}",
        "{establish: {run: last}, compare: true}",
        "{establish: {last_runs: 5}, test: mann_whitney, alpha: 0.01}",
        "{establish: {values: {'step_wall_time{step=\"a\"}': [1, 2, 3]}}, higher_is_better: false}",
    ] {
        let (code, out) = validate(&s, good);
        assert_eq!(code, Some(0), "baseline {good} was refused: {out}");
    }
}
