//! The SQL behind comments, accounts, sessions, the admin log and settings.

use chrono::{DateTime, Utc};
use herald_store::{
    AdminLogEntry, Comment, CommentStatus, NewComment, Page, QueuedComment, StoreError,
    StoreResult, User,
};
use herald_types::{ArticleId, CommentId};
use rusqlite::{params, params_from_iter, Connection, OptionalExtension, Row};
use std::collections::HashMap;

const COLUMNS: &str =
    "c.id, c.article_id, c.parent_id, c.author_name, c.author_email, c.author_url,
    c.body_text, c.body_html, c.status, c.reason, c.ip, c.depth, c.created_at";

fn ts(secs: i64) -> DateTime<Utc> {
    DateTime::from_timestamp(secs, 0).unwrap_or_default()
}

fn db(e: rusqlite::Error) -> StoreError {
    StoreError::Database(e.to_string())
}

fn comment_row(r: &Row<'_>) -> rusqlite::Result<Comment> {
    let status: String = r.get(8)?;
    Ok(Comment {
        id: CommentId(r.get(0)?),
        article: ArticleId(r.get(1)?),
        parent: r.get::<_, Option<i64>>(2)?.map(CommentId),
        author_name: r.get(3)?,
        author_email: r.get(4)?,
        author_url: r.get(5)?,
        body_text: r.get(6)?,
        body_html: r.get(7)?,
        status: CommentStatus::parse(&status).unwrap_or(CommentStatus::Pending),
        reason: r.get(9)?,
        ip: r.get(10)?,
        depth: u32::try_from(r.get::<_, i64>(11)?).unwrap_or(0),
        created_at: ts(r.get(12)?),
    })
}

pub(crate) fn add(conn: &mut Connection, c: &NewComment) -> StoreResult<CommentId> {
    let tx = conn
        .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)
        .map_err(db)?;
    let article_exists: bool = tx
        .query_row(
            "SELECT EXISTS (SELECT 1 FROM articles WHERE id = ?1)",
            [c.article.0],
            |r| r.get(0),
        )
        .map_err(db)?;
    if !article_exists {
        return Err(StoreError::NotFound(format!("article {}", c.article)));
    }
    if let Some(parent) = c.parent {
        let parent_article: Option<i64> = tx
            .query_row(
                "SELECT article_id FROM comments WHERE id = ?1",
                [parent.0],
                |r| r.get(0),
            )
            .optional()
            .map_err(db)?;
        if parent_article != Some(c.article.0) {
            return Err(StoreError::Invalid(format!(
                "comment {parent} is not under article {}",
                c.article
            )));
        }
    }
    tx.execute(
        "INSERT INTO comments (article_id, parent_id, author_name, author_email, email_key,
             author_url, body_text, body_html, status, reason, ip, duplicate_key, depth, created_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14)",
        params![
            c.article.0,
            c.parent.map(|p| p.0),
            c.author_name,
            c.author_email,
            c.email_key,
            c.author_url,
            c.body_text,
            c.body_html,
            c.status.as_str(),
            c.reason,
            c.ip,
            c.duplicate_key,
            i64::from(c.depth),
            c.created_at.timestamp()
        ],
    )
    .map_err(db)?;
    let id = CommentId(tx.last_insert_rowid());
    tx.commit().map_err(db)?;
    Ok(id)
}

pub(crate) fn get(conn: &Connection, id: CommentId) -> rusqlite::Result<Option<Comment>> {
    conn.prepare_cached(&format!("SELECT {COLUMNS} FROM comments c WHERE c.id = ?1"))?
        .query_row([id.0], comment_row)
        .optional()
}

fn placeholders(n: usize, first: usize) -> String {
    (first..first + n)
        .map(|i| format!("?{i}"))
        .collect::<Vec<_>>()
        .join(",")
}

