//! Ranking and query-language behaviour on small crafted corpora: what readers rely
//! on, pinned down so ranking changes cannot quietly break it.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use chrono::{TimeZone, Utc};
use herald_search::{
    DateGranularity, SearchIndex, SearchOptions, SearchRequest, SearchResults, Sort,
};
use herald_store::{NewArticle, Store};
use herald_store_sqlite::SqliteStore;
use herald_types::default_sections;

struct Doc {
    key: &'static str,
    title: &'static str,
    body: &'static str,
    source: &'static str,
    section: &'static str,
    author: Option<&'static str>,
    day: u32,
}

fn doc(key: &'static str, title: &'static str, body: &'static str) -> Doc {
    Doc {
        key,
        title,
        body,
        source: "Valley Wire",
        section: "news",
        author: None,
        day: 1,
    }
}

/// Filler so that term statistics look like a real collection.
const FILLER: &[&str] = &[
    "Weather stays mild through the weekend across the valley.",
    "The library extends its opening hours in the summer.",
    "A new bakery opens on the high street next month.",
    "Local team wins the regional cup after extra time.",
    "Museum shows a collection of early photographs.",
    "Parking rules change near the station from Monday.",
];

struct Corpus {
    _dir: tempfile::TempDir,
    index: SearchIndex,
    ids: Vec<(&'static str, i64)>,
}

impl Corpus {
    async fn new(docs: Vec<Doc>) -> Corpus {
        let dir = tempfile::tempdir().unwrap();
        let store = SqliteStore::open(dir.path().join("h.db")).unwrap();
        store.sync_sections(&default_sections()).await.unwrap();
        let index = SearchIndex::open(dir.path().join("index")).unwrap();
        let mut all: Vec<NewArticle> = Vec::new();
        let mut keys = Vec::new();
        for d in &docs {
            keys.push(d.key);
            all.push(NewArticle {
                identity: format!("guid:test:{}", d.key),
                url: None,
                source: Some(d.source.into()),
                section: Some(d.section.into()),
                category: None,
                title: d.title.into(),
                author: d.author.map(Into::into),
                published: Utc.with_ymd_and_hms(2024, 3, d.day, 12, 0, 0).single(),
                lang: Some("en".into()),
                summary: None,
                body_text: d.body.into(),
                body_html: String::new(),
            });
        }
        for (i, f) in FILLER.iter().enumerate() {
            all.push(NewArticle {
                identity: format!("guid:filler:{i}"),
                url: None,
                source: Some("Filler".into()),
                section: Some("news".into()),
                category: None,
                title: format!("Filler {i}"),
                author: None,
                published: Utc.with_ymd_and_hms(2023, 1, 1, 0, 0, 0).single(),
                lang: Some("en".into()),
                summary: None,
                body_text: (*f).into(),
                body_html: String::new(),
            });
        }
        let outcomes = store.upsert_articles(all).await.unwrap();
        let ids = keys
            .into_iter()
            .zip(outcomes.iter().map(|o| o.id.0))
            .collect();
        index
            .indexer(50_000_000)
            .unwrap()
            .catch_up(&store)
            .await
            .unwrap();
        Corpus {
            _dir: dir,
            index,
            ids,
        }
    }

    fn key(&self, id: i64) -> &'static str {
        self.ids
            .iter()
            .find(|(_, i)| *i == id)
            .map_or("filler", |(k, _)| k)
    }

    fn run(&self, q: &str, options: &SearchOptions) -> SearchResults {
        let request = SearchRequest {
            query: q.into(),
            limit: 10,
            ..Default::default()
        };
        let options = SearchOptions {
            now: Utc.with_ymd_and_hms(2024, 3, 20, 0, 0, 0).single(),
            ..options.clone()
        };
        self.index.search_with(&request, &options).unwrap()
    }

