//! The SQL behind the admin area: accounts, sessions, the action log and settings.

use crate::error::{db, is_unique_violation, Db};
use crate::sql::{self, get, int, now, ts};
use deadpool_postgres::GenericClient;
use herald_store::{AdminLogEntry, StoreError, StoreResult, User};
use tokio_postgres::Row;

pub(crate) async fn add_user(c: &impl GenericClient, name: &str, hash: &str) -> StoreResult<i64> {
    let stmt = c
        .prepare_cached(
            "INSERT INTO users (name, password_hash, created_at) VALUES ($1, $2, $3) RETURNING id",
        )
        .await
        .db()?;
    match c.query_one(&stmt, &[&name, &hash, &now()]).await {
        Ok(row) => get(&row, 0),
        Err(e) if is_unique_violation(&e) => {
            Err(StoreError::Conflict(format!("the user {name} exists")))
        }
        Err(e) => Err(db(e)),
    }
}

fn user_row(r: &Row) -> StoreResult<User> {
    Ok(User {
        id: get(r, 0)?,
        name: get(r, 1)?,
        password_hash: get(r, 2)?,
    })
}

pub(crate) async fn user_by_name(c: &impl GenericClient, name: &str) -> StoreResult<Option<User>> {
    let row = sql::query_opt(
        c,
        "SELECT id, name, password_hash FROM users WHERE name = $1",
        &[&name],
    )
    .await?;
    row.as_ref().map(user_row).transpose()
}

pub(crate) async fn set_password(c: &impl GenericClient, id: i64, hash: &str) -> StoreResult<()> {
    sql::execute(
        c,
        "UPDATE users SET password_hash = $2 WHERE id = $1",
        &[&id, &hash],
    )
    .await?;
    Ok(())
}

pub(crate) async fn create_session(
    c: &impl GenericClient,
    key: &str,
    user: i64,
    expires: i64,
) -> StoreResult<()> {
    let at = now();
    // Expired sessions are swept whenever someone logs in.
    sql::execute(c, "DELETE FROM sessions WHERE expires_at <= $1", &[&at]).await?;
    sql::execute(
        c,
        "INSERT INTO sessions (key, user_id, created_at, expires_at) VALUES ($1, $2, $3, $4)",
        &[&key, &user, &at, &expires],
    )
    .await?;
    Ok(())
}

pub(crate) async fn session_user(
    c: &impl GenericClient,
    key: &str,
    at: i64,
) -> StoreResult<Option<User>> {
    let row = sql::query_opt(
        c,
        "SELECT u.id, u.name, u.password_hash FROM sessions s JOIN users u ON u.id = s.user_id
         WHERE s.key = $1 AND s.expires_at > $2",
        &[&key, &at],
    )
    .await?;
    row.as_ref().map(user_row).transpose()
}

pub(crate) async fn delete_session(c: &impl GenericClient, key: &str) -> StoreResult<()> {
    sql::execute(c, "DELETE FROM sessions WHERE key = $1", &[&key]).await?;
    Ok(())
}

pub(crate) async fn log_action(
    c: &impl GenericClient,
    user: &str,
    action: &str,
    detail: &str,
) -> StoreResult<()> {
    sql::execute(
        c,
        "INSERT INTO admin_log (at, user_name, action, detail) VALUES ($1, $2, $3, $4)",
        &[&now(), &user, &action, &detail],
    )
    .await?;
    Ok(())
}

pub(crate) async fn admin_log(
    c: &impl GenericClient,
    limit: usize,
) -> StoreResult<Vec<AdminLogEntry>> {
    let rows = sql::query(
        c,
        "SELECT at, user_name, action, detail FROM admin_log ORDER BY id DESC LIMIT $1",
        &[&int(limit)],
    )
    .await?;
    rows.iter()
        .map(|r| {
            Ok(AdminLogEntry {
                at: ts(get(r, 0)?),
                user_name: get(r, 1)?,
                action: get(r, 2)?,
                detail: get(r, 3)?,
            })
        })
        .collect()
}

pub(crate) async fn setting(c: &impl GenericClient, key: &str) -> StoreResult<Option<String>> {
    let row = sql::query_opt(c, "SELECT value FROM settings WHERE key = $1", &[&key]).await?;
    row.as_ref().map(|r| get(r, 0)).transpose()
}

/// Stores `value`, replacing whatever the key had.
pub(crate) async fn set_setting(c: &impl GenericClient, key: &str, value: &str) -> StoreResult<()> {
    sql::execute(
        c,
        "INSERT INTO settings (key, value) VALUES ($1, $2)
         ON CONFLICT (key) DO UPDATE SET value = excluded.value",
        &[&key, &value],
    )
    .await?;
    Ok(())
}

/// Stores `value` unless the key has one; returns the value in force. An insert that
/// meets a concurrent one waits for it and then does nothing, so nodes starting
/// together agree on whichever value committed first.
pub(crate) async fn init_setting(
    c: &impl GenericClient,
    key: &str,
    value: &str,
) -> StoreResult<String> {
    let inserted = sql::query_opt(
        c,
        "INSERT INTO settings (key, value) VALUES ($1, $2) ON CONFLICT (key) DO NOTHING
         RETURNING value",
        &[&key, &value],
    )
    .await?;
    match inserted {
        Some(row) => get(&row, 0),
        None => setting(c, key)
            .await?
            .ok_or_else(|| StoreError::NotFound(format!("setting {key}"))),
    }
}
