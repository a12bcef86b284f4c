//! Feed subscriptions and their fetch state: what the scheduler reads and writes.
//!
//! The fetch state lives in the store, not in memory, so a restarted node resumes where
//! the last one stopped, and several nodes can share the work through leases.

use chrono::{DateTime, Utc};
use herald_types::{FeedId, SourceId};
use serde::Serialize;

/// A feed to subscribe to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewFeed {
    /// The feed's URL (RSS, Atom or JSON Feed).
    pub url: String,
    /// Source name its items are filed under; created on first use.
    pub source_name: String,
    /// The site the feed belongs to, when known.
    pub site_url: Option<String>,
    /// The feed's own title, when known.
    pub title: Option<String>,
    /// Section slug for its items; `None` files them under the default section.
    pub section: Option<String>,
    /// First fetch time (usually now).
    pub next_fetch_at: DateTime<Utc>,
    /// Initial polling interval.
    pub interval_secs: i64,
}

/// A subscribed feed with its fetch state.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FeedRow {
    /// Store id.
    pub id: FeedId,
    /// Current URL (updated after permanent redirects).
    pub url: String,
    /// Source its items are filed under.
    pub source_id: SourceId,
    /// That source's name.
    pub source_name: String,
    /// The site the feed belongs to.
    pub site_url: Option<String>,
    /// The feed's own title.
    pub title: Option<String>,
    /// Section slug for its items.
    pub section: Option<String>,
    /// Paused feeds are never fetched.
    pub paused: bool,
    /// When it was added.
    pub created_at: DateTime<Utc>,
    /// Validators of the last successful fetch, for conditional GET.
    pub etag: Option<String>,
    /// See `etag`.
    pub last_modified: Option<String>,
    /// When it was last fetched (success or not).
    pub last_fetch_at: Option<DateTime<Utc>>,
    /// When a fetch last succeeded.
    pub last_success_at: Option<DateTime<Utc>>,
    /// HTTP status of the last fetch (0 when no response arrived).
    pub last_status: Option<u16>,
    /// The last error in words; `None` after a success.
    pub last_error: Option<String>,
    /// Failures since the last success: drives the back-off.
    pub consecutive_failures: u32,
    /// New or changed items stored from this feed, ever.
    pub items_total: u64,
    /// Current polling interval.
    pub interval_secs: i64,
    /// When the scheduler will fetch it next.
    pub next_fetch_at: DateTime<Utc>,
}

impl FeedRow {
    /// The feed's state in one word, for lists: `paused`, `new` (never fetched),
    /// `failing` (the last fetch failed) or `ok`.
    pub fn state_word(&self) -> &'static str {
        if self.paused {
            "paused"
        } else if self.last_fetch_at.is_none() {
            "new"
        } else if self.last_error.is_some() {
            "failing"
        } else {
            "ok"
        }
    }
}

/// What one fetch of a feed found, written back in one transaction.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FeedFetchRecord {
    /// When the fetch ran.
    pub fetched_at: DateTime<Utc>,
    /// HTTP status (0 when no response arrived).
    pub status: u16,
    /// `None` on success; otherwise what went wrong, in words.
    pub error: Option<String>,
    /// New validators (kept unchanged when `None` and the fetch was a 304).
    pub etag: Option<String>,
    /// See `etag`.
    pub last_modified: Option<String>,
    /// A permanent redirect's target: the feed's new URL.
    pub moved_to: Option<String>,
    /// The feed's title as it now reads.
    pub title: Option<String>,
    /// The site link the feed gives.
    pub site_url: Option<String>,
    /// Items inserted or updated by this fetch.
    pub new_items: u64,
    /// The next polling interval.
    pub interval_secs: i64,
    /// When to fetch next.
    pub next_fetch_at: DateTime<Utc>,
    /// Stop fetching (the feed is gone: 410, or told so by the operator).
    pub pause: bool,
}
