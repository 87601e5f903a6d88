//! Revocation: a deny-list checked on every request after the signature and the claims, so a
//! logged-out session, a stolen token or a banned user can be refused before its `exp`.
//!
//! # The contract of a store
//!
//! A [`RevocationStore`] holds three kinds of entry:
//!
//! - **one token by `jti`** ([`RevocationStore::revoke_jti`], or [`revoke_token`] for a verified
//!   token): the entry lives until the `until` given (for [`revoke_token`], the token's `exp`
//!   plus the leeway), then disappears by itself: an expired token is refused anyway.
//! - **one login by `sid`** ([`RevocationStore::revoke_sid`]): every token carrying that session
//!   id, until the `until` given (the latest `exp` a token of that login can have, plus leeway).
//! - **every token of a subject issued before a time** ([`RevocationStore::revoke_subject_before`]:
//!   "log out everywhere", a password change): a token whose `sub` matches and whose
//!   `iat < cutoff` is revoked; `iat == cutoff` passes. One cutoff per subject, never expiring
//!   by itself (any lifetime would let a long-lived token issued before the cutoff back in); a
//!   later cutoff replaces an earlier one, and [`RevocationStore::clear_subject`] removes it.
//!   While a subject has a cutoff, a token of that subject **without `iat`** is revoked: its age
//!   cannot be told.
//!
//! Beside the deny-list, [`RevocationStore::mark_used`] records a refresh token's `jti` as used,
//! atomically: of many concurrent callers, exactly one gets `true`.
//!
//! # The request path
//!
//! [`RevocationStore::check`] is synchronous on purpose: the request path reads local state (a
//! hash lookup), never awaits a network. A store backed by a remote service keeps a local
//! replica and checks against it; only the writes ([`RevocationStore::revoke_jti`] and the
//! others) are async. [`BearerAuth::with_revocation`](crate::http::BearerAuth::with_revocation)
//! runs the check for every request both adapters verify, after the signature and the claim
//! checks (a forged token still reports `invalid_signature`): a revoked token is 401
//! `invalid_token`, "the token has been revoked" ([`ErrorKind::Revoked`]), also on
//! optional-auth routes (a revoked token is invalid, not anonymous).
//!
//! # Stores
//!
//! [`MemoryStore`]: one process, bounded by a maximum entry count; when full (after dropping
//! expired entries), a new entry is refused with [`ErrorKind::Revocation`] rather than an older
//! revocation being dropped silently.
//!
//! `RedisStore` (feature `redis`): one list shared by every instance through Redis; each
//! instance checks a local replica kept current from a Redis Stream, refuses with 503 when the
//! replica is staler than `max_staleness` (fail closed, or pass with `FailMode::Open`).
//!
//! Implement [`RevocationStore`] for a backend of your own.
//!
//! ```
//! # fn main() -> Result<(), jwt_guard_core::Error> {
//! use std::sync::Arc;
//! use jwt_guard_core::http::BearerAuth;
//! use jwt_guard_core::revocation::{MemoryStore, RevocationStore};
//! # let verifier = jwt_guard_core::Verifier::builder()
//! #     .key(jwt_guard_core::Key::hmac(b"an example secret of 32 bytes..!")?)
//! #     .algorithms([jwt_guard_core::Algorithm::HS256])
//! #     .build()?;
//! let store = Arc::new(MemoryStore::new(100_000));
//! let auth = BearerAuth::new(verifier).with_revocation(store.clone());
//! # let _ = (auth, store.counts()); Ok(()) }
//! ```

use std::borrow::Cow;
use std::fmt;
use std::future::Future;
use std::pin::Pin;

use serde::{Deserialize, Deserializer};

use crate::error::{Error, ErrorKind, Result};
use crate::verifier::VerifiedToken;

mod memory;
#[cfg(feature = "redis")]
mod redis;

pub use memory::{DEFAULT_MAX_ENTRIES, MemoryStore};
#[cfg(feature = "redis")]
#[cfg_attr(docsrs, doc(cfg(feature = "redis")))]
pub use redis::{DEFAULT_KEY_PREFIX, DEFAULT_MAX_STALENESS, RedisOptions, RedisStore};

