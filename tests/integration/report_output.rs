//! `f0 report`'s output folder and files on the paths a user hits by mistake: an output
//! folder that is a file, an empty or absolute `-o`, a report file that is a folder, the
//! default folder of a timeframe report, `--open` without a desktop; and the bottleneck
//! findings (resource, throughput) in the text and Markdown reports.

use std::collections::BTreeMap;

use framework0::store::{SampleRow, SeriesKey, Store};
use serde_json::Value;

use crate::util::action::{fails, ok, stderr, stdout};
use crate::util::Scratch;

/// One run (id 1, recipe `recipes/ci.yaml`) holding series `(name, type, unit, values)`, one
/// sample a second starting at `t0_ns`.
fn seed(s: &Scratch, t0_ns: i64, series: &[(&str, &str, &str, &[f64])]) {
    let mut store = Store::open(&s.store()).unwrap();
    let t0 = t0_ns as f64 / 1e9;
    let run = store.begin_run("ci", "recipes/ci.yaml", t0).unwrap();
    let rows: Vec<SampleRow> = series
        .iter()
        .flat_map(|(name, ty, unit, values)| {
            let key = SeriesKey {
                name: (*name).to_owned(),
                metric_type: (*ty).to_owned(),
                unit: (*unit).to_owned(),
                tags: BTreeMap::new(),
                source: None,
            };
            values.iter().enumerate().map(move |(i, v)| SampleRow {
                series: key.clone(),
                ts_ns: t0_ns + i as i64 * 1_000_000_000,
                value: *v,
                context: None,
            })
        })
        .collect();
    store.insert_samples(Some(run), &rows).unwrap();
    store.finish_run(run, t0 + 60.0, "completed").unwrap();
}

const T0: i64 = 1_767_225_600_000_000_000;

fn plain(s: &Scratch) {
    let v: Vec<f64> = (0..20).map(|i| 10.0 + (i % 4) as f64).collect();
    seed(s, T0, &[("latency", "timing", "ms", &v)]);
}

fn read(s: &Scratch, rel: &str) -> String {
    std::fs::read_to_string(s.path(rel)).unwrap_or_else(|e| panic!("{rel}: {e}"))
}

#[test]
fn memory_and_throughput_bottlenecks_are_listed_with_their_advice() {
    let s = Scratch::new();
    let memory: Vec<f64> = (0..12).map(|i| 90.0 + (i % 3) as f64 * 4.0).collect();
    let mut throughput: Vec<f64> = vec![100.0; 10];
    throughput.extend([40.0; 5]);
    seed(
        &s,
        T0,
        &[
            ("memory_usage", "resource", "%", &memory),
            ("requests_per_s", "throughput", "ops/s", &throughput),
        ],
    );
    ok(
        &s,
        &["report", "--run", "1", "-o", "out", "--format", "text,md"],
    );
    let txt = read(&s, "out/report.txt");
    assert!(txt.contains("Resource bottlenecks: 1"), "{txt}");
    assert!(txt.contains("Throughput bottlenecks: 1"), "{txt}");
    // mean of 90, 94, 98 repeated = 94; max 98 > 95 → critical.
    assert!(
        txt.contains("  - memory_usage: mean 94.00, max 98.00 (critical)"),
        "{txt}"
    );
    // overall mean (10·100 + 5·40)/15 = 80, last five 40 → −50 %.
    assert!(
        txt.contains("  - requests_per_s: last five 40.00 vs 80.00 overall (-50.0%)"),
        "{txt}"
    );
    for advice in [
        "Memory usage approaching limits",
        "Declining throughput detected",
    ] {
        assert!(txt.contains(advice), "text lacks {advice:?}:\n{txt}");
        let md = read(&s, "out/report.md");
        assert!(md.contains(advice), "markdown lacks {advice:?}:\n{md}");
    }
}

#[test]
fn an_output_folder_that_is_a_file_is_refused_and_left_alone() {
    let s = Scratch::new();
    plain(&s);
    s.write("out", "my notes");
    let err = fails(&s, &["report", "--run", "1", "-o", "out/sub"]);
    assert!(
        err.contains("output_dir 'out/sub' is refused")
            && err.contains("exists and is not a folder"),
        "{err}"
    );
    assert_eq!(read(&s, "out"), "my notes");
}

#[test]
fn an_empty_output_folder_is_refused() {
    let s = Scratch::new();
    plain(&s);
    let err = fails(&s, &["report", "--run", "1", "-o", " "]);
    assert!(
        err.contains("output_dir ' ' is refused: it is empty"),
        "{err}"
    );
}

#[test]
fn an_absolute_output_folder_is_created_where_it_points() {
    let s = Scratch::new();
    plain(&s);
    let elsewhere = tempfile::tempdir().unwrap();
    let dir = elsewhere.path().join("deep/reports");
    let out = ok(
        &s,
        &[
            "report",
            "--run",
            "1",
            "-o",
            dir.to_str().unwrap(),
            "--format",
            "json",
        ],
    );
    let json: Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("report.json")).unwrap()).unwrap();
    assert_eq!(json["generator"], "f0 report");
    assert!(out.contains(&dir.display().to_string()), "{out}");
    assert!(
        !s.path("deep").exists(),
        "nothing written under the working folder"
    );
}

#[test]
fn dot_segments_inside_the_output_folder_resolve_below_it() {
    let s = Scratch::new();
    plain(&s);
    ok(
        &s,
        &[
            "report",
            "--run",
            "1",
            "-o",
            "./a/./b/../c",
            "--format",
            "md",
        ],
    );
    assert!(read(&s, "a/c/report.md").contains("latency"));
    assert!(!s.path("a/b").exists(), "'b/..' is resolved, not created");
}

