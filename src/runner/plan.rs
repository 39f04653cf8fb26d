//! Execution order: Framework0's stable sort by `idx`, adjusted only where `depends_on`
//! requires a step to wait for a later-indexed one (a topological order that picks the
//! lowest (idx, position) ready step each time).

use std::collections::HashSet;

use crate::recipe::{Recipe, Step};

/// Steps in the order they run. Assumes validation found no cycle; any step left in a
/// cycle is appended in idx order so that nothing is silently dropped.
pub fn execution_order(recipe: &Recipe) -> Vec<&Step> {
    let sorted = recipe.ordered_steps();
    let names: HashSet<&str> = sorted.iter().map(|s| s.name.as_str()).collect();
    let mut done: HashSet<&str> = HashSet::new();
    let mut order = Vec::with_capacity(sorted.len());
    let mut placed = vec![false; sorted.len()];
    let waiting: Vec<Vec<&str>> = sorted
        .iter()
        .map(|s| {
            s.depends_on
                .iter()
                .map(String::as_str)
                .filter(|d| names.contains(d) && *d != s.name)
                .collect()
        })
        .collect();
    // The lowest unplaced position: a recipe without dependencies places it every time, so
    // ordering stays linear in the number of steps.
    let mut lowest = 0;
    while order.len() < sorted.len() {
        while placed[lowest] {
            lowest += 1;
        }
        let next = (lowest..sorted.len())
            .find(|&i| !placed[i] && waiting[i].iter().all(|d| done.contains(d)))
            .unwrap_or(lowest);
        placed[next] = true;
        done.insert(sorted[next].name.as_str());
        order.push(sorted[next]);
    }
    order
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::Path;

    fn names(yaml: &str) -> Vec<String> {
        let r = crate::recipe::parse_recipe(Path::new("t.yaml"), yaml).unwrap();
        execution_order(&r).iter().map(|s| s.name.clone()).collect()
    }

    #[test]
    fn sorts_by_idx_stably_and_respects_dependencies() {
        let y = "steps:\n- {name: c, idx: 3, module: m, function: f}\n- {name: a, idx: 1, module: m, function: f}\n- {name: b, idx: 1, module: m, function: f}\n";
        assert_eq!(names(y), ["a", "b", "c"]);
        let y = "steps:\n- {name: a, idx: 1, module: m, function: f, depends_on: [b]}\n- {name: b, idx: 2, module: m, function: f}\n- {name: c, idx: 3, module: m, function: f}\n";
        assert_eq!(names(y), ["b", "a", "c"]);
        // Ready steps come first (d, then c, which waited for it); the cycle a <-> b is
        // appended in idx order.
        let y = "steps:\n- {name: a, idx: 1, module: m, function: f, depends_on: [b]}\n- {name: b, idx: 2, module: m, function: f, depends_on: [a]}\n- {name: c, idx: 3, module: m, function: f, depends_on: [d]}\n- {name: d, idx: 4, module: m, function: f}\n";
        assert_eq!(names(y), ["d", "c", "a", "b"]);
    }
}
