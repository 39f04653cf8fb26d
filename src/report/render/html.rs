//! The HTML dashboard: ONE self-contained file (no network, CDN or external font; a Content
//! Security Policy of `default-src 'none'` makes any request fail loudly) from the template
//! `assets/report.html` beside this code.
//!
//! Tables and text are rendered here, escaped ([`crate::report::escape::html`]), so the page
//! reads without scripts; the charts are drawn by `assets/report.js` with uPlot 1.6.32 (MIT,
//! `assets/uPlot.LICENSE`), inlined, from the chart data embedded as JSON
//! (`chart_data.rs`, escaped for a script element).

use std::fmt::Write as _;

use super::chart_data::chart_data;
use super::{counts_line, headline_numbers, window_line};
use crate::report::error::ReportError;
use crate::report::escape::{html as esc, json_in_script};
use crate::report::model::{Report, SeriesReport, VerdictKind};
use crate::report::numfmt::{num, p_value, time, with_unit};

const TEMPLATE: &str = include_str!("../assets/report.html");
const CSS: &str = include_str!("../assets/report.css");
const SCRIPT: &str = include_str!("../assets/report.js");
const UPLOT_JS: &str = include_str!("../assets/uPlot.iife.min.js");
const UPLOT_CSS: &str = include_str!("../assets/uPlot.min.css");

/// Renders the dashboard.
pub fn render(r: &Report) -> Result<String, ReportError> {
    let data = json_in_script(&serde_json::to_string(&chart_data(r))?);
    let body = body(r);
    let title = esc(&r.title);
    let mut out = String::with_capacity(TEMPLATE.len() + UPLOT_JS.len() + body.len() + data.len());
    let mut rest = TEMPLATE;
    while let Some(at) = rest.find("{{") {
        out.push_str(&rest[..at]);
        let end = rest[at..].find("}}").map_or(rest.len(), |e| at + e + 2);
        out.push_str(match &rest[at..end] {
            "{{title}}" => &title,
            "{{uplot_css}}" => UPLOT_CSS,
            "{{css}}" => CSS,
            "{{body}}" => &body,
            "{{data}}" => &data,
            "{{uplot_js}}" => UPLOT_JS,
            "{{report_js}}" => SCRIPT,
            other => other,
        });
        rest = &rest[end..];
    }
    out.push_str(rest);
    Ok(out)
}

fn badge(v: VerdictKind) -> String {
    format!("<span class=\"badge {0}\">{0}</span>", v.as_str())
}

fn body(r: &Report) -> String {
    let mut o = String::new();
    let _ = write!(o, "<header class=\"top\"><h1>{}</h1>", esc(&r.title));
    let mut meta = vec![format!("Generated {}", time(r.generated_at_ns))];
    if let Some(recipe) = &r.recipe {
        let run = r.run_id.map_or(String::new(), |id| format!(" (run {id})"));
        meta.push(format!("recipe {}{run}", esc(recipe)));
    }
    meta.push(format!("timeframe {}", esc(&window_line(r))));
    meta.push(format!(
        "percentiles: {} (Hyndman–Fan type {})",
        r.percentile_method.name(),
        r.percentile_method.hyndman_fan_type()
    ));
    let _ = write!(o, "<p class=\"meta\">{}</p>", meta.join(" · "));
    let c = r.verdict_counts;
    let _ = write!(
        o,
        "<p class=\"counts\" data-counts=\"{}\">",
        esc(&counts_line(r))
    );
    for (n, v) in [
        (c.regressed, VerdictKind::Regressed),
        (c.improved, VerdictKind::Improved),
        (c.unchanged, VerdictKind::Unchanged),
        (c.insufficient, VerdictKind::Insufficient),
    ] {
        let _ = write!(
            o,
            "<span class=\"badge {}\">{n} {}</span>",
            v.as_str(),
            v.as_str()
        );
    }
    o.push_str("</p></header>\n");
    toggles(&mut o, r);
    headline(&mut o, r);
    o.push_str("<section id=\"series\"><h2>Series</h2>\n");
    for (s, h) in r.series.iter().zip(&r.headline) {
        series(&mut o, s, h.verdict);
    }
    o.push_str("</section>\n");
    system(&mut o, r);
    bottlenecks(&mut o, r);
    profile(&mut o, r);
    list(
        &mut o,
        "recommendations",
        "Recommendations",
        &r.recommendations,
    );
    let mut notes = r.notes.clone();
    notes.extend(
        r.skipped
            .iter()
            .map(|s| format!("skipped {}: {}", s.what, s.reason)),
    );
    list(&mut o, "notes", "Notes", &notes);
    let _ = write!(
        o,
        "<footer>framework0-rs {} · f0 report · charts by uPlot 1.6.32 (MIT licence, inlined) · \
         hover a chart for exact values, drag to zoom, double-click to reset, click a legend \
         entry to hide it</footer>",
        env!("CARGO_PKG_VERSION")
    );
    o
}

