//! Validation of a loaded recipe into findings with stable codes.
//!
//! Findings print as `LEVEL [CODE] at recipe.steps[i].field: text (step 'name')`. Errors make
//! `f0 validate` exit 1 and make `f0 run` refuse the recipe before anything runs, except
//! [`Code::UnknownScriptlet`] and [`Code::UnknownAction`], which Framework0 reports when the
//! step runs (the step fails), so the runner keeps that behaviour. With a fallback installed
//! (the Python bridge), a module it cannot find either is only a warning: the module may
//! appear before the run, as it would for Framework0's import system.

use std::collections::{HashMap, HashSet};

use serde_json::Value;

use super::model::Recipe;
pub use crate::diagnostic::{compact, Code, Finding, Level};
use crate::scriptlet::{Registry, Resolution};
use crate::util::duration::from_seconds;

/// Validates `recipe` against the step model and the scriptlets in `registry`.
pub fn validate(recipe: &Recipe, registry: &Registry) -> Vec<Finding> {
    let mut out = Vec::new();
    if recipe.steps.is_empty() {
        out.push(Finding::warning(
            Code::EmptySteps,
            "recipe.steps",
            "the recipe has no steps; it runs and completes with nothing done",
        ));
    }
    registry.prepare(recipe.steps.iter().map(|s| s.module.as_str()));
    for step in &recipe.steps {
        check_step_types(step, &mut out);
        check_scriptlet(step, registry, &mut out);
    }
    check_uniqueness(recipe, &mut out);
    check_dependencies(recipe, &mut out);
    if let Some(config) = recipe.document.get("config") {
        // The analyze action's performance thresholds (SELECTOR[:STAT] keys), checked field
        // by field; the metrics config's own coarser finding on them would say it twice.
        let thresholds = crate::analyze::action::thresholds::from_config(config, "recipe.config").1;
        out.extend(
            crate::metrics::check_metrics_config(config, "recipe.config")
                .into_iter()
                .filter(|f| thresholds.is_empty() || !f.message.contains("`health.thresholds`")),
        );
        out.extend(thresholds);
    }
    for f in &mut out {
        f.step = step_index(&f.path)
            .and_then(|i| recipe.steps.iter().find(|s| s.position == i))
            .map(|s| s.name.clone())
            .filter(|n| !n.is_empty());
    }
    out
}

/// The position `N` of a path `recipe.steps[N]…`.
fn step_index(path: &str) -> Option<usize> {
    let rest = path.strip_prefix("recipe.steps[")?;
    rest[..rest.find(']')?].parse().ok()
}

fn at(position: usize, field: &str) -> String {
    format!("recipe.steps[{position}].{field}")
}

fn check_step_types(step: &super::Step, out: &mut Vec<Finding>) {
    let p = step.position;
    for field in ["module", "function"] {
        match step.raw.get(field) {
            Some(Value::String(s)) if !s.trim().is_empty() => {}
            Some(Value::String(_)) | Some(Value::Null) | None => out.push(Finding::error(
                Code::MissingField,
                at(p, field),
                format!("step '{}' needs a non-empty '{field}'", step.name),
            )),
            Some(other) => out.push(type_error(step, field, "a string", other)),
        }
    }
    type Check = (&'static str, fn(&Value) -> bool, &'static str);
    let checks: [Check; 6] = [
        ("name", |v| v.is_string(), "a string"),
        ("idx", |v| v.is_i64() || v.is_u64(), "an integer"),
        ("args", |v| v.is_object() || v.is_null(), "a mapping"),
        ("depends_on", is_string_list, "a list of step names"),
        (
            "timeout",
            |v| v.as_f64().is_some_and(|t| from_seconds(t).is_ok()),
            "a positive number of seconds, at most 31536000 (one year)",
        ),
        ("retry_count", |v| v.is_u64(), "a non-negative integer"),
    ];
    for (field, ok, accepted) in checks {
        if let Some(v) = step.raw.get(field) {
            if !ok(v) {
                out.push(type_error(step, field, accepted, v));
            }
        }
    }
    if let Some(success) = step.raw.get("success") {
        match success.get("ctx_has_keys") {
            _ if !success.is_object() => {
                out.push(type_error(step, "success", "a mapping", success))
            }
            Some(keys) if !is_string_list(keys) => out.push(type_error(
                step,
                "success.ctx_has_keys",
                "a list of context keys",
                keys,
            )),
            _ => {}
        }
    }
    if step
        .raw
        .get("idx")
        .and_then(Value::as_i64)
        .is_some_and(|i| i < 0)
    {
        out.push(Finding::warning(
            Code::NegativeIndex,
            at(p, "idx"),
            format!(
                "step '{}' has a negative idx {}; it sorts first",
                step.name, step.idx
            ),
        ));
    }
}

