//! The HTTP endpoint: `GET /metrics` answers with the families a collect function returns,
//! plus this process's own metrics, in the format the request's `Accept` header asks for.
//!
//! One thread serves requests one at a time (tiny_http's own threads read requests off the
//! sockets, so a slow client cannot hold the others); [`ExpositionServer::shutdown`] (or drop)
//! stops it and joins the thread.

use std::net::{SocketAddr, TcpListener, ToSocketAddrs};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::thread::JoinHandle;

use tiny_http::{Header, Method, Request, Response, StatusCode};

use super::encode::{Encoder, Format};
use super::model::Family;
use super::negotiate::negotiate;

/// What a scrape calls to get the families to expose; an error becomes a 500 answer.
pub type Collect = Box<dyn FnMut() -> Result<Vec<Family>, String> + Send>;

/// Starting the endpoint failed.
#[derive(Debug, thiserror::Error)]
pub enum ServeError {
    /// The listen address does not resolve.
    #[error("cannot resolve listen address '{addr}': {reason}; expected HOST:PORT such as 127.0.0.1:9464")]
    Resolve {
        /// The address as given.
        addr: String,
        /// Why.
        reason: String,
    },
    /// The address could not be bound.
    #[error("cannot listen on {addr}: {source}")]
    Bind {
        /// The address.
        addr: SocketAddr,
        /// The socket error.
        #[source]
        source: std::io::Error,
    },
    /// The HTTP server or its thread could not be started.
    #[error("cannot start the HTTP server on {addr}: {reason}")]
    Start {
        /// The address.
        addr: SocketAddr,
        /// Why.
        reason: String,
    },
}

/// Resolves `addr` (`HOST:PORT`) to its first socket address.
pub fn resolve(addr: &str) -> Result<SocketAddr, ServeError> {
    let err = |reason: String| ServeError::Resolve {
        addr: addr.chars().take(200).collect(),
        reason,
    };
    addr.to_socket_addrs()
        .map_err(|e| err(e.to_string()))?
        .next()
        .ok_or_else(|| err("no address found".into()))
}

/// A running endpoint.
pub struct ExpositionServer {
    http: Arc<tiny_http::Server>,
    stop: Arc<AtomicBool>,
    thread: Option<JoinHandle<()>>,
    addr: SocketAddr,
    /// A second handle on the listening socket: tiny_http closes its own copy from a thread it
    /// does not join, so shutting this one down is what makes "stopped" mean "refuses
    /// connections" by the time [`ExpositionServer::shutdown`] returns.
    listener: Option<TcpListener>,
}

impl ExpositionServer {
    /// Listens on `addr` (port 0 picks a free port) and serves `collect`'s families.
    pub fn start(addr: SocketAddr, collect: Collect) -> Result<ExpositionServer, ServeError> {
        let listener =
            TcpListener::bind(addr).map_err(|source| ServeError::Bind { addr, source })?;
        let addr = listener
            .local_addr()
            .map_err(|source| ServeError::Bind { addr, source })?;
        let start_err = |reason: String| ServeError::Start { addr, reason };
        let own = listener.try_clone().map_err(|e| start_err(e.to_string()))?;
        let http = Arc::new(
            tiny_http::Server::from_listener(listener, None)
                .map_err(|e| start_err(e.to_string()))?,
        );
        let stop = Arc::new(AtomicBool::new(false));
        let (http2, stop2) = (Arc::clone(&http), Arc::clone(&stop));
        let thread = std::thread::Builder::new()
            .name("f0-exposition".into())
            .spawn(move || serve_loop(&http2, &stop2, collect))
            .map_err(|e| start_err(e.to_string()))?;
        Ok(ExpositionServer {
            http,
            stop,
            thread: Some(thread),
            addr,
            listener: Some(own),
        })
    }

    /// The address it listens on.
    pub fn local_addr(&self) -> SocketAddr {
        self.addr
    }

    /// Stops serving: the request in progress is answered, then the thread ends.
    pub fn shutdown(mut self) {
        self.stop_now();
    }

