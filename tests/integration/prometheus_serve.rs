//! `f0 serve` and `f0 run --pushgateway` on their own: both exposition formats of a known
//! store (golden files), samples written while it serves, HTTP errors, clean shutdown on
//! SIGTERM/SIGINT, bad flags; and `promtool check metrics` on both formats.

use std::io::BufRead;
use std::process::Command;

use crate::prometheus_servers::{
    binary, get, known_rows, sample, seed, start_f0_serve, wait_for, APT_PROMETHEUS,
};
use crate::util::{step, Scratch};

/// The Accept header Prometheus 2.x scrapes with.
pub const PROMETHEUS_ACCEPT: &str = "application/openmetrics-text;version=1.0.0,application/openmetrics-text;version=0.0.1;q=0.75,text/plain;version=0.0.4;q=0.5,*/*;q=0.1";

/// The exposition without the process's own families (they vary from run to run).
fn without_process(body: &str) -> String {
    let mut keep = true;
    let mut out = String::new();
    for line in body.lines() {
        if line.starts_with("# HELP ") || line.starts_with("# TYPE ") {
            keep = !line[7..].starts_with("process_");
        }
        if keep || line == "# EOF" {
            out.push_str(line);
            out.push('\n');
        }
    }
    out
}

fn golden(name: &str, got: &str) {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/exposition")
        .join(name);
    if std::env::var_os("F0_BLESS").is_some() {
        std::fs::write(&path, got).unwrap();
    }
    let want = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    assert_eq!(
        got,
        want,
        "{} differs (F0_BLESS=1 rewrites it)",
        path.display()
    );
}

#[test]
fn serve_answers_both_formats_with_the_stores_latest_values() {
    let s = Scratch::new();
    seed(&s.store(), &known_rows());
    let (_serve, addr) = start_f0_serve(&s.store(), s.dir.path(), &[]);
    let url = format!("http://{addr}/metrics");
    let (status, ct, text) = get(&url, None).unwrap();
    assert_eq!(
        (status, ct.as_str()),
        (200, "text/plain; version=0.0.4; charset=utf-8")
    );
    golden("serve_known.prom", &without_process(&text));
    assert!(
        text.contains("\n# TYPE process_cpu_seconds_total counter\n"),
        "{text}"
    );
    assert!(text.contains("\nprocess_resident_memory_bytes "), "{text}");
    let (status, ct, om) = get(&url, Some(PROMETHEUS_ACCEPT)).unwrap();
    assert_eq!(
        (status, ct.as_str()),
        (
            200,
            "application/openmetrics-text; version=1.0.0; charset=utf-8"
        )
    );
    assert!(om.ends_with("\n# EOF\n"), "{om}");
    golden("serve_known.om.txt", &without_process(&om));
}

#[test]
fn serve_reads_samples_written_after_it_started() {
    let s = Scratch::new();
    seed(&s.store(), &known_rows());
    let (_serve, addr) = start_f0_serve(&s.store(), s.dir.path(), &[]);
    let url = format!("http://{addr}/metrics");
    let (_, _, first) = get(&url, None).unwrap();
    assert!(
        first.contains("\nqueue_depth{host=\"a\\\"b\\\\c\",region=\"eu-west\"} 42.5\n"),
        "{first}"
    );
    let t = 1_800_000_000_000_000_000;
    seed(
        &s.store(),
        &[
            sample(
                "queue_depth",
                "gauge",
                "count",
                &[("host", "a\"b\\c"), ("region", "eu-west")],
                t,
                3.0,
            ),
            // Older than the latest: must not replace it.
            sample("cpu.usage", "resource", "%", &[("core", "0")], 5, 99.0),
            sample(
                "step_wall_time",
                "timing",
                "ns",
                &[("step", "build")],
                t,
                4e9,
            ),
            sample("fresh_series", "gauge", "count", &[], t, 1.0),
        ],
    );
    let (_, _, second) = get(&url, None).unwrap();
    for line in [
        "queue_depth{host=\"a\\\"b\\\\c\",region=\"eu-west\"} 3",
        "cpu_usage_percent{core=\"0\"} 12.5",
        "step_wall_time_seconds_bucket{step=\"build\",le=\"2.5\"} 3",
        "step_wall_time_seconds_bucket{step=\"build\",le=\"5.0\"} 4",
        "step_wall_time_seconds_count{step=\"build\"} 4",
        "step_wall_time_seconds_sum{step=\"build\"} 4.303",
        "fresh_series 1",
    ] {
        assert!(
            second.lines().any(|l| l == line),
            "missing {line:?} in:\n{second}"
        );
    }
}

