//! [`Signer`]: mints tokens with a key parsed once.

use std::fmt;
use std::time::Duration;

use serde::Serialize;

use crate::algorithm::Algorithm;
use crate::b64;
use crate::clock::{Clock, SystemClock};
use crate::error::{Error, ErrorKind, Result};
use crate::key::Key;

/// Signs claims into compact JWTs. The header is encoded once, at construction.
///
/// ```
/// use std::time::Duration;
/// use jwt_guard_core::{Algorithm, Key, Signer, TimeClaims};
/// # fn main() -> Result<(), jwt_guard_core::Error> {
/// let signer = Signer::new(Key::hmac(b"an example secret of 32 bytes..!")?, Algorithm::HS256)?
///     .with_kid("2026-11");
/// let token = signer.encode_with_times(
///     &serde_json::json!({"sub": "ada"}),
///     &TimeClaims::new().issued_now().expires_in(Duration::from_secs(600)),
/// )?;
/// assert_eq!(token.split('.').count(), 3);
/// # Ok(()) }
/// ```
#[derive(Clone)]
pub struct Signer {
    key: Key,
    alg: Algorithm,
    kid: Option<String>,
    typ: Option<String>,
    header_b64: String,
}

#[derive(Serialize)]
struct HeaderOut<'a> {
    alg: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    typ: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    kid: Option<&'a str>,
}

impl Signer {
    /// A signer for `alg` with `key` (a private key or an HMAC secret). The header carries
    /// `typ: JWT` and the key's `kid`, if it has one.
    ///
    /// # Errors
    /// [`ErrorKind::Signing`] if the key cannot sign; [`ErrorKind::InvalidAlgorithm`] if the key
    /// is not bound to `alg`.
    pub fn new(key: Key, alg: Algorithm) -> Result<Signer> {
        if !key.can_sign() {
            return Err(Error::new(ErrorKind::Signing(
                "a public key cannot sign".into(),
            )));
        }
        if !key.allows(alg) {
            return Err(Error::new(ErrorKind::InvalidAlgorithm));
        }
        let mut signer = Signer {
            kid: key.kid().map(str::to_owned),
            key,
            alg,
            typ: Some("JWT".to_owned()),
            header_b64: String::new(),
        };
        signer.encode_header()?;
        Ok(signer)
    }

    fn encode_header(&mut self) -> Result<()> {
        let json = serde_json::to_vec(&HeaderOut {
            alg: self.alg.as_str(),
            typ: self.typ.as_deref(),
            kid: self.kid.as_deref(),
        })
        .map_err(|e| Error::with_source(ErrorKind::Signing("header serialization".into()), e))?;
        self.header_b64 = b64::encode(&json);
        Ok(())
    }

    /// Sets the header `kid`.
    #[must_use]
    pub fn with_kid(mut self, kid: impl Into<String>) -> Signer {
        self.kid = Some(kid.into());
        // Serializing a struct of strings cannot fail.
        let _ = self.encode_header();
        self
    }

    /// Sets the header `typ` (`None` to leave it out).
    #[must_use]
    pub fn with_typ(mut self, typ: Option<&str>) -> Signer {
        self.typ = typ.map(str::to_owned);
        let _ = self.encode_header();
        self
    }

    /// The algorithm.
    pub fn algorithm(&self) -> Algorithm {
        self.alg
    }

    /// Signs `claims`, which must serialize to a JSON object.
    ///
    /// # Errors
    /// [`ErrorKind::Signing`] if the claims do not serialize to an object or the primitive fails.
    pub fn encode<T: Serialize + ?Sized>(&self, claims: &T) -> Result<String> {
        let json = serde_json::to_vec(claims).map_err(|e| {
            Error::with_source(ErrorKind::Signing("claims serialization".into()), e)
        })?;
        if json.first() != Some(&b'{') {
            return Err(Error::new(ErrorKind::Signing(
                "claims must serialize to a JSON object".into(),
            )));
        }
        self.encode_payload(&json)
    }

    /// Signs `claims` after setting `iat`/`nbf`/`exp` as `times` says (overriding those members).
    ///
    /// # Errors
    /// As [`Signer::encode`].
    pub fn encode_with_times<T: Serialize + ?Sized>(
        &self,
        claims: &T,
        times: &TimeClaims,
    ) -> Result<String> {
        let mut value = serde_json::to_value(claims).map_err(|e| {
            Error::with_source(ErrorKind::Signing("claims serialization".into()), e)
        })?;
        let Some(map) = value.as_object_mut() else {
            return Err(Error::new(ErrorKind::Signing(
                "claims must serialize to a JSON object".into(),
            )));
        };
        let now = times.now.unwrap_or_else(|| SystemClock.now());
        let at = |d: Duration| now.saturating_add(i64::try_from(d.as_secs()).unwrap_or(i64::MAX));
        if times.issued_at {
            map.insert("iat".into(), now.into());
        }
        if let Some(d) = times.not_before {
            map.insert("nbf".into(), at(d).into());
        }
        if let Some(d) = times.expires_in {
            map.insert("exp".into(), at(d).into());
        }
        self.encode(&value)
    }

