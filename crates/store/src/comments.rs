//! Reader comments and the admin area: accounts, sessions, the action log, settings.

use chrono::{DateTime, Utc};
use herald_types::{ArticleId, CommentId};
use serde::Serialize;

/// Moderation state of a reader comment.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum CommentStatus {
    /// Waiting for a moderator.
    Pending,
    /// Visible to readers.
    Approved,
    /// Marked as spam.
    Spam,
    /// Removed by a moderator.
    Trash,
}

impl CommentStatus {
    /// Every state, in the order the moderation queue shows them.
    pub const ALL: [CommentStatus; 4] = [
        CommentStatus::Pending,
        CommentStatus::Approved,
        CommentStatus::Spam,
        CommentStatus::Trash,
    ];

    /// The stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            CommentStatus::Pending => "pending",
            CommentStatus::Approved => "approved",
            CommentStatus::Spam => "spam",
            CommentStatus::Trash => "trash",
        }
    }

    /// The state a stored name stands for.
    pub fn parse(s: &str) -> Option<CommentStatus> {
        CommentStatus::ALL.into_iter().find(|c| c.as_str() == s)
    }
}

/// A comment to store, already validated, moderated and rendered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewComment {
    /// The article it is under.
    pub article: ArticleId,
    /// The comment it replies to (must be under the same article).
    pub parent: Option<CommentId>,
    /// Display name.
    pub author_name: String,
    /// Never shown to readers.
    pub author_email: String,
    /// Normalised email: the key for "approved before" and rate limits.
    pub email_key: String,
    /// Optional website.
    pub author_url: Option<String>,
    /// What the reader typed (normalised).
    pub body_text: String,
    /// The rendered, sanitised HTML.
    pub body_html: String,
    /// Moderation state decided at submission.
    pub status: CommentStatus,
    /// Why it was held or marked as spam, for the moderator.
    pub reason: Option<String>,
    /// Client address.
    pub ip: Option<String>,
    /// Key for duplicate detection.
    pub duplicate_key: Option<String>,
    /// Thread depth (0 for top-level comments).
    pub depth: u32,
    /// Submission time.
    pub created_at: DateTime<Utc>,
}

/// A stored reader comment.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Comment {
    /// Store id.
    pub id: CommentId,
    /// The article it is under.
    pub article: ArticleId,
    /// The comment it replies to.
    pub parent: Option<CommentId>,
    /// Display name.
    pub author_name: String,
    /// Never shown to readers.
    #[serde(skip)]
    pub author_email: String,
    /// Optional website.
    pub author_url: Option<String>,
    /// What the reader typed.
    pub body_text: String,
    /// Sanitised HTML body.
    pub body_html: String,
    /// Moderation state.
    pub status: CommentStatus,
    /// Why it was held or marked as spam.
    #[serde(skip)]
    pub reason: Option<String>,
    /// Client address (moderators only).
    #[serde(skip)]
    pub ip: Option<String>,
    /// Thread depth.
    pub depth: u32,
    /// When it was posted.
    pub created_at: DateTime<Utc>,
}

/// A comment in the moderation queue, with its article's headline.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct QueuedComment {
    /// The comment.
    pub comment: Comment,
    /// Its article's headline.
    pub article_title: String,
}

/// An admin account.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct User {
    /// Store id.
    pub id: i64,
    /// Login name.
    pub name: String,
    /// Argon2id PHC string.
    pub password_hash: String,
}

/// One line of the admin log.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AdminLogEntry {
    /// When.
    pub at: DateTime<Utc>,
    /// Who.
    pub user_name: String,
    /// What ("comment.approve", "feed.pause", "login"...).
    pub action: String,
    /// On what, in words.
    pub detail: String,
}