/// The future a [`RevocationStore`] write returns (boxed, so the trait is object-safe and a
/// `dyn RevocationStore` can sit behind an `Arc`).
pub type StoreFuture<'a, T> = Pin<Box<dyn Future<Output = Result<T>> + Send + 'a>>;

/// A deny-list of tokens: the check on the request path (synchronous, local state only) and the
/// writes (async). See the [module doc](self) for what each kind of entry means.
pub trait RevocationStore: Send + Sync + fmt::Debug + 'static {
    /// Whether the token with these (verified) claims may pass.
    ///
    /// # Errors
    /// [`ErrorKind::Revoked`] when an entry matches. A store may also refuse when it cannot tell
    /// (a replica too stale to trust); it must never await a network here.
    fn check(&self, claims: &RevocationClaims<'_>) -> Result<()>;

    /// Revokes the token with this `jti` until `until` (seconds since the epoch); a later
    /// `until` for the same `jti` extends the entry.
    ///
    /// # Errors
    /// [`ErrorKind::Revocation`] when the store refuses the entry (full, unreachable).
    fn revoke_jti<'a>(&'a self, jti: &'a str, until: i64) -> StoreFuture<'a, ()>;

    /// Revokes every token with this `sid` until `until`.
    ///
    /// # Errors
    /// As [`RevocationStore::revoke_jti`].
    fn revoke_sid<'a>(&'a self, sid: &'a str, until: i64) -> StoreFuture<'a, ()>;

    /// Revokes every token of `sub` with `iat < cutoff` (and every one of `sub` without `iat`),
    /// until cleared. A cutoff earlier than the one held is ignored.
    ///
    /// # Errors
    /// As [`RevocationStore::revoke_jti`].
    fn revoke_subject_before<'a>(&'a self, sub: &'a str, cutoff: i64) -> StoreFuture<'a, ()>;

    /// Removes the cutoff of `sub`; `true` if there was one.
    ///
    /// # Errors
    /// When the store cannot be written.
    fn clear_subject<'a>(&'a self, sub: &'a str) -> StoreFuture<'a, bool>;

    /// Marks `jti` as used until `until`: `true` for the first caller only (atomic), `false`
    /// while the mark lives.
    ///
    /// # Errors
    /// As [`RevocationStore::revoke_jti`].
    fn mark_used<'a>(&'a self, jti: &'a str, until: i64) -> StoreFuture<'a, bool>;

    /// When `jti` was first marked used (seconds since the epoch), `None` if it is not marked
    /// (or its mark expired): refresh-token rotation tells a retry within the reuse grace
    /// window from a replay after it.
    ///
    /// # Errors
    /// When the store cannot be read.
    fn used_at<'a>(&'a self, jti: &'a str) -> StoreFuture<'a, Option<i64>>;

    /// How many live entries of each kind the store holds.
    ///
    /// # Errors
    /// When the store cannot be read.
    fn counts(&self) -> StoreFuture<'_, RevocationCounts>;

    /// Every live entry, for operators.
    ///
    /// # Errors
    /// When the store cannot be read.
    fn list(&self) -> StoreFuture<'_, Vec<Revocation>>;
}

/// Revokes a verified `token` by its `jti` until its `exp` plus `leeway_secs` (forever when it
/// has no `exp`).
///
/// # Errors
/// [`ErrorKind::Revocation`] when the token has no `jti` (revoke its `sid` or its subject
/// instead), or as [`RevocationStore::revoke_jti`].
pub async fn revoke_token(
    store: &dyn RevocationStore,
    token: &VerifiedToken,
    leeway_secs: u64,
) -> Result<()> {
    let claims = RevocationClaims::from_token(token)?;
    let jti = claims.jti.as_deref().ok_or_else(|| {
        Error::new(ErrorKind::Revocation(
            "the token has no jti: revoke its sid or its subject instead".into(),
        ))
    })?;
    let leeway = i64::try_from(leeway_secs).unwrap_or(i64::MAX);
    let until = claims
        .exp
        .map_or(i64::MAX, |exp| exp.saturating_add(leeway));
    store.revoke_jti(jti, until).await
}

