//! The clusterer against a real SQLite store: a story that turns out to hold two
//! events is split, and the store follows (the articles that moved point at the new
//! story); batches decided ahead of their writes land in order.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use herald_ingest::{cluster_alongside, import_jsonl, Clusterer, Handoff, ImportOptions};
use herald_store::{ArticleView, Store};
use herald_store_sqlite::SqliteStore;
use herald_types::{default_sections, ArticleId};
use std::collections::BTreeMap;
use std::sync::Arc;

const SHARED: [&str; 8] = [
    "The San Diego Chargers said they were aware of the arrest and were gathering information.",
    "California Highway Patrol officers stopped the car on a freeway outside downtown San Diego.",
    "The player was booked into county jail on suspicion of driving under the influence and released on bail.",
    "The Chargers have had several players arrested on suspicion of drunken driving in recent years.",
    "A team spokesman declined to comment further, citing the ongoing investigation by the highway patrol.",
    "Under the league's conduct policy, a player arrested for drunken driving may face a fine or a suspension.",
    "The city attorney's office will decide whether to file misdemeanor charges after reviewing the blood test.",
    "The arrest came early on a weekend morning, the California Highway Patrol said in a statement.",
];

const FIRST: [&str; 8] = [
    "Wide receiver Vincent Jackson failed sobriety tests shortly after 2 a.m. on state Route 52.",
    "Jackson, 25, was driving a black Mercedes when officers clocked him at 85 miles an hour.",
    "Vincent Jackson said he was innocent and expected to play in the playoff game at Pittsburgh.",
    "Jackson caught 59 passes for 1,098 yards this season, the best year of his career.",
    "Coach Norv Turner said Vincent Jackson would travel with the team to face the Steelers.",
    "Jackson's agent said the receiver had one glass of wine at a team dinner before driving home.",
    "Officer Brad Baehr said Jackson was cooperative and blew a 0.09 on a breath test.",
    "The Steelers game on Sunday is the biggest of Jackson's career, a divisional playoff.",
];

const SECOND: [&str; 8] = [
    "Defensive tackle Jamal Williams was pulled over for speeding in his Bentley on state Route 94.",
    "Williams, 32, was going west at about 1:30 a.m. when officers stopped the Bentley.",
    "Jamal Williams is a three-time Pro Bowl nose tackle who anchored the defensive line for a decade.",
    "Williams declined a breath test at the scene and gave a blood sample at the jail instead.",
    "The arrest of Jamal Williams follows a knee injury that ended his season in September.",
    "Williams' lawyer said the tackle had not been drinking and would fight any charge in court.",
    "Officers said Jamal Williams was polite and was released to a friend later that morning.",
    "Williams signed a contract extension last spring that runs through the 2010 season.",
];

fn article(event: &[&str; 8], seed: usize) -> String {
    let mut out = Vec::new();
    for k in 0..4 {
        out.push(event[(seed * 3 + k * 5) % 8]);
        out.push(SHARED[(seed * 5 + k * 3) % 8]);
    }
    out.push(event[(seed + 7) % 8]);
    out.join(" ")
}

/// Six reports of the first arrest, then six of the second, an hour apart.
fn jsonl() -> String {
    let mut lines = Vec::new();
    for i in 0..12 {
        let (event, who, seed) = if i < 6 {
            (&FIRST, "receiver Vincent Jackson", i)
        } else {
            (&SECOND, "tackle Jamal Williams", i - 3)
        };
        lines.push(
            serde_json::json!({
                "id": format!("r{i}"),
                "url": format!("https://news{i}.example/arrest"),
                "source": format!("news{i}.example"),
                "title": format!("Chargers {who} arrested, report {i}"),
                "body": article(event, seed),
                "published": format!("2026-11-20T{:02}:00:00Z", i),
            })
            .to_string(),
        );
    }
    lines.join("\n")
}

