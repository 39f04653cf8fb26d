//! `NetworkMetricsCollector`: TCP connect latency and HTTP GET latency and status of the
//! endpoints a recipe lists, plus [`throughput`] for programs; source `network_collector`.
//! Connection pools report through [`super::pool`].
//!
//! Endpoints come from configuration only; the default list is empty, so by default nothing
//! is contacted. An endpoint is `"host:port"` (TCP connect), `"http[s]://host[:port]/path"`
//! (GET, see [`super::http`]), or a mapping `{url | host + port, name, required, timeout,
//! insecure}`. Certificates of `https://` endpoints are verified against Mozilla's roots and a
//! failure is reported like any other; `insecure: true` (https only) skips the verification.
//!
//! Metrics per probe: `tcp_connection_latency` (timing, ms; tags `host`, `port`, `status`)
//! or `http_request_duration` (timing, ms; tags `url`, `method: GET`, `status`, and
//! `status_code` when a response came) plus `http_response_status` (gauge, count: the code)
//! and, when a response came, the phases as timings from the start of the probe (ms, tag
//! `url`): `http_connect_duration` (TCP connected), `http_tls_duration` (handshake done,
//! https only) and `http_first_byte_duration` (response headers received).
//! `status` is `success`, or `error` on a failed connect, a malformed response or an HTTP
//! status ≥ 400; errors carry `{"error", "error_type"}` in the context and the time until
//! the failure as the value. An endpoint marked `required` that fails makes the collection
//! fail (after its metrics are recorded); others only record the error.

use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use serde::Serialize;
use serde_json::{json, Map, Value};

use super::emit::Emitter;
use super::http::{self, split_host_port, HttpClient, HttpError, HttpUrl};
use super::{CollectError, Collector};
use crate::metrics::clock::epoch_now_ns;
use crate::metrics::{MetricType, MetricUnit, PerformanceMetric};
use crate::scriptlet::args::{check_keys, FieldError};
use crate::util::duration::parse_duration;

/// The `source` of network metrics.
pub const NETWORK_SOURCE: &str = "network_collector";
/// Connect/read timeout of a probe unless the endpoint sets one.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(2);

/// What an endpoint probes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub enum Target {
    /// A TCP connect to host and port.
    Tcp {
        /// Host name or address.
        host: String,
        /// Port.
        port: u16,
    },
    /// An HTTP GET.
    Http(HttpUrl),
}

/// One endpoint to probe.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Endpoint {
    /// As written (`host:port` or the URL), or the given `name`.
    pub label: String,
    /// What to probe.
    pub target: Target,
    /// A failure fails the collection.
    pub required: bool,
    /// Connect and read timeout.
    pub timeout: Duration,
    /// Skip certificate verification (https only; off unless the endpoint says so).
    pub insecure: bool,
}

const ENDPOINT_KEYS: [&str; 7] = [
    "url", "host", "port", "name", "required", "timeout", "insecure",
];

fn target_of_str(s: &str, field: &str) -> Result<Target, FieldError> {
    let lower = s.to_ascii_lowercase();
    if lower.contains("://") {
        return HttpUrl::parse(s)
            .map(Target::Http)
            .map_err(|m| FieldError::new(field, m));
    }
    let (host, port) =
        split_host_port(s, 0).map_err(|m| FieldError::new(field, format!("{s:?}: {m}")))?;
    if port == 0 {
        return Err(FieldError::new(
            field,
            format!("{s:?}: a TCP endpoint needs a port (host:port), or give an http:// URL"),
        ));
    }
    Ok(Target::Tcp { host, port })
}

impl Endpoint {
    /// Reads an endpoint from its recipe form; `default_timeout` applies when it sets none.
    pub fn from_value(v: &Value, default_timeout: Duration) -> Result<Endpoint, FieldError> {
        match v {
            Value::String(s) => Ok(Endpoint {
                label: s.clone(),
                target: target_of_str(s, "")?,
                required: false,
                timeout: default_timeout,
                insecure: false,
            }),
            Value::Object(m) => Self::from_map(m, default_timeout),
            other => Err(FieldError::new(
                "",
                format!("expected \"host:port\", an http:// URL or a mapping with url or host and port, got {other}"),
            )),
        }
    }

