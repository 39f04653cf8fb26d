//! The metrics scriptlet's argument parsers: any JSON (or YAML) mapping given as the `args` of a
//! `PerformanceMetricsScriptlet` step — as written, and with `action` forced to collect and to
//! analyze — and as the args of every other registered scriptlet, yields findings, never a panic.
#![no_main]

use framework0::catalog::default_registry;
use framework0::scriptlet::Resolution;
use libfuzzer_sys::fuzz_target;
use serde_json::{Map, Value};

const MODULE: &str = "scriptlets.foundation.performance_metrics";
const CLASS: &str = "PerformanceMetricsScriptlet";

fn args_of(data: &[u8]) -> Option<Map<String, Value>> {
    let text = std::str::from_utf8(data).ok()?;
    let value: Value = serde_json::from_str(text)
        .ok()
        .or_else(|| serde_yaml::from_str(text).ok())?;
    match value {
        Value::Object(m) => Some(m),
        _ => None,
    }
}

fuzz_target!(|data: &[u8]| {
    let Some(args) = args_of(data) else {
        return;
    };
    let registry = default_registry();
    let Resolution::Found(metrics) = registry.resolve(MODULE, CLASS) else {
        panic!("{MODULE}.{CLASS} is not registered");
    };
    let _ = metrics.validate_args(&args, "args");
    for action in ["collect", "analyze"] {
        let mut forced = args.clone();
        forced.insert("action".into(), Value::from(action));
        let _ = metrics.validate_args(&forced, "args");
    }
    for entry in registry.entries() {
        let _ = entry.validate_args(&args, "args");
    }
});
