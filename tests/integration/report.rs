//! The report of a fixed store ([`crate::report_fixture`]): Markdown and text snapshots (bless
//! with `F0_BLESS=1`), the JSON against `schemas/report.schema.json`, the four formats agreeing
//! on the headline numbers, and the verdicts the fixture was built to produce.

use std::path::PathBuf;

use framework0::analyze::baseline::SignificanceTest;
use framework0::report::escape;
use framework0::report::model::{Report, VerdictKind};
use framework0::report::numfmt::{num, p_value, pct};
use framework0::report::render::render;
use framework0::report::Format;
use serde_json::Value;

use crate::report_fixture::{build, report, report_with};

fn fixture_path(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/report")
        .join(name)
}

/// Compares `got` with the committed snapshot `name`; `F0_BLESS=1` rewrites it.
#[track_caller]
fn snapshot(name: &str, got: &str) {
    let path = fixture_path(name);
    if std::env::var_os("F0_BLESS").is_some() {
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, got).unwrap();
        return;
    }
    let want = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("{}: {e} (run with F0_BLESS=1 to create it)", path.display()));
    if want != got {
        let line = want
            .lines()
            .zip(got.lines())
            .position(|(a, b)| a != b)
            .unwrap_or(0);
        panic!(
            "{name} differs from its snapshot at line {}:\n  want: {:?}\n  got:  {:?}\n(run with F0_BLESS=1 to accept)",
            line + 1,
            want.lines().nth(line).unwrap_or(""),
            got.lines().nth(line).unwrap_or("")
        );
    }
}

fn fixed() -> (tempfile::TempDir, Report) {
    let dir = tempfile::tempdir().unwrap();
    let store = build(&dir.path().join("fixed.db"));
    let r = report(&store);
    (dir, r)
}

pub fn report_schema() -> jsonschema::Validator {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/schemas/report.schema.json");
    let text = std::fs::read_to_string(path).unwrap();
    jsonschema::validator_for(&serde_json::from_str(&text).unwrap()).expect("valid schema")
}

#[track_caller]
pub fn assert_valid(v: &Value) {
    let errors: Vec<String> = report_schema()
        .iter_errors(v)
        .map(|e| format!("{e} at {}", e.instance_path()))
        .collect();
    assert!(errors.is_empty(), "schema errors: {errors:#?}");
}

#[test]
fn markdown_and_text_of_the_fixed_store_match_their_snapshots() {
    let (_dir, r) = fixed();
    snapshot("fixed.md", &render(&r, Format::Markdown).unwrap());
    snapshot("fixed.txt", &render(&r, Format::Text).unwrap());
}

#[test]
fn the_fixture_gives_each_verdict_worst_first() {
    let (_dir, r) = fixed();
    let verdict = |label: &str| {
        r.headline
            .iter()
            .find(|h| h.label == label)
            .unwrap_or_else(|| panic!("{label}"))
    };
    let api = verdict("request_latency{endpoint=\"/api\"}");
    assert_eq!(api.verdict, VerdictKind::Regressed);
    assert_eq!(api.basis, "runs 1–3");
    assert!(
        (0.25..0.40).contains(&api.relative_change.unwrap()),
        "{api:?}"
    );
    assert_eq!(
        verdict("request_latency{endpoint=\"/health\"}").verdict,
        VerdictKind::Unchanged
    );
    let ops = verdict("throughput{service=\"api\"}");
    assert_eq!(
        ops.verdict,
        VerdictKind::Improved,
        "higher is better for a throughput"
    );
    let queue = verdict("queue_depth");
    assert_eq!(
        queue.basis, "baseline #1",
        "the series uses its own stored baseline"
    );
    // One sample per run (4.4 s after 4.1, 4.2 and 4.3 s): judged as analyze judges it, by the
    // prediction-interval test against the runs before, not left insufficient.
    let build = verdict("step_wall_time{recipe=\"ci\",step=\"build\"}");
    assert_eq!(build.verdict, VerdictKind::Unchanged, "{build:?}");
    assert_eq!(
        (
            build.basis.as_str(),
            build.sample_count,
            build.reference_count
        ),
        ("runs 1–3", 1, Some(3))
    );
    assert_eq!(build.test, Some(SignificanceTest::PredictionInterval));
    assert!(build.p_value.unwrap() > 0.05, "{build:?}");
    let order: Vec<VerdictKind> = r.headline.iter().map(|h| h.verdict).collect();
    let mut sorted = order.clone();
    sorted.sort();
    assert_eq!(order, sorted, "worst first");
    assert_eq!(r.headline[0].label, api.label);
    let ids: Vec<&str> = r.series.iter().map(|s| s.id.as_str()).collect();
    let hids: Vec<&str> = r.headline.iter().map(|h| h.series.as_str()).collect();
    assert_eq!(ids, hids, "series in headline order");
    assert!(r.system.is_some(), "run 4 has system samples");
    assert!(r
        .series
        .iter()
        .all(|s| s.source.as_deref() != Some("system_collector")));
}

