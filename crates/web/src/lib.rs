//! The portal: server-rendered pages over the store and the search index.
//!
//! [`app`] builds the whole axum [`Router`](axum::Router), so tests can drive it
//! without a socket and the binary only adds a listener and graceful shutdown.
//! Templates (askama) and the stylesheet are compiled into the binary.
#![warn(missing_docs)]

mod api;
mod comment_views;
mod comments;
mod conditional;
mod config;
mod error;
mod handlers;
mod live;
mod ops;
mod origin;
mod router;
mod state;
mod stories;
mod syndication;
mod views;
mod xml;

pub use comments::CommentsRuntime;
pub use config::{SiteConfig, WebConfig};
pub use ops::{NodeStatus, READY_MAX_INDEX_LAG};
pub use router::app;
pub use state::AppState;
