//! Helpers for the `collect` tests: recipes with one metrics step, store queries.
#![allow(dead_code)]

use std::collections::BTreeMap;

use serde_json::Value;

use crate::util::Scratch;

/// A recipe whose steps are `steps` (YAML list items, already indented by two spaces).
pub fn recipe(s: &Scratch, steps: &[String]) -> std::path::PathBuf {
    s.write("r.yaml", &format!("steps:\n{}", steps.concat()))
}

/// A `collect` step named `name` with `args` (YAML flow mapping entries after `action`).
pub fn collect(name: &str, idx: i64, args: &str, extra: &str) -> String {
    format!(
        "  - {{name: {name}, idx: {idx}, type: python, module: scriptlets.foundation.performance_metrics, function: PerformanceMetricsScriptlet{extra}, args: {{action: collect, {args}}}}}\n"
    )
}

/// One stored sample: (value, tags, source, run_id).
pub type Row = (f64, BTreeMap<String, String>, Option<String>, Option<i64>);

/// Every stored sample of `name`, oldest first.
pub fn samples(s: &Scratch, name: &str) -> Vec<Row> {
    let c = s.sql();
    let mut st = c
        .prepare(
            "SELECT m.value, s.tags, s.source, m.run_id FROM metric_samples m \
             JOIN metric_series s ON s.id = m.series_id WHERE s.name = ?1 ORDER BY m.ts_ns, m.rowid",
        )
        .unwrap();
    st.query_map([name], |r| {
        let tags: String = r.get(1)?;
        Ok((
            r.get::<_, f64>(0)?,
            serde_json::from_str(&tags).unwrap(),
            r.get::<_, Option<String>>(2)?,
            r.get::<_, Option<i64>>(3)?,
        ))
    })
    .unwrap()
    .map(Result::unwrap)
    .collect()
}

/// Stored samples per source.
pub fn per_source(s: &Scratch) -> BTreeMap<String, u64> {
    let c = s.sql();
    let mut st = c
        .prepare(
            "SELECT COALESCE(s.source, ''), COUNT(*) FROM metric_samples m \
             JOIN metric_series s ON s.id = m.series_id GROUP BY s.source",
        )
        .unwrap();
    st.query_map([], |r| {
        Ok((r.get::<_, String>(0)?, r.get::<_, i64>(1)? as u64))
    })
    .unwrap()
    .map(Result::unwrap)
    .collect()
}

/// What `schemas/collect_summary.schema.json` finds wrong with `v`.
pub fn schema_errors(v: &Value) -> Vec<String> {
    let text = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/schemas/collect_summary.schema.json"
    ))
    .unwrap();
    let schema = jsonschema::validator_for(&serde_json::from_str(&text).unwrap()).unwrap();
    schema.iter_errors(v).map(|e| e.to_string()).collect()
}

/// `metrics.last_collection`, checked against its schema.
pub fn summary(s: &Scratch) -> Value {
    let v = s
        .ctx("metrics.last_collection")
        .expect("metrics.last_collection is set");
    let errors = schema_errors(&v);
    assert!(
        errors.is_empty(),
        "summary does not match its schema: {errors:?}\n{v}"
    );
    v
}

/// Seconds since the Unix epoch.
pub fn now() -> f64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs_f64()
}
