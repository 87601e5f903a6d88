//! The `[sessions]` table ([`SessionsConfig`]): the [`TokenIssuer`] of a service that signs its
//! own tokens.

use std::path::Path;
use std::time::Duration;

use serde::Deserialize;

use super::{KeyConfig, VerifierConfig};
use crate::algorithm::Algorithm;
use crate::error::{Error, Result};
use crate::sessions::TokenIssuer;

/// One audience or several.
#[derive(Debug, Clone, Deserialize)]
#[serde(untagged)]
enum Audiences {
    One(String),
    Many(Vec<String>),
}

/// The `[sessions]` table: how this service issues access and refresh tokens
/// ([`crate::sessions`]). Not `[issuer]`, which would collide with `issuers` and
/// `[[providers]] issuer`.
///
/// ```toml
/// [sessions]
/// alg = "ES256"
/// key = { pem_file = "session.key.pem", kid = "s1" }   # any [[keys]] source, one signing key
/// iss = "https://api.example"
/// aud = "api"                  # or a list
/// client_id = "web"            # access tokens' client_id (RFC 9068), optional
/// access_ttl_secs = 900        # default
/// refresh_ttl_secs = 2592000   # default: 30 days
/// fresh_ttl_secs = 300         # optional: fresh until login + 300 s instead of true
/// reuse_grace_secs = 2         # default
/// ```
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
#[non_exhaustive]
pub struct SessionsConfig {
    /// The signing algorithm.
    pub alg: Algorithm,
    /// The signing key: one `[[keys]]`-style table (its `kid` goes into the header).
    pub key: KeyConfig,
    /// `iss` of every token.
    pub iss: String,
    /// `aud` of every token.
    aud: Audiences,
    /// `client_id` of access tokens.
    #[serde(default)]
    pub client_id: Option<String>,
    /// Access token lifetime (default 900).
    #[serde(default)]
    pub access_ttl_secs: Option<u64>,
    /// Refresh token lifetime (default 30 days).
    #[serde(default)]
    pub refresh_ttl_secs: Option<u64>,
    /// Seconds after a login that its access tokens count as fresh (default: `fresh: true`).
    #[serde(default)]
    pub fresh_ttl_secs: Option<u64>,
    /// Reuse grace window (default 2).
    #[serde(default)]
    pub reuse_grace_secs: Option<u64>,
    /// Browser sessions: the `[sessions.cookies]` table
    /// ([`CookieSettings`](crate::sessions::cookies::CookieSettings); default: none, which
    /// [`VerifierConfig::session_cookies`] reads as the defaults).
    #[serde(default)]
    pub cookies: Option<crate::sessions::cookies::CookieSettings>,
}

impl SessionsConfig {
    /// The audiences.
    pub fn audiences(&self) -> Vec<String> {
        match &self.aud {
            Audiences::One(one) => vec![one.clone()],
            Audiences::Many(many) => many.clone(),
        }
    }

    /// The issuer this table describes, with `leeway_secs` (the config's) for its verifiers;
    /// relative key paths resolve against `base_dir`.
    ///
    /// # Errors
    /// [`ErrorKind::InvalidConfig`](crate::ErrorKind::InvalidConfig) naming `sessions.<field>`.
    pub fn issuer_in(&self, base_dir: &Path, leeway_secs: u64) -> Result<TokenIssuer> {
        let keys = self.key.load(base_dir).map_err(|e| match e.into_kind() {
            crate::ErrorKind::InvalidConfig { field, reason } => {
                Error::config(format!("sessions.key.{field}"), reason)
            }
            other => Error::config("sessions.key", other.to_string()),
        })?;
        let key = match <[_; 1]>::try_from(keys) {
            Ok([key]) if key.can_sign() => key,
            _ => {
                return Err(Error::config(
                    "sessions.key",
                    "must be exactly one key that can sign (a private key or an HMAC secret)",
                ));
            }
        };
        let mut builder = TokenIssuer::builder(key, self.alg)
            .issuer(self.iss.clone())
            .leeway(Duration::from_secs(leeway_secs));
        for aud in self.audiences() {
            builder = builder.audience(aud);
        }
        if let Some(client_id) = &self.client_id {
            builder = builder.client_id(client_id.clone());
        }
        if let Some(ttl) = self.access_ttl_secs {
            builder = builder.access_ttl(Duration::from_secs(ttl));
        }
        if let Some(ttl) = self.refresh_ttl_secs {
            builder = builder.refresh_ttl(Duration::from_secs(ttl));
        }
        if let Some(ttl) = self.fresh_ttl_secs {
            builder = builder.fresh_ttl(Duration::from_secs(ttl));
        }
        if let Some(grace) = self.reuse_grace_secs {
            builder = builder.reuse_grace(Duration::from_secs(grace));
        }
        builder.build().map_err(|e| match e.kind() {
            crate::ErrorKind::InvalidAlgorithm => {
                Error::config("sessions.alg", "the key cannot sign with this algorithm")
            }
            _ => e,
        })
    }
}

impl VerifierConfig {
    /// The [`TokenIssuer`] of the `[sessions]` table, `None` without one (relative paths against
    /// [`VerifierConfig::resolve_dir`]).
    ///
    /// # Errors
    /// As [`SessionsConfig::issuer_in`].
    pub fn token_issuer(&self) -> Result<Option<TokenIssuer>> {
        let leeway = self.leeway_secs.unwrap_or(crate::DEFAULT_LEEWAY_SECS);
        self.sessions
            .as_ref()
            .map(|s| s.issuer_in(self.resolve_dir(), leeway))
            .transpose()
    }
}
