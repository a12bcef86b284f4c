//! Feeds out, discovery documents and the JSON API, driven in process through the
//! real router over a real SQLite store and tantivy index in a temporary directory.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use axum::body::Body;
use axum::http::{HeaderMap, Request, StatusCode};
use axum::Router;
use chrono::{Duration, TimeZone, Utc};
use herald_search::SearchIndex;
use herald_store::{NewArticle, NewFeed, Store};
use herald_store_sqlite::SqliteStore;
use herald_types::default_sections;
use herald_web::{app, AppState, SiteConfig, WebConfig};
use serde_json::Value;
use std::collections::HashSet;
use std::sync::Arc;
use tower::ServiceExt;

const BASE: &str = "https://news.example.test";
/// A headline with everything that breaks careless XML and HTML.
const NASTY: &str = "Tom & Jerry <script>alert(1)</script> \u{1}\u{8}“quoted” 'x'";
/// Markup characters without markup, and a control character.
const ODD: &str = "Fish & chips: 5 < 6 > 4\u{2}“quoted” 'x'";
const ODD_CLEAN: &str = "Fish & chips: 5 < 6 > 4 “quoted” 'x'";

struct Portal {
    _dir: tempfile::TempDir,
    app: Router,
    store: Arc<SqliteStore>,
}

fn article(n: usize, section: &str, minutes_ago: i64, title: &str) -> NewArticle {
    NewArticle {
        identity: format!("guid:test:{n}"),
        url: Some(format!("https://origin.example/{n}?a=1&b=2")),
        source: Some(
            if n % 2 == 0 {
                "Test Ledger"
            } else {
                "Wire & Co"
            }
            .into(),
        ),
        section: Some(section.into()),
        category: None,
        title: title.into(),
        author: (n % 3 == 0).then(|| "Ana Reporter".to_string()),
        published: Some(Utc::now() - Duration::minutes(minutes_ago)),
        lang: Some("en".into()),
        summary: (n % 2 == 0).then(|| format!("Summary {n} with <b>&</b>")),
        body_text: format!("Body of article {n}. The marmalade quorum met.\n\nMore text."),
        body_html: format!("<p>Body of article {n}. The <em>marmalade</em> quorum met.</p>"),
    }
}

/// 25 articles: 20 in News, 3 hours apart, 5 in Books (one of them the nasty headline,
/// four older than the news sitemap's 48 hours), and two sharing a publication time.
fn corpus() -> Vec<NewArticle> {
    let mut v: Vec<NewArticle> = (0..20)
        .map(|n| article(n, "news", n as i64 * 180 + 30, &format!("News item {n}")))
        .collect();
    for n in 20..24 {
        v.push(article(
            n,
            "books",
            (100 + n as i64) * 60,
            &format!("Book review {n}"),
        ));
    }
    v.push(article(24, "books", 60, NASTY));
    v[23].title = ODD.into();
    let same_time = Utc.with_ymd_and_hms(2026, 1, 1, 12, 0, 0).unwrap();
    v[18].published = Some(same_time);
    v[19].published = Some(same_time);
    v
}

async fn portal(base_url: Option<&str>) -> Portal {
    let dir = tempfile::tempdir().unwrap();
    let store = Arc::new(SqliteStore::open(dir.path().join("herald.db")).unwrap());
    let sections = store.sync_sections(&default_sections()).await.unwrap();
    store.upsert_articles(corpus()).await.unwrap();
    let index = SearchIndex::open(dir.path().join("index")).unwrap();
    let mut indexer = index.indexer(50_000_000).unwrap();
    indexer.catch_up(store.as_ref()).await.unwrap();
    drop(indexer);
    index.refresh().unwrap();
    let state = AppState {
        store: store.clone(),
        index,
        site: Arc::new(SiteConfig {
            name: "Riverton News & Search".into(),
            base_url: base_url.map(String::from),
            ..Default::default()
        }),
        web: Arc::new(WebConfig {
            page_size: 10,
            ..Default::default()
        }),
        sections: Arc::new(sections),
        comments: Arc::new(
            herald_web::CommentsRuntime::new(
                herald_comments::Policy::default(),
                herald_comments::SecretKey::from_bytes([7; 32]),
                false,
            )
            .unwrap(),
        ),
        reindex: Default::default(),
        node: Default::default(),
        demo: false,
    };
    Portal {
        _dir: dir,
        app: app(state),
        store,
    }
}

