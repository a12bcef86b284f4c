//! What admins change while the portal runs: the sections (names and order) and the
//! site settings (name, tagline) stored in the store, which override the
//! configuration. Every request sees one consistent snapshot. A change made on this
//! node shows at once (the admin handler reloads); one made on another node sharing
//! the store shows within [`REFRESH`], when a request finds the snapshot stale.

use crate::config::SiteConfig;
use crate::state::AppState;
use herald_store::{SectionRow, Store, StoreResult};
use std::sync::{Arc, Mutex, PoisonError, RwLock};
use std::time::{Duration, Instant};

/// The settings key of the site name that overrides `[site] name`.
pub(crate) const SITE_NAME: &str = "site.name";
/// The settings key of the tagline that overrides `[site] tagline`.
pub(crate) const SITE_TAGLINE: &str = "site.tagline";

/// How old a snapshot may grow before a request reloads it from the store: changes
/// made on other nodes show within this time.
pub(crate) const REFRESH: Duration = Duration::from_secs(10);

/// The current sections and site settings, shared by every request.
pub(crate) struct Live {
    /// The site as configured: what a setting that is unset (or empty) falls back to.
    configured: Arc<SiteConfig>,
    sections: RwLock<Arc<Vec<SectionRow>>>,
    site: RwLock<Arc<SiteConfig>>,
    /// When the last reload began; `None` before the first, which the first request
    /// makes (so stored settings apply from the start).
    loaded: Mutex<Option<Instant>>,
}

impl Live {
    /// Starts from the state the server was built with.
    pub(crate) fn new(state: &AppState) -> Live {
        Live {
            configured: state.site.clone(),
            sections: RwLock::new(state.sections.clone()),
            site: RwLock::new(state.site.clone()),
            loaded: Mutex::new(None),
        }
    }

    /// The visible sections in navigation order.
    pub(crate) fn sections(&self) -> Arc<Vec<SectionRow>> {
        self.sections
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    /// The site as configured, with the stored settings applied.
    pub(crate) fn site(&self) -> Arc<SiteConfig> {
        self.site
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    /// The site as configured, before any stored setting.
    pub(crate) fn configured(&self) -> &SiteConfig {
        &self.configured
    }

    /// Whether a reload is due; claims it when so, so that one request of many that
    /// arrive together does the reading.
    pub(crate) fn claim_refresh(&self, now: Instant) -> bool {
        let mut loaded = self.loaded.lock().unwrap_or_else(PoisonError::into_inner);
        match *loaded {
            Some(at) if now.duration_since(at) < REFRESH => false,
            _ => {
                *loaded = Some(now);
                true
            }
        }
    }

    /// Reads the sections and site settings from the store and makes them current.
    /// On failure the previous snapshot stays in force.
    pub(crate) async fn reload(&self, store: &dyn Store) -> StoreResult<()> {
        let sections = store.sections().await?;
        let name = store.setting(SITE_NAME).await?;
        let tagline = store.setting(SITE_TAGLINE).await?;
        let site = SiteConfig {
            name: overridden(name, &self.configured.name),
            tagline: overridden(tagline, &self.configured.tagline),
            ..(*self.configured).clone()
        };
        *self
            .sections
            .write()
            .unwrap_or_else(PoisonError::into_inner) = Arc::new(sections);
        *self.site.write().unwrap_or_else(PoisonError::into_inner) = Arc::new(site);
        Ok(())
    }
}

/// A stored setting in force, else the configured value. An empty setting means "as
/// configured", which is how an admin clears an override.
fn overridden(stored: Option<String>, configured: &str) -> String {
    stored
        .filter(|v| !v.trim().is_empty())
        .unwrap_or_else(|| configured.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_request_per_refresh_period_reloads() {
        let live = Live {
            configured: Arc::new(SiteConfig::default()),
            sections: RwLock::new(Arc::new(Vec::new())),
            site: RwLock::new(Arc::new(SiteConfig::default())),
            loaded: Mutex::new(None),
        };
        let start = Instant::now();
        assert!(live.claim_refresh(start), "the first request loads");
        assert!(!live.claim_refresh(start), "the others do not");
        assert!(!live.claim_refresh(start + REFRESH / 2));
        assert!(live.claim_refresh(start + REFRESH));
        assert!(!live.claim_refresh(start + REFRESH));
    }

    #[test]
    fn empty_settings_fall_back_to_the_configuration() {
        assert_eq!(overridden(None, "Herald"), "Herald");
        assert_eq!(overridden(Some("  ".into()), "Herald"), "Herald");
        assert_eq!(
            overridden(Some("Valley News".into()), "Herald"),
            "Valley News"
        );
    }
}
