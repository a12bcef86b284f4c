//! Configuration: defaults < TOML file < `HERALD_*` environment < command-line flags.
//!
//! Environment variables name keys with `__` between levels: `HERALD_DATA_DIR`,
//! `HERALD_WEB__BIND`, `HERALD_SITE__NAME`. Values are read as TOML when they parse as
//! a TOML value (`30`, `true`, `[{slug="news",name="News"}]`) and as text otherwise.
//! Unknown keys are errors wherever they come from, so a typo never silently does
//! nothing.

use anyhow::{bail, Context, Result};
use herald_fetch::FetchConfig;
use herald_ingest::IngestConfig;
use herald_types::{default_sections, Section};
use herald_web::{SiteConfig, WebConfig};
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};

/// The complete, commented example printed by `herald config --print-defaults`.
/// A test checks that it parses to exactly [`Config::default`].
pub const EXAMPLE: &str = include_str!("../config.example.toml");

/// Environment variables with these prefixes belong to tests and benchmarks, not to
/// the portal's configuration.
const RESERVED_ENV_PREFIXES: &[&str] = &["HERALD_TEST_", "HERALD_BENCH_", "HERALD_LOG"];

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Config {
    pub data_dir: PathBuf,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub store: Option<String>,
    pub site: SiteConfig,
    pub sections: Vec<Section>,
    pub web: WebConfig,
    pub search: SearchConfig,
    pub import: ImportConfig,
    pub ingest: IngestConfig,
    pub fetch: FetchConfig,
    pub comments: herald_comments::Policy,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            data_dir: PathBuf::from("./herald-data"),
            store: None,
            site: SiteConfig::default(),
            sections: default_sections(),
            web: WebConfig::default(),
            search: SearchConfig::default(),
            import: ImportConfig::default(),
            ingest: IngestConfig::default(),
            fetch: FetchConfig::default(),
            comments: herald_comments::Policy::default(),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct SearchConfig {
    /// Memory the index writer may buffer before flushing a segment, in MiB.
    pub writer_memory_mb: usize,
}

impl Default for SearchConfig {
    fn default() -> Self {
        SearchConfig {
            writer_memory_mb: 128,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ImportConfig {
    /// Articles per store transaction.
    pub batch_size: usize,
    /// Section for imported articles with no section or an unknown one.
    pub default_section: String,
}

impl Default for ImportConfig {
    fn default() -> Self {
        ImportConfig {
            batch_size: 1_000,
            default_section: "news".into(),
        }
    }
}

/// Which backend a store URL names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StoreLocation {
    /// An embedded store file.
    Sqlite(PathBuf),
    /// A PostgreSQL connection URL (may carry a password: print with `Display`).
    Postgres(String),
}

impl StoreLocation {
    /// Reads a store URL: `sqlite:PATH` or `postgres://…`.
    pub fn parse(url: &str) -> Result<StoreLocation> {
        if let Some(path) = url
            .strip_prefix("sqlite://")
            .or_else(|| url.strip_prefix("sqlite:"))
        {
            if path.is_empty() {
                bail!("store URL {url:?} names no file");
            }
            return Ok(StoreLocation::Sqlite(PathBuf::from(path)));
        }
        let scheme = url.split(':').next().unwrap_or("");
        match scheme {
            "postgres" | "postgresql" => Ok(StoreLocation::Postgres(url.to_string())),
            _ => bail!(
                "store URL {:?}: unknown scheme {scheme:?} (expected sqlite:PATH or postgres://…)",
                redact(url)
            ),
        }
    }
}

/// Names the store without its password, for messages and logs.
impl std::fmt::Display for StoreLocation {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            StoreLocation::Sqlite(path) => write!(f, "sqlite:{}", path.display()),
            StoreLocation::Postgres(url) => f.write_str(&redact(url)),
        }
    }
}

impl Config {
    /// Merges the file (if any) and the environment over the defaults.
    pub fn load(
        file: Option<&Path>,
        env: impl IntoIterator<Item = (String, String)>,
    ) -> Result<Config> {
        let mut merged = toml::Table::new();
        if let Some(path) = file {
            let text = std::fs::read_to_string(path)
                .with_context(|| format!("reading configuration file {}", path.display()))?;
            merged = toml::from_str(&text)
                .with_context(|| format!("parsing configuration file {}", path.display()))?;
        }
        for (name, value) in env {
            let Some(key) = name.strip_prefix("HERALD_") else {
                continue;
            };
            if RESERVED_ENV_PREFIXES.iter().any(|p| name.starts_with(p)) {
                continue;
            }
            let path: Vec<String> = key.split("__").map(|k| k.to_ascii_lowercase()).collect();
            if path.iter().any(String::is_empty) {
                bail!("environment variable {name}: empty key segment");
            }
            set_path(&mut merged, &path, env_value(&value))
                .with_context(|| format!("environment variable {name}"))?;
        }
        let config: Config = toml::Value::Table(merged)
            .try_into()
            .context("invalid configuration (file or HERALD_* environment)")?;
        config.validate()?;
        Ok(config)
    }

    fn validate(&self) -> Result<()> {
        if self.sections.is_empty() {
            bail!("configuration: at least one section is needed");
        }
        let mut seen = std::collections::HashSet::new();
        for s in &self.sections {
            Section::new(&s.slug, &s.name).context("configuration: [[sections]]")?;
            if !seen.insert(&s.slug) {
                bail!("configuration: section {:?} is listed twice", s.slug);
            }
        }
        if self.web.page_size == 0 || self.web.page_size > 200 {
            bail!("configuration: web.page_size must be between 1 and 200");
        }
        if !self
            .sections
            .iter()
            .any(|s| s.slug == self.import.default_section)
        {
            bail!(
                "configuration: import.default_section {:?} is not one of the sections",
                self.import.default_section
            );
        }
        Ok(())
    }

    /// Where the store lives, from `store` or the data directory.
    pub fn store_location(&self) -> Result<StoreLocation> {
        match self.store.as_deref() {
            None => Ok(StoreLocation::Sqlite(self.data_dir.join("herald.db"))),
            Some(url) => StoreLocation::parse(url),
        }
    }

    /// The search index directory.
    pub fn index_dir(&self) -> PathBuf {
        self.data_dir.join("index")
    }
}

/// Hides a password in a URL before it reaches an error message or a log.
fn redact(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(s), Some(at)) if at > s => format!("{}://***@{}", &url[..s], &url[at + 1..]),
        _ => url.to_string(),
    }
}

