//! `f0 report`: the report action without a recipe — reads the store, writes HTML, Markdown,
//! JSON and/or text reports into one folder and prints where they went. Flags go through the
//! action's own parsers (formats, selectors, timeframe, percentile method).

use std::path::{Path, PathBuf};

use clap::Args;

use framework0::metrics::selector::Selector;
use framework0::report::args::{parse_formats, WindowSpec, DEFAULT_TITLE};
use framework0::report::output::prepare_dir;
use framework0::report::{
    default_dir_name, gather, regression_threshold, render, store_dir, summary, write_all,
    ContextInputs, Format, GatherRequest, ReportArgs,
};

/// Flags of `f0 report`.
#[derive(Debug, Args)]
pub struct ReportArgsCli {
    /// Report on this run (default: the newest run holding samples).
    #[arg(long, value_name = "ID", conflicts_with = "since")]
    pub run: Option<i64>,
    /// Report on the samples of this span back from now (30m, 24h, 7d), or `all`.
    #[arg(long, value_name = "SPAN")]
    pub since: Option<String>,
    /// A series selector: a name, a name glob, `name{tag="v"}`, `{tag=~"re"}` (repeatable;
    /// default: every series except the system collector's, which the system overview shows).
    #[arg(long = "metric", value_name = "SELECTOR")]
    pub metrics: Vec<String>,
    /// Formats, comma-separated: html, markdown (md), json, text (txt).
    #[arg(long, default_value = "html,md,json,text", value_name = "LIST")]
    pub format: String,
    /// Output folder (created; relative to the working directory, which it must stay inside).
    /// Default: reports/RECIPE-RUN_ID/ beside the store.
    #[arg(short = 'o', long = "output-dir", value_name = "DIR")]
    pub output_dir: Option<String>,
    /// The report's title.
    #[arg(long, default_value = DEFAULT_TITLE)]
    pub title: String,
    /// Quantile definition of every percentile.
    #[arg(long, default_value = "linear")]
    pub percentile_method: String,
    /// Open the HTML report with the desktop's opener (xdg-open or open) when there is one.
    #[arg(long)]
    pub open: bool,
    /// Print the summary (what `metrics.last_report` holds in a recipe) as one JSON object.
    #[arg(long)]
    pub json: bool,
}

/// Runs the command; returns the exit code.
pub fn run(store_path: &Path, args: ReportArgsCli) -> u8 {
    match report(store_path, &args) {
        Ok(()) => 0,
        Err(e) => {
            eprintln!("Error: {e}");
            1
        }
    }
}

fn parsed(args: &ReportArgsCli) -> anyhow::Result<ReportArgs> {
    let window = match (&args.run, &args.since) {
        (Some(id), _) if *id > 0 => WindowSpec::Run(*id),
        (Some(id), _) => anyhow::bail!("--run must be a run id (a positive integer), got {id}"),
        (None, Some(span)) => {
            WindowSpec::Timeframe(span.parse().map_err(|e| anyhow::anyhow!("--since: {e}"))?)
        }
        (None, None) => WindowSpec::Timeframe("last_run".parse()?),
    };
    let metrics = args
        .metrics
        .iter()
        .map(|m| {
            m.parse::<Selector>()
                .map_err(|e| anyhow::anyhow!("--metric: {e}"))
        })
        .collect::<anyhow::Result<_>>()?;
    Ok(ReportArgs {
        formats: parse_formats(&args.format).map_err(|e| anyhow::anyhow!("--format: {e}"))?,
        output_dir: args.output_dir.clone(),
        window,
        metrics,
        title: args.title.clone(),
        percentile_method: args
            .percentile_method
            .parse()
            .map_err(|e| anyhow::anyhow!("--percentile-method: {e}"))?,
    })
}

fn report(store_path: &Path, cli: &ReportArgsCli) -> anyhow::Result<()> {
    let args = parsed(cli)?;
    let store = super::open_existing_store(store_path)?;
    let request = GatherRequest {
        args: &args,
        now_ns: framework0::util::epoch_nanos(),
        current_run: None,
        recipe: None,
        regression_threshold: regression_threshold(None)?,
        base_dir: std::env::current_dir()?,
        context: ContextInputs::default(),
    };
    let report = gather(&store, &request)?;
    let dir = match &args.output_dir {
        Some(given) => prepare_dir(given, &std::env::current_dir()?)?,
        None => {
            let run = report.window.run_id;
            let recipe = run.and_then(|id| {
                store
                    .runs()
                    .ok()?
                    .into_iter()
                    .find(|r| r.id == id)
                    .map(|r| r.recipe)
            });
            let name = default_dir_name(recipe.as_deref(), run, &report.window.timeframe);
            prepare_dir(&name, &store_dir(store_path))?
        }
    };
    let written = write_all(&report, &args.formats, &dir)?;
    if cli.json {
        println!("{}", summary(&report, &written, None));
    } else {
        println!(
            "report of {} series ({}) in {}",
            report.series.len(),
            render::counts_line(&report),
            written.dir.display()
        );
        for (format, path) in &written.files {
            println!("  {:<9} {}", format.name(), path.display());
        }
    }
    if cli.open {
        open_html(&written.files);
    }
    Ok(())
}

/// Opens the HTML file with the desktop's opener, or says why not (never fails the command).
fn open_html(files: &[(Format, PathBuf)]) {
    let Some((_, html)) = files.iter().find(|(f, _)| *f == Format::Html) else {
        eprintln!("--open: no HTML report was written (add html to --format)");
        return;
    };
    let opener = if cfg!(target_os = "macos") {
        "open"
    } else {
        "xdg-open"
    };
    let has_desktop = cfg!(target_os = "macos")
        || std::env::var_os("DISPLAY").is_some()
        || std::env::var_os("WAYLAND_DISPLAY").is_some();
    if !has_desktop {
        eprintln!(
            "--open: no desktop session (DISPLAY / WAYLAND_DISPLAY unset); open {} yourself",
            html.display()
        );
        return;
    }
    let spawned = std::process::Command::new(opener)
        .arg(html)
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn();
    if let Err(e) = spawned {
        eprintln!(
            "--open: cannot run {opener} ({e}); open {} yourself",
            html.display()
        );
    }
}
