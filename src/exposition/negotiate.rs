//! Content negotiation: the exposition format a scraper's `Accept` header asks for.
//!
//! Prometheus sends, for example,
//! `application/openmetrics-text;version=1.0.0,application/openmetrics-text;version=0.0.1;q=0.75,text/plain;version=0.0.4;q=0.5,*/*;q=0.1`.
//! Each media range is weighed by its `q` (default 1); the highest-weighted range that names a
//! format we write wins (ties: the first listed), and `*/*`, `text/*` or no header at all
//! mean the 0.0.4 text format, which every scraper reads.

use super::encode::Format;

/// The format to answer a request carrying `accept` with.
pub fn negotiate(accept: Option<&str>) -> Format {
    let Some(accept) = accept else {
        return Format::Text;
    };
    let mut best: Option<(f64, Format)> = None;
    for range in accept.split(',') {
        let mut parts = range.split(';');
        let media = parts.next().unwrap_or("").trim().to_ascii_lowercase();
        let mut q = 1.0;
        for param in parts {
            if let Some((k, v)) = param.split_once('=') {
                if k.trim().eq_ignore_ascii_case("q") {
                    q = v
                        .trim()
                        .parse::<f64>()
                        .ok()
                        .filter(|q| q.is_finite())
                        .unwrap_or(0.0);
                }
            }
        }
        let format = match media.as_str() {
            "application/openmetrics-text" => Format::OpenMetrics,
            "text/plain" | "text/*" | "*/*" => Format::Text,
            _ => continue,
        };
        if q > 0.0 && best.map_or(true, |(bq, _)| q > bq) {
            best = Some((q, format));
        }
    }
    best.map_or(Format::Text, |(_, f)| f)
}

#[cfg(test)]
mod tests {
    use super::*;

    const PROMETHEUS_2: &str = "application/openmetrics-text;version=1.0.0,application/openmetrics-text;version=0.0.1;q=0.75,text/plain;version=0.0.4;q=0.5,*/*;q=0.1";

    #[test]
    fn prometheus_gets_openmetrics() {
        assert_eq!(negotiate(Some(PROMETHEUS_2)), Format::OpenMetrics);
    }

    #[test]
    fn plain_clients_get_text() {
        assert_eq!(negotiate(None), Format::Text);
        assert_eq!(negotiate(Some("*/*")), Format::Text);
        assert_eq!(negotiate(Some("text/plain;version=0.0.4")), Format::Text);
        assert_eq!(negotiate(Some("application/json")), Format::Text);
        assert_eq!(negotiate(Some("")), Format::Text);
    }

    #[test]
    fn weights_decide_and_zero_refuses() {
        let a = "text/plain;q=0.9, application/openmetrics-text;q=0.5";
        assert_eq!(negotiate(Some(a)), Format::Text);
        let b = "text/plain;q=0.2, Application/OpenMetrics-Text ; q=0.8";
        assert_eq!(negotiate(Some(b)), Format::OpenMetrics);
        let c = "application/openmetrics-text;q=0, text/plain";
        assert_eq!(negotiate(Some(c)), Format::Text);
        let d = "application/openmetrics-text;q=junk";
        assert_eq!(negotiate(Some(d)), Format::Text);
    }

    proptest::proptest! {
        #[test]
        fn any_header_gets_an_answer(s in "\\PC{0,80}") {
            let _ = negotiate(Some(&s));
        }
    }
}
