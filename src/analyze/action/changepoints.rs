//! Change points of one stored series (the engine of `f0 changepoints`): the series' samples in
//! a timeframe → Hunter / Apache Otava E-divisive change points → a [`ChangePointReport`].

use super::args::Grouping;
use super::select::{select, SelectSpec};
use super::timeframe::Timeframe;
use super::{AnalyzeError, ChangePointReport};
use crate::analyze::changepoint::{compute_change_points, HunterParams};
use crate::metrics::selector::{tag_string, Selector};
use crate::store::Store;

/// The change points of the one series `selector` selects in `timeframe` (relative to
/// `now_ns`), found with `parameters` (checked first). A selector matching several series is
/// an error naming them.
pub fn change_points(
    store: &Store,
    selector: &str,
    timeframe: Timeframe,
    parameters: HunterParams,
    now_ns: i64,
) -> Result<ChangePointReport, AnalyzeError> {
    parameters.validate()?;
    let sel: Selector = selector.parse()?;
    let selection = select(
        store,
        SelectSpec {
            selectors: std::slice::from_ref(&sel),
            grouping: &Grouping::Series,
            timeframe,
            now_ns,
            current_run: None,
        },
    )?;
    if selection.sets.len() > 1 {
        return Err(AnalyzeError::NotOneSeries {
            selector: selector.to_owned(),
            matched: selection.sets.iter().map(|s| s.set.label()).collect(),
        });
    }
    let set = &selection.sets[0];
    let samples = &set.samples;
    if samples.len() < 2 {
        return Err(AnalyzeError::TooFewForChangePoints {
            metric: set.set.label(),
            count: samples.len(),
            timeframe: timeframe.to_string(),
        });
    }
    let change_points =
        compute_change_points(&samples.values, Some(&samples.timestamps), &parameters)?;
    Ok(ChangePointReport {
        kind: "changepoints",
        metric_name: set.set.name.clone(),
        tags: set.set.tags.clone(),
        series: tag_string(&set.set.tags),
        timeframe: timeframe.to_string(),
        sample_count: samples.len(),
        parameters,
        change_points,
    })
}
