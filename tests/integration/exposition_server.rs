//! `f0 serve`'s HTTP answers beyond `/metrics`: the root page points at `/metrics`.

use crate::prometheus_servers::{get, known_rows, seed, start_f0_serve};
use crate::util::Scratch;

#[test]
fn the_root_page_points_at_metrics() {
    let s = Scratch::new();
    seed(&s.store(), &known_rows());
    let (_serve, addr) = start_f0_serve(&s.store(), s.dir.path(), &[]);
    let (status, content_type, body) = get(&format!("http://{addr}/"), None).unwrap();
    assert_eq!(status, 200, "{body}");
    assert!(content_type.starts_with("text/plain"), "{content_type}");
    assert_eq!(body, "f0 metrics exporter: see /metrics\n");
}

/// A one-shot HTTP server that reads a whole request (headers and Content-Length body) and
/// answers `status` with `body`.
fn answer_once(status: &'static str, body: String) -> u16 {
    use std::io::{BufRead, BufReader, Read, Write};
    let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = l.local_addr().unwrap().port();
    std::thread::spawn(move || {
        let (c, _) = l.accept().unwrap();
        let mut r = BufReader::new(c.try_clone().unwrap());
        let mut len = 0usize;
        loop {
            let mut line = String::new();
            if r.read_line(&mut line).unwrap_or(0) == 0 || line == "\r\n" {
                break;
            }
            if let Some(v) = line.to_ascii_lowercase().strip_prefix("content-length:") {
                len = v.trim().parse().unwrap_or(0);
            }
        }
        let mut sink = vec![0u8; len];
        let _ = r.read_exact(&mut sink);
        let mut c = c;
        let _ = write!(
            c,
            "HTTP/1.1 {status}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
            body.len()
        );
    });
    port
}

#[test]
fn a_pushgateway_that_refuses_the_push_is_quoted_briefly_and_fails_the_run() {
    let s = Scratch::new();
    let r = s.write(
        "r.yaml",
        &format!("steps:\n{}", crate::util::step("a", 1, "Noop", "")),
    );
    let body = format!("bad metric {}", "x".repeat(400));
    let port = answer_once("400 Bad Request", body.clone());
    let url = format!("http://127.0.0.1:{port}");
    let out = s.run(&[
        "run",
        r.to_str().unwrap(),
        "--pushgateway",
        &url,
        "--job",
        "nightly",
    ]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{err}");
    let shown: String = body.chars().take(200).collect();
    assert!(
        err.contains(&format!(
            "the Pushgateway at {url}/metrics/job/nightly/instance/"
        )) && err.contains(&format!("answered 400: {shown}…")),
        "{err}"
    );
    assert!(!err.contains(&body), "the whole body is not echoed: {err}");
}
