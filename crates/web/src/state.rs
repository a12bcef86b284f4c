//! What every handler can reach.

use crate::comments::CommentsRuntime;
use crate::config::{SiteConfig, WebConfig};
use crate::ops::NodeStatus;
use herald_search::SearchIndex;
use herald_store::{SectionRow, Store};
use std::sync::atomic::AtomicBool;
use std::sync::Arc;

/// Shared state of the portal. Cheap to clone.
#[derive(Clone)]
pub struct AppState {
    /// The system of record.
    pub store: Arc<dyn Store>,
    /// The search index (read side).
    pub index: SearchIndex,
    /// Site name and tagline. Handlers see the configuration with the admin's stored
    /// settings applied, as they stood when the request began.
    pub site: Arc<SiteConfig>,
    /// Paging and caching.
    pub web: Arc<WebConfig>,
    /// Sections in navigation order. The server passes them as read at start;
    /// handlers see them as they stood when the request began (admins rename and
    /// reorder them at runtime: see `live`).
    pub sections: Arc<Vec<SectionRow>>,
    /// Shows the "sample content" note.
    pub demo: bool,
    /// Comment policy, form tokens and limiters.
    pub comments: Arc<CommentsRuntime>,
    /// Set by the admin's "rebuild the index" button; the indexer clears it.
    pub reindex: Arc<AtomicBool>,
    /// This node's indexer progress, for readiness and metrics.
    pub node: Arc<NodeStatus>,
}
