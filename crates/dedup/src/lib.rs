//! Herald's story engine: folds syndicated copies of one text into a duplicate group
//! and clusters coverage of one event across sources into a story, incrementally, as
//! articles arrive. Pure: no I/O, no clocks, no threads.
//!
//! ```
//! use herald_dedup::{Article, Config, Engine};
//!
//! let mut engine = Engine::new(Config::default());
//! let a = engine.add(&Article {
//!     id: "a",
//!     title: "Council approves budget",
//!     body: "The city council approved the budget on Tuesday after a long debate.",
//!     source: Some("example.com"),
//!     published: Some(1_700_000_000),
//! });
//! assert_eq!(&*a.story, "a"); // a story's id is the id of its first article
//! assert!(a.duplicate_of.is_none());
//! ```
//!
//! See [`Engine`] for the decisions it makes, and [`eval`] for how they are measured.

mod cluster;
mod dup;
mod engine;
pub mod eval;
mod fasthash;
pub mod minhash;
mod split;
pub mod text;

pub use engine::{
    text_similarity, Article, Assignment, Engine, Merge, Moved, Prepared, Stats, StoryView,
};

/// The order in which to place articles that arrived in the given order with these
/// publication times (seconds): by date, an undated article staying after the dated
/// one that arrived before it (first when there is none). Stable. Ingest and the
/// evaluation both place articles in this order.
pub fn stream_order(times: impl IntoIterator<Item = Option<i64>>) -> Vec<usize> {
    let mut key = i64::MIN;
    let mut keyed: Vec<(i64, usize)> = times
        .into_iter()
        .enumerate()
        .map(|(i, t)| {
            if let Some(t) = t {
                key = t;
            }
            (key, i)
        })
        .collect();
    keyed.sort_by_key(|&(k, _)| k); // stable
    keyed.into_iter().map(|(_, i)| i).collect()
}

/// Engine settings. The defaults are the measured ones (see the crate README for how
/// they were chosen); every field is public so callers can load them from config.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Config {
    // --- near-duplicates ---
    /// Shingle Jaccard at or above which two texts are copies of one text.
    pub dup_threshold: f64,
    /// LSH bands and rows per band over the 128 MinHash bins.
    pub lsh_bands: usize,
    /// Rows (bins) per LSH band.
    pub lsh_rows: usize,
    /// Texts with fewer distinct shingles than this are too short to be judged copies
    /// on their text alone: when both articles have a title, the titles must agree too.
    pub min_dup_shingles: u32,
    /// Title word Jaccard required for short texts (see `min_dup_shingles`).
    pub short_title_agreement: f64,
    /// Words of a body read for fingerprints (bounds work on huge bodies).
    pub dup_words: usize,
    /// Seconds a fingerprint stays searchable after its article's date.
    pub dup_window_secs: Option<i64>,
    /// Most fingerprints kept (oldest leave first).
    pub max_live_articles: usize,
    // --- stories ---
    /// Centroid cosine at or above which an article joins a story.
    pub join_threshold: f64,
    /// Centroid cosine at or above which two stories merge (checked for the joined
    /// story against the article's other candidates that it also matched).
    pub merge_threshold: f64,
    /// The cost of one more story in the split/merge objective (see the `split`
    /// module): a story whose members form two groups is split when that raises the
    /// sum of the members' cosines with their story centroid by more than this, and
    /// two stories do not merge when merging would lower it by this much or more.
    /// 0 turns splitting (and the merge check) off.
    pub split_gain: f64,
    /// Fewest articles on each side of a split.
    pub split_min_part: usize,
    /// Stories keep their members' vectors, and can be split, up to this many
    /// articles; larger stories are established and stay whole.
    pub split_max_members: usize,
    /// Factor on the weight of entity-like terms (capitalised words, numbers) in the
    /// text vector: names, places, figures and dates tell apart two events of one kind.
    pub entity_boost: f32,
    /// Times a title term counts in the text vector.
    pub title_boost: f32,
    /// Body words read for clustering (the lead carries the event).
    pub body_words: usize,
    /// Terms kept per article vector.
    pub vector_terms: usize,
    /// Terms kept per story vector (about; see the pruning rule).
    pub story_terms: usize,
    /// Terms per article put into and looked up in the candidate index.
    pub index_terms: usize,
    /// Candidate stories scored per article.
    pub max_candidates: usize,
    /// Gap (days) between an article and a story's dated span before decay starts.
    pub decay_grace_days: f64,
    /// Decay constant (days) beyond the grace period.
    pub decay_days: f64,
    /// Seconds after its last dated article a story leaves the candidate set.
    pub story_window_secs: Option<i64>,
    /// Most stories kept in the candidate set (least recently extended leave first).
    pub max_stories: usize,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            dup_threshold: 0.5,
            lsh_bands: 42,
            lsh_rows: 3,
            min_dup_shingles: 40,
            short_title_agreement: 0.5,
            dup_words: 4000,
            dup_window_secs: Some(14 * 86_400),
            max_live_articles: 200_000,
            join_threshold: 0.18,
            merge_threshold: 0.3,
            split_gain: 1.4,
            split_min_part: 3,
            split_max_members: 64,
            title_boost: 3.0,
            entity_boost: 1.5,
            body_words: 400,
            vector_terms: 64,
            story_terms: 128,
            index_terms: 20,
            max_candidates: 12,
            decay_grace_days: 30.0,
            decay_days: 240.0,
            story_window_secs: Some(120 * 86_400),
            max_stories: 50_000,
        }
    }
}

impl Config {
    /// The defaults without time windows or decay: for collections whose dates are
    /// missing or meaningless (ECB+ in no particular order).
    pub fn without_time() -> Self {
        Config {
            dup_window_secs: None,
            story_window_secs: None,
            decay_days: 0.0,
            ..Config::default()
        }
    }
}
