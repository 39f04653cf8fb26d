//! `collect` through the `f0` binary: each collector lands in the store, tagged with the run,
//! and `metrics.last_collection` agrees with the store.

use std::io::{Read, Write};
use std::net::TcpListener;
use std::time::Instant;

use crate::util::collect::{collect, now, per_source, recipe, samples, schema_errors, summary};
use crate::util::Scratch;

#[test]
fn three_seconds_at_half_second_intervals_gives_at_least_five_cpu_samples() {
    let s = Scratch::new();
    let r = recipe(
        &s,
        &[collect(
            "sys",
            1,
            "duration: 3s, collectors: {system: {interval: 0.5s}}",
            "",
        )],
    );
    let t = Instant::now();
    let (code, j) = s.run_json(&r, &[]);
    let took = t.elapsed().as_secs_f64();
    assert_eq!(code, 0, "{j}");
    assert!((3.0..10.0).contains(&took), "took {took}s");
    let cpu = samples(&s, "cpu_usage_total");
    assert!(cpu.len() >= 5, "{} samples", cpu.len());
    let run_id = j["run_id"].as_i64().unwrap();
    for (v, _, source, run) in &cpu {
        assert!((0.0..=100.0).contains(v), "{v}");
        assert_eq!(source.as_deref(), Some("system_collector"));
        assert_eq!(*run, Some(run_id));
    }
    for name in [
        "memory_usage_percent",
        "disk_usage_percent",
        "network_bytes_recv",
        "process_rss_bytes",
        "collector_overhead_percent",
    ] {
        assert!(!samples(&s, name).is_empty(), "{name} missing");
    }
    let sum = summary(&s);
    assert_eq!(sum["action"], "collect");
    assert_eq!(sum["run_id"], run_id);
    assert_eq!(sum["step"], "sys");
    assert_eq!(sum["totals"]["system"], per_source(&s)["system_collector"]);
    assert_eq!(sum["metrics"]["cpu_usage_total"], cpu.len());
    let ts = sum["timestamp"].as_f64().unwrap();
    assert!((now() - ts).abs() < 60.0, "a real timestamp: {ts}");
    let span = &sum["time_span"];
    assert!(span["seconds"].as_f64().unwrap() >= 2.4, "{span}");
    assert!(span["start"].as_f64().unwrap() >= sum["started_at"].as_f64().unwrap() - 0.01);
    assert_eq!(sum["collectors"]["system"]["interval_seconds"], 0.5);
}

#[test]
fn workloads_record_every_measured_run() {
    let s = Scratch::new();
    let r = recipe(
        &s,
        &[collect(
            "app",
            1,
            "duration: 100ms, collectors: {application: {workloads: [\
             {name: busy, command: [sh, -c, 'i=0; while [ $i -lt 3000 ]; do i=$((i+1)); done'], runs: 3, warmup: 1}, \
             {name: three, command: [sh, -c, 'exit 3'], allow_failure: true}]}}",
            "",
        )],
    );
    let (code, j) = s.run_json(&r, &[]);
    assert_eq!(code, 0, "{j}");
    let wall = samples(&s, "workload_wall_time");
    assert_eq!(
        wall.len(),
        4,
        "3 measured runs of busy + 1 of three; warmups are not stored"
    );
    assert!(wall
        .iter()
        .all(|(v, _, src, _)| *v > 0.0 && src.as_deref() == Some("application_collector")));
    assert_eq!(wall.iter().filter(|w| w.1["workload"] == "busy").count(), 3);
    let cpu: f64 = samples(&s, "workload_user_time")
        .iter()
        .chain(samples(&s, "workload_sys_time").iter())
        .map(|x| x.0)
        .sum();
    assert!(cpu > 0.0, "the busy loop used CPU");
    assert!(samples(&s, "workload_peak_rss").iter().all(|x| x.0 > 0.0));
    let status: Vec<(f64, String)> = samples(&s, "workload_exit_status")
        .into_iter()
        .map(|x| (x.0, x.1["workload"].clone()))
        .collect();
    assert!(status.contains(&(3.0, "three".into())) && status.contains(&(0.0, "busy".into())));
    let sum = summary(&s);
    let w = &sum["collectors"]["application"]["workloads"];
    assert_eq!(
        (
            w[0]["name"].as_str(),
            w[0]["runs"].as_u64(),
            w[0]["warmup"].as_u64()
        ),
        (Some("busy"), Some(3), Some(1))
    );
    assert_eq!(w[1]["exit_statuses"], serde_json::json!([3]));
    let recorder = sum["collectors"]["application"]["recorder_metrics"]
        .as_u64()
        .unwrap();
    assert_eq!(sum["totals"]["application"], 20 + recorder);
    assert!(
        sum["totals"].get("system").is_none(),
        "only the listed collectors run"
    );
}

