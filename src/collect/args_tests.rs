//! Unit tests of the `collect` argument parser (kept beside `args.rs`).

use super::*;
use serde_json::json;

fn plan(v: Value) -> CollectPlan {
    let (p, f) = parse(v.as_object().unwrap(), "args", None);
    p.unwrap_or_else(|| panic!("{f:?}"))
}

fn findings(v: Value) -> Vec<Finding> {
    let (p, f) = parse(v.as_object().unwrap(), "args", None);
    assert!(p.is_none(), "expected errors");
    f
}

#[test]
fn defaults_are_system_and_application_for_ten_seconds() {
    let p = plan(json!({"action": "collect"}));
    assert_eq!(p.duration, DEFAULT_DURATION);
    assert_eq!(p.system.unwrap().interval, DEFAULT_INTERVAL);
    assert_eq!(p.application.unwrap().workloads, vec![]);
    assert!(p.network.is_none() && p.custom.is_none());
}

#[test]
fn the_interval_comes_from_args_then_config_then_one_second() {
    let from = |v: Value| plan(v).system.unwrap().interval;
    assert_eq!(
        from(
            json!({"collectors": {"system": {"interval": "250ms"}}, "config": {"collection": {"collection_interval": 7}}})
        ),
        Duration::from_millis(250)
    );
    assert_eq!(
        from(
            json!({"config": {"collectors": {"system": {"interval": 2.5}}, "collection": {"collection_interval": 7}}})
        ),
        Duration::from_millis(2500)
    );
    assert_eq!(
        from(json!({"config": {"collection": {"collection_interval": 7}}})),
        Duration::from_secs(7)
    );
    assert_eq!(
        from(json!({"collectors": {"system": {}}})),
        DEFAULT_INTERVAL
    );
}

#[test]
fn listed_collectors_only_and_config_endpoints() {
    let p = plan(json!({"collectors": {"custom": {"gauges": {"g": 1}}, "system": false}}));
    assert!(p.system.is_none() && p.application.is_none() && p.network.is_none());
    assert_eq!(p.custom.unwrap().len(), 1);
    let p = plan(
        json!({"collectors": {"network": {}}, "config": {"collectors": {"network": {"endpoints": ["127.0.0.1:9"]}}}}),
    );
    assert_eq!(p.network.unwrap().endpoints[0].label, "127.0.0.1:9");
    let p = plan(
        json!({"config": {"collectors": {"network": {"enabled": true, "endpoints": ["127.0.0.1:9"]}, "application": {"enabled": false}}}}),
    );
    assert!(p.network.is_some() && p.application.is_none() && p.system.is_some());
}

#[test]
fn filters_from_args_and_config_both_apply() {
    let p = plan(
        json!({"filters": [{"name": "a*"}], "config": {"filters": [{"name": "b*", "sample_rate": 0.5}]}}),
    );
    assert_eq!(
        p.filters
            .iter()
            .map(|f| f.name.as_str())
            .collect::<Vec<_>>(),
        ["a*", "b*"]
    );
}

#[test]
fn every_error_is_reported_with_its_path_and_code() {
    let f = findings(json!({
        "duration": "soon",
        "collectors": {"system": {"disk_path": "/no/such/f0/dir"}, "application": {"workloads": [
            {"name": "a", "command": ["true"]}, {"name": "a", "command": ["true"]}]}},
        "filters": [{"name": "x", "value_range": [5, 1]}, {"name": "y", "rate": 3}],
        "config": {"filters": [{"name": "z", "rate_limit": 0}]},
    }));
    let paths: Vec<(&str, Code)> = f.iter().map(|x| (x.path.as_str(), x.code)).collect();
    for want in [
        "args.duration",
        "args.collectors.system.disk_path",
        "args.filters[0].value_range",
        "args.filters[1].rate",
        "args.config.filters[0].rate_limit",
    ] {
        assert!(
            paths.iter().any(|(p, _)| *p == want),
            "{want} missing from {paths:?}"
        );
    }
    assert!(f.iter().all(|x| x.code == Code::InvalidArg));
    let f = findings(
        json!({"collectors": {"application": {"workloads": [{"name": "a", "command": ["true"]}, {"name": "a", "command": ["true"]}]}}}),
    );
    assert_eq!(f[0].path, "args.collectors.application.workloads[1].name");
    let f = findings(json!({"collectors": {"system": {"enabled": "no"}}}));
    assert_eq!(f[0].path, "args.collectors.system.enabled");
    let f = findings(json!({"collectors": "all"}));
    assert_eq!(f[0].path, "args.collectors");
}

#[test]
fn unknown_config_keys_are_warnings() {
    let (p, f) = parse(
        json!({"config": {"colection": {}}}).as_object().unwrap(),
        "args",
        None,
    );
    assert!(p.is_some());
    assert_eq!(f.len(), 1);
    assert_eq!(
        (f[0].level, f[0].path.as_str()),
        (crate::diagnostic::Level::Warning, "args.config.colection")
    );
}

#[test]
fn the_recipe_config_applies_unless_args_give_one() {
    let rc = json!({"collection": {"collection_interval": 3}});
    let (p, _) = parse(json!({}).as_object().unwrap(), "args", Some(&rc));
    assert_eq!(p.unwrap().system.unwrap().interval, Duration::from_secs(3));
    let (p, _) = parse(
        json!({"config": {}}).as_object().unwrap(),
        "args",
        Some(&rc),
    );
    assert_eq!(p.unwrap().system.unwrap().interval, DEFAULT_INTERVAL);
}
