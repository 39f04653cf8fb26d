//! In-process call trees from timer records under a fake clock: exact total, self, calls,
//! mean, p95, share of parent, allocations per node; folded stacks; the per-call rules; the
//! `{step: NAME}` target through the step capture hook and the action's `run_step`.

use std::collections::HashMap;
use std::sync::atomic::AtomicBool;
use std::sync::{Arc, Mutex};

use framework0::metrics::CallRecord;
use framework0::profile::bottleneck::{detect, RuleInput};
use framework0::profile::scope::SpanCost;
use framework0::profile::{capture, flame, timers};
use framework0::scriptlet::{StepEnv, StepInfo};
use framework0::store::{SharedStore, Store};
use serde_json::json;

/// A fake clock and call stack producing the records real timers would.
struct Fake {
    now: i64,
    next: u64,
    thread: u64,
    open: Vec<(u64, &'static str, i64)>,
    out: Vec<CallRecord>,
}

impl Fake {
    fn new(thread: u64) -> Fake {
        Fake {
            now: 1_000,
            next: 1,
            thread,
            open: Vec::new(),
            out: Vec::new(),
        }
    }
    fn enter(&mut self, name: &'static str) -> &mut Self {
        let span = (self.thread << 40) | self.next;
        self.next += 1;
        self.open.push((span, name, self.now));
        self
    }
    fn advance(&mut self, ns: i64) -> &mut Self {
        self.now += ns;
        self
    }
    fn exit(&mut self) -> &mut Self {
        let (span, name, start) = self.open.pop().unwrap();
        let parent = self.open.last().map_or(0, |o| o.0);
        self.out.push(CallRecord::ended(
            span,
            parent,
            name,
            self.now,
            (self.now - start) as u64,
        ));
        self
    }
    fn call(&mut self, name: &'static str, ns: i64) -> &mut Self {
        self.enter(name).advance(ns).exit()
    }
}

fn sample_program() -> Vec<CallRecord> {
    let mut f = Fake::new(1);
    f.enter("main").advance(10);
    f.enter("parse").advance(25).call("lex", 5).exit();
    f.enter("parse").advance(25).exit();
    f.call("read", 20).advance(15).exit();
    let mut g = Fake::new(2);
    g.enter("worker").advance(7).call("lex", 3).exit();
    f.out.extend(g.out);
    f.out
}

#[test]
fn call_tree_under_a_fake_clock_has_exact_self_and_total() {
    let p = timers::profile(&sample_program(), &HashMap::new());
    let main = &p.merged[0];
    assert_eq!(
        (main.name.as_str(), main.total_ns, main.self_ns),
        ("main", 100, 25)
    );
    let c = main.calls.as_ref().unwrap();
    assert_eq!(
        (c.count, c.mean_ns, c.p95_ns, c.share_of_parent),
        (1, 100.0, 100, 1.0)
    );
    let parse = &main.children[0];
    assert_eq!(
        (parse.name.as_str(), parse.total_ns, parse.self_ns),
        ("parse", 55, 50)
    );
    let pc = parse.calls.as_ref().unwrap();
    assert_eq!(
        (pc.count, pc.mean_ns, pc.p95_ns, pc.max_ns),
        (2, 27.5, 30, 30)
    );
    assert!((pc.share_of_parent - 0.55).abs() < 1e-12);
    assert_eq!(
        (
            parse.children[0].name.as_str(),
            parse.children[0].total_ns,
            parse.children[0].self_ns
        ),
        ("lex", 5, 5)
    );
    let read = &main.children[1];
    assert_eq!(
        (read.name.as_str(), read.total_ns, read.self_ns),
        ("read", 20, 20)
    );
    let worker = &p.merged[1];
    assert_eq!(
        (worker.name.as_str(), worker.total_ns, worker.self_ns),
        ("worker", 10, 7)
    );
    // Per thread: two trees, one root each.
    assert_eq!(
        p.threads
            .iter()
            .map(|t| (t.thread, t.roots[0].name.as_str()))
            .collect::<Vec<_>>(),
        vec![(1, "main"), (2, "worker")]
    );
    // Flat: lex appears under parse and under worker.
    let lex = p.functions.iter().find(|f| f.name == "lex").unwrap();
    assert_eq!((lex.self_ns, lex.total_ns, lex.count), (8, 8, 2));
    assert_eq!(p.functions[0].name, "parse"); // 50 ns of self time: the most
    assert_eq!(
        flame::folded(&p.merged),
        "main 25\nmain;parse 50\nmain;parse;lex 5\nmain;read 20\nworker 7\nworker;lex 3\n"
    );
}

#[test]
fn allocations_and_io_join_each_node_by_span() {
    let recs = sample_program();
    let span = |name: &str| recs.iter().find(|r| r.name == name).unwrap().span_id;
    let costs: HashMap<u64, SpanCost> = [
        (
            span("main"),
            SpanCost {
                allocations: 50,
                alloc_bytes: 5000,
                read_bytes: 100,
                write_bytes: 7,
                run_queue_ns: 0,
            },
        ),
        (
            span("read"),
            SpanCost {
                allocations: 20,
                alloc_bytes: 4096,
                read_bytes: 100,
                write_bytes: 0,
                run_queue_ns: 0,
            },
        ),
    ]
    .into();
    let p = timers::profile(&recs, &costs);
    assert!(p.allocations_counted);
    let main = p.merged[0].calls.clone().unwrap();
    assert_eq!(
        (
            main.allocations,
            main.self_allocations,
            main.alloc_bytes,
            main.read_bytes
        ),
        (Some(50), Some(30), Some(5000), Some(100))
    );
    let read = p.merged[0].children[1].calls.clone().unwrap();
    assert_eq!((read.allocations, read.alloc_bytes), (Some(20), Some(4096)));
    assert_eq!(
        p.merged[0].children[0].calls.as_ref().unwrap().allocations,
        None
    );
}

#[test]
fn per_call_rules_cite_their_numbers() {
    let mut f = Fake::new(1);
    f.enter("main");
    for _ in 0..2000 {
        f.call("tiny", 1_000);
    }
    for _ in 0..17 {
        f.call("lookup", 100_000);
    }
    for _ in 0..3 {
        f.call("lookup", 5_000_000);
    }
    f.exit();
    let recs = f.out;
    let span = recs.iter().find(|r| r.name == "main").unwrap().span_id;
    let costs: HashMap<u64, SpanCost> = [(
        span,
        SpanCost {
            allocations: 300,
            alloc_bytes: 10,
            ..Default::default()
        },
    )]
    .into();
    let p = timers::profile(&recs, &costs);
    let found = detect(RuleInput {
        functions: &p.functions,
        timer_roots: &p.merged,
        proc: None,
    });
    let by = |rule: &str, loc: &str| {
        found
            .iter()
            .find(|b| b.rule == rule && b.location == loc)
            .unwrap_or_else(|| panic!("no {rule} at {loc}: {found:#?}"))
    };
    assert_eq!(
        by("many_short_calls", "main;tiny").evidence,
        "2000 calls averaging 1.00 µs add up to 2.0 ms (10.7 % of the time)"
    );
    let o = by("outliers", "main;lookup");
    assert_eq!(
        o.evidence,
        "p95 5.0 ms is 6.0× the mean 0.8 ms over 20 calls"
    );
    assert_eq!(o.severity, "high");
    assert_eq!(
        by("allocation_heavy", "main").evidence,
        "300 allocations and 0 KiB per call in the block itself over 1 calls"
    );
    assert_eq!(found[0].rank, 1);
}

#[test]
fn nested_blocks_report_a_wait_and_allocations_once_where_they_happen() {
    let mut f = Fake::new(1);
    f.enter("job")
        .advance(1_000_000)
        .enter("fetch")
        .advance(9_000_000)
        .exit()
        .exit();
    let mut recs = f.out;
    for r in &mut recs {
        // job: 10 ms wall, 1.2 ms CPU; fetch: 9 ms wall, 0.2 ms CPU (it sleeps).
        r.cpu_ns = Some(if r.name == "job" { 1_200_000 } else { 200_000 });
    }
    let span = |name: &str| recs.iter().find(|r| r.name == name).unwrap().span_id;
    let costs: HashMap<u64, SpanCost> = [
        (
            span("job"),
            SpanCost {
                allocations: 510,
                alloc_bytes: 5_000,
                ..Default::default()
            },
        ),
        (
            span("fetch"),
            SpanCost {
                allocations: 500,
                alloc_bytes: 4_000,
                ..Default::default()
            },
        ),
    ]
    .into();
    let p = timers::profile(&recs, &costs);
    let found = detect(RuleInput {
        functions: &p.functions,
        timer_roots: &p.merged,
        proc: None,
    });
    let at = |rule: &str| {
        found
            .iter()
            .filter(|b| b.rule == rule)
            .map(|b| b.location.as_str())
            .collect::<Vec<_>>()
    };
    assert_eq!(at("cpu_below_wall"), vec!["job;fetch"], "{found:#?}");
    assert_eq!(at("allocation_heavy"), vec!["job;fetch"], "{found:#?}");
    let wait = found.iter().find(|b| b.rule == "cpu_below_wall").unwrap();
    assert_eq!(
        wait.evidence,
        "CPU 0.2 ms over wall 9.0 ms (2.2 % busy; 0.0 ms waiting for a CPU excluded)"
    );
}

fn env_for(store: &SharedStore, dir: &std::path::Path, step: &str, run_id: i64) -> StepEnv {
    let info = StepInfo {
        step_name: step.into(),
        recipe_path: dir.join("r.yaml"),
        recipe_name: "r".into(),
        attempt: 1,
        run_id,
    };
    let context = Arc::new(Mutex::new(framework0::context::Context::new()));
    StepEnv::new(
        info,
        context,
        store.clone(),
        Arc::new(AtomicBool::new(false)),
    )
}

#[test]
fn step_target_profiles_the_captured_step_through_run_step() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = Store::open(&dir.path().join("store.db")).unwrap();
    let run_id = store.begin_run("r", "r.yaml", 1.0).unwrap();
    let store = SharedStore::new(store);
    let work = env_for(&store, dir.path(), "work", run_id);
    capture::around_step(work.info(), || {
        let v: Vec<Vec<u8>> = (0..100).map(|i| vec![0u8; 1000 + i]).collect();
        std::hint::black_box(v);
        std::thread::sleep(std::time::Duration::from_millis(30));
    });
    let prof = env_for(&store, dir.path(), "prof", run_id);
    let out = dir.path().join("out");
    let args = json!({"action": "profile", "target": {"step": "work"}, "output_dir": out.to_str().unwrap()});
    assert_eq!(
        framework0::profile::run_step(&prof, args.as_object().unwrap()).unwrap(),
        0
    );
    let r = prof.get("metrics.last_profile").unwrap();
    assert_eq!(r["target"], json!({"kind": "step", "step": "work"}));
    let node = &r["timers"]["merged"][0];
    assert_eq!(node["name"], "work");
    assert!(node["total_ns"].as_u64().unwrap() >= 30_000_000, "{node}");
    assert_eq!(
        r["classification"]["verdict"], "not_cpu_bound",
        "{}",
        r["classification"]
    );
    assert!(out.join("prof.svg").exists() && out.join("prof.profile.json").exists());
    let missing = json!({"action": "profile", "target": {"step": "never_ran"}, "output_dir": out.to_str().unwrap()});
    let err = framework0::profile::run_step(&prof, missing.as_object().unwrap())
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("args.target.step: step \"never_ran\" has not run"),
        "{err}"
    );
    let bad = json!({"action": "profile", "target": {"step": ""}});
    let err = framework0::profile::run_step(&prof, bad.as_object().unwrap())
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("args.target.step") && err.contains("got \"\""),
        "{err}"
    );
}
