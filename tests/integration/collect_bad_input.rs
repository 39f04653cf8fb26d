//! Bad `collect` arguments: `f0 validate` and `f0 run` both report them, naming the step
//! and the field, before anything runs (exit 1).

use crate::util::collect::{collect, recipe};
use crate::util::{step, Scratch};

/// Runs validate and run on a recipe whose second step collects with `args`; checks both
/// report `ERROR [code] at recipe.steps[1].args.<field>: <text>` and that the first step
/// never ran.
pub(crate) fn refused(args: &str, code: &str, field: &str, text: &str) {
    let s = Scratch::new();
    let r = recipe(
        &s,
        &[
            step("marker", 1, "SetContext", "args: {values: {t.ran: true}}"),
            collect("collect_step", 2, args, ""),
        ],
    );
    let want = format!("ERROR [{code}] at recipe.steps[1].args.{field}: {text}");
    let out = s.run(&["validate", r.to_str().unwrap()]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "{stdout}");
    assert!(
        stdout.contains(&want),
        "validate:\n{stdout}\nwanted: {want}"
    );
    let (exit, j) = s.run_json(&r, &[]);
    assert_eq!(exit, 1);
    assert_eq!(j["status"], "error");
    assert!(j["error"].as_str().unwrap().contains(&want), "run: {j}");
    assert!(s.ctx_opt("t.ran").is_none(), "nothing ran");
}

#[test]
fn unknown_collector() {
    refused(
        "collectors: {gpu: {enabled: true}}",
        "INVALID_ARG",
        "collectors.gpu",
        "unknown collector 'gpu'; valid collectors: system, application, network, custom, exec, python",
    );
}

#[test]
fn interval_zero_or_negative() {
    for (bad, shown) in [("0", "0"), ("-1", "-1"), ("'-500ms'", "\"-500ms\"")] {
        refused(
            &format!("collectors: {{system: {{interval: {bad}}}}}"),
            "INVALID_ARG",
            "collectors.system.interval",
            &format!("{shown} is not a positive duration; give e.g. \"500ms\" or \"10s\""),
        );
    }
}

#[test]
fn unparsable_duration() {
    refused(
        "duration: ten seconds",
        "INVALID_ARG",
        "duration",
        "cannot parse duration \"ten seconds\"; use a number with an optional unit ms, s, m or h",
    );
}

#[test]
fn command_not_found() {
    refused(
        "collectors: {application: {workloads: [{name: w, command: [f0-no-such-program]}]}}",
        "INVALID_ARG",
        "collectors.application.workloads[0].command[0]",
        "command not found: 'f0-no-such-program' is not an executable file on PATH",
    );
}

#[test]
fn command_as_a_string_asks_for_an_argv() {
    refused(
        "collectors: {application: {workloads: [{command: 'ls -la'}]}}",
        "INVALID_ARG",
        "collectors.application.workloads[0].command",
        "must be a list of program and arguments (no shell)",
    );
}

#[test]
fn missing_command() {
    refused(
        "collectors: {application: {workloads: [{name: w}]}}",
        "MISSING_FIELD",
        "collectors.application.workloads[0].command",
        "missing 'command'",
    );
}

#[test]
fn sample_rate_outside_zero_to_one() {
    for bad in ["1.5", "-0.1"] {
        refused(
            &format!("filters: [{{name: 'cpu_*', sample_rate: {bad}}}]"),
            "INVALID_ARG",
            "filters[0].sample_rate",
            &format!("sample_rate = {bad} must lie in [0, 1]"),
        );
    }
}

#[test]
fn a_typo_in_a_collector_key() {
    refused(
        "collectors: {system: {intervall: 1s}}",
        "INVALID_ARG",
        "collectors.system.intervall",
        "unknown key 'intervall'; accepted: enabled, interval, disk_path",
    );
}

#[test]
fn other_url_schemes_are_refused() {
    // https:// is probed since issue 13 (see hardening_https.rs); other schemes are not.
    refused(
        "collectors: {network: {endpoints: ['ftp://127.0.0.1:1/']}}",
        "INVALID_ARG",
        "collectors.network.endpoints[0]",
        "\"ftp://127.0.0.1:1/\": expected an http:// or https:// URL",
    );
}

#[test]
fn a_bad_config_value_names_its_path() {
    refused(
        "config: {collection: {collection_interval: -5}}",
        "INVALID_ARG",
        "config.collection.collection_interval",
        "metrics config `collection.collection_interval` = -5: must be a finite number greater than 0",
    );
}

#[test]
fn an_unknown_argument() {
    refused(
        "duraton: 1s",
        "INVALID_ARG",
        "duraton",
        "unknown key 'duraton'; accepted: action, duration, collectors, filters, config",
    );
}