#[test]
fn the_spike_is_an_anomaly_and_statistics_use_every_sample() {
    let (_dir, r) = fixed();
    let api = r
        .series
        .iter()
        .find(|s| s.label == "request_latency{endpoint=\"/api\"}")
        .unwrap();
    assert_eq!(api.summary.as_ref().unwrap().sample_count, 40);
    assert_eq!(api.summary.as_ref().unwrap().max_value, 40.0);
    let spike = api
        .anomalies
        .marks
        .iter()
        .find(|m| m.value == 40.0)
        .expect("spike flagged");
    assert_eq!(spike.index, 17);
    assert_eq!(spike.run_id, Some(4));
    assert!(api.points.values.contains(&40.0), "the drawing keeps it");
    assert_eq!(api.history.runs.len(), 4);
    let d = api.distribution.as_ref().unwrap();
    assert_eq!(d.histogram.counts.iter().sum::<u64>(), 40);
    let ladder: Vec<f64> = d.ladder.iter().map(|r| r.percent).collect();
    assert_eq!(ladder, [50.0, 75.0, 90.0, 95.0, 99.0, 99.9]);
}

#[test]
fn json_validates_against_the_schema_and_round_trips() {
    let (_dir, r) = fixed();
    let text = render(&r, Format::Json).unwrap();
    let v: Value = serde_json::from_str(&text).unwrap();
    assert_valid(&v);
    let back: Report = serde_json::from_value(v).unwrap();
    assert_eq!(back, r);
    // A tampered report fails the schema (the test can fail).
    let mut bad: Value = serde_json::from_str(&text).unwrap();
    bad["headline"][0]["verdict"] = Value::from("worse");
    assert!(report_schema().validate(&bad).is_err());
}

#[test]
fn the_four_formats_agree_on_the_headline_numbers() {
    let (_dir, r) = fixed();
    let html = render(&r, Format::Html).unwrap();
    let md = render(&r, Format::Markdown).unwrap();
    let txt = render(&r, Format::Text).unwrap();
    let json: Value = serde_json::from_str(&render(&r, Format::Json).unwrap()).unwrap();
    let counts = &json["verdict_counts"];
    let line = format!(
        "{} regressed, {} improved, {} unchanged, {} insufficient",
        counts["regressed"], counts["improved"], counts["unchanged"], counts["insufficient"]
    );
    assert!(
        html.contains(&line) && md.contains(&line) && txt.contains(&line),
        "{line}"
    );
    let mut compared = 0;
    for h in json["headline"].as_array().unwrap() {
        let label = h["label"].as_str().unwrap();
        let verdict = h["verdict"].as_str().unwrap();
        let txt_line = txt
            .lines()
            .find(|l| l.starts_with(verdict) && l.contains(label))
            .unwrap_or_else(|| panic!("text lacks {label}"));
        let md_row = md
            .lines()
            .find(|l| l.contains(&escape::markdown(label)) && l.contains(verdict))
            .unwrap_or_else(|| panic!("md lacks {label}"));
        let html_row = html
            .lines()
            .find(|l| l.starts_with("<tr data-verdict") && l.contains(&escape::html(label)))
            .unwrap_or_else(|| panic!("html lacks {label}"));
        let Some(change) = h["relative_change"].as_f64() else {
            continue;
        };
        let want = [
            pct(change),
            pct(h["interval"]["lower"].as_f64().unwrap()),
            pct(h["interval"]["upper"].as_f64().unwrap()),
            p_value(h["p_value"].as_f64().unwrap()),
            num(h["mean"].as_f64().unwrap()),
            num(h["reference_mean"].as_f64().unwrap()),
        ];
        for w in &want {
            for (format, text) in [("text", txt_line), ("markdown", md_row), ("html", html_row)] {
                assert!(
                    text.contains(w.as_str()),
                    "{format} row of {label} lacks {w}: {text}"
                );
            }
        }
        compared += 1;
    }
    assert_eq!(
        compared, 5,
        "regressed, unchanged, improved, the baseline row and the one-sample step carry numbers"
    );
}

