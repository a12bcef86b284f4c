//! A portal over a real SQLite store and tantivy index in a temporary directory,
//! driven in process through the real router, with an admin session on demand.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

use axum::body::Body;
use axum::http::{HeaderMap, Request, StatusCode};
use axum::Router;
use chrono::{Duration, Utc};
use herald_search::SearchIndex;
use herald_store::{NewArticle, Store, StoryAssignment, StoryBatch};
use herald_store_sqlite::SqliteStore;
use herald_types::default_sections;
use herald_types::{ArticleId, StoryId};
use herald_web::{app, AppState, SiteConfig, WebConfig};
use serde_json::Value;
use std::sync::Arc;
use tower::ServiceExt;

/// The admin session id tests sign in with (its hash is what the store keeps).
pub const SESSION: &str = "test-session-id-0123456789abcdef";

pub struct Portal {
    pub dir: tempfile::TempDir,
    pub app: Router,
    pub store: Arc<SqliteStore>,
    pub index: SearchIndex,
}

pub struct Reply {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: String,
}

impl Reply {
    pub fn header(&self, name: &str) -> &str {
        self.headers
            .get(name)
            .map(|v| v.to_str().unwrap())
            .unwrap_or("")
    }

    pub fn json(&self) -> Value {
        serde_json::from_str(&self.body).unwrap_or_else(|e| panic!("{e}: {}", self.body))
    }

    /// The value of the first `name="token"` hidden field (an admin form's CSRF token).
    pub fn token(&self) -> String {
        let at = self
            .body
            .find("name=\"token\" value=\"")
            .unwrap_or_else(|| panic!("no token in {}", self.body));
        let rest = &self.body[at + "name=\"token\" value=\"".len()..];
        rest[..rest.find('"').unwrap()].to_string()
    }
}

/// An article in `section` from `source`, published `minutes_ago`.
pub fn article(n: usize, section: &str, source: &str, minutes_ago: i64, title: &str) -> NewArticle {
    NewArticle {
        identity: format!("guid:test:{n}"),
        url: Some(format!("https://origin.example/{n}")),
        source: Some(source.into()),
        section: Some(section.into()),
        category: None,
        title: title.into(),
        author: None,
        published: Some(Utc::now() - Duration::minutes(minutes_ago)),
        lang: Some("en".into()),
        summary: Some(format!("Summary of item {n}")),
        body_text: format!("Body of item {n}. The marmalade quorum met."),
        body_html: format!("<p>Body of item {n}. The marmalade quorum met.</p>"),
    }
}

impl Portal {
    /// A portal holding `articles`, indexed.
    pub async fn new(articles: Vec<NewArticle>) -> Portal {
        let dir = tempfile::tempdir().unwrap();
        let store = Arc::new(SqliteStore::open(dir.path().join("herald.db")).unwrap());
        let sections = store.sync_sections(&default_sections()).await.unwrap();
        if !articles.is_empty() {
            store.upsert_articles(articles).await.unwrap();
        }
        let index = SearchIndex::open(dir.path().join("index")).unwrap();
        let state = AppState {
            store: store.clone(),
            index: index.clone(),
            site: Arc::new(SiteConfig {
                name: "Riverton News".into(),
                tagline: "All the news from the valley".into(),
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
        let portal = Portal {
            dir,
            app: app(state),
            store,
            index,
        };
        portal.reindex().await;
        portal
    }

    /// Brings the index up to date with the store, as the server's indexer does.
    pub async fn reindex(&self) {
        let mut indexer = self.index.indexer(50_000_000).unwrap();
        indexer.catch_up(self.store.as_ref()).await.unwrap();
        drop(indexer);
        self.index.refresh().unwrap();
    }

    /// Creates the account `editor` with a live session [`SESSION`].
    pub async fn admin(&self) {
        let user = self.store.add_user("editor", "not-a-hash").await.unwrap();
        self.store
            .create_session(
                &herald_comments::session_key(SESSION),
                user,
                Utc::now() + Duration::hours(1),
            )
            .await
            .unwrap();
    }

    pub async fn send(&self, request: Request<Body>) -> Reply {
        let response = self.app.clone().oneshot(request).await.unwrap();
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

    pub async fn get(&self, path: &str) -> Reply {
        self.send(
            Request::get(path)
                .header("host", "portal.test")
                .body(Body::empty())
                .unwrap(),
        )
        .await
    }

    /// A GET with the admin session cookie.
    pub async fn admin_get(&self, path: &str) -> Reply {
        self.send(
            Request::get(path)
                .header("host", "portal.test")
                .header("cookie", format!("herald_session={SESSION}"))
                .body(Body::empty())
                .unwrap(),
        )
        .await
    }

    /// A form POST with the admin session cookie.
    pub async fn admin_post(&self, path: &str, form: &[(&str, &str)]) -> Reply {
        let body = url::form_urlencoded::Serializer::new(String::new())
            .extend_pairs(form)
            .finish();
        self.send(
            Request::post(path)
                .header("host", "portal.test")
                .header("cookie", format!("herald_session={SESSION}"))
                .header("content-type", "application/x-www-form-urlencoded")
                .body(Body::from(body))
                .unwrap(),
        )
        .await
    }
}

/// Six articles: a three-source story (1, 2, 3 with 3 a copy of 1), a two-article
/// story (4, 5) that absorbed the story of article 6, and nothing else.
pub async fn story_portal() -> Portal {
    let p = Portal::new(vec![
        article(1, "news", "Ledger", 300, "Bridge closes for repairs"),
        article(2, "news", "Courier", 240, "Bridge closure begins"),
        article(
            3,
            "news",
            "Wire & Co",
            200,
            "Bridge closes for repairs (wire)",
        ),
        article(4, "books", "Ledger", 100, "Prize shortlist announced"),
        article(5, "books", "Courier", 50, "Shortlist: six novels"),
        article(6, "books", "Herald Wire", 120, "Six novels in the running"),
    ])
    .await;
    let assign = |a: i64, s: i64, dup: Option<i64>| StoryAssignment {
        article: ArticleId(a),
        story: StoryId(s),
        duplicate_of: dup.map(ArticleId),
    };
    p.store
        .apply_story_batch(StoryBatch {
            assignments: vec![
                assign(1, 1, None),
                assign(2, 1, None),
                assign(3, 1, Some(1)),
                assign(6, 6, None),
                assign(4, 4, None),
                assign(5, 4, None),
            ],
            merges: vec![(StoryId(6), StoryId(4))],
            titles: vec![(StoryId(1), "Bridge closes for repairs".into())],
            applied_seq: 6,
        })
        .await
        .unwrap();
    p
}
