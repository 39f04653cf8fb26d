//! The four renderers, each a pure function of the [`Report`] model: [`html`] (one
//! self-contained dashboard), [`markdown`] (a CI job summary), [`text`] (Framework0's layout)
//! and JSON (the model itself). Every user string goes through [`crate::report::escape`] for
//! its format; every number through [`crate::report::numfmt`], so the formats agree.

mod chart_data;
pub mod html;
pub mod markdown;
pub mod text;

use super::args::Format;
use super::error::ReportError;
use super::model::{Headline, Report};
use super::numfmt::{num, p_value, pct};
use crate::analyze::trend::TrendDirection;

/// Renders `report` in `format`.
pub fn render(report: &Report, format: Format) -> Result<String, ReportError> {
    Ok(match format {
        Format::Html => html::render(report)?,
        Format::Markdown => markdown::render(report),
        Format::Json => {
            let mut s = serde_json::to_string(report)?;
            s.push('\n');
            s
        }
        Format::Text => text::render(report),
    })
}

/// The headline numbers of a row as every format prints them: (change, interval, p, means).
pub fn headline_numbers(h: &Headline) -> HeadlineText {
    HeadlineText {
        change: h.relative_change.map_or("–".to_owned(), pct),
        interval: h.interval.map_or("–".to_owned(), |i| {
            format!("[{}, {}]", pct(i.lower), pct(i.upper))
        }),
        p: h.p_value.map_or("–".to_owned(), p_value),
        mean: num(h.mean),
        reference_mean: h.reference_mean.map_or("–".to_owned(), num),
    }
}

/// A headline row's numbers, formatted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HeadlineText {
    /// `+25.3%`.
    pub change: String,
    /// `[+20.1%, +30.2%]`.
    pub interval: String,
    /// `0.0012`.
    pub p: String,
    /// The window's mean.
    pub mean: String,
    /// The reference's mean.
    pub reference_mean: String,
}

/// `1 regressed, 0 improved, 2 unchanged, 3 insufficient`.
pub fn counts_line(r: &Report) -> String {
    let c = r.verdict_counts;
    format!(
        "{} regressed, {} improved, {} unchanged, {} insufficient",
        c.regressed, c.improved, c.unchanged, c.insufficient
    )
}

/// `this_run (run 12)` plus the sample span.
pub fn window_line(r: &Report) -> String {
    let mut s = r.window.timeframe.clone();
    if let Some(run) = r.window.run_id {
        if !s.starts_with("run ") {
            s.push_str(&format!(" (run {run})"));
        }
    }
    if let (Some(a), Some(b)) = (r.window.from_ns, r.window.to_ns) {
        s.push_str(&format!(
            ", samples {} to {}",
            super::numfmt::time(a),
            super::numfmt::time(b)
        ));
    }
    s
}

/// The JSON spelling of a trend direction.
pub fn direction_name(d: TrendDirection) -> &'static str {
    match d {
        TrendDirection::Increasing => "increasing",
        TrendDirection::Decreasing => "decreasing",
        TrendDirection::Stable => "stable",
    }
}

/// Standard base64 (RFC 4648 §4, with padding), for embedding a flamegraph as a data URI.
pub fn base64(bytes: &[u8]) -> String {
    const ABC: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let b = [
            chunk[0],
            *chunk.get(1).unwrap_or(&0),
            *chunk.get(2).unwrap_or(&0),
        ];
        let n = u32::from(b[0]) << 16 | u32::from(b[1]) << 8 | u32::from(b[2]);
        for (i, shift) in [18, 12, 6, 0].into_iter().enumerate() {
            if i <= chunk.len() {
                out.push(ABC[(n >> shift & 63) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn base64_matches_rfc_4648_test_vectors() {
        for (plain, coded) in [
            ("", ""),
            ("f", "Zg=="),
            ("fo", "Zm8="),
            ("foo", "Zm9v"),
            ("foob", "Zm9vYg=="),
            ("fooba", "Zm9vYmE="),
            ("foobar", "Zm9vYmFy"),
        ] {
            assert_eq!(super::base64(plain.as_bytes()), coded);
        }
    }
}
