//! Keys from an identity provider: [`RemoteJwks`] fetches a JWK Set over HTTPS (from a URL, or
//! from the `jwks_uri` that OpenID Connect discovery names for an issuer), caches it and keeps it
//! fresh, and plugs into a [`Verifier`](crate::Verifier) as its [`KeySource`]. Needs the `remote`
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
//! - **The request path never waits on a lock a fetch holds.** [`KeySource::current`] is one
//!   atomic pointer load (`arc-swap`) and a clock read. A fetch runs in its own task and
//!   publishes a new immutable [`KeySet`] when it is done.
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

mod discovery;

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError, Weak};
use std::time::{Duration, Instant};

use arc_swap::ArcSwapOption;
use std::net::{Ipv4Addr, Ipv6Addr};

use reqwest::header::{ACCEPT, AGE, CACHE_CONTROL, HeaderMap, HeaderValue, LOCATION};
use reqwest::{Client, StatusCode, Url};
use tokio::sync::{Notify, watch};

use crate::error::{Error, ErrorKind, Result};
use crate::key::KeySet;
use crate::verifier::KeySource;

pub use crate::redirect::RedirectPolicy;

/// Default timeout of one HTTP request: 5 seconds.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(5);
/// Default cap on a response body: 1 MiB.
pub const DEFAULT_MAX_BODY_BYTES: usize = 1024 * 1024;
/// Default key lifetime when the response has no `Cache-Control: max-age`: 10 minutes.
pub const DEFAULT_TTL: Duration = Duration::from_secs(10 * 60);
/// Default lower bound for a lifetime from `Cache-Control`: 1 minute.
pub const DEFAULT_MIN_TTL: Duration = Duration::from_secs(60);
/// Default upper bound for a lifetime from `Cache-Control`: 1 day.
pub const DEFAULT_MAX_TTL: Duration = Duration::from_secs(24 * 60 * 60);
/// Default minimum time between the starts of two fetches: 30 seconds (as panva/jose).
pub const DEFAULT_COOLDOWN: Duration = Duration::from_secs(30);
/// Default time the last good keys stay in use past their lifetime while refreshes fail: 1 day.
pub const DEFAULT_MAX_STALE: Duration = Duration::from_secs(24 * 60 * 60);

/// Longest duration any setting accepts (keeps every `Instant` computation in range).
const MAX_SETTING: Duration = Duration::from_secs(10 * 365 * 24 * 60 * 60);
const MAX_REDIRECTS: usize = 5;
const ACCEPT_JWKS: &str = "application/jwk-set+json, application/json";
const ACCEPT_JSON: &str = "application/json";

/// A JWK Set fetched from an identity provider and kept fresh; see the [module docs](self) for
/// the cache policy. Cheap to clone (clones share the cache). Give it to
/// [`VerifierBuilder::key_source`](crate::VerifierBuilder::key_source) as `Arc::new(jwks)`.
#[derive(Clone)]
pub struct RemoteJwks {
    shared: Arc<Shared>,
}

/// Builds a [`RemoteJwks`]: [`RemoteJwks::builder`] for a JWK Set URL, [`RemoteJwks::discover`]
/// for an OpenID Connect issuer.
#[derive(Debug)]
#[must_use]
pub struct RemoteJwksBuilder {
    location: Location,
    client: Option<Client>,
    policy: Policy,
}

#[derive(Debug, Clone)]
enum Location {
    Jwks(String),
    Issuer(String),
}

#[derive(Debug, Clone, Copy)]
struct Policy {
    timeout: Duration,
    max_body_bytes: usize,
    allow_http: bool,
    redirects: RedirectPolicy,
    ttl: Duration,
    min_ttl: Duration,
    max_ttl: Duration,
    cooldown: Duration,
    max_stale: Duration,
}

impl Default for Policy {
    fn default() -> Policy {
        Policy {
            timeout: DEFAULT_TIMEOUT,
            max_body_bytes: DEFAULT_MAX_BODY_BYTES,
            allow_http: false,
            redirects: RedirectPolicy::None,
            ttl: DEFAULT_TTL,
            min_ttl: DEFAULT_MIN_TTL,
            max_ttl: DEFAULT_MAX_TTL,
            cooldown: DEFAULT_COOLDOWN,
            max_stale: DEFAULT_MAX_STALE,
        }
    }
}

impl Policy {
    fn check(&self) -> Result<()> {
        let settings = [
            ("timeout", self.timeout),
            ("ttl", self.ttl),
            ("min_ttl", self.min_ttl),
            ("max_ttl", self.max_ttl),
            ("cooldown", self.cooldown),
            ("max_stale", self.max_stale),
        ];
        for (field, value) in settings {
            if value > MAX_SETTING {
                return Err(Error::config(field, "must be at most ten years"));
            }
        }
        if self.timeout.is_zero() {
            return Err(Error::config("timeout", "must be greater than zero"));
        }
        if self.cooldown.is_zero() {
            return Err(Error::config(
                "cooldown",
                "must be greater than zero (it bounds how often a provider is asked)",
            ));
        }
        if self.max_body_bytes == 0 {
            return Err(Error::config("max_body_bytes", "must be greater than zero"));
        }
        if self.min_ttl > self.max_ttl {
            return Err(Error::config("min_ttl", "must not exceed max_ttl"));
        }
        if self.ttl < self.min_ttl || self.ttl > self.max_ttl {
            return Err(Error::config(
                "ttl",
                format!(
                    "must lie within min_ttl..=max_ttl ({} s..={} s)",
                    self.min_ttl.as_secs_f64(),
                    self.max_ttl.as_secs_f64()
                ),
            ));
        }
        Ok(())
    }

    /// The lifetime of a response: its `Cache-Control: max-age` (minus `Age`) within the bounds,
    /// else the configured TTL.
    fn ttl_for(&self, headers: &HeaderMap) -> Duration {
        match cache_lifetime(headers) {
            Some(lifetime) => lifetime.max(self.min_ttl).min(self.max_ttl),
            None => self.ttl,
        }
    }
}

