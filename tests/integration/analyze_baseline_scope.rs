//! `f0 analyze --compare-baseline` when only a pooled baseline of the name is stored: a series
//! or a group (`--by`) is not judged against it (the warning names it and says how to compare
//! the pool), `--pool` is; with no baseline at all the warning says how to establish one.

use crate::util::Scratch;

/// Two series of `lat` (host a and b), imported as two runs.
fn two_hosts(s: &Scratch) {
    let csv = s.write(
        "m.csv",
        "timestamp,value\n1767225600,10\n1767225601,11\n1767225602,12\n",
    );
    for host in ["host=a", "host=b"] {
        let out = s.run(&[
            "import",
            csv.to_str().unwrap(),
            "--name",
            "lat",
            "--tag",
            host,
        ]);
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
}

/// `f0 analyze --metric lat --compare-baseline` plus `extra`: stdout and stderr together.
fn compare(s: &Scratch, extra: &[&str]) -> String {
    let mut args = vec!["analyze", "--metric", "lat", "--compare-baseline"];
    args.extend_from_slice(extra);
    let out = s.run(&args);
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(out.status.code(), Some(0), "{text}");
    text
}

#[test]
fn a_pooled_baseline_judges_only_the_pool() {
    let s = Scratch::new();
    two_hosts(&s);
    let none = compare(&s, &[]);
    assert_eq!(
        none.matches("warning: baseline comparison: no baseline is stored for this series (establish one with baseline.establish)").count(),
        2,
        "{none}"
    );
    rusqlite::Connection::open(s.store())
        .unwrap()
        .execute(
            "INSERT INTO baselines (metric, tags, scope, created_at, run_id, source, sample_count, \
             mean, std_dev, median, sample_values) VALUES ('lat', '{}', 'pooled', 1.0, NULL, \
             '{\"kind\":\"values\"}', 3, 11.0, 1.0, 11.0, '[10,11,12]')",
            [],
        )
        .unwrap();
    let mixes = |what: &str| {
        format!(
            "warning: baseline comparison: no baseline is stored for this {what}; the pooled baseline #1 of 'lat' \
             mixes every series of the name and is not used for one of them (compare the pool with pool: true, \
             or establish per-{what} baselines with baseline.establish)"
        )
    };
    let series = compare(&s, &[]);
    assert_eq!(series.matches(&mixes("series")).count(), 2, "{series}");
    let group = compare(&s, &["--by", "host"]);
    assert_eq!(group.matches(&mixes("group")).count(), 2, "{group}");
    let pool = compare(&s, &["--pool"]);
    assert!(
        pool.contains("baseline #1 (pooled, 3 samples, mean 11): unchanged"),
        "{pool}"
    );
    assert!(!pool.contains("warning: baseline comparison"), "{pool}");
}
