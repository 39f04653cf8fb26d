//! Per-step overhead of the runner: a 1000-step recipe of no-op steps with the store on
//! (context persisted and six step metrics written after every step).
//!
//! Run: `cargo bench --bench runner`. Per-step overhead = reported time / 1000.

use criterion::{criterion_group, criterion_main, Criterion};
use framework0::catalog::default_registry;
use framework0::recipe::parse_recipe;
use framework0::runner::{Interrupt, RunOptions, Runner};
use framework0::store::{SharedStore, Store};

fn recipe_text(steps: usize, function: &str, args: &str) -> String {
    let mut text = String::from("steps:\n");
    for i in 0..steps {
        text.push_str(&format!(
            "  - {{name: s{i}, idx: {i}, module: f0.builtin, function: {function}, args: {args}}}\n"
        ));
    }
    text
}

fn bench(c: &mut Criterion) {
    let dir = tempfile::tempdir().unwrap();
    let registry = default_registry();
    let mut group = c.benchmark_group("runner_1000_steps");
    group.sample_size(10);
    for (label, function, args) in [
        ("noop", "Noop", "{}"),
        ("set_context", "SetContext", "{values: {bench.key: 1}}"),
    ] {
        let recipe = parse_recipe(
            std::path::Path::new("bench.yaml"),
            &recipe_text(1000, function, args),
        )
        .unwrap();
        let store = SharedStore::new(Store::open(&dir.path().join(format!("{label}.db"))).unwrap());
        let interrupt = Interrupt::new();
        group.bench_function(label, |b| {
            b.iter(|| {
                let outcome = Runner::new(&registry, store.clone(), interrupt.clone())
                    .run(&recipe, &RunOptions::default())
                    .unwrap();
                assert_eq!(outcome.completed_steps, 1000);
            })
        });
    }
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