/// The claims a revocation check reads, borrowed from a verified token's payload.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[non_exhaustive]
pub struct RevocationClaims<'a> {
    /// `jti`, the token id.
    #[serde(borrow, default)]
    pub jti: Option<Cow<'a, str>>,
    /// `sid`, the session (login) id.
    #[serde(borrow, default)]
    pub sid: Option<Cow<'a, str>>,
    /// `sub`, the subject.
    #[serde(borrow, default)]
    pub sub: Option<Cow<'a, str>>,
    /// `iat`, whole seconds (a fractional value rounded down: earlier, so a cutoff catches it).
    #[serde(default, deserialize_with = "date_floor")]
    pub iat: Option<i64>,
    /// `exp`, whole seconds (rounded up).
    #[serde(default, deserialize_with = "date_ceil")]
    pub exp: Option<i64>,
    /// The time the verifier checked the token at (seconds since the epoch), so the store does
    /// not read the clock again; `None`: the store reads its own clock.
    #[serde(skip)]
    pub now: Option<i64>,
}

impl<'a> RevocationClaims<'a> {
    /// Claims with these values (for a store's own tests, or a check outside HTTP).
    pub fn new(
        jti: Option<&'a str>,
        sid: Option<&'a str>,
        sub: Option<&'a str>,
        iat: Option<i64>,
        exp: Option<i64>,
    ) -> RevocationClaims<'a> {
        RevocationClaims {
            jti: jti.map(Cow::Borrowed),
            sid: sid.map(Cow::Borrowed),
            sub: sub.map(Cow::Borrowed),
            iat,
            exp,
            now: None,
        }
    }

    /// The same claims, checked at `now`.
    #[must_use]
    pub fn at(mut self, now: i64) -> RevocationClaims<'a> {
        self.now = Some(now);
        self
    }

    /// Reads them from a verified token (the verifier has already checked the types of `jti`,
    /// `sub`, `iat` and `exp`).
    ///
    /// # Errors
    /// [`ErrorKind::InvalidClaim`] (`sid`) when `sid` is not a string.
    pub fn from_token(token: &'a VerifiedToken) -> Result<RevocationClaims<'a>> {
        // What the verification pass found, without a second parse (unless it could not say).
        if let Some(claims) = token.revocation_claims() {
            return Ok(claims);
        }
        serde_json::from_slice::<RevocationClaims<'a>>(token.payload_json())
            .map(|claims| claims.at(token.checked_at()))
            .map_err(|_| Error::new(ErrorKind::InvalidClaim("sid".into())))
    }
}

fn date<'de, D: Deserializer<'de>>(d: D, round: fn(f64) -> f64) -> Result<Option<i64>, D::Error> {
    let Some(value) = Option::<f64>::deserialize(d)? else {
        return Ok(None);
    };
    let value = round(value);
    // The verifier bounds dates to MAX_NUMERIC_DATE; out-of-range saturates.
    #[allow(clippy::cast_possible_truncation)]
    Ok(Some(value as i64))
}

fn date_floor<'de, D: Deserializer<'de>>(d: D) -> Result<Option<i64>, D::Error> {
    date(d, f64::floor)
}

fn date_ceil<'de, D: Deserializer<'de>>(d: D) -> Result<Option<i64>, D::Error> {
    date(d, f64::ceil)
}

/// What a store that cannot tell (a shared list's replica too stale to trust) does with a token
/// it does not know to be revoked: `fail = "closed" | "open"` in `[revocation]`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Deserialize)]
#[serde(rename_all = "lowercase")]
#[non_exhaustive]
pub enum FailMode {
    /// Refuse it: 503 with `Retry-After` ([`ErrorKind::RevocationUnavailable`]). The default.
    #[default]
    Closed,
    /// Let it pass, logging a warning once per staleness interval (a token the replica knows
    /// to be revoked is still refused).
    Open,
}

