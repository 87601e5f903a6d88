//! The `[remote]` table ([`RemoteConfig`]) and the remote key sources a config creates.

#[cfg(feature = "remote")]
use std::fmt;

use serde::Deserialize;

#[cfg(feature = "remote")]
use super::field;
use crate::algorithm::{Algorithm, AlgorithmSet, KeyFamily};
use crate::error::{Error, Result};
use crate::redirect::RedirectPolicy;

/// The `[remote]` table: how a remote JWK Set is fetched and cached. Every field is optional;
/// the defaults are those of `jwt_guard_core::remote::RemoteJwks` (feature `remote`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
#[non_exhaustive]
pub struct RemoteConfig {
    /// Allow plain `http` to any host (default: only to loopback addresses).
    #[serde(default)]
    pub allow_http: Option<bool>,
    /// Which redirects to follow: `"none"` (default) or `"same-origin"` (same scheme, host and
    /// port; never `https` to `http`).
    #[serde(default)]
    pub redirects: Option<RedirectPolicy>,
    /// Timeout of each HTTP request, in seconds (default 5).
    #[serde(default)]
    pub timeout_secs: Option<u64>,
    /// Largest accepted response body, in bytes (default 1048576).
    #[serde(default)]
    pub max_body_bytes: Option<usize>,
    /// Key lifetime without `Cache-Control: max-age`, in seconds (default 600).
    #[serde(default)]
    pub ttl_secs: Option<u64>,
    /// Shortest lifetime `Cache-Control` can set, in seconds (default 60).
    #[serde(default)]
    pub min_ttl_secs: Option<u64>,
    /// Longest lifetime `Cache-Control` can set, in seconds (default 86400).
    #[serde(default)]
    pub max_ttl_secs: Option<u64>,
    /// Minimum time between two fetches, in seconds (default 30).
    #[serde(default)]
    pub cooldown_secs: Option<u64>,
    /// How long past their lifetime the last good keys serve while refreshes fail, in seconds
    /// (default 86400).
    #[serde(default)]
    pub max_stale_secs: Option<u64>,
}

/// The algorithms a remote key set allows when the config names none: every asymmetric one
/// (each key still serves only the algorithms of its own type and `alg`); never HMAC.
pub(super) fn remote_default_algorithms() -> AlgorithmSet {
    Algorithm::ALL
        .into_iter()
        .filter(|alg| alg.family() != KeyFamily::Hmac)
        .collect()
}

#[cfg(feature = "remote")]
pub(super) type RemoteSource = crate::remote::RemoteJwks;

/// Without the `remote` feature no remote source can exist.
#[cfg(not(feature = "remote"))]
#[derive(Debug)]
pub(super) enum RemoteSource {}

/// The remote sources a config created, with the field that named each (for eager loading).
pub(super) type Remotes = Vec<(String, RemoteSource)>;

#[cfg_attr(not(feature = "remote"), allow(dead_code))]
pub(super) enum RemoteLocation<'a> {
    Jwks(&'a str),
    Issuer(&'a str),
}

#[cfg(feature = "remote")]
pub(super) fn remote_source(
    location: RemoteLocation<'_>,
    location_field: &str,
    settings: &RemoteConfig,
    settings_prefix: &str,
) -> Result<RemoteSource> {
    use crate::remote::RemoteJwks;
    use std::time::Duration;
    let mut builder = match location {
        RemoteLocation::Jwks(url) => RemoteJwks::builder(url),
        RemoteLocation::Issuer(issuer) => RemoteJwks::discover(issuer),
    };
    let secs = Duration::from_secs;
    if let Some(allow) = settings.allow_http {
        builder = builder.allow_http(allow);
    }
    if let Some(policy) = settings.redirects {
        builder = builder.redirects(policy);
    }
    if let Some(t) = settings.timeout_secs {
        builder = builder.timeout(secs(t));
    }
    if let Some(max) = settings.max_body_bytes {
        builder = builder.max_body_bytes(max);
    }
    if let Some(t) = settings.ttl_secs {
        builder = builder.ttl(secs(t));
    }
    if let Some(t) = settings.min_ttl_secs {
        builder = builder.min_ttl(secs(t));
    }
    if let Some(t) = settings.max_ttl_secs {
        builder = builder.max_ttl(secs(t));
    }
    if let Some(t) = settings.cooldown_secs {
        builder = builder.cooldown(secs(t));
    }
    if let Some(t) = settings.max_stale_secs {
        builder = builder.max_stale(secs(t));
    }
    builder.build().map_err(|e| match e.into_kind() {
        crate::ErrorKind::InvalidConfig {
            field: name,
            reason,
        } => {
            let name = match name.as_ref() {
                "jwks_url" | "oidc_issuer" => location_field.to_owned(),
                "max_body_bytes" => field(settings_prefix, "max_body_bytes"),
                "client" => settings_prefix.to_owned(),
                other => field(settings_prefix, &format!("{other}_secs")),
            };
            Error::config(name, reason)
        }
        kind => Error::new(kind),
    })
}

#[cfg(not(feature = "remote"))]
pub(super) fn remote_source(
    _location: RemoteLocation<'_>,
    location_field: &str,
    _settings: &RemoteConfig,
    _settings_prefix: &str,
) -> Result<RemoteSource> {
    Err(Error::config(
        location_field.to_owned(),
        "a remote key set needs the `remote` cargo feature (of jwt-guard-core, or of jwt-guard)",
    ))
}

#[cfg(feature = "remote")]
pub(super) fn remote_key_source(
    source: &RemoteSource,
) -> std::sync::Arc<dyn crate::verifier::KeySource> {
    std::sync::Arc::new(source.clone())
}

#[cfg(not(feature = "remote"))]
pub(super) fn remote_key_source(
    source: &RemoteSource,
) -> std::sync::Arc<dyn crate::verifier::KeySource> {
    match *source {}
}

/// Which remote key set failed to load, and why (the source of the `key_unavailable` error of
/// `VerifierConfig::load`).
#[cfg(feature = "remote")]
#[derive(Debug)]
pub(super) struct LoadError {
    pub(super) field: String,
    pub(super) source: Error,
}

#[cfg(feature = "remote")]
impl fmt::Display for LoadError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "cannot load the key set of `{}`", self.field)
    }
}

#[cfg(feature = "remote")]
impl std::error::Error for LoadError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        // Why the fetch failed (the `key_unavailable` wrapper around it would repeat itself).
        std::error::Error::source(&self.source).or(Some(&self.source))
    }
}
