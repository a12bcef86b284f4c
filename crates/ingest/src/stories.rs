//! The clusterer: folds syndicated copies and groups articles into stories by tailing
//! the change log, the same way the search index does. Every way an article enters
//! (import, feeds, archives, another node) is covered, the ingest path pays nothing,
//! and the clusterer's position is saved with its decisions so a restart neither
//! repeats nor skips work.

use crate::handoff::Handoff;
use crate::jsonl::is_derived_title;
use chrono::{Duration, Utc};
use herald_dedup::{Article, Config, Engine, Prepared};
use herald_store::{
    retry_unavailable, ChangeOp, Store, StoreResult, StoryAssignment, StoryBatch, StoryInput,
};
use herald_types::{ArticleId, StoryId};
use std::collections::{BTreeSet, HashMap};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, OnceLock};
use std::time::{Duration as StdDuration, Instant};

/// Change-log entries read per pass.
const BATCH: usize = 2_000;
/// Articles replayed into memory at start: the stories that can still grow.
const RESTORE_DAYS: i64 = 120;
/// Cap on the replay, so a huge archive starts quickly.
const RESTORE_MAX: usize = 200_000;

/// Story titles remembered as written (beyond this many the memory starts afresh).
const TITLES_REMEMBERED: usize = 100_000;

/// How long [`Clusterer::follow`] waits for new changes when it has caught up.
const FOLLOW_POLL: StdDuration = StdDuration::from_millis(20);

/// Runs `import`, a task that writes articles to `store`, with a clusterer placing
/// them beside it ([`Clusterer::follow`]). Returns the import's outcome and the
/// clusterer, caught up with everything the import wrote (or why clustering failed;
/// the import runs to its end either way).
///
/// The clusterer runs as a task of its own (so this must be called within a Tokio
/// runtime, and gains most on a multi-threaded one), not joined with the import in
/// one task: an import parses its next batch without yielding, and a clusterer polled
/// only between those stretches could not hand its engine the next batch meanwhile
/// (it ended a Reuters import a fifth to a third of the articles behind; as a task of
/// its own, less: see `docs/ARCHITECTURE.md`).
pub async fn cluster_alongside<T>(
    store: Arc<dyn Store>,
    config: Config,
    handoff: Option<Handoff>,
    import: impl std::future::Future<Output = T>,
) -> (T, StoreResult<Clusterer>) {
    let shared = Arc::new(Beside::default());
    let mut clustering = AbortOnDrop(tokio::spawn({
        let shared = shared.clone();
        async move {
            let mut clusterer = Clusterer::open(store.as_ref(), config).await?;
            clusterer.handoff = handoff;
            let _ = shared.placed.set(clusterer.placed.clone());
            clusterer
                .follow(store.as_ref(), &shared.finished, FOLLOW_POLL)
                .await?;
            if let Some((ended, so_far)) = shared.import_ended.get() {
                clusterer.timings.after_import = ended.elapsed();
                clusterer.timings.placed_after_import =
                    clusterer.timings.articles.saturating_sub(*so_far);
            }
            Ok(clusterer)
        }
    }));
    let outcome = import.await;
    let so_far = shared.placed.get().map_or(0, |p| p.load(Ordering::Acquire));
    let _ = shared.import_ended.set((Instant::now(), so_far));
    // Set after `import_ended`, which the clusterer reads once it has seen this.
    shared.finished.store(true, Ordering::Release);
    let clusterer = match (&mut clustering.0).await {
        Ok(result) => result,
        Err(e) => Err(worker_failed(e)),
    };
    (outcome, clusterer)
}

/// What the import and the clusterer beside it share.
#[derive(Default)]
struct Beside {
    /// Set when the import has ended.
    finished: AtomicBool,
    /// When the import ended and how many articles were placed by then, to tell how
    /// far clustering was behind.
    import_ended: OnceLock<(Instant, u64)>,
    /// The clusterer's count of articles placed, once it has opened.
    placed: OnceLock<Arc<AtomicU64>>,
}

