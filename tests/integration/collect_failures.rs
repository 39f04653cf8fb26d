//! What `collect` does when a workload or an endpoint misbehaves at run time: a workload that
//! outlives its timeout, dies of a signal or cannot be executed fails the step naming the
//! workload, the run and why; an HTTP endpoint that answers 503 or hangs up is recorded as a
//! failed probe with the reason. And endpoint specs that cannot work are refused up front.

use std::io::{Read, Write};
use std::net::TcpListener;
use std::time::Instant;

use crate::collect_bad_input::refused;
use crate::util::collect::{collect, recipe, samples, summary};
use crate::util::Scratch;

/// Runs one collect step with `args`; returns (exit code, the step's error or "").
fn run_collect(s: &Scratch, args: &str) -> (i32, String) {
    let r = recipe(s, &[collect("app", 1, args, "")]);
    let (code, j) = s.run_json(&r, &[]);
    let err = j["steps"][0]["error"].as_str().unwrap_or("").to_owned();
    (code, err)
}

#[test]
fn a_workload_over_its_timeout_is_killed_and_fails_the_step() {
    let s = Scratch::new();
    let t = Instant::now();
    let (code, err) = run_collect(
        &s,
        "duration: 10s, collectors: {application: {workloads: [{name: slow, command: [sleep, '30'], timeout: 300ms}]}}",
    );
    assert_eq!(code, 1, "{err}");
    assert!(t.elapsed().as_secs_f64() < 8.0, "the workload was killed");
    assert!(
        err.ends_with("args.collectors.application.workloads[0]: workload 'slow' run 1 of 1 timed out after 0.3s and was killed"),
        "{err}"
    );
    assert_eq!(
        samples(&s, "workload_wall_time").len(),
        1,
        "the run is recorded"
    );
}

#[test]
fn a_workload_killed_by_a_signal_names_the_signal() {
    let s = Scratch::new();
    let (code, err) = run_collect(
        &s,
        "duration: 5s, collectors: {application: {workloads: [{name: doomed, command: [sh, -c, 'kill -9 $$']}]}}",
    );
    assert_eq!(code, 1, "{err}");
    assert!(
        err.ends_with("workload 'doomed' run 1 of 1 was killed by signal 9 (set allow_failure: true to keep going)"),
        "{err}"
    );
}

/// Regression: a script whose `#!` interpreter is missing was reported as "program '...' not
/// found" although the script exists (exec(2) says ENOENT for the interpreter).
#[test]
fn a_workload_script_with_a_missing_interpreter_names_the_interpreter_not_the_script() {
    let s = Scratch::new();
    let bin = s.write("job.sh", "#!/nonexistent/f0-interpreter\necho hi\n");
    let mut perms = std::fs::metadata(&bin).unwrap().permissions();
    std::os::unix::fs::PermissionsExt::set_mode(&mut perms, 0o755);
    std::fs::set_permissions(&bin, perms).unwrap();
    let (code, err) = run_collect(
        &s,
        &format!(
            "duration: 5s, collectors: {{application: {{workloads: [{{name: w, command: ['{}']}}]}}}}",
            bin.display()
        ),
    );
    assert_eq!(code, 1, "{err}");
    assert!(
        err.contains(&format!(
            "args.collectors.application.workloads[0]: cannot start '{}': its #! interpreter was not found ({} exists; ",
            bin.display(),
            bin.display()
        )),
        "{err}"
    );
    assert!(
        !err.contains("not found:") && !err.contains("program '"),
        "{err}"
    );
}

/// Answers `n` connections with `response` after reading the request (`None`: closes the
/// connection without answering).
fn serve(n: usize, response: Option<&'static [u8]>) -> u16 {
    let l = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = l.local_addr().unwrap().port();
    std::thread::spawn(move || {
        for c in l.incoming().take(n) {
            let mut c = c.unwrap();
            let mut req = Vec::new();
            let mut buf = [0u8; 2048];
            while !req.windows(4).any(|w| w == b"\r\n\r\n") {
                match c.read(&mut buf) {
                    Ok(0) | Err(_) => break,
                    Ok(n) => req.extend_from_slice(&buf[..n]),
                }
            }
            if let Some(r) = response {
                let _ = c.write_all(r);
            }
        }
    });
    port
}

#[test]
fn an_http_503_is_a_failed_probe_with_its_status() {
    let s = Scratch::new();
    let port = serve(
        1,
        Some(b"HTTP/1.1 503 Service Unavailable\r\nContent-Length: 0\r\n\r\n"),
    );
    let (code, err) = run_collect(
        &s,
        &format!("duration: 100ms, collectors: {{network: {{endpoints: ['http://127.0.0.1:{port}/health']}}}}"),
    );
    assert_eq!(code, 0, "an optional endpoint's failure is recorded: {err}");
    let h = samples(&s, "http_request_duration");
    assert_eq!(h.len(), 1);
    assert_eq!(
        (h[0].1["status"].as_str(), h[0].1["status_code"].as_str()),
        ("error", "503")
    );
    let ep = &summary(&s)["collectors"]["network"]["endpoints"][0];
    assert_eq!(ep["failures"], 1, "{ep}");
    assert_eq!(ep["last_error"], "HTTP status 503", "{ep}");
}

