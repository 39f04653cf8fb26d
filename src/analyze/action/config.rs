//! The configuration an analysis runs under: a `config:` mapping (MetricsConfiguration,
//! COMPAT §4, both Framework0's sections and the design's shapes) in the step's `args.config`
//! and/or at recipe level (context key `recipe.config`). Each is validated by
//! [`MetricsConfiguration::from_value`]; the arguments' mapping is laid over the recipe's key by
//! key, so the arguments win, and the result over the defaults.
//!
//! The analysis reads `health.regression_threshold` (the smallest relative change a baseline
//! comparison calls a regression or improvement; default 0.2) and `analysis.percentiles`
//! (default 50, 90, 95, 99, 99.9; a step's own `percentiles` argument wins over both), and for
//! the step's health and log `health.performance_alerts`, `health.thresholds` (see
//! [`super::thresholds`]), `logging.log_significant_metrics` and `logging.threshold_p95` (see
//! [`super::perf_log`]).

use serde_json::Value;

use crate::metrics::{ConfigError, MetricsConfiguration};

/// Lays `top` over `base`: mappings merge key by key (recursively), anything else replaces.
fn overlay(base: &mut Value, top: &Value) {
    match (base, top) {
        (Value::Object(b), Value::Object(t)) => {
            for (key, value) in t {
                match b.get_mut(key) {
                    Some(slot) => overlay(slot, value),
                    None => {
                        b.insert(key.clone(), value.clone());
                    }
                }
            }
        }
        (slot, value) => *slot = value.clone(),
    }
}

/// The configuration in force: `args` over `recipe` over the defaults.
pub fn effective(
    recipe: Option<&Value>,
    args: Option<&Value>,
) -> Result<MetricsConfiguration, ConfigError> {
    let mut merged = Value::Object(Default::default());
    for layer in [recipe, args].into_iter().flatten() {
        // Each layer must be valid on its own, so an error names the mapping it sits in.
        MetricsConfiguration::from_value(layer)?;
        overlay(&mut merged, layer);
    }
    Ok(MetricsConfiguration::from_value(&merged)?.0)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn arguments_win_key_by_key_over_the_recipe_and_defaults_fill_the_rest() {
        let recipe = json!({"health": {"regression_threshold": 0.1, "performance_alerts": false},
                            "analysis": {"percentiles": [90]}});
        let args = json!({"health": {"regression_threshold": 0.5}});
        let c = effective(Some(&recipe), Some(&args)).unwrap();
        assert_eq!(c.health.regression_threshold, 0.5);
        assert!(!c.health.performance_alerts, "the recipe's other keys stay");
        assert_eq!(c.analysis.percentiles, [90.0]);
        let c = effective(None, None).unwrap();
        assert_eq!(c.health.regression_threshold, 0.2);
        assert_eq!(c.analysis.percentiles, [50.0, 90.0, 95.0, 99.0, 99.9]);
    }

    #[test]
    fn an_invalid_layer_is_refused_even_when_the_other_would_mend_it() {
        let bad = json!({"health": {"regression_threshold": -1}});
        let good = json!({"health": {"regression_threshold": 0.3}});
        let err = effective(Some(&bad), Some(&good)).unwrap_err();
        assert_eq!(
            err.to_string(),
            "metrics config `health.regression_threshold` = -1: must be a finite number greater than 0"
        );
        assert!(effective(Some(&good), Some(&json!([1]))).is_err());
    }
}
