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
