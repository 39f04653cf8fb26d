//! The `collect` progress bar: drawn on a terminal (here a pseudo-terminal from `script`),
//! with what is running, and cleared at the end; never in a pipe.

use crate::util::collect::{collect, recipe};
use crate::util::Scratch;

#[test]
fn a_collection_on_a_terminal_shows_a_progress_bar_naming_the_workload() {
    if std::process::Command::new("script")
        .arg("--version")
        .output()
        .is_err()
    {
        eprintln!(
            "SKIPPED collect_terminal: `script` (util-linux) is not installed; apt-get install -y bsdutils"
        );
        return;
    }
    let s = Scratch::new();
    let r = recipe(
        &s,
        &[collect(
            "c",
            1,
            "duration: 600ms, collectors: {system: {interval: 100ms}, application: {workloads: [{name: nap, command: [sleep, '0.3']}]}}",
            "",
        )],
    );
    let line = format!("{} run {}", env!("CARGO_BIN_EXE_f0"), r.display());
    let out = std::process::Command::new("script")
        .args(["-qec", &line, "/dev/null"])
        .current_dir(s.dir.path())
        .env("F0_CONTEXT_DB", s.store())
        .env("F0_LOG", "error")
        .output()
        .unwrap();
    let tty = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{tty}");
    assert!(
        tty.contains("collect ["),
        "no bar drawn on the terminal:\n{tty}"
    );
    assert!(
        tty.contains("workload nap"),
        "the bar names the workload:\n{tty}"
    );
    // The same run in a pipe draws nothing.
    let piped = s.run(&["run", r.to_str().unwrap()]);
    assert!(
        !String::from_utf8_lossy(&piped.stderr).contains("collect ["),
        "a bar in a pipe"
    );
}
