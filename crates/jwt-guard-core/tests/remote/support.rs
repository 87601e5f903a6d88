//! A JWKS (and OIDC discovery) server on `127.0.0.1:0` whose behaviour the test sets and whose
//! requests it counts; signing keys and tokens; a tracing capture.
//!
//! Paths: `/jwks` and `/moved` (each answers as its [`Behaviour`]), and
//! `/.well-known/openid-configuration` (a document, a redirect or 404).

use std::convert::Infallible;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use axum::Router;
use axum::body::{Body, Bytes};
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use hyper_util::rt::TokioIo;
use hyper_util::service::TowerToHyperService;
use jwt_guard_core::remote::{RemoteJwks, RemoteJwksBuilder};
use jwt_guard_core::{Algorithm, ErrorKind, Key, Signer, Verifier, keygen};
use serde_json::{Value, json};
use tokio::task::{JoinHandle, JoinSet};

pub(crate) const ISS: &str = "https://issuer.test";
pub(crate) const AUD: &str = "api";

/// What `GET /jwks` (or `GET /moved`) answers.
#[derive(Debug, Clone)]
pub(crate) enum Behaviour {
    /// 200 with this body (and `Cache-Control` if given).
    Serve {
        body: String,
        cache_control: Option<&'static str>,
    },
    /// This status, empty body.
    Status(u16),
    /// 200 with this body after `delay`.
    Slow { delay: Duration, body: String },
    /// 200, chunked, 1 KiB chunks up to 64 MiB, no `Content-Length`.
    Endless,
    /// This redirect status (301, 302, 303, 307, 308) to this location.
    Redirect { status: u16, location: String },
}

impl Behaviour {
    pub(crate) fn serve(body: impl Into<String>) -> Behaviour {
        Behaviour::Serve {
            body: body.into(),
            cache_control: None,
        }
    }

    pub(crate) fn redirect(status: u16, location: impl Into<String>) -> Behaviour {
        Behaviour::Redirect {
            status,
            location: location.into(),
        }
    }
}

struct ServerState {
    behaviour: Mutex<Behaviour>,
    moved: Mutex<Behaviour>,
    /// The discovery document's bytes.
    discovery: Mutex<Option<Vec<u8>>>,
    discovery_redirect: Mutex<Option<Behaviour>>,
    jwks_hits: AtomicUsize,
    moved_hits: AtomicUsize,
    discovery_hits: AtomicUsize,
    streamed_bytes: Arc<AtomicUsize>,
    user_agent: Mutex<Option<String>>,
}

/// The test server; stops (every connection cut) when dropped or on [`Server::stop`].
pub(crate) struct Server {
    pub(crate) addr: SocketAddr,
    state: Arc<ServerState>,
    task: JoinHandle<()>,
}

impl Server {
    pub(crate) async fn start(behaviour: Behaviour) -> Server {
        let state = Arc::new(ServerState {
            behaviour: Mutex::new(behaviour),
            moved: Mutex::new(Behaviour::Status(404)),
            discovery: Mutex::new(None),
            discovery_redirect: Mutex::new(None),
            jwks_hits: AtomicUsize::new(0),
            moved_hits: AtomicUsize::new(0),
            discovery_hits: AtomicUsize::new(0),
            streamed_bytes: Arc::new(AtomicUsize::new(0)),
            user_agent: Mutex::new(None),
        });
        let router = Router::new()
            .route("/jwks", get(serve_jwks))
            .route("/moved", get(serve_moved))
            .route("/.well-known/openid-configuration", get(discovery))
            .with_state(state.clone());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let task = tokio::spawn(async move {
            // Connections live in this set: aborting the accept task cuts them all.
            let mut connections = JoinSet::new();
            loop {
                let Ok((stream, _)) = listener.accept().await else {
                    continue;
                };
                let service = TowerToHyperService::new(router.clone());
                connections.spawn(async move {
                    let _ = hyper::server::conn::http1::Builder::new()
                        .serve_connection(TokioIo::new(stream), service)
                        .await;
                });
                while connections.try_join_next().is_some() {}
            }
        });
        Server { addr, state, task }
    }

    pub(crate) fn base_url(&self) -> String {
        format!("http://{}", self.addr)
    }

    pub(crate) fn jwks_url(&self) -> String {
        format!("http://{}/jwks", self.addr)
    }