/// `Some(max-age - Age)` from `Cache-Control` (`no-cache`/`no-store`: zero), `None` without one.
fn cache_lifetime(headers: &HeaderMap) -> Option<Duration> {
    let mut max_age = None;
    for value in headers.get_all(CACHE_CONTROL) {
        let Ok(value) = value.to_str() else { continue };
        for directive in value.split(',') {
            let (name, arg) = match directive.split_once('=') {
                Some((name, arg)) => (name.trim(), Some(arg.trim().trim_matches('"'))),
                None => (directive.trim(), None),
            };
            if name.eq_ignore_ascii_case("no-store") || name.eq_ignore_ascii_case("no-cache") {
                return Some(Duration::ZERO);
            }
            if name.eq_ignore_ascii_case("max-age")
                && let Some(secs) = arg.and_then(|a| a.parse::<u64>().ok())
            {
                max_age = Some(secs);
            }
        }
    }
    let age = headers
        .get(AGE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse::<u64>().ok())
        .unwrap_or(0);
    max_age.map(|secs| Duration::from_secs(secs.saturating_sub(age)))
}

/// Whether `url` may be fetched: `https`, or `http` to a loopback host (or anywhere with
/// `allow_http`); never with credentials in it.
pub(crate) fn check_url(url: &Url, allow_http: bool) -> std::result::Result<(), String> {
    if !url.username().is_empty() || url.password().is_some() {
        return Err("credentials in the URL are refused (they would end up in logs)".into());
    }
    if url.host_str().is_none_or(str::is_empty) {
        return Err("the URL has no host".into());
    }
    match url.scheme() {
        "https" => Ok(()),
        "http" if allow_http || is_loopback(url) => Ok(()),
        "http" => Err(
            "plain http is refused except to loopback addresses (set allow_http to opt out)".into(),
        ),
        other => Err(format!("the scheme {other} is not supported (use https)")),
    }
}

/// Whether `url` names loopback: the name `localhost` itself (any case, one trailing dot) or a
/// loopback address (`127.0.0.0/8`, `::1`, `::ffff:127.0.0.0/104`). Not `*.localhost`: whether
/// such a name resolves to loopback is up to the resolver, and this rule must hold before any
/// name is resolved. (The URL parser has already turned `127.1`, `0x7f.1`, ... into `127.0.0.1`.)
fn is_loopback(url: &Url) -> bool {
    let Some(host) = url.host_str() else {
        return false;
    };
    if let Some(v6) = host.strip_prefix('[').and_then(|h| h.strip_suffix(']')) {
        return v6.parse::<Ipv6Addr>().is_ok_and(|ip| {
            ip.is_loopback() || ip.to_ipv4_mapped().is_some_and(|v4| v4.is_loopback())
        });
    }
    if let Ok(v4) = host.parse::<Ipv4Addr>() {
        return v4.is_loopback();
    }
    host.strip_suffix('.')
        .unwrap_or(host)
        .eq_ignore_ascii_case("localhost")
}

/// The redirects a fetch answers with, as far as this crate follows them (reqwest's set).
fn is_redirect(status: StatusCode) -> bool {
    matches!(
        status,
        StatusCode::MOVED_PERMANENTLY
            | StatusCode::FOUND
            | StatusCode::SEE_OTHER
            | StatusCode::TEMPORARY_REDIRECT
            | StatusCode::PERMANENT_REDIRECT
    )
}

/// Where a redirect answer of a request for `asked` (the URL first asked for) may lead, after
/// `followed` redirects: the `Location` resolved against `from` (the URL that answered), if
/// `policy` allows it. Never to another origin, never from `https` to `http`.
fn redirect_target(
    policy: RedirectPolicy,
    asked: &Url,
    from: &Url,
    location: Option<&HeaderValue>,
    followed: usize,
    allow_http: bool,
) -> std::result::Result<Url, RedirectRefused> {
    if policy == RedirectPolicy::None {
        return Err(RedirectRefused::Disabled);
    }
    if followed >= MAX_REDIRECTS {
        return Err(RedirectRefused::TooMany);
    }
    let to = location
        .and_then(|value| value.to_str().ok())
        .and_then(|value| from.join(value).ok())
        .ok_or(RedirectRefused::NoLocation)?;
    if asked.scheme() == "https" && to.scheme() == "http" {
        return Err(RedirectRefused::Downgrade);
    }
    if to.origin() != asked.origin() {
        return Err(RedirectRefused::OtherOrigin);
    }
    check_url(&to, allow_http).map_err(RedirectRefused::Target)?;
    Ok(to)
}

fn parse_url(field: &'static str, text: &str, allow_http: bool) -> Result<Url> {
    let url = Url::parse(text).map_err(|e| Error::config(field, format!("not a URL: {e}")))?;
    check_url(&url, allow_http).map_err(|why| Error::config(field, why))?;
    Ok(url)
}

impl RemoteJwks {
    /// A builder for the JWK Set at `jwks_url`.
    pub fn builder(jwks_url: impl Into<String>) -> RemoteJwksBuilder {
        RemoteJwksBuilder {
            location: Location::Jwks(jwks_url.into()),
            client: None,
            policy: Policy::default(),
        }
    }

    /// A builder for the JWK Set of the OpenID Connect issuer `issuer`: the first fetch reads
    /// `{issuer}/.well-known/openid-configuration`, checks that its `issuer` equals `issuer`
    /// exactly, and takes its `jwks_uri` (which must pass the same `https` rule). A failed
    /// discovery is retried on the next fetch; a JWK Set answered with an HTTP error status
    /// sends the next fetch back to discovery.
    pub fn discover(issuer: impl Into<String>) -> RemoteJwksBuilder {
        RemoteJwksBuilder {
            location: Location::Issuer(issuer.into()),
            client: None,
            policy: Policy::default(),
        }
    }

