//! The JSON Web Key model (RFC 7517, RFC 7518 §6, RFC 8037).
//!
//! jsonwebtoken's `jwk` module was the first choice, but its `KeyAlgorithm` maps `"alg": "ES512"`
//! to `UNKNOWN_ALGORITHM`, losing the key binding RFC 8725 §3.1 asks for, and it has no private
//! members; so this crate keeps a small serde model of its own.

use std::fmt;

use serde::{Deserialize, Serialize};

/// One JSON Web Key. Members are kept as their base64url strings; [`Key::from_jwk`](crate::Key::from_jwk)
/// decodes and checks them.
#[derive(Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Jwk {
    /// Key type: `RSA`, `EC`, `OKP` or `oct`.
    pub kty: String,
    /// Intended use: `sig` or `enc`.
    #[serde(rename = "use", default, skip_serializing_if = "Option::is_none")]
    pub use_: Option<String>,
    /// Permitted operations.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub key_ops: Option<Vec<String>>,
    /// The one algorithm this key is for.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub alg: Option<String>,
    /// Key id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kid: Option<String>,
    /// Curve (`EC`: `P-256`, `P-384`, `P-521`; `OKP`: `Ed25519`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub crv: Option<String>,
    /// EC x coordinate, or the OKP public key.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub x: Option<String>,
    /// EC y coordinate.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub y: Option<String>,
    /// RSA modulus.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub n: Option<String>,
    /// RSA public exponent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub e: Option<String>,
    /// Private: EC/OKP private key, or RSA private exponent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub d: Option<String>,
    /// Private: RSA first prime.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub p: Option<String>,
    /// Private: RSA second prime.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub q: Option<String>,
    /// Private: RSA first factor CRT exponent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dp: Option<String>,
    /// Private: RSA second factor CRT exponent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dq: Option<String>,
    /// Private: RSA first CRT coefficient.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub qi: Option<String>,
    /// Secret: the symmetric key of an `oct` JWK.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub k: Option<String>,
}

impl Jwk {
    /// Whether the JWK carries private or secret material.
    pub fn is_private(&self) -> bool {
        self.d.is_some() || self.k.is_some()
    }
}

impl fmt::Debug for Jwk {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut d = f.debug_struct("Jwk");
        d.field("kty", &self.kty)
            .field("use", &self.use_)
            .field("alg", &self.alg)
            .field("kid", &self.kid)
            .field("crv", &self.crv);
        if self.is_private() {
            d.field("private", &"[redacted]");
        }
        d.finish_non_exhaustive()
    }
}

/// A JWK Set document (`{"keys": [...]}`), with each key kept as raw JSON so that one key this
/// crate cannot use does not make the whole set unreadable.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct JwkSet {
    /// The keys, unparsed.
    pub keys: Vec<serde_json::Value>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_redacts_private_members() {
        let jwk: Jwk = serde_json::from_str(r#"{"kty":"oct","k":"c2VjcmV0c2VjcmV0","kid":"a"}"#)
            .unwrap_or_default();
        let shown = format!("{jwk:?}");
        assert!(shown.contains("[redacted]"), "{shown}");
        assert!(!shown.contains("c2VjcmV0"), "{shown}");
    }
}