fn toggles(o: &mut String, r: &Report) {
    if r.series.len() < 2 {
        return;
    }
    o.push_str("<nav class=\"toggles\" aria-label=\"Show series\"><strong>Show</strong>");
    o.push_str("<button type=\"button\" id=\"f0-all\">all</button><button type=\"button\" id=\"f0-none\">none</button>");
    for s in &r.series {
        let _ = write!(
            o,
            "<label><input type=\"checkbox\" data-series=\"{}\" checked> {}</label>",
            s.id,
            esc(&s.label)
        );
    }
    o.push_str("</nav>\n");
}

fn headline(o: &mut String, r: &Report) {
    o.push_str("<section id=\"verdicts\"><h2>Verdicts</h2><table class=\"headline\"><thead><tr>");
    for h in [
        "Verdict",
        "Series",
        "n",
        "Mean",
        "Reference mean",
        "Change",
        "95% interval",
        "p",
        "Basis",
    ] {
        let _ = write!(o, "<th>{h}</th>");
    }
    o.push_str("</tr></thead><tbody>\n");
    for h in &r.headline {
        let t = headline_numbers(h);
        let why = h.reason.as_deref().map_or(String::new(), |w| {
            format!("<br><span class=\"note\">{}</span>", esc(w))
        });
        let _ = writeln!(
            o,
            "<tr data-verdict=\"{}\"><td>{}</td><td class=\"label\"><a href=\"#{}\">{}</a></td><td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td>{}{why}</td></tr>",
            h.verdict.as_str(),
            badge(h.verdict),
            h.series,
            esc(&h.label),
            h.sample_count,
            t.mean,
            t.reference_mean,
            t.change,
            t.interval,
            t.p,
            esc(&h.basis)
        );
    }
    o.push_str("</tbody></table></section>\n");
}

fn chart(o: &mut String, caption: &str, kind: &str, id: &str) {
    let _ = write!(
        o,
        "<figure><figcaption>{caption}</figcaption><div class=\"chart\" data-chart=\"{kind}\" data-series=\"{id}\"></div></figure>"
    );
}

