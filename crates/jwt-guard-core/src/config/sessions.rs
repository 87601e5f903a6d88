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
/// kid = "s1"                   # optional: the header kid
/// pem_file = "session.key.pem" # the signing key, one source as in [[keys]]: secret,
///                              # secret_base64, secret_env, pem_file, pem or jwk
/// iss = "https://api.example"
/// aud = "api"                  # or a list
/// client_id = "web"            # access tokens' client_id (RFC 9068), optional
/// access_ttl_secs = 900        # default
/// refresh_ttl_secs = 2592000   # default: 30 days
/// fresh_ttl_secs = 300         # optional: fresh until login + 300 s instead of true
/// reuse_grace_secs = 2         # default
/// ```
#[derive(Clone, Deserialize)]
#[serde(deny_unknown_fields)]
#[non_exhaustive]
pub struct SessionsConfig {
    /// The signing algorithm.
    pub alg: Algorithm,
    /// The header `kid`.
    #[serde(default)]
    pub kid: Option<String>,
    /// HMAC secret as UTF-8 text.
    #[serde(default)]
    pub secret: Option<String>,
    /// HMAC secret in base64.
    #[serde(default)]
    pub secret_base64: Option<String>,
    /// Name of an environment variable holding the HMAC secret.
    #[serde(default)]
    pub secret_env: Option<String>,
    /// Path of a PEM private key.
    #[serde(default)]
    pub pem_file: Option<std::path::PathBuf>,
    /// Inline PEM private key.
    #[serde(default)]
    pub pem: Option<String>,
    /// An inline private JWK.
    #[serde(default)]
    pub jwk: Option<crate::Jwk>,
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

impl std::fmt::Debug for SessionsConfig {
    /// Secrets redacted (the key source as a `[[keys]]` entry shows it).
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SessionsConfig")
            .field("key", &self.key_config())
            .field("iss", &self.iss)
            .field("aud", &self.aud)
            .field("client_id", &self.client_id)
            .field("access_ttl_secs", &self.access_ttl_secs)
            .field("refresh_ttl_secs", &self.refresh_ttl_secs)
            .field("fresh_ttl_secs", &self.fresh_ttl_secs)
            .field("reuse_grace_secs", &self.reuse_grace_secs)
            .finish()
    }
}

impl SessionsConfig {
    /// The signing key source, as a `[[keys]]` entry (bound to `alg`).
    fn key_config(&self) -> KeyConfig {
        KeyConfig {
            kid: self.kid.clone(),
            alg: Some(self.alg),
            secret: self.secret.clone(),
            secret_base64: self.secret_base64.clone(),
            secret_env: self.secret_env.clone(),
            pem_file: self.pem_file.clone(),
            pem: self.pem.clone(),
            jwk: self.jwk.clone(),
            jwks_file: None,
        }
    }

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
        let keys = self
            .key_config()
            .load(base_dir)
            .map_err(|e| match e.into_kind() {
                crate::ErrorKind::InvalidConfig { field, reason } => {
                    Error::config(format!("sessions.{field}"), reason)
                }
                other => Error::config("sessions", other.to_string()),
            })?;
        let key = match <[_; 1]>::try_from(keys) {
            Ok([key]) if key.can_sign() => key,
            _ => {
                return Err(Error::config(
                    "sessions",
                    "needs exactly one key that can sign (a private key or an HMAC secret)",
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
