//! HTTPS endpoints of the network collector (issue 13, item 10) against a loopback TLS server
//! whose self-signed certificate is made here with rcgen; and the timeout message of an
//! unresponsive endpoint (item 8).

use std::io::{Read, Write};
use std::net::TcpListener;
use std::sync::Arc;
use std::time::Duration;

use framework0::collect::http::{HttpClient, HttpUrl};

use crate::util::collect::{collect, recipe, samples, summary};
use crate::util::Scratch;

/// Reads a request's headers (closing with unread input would reset the connection).
fn read_request(c: &mut impl Read) {
    let mut req = Vec::new();
    let mut buf = [0u8; 2048];
    while !req.windows(4).any(|w| w == b"\r\n\r\n") {
        match c.read(&mut buf) {
            Ok(0) | Err(_) => break,
            Ok(n) => req.extend_from_slice(&buf[..n]),
        }
    }
}

/// A TLS server on 127.0.0.1 answering `n` connections with `200 OK` and a 5-byte body, with a
/// fresh self-signed certificate for `localhost` and 127.0.0.1.
fn serve_tls(n: usize) -> u16 {
    let cert =
        rcgen::generate_simple_self_signed(vec!["localhost".into(), "127.0.0.1".into()]).unwrap();
    let chain = vec![cert.cert.der().clone()];
    let key = rustls::pki_types::PrivateKeyDer::Pkcs8(cert.signing_key.serialize_der().into());
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let config = rustls::ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_no_client_auth()
        .with_single_cert(chain, key)
        .unwrap();
    let config = Arc::new(config);
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    std::thread::spawn(move || {
        for tcp in listener.incoming().take(n) {
            let Ok(tcp) = tcp else { continue };
            let conn = rustls::ServerConnection::new(Arc::clone(&config)).unwrap();
            let mut tls = rustls::StreamOwned::new(conn, tcp);
            // A client that refuses the certificate aborts the handshake here: not an error.
            read_request(&mut tls);
            let _ = tls.write_all(b"HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello");
            let _ = tls.flush();
            tls.conn.send_close_notify();
            let _ = tls.flush();
        }
    });
    port
}

#[test]
fn a_self_signed_certificate_is_reported_not_silently_accepted() {
    let port = serve_tls(1);
    let url = HttpUrl::parse(&format!("https://127.0.0.1:{port}/health")).unwrap();
    let err = HttpClient::new(Duration::from_secs(5), false)
        .get(&url)
        .unwrap_err();
    assert_eq!(err.kind, "Tls");
    assert!(
        err.message.contains("invalid peer certificate") && err.message.contains("UnknownIssuer"),
        "{err}"
    );
}

#[test]
fn insecure_true_accepts_the_certificate_and_times_every_phase() {
    let port = serve_tls(1);
    let url = HttpUrl::parse(&format!("https://127.0.0.1:{port}/")).unwrap();
    let r = HttpClient::new(Duration::from_secs(5), true)
        .get(&url)
        .unwrap();
    assert_eq!((r.status, r.body_bytes), (200, 5));
    let (connect, tls, first) = (
        r.phases.connect.unwrap(),
        r.phases.tls.unwrap(),
        r.phases.first_byte.unwrap(),
    );
    assert!(
        connect <= tls && tls <= first && first <= r.elapsed,
        "{r:?}"
    );
}

#[test]
fn https_endpoints_are_probed_by_a_recipe_with_phases_and_certificate_errors() {
    // Broke: `https://` was refused at validation ("f0 has no TLS").
    let s = Scratch::new();
    let (strict, lax) = (serve_tls(1), serve_tls(1));
    let r = recipe(
        &s,
        &[collect(
            "net",
            1,
            &format!(
                "duration: 200ms, collectors: {{network: {{timeout: 5s, endpoints: ['https://127.0.0.1:{strict}/', {{url: 'https://127.0.0.1:{lax}/ok', insecure: true}}]}}}}"
            ),
            "",
        )],
    );
    let (code, j) = s.run_json(&r, &[]);
    assert_eq!(
        code, 0,
        "an optional endpoint's failure is only recorded: {j}"
    );
    let h = samples(&s, "http_request_duration");
    assert_eq!(h.len(), 2, "{h:?}");
    let by_url = |port: u16, path: &str| {
        let url = format!("https://127.0.0.1:{port}{path}");
        h.iter().find(|r| r.1["url"] == url).cloned().unwrap()
    };
    assert_eq!(by_url(strict, "/").1["status"], "error");
    let ok = by_url(lax, "/ok");
    assert_eq!(
        (ok.1["status"].as_str(), ok.1["status_code"].as_str()),
        ("success", "200")
    );
    for phase in [
        "http_connect_duration",
        "http_tls_duration",
        "http_first_byte_duration",
    ] {
        let rows = samples(&s, phase);
        assert_eq!(rows.len(), 1, "{phase}: one successful https probe");
        assert!(
            rows[0].0 >= 0.0 && rows[0].0 <= ok.0,
            "{phase} within the total"
        );
    }
    let eps = &summary(&s)["collectors"]["network"]["endpoints"];
    let last_error = eps[0]["last_error"].as_str().unwrap();
    assert!(last_error.contains("UnknownIssuer"), "{last_error}");
    assert!(eps[1]["last_error"].is_null(), "{}", eps[1]);
}

#[test]
fn insecure_is_refused_where_there_is_no_certificate() {
    let s = Scratch::new();
    let r = recipe(
        &s,
        &[collect(
            "net",
            1,
            "duration: 100ms, collectors: {network: {endpoints: [{url: 'http://127.0.0.1:1/', insecure: true}]}}",
            "",
        )],
    );
    let out = s.run(&["validate", r.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1));
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("collectors.network.endpoints[0].insecure")
            && text.contains("applies to https:// URLs only"),
        "{text}"
    );
}

#[test]
fn an_unresponsive_http_endpoint_reports_timed_out_after_its_timeout() {
    // Broke: the read timeout surfaced as "Resource temporarily unavailable (os error 11)".
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    std::thread::spawn(move || {
        let held: Vec<_> = listener.incoming().take(2).collect();
        std::thread::sleep(Duration::from_secs(5));
        drop(held);
    });
    let url = HttpUrl::parse(&format!("http://127.0.0.1:{port}/")).unwrap();
    let err = HttpClient::new(Duration::from_millis(300), false)
        .get(&url)
        .unwrap_err();
    assert_eq!(err.kind, "TimedOut");
    assert_eq!(
        err.message,
        "timed out after 300ms (waiting for the response)"
    );
    // The same through a recipe, in the endpoint's summary.
    let s = Scratch::new();
    let r = recipe(
        &s,
        &[collect(
            "net",
            1,
            &format!("duration: 100ms, collectors: {{network: {{timeout: 300ms, endpoints: ['http://127.0.0.1:{port}/']}}}}"),
            "",
        )],
    );
    let (code, j) = s.run_json(&r, &[]);
    assert_eq!(code, 0, "{j}");
    let eps = &summary(&s)["collectors"]["network"]["endpoints"];
    assert_eq!(
        eps[0]["last_error"],
        "timed out after 300ms (waiting for the response)"
    );
}