    /// `http://{addr}/moved`.
    pub(crate) fn moved_url(&self) -> String {
        format!("http://{}/moved", self.addr)
    }

    pub(crate) fn set(&self, behaviour: Behaviour) {
        *self.state.behaviour.lock().unwrap() = behaviour;
    }

    /// What `/moved` answers (404 until set).
    pub(crate) fn set_moved(&self, behaviour: Behaviour) {
        *self.state.moved.lock().unwrap() = behaviour;
    }

    /// Serves this discovery document at `/.well-known/openid-configuration`.
    pub(crate) fn set_discovery(&self, document: Value) {
        self.set_discovery_bytes(serde_json::to_vec(&document).unwrap());
    }

    /// Serves these bytes as the discovery document (`application/json`).
    pub(crate) fn set_discovery_bytes(&self, document: Vec<u8>) {
        *self.state.discovery.lock().unwrap() = Some(document);
    }

    /// Answers `/.well-known/openid-configuration` with this redirect instead of the document.
    pub(crate) fn redirect_discovery(&self, status: u16, location: impl Into<String>) {
        *self.state.discovery_redirect.lock().unwrap() =
            Some(Behaviour::redirect(status, location));
    }

    pub(crate) fn jwks_hits(&self) -> usize {
        self.state.jwks_hits.load(Ordering::SeqCst)
    }

    pub(crate) fn moved_hits(&self) -> usize {
        self.state.moved_hits.load(Ordering::SeqCst)
    }

    pub(crate) fn discovery_hits(&self) -> usize {
        self.state.discovery_hits.load(Ordering::SeqCst)
    }

    pub(crate) fn streamed_bytes(&self) -> usize {
        self.state.streamed_bytes.load(Ordering::SeqCst)
    }

    /// The `User-Agent` of the last JWKS request.
    pub(crate) fn user_agent(&self) -> Option<String> {
        self.state.user_agent.lock().unwrap().clone()
    }

    pub(crate) fn stop(&self) {
        self.task.abort();
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.task.abort();
    }
}

async fn serve_jwks(State(state): State<Arc<ServerState>>, headers: HeaderMap) -> Response {
    state.jwks_hits.fetch_add(1, Ordering::SeqCst);
    *state.user_agent.lock().unwrap() = headers
        .get(header::USER_AGENT)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    let behaviour = state.behaviour.lock().unwrap().clone();
    answer(&state, behaviour).await
}

async fn serve_moved(State(state): State<Arc<ServerState>>) -> Response {
    state.moved_hits.fetch_add(1, Ordering::SeqCst);
    let behaviour = state.moved.lock().unwrap().clone();
    answer(&state, behaviour).await
}

async fn answer(state: &ServerState, behaviour: Behaviour) -> Response {
    match behaviour {
        Behaviour::Serve {
            body,
            cache_control,
        } => {
            let mut response = json_response(body);
            if let Some(value) = cache_control {
                response
                    .headers_mut()
                    .insert(header::CACHE_CONTROL, HeaderValue::from_static(value));
            }
            response
        }
        Behaviour::Status(code) => StatusCode::from_u16(code).unwrap().into_response(),
        Behaviour::Slow { delay, body } => {
            tokio::time::sleep(delay).await;
            json_response(body)
        }
        Behaviour::Redirect { status, location } => {
            let mut response = StatusCode::from_u16(status).unwrap().into_response();
            response
                .headers_mut()
                .insert(header::LOCATION, HeaderValue::from_str(&location).unwrap());
            response
        }
        Behaviour::Endless => {
            let counter = state.streamed_bytes.clone();
            let chunk = Bytes::from(vec![b' '; 1024]);
            let stream = futures_util::stream::iter(0..64 * 1024).map(move |_| {
                counter.fetch_add(chunk.len(), Ordering::SeqCst);
                Ok::<_, Infallible>(chunk.clone())
            });
            let mut response = Response::new(Body::from_stream(stream));
            response.headers_mut().insert(
                header::CONTENT_TYPE,
                HeaderValue::from_static("application/json"),
            );
            response
        }
    }
}

use futures_util::StreamExt as _;

fn json_response(body: String) -> Response {
    let mut response = Response::new(Body::from(body));
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/jwk-set+json"),
    );
    response
}

