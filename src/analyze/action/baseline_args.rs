//! The `baseline` argument of the analyze action: `{establish, compare, higher_is_better,
//! alpha, test}`, where `establish` is `true` (the analysed samples), `{run: <id> | last}`,
//! `{timeframe: "7d"}`, `{last_runs: N}` or `{values: {<series>: [numbers]}}` (a series named
//! by its label: `latency`, `step_wall_time{step="build", recipe="ci"}`).

use std::collections::BTreeMap;

use serde_json::Value;

use super::timeframe::Timeframe;
use crate::analyze::baseline::SignificanceTest;
use crate::diagnostic::compact;
use crate::metrics::selector::{MatchOp, Selector, SelectorError};
use crate::scriptlet::args::ArgReader;

/// A run named by id, or the newest one with samples.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RunRef {
    /// This run id.
    Id(i64),
    /// The newest run with samples of the metric (other than the running one).
    Last,
}

/// Where a new baseline's samples come from.
#[derive(Debug, Clone, PartialEq)]
pub enum EstablishFrom {
    /// The samples this analysis selected.
    Selection,
    /// The samples one run wrote.
    Run(RunRef),
    /// The samples inside a timeframe.
    Timeframe(Timeframe),
    /// Each series' samples of the newest this many runs holding it (the running one
    /// included): a rolling baseline. A series with fewer than 2 such samples is left without
    /// a new baseline (a warning), not an error.
    LastRuns(usize),
    /// Values given in the arguments, per series label (`name` or `name{k="v", ..}`).
    Values(BTreeMap<String, Vec<f64>>),
}

/// Baseline work of one analysis.
#[derive(Debug, Clone, PartialEq)]
pub struct BaselineSettings {
    /// Store a new baseline per metric.
    pub establish: Option<EstablishFrom>,
    /// Compare the analysed samples with the stored baseline.
    pub compare: bool,
    /// Direction of "better"; by default from the metric (higher for throughput / ops/s).
    pub higher_is_better: Option<bool>,
    /// Significance level in (0, 1).
    pub alpha: f64,
    /// The test that decides significance.
    pub test: SignificanceTest,
}

impl Default for BaselineSettings {
    fn default() -> Self {
        BaselineSettings {
            establish: None,
            compare: false,
            higher_is_better: None,
            alpha: 0.05,
            test: SignificanceTest::Welch,
        }
    }
}

pub(super) fn baseline_settings(r: &mut ArgReader<'_>, v: &Value) -> BaselineSettings {
    let mut s = BaselineSettings::default();
    let Some(map) = v.as_object() else {
        r.invalid(
            "baseline",
            format!(
                "must be a mapping {{establish, compare, higher_is_better, alpha, test}}, got {}",
                compact(v)
            ),
        );
        return s;
    };
    let mut sub = r.nested(
        "baseline",
        map,
        &["establish", "compare", "higher_is_better", "alpha", "test"],
    );
    if !map.contains_key("establish") && !map.contains_key("compare") {
        r.missing("baseline", "needs 'establish' and/or 'compare'".to_owned());
        return s;
    }
    for (key, x) in map {
        match key.as_str() {
            "establish" => s.establish = establish_from(&mut sub, x),
            "compare" => s.compare = sub.bool(key, x).unwrap_or_default(),
            "higher_is_better" => s.higher_is_better = sub.bool(key, x),
            "alpha" => {
                s.alpha = sub
                    .number(
                        key,
                        x,
                        |a| a > 0.0 && a < 1.0,
                        "a significance level in (0, 1)",
                    )
                    .unwrap_or(s.alpha);
            }
            "test" => match x.as_str() {
                Some("welch") => s.test = SignificanceTest::Welch,
                Some("mann_whitney") => s.test = SignificanceTest::MannWhitney,
                _ => sub.invalid(
                    key,
                    format!("must be welch or mann_whitney, got {}", compact(x)),
                ),
            },
            _ => {}
        }
    }
    s
}

