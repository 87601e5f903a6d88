//! Things that weaken security, behind an obvious name: decoding without verification and
//! keys that fail the strength checks.

use serde::de::DeserializeOwned;

use crate::b64;
use crate::error::claims_mismatch;
use crate::error::{Error, ErrorKind, Result};
use crate::key::{Key, KeyOptions, KeySet};
use crate::token;

/// A token decoded **without any verification**: not its signature, not its claims.
#[derive(Debug, Clone, PartialEq)]
pub struct UnverifiedToken<T> {
    /// The whole header, as JSON.
    pub header: serde_json::Map<String, serde_json::Value>,
    /// The claims.
    pub claims: T,
}

/// Decodes `token` without checking anything but its syntax, like PyJWT's
/// `options={"verify_signature": False}`. Never use the result to make an access decision.
///
/// # Errors
/// [`ErrorKind::Malformed`] for a token that is not three base64url parts of JSON objects;
/// [`ErrorKind::ClaimsMismatch`] if the claims do not deserialize into `T`.
pub fn decode_unverified<T: DeserializeOwned>(token: &str) -> Result<UnverifiedToken<T>> {
    let parts = token::split(token)?;
    let header = b64::decode_strict(parts.header)
        .map_err(|_| Error::new(ErrorKind::Malformed("the header is not base64url")))?;
    let payload = b64::decode_strict(parts.payload)
        .map_err(|_| Error::new(ErrorKind::Malformed("the payload is not base64url")))?;
    let header = serde_json::from_slice(&header).map_err(|e| {
        Error::with_source(ErrorKind::Malformed("the header is not a JSON object"), e)
    })?;
    token::parse_claims(&payload, &[])?;
    let claims = serde_json::from_slice(&payload).map_err(|_| claims_mismatch::<T>(&payload))?;
    Ok(UnverifiedToken { header, claims })
}

/// An HMAC secret of any length, bound to all of HS256/384/512 (RFC 7518 §3.2 says it
/// should be at least as long as the hash output; this skips that check).
///
/// # Errors
/// None in practice; kept fallible like [`Key::hmac`].
pub fn hmac_key_unchecked(secret: impl AsRef<[u8]>) -> Result<Key> {
    Key::hmac_with(secret.as_ref(), KeyOptions { allow_weak: true })
}

/// A PEM key that may be an RSA key under 2048 bits (public keys only, usable for RS256 and
/// RS512: aws-lc-rs offers legacy 1024-bit parameters for those two alone).
///
/// # Errors
/// As [`Key::from_pem`], without [`ErrorKind::WeakKey`].
pub fn key_from_pem_allow_weak(pem: impl AsRef<[u8]>) -> Result<Key> {
    Key::from_pem_with(pem.as_ref(), KeyOptions { allow_weak: true })
}

/// A JWK Set whose keys may be weak (short HMAC secrets, small RSA keys).
///
/// # Errors
/// As [`KeySet::from_jwks_json`].
pub fn key_set_from_jwks_json_allow_weak(json: &str) -> Result<KeySet> {
    KeySet::from_jwks_json_with(json, KeyOptions { allow_weak: true })
}
