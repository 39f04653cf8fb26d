//! HTTP and HTTPS GET probes through [`ureq`] (rustls, Mozilla's root certificates; no
//! OpenSSL), plus the plain TCP connect probe.
//!
//! A probe opens a fresh connection (no pooling, no proxy, no redirects, no compression), sends
//! one GET, reads the status and then at most [`MAX_BODY`] bytes of the body, so the measured
//! duration covers the whole response. Besides the total it reports the phases the connection
//! goes through, each measured from the start of the probe: TCP connected, TLS handshake done
//! (HTTPS only) and response headers received ("first byte"). The timeout bounds the connect
//! (with the handshake), sending the request, waiting for the response and reading the body,
//! each; running out says `timed out after 2s (waiting for the response)`.
//!
//! Certificate problems fail the probe with rustls's reason (`invalid peer certificate:
//! UnknownIssuer`, `... NotValidForName`, expired ...). Only an endpoint marked
//! `insecure: true` skips verification; nothing else turns it off.

use std::io::Read;
use std::net::{SocketAddr, TcpStream, ToSocketAddrs};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use ureq::unversioned::resolver::DefaultResolver;
use ureq::unversioned::transport::{
    ConnectionDetails, Connector, RustlsConnector, TcpConnector, Transport,
};

/// Most body bytes a probe reads.
pub const MAX_BODY: usize = 16 << 20;

/// An `http://` or `https://` URL split for a request.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct HttpUrl {
    /// `https` (TLS) rather than `http`.
    pub tls: bool,
    /// Host name or address (IPv6 without brackets).
    pub host: String,
    /// Port (default 80, or 443 for https).
    pub port: u16,
    /// Path and query, starting with `/`.
    pub path: String,
}

impl HttpUrl {
    /// Parses `http[s]://host[:port][/path]`; refuses other schemes and credentials.
    pub fn parse(url: &str) -> Result<HttpUrl, String> {
        let lower = url.to_ascii_lowercase();
        let (tls, rest) = if lower.starts_with("https://") {
            (true, &url[8..])
        } else if lower.starts_with("http://") {
            (false, &url[7..])
        } else {
            return Err(format!("{url:?}: expected an http:// or https:// URL"));
        };
        let (authority, path) = match rest.find(['/', '?']) {
            Some(i) if rest[i..].starts_with('/') => (&rest[..i], rest[i..].to_owned()),
            Some(i) => (&rest[..i], format!("/{}", &rest[i..])),
            None => (rest, "/".to_owned()),
        };
        if authority.contains('@') {
            return Err(format!("{url:?}: credentials in URLs are not supported"));
        }
        let default = if tls { 443 } else { 80 };
        let (host, port) =
            split_host_port(authority, default).map_err(|e| format!("{url:?}: {e}"))?;
        Ok(HttpUrl {
            tls,
            host,
            port,
            path,
        })
    }

    /// The URL in its normal form, `scheme://host:port/path` (IPv6 hosts bracketed).
    pub fn normalized(&self) -> String {
        let scheme = if self.tls { "https" } else { "http" };
        let host = if self.host.contains(':') {
            format!("[{}]", self.host)
        } else {
            self.host.clone()
        };
        format!("{scheme}://{host}:{}{}", self.port, self.path)
    }
}

/// Splits `host[:port]` (IPv6 as `[::1]:port`), with `default` when no port is given.
pub fn split_host_port(s: &str, default: u16) -> Result<(String, u16), String> {
    let (host, port) = if let Some(rest) = s.strip_prefix('[') {
        let (h, after) = rest
            .split_once(']')
            .ok_or_else(|| "unclosed '[' in host".to_owned())?;
        match after.strip_prefix(':') {
            Some(p) => (h, Some(p)),
            None if after.is_empty() => (h, None),
            None => return Err(format!("unexpected {after:?} after the host")),
        }
    } else {
        match s.rsplit_once(':') {
            Some((h, p)) if !h.contains(':') => (h, Some(p)),
            _ => (s, None),
        }
    };
    if host.is_empty() {
        return Err("the host is empty".into());
    }
    let port = match port {
        None => default,
        Some(p) => match p.parse::<u16>() {
            Ok(n) if n > 0 => n,
            _ => return Err(format!("port {p:?} is not a number from 1 to 65535")),
        },
    };
    Ok((host.to_owned(), port))
}

