//! Per-host politeness: at most `per_host_concurrency` requests in flight to one host, and
//! at least `per_host_min_interval` (or the host's robots.txt `Crawl-delay`, if larger)
//! between the starts of two requests to it.
//!
//! Written by hand on tokio primitives rather than with `governor`: the rule needed is
//! "space request starts by a fixed, per-host and changeable interval", which is a
//! reservation clock per host, while a token bucket would allow bursts.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::sync::{OwnedSemaphorePermit, Semaphore};
use tokio::time::Instant;

/// Drops host entries nobody uses once the map grows past this, so that a long-running
/// server fetching many hosts does not keep one entry per host forever.
const PRUNE_ABOVE: usize = 4096;

#[derive(Debug)]
struct HostGate {
    slots: Arc<Semaphore>,
    /// The earliest instant the next request may start.
    next_start: Mutex<Instant>,
    /// The host's robots.txt `Crawl-delay`, already capped.
    crawl_delay: Mutex<Option<Duration>>,
}

/// The per-host gates of one fetcher.
#[derive(Debug)]
pub(crate) struct Politeness {
    concurrency: usize,
    min_interval: Duration,
    hosts: Mutex<HashMap<String, Arc<HostGate>>>,
}

/// Held while a request to a host is in flight (body included); dropping it frees the slot.
#[derive(Debug)]
pub(crate) struct HostPermit {
    _permit: Option<OwnedSemaphorePermit>,
}

impl Politeness {
    pub(crate) fn new(concurrency: u32, min_interval: Duration) -> Self {
        Politeness {
            concurrency: concurrency.max(1) as usize,
            min_interval,
            hosts: Mutex::new(HashMap::new()),
        }
    }

    fn gate(&self, host: &str) -> Arc<HostGate> {
        let mut hosts = lock(&self.hosts);
        if let Some(gate) = hosts.get(host) {
            return Arc::clone(gate);
        }
        if hosts.len() >= PRUNE_ABOVE {
            let now = Instant::now();
            hosts.retain(|_, g| Arc::strong_count(g) > 1 || *lock(&g.next_start) > now);
        }
        let gate = Arc::new(HostGate {
            slots: Arc::new(Semaphore::new(self.concurrency)),
            next_start: Mutex::new(Instant::now()),
            crawl_delay: Mutex::new(None),
        });
        hosts.insert(host.to_owned(), Arc::clone(&gate));
        gate
    }

    /// Records a host's robots.txt `Crawl-delay` (already capped by the caller).
    pub(crate) fn set_crawl_delay(&self, host: &str, delay: Option<Duration>) {
        let gate = self.gate(host);
        *lock(&gate.crawl_delay) = delay;
    }

    /// Waits for a free slot on `host`, then for the host's next start time, and reserves
    /// the one after it.
    pub(crate) async fn acquire(&self, host: &str) -> HostPermit {
        let gate = self.gate(host);
        // The semaphore is never closed, so `acquire_owned` cannot fail; if it ever did,
        // going on without a slot is safer than failing the fetch.
        let permit = Arc::clone(&gate.slots).acquire_owned().await.ok();
        let crawl_delay = *lock(&gate.crawl_delay);
        let interval = crawl_delay.map_or(self.min_interval, |d| d.max(self.min_interval));
        let start = {
            let mut next = lock(&gate.next_start);
            let start = (*next).max(Instant::now());
            *next = start + interval;
            start
        };
        tokio::time::sleep_until(start).await;
        HostPermit { _permit: permit }
    }
}

/// Locks a mutex, recovering from poisoning: the data (an instant, a delay) stays valid
/// whatever panicked while holding it.
fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    match m.lock() {
        Ok(g) => g,
        Err(poisoned) => poisoned.into_inner(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn spaces_request_starts_per_host() {
        let p = Politeness::new(4, Duration::from_millis(100));
        let t0 = Instant::now();
        let a = p.acquire("a.example").await;
        let b = p.acquire("a.example").await;
        let elapsed = t0.elapsed();
        assert!(elapsed >= Duration::from_millis(100), "{elapsed:?}");
        // Another host is not held up by the first.
        let t1 = Instant::now();
        let _c = p.acquire("b.example").await;
        assert!(t1.elapsed() < Duration::from_millis(50));
        drop((a, b));
    }

    #[tokio::test]
    async fn crawl_delay_widens_the_interval() {
        let p = Politeness::new(4, Duration::from_millis(10));
        p.set_crawl_delay("a.example", Some(Duration::from_millis(150)));
        let t0 = Instant::now();
        let _a = p.acquire("a.example").await;
        let _b = p.acquire("a.example").await;
        assert!(t0.elapsed() >= Duration::from_millis(150));
    }
}