#[test]
fn serve_window_counts_only_recent_timer_samples() {
    let s = Scratch::new();
    let now = framework0::metrics::clock::epoch_now_ns();
    seed(
        &s.store(),
        &[
            sample("t", "timing", "s", &[], now - 7_200_000_000_000, 1.0),
            sample("t", "timing", "s", &[], now - 60_000_000_000, 2.0),
        ],
    );
    let (_serve, addr) = start_f0_serve(&s.store(), s.dir.path(), &["--window", "1h"]);
    let (_, _, text) = get(&format!("http://{addr}/metrics"), None).unwrap();
    assert!(text.lines().any(|l| l == "t_seconds_count 1"), "{text}");
    assert!(text.lines().any(|l| l == "t_seconds_sum 2"), "{text}");
}

#[test]
fn serve_answers_unknown_paths_and_methods_with_errors() {
    let s = Scratch::new();
    seed(&s.store(), &known_rows());
    let (_serve, addr) = start_f0_serve(&s.store(), s.dir.path(), &[]);
    let (status, _, body) = get(&format!("http://{addr}/nope"), None).unwrap();
    assert_eq!(status, 404, "{body}");
    assert!(body.contains("/metrics"), "{body}");
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .http_status_as_error(false)
        .build()
        .into();
    let resp = agent
        .post(&format!("http://{addr}/metrics"))
        .send("x")
        .unwrap();
    assert_eq!(resp.status().as_u16(), 405);
    assert_eq!(resp.headers().get("allow").unwrap(), "GET, HEAD");
}

fn stops_cleanly_on(signal: i32) {
    let s = Scratch::new();
    seed(&s.store(), &known_rows());
    let (mut serve, addr) = start_f0_serve(&s.store(), s.dir.path(), &[]);
    get(&format!("http://{addr}/metrics"), None).unwrap();
    let pid = serve.child.id() as i32;
    // SAFETY: plain kill(2) on the child this test started and still owns.
    assert_eq!(unsafe { libc::kill(pid, signal) }, 0);
    let status = wait_for("f0 serve to exit", || match serve.child.try_wait() {
        Ok(Some(st)) => Ok(st),
        other => Err(format!("{other:?}")),
    });
    assert_eq!(status.code(), Some(0), "{}", serve.log_text());
    let mut line = String::new();
    serve.stdout.as_mut().unwrap().read_line(&mut line).unwrap();
    assert_eq!(line.trim(), format!("Stopped (signal {signal})"));
    assert!(
        std::net::TcpStream::connect(&addr).is_err(),
        "still listening on {addr}"
    );
}

#[test]
fn serve_stops_cleanly_on_sigterm() {
    stops_cleanly_on(libc::SIGTERM);
}

#[test]
fn serve_stops_cleanly_on_sigint() {
    stops_cleanly_on(libc::SIGINT);
}

#[test]
fn serve_refuses_a_missing_store_a_bad_address_and_a_taken_port() {
    let s = Scratch::new();
    let out = s.run(&["serve"]);
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("store.db"), "{err}");
    seed(&s.store(), &known_rows());
    let out = s.run(&["serve", "--listen", "no-such-host-here:99999"]);
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("cannot resolve listen address 'no-such-host-here:99999'")
            && err.contains("HOST:PORT"),
        "{err}"
    );
    let taken = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = taken.local_addr().unwrap().to_string();
    let out = s.run(&["serve", "--listen", &addr]);
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains(&format!("cannot listen on {addr}")), "{err}");
    let out = s.run(&["serve", "--window", "soon"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("cannot parse duration \"soon\""));
}

fn noop_recipe(s: &Scratch) -> std::path::PathBuf {
    s.write(
        "r.yaml",
        &format!(
            "steps:\n{}{}",
            step("a", 1, "Noop", ""),
            step("b", 2, "Noop", "")
        ),
    )
}

#[test]
fn run_reports_an_unreachable_pushgateway_and_refuses_bad_urls() {
    let s = Scratch::new();
    let r = noop_recipe(&s);
    let port = crate::prometheus_servers::free_port();
    let url = format!("http://127.0.0.1:{port}");
    let out = s.run(&[
        "run",
        r.to_str().unwrap(),
        "--pushgateway",
        &url,
        "--job",
        "nightly",
    ]);
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains(&format!(
            "cannot push to {url}/metrics/job/nightly/instance/"
        )),
        "{err}"
    );
    for bad in ["ftp://gw:9091", "https://gw:9091"] {
        let out = s.run(&["run", r.to_str().unwrap(), "--pushgateway", bad]);
        assert_eq!(out.status.code(), Some(2));
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(
            err.contains(&format!("invalid Pushgateway URL '{bad}'")),
            "{err}"
        );
    }
    let out = s.run(&["run", r.to_str().unwrap(), "--job", "x"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("--pushgateway"));
}

