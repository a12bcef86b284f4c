//! robots.txt rules, cached per origin.
//!
//! Parsing and matching are `texting_robots`' (RFC 9309 with Google's extensions); this
//! module decides what an unreadable robots.txt means and how long an answer is kept.
//! Following Google's documented behaviour:
//! - 2xx: the file's rules for our agent (or `*`), after at most 500 KiB, as Google reads;
//! - 4xx other than 429, and redirects that cannot be followed: no robots.txt, all allowed;
//! - 429, 5xx, timeouts and network failures: the whole host is disallowed for
//!   `robots_error_ttl`, because a site that is failing is the last one to hammer and a
//!   temporarily missing robots.txt must not open pages the owner has closed.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use texting_robots::Robot;
use tokio::time::Instant;

/// Most bytes of a robots.txt that are read; the rest is ignored (Google reads 500 KiB).
pub(crate) const MAX_ROBOTS_BYTES: u64 = 500 * 1024;

/// Drops expired entries once the cache grows past this.
const PRUNE_ABOVE: usize = 4096;

/// What a host's robots.txt says.
#[derive(Debug)]
pub(crate) enum RobotsRules {
    /// No usable robots.txt (4xx, unparseable): everything is allowed.
    AllowAll,
    /// The rules for our agent.
    Rules(Robot),
    /// robots.txt could not be read; everything is disallowed for now.
    Unavailable(String),
}

impl RobotsRules {
    /// Parses a robots.txt body for `agent`. A file the parser rejects counts as absent,
    /// as RFC 9309 asks parsers to skip what they cannot read.
    pub(crate) fn parse(agent: &str, body: &[u8]) -> Self {
        // texting_robots compiles rules into regexes; a bug there must not take down the
        // fetch task on a hostile file, so a panic is contained and treated as "no rules".
        match std::panic::catch_unwind(|| Robot::new(agent, body)) {
            Ok(Ok(robot)) => RobotsRules::Rules(robot),
            Ok(Err(e)) => {
                tracing::debug!(target: "ingest::fetch", error = %e, "robots.txt unparseable, treated as absent");
                RobotsRules::AllowAll
            }
            Err(_) => {
                tracing::warn!(target: "ingest::fetch", "robots.txt parser panicked, treated as absent");
                RobotsRules::AllowAll
            }
        }
    }

    /// The file's `Crawl-delay` for our agent, if it has a sensible one.
    pub(crate) fn crawl_delay(&self) -> Option<Duration> {
        match self {
            RobotsRules::Rules(robot) => robot
                .delay
                .filter(|d| d.is_finite() && *d > 0.0)
                .and_then(|d| Duration::try_from_secs_f32(d).ok()),
            _ => None,
        }
    }
}

#[derive(Debug)]
struct Cached {
    rules: Arc<RobotsRules>,
    expires: Instant,
}

/// One slot per origin; the async mutex makes concurrent fetches to a new host wait for a
/// single robots.txt request instead of each sending their own.
type Slot = Arc<tokio::sync::Mutex<Option<Cached>>>;

/// The robots.txt cache of one fetcher.
#[derive(Debug, Default)]
pub(crate) struct RobotsCache {
    slots: Mutex<HashMap<String, Slot>>,
}

impl RobotsCache {
    fn slot(&self, origin: &str) -> Slot {
        let mut slots = match self.slots.lock() {
            Ok(s) => s,
            Err(poisoned) => poisoned.into_inner(),
        };
        if let Some(slot) = slots.get(origin) {
            return Arc::clone(slot);
        }
        if slots.len() >= PRUNE_ABOVE {
            let now = Instant::now();
            slots.retain(|_, slot| match slot.try_lock() {
                Ok(cached) => cached.as_ref().is_some_and(|c| c.expires > now),
                Err(_) => true,
            });
        }
        let slot = Slot::default();
        slots.insert(origin.to_owned(), Arc::clone(&slot));
        slot
    }

    /// The rules for `origin`, loading them with `load` when absent or expired. `load`
    /// returns the rules and how long to keep them.
    pub(crate) async fn get_or_load<F, Fut>(&self, origin: &str, load: F) -> Arc<RobotsRules>
    where
        F: FnOnce() -> Fut,
        Fut: std::future::Future<Output = (RobotsRules, Duration)>,
    {
        let slot = self.slot(origin);
        let mut cached = slot.lock().await;
        if let Some(c) = cached.as_ref() {
            if c.expires > Instant::now() {
                return Arc::clone(&c.rules);
            }
        }
        let (rules, ttl) = load().await;
        let rules = Arc::new(rules);
        *cached = Some(Cached {
            rules: Arc::clone(&rules),
            expires: Instant::now() + ttl,
        });
        rules
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_rules_and_crawl_delay_for_our_agent() {
        let txt = b"User-agent: Herald\nDisallow: /private\nCrawl-delay: 2.5\n\nUser-agent: *\nDisallow: /\n";
        let rules = RobotsRules::parse("Herald", txt);
        match &rules {
            RobotsRules::Rules(r) => {
                assert!(!r.allowed("http://a.example/private/x"));
                assert!(r.allowed("http://a.example/public"));
            }
            other => panic!("unexpected {other:?}"),
        }
        assert_eq!(rules.crawl_delay(), Some(Duration::from_millis(2500)));
    }

    #[test]
    fn hostile_bytes_do_not_panic() {
        let mut junk = Vec::new();
        for i in 0..5000u32 {
            junk.extend_from_slice(format!("Disallow: /*{}*$*\u{0}\u{ff}\n", i).as_bytes());
        }
        junk.extend_from_slice(&[0xff, 0xfe, 0x00, b'\n']);
        let _ = RobotsRules::parse("Herald", &junk);
        let _ = RobotsRules::parse(
            "Herald",
            b"Crawl-delay: NaN\nCrawl-delay: -5\nCrawl-delay: 1e40",
        );
    }
}
