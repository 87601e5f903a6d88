//! Issuing your own tokens: [`TokenIssuer`] mints access/refresh pairs for a login, rotates
//! refresh tokens with reuse detection, and ends logins, on a [`Signer`] and a
//! [`RevocationStore`].
//!
//! # The lifecycle
//!
//! 1. **Login** ([`TokenIssuer::login`]): a new session id (`sid`, 128 random bits) and a
//!    [`TokenPair`]: an access token (header `typ: at+jwt`, RFC 9068; `fresh: true`, or fresh
//!    until `now + fresh_ttl`) and a refresh token (`typ: refresh+jwt`), both carrying the `sid`.
//! 2. **Use**: access routes verify with [`TokenIssuer::access_verifier`], which refuses
//!    refresh tokens (and Flask-JWT-Extended's, marked `"type": "refresh"`) with `invalid_type`.
//! 3. **Refresh** ([`TokenIssuer::redeem`], on a token the [`TokenIssuer::refresh_verifier`]
//!    verified): the refresh token's `jti` is marked used ([`RevocationStore::mark_used`],
//!    atomic across instances with Redis), and a new pair of the same `sid` comes back
//!    (`fresh: false`). Each refresh token is good once (rotation, RFC 9700 §4.14.2).
//! 4. **Reuse**: a used refresh token presented again within `reuse_grace` of its first
//!    redemption (two tabs, a retry after a lost response) is refused
//!    ([`ErrorKind::RefreshReused`]) and nothing else happens. Presented later, it is taken as
//!    stolen: its `sid` is revoked, ending every access and refresh token of that login, and
//!    it is refused.
//! 5. **Logout** ([`TokenIssuer::logout`]): the token's `sid` is revoked; "log out everywhere"
//!    ([`TokenIssuer::logout_everywhere`]) sets a subject cutoff.

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use aws_lc_rs::rand::{SecureRandom, SystemRandom};
use serde::de::{IgnoredAny, MapAccess, Visitor};
use serde::{Deserialize, Serialize, Serializer};

use crate::algorithm::Algorithm;
use crate::clock::{Clock, SystemClock};
use crate::error::{Error, ErrorKind, Result};
use crate::key::Key;
use crate::revocation::{RevocationClaims, RevocationStore};
use crate::signer::Signer;
use crate::verifier::{ACCESS_TYP, REFRESH_TYP, TokenUse, VerifiedToken, Verifier};

mod builder;
mod claims;
pub mod cookies;

pub use builder::TokenIssuerBuilder;
use claims::*;

/// Default access token lifetime: 15 minutes.
pub const DEFAULT_ACCESS_TTL: Duration = Duration::from_secs(900);
/// Default refresh token lifetime: 30 days.
pub const DEFAULT_REFRESH_TTL: Duration = Duration::from_secs(30 * 86_400);
/// Default reuse grace window: 2 seconds.
pub const DEFAULT_REUSE_GRACE: Duration = Duration::from_secs(2);

/// Claims the issuer sets itself; a caller's claim with one of these names is refused.
pub const RESERVED_CLAIMS: &[&str] = &[
    "iss",
    "sub",
    "aud",
    "client_id",
    "exp",
    "iat",
    "nbf",
    "jti",
    "sid",
    "fresh",
    "type",
    "csrf",
];

/// An OAuth 2.0 token response (RFC 6749 §5.1): serializes as
/// `{"access_token":"...","token_type":"Bearer","expires_in":900,"refresh_token":"..."}`.
/// Its `Debug` never shows a token.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct TokenPair {
    /// The access token.
    pub access_token: String,
    /// Always `Bearer`.
    pub token_type: String,
    /// Seconds until the access token expires.
    pub expires_in: u64,
    /// The refresh token.
    pub refresh_token: String,
}

impl fmt::Debug for TokenPair {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TokenPair")
            .field("access_token", &"[redacted]")
            .field("token_type", &self.token_type)
            .field("expires_in", &self.expires_in)
            .field("refresh_token", &"[redacted]")
            .finish()
    }
}

/// Mints and rotates the tokens of logins. Built once ([`TokenIssuer::builder`], or the
/// `[sessions]` config table); cheap to clone.
#[derive(Clone)]
pub struct TokenIssuer {
    inner: Arc<Inner>,
}

