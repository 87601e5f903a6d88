//! What jwt-guard reports through the [`metrics`](https://docs.rs/metrics) facade. Nothing is
//! recorded until the application installs a recorder (an exporter such as
//! `metrics-exporter-prometheus`; the quickstart examples serve Prometheus text at
//! `GET /metrics`); without one each call is a load of the no-op recorder.
//!
//! Label values are bounded: error codes ([`Error::code`](crate::Error::code)) and the
//! provider names of the config (a provider's first issuer, `default` without one), never a
//! claim value or a token.
//!
//! | name | type | labels | what |
//! |---|---|---|---|
//! | `jwt_guard_requests_accepted_total` | counter | `provider` | tokens accepted (after revocation) |
//! | `jwt_guard_requests_refused_total` | counter | `code`, `provider` | tokens and requests refused, by error code |
//! | `jwt_guard_verify_seconds` | histogram | `cache` (`hit`, `miss`, `off`) | time of one token's verification |
//! | `jwt_guard_cache_hits_total` | counter | | requests answered from the verified-token cache |
//! | `jwt_guard_cache_misses_total` | counter | | requests verified in full with the cache on |
//! | `jwt_guard_cache_evictions_total` | counter | | entries pushed out by the cache's bound |
//! | `jwt_guard_jwks_fetches_total` | counter | `result` (`ok`, `error`) | fetches of remote JWK Sets |
//! | `jwt_guard_jwks_age_seconds` | gauge | | age of the newest JWK Set when it was last used or fetched |
//! | `jwt_guard_revocation_staleness_seconds` | gauge | | how long the Redis replica has not heard from Redis (at the last check) |
//! | `jwt_guard_revocation_store_errors_total` | counter | `code` | revocation store failures (unavailable replica, failed writes) |

use std::time::Duration;

use ::metrics::SharedString;

/// Tokens accepted.
pub const ACCEPTED: &str = "jwt_guard_requests_accepted_total";
/// Requests refused.
pub const REFUSED: &str = "jwt_guard_requests_refused_total";
/// Verification time.
pub const VERIFY_SECONDS: &str = "jwt_guard_verify_seconds";
/// Cache hits.
pub const CACHE_HITS: &str = "jwt_guard_cache_hits_total";
/// Cache misses.
pub const CACHE_MISSES: &str = "jwt_guard_cache_misses_total";
/// Cache evictions.
pub const CACHE_EVICTIONS: &str = "jwt_guard_cache_evictions_total";
/// JWK Set fetches.
pub const JWKS_FETCHES: &str = "jwt_guard_jwks_fetches_total";
/// The JWK Set's age.
pub const JWKS_AGE: &str = "jwt_guard_jwks_age_seconds";
/// The revocation replica's staleness.
pub const REVOCATION_STALENESS: &str = "jwt_guard_revocation_staleness_seconds";
/// Revocation store errors.
pub const REVOCATION_ERRORS: &str = "jwt_guard_revocation_store_errors_total";

/// The `provider` label values of a verifier, built once (no allocation per request).
#[derive(Clone, Debug)]
pub(crate) struct ProviderLabels {
    routes: std::sync::Arc<[SharedString]>,
    /// For a refusal: the one provider, or `unknown` with several (the token is not trusted to
    /// name one).
    refused: SharedString,
}

impl ProviderLabels {
    pub(crate) fn of(verifier: &crate::Verifier) -> ProviderLabels {
        let routes: std::sync::Arc<[SharedString]> = verifier
            .route_labels()
            .into_iter()
            .map(|label| SharedString::from(std::sync::Arc::<str>::from(label)))
            .collect();
        let refused = match &*routes {
            [one] => one.clone(),
            _ => SharedString::const_str("unknown"),
        };
        ProviderLabels { routes, refused }
    }

    pub(crate) fn route(&self, route: usize) -> SharedString {
        self.routes
            .get(route)
            .cloned()
            .unwrap_or_else(|| SharedString::const_str("unknown"))
    }

    pub(crate) fn refused(&self) -> SharedString {
        self.refused.clone()
    }
}

pub(crate) fn accepted(provider: SharedString) {
    ::metrics::counter!(ACCEPTED, "provider" => provider).increment(1);
}

pub(crate) fn refused(code: &'static str, provider: SharedString) {
    ::metrics::counter!(REFUSED, "code" => code, "provider" => provider).increment(1);
}

pub(crate) fn verify_time(cache: &'static str, elapsed: Duration) {
    ::metrics::histogram!(VERIFY_SECONDS, "cache" => cache).record(elapsed.as_secs_f64());
}

pub(crate) fn cache_hit() {
    ::metrics::counter!(CACHE_HITS).increment(1);
}

pub(crate) fn cache_missed() {
    ::metrics::counter!(CACHE_MISSES).increment(1);
}

pub(crate) fn cache_evicted() {
    ::metrics::counter!(CACHE_EVICTIONS).increment(1);
}

#[cfg(feature = "remote")]
pub(crate) fn jwks_fetched(ok: bool) {
    ::metrics::counter!(JWKS_FETCHES, "result" => if ok { "ok" } else { "error" }).increment(1);
}

#[cfg(feature = "remote")]
pub(crate) fn jwks_age(age: Duration) {
    ::metrics::gauge!(JWKS_AGE).set(age.as_secs_f64());
}

#[cfg(feature = "redis")]
pub(crate) fn revocation_staleness(staleness: Duration) {
    ::metrics::gauge!(REVOCATION_STALENESS).set(staleness.as_secs_f64());
}

pub(crate) fn revocation_error(code: &'static str) {
    ::metrics::counter!(REVOCATION_ERRORS, "code" => code).increment(1);
}
