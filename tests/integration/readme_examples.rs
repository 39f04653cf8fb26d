//! Every example in the README runs: the fenced `sh`, `yaml` and `rust` blocks, in README
//! order, in one scratch directory that holds a copy of `recipes/` and the input files the
//! examples name — a user following the README top to bottom.
//!
//! - `sh`: each line runs with `sh -c` and must exit 0. `cargo run --release --` is the built
//!   `f0` (on `PATH`); `cargo test` lines are skipped (this test is part of that command).
//!   Substitutions a scratch directory needs, and only these: `f0 serve` listens on a free
//!   loopback port (unless the line says `--listen`), runs until it answers a scrape and then
//!   gets SIGTERM (it must exit 0); the Pushgateway URL is a loopback listener of this test,
//!   which checks the push arrived; `tail -f` becomes `tail -n +1` (a live tail never ends);
//!   `--open` finds a stand-in `xdg-open` that records the file it was given;
//!   `$GITHUB_STEP_SUMMARY` is a scratch file. A `--fail-on-regression` gate may exit 1 when it
//!   says a series regressed (a real verdict on a noisy machine), never 2.
//! - `yaml`: a whole recipe is validated and run; an excerpt (a recipe with a `# ...` line
//!   standing for steps left out) is validated; a step fragment is validated as a one-step
//!   recipe; a CI step's `run: |` lines run like an `sh` block.
//! - `rust`: a program (`fn main`) is an `examples/` file verbatim (whitespace aside), a
//!   fragment is part of one; the example is built by `cargo test` and run here.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::{Arc, Mutex};

use crate::util::readme::{self, Block};

const REPO: &str = env!("CARGO_MANIFEST_DIR");

struct Reader {
    dir: tempfile::TempDir,
    pushes: Arc<Mutex<Vec<String>>>,
    pushgateway: String,
}

impl Reader {
    fn new() -> Self {
        let dir = tempfile::tempdir().unwrap();
        copy_dir(
            &Path::new(REPO).join("recipes"),
            &dir.path().join("recipes"),
        );
        let bin = dir.path().join(".bin");
        std::fs::create_dir_all(&bin).unwrap();
        std::os::unix::fs::symlink(env!("CARGO_BIN_EXE_f0"), bin.join("f0")).unwrap();
        let opener = bin.join("xdg-open");
        std::fs::write(&opener, "#!/bin/sh\necho \"$1\" >> \"$F0_README_OPENED\"\n").unwrap();
        set_mode(&opener, 0o755);
        write_inputs(dir.path());
        let (pushgateway, pushes) = fake_pushgateway();
        Reader {
            dir,
            pushes,
            pushgateway,
        }
    }

    fn path(&self, rel: &str) -> PathBuf {
        self.dir.path().join(rel)
    }

    fn sh(&self, line: &str) -> Command {
        let path = format!(
            "{}:{}",
            self.path(".bin").display(),
            std::env::var("PATH").unwrap_or_default()
        );
        let mut c = Command::new("sh");
        c.arg("-c")
            .arg(line)
            .current_dir(self.dir.path())
            .env_remove("F0_CONTEXT_DB")
            // Examples that default to a file under the temporary directory get this
            // scratch folder's, not one shared with every other checkout on the machine.
            .env("TMPDIR", self.dir.path())
            .env("PATH", path)
            .env("F0_LOG", "warn")
            .env("DISPLAY", ":readme-test")
            .env("F0_README_OPENED", self.path("opened.txt"))
            .env("GITHUB_STEP_SUMMARY", self.path("step_summary.md"));
        c
    }