/// Aborts the clustering task when the import beside it is dropped before its end,
/// which would otherwise wait for an end that never comes.
struct AbortOnDrop<T>(tokio::task::JoinHandle<T>);

impl<T> Drop for AbortOnDrop<T> {
    fn drop(&mut self) {
        self.0.abort();
    }
}

/// Story clustering state for one process.
pub struct Clusterer {
    /// The deciding state; lent to a blocking thread while a batch is decided, and
    /// gone only if that thread panicked.
    state: Option<Box<Deciding>>,
    applied: u64,
    timings: Timings,
    /// Articles decided so far, readable while the clusterer works.
    placed: Arc<AtomicU64>,
    /// Articles an import beside the clusterer handed over, read from here rather
    /// than from the store.
    handoff: Option<Handoff>,
}

/// What deciding a batch needs: the engine, and the titles already written.
struct Deciding {
    engine: Engine,
    /// Hash of the title last written per story, so unchanged titles are not
    /// rewritten.
    titles: HashMap<i64, u64>,
}

fn title_key(title: &str) -> u64 {
    xxhash_rust::xxh3::xxh3_64(title.trim().as_bytes())
}

/// Where the clusterer's time went since it opened: reading the change log and the
/// changed articles, deciding (the engine), and writing the decisions.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Timings {
    /// Articles assigned.
    pub articles: u64,
    /// Re-seeding the engine at open (reading and restoring recent articles).
    pub open: StdDuration,
    /// Reading change-log entries and the changed articles.
    pub read: StdDuration,
    /// Preparing texts for the engine (fingerprints, term counts), beside the
    /// engine's decisions.
    pub prepare: StdDuration,
    /// Engine decisions (duplicates, stories).
    pub engine: StdDuration,
    /// Writing assignments, merges and titles.
    pub write: StdDuration,
    /// Assignments written (articles placed, and articles moved by splits).
    pub assignments: u64,
    /// Batches written (each one store transaction).
    pub batches: u64,
    /// How long clustering went on after the import beside it had ended
    /// ([`cluster_alongside`]).
    pub after_import: StdDuration,
    /// Articles placed after the import beside it had ended: how far behind it
    /// clustering was.
    pub placed_after_import: u64,
    /// Story titles written.
    pub titles: u64,
}

fn parse_id(id: &str) -> Option<i64> {
    id.parse().ok()
}

fn as_input(a: &StoryInput) -> (String, Option<i64>) {
    (a.id.0.to_string(), a.published.map(|p| p.timestamp()))
}

/// The engine's view of a stored article. A headline the importer derived from the
/// body is not one ([`crate::jsonl::is_derived_title`]).
fn engine_article<'a>(a: &'a StoryInput, id: &'a str, published: Option<i64>) -> Article<'a> {
    let title = if is_derived_title(&a.title, &a.body_text) {
        ""
    } else {
        &a.title
    };
    Article {
        id,
        title,
        body: &a.body_text,
        source: a.source.as_deref(),
        published,
    }
}

/// A batch read from the store: its last change-log position, and its articles in
/// the order they are placed, each with its text prepared for the engine.
type ReadBatch = (u64, Vec<(StoryInput, Prepared)>);

impl Clusterer {
    /// Re-seeds the engine from the recent articles the store already assigned, and
    /// resumes from the saved change-log position.
    pub async fn open(store: &dyn Store, config: Config) -> StoreResult<Clusterer> {
        let started = Instant::now();
        let mut engine = Engine::new(config);
        let since = Utc::now() - Duration::days(RESTORE_DAYS);
        for a in store.articles_since(since, RESTORE_MAX).await? {
            let Some(story) = a.story_id else { continue };
            let duplicate_of = a.duplicate_of.map(|d| d.0.to_string());
            let a = StoryInput::from(a);
            let (id, published) = as_input(&a);
            let article = engine_article(&a, &id, published);
            engine.restore(&article, &story.0.to_string(), duplicate_of.as_deref());
        }
        let applied = store.story_cursor().await?;
        Ok(Clusterer {
            state: Some(Box::new(Deciding {
                engine,
                titles: HashMap::new(),
            })),
            applied,
            timings: Timings {
                open: started.elapsed(),
                ..Timings::default()
            },
            placed: Arc::default(),
            handoff: None,
        })
    }