    fn from_map(m: &Map<String, Value>, default_timeout: Duration) -> Result<Endpoint, FieldError> {
        check_keys(m, &ENDPOINT_KEYS)?;
        let text = |k: &str| match m.get(k) {
            None => Ok(None),
            Some(Value::String(s)) if !s.is_empty() => Ok(Some(s.clone())),
            Some(other) => Err(FieldError::new(
                k,
                format!("must be a non-empty string, got {other}"),
            )),
        };
        let (target, label) = match (text("url")?, text("host")?) {
            (Some(_), Some(_)) => {
                return Err(FieldError::new(
                    "url",
                    "give either url or host and port, not both",
                ))
            }
            (Some(url), None) => (target_of_str(&url, "url")?, url),
            (None, Some(host)) => {
                let port = match m.get("port") {
                    Some(p) => p
                        .as_u64()
                        .and_then(|p| u16::try_from(p).ok())
                        .filter(|p| *p > 0)
                        .ok_or_else(|| {
                            FieldError::new(
                                "port",
                                format!("must be a number from 1 to 65535, got {p}"),
                            )
                        })?,
                    None => return Err(FieldError::new("port", "a host endpoint needs a port")),
                };
                let label = format!("{host}:{port}");
                (Target::Tcp { host, port }, label)
            }
            (None, None) => {
                return Err(FieldError::new(
                    "url",
                    "an endpoint needs url, or host and port",
                ))
            }
        };
        let flag = |k: &str| match m.get(k) {
            None => Ok(false),
            Some(Value::Bool(b)) => Ok(*b),
            Some(other) => Err(FieldError::new(
                k,
                format!("must be true or false, got {other}"),
            )),
        };
        let (required, insecure) = (flag("required")?, flag("insecure")?);
        if insecure && !matches!(&target, Target::Http(u) if u.tls) {
            return Err(FieldError::new(
                "insecure",
                "applies to https:// URLs only (it skips certificate verification)",
            ));
        }
        let timeout = match m.get("timeout") {
            None => default_timeout,
            Some(t) => parse_duration(t).map_err(|e| FieldError::new("timeout", e.to_string()))?,
        };
        Ok(Endpoint {
            label: text("name")?.unwrap_or(label),
            target,
            required,
            timeout,
            insecure,
        })
    }
}

/// What probing one endpoint has shown so far.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct EndpointStats {
    /// The endpoint's label.
    pub endpoint: String,
    /// `tcp` or `http`.
    pub kind: &'static str,
    /// Whether it is required.
    pub required: bool,
    /// Probes made.
    pub probes: u64,
    /// Probes that failed.
    pub failures: u64,
    /// Mean latency of successful probes, ms.
    pub mean_latency_ms: Option<f64>,
    /// The last HTTP status code.
    pub last_status_code: Option<u16>,
    /// The last error.
    pub last_error: Option<String>,
    #[serde(skip)]
    ok_latency_sum_ms: f64,
}

/// Probes endpoints; see the module docs.
pub struct NetworkMetricsCollector {
    endpoints: Vec<Endpoint>,
    /// One client per endpoint (its timeout and certificate policy); `None` for TCP probes.
    clients: Vec<Option<HttpClient>>,
    stats: Arc<Mutex<Vec<EndpointStats>>>,
}

impl NetworkMetricsCollector {
    /// A collector probing `endpoints` in order at each sample.
    pub fn new(endpoints: Vec<Endpoint>) -> Self {
        let stats = endpoints
            .iter()
            .map(|e| EndpointStats {
                endpoint: e.label.clone(),
                kind: match e.target {
                    Target::Tcp { .. } => "tcp",
                    Target::Http(_) => "http",
                },
                required: e.required,
                ..EndpointStats::default()
            })
            .collect();
        let clients = endpoints
            .iter()
            .map(|e| match e.target {
                Target::Http(_) => Some(HttpClient::new(e.timeout, e.insecure)),
                Target::Tcp { .. } => None,
            })
            .collect();
        NetworkMetricsCollector {
            endpoints,
            clients,
            stats: Arc::new(Mutex::new(stats)),
        }
    }

    /// A handle on the per-endpoint results, readable after the collector moved to its thread.
    pub fn stats_handle(&self) -> Arc<Mutex<Vec<EndpointStats>>> {
        Arc::clone(&self.stats)
    }
}

fn error_context(message: String, kind: String) -> Map<String, Value> {
    let mut c = Map::new();
    c.insert("error".into(), json!(message));
    c.insert("error_type".into(), json!(kind));
    c
}

