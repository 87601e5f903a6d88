//! [`BearerAuth`]: the verifier plus token locations, realm and mode; every decision a
//! framework adapter needs, one call each.

use std::borrow::Borrow;
use std::path::Path;
use std::sync::Arc;
use std::time::Instant;

use serde::de::DeserializeOwned;

use crate::cache::{CacheConfig, CacheStats, Lookup, Miss, TokenCache};
use crate::config::VerifierConfig;
use crate::error::{Error, Result};
use crate::http::answers::quoted_safe;
use crate::http::*;
use crate::revocation::{RevocationClaims, RevocationStore};
use crate::rules::RoleSource;
use crate::sessions::cookies::SessionCookies;
use crate::verifier::{Stamp, VerifiedToken, Verifier};

/// What [`BearerAuth::verify_quick`] found. Matched at once, never stored (as
/// [`crate::cache::Lookup`]).
#[allow(clippy::large_enum_variant)]
pub(crate) enum Quick {
    /// The answer (a cache hit, or a cached token found expired): the cache's own copy.
    Done(Result<Arc<VerifiedToken>, Rejection>),
    /// A full verification is needed ([`BearerAuth::verify_pending`]).
    Pending(Pending),
}

/// A verification [`BearerAuth::verify_quick`] could not answer: what it learned already.
#[derive(Debug)]
pub(crate) struct Pending {
    /// The cache's miss (the token's hash), when the cache is on.
    miss: Option<Miss>,
    /// When the verification started, when timed.
    started: Option<Instant>,
}

/// A [`Verifier`] plus what an HTTP adapter needs around it: the [`TokenLocations`], the
/// challenge realm, and whether a request without a token passes (optional mode). Cheap to
/// clone (the verifier is an `Arc`), but adapters keep one behind an `Arc`.
///
/// Every rejection it returns is logged with `tracing` at debug level (the code, never the
/// token; for claims that do not fit the handler's type, also the fields `field`, `problem`,
/// `expected` and `found` of [`ClaimsMismatchDetail`](crate::ClaimsMismatchDetail), never a
/// value of the claims); a server fault at error level.
#[derive(Debug, Clone)]
pub struct BearerAuth {
    verifier: Verifier,
    locations: TokenLocations,
    realm: Arc<str>,
    optional: bool,
    revocation: Option<Arc<dyn RevocationStore>>,
    roles: Arc<[RoleSource]>,
    /// RFC 9728 metadata and its URL.
    metadata: Option<(Arc<ResourceMetadata>, Arc<str>)>,
    /// Browser sessions: the CSRF rule and implicit refresh.
    cookies: Option<SessionCookies>,
    /// The verified-token cache ([`crate::cache`]), for this verifier only.
    cache: Option<Arc<TokenCache>>,
    /// The `provider` label of each route ([`crate::metrics`]).
    labels: Arc<crate::metrics::ProviderLabels>,
    /// Whether verifications are timed ([`crate::metrics::MetricsConfig::verify_time`]).
    verify_time: bool,
}

impl BearerAuth {
    /// Required mode, the default [`TokenLocations`], realm [`DEFAULT_REALM`], the
    /// verified-token cache on with its defaults ([`CacheConfig`]).
    pub fn new(verifier: Verifier) -> BearerAuth {
        let cache = TokenCache::new(&CacheConfig::default()).map(Arc::new);
        let labels = Arc::new(crate::metrics::ProviderLabels::of(&verifier));
        BearerAuth {
            verifier,
            locations: TokenLocations::new(),
            realm: Arc::from(DEFAULT_REALM),
            optional: false,
            revocation: None,
            roles: Arc::from([]),
            labels,
            metadata: None,
            cookies: None,
            cache,
            verify_time: false,
        }
    }