struct Reply {
    status: StatusCode,
    headers: HeaderMap,
    body: String,
}

impl Reply {
    fn content_type(&self) -> &str {
        self.headers
            .get("content-type")
            .map(|v| v.to_str().unwrap())
            .unwrap_or("")
    }

    fn json(&self) -> Value {
        serde_json::from_str(&self.body).unwrap_or_else(|e| panic!("{e}: {}", self.body))
    }
}

impl Portal {
    async fn get_with(&self, path: &str, headers: &[(&str, &str)]) -> Reply {
        let mut request = Request::get(path).header("host", "portal.test:8080");
        for (k, v) in headers {
            request = request.header(*k, *v);
        }
        let response = self
            .app
            .clone()
            .oneshot(request.body(Body::empty()).unwrap())
            .await
            .unwrap();
        let status = response.status();
        let headers = response.headers().clone();
        let bytes = axum::body::to_bytes(response.into_body(), usize::MAX)
            .await
            .unwrap();
        Reply {
            status,
            headers,
            body: String::from_utf8(bytes.to_vec()).unwrap(),
        }
    }

    async fn get(&self, path: &str) -> Reply {
        self.get_with(path, &[]).await
    }
}

/// Parses XML strictly enough to catch anything ill-formed, returning the local
/// names of every element.
fn xml_elements(text: &str) -> Vec<String> {
    let mut reader = quick_xml::Reader::from_str(text);
    reader.config_mut().check_end_names = true;
    let mut names = Vec::new();
    loop {
        match reader.read_event() {
            Ok(quick_xml::events::Event::Start(e)) | Ok(quick_xml::events::Event::Empty(e)) => {
                names.push(e.name().0.to_string());
            }
            Ok(quick_xml::events::Event::Text(t)) => {
                let text = t.into_inner();
                assert!(
                    !text
                        .chars()
                        .any(|c| c.is_control() && !"\t\n\r".contains(c)),
                    "control character in XML text: {text:?}"
                );
            }
            Ok(quick_xml::events::Event::Eof) => break,
            Ok(_) => {}
            Err(e) => panic!(
                "ill-formed XML at {}: {e}\n{text}",
                reader.buffer_position()
            ),
        }
    }
    names
}

fn parse_feed(reply: &Reply, url: &str) -> herald_feed::ParsedFeed {
    let parsed = herald_feed::parse(reply.body.as_bytes(), Some(url), Some(reply.content_type()));
    assert!(
        !parsed.bozo,
        "{url} is bozo: {:?}\n{}",
        parsed.bozo_reason, reply.body
    );
    parsed
}

