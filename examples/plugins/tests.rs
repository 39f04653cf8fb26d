//! The example run end to end (`cargo test --example plugins`): the custom collector's samples
//! land in the store, the custom analyzer's verdicts in `metrics.last_analysis`, and the
//! plugins' settings are checked by `validate` through their own `configure`.

use super::*;

fn schema_errors(name: &str, v: &Value) -> Vec<String> {
    let path = format!("{}/schemas/{name}.schema.json", env!("CARGO_MANIFEST_DIR"));
    let schema: Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    let validator = jsonschema::validator_for(&schema).unwrap();
    validator
        .iter_errors(v)
        .map(|e| format!("{e} at {}", e.instance_path()))
        .collect()
}

#[test]
fn the_custom_collector_and_analyzer_run_from_the_recipe() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("store.db");
    let run_id = run(&recipe_path(), &db).unwrap();
    let store = Store::open(&db).unwrap();
    let conn = rusqlite::Connection::open(&db).unwrap();
    let mut st = conn
        .prepare(
            "SELECT s.tags, s.source, COUNT(*), MIN(m.value) FROM metric_samples m \
             JOIN metric_series s ON s.id = m.series_id \
             WHERE s.name = 'load_average' AND m.run_id = ?1 GROUP BY s.id ORDER BY s.tags",
        )
        .unwrap();
    let rows: Vec<(String, String, i64, f64)> = st
        .query_map([run_id], |r| {
            Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?))
        })
        .unwrap()
        .map(Result::unwrap)
        .collect();
    assert_eq!(rows.len(), 2, "{rows:?}");
    assert_eq!(rows[0].0, r#"{"period":"1m"}"#);
    assert_eq!(rows[1].0, r#"{"period":"5m"}"#);
    for (_, source, count, min) in &rows {
        assert_eq!(source, "loadavg_collector");
        assert!(
            *count >= 3,
            "0.4 s at 100 ms gives at least 3 samples: {rows:?}"
        );
        assert!(*min >= 0.0);
    }
    let collection = store
        .context_value("metrics.last_collection")
        .unwrap()
        .unwrap();
    assert_eq!(collection["totals"]["loadavg"], rows[0].2 + rows[1].2);
    assert_eq!(
        collection["collectors"]["plugins"]["loadavg"]["error_count"],
        0
    );
    assert!(
        schema_errors("collect_summary", &collection).is_empty(),
        "{:?}",
        schema_errors("collect_summary", &collection)
    );

    let analysis = store
        .context_value("metrics.last_analysis")
        .unwrap()
        .unwrap();
    assert!(
        schema_errors("analysis", &analysis).is_empty(),
        "{:?}",
        schema_errors("analysis", &analysis)
    );
    let results = analysis["metrics"].as_array().unwrap();
    assert_eq!(results.len(), 2);
    for m in results {
        assert_eq!(m["anomaly_methods"], serde_json::json!(["zscore", "jump"]));
        let verdicts = m["analyzers"].as_array().unwrap();
        assert_eq!(verdicts.len(), 1);
        let v = &verdicts[0];
        assert_eq!(v["analyzer"], "slo");
        assert_eq!(v["passed"], true);
        // The analyzer saw exactly the samples the built-in statistics summarised.
        let mean = v["values"]["mean"].as_f64().unwrap();
        let summary_mean = m["summary"]["mean"].as_f64().unwrap();
        assert!(
            (mean - summary_mean).abs() <= 1e-12 * summary_mean.abs().max(1.0),
            "{mean} vs {summary_mean}"
        );
        assert_eq!(v["values"]["max_mean"], 1000.0);
    }
    // The analysis is also stored for the run.
    let stored: i64 = conn
        .query_row(
            "SELECT COUNT(*) FROM analyses WHERE run_id = ?1",
            [run_id],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(stored, 1);
}

#[test]
fn validate_checks_plugin_settings_through_their_configure() {
    let dir = tempfile::tempdir().unwrap();
    let text = std::fs::read_to_string(recipe_path())
        .unwrap()
        .replace("periods: [1, 5]", "periods: [1, 7]")
        .replace("slo: {max_mean: 1000}", "slo: {max_mean: high}")
        .replace(
            "metrics: [load_average]",
            "metrics: [load_average]\n      analyzers_typo: 1",
        );
    let path = dir.path().join("bad.yaml");
    std::fs::write(&path, text).unwrap();
    let recipe = load_recipe(&path).unwrap();
    let findings: Vec<String> = validate(&recipe, &builder().registry().unwrap())
        .iter()
        .map(|f| format!("{}: {}", f.path, f.message))
        .collect();
    assert!(findings.contains(&"recipe.steps[0].args.collectors.loadavg.periods[1]: must be 1, 5 or 15 (minutes), got 7".to_owned()), "{findings:#?}");
    assert!(findings.contains(&"recipe.steps[1].args.analyzers.slo.max_mean: required: a number, the highest mean that passes".to_owned()), "{findings:#?}");
    assert!(
        findings
            .iter()
            .any(|f| f.starts_with("recipe.steps[1].args.analyzers_typo: unknown key")),
        "{findings:#?}"
    );
    // Without the plugins, the names are unknown, and the message lists what is available.
    let plain = validate(&recipe, &framework0::catalog::default_registry());
    let msg = plain
        .iter()
        .find(|f| f.path.ends_with("collectors.loadavg"))
        .unwrap();
    assert_eq!(msg.message, "unknown collector 'loadavg'; valid collectors: system, application, network, custom, exec, python");
}

#[test]
fn a_name_taken_twice_is_refused_at_registration() {
    let e = builder()
        .collector("loadavg", LoadAverage::new)
        .registry()
        .err()
        .unwrap();
    assert_eq!(
        e.to_string(),
        "a collector named 'loadavg' is already registered (or built in); choose another name"
    );
    let e = Runner::builder()
        .collector("system", LoadAverage::new)
        .registry()
        .err()
        .unwrap();
    assert!(e.to_string().contains("'system'"), "{e}");
}

#[test]
fn the_jump_detector_flags_the_jumps_larger_than_sensitivity_times_the_median() {
    let values = [1.0, 1.1, 1.0, 5.0, 1.0, 1.1];
    let got = Jump.detect(&values, 2.0).unwrap();
    let at: Vec<usize> = got.iter().map(|d| d.index).collect();
    assert_eq!(at, [3, 4], "{got:?}");
    assert_eq!((got[0].baseline, got[0].deviation), (1.0, 4.0));
    // median jump 0.1, limit 0.2: 4.0 / 0.4 caps at 1.
    assert_eq!(got[0].confidence, 1.0);
    assert!(Jump.detect(&[3.0, 3.0, 3.0], 2.0).unwrap().is_empty());
}

/// Flags the first value with confidence `.0`.
struct FlagFirst(f64);

impl Detector for FlagFirst {
    fn detect(&mut self, _: &[f64], _: f64) -> Result<Vec<Detection>, PluginError> {
        Ok(vec![Detection {
            index: 0,
            confidence: self.0,
            baseline: 1.5,
            deviation: 0.25,
        }])
    }
}

#[test]
fn a_plugin_detectors_points_land_in_anomalies_under_its_name_and_bad_ones_are_warned() {
    let dir = tempfile::tempdir().unwrap();
    let text = std::fs::read_to_string(recipe_path())
        .unwrap()
        .replace("methods: [jump, zscore]", "methods: [first, wild]");
    let path = dir.path().join("r.yaml");
    std::fs::write(&path, text).unwrap();
    let db = dir.path().join("store.db");
    let recipe = load_recipe(&path).unwrap();
    let mut runner = builder()
        .detector("first", || FlagFirst(0.9))
        .detector("wild", || FlagFirst(1.5))
        .build(
            SharedStore::new(Store::open(&db).unwrap()),
            Interrupt::new(),
        )
        .unwrap();
    assert!(runner.run(&recipe, &RunOptions::default()).unwrap().success);
    let analysis = Store::open(&db)
        .unwrap()
        .context_value("metrics.last_analysis")
        .unwrap()
        .unwrap();
    assert!(
        schema_errors("analysis", &analysis).is_empty(),
        "{:?}",
        schema_errors("analysis", &analysis)
    );
    for m in analysis["metrics"].as_array().unwrap() {
        assert_eq!(m["anomaly_methods"], serde_json::json!(["first", "wild"]));
        let a = m["anomalies"].as_array().unwrap();
        assert_eq!(a.len(), 1, "{m}");
        assert_eq!(a[0]["detection_method"], "first");
        assert_eq!(
            (a[0]["index"].as_u64(), a[0]["confidence_score"].as_f64()),
            (Some(0), Some(0.9))
        );
        assert_eq!(a[0]["metric"]["name"], "load_average");
        assert_eq!(a[0]["metric"]["source"], "loadavg_collector");
        let warnings: Vec<&str> = m["warnings"]
            .as_array()
            .unwrap()
            .iter()
            .filter_map(Value::as_str)
            .collect();
        assert!(
            warnings.contains(&"wild: point 0: confidence 1.5 outside [0, 1]; dropped"),
            "{warnings:?}"
        );
    }
    // An unregistered name is refused listing the built-in methods and the plugin detectors.
    let findings = validate(&recipe, &builder().registry().unwrap());
    let f = findings
        .iter()
        .find(|f| f.path.ends_with("methods[0]"))
        .unwrap();
    assert_eq!(f.message, "unknown anomaly method 'first'; accepted: zscore, modified_zscore, iqr, iqr_nearest_rank, baseline, ewma, isolation_forest, jump");
}
