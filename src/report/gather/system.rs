//! The system overview: the system collector's CPU, memory, disk and network series (their
//! untagged, whole-machine form) inside the report's window, one panel each.

use super::bottleneck;
use super::select::read_series;
use super::series::points;
use crate::report::error::ReportError;
use crate::report::model::{Bottlenecks, SystemLine, SystemOverview, SystemPanel};
use crate::store::{SampleWindow, Store};

/// (key, title, unit, metric names) of each panel.
const PANELS: &[(&str, &str, &str, &[&str])] = &[
    (
        "cpu",
        "CPU",
        "%",
        &["cpu_usage_total", "process_cpu_percent"],
    ),
    (
        "memory",
        "Memory",
        "%",
        &["memory_usage_percent", "swap_usage_percent"],
    ),
    ("disk", "Disk space", "%", &["disk_usage_percent"]),
    (
        "disk_io",
        "Disk I/O",
        "bytes/s",
        &["disk_read_bytes_per_sec", "disk_write_bytes_per_sec"],
    ),
    (
        "network",
        "Network (all interfaces)",
        "bytes/s",
        &["network_bytes_sent_per_sec", "network_bytes_recv_per_sec"],
    ),
];

/// The overview over `w`, or none when the store holds no system sample inside it; feeds
/// every line to Framework0's bottleneck rules.
pub fn overview(
    store: &Store,
    w: &SampleWindow,
    target_points: usize,
    bottlenecks: &mut Bottlenecks,
) -> Result<Option<SystemOverview>, ReportError> {
    let known = store.metric_names()?;
    let mut panels = Vec::new();
    let (mut from, mut to) = (i64::MAX, i64::MIN);
    for (key, title, unit, names) in PANELS {
        let mut lines = Vec::new();
        for name in names.iter().filter(|n| known.iter().any(|k| k == *n)) {
            for s in read_series(store, name, w)? {
                let c = &s.window;
                if !s.key.tags.is_empty() || c.is_empty() {
                    continue;
                }
                from = from.min(c.timestamps[0]);
                to = to.max(c.timestamps[c.len() - 1]);
                bottleneck::judge(
                    bottlenecks,
                    &s.label,
                    &s.key.metric_type,
                    &s.key.unit,
                    &c.values,
                );
                let sum: f64 = c.values.iter().sum();
                lines.push(SystemLine {
                    label: s.label.clone(),
                    mean: sum / c.len() as f64,
                    max: c.values.iter().copied().fold(f64::NEG_INFINITY, f64::max),
                    last: c.values[c.len() - 1],
                    points: points(c, target_points, &[]),
                });
            }
        }
        if !lines.is_empty() {
            panels.push(SystemPanel {
                key: (*key).to_owned(),
                title: (*title).to_owned(),
                unit: (*unit).to_owned(),
                lines,
            });
        }
    }
    Ok((!panels.is_empty()).then_some(SystemOverview {
        from_ns: from,
        to_ns: to,
        panels,
    }))
}
