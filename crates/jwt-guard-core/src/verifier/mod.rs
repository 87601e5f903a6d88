//! [`Verifier`]: built once, shared by all requests, verifies a compact JWT in a fixed order.

use std::fmt;
use std::sync::Arc;

use std::collections::HashMap;
use std::future::Future;
use std::pin::Pin;

use serde::de::{DeserializeOwned, IgnoredAny};

use crate::algorithm::Algorithm;
use crate::b64;
use crate::clock::{Clock, SystemClock};
use crate::error::claims_mismatch;
use crate::error::{Error, ErrorKind, Result};
use crate::key::KeySet;
use crate::rules::RulePlan;
use crate::token::{self, Header, RawClaims, TeeState};

mod builder;
mod memo;
mod stamp;
mod validation;
mod verified;

pub use builder::VerifierBuilder;
use memo::*;
pub(crate) use stamp::Stamp;
use stamp::Times;
pub(crate) use validation::typ_matches;
pub use validation::{
    ACCESS_TYP, DEFAULT_LEEWAY_SECS, DEFAULT_MAX_HEADER_BYTES, DEFAULT_MAX_KEYS_WITHOUT_KID,
    DEFAULT_MAX_TOKEN_BYTES, MAX_REQUIRED_CLAIMS, REFRESH_TYP, TokenUse, Validation,
};
use verified::ClaimSpans;
pub use verified::{TokenData, VerifiedToken};

/// Where a verifier's keys come from when they are not a fixed [`KeySet`]: a remote JWK Set
/// that is fetched, cached and refreshed (see the `remote` module when enabled), or your own.
pub trait KeySource: Send + Sync + fmt::Debug + 'static {
    /// The keys now, without blocking or taking a lock a fetch holds; `None` if never loaded.
    fn current(&self) -> Option<Arc<KeySet>>;

    /// Called after a token named a key the current set lacks. Resolves when the one refresh
    /// this call may start or join is done (the source applies its own cooldown, so most calls
    /// return at once, and its own timeout), with the newest keys, if any.
    fn refresh(&self) -> Pin<Box<dyn Future<Output = Option<Arc<KeySet>>> + Send + '_>>;
}

enum Keys {
    Static(Arc<KeySet>),
    Source(Arc<dyn KeySource>),
}

impl fmt::Debug for Keys {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Keys::Static(keys) => keys.fmt(f),
            Keys::Source(source) => source.fmt(f),
        }
    }
}

/// One issuer's keys and rules.
struct Provider {
    keys: Keys,
    validation: Validation,
    clock: Arc<dyn Clock>,
    headers: HeaderMemo,
    /// Where each claim rule of `validation.claims` finds its claim.
    rules: RulePlan,
}

enum Inner {
    Single(Provider),
    /// Tokens routed by their (unverified) `iss` to exactly one verifier, which then applies all
    /// of its own rules.
    Routed {
        by_issuer: HashMap<String, Verifier>,
        verifiers: Vec<Verifier>,
        /// The union of the routes' rules, for display (algorithms, issuers, audiences).
        summary: Validation,
    },
}

/// Verifies tokens against a key set and a [`Validation`]. Build once (keys are parsed at
/// construction), clone freely (an `Arc` inside), share across threads; verifying takes no lock.
///
/// The order of checks: size cap, split, strict base64url (all three parts), header JSON, `alg` allow-list,
/// `crit`, key selection, **signature**, claims JSON, `typ`, then the registered-claim checks
/// (`exp`, `nbf`, `iat`, `iss`, `aud`, `sub`), then the [`ClaimRule`](crate::ClaimRule)s in order. A forged
/// token that is also expired reports `invalid_signature`.
///
/// ```
/// use jwt_guard_core::{Algorithm, Key, Signer, Verifier, RegisteredClaims};
/// # fn main() -> Result<(), jwt_guard_core::Error> {
/// let key = Key::hmac(b"an example secret of 32 bytes..!")?;
/// let verifier = Verifier::builder()
///     .algorithms([Algorithm::HS256])
///     .key(key.clone())
///     .issuer("https://issuer.example")
///     .build()?;
///
/// let claims = serde_json::json!({"iss": "https://issuer.example", "sub": "ada", "exp": 4_102_444_800u64});
/// let token = Signer::new(key, Algorithm::HS256)?.encode(&claims)?;
/// let data = verifier.verify::<RegisteredClaims>(&token)?;
/// assert_eq!(data.claims.sub.as_deref(), Some("ada"));
/// # Ok(()) }
/// ```
#[derive(Clone)]
pub struct Verifier {
    inner: Arc<Inner>,
}