async fn fresh_store() -> (tempfile::TempDir, Arc<dyn Store>) {
    let dir = tempfile::tempdir().unwrap();
    let store = SqliteStore::open(dir.path().join("herald.db")).unwrap();
    store.sync_sections(&default_sections()).await.unwrap();
    (dir, Arc::new(store))
}

async fn all_articles(store: &dyn Store) -> Vec<ArticleView> {
    let mut articles = store.articles_after(ArticleId(0), 1_000).await.unwrap();
    articles.sort_by_key(|a| a.published);
    articles
}

/// Story id per article, in publication order, and the story of each event.
fn stories(articles: &[ArticleView]) -> (Vec<i64>, BTreeMap<i64, usize>) {
    let ids: Vec<i64> = articles
        .iter()
        .map(|a| a.story_id.expect("every article assigned").0)
        .collect();
    let mut sizes = BTreeMap::new();
    for s in &ids {
        *sizes.entry(*s).or_insert(0) += 1;
    }
    (ids, sizes)
}

/// `n` reports, several clusterer batches' worth: wire copies, stories, many singles.
fn many_reports(n: usize) -> Vec<String> {
    let mut lines = Vec::new();
    for i in 0..n {
        let body = match i % 3 {
            0 => article(&FIRST, i % 8),
            1 => format!(
                "Harbour log {i}: the ferry {} left pier {} at {} with {} passengers aboard.",
                i * 7,
                i % 13,
                i % 24,
                i % 90
            ),
            _ => format!(
                "Council minute {i} records motion {} on road {} and a grant of {} for item {}.",
                i * 11,
                i % 17,
                i * 3,
                i % 29
            ),
        };
        lines.push(
            serde_json::json!({
                "id": format!("m{i}"),
                "url": format!("https://m.example/{i}"),
                "source": format!("s{}.example", i % 40),
                "title": format!("Report {i}"),
                "body": body,
                "published": format!("2026-11-{:02}T{:02}:{:02}:00Z", 1 + i / 1440, (i / 60) % 24, i % 60),
            })
            .to_string(),
        );
    }
    lines
}

#[tokio::test]
async fn a_split_story_is_written_to_the_store() {
    let (_dir, store) = fresh_store().await;
    let options = ImportOptions::default();
    import(store.as_ref(), jsonl().as_bytes(), &options)
        .await
        .unwrap();
    let mut clusterer = Clusterer::open(store.as_ref(), herald_dedup::Config::default())
        .await
        .unwrap();
    // Without splits all twelve stay in one story (the reports share most of their
    // words); the split moves the second event's reports to a story of their own.
    assert_eq!(clusterer.catch_up(store.as_ref()).await.unwrap(), 12);
    let articles = all_articles(store.as_ref()).await;
    let (ids, sizes) = stories(&articles);
    assert_eq!(sizes.len(), 2, "{ids:?}");
    assert!(ids[..6].iter().all(|s| *s == ids[0]), "{ids:?}");
    assert!(ids[6..].iter().all(|s| *s == ids[6]), "{ids:?}");
    // The first story keeps the first article's id; the second is named after an
    // article of its own.
    assert_eq!(ids[0], articles[0].id.0);
    assert!(articles[6..].iter().any(|a| a.id.0 == ids[6]));
    for (story, n) in sizes {
        let row = store
            .story(herald_types::StoryId(story))
            .await
            .unwrap()
            .unwrap();
        assert_eq!(row.article_count as usize, n);
        assert!(row.merged_into.is_none());
        assert!(row.title.contains("Chargers"), "{}", row.title);
    }
}

