//! Keys from an identity provider: [`RemoteJwks`] fetches a JWK Set over HTTPS (from a URL, or
//! from the `jwks_uri` that OpenID Connect discovery names for an issuer), caches it and keeps it
//! fresh, and plugs into a [`Verifier`](crate::Verifier) as its [`KeySource`](crate::KeySource). Needs the `remote`
//! cargo feature and a Tokio runtime (with IO and time enabled, as `#[tokio::main]` has).
//!
//! ```no_run
//! use std::sync::Arc;
//! use std::time::Duration;
//! use jwt_guard_core::{Algorithm, RegisteredClaims, Verifier, remote::RemoteJwks};
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> Result<(), jwt_guard_core::Error> {
//! // Eager: fetches now and fails fast if the provider cannot be reached.
//! let jwks = RemoteJwks::discover("https://login.example.com")
//!     .timeout(Duration::from_secs(3))
//!     .load()
//!     .await?;
//! // Lazy instead: `.build()?` makes no request; the first token that needs keys fetches them.
//! let verifier = Verifier::builder()
//!     .algorithms([Algorithm::RS256])
//!     .issuer("https://login.example.com")
//!     .audience("https://api.example.com")
//!     .key_source(Arc::new(jwks))
//!     .build()?;
//! # let token = "";
//! // `verify_async` (what the HTTP adapters call) lets an unknown `kid` refresh the set once.
//! let data = verifier.verify_async::<RegisteredClaims>(token).await?;
//! # let _ = data; Ok(()) }
//! ```
//!
//! # Cache policy
//!
//! | | default | setter |
//! |---|---|---|
//! | request timeout (each HTTP request; discovery makes two) | 5 s | [`RemoteJwksBuilder::timeout`] |
//! | largest response body, enforced while it streams in | 1 MiB | [`RemoteJwksBuilder::max_body_bytes`] |
//! | plain `http` | refused except to loopback: `localhost` itself, `127.0.0.0/8`, `::1`, `::ffff:127.0.0.0/104` (not `*.localhost`) | [`RemoteJwksBuilder::allow_http`] |
//! | redirects | none followed; or at most 5 within the origin (same scheme, host, port) | [`RemoteJwksBuilder::redirects`] |
//! | key lifetime without `Cache-Control` | 10 min | [`RemoteJwksBuilder::ttl`] |
//! | bounds for `Cache-Control: max-age` (minus `Age`; `no-cache`/`no-store` count as 0) | 1 min ..= 1 day | [`RemoteJwksBuilder::min_ttl`], [`RemoteJwksBuilder::max_ttl`] |
//! | background refresh | at 80 % of the lifetime | |
//! | no two fetches start closer than (unknown `kid`, background, retries after a failure) | 30 s | [`RemoteJwksBuilder::cooldown`] |
//! | last good keys kept after their lifetime while refreshes fail (stale-if-error) | 1 day | [`RemoteJwksBuilder::max_stale`] |
//!
//! - **The request path never waits on a lock a fetch holds.** [`KeySource::current`](crate::KeySource::current) is one
//!   atomic pointer load (`arc-swap`) and a clock read. A fetch runs in its own task and
//!   publishes a new immutable [`KeySet`](crate::KeySet) when it is done.
//! - **One fetch at a time, shared.** A token with an unknown `kid` (through
//!   [`Verifier::verify_async`](crate::Verifier::verify_async)) starts a fetch if none ran in the
//!   last cooldown, or joins the one in flight, and waits at most for it (bounded by the
//!   timeout); within the cooldown it gets `unknown_key` at once. A storm of random `kid`s costs
//!   at most one request to the provider per cooldown.
//! - **A bad key is skipped, not fatal.** A JWK that does not parse, `use: enc`, or an
//!   unsupported `kty`/`crv`/`alg` is left out (and logged with `tracing`); the rest serve. A
//!   key without `alg` serves the algorithms of its `kty`/`crv` that the verifier allows.
//! - **An outage of the provider is not yours.** When a refresh fails (unreachable, timeout,
//!   non-2xx, oversized, not a JWK Set, no usable key) the last good keys stay in use until
//!   `max_stale` past their lifetime, the failure is logged (`tracing::warn!`), and a retry
//!   follows after the cooldown. Keys older than that are dropped: tokens are then refused with
//!   `key_unavailable` (401 `invalid_token`) until a fetch succeeds.
//! - **Startup.** [`RemoteJwksBuilder::build`] makes no request: the first verification that
//!   needs keys fetches them ([`RemoteJwks::prefetch`] starts that in the background), so a
//!   service can start while its provider is down. [`RemoteJwksBuilder::load`] (or
//!   [`RemoteJwks::load`]) fetches now and returns the error, to fail fast at startup.
//! - Never fetched: keys named by a token (`jku`, `x5u`); URLs with credentials in them.
//! - **Redirects.** None is followed by default ([`RedirectPolicy::None`]): a `301`, `302`,
//!   `303`, `307` or `308` answer fails the fetch like an error status (the last good keys keep
//!   serving; with discovery, the next fetch discovers again). [`RedirectPolicy::SameOrigin`]
//!   follows at most 5, each to the scheme, host and port of the URL asked for (a discovery
//!   document's own, or the `jwks_uri`'s own). A redirect to another origin, or from `https` to
//!   `http`, is never followed. The error names the status, never the `Location`.

//!
//! The files follow the seams, each importing only from the ones before it: `policy` (the
//! settings and `Cache-Control`), `urls` (which URLs and redirects are followed), `error` (why a
//! fetch failed), `discovery` (OpenID Connect), `fetch` (one fetch), `flight` (the shared state,
//! the one fetch in flight and the background refresh) and `jwks` ([`RemoteJwks`], its builder
//! and status).

mod discovery;
mod error;
mod fetch;
mod flight;
mod jwks;
mod policy;
mod urls;

pub use crate::redirect::RedirectPolicy;
pub use jwks::{RemoteJwks, RemoteJwksBuilder, RemoteStatus};
pub use policy::{
    DEFAULT_COOLDOWN, DEFAULT_MAX_BODY_BYTES, DEFAULT_MAX_STALE, DEFAULT_MAX_TTL, DEFAULT_MIN_TTL,
    DEFAULT_TIMEOUT, DEFAULT_TTL,
};

/// Entry points for the fuzz targets (`fuzz/`, FUZZING.md), compiled only in `cargo fuzz` builds
/// (`--cfg fuzzing`): not an API, absent from every normal build.
#[cfg(fuzzing)]
#[doc(hidden)]
pub mod __fuzz {
    use std::time::Duration;

    use reqwest::header::HeaderMap;

    /// The key lifetime a JWK Set response with `headers` gets from a policy with these TTL
    /// settings (the `Cache-Control` and `Age` reading of a fetch).
    pub fn ttl_for(
        headers: &HeaderMap,
        ttl: Duration,
        min_ttl: Duration,
        max_ttl: Duration,
    ) -> Duration {
        super::policy::Policy {
            ttl,
            min_ttl,
            max_ttl,
            ..super::policy::Policy::default()
        }
        .ttl_for(headers)
    }

    /// The `jwks_uri` an OpenID provider metadata document `body` names for `issuer` (the
    /// discovery step of a fetch), or why the document is refused.
    pub fn discovery_jwks_uri(
        body: &[u8],
        issuer: &str,
        allow_http: bool,
    ) -> Result<reqwest::Url, String> {
        super::discovery::jwks_uri(body, issuer, allow_http).map_err(|e| e.to_string())
    }

    /// Where a redirect answer may lead (the redirect rule of a fetch: `same_origin` is
    /// [`RedirectPolicy::SameOrigin`](crate::RedirectPolicy::SameOrigin), else `None`), or
    /// why it is not followed.
    pub fn redirect_target(
        same_origin: bool,
        asked: &reqwest::Url,
        from: &reqwest::Url,
        location: Option<&reqwest::header::HeaderValue>,
        followed: usize,
        allow_http: bool,
    ) -> Result<reqwest::Url, String> {
        let policy = if same_origin {
            crate::RedirectPolicy::SameOrigin
        } else {
            crate::RedirectPolicy::None
        };
        super::urls::redirect_target(policy, asked, from, location, followed, allow_http)
            .map_err(|e| e.to_string())
    }

    /// The most redirects one fetch follows.
    pub const MAX_REDIRECTS: usize = super::urls::MAX_REDIRECTS;
}