/// Runs `promtool check metrics` on `text`: (exit code, what it printed).
fn promtool(promtool: &std::path::Path, text: &str) -> (i32, String) {
    use std::io::Write;
    let mut child = Command::new(promtool)
        .args(["check", "metrics"])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("start promtool");
    child
        .stdin
        .take()
        .unwrap()
        .write_all(text.as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    let said = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    (out.status.code().unwrap_or(-1), said)
}

/// promtool (2.x) parses with the 0.0.4 text parser. The 0.0.4 output must pass clean. The
/// OpenMetrics output must parse (exit 1 is a parse error); the only findings allowed are
/// the ones an 0.0.4 parser reports for OpenMetrics' counter declarations (`# TYPE x counter`
/// with samples `x_total`): "x_total no help text" for exactly our counter families. The
/// strict OpenMetrics check is Prometheus itself (its scrape of `f0 serve` negotiates
/// OpenMetrics, see prometheus_scrape) and prometheus_client's parser below.
#[test]
fn promtool_accepts_both_exposition_formats() {
    let Some(promtool_bin) = binary(
        "prometheus_serve::promtool_accepts_both_exposition_formats",
        "promtool",
        APT_PROMETHEUS,
    ) else {
        return;
    };
    let s = Scratch::new();
    seed(&s.store(), &known_rows());
    let (_serve, addr) = start_f0_serve(&s.store(), s.dir.path(), &[]);
    let url = format!("http://{addr}/metrics");
    let (_, _, text) = get(&url, None).unwrap();
    assert_eq!(promtool(&promtool_bin, &text), (0, String::new()), "{text}");
    let (_, _, om) = get(&url, Some(PROMETHEUS_ACCEPT)).unwrap();
    let (code, said) = promtool(&promtool_bin, &om);
    assert_eq!(
        code, 3,
        "expected lint findings only (exit 3), got {code}: {said}"
    );
    let counters: Vec<String> = om
        .lines()
        .filter_map(|l| l.strip_prefix("# TYPE ")?.strip_suffix(" counter"))
        .map(|name| format!("{name}_total no help text"))
        .collect();
    let mut findings: Vec<&str> = said.lines().collect();
    findings.sort_unstable();
    let mut want: Vec<&str> = counters.iter().map(String::as_str).collect();
    want.sort_unstable();
    assert_eq!(findings, want, "{om}");
}

/// prometheus_client (Python) has a strict OpenMetrics 1.0 parser: it must accept our
/// OpenMetrics output and read back the values.
#[test]
fn python_openmetrics_parser_accepts_the_openmetrics_output() {
    let test = "prometheus_serve::python_openmetrics_parser_accepts_the_openmetrics_output";
    let Some(python) = binary(test, "python3", "apt-get install -y python3") else {
        return;
    };
    let probe = Command::new(&python)
        .args(["-c", "import prometheus_client"])
        .output()
        .unwrap();
    if !probe.status.success() {
        let msg = format!("SKIPPED {test}: python3 has no prometheus_client; install it with `pip install prometheus-client`");
        assert!(
            std::env::var_os("CI").is_none(),
            "{msg} (CI must run this test)"
        );
        use std::io::Write;
        let _ = writeln!(std::io::stderr(), "{msg}");
        return;
    }
    let s = Scratch::new();
    seed(&s.store(), &known_rows());
    let (_serve, addr) = start_f0_serve(&s.store(), s.dir.path(), &[]);
    let (_, _, om) = get(&format!("http://{addr}/metrics"), Some(PROMETHEUS_ACCEPT)).unwrap();
    let path = s.write("om.txt", &om);
    let script = "import sys\nfrom prometheus_client.openmetrics.parser import text_string_to_metric_families as p\nfor f in p(open(sys.argv[1]).read()):\n    for s in f.samples:\n        print(f.type, s.name, sorted(s.labels.items()), s.value)\n";
    let out = Command::new(&python)
        .args(["-c", script, path.to_str().unwrap()])
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{}\n{om}",
        String::from_utf8_lossy(&out.stderr)
    );
    for line in [
        "gauge queue_depth [('host', 'a\"b\\\\c'), ('region', 'eu-west')] 42.5",
        "gauge cpu_usage_percent [('core', '0')] 12.5",
        "counter jobs_done_total [] 7",
        "histogram step_wall_time_seconds_bucket [('le', '0.0025'), ('step', 'build')] 2",
        "histogram step_wall_time_seconds_count [('step', 'build')] 3",
    ] {
        assert!(
            stdout.lines().any(|l| l == line),
            "missing {line:?} in:\n{stdout}"
        );
    }
}
