//! Plugin collectors ([`crate::plugin::Collector`]) in a collection: their settings under
//! `collectors.<name>` read into a [`PluginPlan`] (the host keeps `enabled` and `interval`,
//! the plugin's own [`configure`](crate::plugin::Collector::configure) checks the rest), and
//! the adapter that samples one on a [`BackgroundCollector`](super::BackgroundCollector).

use std::time::Duration;

use serde_json::{Map, Value};

use super::{CollectError, Collector};
use crate::diagnostic::compact;
use crate::metrics::{check_identity, PerformanceMetric};
use crate::plugin::Plugins;
use crate::scriptlet::args::{value, FieldError, MIN_INTERVAL};

/// Sampling interval of a plugin collector when none is given.
pub const DEFAULT_PLUGIN_INTERVAL: Duration = Duration::from_secs(1);

/// A plugin collector to run.
#[derive(Debug, Clone, PartialEq)]
pub struct PluginPlan {
    /// Its name in `collectors`.
    pub name: String,
    /// Time between samples.
    pub interval: Duration,
    /// Its own settings (without `enabled` and `interval`), already checked.
    pub settings: Map<String, Value>,
}

/// Reads `collectors.<name>` of the plugin `name` (`v` is a mapping: `true` and `null` have
/// been made `{}` already); `None` when `enabled: false`.
pub fn plan(plugins: &Plugins, name: &str, v: &Value) -> Result<Option<PluginPlan>, FieldError> {
    let Some(map) = v.as_object() else {
        return Err(FieldError::new(
            "",
            format!(
                "must be true, false or a mapping of settings, got {}",
                compact(v)
            ),
        ));
    };
    let mut settings = map.clone();
    let enabled = settings.remove("enabled").filter(|e| !e.is_null());
    if let Some(e) = enabled {
        if !value::boolean(&e).map_err(|m| FieldError::new("enabled", m))? {
            return Ok(None);
        }
    }
    let interval = match settings.remove("interval").filter(|i| !i.is_null()) {
        None => DEFAULT_PLUGIN_INTERVAL,
        Some(i) => {
            let d = value::duration(&i).map_err(|m| FieldError::new("interval", m))?;
            if d < MIN_INTERVAL {
                return Err(FieldError::new(
                    "interval",
                    format!(
                        "interval {}s is shorter than the 0.01s minimum",
                        d.as_secs_f64()
                    ),
                ));
            }
            d
        }
    };
    let mut c = plugins
        .collector(name)
        .ok_or_else(|| FieldError::new("", format!("no collector plugin named '{name}'")))?;
    c.configure(&settings)?;
    Ok(Some(PluginPlan {
        name: name.to_owned(),
        interval,
        settings,
    }))
}

/// A plugin collector as the collect action samples it: its metrics get the source
/// `<name>_collector`; a metric with an empty or oversized name or tag, or a non-finite value,
/// is dropped and reported as the sample's error.
pub struct PluginCollector {
    name: String,
    source: String,
    inner: Box<dyn crate::plugin::Collector>,
}

impl PluginCollector {
    /// A fresh, configured instance of `plan`'s plugin.
    pub fn new(plugins: &Plugins, plan: &PluginPlan) -> Result<Self, CollectError> {
        let setup = |message: String| CollectError::Setup {
            field: format!("args.collectors.{}", plan.name),
            message,
        };
        let mut inner = plugins
            .collector(&plan.name)
            .ok_or_else(|| setup(format!("no collector plugin named '{}'", plan.name)))?;
        inner
            .configure(&plan.settings)
            .map_err(|e| setup(e.to_string()))?;
        // A start that fails is tried again, and reported, by the first sample: the step
        // then fails with the samples' errors as it did without the warm-up.
        let _ = inner.start();
        Ok(PluginCollector {
            name: plan.name.clone(),
            source: format!("{}_collector", plan.name),
            inner,
        })
    }
}

impl Collector for PluginCollector {
    fn source(&self) -> &str {
        &self.source
    }

