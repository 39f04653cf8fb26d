//! The collector's live path: `collect` with `anomaly_detection` watches what it stores (the
//! event path itself — an event stored as `anomaly_event` with its context — is unit-tested
//! in `src/collect/online.rs` on a planted spike), and bad settings are findings at their path.

use crate::util::collect::{collect, recipe, samples};
use crate::util::Scratch;

#[test]
fn a_watched_collection_stores_its_samples_as_before() {
    let s = Scratch::new();
    let r = recipe(
        &s,
        &[collect(
            "watch",
            1,
            "duration: 1s, collectors: {system: {interval: 0.2s}}, anomaly_detection: {methods: [zscore, ewma], threshold: 0.9}",
            "",
        )],
    );
    let (code, out) = s.run_json(&r, &[]);
    assert_eq!(code, 0, "{out:#}");
    assert!(samples(&s, "cpu_usage_total").len() >= 3);
    // One second is inside every detector's warm-up: nothing can be flagged yet.
    assert!(samples(&s, "anomaly_event").is_empty());
}

#[test]
fn bad_collect_anomaly_settings_are_findings() {
    let s = Scratch::new();
    let base = "at recipe.steps[0].args.anomaly_detection";
    for (setting, want) in [
        (
            "anomaly_detection: yes please",
            format!("ERROR [INVALID_ARG] {base}: must be true, false or a mapping"),
        ),
        (
            "anomaly_detection: {methods: [iqr]}",
            format!("ERROR [INVALID_ARG] {base}.methods[0]: unknown online detector 'iqr'"),
        ),
        (
            "anomaly_detection: {mode: batch}",
            format!("ERROR [INVALID_ARG] {base}.mode: must be 'online'"),
        ),
        (
            "anomaly_detection: {threshold: 0}",
            format!("ERROR [INVALID_ARG] {base}.threshold: must be a score in (0, 1]"),
        ),
    ] {
        let r = recipe(
            &s,
            &[collect("c", 1, &format!("duration: 1s, {setting}"), "")],
        );
        let out = s.run(&["validate", r.to_str().unwrap()]);
        let text = String::from_utf8_lossy(&out.stdout);
        assert_eq!(out.status.code(), Some(1), "{setting}: {text}");
        assert!(
            text.lines().any(|l| l.starts_with(&want)),
            "missing {want:?} in:\n{text}"
        );
    }
}