/// How many live entries of each kind a store holds.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct RevocationCounts {
    /// Tokens revoked by `jti`.
    pub jti: usize,
    /// Logins revoked by `sid`.
    pub sid: usize,
    /// Subjects with a cutoff.
    pub subjects: usize,
    /// `jti`s marked used ([`RevocationStore::mark_used`]).
    pub used: usize,
}

impl RevocationCounts {
    /// Every entry.
    pub fn total(&self) -> usize {
        self.jti + self.sid + self.subjects + self.used
    }
}

/// One entry of a store, as [`RevocationStore::list`] shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Revocation {
    /// A token revoked by `jti` until `until`.
    Jti {
        /// The token id.
        jti: String,
        /// Seconds since the epoch.
        until: i64,
    },
    /// A login revoked by `sid` until `until`.
    Sid {
        /// The session id.
        sid: String,
        /// Seconds since the epoch.
        until: i64,
    },
    /// Every token of `sub` issued before `cutoff`.
    Subject {
        /// The subject.
        sub: String,
        /// Seconds since the epoch.
        cutoff: i64,
    },
    /// A `jti` marked used until `until`.
    Used {
        /// The token id.
        jti: String,
        /// Seconds since the epoch.
        until: i64,
    },
}

/// The error of a revoked token.
pub(crate) fn revoked() -> Error {
    Error::new(ErrorKind::Revoked)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::http::test_support::{SECRET, auth};

    /// The claims the verification pass found equal a fresh parse of the payload, for every
    /// shape; the pass answers itself for plain strings and whole-second dates, and leaves
    /// escaped strings, a `sid` that is not a string and fractional dates to the parse.
    #[test]
    fn the_verification_pass_finds_what_a_parse_finds() {
        let cases = [
            (
                r#"{"jti":"j-1","sid":"s-1","sub":"ada","iat":1700000000,"exp":4102444800}"#,
                true,
            ),
            (r#"{"sub":"ada","exp":4102444800}"#, true),
            (r#"{"sid":null,"exp":4102444800}"#, true),
            (r#"{"exp":4102444800,"jti":"","sid":"","sub":""}"#, true),
            (
                r#"{"exp":4102444800,"jti":"\u00e9t\u00e9","sub":"ada"}"#,
                false,
            ),
            (r#"{"exp":4102444800,"sid":"a\"b"}"#, false),
            (r#"{"exp":4102444800,"sub":"\u0061da"}"#, false),
            (
                r#"{"exp":4102444800.5,"iat":1700000000.25,"sub":"ada"}"#,
                false,
            ),
            (
                r#"{"exp":4102444800.0,"iat":1700000000.0,"sub":"ada"}"#,
                true,
            ),
            (r#"{"exp":4102444800,"sid":42}"#, false),
            (r#"{"exp":4102444800,"sid":{"a":"b"}}"#, false),
            (
                r#"{"exp":4102444800,"jti":"é-raw-utf8","sid":"ü","sub":"名前"}"#,
                true,
            ),
        ];
        let auth = auth();
        for (claims, fast) in cases {
            // Signed as written (a raw value serializes verbatim: escapes and all).
            let raw = serde_json::value::RawValue::from_string(claims.to_owned()).unwrap();
            let token =
                crate::Signer::new(crate::Key::hmac(SECRET).unwrap(), crate::Algorithm::HS256)
                    .unwrap()
                    .encode(&raw)
                    .unwrap();
            let verified = crate::http::test_support::block_on(auth.verify(&token)).unwrap();
            let found = verified.revocation_claims();
            assert_eq!(found.is_some(), fast, "{claims}");
            let parsed = serde_json::from_slice::<RevocationClaims<'_>>(verified.payload_json());
            match (RevocationClaims::from_token(&verified), parsed) {
                (Ok(a), Ok(b)) => assert_eq!(a, b.at(verified.checked_at()), "{claims}"),
                (Err(a), Err(_)) => assert_eq!(a.kind(), &ErrorKind::InvalidClaim("sid".into())),
                (a, b) => panic!("{claims}: {a:?} vs {b:?}"),
            }
            if let Some(found) = found {
                assert_eq!(
                    Ok(found),
                    RevocationClaims::from_token(&verified).map_err(|_| ())
                );
            }
        }
    }
}
