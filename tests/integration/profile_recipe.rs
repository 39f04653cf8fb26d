//! The profile action in recipes (`recipes/profile_steps.yaml`): a command target and a step
//! target through `f0 run`, results in the context, the store and the output folder;
//! `f0 validate` findings for bad profile arguments.

use crate::util::Scratch;

const RECIPE: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/recipes/profile_steps.yaml");

#[test]
fn shipped_profile_recipe_profiles_a_command_and_an_earlier_step() {
    let s = Scratch::new();
    let recipe = s.write(
        "profile_steps.yaml",
        &std::fs::read_to_string(RECIPE).unwrap(),
    );
    let (code, out) = s.run_json(&recipe, &[]);
    assert_eq!(code, 0, "{out}");
    // The last profile is of the sleeping step, from the runner's stored measurements.
    let last = s.ctx("metrics.last_profile").unwrap();
    assert_eq!(last["target"]["kind"], "step");
    assert_eq!(last["step"], "profile_pause");
    assert_eq!(last["timers"]["merged"][0]["name"], "pause");
    assert!(
        last["timers"]["merged"][0]["total_ns"].as_u64().unwrap() >= 200_000_000,
        "{last}"
    );
    assert_eq!(
        last["classification"]["verdict"], "not_cpu_bound",
        "{}",
        last["classification"]
    );
    let rows: Vec<(String, String)> = {
        let db = s.sql();
        let mut st = db
            .prepare("SELECT step, target FROM profiles ORDER BY id")
            .unwrap();
        st.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
            .unwrap()
            .map(Result::unwrap)
            .collect()
    };
    assert_eq!(
        rows,
        vec![
            ("profile_command".into(), "command".into()),
            ("profile_pause".into(), "step:pause".into())
        ]
    );
    let baselines: i64 = s
        .sql()
        .query_row(
            "SELECT COUNT(*) FROM profile_baselines WHERE name = 'shell_loop'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(baselines, 1);
    for f in [
        "profile_command.svg",
        "profile_command.folded",
        "profile_command.profile.json",
        "profile_pause.svg",
    ] {
        assert!(
            s.path(&format!("profiles/{f}")).exists(),
            "profiles/{f} missing"
        );
    }
    // The command's output went to a file, not into the run's JSON on stdout.
    assert_eq!(
        std::fs::read_to_string(s.path("profiles/profile_command.stdout")).unwrap(),
        "counted 30000\n"
    );
}

#[test]
fn validate_names_each_bad_profile_argument() {
    let s = Scratch::new();
    let recipe = s.write(
        "bad.yaml",
        "steps:\n  - name: p\n    module: scriptlets.performance_metrics\n    function: PerformanceMetricsScriptlet\n    args: {action: profile, target: {command: []}, frequency: 50000, colour: red}\n",
    );
    let out = s.run(&["validate", recipe.to_str().unwrap()]);
    let text =
        String::from_utf8_lossy(&out.stdout).to_string() + &String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{text}");
    for needle in [
        "recipe.steps[0].args.target.command: got []",
        "recipe.steps[0].args.frequency: got 50000; accepted: an integer from 1 to 10000",
        "recipe.steps[0].args.colour: unknown key 'colour'",
    ] {
        assert!(text.contains(needle), "{needle} missing in\n{text}");
    }
}

#[test]
fn a_step_target_that_never_ran_fails_the_step_with_a_clear_message() {
    let s = Scratch::new();
    let recipe = s.write(
        "r.yaml",
        "steps:\n  - name: p\n    module: scriptlets.performance_metrics\n    function: PerformanceMetricsScriptlet\n    args: {action: profile, target: {step: ghost}}\n",
    );
    let (code, out) = s.run_json(&recipe, &[]);
    assert_eq!(code, 1, "{out}");
    let text = out.to_string();
    assert!(text.contains("step \\\"ghost\\\" has not run"), "{text}");
}
