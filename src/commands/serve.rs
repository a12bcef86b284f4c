//! `herald serve`: the portal, plus the indexer that keeps search in step with the store
//! and the scheduler that fetches feeds.

use crate::app::Herald;
use crate::cli::ServeArgs;
use crate::demo;
use anyhow::{Context, Result};
use herald_ingest::Clusterer;
use herald_search::{Indexer, SearchIndex};
use herald_store::Store;
use herald_web::{app, AppState, CommentsRuntime, NodeStatus};
use std::io::Write;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::watch;

/// How long the indexer waits to hear of a commit before it looks anyway. Both stores
/// wake it at once for commits they can see (SQLite: this process's own; PostgreSQL:
/// every node's); commits it cannot hear of (another process writing the same SQLite
/// file, such as `herald import` beside `herald serve`) are found by this poll.
/// Polling an indexed primary key is cheap, and half a second keeps imports
/// searchable "at once".
const INDEX_POLL: Duration = Duration::from_millis(500);
/// Shortest time between two indexing rounds: a store that wakes the loop on every
/// commit would otherwise keep it turning while the index lags for a reason this node
/// cannot fix (another process holds the index writer).
const MIN_ROUND: Duration = Duration::from_millis(20);

/// The lease that makes one node in the whole system cluster stories. Short enough
/// that a dead node's work moves on quickly, long enough to outlast a slow pass.
const CLUSTER_LEASE: &str = "story-clusterer";
const CLUSTER_LEASE_TTL: Duration = Duration::from_secs(60);
/// The holder renews its lease this often (a third of its life, so one missed renewal
/// does not lose it); a node without the lease asks again this often. Renewing on
/// every indexer pass would write to the store twice a second for nothing.
const CLUSTER_LEASE_RENEW: Duration = Duration::from_secs(20);
const CLUSTER_LEASE_RETRY: Duration = Duration::from_secs(5);

pub async fn run(herald: Herald, args: &ServeArgs) -> Result<()> {
    let bind = args
        .bind
        .clone()
        .unwrap_or_else(|| herald.config.web.bind.clone());
    if args.demo {
        let summary = demo::load(herald.store.as_ref()).await?;
        tracing::info!(target: "web::serve", new = summary.inserted, unchanged = summary.unchanged, "sample articles loaded");
    }
    let node = Arc::new(NodeStatus::default());
    let mut indexer = herald.try_indexer()?;
    if let Some(indexer) = indexer.as_mut() {
        // Search must work from the first request, so catch up before listening.
        indexer
            .catch_up(herald.store.as_ref())
            .await
            .context("bringing the search index up to date")?;
        node.indexed(indexer.applied_seq(), true);
    } else {
        tracing::warn!(target: "web::serve", "another Herald process holds the index writer; will take it over when it is free");
    }
    let budget = herald.config.search.writer_memory_mb.max(16) * 1024 * 1024;
    let (stop_tx, stop_rx) = watch::channel(false);
    let reindex = Arc::new(AtomicBool::new(false));
    let stop_rx_scheduler = stop_rx.clone();
    let indexer_thread = spawn_indexer(
        herald.index.clone(),
        herald.store.clone(),
        indexer,
        budget,
        stop_rx,
        reindex.clone(),
        node.clone(),
    );

    let scheduler = if args.no_ingest {
        None
    } else {
        let poller = herald.poller()?;
        Some(tokio::spawn(herald_ingest::scheduler::run(
            poller,
            stop_rx_scheduler,
        )))
    };

    let state = portal_state(&herald, args.demo, reindex.clone(), node).await?;
    let listener = tokio::net::TcpListener::bind(&bind)
        .await
        .with_context(|| format!("listening on {bind}"))?;
    let addr = listener
        .local_addr()
        .context("reading the listening address")?;
    // Printed (not only logged) so that scripts and tests can find an ephemeral port.
    println!("Herald is serving on http://{addr}");
    let _ = std::io::stdout().flush();
    tracing::info!(target: "web::serve", %addr, "listening");
    axum::serve(
        listener,
        app(state).into_make_service_with_connect_info::<std::net::SocketAddr>(),
    )
    .with_graceful_shutdown(shutdown_signal())
    .await
    .context("serving HTTP")?;
    tracing::info!(target: "web::serve", "shutting down");
    let _ = stop_tx.send(true);
    if let Some(scheduler) = scheduler {
        let _ = scheduler.await;
    }
    let _ = tokio::task::spawn_blocking(move || indexer_thread.join()).await;
    Ok(())
}