impl Verifier {
    /// A builder.
    pub fn builder() -> VerifierBuilder {
        VerifierBuilder::default()
    }

    /// A verifier over `keys` with `validation`.
    ///
    /// # Errors
    /// [`ErrorKind::InvalidConfig`] for an empty allow-list, no keys, or no key usable with any
    /// allowed algorithm.
    pub fn new(keys: impl Into<KeySet>, validation: Validation) -> Result<Verifier> {
        Verifier::from_parts(
            Keys::Static(Arc::new(keys.into())),
            validation,
            Arc::new(SystemClock),
        )
    }

    fn from_parts(keys: Keys, validation: Validation, clock: Arc<dyn Clock>) -> Result<Verifier> {
        validation.check()?;
        if let Keys::Static(keys) = &keys {
            if keys.is_empty() {
                return Err(Error::config("keys", "at least one key is required"));
            }
            if keys
                .algorithms()
                .intersection(validation.algorithms)
                .is_empty()
            {
                return Err(Error::config(
                    "algorithms",
                    format!(
                        "no key can verify any allowed algorithm (allowed {:?}, keys serve {:?})",
                        validation.algorithms,
                        keys.algorithms()
                    ),
                ));
            }
        }
        let rules = RulePlan::new(&validation.claims);
        Ok(Verifier {
            inner: Arc::new(Inner::Single(Provider {
                keys,
                validation,
                clock,
                headers: HeaderMemo::new(),
                rules,
            })),
        })
    }

    /// A verifier for several issuers: each token is routed by its (unverified) `iss` to the one
    /// verifier that lists that issuer, which then verifies it fully with its own keys and rules.
    /// A token whose `iss` no verifier lists is `invalid_issuer` and touches no key.
    ///
    /// # Errors
    /// [`ErrorKind::InvalidConfig`] if a verifier lists no issuer, two list the same issuer, one
    /// is itself routed, or none is given.
    pub fn routed(verifiers: impl IntoIterator<Item = Verifier>) -> Result<Verifier> {
        let verifiers: Vec<Verifier> = verifiers.into_iter().collect();
        if verifiers.is_empty() {
            return Err(Error::config(
                "providers",
                "at least one provider is required",
            ));
        }
        let mut by_issuer = HashMap::new();
        let mut summary = Validation {
            max_token_bytes: 0,
            ..Validation::default()
        };
        for (i, verifier) in verifiers.iter().enumerate() {
            if matches!(&*verifier.inner, Inner::Routed { .. }) {
                return Err(Error::config(
                    format!("providers[{i}]"),
                    "a routed verifier cannot itself be a route",
                ));
            }
            let v = verifier.validation();
            if v.issuers.is_empty() {
                return Err(Error::config(
                    format!("providers[{i}].issuer"),
                    "every provider needs an issuer to route by",
                ));
            }
            for issuer in &v.issuers {
                if by_issuer.insert(issuer.clone(), verifier.clone()).is_some() {
                    return Err(Error::config(
                        format!("providers[{i}].issuer"),
                        format!("issuer {issuer} is listed by two providers"),
                    ));
                }
                summary.issuers.push(issuer.clone());
            }
            summary.algorithms = v
                .algorithms
                .iter()
                .chain(summary.algorithms.iter())
                .collect();
            summary.audiences.extend(v.audiences.iter().cloned());
            summary.max_token_bytes = summary.max_token_bytes.max(v.max_token_bytes);
        }
        Ok(Verifier {
            inner: Arc::new(Inner::Routed {
                by_issuer,
                verifiers,
                summary,
            }),
        })
    }