#[tokio::test]
async fn batches_are_decided_ahead_and_written_in_order() {
    let (_dir, store) = fresh_store().await;
    let lines = many_reports(4_500);
    let options = ImportOptions::default();
    import(store.as_ref(), lines.join("\n").as_bytes(), &options)
        .await
        .unwrap();
    let mut clusterer = Clusterer::open(store.as_ref(), herald_dedup::Config::default())
        .await
        .unwrap();
    assert_eq!(clusterer.catch_up(store.as_ref()).await.unwrap(), 4_500);
    assert_eq!(clusterer.catch_up(store.as_ref()).await.unwrap(), 0);
    let last = store.last_change_seq().await.unwrap();
    assert_eq!(clusterer.applied_seq(), last);
    assert_eq!(store.story_cursor().await.unwrap(), last);
    let timings = clusterer.timings();
    assert_eq!(timings.articles, 4_500);
    assert!(timings.assignments >= 4_500);
    assert_stories_whole(store.as_ref(), 4_500).await;
}

/// Every stored article, by id.
async fn every_article(store: &dyn Store) -> Vec<ArticleView> {
    let mut articles = Vec::new();
    let mut after = ArticleId(0);
    loop {
        let page = store.articles_after(after, 1_000).await.unwrap();
        let Some(last) = page.last() else { break };
        after = last.id;
        articles.extend(page);
    }
    articles
}

/// Imports JSONL `lines` into `store` (no search index).
fn import<'a>(
    store: &'a dyn Store,
    lines: &'a [u8],
    options: &'a ImportOptions,
) -> impl std::future::Future<Output = herald_ingest::IngestResult<herald_ingest::ImportSummary>> + 'a
{
    import_jsonl("t", lines, store, None, options, |_| {})
}

/// Every one of `n` articles has a story, and every story row counts exactly the
/// articles that point at it.
async fn assert_stories_whole(store: &dyn Store, n: usize) {
    let articles = every_article(store).await;
    assert_eq!(articles.len(), n);
    let (_, sizes) = stories(&articles);
    for (story, n) in &sizes {
        let row = store
            .story(herald_types::StoryId(*story))
            .await
            .unwrap()
            .unwrap();
        assert_eq!(row.article_count as usize, *n, "story {story}");
        assert!(row.merged_into.is_none(), "story {story}");
    }
}

// Two workers, so that the import and the clusterer really run at once.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn clustering_beside_an_import_places_every_article() {
    let (_dir, store) = fresh_store().await;
    let lines = many_reports(4_500).join("\n");
    // Small import batches, so that the clusterer finds work many times while the
    // import still runs; the import hands its articles over, as `herald import` does.
    let handoff = Handoff::new();
    let options = ImportOptions {
        batch_size: 50,
        handoff: Some(handoff.clone()),
        ..ImportOptions::default()
    };
    let importing = import(store.as_ref(), lines.as_bytes(), &options);
    let (imported, clusterer) = cluster_alongside(
        store.clone(),
        herald_dedup::Config::default(),
        Some(handoff.clone()),
        importing,
    )
    .await;
    assert_eq!(imported.unwrap().inserted, 4_500);
    let clusterer = clusterer.unwrap();
    assert_eq!(clusterer.timings().articles, 4_500);
    let last = store.last_change_seq().await.unwrap();
    assert_eq!(clusterer.applied_seq(), last);
    assert_eq!(store.story_cursor().await.unwrap(), last);
    assert_stories_whole(store.as_ref(), 4_500).await;
    assert!(handoff.is_empty(), "every handed-over article was taken");
    // The wire copies fold as they do when clustering runs after the import, reading
    // every article from the store.
    let (_dir2, after_import) = fresh_store().await;
    import(
        after_import.as_ref(),
        lines.as_bytes(),
        &ImportOptions {
            handoff: None,
            ..options
        },
    )
    .await
    .unwrap();
    Clusterer::open(after_import.as_ref(), herald_dedup::Config::default())
        .await
        .unwrap()
        .catch_up(after_import.as_ref())
        .await
        .unwrap();
    let copies = |articles: Vec<ArticleView>| -> Vec<(ArticleId, Option<ArticleId>)> {
        articles.iter().map(|a| (a.id, a.duplicate_of)).collect()
    };
    let beside = copies(every_article(store.as_ref()).await);
    assert!(beside.iter().filter(|c| c.1.is_some()).count() > 1_000);
    assert_eq!(beside, copies(every_article(after_import.as_ref()).await));
}

