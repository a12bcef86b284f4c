//! Every route in one place.

use crate::error::render_error;
use crate::handlers::{
    admin, article, assets, comment, discovery, feeds, front, search, section, source, story,
};
use crate::live::Live;
use crate::ops;
use crate::state::AppState;
use crate::syndication::FeedFormat;
use axum::extract::{FromRef, Request as AxumRequest, State};
use axum::http::{header, HeaderValue, Request, StatusCode};
use axum::middleware::Next;
use axum::response::Response;
use axum::routing::{get, post};
use axum::Router;
use std::any::Any;
use std::sync::Arc;
use std::time::Instant;
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::compression::CompressionLayer;
use tower_http::set_header::SetResponseHeaderLayer;
use tower_http::trace::{DefaultOnResponse, TraceLayer};

/// Pages may load our stylesheet, our own scripts (the local-time script, served from
/// `/static/`) and images from anywhere (article images are remote); nothing else: no
/// inline or remote scripts, so markup that slips into an article still cannot run.
const CSP: &str = "default-src 'none'; script-src 'self'; style-src 'self'; img-src * data:; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

/// The router's own state: the [`AppState`] the server was built with, and the
/// sections and site settings that admins change at runtime. Handlers keep asking for
/// `State<AppState>` and get the built state with the current sections and site.
#[derive(Clone)]
pub(crate) struct RouterState {
    app: AppState,
    live: Arc<Live>,
}

impl FromRef<RouterState> for AppState {
    fn from_ref(state: &RouterState) -> AppState {
        AppState {
            sections: state.live.sections(),
            site: state.live.site(),
            ..state.app.clone()
        }
    }
}

impl FromRef<RouterState> for Arc<Live> {
    fn from_ref(state: &RouterState) -> Arc<Live> {
        state.live.clone()
    }
}

/// Reloads the sections and site settings when they are due (at the first request,
/// then every `live::REFRESH`), so that changes made on other nodes show.
async fn refresh_live(
    State(state): State<RouterState>,
    request: AxumRequest,
    next: Next,
) -> Response {
    if state.live.claim_refresh(Instant::now()) {
        if let Err(e) = state.live.reload(state.app.store.as_ref()).await {
            tracing::warn!(target: "web::live", error = %e, "cannot reload sections and site settings; keeping the previous ones");
        }
    }
    next.run(request).await
}

/// The portal's router with its middleware: tracing, compression, security headers,
/// and a 500 page instead of a dropped connection if a handler panics.
pub fn app(state: AppState) -> Router {
    let state = RouterState {
        live: Arc::new(Live::new(&state)),
        app: state,
    };
    let mut router = Router::new()
        .route("/", get(front::get))
        .route("/section/{slug}", get(section::get))
        .route("/section/{slug}/{file}", get(feeds::section))
        .route("/article/{id}", get(article::get))
        .route("/article/{id}/comments", post(comment::post))
        .route("/story/{id}", get(story::get))
        .route("/story/{id}/{file}", get(feeds::story))
        .route("/source/{id}", get(source::get))
        .route("/article/{id}/comments/{file}", get(feeds::comments))
        .route("/suggest", get(search::suggest))
        .merge(admin::routes())
        .route("/search", get(search::get))
        .route("/search/{file}", get(feeds::search))
        .route("/robots.txt", get(discovery::robots))
        .route("/sitemap.xml", get(discovery::sitemap_index))
        .route("/sitemaps/{file}", get(discovery::sitemap))
        .route("/opensearch.xml", get(discovery::opensearch))
        .nest("/api/v1", crate::api::router());
    for format in FeedFormat::ALL {
        router = router.route(
            &format!("/{}", format.file()),
            get(move |state, base, headers| feeds::site(state, base, headers, format)),
        );
    }
    router
        // Pages and the API need current sections; assets and probes do not.
        .route_layer(axum::middleware::from_fn_with_state(
            state.clone(),
            refresh_live,
        ))
        .route("/static/{file}", get(assets::get))
        .route("/healthz", get(ops::healthz))
        .route("/readyz", get(ops::readyz))
        .route("/metrics", get(ops::metrics))
        .fallback(|State(state): State<AppState>| async move {
            render_error(Some(&state), StatusCode::NOT_FOUND)
        })
        .with_state(state)
        // Innermost, so that it sees the matched route and times the handler alone.
        .layer(axum::middleware::from_fn(ops::track))
        .layer(CatchPanicLayer::custom(|_: Box<dyn Any + Send>| -> Response {
            tracing::error!(target: "web::request", "handler panicked");
            render_error(None, StatusCode::INTERNAL_SERVER_ERROR)
        }))
        .layer(SetResponseHeaderLayer::if_not_present(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static(CSP),
        ))
        .layer(SetResponseHeaderLayer::if_not_present(
            header::X_CONTENT_TYPE_OPTIONS,
            HeaderValue::from_static("nosniff"),
        ))
        .layer(SetResponseHeaderLayer::if_not_present(
            header::REFERRER_POLICY,
            HeaderValue::from_static("strict-origin-when-cross-origin"),
        ))
        .layer(CompressionLayer::new())
        .layer(
            TraceLayer::new_for_http().make_span_with(|req: &Request<_>| {
                let route = req
                    .extensions()
                    .get::<axum::extract::MatchedPath>()
                    .map(|p| p.as_str().to_string())
                    .unwrap_or_else(|| "fallback".into());
                tracing::info_span!(target: "web::request", "request", method = %req.method(), route, uri = %req.uri())
            })
            // One access-log line per response, with status and latency.
            .on_response(DefaultOnResponse::new().level(tracing::Level::INFO)),
        )
}