    /// Now, on this verifier's clock (for a routed verifier, its first route's).
    pub(crate) fn now(&self) -> i64 {
        match &*self.inner {
            Inner::Single(p) => p.clock.now(),
            Inner::Routed { verifiers, .. } => verifiers
                .first()
                .map_or_else(|| SystemClock.now(), Verifier::now),
        }
    }

    /// The rules this verifier applies (for a routed verifier: the union of its routes' issuers,
    /// audiences and algorithms; see [`Verifier::route`] for one token's rules).
    pub fn validation(&self) -> &Validation {
        match &*self.inner {
            Inner::Single(p) => &p.validation,
            Inner::Routed { summary, .. } => summary,
        }
    }

    /// The keys now in use (a snapshot: a remote set may change; empty if never loaded; for a
    /// routed verifier, the keys of all routes).
    pub fn keys(&self) -> Arc<KeySet> {
        match &*self.inner {
            Inner::Single(p) => match &p.keys {
                Keys::Static(keys) => keys.clone(),
                Keys::Source(source) => source.current().unwrap_or_default(),
            },
            Inner::Routed { verifiers, .. } => Arc::new(
                verifiers
                    .iter()
                    .flat_map(|v| v.keys().keys().to_vec())
                    .collect(),
            ),
        }
    }

    /// The verifier whose rules apply to `token`: `self`, or for a routed verifier the route
    /// chosen by the token's unverified `iss`.
    ///
    /// # Errors
    /// For a routed verifier: [`ErrorKind::TokenTooLarge`], [`ErrorKind::Malformed`] for a token
    /// whose claims cannot be read, [`ErrorKind::MissingClaim`] without `iss`,
    /// [`ErrorKind::InvalidIssuer`] for an issuer no route lists.
    pub fn route(&self, token: &str) -> Result<&Verifier> {
        let Inner::Routed {
            by_issuer, summary, ..
        } = &*self.inner
        else {
            return Ok(self);
        };
        if token.len() > summary.max_token_bytes {
            return Err(Error::new(ErrorKind::TokenTooLarge {
                len: token.len(),
                max: summary.max_token_bytes,
            }));
        }
        let parts = token::split(token)?;
        let payload = b64::decode_strict(parts.payload)
            .map_err(|_| Error::new(ErrorKind::Malformed("the payload is not base64url")))?;
        let iss = token::read_issuer(&payload)?;
        by_issuer
            .get(iss.as_ref())
            .ok_or(Error::new(ErrorKind::InvalidIssuer))
    }

    fn provider(&self, token: &str) -> Result<&Provider> {
        match &*self.route(token)?.inner {
            Inner::Single(p) => Ok(p),
            Inner::Routed { .. } => Err(Error::config(
                "providers",
                "a route cannot itself be routed",
            )),
        }
    }

    /// Verifies `token` and deserializes its claims into `T`, reading the claims JSON once.
    /// With a remote key set, an unknown `kid` is `unknown_key` here without waiting for a
    /// refresh; use [`Verifier::verify_async`] to let it refresh.
    ///
    /// # Errors
    /// The [`ErrorKind`] of the first failed check (see the type docs for the order).
    pub fn verify<T: DeserializeOwned>(&self, token: &str) -> Result<TokenData<T>> {
        self.provider(token)?.verify(token)
    }

    /// Verifies `token`, keeping its claims as JSON for later deserialization (what the HTTP
    /// adapters store per request).
    ///
    /// # Errors
    /// As [`Verifier::verify`].
    pub fn verify_token(&self, token: &str) -> Result<VerifiedToken> {
        self.provider(token)?.verify_token(token)
    }

    /// [`Verifier::verify`], letting a remote key set refresh once (bounded by its cooldown and
    /// timeout) when the token names a key it does not have yet. Runtime-agnostic.
    ///
    /// # Errors
    /// As [`Verifier::verify`].
    pub async fn verify_async<T: DeserializeOwned>(&self, token: &str) -> Result<TokenData<T>> {
        let provider = self.provider(token)?;
        match provider.verify(token) {
            Err(e) if provider.may_refresh(&e) => {
                provider.refresh().await;
                provider.verify(token)
            }
            result => result,
        }
    }

