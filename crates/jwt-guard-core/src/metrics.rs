//! What jwt-guard reports through the [`metrics`](https://docs.rs/metrics) facade. Nothing is
//! recorded until the application installs a recorder (an exporter such as
//! `metrics-exporter-prometheus`; the quickstart examples serve Prometheus text at
//! `GET /metrics`); without one each call is a load of the no-op recorder.
//!
//! The handles of the request path (accepted, verification time, cache) are registered with the
//! recorder at their first use and kept: install the recorder before the server takes its first
//! request (as the examples do). A request then costs an atomic load per metric, not a lookup.
//!
//! Label values are bounded: error codes ([`Error::code`](crate::Error::code)) and the
//! provider names of the config (a provider's first issuer, `default` without one), never a
//! claim value or a token.
//!
//! | name | type | labels | what |
//! |---|---|---|---|
//! | `jwt_guard_requests_accepted_total` | counter | `provider` | tokens accepted (after revocation) |
//! | `jwt_guard_requests_refused_total` | counter | `code`, `provider` | tokens and requests refused, by error code |
//! | `jwt_guard_verify_seconds` | histogram | `cache` (`hit`, `miss`, `off`) | time of one token's verification (only with [`MetricsConfig::verify_time`]) |
//! | `jwt_guard_cache_hits_total` | counter | | requests answered from the verified-token cache |
//! | `jwt_guard_cache_misses_total` | counter | | requests verified in full with the cache on |
//! | `jwt_guard_cache_evictions_total` | counter | | entries pushed out by the cache's bound |
//! | `jwt_guard_jwks_fetches_total` | counter | `result` (`ok`, `error`) | fetches of remote JWK Sets |
//! | `jwt_guard_jwks_age_seconds` | gauge | | age of the newest JWK Set when it was last used or fetched |
//! | `jwt_guard_revocation_staleness_seconds` | gauge | | how long the Redis replica has not heard from Redis (at the last check) |
//! | `jwt_guard_revocation_store_errors_total` | counter | `code` | revocation store failures (unavailable replica, failed writes) |

use std::time::Duration;

use ::metrics::SharedString;
use serde::Deserialize;

/// The `[metrics]` table: what jwt-guard measures beyond counting (the counters and gauges of
/// the [module doc](self) are always reported to the installed recorder).
///
/// ```toml
/// [metrics]
/// verify_time = true   # jwt_guard_verify_seconds (default false)
/// ```
#[derive(Debug, Clone, Copy, Default, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
#[non_exhaustive]
pub struct MetricsConfig {
    /// Whether each verification is timed into `jwt_guard_verify_seconds` (default `false`).
    /// Off by default because it is not free: two clock reads and a histogram record cost about
    /// 200 instructions per request, 15 % of a verified-token cache hit and 1 % of an HS256
    /// verification, whether or not a recorder is installed (the facade cannot tell).
    #[serde(default)]
    pub verify_time: bool,
}

impl MetricsConfig {
    /// Times every verification into `jwt_guard_verify_seconds`.
    pub fn with_verify_time() -> MetricsConfig {
        MetricsConfig { verify_time: true }
    }
}

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

/// A handle registered at its first use (see the module doc).
pub(crate) type Lazy<T> = std::sync::OnceLock<T>;

/// The `provider` label values of a verifier, built once (no allocation per request), and
/// the request path's handles.
#[derive(Debug)]
pub(crate) struct ProviderLabels {
    routes: Box<[SharedString]>,
    accepted: Box<[Lazy<::metrics::Counter>]>,
    /// `jwt_guard_verify_seconds` by `cache`: hit, miss, off.
    verify: [Lazy<::metrics::Histogram>; 3],
    /// For a refusal: the one provider, or `unknown` with several (the token is not trusted to
    /// name one).
    refused: SharedString,
}

impl ProviderLabels {
    pub(crate) fn of(verifier: &crate::Verifier) -> ProviderLabels {
        let routes: Box<[SharedString]> = verifier
            .route_labels()
            .into_iter()
            .map(|label| SharedString::from(std::sync::Arc::<str>::from(label)))
            .collect();
        let refused = match &*routes {
            [one] => one.clone(),
            _ => SharedString::const_str("unknown"),
        };
        ProviderLabels {
            accepted: routes.iter().map(|_| Lazy::new()).collect(),
            routes,
            refused,
            verify: Default::default(),
        }
    }

    /// Counts a token accepted by `route`.
    pub(crate) fn accepted(&self, route: usize) {
        if let (Some(counter), Some(label)) = (self.accepted.get(route), self.routes.get(route)) {
            counter
                .get_or_init(|| ::metrics::counter!(ACCEPTED, "provider" => label.clone()))
                .increment(1);
        }
    }

    /// Records one verification's time, by the path that answered (`hit`, `miss`, `off`).
    pub(crate) fn verify_time(&self, cache: &'static str, elapsed: Duration) {
        let slot = match cache {
            "hit" => 0,
            "miss" => 1,
            _ => 2,
        };
        if let Some(histogram) = self.verify.get(slot) {
            histogram
                .get_or_init(|| ::metrics::histogram!(VERIFY_SECONDS, "cache" => cache))
                .record(elapsed.as_secs_f64());
        }
    }

    /// The label of a refusal.
    pub(crate) fn refused(&self) -> SharedString {
        self.refused.clone()
    }
}

pub(crate) fn refused(code: &'static str, provider: SharedString) {
    ::metrics::counter!(REFUSED, "code" => code, "provider" => provider).increment(1);
}

/// The cache's counters (registered at first use).
#[derive(Debug, Default)]
pub(crate) struct CacheCounters {
    hits: Lazy<::metrics::Counter>,
    misses: Lazy<::metrics::Counter>,
}

impl CacheCounters {
    pub(crate) fn hit(&self) {
        self.hits
            .get_or_init(|| ::metrics::counter!(CACHE_HITS))
            .increment(1);
    }

    pub(crate) fn missed(&self) {
        self.misses
            .get_or_init(|| ::metrics::counter!(CACHE_MISSES))
            .increment(1);
    }
}

/// An eviction, counted with the cache's handle (registered at its first eviction).
pub(crate) fn cache_evicted(handle: &Lazy<::metrics::Counter>) {
    handle
        .get_or_init(|| ::metrics::counter!(CACHE_EVICTIONS))
        .increment(1);
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
