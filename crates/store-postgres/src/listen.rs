//! Change notifications: one task per store holds a dedicated connection that
//! `LISTEN`s on the change channel and publishes the newest sequence number it has
//! heard of into a `watch`, which [`crate::PgStore`]'s `wait_for_changes` waits on.
//!
//! Every store of a database shares one channel; a notification's payload is
//! `<seq>:<schema>`, and the listener keeps only its own schema's, so that stores
//! in different schemas of one database (tests, several portals) do not wake each
//! other. When the connection drops, the task reconnects with a capped exponential
//! back-off; meanwhile waits simply run to their timeout and callers poll. The task
//! ends when the store (every receiver) is dropped.

use crate::error::{describe, Db};
use crate::pool::backoff;
use crate::CHANGES_CHANNEL;
use futures_util::stream::{self, StreamExt};
use herald_store::StoreResult;
use std::time::Duration;
use tokio::sync::{mpsc, watch};
use tokio_postgres::{AsyncMessage, Config, NoTls};

/// Starts the listener; `newest` is the log's newest sequence number now.
pub(crate) fn spawn(mut config: Config, newest: u64) -> watch::Receiver<u64> {
    // A half-open connection (a peer that vanished without a reset) is noticed after
    // about a minute instead of the operating system's default of hours.
    config.keepalives(true);
    config.keepalives_idle(Duration::from_secs(30));
    let (tx, rx) = watch::channel(newest);
    tokio::spawn(async move {
        tokio::select! {
            () = run(&config, &tx) => {}
            () = tx.closed() => {}
        }
    });
    rx
}

async fn run(config: &Config, tx: &watch::Sender<u64>) {
    let mut failures: u32 = 0;
    loop {
        let mut established = false;
        match listen(config, tx, &mut established).await {
            Ok(()) => tracing::warn!("the change listener's connection closed; reconnecting"),
            Err(e) => tracing::warn!("the change listener failed: {e}; reconnecting"),
        }
        if established {
            failures = 0;
        }
        tokio::time::sleep(backoff(failures)).await;
        failures = failures.saturating_add(1);
    }
}

/// One connection's life: returns when it ends.
async fn listen(
    config: &Config,
    tx: &watch::Sender<u64>,
    established: &mut bool,
) -> StoreResult<()> {
    let (client, mut connection) = config.connect(NoTls).await.db()?;
    // The connection is driven by its own task, which forwards notifications; the
    // channel closes when the connection ends.
    let (notes_tx, mut notes) = mpsc::unbounded_channel();
    let driver = tokio::spawn(async move {
        let mut messages = stream::poll_fn(move |cx| connection.poll_message(cx));
        while let Some(message) = messages.next().await {
            match message {
                Ok(AsyncMessage::Notification(n)) if n.channel() == CHANGES_CHANNEL => {
                    if notes_tx.send(n.payload().to_string()).is_err() {
                        break;
                    }
                }
                Ok(_) => {}
                Err(e) => {
                    tracing::debug!("change listener connection: {}", describe(&e));
                    break;
                }
            }
        }
    });
    let _abort = AbortOnDrop(driver);
    client
        .batch_execute(&format!("LISTEN {CHANGES_CHANNEL}"))
        .await
        .db()?;
    let schema: Option<String> = client
        .query_one("SELECT current_schema()", &[])
        .await
        .db()?
        .try_get(0)
        .db()?;
    let schema = schema.unwrap_or_default();
    // Whatever committed while no one listened.
    let newest: i64 = client
        .query_one("SELECT COALESCE(MAX(seq), 0) FROM changes", &[])
        .await
        .db()?
        .try_get(0)
        .db()?;
    tx.send_replace(u64::try_from(newest).unwrap_or(0));
    *established = true;
    while let Some(payload) = notes.recv().await {
        if let Some(seq) = parse(&payload, &schema) {
            tx.send_if_modified(|current| {
                let newer = seq > *current;
                if newer {
                    *current = seq;
                }
                newer
            });
        }
    }
    drop(client);
    Ok(())
}

/// The sequence number of a `<seq>:<schema>` payload meant for `schema`.
fn parse(payload: &str, schema: &str) -> Option<u64> {
    let (seq, from) = payload.split_once(':')?;
    (from == schema).then(|| seq.parse().ok()).flatten()
}

/// Stops the connection's driver task when the listener gives the connection up.
struct AbortOnDrop(tokio::task::JoinHandle<()>);

impl Drop for AbortOnDrop {
    fn drop(&mut self) {
        self.0.abort();
    }
}

#[cfg(test)]
mod tests {
    use super::parse;

    #[test]
    fn payloads_of_other_schemas_are_ignored() {
        assert_eq!(parse("42:public", "public"), Some(42));
        assert_eq!(parse("42:herald_a", "public"), None);
        assert_eq!(parse("42:we:ird", "we:ird"), Some(42));
        assert_eq!(parse("x:public", "public"), None);
        assert_eq!(parse("42", "public"), None);
    }
}