    pub(crate) fn encode_payload(&self, json: &[u8]) -> Result<String> {
        let mut token = String::with_capacity(self.header_b64.len() + json.len() * 4 / 3 + 700);
        token.push_str(&self.header_b64);
        token.push('.');
        b64::encode_into(json, &mut token);
        let signature = self.key.sign(self.alg, token.as_bytes())?;
        token.push('.');
        b64::encode_into(&signature, &mut token);
        Ok(token)
    }
}

impl fmt::Debug for Signer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Signer")
            .field("alg", &self.alg)
            .field("kid", &self.kid)
            .field("typ", &self.typ)
            .field("key", &self.key)
            .finish()
    }
}

/// Which time claims [`Signer::encode_with_times`] sets, relative to now.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[must_use]
pub struct TimeClaims {
    issued_at: bool,
    expires_in: Option<Duration>,
    not_before: Option<Duration>,
    now: Option<i64>,
}

impl TimeClaims {
    /// Sets nothing yet.
    pub fn new() -> TimeClaims {
        TimeClaims::default()
    }

    /// Sets `iat` to now.
    pub fn issued_now(mut self) -> Self {
        self.issued_at = true;
        self
    }

    /// Sets `exp` to now + `d`.
    pub fn expires_in(mut self, d: Duration) -> Self {
        self.expires_in = Some(d);
        self
    }

    /// Sets `nbf` to now + `d`.
    pub fn not_before_in(mut self, d: Duration) -> Self {
        self.not_before = Some(d);
        self
    }

    /// Uses `now` (seconds since the epoch) instead of the system clock.
    pub fn at(mut self, now: i64) -> Self {
        self.now = Some(now);
        self
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dangerous::decode_unverified;

    fn signer() -> Option<Signer> {
        Signer::new(Key::hmac([9u8; 32]).ok()?.with_kid("k"), Algorithm::HS256).ok()
    }

    #[test]
    fn header_carries_alg_typ_kid() {
        let token = signer().and_then(|s| s.encode(&serde_json::json!({"a": 1})).ok());
        let decoded = token.and_then(|t| decode_unverified::<serde_json::Value>(&t).ok());
        let header = decoded.map(|d| serde_json::Value::Object(d.header));
        assert_eq!(
            header,
            Some(serde_json::json!({"alg": "HS256", "typ": "JWT", "kid": "k"}))
        );
        let untyped = signer()
            .map(|s| s.with_typ(None))
            .and_then(|s| s.encode(&serde_json::json!({})).ok());
        let header = untyped
            .and_then(|t| decode_unverified::<serde_json::Value>(&t).ok())
            .map(|d| d.header);
        assert_eq!(header.map(|h| h.contains_key("typ")), Some(false));
    }

    #[test]
    fn claims_must_be_an_object() {
        let err = signer()
            .and_then(|s| s.encode(&[1, 2]).err())
            .map(Error::into_kind);
        assert!(matches!(err, Some(ErrorKind::Signing(_))));
        let err = signer()
            .and_then(|s| s.encode_with_times(&"x", &TimeClaims::new()).err())
            .map(Error::into_kind);
        assert!(matches!(err, Some(ErrorKind::Signing(_))));
    }

    #[test]
    fn time_claims() {
        let times = TimeClaims::new()
            .issued_now()
            .expires_in(Duration::from_secs(600))
            .not_before_in(Duration::from_secs(5))
            .at(1_000);
        let token = signer().and_then(|s| {
            s.encode_with_times(&serde_json::json!({"exp": 1}), &times)
                .ok()
        });
        let claims = token
            .and_then(|t| decode_unverified::<serde_json::Value>(&t).ok())
            .map(|d| d.claims);
        assert_eq!(
            claims,
            Some(serde_json::json!({"iat": 1000, "nbf": 1005, "exp": 1600}))
        );
    }

    #[test]
    fn public_keys_cannot_sign() {
        let Ok(set) = crate::keygen::generate(Algorithm::ES256) else {
            return;
        };
        let public = set.public_jwk().ok().and_then(|j| Key::from_jwk(&j).ok());
        let err = public
            .and_then(|k| Signer::new(k, Algorithm::ES256).err())
            .map(Error::into_kind);
        assert!(matches!(err, Some(ErrorKind::Signing(_))));
    }
}