struct Inner {
    access: Signer,
    refresh: Signer,
    issuer: String,
    audiences: Vec<String>,
    client_id: Option<String>,
    access_ttl: i64,
    refresh_ttl: i64,
    fresh_ttl: Option<i64>,
    reuse_grace: i64,
    leeway: i64,
    clock: Arc<dyn Clock>,
    access_verifier: Verifier,
    refresh_verifier: Verifier,
    random: SystemRandom,
}

impl fmt::Debug for TokenIssuer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let i = &self.inner;
        f.debug_struct("TokenIssuer")
            .field("alg", &i.access.algorithm())
            .field("issuer", &i.issuer)
            .field("audiences", &i.audiences)
            .field("client_id", &i.client_id)
            .field("access_ttl", &i.access_ttl)
            .field("refresh_ttl", &i.refresh_ttl)
            .field("fresh_ttl", &i.fresh_ttl)
            .field("reuse_grace", &i.reuse_grace)
            .finish_non_exhaustive()
    }
}

impl TokenIssuer {
    /// A builder for tokens signed with `key` (a private key or an HMAC secret) and `alg`.
    pub fn builder(key: Key, alg: Algorithm) -> TokenIssuerBuilder {
        TokenIssuerBuilder {
            key,
            alg,
            issuer: None,
            audiences: Vec::new(),
            client_id: None,
            access_ttl: DEFAULT_ACCESS_TTL,
            refresh_ttl: DEFAULT_REFRESH_TTL,
            fresh_ttl: None,
            reuse_grace: DEFAULT_REUSE_GRACE,
            leeway: Duration::from_secs(crate::DEFAULT_LEEWAY_SECS),
            clock: None,
        }
    }

    /// Verifies access tokens of this issuer (`typ: at+jwt`, its `iss` and `aud`); refuses
    /// refresh tokens with `invalid_type`. Give it to `JwtLayer::new` / `JwtMiddleware::new`.
    pub fn access_verifier(&self) -> &Verifier {
        &self.inner.access_verifier
    }

    /// Verifies refresh tokens of this issuer only (`typ: refresh+jwt`); anything else is
    /// `invalid_type`. Give it to the layer of the refresh route.
    pub fn refresh_verifier(&self) -> &Verifier {
        &self.inner.refresh_verifier
    }

    /// How long access tokens live.
    pub fn access_ttl(&self) -> Duration {
        Duration::from_secs(self.inner.access_ttl.unsigned_abs())
    }

    /// 128 random bits, base64url (22 characters).
    fn random_id(&self) -> Result<String> {
        let mut bytes = [0u8; 16];
        self.inner
            .random
            .fill(&mut bytes)
            .map_err(|_| Error::new(ErrorKind::Signing("no randomness available".into())))?;
        Ok(crate::b64::encode(&bytes))
    }

    /// A login of `sub`: a new `sid` and a fresh pair, with `claims` (any `Serialize` object,
    /// `&()`-like empty objects too: use `&serde_json::json!({})`) added to the access token.
    ///
    /// # Errors
    /// [`ErrorKind::Signing`] when `claims` is not an object, names a claim the issuer sets
    /// ([`RESERVED_CLAIMS`]), or signing fails.
    pub fn login<C: Serialize + ?Sized>(&self, sub: &str, claims: &C) -> Result<TokenPair> {
        let sid = self.random_id()?;
        let now = self.inner.clock.now();
        let fresh = match self.inner.fresh_ttl {
            Some(ttl) => Fresh::Until(now.saturating_add(ttl)),
            None => Fresh::Flag(true),
        };
        self.pair(sub, &sid, fresh, claims, now, None)
    }

    /// [`TokenIssuer::login`] for cookies: both tokens carry their `csrf` claim.
    pub(crate) fn login_with_csrf<C: Serialize + ?Sized>(
        &self,
        sub: &str,
        claims: &C,
        csrf: PairCsrf<'_>,
    ) -> Result<TokenPair> {
        let sid = self.random_id()?;
        let now = self.inner.clock.now();
        let fresh = match self.inner.fresh_ttl {
            Some(ttl) => Fresh::Until(now.saturating_add(ttl)),
            None => Fresh::Flag(true),
        };
        self.pair(sub, &sid, fresh, claims, now, Some(csrf))
    }