#[test]
fn a_failing_workload_fails_the_step_after_recording_its_run() {
    let s = Scratch::new();
    let r = recipe(&s, &[collect("app", 1, "duration: 5s, collectors: {application: {workloads: [{name: bad, command: [sh, -c, 'exit 2'], runs: 2}]}}", "")]);
    let t = Instant::now();
    let (code, j) = s.run_json(&r, &[]);
    assert_eq!(code, 1);
    assert!(
        t.elapsed().as_secs_f64() < 4.0,
        "a failed workload ends the collection early"
    );
    let err = j["steps"][0]["error"].as_str().unwrap();
    assert_eq!(err, "Step execution failed: step 'app': args.collectors.application.workloads[0]: workload 'bad' run 1 of 2 exited with status 2 (set allow_failure: true to keep going)");
    assert_eq!(samples(&s, "workload_exit_status").len(), 1);
    let sum = summary(&s);
    let recorder = sum["collectors"]["application"]["recorder_metrics"]
        .as_u64()
        .unwrap();
    assert_eq!(sum["totals"]["application"], 5 + recorder);
}

/// Serves `n` connections on a loopback port with `response`.
fn serve(n: usize, response: &'static [u8]) -> u16 {
    let l = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = l.local_addr().unwrap().port();
    std::thread::spawn(move || {
        for c in l.incoming().take(n) {
            let mut c = c.unwrap();
            // Read the whole request: closing with unread input would reset the connection.
            let mut req = Vec::new();
            let mut buf = [0u8; 2048];
            while !req.windows(4).any(|w| w == b"\r\n\r\n") && !response.is_empty() {
                match c.read(&mut buf) {
                    Ok(0) | Err(_) => break,
                    Ok(n) => req.extend_from_slice(&buf[..n]),
                }
            }
            let _ = c.write_all(response);
        }
    });
    port
}

fn closed_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