    /// Runs one command line of a block the way the module doc says.
    fn command(&self, block: &Block, line: &str) {
        if line.starts_with("cargo test") {
            return;
        }
        let line = line
            .replace("cargo run --release --", "f0")
            .replace("http://127.0.0.1:9091", &self.pushgateway)
            .replace("tail -f ", "tail -n +1 ");
        if line.starts_with("f0 serve") {
            return self.serve(block, &line);
        }
        let out = self.sh(&line).output().unwrap();
        let (stdout, stderr) = (
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr),
        );
        let code = out.status.code().unwrap_or(-1);
        let gate =
            line.contains("--fail-on-regression") && code == 1 && stdout.contains("regressed");
        assert!(
            code == 0 || gate,
            "{}: `{line}` exited {code}\nstdout:\n{stdout}\nstderr:\n{stderr}",
            block.at()
        );
    }

    fn serve(&self, block: &Block, line: &str) {
        let line = if line.contains("--listen") {
            line.to_owned()
        } else {
            line.replacen("f0 serve", "f0 serve --listen 127.0.0.1:0", 1)
        };
        let mut child = self
            .sh(&format!("exec {line}"))
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let mut first = String::new();
        BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut first)
            .unwrap();
        let url = first
            .split_whitespace()
            .find(|w| w.starts_with("http://"))
            .unwrap_or_else(|| panic!("{}: `{line}` printed {first:?}", block.at()))
            .to_owned();
        let body = ureq::get(&url)
            .call()
            .unwrap_or_else(|e| panic!("{}: scraping {url}: {e}", block.at()))
            .body_mut()
            .read_to_string()
            .unwrap();
        assert!(body.contains("# TYPE "), "{}: {body}", block.at());
        unsafe { libc::kill(child.id() as i32, libc::SIGTERM) };
        let status = child.wait().unwrap();
        let mut err = String::new();
        child
            .stderr
            .take()
            .unwrap()
            .read_to_string(&mut err)
            .unwrap();
        assert_eq!(status.code(), Some(0), "{}: `{line}`: {err}", block.at());
    }

    fn yaml(&self, block: &Block) {
        if let Some(lines) = readme::ci_run_lines(&block.text) {
            return lines.iter().for_each(|l| self.command(block, l));
        }
        let whole = block.text.lines().any(|l| l.starts_with("steps:"));
        let excerpt = block
            .text
            .lines()
            .any(|l| l.trim_start().starts_with("# ..."));
        let text = if whole {
            block.text.clone()
        } else {
            readme::fragment_as_recipe(&block.text)
        };
        let file = format!("readme_{}.yaml", block.line);
        std::fs::write(self.path(&file), text).unwrap();
        self.command(block, &format!("f0 validate {file}"));
        if whole && !excerpt {
            self.command(block, &format!("f0 run {file}"));
        }
    }

    fn rust(&self, block: &Block) {
        let (name, source) = example_holding(block);
        let exe = Path::new(env!("CARGO_BIN_EXE_f0"))
            .parent()
            .unwrap()
            .join("examples")
            .join(&name);
        // Absent (`cargo test --tests`, as `cargo llvm-cov` runs it) or older than the `f0`
        // under test (`cargo test --test integration` does not rebuild examples): build it.
        let modified = |p: &Path| std::fs::metadata(p).and_then(|m| m.modified()).ok();
        if modified(&exe) < modified(Path::new(env!("CARGO_BIN_EXE_f0"))) {
            build_example(&name, &exe);
        }
        let mut child = Command::new(&exe)
            .current_dir(self.dir.path())
            .env("TMPDIR", self.dir.path())
            .env("F0_METRICS_LISTEN", "127.0.0.1:0")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let mut stdin = child.stdin.take().unwrap();
        if source.contains("metrics::serve(") {
            let mut first = String::new();
            BufReader::new(child.stdout.take().unwrap())
                .read_line(&mut first)
                .unwrap();
            writeln!(stdin, "GET /").unwrap();
            let scraped = ureq::get(first.trim())
                .call()
                .map(|mut r| r.body_mut().read_to_string());
            let text = scraped.unwrap_or_else(|e| panic!("{}: {first:?}: {e}", block.at()));
            assert!(text.unwrap().contains("# TYPE "), "{}", block.at());
        }
        drop(stdin);
        let out = child.wait_with_output().unwrap();
        assert!(
            out.status.success(),
            "{}: examples/{name}.rs: {}",
            block.at(),
            String::from_utf8_lossy(&out.stderr)
        );
    }
}

/// Builds an example into the target directory of the `f0` under test.
fn build_example(name: &str, exe: &Path) {
    let target_dir = exe.ancestors().nth(3).unwrap();
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let out = Command::new(cargo)
        .args(["build", "--example", name, "--target-dir"])
        .arg(target_dir)
        .current_dir(REPO)
        .output()
        .unwrap();
    assert!(
        out.status.success() && exe.exists(),
        "building examples/{name}.rs into {}: {}",
        target_dir.display(),
        String::from_utf8_lossy(&out.stderr)
    );
}

/// The example (name, source) whose text holds the block, whitespace aside.
fn example_holding(block: &Block) -> (String, String) {
    let wanted = readme::squeeze(&block.text);
    let dir = Path::new(REPO).join("examples");
    for entry in std::fs::read_dir(&dir).unwrap() {
        let p = entry.unwrap().path();
        let Ok(source) = std::fs::read_to_string(&p) else {
            continue;
        };
        if readme::squeeze(&source).contains(&wanted) {
            let name = p.file_stem().unwrap().to_string_lossy().into_owned();
            return (name, source);
        }
    }
    panic!(
        "{}: no file in examples/ holds this block (whitespace aside):\n{}",
        block.at(),
        block.text
    )
}