#[test]
fn a_report_file_that_is_a_folder_is_not_replaced() {
    let s = Scratch::new();
    plain(&s);
    std::fs::create_dir_all(s.path("out/report.md/keep")).unwrap();
    let err = fails(&s, &["report", "--run", "1", "-o", "out", "--format", "md"]);
    assert!(
        err.contains("report.md") && err.contains("it is not a regular file"),
        "{err}"
    );
    assert!(s.path("out/report.md/keep").is_dir(), "the folder is kept");
}

#[test]
fn a_timeframe_report_without_output_folder_goes_under_reports_named_for_the_timeframe() {
    let s = Scratch::new();
    let now = framework0::util::epoch_nanos() - 30_000_000_000;
    let v: Vec<f64> = (0..10).map(|i| 5.0 + i as f64).collect();
    seed(&s, now, &[("latency", "timing", "ms", &v)]);
    let out = ok(&s, &["report", "--since", "1h", "--format", "json"]);
    let dirs: Vec<String> = std::fs::read_dir(s.path("reports"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(dirs.len(), 1, "{dirs:?}");
    assert!(
        dirs[0].contains("1h"),
        "folder named for the timeframe: {dirs:?}"
    );
    assert!(
        s.path(&format!("reports/{}/report.json", dirs[0]))
            .is_file(),
        "{out}"
    );
}

/// `f0 report --open` with `env` set (and DISPLAY/WAYLAND_DISPLAY removed first): exit 0,
/// the report written, and stderr.
fn open_with(s: &Scratch, format: &str, env: &[(&str, &str)]) -> String {
    let mut cmd = s.f0();
    cmd.args([
        "report", "--run", "1", "-o", "out", "--format", format, "--open",
    ])
    .env_remove("DISPLAY")
    .env_remove("WAYLAND_DISPLAY");
    for (k, v) in env {
        cmd.env(k, v);
    }
    let o = cmd.output().unwrap();
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(stdout(&o).contains("report of 1 series"), "{}", stdout(&o));
    stderr(&o)
}

#[test]
fn open_without_an_html_report_says_to_add_html() {
    let s = Scratch::new();
    plain(&s);
    let err = open_with(&s, "md", &[]);
    assert!(
        err.contains("--open: no HTML report was written (add html to --format)"),
        "{err}"
    );
}

#[test]
fn open_without_a_desktop_names_the_file_to_open() {
    let s = Scratch::new();
    plain(&s);
    let err = open_with(&s, "html", &[]);
    assert!(
        err.contains("--open: no desktop session (DISPLAY / WAYLAND_DISPLAY unset)")
            && err.contains("out/report.html yourself"),
        "{err}"
    );
}

#[test]
fn open_without_an_opener_on_path_names_the_file_to_open() {
    let s = Scratch::new();
    plain(&s);
    let empty = tempfile::tempdir().unwrap();
    let err = open_with(
        &s,
        "html",
        &[
            ("WAYLAND_DISPLAY", "wayland-0"),
            ("PATH", empty.path().to_str().unwrap()),
        ],
    );
    assert!(
        err.contains("--open: cannot run xdg-open (") && err.contains("out/report.html yourself"),
        "{err}"
    );
    assert!(s.path("out/report.html").is_file());
}

#[test]
fn a_report_json_reformatted_by_a_user_is_still_ours_and_replaced() {
    let s = Scratch::new();
    plain(&s);
    s.write(
        "out/report.json",
        "{\n  \"generator\" : \"f0 report\",\n  \"old\": true\n}\n",
    );
    ok(
        &s,
        &["report", "--run", "1", "-o", "out", "--format", "json"],
    );
    let json: Value = serde_json::from_str(&read(&s, "out/report.json")).unwrap();
    assert!(json.get("old").is_none(), "replaced: {json}");
    assert_eq!(json["series"][0]["name"], "latency");
}

#[test]
fn a_json_file_of_someone_else_is_not_overwritten() {
    let s = Scratch::new();
    plain(&s);
    s.write("out/report.json", "{\"generator\": \"my tool\"}\n");
    let err = fails(
        &s,
        &["report", "--run", "1", "-o", "out", "--format", "json"],
    );
    assert!(
        err.contains("refusing to overwrite") && err.contains("report.json"),
        "{err}"
    );
    assert_eq!(
        read(&s, "out/report.json"),
        "{\"generator\": \"my tool\"}\n"
    );
}

#[test]
fn a_report_step_whose_output_folder_is_a_file_fails_naming_it_and_writes_nothing() {
    let s = Scratch::new();
    s.write("notes", "mine");
    let r = s.write(
        "r.yaml",
        &format!(
            "steps:\n{}  - {{name: report, idx: 2, type: python, module: scriptlets.foundation.performance_metrics, \
             function: PerformanceMetricsScriptlet, args: {{action: report, output_dir: notes, formats: [json]}}}}\n",
            crate::util::step("work", 1, "Sleep", "args: {seconds: 0.01}")
        ),
    );
    let (code, out) = s.run_json(&r, &[]);
    assert_eq!(code, 1, "{out:#}");
    let err = out["steps"][1]["error"].as_str().unwrap_or_default();
    assert!(
        err.contains("output_dir 'notes' is refused: ")
            && err.contains("notes exists and is not a folder"),
        "{out:#}"
    );
    assert_eq!(read(&s, "notes"), "mine");
    assert!(s.ctx("metrics.last_report").is_none(), "no report recorded");
}