fn establish_from(r: &mut ArgReader<'_>, v: &Value) -> Option<EstablishFrom> {
    const SHAPES: &str = "true, {run: <id> | last}, {timeframe: \"7d\"}, {last_runs: N} or \
                          {values: {<series>: [numbers]}}";
    const SOURCES: [&str; 4] = ["run", "timeframe", "last_runs", "values"];
    let map = match v {
        Value::Bool(true) => return Some(EstablishFrom::Selection),
        Value::Bool(false) => return None,
        Value::Object(m) => m,
        _ => {
            r.invalid("establish", format!("must be {SHAPES}, got {}", compact(v)));
            return None;
        }
    };
    let mut sub = r.nested("establish", map, &SOURCES);
    let mut sources = map.iter().filter(|(k, _)| SOURCES.contains(&k.as_str()));
    let (key, x) = match (sources.next(), sources.next()) {
        (Some(one), None) => one,
        (None, _) => {
            r.missing(
                "establish",
                format!("needs one of run, timeframe, last_runs or values: {SHAPES}"),
            );
            return None;
        }
        (Some(_), Some(_)) => {
            r.invalid(
                "establish",
                "names more than one of run, timeframe, last_runs and values".to_owned(),
            );
            return None;
        }
    };
    match key.as_str() {
        "run" => match x {
            Value::String(s) if s == "last" => Some(EstablishFrom::Run(RunRef::Last)),
            _ => match x.as_i64().filter(|&id| id > 0) {
                Some(id) => Some(EstablishFrom::Run(RunRef::Id(id))),
                None => {
                    sub.invalid(
                        "run",
                        format!(
                            "must be a run id (an integer > 0) or \"last\", got {}",
                            compact(x)
                        ),
                    );
                    None
                }
            },
        },
        "timeframe" => sub
            .parsed("timeframe", x, "a timeframe")
            .map(EstablishFrom::Timeframe),
        "last_runs" => match x.as_u64().filter(|&n| (1..=10_000).contains(&n)) {
            Some(n) => Some(EstablishFrom::LastRuns(n as usize)),
            None => {
                sub.invalid(
                    "last_runs",
                    format!("must be a number of runs in 1..=10000, got {}", compact(x)),
                );
                None
            }
        },
        _ => establish_values(&mut sub, x),
    }
}

fn establish_values(r: &mut ArgReader<'_>, v: &Value) -> Option<EstablishFrom> {
    let Some(map) = v.as_object().filter(|m| !m.is_empty()) else {
        r.invalid(
            "values",
            format!(
                "must be a mapping {{<metric>: [numbers]}}, got {}",
                compact(v)
            ),
        );
        return None;
    };
    let mut out = BTreeMap::new();
    for (metric, list) in map {
        if let Err(e) = series_of_label(metric) {
            r.invalid(&format!("values.{metric}"), e);
            continue;
        }
        let values: Option<Vec<f64>> = list.as_array().filter(|a| a.len() >= 2).and_then(|a| {
            a.iter()
                .map(|x| x.as_f64().filter(|f| f.is_finite()))
                .collect()
        });
        match values {
            Some(values) => {
                out.insert(metric.clone(), values);
            }
            None => r.invalid(
                &format!("values.{metric}"),
                format!(
                    "must be a list of at least 2 finite numbers, got {}",
                    compact(list)
                ),
            ),
        }
    }
    Some(EstablishFrom::Values(out))
}

/// The name and tags of a series label (`latency`, `step_wall_time{step="a", recipe="r"}`):
/// a selector with an exact name and only `=` matchers.
pub fn series_of_label(label: &str) -> Result<(String, BTreeMap<String, String>), String> {
    let sel: Selector = label.parse().map_err(|e: SelectorError| e.to_string())?;
    let name = sel.exact_name().map(str::to_owned);
    let tags: Option<BTreeMap<String, String>> = sel
        .matchers
        .iter()
        .map(|m| (m.op == MatchOp::Eq).then(|| (m.key.clone(), m.value.clone())))
        .collect();
    match (name, tags) {
        (Some(name), Some(tags)) => Ok((name, tags)),
        _ => Err(format!(
            "'{label}' must name one series: an exact metric name, optionally with tag=\"value\" \
             matchers (no globs, !=, =~ or !~)"
        )),
    }
}