#[test]
fn network_probes_loopback_servers_and_records_unreachable_ones() {
    let s = Scratch::new();
    let tcp = serve(1, b"");
    let http = serve(1, b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok");
    let closed = closed_port();
    let r = recipe(
        &s,
        &[collect(
            "net",
            1,
            &format!("duration: 200ms, collectors: {{network: {{endpoints: ['127.0.0.1:{tcp}', 'http://127.0.0.1:{http}/health', '127.0.0.1:{closed}']}}}}"),
            "",
        )],
    );
    let (code, j) = s.run_json(&r, &[]);
    assert_eq!(
        code, 0,
        "an optional endpoint's failure is only recorded: {j}"
    );
    let tcp_rows = samples(&s, "tcp_connection_latency");
    assert_eq!(tcp_rows.len(), 2);
    let ok = tcp_rows
        .iter()
        .find(|r| r.1["port"] == tcp.to_string())
        .unwrap();
    assert_eq!(ok.1["status"], "success");
    assert_eq!(ok.2.as_deref(), Some("network_collector"));
    let bad = tcp_rows
        .iter()
        .find(|r| r.1["port"] == closed.to_string())
        .unwrap();
    assert_eq!(bad.1["status"], "error");
    let h = samples(&s, "http_request_duration");
    assert_eq!(h.len(), 1);
    assert_eq!(
        (h[0].1["status"].as_str(), h[0].1["status_code"].as_str()),
        ("success", "200")
    );
    assert!(h[0].0 >= 0.0);
    assert_eq!(samples(&s, "http_response_status")[0].0, 200.0);
    let sum = summary(&s);
    let eps = &sum["collectors"]["network"]["endpoints"];
    assert_eq!(eps[2]["failures"], 1);
    assert!(eps[2]["last_error"]
        .as_str()
        .unwrap()
        .to_lowercase()
        .contains("refused"));
    // 2 TCP probes, the GET's duration and status, and its connect and first-byte phases.
    assert_eq!(sum["totals"]["network"], 6);
}

#[test]
fn a_required_unreachable_endpoint_fails_the_step() {
    let s = Scratch::new();
    let closed = closed_port();
    // Through the alias module Framework0's Python file lived at.
    let step = collect("net", 1, &format!("duration: 100ms, collectors: {{network: {{endpoints: [{{host: 127.0.0.1, port: {closed}, required: true}}]}}}}"), "")
        .replace("scriptlets.foundation.performance_metrics", "scriptlets.performance_metrics");
    let r = recipe(&s, &[step]);
    let (code, j) = s.run_json(&r, &[]);
    assert_eq!(code, 1);
    let err = j["steps"][0]["error"].as_str().unwrap();
    assert!(err.starts_with(&format!("Step execution failed: step 'net': args.collectors.network.endpoints[0]: required endpoint '127.0.0.1:{closed}' failed:")), "{err}");
    let rows = samples(&s, "tcp_connection_latency");
    assert_eq!((rows.len(), rows[0].1["status"].as_str()), (1, "error"));
    assert_eq!(
        summary(&s)["collectors"]["network"]["endpoints"][0]["required"],
        true
    );
}

#[test]
fn custom_metrics_and_filters() {
    let s = Scratch::new();
    let r = recipe(
        &s,
        &[collect(
            "custom",
            1,
            "duration: 1s, collectors: {system: {interval: 0.2s}, custom: {counters: {jobs: 4}, gauges: {queue: {value: 7, tags: {q: main}}}, \
             histograms: {size: [512, 1024]}, business: {revenue: 9.5}}}, \
             filters: [{name: 'cpu_usage_core_*', sample_rate: 0}, {name: 'histogram_*', value_range: [0, 600]}]",
            "",
        )],
    );
    let (code, j) = s.run_json(&r, &[]);
    assert_eq!(code, 0, "{j}");
    assert_eq!(samples(&s, "counter_jobs")[0].0, 4.0);
    let q = &samples(&s, "gauge_queue")[0];
    assert_eq!(
        (q.0, q.1["q"].as_str(), q.2.as_deref()),
        (7.0, "main", Some("custom_collector"))
    );
    assert_eq!(
        samples(&s, "histogram_size")
            .iter()
            .map(|x| x.0)
            .collect::<Vec<_>>(),
        [512.0]
    );
    assert_eq!(
        samples(&s, "gauge_revenue")[0].1["metric_category"],
        "business"
    );
    assert!(samples(&s, "cpu_usage_core_0").is_empty(), "sampled out");
    assert!(!samples(&s, "cpu_usage_total").is_empty());
    let sum = summary(&s);
    assert_eq!(sum["totals"]["custom"], 4);
    assert_eq!(sum["collectors"]["custom"]["metrics"], 5);
    let mut broken = sum.clone();
    // A plugin collector's name may appear in totals; anything else may not.
    broken["totals"]["not a name"] = serde_json::json!(1);
    broken["collectors"]["custom"]["metrics"] = serde_json::json!(-1);
    assert_eq!(schema_errors(&broken).len(), 2, "the schema is not vacuous");
    let filtered = sum["filtered"].as_u64().unwrap();
    assert!(
        filtered >= 2,
        "1 histogram value + every core sample: {filtered}"
    );
}

#[test]
fn a_step_timeout_cancels_a_long_collection() {
    let s = Scratch::new();
    let r = recipe(
        &s,
        &[collect(
            "long",
            1,
            "duration: 60s, collectors: {system: {interval: 0.2s}}",
            ", timeout: 1",
        )],
    );
    let t = Instant::now();
    let (code, j) = s.run_json(&r, &[]);
    assert_eq!(code, 1);
    assert!(t.elapsed().as_secs_f64() < 10.0);
    assert!(
        j["steps"][0]["error"]
            .as_str()
            .unwrap()
            .contains("timed out"),
        "{j}"
    );
    assert!(
        s.ctx("metrics.last_collection").is_none(),
        "a cancelled step writes no summary"
    );
}

#[test]
fn the_quickstart_recipe_collects_analyzes_and_ends_in_a_report() {
    let s = Scratch::new();
    let quick = concat!(env!("CARGO_MANIFEST_DIR"), "/recipes/quickstart.yaml");
    let (code, j) = s.run_json(std::path::Path::new(quick), &[]);
    assert_eq!(code, 0, "{j}");
    assert!(!samples(&s, "cpu_usage_total").is_empty());
    assert!(!samples(&s, "workload_wall_time").is_empty());
    let sum = summary(&s);
    assert!(sum["totals"]["system"].as_u64().unwrap() > 0);
    assert!(sum["totals"]["application"].as_u64().unwrap() > 0);
    assert!(s.ctx("metrics.last_analysis").is_some(), "{j}");
    let report = s.ctx("metrics.last_report").expect("metrics.last_report");
    let dir = s.store().parent().unwrap().join("reports");
    let run_dirs: Vec<_> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}; report summary {report}", dir.display()))
        .map(|e| e.unwrap().path())
        .collect();
    assert_eq!(run_dirs.len(), 1, "{run_dirs:?}");
    let name = run_dirs[0]
        .file_name()
        .unwrap()
        .to_string_lossy()
        .into_owned();
    assert!(name.starts_with("quickstart-"), "{name}");
    for file in ["report.html", "report.md", "report.json", "report.txt"] {
        let p = run_dirs[0].join(file);
        let len = std::fs::metadata(&p).map(|m| m.len()).unwrap_or(0);
        assert!(len > 0, "{} missing or empty", p.display());
    }
    let html = std::fs::read_to_string(run_dirs[0].join("report.html")).unwrap();
    assert!(html.contains("Quickstart"), "the title is in the dashboard");
    assert!(html.contains("workload_wall_time"), "the workload is drawn");
}