/// When each phase of a probe ended, measured from its start.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Phases {
    /// TCP connection established.
    pub connect: Option<Duration>,
    /// TLS handshake complete (HTTPS only).
    pub tls: Option<Duration>,
    /// Status line and headers received.
    pub first_byte: Option<Duration>,
}

/// What a GET returned.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HttpResponse {
    /// Status code.
    pub status: u16,
    /// Body bytes read.
    pub body_bytes: usize,
    /// Connect + request + whole response.
    pub elapsed: Duration,
    /// When the phases ended.
    pub phases: Phases,
}

/// Why a GET failed: a message for people and a short kind for the `error_type` field.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct HttpError {
    /// E.g. `timed out after 2s (waiting for the response)`.
    pub message: String,
    /// E.g. `TimedOut`, `Tls`, `ConnectionRefused`, `HostNotFound`.
    pub kind: String,
}

/// Records when the connector chain passes a point (after TCP, after TLS).
#[derive(Debug, Clone, Default)]
struct Mark(Arc<Mutex<Option<Instant>>>);

impl Mark {
    fn take(&self) -> Option<Instant> {
        self.0.lock().unwrap_or_else(PoisonError::into_inner).take()
    }
}

impl<In: Transport> Connector<In> for Mark {
    type Out = In;

    fn connect(
        &self,
        _: &ConnectionDetails,
        chained: Option<In>,
    ) -> Result<Option<In>, ureq::Error> {
        if chained.is_some() {
            *self.0.lock().unwrap_or_else(PoisonError::into_inner) = Some(Instant::now());
        }
        Ok(chained)
    }
}

/// A reusable GET client for one endpoint (its timeout and certificate policy).
#[derive(Debug)]
pub struct HttpClient {
    agent: ureq::Agent,
    timeout: Duration,
    tcp_done: Mark,
    tls_done: Mark,
}

impl HttpClient {
    /// A client whose every phase is bounded by `timeout`; `insecure` skips certificate checks.
    pub fn new(timeout: Duration, insecure: bool) -> HttpClient {
        let tls = ureq::tls::TlsConfig::builder()
            .provider(ureq::tls::TlsProvider::Rustls)
            .disable_verification(insecure)
            .build();
        let config = ureq::Agent::config_builder()
            .http_status_as_error(false)
            .max_redirects(0)
            .max_idle_connections(0)
            .proxy(None)
            .user_agent("f0-collect")
            .timeout_connect(Some(timeout))
            .timeout_send_request(Some(timeout))
            .timeout_recv_response(Some(timeout))
            .timeout_recv_body(Some(timeout))
            .tls_config(tls)
            .build();
        let (tcp_done, tls_done) = (Mark::default(), Mark::default());
        let connector = TcpConnector::default()
            .chain(tcp_done.clone())
            .chain(RustlsConnector::default())
            .chain(tls_done.clone());
        // ureq's default chain for http and https (TCP, then rustls), with a mark after each.
        let agent = ureq::Agent::with_parts(config, connector, DefaultResolver::default());
        HttpClient {
            agent,
            timeout,
            tcp_done,
            tls_done,
        }
    }