    /// Where the time went so far.
    pub fn timings(&self) -> Timings {
        self.timings
    }

    /// The change-log position applied so far.
    pub fn applied_seq(&self) -> u64 {
        self.applied
    }

    /// Assigns every article changed since the last pass; returns how many.
    ///
    /// Three stages run at once, joined by queues one batch deep: the reader reads
    /// changed articles and prepares their texts, the engine decides (on a blocking
    /// thread), and the writer writes the decisions, in order, each batch with its
    /// change-log position. No stage waits for a slower one to finish a round: beside
    /// an import, whose writes hold the store's writer at times, stages that waited for
    /// each other left the clusterer a third of the import behind at its end. After an
    /// error, open a new clusterer: the engine may have decided a batch that was never
    /// written.
    pub async fn catch_up(&mut self, store: &dyn Store) -> StoreResult<u64> {
        let config = self.config()?;
        let mut state = self.state.take().ok_or_else(lost_state)?;
        let (to_decide, mut decide_queue) = tokio::sync::mpsc::channel::<ReadBatch>(1);
        let (to_write, mut write_queue) = tokio::sync::mpsc::channel::<StoryBatch>(1);
        let after = self.applied;
        let handoff = self.handoff.clone();
        let reader = async move {
            let (mut after, mut read, mut prepare) = (after, StdDuration::ZERO, StdDuration::ZERO);
            loop {
                let (batch, took, prepared) =
                    Self::read_batch(store, after, &config, handoff.as_ref()).await?;
                read += took;
                prepare += prepared;
                let Some(batch) = batch else { break };
                after = batch.0;
                if to_decide.send(batch).await.is_err() {
                    break; // a later stage failed; its error is the one to report
                }
            }
            Ok::<_, herald_store::StoreError>((read, prepare))
        };
        let placed = self.placed.clone();
        let decider = async move {
            let (mut engine, mut articles) = (StdDuration::ZERO, 0u64);
            while let Some((last, batch)) = decide_queue.recv().await {
                let n = batch.len() as u64;
                let (back, decided, took) = tokio::task::spawn_blocking(move || {
                    let t = Instant::now();
                    let decided = state.decide(batch, last);
                    (state, decided, t.elapsed())
                })
                .await
                .map_err(worker_failed)?;
                state = back;
                engine += took;
                articles += n;
                placed.fetch_add(n, Ordering::Release);
                if to_write.send(decided).await.is_err() {
                    break;
                }
            }
            Ok::<_, herald_store::StoreError>((state, engine, articles))
        };
        let mut written: Vec<(u64, u64, u64, StdDuration)> = Vec::new();
        let writer = async {
            while let Some(batch) = write_queue.recv().await {
                let (seq, assignments, titles) = (
                    batch.applied_seq,
                    batch.assignments.len() as u64,
                    batch.titles.len() as u64,
                );
                let t = Instant::now();
                // A batch's writes are safe to repeat, and on PostgreSQL an import
                // writing the same articles can make this transaction the victim of a
                // deadlock, which committed nothing: run it again rather than fail.
                retry_unavailable("writing story assignments", || {
                    store.apply_story_batch(batch.clone())
                })
                .await?;
                written.push((seq, assignments, titles, t.elapsed()));
            }
            Ok::<_, herald_store::StoreError>(())
        };
        let (read, decided, wrote) = tokio::join!(reader, decider, writer);
        for (seq, assignments, titles, took) in written {
            self.record_write(seq, assignments, titles, took);
        }
        let (state, engine, articles) = decided?;
        self.state = Some(state);
        self.timings.engine += engine;
        self.timings.articles += articles;
        wrote?;
        let (read, prepare) = read?;
        self.timings.read += read;
        self.timings.prepare += prepare;
        Ok(articles)
    }

