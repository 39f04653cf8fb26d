//! `f0 context list | get KEY | history KEY | runs`, plain or `--json`.

use std::path::Path;

use clap::Subcommand;
use framework0::diagnostic::{escape_text, quote};
use serde::Serialize;

/// What `f0 context` shows.
#[derive(Debug, Subcommand)]
pub enum ContextCommand {
    /// Every key with its value.
    List {
        /// JSON output.
        #[arg(long)]
        json: bool,
    },
    /// One key's value (exit 1 if absent).
    Get {
        /// The dotted key.
        key: String,
        /// JSON output.
        #[arg(long)]
        json: bool,
    },
    /// Every change of one key.
    History {
        /// The dotted key.
        key: String,
        /// JSON output.
        #[arg(long)]
        json: bool,
    },
    /// Recipe runs recorded in the store.
    Runs {
        /// JSON output.
        #[arg(long)]
        json: bool,
    },
}

/// Runs the command; returns the exit code.
pub fn run(store_path: &Path, cmd: ContextCommand) -> u8 {
    match show(store_path, cmd) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("Error: {e}");
            1
        }
    }
}

fn json_line<T: Serialize>(v: &T) -> anyhow::Result<()> {
    println!("{}", serde_json::to_string(v)?);
    Ok(())
}

fn show(store_path: &Path, cmd: ContextCommand) -> anyhow::Result<u8> {
    let store = super::open_existing_store(store_path)?;
    match cmd {
        ContextCommand::List { json } => {
            let rows = store.context_rows()?;
            if json {
                json_line(&rows)?;
            } else {
                for r in rows {
                    println!("{} = {}", escape_text(&r.key), r.value);
                }
            }
        }
        ContextCommand::Get { key, json } => match store.context_value(&key)? {
            Some(v) if json => json_line(&serde_json::json!({"key": key, "value": v}))?,
            Some(v) => println!("{v}"),
            None => {
                eprintln!(
                    "Error: no context key '{}' in {}",
                    quote(&key),
                    store_path.display()
                );
                return Ok(1);
            }
        },
        ContextCommand::History { key, json } => {
            let rows = store.context_history(&key)?;
            if json {
                json_line(&rows)?;
            } else {
                for r in rows {
                    let run = r.run_id.map_or("-".to_owned(), |id| id.to_string());
                    let who = escape_text(r.entry.who.as_deref().unwrap_or("-"));
                    println!(
                        "{:.6}  run {run}  {who}: {} -> {}",
                        r.entry.timestamp, r.entry.before, r.entry.after
                    );
                }
            }
        }
        ContextCommand::Runs { json } => {
            let runs = store.runs()?;
            if json {
                json_line(&runs)?;
            } else {
                println!("{:>5}  {:<11}  {:>10}  recipe", "id", "status", "seconds");
                for r in runs {
                    let secs = r
                        .ended_at
                        .map_or("-".to_owned(), |e| format!("{:.3}", e - r.started_at));
                    println!(
                        "{:>5}  {:<11}  {:>10}  {} ({})",
                        r.id,
                        r.status,
                        secs,
                        escape_text(&r.recipe),
                        escape_text(&r.recipe_path)
                    );
                }
            }
        }
    }
    Ok(0)
}
