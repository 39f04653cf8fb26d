//! Execution order: Framework0's stable sort by `idx`, adjusted only where `depends_on`
//! requires a step to wait for a later-indexed one (a topological order that picks the
//! lowest (idx, position) ready step each time).

use std::collections::{HashMap, HashSet};

use crate::recipe::{Recipe, Step};

/// Steps in the order they run. Assumes validation found no cycle; any step left in a
/// cycle is appended in idx order so that nothing is silently dropped.
pub fn execution_order(recipe: &Recipe) -> Vec<&Step> {
    let sorted = recipe.ordered_steps();
    let names: HashSet<&str> = sorted.iter().map(|s| s.name.as_str()).collect();
    let mut done: HashSet<&str> = HashSet::new();
    let mut order = Vec::with_capacity(sorted.len());
    let mut placed = vec![false; sorted.len()];
    let waiting: HashMap<usize, Vec<&str>> = sorted
        .iter()
        .enumerate()
        .map(|(i, s)| {
            let deps = s
                .depends_on
                .iter()
                .map(String::as_str)
                .filter(|d| names.contains(d) && *d != s.name)
                .collect();
            (i, deps)
        })
        .collect();
    while order.len() < sorted.len() {
        let next = (0..sorted.len())
            .find(|&i| !placed[i] && waiting[&i].iter().all(|d| done.contains(d)))
            .or_else(|| (0..sorted.len()).find(|&i| !placed[i]));
        let Some(i) = next else { break };
        placed[i] = true;
        done.insert(sorted[i].name.as_str());
        order.push(sorted[i]);
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
    }
}