/// The phase timings of a response as `http_*_duration` metrics (ms from the probe's start).
fn push_phases(e: &mut Emitter<'_>, phases: &http::Phases, url: &str) {
    for (name, at) in [
        ("http_connect_duration", phases.connect),
        ("http_tls_duration", phases.tls),
        ("http_first_byte_duration", phases.first_byte),
    ] {
        if let Some(at) = at {
            let ms = at.as_secs_f64() * 1e3;
            let (t, unit) = (MetricType::Timing, MetricUnit::Milliseconds);
            e.push_tagged(name, ms, t, unit, &[("url", url)]);
        }
    }
}

/// Probes one endpoint, appending its metrics; returns (ok, latency ms, status code, error).
fn probe(
    ep: &Endpoint,
    client: Option<&HttpClient>,
    out: &mut Vec<PerformanceMetric>,
) -> (bool, f64, Option<u16>, Option<String>) {
    let mut e = Emitter::new(out, epoch_now_ns(), NETWORK_SOURCE);
    let (t, ms) = (MetricType::Timing, MetricUnit::Milliseconds);
    match &ep.target {
        Target::Tcp { host, port } => {
            let start = Instant::now();
            let r = http::connect(host, *port, ep.timeout);
            let lat = start.elapsed().as_secs_f64() * 1e3;
            let port_s = port.to_string();
            let status = if r.is_ok() { "success" } else { "error" };
            let tags = [
                ("host", host.as_str()),
                ("port", port_s.as_str()),
                ("status", status),
            ];
            let m = e.push_tagged("tcp_connection_latency", lat, t, ms, &tags);
            match r {
                Ok(_) => (true, lat, None, None),
                Err(err) => {
                    if let Some(m) = m {
                        m.context = error_context(err.to_string(), format!("{:?}", err.kind()));
                    }
                    (false, lat, None, Some(err.to_string()))
                }
            }
        }
        Target::Http(url) => {
            let start = Instant::now();
            let r = match client {
                Some(c) => c.get(url),
                None => Err(HttpError {
                    message: "no HTTP client for this endpoint".into(),
                    kind: "Internal".into(),
                }),
            };
            let lat = start.elapsed().as_secs_f64() * 1e3;
            let label = url.normalized();
            match r {
                Ok(resp) => {
                    let ok = resp.status < 400;
                    let code = resp.status.to_string();
                    let status = if ok { "success" } else { "error" };
                    let tags = [
                        ("url", label.as_str()),
                        ("method", "GET"),
                        ("status", status),
                        ("status_code", code.as_str()),
                    ];
                    let m = e.push_tagged("http_request_duration", lat, t, ms, &tags);
                    let err = (!ok).then(|| format!("HTTP status {}", resp.status));
                    if let (Some(m), Some(msg)) = (m, &err) {
                        m.context.insert("error".into(), json!(msg));
                        m.context.insert("error_type".into(), json!("HttpStatus"));
                    }
                    e.push_tagged(
                        "http_response_status",
                        f64::from(resp.status),
                        MetricType::Gauge,
                        MetricUnit::Count,
                        &[("url", label.as_str())],
                    );
                    push_phases(&mut e, &resp.phases, &label);
                    (ok, lat, Some(resp.status), err)
                }
                Err(err) => {
                    let tags = [
                        ("url", label.as_str()),
                        ("method", "GET"),
                        ("status", "error"),
                    ];
                    if let Some(m) = e.push_tagged("http_request_duration", lat, t, ms, &tags) {
                        m.context = error_context(err.message.clone(), err.kind.clone());
                    }
                    (false, lat, None, Some(err.message))
                }
            }
        }
    }
}

impl Collector for NetworkMetricsCollector {
    fn source(&self) -> &'static str {
        NETWORK_SOURCE
    }

    fn sample(&mut self, out: &mut Vec<PerformanceMetric>) -> Result<(), CollectError> {
        for (i, ep) in self.endpoints.iter().enumerate() {
            let (ok, lat, code, err) = probe(ep, self.clients[i].as_ref(), out);
            let mut stats = self.stats.lock().unwrap_or_else(PoisonError::into_inner);
            let s = &mut stats[i];
            s.probes += 1;
            if ok {
                s.ok_latency_sum_ms += lat;
                s.mean_latency_ms = Some(s.ok_latency_sum_ms / (s.probes - s.failures) as f64);
            } else {
                s.failures += 1;
            }
            s.last_status_code = code.or(s.last_status_code);
            if err.is_some() {
                s.last_error = err;
            }
        }
        Ok(())
    }
}