    /// The async form of [`Verifier::verify_token`], which the HTTP adapters call: as
    /// [`Verifier::verify_async`].
    ///
    /// # Errors
    /// As [`Verifier::verify`].
    pub async fn verify_token_async(&self, token: &str) -> Result<VerifiedToken> {
        let provider = self.provider(token)?;
        match provider.verify_token(token) {
            Err(e) if provider.may_refresh(&e) => {
                provider.refresh().await;
                provider.verify_token(token)
            }
            result => result,
        }
    }

    /// Verifies only the JWS layer (size, syntax, header, `alg`, key, signature) and returns the
    /// header and the raw payload bytes, whatever they are. No claim is checked: for JWS
    /// payloads that are not JWTs.
    ///
    /// # Errors
    /// As [`Verifier::verify`] up to the signature.
    pub fn verify_jws(&self, token: &str) -> Result<(Header, Vec<u8>)> {
        let (header, payload) = self.provider(token)?.verify_signature(token)?;
        Ok((header, payload.to_vec()))
    }
}

impl Provider {
    fn verify<T: DeserializeOwned>(&self, token: &str) -> Result<TokenData<T>> {
        let (header, payload) = self.verify_signature(token)?;
        let (claims, _, _) = self.check_payload::<T>(&header, &payload)?;
        Ok(TokenData { header, claims })
    }

    fn verify_token(&self, token: &str) -> Result<VerifiedToken> {
        self.verify_token_timed(token).map(|(verified, _)| verified)
    }

    /// [`Provider::verify_token`], also returning the dates its time rules read (for the
    /// verified-token cache, which checks them again on every hit).
    fn verify_token_timed(&self, token: &str) -> Result<(VerifiedToken, Times)> {
        let (header, payload) = self.verify_signature(token)?;
        let (_, spans, times) = self.check_payload::<IgnoredAny>(&header, &payload)?;
        Ok((
            VerifiedToken {
                header,
                payload,
                spans,
                parsed: None,
            },
            times,
        ))
    }

    fn may_refresh(&self, error: &Error) -> bool {
        matches!(self.keys, Keys::Source(_))
            && matches!(
                error.kind(),
                ErrorKind::UnknownKey | ErrorKind::KeyUnavailable
            )
    }

    async fn refresh(&self) {
        if let Keys::Source(source) = &self.keys {
            source.refresh().await;
        }
    }

    /// Everything up to and including the signature; returns the header and decoded payload.
    fn verify_signature(&self, token: &str) -> Result<(Header, std::sync::Arc<[u8]>)> {
        let v = &self.validation;
        if token.len() > v.max_token_bytes {
            return Err(Error::new(ErrorKind::TokenTooLarge {
                len: token.len(),
                max: v.max_token_bytes,
            }));
        }
        let parts = token::split(token)?;
        // The header is read before the signature: cap what a forger can make us decode and
        // parse (the memo's fingerprint too).
        if parts.header.len() > v.max_header_bytes {
            return Err(Error::new(ErrorKind::TokenTooLarge {
                len: parts.header.len(),
                max: v.max_header_bytes,
            }));
        }
        let (header, memo_hit) = match self.headers.get(parts.header) {
            Some(header) => (header, true),
            None => (self.check_header(parts.header)?, false),
        };
        let payload = b64::decode_strict_shared(parts.payload)
            .map_err(|()| Error::new(ErrorKind::Malformed("the payload is not base64url")))?;
        let mut signature_buf = [0u8; 528];
        let signature = b64::decode_strict_into(parts.signature, &mut signature_buf)
            .map_err(|()| Error::new(ErrorKind::Malformed("the signature is not base64url")))?;
        // The key set is read only once the token is known to be well-formed and its header
        // acceptable: a malformed token is `malformed`, not `key_unavailable`, and never makes
        // a remote source fetch.
        let snapshot;
        let keys: &KeySet = match &self.keys {
            Keys::Static(keys) => keys,
            Keys::Source(source) => {
                snapshot = source
                    .current()
                    .ok_or(Error::new(ErrorKind::KeyUnavailable))?;
                &snapshot
            }
        };
        let alg = header.alg;
        if header.kid.is_none() {
            // Without `kid` every key allowed for `alg` is a candidate: bound that work, and
            // answer the same whatever the order of the keys.
            if v.require_kid || keys.count_without_kid(alg) > v.max_keys_without_kid {
                return Err(Error::new(ErrorKind::UnknownKey));
            }
        }
        let verified = keys.select(header.kid.as_deref(), alg)?.any(|key| {
            key.verify_signature(alg, parts.signing_input, &signature)
                .is_ok()
        });
        if !verified {
            return Err(Error::new(ErrorKind::InvalidSignature));
        }
        if !memo_hit {
            self.headers.put(parts.header, &header);
        }
        Ok((header, payload))
    }

