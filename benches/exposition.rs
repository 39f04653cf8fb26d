//! Exposition benchmarks, each printing one JSON object.
//!
//! - `encode`: 10 metric families × 100 series (4 gauge, 3 counter, 3 histogram families with
//!   10 buckets; two labels per series), encoded by our encoder and by the `prometheus-client`
//!   crate from the same values, interleaved in 200 rounds of 20 encodes each; reports the
//!   median time per encode of each side and the median of the per-round ratios ours/theirs
//!   (OpenMetrics, the only format prometheus-client writes; our 0.0.4 text alongside).
//! - `scrape`: a store of 1,000 series × 10,000 samples (600 resource gauges, 200 counters,
//!   200 timers; 10 M rows) served by the real `f0 serve` binary; reports the start-up time
//!   (process start to listening, which includes the one full read) and the latency of 30
//!   scrapes with Prometheus's Accept header: 15 with nothing new, 15 after 1,000 new samples
//!   (one per series) each.
//!
//! Run: `cargo bench --bench exposition` (or `-- encode`, `-- scrape`).

use std::hint::black_box;
use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::sync::atomic::AtomicU64;
use std::time::{Duration, Instant};

use framework0::exposition::{encode, Accumulator, Family, Format, Kind, Value};
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family as PcFamily;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::Histogram;
use prometheus_client::registry::Registry;

const BOUNDS: &[f64] = &[0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0];
const PROMETHEUS_ACCEPT: &str = "application/openmetrics-text;version=1.0.0,application/openmetrics-text;version=0.0.1;q=0.75,text/plain;version=0.0.4;q=0.5,*/*;q=0.1";

type Labels = Vec<(String, String)>;

fn labels(f: usize, s: usize) -> Labels {
    vec![
        ("instance".into(), format!("host-{s}")),
        ("step".into(), format!("step_{f}_{s}")),
    ]
}

fn observations(s: usize) -> impl Iterator<Item = f64> {
    (0..20).map(move |k| (s + k) as f64 * 0.01)
}

fn ours() -> Vec<Family> {
    (0..10)
        .map(|f| {
            let name = format!("family_{f}");
            let kind = match f {
                0..=3 => Kind::Gauge,
                4..=6 => Kind::Counter,
                _ => Kind::Histogram,
            };
            let mut fam = Family::new(&name, kind, "Benchmark family.");
            for s in 0..100 {
                let value = match kind {
                    Kind::Gauge => Value::Gauge(s as f64 * 1.5 + 0.25),
                    Kind::Counter => Value::Counter((s * 10 + f) as f64),
                    _ => {
                        let mut acc = Accumulator::new(BOUNDS);
                        observations(s).for_each(|v| acc.observe(v));
                        Value::Histogram(acc.value())
                    }
                };
                fam.push(labels(f, s), value).unwrap();
            }
            fam
        })
        .collect()
}

fn theirs() -> Registry {
    let mut registry = Registry::default();
    for f in 0..10 {
        let name = format!("family_{f}");
        match f {
            0..=3 => {
                let fam = PcFamily::<Labels, Gauge<f64, AtomicU64>>::default();
                registry.register(name, "Benchmark family.", fam.clone());
                for s in 0..100 {
                    fam.get_or_create(&labels(f, s)).set(s as f64 * 1.5 + 0.25);
                }
            }
            4..=6 => {
                let fam = PcFamily::<Labels, Counter<f64, AtomicU64>>::default();
                registry.register(name, "Benchmark family.", fam.clone());
                for s in 0..100 {
                    fam.get_or_create(&labels(f, s)).inc_by((s * 10 + f) as f64);
                }
            }
            _ => {
                let fam = PcFamily::<Labels, Histogram>::new_with_constructor(|| {
                    Histogram::new(BOUNDS.iter().copied())
                });
                registry.register(name, "Benchmark family.", fam.clone());
                for s in 0..100 {
                    let h = fam.get_or_create(&labels(f, s));
                    observations(s).for_each(|v| h.observe(v));
                }
            }
        }
    }
    registry
}

fn median(v: &mut [f64]) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

