//! The report of a scriptlet self-test (`TestLoggingFramework`,
//! `TestHealthMonitoringScriptlet`) in Framework0's shape:
//! `{test_type, status: passed|failed, tests_passed, tests_total, <group>: {<test>:
//! {status: success|failed, …}}, success_rate}`, a failed test carrying its `error`.
//!
//! The checks behind each test are real (they exercise this crate's framework, not Python
//! imports); what each one verified is logged at DEBUG on `framework0.selftest`.

use serde_json::{json, Map, Value};

/// The outcome of one test: extra fields of its entry, or why it failed.
pub(crate) type Outcome = Result<Map<String, Value>, String>;

/// Collected test outcomes, grouped.
pub(crate) struct SelfTest {
    test_type: String,
    groups: Vec<(&'static str, Map<String, Value>)>,
    passed: usize,
    total: usize,
}

impl SelfTest {
    /// A report of `test_type` with `groups` (in order, each empty until tests are recorded).
    pub fn new(test_type: &str, groups: &[&'static str]) -> Self {
        SelfTest {
            test_type: test_type.to_owned(),
            groups: groups.iter().map(|g| (*g, Map::new())).collect(),
            passed: 0,
            total: 0,
        }
    }

    /// Records test `name` of `group`.
    pub fn record(&mut self, group: &str, name: &str, outcome: Outcome) {
        self.total += 1;
        let entry = match outcome {
            Ok(mut extra) => {
                self.passed += 1;
                let note = Value::Object(extra.clone());
                tracing::debug!(target: "framework0.selftest", "{group}.{name}: passed {note}");
                let mut e = Map::new();
                e.insert("status".into(), json!("success"));
                e.append(&mut extra);
                e
            }
            Err(why) => {
                tracing::warn!(target: "framework0.selftest", "{group}.{name}: failed: {why}");
                let mut e = Map::new();
                e.insert("status".into(), json!("failed"));
                e.insert("error".into(), json!(why));
                e
            }
        };
        if let Some((_, tests)) = self.groups.iter_mut().find(|(g, _)| *g == group) {
            tests.insert(name.to_owned(), Value::Object(entry));
        }
    }

    /// Records an import-style test: `{status, module}` plus the error when it failed.
    pub fn record_module(
        &mut self,
        group: &str,
        name: &str,
        module: &str,
        outcome: Result<(), String>,
    ) {
        let with_module = |mut m: Map<String, Value>| {
            m.insert("module".into(), json!(module));
            m
        };
        match outcome {
            Ok(()) => self.record(group, name, Ok(with_module(Map::new()))),
            Err(why) => {
                self.record(group, name, Err(why));
                if let Some((_, tests)) = self.groups.iter_mut().find(|(g, _)| *g == group) {
                    if let Some(Value::Object(e)) = tests.get_mut(name) {
                        e.insert("module".into(), json!(module));
                    }
                }
            }
        }
    }

    /// Whether every test passed (and there was one).
    pub fn success(&self) -> bool {
        self.total > 0 && self.passed == self.total
    }

    /// The report.
    pub fn to_json(&self) -> Value {
        let mut out = Map::new();
        out.insert("test_type".into(), json!(self.test_type));
        out.insert(
            "status".into(),
            json!(if self.success() { "passed" } else { "failed" }),
        );
        out.insert("tests_passed".into(), json!(self.passed));
        out.insert("tests_total".into(), json!(self.total));
        for (g, tests) in &self.groups {
            out.insert((*g).to_owned(), Value::Object(tests.clone()));
        }
        out.insert(
            "success_rate".into(),
            json!(self.passed as f64 / self.total.max(1) as f64),
        );
        Value::Object(out)
    }
}

/// `Ok(())` when `cond`, else `Err(why)`.
pub(crate) fn ensure(cond: bool, why: impl Into<String>) -> Result<(), String> {
    if cond {
        Ok(())
    } else {
        Err(why.into())
    }
}

/// An entry with no extra fields.
pub(crate) fn done() -> Outcome {
    Ok(Map::new())
}

/// An entry with one extra field.
pub(crate) fn with(key: &str, value: Value) -> Outcome {
    let mut m = Map::new();
    m.insert(key.to_owned(), value);
    Ok(m)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn report_has_framework0s_shape() {
        let mut t = SelfTest::new("full_validation", &["import_validation", "health_checks"]);
        t.record_module(
            "import_validation",
            "health_core",
            "scriptlets.foundation.health.health_core",
            Ok(()),
        );
        t.record(
            "health_checks",
            "system_checks",
            with("checks_run", json!(4)),
        );
        t.record("health_checks", "report_generation", Err("empty".into()));
        t.record_module(
            "import_validation",
            "health_alerts",
            "scriptlets.foundation.health.alerts",
            Err("no alert rules".into()),
        );
        let v = t.to_json();
        assert_eq!(v["status"], "failed");
        assert_eq!(
            (v["tests_passed"].clone(), v["tests_total"].clone()),
            (json!(2), json!(4))
        );
        // A failed import keeps its module beside the error.
        assert_eq!(
            v["import_validation"]["health_alerts"],
            json!({"status": "failed", "error": "no alert rules", "module": "scriptlets.foundation.health.alerts"})
        );
        assert_eq!(
            v["import_validation"]["health_core"],
            json!({"status": "success", "module": "scriptlets.foundation.health.health_core"})
        );
        assert_eq!(
            v["health_checks"]["system_checks"],
            json!({"status": "success", "checks_run": 4})
        );
        assert_eq!(
            v["health_checks"]["report_generation"],
            json!({"status": "failed", "error": "empty"})
        );
        assert!((v["success_rate"].as_f64().unwrap() - 0.5).abs() < 1e-12);
        assert!(!t.success());
    }
}
