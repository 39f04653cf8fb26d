//! The store under abuse: `SIGKILL` at random moments of a run that writes context and
//! metrics (grouped commits must never leave a damaged file or a killed run that reads
//! `completed`), and four `f0 run` processes writing one store at once.

use std::process::{Child, Stdio};
use std::time::{Duration, Instant};

use crate::util::{step, Scratch};

/// Steps of the killed recipe; each sets one key and yields 6 runner samples.
const STEPS: usize = 30;
const SAMPLES_PER_STEP: i64 = 6;

/// A recipe of `STEPS` steps alternating a context write with a 3 ms sleep.
fn busy_recipe(s: &Scratch) -> std::path::PathBuf {
    let mut yaml = String::from("steps:\n");
    for i in 0..STEPS {
        let (function, args) = if i % 2 == 0 {
            (
                "SetContext",
                format!("args: {{values: {{kill.k{i}: {i}}}}}"),
            )
        } else {
            ("Sleep", "args: {seconds: 0.003}".to_owned())
        };
        yaml.push_str(&step(&format!("s{i}"), i as i64 + 1, function, &args));
    }
    s.write("busy.yaml", &yaml)
}

/// xorshift64*: the kill moments, reproducible from the printed seed.
fn next(state: &mut u64) -> u64 {
    *state ^= *state >> 12;
    *state ^= *state << 25;
    *state ^= *state >> 27;
    state.wrapping_mul(0x2545_f491_4f6c_dd1d)
}

fn spawn_run(s: &Scratch, recipe: &std::path::Path) -> Child {
    s.f0()
        .args(["run", recipe.to_str().unwrap()])
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap()
}

fn integrity(s: &Scratch) -> String {
    s.sql()
        .query_row("PRAGMA integrity_check", [], |r| r.get(0))
        .unwrap()
}

/// `(id, status)` of every run as the table holds it.
fn raw_runs(s: &Scratch) -> Vec<(i64, String)> {
    let c = s.sql();
    let mut stmt = c
        .prepare("SELECT id, status FROM runs ORDER BY id")
        .unwrap();
    let rows = stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?))).unwrap();
    rows.collect::<Result<_, _>>().unwrap()
}

/// Samples and context changes run `id` wrote.
fn written_by(s: &Scratch, id: i64) -> (i64, i64) {
    let c = s.sql();
    let count = |sql: &str| c.query_row(sql, [id], |r| r.get::<_, i64>(0)).unwrap();
    (
        count("SELECT COUNT(*) FROM metric_samples WHERE run_id = ?1"),
        count("SELECT COUNT(*) FROM context_history WHERE run_id = ?1 AND key LIKE 'kill.%'"),
    )
}

#[test]
fn twenty_sigkills_at_random_moments_leave_the_store_intact_and_no_killed_run_completed() {
    let s = Scratch::new();
    let recipe = busy_recipe(&s);
    // One undisturbed run first: the store exists and the run's length is known.
    let t = Instant::now();
    assert!(spawn_run(&s, &recipe).wait().unwrap().success());
    // The whole process, startup included: a window of two thirds of it lands mostly mid-run.
    let span_ms = (t.elapsed().as_millis() as u64 * 2 / 3).max(20);
    let mut seed = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_nanos() as u64
        | 1;
    eprintln!("kill moments seeded with {seed} over {span_ms} ms");
    let mut killed = Vec::new();
    for round in 0..20 {
        let before = raw_runs(&s).len();
        let mut child = spawn_run(&s, &recipe);
        // A random moment of the run itself (startup is not what this tests).
        let deadline = Instant::now() + Duration::from_secs(30);
        while raw_runs(&s).len() == before && child.try_wait().unwrap().is_none() {
            assert!(
                Instant::now() < deadline,
                "round {round}: the run never began"
            );
            std::thread::sleep(Duration::from_millis(1));
        }
        std::thread::sleep(Duration::from_millis(next(&mut seed) % span_ms));
        child.kill().unwrap();
        child.wait().unwrap();
        assert_eq!(integrity(&s), "ok", "round {round}");
        let runs = raw_runs(&s);
        if runs.len() == before {
            continue; // killed before its run began
        }
        let (id, status) = runs.last().unwrap().clone();
        // A run that reads completed finished everything before the kill; any other is
        // still `running` in the table (nobody finalised it).
        if status == "completed" {
            let keys = STEPS.div_ceil(2) as i64;
            assert_eq!(written_by(&s, id), (STEPS as i64 * SAMPLES_PER_STEP, keys));
        } else {
            assert_eq!(status, "running", "round {round}: {runs:?}");
            killed.push(id);
        }
    }
    // A reader shows every killed run crashed; the next writer marks them so.
    let out = s.run(&["context", "runs", "--json"]);
    let shown: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    for id in &killed {
        let run = shown
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["id"] == *id)
            .unwrap();
        assert_eq!(run["status"], "crashed", "{run}");
    }
    assert!(spawn_run(&s, &recipe).wait().unwrap().success());
    assert_eq!(integrity(&s), "ok");
    for (id, status) in raw_runs(&s) {
        if killed.contains(&id) {
            assert_eq!(status, "crashed", "run {id}");
        } else {
            assert_eq!(status, "completed", "run {id}");
            let keys = STEPS.div_ceil(2) as i64;
            assert_eq!(
                written_by(&s, id),
                (STEPS as i64 * SAMPLES_PER_STEP, keys),
                "completed run {id} is whole"
            );
        }
    }
    eprintln!("{} of 20 rounds killed a run mid-way", killed.len());
    assert!(killed.len() >= 5, "too few rounds killed a run mid-way");
}

#[test]
fn four_concurrent_runs_of_200_context_steps_lose_no_write_and_never_report_a_locked_store() {
    let s = Scratch::new();
    let recipes: Vec<_> = (0..4)
        .map(|w| {
            let mut yaml = String::from("steps:\n");
            for j in 0..200 {
                let args = format!("args: {{values: {{par.w{w}.k{j}: {j}}}}}");
                yaml.push_str(&step(&format!("s{j}"), j + 1, "SetContext", &args));
            }
            s.write(&format!("w{w}.yaml"), &yaml)
        })
        .collect();
    let children: Vec<Child> = recipes.iter().map(|r| spawn_run(&s, r)).collect();
    for (w, child) in children.into_iter().enumerate() {
        let out = child.wait_with_output().unwrap();
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(out.status.success(), "writer {w}: {err}");
        assert!(!err.contains("locked"), "writer {w}: {err}");
    }
    let c = s.sql();
    let count = |sql: &str| c.query_row(sql, [], |r| r.get::<_, i64>(0)).unwrap();
    assert_eq!(
        count("SELECT COUNT(*) FROM context_data WHERE key LIKE 'par.w%'"),
        800
    );
    assert_eq!(
        count("SELECT COUNT(*) FROM context_history WHERE key LIKE 'par.w%'"),
        800
    );
    for w in 0..4 {
        assert_eq!(
            s.ctx(&format!("par.w{w}.k199")),
            Some(serde_json::json!(199))
        );
    }
    assert_eq!(
        count("SELECT COUNT(*) FROM runs WHERE status = 'completed'"),
        4
    );
    assert_eq!(count("SELECT COUNT(*) FROM metric_samples"), 4 * 200 * 6);
}