    /// The verifier and the `[token]` locations a config describes (relative paths against
    /// [`VerifierConfig::resolve_dir`](crate::VerifierConfig::resolve_dir): the file's directory after `VerifierConfig::from_file`).
    ///
    /// # Errors
    /// As [`VerifierConfig::build`](crate::VerifierConfig::build), and [`ErrorKind::InvalidConfig`](crate::ErrorKind::InvalidConfig) for a bad `[token]` table.
    pub fn from_config(config: &VerifierConfig) -> Result<BearerAuth> {
        BearerAuth::from_config_in(config, config.resolve_dir())
    }

    /// As [`BearerAuth::from_config`], resolving relative paths against `base_dir`.
    ///
    /// # Errors
    /// As [`BearerAuth::from_config`].
    pub fn from_config_in(config: &VerifierConfig, base_dir: &Path) -> Result<BearerAuth> {
        config.token.check()?;
        crate::rules::check_sources(&config.roles)?;
        let store = config.revocation_store()?;
        let auth = BearerAuth::new(config.build_in(base_dir)?)
            .with_cache(&config.cache)
            .with_metrics(&config.metrics)
            .with_token_locations(config.token.clone())
            .with_roles(config.roles.iter().cloned());
        let auth = match &config.resource_metadata {
            Some(metadata) => {
                metadata.check()?;
                auth.with_resource_metadata(metadata.clone())
            }
            None => auth,
        };
        Ok(match store {
            Some(store) => auth.with_revocation(store),
            None => auth,
        })
    }

    /// A new, empty verified-token cache as `config` describes (`max_entries = 0`: none);
    /// see [`crate::cache`] for what a hit checks.
    #[must_use]
    pub fn with_cache(mut self, config: &CacheConfig) -> BearerAuth {
        self.cache = TokenCache::new(config).map(Arc::new);
        self
    }

    /// What is measured beyond counting: [`MetricsConfig::verify_time`] times every
    /// verification into `jwt_guard_verify_seconds` (off by default: it costs two clock reads
    /// per request).
    ///
    /// [`MetricsConfig::verify_time`]: crate::metrics::MetricsConfig::verify_time
    #[must_use]
    pub fn with_metrics(mut self, config: &crate::metrics::MetricsConfig) -> BearerAuth {
        self.verify_time = config.verify_time;
        self
    }

    /// The verified-token cache's counts; `None` when it is off.
    pub fn cache_stats(&self) -> Option<CacheStats> {
        self.cache.as_ref().map(|cache| cache.stats())
    }

    /// Reads the token from these locations.
    #[must_use]
    pub fn with_token_locations(mut self, locations: TokenLocations) -> BearerAuth {
        self.locations = locations;
        self
    }

    /// Sets the challenge realm (characters RFC 6750 does not allow become `?`).
    #[must_use]
    pub fn with_realm(mut self, realm: &str) -> BearerAuth {
        self.realm = Arc::from(quoted_safe(realm).as_ref());
        self
    }

    /// Optional mode: a request with no token at all passes unauthenticated (a bad token is
    /// still rejected).
    #[must_use]
    pub fn optional(mut self) -> BearerAuth {
        self.optional = true;
        self
    }

    /// Checks every verified token against `store` ([`crate::revocation`]): after the signature
    /// and the claims, before the handler; a revoked token is 401 `invalid_token`
    /// ([`ErrorKind::Revoked`](crate::ErrorKind::Revoked)), also in optional mode.
    #[must_use]
    pub fn with_revocation(mut self, store: Arc<dyn RevocationStore>) -> BearerAuth {
        self.revocation = Some(store);
        self
    }

    /// Reads a token's roles from `sources` (the config's `roles`), for
    /// [`BearerAuth::check_roles`]. The roles of all sources form one set: list only sources
    /// that mean the same thing.
    #[must_use]
    pub fn with_roles(mut self, sources: impl IntoIterator<Item = RoleSource>) -> BearerAuth {
        self.roles = sources.into_iter().collect();
        self
    }

