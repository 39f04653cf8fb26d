//! The report of a scriptlet self-test (`TestLoggingFramework`,
//! `TestHealthMonitoringScriptlet`): named checks that passed, failed or did not apply.

use serde_json::{json, Value};

/// Collected check outcomes.
#[derive(Default)]
pub(crate) struct SelfTest {
    details: Vec<Value>,
}

impl SelfTest {
    /// Records check `name`: `Ok(note)` passed, `Err(why)` failed.
    pub fn record(&mut self, name: &str, outcome: Result<String, String>) {
        let (status, message) = match outcome {
            Ok(m) => ("passed", m),
            Err(m) => ("failed", m),
        };
        self.details
            .push(json!({"test": name, "status": status, "message": message}));
    }

    /// Records check `name` as not applicable in this run, with the reason.
    pub fn not_applicable(&mut self, name: &str, why: &str) {
        self.details
            .push(json!({"test": name, "status": "not_applicable", "message": why}));
    }

    fn count(&self, status: &str) -> usize {
        self.details
            .iter()
            .filter(|d| d["status"] == status)
            .count()
    }

    /// Whether no check failed and at least one passed.
    pub fn success(&self) -> bool {
        self.count("failed") == 0 && self.count("passed") > 0
    }

    /// Whether the named checks all passed.
    pub fn all_passed(&self, names: &[&str]) -> bool {
        names.iter().all(|n| {
            self.details
                .iter()
                .any(|d| d["test"] == *n && d["status"] == "passed")
        })
    }

    /// `{test_type, success, passed, failed, total, details}`.
    pub fn to_json(&self, test_type: &str) -> Value {
        json!({
            "test_type": test_type,
            "success": self.success(),
            "passed": self.count("passed"),
            "failed": self.count("failed"),
            "total": self.details.len(),
            "details": self.details,
        })
    }
}

/// `Ok(note)` when `cond`, else `Err(why)`.
pub(crate) fn ensure(cond: bool, why: impl Into<String>) -> Result<(), String> {
    if cond {
        Ok(())
    } else {
        Err(why.into())
    }
}