    /// How long refresh tokens live.
    pub fn refresh_ttl(&self) -> Duration {
        Duration::from_secs(self.inner.refresh_ttl.unsigned_abs())
    }

    /// The issuer's clock, now.
    pub(crate) fn now(&self) -> i64 {
        self.inner.clock.now()
    }

    /// A new access token of the login of `token` (an access token this issuer verified): its
    /// claims kept (`sid`, `csrf`, the caller's), a new `jti`, `iat`/`nbf` now, `exp` a full
    /// access lifetime ahead, and `fresh: false` (no password was checked).
    pub(crate) fn reissue_access(&self, token: &VerifiedToken) -> Result<String> {
        let mut claims: serde_json::Map<String, serde_json::Value> =
            serde_json::from_slice(token.payload_json()).map_err(|e| {
                Error::with_source(ErrorKind::Signing("claims serialization".into()), e)
            })?;
        let now = self.inner.clock.now();
        claims.insert("jti".into(), self.random_id()?.into());
        claims.insert("iat".into(), now.into());
        claims.insert("nbf".into(), now.into());
        claims.insert(
            "exp".into(),
            now.saturating_add(self.inner.access_ttl).into(),
        );
        claims.insert("fresh".into(), false.into());
        let json = serde_json::to_vec(&claims).map_err(|e| {
            Error::with_source(ErrorKind::Signing("claims serialization".into()), e)
        })?;
        self.inner.access.encode_payload(&json)
    }

    fn pair<C: Serialize + ?Sized>(
        &self,
        sub: &str,
        sid: &str,
        fresh: Fresh,
        claims: &C,
        now: i64,
        csrf: Option<PairCsrf<'_>>,
    ) -> Result<TokenPair> {
        let i = &self.inner;
        let serialize = |value: &dyn erased::Json| value.to_vec();
        let access_jti = self.random_id()?;
        let access = serialize(&AccessOut {
            iss: &i.issuer,
            sub,
            aud: AudOut(&i.audiences),
            client_id: i.client_id.as_deref(),
            exp: now.saturating_add(i.access_ttl),
            iat: now,
            nbf: now,
            jti: &access_jti,
            sid,
            fresh,
            csrf: csrf.map(|c| c.access),
        })?;
        let refresh_jti = self.random_id()?;
        let refresh = serialize(&RefreshOut {
            iss: &i.issuer,
            aud: AudOut(&i.audiences),
            sub,
            iat: now,
            exp: now.saturating_add(i.refresh_ttl),
            jti: &refresh_jti,
            sid,
            csrf: csrf.map(|c| c.refresh),
        })?;
        Ok(TokenPair {
            access_token: i.access.encode_payload(&with_claims(access, claims)?)?,
            token_type: "Bearer".to_owned(),
            expires_in: i.access_ttl.unsigned_abs(),
            refresh_token: i.refresh.encode_payload(&refresh)?,
        })
    }

    /// Redeems a refresh token that [`TokenIssuer::refresh_verifier`] verified: checks it
    /// against `store` (a revoked login or subject is `revoked`), marks its `jti` used, and
    /// returns a new pair of the same login (`fresh: false`), `claims` added to the access
    /// token. A token already redeemed is [`ErrorKind::RefreshReused`]; after the reuse grace
    /// window its login is revoked first (see the [module documentation](self)).
    ///
    /// # Errors
    /// [`ErrorKind::WrongTokenUse`] for anything but a refresh token; [`ErrorKind::MissingClaim`]
    /// for a refresh token without `sub`, `sid`, `jti` or `exp`; `revoked`; `refresh_reused`;
    /// the store's errors ([`ErrorKind::Revocation`], [`ErrorKind::RevocationUnavailable`]);
    /// as [`TokenIssuer::login`].
    pub async fn redeem<C: Serialize + ?Sized>(
        &self,
        store: &dyn RevocationStore,
        refresh: &VerifiedToken,
        claims: &C,
    ) -> Result<TokenPair> {
        self.redeem_with(store, refresh, claims, None).await
    }