    /// Sends a GET for `url` and reads the response.
    pub fn get(&self, url: &HttpUrl) -> Result<HttpResponse, HttpError> {
        self.tcp_done.take();
        self.tls_done.take();
        let start = Instant::now();
        let mut response = self
            .agent
            .get(url.normalized())
            .header("Accept", "*/*")
            .call()
            .map_err(|e| self.error(e, url.tls))?;
        let first_byte = start.elapsed();
        let mut reader = response.body_mut().as_reader().take(MAX_BODY as u64);
        let body_bytes = std::io::copy(&mut reader, &mut std::io::sink())
            .map_err(|e| self.error(ureq::Error::Io(e), false))? as usize;
        let since = |m: Option<Instant>| m.map(|t| t.saturating_duration_since(start));
        let (tcp, tls) = (since(self.tcp_done.take()), since(self.tls_done.take()));
        Ok(HttpResponse {
            status: response.status().as_u16(),
            body_bytes,
            elapsed: start.elapsed(),
            phases: Phases {
                connect: tcp,
                // The TLS mark is passed on plain connections too; it only means TLS for https.
                tls: tls.filter(|_| url.tls),
                first_byte: Some(first_byte),
            },
        })
    }

    /// Names a failure; `tls` says the connection was to be TLS (so an I/O error between the
    /// TCP mark and the TLS mark is the handshake: rustls reports certificate problems so).
    fn error(&self, e: ureq::Error, tls: bool) -> HttpError {
        let (tcp_done, tls_done) = (self.tcp_done.take(), self.tls_done.take());
        let in_handshake = tls && tcp_done.is_some() && tls_done.is_none();
        let (message, kind) = match &e {
            ureq::Error::Timeout(phase) => (
                format!(
                    "timed out after {:?} ({})",
                    self.timeout,
                    phase_name(*phase)
                ),
                "TimedOut".to_owned(),
            ),
            ureq::Error::Io(io) if is_timeout(io) => (
                format!("timed out after {:?} ({io})", self.timeout),
                "TimedOut".to_owned(),
            ),
            ureq::Error::Io(io) if in_handshake => (format!("TLS: {io}"), "Tls".to_owned()),
            ureq::Error::Io(io) => (io.to_string(), format!("{:?}", io.kind())),
            ureq::Error::Rustls(tls) => (format!("TLS: {tls}"), "Tls".to_owned()),
            ureq::Error::HostNotFound => ("host not found".to_owned(), "HostNotFound".to_owned()),
            ureq::Error::ConnectionFailed => (
                "connection failed".to_owned(),
                "ConnectionFailed".to_owned(),
            ),
            other => (other.to_string(), "Http".to_owned()),
        };
        HttpError { message, kind }
    }
}

fn is_timeout(e: &std::io::Error) -> bool {
    matches!(
        e.kind(),
        std::io::ErrorKind::TimedOut | std::io::ErrorKind::WouldBlock
    )
}

fn phase_name(t: ureq::Timeout) -> &'static str {
    match t {
        ureq::Timeout::Resolve => "resolving the host",
        ureq::Timeout::Connect => "connecting",
        ureq::Timeout::SendRequest | ureq::Timeout::SendBody => "sending the request",
        ureq::Timeout::RecvResponse => "waiting for the response",
        ureq::Timeout::RecvBody => "reading the body",
        _ => "in the exchange",
    }
}

