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