#[test]
fn an_http_endpoint_that_hangs_up_is_a_failed_probe_with_the_reason() {
    let s = Scratch::new();
    let port = serve(1, None);
    let (code, err) = run_collect(
        &s,
        &format!(
            "duration: 100ms, collectors: {{network: {{endpoints: ['http://127.0.0.1:{port}/']}}}}"
        ),
    );
    assert_eq!(code, 0, "{err}");
    let ep = &summary(&s)["collectors"]["network"]["endpoints"][0];
    assert_eq!(ep["failures"], 1, "{ep}");
    let why = ep["last_error"].as_str().unwrap();
    assert!(!why.is_empty() && !why.contains("HTTP status"), "{ep}");
    let h = samples(&s, "http_request_duration");
    assert_eq!(h[0].1["status"], "error");
}

#[test]
fn an_endpoint_with_both_url_and_host_is_refused() {
    refused(
        "collectors: {network: {endpoints: [{url: 'http://127.0.0.1:1/', host: 127.0.0.1, port: 1}]}}",
        "INVALID_ARG",
        "collectors.network.endpoints[0].url",
        "give either url or host and port, not both",
    );
}

#[test]
fn an_endpoint_with_neither_url_nor_host_is_refused() {
    refused(
        "collectors: {network: {endpoints: [{name: api}]}}",
        "INVALID_ARG",
        "collectors.network.endpoints[0].url",
        "an endpoint needs url, or host and port",
    );
}

#[test]
fn an_endpoint_port_out_of_range_is_refused() {
    refused(
        "collectors: {network: {endpoints: [{host: 127.0.0.1, port: 70000}]}}",
        "INVALID_ARG",
        "collectors.network.endpoints[0].port",
        "must be a number from 1 to 65535, got 70000",
    );
}

#[test]
fn an_endpoint_with_an_empty_url_is_refused() {
    refused(
        "collectors: {network: {endpoints: [{url: ''}]}}",
        "INVALID_ARG",
        "collectors.network.endpoints[0].url",
        "must be a non-empty string, got \"\"",
    );
}

#[test]
fn filters_that_are_not_a_list_are_refused() {
    refused(
        "filters: 5",
        "INVALID_ARG",
        "filters",
        "must be a list of filters ({name, sample_rate, tag_filters, value_range, rate_limit, enabled}), got 5",
    );
}

#[test]
fn a_filter_with_an_empty_name_is_refused() {
    refused(
        "filters: [{name: '', sample_rate: 0.5}]",
        "INVALID_ARG",
        "filters[0].name",
        "name `` is not a valid metric-name pattern: empty",
    );
}

#[test]
fn a_filter_that_is_not_a_mapping_is_refused() {
    refused(
        "filters: [cpu*]",
        "INVALID_ARG",
        "filters[0]",
        "expected a mapping, got \"cpu*\"",
    );
}

#[test]
fn a_collector_given_as_true_runs_with_defaults_and_enabled_false_switches_one_off() {
    let s = Scratch::new();
    let (code, err) = run_collect(
        &s,
        "duration: 300ms, collectors: {system: true, custom: {enabled: false, counters: {jobs: 1}}}",
    );
    assert_eq!(code, 0, "{err}");
    let by_source = crate::util::collect::per_source(&s);
    assert!(
        by_source.get("system_collector").copied().unwrap_or(0) > 0,
        "{by_source:?}"
    );
    assert!(!by_source.contains_key("custom_collector"), "{by_source:?}");
}

/// A recipe whose first step sets `recipe.config` to `config` (YAML) at run time and whose
/// second collects for 100 ms: (exit code, run JSON, stderr).
fn with_runtime_config(s: &Scratch, config: &str) -> (i32, serde_json::Value, String) {
    let r = recipe(
        s,
        &[
            crate::util::step(
                "configure",
                1,
                "SetContext",
                &format!("args: {{values: {{recipe.config: {config}}}}}"),
            ),
            collect(
                "c",
                2,
                "duration: 100ms, collectors: {custom: {counters: {jobs: 1}}}",
                "",
            ),
        ],
    );
    let out = s.run(&["run", r.to_str().unwrap(), "--json-output"]);
    let json = serde_json::from_slice(&out.stdout).unwrap_or_default();
    (
        out.status.code().unwrap_or(-1),
        json,
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn a_config_set_at_run_time_with_an_unknown_key_is_warned_about_and_collected_with() {
    let s = Scratch::new();
    let (code, j, err) = with_runtime_config(&s, "{collection: {bogus_key: 1}}");
    assert_eq!(code, 0, "{j}\n{err}");
    assert!(
        err.contains("step 'c': args.config.collection.bogus_key: unknown key `collection.bogus_key` ignored"),
        "{err}"
    );
    assert_eq!(samples(&s, "counter_jobs").len(), 1);
}

#[test]
fn a_config_set_at_run_time_with_a_wrong_type_fails_the_step_naming_the_field() {
    let s = Scratch::new();
    let (code, j, err) = with_runtime_config(&s, "{collection: 5}");
    assert_eq!(code, 1, "{j}\n{err}");
    let step_err = j["steps"][1]["error"].as_str().unwrap_or_default();
    assert!(
        step_err.contains("step 'c': args.config.collection: "),
        "{j}"
    );
    assert!(samples(&s, "counter_jobs").is_empty(), "nothing collected");
}