fn series(o: &mut String, s: &SeriesReport, verdict: VerdictKind) {
    let _ = write!(
        o,
        "<article class=\"series\" id=\"{}\"><h3>{}{}</h3>",
        s.id,
        badge(verdict),
        esc(&s.label)
    );
    let mut sub = vec![
        esc(&s.metric_type),
        esc(&s.unit),
        format!("{} samples", s.points.sample_count),
    ];
    if s.points.values.len() < s.points.sample_count {
        sub.push(format!("{} drawn (LTTB)", s.points.values.len()));
    }
    if let Some(b) = &s.band {
        sub.push(format!(
            "band {} – {} ({})",
            num(b.lower),
            num(b.upper),
            esc(&b.source)
        ));
    }
    let _ = write!(
        o,
        "<p class=\"sub\">{}</p><div class=\"grid\">",
        sub.join(" · ")
    );
    chart(o, "Time series", "timeseries", &s.id);
    if s.distribution.is_some() {
        chart(o, "Distribution", "histogram", &s.id);
    }
    if s.history.runs.len() >= 2 {
        chart(o, "History across runs (mean, p95)", "history", &s.id);
    }
    o.push_str("</div><div class=\"tables\">");
    if let Some(sum) = &s.summary {
        o.push_str("<table class=\"stats\"><tbody>");
        let opt = |v: Option<f64>| v.map_or("–".to_owned(), num);
        for (k, v) in [
            ("samples", sum.sample_count.to_string()),
            ("mean", num(sum.mean)),
            ("median", num(sum.median)),
            ("std dev", num(sum.std_dev)),
            ("min", num(sum.min_value)),
            ("max", num(sum.max_value)),
            ("skewness", opt(sum.skewness)),
            ("kurtosis", opt(sum.kurtosis)),
        ] {
            let _ = write!(o, "<tr><th>{k}</th><td class=\"n\">{v}</td></tr>");
        }
        o.push_str("</tbody></table>");
    }
    if let Some(d) = &s.distribution {
        let _ = write!(o, "<table class=\"ladder\"><thead><tr><th colspan=\"2\">percentiles ({})</th></tr></thead><tbody>", d.percentile_method.name());
        for r in &d.ladder {
            let _ = write!(
                o,
                "<tr><th>p{}</th><td class=\"n\">{}</td></tr>",
                r.percent,
                with_unit(r.value, &s.unit)
            );
        }
        o.push_str("</tbody></table>");
    }
    o.push_str("</div>");
    details(o, s);
    o.push_str("</article>\n");
}

fn details(o: &mut String, s: &SeriesReport) {
    if let Some(t) = &s.trend {
        let dir = super::direction_name(t.direction);
        let fc = match (&t.forecast, &t.forecast_note) {
            (Some(f), _) => format!(
                "; forecast +{} s: {} [{}, {}] ({}% prediction interval)",
                num(f.horizon_seconds),
                with_unit(f.value, &s.unit),
                num(f.lower),
                num(f.upper),
                num(f.level * 100.0)
            ),
            (None, Some(n)) => format!("; forecast {}", esc(n)),
            (None, None) => String::new(),
        };
        let _ = write!(
            o,
            "<p>Trend: {dir}, slope {} per s, r² {}{fc}</p>",
            num(t.slope),
            num(t.r_squared)
        );
    }
    let a = &s.anomalies;
    if a.count > 0 {
        let _ = write!(o, "<details><summary>Anomalies: {} (showing {})</summary><table><thead><tr><th>time</th><th>value</th><th>run</th><th>detectors</th><th>confidence</th></tr></thead><tbody>", a.count, a.marks.len());
        for m in &a.marks {
            let methods: Vec<&str> = m.methods.iter().map(|x| x.name()).collect();
            let _ = write!(o, "<tr><td>{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td>{}</td><td class=\"n\">{}</td></tr>", time(m.ts_ns), num(m.value), m.run_id.map_or("–".to_owned(), |r| r.to_string()), methods.join(", "), num(m.confidence));
        }
        o.push_str("</tbody></table></details>");
    }
    if !s.change_points.is_empty() {
        let _ = write!(o, "<details><summary>Change points: {}</summary><table><thead><tr><th>time</th><th>mean before</th><th>mean after</th><th>change</th><th>p</th></tr></thead><tbody>", s.change_points.len());
        for c in &s.change_points {
            let at = c.time.map_or(format!("sample {}", c.index), time);
            let _ = write!(o, "<tr><td>{at}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{:+.1}%</td><td class=\"n\">{}</td></tr>", num(c.mean_before), num(c.mean_after), c.forward_change_percent, p_value(c.p_value));
        }
        o.push_str("</tbody></table></details>");
    }
    if let Some(r) = s.history.change_runs.last() {
        let _ = write!(o, "<p>History: the per-run mean changed at run {r}.</p>");
    }
    for w in &s.warnings {
        let _ = write!(o, "<p class=\"warn\">{}</p>", esc(w));
    }
}

