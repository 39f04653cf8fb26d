//! Cost and size of reports (issue 11's budget: 100 series × 10,000 samples render in under
//! 1 s with the HTML under 5 MB; a 1,000,000-sample series stays interactive and under 2 MB):
//! - `report_100x10k/gather`: store → model (every statistic on every sample, per series);
//! - `report_100x10k/read`: its first part alone, selecting the series and reading their 1 M
//!   samples;
//! - `report_100x10k/render_4_formats`: model → HTML + Markdown + JSON + text;
//! - `report_100x10k/render_html` beside `render_html_every_sample`, the peer: the same
//!   dashboard drawing every sample instead of the LTTB points (what a naive dashboard ships);
//! - `report_1m/gather`, `report_1m/render_html`: one series of 1,000,000 samples.
//!
//! File sizes are printed; with Chromium installed the generated dashboards are also opened
//! headless and the page's own drawing time (`data-f0-render-ms`) is printed.
//!
//! Run: `cargo bench --bench report`

use std::hint::black_box;
use std::path::Path;

use criterion::{criterion_group, criterion_main, Criterion};
use framework0::analyze::rng::Xoshiro256;
use framework0::report::args::Format;
use framework0::report::gather::select::plan;
use framework0::report::model::Report;
use framework0::report::render::render;
use framework0::report::{gather, ContextInputs, GatherRequest, ReportArgs, WindowSpec};
use framework0::store::{SampleRow, SeriesKey, Store};

const T0_NS: i64 = 1_767_225_600_000_000_000;

fn store_with(path: &Path, series: usize, samples: usize) -> Store {
    let mut store = Store::open(path).unwrap();
    let run = store
        .begin_run("bench", "bench.yaml", 1_767_225_600.0)
        .unwrap();
    let mut rng = Xoshiro256::seed_from_u64(11);
    for s in 0..series {
        let key = SeriesKey {
            name: format!("latency_{}", s % 10),
            metric_type: "timing".to_owned(),
            unit: "ms".to_owned(),
            tags: [("shard".to_owned(), format!("{s}"))].into(),
            source: None,
        };
        let rows: Vec<SampleRow> = (0..samples)
            .map(|i| SampleRow {
                series: key.clone(),
                ts_ns: T0_NS + i as i64 * 1_000_000,
                value: 10.0 + (i as f64 / 500.0).sin() + 0.5 * rng.standard_normal(),
                context: None,
            })
            .collect();
        store.insert_samples(Some(run), &rows).unwrap();
    }
    store
}

fn make(store: &Store) -> Report {
    let args = ReportArgs {
        window: WindowSpec::Run(1),
        ..ReportArgs::default()
    };
    gather(
        store,
        &GatherRequest {
            args: &args,
            now_ns: T0_NS + 3_600_000_000_000,
            current_run: None,
            recipe: Some("bench".to_owned()),
            regression_threshold: 0.2,
            base_dir: std::env::temp_dir(),
            context: ContextInputs::default(),
        },
    )
    .unwrap()
}

/// The same report drawing every sample of the window.
fn every_sample(store: &Store, report: &Report) -> Report {
    let mut full = report.clone();
    for s in &mut full.series {
        let samples = store.metric_samples(&s.name, Default::default()).unwrap();
        let keep: Vec<usize> = (0..samples.len())
            .filter(|&i| samples.series_at(i).tags == s.tags)
            .collect();
        s.points.ts_ns = keep.iter().map(|&i| samples.timestamps[i]).collect();
        s.points.values = keep.iter().map(|&i| samples.values[i]).collect();
        s.points.run_ids = keep.iter().map(|&i| samples.run_ids[i]).collect();
    }
    full
}