    /// Fetches the set now, ignoring the cooldown (or joins the fetch in flight), and returns
    /// it. Use it at startup to fail fast; later calls refresh.
    ///
    /// # Errors
    /// [`ErrorKind::KeyUnavailable`] if the fetch failed (its [`source`](std::error::Error::source)
    /// says why: unreachable, timeout, HTTP status, a redirect not followed, body too large,
    /// discovery mismatch, not a JWK Set or no usable key) or no Tokio runtime is running.
    pub async fn load(&self) -> Result<Arc<KeySet>> {
        let rx = self
            .shared
            .start(true)
            .map_err(|e| Error::with_source(ErrorKind::KeyUnavailable, e))?;
        let outcome = match rx {
            Some(rx) => wait(rx).await,
            None => Err(Arc::new(FetchError::Cancelled)),
        };
        match outcome {
            Ok(()) => self
                .shared
                .snapshot
                .load_full()
                .map(|s| s.keys.clone())
                .ok_or(Error::new(ErrorKind::KeyUnavailable)),
            Err(e) => Err(Error::with_source(ErrorKind::KeyUnavailable, e)),
        }
    }

    /// Starts the first fetch in the background and returns at once (no-op once a fetch has
    /// been made, or outside a Tokio runtime): a lazily built source then usually has its keys
    /// before the first token arrives.
    pub fn prefetch(&self) {
        if self.shared.snapshot.load().is_none() {
            let _ = self.shared.start(false);
        }
    }

    /// The configured JWK Set URL, or the issuer for discovery.
    pub fn location(&self) -> &str {
        match &self.shared.location {
            Location::Jwks(url) | Location::Issuer(url) => url,
        }
    }

    /// Counters and the state of the cache, for health checks and metrics.
    pub fn status(&self) -> RemoteStatus {
        let shared = &self.shared;
        let now = Instant::now();
        let snapshot = shared.snapshot.load_full();
        RemoteStatus {
            fetches: shared.fetches.load(Ordering::Relaxed),
            failures: shared.failures.load(Ordering::Relaxed),
            keys: snapshot.as_ref().map_or(0, |s| s.keys.len()),
            age: snapshot
                .as_ref()
                .map(|s| now.saturating_duration_since(s.fetched_at)),
            ttl: snapshot.as_ref().map(|s| s.ttl),
            fresh: snapshot
                .as_ref()
                .is_some_and(|s| now.saturating_duration_since(s.fetched_at) < s.ttl),
            usable: snapshot.as_ref().is_some_and(|s| now < s.stale_until),
            last_error: shared.last_error.load_full().map(|e| e.to_string()),
            jwks_uri: match &shared.source {
                Source::Jwks(url) => Some(url.to_string()),
                Source::Discovery { .. } => shared.discovered.load_full().map(|u| u.to_string()),
            },
        }
    }
}

impl KeySource for RemoteJwks {
    fn current(&self) -> Option<Arc<KeySet>> {
        let guard = self.shared.snapshot.load();
        let snapshot = guard.as_ref()?;
        (Instant::now() < snapshot.stale_until).then(|| snapshot.keys.clone())
    }

    fn refresh(&self) -> Pin<Box<dyn Future<Output = Option<Arc<KeySet>>> + Send + '_>> {
        Box::pin(async move {
            if let Ok(Some(rx)) = self.shared.start(false) {
                let _ = wait(rx).await;
            }
            self.current()
        })
    }
}

impl fmt::Debug for RemoteJwks {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let snapshot = self.shared.snapshot.load();
        f.debug_struct("RemoteJwks")
            .field("location", &self.location())
            .field("keys", &snapshot.as_ref().map_or(0, |s| s.keys.len()))
            .field("policy", &self.shared.policy)
            .finish()
    }
}

/// What [`RemoteJwks::status`] reports.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct RemoteStatus {
    /// Fetches started (each is one JWK Set request, plus one discovery request when the
    /// `jwks_uri` is not known yet).
    pub fetches: u64,
    /// Fetches that failed.
    pub failures: u64,
    /// Keys in the set in use (0 before the first successful fetch).
    pub keys: usize,
    /// Time since the set in use was fetched.
    pub age: Option<Duration>,
    /// Its lifetime (from `Cache-Control` within the bounds, or the TTL).
    pub ttl: Option<Duration>,
    /// Whether it is within its lifetime.
    pub fresh: bool,
    /// Whether it is served (within its lifetime plus `max_stale`).
    pub usable: bool,
    /// Why the last fetch failed, if it did (cleared by a success).
    pub last_error: Option<String>,
    /// The JWK Set URL (for discovery: once discovered).
    pub jwks_uri: Option<String>,
}

impl RemoteJwksBuilder {
    /// Uses your own HTTP client (private CA, mTLS, proxy, ...). Build it with
    /// `.redirect(reqwest::redirect::Policy::none())`: this crate follows redirects itself, by
    /// [`redirects`](Self::redirects). An answer your client reached by following a redirect
    /// itself (reqwest's default policy) is refused (the fetch fails), though the client has
    /// made that request by then. The timeout below is still applied to every request.
    pub fn client(mut self, client: Client) -> Self {
        self.client = Some(client);
        self
    }

