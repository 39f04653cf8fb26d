//! Events, not runs of points: consecutive flagged points (score ≥ threshold) are grouped
//! into one event with a start, a peak and an end; a short gap of unflagged points does not
//! split an event; after an event closes, a suppression window ignores new flags, so one
//! incident raises one alert.
//!
//! An event is closed — and returned — `gap` points after its last flagged point (or by
//! [`EventBuilder::finish`] at the end of the stream), so a live consumer learns of it with
//! at most `gap` points of delay after it ends. Its start is the alert: the first point
//! whose score crossed the threshold, decided from the past alone.

use super::detector::PointScore;
use super::error::OnlineError;
use super::DetectorKind;

/// How points become events.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct EventParams {
    /// A point is flagged when its calibrated score is at least this (0 < threshold ≤ 1).
    pub threshold: f64,
    /// Unflagged points that end an event (a shorter gap joins the flags on both sides).
    pub gap: usize,
    /// Points after an event's end during which no new event opens.
    pub suppression: usize,
}

impl EventParams {
    /// Checks the threshold.
    pub fn validate(&self) -> Result<(), OnlineError> {
        if self.threshold > 0.0 && self.threshold <= 1.0 {
            Ok(())
        } else {
            Err(OnlineError::InvalidParameter {
                name: "threshold",
                value: self.threshold.to_string(),
                accepted: "a score in (0, 1]",
            })
        }
    }
}

/// One point of an event: where, when, the value and the score.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct EventPoint {
    /// 0-based position in the stream.
    pub index: u64,
    /// Timestamp (epoch ns), when the stream has them.
    pub ts_ns: Option<i64>,
    /// The value.
    pub value: f64,
    /// Its calibrated score.
    pub score: f64,
}

/// One anomaly event.
#[derive(Debug, Clone, PartialEq)]
pub struct Event {
    /// The first flagged point (the alert).
    pub start: EventPoint,
    /// The flagged point with the highest score (the first of equals).
    pub peak: EventPoint,
    /// The last flagged point.
    pub end: EventPoint,
    /// The detector that scored the peak.
    pub detector: DetectorKind,
    /// What that detector expected at the peak.
    pub expected: f64,
    /// The peak's tail probability.
    pub tail_probability: f64,
    /// Flagged points in the event.
    pub flagged: u64,
}

/// Groups scored points into events.
#[derive(Debug, Clone)]
pub struct EventBuilder {
    params: EventParams,
    open: Option<Event>,
    unflagged: usize,
    quiet_until: Option<u64>,
}

impl EventBuilder {
    /// A builder with these settings (see [`EventParams::validate`]).
    pub fn new(params: EventParams) -> Result<Self, OnlineError> {
        params.validate()?;
        Ok(EventBuilder {
            params,
            open: None,
            unflagged: 0,
            quiet_until: None,
        })
    }

    /// Adds the next point; returns the event it closes, if any.
    pub fn push(&mut self, point: EventPoint, verdict: &PointScore) -> Option<Event> {
        let flagged = point.score >= self.params.threshold;
        if let Some(e) = self.open.as_mut() {
            if flagged {
                self.unflagged = 0;
                e.end = point;
                e.flagged += 1;
                if point.score > e.peak.score {
                    e.peak = point;
                    e.detector = verdict.detector;
                    e.expected = verdict.expected;
                    e.tail_probability = verdict.tail_probability;
                }
                return None;
            }
            self.unflagged += 1;
            if self.unflagged > self.params.gap {
                return self.close();
            }
            return None;
        }
        let quiet = self.quiet_until.is_some_and(|q| point.index <= q);
        if flagged && !quiet {
            self.unflagged = 0;
            self.open = Some(Event {
                start: point,
                peak: point,
                end: point,
                detector: verdict.detector,
                expected: verdict.expected,
                tail_probability: verdict.tail_probability,
                flagged: 1,
            });
        }
        None
    }

    /// Closes the open event at the end of the stream.
    pub fn finish(&mut self) -> Option<Event> {
        self.close()
    }

    fn close(&mut self) -> Option<Event> {
        let e = self.open.take()?;
        self.quiet_until = Some(e.end.index + self.params.suppression as u64);
        Some(e)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(scores: &[f64], params: EventParams) -> Vec<(u64, u64, u64)> {
        let mut b = EventBuilder::new(params).unwrap();
        let mut out = Vec::new();
        for (i, &s) in scores.iter().enumerate() {
            let p = EventPoint {
                index: i as u64,
                ts_ns: None,
                value: s,
                score: s,
            };
            let v = PointScore {
                score: s,
                tail_probability: 1.0 - s,
                expected: 0.0,
                detector: DetectorKind::Zscore,
            };
            out.extend(b.push(p, &v));
        }
        out.extend(b.finish());
        out.iter()
            .map(|e| (e.start.index, e.peak.index, e.end.index))
            .collect()
    }

    #[test]
    fn runs_merge_across_short_gaps_and_suppression_drops_echoes() {
        let s = [
            0.0, 0.9, 0.95, 0.0, 0.8, 0.0, 0.0, 0.0, 0.9, 0.0, 0.0, 0.0, 0.0, 0.9,
        ];
        let p = EventParams {
            threshold: 0.5,
            gap: 1,
            suppression: 4,
        };
        // 1..=4 is one event (gap of one); 8 falls within 4 points of its end; 13 does not.
        assert_eq!(run(&s, p), [(1, 2, 4), (13, 13, 13)]);
        let none = EventParams {
            gap: 0,
            suppression: 0,
            ..p
        };
        assert_eq!(
            run(&s, none),
            [(1, 2, 2), (4, 4, 4), (8, 8, 8), (13, 13, 13)]
        );
        assert!(EventBuilder::new(EventParams {
            threshold: 0.0,
            ..p
        })
        .is_err());
    }
}