#[test]
fn a_one_series_window_with_selected_system_metrics_reports_them_as_series() {
    let dir = tempfile::tempdir().unwrap();
    let store = build(&dir.path().join("s.db"));
    let args = framework0::report::ReportArgs {
        metrics: vec!["cpu_*".parse().unwrap()],
        window: crate::report_fixture::all(),
        ..Default::default()
    };
    let r = report_with(&store, args);
    assert_eq!(r.series.len(), 1);
    assert_eq!(r.series[0].label, "cpu_usage_total");
    assert_eq!(r.selectors, ["cpu_*"]);
    assert!(
        !r.notes.iter().any(|n| n.contains("selector")),
        "selectors are series selectors now, with no caveat: {:?}",
        r.notes
    );
}

#[test]
fn a_profile_adds_its_section_and_no_profile_adds_none() {
    let dir = tempfile::tempdir().unwrap();
    let store = build(&dir.path().join("p.db"));
    let html = render(&report(&store), Format::Html).unwrap();
    assert!(
        !html.contains("id=\"profile\""),
        "absent without a profile, not a placeholder"
    );
    std::fs::write(
        dir.path().join("fg.svg"),
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"10\" height=\"10\"/>",
    )
    .unwrap();
    let args = framework0::report::ReportArgs {
        window: framework0::report::WindowSpec::Run(4),
        ..Default::default()
    };
    let request = framework0::report::GatherRequest {
        args: &args,
        now_ns: crate::report_fixture::NOW_NS,
        current_run: None,
        recipe: None,
        regression_threshold: 0.2,
        base_dir: dir.path().to_path_buf(),
        context: framework0::report::ContextInputs {
            last_profile: Some(serde_json::json!({
                "bottlenecks": [{"function": "parse<script>|`x`", "self_percent": 61.5}],
                "flamegraph": "fg.svg"
            })),
            ..Default::default()
        },
    };
    let r = framework0::report::gather(&store, &request).unwrap();
    let p = r.profile.as_ref().expect("profile section");
    assert_eq!(p.columns, ["function", "self_percent"]);
    let html = render(&r, Format::Html).unwrap();
    assert!(html.contains("<section id=\"profile\">"));
    assert!(html.contains("parse&lt;script&gt;|`x`") && !html.contains("parse<script>"));
    assert!(
        html.contains("src=\"data:image/svg+xml;base64,PHN2Zy"),
        "flamegraph embedded"
    );
    let md = render(&r, Format::Markdown).unwrap();
    assert!(
        md.contains("| parse&lt;script&gt;\\|\\`x\\` | 61.5 |"),
        "{md}"
    );
    let txt = render(&r, Format::Text).unwrap();
    assert!(
        txt.contains("Profile bottlenecks: 1 (metrics.last_profile)"),
        "{txt}"
    );
    let json: Value = serde_json::from_str(&render(&r, Format::Json).unwrap()).unwrap();
    assert_valid(&json);
    assert!(json["profile"]["flamegraph_path"]
        .as_str()
        .unwrap()
        .ends_with("fg.svg"));
}
