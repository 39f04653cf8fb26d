//! The fixed store the report tests read: four runs of recipe `ci` an hour apart, with a
//! regressed, an improved, an unchanged, a baseline-judged and a one-sample-per-run series, a
//! spike, and system samples. Everything is deterministic (seeded values, fixed times), so the
//! Markdown and text reports of it are snapshot-tested byte for byte.
#![allow(dead_code)]

use std::collections::BTreeMap;
use std::path::Path;

use framework0::analyze::action::timeframe::Timeframe;
use framework0::analyze::rng::Xoshiro256;
use framework0::report::{gather, ContextInputs, GatherRequest, Report, ReportArgs, WindowSpec};
use framework0::store::{BaselineScope, NewBaseline, SampleRow, SeriesKey, Store};
use serde_json::json;

/// 2026-01-01T00:00:00Z.
pub const T0_S: i64 = 1_767_225_600;
/// When the fixed report is generated: 10 minutes after run 4 started.
pub const NOW_NS: i64 = (T0_S + 3 * 3600 + 600) * 1_000_000_000;

pub fn key(
    name: &str,
    metric_type: &str,
    unit: &str,
    tags: &[(&str, &str)],
    source: &str,
) -> SeriesKey {
    SeriesKey {
        name: name.to_owned(),
        metric_type: metric_type.to_owned(),
        unit: unit.to_owned(),
        tags: tags
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect::<BTreeMap<_, _>>(),
        source: Some(source.to_owned()),
    }
}

/// `n` samples of `k` around `mean` (sd `sd`) one second apart from `start_s`.
pub fn samples(
    k: &SeriesKey,
    start_s: i64,
    n: usize,
    mean: f64,
    sd: f64,
    rng: &mut Xoshiro256,
) -> Vec<SampleRow> {
    (0..n)
        .map(|i| SampleRow {
            series: k.clone(),
            ts_ns: (start_s + i as i64) * 1_000_000_000 + 250_000_000,
            value: ((mean + sd * rng.standard_normal()) * 1000.0).round() / 1000.0,
            context: None,
        })
        .collect()
}

/// Builds the fixed store at `path`.
pub fn build(path: &Path) -> Store {
    let mut store = Store::open(path).unwrap();
    let mut rng = Xoshiro256::seed_from_u64(20_260_101);
    let api = key(
        "request_latency",
        "timing",
        "ms",
        &[("endpoint", "/api")],
        "application_collector",
    );
    let health = key(
        "request_latency",
        "timing",
        "ms",
        &[("endpoint", "/health")],
        "application_collector",
    );
    let ops = key(
        "throughput",
        "throughput",
        "ops/s",
        &[("service", "api")],
        "custom_collector",
    );
    let queue = key("queue_depth", "gauge", "count", &[], "custom_collector");
    let build = key(
        "step_wall_time",
        "timing",
        "ns",
        &[("recipe", "ci"), ("step", "build")],
        "runner",
    );
    let cpu = key("cpu_usage_total", "resource", "%", &[], "system_collector");
    let mem = key(
        "memory_usage_percent",
        "resource",
        "%",
        &[],
        "system_collector",
    );
    for run in 1..=4i64 {
        let start = T0_S + (run - 1) * 3600;
        let id = store
            .begin_run("ci", "recipes/ci.yaml", start as f64)
            .unwrap();
        assert_eq!(id, run);
        let late = run == 4;
        let mut rows = Vec::new();
        rows.extend(samples(
            &api,
            start,
            40,
            if late { 13.0 } else { 10.0 },
            0.5,
            &mut rng,
        ));
        rows.extend(samples(&health, start, 40, 2.0, 0.1, &mut rng));
        rows.extend(samples(
            &ops,
            start + 50,
            20,
            if late { 1500.0 } else { 1000.0 },
            40.0,
            &mut rng,
        ));
        rows.extend(samples(&queue, start + 80, 12, 7.0, 1.0, &mut rng));
        rows.extend(samples(
            &build,
            start + 100,
            1,
            4.0e9 + run as f64 * 1.0e8,
            0.0,
            &mut rng,
        ));
        if late {
            // One spike in the regressed endpoint, and the machine's load while run 4 ran.
            rows[17].value = 40.0;
            rows.extend(samples(&cpu, start, 30, 55.0, 8.0, &mut rng));
            rows.extend(samples(&mem, start, 30, 62.0, 0.5, &mut rng));
        }
        store.insert_samples(Some(id), &rows).unwrap();
        store
            .finish_run(id, (start + 200) as f64, "completed")
            .unwrap();
        if run == 2 {
            let values: Vec<f64> = (0..24)
                .map(|i| 7.0 + ((i % 5) as f64 - 2.0) * 0.5)
                .collect();
            let source = json!({"kind": "values"});
            store
                .insert_baseline(&NewBaseline {
                    metric: "queue_depth",
                    tags: &BTreeMap::new(),
                    scope: BaselineScope::Series,
                    run_id: Some(2),
                    source: &source,
                    mean: 7.0,
                    std_dev: 0.7223,
                    median: 7.0,
                    values: &values,
                })
                .unwrap();
        }
    }
    store
}

/// The report of run 4 of the fixed store, generated at [`NOW_NS`].
pub fn report(store: &Store) -> Report {
    report_with(
        store,
        ReportArgs {
            window: WindowSpec::Run(4),
            title: "CI performance".to_owned(),
            ..ReportArgs::default()
        },
    )
}

/// The report of the fixed store under `args`.
pub fn report_with(store: &Store, args: ReportArgs) -> Report {
    let request = GatherRequest {
        args: &args,
        now_ns: NOW_NS,
        current_run: None,
        recipe: Some("ci".to_owned()),
        regression_threshold: 0.2,
        base_dir: std::env::temp_dir(),
        context: ContextInputs::default(),
    };
    gather(store, &request).unwrap()
}

/// Every timeframe keyword parses (used by tests that report over `all`).
pub fn all() -> WindowSpec {
    WindowSpec::Timeframe("all".parse::<Timeframe>().unwrap())
}