    /// Decodes and parses the header and applies the header rules (`alg` allow-list, `crit`,
    /// `b64`).
    fn check_header(&self, segment: &str) -> Result<Header> {
        let v = &self.validation;
        let mut header_buf = [0u8; 384];
        let header_json = b64::decode_strict_into(segment, &mut header_buf)
            .map_err(|()| Error::new(ErrorKind::Malformed("the header is not base64url")))?;
        let raw = token::parse_header(&header_json)?;
        let alg = raw
            .alg
            .as_deref()
            .and_then(Algorithm::from_name)
            .filter(|alg| v.algorithms.contains(*alg))
            .ok_or(Error::new(ErrorKind::InvalidAlgorithm))?;
        if let Some(crit) = &raw.crit {
            if crit.is_empty() {
                return Err(Error::new(ErrorKind::Malformed("crit must not be empty")));
            }
            if crit
                .iter()
                .any(|name| !v.critical_extensions.iter().any(|c| c == name))
            {
                return Err(Error::new(ErrorKind::UnsupportedCrit));
            }
        }
        if raw.b64 == Some(false) {
            // RFC 7797 unencoded payloads are not supported.
            return Err(Error::new(ErrorKind::UnsupportedCrit));
        }
        Ok(Header {
            alg,
            kid: raw.kid.map(|s| Arc::from(s.as_ref())),
            typ: raw.typ.map(|s| Arc::from(s.as_ref())),
            cty: raw.cty.map(|s| Arc::from(s.as_ref())),
        })
    }

    /// Reads the (authentic) claims into `T` in one pass while checking the rules. If that pass
    /// cannot decide (the type stopped early or rejected the JSON), the strict two-pass path
    /// decides, so a rule violation always wins over a claims-type mismatch.
    /// Also returns where the claims the revocation check reads are ([`ClaimSpans`]).
    fn check_payload<T: DeserializeOwned>(
        &self,
        header: &Header,
        payload: &[u8],
    ) -> Result<(T, ClaimSpans, Times)> {
        let v = &self.validation;
        let text = token::check_utf8(payload)?;
        let mut state = TeeState::capturing(&v.required_claims, self.rules.captures());
        let parsed = token::deserialize_tee::<T>(text, &mut state);
        if let Some(kind) = state.failure {
            let kind = token::syntax_first(payload, kind, "the payload is not valid JSON");
            return Err(Error::new(kind));
        }
        match parsed {
            Ok(claims) if state.finished => {
                self.check_typ(header)?;
                let now = self.check_claims(&state.claims)?;
                Ok((
                    claims,
                    ClaimSpans::of(&state.claims, payload, now),
                    Times::of(&state.claims),
                ))
            }
            other => {
                let raw = token::parse_claims_capturing(
                    payload,
                    &v.required_claims,
                    self.rules.captures(),
                )?;
                self.check_typ(header)?;
                let now = self.check_claims(&raw)?;
                match other {
                    Ok(claims) => Ok((claims, ClaimSpans::of(&raw, payload, now), Times::of(&raw))),
                    Err(_) => Err(claims_mismatch::<T>(payload)),
                }
            }
        }
    }

