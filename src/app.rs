//! Opening Herald's parts from a configuration: the one place that knows every crate.

use crate::config::{Config, StoreLocation};
use anyhow::{Context, Result};
use herald_fetch::FetcherBuilder;
use herald_ingest::jsonl::ImportContext;
use herald_ingest::Poller;
use herald_search::{Indexer, SearchError, SearchIndex};
use herald_store::{SectionRow, Store};
use herald_store_sqlite::SqliteStore;
use herald_types::default_sections;
use std::path::Path;
use std::sync::Arc;

/// An opened portal: store, index and the configuration they came from.
pub struct Herald {
    pub config: Config,
    pub store: Arc<dyn Store>,
    pub index: SearchIndex,
    /// The visible sections, as saved at open.
    pub sections: Vec<SectionRow>,
}

impl Herald {
    /// Opens (creating on first use) the store and the index, and brings the stored
    /// sections in line with the configuration.
    pub async fn open(config: Config) -> Result<Herald> {
        let store = open_store(&config.store_location()?).await?;
        let sections = store
            .sync_sections(&config.sections)
            .await
            .context("saving the configured sections")?;
        let index_dir = config.index_dir();
        let index = SearchIndex::open(&index_dir)
            .with_context(|| format!("opening the search index {}", index_dir.display()))?;
        Ok(Herald {
            config,
            store,
            index,
            sections,
        })
    }

    /// How imports and feeds file articles: the configured sections and the default one.
    pub fn import_context(&self) -> ImportContext {
        ImportContext {
            sections: self.sections.iter().map(|s| s.slug.clone()).collect(),
            default_section: Some(self.config.import.default_section.clone()),
            default_source: None,
        }
    }

    /// A feed poller over this portal's store, with the configured fetcher.
    pub fn poller(&self) -> Result<Poller> {
        let fetcher = FetcherBuilder::new()
            .config(self.config.fetch.clone())
            .build()
            .context("setting up the HTTP fetcher ([fetch] configuration)")?;
        Ok(Poller::new(
            fetcher,
            self.store.clone(),
            self.config.ingest.clone(),
            self.import_context(),
        ))
    }

    /// Brings story clustering up to date, unless a running server does it (it holds
    /// the index writer, which is how a server is recognised).
    pub async fn cluster_stories(&self, server_running: bool) -> Result<u64> {
        if server_running {
            return Ok(0);
        }
        let mut clusterer =
            herald_ingest::Clusterer::open(self.store.as_ref(), herald_dedup::Config::default())
                .await
                .context("starting story clustering")?;
        clusterer
            .catch_up(self.store.as_ref())
            .await
            .context("clustering stories")
    }

    /// Runs an import with story clustering beside it, as a running server clusters
    /// what its feeds bring ([`herald_ingest::cluster_alongside`]); returns the
    /// import's result and how many articles were placed. A running server (it holds
    /// the index writer) clusters for itself, so then only the import runs. A
    /// transaction that PostgreSQL aborts because the import and the clusterer touched
    /// the same articles is run again by whichever side lost. Should clustering still
    /// fail beside the import, it catches up after the import from its last saved
    /// position, so nothing is placed twice or skipped.
    ///
    /// An import that hands its new articles over (`handoff`, given to the import
    /// too) spares the clusterer reading them back.
    pub async fn import_with_stories<T>(
        &self,
        server_running: bool,
        handoff: Option<herald_ingest::Handoff>,
        import: impl std::future::Future<Output = Result<T>>,
    ) -> Result<(T, u64)> {
        if server_running {
            return Ok((import.await?, 0));
        }
        let (imported, clusterer) = herald_ingest::cluster_alongside(
            self.store.clone(),
            herald_dedup::Config::default(),
            handoff,
            import,
        )
        .await;
        let imported = imported?;
        let clustered = match clusterer {
            Ok(clusterer) => clusterer.timings().articles,
            Err(error) => {
                tracing::warn!(target: "ingest::stories", %error, "story clustering beside the import failed; catching up after it");
                self.cluster_stories(false).await?
            }
        };
        Ok((imported, clustered))
    }

    /// Takes the index writer, or `None` when another Herald process holds it (that
    /// process then keeps the index in step with the store).
    pub fn try_indexer(&self) -> Result<Option<Indexer>> {
        let budget = self.config.search.writer_memory_mb.max(16) * 1024 * 1024;
        match self.index.indexer(budget) {
            Ok(indexer) => Ok(Some(indexer)),
            Err(SearchError::Locked(_)) => Ok(None),
            Err(e) => Err(e).context("opening the index writer"),
        }
    }
}

/// Opens (creating and migrating on first use) the store a location names.
pub async fn open_store(location: &StoreLocation) -> Result<Arc<dyn Store>> {
    Ok(match location {
        StoreLocation::Sqlite(path) => Arc::new(
            SqliteStore::open(path)
                .with_context(|| format!("opening the store {}", path.display()))?,
        ),
        StoreLocation::Postgres(url) => Arc::new(
            herald_store_postgres::PgStore::connect(url)
                .await
                .with_context(|| format!("opening the store {location}"))?,
        ),
    })
}

/// A throwaway store and index in `dir` with the default sections, for benchmarks and
/// evaluations that must not touch the operator's data.
pub async fn scratch(dir: &Path) -> Result<(SqliteStore, SearchIndex)> {
    let store = SqliteStore::open(dir.join("herald.db"))?;
    store.sync_sections(&default_sections()).await?;
    let index = SearchIndex::open(dir.join("index"))?;
    Ok((store, index))
}
