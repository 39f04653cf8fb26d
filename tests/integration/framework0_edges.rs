//! Framework0's native scriptlets on bad input and failing disks: `ComputeNumbers` without a
//! source, with a field that is not a finite number, an empty or missing file; the health
//! monitor's arguments `f0 validate` refuses (each naming its field) and a report that cannot
//! be written; the logging framework on a full disk (`/dev/full`).

use serde_json::Value;

use crate::util::Scratch;

fn compute(name: &str, idx: i64, args: &str) -> String {
    format!(
        "  - {{name: {name}, idx: {idx}, type: python, module: engine.steps.python.compute_numbers, \
         function: ComputeNumbers, args: {args}}}\n"
    )
}

fn health(name: &str, idx: i64, args: &str) -> String {
    format!(
        "  - {{name: {name}, idx: {idx}, type: python, module: scriptlets.foundation.health_monitoring, \
         function: HealthMonitoringScriptlet, args: {args}}}\n"
    )
}

/// `f0 run RECIPE --json-output --continue-on-error`: each step's (name, status, error).
fn run_steps(s: &Scratch, recipe: &std::path::Path) -> Vec<(String, String, String)> {
    let (code, out) = s.run_json(recipe, &["--continue-on-error"]);
    assert_eq!(code, 1, "{out:#}");
    out["steps"]
        .as_array()
        .unwrap()
        .iter()
        .map(|st| {
            let text = |k: &str| st[k].as_str().unwrap_or_default().to_owned();
            (text("name"), text("status"), text("error"))
        })
        .collect()
}

#[test]
fn validate_names_each_bad_framework0_argument() {
    let s = Scratch::new();
    let steps = [
        compute("nosrc", 1, "{}"),
        compute("numsrc", 2, "{src: 5}"),
        health(
            "out",
            3,
            "{action: report, output_file: 5, monitor_name: [1]}",
        ),
        health("alerts", 4, "{action: check, config: {alerts: 5}}"),
        health("monitoring", 5, "{action: check, config: {monitoring: on}}"),
        health(
            "conn_key",
            6,
            "{action: check, config: {connectivity: {hosts: [], port: 1}}}",
        ),
        health(
            "conn_list",
            7,
            "{action: check, config: {connectivity: {hosts: 'db:5432'}}}",
        ),
        health(
            "conn_host",
            8,
            "{action: check, config: {connectivity: {hosts: ['[]:80']}}}",
        ),
        health(
            "conn_ok",
            9,
            "{action: check, config: {connectivity: {timeout: 1s}}}",
        ),
    ];
    let r = s.write("v.yaml", &format!("steps:\n{}", steps.concat()));
    let out = s.run(&["validate", r.to_str().unwrap()]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "{text}");
    for finding in [
        "at recipe.steps[0].args.src: ComputeNumbers needs 'src': the path of a file of numbers, got nothing (step 'nosrc')",
        "at recipe.steps[1].args.src: ComputeNumbers needs 'src': the path of a file of numbers, got 5 (step 'numsrc')",
        "at recipe.steps[2].args.output_file: must be a string, got 5 (step 'out')",
        "at recipe.steps[2].args.monitor_name: must be a string, got [1] (step 'out')",
        "at recipe.steps[3].args.config.alerts: must be a mapping (Framework0's section), got 5 (step 'alerts')",
        "at recipe.steps[4].args.config.monitoring: must be a mapping {enabled, check_interval}, got \"on\" (step 'monitoring')",
        "at recipe.steps[5].args.config.connectivity.port: unknown key; accepted: hosts, timeout (step 'conn_key')",
        "at recipe.steps[6].args.config.connectivity.hosts: must be a list of \"host:port\", got \"db:5432\" (step 'conn_list')",
        "at recipe.steps[7].args.config.connectivity.hosts[0]: must be \"host:port\" with a port 1-65535, got \"[]:80\" (step 'conn_host')",
    ] {
        assert!(text.contains(finding), "{finding}\n{text}");
    }
    assert!(
        !text.contains("'conn_ok'"),
        "a timeout without hosts is valid: {text}"
    );
    assert!(text.contains("(9 steps, 9 errors, 0 warnings)"), "{text}");
}

#[test]
fn compute_numbers_names_the_file_line_and_field_it_cannot_read() {
    let s = Scratch::new();
    s.write("bad.txt", "1\n2, abc\n");
    s.write("nan.txt", "nan\n");
    s.write("empty.txt", "\n ,\n");
    let r = s.write(
        "r.yaml",
        &format!(
            "steps:\n{}{}{}{}{}",
            compute("bad", 1, "{src: bad.txt}"),
            compute("nan", 2, "{src: nan.txt}"),
            compute("empty", 3, "{src: empty.txt}"),
            compute("missing", 4, "{src: nothere.txt}"),
            compute("good", 5, "{src: bad.txt}").replace("bad.txt", "good.txt"),
        ),
    );
    s.write("good.txt", "1, 2\n3\n");
    let steps = run_steps(&s, &r);
    let failed = |name: &str, error: &str| {
        assert!(
            steps
                .iter()
                .any(|st| st.0 == name && st.1 == "failed" && st.2 == error),
            "{name}: {steps:?}"
        );
    };
    failed(
        "bad",
        "Step execution failed: bad.txt:2: 'abc' is not a finite number",
    );
    failed(
        "nan",
        "Step execution failed: nan.txt:1: 'nan' is not a finite number",
    );
    failed("empty", "Step execution failed: empty.txt holds no numbers");
    failed(
        "missing",
        "Step execution failed: cannot read nothere.txt: No such file or directory (os error 2)",
    );
    let stats: Value = s.ctx("numbers.stats_v1").unwrap();
    assert_eq!(
        (stats["count"].as_i64(), stats["mean"].as_f64()),
        (Some(3), Some(2.0))
    );
}

#[test]
fn a_health_report_or_log_that_cannot_be_written_fails_its_step_naming_the_path() {
    let s = Scratch::new();
    let logs = s.path("logs");
    std::fs::create_dir(&logs).unwrap();
    // A full disk: every write to the framework's log fails with ENOSPC.
    std::os::unix::fs::symlink("/dev/full", logs.join("framework0.log")).unwrap();
    let report = s.path("no/such/dir/health.txt");
    let r = s.write(
        "r.yaml",
        &format!(
            "steps:\n{}  - {{name: log, idx: 2, type: python, module: scriptlets.foundation.logging_framework, \
             function: LoggingFrameworkScriptlet, args: {{action: setup, log_dir: '{}'}}}}\n",
            health("rep", 1, &format!("{{action: report, output_file: '{}'}}", report.display())),
            logs.display()
        ),
    );
    let steps = run_steps(&s, &r);
    assert_eq!(
        steps[0].2,
        format!(
            "Step execution failed: cannot write health report to {}: No such file or directory (os error 2)",
            report.display()
        )
    );
    assert_eq!(
        steps[1].2,
        format!(
            "Step execution failed: 4 log line(s) could not be written to {}",
            logs.display()
        )
    );
    assert_eq!(s.ctx("logging.framework_initialized"), None);
}