    fn sample(&mut self, out: &mut Vec<PerformanceMetric>) -> Result<(), CollectError> {
        let start = out.len();
        let result = self.inner.sample(out);
        let mut bad = None;
        let mut kept = start;
        for i in start..out.len() {
            let m = &out[i];
            let problem = if !m.value.is_finite() {
                Some(format!("non-finite value {} of '{}'", m.value, m.name))
            } else {
                check_identity(&m.name, &m.tags)
                    .err()
                    .map(|e| e.to_string())
            };
            match problem {
                Some(p) => {
                    bad.get_or_insert(p);
                }
                None => {
                    out.swap(kept, i);
                    kept += 1;
                }
            }
        }
        out.truncate(kept);
        for m in &mut out[start..] {
            m.source = Some(self.source.clone());
        }
        let name = &self.name;
        result.map_err(|e| CollectError::Plugin(format!("collector '{name}': {e}")))?;
        match bad {
            Some(p) => Err(CollectError::Plugin(format!(
                "collector '{name}' produced a metric f0 cannot store ({p}); it was dropped"
            ))),
            None => Ok(()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::metrics::{MetricType, MetricUnit};
    use crate::plugin::PluginError;
    use serde_json::json;

    /// Emits a good metric, a NaN, an empty name and a second good one, then fails if asked.
    #[derive(Default)]
    struct Mixed {
        fail: bool,
    }

    impl crate::plugin::Collector for Mixed {
        fn configure(&mut self, args: &Map<String, Value>) -> Result<(), FieldError> {
            self.fail = args.get("fail") == Some(&Value::Bool(true));
            crate::scriptlet::args::check_keys(args, &["fail"])
        }

        fn sample(&mut self, out: &mut Vec<PerformanceMetric>) -> Result<(), PluginError> {
            let m = |name: &str, v: f64| PerformanceMetric {
                name: name.to_owned(),
                value: v,
                ..PerformanceMetric::new("x", 0.0, MetricType::Gauge, MetricUnit::Count).unwrap()
            };
            out.extend([m("a", 1.0), m("nan", f64::NAN), m("", 2.0), m("b", 3.0)]);
            if self.fail {
                return Err(PluginError::new("device gone"));
            }
            Ok(())
        }
    }

    fn plugins() -> Plugins {
        let mut p = Plugins::default();
        p.add_collector("mixed", Mixed::default).unwrap();
        p
    }

    #[test]
    fn the_host_keeps_enabled_and_interval_and_the_plugin_checks_the_rest() {
        let p = plugins();
        let got = plan(&p, "mixed", &json!({"interval": "250ms", "fail": true}))
            .unwrap()
            .unwrap();
        assert_eq!(got.interval, Duration::from_millis(250));
        assert_eq!(got.settings, *json!({"fail": true}).as_object().unwrap());
        assert!(plan(&p, "mixed", &json!({"enabled": false}))
            .unwrap()
            .is_none());
        assert_eq!(
            plan(&p, "mixed", &json!({})).unwrap().unwrap().interval,
            DEFAULT_PLUGIN_INTERVAL
        );
        let e = plan(&p, "mixed", &json!({"speed": 1})).unwrap_err();
        assert_eq!(
            (e.field.as_str(), e.message.as_str()),
            ("speed", "unknown key 'speed'; accepted: fail")
        );
        assert_eq!(
            plan(&p, "mixed", &json!({"enabled": "yes"}))
                .unwrap_err()
                .field,
            "enabled"
        );
        assert_eq!(plan(&p, "mixed", &json!(3)).unwrap_err().field, "");
    }

    #[test]
    fn unstorable_metrics_are_dropped_and_reported_the_rest_kept_with_the_source() {
        let p = plugins();
        let run = |fail: bool| {
            let got = plan(&p, "mixed", &json!({"fail": fail})).unwrap().unwrap();
            let mut c = PluginCollector::new(&p, &got).unwrap();
            assert_eq!(c.source(), "mixed_collector");
            let mut out = Vec::new();
            let e = c.sample(&mut out).unwrap_err().to_string();
            (out, e)
        };
        let (out, e) = run(false);
        let names: Vec<&str> = out.iter().map(|m| m.name.as_str()).collect();
        assert_eq!(names, ["a", "b"]);
        assert!(out
            .iter()
            .all(|m| m.source.as_deref() == Some("mixed_collector")));
        assert_eq!(e, "collector 'mixed' produced a metric f0 cannot store (non-finite value NaN of 'nan'); it was dropped");
        let (out, e) = run(true);
        assert_eq!(out.len(), 2, "what came before the error is kept");
        assert_eq!(e, "collector 'mixed': device gone");
    }
}