    /// Timeout of each HTTP request, connection to last body byte (default 5 s).
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.policy.timeout = timeout;
        self
    }

    /// Largest accepted response body (default 1 MiB): a larger `Content-Length` is refused
    /// before the body is read, and a body that grows past it is dropped as it streams in.
    pub fn max_body_bytes(mut self, max: usize) -> Self {
        self.policy.max_body_bytes = max;
        self
    }

    /// Allows plain `http` to any host (default: only to loopback, which is the name
    /// `localhost` itself and literal loopback addresses, not `*.localhost`). For tests and
    /// networks you trust: anyone on the path can swap the keys.
    pub fn allow_http(mut self, allow: bool) -> Self {
        self.policy.allow_http = allow;
        self
    }

    /// Which redirects to follow (default [`RedirectPolicy::None`]: none).
    /// [`RedirectPolicy::SameOrigin`] follows at most 5, each to the scheme, host and port of
    /// the URL asked for; a redirect to another origin or from `https` to `http` is never
    /// followed. Applies to discovery and to the `jwks_uri` alike. A redirect not followed
    /// fails the fetch.
    pub fn redirects(mut self, policy: RedirectPolicy) -> Self {
        self.policy.redirects = policy;
        self
    }

    /// Key lifetime when the response has no `Cache-Control: max-age` (default 10 min; must lie
    /// within [`min_ttl`](Self::min_ttl)..=[`max_ttl`](Self::max_ttl)).
    pub fn ttl(mut self, ttl: Duration) -> Self {
        self.policy.ttl = ttl;
        self
    }

    /// Shortest lifetime a `Cache-Control` header can set (default 1 min).
    pub fn min_ttl(mut self, min: Duration) -> Self {
        self.policy.min_ttl = min;
        self
    }

    /// Longest lifetime a `Cache-Control` header can set (default 1 day).
    pub fn max_ttl(mut self, max: Duration) -> Self {
        self.policy.max_ttl = max;
        self
    }

    /// Minimum time between the starts of two fetches, whatever started them (default 30 s;
    /// must be greater than zero). Bounds what a storm of unknown `kid`s can cost the provider.
    pub fn cooldown(mut self, cooldown: Duration) -> Self {
        self.policy.cooldown = cooldown;
        self
    }

    /// How long past their lifetime the last good keys stay in use while refreshes fail
    /// (default 1 day). Zero: never serve expired keys.
    pub fn max_stale(mut self, max_stale: Duration) -> Self {
        self.policy.max_stale = max_stale;
        self
    }

    /// Builds the source without any network access: the first verification that needs keys
    /// fetches them (see [`RemoteJwks::prefetch`]).
    ///
    /// # Errors
    /// [`ErrorKind::InvalidConfig`] naming the setting: `jwks_url` / `oidc_issuer` (not a URL,
    /// not `https`, credentials in it), `timeout`, `max_body_bytes`, `ttl`, `min_ttl`,
    /// `max_ttl`, `cooldown`, `max_stale`, or `client` if the default HTTP client cannot be built.
    pub fn build(self) -> Result<RemoteJwks> {
        let policy = self.policy;
        policy.check()?;
        let source = match &self.location {
            Location::Jwks(url) => Source::Jwks(parse_url("jwks_url", url, policy.allow_http)?),
            Location::Issuer(issuer) => {
                let url = discovery::discovery_url(issuer);
                Source::Discovery {
                    issuer: issuer.clone(),
                    url: parse_url("oidc_issuer", &url, policy.allow_http)?,
                }
            }
        };
        let client = match self.client {
            Some(client) => client,
            None => default_client(&policy)?,
        };
        Ok(RemoteJwks {
            shared: Arc::new(Shared {
                location: self.location,
                source,
                client,
                policy,
                snapshot: ArcSwapOption::empty(),
                discovered: ArcSwapOption::empty(),
                last_error: ArcSwapOption::empty(),
                flight: Mutex::new(Flight::default()),
                fetches: AtomicU64::new(0),
                failures: AtomicU64::new(0),
                background: Arc::new(AtomicBool::new(false)),
                shutdown: Arc::new(Notify::new()),
            }),
        })
    }

    /// Builds the source and fetches the set now: fails fast when the provider cannot be
    /// reached at startup. A background refresh then keeps it fresh.
    ///
    /// # Errors
    /// As [`RemoteJwksBuilder::build`], then as [`RemoteJwks::load`].
    pub async fn load(self) -> Result<RemoteJwks> {
        let jwks = self.build()?;
        jwks.load().await?;
        Ok(jwks)
    }
}

/// The default client follows no redirect itself: [`Shared::get`] does, by the policy.
fn default_client(policy: &Policy) -> Result<Client> {
    Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .timeout(policy.timeout)
        .user_agent(concat!("jwt-guard/", env!("CARGO_PKG_VERSION")))
        .build()
        .map_err(|e| Error::config("client", format!("cannot build the HTTP client: {e}")))
}

// ---------------------------------------------------------------------------------------------
// The shared state: the snapshot readers load, and the machinery of the one fetch in flight.

enum Source {
    Jwks(Url),
    Discovery { issuer: String, url: Url },
}

struct Shared {
    location: Location,
    source: Source,
    client: Client,
    policy: Policy,
    /// What [`KeySource::current`] reads: replaced whole by a successful fetch.
    snapshot: ArcSwapOption<Snapshot>,
    /// The `jwks_uri` discovery found.
    discovered: ArcSwapOption<Url>,
    last_error: ArcSwapOption<FetchError>,
    /// Taken only to start or join a fetch, never across an `.await`, never by `current`.
    flight: Mutex<Flight>,
    fetches: AtomicU64,
    failures: AtomicU64,
    /// Whether the background refresh task runs.
    background: Arc<AtomicBool>,
    /// Stops the background task when the source is dropped.
    shutdown: Arc<Notify>,
}

impl Drop for Shared {
    fn drop(&mut self) {
        self.shutdown.notify_one();
    }
}

struct Snapshot {
    keys: Arc<KeySet>,
    fetched_at: Instant,
    ttl: Duration,
    stale_until: Instant,
}

type Outcome = Option<std::result::Result<(), Arc<FetchError>>>;

#[derive(Default)]
struct Flight {
    /// The fetch in flight: its outcome is published here when it ends.
    running: Option<watch::Receiver<Outcome>>,
    /// When the last fetch started.
    last_start: Option<Instant>,
}

fn lock(flight: &Mutex<Flight>) -> MutexGuard<'_, Flight> {
    flight.lock().unwrap_or_else(PoisonError::into_inner)
}

