//! [`VerifierConfig`]: a serde-deserializable description of a [`Verifier`] (use TOML, JSON,
//! YAML, ...), with errors that name the field at fault.

use std::fmt;
use std::path::{Path, PathBuf};
use std::time::Duration;

use serde::Deserialize;

use crate::algorithm::Algorithm;
use crate::error::{Error, Result};
use crate::http::TokenLocations;
use crate::jwk::Jwk;
use crate::key::{Key, KeySet};
use crate::verifier::{Verifier, VerifierBuilder};

/// Verifier settings as a config file gives them.
///
/// ```
/// # fn main() -> Result<(), Box<dyn std::error::Error>> {
/// let config: jwt_guard_core::VerifierConfig = serde_json::from_str(r#"{
///     "algorithms": ["HS256"],
///     "issuers": ["https://issuer.example"],
///     "keys": [{"kid": "k1", "secret": "an example secret of 32 bytes..!"}]
/// }"#)?;
/// let verifier = config.build()?;
/// # let _ = verifier; Ok(()) }
/// ```
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
#[non_exhaustive]
pub struct VerifierConfig {
    /// Allowed algorithms (required, non-empty; `none` is refused).
    #[serde(default)]
    pub algorithms: Vec<Algorithm>,
    /// Accepted issuers.
    #[serde(default)]
    pub issuers: Vec<String>,
    /// Accepted audiences.
    #[serde(default)]
    pub audiences: Vec<String>,
    /// Explicit opt-out of the audience check.
    #[serde(default)]
    pub skip_audience_check: bool,
    /// Required exact `sub`.
    #[serde(default)]
    pub subject: Option<String>,
    /// Leeway in seconds (default 60).
    #[serde(default)]
    pub leeway_secs: Option<u64>,
    /// Whether `exp` is required (default `true`).
    #[serde(default)]
    pub require_exp: Option<bool>,
    /// Claims that must be present.
    #[serde(default)]
    pub required_claims: Vec<String>,
    /// Required header `typ`.
    #[serde(default)]
    pub typ: Option<String>,
    /// Maximum age from `iat`, in seconds.
    #[serde(default)]
    pub max_age_secs: Option<u64>,
    /// Maximum token length in bytes (default 16384).
    #[serde(default)]
    pub max_token_bytes: Option<usize>,
    /// `crit` header names the application understands.
    #[serde(default)]
    pub critical_extensions: Vec<String>,
    /// The keys.
    #[serde(default)]
    pub keys: Vec<KeyConfig>,
    /// Where HTTP requests carry the token (the `[token]` table; default: the
    /// `Authorization: Bearer` header). Read by the HTTP adapters, not by [`Verifier`].
    #[serde(default)]
    pub token: TokenLocations,
}

/// One `[[keys]]` entry: optional `kid` and `alg`, plus exactly one source.
#[derive(Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
#[non_exhaustive]
pub struct KeyConfig {
    /// Key id (not allowed with `jwks_file`, whose keys carry their own).
    #[serde(default)]
    pub kid: Option<String>,
    /// Binds the key to this one algorithm.
    #[serde(default)]
    pub alg: Option<Algorithm>,
    /// HMAC secret as UTF-8 text.
    #[serde(default)]
    pub secret: Option<String>,
    /// HMAC secret in base64.
    #[serde(default)]
    pub secret_base64: Option<String>,
    /// Name of an environment variable holding the HMAC secret.
    #[serde(default)]
    pub secret_env: Option<String>,
    /// Path of a PEM file (public key, private key or certificate).
    #[serde(default)]
    pub pem_file: Option<PathBuf>,
    /// Inline PEM text.
    #[serde(default)]
    pub pem: Option<String>,
    /// An inline JWK object.
    #[serde(default)]
    pub jwk: Option<Jwk>,
    /// Path of a JWK Set file.
    #[serde(default)]
    pub jwks_file: Option<PathBuf>,
}

impl fmt::Debug for KeyConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let redacted = |o: &Option<String>| o.as_ref().map(|_| "[redacted]");
        f.debug_struct("KeyConfig")
            .field("kid", &self.kid)
            .field("alg", &self.alg)
            .field("secret", &redacted(&self.secret))
            .field("secret_base64", &redacted(&self.secret_base64))
            .field("secret_env", &self.secret_env)
            .field("pem_file", &self.pem_file)
            .field("pem", &redacted(&self.pem))
            .field("jwk", &self.jwk)
            .field("jwks_file", &self.jwks_file)
            .finish()
    }
}

