//! Spam defence without third-party services: the fill-in time check, duplicate keys
//! and in-memory rate limits.
//!
//! The limiters keep their state in this process's memory, bounded by a maximum
//! number of keys. Several Herald nodes behind one load balancer each keep their own
//! counts (a client spreading requests over `n` nodes gets up to `n` times the
//! allowance); a restart forgets them.

use crate::policy::{canonical_ip, Policy, Reason};
use crate::text::fold;
use chrono::{DateTime, Duration as ChronoDuration, Utc};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::{Mutex, MutexGuard};
use std::time::{Duration, Instant};

/// `Some(TooFast)` when the form was sent less than `min` after it was rendered.
pub fn check_fill_time(
    rendered_at: DateTime<Utc>,
    now: DateTime<Utc>,
    min: ChronoDuration,
) -> Option<Reason> {
    let elapsed = now.signed_duration_since(rendered_at);
    if elapsed >= min {
        return None;
    }
    let wait_ms = (min - elapsed.max(ChronoDuration::zero())).num_milliseconds();
    let wait_seconds = u64::try_from(wait_ms).unwrap_or(0).div_ceil(1000).max(1);
    Some(Reason::TooFast { wait_seconds })
}

/// The key for duplicate detection: a hex SHA-256 of the folded email and the comment
/// text with case, invisible characters and whitespace differences removed. Store it
/// with each comment; a new comment is a duplicate when a comment with the same key
/// was created within [`Policy::duplicate_window`].
pub fn duplicate_key(email: &str, body: &str) -> String {
    let mut h = Sha256::new();
    h.update(b"herald-comment-dup-v1\0");
    h.update(crate::validate::email_key(email).as_bytes());
    h.update(b"\0");
    h.update(fold(body).as_bytes());
    hex(&h.finalize())
}

/// The rate-limit key of a client address: IPv4 addresses whole, IPv6 addresses by
/// their /64 network (one subscriber usually holds a whole /64).
pub fn ip_key(ip: IpAddr) -> String {
    match canonical_ip(ip) {
        IpAddr::V4(v4) => v4.to_string(),
        IpAddr::V6(v6) => {
            let s = v6.segments();
            format!("{:x}:{:x}:{:x}:{:x}::/64", s[0], s[1], s[2], s[3])
        }
    }
}

pub(crate) fn hex(bytes: &[u8]) -> String {
    use std::fmt::Write;
    let mut s = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        let _ = write!(s, "{b:02x}");
    }
    s
}

/// A token-bucket rate: up to `burst` events at once, refilled evenly so that
/// `burst` more are allowed per `period_seconds`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RateLimit {
    pub burst: u32,
    pub period_seconds: u64,
}

impl RateLimit {
    fn per_second(&self) -> f64 {
        f64::from(self.burst.max(1)) / (self.period_seconds.max(1) as f64)
    }
}

#[derive(Debug, Clone, Copy)]
struct Bucket {
    tokens: f64,
    updated: Instant,
}

/// Token buckets keyed by string (an IP key, an email key…), at most `max_keys` of
/// them: when full, buckets that have refilled completely are dropped first, then the
/// least recently used. Thread-safe (`&self`).
#[derive(Debug)]
pub struct RateLimiter {
    rate: RateLimit,
    max_keys: usize,
    buckets: Mutex<HashMap<String, Bucket>>,
}

impl RateLimiter {
    /// A limiter at this rate remembering at most `max_keys` keys (at least 1).
    pub fn new(rate: RateLimit, max_keys: usize) -> Self {
        Self {
            rate,
            max_keys: max_keys.max(1),
            buckets: Mutex::new(HashMap::new()),
        }
    }

    /// Takes one token for `key`, or says how long until one is available.
    pub fn check(&self, key: &str, now: Instant) -> Result<(), Duration> {
        let mut map = lock(&self.buckets);
        let (tokens, wait) = self.level(&map, key, now);
        if let Some(wait) = wait {
            return Err(wait);
        }
        self.store(&mut map, key, tokens - 1.0, now);
        Ok(())
    }

    /// Whether [`check`](Self::check) would succeed, without taking a token.
    pub fn peek(&self, key: &str, now: Instant) -> Result<(), Duration> {
        let map = lock(&self.buckets);
        match self.level(&map, key, now).1 {
            Some(wait) => Err(wait),
            None => Ok(()),
        }
    }

    /// How many keys are remembered.
    pub fn len(&self) -> usize {
        lock(&self.buckets).len()
    }

