//! The parts of a `config:` mapping (MetricsConfiguration, COMPAT §4) the analyze action reads,
//! from the step's `args.config` or the recipe's top-level `config` (context key
//! `recipe.config`); the arguments win over the recipe, and both over the defaults.
//!
//! | key | shape | default |
//! |---|---|---|
//! | `health.regression_threshold` | number ≥ 0: the smallest relative change a baseline comparison calls a regression or improvement | 0.2 |
//! | `analysis.percentiles` | list of percents in [0, 100] (Framework0's section and the design's) | 50, 90, 95, 99, 99.9 |
//!
//! Other sections and keys belong to other actions and are left alone.

use serde_json::Value;

use super::reader::Reader;
use crate::recipe::validate::{compact, Finding};

/// Framework0's `health.regression_threshold` default.
pub const DEFAULT_REGRESSION_THRESHOLD: f64 = 0.2;

/// What one `config` mapping sets.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct AnalysisConfig {
    /// `health.regression_threshold`.
    pub regression_threshold: Option<f64>,
    /// `analysis.percentiles`.
    pub percentiles: Option<Vec<f64>>,
}

impl AnalysisConfig {
    /// `self` where set, else `fallback`.
    pub fn or(self, fallback: AnalysisConfig) -> AnalysisConfig {
        AnalysisConfig {
            regression_threshold: self.regression_threshold.or(fallback.regression_threshold),
            percentiles: self.percentiles.or(fallback.percentiles),
        }
    }
}

/// Reads the two settings from a config mapping at path `base`, adding findings for bad values.
pub fn read_config(v: &Value, base: &str, findings: &mut Vec<Finding>) -> AnalysisConfig {
    let mut r = Reader {
        base: base.to_owned(),
        findings,
    };
    let mut out = AnalysisConfig::default();
    let Some(map) = v.as_object() else {
        r.base = base
            .rsplit_once('.')
            .map_or(base, |(head, _)| head)
            .to_owned();
        let field = base.rsplit('.').next().unwrap_or(base);
        r.invalid(field, format!("must be a mapping, got {}", compact(v)));
        return out;
    };
    for (section, key) in [
        ("health", "regression_threshold"),
        ("analysis", "percentiles"),
    ] {
        let Some(section_value) = map.get(section) else {
            continue;
        };
        let Some(section_map) = section_value.as_object() else {
            r.invalid(
                section,
                format!("must be a mapping, got {}", compact(section_value)),
            );
            continue;
        };
        let Some(x) = section_map.get(key) else {
            continue;
        };
        let field = format!("{section}.{key}");
        match key {
            "regression_threshold" => {
                out.regression_threshold =
                    r.number(&field, x, |t| t >= 0.0, "a number ≥ 0 (e.g. 0.2 for 20 %)");
            }
            _ => out.percentiles = r.percents(&field, x),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn reads_both_shapes_and_reports_bad_values_at_their_path() {
        let mut f = Vec::new();
        let c = read_config(
            &json!({"health": {"regression_threshold": 0.1, "performance_alerts": true},
                    "analysis": {"percentiles": [50, 99], "window_size": 3600}}),
            "recipe.config",
            &mut f,
        );
        assert!(f.is_empty(), "{f:?}");
        assert_eq!(c.regression_threshold, Some(0.1));
        assert_eq!(c.percentiles, Some(vec![50.0, 99.0]));
        let c = read_config(
            &json!({"health": {"regression_threshold": -1}, "analysis": {"percentiles": [120]}}),
            "recipe.steps[0].args.config",
            &mut f,
        );
        assert_eq!(c, AnalysisConfig::default());
        let paths: Vec<&str> = f.iter().map(|x| x.path.as_str()).collect();
        assert_eq!(
            paths,
            [
                "recipe.steps[0].args.config.health.regression_threshold",
                "recipe.steps[0].args.config.analysis.percentiles"
            ]
        );
        f.clear();
        read_config(&json!([1]), "recipe.steps[0].args.config", &mut f);
        assert_eq!(f[0].path, "recipe.steps[0].args.config");
        assert!(
            f[0].message.starts_with("must be a mapping"),
            "{}",
            f[0].message
        );
    }

    #[test]
    fn arguments_win_over_the_recipe() {
        let args = AnalysisConfig {
            regression_threshold: Some(0.5),
            percentiles: None,
        };
        let recipe = AnalysisConfig {
            regression_threshold: Some(0.1),
            percentiles: Some(vec![90.0]),
        };
        assert_eq!(
            args.or(recipe),
            AnalysisConfig {
                regression_threshold: Some(0.5),
                percentiles: Some(vec![90.0])
            }
        );
    }
}