/// `{operation}_throughput`: `amount` units of work done in `elapsed`, per second
/// (throughput, ops/s, source `network_collector`, tag `operation`). Fails for an empty
/// operation name or a zero `elapsed`.
pub fn throughput(
    operation: &str,
    amount: f64,
    elapsed: Duration,
) -> Result<PerformanceMetric, CollectError> {
    if operation.is_empty() {
        return Err(crate::metrics::MetricError::EmptyName.into());
    }
    let m = PerformanceMetric::new(
        format!("{operation}_throughput"),
        amount / elapsed.as_secs_f64(),
        MetricType::Throughput,
        MetricUnit::OpsPerSecond,
    )?;
    Ok(m.with_tag("operation", operation)
        .with_source(NETWORK_SOURCE))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn endpoint_forms() {
        let t = DEFAULT_TIMEOUT;
        let e = Endpoint::from_value(&json!("127.0.0.1:5432"), t).unwrap();
        assert_eq!(
            e.target,
            Target::Tcp {
                host: "127.0.0.1".into(),
                port: 5432
            }
        );
        let e = Endpoint::from_value(
            &json!({"url": "http://127.0.0.1:8080/h", "required": true, "timeout": "250ms", "name": "api"}),
            t,
        )
        .unwrap();
        assert!(e.required && e.timeout == Duration::from_millis(250) && e.label == "api");
        let e = Endpoint::from_value(&json!({"host": "localhost", "port": 80}), t).unwrap();
        assert_eq!(e.label, "localhost:80");
        let err = |v: Value| Endpoint::from_value(&v, t).unwrap_err();
        let e = Endpoint::from_value(&json!({"url": "https://h/", "insecure": true}), t).unwrap();
        assert!(e.insecure && matches!(e.target, Target::Http(ref u) if u.tls && u.port == 443));
        assert_eq!(
            err(json!({"url": "http://h/", "insecure": true})).field,
            "insecure"
        );
        assert_eq!(
            err(json!({"host": "h", "port": 1, "insecure": true})).field,
            "insecure"
        );
        assert_eq!(
            err(json!({"url": "https://h/", "insecure": "yes"})).field,
            "insecure"
        );
        assert_eq!(err(json!("localhost")).field, "");
        assert_eq!(err(json!({"host": "h"})).field, "port");
        assert_eq!(
            err(json!({"url": "http://h/", "tiemout": 1})).field,
            "tiemout"
        );
        assert_eq!(
            err(json!({"url": "http://h/", "timeout": 0})).field,
            "timeout"
        );
        assert_eq!(
            err(json!({"url": "http://h/", "required": "yes"})).field,
            "required"
        );
        assert_eq!(err(json!(7)).field, "");
    }

    #[test]
    fn throughput_is_per_second() {
        let m = throughput("upload", 500.0, Duration::from_millis(250)).unwrap();
        assert_eq!((m.name.as_str(), m.value), ("upload_throughput", 2000.0));
        assert_eq!(m.unit, MetricUnit::OpsPerSecond);
        assert!(throughput("x", 1.0, Duration::ZERO).is_err());
        assert!(throughput("", 1.0, Duration::from_secs(1)).is_err());
    }

    #[test]
    fn probes_a_loopback_listener_and_a_closed_port() {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let open = l.local_addr().unwrap().port();
        let closed = {
            let c = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
            c.local_addr().unwrap().port()
        };
        let eps = vec![
            Endpoint::from_value(&json!(format!("127.0.0.1:{open}")), DEFAULT_TIMEOUT).unwrap(),
            Endpoint::from_value(
                &json!({"host": "127.0.0.1", "port": closed, "required": true}),
                DEFAULT_TIMEOUT,
            )
            .unwrap(),
        ];
        let mut c = NetworkMetricsCollector::new(eps);
        let stats = c.stats_handle();
        let mut v = Vec::new();
        c.sample(&mut v).unwrap();
        assert_eq!(v.len(), 2);
        assert_eq!(v[0].tags["status"], "success");
        assert_eq!(v[1].tags["status"], "error");
        assert_eq!(v[1].context["error_type"], "ConnectionRefused");
        let s = stats.lock().unwrap();
        assert_eq!((s[0].probes, s[0].failures), (1, 0));
        assert!(s[0].mean_latency_ms.is_some());
        assert_eq!((s[1].failures, s[1].required), (1, true));
        assert!(s[1].last_error.is_some());
    }
}