#[tokio::test]
async fn feeds_parse_back_in_every_format() {
    let p = portal(Some(BASE)).await;
    for (ext, ct, version_prefix) in [
        ("rss", "application/rss+xml; charset=utf-8", "rss"),
        ("atom", "application/atom+xml; charset=utf-8", "atom"),
        ("json", "application/feed+json; charset=utf-8", "json"),
    ] {
        // The whole site: the newest 25 (all), newest first.
        let path = format!("/feed.{ext}");
        let reply = p.get(&path).await;
        assert_eq!(reply.status, 200, "{path}");
        assert_eq!(reply.content_type(), ct, "{path}");
        assert!(reply.headers["cache-control"]
            .to_str()
            .unwrap()
            .contains("max-age"));
        if ext != "json" {
            xml_elements(&reply.body);
        }
        let feed = parse_feed(&reply, &format!("{BASE}{path}"));
        assert!(feed.version.starts_with(version_prefix), "{}", feed.version);
        assert_eq!(feed.feed.title.as_deref(), Some("Riverton News & Search"));
        assert_eq!(feed.entries.len(), 25, "{path}");
        let titles: Vec<_> = feed
            .entries
            .iter()
            .map(|e| e.title.clone().unwrap_or_default())
            .collect();
        assert_eq!(titles[0], "News item 0", "newest first");
        assert!(
            titles.iter().any(|t| t == ODD_CLEAN),
            "markup characters escaped, control characters dropped: {titles:?}"
        );
        // herald-feed, like feedparser, sanitises any title carrying script-capable
        // markup as HTML: the escaped text arrives, the script does not.
        assert!(
            titles
                .iter()
                .any(|t| t.starts_with("Tom &amp; Jerry") && t.ends_with("“quoted” 'x'")),
            "{titles:?}"
        );
        for e in &feed.entries {
            let link = e.link.as_deref().unwrap();
            assert!(link.starts_with(&format!("{BASE}/article/")), "{link}");
            assert!(e.published.is_some(), "{path}: every entry dated");
            assert!(
                e.content.iter().any(|c| c.value.contains("marmalade")),
                "{path}: full content"
            );
        }

        // One section.
        let path = format!("/section/books/feed.{ext}");
        let reply = p.get(&path).await;
        assert_eq!(reply.status, 200, "{path}");
        assert_eq!(reply.content_type(), ct);
        let feed = parse_feed(&reply, &format!("{BASE}{path}"));
        assert_eq!(feed.entries.len(), 5, "{path}");
        assert!(feed
            .entries
            .iter()
            .all(|e| ["Book", "Tom", "Fish"].iter().any(|p| e
                .title
                .as_deref()
                .unwrap()
                .starts_with(p))));

        // Any search, with the search page's parameters.
        let path = format!("/search/feed.{ext}?q=marmalade&section=books");
        let reply = p.get(&path).await;
        assert_eq!(reply.status, 200, "{path}");
        let feed = parse_feed(&reply, &format!("{BASE}{path}"));
        assert_eq!(feed.entries.len(), 5, "{path}");
        assert!(feed.feed.title.as_deref().unwrap().contains("marmalade"));
        let path = format!("/search/feed.{ext}?q=%22item+7%22");
        let feed = parse_feed(&p.get(&path).await, &format!("{BASE}{path}"));
        assert_eq!(feed.entries.len(), 1, "{path}");
        assert_eq!(feed.entries[0].title.as_deref(), Some("News item 7"));
        // No query: a valid, empty feed.
        let path = format!("/search/feed.{ext}");
        let feed = parse_feed(&p.get(&path).await, &format!("{BASE}{path}"));
        assert!(feed.entries.is_empty());
    }

    let rss = p.get("/feed.rss").await.body;
    assert!(rss.contains(&format!("<atom:link href=\"{BASE}/feed.rss\" rel=\"self\"")));
    assert!(
        rss.contains("Tom &amp; Jerry &lt;script&gt;"),
        "escaped, not CDATA-smuggled"
    );
    let json: Value = serde_json::from_str(&p.get("/feed.json").await.body).unwrap();
    assert_eq!(json["version"], "https://jsonfeed.org/version/1.1");
    assert_eq!(json["feed_url"], format!("{BASE}/feed.json"));

    for missing in [
        "/section/nosuch/feed.rss",
        "/section/news/feed.xml",
        "/search/feed.txt",
    ] {
        assert_eq!(p.get(missing).await.status, 404, "{missing}");
    }
}

