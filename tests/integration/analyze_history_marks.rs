//! `f0 history` marks on the run means: a run past a change point, the newest run judged
//! against the runs before it when no change point is flagged (`--min-magnitude` above the
//! change), an improvement as well as a regression, and `--recipe` naming no stored run.

use serde_json::Value;

use crate::util::Scratch;

/// One `f0 import` per value: each a run of two samples of `lat_ms` (timing, ms).
fn runs_of(s: &Scratch, means: &[f64]) {
    for v in means {
        let csv = s.write(
            "m.csv",
            &format!("timestamp,value\n1767225600,{v}\n1767225601,{v}\n"),
        );
        let out = s.run(&[
            "import",
            csv.to_str().unwrap(),
            "--name",
            "lat_ms",
            "--unit",
            "ms",
            "--metric-type",
            "timing",
        ]);
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
}

fn history(s: &Scratch, extra: &[&str]) -> Value {
    let mut args = vec!["history", "lat_ms", "--json"];
    args.extend_from_slice(extra);
    let out = s.run(&args);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

#[test]
fn the_newest_run_is_marked_by_a_change_point_or_else_by_its_own_check() {
    let s = Scratch::new();
    runs_of(&s, &[10.0, 10.2, 9.9, 10.1, 10.0, 15.0]);
    let h = history(&s, &[]);
    let series = &h["series"][0];
    let newest = &series["runs"][5]["mark"];
    assert_eq!(
        (newest["kind"].as_str(), newest["verdict"].as_str()),
        (Some("change_point"), Some("regressed"))
    );
    assert_eq!(series["last_run"]["verdict"], "regressed");
    // A change point needs a 90 % change now: the newest run's own check marks it.
    let h = history(&s, &["--min-magnitude", "0.9"]);
    let series = &h["series"][0];
    assert_eq!(series["change_points"], serde_json::json!([]));
    let newest = &series["runs"][5]["mark"];
    assert_eq!(
        (newest["kind"].as_str(), newest["verdict"].as_str()),
        (Some("last_run"), Some("regressed")),
        "{series}"
    );
    assert_eq!(newest["against_runs"], serde_json::json!([1, 2, 3, 4, 5]));
}

#[test]
fn a_faster_newest_run_is_an_improvement_and_an_unknown_recipe_is_an_error() {
    let s = Scratch::new();
    runs_of(&s, &[10.0, 10.2, 9.9, 10.1, 10.0, 5.0]);
    let h = history(&s, &[]);
    let series = &h["series"][0];
    assert_eq!(series["higher_is_better"], false);
    assert_eq!(series["runs"][5]["mark"]["verdict"], "improved", "{series}");
    assert_eq!(series["last_run"]["verdict"], "improved");
    let out = s.run(&["history", "lat_ms", "--recipe", "nosuch"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        String::from_utf8_lossy(&out.stderr)
            .contains("--recipe: no run of recipe 'nosuch' is stored"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}
