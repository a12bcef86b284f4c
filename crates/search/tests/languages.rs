//! Per-language analysis: articles in other languages are stemmed with their own
//! stemmer and found by inflected query forms, English ranking is left alone, the
//! resolved language feeds `lang:` and the facet, and a schema change rebuilds.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use herald_search::{SearchIndex, SearchOptions, SearchRequest, SearchResults};
use herald_store::{NewArticle, Store};
use herald_store_sqlite::SqliteStore;
use herald_types::default_sections;

fn article(identity: &str, lang: Option<&str>, title: &str, body: &str) -> NewArticle {
    NewArticle {
        identity: format!("guid:lang:{identity}"),
        url: None,
        source: Some("Valley Wire".into()),
        section: Some("news".into()),
        category: None,
        title: title.into(),
        author: None,
        published: None,
        lang: lang.map(Into::into),
        summary: None,
        body_text: body.into(),
        body_html: String::new(),
    }
}

/// English articles (declared), shared by the English-only and the mixed corpora.
fn english() -> Vec<NewArticle> {
    vec![
        article(
            "en-1",
            Some("en-US"),
            "Council elections called for March",
            "The government announced elections for March after the budget vote failed.",
        ),
        article(
            "en-2",
            Some("en"),
            "Housing plan approved",
            "The council approved a plan for new houses near the station; elections are next.",
        ),
        article(
            "en-3",
            Some("en"),
            "Tram line opens",
            "The new tram line opens on Monday with free rides for a week.",
        ),
        article(
            "en-4",
            None,
            "Budget",
            "The budget for the housing programme grew again this year.",
        ),
    ]
}

const GERMAN_BODY: &str = "Die Stadt hat beschlossen, das alte Haus am Marktplatz zu renovieren. \
    Der Gemeinderat stimmte am Dienstag mit großer Mehrheit für den Plan, der auch neue \
    Wohnungen für junge Familien vorsieht. Die Arbeiten sollen im Frühjahr beginnen und \
    etwa zwei Jahre dauern. Anwohner begrüßten die Entscheidung, weil das Gebäude seit \
    vielen Jahren leer steht und langsam verfällt.";

const FRENCH_BODY: &str = "Le conseil municipal a annoncé mardi la date de la prochaine \
    élection, qui aura lieu au printemps. Les habitants pourront voter dans les écoles du \
    quartier, et la mairie prévoit une campagne d'information pour encourager la \
    participation des jeunes électeurs. Le maire a déclaré que la ville avait besoin d'un \
    débat ouvert sur le logement et les transports.";

fn others() -> Vec<NewArticle> {
    vec![
        // Declared German.
        article(
            "de-1",
            Some("de-DE"),
            "Altstadt: Sanierung beschlossen",
            GERMAN_BODY,
        ),
        // French, declared by nothing: detected from the text.
        article(
            "fr-1",
            None,
            "Le conseil fixe la date du scrutin",
            FRENCH_BODY,
        ),
        // German but far too short to detect: the default language.
        article("short-de", None, "Kurz notiert", "Das Haus ist alt."),
    ]
}

struct Corpus {
    _dir: tempfile::TempDir,
    store: SqliteStore,
    index: SearchIndex,
    ids: Vec<(String, i64)>,
}

impl Corpus {
    async fn new(articles: Vec<NewArticle>) -> Corpus {
        let dir = tempfile::tempdir().unwrap();
        let store = SqliteStore::open(dir.path().join("h.db")).unwrap();
        store.sync_sections(&default_sections()).await.unwrap();
        let index = SearchIndex::open(dir.path().join("index")).unwrap();
        let keys: Vec<String> = articles.iter().map(|a| a.identity.clone()).collect();
        let outcomes = store.upsert_articles(articles).await.unwrap();
        let ids = keys
            .into_iter()
            .map(|k| k.trim_start_matches("guid:lang:").to_string())
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
            store,
            index,
            ids,
        }
    }

    fn run(&self, q: &str, facets: bool) -> SearchResults {
        let request = SearchRequest {
            query: q.into(),
            limit: 10,
            ..Default::default()
        };
        let options = SearchOptions {
            facets,
            ..Default::default()
        };
        self.index.search_with(&request, &options).unwrap()
    }

    fn keys(&self, q: &str) -> Vec<String> {
        self.run(q, false)
            .hits
            .iter()
            .map(|h| {
                self.ids
                    .iter()
                    .find(|(_, id)| *id == h.id.0)
                    .map(|(k, _)| k.clone())
                    .unwrap()
            })
            .collect()
    }
}

async fn mixed() -> Corpus {
    let mut all = english();
    all.extend(others());
    Corpus::new(all).await
}

