//! The HTML dashboard in real headless Chromium ([`crate::report_cdp`]): it loads from disk
//! with no console error, exception, failed or outside request; every chart element is a
//! non-blank canvas of non-zero size; hovering shows the exact value, time and run id; series
//! toggle; and a screenshot is taken. `F0_REPORT_SCREENSHOT=docs/report-dashboard.png` also
//! writes the screenshot there (how the README's picture is made). Without Chromium the tests
//! say so and do not pass silently as if they had run.

use std::path::Path;

use framework0::report::render::render;
use framework0::report::Format;
use serde_json::Value;

use crate::report_cdp::{find, skipped, Browser};
use crate::report_fixture::{build, report};

fn write_fixed_html(dir: &Path) -> std::path::PathBuf {
    let store = build(&dir.join("fixed.db"));
    let html = render(&report(&store), Format::Html).unwrap();
    let path = dir.join("report.html");
    std::fs::write(&path, html).unwrap();
    path
}

fn attr(b: &mut Browser, name: &str) -> String {
    let v = b.eval(&format!("document.documentElement.getAttribute('{name}')"));
    v.as_str().unwrap_or_default().to_owned()
}

#[test]
fn the_dashboard_renders_every_chart_without_errors_in_chromium() {
    let Some(bin) = find() else {
        return skipped(
            "report_browser::the_dashboard_renders_every_chart_without_errors_in_chromium",
        );
    };
    let dir = tempfile::tempdir().unwrap();
    let path = write_fixed_html(dir.path());
    let url = format!("file://{}", path.display());
    let mut b = Browser::launch(&bin);
    b.open_report(&url, 1280, 1000);
    let problems = b.problems(&url);
    assert!(problems.is_empty(), "the page had problems: {problems:#?}");
    assert_eq!(attr(&mut b, "data-f0-problems"), "", "in-page check");
    let charts: usize = attr(&mut b, "data-f0-charts").parse().unwrap();
    let drawn: usize = attr(&mut b, "data-f0-drawn").parse().unwrap();
    // 5 series: 5 time series, 4 distributions (one series has 1 sample), 5 histories; 2 system panels.
    assert_eq!(charts, 16, "chart elements");
    assert_eq!(
        drawn,
        charts,
        "blank or zero-size: {}",
        attr(&mut b, "data-f0-blank")
    );
    let sizes = b.eval(
        "Array.from(document.querySelectorAll('.chart canvas')).map(c => [c.width, c.height, c.getBoundingClientRect().width])",
    );
    for s in sizes.as_array().unwrap() {
        assert!(
            s[0].as_f64().unwrap() > 300.0 && s[1].as_f64().unwrap() > 100.0,
            "{s}"
        );
        assert!(s[2].as_f64().unwrap() > 300.0, "{s}");
    }

    // Hover the middle of the first time series: the tooltip names the series, an exact value,
    // an ISO time and the run.
    let rect = b.eval(
        "(() => { const r = document.querySelector('#s0 [data-chart=timeseries] .u-over').getBoundingClientRect(); window.scrollTo(0, 0); return [r.left, r.top, r.width, r.height]; })()",
    );
    let r: Vec<f64> = rect
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_f64().unwrap())
        .collect();
    b.hover(r[0] + r[2] * 0.5, r[1] + r[3] * 0.5);
    std::thread::sleep(std::time::Duration::from_millis(200));
    let tip = b.eval("document.querySelector('.tip').textContent");
    let tip = tip.as_str().unwrap_or_default();
    assert!(
        tip.starts_with("request_latency{endpoint=\"/api\"}"),
        "tooltip: {tip:?}"
    );
    assert!(
        tip.contains(" ms\n2026-01-01T03:00:") && tip.ends_with("run 4"),
        "tooltip: {tip:?}"
    );

    // Toggling a series hides its card.
    let hidden = b.eval(
        "(() => { const box = document.querySelector('nav.toggles input[data-series=s1]'); box.click(); return document.getElementById('s1').classList.contains('hidden'); })()",
    );
    assert_eq!(hidden, Value::Bool(true));
    b.eval("document.querySelector('nav.toggles input[data-series=s1]').click()");

    let png = b.screenshot(1280, 1500);
    assert_eq!(&png[..8], b"\x89PNG\r\n\x1a\n", "a PNG");
    assert!(png.len() > 20_000, "a real picture, {} bytes", png.len());
    std::fs::write(dir.path().join("dashboard.png"), &png).unwrap();
    if let Some(out) = std::env::var_os("F0_REPORT_SCREENSHOT") {
        std::fs::write(&out, &png).unwrap();
        eprintln!("screenshot written to {}", Path::new(&out).display());
    }
    let problems = b.problems(&url);
    assert!(
        problems.is_empty(),
        "problems while interacting: {problems:#?}"
    );
}

#[test]
fn the_browser_harness_catches_console_errors_failed_loads_and_requests() {
    let Some(bin) = find() else {
        return skipped(
            "report_browser::the_browser_harness_catches_console_errors_failed_loads_and_requests",
        );
    };
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("bad.html");
    std::fs::write(
        &path,
        "<html><body><img src=\"missing.png\"><script>console.error('boom'); \
         document.documentElement.setAttribute('data-f0-status', 'done');</script></body></html>",
    )
    .unwrap();
    let url = format!("file://{}", path.display());
    let mut b = Browser::launch(&bin);
    b.open_report(&url, 800, 600);
    std::thread::sleep(std::time::Duration::from_millis(300));
    b.eval("1");
    let problems = b.problems(&url).join("\n");
    assert!(problems.contains("console.\"error\""), "{problems}");
    assert!(problems.contains("missing.png"), "{problems}");
}