async fn wait(mut rx: watch::Receiver<Outcome>) -> std::result::Result<(), Arc<FetchError>> {
    match rx.wait_for(Option::is_some).await {
        Ok(outcome) => outcome
            .clone()
            .unwrap_or(Err(Arc::new(FetchError::Cancelled))),
        Err(_) => Err(Arc::new(FetchError::Cancelled)),
    }
}

/// Publishes a fetch's outcome and clears the flight when the fetch task ends, also if it is
/// dropped early (its runtime shut down).
struct FlightDone {
    shared: Arc<Shared>,
    tx: watch::Sender<Outcome>,
    outcome: Outcome,
}

impl Drop for FlightDone {
    fn drop(&mut self) {
        lock(&self.shared.flight).running = None;
        let outcome = self
            .outcome
            .take()
            .unwrap_or(Err(Arc::new(FetchError::Cancelled)));
        self.tx.send_replace(Some(outcome));
    }
}

/// Clears the "background task runs" flag when that task ends or is dropped.
struct BackgroundFlag(Arc<AtomicBool>);

impl Drop for BackgroundFlag {
    fn drop(&mut self) {
        self.0.store(false, Ordering::Release);
    }
}

impl Shared {
    /// Joins the fetch in flight, or starts one unless one started within the cooldown (`force`
    /// ignores the cooldown). `Ok(None)`: within the cooldown, nothing to wait for.
    fn start(
        self: &Arc<Self>,
        force: bool,
    ) -> std::result::Result<Option<watch::Receiver<Outcome>>, FetchError> {
        let mut flight = lock(&self.flight);
        if let Some(rx) = &flight.running {
            return Ok(Some(rx.clone()));
        }
        if !force
            && flight
                .last_start
                .is_some_and(|t| t.elapsed() < self.policy.cooldown)
        {
            return Ok(None);
        }
        let Ok(handle) = tokio::runtime::Handle::try_current() else {
            drop(flight);
            tracing::warn!(
                location = self.location_str(),
                "cannot fetch the JWK Set outside a Tokio runtime"
            );
            return Err(FetchError::NoRuntime);
        };
        let (tx, rx) = watch::channel(None);
        flight.running = Some(rx.clone());
        flight.last_start = Some(Instant::now());
        drop(flight);
        let done = FlightDone {
            shared: self.clone(),
            tx,
            outcome: None,
        };
        handle.spawn(async move {
            let mut done = done;
            let outcome = done.shared.fetch_and_store().await;
            done.outcome = Some(outcome);
        });
        if !self.background.swap(true, Ordering::AcqRel) {
            let flag = BackgroundFlag(self.background.clone());
            let weak = Arc::downgrade(self);
            let shutdown = self.shutdown.clone();
            handle.spawn(async move {
                let _flag = flag;
                background(weak, shutdown).await;
            });
        }
        Ok(Some(rx))
    }

    fn location_str(&self) -> &str {
        match &self.location {
            Location::Jwks(url) | Location::Issuer(url) => url,
        }
    }

    /// How long until the background task's next refresh: at 80 % of the lifetime of the set
    /// in use (at once without one, or after a failure), and never sooner than the cooldown
    /// after the last start. Zero: due now.
    fn refresh_due_in(&self) -> Duration {
        let now = Instant::now();
        let due = match (self.snapshot.load_full(), self.last_error.load().is_some()) {
            (Some(s), false) => s
                .fetched_at
                .checked_add(s.ttl.saturating_mul(4) / 5)
                .unwrap_or(now),
            _ => now,
        };
        let earliest = lock(&self.flight)
            .last_start
            .and_then(|t| t.checked_add(self.policy.cooldown))
            .unwrap_or(now);
        due.max(earliest).saturating_duration_since(now)
    }

    async fn fetch_and_store(&self) -> std::result::Result<(), Arc<FetchError>> {
        self.fetches.fetch_add(1, Ordering::Relaxed);
        match self.fetch().await {
            Ok(Fetched { keys, ttl, url }) => {
                for skipped in keys.skipped() {
                    tracing::warn!(
                        jwks_uri = %url,
                        index = skipped.index,
                        kid = skipped.kid.as_deref().unwrap_or(""),
                        reason = %skipped.reason,
                        "skipped a JWK that cannot be used; the other keys serve"
                    );
                }
                let fetched_at = Instant::now();
                let stale_until = fetched_at
                    .checked_add(ttl.saturating_add(self.policy.max_stale))
                    .unwrap_or(fetched_at);
                tracing::debug!(
                    jwks_uri = %url,
                    keys = keys.len(),
                    ttl_secs = ttl.as_secs(),
                    "JWK Set loaded"
                );
                self.snapshot.store(Some(Arc::new(Snapshot {
                    keys: Arc::new(keys),
                    fetched_at,
                    ttl,
                    stale_until,
                })));
                self.last_error.store(None);
                Ok(())
            }
            Err(e) => {
                self.failures.fetch_add(1, Ordering::Relaxed);
                if matches!(e, FetchError::Status { .. } | FetchError::Redirect(..)) {
                    // An error status or a refused redirect from a discovered jwks_uri: discover
                    // again next time.
                    self.discovered.store(None);
                }
                let e = Arc::new(e);
                self.last_error.store(Some(e.clone()));
                self.log_failure(&e);
                Err(e)
            }
        }
    }

    fn log_failure(&self, e: &FetchError) {
        let location = self.location_str();
        let now = Instant::now();
        match self.snapshot.load_full() {
            Some(s) if now < s.stale_until => tracing::warn!(
                location,
                error = %e,
                age_secs = now.saturating_duration_since(s.fetched_at).as_secs(),
                retry_in_secs = self.policy.cooldown.as_secs(),
                "JWK Set refresh failed; still using the last good keys"
            ),
            Some(s) => tracing::error!(
                location,
                error = %e,
                age_secs = now.saturating_duration_since(s.fetched_at).as_secs(),
                "JWK Set refresh failed and the last good keys are past max_stale: \
                 tokens are refused (key_unavailable) until a fetch succeeds"
            ),
            None => tracing::warn!(
                location,
                error = %e,
                retry_in_secs = self.policy.cooldown.as_secs(),
                "JWK Set fetch failed; no keys loaded yet (tokens get key_unavailable)"
            ),
        }
    }