    fn stop_now(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        self.http.unblock();
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
        if let Some(listener) = self.listener.take() {
            stop_listening(&listener);
        }
    }
}

impl Drop for ExpositionServer {
    fn drop(&mut self) {
        self.stop_now();
    }
}

/// Takes the socket out of the listening state at once (Linux and the BSDs refuse new
/// connections and wake a blocked `accept`, which ends tiny_http's accept thread).
fn stop_listening(listener: &TcpListener) {
    use std::os::fd::AsRawFd;
    // SAFETY: the descriptor is owned by `listener`, open for the duration of the call.
    let rc = unsafe { libc::shutdown(listener.as_raw_fd(), libc::SHUT_RDWR) };
    if rc != 0 {
        tracing::debug!(
            target: "framework0::exposition",
            "shutting the listener down: {}",
            std::io::Error::last_os_error()
        );
    }
}

fn serve_loop(http: &tiny_http::Server, stop: &AtomicBool, mut collect: Collect) {
    let mut body = Vec::with_capacity(64 * 1024);
    while !stop.load(Ordering::SeqCst) {
        match http.recv() {
            Ok(request) => answer(request, &mut collect, &mut body),
            Err(_) if stop.load(Ordering::SeqCst) => break,
            Err(e) => tracing::debug!(target: "framework0::exposition", "accept failed: {e}"),
        }
    }
}

fn header(name: &str, value: &str) -> Header {
    Header::from_bytes(name.as_bytes(), value.as_bytes()).expect("static ASCII header")
}

fn answer(request: Request, collect: &mut Collect, body: &mut Vec<u8>) {
    let path = request.url().split('?').next().unwrap_or("");
    let get = matches!(request.method(), Method::Get | Method::Head);
    let (status, content_type) = match (get, path) {
        (false, _) => {
            body.clear();
            body.extend_from_slice(b"only GET and HEAD are served\n");
            (405, "text/plain; charset=utf-8")
        }
        (true, "/metrics") => {
            let accept = request
                .headers()
                .iter()
                .find(|h| h.field.equiv("Accept"))
                .map(|h| h.value.as_str());
            let format = negotiate(accept);
            let started = std::time::Instant::now();
            match scrape(collect, format, body) {
                Ok(()) => {
                    tracing::debug!(
                        target: "framework0::exposition",
                        "answered a scrape in {format:?}: {} bytes in {:.1} ms",
                        body.len(),
                        started.elapsed().as_secs_f64() * 1e3
                    );
                    (200, format.content_type())
                }
                Err(message) => {
                    tracing::warn!(target: "framework0::exposition", "scrape failed: {message}");
                    body.clear();
                    body.extend_from_slice(format!("scrape failed: {message}\n").as_bytes());
                    (500, "text/plain; charset=utf-8")
                }
            }
        }
        (true, "/") => {
            body.clear();
            body.extend_from_slice(b"f0 metrics exporter: see /metrics\n");
            (200, "text/plain; charset=utf-8")
        }
        (true, _) => {
            body.clear();
            body.extend_from_slice(b"not found; metrics are at /metrics\n");
            (404, "text/plain; charset=utf-8")
        }
    };
    let mut headers = vec![header("Content-Type", content_type)];
    if status == 405 {
        headers.push(header("Allow", "GET, HEAD"));
    }
    let response = Response::new(
        StatusCode(status),
        headers,
        &body[..],
        Some(body.len()),
        None,
    );
    if let Err(e) = request.respond(response) {
        tracing::debug!(target: "framework0::exposition", "cannot answer a scrape: {e}");
    }
}

/// Collects and encodes one scrape into `body`.
fn scrape(collect: &mut Collect, format: Format, body: &mut Vec<u8>) -> Result<(), String> {
    let families = collect()?;
    let process = super::process::families();
    body.clear();
    let mut enc = Encoder::new(format, body);
    for f in families.iter().chain(&process) {
        enc.family(f);
    }
    enc.finish();
    Ok(())
}