    /// No key is remembered.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The tokens of `key` now, and the wait for one token if there is none.
    fn level(
        &self,
        map: &HashMap<String, Bucket>,
        key: &str,
        now: Instant,
    ) -> (f64, Option<Duration>) {
        let burst = f64::from(self.rate.burst.max(1));
        let tokens = map.get(key).map_or(burst, |b| {
            let elapsed = now.saturating_duration_since(b.updated).as_secs_f64();
            (b.tokens + elapsed * self.rate.per_second()).min(burst)
        });
        if tokens >= 1.0 {
            (tokens, None)
        } else {
            let secs = (1.0 - tokens) / self.rate.per_second();
            (tokens, Some(Duration::from_secs_f64(secs.max(0.001))))
        }
    }

    fn store(&self, map: &mut HashMap<String, Bucket>, key: &str, tokens: f64, now: Instant) {
        if let Some(b) = map.get_mut(key) {
            *b = Bucket {
                tokens,
                updated: now,
            };
            return;
        }
        if map.len() >= self.max_keys {
            let burst = f64::from(self.rate.burst.max(1));
            let rate = self.rate.per_second();
            map.retain(|_, b| {
                b.tokens + now.saturating_duration_since(b.updated).as_secs_f64() * rate < burst
            });
            evict_oldest(map, self.max_keys, |b| b.updated);
        }
        map.insert(
            key.to_string(),
            Bucket {
                tokens,
                updated: now,
            },
        );
    }
}

/// When `map` has `max` or more entries, removes the oldest eighth (at least one), so
/// that the O(n) scan is paid once per many insertions.
pub(crate) fn evict_oldest<V>(
    map: &mut HashMap<String, V>,
    max: usize,
    age: impl Fn(&V) -> Instant,
) {
    if map.len() < max {
        return;
    }
    let remove = (map.len() / 8).max(map.len() + 1 - max);
    let mut times: Vec<Instant> = map.values().map(&age).collect();
    let idx = remove.min(times.len()) - 1;
    let (_, cutoff, _) = times.select_nth_unstable(idx);
    let cutoff = *cutoff;
    let mut removed = 0;
    map.retain(|_, v| {
        if removed < remove && age(v) <= cutoff {
            removed += 1;
            false
        } else {
            true
        }
    });
}

/// A mutex guard even if another thread panicked while holding it (the data are
/// counters; a half-done update is harmless).
pub(crate) fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

/// The per-IP and per-email comment limits of a [`Policy`].
#[derive(Debug)]
pub struct CommentLimiter {
    per_ip: RateLimiter,
    per_email: RateLimiter,
}

impl CommentLimiter {
    pub fn new(policy: &Policy) -> Self {
        Self {
            per_ip: RateLimiter::new(policy.rate_per_ip, policy.rate_limiter_max_keys),
            per_email: RateLimiter::new(policy.rate_per_email, policy.rate_limiter_max_keys),
        }
    }

    /// Counts one comment from `ip` and `email` if both are within their limits
    /// (neither is counted otherwise). Call it for submissions that passed the form
    /// token and validation and that [`crate::Moderator::decide`] did not reject
    /// (so a reader's refused attempts don't use up the allowance); on `Err`, reject
    /// with the reason.
    pub fn check(&self, ip: IpAddr, email: &str, now: Instant) -> Result<(), Reason> {
        let ip = ip_key(ip);
        let email = crate::validate::email_key(email);
        let wait = match (self.per_ip.peek(&ip, now), self.per_email.peek(&email, now)) {
            (Ok(()), Ok(())) => {
                // Both were available a moment ago; a concurrent request may have
                // taken the last token in between, in which case this one loses.
                let a = self.per_ip.check(&ip, now);
                let b = self.per_email.check(&email, now);
                match (a, b) {
                    (Ok(()), Ok(())) => return Ok(()),
                    (Err(w), _) | (_, Err(w)) => w,
                }
            }
            (Err(a), Err(b)) => a.max(b),
            (Err(w), _) | (_, Err(w)) => w,
        };
        Err(Reason::RateLimited {
            retry_after_seconds: wait.as_secs() + u64::from(wait.subsec_nanos() > 0),
        })
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn fill_time() {
        let t0 = Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0).unwrap();
        let min = ChronoDuration::seconds(3);
        assert_eq!(
            check_fill_time(t0, t0 + ChronoDuration::seconds(3), min),
            None
        );
        assert_eq!(
            check_fill_time(t0, t0 + ChronoDuration::milliseconds(2_500), min),
            Some(Reason::TooFast { wait_seconds: 1 })
        );
        assert_eq!(
            check_fill_time(t0, t0, min),
            Some(Reason::TooFast { wait_seconds: 3 })
        );
        // A form "rendered in the future" (clock skew between nodes) waits the minimum.
        assert_eq!(
            check_fill_time(t0 + ChronoDuration::seconds(10), t0, min),
            Some(Reason::TooFast { wait_seconds: 3 })
        );
        assert_eq!(check_fill_time(t0, t0, ChronoDuration::zero()), None);
    }

