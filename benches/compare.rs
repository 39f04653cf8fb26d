//! `f0 compare` over 200 series × 20 runs (the bound: under 200 ms). Two stores: one
//! sample per series and run (step timings: compared across the windows of runs with the
//! prediction-interval test), and 10 samples per series and run (run against run, Welch and
//! the 2000-resample bootstrap). Measured twice: the library call alone, and the whole
//! `f0 compare --json` process (open, migrate check, query, compare, JSON to /dev/null).
//!
//! Run: `cargo bench --bench compare`.

use std::collections::BTreeMap;
use std::hint::black_box;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use criterion::{criterion_group, criterion_main, Criterion};
use framework0::analyze::action::compare::{compare_runs, CompareRequest};
use framework0::analyze::rng::Xoshiro256;
use framework0::store::{SampleRow, SeriesKey, Store};

const SERIES: usize = 200;
const RUNS: usize = 20;

/// A store at `path` with `per_run` samples of each of 200 series in each of 20 runs.
fn build(path: &Path, per_run: usize) {
    let _ = std::fs::remove_file(path);
    let mut store = Store::open(path).unwrap();
    let mut rng = Xoshiro256::seed_from_u64(1);
    for run in 0..RUNS {
        let id = store.begin_run("bench", "bench.yaml", run as f64).unwrap();
        let mut rows = Vec::with_capacity(SERIES * per_run);
        for s in 0..SERIES {
            let key = SeriesKey {
                name: format!("metric_{}", s % 10),
                metric_type: "timing".to_owned(),
                unit: "ns".to_owned(),
                tags: BTreeMap::from([("step".to_owned(), format!("step_{s}"))]),
                source: Some("runner".to_owned()),
            };
            for i in 0..per_run {
                rows.push(SampleRow {
                    series: key.clone(),
                    ts_ns: (run * 1000 + i) as i64 * 1_000_000,
                    value: 1e6 * (1.0 + s as f64 / 100.0) * (1.0 + 0.01 * rng.standard_normal()),
                    context: None,
                });
            }
        }
        store.insert_samples(Some(id), &rows).unwrap();
        store.finish_run(id, run as f64 + 0.5, "completed").unwrap();
    }
}

fn stores() -> [(PathBuf, &'static str); 2] {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR"));
    let one = dir.join("compare_bench_1.db");
    let ten = dir.join("compare_bench_10.db");
    build(&one, 1);
    build(&ten, 10);
    [(one, "1 sample per run"), (ten, "10 samples per run")]
}

fn bench(c: &mut Criterion) {
    let mut g = c.benchmark_group("compare 200 series x 20 runs");
    g.sample_size(20);
    for (path, label) in stores() {
        let store = Store::open(&path).unwrap();
        let req = CompareRequest::default();
        let report = compare_runs(&store, &req).unwrap();
        assert_eq!(report.rows.len(), SERIES);
        g.bench_function(format!("library, {label}"), |b| {
            b.iter(|| compare_runs(black_box(&store), &req).unwrap())
        });
        g.bench_function(format!("f0 compare --json, {label}"), |b| {
            b.iter(|| {
                let status = Command::new(env!("CARGO_BIN_EXE_f0"))
                    .args(["compare", "--json"])
                    .env("F0_CONTEXT_DB", &path)
                    .stdout(Stdio::null())
                    .status()
                    .unwrap();
                assert!(status.success());
            })
        });
    }
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