#[tokio::test]
async fn feeds_answer_conditional_requests() {
    let p = portal(Some(BASE)).await;
    let first = p.get("/section/news/feed.atom").await;
    let etag = first.headers["etag"].to_str().unwrap().to_string();
    let last_modified = first.headers["last-modified"].to_str().unwrap().to_string();
    assert!(etag.starts_with("W/\""), "{etag}");
    assert!(last_modified.ends_with(" GMT"), "{last_modified}");

    let again = p
        .get_with("/section/news/feed.atom", &[("if-none-match", &etag)])
        .await;
    assert_eq!(again.status, 304);
    assert!(again.body.is_empty());
    assert_eq!(again.headers["etag"], etag.as_str());

    let since = p
        .get_with(
            "/section/news/feed.atom",
            &[("if-modified-since", &last_modified)],
        )
        .await;
    assert_eq!(since.status, 304);
    let old = p
        .get_with(
            "/section/news/feed.atom",
            &[("if-modified-since", "Mon, 01 Jan 2001 00:00:00 GMT")],
        )
        .await;
    assert_eq!(old.status, 200);
    let other = p
        .get_with(
            "/section/news/feed.atom",
            &[("if-none-match", "W/\"other\"")],
        )
        .await;
    assert_eq!(other.status, 200);

    // A new article changes the feed and its validator.
    p.store
        .upsert_articles(vec![article(99, "news", 0, "Breaking item")])
        .await
        .unwrap();
    let changed = p
        .get_with("/section/news/feed.atom", &[("if-none-match", &etag)])
        .await;
    assert_eq!(changed.status, 200);
    assert!(changed.body.contains("Breaking item"));
}

#[tokio::test]
async fn links_use_the_host_when_no_base_url_is_configured() {
    let p = portal(None).await;
    let feed = parse_feed(
        &p.get("/feed.atom").await,
        "http://portal.test:8080/feed.atom",
    );
    assert!(feed.entries[0]
        .link
        .as_deref()
        .unwrap()
        .starts_with("http://portal.test:8080/article/"));
    let https = p
        .get_with("/robots.txt", &[("x-forwarded-proto", "https")])
        .await;
    assert!(https
        .body
        .contains("Sitemap: https://portal.test:8080/sitemap.xml"));
    let odd = p.get_with("/robots.txt", &[("host", "evil\"><x")]).await;
    assert!(!odd.body.contains("evil"), "{}", odd.body);
}

fn alternates(html: &str) -> Vec<String> {
    html.lines()
        .filter(|l| l.starts_with("<link rel=\"alternate\""))
        .map(|l| {
            l.split("href=\"")
                .nth(1)
                .unwrap()
                .split('"')
                .next()
                .unwrap()
                .replace("&amp;", "&")
                .replace("&#38;", "&")
        })
        .collect()
}

#[tokio::test]
async fn pages_link_their_feeds_search_and_canonical_address() {
    let p = portal(Some(BASE)).await;
    let opensearch = "<link rel=\"search\" type=\"application/opensearchdescription+xml\" href=\"/opensearch.xml\"";

    let front = p.get("/").await.body;
    assert!(front.contains(opensearch));
    assert_eq!(
        alternates(&front),
        [
            format!("{BASE}/feed.rss"),
            format!("{BASE}/feed.atom"),
            format!("{BASE}/feed.json")
        ]
    );
    assert!(front.contains(&format!("<link rel=\"canonical\" href=\"{BASE}/\">")));
    assert!(front.contains("<meta property=\"og:type\" content=\"website\">"));
    assert!(front.contains("<meta name=\"twitter:card\" content=\"summary\">"));

    let section = p.get("/section/books").await.body;
    assert_eq!(
        alternates(&section)[1],
        format!("{BASE}/section/books/feed.atom")
    );
    assert!(section.contains(&format!(
        "<link rel=\"canonical\" href=\"{BASE}/section/books\">"
    )));
    assert!(
        section.contains("og:title\" content=\"Books · Riverton News &#38; Search\"")
            || section.contains("og:title\" content=\"Books · Riverton News &amp; Search\"")
    );

    let search = p
        .get("/search?q=marmalade+%26+jam&section=books")
        .await
        .body;
    assert_eq!(
        alternates(&search)[0],
        format!("{BASE}/search/feed.rss?q=marmalade+%26+jam&section=books")
    );
    assert!(search.contains(opensearch));
    let empty_search = p.get("/search").await.body;
    assert!(
        alternates(&empty_search).is_empty(),
        "no feed without a query"
    );

    let missing = p.get("/nope").await;
    assert_eq!(missing.status, 404);
    assert!(missing.body.contains(opensearch), "error pages too");
}

