//! Support for the tests against real Prometheus servers: finding the binaries (a clear
//! SKIPPED line when they are absent, a failure under CI), free loopback ports, child
//! processes killed on every exit path, polling with a deadline, HTTP GET, and seeding a
//! store with known series.

use std::io::{BufRead, BufReader, Write};
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdout, Command, Stdio};
use std::time::{Duration, Instant};

use framework0::store::{SampleRow, SeriesKey, Store};

/// How long anything may take to become true on a loaded 2-core machine.
pub const DEADLINE: Duration = Duration::from_secs(120);

/// How to install the Prometheus binaries.
pub const APT_PROMETHEUS: &str = "apt-get install -y prometheus prometheus-pushgateway";

/// The path of `name` on PATH. When absent: prints a SKIPPED line naming `install` (straight
/// to stderr, past the test harness's capture) and returns None, or fails under CI, where
/// `.ci/run` installs it.
pub fn binary(test: &str, name: &str, install: &str) -> Option<PathBuf> {
    let found = std::env::var_os("PATH").and_then(|paths| {
        std::env::split_paths(&paths)
            .map(|p| p.join(name))
            .find(|p| p.is_file())
    });
    if found.is_none() {
        let msg =
            format!("SKIPPED {test}: '{name}' not found on PATH; install it with `{install}`");
        assert!(
            std::env::var_os("CI").is_none(),
            "{msg} (CI must run this test)"
        );
        let _ = writeln!(std::io::stderr(), "{msg}");
    }
    found
}

/// A loopback port nobody listens on right now.
pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("a free loopback port")
        .port()
}

/// A child process killed (and reaped) when dropped, whatever way the test ends.
pub struct Running {
    pub name: String,
    pub child: Child,
    pub log: PathBuf,
    /// Its stdout, when piped.
    pub stdout: Option<BufReader<ChildStdout>>,
}

impl Running {
    /// Starts `cmd` with stdout and stderr to `log`.
    pub fn spawn(name: &str, mut cmd: Command, log: &Path) -> Running {
        let out = std::fs::File::create(log).expect("log file");
        let err = out.try_clone().expect("log file");
        let child = cmd
            .stdin(Stdio::null())
            .stdout(out)
            .stderr(err)
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start {name}: {e}"));
        Running {
            name: name.to_owned(),
            child,
            log: log.to_path_buf(),
            stdout: None,
        }
    }

    /// Its log so far (for failure messages).
    pub fn log_text(&self) -> String {
        let text = std::fs::read_to_string(&self.log).unwrap_or_default();
        let tail: Vec<&str> = text.lines().rev().take(30).collect();
        tail.into_iter().rev().collect::<Vec<_>>().join("\n")
    }

    /// Fails the test when the process has already exited.
    pub fn assert_alive(&mut self) {
        if let Ok(Some(status)) = self.child.try_wait() {
            panic!(
                "{} exited early ({status}):\n{}",
                self.name,
                self.log_text()
            );
        }
    }
}