/// Resolves `host:port` and connects to the first address that accepts, within `timeout`
/// per address.
pub fn connect(host: &str, port: u16, timeout: Duration) -> std::io::Result<TcpStream> {
    let addrs: Vec<SocketAddr> = (host, port).to_socket_addrs()?.collect();
    let mut last = std::io::Error::new(
        std::io::ErrorKind::NotFound,
        format!("{host} resolves to no address"),
    );
    for a in addrs {
        match TcpStream::connect_timeout(&a, timeout) {
            Ok(s) => return Ok(s),
            Err(e) if e.kind() == std::io::ErrorKind::TimedOut => {
                last = std::io::Error::new(
                    std::io::ErrorKind::TimedOut,
                    format!("timed out after {timeout:?} (connecting to {a})"),
                )
            }
            Err(e) => last = e,
        }
    }
    Err(last)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;
    use std::net::TcpListener;

    #[test]
    fn parses_http_and_https_urls() {
        let u = HttpUrl::parse("http://127.0.0.1:8080/health?x=1").unwrap();
        assert_eq!(
            (u.tls, u.host.as_str(), u.port, u.path.as_str()),
            (false, "127.0.0.1", 8080, "/health?x=1")
        );
        let u = HttpUrl::parse("http://localhost").unwrap();
        assert_eq!((u.port, u.path.as_str()), (80, "/"));
        let u = HttpUrl::parse("HTTPS://example.com").unwrap();
        assert_eq!((u.tls, u.port), (true, 443));
        assert_eq!(u.normalized(), "https://example.com:443/");
        let u = HttpUrl::parse("http://[::1]:81?q").unwrap();
        assert_eq!(
            (u.host.as_str(), u.port, u.path.as_str()),
            ("::1", 81, "/?q")
        );
        assert_eq!(u.normalized(), "http://[::1]:81/?q");
        assert!(HttpUrl::parse("ftp://x/").is_err());
        assert!(HttpUrl::parse("http://:80/").is_err());
        assert!(HttpUrl::parse("https://u:p@h/").is_err());
        assert!(HttpUrl::parse("http://h:99999/")
            .unwrap_err()
            .contains("99999"));
    }

    #[test]
    fn bracketed_ipv6_hosts_take_a_port_or_nothing_after_the_bracket() {
        assert_eq!(split_host_port("[::1]", 80), Ok(("::1".to_owned(), 80)));
        assert_eq!(
            split_host_port("[::1]:8080", 80),
            Ok(("::1".to_owned(), 8080))
        );
        assert_eq!(
            split_host_port("[::1]x", 80),
            Err("unexpected \"x\" after the host".to_owned())
        );
        assert_eq!(
            split_host_port("[::1", 80),
            Err("unclosed '[' in host".to_owned())
        );
        let e = HttpUrl::parse("http://[::1]x/").unwrap_err();
        assert!(
            e.contains("\"http://[::1]x/\"") && e.contains("after the host"),
            "{e}"
        );
    }

    /// Reads until the end of the request headers (closing with unread input would reset).
    fn read_request(c: &mut std::net::TcpStream) {
        let mut req = Vec::new();
        let mut b = [0u8; 1024];
        while !req.windows(4).any(|w| w == b"\r\n\r\n") {
            match c.read(&mut b) {
                Ok(0) | Err(_) => break,
                Ok(n) => req.extend_from_slice(&b[..n]),
            }
        }
    }

    fn serve_once(response: &'static [u8]) -> u16 {
        let l = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = l.local_addr().unwrap().port();
        std::thread::spawn(move || {
            let (mut c, _) = l.accept().unwrap();
            read_request(&mut c);
            c.write_all(response).unwrap();
        });
        port
    }

    #[test]
    fn reads_status_and_body_from_a_loopback_server() {
        let client = HttpClient::new(Duration::from_secs(2), false);
        let port = serve_once(b"HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello");
        let u = HttpUrl::parse(&format!("http://127.0.0.1:{port}/")).unwrap();
        let r = client.get(&u).unwrap();
        assert_eq!((r.status, r.body_bytes), (200, 5));
        let p = r.phases;
        assert!(p.connect.is_some() && p.tls.is_none());
        assert!(p.connect <= p.first_byte && p.first_byte.unwrap() <= r.elapsed);
        let port = serve_once(b"HTTP/1.0 503 Service Unavailable\r\n\r\nbusy busy");
        let u = HttpUrl::parse(&format!("http://127.0.0.1:{port}/x")).unwrap();
        let r = client.get(&u).unwrap();
        assert_eq!((r.status, r.body_bytes), (503, 9));
        let port = serve_once(b"garbage\r\n\r\n");
        let u = HttpUrl::parse(&format!("http://127.0.0.1:{port}/")).unwrap();
        assert!(client.get(&u).is_err());
    }
}