fn chromium_ms(html: &str, name: &str) {
    let Some(bin) = ["/usr/bin/chromium", "/usr/bin/chromium-browser"]
        .into_iter()
        .find(|p| Path::new(p).exists())
    else {
        eprintln!(
            "{name}: chromium not installed (apt-get install -y chromium); no browser timing"
        );
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join(format!("{name}.html"));
    std::fs::write(&file, html).unwrap();
    let profile = dir.path().join("profile");
    let out = std::process::Command::new(bin)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--disable-quic",
            "--virtual-time-budget=60000",
            "--dump-dom",
        ])
        .arg(format!("--user-data-dir={}", profile.display()))
        .arg(format!("file://{}", file.display()))
        .output()
        .unwrap();
    let dom = String::from_utf8_lossy(&out.stdout);
    let attr = |a: &str| {
        dom.split(&format!("{a}=\""))
            .nth(1)
            .and_then(|r| r.split('"').next())
            .unwrap_or("?")
            .to_owned()
    };
    eprintln!(
        "{name}: chromium drew {}/{} charts in {} ms (page's own clock), problems: [{}]",
        attr("data-f0-drawn"),
        attr("data-f0-charts"),
        attr("data-f0-render-ms"),
        attr("data-f0-problems")
    );
}

fn hundred_series(c: &mut Criterion) {
    let dir = tempfile::tempdir().unwrap();
    let store = store_with(&dir.path().join("b.db"), 100, 10_000);
    let report = make(&store);
    let full = every_sample(&store, &report);
    let html = render(&report, Format::Html).unwrap();
    let html_full = render(&full, Format::Html).unwrap();
    eprintln!(
        "100 series × 10,000 samples: HTML {:.2} MB (drawing every sample: {:.2} MB, {:.1}× larger), JSON {:.2} MB",
        html.len() as f64 / 1e6,
        html_full.len() as f64 / 1e6,
        html_full.len() as f64 / html.len() as f64,
        render(&report, Format::Json).unwrap().len() as f64 / 1e6
    );
    chromium_ms(&html, "100x10k");
    chromium_ms(&html_full, "100x10k_every_sample");
    let mut g = c.benchmark_group("report_100x10k");
    g.sample_size(10);
    g.bench_function("gather", |b| {
        b.iter(|| black_box(make(&store).series.len()))
    });
    g.bench_function("read", |b| {
        b.iter(|| {
            // What the report's pipeline reads: the plan, then each series' samples.
            let p = plan(&store, &[], WindowSpec::Run(1), T0_NS, None).unwrap();
            let read = p
                .stored
                .iter()
                .filter_map(|s| p.read(&store, s).unwrap())
                .count();
            black_box(read)
        })
    });
    g.bench_function("render_4_formats", |b| {
        b.iter(|| {
            Format::ALL
                .iter()
                .map(|f| render(black_box(&report), *f).unwrap().len())
                .sum::<usize>()
        })
    });
    g.bench_function("render_html", |b| {
        b.iter(|| render(black_box(&report), Format::Html).unwrap().len())
    });
    g.bench_function("render_html_every_sample", |b| {
        b.iter(|| render(black_box(&full), Format::Html).unwrap().len())
    });
    g.finish();
}

fn million(c: &mut Criterion) {
    let dir = tempfile::tempdir().unwrap();
    let store = store_with(&dir.path().join("m.db"), 1, 1_000_000);
    let report = make(&store);
    let html = render(&report, Format::Html).unwrap();
    eprintln!(
        "1 series × 1,000,000 samples: HTML {:.3} MB, {} points drawn",
        html.len() as f64 / 1e6,
        report.series[0].points.values.len()
    );
    chromium_ms(&html, "1m");
    let mut g = c.benchmark_group("report_1m");
    g.sample_size(10);
    g.bench_function("gather", |b| {
        b.iter(|| black_box(make(&store).series.len()))
    });
    g.bench_function("render_html", |b| {
        b.iter(|| render(black_box(&report), Format::Html).unwrap().len())
    });
    g.finish();
}

criterion_group!(benches, hundred_series, million);
criterion_main!(benches);
