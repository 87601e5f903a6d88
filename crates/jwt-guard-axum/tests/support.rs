//! A test server on 127.0.0.1:0, a minimal HTTP client, tokens, and the expected answers.

use std::convert::Infallible;
use std::net::SocketAddr;

use axum::Router;
use bytes::Bytes;
use http::{HeaderMap, Request};
use http_body_util::{BodyExt, Empty};
use hyper::body::Incoming;
use hyper_util::rt::TokioIo;
use hyper_util::service::TowerToHyperService;
use jwt_guard_core::{Algorithm, Key, Signer, Verifier};
use serde_json::{Value, json};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

pub(crate) const REALM: &str = "jwt-guard-tests";
pub(crate) const SECRET: &[u8] = b"jwt-guard-axum tests: a secret of 32+ bytes";
pub(crate) const OTHER_SECRET: &[u8] = b"another secret, also of 32+ bytes!!";
pub(crate) const ISSUER: &str = "https://issuer.test";
pub(crate) const AUDIENCE: &str = "api://tests";
pub(crate) const FAR_FUTURE: u64 = 4_102_444_800;

/// HS256, issuer and audience checked.
pub(crate) fn verifier() -> Verifier {
    Verifier::builder()
        .algorithms([Algorithm::HS256])
        .key(Key::hmac(SECRET).unwrap())
        .issuer(ISSUER)
        .audience(AUDIENCE)
        .build()
        .unwrap()
}

/// `{"iss", "aud", "sub": "ada", "exp"}` with `extra` merged over it.
pub(crate) fn claims(extra: Value) -> Value {
    let mut claims = json!({"iss": ISSUER, "aud": AUDIENCE, "sub": "ada", "exp": FAR_FUTURE});
    if let (Some(map), Value::Object(extra)) = (claims.as_object_mut(), extra) {
        map.extend(extra);
    }
    claims
}

pub(crate) fn sign(secret: &[u8], claims: &Value) -> String {
    Signer::new(Key::hmac(secret).unwrap(), Algorithm::HS256)
        .unwrap()
        .encode(claims)
        .unwrap()
}

/// A valid token with `extra` claims.
pub(crate) fn token(extra: Value) -> String {
    sign(SECRET, &claims(extra))
}

pub(crate) fn expired_token() -> String {
    token(json!({"exp": 1_000_000_000}))
}

pub(crate) fn forged_token() -> String {
    sign(OTHER_SECRET, &claims(json!({})))
}

pub(crate) fn bearer(token: &str) -> String {
    format!("Bearer {token}")
}

/// `Bearer realm="jwt-guard-tests", error="...", error_description="..."`.
pub(crate) fn challenge(error: &str, description: &str) -> String {
    format!("Bearer realm=\"{REALM}\", error=\"{error}\", error_description=\"{description}\"")
}

/// What a reply had.
#[derive(Debug)]
pub(crate) struct Reply {
    pub(crate) status: u16,
    pub(crate) headers: HeaderMap,
    pub(crate) body: String,
}

impl Reply {
    pub(crate) fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).map(|v| v.to_str().unwrap())
    }

    pub(crate) fn www_authenticate(&self) -> Option<&str> {
        self.header("www-authenticate")
    }

    pub(crate) fn json(&self) -> Value {
        serde_json::from_str(&self.body)
            .unwrap_or_else(|e| panic!("body is not JSON ({e}): {:?}", self.body))
    }

    /// Exactly the RFC 6750 answer: status, `WWW-Authenticate`, JSON body.
    #[track_caller]
    pub(crate) fn assert_rejected(&self, status: u16, error: &str, description: &str) {
        assert_eq!(self.status, status, "{self:?}");
        assert_eq!(
            self.www_authenticate(),
            Some(challenge(error, description).as_str()),
            "{self:?}"
        );
        assert_eq!(self.header("content-type"), Some("application/json"));
        assert_eq!(
            self.json(),
            json!({"error": error, "error_description": description})
        );
    }

    /// 401 with the bare challenge of `realm`.
    #[track_caller]
    pub(crate) fn assert_missing_in(&self, realm: &str) {
        assert_eq!(self.status, 401, "{self:?}");
        assert_eq!(
            self.www_authenticate(),
            Some(format!("Bearer realm=\"{realm}\"").as_str())
        );
        assert_eq!(
            self.json(),
            json!({"error": "missing_token", "error_description": "an access token is required"})
        );
    }

    #[track_caller]
    pub(crate) fn assert_missing(&self) {
        self.assert_missing_in(REALM);
    }

    #[track_caller]
    pub(crate) fn assert_invalid_token(&self, description: &str) {
        self.assert_rejected(401, "invalid_token", description);
    }

    #[track_caller]
    pub(crate) fn assert_invalid_request(&self, description: &str) {
        self.assert_rejected(400, "invalid_request", description);
    }
}

/// A server on 127.0.0.1:0, shut down (and its task aborted) on drop.
pub(crate) struct Server {
    addr: SocketAddr,
    shutdown: Option<oneshot::Sender<()>>,
    task: JoinHandle<()>,
}

impl Server {
    /// Serves an axum router with `axum::serve`.
    pub(crate) async fn router(app: Router) -> Server {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let (tx, rx) = oneshot::channel::<()>();
        let task = tokio::spawn(async move {
            axum::serve(listener, app)
                .with_graceful_shutdown(async {
                    let _ = rx.await;
                })
                .await
                .unwrap();
        });
        Server {
            addr,
            shutdown: Some(tx),
            task,
        }
    }

    /// Serves any tower service of `Request<Incoming>` with plain hyper (no axum involved).
    pub(crate) async fn service<S>(service: S) -> Server
    where
        S: tower::Service<
                Request<Incoming>,
                Response = axum::response::Response,
                Error = Infallible,
            > + Clone
            + Send
            + 'static,
        S::Future: Send + 'static,
    {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let (tx, mut rx) = oneshot::channel::<()>();
        let task = tokio::spawn(async move {
            loop {
                tokio::select! {
                    _ = &mut rx => break,
                    accepted = listener.accept() => {
                        let (stream, _) = accepted.unwrap();
                        let service = TowerToHyperService::new(service.clone());
                        tokio::spawn(async move {
                            let _ = hyper::server::conn::http1::Builder::new()
                                .serve_connection(TokioIo::new(stream), service)
                                .await;
                        });
                    }
                }
            }
        });
        Server {
            addr,
            shutdown: Some(tx),
            task,
        }
    }

    /// `GET path` with `headers`, over a fresh HTTP/1.1 connection.
    pub(crate) async fn get(&self, path: &str, headers: &[(&str, &str)]) -> Reply {
        let stream = TcpStream::connect(self.addr).await.unwrap();
        let (mut sender, connection) = hyper::client::conn::http1::handshake(TokioIo::new(stream))
            .await
            .unwrap();
        let connection = tokio::spawn(connection);
        let mut request = Request::get(path).header("host", self.addr.to_string());
        for (name, value) in headers {
            request = request.header(*name, *value);
        }
        let response = sender
            .send_request(request.body(Empty::<Bytes>::new()).unwrap())
            .await
            .unwrap();
        let (parts, body) = response.into_parts();
        let body = body.collect().await.unwrap().to_bytes();
        drop(sender);
        let _ = connection.await;
        Reply {
            status: parts.status.as_u16(),
            headers: parts.headers,
            body: String::from_utf8(body.to_vec()).unwrap(),
        }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        self.task.abort();
    }
}