    /// Keeps up with the change log while another task writes to the store, until
    /// `finished` is set; then catches up once more, so that everything written
    /// before `finished` was set is placed. Returns how many articles it placed.
    ///
    /// This is how an import clusters: beside it, as a running server does, rather
    /// than after it. Both are processor-bound, and the import leaves part of the
    /// machine idle (its search indexing is one thread), which clustering beside it
    /// uses.
    pub async fn follow(
        &mut self,
        store: &dyn Store,
        finished: &AtomicBool,
        poll: StdDuration,
    ) -> StoreResult<u64> {
        let mut total = 0;
        loop {
            let last_round = finished.load(Ordering::Acquire);
            total += self.catch_up(store).await?;
            if last_round {
                return Ok(total);
            }
            store.wait_for_changes(self.applied, poll).await?;
        }
    }

    fn record_write(&mut self, seq: u64, assignments: u64, titles: u64, took: StdDuration) {
        self.applied = seq;
        self.timings.assignments += assignments;
        self.timings.batches += 1;
        self.timings.titles += titles;
        self.timings.write += took;
    }

    fn config(&self) -> StoreResult<Config> {
        self.state
            .as_ref()
            .map(|s| s.engine.config().clone())
            .ok_or_else(lost_state)
    }

    /// Reads the changes after `after` (one batch) and the articles they touch, in the
    /// order the stream would have delivered them (`None` when there are none), and
    /// prepares their texts on a blocking thread (reading and preparing run beside
    /// the engine's decisions on the batch before); returns the batch and how long
    /// reading and preparing took.
    async fn read_batch(
        store: &dyn Store,
        after: u64,
        config: &Config,
        handoff: Option<&Handoff>,
    ) -> StoreResult<(Option<ReadBatch>, StdDuration, StdDuration)> {
        let t = Instant::now();
        let changes = store.changes_since(after, BATCH).await?;
        let Some(last) = changes.last().map(|c| c.seq) else {
            return Ok((None, t.elapsed(), StdDuration::ZERO));
        };
        let ids: Vec<ArticleId> = changes
            .iter()
            .map(|c| c.article)
            .collect::<BTreeSet<_>>()
            .into_iter()
            .collect();
        let mut articles = match handoff {
            Some(handoff) => {
                // An article taken down in this batch is read from the store, which
                // knows it is gone.
                let removed: BTreeSet<ArticleId> = changes
                    .iter()
                    .filter(|c| c.op == ChangeOp::Delete)
                    .map(|c| c.article)
                    .collect();
                let (upserted, mut read): (Vec<ArticleId>, Vec<ArticleId>) =
                    ids.iter().partition(|id| !removed.contains(id));
                let (mut found, missing) = handoff.take(&upserted);
                read.extend(missing);
                if !read.is_empty() {
                    found.extend(store.story_inputs(&read).await?);
                }
                found
            }
            None => store.story_inputs(&ids).await?,
        };
        // As the evaluation orders a file (`herald_dedup::stream_order`): by
        // publication, an undated article after the one stored before it.
        articles.sort_by_key(|a| a.id);
        let order =
            herald_dedup::stream_order(articles.iter().map(|a| a.published.map(|p| p.timestamp())));
        let mut slots: Vec<Option<StoryInput>> = articles.into_iter().map(Some).collect();
        let articles: Vec<StoryInput> = order.into_iter().filter_map(|i| slots[i].take()).collect();
        let read = t.elapsed();
        let config = config.clone();
        let (prepared, took) = tokio::task::spawn_blocking(move || {
            let t = Instant::now();
            let prepared: Vec<(StoryInput, Prepared)> = articles
                .into_iter()
                .map(|a| {
                    let (id, published) = as_input(&a);
                    let p = Engine::prepare(&config, &engine_article(&a, &id, published));
                    (a, p)
                })
                .collect();
            (prepared, t.elapsed())
        })
        .await
        .map_err(worker_failed)?;
        Ok((Some((last, prepared)), read, took))
    }
}

