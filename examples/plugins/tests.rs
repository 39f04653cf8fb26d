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
