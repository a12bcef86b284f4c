//! The SQL behind reader comments and their moderation.

use crate::error::Db;
use crate::sql::{self, count, get, int, ts};
use deadpool_postgres::GenericClient;
use herald_store::{
    Comment, CommentStatus, NewComment, Page, QueuedComment, StoreError, StoreResult,
};
use herald_types::{ArticleId, CommentId};
use std::collections::HashMap;
use tokio_postgres::types::ToSql;
use tokio_postgres::Row;

const COLUMNS: &str =
    "c.id, c.article_id, c.parent_id, c.author_name, c.author_email, c.author_url,
    c.body_text, c.body_html, c.status, c.reason, c.ip, c.depth, c.created_at";

fn comment_row(r: &Row) -> StoreResult<Comment> {
    let status: &str = get(r, 8)?;
    Ok(Comment {
        id: CommentId(get(r, 0)?),
        article: ArticleId(get(r, 1)?),
        parent: get::<Option<i64>>(r, 2)?.map(CommentId),
        author_name: get(r, 3)?,
        author_email: get(r, 4)?,
        author_url: get(r, 5)?,
        body_text: get(r, 6)?,
        body_html: get(r, 7)?,
        status: CommentStatus::parse(status).unwrap_or(CommentStatus::Pending),
        reason: get(r, 9)?,
        ip: get(r, 10)?,
        depth: u32::try_from(get::<i64>(r, 11)?).unwrap_or(0),
        created_at: ts(get(r, 12)?),
    })
}

pub(crate) async fn add(
    c: &mut deadpool_postgres::Object,
    n: &NewComment,
) -> StoreResult<CommentId> {
    let tx = c.transaction().await.db()?;
    // FOR SHARE: the article cannot disappear before this comment commits.
    let article = sql::query_opt(
        &tx,
        "SELECT 1 FROM articles WHERE id = $1 FOR SHARE",
        &[&n.article.0],
    )
    .await?;
    if article.is_none() {
        return Err(StoreError::NotFound(format!("article {}", n.article)));
    }
    if let Some(parent) = n.parent {
        let row = sql::query_opt(
            &tx,
            "SELECT article_id FROM comments WHERE id = $1",
            &[&parent.0],
        )
        .await?;
        let parent_article = row.as_ref().map(|r| get::<i64>(r, 0)).transpose()?;
        if parent_article != Some(n.article.0) {
            return Err(StoreError::Invalid(format!(
                "comment {parent} is not under article {}",
                n.article
            )));
        }
    }
    let row = sql::query_one(
        &tx,
        "INSERT INTO comments (article_id, parent_id, author_name, author_email, email_key,
             author_url, body_text, body_html, status, reason, ip, duplicate_key, depth, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)
         RETURNING id",
        &[
            &n.article.0,
            &n.parent.map(|p| p.0),
            &n.author_name,
            &n.author_email,
            &n.email_key,
            &n.author_url,
            &n.body_text,
            &n.body_html,
            &n.status.as_str(),
            &n.reason,
            &n.ip,
            &n.duplicate_key,
            &i64::from(n.depth),
            &n.created_at.timestamp(),
        ],
    )
    .await?;
    let id = CommentId(get(&row, 0)?);
    tx.commit().await.db()?;
    Ok(id)
}

pub(crate) async fn get_one(c: &impl GenericClient, id: CommentId) -> StoreResult<Option<Comment>> {
    let row = sql::query_opt(
        c,
        &format!("SELECT {COLUMNS} FROM comments c WHERE c.id = $1"),
        &[&id.0],
    )
    .await?;
    row.as_ref().map(comment_row).transpose()
}

fn names(statuses: &[CommentStatus]) -> Vec<&'static str> {
    statuses.iter().map(|s| s.as_str()).collect()
}

pub(crate) async fn for_article(
    c: &impl GenericClient,
    article: ArticleId,
    statuses: &[CommentStatus],
) -> StoreResult<Vec<Comment>> {
    if statuses.is_empty() {
        return Ok(Vec::new());
    }
    let rows = sql::query(
        c,
        &format!(
            "SELECT {COLUMNS} FROM comments c WHERE c.article_id = $1 AND c.status = ANY($2)
             ORDER BY c.created_at, c.id"
        ),
        &[&article.0, &names(statuses)],
    )
    .await?;
    rows.iter().map(comment_row).collect()
}

