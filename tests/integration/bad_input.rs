//! Bad input gets a clear error naming file, step and field, exit 1, no panic, and the
//! store unchanged.

use crate::util::{step, Scratch};

/// Runs `f0 run` on `recipe_text` in a scratch dir whose store already holds one run, and
/// checks exit 1, a message containing every `needles`, no panic, and an unchanged store.
fn refused(recipe_text: &str, needles: &[&str]) {
    let s = Scratch::new();
    let good = s.write(
        "good.yaml",
        &format!("steps:\n{}", step("a", 1, "Noop", "")),
    );
    s.run_json(&good, &[]);
    let before = snapshot(&s);
    let bad = s.write("bad.yaml", recipe_text);
    let out = s.run(&["run", bad.to_str().unwrap()]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(!err.contains("panicked"), "{err}");
    for n in needles {
        assert!(err.contains(n), "missing {n:?} in: {err}");
    }
    assert_eq!(snapshot(&s), before, "the store changed");
}

fn snapshot(s: &Scratch) -> (i64, i64, i64) {
    let c = s.sql();
    let q = |sql: &str| c.query_row(sql, [], |r| r.get::<_, i64>(0)).unwrap();
    (
        q("SELECT COUNT(*) FROM runs"),
        q("SELECT COUNT(*) FROM context_history"),
        q("SELECT COUNT(*) FROM metric_samples"),
    )
}

#[test]
fn missing_file() {
    let s = Scratch::new();
    let out = s.run(&["run", "nope.yaml"]);
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("cannot read recipe nope.yaml"), "{err}");
    assert!(!s.store().exists());
}

#[test]
fn not_yaml_reports_line_and_column() {
    refused(
        "steps:\n  - name: a\n    module: [unclosed\n",
        &["bad.yaml", "line 4 column 1"],
    );
}

#[test]
fn list_or_scalar_root() {
    refused(
        "- a\n- b\n",
        &["Recipe file must contain a YAML dictionary, got list"],
    );
    refused(
        "42\n",
        &["Recipe file must contain a YAML dictionary, got int"],
    );
    refused("just text\n", &["got str"]);
}

#[test]
fn step_without_module_or_function() {
    refused(
        "steps:\n  - {name: a, function: Noop}\n",
        &["Step 0 missing required 'module' or 'function' field"],
    );
}

#[test]
fn idx_not_an_integer() {
    refused(
        "steps:\n  - {name: a, idx: first, module: f0.builtin, function: Noop}\n",
        &[
            "bad.yaml",
            "INVALID_TYPE",
            "recipe.steps[0].idx",
            "'idx' must be an integer",
            "\"first\"",
        ],
    );
}

#[test]
fn duplicate_names() {
    refused(
        &format!(
            "steps:\n{}{}",
            step("a", 1, "Noop", ""),
            step("a", 2, "Noop", "")
        ),
        &["DUPLICATE_STEP_NAME", "recipe.steps[1].name", "'a'"],
    );
}

#[test]
fn dependency_cycle() {
    refused(
        &format!(
            "steps:\n{}{}",
            step("a", 1, "Noop", "depends_on: [b]"),
            step("b", 2, "Noop", "depends_on: [a]")
        ),
        &["CIRCULAR_DEPENDENCY", "a → b → a"],
    );
}

#[test]
fn missing_dependency() {
    refused(
        &format!("steps:\n{}", step("a", 1, "Noop", "depends_on: [ghost]")),
        &["MISSING_DEPENDENCY", "'ghost'"],
    );
}

#[test]
fn args_not_a_mapping() {
    refused(
        &format!("steps:\n{}", step("a", 1, "Noop", "args: [1, 2]")),
        &["recipe.steps[0].args", "must be a mapping"],
    );
}

#[test]
fn bad_scriptlet_args_are_refused_before_running() {
    refused(
        &format!("steps:\n{}", step("a", 1, "Sleep", "args: {seconds: soon}")),
        &["INVALID_ARG", "recipe.steps[0].args.seconds", "\"soon\""],
    );
}

#[test]
fn non_finite_numbers() {
    refused(
        &format!("steps:\n{}", step("a", 1, "Sleep", "args: {seconds: .nan}")),
        &["recipe.steps[0].args.seconds", "non-finite"],
    );
}

#[test]
fn a_50_mb_recipe_is_refused_by_size() {
    let mut text = String::from("steps:\n");
    let line = format!("# {}\n", "x".repeat(1000));
    while text.len() < 50 << 20 {
        text.push_str(&line);
    }
    refused(&text, &["bad.yaml", "bytes", "larger than"]);
}

/// The child runs with at most 100 MiB of address space (RLIMIT_AS), which bounds its peak
/// resident set below that: an expansion of the bomb could not fit and would abort instead of
/// the clean refusal asserted here. (A peak RSS read back through wait4(2) would include the
/// test process's own resident set at the fork, so it is not a measure of the child.)
#[test]
fn a_yaml_alias_bomb_is_refused_in_little_memory() {
    use std::os::unix::process::CommandExt;
    let mut text = String::from(
        "a: &a [\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\"]\n",
    );
    let names = ["b", "c", "d", "e", "f", "g", "h", "i"];
    let mut prev = "a";
    for n in names {
        text.push_str(&format!(
            "{n}: &{n} [*{prev},*{prev},*{prev},*{prev},*{prev},*{prev},*{prev},*{prev},*{prev}]\n"
        ));
        prev = n;
    }
    text.push_str("steps: []\n");
    let s = Scratch::new();
    let bad = s.write("bomb.yaml", &text);
    let mut cmd = s.f0();
    cmd.args(["run", bad.to_str().unwrap()]);
    // SAFETY: setrlimit is async-signal-safe and touches nothing of the parent.
    unsafe {
        cmd.pre_exec(|| {
            let limit = libc::rlimit {
                rlim_cur: 100 << 20,
                rlim_max: 100 << 20,
            };
            if libc::setrlimit(libc::RLIMIT_AS, &limit) == 0 {
                Ok(())
            } else {
                Err(std::io::Error::last_os_error())
            }
        });
    }
    let out = cmd.output().unwrap();
    let msg = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{msg}");
    assert!(
        msg.contains("bomb.yaml") && msg.contains("aliases expand"),
        "{msg}"
    );
}

#[test]
fn unknown_flags_and_bad_flag_values_are_usage_errors() {
    let s = Scratch::new();
    let out = s.run(&["run", "x.yaml", "--step-timeout", "0"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("not a positive number of seconds"));
}

#[test]
fn load_errors_in_json_mode_are_one_json_object() {
    let s = Scratch::new();
    let bad = s.write("bad.yaml", "- a\n");
    let (code, j) = s.run_json(&bad, &[]);
    assert_eq!(code, 1);
    assert_eq!(j["status"], "error");
    assert_eq!(j["recipe_path"], bad.to_str().unwrap());
    assert_eq!(
        j["error"],
        "Recipe file must contain a YAML dictionary, got list"
    );
}