    async fn fetch(&self) -> std::result::Result<Fetched, FetchError> {
        let url = match &self.source {
            Source::Jwks(url) => url.clone(),
            Source::Discovery { issuer, url } => match self.discovered.load_full() {
                Some(found) => Url::clone(&found),
                None => {
                    let (body, _) = self.get(url, ACCEPT_JSON).await?;
                    let found = discovery::jwks_uri(&body, issuer, self.policy.allow_http)?;
                    self.discovered.store(Some(Arc::new(found.clone())));
                    found
                }
            },
        };
        let (body, headers) = self.get(&url, ACCEPT_JWKS).await?;
        let text = std::str::from_utf8(&body).map_err(|_| FetchError::NotUtf8)?;
        let keys = KeySet::from_jwks_json(text).map_err(FetchError::KeySet)?;
        let ttl = self.policy.ttl_for(&headers);
        Ok(Fetched { keys, ttl, url })
    }

    /// One GET (and the redirects the policy follows), bounded by the timeout (connection to
    /// last byte of the last answer, redirects included) and the body cap.
    async fn get(
        &self,
        url: &Url,
        accept: &'static str,
    ) -> std::result::Result<(Vec<u8>, HeaderMap), FetchError> {
        let timeout = self.policy.timeout;
        let exchange = async {
            let mut current = url.clone();
            let mut followed = 0;
            let response = loop {
                let response = self
                    .client
                    .get(current.clone())
                    .header(ACCEPT, accept)
                    .timeout(timeout)
                    .send()
                    .await
                    .map_err(|e| FetchError::from_reqwest(e, timeout).after(followed))?;
                if response.url() != &current {
                    // A client given to `client()` that follows redirects itself: where it went
                    // is unknown, so its answer is not used.
                    return Err(FetchError::RedirectedByClient);
                }
                let status = response.status();
                if !is_redirect(status) {
                    break response;
                }
                current = redirect_target(
                    self.policy.redirects,
                    url,
                    &current,
                    response.headers().get(LOCATION),
                    followed,
                    self.policy.allow_http,
                )
                .map_err(|refused| FetchError::Redirect(status.as_u16(), refused))?;
                followed += 1;
            };
            let status = response.status();
            if !status.is_success() {
                return Err(FetchError::Status {
                    status: status.as_u16(),
                });
            }
            let headers = response.headers().clone();
            let body = read_capped(response, self.policy.max_body_bytes, timeout)
                .await
                .map_err(|e| e.after(followed))?;
            Ok((body, headers))
        };
        tokio::time::timeout(timeout, exchange)
            .await
            .unwrap_or(Err(FetchError::Timeout(timeout)))
    }
}

/// Reads a body chunk by chunk, giving up as soon as it would pass `max` bytes.
async fn read_capped(
    mut response: reqwest::Response,
    max: usize,
    timeout: Duration,
) -> std::result::Result<Vec<u8>, FetchError> {
    let too_large = FetchError::TooLarge { max };
    let announced = response.content_length();
    if announced.is_some_and(|len| len > max as u64) {
        return Err(too_large);
    }
    let capacity = announced
        .and_then(|len| usize::try_from(len).ok())
        .unwrap_or(0)
        .min(max);
    let mut body = Vec::with_capacity(capacity);
    while let Some(chunk) = response
        .chunk()
        .await
        .map_err(|e| FetchError::from_reqwest(e, timeout))?
    {
        if chunk.len() > max.saturating_sub(body.len()) {
            return Err(too_large);
        }
        body.extend_from_slice(&chunk);
    }
    Ok(body)
}

struct Fetched {
    keys: KeySet,
    ttl: Duration,
    url: Url,
}

/// The background refresh: sleeps until the next refresh is due, runs (or joins) it, and ends
/// when the source is dropped.
async fn background(weak: Weak<Shared>, shutdown: Arc<Notify>) {
    loop {
        let Some(shared) = weak.upgrade() else {
            return;
        };
        // A fetch in flight (the first load, a request's refresh): its outcome decides the
        // schedule, so wait for it first.
        let running = lock(&shared.flight).running.clone();
        let due_in = shared.refresh_due_in();
        drop(shared);
        if let Some(rx) = running {
            let _ = wait(rx).await;
            continue;
        }
        if !due_in.is_zero() {
            let sleep = due_in.max(Duration::from_millis(10));
            if tokio::time::timeout(sleep, shutdown.notified())
                .await
                .is_ok()
            {
                return;
            }
            continue;
        }
        let rx = match weak.upgrade() {
            Some(shared) => shared.start(false),
            None => return,
        };
        match rx {
            Ok(Some(rx)) => {
                let _ = wait(rx).await;
            }
            // Within the cooldown (the due time is recomputed above) or no runtime (cannot be:
            // this task runs on one).
            Ok(None) | Err(_) => {
                if tokio::time::timeout(Duration::from_millis(10), shutdown.notified())
                    .await
                    .is_ok()
                {
                    return;
                }
            }
        }
    }
}

/// Why a fetch failed (the source of a [`ErrorKind::KeyUnavailable`] from [`RemoteJwks::load`]).
/// `Redirect`: a redirect answer (its status) not followed, and why; `RedirectedByClient`: a
/// client given to [`RemoteJwksBuilder::client`] followed a redirect by itself.
#[derive(Debug)]
pub(crate) enum FetchError {
    Http(reqwest::Error),
    Timeout(Duration),
    Status { status: u16 },
    Redirect(u16, RedirectRefused),
    RedirectedByClient,
    TooLarge { max: usize },
    NotUtf8,
    KeySet(Error),
    Discovery(String),
    NoRuntime,
    Cancelled,
}

