//! Fetching: one GET (and the redirects the policy follows) bounded by the timeout and the body
//! cap, and one fetch of the JWK Set, through OpenID Connect discovery when the `jwks_uri` is not
//! known yet.

use std::sync::Arc;
use std::time::Duration;

use arc_swap::ArcSwapOption;
use reqwest::header::{ACCEPT, HeaderMap, LOCATION};
use reqwest::{Client, Url};

use crate::error::{Error, Result};
use crate::key::KeySet;
use crate::remote::discovery;
use crate::remote::error::FetchError;
use crate::remote::policy::Policy;
use crate::remote::urls::{is_redirect, redirect_target};

const ACCEPT_JWKS: &str = "application/jwk-set+json, application/json";
const ACCEPT_JSON: &str = "application/json";

/// Where the keys come from.
pub(super) enum Source {
    Jwks(Url),
    Discovery { issuer: String, url: Url },
}

/// A fetched JWK Set: its keys, their lifetime, and the URL they came from.
pub(super) struct Fetched {
    pub(super) keys: KeySet,
    pub(super) ttl: Duration,
    pub(super) url: Url,
}

/// The default client follows no redirect itself: [`get`] does, by the policy.
pub(super) fn default_client(policy: &Policy) -> Result<Client> {
    Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .timeout(policy.timeout)
        .user_agent(concat!("jwt-guard/", env!("CARGO_PKG_VERSION")))
        .build()
        .map_err(|e| Error::config("client", format!("cannot build the HTTP client: {e}")))
}

/// Fetches the JWK Set: from `source`, or from the `jwks_uri` that discovery found (kept in
/// `discovered`; discovered first when it is empty).
pub(super) async fn fetch(
    client: &Client,
    policy: &Policy,
    source: &Source,
    discovered: &ArcSwapOption<Url>,
) -> std::result::Result<Fetched, FetchError> {
    let url = match source {
        Source::Jwks(url) => url.clone(),
        Source::Discovery { issuer, url } => match discovered.load_full() {
            Some(found) => Url::clone(&found),
            None => {
                let (body, _) = get(client, policy, url, ACCEPT_JSON).await?;
                let found = discovery::jwks_uri(&body, issuer, policy.allow_http)?;
                discovered.store(Some(Arc::new(found.clone())));
                found
            }
        },
    };
    let (body, headers) = get(client, policy, &url, ACCEPT_JWKS).await?;
    let text = std::str::from_utf8(&body).map_err(|_| FetchError::NotUtf8)?;
    let keys = KeySet::from_jwks_json(text).map_err(FetchError::KeySet)?;
    let ttl = policy.ttl_for(&headers);
    Ok(Fetched { keys, ttl, url })
}

/// One GET (and the redirects the policy follows), bounded by the timeout (connection to last
/// byte of the last answer, redirects included) and the body cap.
async fn get(
    client: &Client,
    policy: &Policy,
    url: &Url,
    accept: &'static str,
) -> std::result::Result<(Vec<u8>, HeaderMap), FetchError> {
    let timeout = policy.timeout;
    let exchange = async {
        let mut current = url.clone();
        let mut followed = 0;
        let response = loop {
            let response = client
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
                policy.redirects,
                url,
                &current,
                response.headers().get(LOCATION),
                followed,
                policy.allow_http,
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
        let body = read_capped(response, policy.max_body_bytes, timeout)
            .await
            .map_err(|e| e.after(followed))?;
        Ok((body, headers))
    };
    tokio::time::timeout(timeout, exchange)
        .await
        .unwrap_or(Err(FetchError::Timeout(timeout)))
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