    /// RFC 9728 protected resource metadata: every challenge then names its URL
    /// (`resource_metadata="..."`), and [`BearerAuth::resource_metadata_response`] serves it.
    /// Check it first with [`ResourceMetadata::check`] (`from_config` does).
    #[must_use]
    pub fn with_resource_metadata(mut self, metadata: ResourceMetadata) -> BearerAuth {
        let url = Arc::from(quoted_safe(&metadata.url()).as_ref());
        self.metadata = Some((Arc::new(metadata), url));
        self
    }

    /// Browser sessions ([`crate::sessions::cookies`]): a token this middleware takes from a
    /// cookie must pass the CSRF double-submit check on unsafe methods (403 `csrf_failed`
    /// otherwise), and, with `refresh_within_secs`, a cookie-borne access token close to its
    /// expiry gets a new access cookie on the response. The token locations are not changed:
    /// set them too ([`SessionCookies::access_locations`],
    /// [`SessionCookies::refresh_locations`]).
    #[must_use]
    pub fn with_session_cookies(mut self, cookies: SessionCookies) -> BearerAuth {
        self.cookies = Some(cookies);
        self
    }

    /// The browser session settings, if set.
    pub fn session_cookies(&self) -> Option<&SessionCookies> {
        self.cookies.as_ref()
    }

    /// The RFC 9728 metadata, if set.
    pub fn resource_metadata(&self) -> Option<&ResourceMetadata> {
        self.metadata.as_ref().map(|(m, _)| &**m)
    }

    /// The response serving the RFC 9728 document (at [`ResourceMetadata::path`]), its
    /// `bearer_methods_supported` derived from the token locations; `None` without metadata.
    pub fn resource_metadata_response(&self) -> Option<::http::Response<String>> {
        self.resource_metadata()
            .map(|m| m.response(&self.locations))
    }

    /// Where tokens carry their roles.
    pub fn role_sources(&self) -> &[RoleSource] {
        &self.roles
    }

    /// The revocation store, if one is set.
    pub fn revocation(&self) -> Option<&Arc<dyn RevocationStore>> {
        self.revocation.as_ref()
    }

    /// The verifier.
    pub fn verifier(&self) -> &Verifier {
        &self.verifier
    }

    /// Where tokens are read.
    pub fn token_locations(&self) -> &TokenLocations {
        &self.locations
    }

    /// The challenge realm.
    pub fn realm(&self) -> &str {
        &self.realm
    }

    /// Whether a request without a token passes.
    pub fn is_optional(&self) -> bool {
        self.optional
    }

    /// A rejection of `kind` with this realm, logged.
    pub fn reject(&self, kind: RejectionKind) -> Rejection {
        let rejection = Rejection {
            kind,
            realm: Arc::clone(&self.realm),
            resource_metadata: self.metadata.as_ref().map(|(_, url)| Arc::clone(url)),
        };
        crate::metrics::refused(
            rejection
                .error()
                .map_or(rejection.error_code(), Error::code),
            self.labels.refused(),
        );
        match rejection.kind() {
            RejectionKind::Server(e) => {
                tracing::error!(
                    target: crate::LOG_TARGET,
                    code = e.code(),
                    error = %e,
                    "request refused: server misconfigured"
                );
            }
            RejectionKind::InvalidToken(e) => match e.claims_mismatch_detail() {
                // Where and why the claims do not fit the handler's type: the field path, the
                // category, what the type expected and the kind of value found, never a value.
                Some(detail) => tracing::debug!(
                    target: crate::LOG_TARGET,
                    status = rejection.status().as_u16(),
                    error = rejection.error_code(),
                    code = e.code(),
                    field = detail.field(),
                    problem = detail.problem().as_str(),
                    expected = detail.expected(),
                    found = detail.found(),
                    "bearer token rejected"
                ),
                None => match e.claim_rule_failure() {
                    // Which claim rule failed and how (its index, claim and condition), never a
                    // value.
                    Some(failure) => tracing::debug!(
                        target: crate::LOG_TARGET,
                        status = rejection.status().as_u16(),
                        error = rejection.error_code(),
                        code = e.code(),
                        rule = failure.index(),
                        claim = failure.claim(),
                        condition = failure.condition(),
                        missing = failure.is_missing(),
                        "bearer token rejected"
                    ),
                    None => tracing::debug!(
                        target: crate::LOG_TARGET,
                        status = rejection.status().as_u16(),
                        error = rejection.error_code(),
                        code = e.code(),
                        "bearer token rejected"
                    ),
                },
            },
            _ => {
                tracing::debug!(
                    target: crate::LOG_TARGET,
                    status = rejection.status().as_u16(),
                    error = rejection.error_code(),
                    "bearer request rejected"
                );
            }
        }
        rejection
    }