/// A blocking thread of the clusterer panicked or was cancelled.
fn worker_failed(e: tokio::task::JoinError) -> herald_store::StoreError {
    herald_store::StoreError::Worker(format!("story clustering: {e}"))
}

fn lost_state() -> herald_store::StoreError {
    herald_store::StoreError::Worker("story clustering lost its state".into())
}

impl Deciding {
    /// Places a batch of articles (in the order given) and says what to write.
    fn decide(
        &mut self,
        mut articles: Vec<(StoryInput, Prepared)>,
        applied_seq: u64,
    ) -> StoryBatch {
        let mut batch = StoryBatch {
            applied_seq,
            ..StoryBatch::default()
        };
        let mut titled: BTreeSet<String> = BTreeSet::new();
        // The whole batch is stored already: its term statistics weigh every article
        // of it, the first as much as the last.
        for (a, prepared) in &mut articles {
            self.engine.observe_prepared(&a.id.0.to_string(), prepared);
        }
        for (a, prepared) in articles {
            let (id, published) = as_input(&a);
            let assignment = self
                .engine
                .add_prepared(&engine_article(&a, &id, published), prepared);
            for merge in &assignment.merged {
                if let (Some(from), Some(into)) = (parse_id(&merge.from), parse_id(&merge.into)) {
                    batch.merges.push((StoryId(from), StoryId(into)));
                }
            }
            let Some(story) = parse_id(&assignment.story) else {
                continue;
            };
            batch.assignments.push(StoryAssignment {
                article: a.id,
                story: StoryId(story),
                duplicate_of: assignment
                    .duplicate_of
                    .as_deref()
                    .and_then(parse_id)
                    .map(ArticleId),
            });
            if assignment.new_story {
                // The store titles a new story with its first article's headline.
                self.titles.insert(story, title_key(&a.title));
            }
            titled.insert(assignment.story.to_string());
            // A split: the articles that left, for their new story; both stories'
            // titles may change.
            for m in &assignment.moved {
                if let (Some(article), Some(to)) = (parse_id(&m.id), parse_id(&m.story)) {
                    batch.assignments.push(StoryAssignment {
                        article: ArticleId(article),
                        story: StoryId(to),
                        duplicate_of: m.duplicate_of.as_deref().and_then(parse_id).map(ArticleId),
                    });
                    titled.insert(m.story.to_string());
                    titled.insert(m.from.to_string());
                }
            }
        }
        // An article placed and then moved by a split in the same batch needs only its
        // last assignment (assignments are applied in order, before merges, and a
        // later one replaces an earlier one).
        let mut seen = std::collections::HashSet::with_capacity(batch.assignments.len());
        let mut keep: Vec<StoryAssignment> = Vec::with_capacity(batch.assignments.len());
        for a in batch.assignments.into_iter().rev() {
            if seen.insert(a.article) {
                keep.push(a);
            }
        }
        keep.reverse();
        batch.assignments = keep;
        if self.titles.len() > TITLES_REMEMBERED {
            self.titles.clear();
        }
        for story in titled {
            if let (Some(view), Some(id)) = (self.engine.story(&story), parse_id(&story)) {
                let key = title_key(&view.title);
                if !view.title.is_empty() && self.titles.get(&id) != Some(&key) {
                    self.titles.insert(id, key);
                    batch.titles.push((StoryId(id), view.title));
                }
            }
        }
        batch
    }
}
