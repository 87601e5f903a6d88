//! [`RemoteJwks`], its builder and its [`RemoteStatus`]: the settings are checked and the URL
//! parsed at build time, without any network access; the source then serves keys through
//! [`KeySource`] from the shared state of the one fetch in flight.

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

use reqwest::Client;

use crate::error::{Error, ErrorKind, Result};
use crate::key::KeySet;
use crate::redirect::RedirectPolicy;
use crate::remote::discovery;
use crate::remote::error::FetchError;
use crate::remote::fetch::{Source, default_client};
use crate::remote::flight::{Shared, wait};
use crate::remote::policy::Policy;
use crate::remote::urls::parse_url;
use crate::verifier::KeySource;

/// A JWK Set fetched from an identity provider and kept fresh; see the [module docs](crate::remote) for
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
        &self.shared.location
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
        let location = match self.location {
            Location::Jwks(text) | Location::Issuer(text) => text,
        };
        Ok(RemoteJwks {
            shared: Arc::new(Shared::new(location, source, client, policy)),
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

#[cfg(test)]
mod tests {
    use super::*;

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