fn set_mode(p: &Path, mode: u32) {
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(p, std::fs::Permissions::from_mode(mode)).unwrap();
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let p = entry.unwrap().path();
        let target = to.join(p.file_name().unwrap());
        if p.is_dir() {
            copy_dir(&p, &target);
        } else {
            std::fs::copy(&p, &target).unwrap();
        }
    }
}

/// The files the examples name: the TigerBeetle series, PerformanceMetric JSON lines, and
/// `cpu.csv` / `app.log.csv` (five-minute CPU readings with a daily cycle and one spike).
fn write_inputs(dir: &Path) {
    let tb = Path::new(REPO).join("../shared/data/changepoint/tigerbeetle.csv");
    std::fs::copy(&tb, dir.join("tigerbeetle.csv")).unwrap();
    let t0 = 1_767_225_600_000_000_000_i64;
    let jsonl: String = (0..20)
        .map(|i| {
            format!(
                "{{\"name\":\"queue_depth\",\"value\":{},\"metric_type\":\"gauge\",\"unit\":\"count\",\"timestamp\":{},\"tags\":{{\"queue\":\"main\"}}}}\n",
                3 + i % 4,
                t0 + i * 1_000_000_000
            )
        })
        .collect();
    std::fs::write(dir.join("metrics.jsonl"), jsonl).unwrap();
    let mut csv = String::from("timestamp,value\n");
    let start = 1_396_310_400_i64; // 2014-04-01T00:00:00Z
    let mut noise = 0x2545_f491_4f6c_dd1d_u64;
    for i in 0..3000_i64 {
        noise ^= noise << 13;
        noise ^= noise >> 7;
        noise ^= noise << 17;
        let jitter = (noise % 1000) as f64 / 1000.0 - 0.5;
        let daily = (i as f64 * std::f64::consts::TAU / 288.0).sin() * 5.0;
        let spike = if (2500..2506).contains(&i) { 30.0 } else { 0.0 };
        csv.push_str(&format!(
            "{},{:.3}\n",
            start + i * 300,
            50.0 + daily + jitter + spike
        ));
    }
    std::fs::write(dir.join("cpu.csv"), &csv).unwrap();
    std::fs::write(dir.join("app.log.csv"), &csv).unwrap();
}

/// A loopback stand-in for the Pushgateway: answers every request 200 and keeps its
/// request line.
fn fake_pushgateway() -> (String, Arc<Mutex<Vec<String>>>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let seen = Arc::new(Mutex::new(Vec::new()));
    let keep = Arc::clone(&seen);
    std::thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            let mut r = BufReader::new(stream);
            let (mut first, mut len) = (String::new(), 0usize);
            let _ = r.read_line(&mut first);
            loop {
                let mut h = String::new();
                if r.read_line(&mut h).unwrap_or(0) == 0 || h.trim().is_empty() {
                    break;
                }
                if let Some(v) = h.to_ascii_lowercase().strip_prefix("content-length:") {
                    len = v.trim().parse().unwrap_or(0);
                }
            }
            let mut body = vec![0; len];
            let _ = r.read_exact(&mut body);
            keep.lock().unwrap().push(first.trim().to_owned());
            let _ = r
                .get_mut()
                .write_all(b"HTTP/1.1 200 OK\r\nContent-Length: 0\r\nConnection: close\r\n\r\n");
        }
    });
    (url, seen)
}

#[test]
fn every_readme_example_runs() {
    let text = std::fs::read_to_string(Path::new(REPO).join("README.md")).unwrap();
    let blocks = readme::blocks(&text, &["sh", "yaml", "rust"]);
    assert!(blocks.len() >= 15, "found only {} blocks", blocks.len());
    let r = Reader::new();
    for block in &blocks {
        match block.lang.as_str() {
            "sh" => readme::commands(&block.text)
                .iter()
                .for_each(|l| r.command(block, l)),
            "yaml" => r.yaml(block),
            _ => r.rust(block),
        }
    }
    let pushes = r.pushes.lock().unwrap().clone();
    assert!(
        pushes
            .iter()
            .any(|p| p.starts_with("PUT /metrics/job/nightly")),
        "the --pushgateway example pushed: {pushes:?}"
    );
    let opened = std::fs::read_to_string(r.path("opened.txt")).unwrap_or_default();
    assert!(
        opened.trim_end().ends_with("report.html"),
        "--open opened {opened:?}"
    );
    let summary = std::fs::read_to_string(r.path("step_summary.md")).unwrap_or_default();
    assert!(
        summary.contains('|'),
        "the CI examples wrote no Markdown: {summary:?}"
    );
}