fn percentile(v: &mut [f64], p: f64) -> f64 {
    v.sort_by(f64::total_cmp);
    v[((v.len() - 1) as f64 * p).round() as usize]
}

fn sample_lines(text: &str) -> usize {
    text.lines().filter(|l| !l.starts_with('#')).count()
}

fn bench_encode() -> serde_json::Value {
    const ROUNDS: usize = 200;
    const PER_ROUND: usize = 20;
    let families = ours();
    let registry = theirs();
    let mut buf = Vec::with_capacity(256 * 1024);
    let mut text = String::with_capacity(256 * 1024);
    encode(&families, Format::OpenMetrics, &mut buf);
    prometheus_client::encoding::text::encode(&mut text, &registry).unwrap();
    let ours_text = String::from_utf8(buf.clone()).unwrap();
    assert_eq!(
        sample_lines(&ours_text),
        sample_lines(&text),
        "both sides encode the same samples"
    );
    let (mut ours_ns, mut theirs_ns, mut text_ns, mut ratios) = (vec![], vec![], vec![], vec![]);
    for _ in 0..ROUNDS {
        let t = Instant::now();
        for _ in 0..PER_ROUND {
            buf.clear();
            encode(black_box(&families), Format::OpenMetrics, &mut buf);
            black_box(&buf);
        }
        let o = t.elapsed().as_nanos() as f64 / PER_ROUND as f64;
        let t = Instant::now();
        for _ in 0..PER_ROUND {
            text.clear();
            prometheus_client::encoding::text::encode(&mut text, black_box(&registry)).unwrap();
            black_box(&text);
        }
        let p = t.elapsed().as_nanos() as f64 / PER_ROUND as f64;
        let t = Instant::now();
        for _ in 0..PER_ROUND {
            buf.clear();
            encode(black_box(&families), Format::Text, &mut buf);
            black_box(&buf);
        }
        text_ns.push(t.elapsed().as_nanos() as f64 / PER_ROUND as f64);
        ours_ns.push(o);
        theirs_ns.push(p);
        ratios.push(o / p);
    }
    serde_json::json!({
        "families": 10, "series": 1000, "sample_lines": sample_lines(&ours_text),
        "bytes_ours_openmetrics": ours_text.len(), "bytes_prometheus_client": text.len(),
        "ours_openmetrics_us_median": median(&mut ours_ns) / 1e3,
        "ours_text_0_0_4_us_median": median(&mut text_ns) / 1e3,
        "prometheus_client_us_median": median(&mut theirs_ns) / 1e3,
        "ratio_ours_over_prometheus_client_median": median(&mut ratios),
        "ratio_p10": percentile(&mut ratios, 0.1),
        "ratio_p90": percentile(&mut ratios, 0.9),
        "rounds": ROUNDS, "encodes_per_round": PER_ROUND,
    })
}

/// 1,000 series × 10,000 samples written straight through SQL in one transaction.
fn build_store(path: &std::path::Path) {
    let store = framework0::store::Store::open(path).unwrap();
    let conn = store.connection();
    conn.execute_batch("BEGIN").unwrap();
    {
        let mut series = conn
            .prepare("INSERT INTO metric_series (name, metric_type, unit, tags, source) VALUES (?1, ?2, ?3, ?4, 'bench')")
            .unwrap();
        let mut sample = conn
            .prepare("INSERT INTO metric_samples (series_id, run_id, ts_ns, value) VALUES (?1, NULL, ?2, ?3)")
            .unwrap();
        for id in 0..1000i64 {
            let (name, kind, unit) = series_shape(id);
            let tags = format!("{{\"host\":\"host-{}\",\"slot\":\"{id}\"}}", id % 10);
            series
                .execute(rusqlite::params![name, kind, unit, tags])
                .unwrap();
            let sid = conn.last_insert_rowid();
            for i in 0..10_000i64 {
                let ts = 1_700_000_000_000_000_000 + i * 1_000_000_000;
                sample
                    .execute(rusqlite::params![sid, ts, value(id, i)])
                    .unwrap();
            }
        }
    }
    conn.execute_batch("COMMIT").unwrap();
}