#[tokio::test]
async fn article_pages_carry_json_ld_and_open_graph() {
    let p = portal(Some(BASE)).await;
    let list = p.get("/api/v1/articles?section=books&limit=1").await.json();
    let id = list["items"][0]["id"].as_i64().unwrap();
    assert_eq!(
        list["items"][0]["title"], NASTY,
        "the API gives the stored title"
    );
    let reply = p.get(&format!("/article/{id}")).await;
    assert_eq!(reply.status, 200);
    let html = reply.body;
    let url = format!("{BASE}/article/{id}");
    assert!(html.contains(&format!("<link rel=\"canonical\" href=\"{url}\">")));
    assert!(html.contains("<meta property=\"og:type\" content=\"article\">"));
    assert!(html.contains("<meta property=\"article:published_time\""));
    assert!(html.contains("<meta property=\"article:section\" content=\"Books\">"));

    let ld = html
        .split("<script type=\"application/ld+json\">")
        .nth(1)
        .and_then(|rest| rest.split("</script>").next())
        .unwrap();
    assert!(
        !ld.contains('<'),
        "nothing inside can close the script: {ld}"
    );
    let ld: Value = serde_json::from_str(ld).unwrap();
    assert_eq!(ld["@context"], "https://schema.org");
    assert_eq!(ld["@type"], "NewsArticle");
    assert!(ld["headline"]
        .as_str()
        .unwrap()
        .contains("<script>alert(1)</script>"));
    assert_eq!(ld["mainEntityOfPage"]["@id"], url);
    assert_eq!(ld["publisher"]["name"], "Test Ledger");
    assert!(ld["datePublished"].as_str().unwrap().ends_with('Z'));
    assert!(ld["dateModified"].is_string());
    assert!(
        !html.contains("<script>alert(1)"),
        "the headline is escaped everywhere in the page"
    );

    let by = p.get("/api/v1/articles?section=news&limit=20").await.json();
    let with_author = by["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["author"].is_string())
        .unwrap();
    let html = p.get(&format!("/article/{}", with_author["id"])).await.body;
    assert!(html.contains("\"author\":[{\"@type\":\"Person\",\"name\":\"Ana Reporter\"}]"));
}

#[tokio::test]
async fn discovery_documents() {
    let p = portal(Some(BASE)).await;

    let robots = p.get("/robots.txt").await;
    assert_eq!(robots.status, 200);
    assert_eq!(robots.content_type(), "text/plain; charset=utf-8");
    for line in [
        "User-agent: *",
        "Allow: /",
        "Disallow: /admin",
        "Disallow: /api/",
        &format!("Sitemap: {BASE}/sitemap.xml"),
        &format!("Sitemap: {BASE}/sitemaps/news.xml"),
    ] {
        assert!(
            robots.body.lines().any(|l| l == line),
            "{line}\n{}",
            robots.body
        );
    }

    let index = p.get("/sitemap.xml").await;
    assert_eq!(index.status, 200);
    assert_eq!(index.content_type(), "application/xml; charset=utf-8");
    assert!(xml_elements(&index.body).contains(&"sitemapindex".to_string()));
    for file in ["pages.xml", "articles-1.xml", "news.xml"] {
        assert!(
            index
                .body
                .contains(&format!("<loc>{BASE}/sitemaps/{file}</loc>")),
            "{file}"
        );
    }

    let articles = p.get("/sitemaps/articles-1.xml").await;
    assert_eq!(articles.status, 200);
    let names = xml_elements(&articles.body);
    assert_eq!(names.iter().filter(|n| *n == "url").count(), 25);
    assert_eq!(names.iter().filter(|n| *n == "lastmod").count(), 25);
    assert!(articles.headers.contains_key("etag"));
    assert_eq!(p.get("/sitemaps/articles-2.xml").await.status, 404);
    assert_eq!(p.get("/sitemaps/articles-01.xml").await.status, 404);
    assert_eq!(p.get("/sitemaps/other.xml").await.status, 404);

    let pages = p.get("/sitemaps/pages.xml").await;
    assert!(pages
        .body
        .contains(&format!("<loc>{BASE}/section/movies</loc>")));
    xml_elements(&pages.body);

    // News: the last 48 hours only (news items 0 to 15, and the nasty one).
    let news = p.get("/sitemaps/news.xml").await;
    assert_eq!(news.status, 200);
    let names = xml_elements(&news.body);
    assert_eq!(
        names.iter().filter(|n| *n == "url").count(),
        17,
        "{}",
        news.body
    );
    assert!(names.contains(&"news:publication_date".to_string()));
    assert!(news
        .body
        .contains("<news:publication><news:name>Riverton News &amp; Search</news:name><news:language>en</news:language></news:publication>"));
    assert!(news
        .body
        .contains("<news:title>Tom &amp; Jerry &lt;script&gt;"));
    assert!(news.body.contains("News item 15"));
    assert!(!news.body.contains("News item 16"), "older than 48 hours");

    let os = p.get("/opensearch.xml").await;
    assert_eq!(os.status, 200);
    assert_eq!(
        os.content_type(),
        "application/opensearchdescription+xml; charset=utf-8"
    );
    xml_elements(&os.body);
    assert!(os
        .body
        .contains(&format!("template=\"{BASE}/search?q={{searchTerms}}\"")));
    assert!(os
        .body
        .contains("<ShortName>Riverton News &amp;</ShortName>"));
}

#[tokio::test]
async fn api_pages_every_article_exactly_once() {
    let p = portal(Some(BASE)).await;
    let mut seen = Vec::new();
    let mut next = Some("/api/v1/articles?limit=7".to_string());
    let mut pages = 0;
    while let Some(path) = next {
        let reply = p.get(&path).await;
        assert_eq!(reply.status, 200, "{path}: {}", reply.body);
        assert_eq!(reply.content_type(), "application/json");
        let page = reply.json();
        let items = page["items"].as_array().unwrap();
        assert!(items.len() <= 7);
        for item in items {
            seen.push((
                item["time"].as_str().unwrap().to_string(),
                item["id"].as_i64().unwrap(),
            ));
            assert!(item["url"].as_str().unwrap().starts_with(BASE));
        }
        next = page["next"]
            .as_str()
            .map(|n| n.strip_prefix(BASE).unwrap().to_string());
        if next.is_some() {
            assert!(page["next_cursor"].is_string());
        }
        pages += 1;
    }
    assert_eq!(pages, 4, "7 + 7 + 7 + 4, no empty last page");
    assert_eq!(seen.len(), 25);
    let unique: HashSet<_> = seen.iter().map(|s| s.1).collect();
    assert_eq!(unique.len(), 25, "every article exactly once");
    assert!(
        seen.windows(2)
            .all(|w| (&w[0].0, w[0].1) > (&w[1].0, w[1].1)),
        "newest first, ties by id"
    );

    // A section's walk stays in the section.
    let books = p.get("/api/v1/articles?section=books&limit=3").await.json();
    assert_eq!(books["items"].as_array().unwrap().len(), 3);
    let next = books["next"].as_str().unwrap();
    assert!(next.contains("section=books"));
    let rest = p.get(next.strip_prefix(BASE).unwrap()).await.json();
    assert_eq!(rest["items"].as_array().unwrap().len(), 2);
    assert!(rest["next"].is_null() && rest["next_cursor"].is_null());
}

#[tokio::test]
async fn api_articles_sections_sources_and_search() {
    let p = portal(Some(BASE)).await;
    let first = p.get("/api/v1/articles?limit=1").await.json();
    let id = first["items"][0]["id"].as_i64().unwrap();
    let article = p.get(&format!("/api/v1/articles/{id}")).await;
    assert_eq!(article.status, 200);
    let a = article.json();
    assert_eq!(a["id"], id);
    assert_eq!(a["title"], "News item 0");
    assert!(a["body_html"]
        .as_str()
        .unwrap()
        .contains("<em>marmalade</em>"));
    assert_eq!(a["section"], "news");
    assert_eq!(a["source"]["name"], "Test Ledger");
    assert_eq!(a["original_url"], "https://origin.example/0?a=1&b=2");
    assert!(article.headers.contains_key("last-modified"));
    let etag = article.headers["etag"].to_str().unwrap().to_string();
    let again = p
        .get_with(
            &format!("/api/v1/articles/{id}"),
            &[("if-none-match", &etag)],
        )
        .await;
    assert_eq!(again.status, 304);

    let sections = p.get("/api/v1/sections").await.json();
    let slugs: Vec<_> = sections["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["slug"].as_str().unwrap())
        .collect();
    assert_eq!(slugs, ["news", "movies", "music", "books"]);
    assert_eq!(
        sections["items"][0]["feeds"]["atom"],
        format!("{BASE}/section/news/feed.atom")
    );

    p.store
        .add_feed(NewFeed {
            url: "https://origin.example/feed.xml".into(),
            source_name: "Test Ledger".into(),
            site_url: None,
            title: Some("Ledger feed".into()),
            section: Some("news".into()),
            next_fetch_at: Utc::now(),
            interval_secs: 1800,
        })
        .await
        .unwrap();
    let sources = p.get("/api/v1/sources").await.json();
    let items = sources["items"].as_array().unwrap();
    assert_eq!(items.len(), 2);
    let ledger = items.iter().find(|s| s["name"] == "Test Ledger").unwrap();
    assert_eq!(ledger["feeds"][0]["url"], "https://origin.example/feed.xml");
    assert_eq!(ledger["feeds"][0]["paused"], false);
    assert!(ledger["feeds"][0]["next_fetch_at"].is_string());
    let wire = items.iter().find(|s| s["name"] == "Wire & Co").unwrap();
    assert_eq!(wire["feeds"].as_array().unwrap().len(), 0);

    // Search pages by cursor through every hit once.
    let mut ids = HashSet::new();
    let mut next = Some("/api/v1/search?q=marmalade&limit=10".to_string());
    let mut total = 0;
    while let Some(path) = next {
        let page = p.get(&path).await.json();
        total = page["total"].as_u64().unwrap();
        for hit in page["items"].as_array().unwrap() {
            assert!(ids.insert(hit["id"].as_i64().unwrap()));
            assert!(hit["snippet_html"]
                .as_str()
                .unwrap()
                .contains("<b>marmalade</b>"));
            assert!(hit["score"].is_number());
        }
        next = page["next"]
            .as_str()
            .map(|n| n.strip_prefix(BASE).unwrap().to_string());
    }
    assert_eq!((total, ids.len()), (25, 25));
    let books = p
        .get("/api/v1/search?q=marmalade&section=books&page=1")
        .await
        .json();
    assert_eq!(books["total"], 5);
    assert_eq!(books["section"], "books");
    assert!(books["feeds"]["rss"]
        .as_str()
        .unwrap()
        .ends_with("/search/feed.rss?q=marmalade&section=books"));
    let page2 = p
        .get("/api/v1/search?q=marmalade&page=3&limit=10")
        .await
        .json();
    assert_eq!(page2["items"].as_array().unwrap().len(), 5);
    assert!(page2["next"].is_null());
}

#[tokio::test]
async fn api_errors_are_json_with_the_right_status() {
    let p = portal(Some(BASE)).await;
    for (path, status, code) in [
        ("/api/v1/articles/999999", 404, "not_found"),
        ("/api/v1/articles/abc", 400, "bad_parameter"),
        ("/api/v1/articles?limit=0", 400, "bad_parameter"),
        ("/api/v1/articles?limit=101", 400, "bad_parameter"),
        ("/api/v1/articles?limit=ten", 400, "bad_parameter"),
        ("/api/v1/articles?cursor=bogus", 400, "bad_cursor"),
        ("/api/v1/articles?section=nosuch", 400, "unknown_section"),
        ("/api/v1/articles?limit=1&limit=2", 400, "bad_parameter"),
        ("/api/v1/search", 400, "bad_parameter"),
        ("/api/v1/search?q=x&page=0", 400, "bad_parameter"),
        ("/api/v1/search?q=x&page=1000", 400, "bad_parameter"),
        ("/api/v1/search?q=x&cursor=bogus", 400, "bad_cursor"),
        ("/api/v1/nothing", 404, "not_found"),
        ("/api/v1", 404, "not_found"),
    ] {
        let reply = p.get(path).await;
        assert_eq!(reply.status.as_u16(), status, "{path}: {}", reply.body);
        assert_eq!(reply.content_type(), "application/json", "{path}");
        let body = reply.json();
        assert_eq!(body["code"], code, "{path}");
        assert!(body["message"].as_str().is_some_and(|m| !m.is_empty()));
        assert_eq!(
            body.as_object().unwrap().len(),
            2,
            "{path}: {{code, message}}"
        );
    }
    // An article cursor is refused by search and vice versa.
    let page = p.get("/api/v1/articles?limit=1").await.json();
    let cursor = page["next_cursor"].as_str().unwrap();
    let reply = p.get(&format!("/api/v1/search?q=x&cursor={cursor}")).await;
    assert_eq!(reply.json()["code"], "bad_cursor");

    let post = p
        .app
        .clone()
        .oneshot(
            Request::post("/api/v1/articles")
                .body(Body::empty())
                .unwrap(),
        )
        .await
        .unwrap();
    assert_eq!(post.status(), 405);
    assert_eq!(post.headers()["content-type"], "application/json");
}

#[tokio::test]
async fn openapi_document_lists_every_endpoint() {
    let p = portal(Some(BASE)).await;
    let reply = p.get("/api/v1/openapi.json").await;
    assert_eq!(reply.status, 200);
    assert_eq!(reply.content_type(), "application/json");
    let doc = reply.json();
    assert!(doc["openapi"].as_str().unwrap().starts_with("3.1"));
    let paths: HashSet<&str> = doc["paths"]
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    let expected: HashSet<&str> = [
        "/api/v1/articles",
        "/api/v1/articles/{id}",
        "/api/v1/articles/{id}/comments",
        "/api/v1/stories",
        "/api/v1/stories/{id}",
        "/api/v1/sections",
        "/api/v1/sources",
        "/api/v1/search",
        "/api/v1/openapi.json",
    ]
    .into();
    assert_eq!(paths, expected);
    for path in &expected {
        // Every documented endpoint answers (with a placeholder id).
        let concrete = path.replace("{id}", "1").replace("/search", "/search?q=x");
        let status = p.get(&concrete).await.status;
        // This corpus is not clustered: there is no story 1 (see stories_api.rs).
        let expected = if *path == "/api/v1/stories/{id}" {
            404
        } else {
            200
        };
        assert!(status == expected, "{concrete}: {status}");
        assert!(doc["paths"][path]["get"]["responses"]["200"].is_object());
    }
    let schemas = doc["components"]["schemas"].as_object().unwrap();
    for name in [
        "ArticleList",
        "Article",
        "ErrorBody",
        "SearchResults",
        "SourceList",
        "SectionList",
        "CommentList",
        "CommentIn",
        "CommentCreated",
        "CommentRefused",
    ] {
        assert!(schemas.contains_key(name), "{name}");
    }
    let params: Vec<&str> = doc["paths"]["/api/v1/search"]["get"]["parameters"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["name"].as_str().unwrap())
        .collect();
    assert_eq!(params, ["q", "section", "page", "cursor", "limit"]);
}