async fn discovery(State(state): State<Arc<ServerState>>) -> Response {
    state.discovery_hits.fetch_add(1, Ordering::SeqCst);
    let redirect = state.discovery_redirect.lock().unwrap().clone();
    if let Some(redirect) = redirect {
        return answer(&state, redirect).await;
    }
    match state.discovery.lock().unwrap().clone() {
        Some(document) => (
            [(
                header::CONTENT_TYPE,
                HeaderValue::from_static("application/json"),
            )],
            document,
        )
            .into_response(),
        None => StatusCode::NOT_FOUND.into_response(),
    }
}

/// A URL on loopback where nothing listens (connection refused).
pub(crate) fn closed_url() -> String {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    drop(listener);
    format!("http://127.0.0.1:{port}/jwks")
}

/// An ES256 (or EdDSA) signing key with its public JWK.
pub(crate) struct SigningKey {
    pub(crate) signer: Signer,
    pub(crate) jwk: Value,
}

pub(crate) fn signing_key(kid: &str) -> SigningKey {
    signing_key_for(Algorithm::ES256, kid)
}

pub(crate) fn signing_key_for(alg: Algorithm, kid: &str) -> SigningKey {
    let generated = keygen::generate(alg).unwrap().with_kid(kid);
    let key: Key = generated.key().clone();
    SigningKey {
        signer: Signer::new(key, alg).unwrap(),
        jwk: serde_json::to_value(generated.public_jwk().unwrap()).unwrap(),
    }
}

pub(crate) fn now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs()
}

impl SigningKey {
    /// A valid token for [`ISS`] / [`AUD`].
    pub(crate) fn token(&self) -> String {
        self.token_for(ISS, AUD)
    }

    pub(crate) fn token_for(&self, iss: &str, aud: &str) -> String {
        self.signer
            .encode(&json!({"iss": iss, "aud": aud, "sub": "ada", "exp": now() + 600}))
            .unwrap()
    }

    /// A token signed by this key but naming `kid`.
    pub(crate) fn token_with_kid(&self, kid: &str) -> String {
        self.signer
            .clone()
            .with_kid(kid)
            .encode(&json!({"iss": ISS, "aud": AUD, "exp": now() + 600}))
            .unwrap()
    }
}

/// `{"keys": [...]}`.
pub(crate) fn jwks(keys: &[&Value]) -> String {
    json!({ "keys": keys }).to_string()
}

/// A builder with short settings for tests (TTL bounds wide enough for any of them).
pub(crate) fn builder(url: &str) -> RemoteJwksBuilder {
    RemoteJwks::builder(url)
        .timeout(Duration::from_secs(2))
        .min_ttl(Duration::from_millis(100))
}

/// A verifier for [`ISS`] / [`AUD`] (ES256 and EdDSA) over `jwks`.
pub(crate) fn verifier(jwks: &RemoteJwks) -> Verifier {
    Verifier::builder()
        .algorithms([Algorithm::ES256, Algorithm::EdDSA])
        .issuer(ISS)
        .audience(AUD)
        .key_source(Arc::new(jwks.clone()))
        .build()
        .unwrap()
}

/// The async verification the HTTP adapters run: `Ok` or the error kind.
pub(crate) async fn check(verifier: &Verifier, token: &str) -> Result<(), ErrorKind> {
    verifier
        .verify_token_async(token)
        .await
        .map(|_| ())
        .map_err(jwt_guard_core::Error::into_kind)
}

/// The sync verification (never fetches).
pub(crate) fn check_sync(verifier: &Verifier, token: &str) -> Result<(), ErrorKind> {
    verifier
        .verify_token(token)
        .map(|_| ())
        .map_err(jwt_guard_core::Error::into_kind)
}

/// Polls `condition` every 10 ms until it holds or `limit` passes; returns whether it held.
pub(crate) async fn eventually(limit: Duration, mut condition: impl FnMut() -> bool) -> bool {
    let start = Instant::now();
    loop {
        if condition() {
            return true;
        }
        if start.elapsed() > limit {
            return false;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
}

/// The error chain of an error, joined with ": ".
pub(crate) fn chain(error: &dyn std::error::Error) -> String {
    let mut text = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    text
}

// --- tracing capture (shared: `jwt_guard_test_support::capture`) ------------------------------

pub(crate) use jwt_guard_test_support::capture::{Event, events};

/// The events whose `location` field is `location`.
pub(crate) fn events_for(location: &str) -> Vec<Event> {
    events()
        .into_iter()
        .filter(|e| e.field("location") == Some(location) || e.field("jwks_uri") == Some(location))
        .collect()
}