    /// [`TokenIssuer::redeem`], the new pair carrying `csrf` claims when given.
    pub(crate) async fn redeem_with<C: Serialize + ?Sized>(
        &self,
        store: &dyn RevocationStore,
        refresh: &VerifiedToken,
        claims: &C,
        csrf: Option<PairCsrf<'_>>,
    ) -> Result<TokenPair> {
        let is_refresh = refresh
            .header()
            .typ
            .as_deref()
            .is_some_and(|t| crate::verifier::typ_matches(REFRESH_TYP, t));
        if !is_refresh {
            return Err(Error::new(ErrorKind::WrongTokenUse {
                presented: TokenUse::Access,
            }));
        }
        let read: RefreshIn<'_> = serde_json::from_slice(refresh.payload_json())
            .map_err(|_| Error::new(ErrorKind::MissingClaim("sid".into())))?;
        store.check(&RevocationClaims::new(
            Some(&read.jti),
            Some(&read.sid),
            Some(&read.sub),
            read.iat,
            Some(read.exp),
        ))?;
        let now = self.inner.clock.now();
        let until = read.exp.saturating_add(self.inner.leeway);
        if store.mark_used(&read.jti, until).await? {
            return self.pair(&read.sub, &read.sid, Fresh::Flag(false), claims, now, csrf);
        }
        let first = store.used_at(&read.jti).await?;
        let within_grace = first.is_some_and(|at| now.saturating_sub(at) <= self.inner.reuse_grace);
        if !within_grace {
            // Presented again after the grace window: taken as stolen, the login ends.
            store.revoke_sid(&read.sid, self.login_until(now)).await?;
            tracing::warn!(
                target: crate::LOG_TARGET,
                "a used refresh token was presented again after the reuse grace window: its login was revoked"
            );
        }
        Err(Error::new(ErrorKind::RefreshReused))
    }

    /// Verifies `refresh_token` with [`TokenIssuer::refresh_verifier`], then
    /// [`TokenIssuer::redeem`]s it.
    ///
    /// # Errors
    /// The verifier's errors, then as [`TokenIssuer::redeem`].
    pub async fn refresh<C: Serialize + ?Sized>(
        &self,
        store: &dyn RevocationStore,
        refresh_token: &str,
        claims: &C,
    ) -> Result<TokenPair> {
        let verified = self
            .inner
            .refresh_verifier
            .verify_token_async(refresh_token)
            .await?;
        self.redeem(store, &verified, claims).await
    }

    /// The latest any token of a login going on now can expire: now plus the refresh
    /// lifetime (each refresh issues a new one) plus leeway.
    fn login_until(&self, now: i64) -> i64 {
        now.saturating_add(self.inner.refresh_ttl)
            .saturating_add(self.inner.leeway)
    }

    /// Ends the login of `token` (an access or refresh token of this issuer): revokes its
    /// `sid` until the latest any token of that login can expire.
    ///
    /// # Errors
    /// [`ErrorKind::MissingClaim`] (`sid`) for a token without one; the store's errors.
    pub async fn logout(&self, store: &dyn RevocationStore, token: &VerifiedToken) -> Result<()> {
        let claims = RevocationClaims::from_token(token)?;
        let sid = claims
            .sid
            .as_deref()
            .ok_or_else(|| Error::new(ErrorKind::MissingClaim("sid".into())))?;
        store
            .revoke_sid(sid, self.login_until(self.inner.clock.now()))
            .await
    }

    /// "Log out everywhere": every token of `sub` issued before now is revoked (a subject
    /// cutoff; tokens issued in this very second still pass, so that a login right after it
    /// works).
    ///
    /// # Errors
    /// The store's errors.
    pub async fn logout_everywhere(&self, store: &dyn RevocationStore, sub: &str) -> Result<()> {
        store
            .revoke_subject_before(sub, self.inner.clock.now())
            .await
    }
}

/// Whether a verified access token counts as fresh at `now`: its `fresh` claim is `true`, or a
/// NumericDate after `now`. Anything else (absent, `false`, past, another type) is not.
pub fn is_fresh(token: &VerifiedToken, now: i64) -> bool {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum FreshIn {
        Flag(bool),
        Until(f64),
        Other(IgnoredAny),
    }
    #[derive(Deserialize)]
    struct Read {
        #[serde(default)]
        fresh: Option<FreshIn>,
    }
    match serde_json::from_slice::<Read>(token.payload_json()) {
        Ok(Read {
            fresh: Some(FreshIn::Flag(true)),
        }) => true,
        #[allow(clippy::cast_precision_loss)]
        Ok(Read {
            fresh: Some(FreshIn::Until(until)),
        }) => until > now as f64,
        _ => false,
    }
}
