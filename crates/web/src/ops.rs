//! What operators and load balancers ask a node: is it alive (`/healthz`), should it
//! get traffic (`/readyz`), and how is it doing (`/metrics`, Prometheus text).

use crate::state::AppState;
use axum::extract::{MatchedPath, Request, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};

/// A node whose index is further behind the change log than this is taken out of
/// rotation: its search results would miss what other nodes already show. A bulk
/// import can briefly exceed it; readiness returns as soon as the indexer catches up.
pub const READY_MAX_INDEX_LAG: u64 = 10_000;

/// How long readiness waits for the store before calling it unreachable.
const PING_TIMEOUT: Duration = Duration::from_secs(2);

/// This node's own progress, written by its indexer and read by `/readyz` and
/// `/metrics`.
#[derive(Debug, Default)]
pub struct NodeStatus {
    /// The change-log position the local index has applied.
    pub index_seq: AtomicU64,
    /// Set once the index has caught up with the store after start.
    pub index_ready: AtomicBool,
}

impl NodeStatus {
    /// Records the indexer's position after a pass.
    pub fn indexed(&self, seq: u64, caught_up: bool) {
        self.index_seq.store(seq, Ordering::Relaxed);
        if caught_up {
            self.index_ready.store(true, Ordering::Relaxed);
        }
    }
}

pub(crate) async fn healthz() -> &'static str {
    "ok"
}

#[derive(Serialize)]
struct Readiness {
    ready: bool,
    store: &'static str,
    index_seq: u64,
    store_seq: Option<u64>,
    index_lag: Option<u64>,
    reasons: Vec<String>,
}

pub(crate) async fn readyz(State(state): State<AppState>) -> Response {
    let mut reasons = Vec::new();
    let ping = tokio::time::timeout(PING_TIMEOUT, state.store.ping()).await;
    let store_ok = matches!(ping, Ok(Ok(())));
    match ping {
        Ok(Ok(())) => {}
        Ok(Err(e)) => reasons.push(format!("store: {e}")),
        Err(_) => reasons.push("store: no answer within 2 s".into()),
    }
    let store_seq = if store_ok {
        state.store.last_change_seq().await.ok()
    } else {
        None
    };
    let index_seq = state.node.index_seq.load(Ordering::Relaxed);
    let index_lag = store_seq.map(|s| s.saturating_sub(index_seq));
    if !state.node.index_ready.load(Ordering::Relaxed) {
        reasons.push("index: still catching up after start".into());
    }
    if let Some(lag) = index_lag.filter(|lag| *lag > READY_MAX_INDEX_LAG) {
        reasons.push(format!("index: {lag} changes behind the store"));
    }
    let ready = reasons.is_empty();
    let body = Readiness {
        ready,
        store: if store_ok { "up" } else { "down" },
        index_seq,
        store_seq,
        index_lag,
        reasons,
    };
    let status = if ready {
        StatusCode::OK
    } else {
        StatusCode::SERVICE_UNAVAILABLE
    };
    let json = serde_json::to_string(&body).unwrap_or_default();
    (
        status,
        [
            (header::CONTENT_TYPE, "application/json"),
            (header::CACHE_CONTROL, "no-store"),
        ],
        json,
    )
        .into_response()
}

pub(crate) async fn metrics(State(state): State<AppState>) -> Response {
    let registry = herald_metrics::global();
    let index_seq = state.node.index_seq.load(Ordering::Relaxed);
    registry
        .gauge(
            "herald_index_applied_seq",
            "Change-log position this node's search index has applied.",
            &[],
            &[],
        )
        .set(i64::try_from(index_seq).unwrap_or(i64::MAX));
    let store_up = registry.gauge(
        "herald_store_up",
        "1 when the store answered this scrape, else 0.",
        &[],
        &[],
    );
    match tokio::time::timeout(PING_TIMEOUT, state.store.last_change_seq()).await {
        Ok(Ok(seq)) => {
            store_up.set(1);
            registry
                .gauge(
                    "herald_index_lag_changes",
                    "Change-log entries the store holds that this node's index has not applied.",
                    &[],
                    &[],
                )
                .set(i64::try_from(seq.saturating_sub(index_seq)).unwrap_or(i64::MAX));
        }
        _ => store_up.set(0),
    }
    let mut response = registry.render().into_response();
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/plain; version=0.0.4; charset=utf-8"),
    );
    response
        .headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}

/// Counts every response and its latency per route (the route pattern, not the URL,
/// so that the number of series stays bounded).
pub(crate) async fn track(request: Request, next: Next) -> Response {
    let route = request
        .extensions()
        .get::<MatchedPath>()
        .map_or("unmatched", |p| p.as_str())
        .to_string();
    let started = Instant::now();
    let response = next.run(request).await;
    let registry = herald_metrics::global();
    registry
        .histogram(
            "herald_http_request_duration_seconds",
            "Time to produce a response (before the body is streamed), per route.",
            &["route"],
            &[&route],
        )
        .observe(started.elapsed());
    let class = match response.status().as_u16() {
        200..=299 => "2xx",
        300..=399 => "3xx",
        400..=499 => "4xx",
        _ => "5xx",
    };
    registry
        .counter(
            "herald_http_responses_total",
            "Responses per route and status class.",
            &["route", "status"],
            &[&route, class],
        )
        .inc();
    response
}