    /// The rejection for a request that has no token (for an extractor that needs one on a
    /// route in optional mode).
    pub fn missing_token(&self) -> Rejection {
        self.reject(RejectionKind::MissingToken)
    }

    /// Finds the token in `request`. `Ok(None)` only in optional mode, for a request with no
    /// token at all.
    ///
    /// # Errors
    /// 400 `invalid_request` for a malformed request ([`TokenLocations::extract`]); 401 with a
    /// bare challenge for no token in required mode.
    pub fn extract<'r, R: TokenSource + ?Sized>(
        &self,
        request: &'r R,
    ) -> Result<Option<BearerToken<'r>>, Rejection> {
        match self.locations.extract(request) {
            Ok(Some(token)) => Ok(Some(token)),
            Ok(None) if self.optional => Ok(None),
            Ok(None) => Err(self.missing_token()),
            Err(why) => Err(self.reject(RejectionKind::InvalidRequest(why))),
        }
    }

    /// Verifies `token` with [`Verifier::verify_token_async`], then checks it against the
    /// revocation store if one is set ([`BearerAuth::with_revocation`]; a synchronous read of
    /// local state, never a network wait).
    ///
    /// # Errors
    /// 401 `invalid_token` with the [`ErrorKind`](crate::ErrorKind)'s description for every token fault
    /// (`revoked` included); a server rejection (500) for a configuration error, which
    /// verification never returns.
    pub async fn verify(&self, token: &str) -> Result<VerifiedToken, Rejection> {
        match self.verify_quick(token.as_bytes()) {
            Quick::Done(answer) => answer.map(Arc::unwrap_or_clone),
            Quick::Pending(pending) => self.verify_pending(token, pending).await,
        }
    }

    /// The part of [`BearerAuth::verify`] that never waits: a token the verified-token cache
    /// holds is answered here (time rules, revocation, metrics), so a middleware passes it on
    /// without a future; any other is left for [`BearerAuth::verify_pending`]. `token` may be
    /// unchecked bytes from a request (see [`TokenCache::lookup`]); a caller that goes on to
    /// `verify_pending` passes the same token, checked.
    pub(crate) fn verify_quick(&self, token: &[u8]) -> Quick {
        let started = self.verify_time.then(Instant::now);
        match &self.cache {
            Some(cache) => match cache.lookup(&self.verifier, token) {
                Lookup::Hit(verified) => Quick::Done(self.finish(verified, "hit", started)),
                Lookup::Miss(miss) => Quick::Pending(Pending {
                    miss: Some(miss),
                    started,
                }),
            },
            None => Quick::Pending(Pending {
                miss: None,
                started,
            }),
        }
    }

    /// The full verification of a token [`BearerAuth::verify_quick`] left pending.
    pub(crate) async fn verify_pending(
        &self,
        token: &str,
        pending: Pending,
    ) -> Result<VerifiedToken, Rejection> {
        let mut verified = self.verifier.verify_token_stamped(token).await;
        let path = match (&self.cache, pending.miss) {
            (Some(cache), Some(miss)) => {
                cache.missed();
                if let Ok((verified, stamp)) = &mut verified {
                    cache.keep(token, miss, verified, *stamp);
                }
                "miss"
            }
            // `verify_quick` always gives a miss when the cache is on.
            (Some(_), None) => "miss",
            (None, _) => "off",
        };
        self.finish(verified, path, pending.started)
    }

    /// What every verification ends with: the time metric, the revocation check, the count.
    #[inline]
    fn finish<T: Borrow<VerifiedToken>>(
        &self,
        verified: Result<(T, Stamp)>,
        path: &'static str,
        started: Option<Instant>,
    ) -> Result<T, Rejection> {
        if let Some(started) = started {
            self.labels.verify_time(path, started.elapsed());
        }
        let (verified, stamp) = verified.map_err(|e| self.reject_error(e))?;
        if let Some(store) = &self.revocation {
            // A cached token was checked at its first verification: check it at now.
            RevocationClaims::from_token(verified.borrow())
                .map(|claims| match path {
                    "hit" => claims.at(self.verifier.now()),
                    _ => claims,
                })
                .and_then(|claims| store.check(&claims))
                .map_err(|e| {
                    if !matches!(e.kind(), crate::ErrorKind::Revoked) {
                        crate::metrics::revocation_error(e.code());
                    }
                    self.reject_error(e)
                })?;
        }
        self.labels.accepted(stamp.route());
        Ok(verified)
    }

    /// [`BearerAuth::extract`] then [`BearerAuth::verify`]: `Ok(None)` only in optional mode
    /// for a request with no token.
    ///
    /// # Errors
    /// As those two.
    pub async fn authenticate<R: TokenSource + ?Sized>(
        &self,
        request: &R,
    ) -> Result<Option<VerifiedToken>, Rejection> {
        match self.extract(request)? {
            Some(token) => self.verify(token.as_str()).await.map(Some),
            None => Ok(None),
        }
    }

    /// The verified claims as `T`.
    ///
    /// # Errors
    /// 401 `invalid_token` ("the token claims are invalid") when they do not fit `T`: the token
    /// lacks what the handler needs.
    pub fn claims<T: DeserializeOwned>(&self, token: &VerifiedToken) -> Result<T, Rejection> {
        token.claims().map_err(|e| self.reject_error(e))
    }

    /// Checks that `token` grants `required`.
    ///
    /// # Errors
    /// 403 `insufficient_scope` naming the required scopes; 401 `invalid_token` if the scope
    /// claim is neither a string nor an array of strings.
    pub fn check_scopes(
        &self,
        token: &VerifiedToken,
        required: &RequiredScopes,
    ) -> Result<(), Rejection> {
        if required.scopes().is_empty() {
            return Ok(());
        }
        let granted = granted_scopes(token).map_err(|e| self.reject_error(e))?;
        if required.is_satisfied_by(&granted) {
            Ok(())
        } else {
            Err(self.reject(RejectionKind::InsufficientScope(required.clone())))
        }
    }

    /// Checks that `token` is fresh ([`crate::sessions::is_fresh`] on the verifier's clock):
    /// its `fresh` claim is `true`, or a NumericDate still ahead.
    ///
    /// # Errors
    /// 401 `insufficient_user_authentication`, "a fresh login is required" (RFC 9470 §3).
    pub fn check_fresh(&self, token: &VerifiedToken) -> Result<(), Rejection> {
        if crate::sessions::is_fresh(token, self.verifier.now()) {
            Ok(())
        } else {
            Err(self.reject(RejectionKind::InsufficientUserAuthentication))
        }
    }

    /// Checks that `token` holds `required` roles, read from the [`BearerAuth::role_sources`].
    ///
    /// # Errors
    /// 403 (challenge `insufficient_scope` without `scope`, body `insufficient_role`) when a
    /// role is missing; 401 `invalid_token` when a source's claim is neither a string nor an
    /// array of strings; a server rejection (500, logged) when no role source is configured or
    /// one is malformed: such a route could never be reached, which is a deployment mistake.
    pub fn check_roles(
        &self,
        token: &VerifiedToken,
        required: &RequiredRoles,
    ) -> Result<(), Rejection> {
        if self.roles.is_empty() {
            return Err(self.reject_error(Error::config(
                "roles",
                "a route requires roles but no role source is configured: set `roles` in the                  config or call with_roles",
            )));
        }
        crate::rules::check_sources(&self.roles).map_err(|e| self.reject_error(e))?;
        let granted = granted_roles(token, &self.roles).map_err(|e| self.reject_error(e))?;
        if required.is_satisfied_by(&granted) {
            Ok(())
        } else {
            Err(self.reject(RejectionKind::InsufficientRole(required.clone())))
        }
    }

    /// Checks `token` against a route's claim rules.
    ///
    /// # Errors
    /// 403 (challenge `insufficient_scope` without `scope`, body `insufficient_role`,
    /// description "a required claim is missing") when a rule fails.
    pub fn check_claim_rules(
        &self,
        token: &VerifiedToken,
        required: &RequiredClaims,
    ) -> Result<(), Rejection> {
        match required.check(token) {
            Ok(()) => Ok(()),
            Err(e) if e.code() == "claim_rejected" => {
                Err(self.reject(RejectionKind::InsufficientClaims(e)))
            }
            Err(e) => Err(self.reject_error(e)),
        }
    }

    /// The rejection for a core error: `invalid_token` for a token fault, else a server fault.
    pub fn reject_error(&self, error: Error) -> Rejection {
        self.reject(RejectionKind::from(error))
    }
}