pub(crate) async fn counts(
    c: &impl GenericClient,
    articles: &[ArticleId],
) -> StoreResult<HashMap<ArticleId, u64>> {
    if articles.is_empty() {
        return Ok(HashMap::new());
    }
    let ids: Vec<i64> = articles.iter().map(|a| a.0).collect();
    let rows = sql::query(
        c,
        "SELECT article_id, COUNT(*) FROM comments
         WHERE status = 'approved' AND article_id = ANY($1) GROUP BY article_id",
        &[&ids],
    )
    .await?;
    rows.iter()
        .map(|r| Ok((ArticleId(get(r, 0)?), count(get(r, 1)?))))
        .collect()
}

pub(crate) async fn has_approved(c: &impl GenericClient, email_key: &str) -> StoreResult<bool> {
    let row = sql::query_one(
        c,
        "SELECT EXISTS (SELECT 1 FROM comments WHERE email_key = $1 AND status = 'approved')",
        &[&email_key],
    )
    .await?;
    get(&row, 0)
}

pub(crate) async fn duplicate_since(
    c: &impl GenericClient,
    key: &str,
    since: i64,
) -> StoreResult<bool> {
    let row = sql::query_one(
        c,
        "SELECT EXISTS (SELECT 1 FROM comments WHERE duplicate_key = $1 AND created_at >= $2)",
        &[&key, &since],
    )
    .await?;
    get(&row, 0)
}

pub(crate) async fn queue(
    c: &impl GenericClient,
    status: CommentStatus,
    limit: usize,
    offset: usize,
) -> StoreResult<Page<QueuedComment>> {
    let status = status.as_str();
    let (limit, offset) = (int(limit), int(offset));
    let page_sql = format!(
        "SELECT {COLUMNS}, a.title FROM comments c JOIN articles a ON a.id = c.article_id
         WHERE c.status = $1 ORDER BY c.created_at DESC, c.id DESC LIMIT $2 OFFSET $3"
    );
    let count_params: [&(dyn ToSql + Sync); 1] = [&status];
    let page_params: [&(dyn ToSql + Sync); 3] = [&status, &limit, &offset];
    // Both statements go out together: one round trip.
    let (total, rows) = tokio::try_join!(
        sql::query_one(
            c,
            "SELECT COUNT(*) FROM comments WHERE status = $1",
            &count_params
        ),
        sql::query(c, &page_sql, &page_params),
    )?;
    let items = rows
        .iter()
        .map(|r| {
            Ok(QueuedComment {
                comment: comment_row(r)?,
                article_title: get(r, 13)?,
            })
        })
        .collect::<StoreResult<_>>()?;
    Ok(Page {
        items,
        total: count(get(&total, 0)?),
    })
}

pub(crate) async fn status_counts(
    c: &impl GenericClient,
) -> StoreResult<HashMap<CommentStatus, u64>> {
    let rows = sql::query(
        c,
        "SELECT status, COUNT(*) FROM comments GROUP BY status",
        &[],
    )
    .await?;
    let mut out: HashMap<CommentStatus, u64> =
        CommentStatus::ALL.into_iter().map(|s| (s, 0)).collect();
    for r in &rows {
        if let Some(status) = CommentStatus::parse(get(r, 0)?) {
            out.insert(status, count(get(r, 1)?));
        }
    }
    Ok(out)
}

pub(crate) async fn set_status(
    c: &impl GenericClient,
    ids: &[CommentId],
    status: CommentStatus,
) -> StoreResult<u64> {
    if ids.is_empty() {
        return Ok(0);
    }
    let ids: Vec<i64> = ids.iter().map(|i| i.0).collect();
    sql::execute(
        c,
        "UPDATE comments SET status = $2 WHERE id = ANY($1) AND status <> $2",
        &[&ids, &status.as_str()],
    )
    .await
}

pub(crate) async fn recent(
    c: &impl GenericClient,
    article: Option<ArticleId>,
    limit: usize,
) -> StoreResult<Vec<Comment>> {
    // Two statements rather than `$1 IS NULL OR ...`, so that each keeps a plan that
    // uses its index.
    let limit = int(limit);
    let rows = match article {
        Some(article) => {
            sql::query(
                c,
                &format!(
                    "SELECT {COLUMNS} FROM comments c
                     WHERE c.status = 'approved' AND c.article_id = $1
                     ORDER BY c.created_at DESC, c.id DESC LIMIT $2"
                ),
                &[&article.0, &limit],
            )
            .await?
        }
        None => {
            sql::query(
                c,
                &format!(
                    "SELECT {COLUMNS} FROM comments c WHERE c.status = 'approved'
                     ORDER BY c.created_at DESC, c.id DESC LIMIT $1"
                ),
                &[&limit],
            )
            .await?
        }
    };
    rows.iter().map(comment_row).collect()
}
