//! A real Prometheus scrapes `f0 serve` (1 s interval, OpenMetrics negotiated) and its query
//! API returns our series with the right values and labels, including samples written after
//! the server started.

use crate::prometheus_servers::{
    binary, known_rows, sample, seed, start_f0_serve, wait_for, Prometheus, APT_PROMETHEUS,
};
use crate::util::Scratch;

#[test]
fn prometheus_scrapes_f0_serve_and_sees_our_series() {
    let Some(bin) = binary(
        "prometheus_scrape::prometheus_scrapes_f0_serve_and_sees_our_series",
        "prometheus",
        APT_PROMETHEUS,
    ) else {
        return;
    };
    let s = Scratch::new();
    seed(&s.store(), &known_rows());
    let (serve, addr) = start_f0_serve(&s.store(), s.dir.path(), &[]);
    let mut prom = Prometheus::start(&bin, s.dir.path(), &[("f0", &addr, false)]);
    wait_for("the f0 target to be up", || {
        match prom.target_health("f0")? {
            (h, e) if h == "up" && e.is_empty() => Ok(()),
            other => Err(format!("{other:?}")),
        }
    });

    let (labels, v) = prom.wait_for_one("queue_depth", |v| v == 42.5);
    assert_eq!(labels["host"], "a\"b\\c", "{labels:?}");
    assert_eq!(labels["region"], "eu-west");
    assert_eq!(labels["job"], "f0");
    assert_eq!(labels["instance"], addr.as_str());
    assert_eq!(v, 42.5);
    prom.wait_for_one("cpu_usage_percent{core=\"0\"}", |v| v == 12.5);
    prom.wait_for_one("jobs_done_total", |v| v == 7.0);
    prom.wait_for_one("step_wall_time_seconds_count{step=\"build\"}", |v| v == 3.0);
    prom.wait_for_one("step_wall_time_seconds_sum{step=\"build\"}", |v| v == 0.303);
    prom.wait_for_one(
        "step_wall_time_seconds_bucket{step=\"build\",le=\"0.0025\"}",
        |v| v == 2.0,
    );
    // histogram_quantile over our buckets: the median of {1 ms, 2 ms, 300 ms} lies in (1, 2.5] ms.
    prom.wait_for_one(
        "histogram_quantile(0.5, step_wall_time_seconds_bucket{step=\"build\"})",
        |v| v > 0.001 && v <= 0.0025,
    );
    prom.wait_for_one("process_resident_memory_bytes{job=\"f0\"}", |v| v > 1e6);
    prom.wait_for_one("process_cpu_seconds_total{job=\"f0\"}", |v| v >= 0.0);

    // Written while serving: the next scrapes carry it.
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
            sample(
                "step_wall_time",
                "timing",
                "ns",
                &[("step", "build")],
                t,
                4e9,
            ),
        ],
    );
    prom.wait_for_one("queue_depth", |v| v == 3.0);
    prom.wait_for_one("step_wall_time_seconds_count{step=\"build\"}", |v| v == 4.0);

    // Prometheus 2.x asks for OpenMetrics first: f0 serve answered in it.
    let log = serve.log_text();
    assert!(log.contains("answered a scrape in OpenMetrics"), "{log}");
}