fn is_string_list(v: &Value) -> bool {
    v.as_array().is_some_and(|a| a.iter().all(Value::is_string))
}

fn type_error(step: &super::Step, field: &str, accepted: &str, got: &Value) -> Finding {
    Finding::error(
        Code::InvalidType,
        at(step.position, field),
        format!(
            "step '{}': '{field}' must be {accepted}, got {}",
            step.name,
            compact(got)
        ),
    )
}

fn check_scriptlet(step: &super::Step, registry: &Registry, out: &mut Vec<Finding>) {
    if step.module.is_empty() || step.function.is_empty() {
        return;
    }
    match registry.resolve(&step.module, &step.function) {
        Resolution::Found(entry) => {
            let base = at(step.position, "args");
            out.extend(registry.validate_args(entry, &step.args, &base));
        }
        // Python validates its own arguments when the step runs.
        Resolution::External(_) => {}
        Resolution::Unresolved(why) => {
            let (path, text) = (
                at(step.position, "module"),
                format!("step '{}': {why}", step.name),
            );
            out.push(
                if registry.has_fallback() && !registry.owns_module(&step.module) {
                    Finding::warning(Code::UnknownScriptlet, path, text)
                } else {
                    Finding::error(Code::UnknownScriptlet, path, text)
                },
            );
        }
    }
}

fn check_uniqueness(recipe: &Recipe, out: &mut Vec<Finding>) {
    let mut names: HashMap<&str, usize> = HashMap::new();
    let mut idxs: HashMap<i64, usize> = HashMap::new();
    for step in &recipe.steps {
        if let Some(first) = names.insert(step.name.as_str(), step.position) {
            out.push(Finding::error(
                Code::DuplicateStepName,
                at(step.position, "name"),
                format!(
                    "step name '{}' is already used by recipe.steps[{first}]; names must be unique",
                    step.name
                ),
            ));
        }
        if step.raw.get("idx").is_some_and(Value::is_i64) {
            if let Some(first) = idxs.insert(step.idx, step.position) {
                out.push(Finding::warning(
                    Code::DuplicateIndex,
                    at(step.position, "idx"),
                    format!(
                        "idx {} is also used by recipe.steps[{first}]; those steps run in list order",
                        step.idx
                    ),
                ));
            }
        }
    }
}

fn check_dependencies(recipe: &Recipe, out: &mut Vec<Finding>) {
    let names: HashSet<&str> = recipe.steps.iter().map(|s| s.name.as_str()).collect();
    for step in &recipe.steps {
        for dep in &step.depends_on {
            if !names.contains(dep.as_str()) {
                out.push(Finding::error(
                    Code::MissingDependency,
                    at(step.position, "depends_on"),
                    format!(
                        "step '{}' depends on '{dep}', which no step is named",
                        step.name
                    ),
                ));
            }
        }
    }
    if let Some(cycle) = find_cycle(recipe) {
        let first = recipe
            .steps
            .iter()
            .find(|s| s.name == cycle[0])
            .map_or(0, |s| s.position);
        out.push(Finding::error(
            Code::CircularDependency,
            at(first, "depends_on"),
            format!("dependency cycle: {}", cycle.join(" → ")),
        ));
    }
}

/// Finds one dependency cycle (as a closed path of names) by depth-first search.
fn find_cycle(recipe: &Recipe) -> Option<Vec<String>> {
    let deps: HashMap<&str, &[String]> = recipe
        .steps
        .iter()
        .map(|s| (s.name.as_str(), s.depends_on.as_slice()))
        .collect();
    // 0 = unvisited, 1 = on stack, 2 = done
    let mut state: HashMap<&str, u8> = HashMap::new();
    let mut stack: Vec<&str> = Vec::new();
    fn visit<'a>(
        n: &'a str,
        deps: &HashMap<&'a str, &'a [String]>,
        state: &mut HashMap<&'a str, u8>,
        stack: &mut Vec<&'a str>,
    ) -> Option<Vec<String>> {
        match state.get(n) {
            Some(2) => return None,
            Some(1) => {
                let from = stack.iter().position(|s| *s == n).unwrap_or(0);
                let mut cycle: Vec<String> = stack[from..].iter().map(|s| s.to_string()).collect();
                cycle.push(n.to_string());
                return Some(cycle);
            }
            _ => {}
        }
        state.insert(n, 1);
        stack.push(n);
        for d in deps.get(n).copied().unwrap_or_default() {
            if deps.contains_key(d.as_str()) {
                if let Some(c) = visit(d.as_str(), deps, state, stack) {
                    return Some(c);
                }
            }
        }
        stack.pop();
        state.insert(n, 2);
        None
    }
    for step in &recipe.steps {
        if let Some(c) = visit(step.name.as_str(), &deps, &mut state, &mut stack) {
            return Some(c);
        }
    }
    None
}