pub(crate) fn for_article(
    conn: &Connection,
    article: ArticleId,
    statuses: &[CommentStatus],
) -> rusqlite::Result<Vec<Comment>> {
    if statuses.is_empty() {
        return Ok(Vec::new());
    }
    let sql = format!(
        "SELECT {COLUMNS} FROM comments c WHERE c.article_id = ?1 AND c.status IN ({})
         ORDER BY c.created_at, c.id",
        placeholders(statuses.len(), 2)
    );
    let mut stmt = conn.prepare_cached(&sql)?;
    let mut values: Vec<rusqlite::types::Value> = vec![article.0.into()];
    values.extend(statuses.iter().map(|s| s.as_str().to_string().into()));
    let rows = stmt.query_map(params_from_iter(values), comment_row)?;
    rows.collect()
}

pub(crate) fn counts(
    conn: &Connection,
    articles: &[ArticleId],
) -> rusqlite::Result<HashMap<ArticleId, u64>> {
    let mut out = HashMap::new();
    for chunk in articles.chunks(500) {
        let sql = format!(
            "SELECT article_id, COUNT(*) FROM comments
             WHERE status = 'approved' AND article_id IN ({}) GROUP BY article_id",
            placeholders(chunk.len(), 1)
        );
        let mut stmt = conn.prepare_cached(&sql)?;
        let rows = stmt.query_map(params_from_iter(chunk.iter().map(|a| a.0)), |r| {
            Ok((ArticleId(r.get(0)?), r.get::<_, i64>(1)?))
        })?;
        for row in rows {
            let (id, n) = row?;
            out.insert(id, u64::try_from(n).unwrap_or(0));
        }
    }
    Ok(out)
}

pub(crate) fn has_approved(conn: &Connection, email_key: &str) -> rusqlite::Result<bool> {
    conn.prepare_cached(
        "SELECT EXISTS (SELECT 1 FROM comments WHERE email_key = ?1 AND status = 'approved')",
    )?
    .query_row([email_key], |r| r.get(0))
}

pub(crate) fn duplicate_since(
    conn: &Connection,
    key: &str,
    since: DateTime<Utc>,
) -> rusqlite::Result<bool> {
    conn.prepare_cached(
        "SELECT EXISTS (SELECT 1 FROM comments WHERE duplicate_key = ?1 AND created_at >= ?2)",
    )?
    .query_row(params![key, since.timestamp()], |r| r.get(0))
}

pub(crate) fn queue(
    conn: &Connection,
    status: CommentStatus,
    limit: usize,
    offset: usize,
) -> rusqlite::Result<Page<QueuedComment>> {
    let total: i64 = conn
        .prepare_cached("SELECT COUNT(*) FROM comments WHERE status = ?1")?
        .query_row([status.as_str()], |r| r.get(0))?;
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT {COLUMNS}, a.title FROM comments c JOIN articles a ON a.id = c.article_id
         WHERE c.status = ?1 ORDER BY c.created_at DESC, c.id DESC LIMIT ?2 OFFSET ?3"
    ))?;
    let rows = stmt.query_map(
        params![
            status.as_str(),
            i64::try_from(limit).unwrap_or(i64::MAX),
            i64::try_from(offset).unwrap_or(i64::MAX)
        ],
        |r| {
            Ok(QueuedComment {
                comment: comment_row(r)?,
                article_title: r.get(13)?,
            })
        },
    )?;
    Ok(Page {
        items: rows.collect::<rusqlite::Result<_>>()?,
        total: u64::try_from(total).unwrap_or(0),
    })
}

pub(crate) fn status_counts(conn: &Connection) -> rusqlite::Result<HashMap<CommentStatus, u64>> {
    let mut stmt = conn.prepare_cached("SELECT status, COUNT(*) FROM comments GROUP BY status")?;
    let rows = stmt.query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, i64>(1)?)))?;
    let mut out: HashMap<CommentStatus, u64> =
        CommentStatus::ALL.into_iter().map(|s| (s, 0)).collect();
    for row in rows {
        let (status, n) = row?;
        if let Some(status) = CommentStatus::parse(&status) {
            out.insert(status, u64::try_from(n).unwrap_or(0));
        }
    }
    Ok(out)
}

