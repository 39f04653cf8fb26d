//! A minimal HTTP/1.1 GET over a plain `TcpStream`, for latency probes: no TLS (an
//! `https://` URL is refused with a clear message), no redirects, `Connection: close`.
//!
//! The probe connects (with a timeout), sends one request, reads the status line, then
//! reads the rest of the response — `Content-Length` bytes of body when given, otherwise
//! until the server closes — so the measured duration covers the whole response. At most
//! [`MAX_BODY`] body bytes are read.

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream, ToSocketAddrs};
use std::time::{Duration, Instant};

/// Most body bytes a probe reads.
pub const MAX_BODY: usize = 16 << 20;

/// An `http://` URL split for a request.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct HttpUrl {
    /// Host name or address (IPv6 without brackets).
    pub host: String,
    /// Port (default 80).
    pub port: u16,
    /// Path and query, starting with `/`.
    pub path: String,
}

impl HttpUrl {
    /// Parses `http://host[:port][/path]`; refuses `https://` and other schemes.
    pub fn parse(url: &str) -> Result<HttpUrl, String> {
        let lower = url.to_ascii_lowercase();
        if lower.starts_with("https://") {
            return Err(format!(
                "{url:?}: https is not supported (f0 has no TLS); use an http:// URL or a host:port TCP probe"
            ));
        }
        let rest = lower
            .starts_with("http://")
            .then(|| &url[7..])
            .ok_or_else(|| format!("{url:?}: expected an http:// URL"))?;
        let (authority, path) = match rest.find(['/', '?']) {
            Some(i) if rest[i..].starts_with('/') => (&rest[..i], rest[i..].to_owned()),
            Some(i) => (&rest[..i], format!("/{}", &rest[i..])),
            None => (rest, "/".to_owned()),
        };
        if authority.contains('@') {
            return Err(format!("{url:?}: credentials in URLs are not supported"));
        }
        let (host, port) = split_host_port(authority, 80).map_err(|e| format!("{url:?}: {e}"))?;
        Ok(HttpUrl { host, port, path })
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

/// What a GET returned.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HttpResponse {
    /// Status code.
    pub status: u16,
    /// Body bytes read.
    pub body_bytes: usize,
    /// Connect + request + whole response.
    pub elapsed: Duration,
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
            Err(e) => last = e,
        }
    }
    Err(last)
}

/// Sends a GET for `url` and reads the response; `timeout` bounds the connect and each read.
pub fn get(url: &HttpUrl, timeout: Duration) -> std::io::Result<HttpResponse> {
    let start = Instant::now();
    let mut s = connect(&url.host, url.port, timeout)?;
    s.set_read_timeout(Some(timeout))?;
    s.set_write_timeout(Some(timeout))?;
    let host = if url.host.contains(':') {
        format!("[{}]", url.host)
    } else {
        url.host.clone()
    };
    let host = if url.port == 80 {
        host
    } else {
        format!("{host}:{}", url.port)
    };
    // One write: a request split over several segments can race the server's close.
    let request = format!(
        "GET {} HTTP/1.1\r\nHost: {host}\r\nUser-Agent: f0-collect\r\nAccept: */*\r\nConnection: close\r\n\r\n",
        url.path
    );
    s.write_all(request.as_bytes())?;
    let mut buf = Vec::with_capacity(4096);
    let mut chunk = [0u8; 8192];
    let head_end = loop {
        if let Some(i) = find(&buf, b"\r\n\r\n") {
            break i + 4;
        }
        if buf.len() > 64 * 1024 {
            return Err(bad("response headers longer than 64 KiB"));
        }
        let n = s.read(&mut chunk)?;
        if n == 0 {
            return Err(bad("connection closed before the response headers ended"));
        }
        buf.extend_from_slice(&chunk[..n]);
    };
    let head = String::from_utf8_lossy(&buf[..head_end]).into_owned();
    let status = parse_status(&head)?;
    let length = content_length(&head);
    let mut body = buf.len() - head_end;
    while length.map_or(true, |l| body < l) && body < MAX_BODY {
        let n = s.read(&mut chunk)?;
        if n == 0 {
            break;
        }
        body += n;
    }
    Ok(HttpResponse {
        status,
        body_bytes: length.map_or(body, |l| body.min(l)),
        elapsed: start.elapsed(),
    })
}

fn bad(msg: &str) -> std::io::Error {
    std::io::Error::new(std::io::ErrorKind::InvalidData, msg.to_owned())
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}

fn parse_status(head: &str) -> std::io::Result<u16> {
    let line = head.lines().next().unwrap_or("");
    let mut parts = line.split_whitespace();
    match (
        parts.next(),
        parts.next().and_then(|c| c.parse::<u16>().ok()),
    ) {
        (Some(v), Some(code)) if v.starts_with("HTTP/") => Ok(code),
        _ => Err(bad(&format!("not an HTTP status line: {line:?}"))),
    }
}

fn content_length(head: &str) -> Option<usize> {
    head.lines().skip(1).find_map(|l| {
        let (k, v) = l.split_once(':')?;
        k.trim()
            .eq_ignore_ascii_case("content-length")
            .then(|| v.trim().parse().ok())?
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::net::TcpListener;

    #[test]
    fn parses_urls_and_refuses_https() {
        let u = HttpUrl::parse("http://127.0.0.1:8080/health?x=1").unwrap();
        assert_eq!(
            (u.host.as_str(), u.port, u.path.as_str()),
            ("127.0.0.1", 8080, "/health?x=1")
        );
        let u = HttpUrl::parse("http://localhost").unwrap();
        assert_eq!((u.port, u.path.as_str()), (80, "/"));
        let u = HttpUrl::parse("http://[::1]:81?q").unwrap();
        assert_eq!(
            (u.host.as_str(), u.port, u.path.as_str()),
            ("::1", 81, "/?q")
        );
        let e = HttpUrl::parse("https://example.com/").unwrap_err();
        assert!(e.contains("https is not supported"), "{e}");
        assert!(HttpUrl::parse("ftp://x/").is_err());
        assert!(HttpUrl::parse("http://:80/").is_err());
        assert!(HttpUrl::parse("http://h:99999/")
            .unwrap_err()
            .contains("99999"));
    }

    /// Reads until the end of the request headers (closing with unread input would reset).
    fn read_request(c: &mut std::net::TcpStream) {
        let mut req = Vec::new();
        let mut b = [0u8; 1024];
        while find(&req, b"\r\n\r\n").is_none() {
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
        let port = serve_once(b"HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello");
        let u = HttpUrl::parse(&format!("http://127.0.0.1:{port}/")).unwrap();
        let r = get(&u, Duration::from_secs(2)).unwrap();
        assert_eq!((r.status, r.body_bytes), (200, 5));
        let port = serve_once(b"HTTP/1.0 503 Service Unavailable\r\n\r\nbusy busy");
        let u = HttpUrl::parse(&format!("http://127.0.0.1:{port}/x")).unwrap();
        let r = get(&u, Duration::from_secs(2)).unwrap();
        assert_eq!((r.status, r.body_bytes), (503, 9));
        let port = serve_once(b"garbage\r\n\r\n");
        let u = HttpUrl::parse(&format!("http://127.0.0.1:{port}/")).unwrap();
        assert!(get(&u, Duration::from_secs(2)).is_err());
    }
}