impl Drop for Running {
    /// SIGTERM first, so that an instrumented `f0 serve` exits through its own shutdown (and
    /// writes its coverage profile); SIGKILL after 5 s.
    fn drop(&mut self) {
        if let Ok(None) = self.child.try_wait() {
            // SAFETY: plain kill(2) on the pid of a child we have not reaped.
            unsafe { libc::kill(self.child.id() as i32, libc::SIGTERM) };
            let until = Instant::now() + Duration::from_secs(5);
            while Instant::now() < until {
                if let Ok(Some(_)) = self.child.try_wait() {
                    return;
                }
                std::thread::sleep(Duration::from_millis(20));
            }
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Polls `probe` every 100 ms until it returns Some or `DEADLINE` passes; on timeout fails
/// with `what` and the last state `describe` gives.
pub fn wait_for<T>(what: &str, mut probe: impl FnMut() -> Result<T, String>) -> T {
    let start = Instant::now();
    loop {
        match probe() {
            Ok(v) => return v,
            Err(state) if start.elapsed() > DEADLINE => {
                panic!("timed out after {DEADLINE:?} waiting for {what}; last state: {state}")
            }
            Err(_) => std::thread::sleep(Duration::from_millis(100)),
        }
    }
}

/// GET `url` with an optional `Accept` header: (status, content type, body).
pub fn get(url: &str, accept: Option<&str>) -> Result<(u16, String, String), String> {
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .http_status_as_error(false)
        .timeout_global(Some(Duration::from_secs(30)))
        .build()
        .into();
    let mut req = agent.get(url);
    if let Some(a) = accept {
        req = req.header("Accept", a);
    }
    let mut resp = req.call().map_err(|e| format!("GET {url}: {e}"))?;
    let status = resp.status().as_u16();
    let ct = resp
        .headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_owned();
    let body = resp
        .body_mut()
        .read_to_string()
        .map_err(|e| e.to_string())?;
    Ok((status, ct, body))
}

/// `f0 serve` on a free port over `store` (extra flags `extra`), with the address it printed.
pub fn start_f0_serve(store: &Path, dir: &Path, extra: &[&str]) -> (Running, String) {
    let log = dir.join("f0-serve.log");
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_f0"));
    cmd.args([
        "--context-db",
        store.to_str().unwrap(),
        "serve",
        "--listen",
        "127.0.0.1:0",
    ])
    .args(extra)
    .env("F0_LOG", "warn,framework0::exposition=debug")
    .stdin(Stdio::null())
    .stdout(Stdio::piped())
    .stderr(std::fs::File::create(&log).expect("log file"));
    let mut child = cmd.spawn().expect("start f0 serve");
    let mut stdout = BufReader::new(child.stdout.take().unwrap());
    let mut running = Running {
        name: "f0 serve".into(),
        child,
        log,
        stdout: None,
    };
    let mut line = String::new();
    stdout
        .read_line(&mut line)
        .expect("read f0 serve's first line");
    running.stdout = Some(stdout);
    let addr = line
        .split("http://")
        .nth(1)
        .and_then(|rest| rest.split('/').next())
        .map(str::to_owned);
    let addr = addr.unwrap_or_else(|| {
        panic!(
            "f0 serve printed {line:?}, not its address:\n{}",
            running.log_text()
        )
    });
    (running, addr)
}

/// One sample of series (`name`, `metric_type`, `unit`, `tags`).
pub fn sample(
    name: &str,
    metric_type: &str,
    unit: &str,
    tags: &[(&str, &str)],
    ts_ns: i64,
    value: f64,
) -> SampleRow {
    SampleRow {
        series: SeriesKey {
            name: name.into(),
            metric_type: metric_type.into(),
            unit: unit.into(),
            tags: tags
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
            source: Some("test".into()),
        },
        ts_ns,
        value,
        context: None,
    }
}

/// Writes `rows` into the store at `path` as one run; returns the run id.
pub fn seed(path: &Path, rows: &[SampleRow]) -> i64 {
    let mut store = Store::open(path).expect("open store");
    let run = store
        .begin_run("seed", "seed.yaml", 1.0)
        .expect("begin run");
    store
        .insert_samples(Some(run), rows)
        .expect("insert samples");
    store.finish_run(run, 2.0, "completed").expect("finish run");
    run
}

/// The known series the scrape tests check: a gauge whose labels need escaping, a resource
/// gauge with two samples (the later one is the latest), a counter and a timer.
pub fn known_rows() -> Vec<SampleRow> {
    let t = 1_700_000_000_000_000_000;
    vec![
        sample(
            "queue_depth",
            "gauge",
            "count",
            &[("host", "a\"b\\c"), ("region", "eu-west")],
            t,
            42.5,
        ),
        sample("cpu.usage", "resource", "%", &[("core", "0")], t, 10.0),
        sample(
            "cpu.usage",
            "resource",
            "%",
            &[("core", "0")],
            t + 1_000,
            12.5,
        ),
        sample("jobs_done", "counter", "count", &[], t, 7.0),
        sample(
            "step_wall_time",
            "timing",
            "ns",
            &[("step", "build")],
            t,
            1e6,
        ),
        sample(
            "step_wall_time",
            "timing",
            "ns",
            &[("step", "build")],
            t + 1,
            2e6,
        ),
        sample(
            "step_wall_time",
            "timing",
            "ns",
            &[("step", "build")],
            t + 2,
            3e8,
        ),
    ]
}

/// One series of a query result: its labels and value.
pub type QuerySeries = (serde_json::Map<String, serde_json::Value>, f64);

/// A Prometheus server on a free loopback port with a temporary data directory, scraping
/// every target in `jobs` (`(job name, host:port, honor_labels)`) once a second.
pub struct Prometheus {
    pub running: Running,
    pub url: String,
}

impl Prometheus {
    pub fn start(bin: &Path, dir: &Path, jobs: &[(&str, &str, bool)]) -> Prometheus {
        let mut config = String::from(
            "global:\n  scrape_interval: 1s\n  evaluation_interval: 1s\nscrape_configs:\n",
        );
        for (job, target, honor) in jobs {
            config.push_str(&format!(
                "  - job_name: {job}\n    honor_labels: {honor}\n    static_configs:\n      - targets: ['{target}']\n"
            ));
        }
        let config_path = dir.join("prometheus.yml");
        std::fs::write(&config_path, config).unwrap();
        let data = dir.join("prometheus-data");
        let port = free_port();
        let mut cmd = Command::new(bin);
        cmd.arg(format!("--config.file={}", config_path.display()))
            .arg(format!("--storage.tsdb.path={}", data.display()))
            .arg(format!("--web.listen-address=127.0.0.1:{port}"))
            .arg("--log.level=warn");
        let running = Running::spawn("prometheus", cmd, &dir.join("prometheus.log"));
        let mut p = Prometheus {
            running,
            url: format!("http://127.0.0.1:{port}"),
        };
        let ready = format!("{}/-/ready", p.url);
        wait_for("Prometheus to be ready", || {
            p.running.assert_alive();
            match get(&ready, None) {
                Ok((200, _, _)) => Ok(()),
                other => Err(format!("{other:?}")),
            }
        });
        p
    }

    /// The instant vector `expr` evaluates to now: `(labels, value)` per series.
    pub fn query(&self, expr: &str) -> Result<Vec<QuerySeries>, String> {
        let url = format!("{}/api/v1/query?query={}", self.url, url_encode(expr));
        let (status, _, body) = get(&url, None)?;
        let json: serde_json::Value =
            serde_json::from_str(&body).map_err(|e| format!("{e}: {body}"))?;
        if status != 200 || json["status"] != "success" {
            return Err(format!("query {expr:?} answered {status}: {body}"));
        }
        let result = json["data"]["result"]
            .as_array()
            .cloned()
            .unwrap_or_default();
        Ok(result
            .into_iter()
            .map(|r| {
                let labels = r["metric"].as_object().cloned().unwrap_or_default();
                let value = r["value"][1]
                    .as_str()
                    .and_then(|v| v.parse().ok())
                    .unwrap_or(f64::NAN);
                (labels, value)
            })
            .collect())
    }

    /// Waits until `expr` has exactly one series whose value `ok` accepts; returns it.
    pub fn wait_for_one(&mut self, expr: &str, ok: impl Fn(f64) -> bool) -> QuerySeries {
        wait_for(&format!("Prometheus to answer {expr}"), || {
            self.running.assert_alive();
            match self.query(expr)?.as_slice() {
                [(labels, v)] if ok(*v) => Ok((labels.clone(), *v)),
                other => Err(format!(
                    "{other:?}; prometheus log:\n{}",
                    self.running.log_text()
                )),
            }
        })
    }

    /// The health and last error of the target of `job`.
    pub fn target_health(&self, job: &str) -> Result<(String, String), String> {
        let (_, _, body) = get(&format!("{}/api/v1/targets", self.url), None)?;
        let json: serde_json::Value = serde_json::from_str(&body).map_err(|e| e.to_string())?;
        let targets = json["data"]["activeTargets"]
            .as_array()
            .cloned()
            .unwrap_or_default();
        targets
            .iter()
            .find(|t| t["labels"]["job"] == job)
            .map(|t| {
                let s = |k: &str| t[k].as_str().unwrap_or("").to_owned();
                (s("health"), s("lastError"))
            })
            .ok_or_else(|| format!("no target of job {job}: {body}"))
    }
}

/// A Pushgateway on a free loopback port (no persistence file).
pub fn start_pushgateway(bin: &Path, dir: &Path) -> (Running, String) {
    let port = free_port();
    let mut cmd = Command::new(bin);
    cmd.arg(format!("--web.listen-address=127.0.0.1:{port}"))
        .arg("--persistence.file=")
        .arg("--log.level=warn");
    let mut running = Running::spawn("prometheus-pushgateway", cmd, &dir.join("pushgateway.log"));
    let url = format!("http://127.0.0.1:{port}");
    let ready = format!("{url}/-/ready");
    wait_for("the Pushgateway to be ready", || {
        running.assert_alive();
        match get(&ready, None) {
            Ok((200, _, _)) => Ok(()),
            other => Err(format!("{other:?}")),
        }
    });
    (running, url)
}

/// Percent-encodes a query parameter.
pub fn url_encode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}
