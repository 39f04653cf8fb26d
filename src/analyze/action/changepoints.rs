//! Change points of one stored metric (the engine of `f0 changepoints`): the metric's samples
//! in a timeframe → Hunter / Apache Otava E-divisive change points → a [`ChangePointReport`].

use super::args::MetricPattern;
use super::select::select;
use super::timeframe::Timeframe;
use super::{AnalyzeError, ChangePointReport};
use crate::analyze::changepoint::{compute_change_points, HunterParams};
use crate::store::Store;

/// The change points of the metric named exactly `metric` in `timeframe` (relative to
/// `now_ns`), found with `parameters` (checked first).
pub fn change_points(
    store: &Store,
    metric: &str,
    timeframe: Timeframe,
    parameters: HunterParams,
    now_ns: i64,
) -> Result<ChangePointReport, AnalyzeError> {
    parameters.validate()?;
    let pattern: MetricPattern = metric.parse().map_err(AnalyzeError::BadMetric)?;
    if let MetricPattern::Glob(_) = pattern {
        return Err(AnalyzeError::NotOneMetric(metric.to_owned()));
    }
    let selection = select(store, &[pattern], timeframe, now_ns, None)?;
    let samples = &selection.series[0];
    if samples.len() < 2 {
        return Err(AnalyzeError::TooFewForChangePoints {
            metric: samples.name.clone(),
            count: samples.len(),
            timeframe: timeframe.to_string(),
        });
    }
    let change_points =
        compute_change_points(&samples.values, Some(&samples.timestamps), &parameters)?;
    Ok(ChangePointReport {
        kind: "changepoints",
        metric_name: samples.name.clone(),
        timeframe: timeframe.to_string(),
        sample_count: samples.len(),
        parameters,
        change_points,
    })
}
