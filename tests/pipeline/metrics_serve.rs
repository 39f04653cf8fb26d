//! `metrics::serve`: the recorder of a running program as a scrape target — counters as
//! `_total`, gauges at their level, timers and histograms as summaries in base units.

use framework0::metrics::{
    self, counter, gauge, histogram, timer, MemorySink, MetricUnit, MetricsConfiguration,
};

use crate::serial;

fn get(url: &str, accept: Option<&str>) -> (String, String) {
    let mut req = ureq::get(url);
    if let Some(a) = accept {
        req = req.header("Accept", a);
    }
    let mut resp = req.call().expect("scrape");
    let ct = resp
        .headers()
        .get("content-type")
        .unwrap()
        .to_str()
        .unwrap()
        .to_owned();
    (ct, resp.body_mut().read_to_string().unwrap())
}

#[test]
fn the_recorder_is_served_in_both_formats() {
    let _g = serial();
    let handle = metrics::install(
        MetricsConfiguration::default(),
        Box::new(MemorySink::with_limit(0)),
    )
    .unwrap();
    counter("served_requests", &[("route", "/a")]).increment(5);
    gauge("queue_len", MetricUnit::Count, &[]).set(3.5).unwrap();
    let t = timer("handle", &[("route", "/a")]);
    for _ in 0..10 {
        t.time(|| std::hint::black_box(1 + 1));
    }
    let h = histogram("payload", MetricUnit::Bytes, &[]);
    for _ in 0..4 {
        h.record(100);
    }
    let server = metrics::serve("127.0.0.1:0").unwrap();
    let url = format!("http://{}/metrics", server.local_addr());
    let (ct, text) = get(&url, None);
    assert_eq!(ct, "text/plain; version=0.0.4; charset=utf-8");
    let has = |l: &str| text.lines().any(|x| x == l);
    for line in [
        "# TYPE served_requests_total counter",
        "served_requests_total{route=\"/a\"} 5",
        "queue_len 3.5",
        "# TYPE handle_seconds summary",
        "handle_seconds_count{function=\"handle\",route=\"/a\"} 10",
        "# TYPE payload_bytes summary",
        "payload_bytes_count 4",
        "payload_bytes_sum 400",
        "payload_bytes{quantile=\"0.5\"} 100",
    ] {
        assert!(has(line), "missing {line:?} in:\n{text}");
    }
    let quantiles = text
        .lines()
        .filter(|l| l.starts_with("handle_seconds{function=\"handle\",route=\"/a\",quantile="))
        .count();
    assert_eq!(quantiles, 5, "{text}");
    let p999 = "handle_seconds{function=\"handle\",route=\"/a\",quantile=\"0.999\"} ";
    assert!(text.lines().any(|l| l.starts_with(p999)), "{text}");
    let sum: f64 = text
        .lines()
        .find_map(|l| l.strip_prefix("handle_seconds_sum{function=\"handle\",route=\"/a\"} "))
        .unwrap()
        .parse()
        .unwrap();
    assert!(sum > 0.0 && sum < 1.0, "ten trivial calls took {sum} s");
    assert!(has("# TYPE process_cpu_seconds_total counter"), "{text}");
    let (ct, om) = get(&url, Some("application/openmetrics-text;version=1.0.0"));
    assert!(
        ct.starts_with("application/openmetrics-text; version=1.0.0"),
        "{ct}"
    );
    assert!(
        om.contains("\n# TYPE served_requests counter\nserved_requests_total{route=\"/a\"} 5\n"),
        "{om}"
    );
    assert!(om.ends_with("# EOF\n"), "{om}");
    let addr = server.local_addr();
    server.shutdown();
    assert!(
        std::net::TcpStream::connect(addr).is_err(),
        "still listening on {addr}"
    );
    handle.shutdown().unwrap();
}
