//! Helpers for the `collect` tests: recipes with one metrics step, store queries.
#![allow(dead_code)]

use std::collections::BTreeMap;

use serde_json::Value;

use crate::common::Scratch;

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

/// `metrics.last_collection`.
pub fn summary(s: &Scratch) -> Value {
    s.ctx("metrics.last_collection")
        .expect("metrics.last_collection is set")
}

/// Seconds since the Unix epoch.
pub fn now() -> f64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs_f64()
}