/// Runs the indexer and the story clusterer on their own thread and runtime: tantivy's
/// commits block and clustering is CPU work, and neither may stall request handling.
fn spawn_indexer(
    index: SearchIndex,
    store: Arc<dyn Store>,
    mut indexer: Option<Indexer>,
    budget: usize,
    mut stop: watch::Receiver<bool>,
    reindex: Arc<AtomicBool>,
    node: Arc<NodeStatus>,
) -> std::thread::JoinHandle<()> {
    std::thread::spawn(move || {
        let runtime = match tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
        {
            Ok(rt) => rt,
            Err(e) => {
                tracing::error!(target: "search::index", error = %e, "cannot start the indexer");
                return;
            }
        };
        runtime.block_on(async move {
            let holder = node_name();
            let mut clusterer: Option<Clusterer> = None;
            let mut next_lease_check = std::time::Instant::now();
            loop {
                let round = tokio::time::Instant::now();
                let due = std::time::Instant::now() >= next_lease_check;
                let lease = if due {
                    let now = chrono::Utc::now();
                    store
                        .acquire_lease(CLUSTER_LEASE, &holder, now, now + CLUSTER_LEASE_TTL)
                        .await
                } else {
                    Ok(clusterer.is_some())
                };
                if due {
                    let wait = if matches!(lease, Ok(true)) {
                        CLUSTER_LEASE_RENEW
                    } else {
                        CLUSTER_LEASE_RETRY
                    };
                    next_lease_check = std::time::Instant::now() + wait;
                }
                match lease {
                    Ok(true) => {
                        if clusterer.is_none() {
                            // A fresh start re-reads the store: another node may have
                            // clustered since this one last held the lease.
                            match Clusterer::open(store.as_ref(), herald_dedup::Config::default()).await {
                                Ok(c) => clusterer = Some(c),
                                Err(e) => tracing::warn!(target: "ingest::stories", error = %e, "cannot start story clustering; will retry"),
                            }
                        }
                    }
                    Ok(false) => clusterer = None,
                    Err(e) => {
                        tracing::warn!(target: "ingest::stories", error = %e, "cannot renew the clustering lease; pausing clustering");
                        clusterer = None;
                    }
                }
                if indexer.is_none() {
                    indexer = index.indexer(budget).ok();
                }
                if let Some(ix) = indexer.as_mut() {
                    if reindex.swap(false, Ordering::SeqCst) {
                        match ix.rebuild(store.as_ref(), |_| {}).await {
                            Ok(n) => tracing::info!(target: "search::index", articles = n, "index rebuilt"),
                            Err(e) => tracing::error!(target: "search::index", error = %e, "index rebuild failed"),
                        }
                    }
                    match ix.catch_up(store.as_ref()).await {
                        Ok(0) => node.indexed(ix.applied_seq(), true),
                        Ok(n) => {
                            node.indexed(ix.applied_seq(), true);
                            tracing::info!(target: "search::index", changes = n, seq = ix.applied_seq(), "index updated");
                        }
                        Err(e) => {
                            // The writer may be unusable (a failed commit kills it):
                            // drop it and open a fresh one on the next round.
                            tracing::warn!(target: "search::index", error = %e, "index update failed; will retry");
                            indexer = None;
                        }
                    }
                } else {
                    // Another process on this data directory holds the writer and
                    // keeps the index current; report what its commits say.
                    node.indexed(index.state().seq, true);
                }
                if let Some(c) = clusterer.as_mut() {
                    match c.catch_up(store.as_ref()).await {
                        Ok(0) => {}
                        Ok(n) => tracing::info!(target: "ingest::stories", articles = n, "stories updated"),
                        Err(e) => {
                            tracing::warn!(target: "ingest::stories", error = %e, "story clustering failed; will retry");
                            clusterer = None;
                        }
                    }
                }
                let seen = node.index_seq.load(Ordering::Relaxed);
                tokio::select! {
                    _ = store.wait_for_changes(seen, INDEX_POLL) => {}
                    _ = stop.changed() => break,
                }
                tokio::time::sleep_until(round + MIN_ROUND).await;
            }
            let _ = store.release_lease(CLUSTER_LEASE, &holder).await;
        });
    })
}

/// Names this process among the nodes sharing a store: host, process id and start
/// time, so a restarted process never mistakes an old lease for its own.
fn node_name() -> String {
    let host = std::fs::read_to_string("/proc/sys/kernel/hostname")
        .ok()
        .map(|h| h.trim().to_string())
        .filter(|h| !h.is_empty())
        .unwrap_or_else(|| "node".into());
    let started = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos());
    format!("{host}:{}:{started:x}", std::process::id())
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {}
        _ = terminate => {}
    }
}

/// The comment policy from the configuration and the signing key every node shares
/// (generated once, kept in the store).
/// What the portal's handlers share: the opened parts and this node's runtime state.
pub async fn portal_state(
    herald: &Herald,
    demo: bool,
    reindex: Arc<AtomicBool>,
    node: Arc<NodeStatus>,
) -> Result<AppState> {
    Ok(AppState {
        store: herald.store.clone(),
        index: herald.index.clone(),
        site: Arc::new(herald.config.site.clone()),
        web: Arc::new(herald.config.web.clone()),
        sections: Arc::new(herald.sections.clone()),
        demo,
        comments: Arc::new(comments_runtime(herald).await?),
        reindex,
        node,
    })
}

async fn comments_runtime(herald: &Herald) -> Result<CommentsRuntime> {
    let fresh = herald_comments::SecretKey::generate()
        .context("generating the form-signing key")?
        .to_base64();
    let stored = herald
        .store
        .init_setting("comments.secret_key", &fresh)
        .await
        .context("reading the form-signing key")?;
    let key = herald_comments::SecretKey::from_base64(&stored)
        .map_err(|_| anyhow::anyhow!("the stored form-signing key is damaged"))?;
    CommentsRuntime::new(
        herald.config.comments.clone(),
        key,
        herald.config.web.secure_cookies,
    )
    .context("configuration [comments]")
}