/// Why a redirect was not followed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum RedirectRefused {
    /// [`RedirectPolicy::None`].
    Disabled,
    /// More than [`MAX_REDIRECTS`].
    TooMany,
    /// No `Location`, or one that is not a URL.
    NoLocation,
    /// From `https` to `http` (or another scheme).
    Downgrade,
    /// To another scheme, host or port.
    OtherOrigin,
    /// Same origin, but the URL is refused (credentials in it).
    Target(String),
}

impl fmt::Display for RedirectRefused {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            RedirectRefused::Disabled => {
                f.write_str("redirects are not followed (redirects = \"none\")")
            }
            RedirectRefused::TooMany => {
                write!(f, "more than {MAX_REDIRECTS} redirects are not followed")
            }
            RedirectRefused::NoLocation => {
                f.write_str("a redirect without a valid Location is not followed")
            }
            RedirectRefused::Downgrade => {
                f.write_str("redirects from https to http are never followed")
            }
            RedirectRefused::OtherOrigin => {
                f.write_str("redirects to another origin are not followed")
            }
            RedirectRefused::Target(why) => write!(f, "the redirect target is refused: {why}"),
        }
    }
}

impl FetchError {
    fn from_reqwest(e: reqwest::Error, timeout: Duration) -> FetchError {
        if e.is_timeout() {
            FetchError::Timeout(timeout)
        } else {
            FetchError::Http(e)
        }
    }

    /// Drops the URL from a request error after `followed` redirects: a `Location` is not
    /// configuration, and may carry a token in its query.
    fn after(self, followed: usize) -> FetchError {
        match self {
            FetchError::Http(e) if followed > 0 => FetchError::Http(e.without_url()),
            other => other,
        }
    }
}

impl fmt::Display for FetchError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            FetchError::Http(e) => {
                write!(f, "request failed: {e}")?;
                let mut source = std::error::Error::source(e);
                while let Some(cause) = source {
                    write!(f, ": {cause}")?;
                    source = cause.source();
                }
                Ok(())
            }
            FetchError::Timeout(d) => write!(f, "no complete answer within {} s", d.as_secs_f64()),
            FetchError::Status { status } => write!(f, "HTTP status {status}"),
            // Never the Location: it may carry a token in its query.
            FetchError::Redirect(status, refused) => {
                write!(f, "HTTP status {status}: {refused}")
            }
            FetchError::RedirectedByClient => f.write_str(
                "the HTTP client followed a redirect by itself and its answer is not used \
                 (build it with reqwest::redirect::Policy::none())",
            ),
            FetchError::TooLarge { max } => write!(f, "the response body is over {max} bytes"),
            FetchError::NotUtf8 => f.write_str("the response body is not UTF-8"),
            FetchError::KeySet(e) => write!(f, "not a usable JWK Set: {e}"),
            FetchError::Discovery(why) => write!(f, "OpenID Connect discovery failed: {why}"),
            FetchError::NoRuntime => f.write_str("no Tokio runtime is running"),
            FetchError::Cancelled => f.write_str("the fetch was cancelled"),
        }
    }
}

