//! The JSON form of an [`Event`] (`schemas/online_event.schema.json`): what `f0 detect --json`
//! prints, one object per line, and what logs and stores carry.

use serde::Serialize;

use super::{DetectorKind, Event};
use crate::store::timestamp::format_rfc3339;

/// One event, JSON-clean.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct EventReport {
    /// Always `anomaly_event`.
    pub kind: &'static str,
    /// 0-based input position of the first flagged point (the alert).
    pub start_index: u64,
    /// Position of the highest-scored point.
    pub peak_index: u64,
    /// Position of the last flagged point.
    pub end_index: u64,
    /// RFC 3339 time of the start, when the input has timestamps.
    pub start_time: Option<String>,
    /// RFC 3339 time of the peak.
    pub peak_time: Option<String>,
    /// RFC 3339 time of the end.
    pub end_time: Option<String>,
    /// The detector that scored the peak.
    pub detector: DetectorKind,
    /// The peak's calibrated score in [0, 1] (known at the end of the event).
    pub score: f64,
    /// The score of the start, the one the alert was raised with.
    pub start_score: f64,
    /// The peak's estimated tail probability.
    pub tail_probability: f64,
    /// The value at the peak.
    pub peak_value: f64,
    /// What the detector expected at the peak.
    pub expected: f64,
    /// Flagged points in the event.
    pub flagged_points: u64,
}

/// A finite copy of `x` (NaN → 0, ±∞ saturated), so the report is always valid JSON.
fn clean(x: f64) -> f64 {
    if x.is_nan() {
        0.0
    } else {
        x.clamp(-f64::MAX, f64::MAX)
    }
}

impl From<&Event> for EventReport {
    fn from(e: &Event) -> Self {
        EventReport {
            kind: "anomaly_event",
            start_index: e.start.index,
            peak_index: e.peak.index,
            end_index: e.end.index,
            start_time: e.start.ts_ns.map(format_rfc3339),
            peak_time: e.peak.ts_ns.map(format_rfc3339),
            end_time: e.end.ts_ns.map(format_rfc3339),
            detector: e.detector,
            score: clean(e.peak.score),
            start_score: clean(e.start.score),
            tail_probability: clean(e.tail_probability),
            peak_value: clean(e.peak.value),
            expected: clean(e.expected),
            flagged_points: e.flagged,
        }
    }
}

impl EventReport {
    /// One readable line: positions, times, score, detector.
    pub fn text(&self) -> String {
        let at = |i: u64, t: &Option<String>| match t {
            Some(t) => format!("{i} ({t})"),
            None => i.to_string(),
        };
        format!(
            "anomaly {} .. {}, peak {} value {} expected {}, score {:.3} (p {:.2e}), {} point(s), detector {}",
            at(self.start_index, &self.start_time),
            at(self.end_index, &self.end_time),
            at(self.peak_index, &self.peak_time),
            self.peak_value,
            self.expected,
            self.score,
            self.tail_probability,
            self.flagged_points,
            self.detector.name()
        )
    }
}
