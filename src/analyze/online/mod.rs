//! Streaming anomaly detection: every point is scored from the past only, with bounded state
//! and O(1) or O(log W) work per point, so a detector can watch a live stream indefinitely.
//!
//! Pipeline: a [`Model`] turns each point into a raw *surprise*; a [`Calibrator`] turns the
//! surprise into a tail probability and a score in [0, 1] that mean the same for every
//! detector and series (score = −log₁₀ p / 10); an [`EventBuilder`] groups flagged points
//! into [`Event`]s with a start, a peak and an end and suppresses echoes after an alert.
//!
//! | detector | model | catches |
//! |---|---|---|
//! | [`zscore`](DetectorKind::Zscore) | rolling mean / variance ([`rolling`]) | spikes, shifts against a stable level |
//! | [`mad`](DetectorKind::Mad) | rolling median / MAD ([`robust`]) | the same, unmasked by earlier outliers |
//! | [`ewma`](DetectorKind::Ewma) | EWMA/EWMV Shewhart–EWMA chart ([`ewma`]) | small persistent shifts, spikes |
//! | [`seasonal`](DetectorKind::Seasonal) | Holt–Winters with period detection ([`seasonal`], [`period`]) | breaks of a daily / weekly pattern |
//! | [`knn`](DetectorKind::Knn) | k-NN conformal over shingles ([`knn`]) | novel shapes: spikes, shifts, changed or flattened patterns |
//!
//! [`score`] implements the NAB windowed scoring rule used to choose the defaults
//! ([`DEFAULT_DETECTORS`], [`DEFAULT_THRESHOLD`]) on the generated benchmark corpus
//! (`benches/anomaly_benchmark.sh`).

pub mod calibrate;
mod detector;
mod error;
pub mod events;
pub mod ewma;
pub mod knn;
pub mod model;
pub mod options;
pub mod period;
pub mod report;
pub mod ring;
pub mod robust;
pub mod rolling;
pub mod score;
pub mod seasonal;
pub mod sorted;
pub mod stream;

pub use calibrate::{Calibrated, Calibrator};
pub use detector::{DetectorSet, OnlineDetector, OnlineParams, PointScore};
pub use error::OnlineError;
pub use events::{Event, EventBuilder, EventParams, EventPoint};
pub use model::{Model, Observation};
pub use options::{read_options, OnlineOptions, OPTION_KEYS};
pub use report::EventReport;
pub use stream::{read_line_bounded, LineReader, OnlineRunner, Point, ReadLineError};

/// The online detectors.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DetectorKind {
    /// Rolling mean / variance z-score.
    Zscore,
    /// Rolling median / MAD robust z-score.
    Mad,
    /// EWMA / EWMV control chart.
    Ewma,
    /// Holt–Winters seasonal baseline with period detection.
    Seasonal,
    /// k-NN conformal detector over shingles.
    Knn,
}

impl DetectorKind {
    /// Every detector, in declaration order.
    pub const ALL: [DetectorKind; 5] = [
        DetectorKind::Zscore,
        DetectorKind::Mad,
        DetectorKind::Ewma,
        DetectorKind::Seasonal,
        DetectorKind::Knn,
    ];

    /// The detector's name (`zscore`, `mad`, `ewma`, `seasonal`, `knn`).
    pub fn name(self) -> &'static str {
        match self {
            DetectorKind::Zscore => "zscore",
            DetectorKind::Mad => "mad",
            DetectorKind::Ewma => "ewma",
            DetectorKind::Seasonal => "seasonal",
            DetectorKind::Knn => "knn",
        }
    }

    /// Every name, comma-separated, for messages.
    pub fn names() -> String {
        DetectorKind::ALL.map(DetectorKind::name).join(", ")
    }

    /// Parses a comma-separated list of names (`default` stands for [`DEFAULT_DETECTORS`]).
    pub fn parse_list(text: &str) -> Result<Vec<DetectorKind>, OnlineError> {
        let mut out = Vec::new();
        for part in text.split(',').map(str::trim).filter(|p| !p.is_empty()) {
            if part == "default" {
                out.extend_from_slice(DEFAULT_DETECTORS);
            } else {
                out.push(part.parse()?);
            }
        }
        if out.is_empty() {
            return Err(OnlineError::NoDetector {
                accepted: DetectorKind::names(),
            });
        }
        Ok(out)
    }
}

impl std::str::FromStr for DetectorKind {
    type Err = OnlineError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        DetectorKind::ALL
            .into_iter()
            .find(|k| k.name() == s)
            .ok_or_else(|| OnlineError::UnknownDetector {
                name: s.chars().take(64).collect(),
                accepted: format!("{} or default", DetectorKind::names()),
            })
    }
}

/// The default detector set (chosen on the benchmark corpus, see the README).
pub const DEFAULT_DETECTORS: &[DetectorKind] = &[
    DetectorKind::Seasonal,
    DetectorKind::Zscore,
    DetectorKind::Knn,
];

/// The default score threshold (chosen on the benchmark corpus, see the README).
pub const DEFAULT_THRESHOLD: f64 = 0.7;

/// The default gap (points) that ends an event.
pub const DEFAULT_GAP: usize = 5;

/// The default suppression (points) after an event.
pub const DEFAULT_SUPPRESSION: usize = 150;

/// The default event settings.
pub fn default_event_params() -> EventParams {
    EventParams {
        threshold: DEFAULT_THRESHOLD,
        gap: DEFAULT_GAP,
        suppression: DEFAULT_SUPPRESSION,
    }
}

#[cfg(test)]
mod tests {
    use super::DetectorKind;

    #[test]
    fn names_parse_back_and_lists_expand_default() {
        for k in DetectorKind::ALL {
            assert_eq!(k.name().parse::<DetectorKind>(), Ok(k));
            assert_eq!(serde_json::to_value(k).unwrap(), k.name());
        }
        let list = DetectorKind::parse_list("mad, default").unwrap();
        assert_eq!(list[0], DetectorKind::Mad);
        assert_eq!(&list[1..], super::DEFAULT_DETECTORS);
        let err = DetectorKind::parse_list("zscore,knnn")
            .unwrap_err()
            .to_string();
        assert!(err.contains("'knnn'") && err.contains("seasonal"), "{err}");
        assert!(DetectorKind::parse_list(" , ").is_err());
    }
}