pub(crate) fn set_status(
    conn: &mut Connection,
    ids: &[CommentId],
    status: CommentStatus,
) -> rusqlite::Result<u64> {
    let tx = conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
    let mut changed = 0;
    {
        let mut stmt =
            tx.prepare_cached("UPDATE comments SET status = ?2 WHERE id = ?1 AND status != ?2")?;
        for id in ids {
            changed += stmt.execute(params![id.0, status.as_str()])? as u64;
        }
    }
    tx.commit()?;
    Ok(changed)
}

pub(crate) fn recent(
    conn: &Connection,
    article: Option<ArticleId>,
    limit: usize,
) -> rusqlite::Result<Vec<Comment>> {
    let limit = i64::try_from(limit).unwrap_or(i64::MAX);
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT {COLUMNS} FROM comments c
         WHERE c.status = 'approved' AND (?1 IS NULL OR c.article_id = ?1)
         ORDER BY c.created_at DESC, c.id DESC LIMIT ?2"
    ))?;
    let rows = stmt.query_map(params![article.map(|a| a.0), limit], comment_row)?;
    rows.collect()
}

pub(crate) fn add_user(conn: &Connection, name: &str, hash: &str) -> StoreResult<i64> {
    match conn.execute(
        "INSERT INTO users (name, password_hash, created_at) VALUES (?1, ?2, ?3)",
        params![name, hash, Utc::now().timestamp()],
    ) {
        Ok(_) => Ok(conn.last_insert_rowid()),
        Err(rusqlite::Error::SqliteFailure(e, _))
            if e.code == rusqlite::ErrorCode::ConstraintViolation =>
        {
            Err(StoreError::Conflict(format!("the user {name} exists")))
        }
        Err(e) => Err(db(e)),
    }
}

fn user_row(r: &Row<'_>) -> rusqlite::Result<User> {
    Ok(User {
        id: r.get(0)?,
        name: r.get(1)?,
        password_hash: r.get(2)?,
    })
}

pub(crate) fn user_by_name(conn: &Connection, name: &str) -> rusqlite::Result<Option<User>> {
    conn.prepare_cached("SELECT id, name, password_hash FROM users WHERE name = ?1")?
        .query_row([name], user_row)
        .optional()
}

pub(crate) fn session_user(
    conn: &Connection,
    key: &str,
    now: DateTime<Utc>,
) -> rusqlite::Result<Option<User>> {
    conn.prepare_cached(
        "SELECT u.id, u.name, u.password_hash FROM sessions s JOIN users u ON u.id = s.user_id
         WHERE s.key = ?1 AND s.expires_at > ?2",
    )?
    .query_row(params![key, now.timestamp()], user_row)
    .optional()
}

pub(crate) fn create_session(
    conn: &Connection,
    key: &str,
    user: i64,
    expires: DateTime<Utc>,
) -> rusqlite::Result<()> {
    let now = Utc::now().timestamp();
    // Expired sessions are swept whenever someone logs in.
    conn.execute("DELETE FROM sessions WHERE expires_at <= ?1", [now])?;
    conn.execute(
        "INSERT INTO sessions (key, user_id, created_at, expires_at) VALUES (?1, ?2, ?3, ?4)",
        params![key, user, now, expires.timestamp()],
    )?;
    Ok(())
}

pub(crate) fn admin_log(conn: &Connection, limit: usize) -> rusqlite::Result<Vec<AdminLogEntry>> {
    let mut stmt = conn.prepare_cached(
        "SELECT at, user_name, action, detail FROM admin_log ORDER BY id DESC LIMIT ?1",
    )?;
    let rows = stmt.query_map([i64::try_from(limit).unwrap_or(i64::MAX)], |r| {
        Ok(AdminLogEntry {
            at: ts(r.get(0)?),
            user_name: r.get(1)?,
            action: r.get(2)?,
            detail: r.get(3)?,
        })
    })?;
    rows.collect()
}
