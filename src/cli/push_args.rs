//! `f0 run`'s Pushgateway flags: `--pushgateway URL [--job NAME]`, and the push after the run.

use clap::Args;

use framework0::exposition::{hostname, PushTarget};
use framework0::prometheus::push_run;
use framework0::store::Store;

/// Where to push the run's series at its end.
#[derive(Debug, Args)]
pub struct PushArgs {
    /// At the end of the run, push its series to this Prometheus Pushgateway
    /// (`http://HOST:PORT`), grouped by job and instance (this host), labelled with the run id.
    #[arg(long, value_name = "URL", value_parser = pushgateway_url)]
    pub pushgateway: Option<String>,
    /// The Pushgateway job to group the run's series under.
    #[arg(
        long,
        value_name = "NAME",
        default_value = "f0",
        requires = "pushgateway"
    )]
    pub job: String,
}

fn pushgateway_url(s: &str) -> Result<String, String> {
    PushTarget::parse(s)
        .map(|_| s.to_owned())
        .map_err(|e| e.to_string())
}

impl PushArgs {
    /// Pushes run `run_id` when `--pushgateway` was given; false (after `Error: ...` on
    /// stderr) when the push failed.
    pub fn push_after(&self, store: &Store, run_id: i64) -> bool {
        let Some(url) = &self.pushgateway else {
            return true;
        };
        match push_run(store, run_id, url, &self.job, &hostname()) {
            Ok(report) => {
                tracing::info!(target: "framework0::exposition", "pushed {} series of run {run_id} to {}", report.series, report.url);
                true
            }
            Err(e) => {
                eprintln!("Error: {e}");
                false
            }
        }
    }
}
