//! The `herald` binary: command line, configuration and wiring. Everything else lives
//! in the crates under `crates/`.

mod app;
mod cli;
mod commands;
mod config;
mod demo;
mod progress;

use anyhow::{Context, Result};
use clap::Parser;
use cli::{BenchCommand, Cli, Command, EvalCommand, FeedCommand, ImportCommand};
use config::Config;

/// mimalloc instead of the system allocator: page rendering and the index allocate many
/// short-lived buffers from several threads at once, where glibc's malloc spent a fifth
/// of the portal's CPU time (consolidating and locking arenas) under load.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() {
    let cli = Cli::parse();
    // A benchmark's tables would drown in one log line per request it makes. The HTML
    // parser warns about every malformed page it repairs, which no operator can act on.
    let default = match cli.command {
        Command::Bench(_) => "warn,html5ever=error",
        _ => "info,tantivy=warn,html5ever=error",
    };
    init_logging(default);
    if let Err(error) = run(cli) {
        eprintln!("herald: error: {error:#}");
        std::process::exit(1);
    }
}

fn init_logging(default: &str) {
    let filter = tracing_subscriber::EnvFilter::try_from_env("HERALD_LOG")
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new(default));
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .init();
}

fn load_config(cli: &Cli) -> Result<Config> {
    let mut config = Config::load(cli.config.as_deref(), std::env::vars())?;
    if let Some(dir) = &cli.data_dir {
        config.data_dir = dir.clone();
    }
    if let Some(store) = &cli.store {
        config.store = Some(store.clone());
    }
    if let Command::Serve(args) = &cli.command {
        if let Some(bind) = &args.bind {
            config.web.bind = bind.clone();
        }
    }
    Ok(config)
}

fn run(cli: Cli) -> Result<()> {
    let config = load_config(&cli)?;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("starting the async runtime")?;
    runtime.block_on(async move {
        match &cli.command {
            Command::Config(args) => commands::config::run(&config, args),
            Command::Bench(BenchCommand::Import(args)) => {
                commands::bench::run(args, config.search.writer_memory_mb).await
            }
            Command::Bench(BenchCommand::Search(args)) => {
                commands::bench::search(args, &config).await
            }
            Command::Extract(args) => commands::extract::run(args),
            Command::Feed(FeedCommand::Parse(args)) => commands::feed::parse(args),
            Command::Eval(EvalCommand::Search(args)) => commands::eval::run(args).await,
            Command::Eval(EvalCommand::Cluster(args)) => commands::eval_cluster::run(args),
            Command::Serve(args) => {
                commands::serve::run(app::Herald::open(config).await?, args).await
            }
            Command::Import(ImportCommand::Jsonl(args)) => {
                commands::import::run(&app::Herald::open(config).await?, args).await
            }
            Command::Import(ImportCommand::Warc(args)) => {
                commands::import::run_warc(&app::Herald::open(config).await?, args).await
            }
            Command::Search(args) => {
                commands::search::run(&app::Herald::open(config).await?, args).await
            }
            Command::Source(command) => {
                commands::source::run(&app::Herald::open(config).await?, command).await
            }
            Command::Ingest(_) => commands::ingest::run(&app::Herald::open(config).await?).await,
            Command::User(command) => {
                commands::user::run(&app::Herald::open(config).await?, command).await
            }
            Command::Migrate(args) => commands::migrate::run(args).await,
            Command::Check => commands::check::run(&app::Herald::open(config).await?).await,
            Command::Reindex => commands::reindex::run(&app::Herald::open(config).await?).await,
        }
    })
}