fn system(o: &mut String, r: &Report) {
    let Some(sys) = &r.system else { return };
    let _ = write!(
        o,
        "<section id=\"system\"><h2>System</h2><p class=\"sub\">{} to {}</p><div class=\"grid\">",
        time(sys.from_ns),
        time(sys.to_ns)
    );
    for p in &sys.panels {
        let _ = write!(o, "<figure><figcaption>{}</figcaption><div class=\"chart\" data-chart=\"system\" data-panel=\"sys-{}\"></div><table><tbody>", esc(&p.title), esc(&p.key));
        for l in &p.lines {
            let _ = write!(o, "<tr><th>{}</th><td class=\"n\">mean {}</td><td class=\"n\">max {}</td><td class=\"n\">last {}</td></tr>", esc(&l.label), with_unit(l.mean, &p.unit), num(l.max), num(l.last));
        }
        o.push_str("</tbody></table></figure>");
    }
    o.push_str("</div></section>\n");
}

fn bottlenecks(o: &mut String, r: &Report) {
    let b = &r.bottlenecks;
    let _ = write!(o, "<section id=\"bottlenecks\"><h2>Bottlenecks</h2><p>Timing: {} · resource: {} · throughput: {} (Framework0's rules)</p>", b.timing_bottlenecks.len(), b.resource_bottlenecks.len(), b.throughput_bottlenecks.len());
    let mut rows = Vec::new();
    for t in &b.timing_bottlenecks {
        rows.push((
            &t.metric,
            "timing",
            format!(
                "p95 {} = {}× mean {}",
                num(t.p95_time_ns),
                num(t.slowdown_factor),
                num(t.avg_time_ns)
            ),
            &t.severity,
        ));
    }
    for x in &b.resource_bottlenecks {
        rows.push((
            &x.metric,
            "resource",
            format!("mean {}, max {}", num(x.avg_usage), num(x.max_usage)),
            &x.severity,
        ));
    }
    for x in &b.throughput_bottlenecks {
        rows.push((
            &x.metric,
            "throughput",
            format!("last five {} vs {}", num(x.recent_avg), num(x.overall_avg)),
            &x.severity,
        ));
    }
    if !rows.is_empty() {
        o.push_str("<table><thead><tr><th>series</th><th>kind</th><th>finding</th><th>severity</th></tr></thead><tbody>");
        for (m, k, f, sev) in rows {
            let _ = write!(
                o,
                "<tr><td>{}</td><td>{k}</td><td>{f}</td><td>{}</td></tr>",
                esc(m),
                esc(sev)
            );
        }
        o.push_str("</tbody></table>");
    }
    o.push_str("</section>\n");
}

fn profile(o: &mut String, r: &Report) {
    let Some(p) = &r.profile else { return };
    o.push_str("<section id=\"profile\"><h2>Profile</h2>");
    if !p.rows.is_empty() {
        o.push_str("<table><thead><tr>");
        for c in &p.columns {
            let _ = write!(o, "<th>{}</th>", esc(c));
        }
        o.push_str("</tr></thead><tbody>");
        for row in &p.rows {
            o.push_str("<tr>");
            for cell in row {
                let _ = write!(o, "<td>{}</td>", esc(cell));
            }
            o.push_str("</tr>");
        }
        o.push_str("</tbody></table>");
    }
    if let Some(svg) = &p.flamegraph_svg {
        let _ = write!(
            o,
            "<figure><figcaption>Flamegraph{}</figcaption><img class=\"flamegraph\" alt=\"flamegraph\" src=\"data:image/svg+xml;base64,{}\"></figure>",
            p.flamegraph_path.as_deref().map_or(String::new(), |f| format!(" ({})", esc(f))),
            super::base64(svg.as_bytes())
        );
    }
    o.push_str("</section>\n");
}

fn list(o: &mut String, id: &str, title: &str, items: &[String]) {
    if items.is_empty() {
        return;
    }
    let _ = write!(o, "<section id=\"{id}\"><h2>{title}</h2><ul>");
    for i in items {
        let _ = write!(o, "<li>{}</li>", esc(i));
    }
    o.push_str("</ul></section>\n");
}
