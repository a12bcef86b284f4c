//! Riding out a moment without the database (a PostgreSQL restart or failover).

use crate::{StoreError, StoreResult};
use std::future::Future;
use std::time::{Duration, Instant};

/// How long an idempotent write keeps trying before it gives up: longer than a typical
/// database restart, short enough that a dead database is reported, not hidden.
pub const RETRY_WINDOW: Duration = Duration::from_secs(30);

/// Runs `call` again, with growing pauses, while it fails with
/// [`StoreError::Unavailable`], for up to [`RETRY_WINDOW`]. Only for calls that are
/// safe to repeat (upserts by identity are): a failed commit may have landed.
pub async fn retry_unavailable<T, F, Fut>(what: &str, mut call: F) -> StoreResult<T>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = StoreResult<T>>,
{
    let started = Instant::now();
    let mut pause = Duration::from_millis(250);
    loop {
        match call().await {
            Err(StoreError::Unavailable(cause)) if started.elapsed() < RETRY_WINDOW => {
                tracing::warn!(target: "store", %cause, retry_in_ms = pause.as_millis() as u64, "{what}: store unavailable; retrying");
                tokio::time::sleep(pause).await;
                pause = (pause * 2).min(Duration::from_secs(4));
            }
            other => return other,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::cell::Cell;

    #[tokio::test(start_paused = true)]
    async fn retries_only_while_unavailable() {
        let calls = Cell::new(0);
        let result = retry_unavailable("test", || {
            calls.set(calls.get() + 1);
            let n = calls.get();
            async move {
                if n < 3 {
                    Err(StoreError::Unavailable("restarting".into()))
                } else {
                    Ok(n)
                }
            }
        })
        .await;
        assert_eq!(result.unwrap(), 3);

        calls.set(0);
        let result: StoreResult<()> = retry_unavailable("test", || {
            calls.set(calls.get() + 1);
            async { Err(StoreError::Database("syntax".into())) }
        })
        .await;
        assert!(matches!(result, Err(StoreError::Database(_))));
        assert_eq!(calls.get(), 1, "other errors are not retried");
    }
}