#[tokio::test(flavor = "multi_thread")]
async fn german_article_is_found_by_inflected_forms() {
    let c = mixed().await;
    // The article says "Haus" (and "Wohnungen"); readers type other forms.
    assert_eq!(c.keys("Häuser"), vec!["de-1"]);
    // (The short German article, analysed as English, matches too: Porter also
    // stems "hauses" to "haus".)
    assert!(c.keys("Hauses").contains(&"de-1".to_string()));
    assert!(c.keys("Wohnung").contains(&"de-1".to_string()));
    // A phrase in German, inflected as the analyser sees it.
    assert_eq!(c.keys("\"alten Häuser\""), vec!["de-1"]);
    // The typo machinery does not "correct" a German word the index has.
    let r = c.run("Häuser", false);
    assert!(r.corrected.is_none(), "{:?}", r.corrected);
    // The snippet highlights the German word the query matched.
    let snippet = r.snippet_html(GERMAN_BODY);
    assert!(snippet.contains("<b>Haus</b>"), "{snippet}");
}

#[tokio::test(flavor = "multi_thread")]
async fn long_german_query_keeps_german_articles_through_feedback() {
    let c = mixed().await;
    // Five or more words: the second, feedback-expanded ranking must still match the
    // German article by its German stems.
    let keys = c.keys("Renovierung alter Häuser Marktplatz Gemeinderat Wohnungen Familien");
    assert_eq!(keys.first().map(String::as_str), Some("de-1"), "{keys:?}");
}

#[tokio::test(flavor = "multi_thread")]
async fn french_article_is_detected_and_found_by_inflected_forms() {
    let c = mixed().await;
    // The article says "élection" and "électeurs"; the query is plural and unaccented.
    assert!(c.keys("élections").contains(&"fr-1".to_string()));
    assert!(c
        .keys("elections municipales")
        .contains(&"fr-1".to_string()));
    assert_eq!(c.keys("lang:fr"), vec!["fr-1"]);
}

#[tokio::test(flavor = "multi_thread")]
async fn english_ranking_is_unaffected_by_other_languages() {
    let only = Corpus::new(english()).await;
    let c = mixed().await;
    for q in [
        "elections",
        "council",
        "housing budget",
        "houses",
        "\"tram line\"",
        "title:elections",
        "budget -housing",
    ] {
        let english_hits: Vec<String> = c
            .keys(q)
            .into_iter()
            .filter(|k| k.starts_with("en-"))
            .collect();
        assert_eq!(english_hits, only.keys(q), "{q}");
    }
    // English stemming still applies to English articles only: "houses" is the
    // English article's word, not the German one's.
    assert!(!c.keys("houses").contains(&"de-1".to_string()));
}

#[tokio::test(flavor = "multi_thread")]
async fn resolved_language_feeds_filter_and_facet() {
    let c = mixed().await;
    // `en-US` is stored as `en`; undeclared short text falls back to `en`.
    let mut en = c.keys("lang:en");
    en.sort();
    assert_eq!(en, vec!["en-1", "en-2", "en-3", "en-4", "short-de"]);
    assert_eq!(c.keys("lang:de-AT"), vec!["de-1"]);
    assert_eq!(c.keys("lang:de"), vec!["de-1"]);
    // The short German article was analysed as English: the English stem of "Haus".
    assert!(c.keys("haus").contains(&"short-de".to_string()));
    let facets = c.run("lang:en lang:de lang:fr", true).facets.unwrap();
    let langs: Vec<(String, u64)> = facets
        .langs
        .iter()
        .map(|v| (v.value.clone(), v.count))
        .collect();
    assert!(langs.contains(&("en".to_string(), 5)), "{langs:?}");
    assert!(langs.contains(&("de".to_string(), 1)), "{langs:?}");
    assert!(langs.contains(&("fr".to_string(), 1)), "{langs:?}");
}

#[tokio::test(flavor = "multi_thread")]
async fn autocomplete_finds_other_language_headlines() {
    let c = mixed().await;
    let completions = c.index.autocomplete("Sanierung", 5).unwrap();
    assert!(
        completions
            .titles
            .iter()
            .any(|t| t.title == "Altstadt: Sanierung beschlossen"),
        "{completions:?}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn an_index_of_an_older_schema_is_rebuilt_from_the_store() {
    let c = mixed().await;
    let path = c._dir.path().join("index");
    let count = c.index.num_docs();
    assert_eq!(count, 7);
    let schema = c.index.state().schema;
    drop(c.index);
    // Make the newest commit claim the previous schema version.
    let meta_path = path.join("meta.json");
    let meta = std::fs::read_to_string(&meta_path).unwrap();
    let needle = format!("\\\"schema\\\":{schema}");
    assert!(meta.contains(&needle), "{meta}");
    let older = format!("\\\"schema\\\":{}", schema - 1);
    std::fs::write(&meta_path, meta.replace(&needle, &older)).unwrap();

    let index = SearchIndex::open(&path).unwrap();
    assert_eq!(index.num_docs(), 0, "a stale index is discarded at open");
    assert_eq!(index.state().schema, schema);
    index
        .indexer(50_000_000)
        .unwrap()
        .catch_up(&c.store)
        .await
        .unwrap();
    assert_eq!(index.num_docs(), count);
    let hits = index
        .search(&SearchRequest {
            query: "Häuser".into(),
            limit: 10,
            ..Default::default()
        })
        .unwrap()
        .hits;
    assert_eq!(hits.len(), 1);
}
