//! One `[[keys]]` entry ([`KeyConfig`]) and how it loads.

use std::fmt;
use std::path::{Path, PathBuf};

use serde::Deserialize;

use crate::algorithm::Algorithm;
use crate::error::{Error, Result};
use crate::jwk::Jwk;
use crate::key::{Key, KeySet};

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
        // Errors name the field and never repeat a secret: a path or a variable name is shown
        // only when it looks like one (not key text or a secret written into the wrong field).
        let read = |field: &'static str, path: &Path| {
            let full = base_dir.join(path);
            std::fs::read(&full).map_err(|e| {
                let reason = if looks_like_path(path) {
                    format!("cannot read {}: {e}", full.display())
                } else {
                    format!(
                        "cannot read the file (its name is not shown: it looks like key text): {e}"
                    )
                };
                Error::config(field, reason)
            })
        };
        let in_field = |field: &'static str| move |e: Error| Error::config(field, e.to_string());
        let keys = if let Some(secret) = &self.secret {
            vec![Key::hmac(secret.as_bytes()).map_err(in_field("secret"))?]
        } else if let Some(secret) = &self.secret_base64 {
            vec![Key::hmac_base64(secret).map_err(in_field("secret_base64"))?]
        } else if let Some(var) = &self.secret_env {
            let secret = std::env::var_os(var).ok_or_else(|| {
                let reason = if looks_like_variable(var) {
                    format!("environment variable {var} is not set")
                } else {
                    "the environment variable it names is not set (the name is not shown: it is \
                     not in upper case, and may be a secret written into the wrong field)"
                        .to_owned()
                };
                Error::config("secret_env", reason)
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

/// Whether a configured path can be shown in an error: no control characters (key text has
/// line breaks), no braces or quotes (JSON), no `-----` (PEM armor).
pub(super) fn looks_like_path(path: &Path) -> bool {
    let text = path.to_string_lossy();
    !text.contains("-----")
        && !text
            .chars()
            .any(|c| c.is_control() || matches!(c, '{' | '}' | '"'))
}

/// Whether an environment variable name can be shown in an error: the conventional form
/// (`[A-Z_][A-Z0-9_]*`, at most 64 bytes). A random secret is almost never all upper case.
pub(super) fn looks_like_variable(name: &str) -> bool {
    name.len() <= 64
        && name
            .bytes()
            .next()
            .is_some_and(|b| b.is_ascii_uppercase() || b == b'_')
        && name
            .bytes()
            .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit() || b == b'_')
}
