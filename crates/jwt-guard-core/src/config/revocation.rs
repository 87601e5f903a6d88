//! The `[revocation]` table ([`RevocationConfig`]): which revocation store the HTTP adapters
//! check every token against.

use std::sync::Arc;

use serde::Deserialize;
use serde::de::IgnoredAny;

use super::VerifierConfig;
use crate::error::{Error, Result};
use crate::revocation::{DEFAULT_MAX_ENTRIES, MemoryStore, RevocationStore};

/// The `[revocation]` table (top level, not per provider):
///
/// ```toml
/// [revocation]
/// memory = true          # the in-memory store of this process
/// max_entries = 100000   # its bound (default 100000); a write beyond it is refused
/// ```
///
/// `redis_url`, `key_prefix`, `max_staleness_secs` and `fail` belong to the Redis store, which
/// is not built yet: giving one is a configuration error naming it. Errors never quote a value.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
#[non_exhaustive]
pub struct RevocationConfig {
    /// Use the in-memory store ([`MemoryStore`]).
    #[serde(default)]
    pub memory: bool,
    /// The bound of the in-memory store (default [`DEFAULT_MAX_ENTRIES`]).
    #[serde(default)]
    pub max_entries: Option<usize>,
    // The Redis store's fields: read (never kept) so that giving one says what is missing.
    #[serde(default)]
    redis_url: Option<IgnoredAny>,
    #[serde(default)]
    key_prefix: Option<IgnoredAny>,
    #[serde(default)]
    max_staleness_secs: Option<IgnoredAny>,
    #[serde(default)]
    fail: Option<IgnoredAny>,
}

impl RevocationConfig {
    /// The in-memory store with `max_entries` (`None`: the default).
    pub fn memory(max_entries: Option<usize>) -> RevocationConfig {
        RevocationConfig {
            memory: true,
            max_entries,
            ..RevocationConfig::default()
        }
    }

    /// The store this table describes.
    ///
    /// # Errors
    /// [`ErrorKind::InvalidConfig`](crate::ErrorKind::InvalidConfig) at `revocation.<field>`:
    /// a Redis field (that store is not built yet), no store chosen, `max_entries` without
    /// `memory = true` or equal to 0.
    pub fn store(&self) -> Result<Arc<dyn RevocationStore>> {
        let redis = [
            ("redis_url", self.redis_url.is_some()),
            ("key_prefix", self.key_prefix.is_some()),
            ("max_staleness_secs", self.max_staleness_secs.is_some()),
            ("fail", self.fail.is_some()),
        ];
        if let Some((name, _)) = redis.iter().find(|(_, given)| *given) {
            return Err(Error::config(
                format!("revocation.{name}"),
                "needs the redis store (not built yet); use memory = true",
            ));
        }
        if !self.memory {
            return Err(Error::config(
                "revocation.memory",
                "no revocation store chosen: set memory = true (or remove the table)",
            ));
        }
        let max_entries = self.max_entries.unwrap_or(DEFAULT_MAX_ENTRIES);
        if max_entries == 0 {
            return Err(Error::config(
                "revocation.max_entries",
                "must be at least 1",
            ));
        }
        Ok(Arc::new(MemoryStore::new(max_entries)))
    }
}

impl VerifierConfig {
    /// The store of the `[revocation]` table, `None` without one.
    pub(crate) fn revocation_store(&self) -> Result<Option<Arc<dyn RevocationStore>>> {
        self.revocation
            .as_ref()
            .map(RevocationConfig::store)
            .transpose()
    }
}
