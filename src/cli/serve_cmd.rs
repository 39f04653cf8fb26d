//! `f0 serve`: the store as a Prometheus / OpenMetrics scrape target (`GET /metrics`), until
//! Ctrl-C or SIGTERM.

use std::io::Write;
use std::path::Path;
use std::time::Duration;

use clap::Args;
use signal_hook::consts::{SIGINT, SIGTERM};
use signal_hook::iterator::Signals;

use framework0::exposition::{resolve, ExpositionServer};
use framework0::prometheus::StoreExporter;

/// Flags of `f0 serve`.
#[derive(Debug, Args)]
pub struct ServeArgs {
    /// Where to listen (`HOST:PORT`; port 0 picks a free one). Loopback by default: any other
    /// address lets every host that reaches it read the metrics.
    #[arg(long, value_name = "HOST:PORT", default_value = "127.0.0.1:9464")]
    pub listen: String,
    /// Timers and histograms count the samples stamped at most this long before `f0 serve`
    /// started, then every new one (default: every stored sample).
    #[arg(long, value_name = "DURATION", value_parser = window)]
    pub window: Option<Duration>,
}

fn window(s: &str) -> Result<Duration, String> {
    framework0::util::duration::parse_duration_str(s).map_err(|e| e.to_string())
}

/// Runs the command; returns the exit code (0 after a signal, 1 when it cannot start).
pub fn run(store_path: &Path, args: ServeArgs) -> u8 {
    match serve(store_path, &args) {
        Ok(()) => 0,
        Err(msg) => {
            eprintln!("Error: {msg}");
            1
        }
    }
}

fn serve(store_path: &Path, args: &ServeArgs) -> Result<(), String> {
    let mut signals =
        Signals::new([SIGINT, SIGTERM]).map_err(|e| format!("cannot watch signals: {e}"))?;
    let addr = resolve(&args.listen).map_err(|e| e.to_string())?;
    let store = super::open_existing_store(store_path).map_err(|e| e.to_string())?;
    let since_ns = args.window.map(|w| {
        framework0::metrics::clock::epoch_now_ns()
            .saturating_sub(i64::try_from(w.as_nanos()).unwrap_or(i64::MAX))
    });
    let mut exporter = StoreExporter::new(since_ns);
    // The first read is the expensive one (every timer sample); do it before listening so
    // that no scrape waits for it.
    exporter.refresh(&store).map_err(|e| e.to_string())?;
    let server = ExpositionServer::start(
        addr,
        Box::new(move || exporter.scrape(&store).map_err(|e| e.to_string())),
    )
    .map_err(|e| e.to_string())?;
    let bound = server.local_addr();
    if !bound.ip().is_loopback() {
        eprintln!("Warning: listening on {bound}, which is not a loopback address: every host that reaches it can read these metrics");
    }
    // A closed stdout (a supervisor that stopped reading) must not stop the server.
    let mut out = std::io::stdout();
    let shown = store_path.display();
    let _ = writeln!(
        out,
        "Serving {shown} at http://{bound}/metrics (Ctrl-C to stop)"
    );
    let _ = out.flush();
    let signal = signals.forever().next();
    server.shutdown();
    let _ = writeln!(out, "Stopped (signal {})", signal.unwrap_or(0));
    Ok(())
}
