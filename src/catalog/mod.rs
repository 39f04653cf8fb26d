//! The catalog: every scriptlet this crate ships, composed into one [`Registry`] above the
//! actions and scriptlets it names (the core in [`crate::scriptlet`] names none of them).
//!
//! - `f0.builtin` utilities ([`crate::builtin`]);
//! - `PerformanceMetricsScriptlet` ([`performance_metrics`]), whose actions table lists
//!   collect, analyze, profile and report;
//! - Framework0's own scriptlets, ported ([`crate::framework0`]).

pub mod performance_metrics;

use crate::scriptlet::Registry;

/// Registers every scriptlet this crate ships.
pub fn default_registry() -> Registry {
    let mut r = Registry::new();
    crate::builtin::register(&mut r);
    performance_metrics::register(&mut r);
    crate::framework0::register(&mut r);
    // The cost of a step that a `profile` step targets (`target: {step: NAME}`) is captured
    // for it; the runner calls the hook only around such steps.
    r.set_around_step(|info, run| crate::profile::capture::around_step(info, run));
    r
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scriptlet::Resolution;

    #[test]
    fn messages_match_python_import_errors() {
        let r = default_registry();
        let msg = |m: &str, f: &str| match r.resolve(m, f) {
            Resolution::Found(_) => "found".to_owned(),
            Resolution::External(_) => "external".to_owned(),
            Resolution::Unresolved(u) => u.to_string(),
        };
        assert_eq!(
            msg(
                "orchestrator.scriptlets.python.steps.compute_median",
                "ComputeMedian"
            ),
            "Failed to import scriptlet: No module named 'orchestrator.scriptlets'"
        );
        assert_eq!(
            msg("engine.steps.python.missing_module", "MissingLoader"),
            "Failed to import scriptlet: No module named 'engine.steps.python.missing_module'"
        );
        assert_eq!(
            msg("scriptlets.foundation", "WelcomeScriptlet"),
            "Scriptlet class/method not found: module 'scriptlets.foundation' has no attribute 'WelcomeScriptlet'"
        );
        assert_eq!(
            msg("nosuch", "X"),
            "Failed to import scriptlet: No module named 'nosuch'"
        );
        assert_eq!(msg("f0.builtin", "Noop"), "found");
    }
}