impl KeyConfig {
    /// Loads the key(s) this entry describes; relative paths are resolved against `base_dir`.
    ///
    /// # Errors
    /// [`crate::ErrorKind::InvalidConfig`] naming the field (`keys[i].pem_file`, ...).
    pub fn load(&self, base_dir: &Path) -> Result<Vec<Key>> {
        let sources = [
            self.secret.is_some(),
            self.secret_base64.is_some(),
            self.secret_env.is_some(),
            self.pem_file.is_some(),
            self.pem.is_some(),
            self.jwk.is_some(),
            self.jwks_file.is_some(),
        ];
        match sources.iter().filter(|s| **s).count() {
            1 => {}
            0 => {
                return Err(Error::config(
                    "",
                    "needs one of secret, secret_base64, secret_env, pem_file, pem, jwk, jwks_file",
                ));
            }
            _ => {
                return Err(Error::config(
                    "",
                    "give only one of secret, secret_base64, secret_env, pem_file, pem, jwk, jwks_file",
                ));
            }
        }
        let read = |field: &'static str, path: &Path| {
            let full = base_dir.join(path);
            std::fs::read(&full)
                .map_err(|e| Error::config(field, format!("cannot read {}: {e}", full.display())))
        };
        let in_field = |field: &'static str| move |e: Error| Error::config(field, e.to_string());
        let keys = if let Some(secret) = &self.secret {
            vec![Key::hmac(secret.as_bytes()).map_err(in_field("secret"))?]
        } else if let Some(secret) = &self.secret_base64 {
            vec![Key::hmac_base64(secret).map_err(in_field("secret_base64"))?]
        } else if let Some(var) = &self.secret_env {
            let secret = std::env::var_os(var).ok_or_else(|| {
                Error::config(
                    "secret_env",
                    format!("environment variable {var} is not set"),
                )
            })?;
            vec![Key::hmac(secret.as_encoded_bytes()).map_err(in_field("secret_env"))?]
        } else if let Some(path) = &self.pem_file {
            vec![Key::from_pem(read("pem_file", path)?).map_err(in_field("pem_file"))?]
        } else if let Some(pem) = &self.pem {
            vec![Key::from_pem(pem.as_bytes()).map_err(in_field("pem"))?]
        } else if let Some(jwk) = &self.jwk {
            vec![Key::from_jwk(jwk).map_err(in_field("jwk"))?]
        } else if let Some(path) = &self.jwks_file {
            if self.kid.is_some() {
                return Err(Error::config(
                    "kid",
                    "not allowed with jwks_file (its keys carry their own kid)",
                ));
            }
            let text = read("jwks_file", path)?;
            let text = String::from_utf8(text)
                .map_err(|_| Error::config("jwks_file", "the file is not UTF-8"))?;
            KeySet::from_jwks_json(&text)
                .map_err(in_field("jwks_file"))?
                .keys()
                .to_vec()
        } else {
            Vec::new()
        };
        keys.into_iter()
            .map(|mut key| {
                if let Some(kid) = &self.kid {
                    key = key.with_kid(kid.clone());
                }
                match self.alg {
                    Some(alg) => key.with_algorithm(alg).map_err(in_field("alg")),
                    None => Ok(key),
                }
            })
            .collect()
    }
}

impl VerifierConfig {
    /// Builds the verifier, resolving relative paths against the current directory.
    ///
    /// # Errors
    /// [`crate::ErrorKind::InvalidConfig`] naming the field at fault.
    pub fn build(&self) -> Result<Verifier> {
        self.builder_in(Path::new("."))?.build()
    }

    /// Builds the verifier, resolving relative paths against `base_dir` (for example the
    /// directory of the config file).
    ///
    /// # Errors
    /// As [`VerifierConfig::build`].
    pub fn build_in(&self, base_dir: &Path) -> Result<Verifier> {
        self.builder_in(base_dir)?.build()
    }

    /// A [`VerifierBuilder`] with everything this config says, to add to in code (a clock, ...).
    ///
    /// # Errors
    /// As [`VerifierConfig::build`], for the keys.
    pub fn builder_in(&self, base_dir: &Path) -> Result<VerifierBuilder> {
        let mut builder = Verifier::builder()
            .algorithms(self.algorithms.iter().copied())
            .issuers(self.issuers.iter().cloned())
            .audiences(self.audiences.iter().cloned())
            .required_claims(self.required_claims.iter().cloned())
            .critical_extensions(self.critical_extensions.iter().cloned());
        if self.skip_audience_check {
            builder = builder.skip_audience_check();
        }
        if let Some(subject) = &self.subject {
            builder = builder.subject(subject.clone());
        }
        if let Some(leeway) = self.leeway_secs {
            builder = builder.leeway(Duration::from_secs(leeway));
        }
        if let Some(require) = self.require_exp {
            builder = builder.require_exp(require);
        }
        if let Some(typ) = &self.typ {
            builder = builder.typ(typ.clone());
        }
        if let Some(max_age) = self.max_age_secs {
            builder = builder.max_age(Duration::from_secs(max_age));
        }
        if let Some(max) = self.max_token_bytes {
            builder = builder.max_token_bytes(max);
        }
        for (i, key) in self.keys.iter().enumerate() {
            let prefix = format!("keys[{i}]");
            let keys = key.load(base_dir).map_err(|e| match e.into_kind() {
                crate::ErrorKind::InvalidConfig { field, reason } if field.is_empty() => {
                    Error::config(prefix.clone(), reason)
                }
                kind => Error::new(kind).in_field(&prefix),
            })?;
            builder = builder.keys(keys);
        }
        Ok(builder)
    }
}
