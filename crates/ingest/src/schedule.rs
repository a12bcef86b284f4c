//! When to fetch a feed next: adaptive to how often it publishes, bounded by the
//! operator's limits, backing off on failure, with jitter so that feeds added together
//! do not stay in lockstep.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// The scheduler's settings (`[ingest]` in the configuration).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct IngestConfig {
    /// Shortest time between two fetches of one feed, in seconds.
    pub min_interval_secs: i64,
    /// Longest time between two fetches of one feed, in seconds.
    pub max_interval_secs: i64,
    /// Interval of a newly added feed until its rhythm is known, in seconds.
    pub initial_interval_secs: i64,
    /// Feeds fetched at once (each host also has its own limit in `[fetch]`).
    pub concurrency: usize,
    /// How often the scheduler looks for due feeds, in seconds.
    pub tick_secs: u64,
    /// How long a node holds a feed it took; after that another node may take it.
    pub lease_secs: i64,
    /// Fetch the article page and extract the full text when an item has only a teaser.
    pub full_text: bool,
    /// Article pages fetched per feed fetch at most, so one busy feed cannot hog the
    /// fetcher; the rest wait for the next fetch.
    pub full_text_per_fetch: usize,
}

impl Default for IngestConfig {
    fn default() -> Self {
        IngestConfig {
            min_interval_secs: 5 * 60,
            max_interval_secs: 24 * 3600,
            initial_interval_secs: 30 * 60,
            concurrency: 8,
            tick_secs: 5,
            lease_secs: 10 * 60,
            full_text: true,
            full_text_per_fetch: 20,
        }
    }
}

/// What the last fetch told about a feed's rhythm.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FetchSignal {
    /// The feed answered; this many items were new or changed, and the entries'
    /// dates show a median gap of `median_gap_secs` between posts (when known).
    Answered {
        /// Items inserted or updated.
        new_items: u64,
        /// Median gap between consecutive entry dates.
        median_gap_secs: Option<i64>,
    },
    /// Not modified (304).
    Unchanged,
    /// The fetch failed; `failures` counts consecutive failures including this one.
    Failed {
        /// Consecutive failures.
        failures: u32,
        /// A wait the server asked for (Retry-After).
        retry_after_secs: Option<i64>,
    },
}

impl IngestConfig {
    fn clamp(&self, secs: i64) -> i64 {
        secs.clamp(
            self.min_interval_secs.max(1),
            self.max_interval_secs.max(self.min_interval_secs.max(1)),
        )
    }

    /// The next interval. A feed that brought news and posts every N minutes is visited
    /// about twice per post (half the median gap between its entries); a fetch with
    /// nothing new grows the interval by half, so quiet feeds settle at the maximum;
    /// failures back off exponentially from the minimum, or as long as the server asked.
    pub fn next_interval(&self, previous: i64, signal: FetchSignal) -> i64 {
        let secs = match signal {
            FetchSignal::Answered {
                new_items,
                median_gap_secs,
            } => match (new_items, median_gap_secs) {
                (0, _) => previous.saturating_mul(3) / 2,
                (_, Some(gap)) if gap > 0 => gap / 2,
                _ => previous.saturating_mul(2) / 3,
            },
            FetchSignal::Unchanged => previous.saturating_mul(3) / 2,
            FetchSignal::Failed {
                failures,
                retry_after_secs,
            } => {
                let backoff = self
                    .min_interval_secs
                    .max(1)
                    .saturating_mul(1_i64 << failures.min(20));
                backoff.max(retry_after_secs.unwrap_or(0))
            }
        };
        self.clamp(secs)
    }

    /// The next fetch time: `interval` from `now`, with up to ±10% jitter.
    pub fn next_fetch_at(&self, now: DateTime<Utc>, interval: i64) -> DateTime<Utc> {
        let spread = interval / 10;
        let jitter = if spread > 0 {
            fastrand::i64(-spread..=spread)
        } else {
            0
        };
        now + chrono::Duration::seconds(interval + jitter)
    }
}

/// Median gap in seconds between consecutive publication times.
pub fn median_gap(mut times: Vec<DateTime<Utc>>) -> Option<i64> {
    times.sort_unstable();
    times.dedup();
    let mut gaps: Vec<i64> = times
        .windows(2)
        .map(|w| (w[1] - w[0]).num_seconds())
        .filter(|g| *g > 0)
        .collect();
    if gaps.is_empty() {
        return None;
    }
    gaps.sort_unstable();
    Some(gaps[gaps.len() / 2])
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cfg() -> IngestConfig {
        IngestConfig {
            min_interval_secs: 300,
            max_interval_secs: 86_400,
            ..IngestConfig::default()
        }
    }

    #[test]
    fn busy_feeds_are_visited_twice_per_post_within_limits() {
        let c = cfg();
        let busy = FetchSignal::Answered {
            new_items: 3,
            median_gap_secs: Some(1_200),
        };
        assert_eq!(c.next_interval(1_800, busy), 600);
        let very_busy = FetchSignal::Answered {
            new_items: 3,
            median_gap_secs: Some(60),
        };
        assert_eq!(c.next_interval(1_800, very_busy), 300, "never below min");
    }

    #[test]
    fn quiet_feeds_slow_down_up_to_the_maximum() {
        let c = cfg();
        let mut interval = 1_800;
        for _ in 0..30 {
            interval = c.next_interval(interval, FetchSignal::Unchanged);
        }
        assert_eq!(interval, 86_400);
    }

    #[test]
    fn failures_back_off_and_honour_retry_after() {
        let c = cfg();
        let first = c.next_interval(
            1_800,
            FetchSignal::Failed {
                failures: 1,
                retry_after_secs: None,
            },
        );
        let third = c.next_interval(
            1_800,
            FetchSignal::Failed {
                failures: 3,
                retry_after_secs: None,
            },
        );
        assert!(third > first);
        let told = c.next_interval(
            1_800,
            FetchSignal::Failed {
                failures: 1,
                retry_after_secs: Some(7_200),
            },
        );
        assert_eq!(told, 7_200);
        let many = c.next_interval(
            1_800,
            FetchSignal::Failed {
                failures: u32::MAX,
                retry_after_secs: None,
            },
        );
        assert_eq!(many, 86_400);
    }

    #[test]
    fn jitter_stays_within_ten_percent() {
        let c = cfg();
        let now = Utc::now();
        for _ in 0..100 {
            let at = c.next_fetch_at(now, 1_000);
            let secs = (at - now).num_seconds();
            assert!((900..=1_100).contains(&secs), "{secs}");
        }
    }

    #[test]
    fn median_gap_ignores_duplicates() {
        let t = |s| DateTime::from_timestamp(s, 0).unwrap();
        assert_eq!(median_gap(vec![t(0), t(100), t(100), t(400)]), Some(300));
        assert_eq!(median_gap(vec![t(5)]), None);
    }
}