impl std::error::Error for FetchError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            FetchError::KeySet(e) => Some(e),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use reqwest::header::HeaderValue;

    fn headers(pairs: &[(&'static str, &'static str)]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for (name, value) in pairs {
            map.append(*name, HeaderValue::from_static(value));
        }
        map
    }

    #[test]
    fn cache_control_within_bounds() {
        let policy = Policy::default();
        let secs =
            |pairs: &[(&'static str, &'static str)]| policy.ttl_for(&headers(pairs)).as_secs();
        assert_eq!(secs(&[]), 600);
        assert_eq!(secs(&[("cache-control", "public, max-age=3600")]), 3600);
        assert_eq!(
            secs(&[("cache-control", "max-age=\"120\", must-revalidate")]),
            120
        );
        assert_eq!(secs(&[("cache-control", "max-age=5")]), 60);
        assert_eq!(secs(&[("cache-control", "max-age=99999999")]), 86_400);
        assert_eq!(secs(&[("cache-control", "no-store")]), 60);
        assert_eq!(
            secs(&[
                ("cache-control", "public"),
                ("cache-control", "MAX-AGE=900")
            ]),
            900
        );
        assert_eq!(
            secs(&[("cache-control", "max-age=900"), ("age", "300")]),
            600
        );
        assert_eq!(secs(&[("cache-control", "max-age=junk")]), 600);
        assert_eq!(secs(&[("expires", "Thu, 01 Jan 2099 00:00:00 GMT")]), 600);
    }

    #[test]
    fn https_rule() {
        let check = |url: &str, allow_http: bool| {
            Url::parse(url)
                .map_err(|e| e.to_string())
                .and_then(|u| check_url(&u, allow_http))
        };
        assert!(check("https://idp.example/jwks", false).is_ok());
        assert!(check("http://127.0.0.1:8080/jwks", false).is_ok());
        assert!(check("http://127.1.2.3/jwks", false).is_ok());
        assert!(check("http://[::1]:9000/jwks", false).is_ok());
        assert!(check("http://localhost/jwks", false).is_ok());
        assert!(check("http://LOCALHOST./jwks", false).is_ok());
        assert!(check("http://[::ffff:127.0.0.1]/jwks", false).is_ok());
        assert!(check("http://[::ffff:127.255.0.9]:80/jwks", false).is_ok());
        assert!(check("http://2130706433/jwks", false).is_ok());
        // Only the name `localhost` itself: `*.localhost` resolves wherever DNS says.
        assert!(check("http://idp.localhost/jwks", false).is_err());
        assert!(check("http://localhost.localhost/jwks", false).is_err());
        assert!(check("http://localhost../jwks", false).is_err());
        assert!(check("http://[::ffff:10.0.0.1]/jwks", false).is_err());
        assert!(check("http://[::127.0.0.1]/jwks", false).is_err());
        assert!(check("http://[::]/jwks", false).is_err());
        assert!(check("http://0.0.0.0/jwks", false).is_err());
        assert!(check("http://idp.example/jwks", false).is_err());
        assert!(check("http://10.0.0.1/jwks", false).is_err());
        assert!(check("http://localhost.example/jwks", false).is_err());
        assert!(check("http://idp.example/jwks", true).is_ok());
        assert!(check("ftp://idp.example/jwks", true).is_err());
        assert!(check("https://user:pass@idp.example/jwks", false).is_err());
    }

    #[test]
    fn redirect_rule() {
        let url = |text: &str| Url::parse(text).unwrap_or_else(|e| panic!("{text}: {e}"));
        let target = |policy, asked: &str, location: Option<&'static str>, followed| {
            let asked = url(asked);
            let location = location.map(HeaderValue::from_static);
            redirect_target(policy, &asked, &asked, location.as_ref(), followed, false)
                .map(|to| to.to_string())
        };
        use RedirectPolicy::{None as Off, SameOrigin};
        use RedirectRefused::*;
        let https = "https://idp.example/jwks";
        let same = Some("/keys?v=2");
        assert_eq!(target(Off, https, same, 0), Err(Disabled));
        assert_eq!(
            target(SameOrigin, https, same, 0),
            Ok("https://idp.example/keys?v=2".to_owned())
        );
        assert_eq!(
            target(SameOrigin, https, Some("https://IDP.example:443/k"), 4),
            Ok("https://idp.example/k".to_owned())
        );
        assert_eq!(target(SameOrigin, https, same, 5), Err(TooMany));
        let cases: [(&str, Option<&'static str>, RedirectRefused); 9] = [
            (https, None, NoLocation),
            (https, Some("http://[bad"), NoLocation),
            (https, Some("http://idp.example/jwks"), Downgrade),
            (https, Some("http://localhost/jwks"), Downgrade),
            (
                "https://localhost/jwks",
                Some("http://localhost/jwks"),
                Downgrade,
            ),
            (https, Some("https://idp.example:8443/jwks"), OtherOrigin),
            (https, Some("https://keys.idp.example/jwks"), OtherOrigin),
            (
                "http://127.0.0.1:8080/jwks",
                Some("https://127.0.0.1:8080/jwks"),
                OtherOrigin,
            ),
            (
                https,
                Some("https://user:pw@idp.example/jwks"),
                Target("credentials in the URL are refused (they would end up in logs)".into()),
            ),
        ];
        for (asked, location, refused) in cases {
            assert_eq!(
                target(SameOrigin, asked, location, 0),
                Err(refused),
                "{location:?}"
            );
        }
        // The message names the status, never the Location (which may carry a token).
        let error = FetchError::Redirect(302, OtherOrigin);
        assert_eq!(
            error.to_string(),
            "HTTP status 302: redirects to another origin are not followed"
        );
    }

    #[test]
    fn request_errors_after_a_redirect_do_not_name_the_url() {
        let Ok(runtime) = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
        else {
            panic!("runtime")
        };
        let closed = std::net::TcpListener::bind("127.0.0.1:0")
            .and_then(|listener| listener.local_addr())
            .map(|addr| addr.port())
            .unwrap_or_else(|e| panic!("{e}"));
        let url = format!("http://127.0.0.1:{closed}/moved?token=sekrit");
        let error = |followed| {
            let Err(e) = runtime.block_on(Client::new().get(&url).send()) else {
                panic!("nothing listens on {url}")
            };
            FetchError::from_reqwest(e, DEFAULT_TIMEOUT)
                .after(followed)
                .to_string()
        };
        let asked = error(0);
        assert!(
            asked.starts_with("request failed: ") && asked.contains("sekrit"),
            "{asked}"
        );
        let redirected = error(1);
        assert!(redirected.starts_with("request failed: "), "{redirected}");
        assert!(!redirected.contains("sekrit"), "{redirected}");
    }

    #[test]
    fn builder_checks_settings() {
        let field = |b: RemoteJwksBuilder| match b.build().map_err(Error::into_kind) {
            Err(ErrorKind::InvalidConfig { field, .. }) => field.into_owned(),
            other => format!("{other:?}"),
        };
        let url = "https://idp.example/jwks";
        assert_eq!(field(RemoteJwks::builder("not a url")), "jwks_url");
        assert_eq!(
            field(RemoteJwks::builder("http://idp.example/jwks")),
            "jwks_url"
        );
        assert_eq!(
            field(RemoteJwks::discover("http://idp.example")),
            "oidc_issuer"
        );
        assert_eq!(
            field(RemoteJwks::builder(url).timeout(Duration::ZERO)),
            "timeout"
        );
        assert_eq!(
            field(RemoteJwks::builder(url).cooldown(Duration::ZERO)),
            "cooldown"
        );
        assert_eq!(
            field(RemoteJwks::builder(url).max_body_bytes(0)),
            "max_body_bytes"
        );
        assert_eq!(
            field(RemoteJwks::builder(url).ttl(Duration::from_secs(1))),
            "ttl"
        );
        assert_eq!(
            field(RemoteJwks::builder(url).min_ttl(Duration::from_secs(90_000))),
            "min_ttl"
        );
        assert_eq!(
            field(RemoteJwks::builder(url).max_stale(Duration::MAX)),
            "max_stale"
        );
        assert!(RemoteJwks::builder(url).build().is_ok());
        assert!(
            RemoteJwks::builder("http://idp.example/jwks")
                .allow_http(true)
                .build()
                .is_ok()
        );
    }

    #[test]
    fn outside_a_runtime_nothing_is_fetched_and_nothing_panics() {
        let Ok(jwks) = RemoteJwks::builder("https://idp.example/jwks").build() else {
            panic!("build")
        };
        jwks.prefetch();
        assert!(jwks.current().is_none());
        assert_eq!(jwks.status().fetches, 0);
    }
}