    fn keys(&self, q: &str) -> Vec<&'static str> {
        self.run(q, &SearchOptions::default())
            .hits
            .iter()
            .map(|h| self.key(h.id.0))
            .collect()
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn phrase_beats_scattered_words() {
    let c = Corpus::new(vec![
        doc(
            "scattered",
            "Budget notes",
            "The city approved a plan. Hall repairs wait for the budget.",
        ),
        doc(
            "phrase",
            "Budget notes",
            "Repairs at city hall wait for the budget plan.",
        ),
    ])
    .await;
    assert_eq!(
        c.keys("\"city hall\" budget"),
        vec!["phrase"],
        "a phrase is required"
    );
    assert_eq!(c.keys("\"city hall\"")[0], "phrase");
    // Stopwords inside phrases count: "the who" is not "who".
    let c = Corpus::new(vec![
        doc(
            "band",
            "Concert review",
            "Last night the who played their old songs.",
        ),
        doc(
            "other",
            "Concert review",
            "Who played? Nobody knew the band.",
        ),
    ])
    .await;
    assert_eq!(c.keys("\"the who\""), vec!["band"]);
}

#[tokio::test(flavor = "multi_thread")]
async fn title_match_beats_body_match() {
    let c = Corpus::new(vec![
        doc(
            "body",
            "Council meeting report",
            "Councillors discussed the tram extension at length and other things.",
        ),
        doc(
            "title",
            "Tram extension approved",
            "Councillors discussed the plan at length and other things.",
        ),
    ])
    .await;
    assert_eq!(c.keys("tram extension")[0], "title");
}

#[tokio::test(flavor = "multi_thread")]
async fn more_matched_words_rank_higher_and_long_queries_do_not_need_all() {
    let c = Corpus::new(vec![
        doc(
            "three",
            "Harbour news",
            "The harbour ferry timetable changes in spring.",
        ),
        doc("two", "Harbour news", "The harbour ferry is popular."),
        doc("one", "Harbour news", "The harbour is busy."),
    ])
    .await;
    let keys = c.keys("harbour ferry timetable");
    assert_eq!(keys.first(), Some(&"three"));
    assert!(keys.contains(&"two"), "3 words: one may be missing");
    assert!(!keys.contains(&"one"), "3 words: two missing is too many");
    // Two words: both are needed.
    assert_eq!(c.keys("ferry timetable"), vec!["three"]);
    // A long question needs only some of its words.
    let keys = c.keys("which harbour ferry services change their timetable for the spring season");
    assert_eq!(keys.first(), Some(&"three"));
    assert!(keys.contains(&"one"));
}

#[tokio::test(flavor = "multi_thread")]
async fn filters_exclusions_and_dates() {
    let mut a = doc("a", "Election results", "Votes were counted overnight.");
    a.source = "Reuters";
    a.author = Some("Jane Smith");
    a.day = 2;
    let mut b = doc(
        "b",
        "Election results",
        "Votes were counted overnight by hand.",
    );
    b.section = "books";
    b.day = 10;
    let mut d = doc("d", "Election strike", "Counting paused by a strike.");
    d.day = 15;
    let c = Corpus::new(vec![a, b, d]).await;
    assert_eq!(c.keys("election source:reuters"), vec!["a"]);
    assert_eq!(c.keys("election author:smith"), vec!["a"]);
    assert_eq!(c.keys("election author:\"jane smith\""), vec!["a"]);
    assert_eq!(c.keys("election section:books"), vec!["b"]);
    let mut keys = c.keys("election -section:books");
    keys.sort();
    assert_eq!(keys, vec!["a", "d"]);
    assert!(!c.keys("election -strike").contains(&"d"));
    assert_eq!(
        c.keys("election after:2024-03-05 before:2024-03-12"),
        vec!["b"]
    );
    // since:7d from 2024-03-20 is 2024-03-13.
    assert_eq!(c.keys("election since:7d"), vec!["d"]);
    assert_eq!(c.keys("election sort:newest"), vec!["d", "b", "a"]);
    assert_eq!(c.keys("election lang:fr"), Vec::<&str>::new());
    // Filters alone list matching articles, newest first.
    assert_eq!(c.keys("source:reuters"), vec!["a"]);
}

#[tokio::test(flavor = "multi_thread")]
async fn typos_are_forgiven_but_exact_matches_stay_first() {
    let c = Corpus::new(vec![
        doc(
            "gov",
            "Government announces budget",
            "The government budget was announced.",
        ),
        doc(
            "gov2",
            "Government talks",
            "Talks with the government continue.",
        ),
        doc(
            "place",
            "Fighting near Deir el-Zor",
            "Reports from Deir el-Zor province.",
        ),
    ])
    .await;
    let r = c.run("goverment budget", &SearchOptions::default());
    assert_eq!(c.key(r.hits[0].id.0), "gov");
    let corrected = r.corrected.expect("a correction");
    assert_eq!(corrected.showing, "government budget");
    assert_eq!(corrected.original, "goverment budget");
    assert_eq!(r.interpretation, "government budget");
    // The page's "search instead for" link.
    let exact = c.run(
        "goverment budget",
        &SearchOptions {
            exact: true,
            ..Default::default()
        },
    );
    assert!(exact.corrected.is_none());
    // The unknown word matches nothing; the known one still searches.
    assert_eq!(exact.hits.len(), 1);
    assert_eq!(c.keys("Deir el-Zorr")[0], "place");
    // A rare word next to a far more common one: the common one is suggested and
    // also searched, but the exact match stays first.
    let mut docs = vec![doc(
        "exact",
        "Coldwell wins the seat",
        "Coldwell won by a wide margin.",
    )];
    for key in CALDWELL {
        docs.push(doc(
            key,
            "Caldwell speaks",
            "Caldwell spoke at the rally about the seat.",
        ));
    }
    let c = Corpus::new(docs).await;
    let r = c.run("coldwell seat", &SearchOptions::default());
    assert_eq!(c.key(r.hits[0].id.0), "exact");
    assert!(r.hits.len() > 1, "the neighbour is searched too");
    assert_eq!(r.did_you_mean.as_deref(), Some("caldwell seat"));
    assert!(r.corrected.is_none());
}

const CALDWELL: [&str; 22] = [
    "c0", "c1", "c2", "c3", "c4", "c5", "c6", "c7", "c8", "c9", "c10", "c11", "c12", "c13", "c14",
    "c15", "c16", "c17", "c18", "c19", "c20", "c21",
];

#[tokio::test(flavor = "multi_thread")]
async fn malformed_queries_still_search() {
    let c = Corpus::new(vec![doc(
        "a",
        "Budget vote",
        "The council votes on the budget.",
    )])
    .await;
    for q in [
        "budget)",
        "((budget",
        "\"budget vote",
        "budget OR",
        "AND budget",
        "-",
        "budget \u{1}\u{7f}",
        "title:",
        "source:",
        "sort:sideways budget",
        "after:not-a-date budget",
    ] {
        let r = c.run(q, &SearchOptions::default());
        if q.contains("budget") {
            assert_eq!(r.hits.len(), 1, "{q:?}");
        }
    }
    let huge = "budget ".repeat(1500);
    assert_eq!(c.run(&huge, &SearchOptions::default()).hits.len(), 1);
    // Only stopwords: searched as typed rather than nothing.
    let c = Corpus::new(vec![doc(
        "hamlet",
        "To be or not to be",
        "That is the question.",
    )])
    .await;
    assert_eq!(c.keys("to be or not to be")[0], "hamlet");
}

#[tokio::test(flavor = "multi_thread")]
async fn facets_and_cursor_pages() {
    let mut docs = Vec::new();
    for (i, key) in ["p0", "p1", "p2", "p3", "p4"].into_iter().enumerate() {
        let mut d = doc(key, "Market report", "Shares rose in market trading today.");
        d.day = 1 + i as u32;
        if i % 2 == 0 {
            d.section = "books";
            d.source = "Reuters";
        }
        docs.push(d);
    }
    let c = Corpus::new(docs).await;
    let r = c.run(
        "market",
        &SearchOptions {
            facets: true,
            date_granularity: DateGranularity::Month,
            ..Default::default()
        },
    );
    let facets = r.facets.expect("facets");
    assert_eq!(facets.sections[0].value, "books");
    assert_eq!(facets.sections[0].count, 3);
    assert_eq!(facets.sources.iter().map(|f| f.count).sum::<u64>(), 5);
    assert_eq!(facets.dates.len(), 1);
    assert_eq!(facets.dates[0].count, 5);
    // Pages of two, newest first, by cursor: every article once, in order.
    let mut seen = Vec::new();
    let mut cursor = None;
    loop {
        let request = SearchRequest {
            query: "market".into(),
            limit: 2,
            ..Default::default()
        };
        let options = SearchOptions {
            cursor: cursor.clone(),
            sort: Some(Sort::Newest),
            ..Default::default()
        };
        let r = c.index.search_with(&request, &options).unwrap();
        seen.extend(r.hits.iter().map(|h| c.key(h.id.0)));
        match r.next_cursor {
            Some(next) => cursor = Some(next),
            None => break,
        }
    }
    assert_eq!(seen, vec!["p4", "p3", "p2", "p1", "p0"]);
    // A garbage cursor serves the first page.
    let request = SearchRequest {
        query: "market".into(),
        limit: 2,
        ..Default::default()
    };
    let options = SearchOptions {
        cursor: Some("zzz".into()),
        ..Default::default()
    };
    assert_eq!(
        c.index.search_with(&request, &options).unwrap().hits.len(),
        2
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn suggestions_and_autocomplete() {
    let c = Corpus::new(vec![
        doc(
            "a",
            "President visits the harbour",
            "The president spoke about presidential duties.",
        ),
        doc(
            "b",
            "Presidential race narrows",
            "Polls show the presidential race narrowing.",
        ),
    ])
    .await;
    let done = c.index.autocomplete("the presid", 5).unwrap();
    let texts: Vec<&str> = done.terms.iter().map(|t| t.text.as_str()).collect();
    assert!(texts.contains(&"the presidential"), "{texts:?}");
    assert!(texts.contains(&"the president"), "{texts:?}");
    assert!(!done.titles.is_empty());
    assert!(c.index.autocomplete("", 5).unwrap().terms.is_empty());
    assert!(c.index.autocomplete("\u{0}((", 5).unwrap().terms.is_empty());
}

#[tokio::test(flavor = "multi_thread")]
async fn tied_scores_page_in_article_order_without_repeats() {
    // Twelve copies of one text score exactly alike: pages by offset and by cursor
    // must both list them once each, highest article id first.
    const KEYS: [&str; 12] = [
        "t0", "t1", "t2", "t3", "t4", "t5", "t6", "t7", "t8", "t9", "t10", "t11",
    ];
    let mut docs: Vec<Doc> = KEYS
        .iter()
        .map(|k| {
            doc(
                k,
                "Harbour ferry strike",
                "Ferry crews at the harbour strike.",
            )
        })
        .collect();
    docs.push(doc("other", "Ferry timetable", "The ferry runs hourly."));
    let c = Corpus::new(docs).await;
    let mut expected: Vec<i64> = KEYS
        .iter()
        .map(|k| c.ids.iter().find(|(key, _)| key == k).unwrap().1)
        .collect();
    expected.sort_unstable_by(|a, b| b.cmp(a));
    let page = |offset: usize, cursor: Option<String>| {
        c.index
            .search_with(
                &SearchRequest {
                    query: "harbour ferry strike".into(),
                    limit: 5,
                    offset,
                    ..Default::default()
                },
                &SearchOptions {
                    cursor,
                    ..Default::default()
                },
            )
            .unwrap()
    };
    let by_offset: Vec<i64> = [0, 5, 10]
        .into_iter()
        .flat_map(|o| page(o, None).hits.into_iter().map(|h| h.id.0))
        .filter(|id| expected.contains(id))
        .collect();
    assert_eq!(by_offset, expected);
    let first = page(0, None);
    let mut by_cursor: Vec<i64> = first.hits.iter().map(|h| h.id.0).collect();
    let mut cursor = first.next_cursor;
    while let Some(next) = cursor {
        let r = page(0, Some(next));
        by_cursor.extend(r.hits.iter().map(|h| h.id.0));
        cursor = r.next_cursor;
    }
    by_cursor.retain(|id| expected.contains(id));
    assert_eq!(by_cursor, expected);
}
