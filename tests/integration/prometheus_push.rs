//! `f0 run --pushgateway URL --job NAME` against a real Pushgateway, scraped by a real
//! Prometheus (honor_labels): the run's series arrive grouped by job and instance, labelled
//! with the run id, and the next run's push replaces the group.

use crate::prometheus_servers::{
    binary, get, start_pushgateway, wait_for, Prometheus, APT_PROMETHEUS,
};
use crate::util::{step, Scratch};

const TEST: &str = "prometheus_push::run_pushes_to_the_pushgateway_and_prometheus_sees_it";

#[test]
fn run_pushes_to_the_pushgateway_and_prometheus_sees_it() {
    let (Some(prom_bin), Some(gw_bin)) = (
        binary(TEST, "prometheus", APT_PROMETHEUS),
        binary(TEST, "prometheus-pushgateway", APT_PROMETHEUS),
    ) else {
        return;
    };
    let s = Scratch::new();
    let (_gw, gw_url) = start_pushgateway(&gw_bin, s.dir.path());
    let gw_target = gw_url.trim_start_matches("http://").to_owned();
    let mut prom = Prometheus::start(
        &prom_bin,
        s.dir.path(),
        &[("pushgateway", &gw_target, true)],
    );
    let recipe = s.write(
        "push.yaml",
        &format!(
            "steps:\n{}{}",
            step("fetch", 1, "Noop", ""),
            step("pause", 2, "Sleep", "args: {seconds: 0.05}")
        ),
    );
    let host = framework0::exposition::hostname();

    let (code, first) = s.run_json(&recipe, &["--pushgateway", &gw_url, "--job", "nightly"]);
    assert_eq!(code, 0, "{first}");
    let run1 = first["run_id"].as_i64().unwrap().to_string();
    // The Pushgateway holds the group job=nightly/instance=<host>.
    let (_, _, held) = get(&format!("{gw_url}/metrics"), None).unwrap();
    let pushed = held
        .lines()
        .find(|l| l.starts_with("step_wall_time_seconds_count{") && l.contains("step=\"pause\""))
        .unwrap_or_else(|| panic!("no pushed step_wall_time in:\n{held}"));
    for label in [
        "job=\"nightly\"".to_owned(),
        format!("instance=\"{host}\""),
        format!("run_id=\"{run1}\""),
    ] {
        assert!(pushed.contains(&label), "{label} missing in {pushed}");
    }
    assert!(pushed.ends_with(" 1"), "{pushed}");

    let expr = "step_wall_time_seconds_sum{job=\"nightly\",step=\"pause\"}";
    let (labels, secs) = prom.wait_for_one(expr, |v| v > 0.0);
    assert_eq!(labels["instance"], host.as_str());
    assert_eq!(labels["run_id"], run1.as_str());
    assert_eq!(labels["recipe"], "push", "{labels:?}");
    assert!((0.05..5.0).contains(&secs), "the 50 ms pause took {secs} s");

    // A second run replaces the group: Prometheus then sees the new run id only.
    let (code, second) = s.run_json(&recipe, &["--pushgateway", &gw_url, "--job", "nightly"]);
    assert_eq!(code, 0, "{second}");
    let run2 = second["run_id"].as_i64().unwrap().to_string();
    assert_ne!(run1, run2);
    wait_for("Prometheus to see the second run only", || {
        prom.running.assert_alive();
        let got = prom.query(&format!("count by (run_id) ({expr})"))?;
        match got.as_slice() {
            [(labels, _)] if labels["run_id"] == run2.as_str() => Ok(()),
            other => Err(format!("{other:?}")),
        }
    });
}