#[tokio::test]
async fn an_import_hands_over_articles_as_the_store_keeps_them() {
    let (_dir, store) = fresh_store().await;
    // Sub-second times, titles derived from bodies, sources new and repeated.
    let lines = [
        r#"{"id":"a","title":"Port strike ends","body":"Dockers voted to return.","published":"2026-03-01T10:00:00.750Z","source":"Wire"}"#,
        r#"{"id":"b","body":"A body without a headline. It goes on.","source":"Wire"}"#,
        r#"{"id":"c","title":"Rates held","body":"<p>The bank <b>held</b> rates.</p>","published":"2026-03-02T08:30:00+02:00"}"#,
        // One article twice in a batch: the store keeps the second text.
        r#"{"id":"d","title":"Storm nears coast","body":"A storm is near.","source":"Wire"}"#,
        r#"{"id":"d","title":"Storm reaches coast","body":"The storm made landfall.","source":"Wire"}"#,
    ]
    .join("\n");
    let handoff = Handoff::new();
    let options = ImportOptions {
        handoff: Some(handoff.clone()),
        ..ImportOptions::default()
    };
    let summary = import(store.as_ref(), lines.as_bytes(), &options)
        .await
        .unwrap();
    assert_eq!((summary.inserted, summary.updated), (4, 1));
    let ids: Vec<ArticleId> = every_article(store.as_ref())
        .await
        .iter()
        .map(|a| a.id)
        .collect();
    let (mut handed, missing) = handoff.take(&ids);
    assert!(missing.is_empty(), "{missing:?}");
    let mut stored = store.story_inputs(&ids).await.unwrap();
    handed.sort_by_key(|a| a.id);
    stored.sort_by_key(|a| a.id);
    assert_eq!(handed, stored);
    // Updated rows are not handed over: the store may know them taken down.
    let updated = r#"{"id":"a","title":"Port strike ends after a week","body":"Dockers voted to return.","source":"Wire"}"#;
    let summary = import(store.as_ref(), updated.as_bytes(), &options)
        .await
        .unwrap();
    assert_eq!(summary.updated, 1);
    assert!(handoff.is_empty());
}

// Two workers, so that the import and the clusterer really run at once.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn clustering_beside_a_failing_import_places_what_it_stored() {
    let (_dir, store) = fresh_store().await;
    let lines = many_reports(300).join("\n");
    let import = async {
        import(store.as_ref(), lines.as_bytes(), &ImportOptions::default())
            .await
            .unwrap();
        Err::<(), _>("the archive ended early")
    };
    let (imported, clusterer) =
        cluster_alongside(store.clone(), herald_dedup::Config::default(), None, import).await;
    assert_eq!(imported, Err("the archive ended early"));
    assert_eq!(clusterer.unwrap().timings().articles, 300);
    assert_stories_whole(store.as_ref(), 300).await;
}

#[tokio::test]
async fn clustering_stops_when_the_import_beside_it_is_dropped() {
    let (_dir, store) = fresh_store().await;
    let never_ends = std::future::pending::<()>();
    let beside = cluster_alongside(
        store.clone(),
        herald_dedup::Config::default(),
        None,
        never_ends,
    );
    // The import never ends: the timeout drops it, with the clustering beside it.
    let _ = tokio::time::timeout(std::time::Duration::from_millis(200), beside).await;
    // The clustering task held the store; once it is gone, only this test does.
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(5);
    while Arc::strong_count(&store) > 1 {
        assert!(
            std::time::Instant::now() < deadline,
            "clustering still runs after its import was dropped"
        );
        tokio::time::sleep(std::time::Duration::from_millis(10)).await;
    }
}