/// What a freshness guard (`RequireFresh`) requires: a token from a fresh login, its `fresh`
/// claim `true` or a NumericDate still ahead ([`crate::sessions`]).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct RequiredFreshness;

impl RequiredFreshness {
    /// A fresh login.
    pub fn new() -> RequiredFreshness {
        RequiredFreshness
    }
}

impl From<Verifier> for BearerAuth {
    fn from(verifier: Verifier) -> BearerAuth {
        BearerAuth::new(verifier)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::http::test_support::*;
    use serde::Deserialize;

    #[test]
    fn authenticate_required_and_optional() {
        let auth = auth();
        let good = sign(serde_json::json!({"sub": "ada", "exp": 4_102_444_800u64}));
        let header = format!("Bearer {good}");
        let ok = request("/", &[("authorization", &header)]);
        let verified = block_on(auth.authenticate(&ok)).unwrap().unwrap();
        let claims: serde_json::Value = auth.claims(&verified).unwrap();
        assert_eq!(claims["sub"], "ada");

        let none = request("/", &[]);
        let err = block_on(auth.authenticate(&none)).unwrap_err();
        assert!(matches!(err.kind(), RejectionKind::MissingToken));

        let expired = sign(serde_json::json!({"exp": 1_000_000_000}));
        let header = format!("Bearer {expired}");
        let stale = request("/", &[("authorization", &header)]);
        let err = block_on(auth.authenticate(&stale)).unwrap_err();
        assert_eq!(err.error().map(Error::kind), Some(&ErrorKind::Expired));
        assert!(!err.to_string().contains(&expired));

        let optional = auth.clone().optional();
        assert!(block_on(optional.authenticate(&none)).unwrap().is_none());
        assert!(block_on(optional.authenticate(&stale)).is_err());
        assert!(block_on(optional.authenticate(&ok)).unwrap().is_some());

        #[derive(Debug, Deserialize)]
        #[allow(dead_code)]
        struct NeedsEmail {
            email: String,
        }
        let err = auth.claims::<NeedsEmail>(&verified).unwrap_err();
        assert_eq!(err.status(), StatusCode::UNAUTHORIZED);
        assert_eq!(err.description(), "the token claims are invalid");
    }
}
