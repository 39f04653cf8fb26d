//! Series selectors → the stored series they select.
//!
//! - An exact name the store does not know is an error (most likely a typo), listing the
//!   stored names.
//! - A tag key that no series of the selected names carries is an error listing the tag keys
//!   those series do carry (`{stpe="build"}` is a typo, not an empty selection).
//! - A glob that matches no name, and matchers that no series passes, leave the selector
//!   skipped with the reason (the tag values that are stored, for a value typo); nothing
//!   selected at all is an error with every reason.

use std::collections::{BTreeMap, BTreeSet};

use super::error::AnalyzeError;
use super::report::Skipped;
use crate::metrics::selector::Selector;
use crate::store::StoredSeries;

/// The tag keys the series of `names` carry, sorted.
pub fn tag_keys<'a>(index: &'a [StoredSeries], names: &[&str]) -> BTreeSet<&'a str> {
    index
        .iter()
        .filter(|s| names.contains(&s.key.name.as_str()))
        .flat_map(|s| s.key.tags.keys().map(String::as_str))
        .collect()
}

fn listed<'a>(items: impl IntoIterator<Item = &'a str>) -> String {
    let v: Vec<&str> = items.into_iter().collect();
    if v.is_empty() {
        "none".to_owned()
    } else {
        v.join(", ")
    }
}

/// The names `sel` selects among the stored ones (an unknown exact name is an error).
fn names_of<'a>(index: &'a [StoredSeries], sel: &Selector) -> Result<Vec<&'a str>, AnalyzeError> {
    let mut names: Vec<&str> = index
        .iter()
        .map(|s| s.key.name.as_str())
        .filter(|n| sel.matches_name(n))
        .collect();
    names.dedup();
    if names.is_empty() {
        if let Some(name) = sel.exact_name() {
            let mut known: Vec<String> = index.iter().map(|s| s.key.name.clone()).collect();
            known.dedup();
            return Err(AnalyzeError::UnknownMetric {
                name: name.to_owned(),
                known,
            });
        }
    }
    Ok(names)
}

/// Checks that every tag key `sel` names is carried by some series of `names`.
pub fn check_keys(
    index: &[StoredSeries],
    sel: &Selector,
    names: &[&str],
    keys: &[&str],
) -> Result<(), AnalyzeError> {
    let carried = tag_keys(index, names);
    match keys.iter().find(|k| !carried.contains(**k)) {
        None => Ok(()),
        Some(key) => Err(AnalyzeError::UnknownTagKey {
            selector: sel.to_string(),
            key: (*key).to_owned(),
            names: match names {
                [one] => format!("'{one}'"),
                _ if sel.name.is_none() => "any stored metric".to_owned(),
                many => format!("the {} names it matches", many.len()),
            },
            known: listed(carried),
        }),
    }
}

/// Why `sel` selected nothing among the series of `names`: the stored values of its keys.
fn nothing_matched(index: &[StoredSeries], sel: &Selector, names: &[&str]) -> String {
    let mut values: BTreeMap<&str, BTreeSet<&str>> = BTreeMap::new();
    for s in index
        .iter()
        .filter(|s| names.contains(&s.key.name.as_str()))
    {
        for key in sel.keys() {
            let v = s.key.tags.get(key).map_or("", String::as_str);
            values.entry(key).or_default().insert(v);
        }
    }
    let shown: Vec<String> = values
        .iter()
        .map(|(k, vs)| {
            let vs: Vec<String> = vs.iter().take(20).map(|v| format!("{v:?}")).collect();
            format!("{k} = {}", vs.join(", "))
        })
        .collect();
    format!(
        "no stored series matches these tags (stored: {})",
        shown.join("; ")
    )
}

/// The stored series `selectors` select, in selector order, then by name and series id,
/// without repeats, and the selectors that selected nothing.
pub fn resolve(
    index: &[StoredSeries],
    selectors: &[Selector],
) -> Result<(Vec<StoredSeries>, Vec<Skipped>), AnalyzeError> {
    if index.is_empty() {
        return Err(AnalyzeError::EmptyStore);
    }
    let mut out: Vec<StoredSeries> = Vec::new();
    let mut skipped = Vec::new();
    for sel in selectors {
        let names = names_of(index, sel)?;
        if names.is_empty() {
            skipped.push(Skipped {
                metric: sel.to_string(),
                reason: "no stored metric matches this pattern".to_owned(),
            });
            continue;
        }
        check_keys(index, sel, &names, &sel.keys())?;
        let matched: Vec<&StoredSeries> = index
            .iter()
            .filter(|s| names.contains(&s.key.name.as_str()) && sel.matches_tags(&s.key.tags))
            .collect();
        if matched.is_empty() {
            skipped.push(Skipped {
                metric: sel.to_string(),
                reason: nothing_matched(index, sel, &names),
            });
        }
        for s in matched {
            if !out.iter().any(|o| o.id == s.id) {
                out.push(s.clone());
            }
        }
    }
    if out.is_empty() {
        return Err(AnalyzeError::NothingAnalysable {
            reasons: skipped
                .iter()
                .map(|s| format!("{}: {}", s.metric, s.reason))
                .collect(),
        });
    }
    Ok((out, skipped))
}
