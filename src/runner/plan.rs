//! The plan of a run: the execution order — Framework0's stable sort by `idx`, adjusted only
//! where `depends_on` requires a step to wait for a later-indexed one (a topological order
//! that picks the lowest (idx, position) ready step each time) — and which steps the
//! registry's around-step hook (the profiler's capture) wraps: [`Captured`].

use std::collections::HashSet;

use serde_json::Value;

use crate::recipe::{Recipe, Step};

/// The steps whose attempts run inside the registry's around-step hook: those a step of the
/// recipe names as `args.target.step` (a `profile` step with `target: {step: NAME}` reads
/// that step's capture). Any step's args count, whatever its scriptlet, and a `target.step`
/// that is not a literal name (a value a scriptlet could resolve otherwise) captures every
/// step, so no profile ever misses a capture it could read.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Captured {
    names: HashSet<String>,
    all: bool,
}

impl Captured {
    /// The steps of `recipe` that are captured.
    pub fn of(recipe: &Recipe) -> Captured {
        let mut c = Captured::default();
        for step in &recipe.steps {
            match step.args.get("target").and_then(|t| t.get("step")) {
                None => {}
                Some(Value::String(name)) => {
                    c.names.insert(name.clone());
                }
                Some(_) => c.all = true,
            }
        }
        c
    }

    /// Whether the step called `name` is captured.
    pub fn wants(&self, name: &str) -> bool {
        self.all || self.names.contains(name)
    }
}

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

    fn captured(yaml: &str) -> Captured {
        Captured::of(&crate::recipe::parse_recipe(Path::new("t.yaml"), yaml).unwrap())
    }

    #[test]
    fn only_steps_a_step_targets_are_captured_and_a_non_literal_target_captures_all() {
        let y = "steps:\n- {name: a, idx: 1, module: m, function: f}\n\
                 - {name: b, idx: 2, module: m, function: f}\n\
                 - {name: p, idx: 3, module: m, function: f, args: {action: profile, target: {step: b}}}\n\
                 - {name: q, idx: 4, module: m, function: f, args: {target: {command: [ls]}}}\n";
        let c = captured(y);
        assert!(c.wants("b"));
        assert!(!c.wants("a") && !c.wants("p") && !c.wants("q"));
        // A target that names a step ahead of it, or one that never runs, is still listed.
        let y =
            "steps:\n- {name: p, idx: 1, module: m, function: f, args: {target: {step: later}}}\n";
        assert!(captured(y).wants("later"));
        let y = "steps:\n- {name: a, idx: 1, module: m, function: f}\n\
                 - {name: p, idx: 2, module: m, function: f, args: {target: {step: [a]}}}\n";
        let c = captured(y);
        assert!(c.wants("a") && c.wants("anything"));
        let y = "steps:\n- {name: a, idx: 1, module: m, function: f}\n";
        assert!(!captured(y).wants("a"));
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
