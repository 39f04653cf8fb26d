//! Which runs a comparison puts side by side: B (default the newest run holding samples, of
//! the recipe when given), A (default the newest earlier run of B's recipe), and the windows of
//! runs each side spans for series with one sample per run.

use super::CompareRequest;
use crate::analyze::action::error::AnalyzeError;
use crate::store::{RunRow, Store};

/// The runs of one comparison.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RunPair {
    /// The recipe of B (and A).
    pub recipe: String,
    /// Run A (none against baselines).
    pub a: Option<i64>,
    /// Run B.
    pub b: i64,
    /// Up to `window` runs of the recipe ending at A, oldest first.
    pub side_a: Vec<i64>,
    /// Up to `window` runs of the recipe after A ending at B, oldest first.
    pub side_b: Vec<i64>,
}

fn no_run(message: String) -> AnalyzeError {
    AnalyzeError::BadOption {
        flag: "run".to_owned(),
        message,
    }
}

/// The runs holding samples, oldest first.
fn runs_with_samples(store: &Store) -> Result<Vec<RunRow>, AnalyzeError> {
    let with: std::collections::BTreeSet<i64> = store.runs_with_samples()?.into_iter().collect();
    Ok(store
        .runs()?
        .into_iter()
        .filter(|r| with.contains(&r.id))
        .collect())
}

fn recipes(runs: &[RunRow]) -> String {
    let mut names: Vec<&str> = runs.iter().map(|r| r.recipe.as_str()).collect();
    names.sort_unstable();
    names.dedup();
    if names.is_empty() {
        "none".to_owned()
    } else {
        names.join(", ")
    }
}

fn find(runs: &[RunRow], id: i64) -> Result<&RunRow, AnalyzeError> {
    runs.iter().find(|r| r.id == id).ok_or_else(|| {
        no_run(format!(
            "run {id} holds no samples (runs with samples: {})",
            match (runs.first(), runs.last()) {
                (Some(a), Some(b)) => format!("{}–{}", a.id, b.id),
                _ => "none".to_owned(),
            }
        ))
    })
}

/// B: the run named, or the newest (of the recipe, or of A's recipe).
fn pick_b<'a>(runs: &'a [RunRow], req: &CompareRequest) -> Result<&'a RunRow, AnalyzeError> {
    if let Some(id) = req.run_b {
        return find(runs, id);
    }
    let recipe = match (&req.recipe, req.run_a) {
        (Some(r), _) => Some(r.clone()),
        (None, Some(a)) => Some(find(runs, a)?.recipe.clone()),
        (None, None) => None,
    };
    runs.iter()
        .rev()
        .find(|r| recipe.as_ref().map_or(true, |name| &r.recipe == name))
        .ok_or_else(|| match &recipe {
            Some(name) => no_run(format!(
                "no run of recipe '{name}' holds samples (recipes with samples: {})",
                recipes(runs)
            )),
            None => AnalyzeError::EmptyStore,
        })
}

/// Picks the runs of `req`.
pub fn pick(store: &Store, req: &CompareRequest) -> Result<RunPair, AnalyzeError> {
    let runs = runs_with_samples(store)?;
    let b = pick_b(&runs, req)?;
    if let Some(name) = req.recipe.as_ref().filter(|n| **n != b.recipe) {
        return Err(no_run(format!(
            "run {} is a run of recipe '{}', not of '{name}'",
            b.id, b.recipe
        )));
    }
    let same: Vec<i64> = runs
        .iter()
        .filter(|r| r.recipe == b.recipe)
        .map(|r| r.id)
        .collect();
    if req.against_baseline {
        return Ok(RunPair {
            recipe: b.recipe.clone(),
            a: None,
            b: b.id,
            side_a: Vec::new(),
            side_b: vec![b.id],
        });
    }
    let a = match req.run_a {
        Some(id) => {
            let a = find(&runs, id)?;
            if a.id >= b.id {
                return Err(no_run(format!(
                    "run A ({}) must come before run B ({})",
                    a.id, b.id
                )));
            }
            a.id
        }
        None => same
            .iter()
            .rev()
            .copied()
            .find(|&id| id < b.id)
            .ok_or_else(|| {
                no_run(format!(
                "run {} is the first run of recipe '{}' with samples: there is no earlier run to \
                 compare it with (run the recipe again, name run A, or compare with stored \
                 baselines: --baseline)",
                b.id, b.recipe
            ))
            })?,
    };
    let last = |ids: Vec<i64>| -> Vec<i64> {
        let skip = ids.len().saturating_sub(req.window);
        ids.into_iter().skip(skip).collect()
    };
    // A named run A of another recipe still anchors side A.
    let side_a = last(
        same.iter()
            .copied()
            .filter(|&id| id < a)
            .chain(std::iter::once(a))
            .collect(),
    );
    let side_b = last(
        same.iter()
            .copied()
            .filter(|&id| id > a && id <= b.id)
            .collect(),
    );
    Ok(RunPair {
        recipe: b.recipe.clone(),
        a: Some(a),
        b: b.id,
        side_a,
        side_b,
    })
}