fn env_value(raw: &str) -> toml::Value {
    let doc = format!("v = {raw}");
    match toml::from_str::<toml::Table>(&doc) {
        Ok(mut t) => t
            .remove("v")
            .unwrap_or_else(|| toml::Value::String(raw.into())),
        Err(_) => toml::Value::String(raw.into()),
    }
}

fn set_path(table: &mut toml::Table, path: &[String], value: toml::Value) -> Result<()> {
    let Some((last, parents)) = path.split_last() else {
        return Ok(());
    };
    let mut current = table;
    for key in parents {
        let entry = current
            .entry(key.clone())
            .or_insert_with(|| toml::Value::Table(toml::Table::new()));
        current = match entry {
            toml::Value::Table(t) => t,
            _ => bail!("{key} is not a table"),
        };
    }
    current.insert(last.clone(), value);
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn example_is_complete_and_matches_defaults() {
        let example: toml::Value = toml::from_str(EXAMPLE).unwrap();
        let defaults = toml::Value::try_from(Config::default()).unwrap();
        assert_eq!(
            example, defaults,
            "config.example.toml is stale: regenerate it from Config::default()"
        );
    }

    #[test]
    fn precedence_is_file_then_env() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("herald.toml");
        std::fs::write(
            &file,
            "data_dir = \"/from/file\"\n[web]\nbind = \"0.0.0.0:1\"\npage_size = 7\n",
        )
        .unwrap();
        let config = Config::load(
            Some(&file),
            env(&[
                ("HERALD_WEB__BIND", "127.0.0.1:9"),
                ("HERALD_SITE__NAME", "Chicago News & Search"),
            ]),
        )
        .unwrap();
        assert_eq!(config.data_dir, PathBuf::from("/from/file"));
        assert_eq!(config.web.bind, "127.0.0.1:9", "env beats file");
        assert_eq!(config.web.page_size, 7, "file beats default");
        assert_eq!(config.site.name, "Chicago News & Search");
        assert_eq!(config.search, SearchConfig::default());
    }

    #[test]
    fn env_values_are_typed() {
        let config = Config::load(
            None,
            env(&[
                ("HERALD_WEB__PAGE_SIZE", "30"),
                (
                    "HERALD_SECTIONS",
                    r#"[{slug="news",name="News"},{slug="sport",name="Sport"}]"#,
                ),
                ("HERALD_TEST_POSTGRES_URL", "ignored"),
                ("PATH", "ignored"),
            ]),
        )
        .unwrap();
        assert_eq!(config.web.page_size, 30);
        assert_eq!(config.sections.len(), 2);
        assert_eq!(config.sections[1].slug, "sport");
    }

    #[test]
    fn unknown_keys_are_errors() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("herald.toml");
        std::fs::write(&file, "[web]\nbnid = \"x\"\n").unwrap();
        let err = format!("{:#}", Config::load(Some(&file), env(&[])).unwrap_err());
        assert!(err.contains("bnid"), "{err}");
        let err = format!(
            "{:#}",
            Config::load(None, env(&[("HERALD_WEB__PORT", "1")])).unwrap_err()
        );
        assert!(err.contains("port"), "{err}");
        assert!(Config::load(None, env(&[("HERALD_COLOUR", "red")])).is_err());
    }

    #[test]
    fn invalid_values_are_errors() {
        assert!(Config::load(None, env(&[("HERALD_WEB__PAGE_SIZE", "zero")])).is_err());
        assert!(Config::load(
            None,
            env(&[("HERALD_SECTIONS", r#"[{slug="Bad Slug",name="x"}]"#)])
        )
        .is_err());
        assert!(Config::load(None, env(&[("HERALD_IMPORT__DEFAULT_SECTION", "nope")])).is_err());
    }

    #[test]
    fn store_urls_pick_the_backend() {
        let mut config = Config::default();
        assert_eq!(
            config.store_location().unwrap(),
            StoreLocation::Sqlite(PathBuf::from("./herald-data/herald.db"))
        );
        config.store = Some("sqlite:/tmp/x.db".into());
        assert_eq!(
            config.store_location().unwrap(),
            StoreLocation::Sqlite(PathBuf::from("/tmp/x.db"))
        );
        config.store = Some("sqlite:///tmp/x.db".into());
        assert_eq!(
            config.store_location().unwrap(),
            StoreLocation::Sqlite(PathBuf::from("/tmp/x.db"))
        );
        config.store = Some("postgres://user:secret@db/herald".into());
        let location = config.store_location().unwrap();
        assert_eq!(
            location,
            StoreLocation::Postgres("postgres://user:secret@db/herald".into())
        );
        assert_eq!(location.to_string(), "postgres://***@db/herald");
        config.store = Some("mysql://x".into());
        assert!(config.store_location().is_err());
    }
}
