//! Pushing families to a Prometheus Pushgateway: `PUT {base}/metrics/job/{job}/{label}/{value}…`
//! with the 0.0.4 text body. `PUT` replaces every metric of the grouping key, so a group
//! holds exactly what its last push sent.
//!
//! Grouping values go into the path percent-encoded; a value with a `/` (or an empty one) uses
//! the Pushgateway's `label@base64/<base64url>` form, as its documentation asks.

use std::time::Duration;

use super::encode::{encode, Format};
use super::model::Family;
use super::names::label_name;

/// How long one push may take.
const PUSH_TIMEOUT: Duration = Duration::from_secs(30);

/// A push failed.
#[derive(Debug, thiserror::Error)]
pub enum PushError {
    /// The Pushgateway URL is not usable.
    #[error("invalid Pushgateway URL '{url}': {reason}; expected http://HOST:PORT, e.g. http://127.0.0.1:9091")]
    InvalidUrl {
        /// The URL as given (shortened).
        url: String,
        /// Why.
        reason: &'static str,
    },
    /// The request could not be made.
    #[error("cannot push to {url}: {message}")]
    Transport {
        /// The push URL.
        url: String,
        /// The client's error.
        message: String,
    },
    /// The Pushgateway refused the push.
    #[error("the Pushgateway at {url} answered {status}: {body}")]
    Refused {
        /// The push URL.
        url: String,
        /// HTTP status.
        status: u16,
        /// Its answer (shortened).
        body: String,
    },
}

fn short(s: &str) -> String {
    let mut out: String = s.chars().take(200).collect();
    if out.len() < s.len() {
        out.push('…');
    }
    out
}

/// A checked Pushgateway base URL (`http://host:port[/prefix]`, no trailing `/`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PushTarget {
    base: String,
}

impl PushTarget {
    /// Checks `url`: plain `http://` with a host; `https://` is refused (this build has no
    /// TLS), as are query strings and fragments.
    pub fn parse(url: &str) -> Result<PushTarget, PushError> {
        let bad = |reason| PushError::InvalidUrl {
            url: short(url),
            reason,
        };
        let rest = if let Some(rest) = url.strip_prefix("http://") {
            rest
        } else if url.starts_with("https://") {
            return Err(bad(
                "https is not supported by this build (plain http only)",
            ));
        } else {
            return Err(bad("it must start with http://"));
        };
        let host = rest.split('/').next().unwrap_or("");
        if host.is_empty() {
            return Err(bad("it names no host"));
        }
        if url.contains(['?', '#']) || url.chars().any(|c| c.is_whitespace() || c.is_control()) {
            return Err(bad("query strings, fragments and spaces are not allowed"));
        }
        Ok(PushTarget {
            base: url.trim_end_matches('/').to_owned(),
        })
    }

    /// The URL of the group `grouping` (`job` first).
    pub fn group_url(&self, grouping: &[(&str, &str)]) -> String {
        let mut url = format!("{}/metrics", self.base);
        for (k, v) in grouping {
            url.push('/');
            url.push_str(&label_name(k));
            if v.is_empty() || v.contains('/') {
                url.push_str("@base64/");
                url.push_str(&base64url(v.as_bytes()));
            } else {
                url.push('/');
                percent_encode(&mut url, v);
            }
        }
        url
    }
}

/// Replaces the group `grouping` (`job` first, then e.g. `instance`) with `families`.
pub fn push(
    target: &PushTarget,
    grouping: &[(&str, &str)],
    families: &[Family],
) -> Result<(), PushError> {
    let url = target.group_url(grouping);
    let mut body = Vec::with_capacity(16 * 1024);
    encode(families, Format::Text, &mut body);
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .timeout_global(Some(PUSH_TIMEOUT))
        .http_status_as_error(false)
        .build()
        .into();
    let transport = |e: ureq::Error| PushError::Transport {
        url: url.clone(),
        message: e.to_string(),
    };
    let mut response = agent
        .put(&url)
        .header("Content-Type", Format::Text.content_type())
        .send(&body[..])
        .map_err(transport)?;
    let status = response.status().as_u16();
    if (200..300).contains(&status) {
        return Ok(());
    }
    let text = response.body_mut().read_to_string().unwrap_or_default();
    Err(PushError::Refused {
        url: url.clone(),
        status,
        body: short(text.trim()),
    })
}

/// This host's name (the usual Pushgateway `instance`), or `localhost` when it cannot be read.
pub fn hostname() -> String {
    let mut buf = [0u8; 256];
    // SAFETY: the buffer is valid for `buf.len()` bytes; gethostname NUL-terminates within it
    // or truncates, and the last byte stays 0 either way.
    let rc = unsafe { libc::gethostname(buf.as_mut_ptr().cast(), buf.len() - 1) };
    let end = buf.iter().position(|&b| b == 0).unwrap_or(0);
    match std::str::from_utf8(&buf[..end]) {
        Ok(name) if rc == 0 && !name.is_empty() => name.to_owned(),
        _ => "localhost".to_owned(),
    }
}

fn percent_encode(out: &mut String, v: &str) {
    for b in v.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
}

/// RFC 4648 §5 base64url with padding (what the Pushgateway decodes; `""` is `=`).
fn base64url(bytes: &[u8]) -> String {
    const ABC: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    if bytes.is_empty() {
        return "=".into();
    }
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let n = chunk
            .iter()
            .enumerate()
            .fold(0u32, |n, (i, &b)| n | (b as u32) << (16 - 8 * i));
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(ABC[(n >> (18 - 6 * i) & 63) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_are_checked() {
        assert!(PushTarget::parse("http://127.0.0.1:9091").is_ok());
        assert_eq!(
            PushTarget::parse("http://gw:9091/prefix/")
                .unwrap()
                .group_url(&[("job", "f0")]),
            "http://gw:9091/prefix/metrics/job/f0"
        );
        for bad in [
            "127.0.0.1:9091",
            "https://gw",
            "http://",
            "http:///x",
            "http://gw/?a=b",
            "http://g w",
        ] {
            let e = PushTarget::parse(bad).unwrap_err().to_string();
            assert!(
                e.contains("invalid Pushgateway URL") && e.contains("expected http://"),
                "{e}"
            );
        }
    }

    #[test]
    fn grouping_values_are_escaped() {
        let t = PushTarget::parse("http://gw:9091").unwrap();
        let url = t.group_url(&[
            ("job", "nightly build"),
            ("instance", "a/b"),
            ("host.name", ""),
            ("x", "ü"),
        ]);
        assert_eq!(
            url,
            "http://gw:9091/metrics/job/nightly%20build/instance@base64/YS9i/host_name@base64/=/x/%C3%BC"
        );
    }

    #[test]
    fn base64url_matches_rfc4648() {
        let cases = [
            ("f", "Zg=="),
            ("fo", "Zm8="),
            ("foo", "Zm9v"),
            ("foob", "Zm9vYg=="),
            ("\u{ff}\u{fe}", "w7_Dvg=="),
        ];
        for (input, want) in cases {
            assert_eq!(base64url(input.as_bytes()), want, "{input:?}");
        }
    }
}
