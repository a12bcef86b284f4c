//! Whole-table copies between backends: what `herald migrate` moves from an embedded
//! portal to PostgreSQL.
//!
//! Both backends keep the same tables with the same columns and the same value kinds
//! (integers, with times as Unix seconds, and text), so a row read from one can be
//! written to the other value for value, ids included: links, comment threads and
//! the change log survive the move unchanged.

use serde::{Deserialize, Serialize};

/// One stored value. The schema uses only integers and text.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Value {
    /// SQL NULL.
    Null,
    /// An integer column (ids, counts, Unix-second times, flags).
    Int(i64),
    /// A text column.
    Text(String),
}

/// One row, its values in [`Table::columns`] order.
pub type Row = Vec<Value>;

/// The tables a migration copies, in an order that satisfies every reference
/// (parents before children).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Table {
    /// Sections.
    Sections,
    /// Sources (publications).
    Sources,
    /// Stories.
    Stories,
    /// Articles.
    Articles,
    /// Reader comments.
    Comments,
    /// The change log.
    Changes,
    /// Feed subscriptions and their fetch state.
    Feeds,
    /// Admin accounts.
    Users,
    /// Admin sessions.
    Sessions,
    /// The admin log.
    AdminLog,
    /// Site settings (secret keys, clusterer position).
    Settings,
}

impl Table {
    /// Every table, parents first.
    pub const ALL: [Table; 11] = [
        Table::Sections,
        Table::Sources,
        Table::Stories,
        Table::Articles,
        Table::Comments,
        Table::Changes,
        Table::Feeds,
        Table::Users,
        Table::Sessions,
        Table::AdminLog,
        Table::Settings,
    ];

    /// The SQL name, the same in every backend.
    pub fn name(self) -> &'static str {
        match self {
            Table::Sections => "sections",
            Table::Sources => "sources",
            Table::Stories => "stories",
            Table::Articles => "articles",
            Table::Comments => "comments",
            Table::Changes => "changes",
            Table::Feeds => "feeds",
            Table::Users => "users",
            Table::Sessions => "sessions",
            Table::AdminLog => "admin_log",
            Table::Settings => "settings",
        }
    }

    /// The column rows are keyed and walked by (unique, never null).
    pub fn key(self) -> &'static str {
        match self {
            Table::Changes => "seq",
            Table::Sessions | Table::Settings => "key",
            _ => "id",
        }
    }

    /// Whether the key is an integer (else text).
    pub fn integer_key(self) -> bool {
        !matches!(self, Table::Sessions | Table::Settings)
    }

    /// The copied columns, key first.
    pub fn columns(self) -> &'static [&'static str] {
        match self {
            Table::Sections => &["id", "slug", "name", "position", "visible", "edited"],
            Table::Sources => &["id", "name", "url", "created_at", "section_id"],
            Table::Stories => &[
                "id",
                "title",
                "first_seen",
                "last_seen",
                "article_count",
                "merged_into",
                "source_count",
            ],
            Table::Articles => &[
                "id",
                "identity",
                "url",
                "source_id",
                "section_id",
                "category",
                "title",
                "author",
                "published",
                "lang",
                "summary",
                "body_text",
                "body_html",
                "content_hash",
                "story_id",
                "duplicate_of",
                "created_at",
                "updated_at",
                "sort_time",
                "removed_at",
                "removed_reason",
            ],
            Table::Comments => &[
                "id",
                "article_id",
                "parent_id",
                "author_name",
                "author_email",
                "author_url",
                "body_html",
                "status",
                "ip",
                "created_at",
                "body_text",
                "email_key",
                "duplicate_key",
                "reason",
                "depth",
            ],
            Table::Changes => &["seq", "article_id", "op", "at"],
            Table::Feeds => &[
                "id",
                "url",
                "source_id",
                "site_url",
                "title",
                "section_slug",
                "paused",
                "created_at",
                "etag",
                "last_modified",
                "last_fetch_at",
                "last_success_at",
                "last_status",
                "last_error",
                "consecutive_failures",
                "items_total",
                "interval_secs",
                "next_fetch_at",
                "lease_until",
            ],
            Table::Users => &["id", "name", "password_hash", "created_at"],
            Table::Sessions => &["key", "user_id", "created_at", "expires_at"],
            Table::AdminLog => &["id", "at", "user_name", "action", "detail"],
            Table::Settings => &["key", "value"],
        }
    }
}

/// An order-sensitive checksum of rows, the same whichever backend they came from:
/// equal counts and checksums on both sides mean the copy is faithful.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Checksum {
    /// Rows seen.
    pub rows: u64,
    /// A 64-bit FNV-1a over every value with type tags and separators.
    pub hash: u64,
}

impl Checksum {
    const OFFSET: u64 = 0xcbf2_9ce4_8422_2325;
    const PRIME: u64 = 0x0000_0100_0000_01b3;

    /// An empty checksum.
    pub fn new() -> Self {
        Checksum {
            rows: 0,
            hash: Self::OFFSET,
        }
    }

    fn bytes(&mut self, bytes: &[u8]) {
        for b in bytes {
            self.hash ^= u64::from(*b);
            self.hash = self.hash.wrapping_mul(Self::PRIME);
        }
    }

    /// Folds in one row.
    pub fn add(&mut self, row: &[Value]) {
        self.rows += 1;
        for value in row {
            match value {
                Value::Null => self.bytes(&[0]),
                Value::Int(i) => {
                    self.bytes(&[1]);
                    self.bytes(&i.to_le_bytes());
                }
                Value::Text(s) => {
                    self.bytes(&[2]);
                    self.bytes(&(s.len() as u64).to_le_bytes());
                    self.bytes(s.as_bytes());
                }
            }
        }
        self.bytes(&[0xff]);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn checksums_see_order_types_and_boundaries() {
        let mut a = Checksum::new();
        a.add(&[Value::Int(1), Value::Text("ab".into())]);
        let mut b = Checksum::new();
        b.add(&[Value::Int(1), Value::Text("a".into())]);
        assert_ne!(a, b);
        let mut c = Checksum::new();
        c.add(&[Value::Text("1".into()), Value::Text("ab".into())]);
        assert_ne!(a.hash, c.hash);
        let mut d = Checksum::new();
        d.add(&[Value::Null]);
        let mut e = Checksum::new();
        e.add(&[Value::Text(String::new())]);
        assert_ne!(d.hash, e.hash);
    }

    #[test]
    fn every_table_lists_its_key_first() {
        for table in Table::ALL {
            assert_eq!(table.columns()[0], table.key(), "{}", table.name());
        }
    }
}
