//! The `[revocation]` table ([`RevocationConfig`]): which revocation store the HTTP adapters
//! check every token against.

use std::fmt;
use std::sync::Arc;

use serde::Deserialize;

use super::VerifierConfig;
use crate::error::{Error, Result};
use crate::revocation::{DEFAULT_MAX_ENTRIES, FailMode, MemoryStore, RevocationStore};

/// The `[revocation]` table (top level, not per provider). One store, either in this
/// process's memory:
///
/// ```toml
/// [revocation]
/// memory = true          # the in-memory store of this process
/// max_entries = 100000   # its bound (default 100000); a write beyond it is refused
/// ```
///
/// or shared by every instance through Redis (feature `redis` of `jwt-guard-core`):
///
/// ```toml
/// [revocation]
/// redis_url = "redis://127.0.0.1:6379/0"
/// key_prefix = "jwt-guard:"    # default
/// max_staleness_secs = 5       # default: a replica that has not heard from Redis for longer fails
/// fail = "closed"              # default: 503 + Retry-After while stale; "open" lets tokens pass
/// ```
///
/// Errors never quote a value; `Debug` never shows the URL (it may hold a password).
#[derive(Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
#[non_exhaustive]
pub struct RevocationConfig {
    /// Use the in-memory store ([`MemoryStore`]).
    #[serde(default)]
    pub memory: bool,
    /// The bound of the in-memory store (default [`DEFAULT_MAX_ENTRIES`]).
    #[serde(default)]
    pub max_entries: Option<usize>,
    /// Use the Redis store at this URL (`redis://[user:password@]host[:port][/db]`).
    #[serde(default)]
    pub redis_url: Option<String>,
    /// The prefix of every Redis key (default `jwt-guard:`).
    #[serde(default)]
    pub key_prefix: Option<String>,
    /// How long the local replica may go without hearing from Redis (default 5, at least 1).
    #[serde(default)]
    pub max_staleness_secs: Option<u64>,
    /// What a stale replica does (default `closed`).
    #[serde(default)]
    pub fail: Option<FailMode>,
}

impl fmt::Debug for RevocationConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RevocationConfig")
            .field("memory", &self.memory)
            .field("max_entries", &self.max_entries)
            .field("redis_url", &self.redis_url.as_ref().map(|_| "<redacted>"))
            .field("key_prefix", &self.key_prefix)
            .field("max_staleness_secs", &self.max_staleness_secs)
            .field("fail", &self.fail)
            .finish()
    }
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

    /// The Redis store at `url`, with the defaults for the other keys.
    pub fn redis(url: impl Into<String>) -> RevocationConfig {
        RevocationConfig {
            redis_url: Some(url.into()),
            ..RevocationConfig::default()
        }
    }

    /// Checks the table without starting a store.
    ///
    /// # Errors
    /// As [`RevocationConfig::store`].
    pub fn check(&self) -> Result<()> {
        let redis_only = [
            ("key_prefix", self.key_prefix.is_some()),
            ("max_staleness_secs", self.max_staleness_secs.is_some()),
            ("fail", self.fail.is_some()),
        ];
        match (&self.redis_url, self.memory) {
            (Some(_), true) => Err(Error::config(
                "revocation.memory",
                "choose one store: memory = true or redis_url, not both",
            )),
            (Some(_), false) => {
                if self.max_entries.is_some() {
                    return Err(Error::config(
                        "revocation.max_entries",
                        "belongs to the memory store (the Redis store holds what Redis holds)",
                    ));
                }
                if self.max_staleness_secs == Some(0) {
                    return Err(Error::config(
                        "revocation.max_staleness_secs",
                        "must be at least 1",
                    ));
                }
                if !cfg!(feature = "redis") {
                    return Err(Error::config(
                        "revocation.redis_url",
                        "needs the `redis` feature of jwt-guard-core (or jwt-guard)",
                    ));
                }
                Ok(())
            }
            (None, memory) => {
                if let Some((name, _)) = redis_only.iter().find(|(_, given)| *given) {
                    return Err(Error::config(
                        format!("revocation.{name}"),
                        "belongs to the Redis store: set redis_url",
                    ));
                }
                if !memory {
                    return Err(Error::config(
                        "revocation.memory",
                        "no revocation store chosen: set memory = true or redis_url (or remove the table)",
                    ));
                }
                if self.max_entries == Some(0) {
                    return Err(Error::config(
                        "revocation.max_entries",
                        "must be at least 1",
                    ));
                }
                Ok(())
            }
        }
    }

    /// The store this table describes. A Redis store starts its background thread here (it
    /// connects and loads in the background: until then requests fail closed, or pass with
    /// `fail = "open"`).
    ///
    /// # Errors
    /// [`ErrorKind::InvalidConfig`](crate::ErrorKind::InvalidConfig) at `revocation.<field>`:
    /// no store or two chosen, a key of the other store, `max_entries` or
    /// `max_staleness_secs` of 0, `redis_url` without the `redis` feature or not a Redis URL.
    pub fn store(&self) -> Result<Arc<dyn RevocationStore>> {
        self.check()?;
        match &self.redis_url {
            Some(url) => self.redis_store(url),
            None => Ok(Arc::new(MemoryStore::new(
                self.max_entries.unwrap_or(DEFAULT_MAX_ENTRIES),
            ))),
        }
    }

    #[cfg(feature = "redis")]
    fn redis_store(&self, url: &str) -> Result<Arc<dyn RevocationStore>> {
        Ok(Arc::new(crate::revocation::RedisStore::new(
            self.redis_options(url),
        )?))
    }

    #[cfg(not(feature = "redis"))]
    fn redis_store(&self, _url: &str) -> Result<Arc<dyn RevocationStore>> {
        // `check` refused it already.
        Err(Error::config(
            "revocation.redis_url",
            "needs the `redis` feature of jwt-guard-core (or jwt-guard)",
        ))
    }

    /// The Redis options of this table (with `url`).
    #[cfg(feature = "redis")]
    #[cfg_attr(docsrs, doc(cfg(feature = "redis")))]
    pub fn redis_options(&self, url: &str) -> crate::revocation::RedisOptions {
        use crate::revocation::RedisOptions;
        let mut options = RedisOptions::new(url);
        if let Some(prefix) = &self.key_prefix {
            options = options.key_prefix(prefix.clone());
        }
        if let Some(secs) = self.max_staleness_secs {
            options = options.max_staleness(std::time::Duration::from_secs(secs));
        }
        options.fail(self.fail.unwrap_or_default())
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