    fn check_typ(&self, header: &Header) -> Result<()> {
        let refresh = header
            .typ
            .as_deref()
            .is_some_and(|t| typ_matches(REFRESH_TYP, t));
        match (self.validation.token_use, refresh) {
            (TokenUse::Access, true) => return Err(wrong_use(TokenUse::Refresh)),
            (TokenUse::Refresh, false) => return Err(wrong_use(TokenUse::Access)),
            (TokenUse::Refresh, true) => return Ok(()),
            (TokenUse::Access, false) => {}
        }
        match &self.validation.typ {
            Some(expected)
                if !header
                    .typ
                    .as_deref()
                    .is_some_and(|t| typ_matches(expected, t)) =>
            {
                Err(Error::new(ErrorKind::InvalidType))
            }
            _ => Ok(()),
        }
    }

    /// Checks the claims; returns the time it checked them at.
    fn check_claims(&self, c: &RawClaims<'_>) -> Result<i64> {
        let v = &self.validation;
        if c.refresh_type && v.token_use == TokenUse::Access {
            return Err(wrong_use(TokenUse::Refresh));
        }
        let missing = |name: &str| Error::new(ErrorKind::MissingClaim(name.to_owned().into()));
        if let Some(i) = (0..v.required_claims.len()).find(|i| c.required_present & (1 << i) == 0) {
            let name = v.required_claims.get(i).map_or("", String::as_str);
            return Err(missing(name));
        }
        let now = self.check_times(Times::of(c))?;
        if !v.issuers.is_empty() {
            let iss = c.iss.as_deref().ok_or_else(|| missing("iss"))?;
            if !v.issuers.iter().any(|i| i == iss) {
                return Err(Error::new(ErrorKind::InvalidIssuer));
            }
        }
        if !v.skip_audience_check {
            match (&c.aud, v.audiences.is_empty()) {
                (None, true) => {}
                (None, false) => return Err(missing("aud")),
                (Some(_), true) => return Err(Error::new(ErrorKind::InvalidAudience)),
                (Some(aud), false) => {
                    if !aud.iter().any(|a| v.audiences.iter().any(|x| x == a)) {
                        return Err(Error::new(ErrorKind::InvalidAudience));
                    }
                }
            }
        }
        if let Some(expected) = &v.subject {
            let sub = c.sub.as_deref().ok_or_else(|| missing("sub"))?;
            if sub != expected {
                return Err(Error::new(ErrorKind::InvalidSubject));
            }
        }
        if !self.rules.is_empty() {
            self.rules.check(&v.claims, c)?;
        }
        Ok(now)
    }
}

/// A token of the other kind than the verifier's [`TokenUse`].
fn wrong_use(presented: TokenUse) -> Error {
    Error::new(ErrorKind::WrongTokenUse { presented })
}

impl fmt::Debug for Verifier {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &*self.inner {
            Inner::Single(p) => f
                .debug_struct("Verifier")
                .field("keys", &p.keys)
                .field("validation", &p.validation)
                .field("clock", &p.clock)
                .finish(),
            Inner::Routed { verifiers, .. } => f
                .debug_struct("Verifier")
                .field("routes", verifiers)
                .finish(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Key;

    #[test]
    fn typ_comparison() {
        assert!(typ_matches("at+jwt", "application/at+jwt"));
        assert!(typ_matches("application/at+jwt", "AT+JWT"));
        assert!(typ_matches("JWT", "jwt"));
        assert!(!typ_matches("at+jwt", "JWT"));
        assert!(!typ_matches("at+jwt", "application/"));
    }

    #[test]
    fn builder_refuses_bad_settings() {
        let key = Key::hmac([7u8; 32]).ok();
        let Some(key) = key else { return };
        let err = Verifier::builder().key(key.clone()).build().err();
        assert!(
            matches!(err.map(Error::into_kind), Some(ErrorKind::InvalidConfig { field, .. }) if field == "algorithms")
        );
        let err = Verifier::builder()
            .algorithms([Algorithm::HS256])
            .build()
            .err();
        assert!(
            matches!(err.map(Error::into_kind), Some(ErrorKind::InvalidConfig { field, .. }) if field == "keys")
        );
        let err = Verifier::builder()
            .algorithms([Algorithm::RS256])
            .key(key)
            .build()
            .err();
        assert!(
            matches!(err.map(Error::into_kind), Some(ErrorKind::InvalidConfig { field, .. }) if field == "algorithms")
        );
    }
}