fn series_shape(id: i64) -> (String, &'static str, &'static str) {
    match id {
        0..=599 => (format!("resource_{}", id % 60), "resource", "%"),
        600..=799 => (format!("events_{}", id % 20), "counter", "count"),
        _ => (format!("timer_{}", id % 20), "timing", "ns"),
    }
}

fn value(id: i64, i: i64) -> f64 {
    match id {
        0..=599 => ((id * 7 + i) % 100) as f64,
        600..=799 => i as f64,
        _ => 1e5 + ((id * 13 + i * 7919) % 100_000) as f64 * 1e3,
    }
}

/// One new sample for each of the 1,000 series, stamped after everything stored.
fn new_samples(round: i64) -> Vec<framework0::store::SampleRow> {
    (0..1000)
        .map(|id| {
            let (name, kind, unit) = series_shape(id);
            let tags = [
                ("host".to_string(), format!("host-{}", id % 10)),
                ("slot".to_string(), id.to_string()),
            ];
            framework0::store::SampleRow {
                series: framework0::store::SeriesKey {
                    name,
                    metric_type: kind.into(),
                    unit: unit.into(),
                    tags: tags.into(),
                    source: Some("bench".into()),
                },
                ts_ns: 1_800_000_000_000_000_000 + round,
                value: value(id, round),
                context: None,
            }
        })
        .collect()
}

fn bench_scrape() -> serde_json::Value {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("big.db");
    let t = Instant::now();
    build_store(&path);
    let build_s = t.elapsed().as_secs_f64();
    let t = Instant::now();
    let mut child = Command::new(env!("CARGO_BIN_EXE_f0"))
        .args([
            "--context-db",
            path.to_str().unwrap(),
            "serve",
            "--listen",
            "127.0.0.1:0",
        ])
        .env("F0_LOG", "warn")
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    let startup_ms = t.elapsed().as_secs_f64() * 1e3;
    let addr = line
        .split("http://")
        .nth(1)
        .and_then(|r| r.split('/').next())
        .unwrap()
        .to_owned();
    let url = format!("http://{addr}/metrics");
    let mut store = framework0::store::Store::open(&path).unwrap();
    let (mut idle, mut fresh, mut bytes) = (vec![], vec![], 0);
    for round in 0..30 {
        if round >= 15 {
            let rows = new_samples(round);
            store.insert_samples(None, &rows).unwrap();
        }
        let t = Instant::now();
        let mut resp = ureq::get(&url)
            .header("Accept", PROMETHEUS_ACCEPT)
            .call()
            .unwrap();
        let body = resp.body_mut().read_to_string().unwrap();
        let ms = t.elapsed().as_secs_f64() * 1e3;
        bytes = body.len();
        if round < 15 {
            idle.push(ms)
        } else {
            fresh.push(ms)
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    // SAFETY: plain kill(2) on our own child.
    unsafe { libc::kill(child.id() as i32, libc::SIGTERM) };
    let status = child.wait().unwrap();
    serde_json::json!({
        "series": 1000, "samples": 10_000_000, "store_build_s": build_s,
        "serve_startup_ms": startup_ms,
        "scrape_ms_median_idle": median(&mut idle), "scrape_ms_max_idle": percentile(&mut idle, 1.0),
        "scrape_ms_median_after_1000_new": median(&mut fresh), "scrape_ms_max_after_1000_new": percentile(&mut fresh, 1.0),
        "body_bytes": bytes, "serve_exit_code": status.code(),
    })
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    if !args.iter().any(|a| a == "--bench") {
        return; // only under `cargo bench`, not when `cargo test --all-targets` runs benches
    }
    let only = |name: &str| {
        !args.iter().any(|a| a == "encode" || a == "scrape") || args.iter().any(|a| a == name)
    };
    let mut report = serde_json::Map::new();
    if only("encode") {
        report.insert("encode".into(), bench_encode());
    }
    if only("scrape") {
        report.insert("scrape".into(), bench_scrape());
    }
    println!("{}", serde_json::to_string_pretty(&report).unwrap());
}