    #[test]
    fn duplicate_keys_ignore_case_spacing_and_invisibles() {
        let k = duplicate_key("Ada@Example.com", "Great  article!\n");
        assert_eq!(k.len(), 64);
        assert_eq!(k, duplicate_key("ada@example.com", "great article!"));
        assert_eq!(
            k,
            duplicate_key(" ada@example.com", "Great\u{200B} article!")
        );
        assert_ne!(k, duplicate_key("bob@example.com", "Great article!"));
        assert_ne!(k, duplicate_key("ada@example.com", "Great article?"));
    }

    #[test]
    fn ip_keys() {
        assert_eq!(ip_key("192.0.2.1".parse().unwrap()), "192.0.2.1");
        assert_eq!(ip_key("::ffff:192.0.2.1".parse().unwrap()), "192.0.2.1");
        assert_eq!(
            ip_key("2001:db8:1:2:3:4:5:6".parse().unwrap()),
            "2001:db8:1:2::/64"
        );
        assert_eq!(
            ip_key("2001:db8:1:2::9".parse().unwrap()),
            ip_key("2001:db8:1:2:ffff::1".parse().unwrap())
        );
    }

    #[test]
    fn token_bucket_allows_burst_then_refills() {
        let t0 = Instant::now();
        let l = RateLimiter::new(
            RateLimit {
                burst: 3,
                period_seconds: 60,
            },
            100,
        );
        for _ in 0..3 {
            assert!(l.check("a", t0).is_ok());
        }
        let wait = l.check("a", t0).unwrap_err();
        assert_eq!(wait.as_secs(), 20);
        assert!(l.check("b", t0).is_ok(), "keys are independent");
        assert!(l.check("a", t0 + Duration::from_secs(19)).is_err());
        assert!(l.check("a", t0 + Duration::from_secs(20)).is_ok());
        assert!(l.check("a", t0 + Duration::from_secs(21)).is_err());
        // A long pause refills to the burst, not beyond.
        let later = t0 + Duration::from_secs(3600);
        for _ in 0..3 {
            assert!(l.check("a", later).is_ok());
        }
        assert!(l.check("a", later).is_err());
        assert!(l.peek("a", later).is_err());
    }

    #[test]
    fn memory_is_bounded() {
        let t0 = Instant::now();
        let l = RateLimiter::new(
            RateLimit {
                burst: 1,
                period_seconds: 3600,
            },
            64,
        );
        for i in 0..10_000u64 {
            let _ = l.check(&format!("k{i}"), t0 + Duration::from_millis(i));
            assert!(l.len() <= 64);
        }
        // The most recent keys are still limited.
        assert!(l
            .check("k9999", t0 + Duration::from_millis(10_000))
            .is_err());
    }

    #[test]
    fn refilled_buckets_are_dropped_first() {
        let t0 = Instant::now();
        let l = RateLimiter::new(
            RateLimit {
                burst: 1,
                period_seconds: 10,
            },
            2,
        );
        l.check("old", t0).unwrap();
        l.check("busy", t0 + Duration::from_secs(20)).unwrap();
        // "old" has refilled by now: it goes, "busy" stays limited.
        l.check("new", t0 + Duration::from_secs(21)).unwrap();
        assert_eq!(l.len(), 2);
        assert!(l.check("busy", t0 + Duration::from_secs(21)).is_err());
    }

    #[test]
    fn comment_limiter_counts_ip_and_email_together() {
        let t0 = Instant::now();
        let p = Policy {
            rate_per_ip: RateLimit {
                burst: 2,
                period_seconds: 60,
            },
            rate_per_email: RateLimit {
                burst: 1,
                period_seconds: 60,
            },
            ..Policy::default()
        };
        let l = CommentLimiter::new(&p);
        let ip: IpAddr = "192.0.2.1".parse().unwrap();
        assert!(l.check(ip, "a@example.com", t0).is_ok());
        assert_eq!(
            l.check(ip, "A@Example.com", t0),
            Err(Reason::RateLimited {
                retry_after_seconds: 60
            })
        );
        // The refused attempt took no IP token: one is left for another address.
        assert!(l.check(ip, "b@example.com", t0).is_ok());
        assert!(matches!(
            l.check(ip, "c@example.com", t0),
            Err(Reason::RateLimited { .. })
        ));
        let v6a: IpAddr = "2001:db8::1".parse().unwrap();
        let v6b: IpAddr = "2001:db8::2".parse().unwrap();
        assert!(l.check(v6a, "d@example.com", t0).is_ok());
        assert!(l.check(v6b, "e@example.com", t0).is_ok());
        assert!(l.check(v6b, "f@example.com", t0).is_err(), "same /64");
    }
}
