//! A test server on 127.0.0.1:0, a minimal HTTP client, tokens, and the expected answers.

use std::net::SocketAddr;
use std::thread::JoinHandle;

use actix_web::body::MessageBody;
use actix_web::dev::{ServerHandle, ServiceFactory, ServiceRequest, ServiceResponse};
use actix_web::{App, HttpServer};
use http::{HeaderMap, Request};
use http_body_util::{BodyExt, Empty};
use hyper::body::Bytes;
use hyper_util::rt::TokioIo;
use jwt_guard_core::{Algorithm, Key, Signer, Verifier};
use serde_json::{Value, json};
use tokio::net::TcpStream;

pub(crate) const REALM: &str = "jwt-guard-tests";
pub(crate) const SECRET: &[u8] = b"jwt-guard-actix tests: a secret of 32+ bytes";
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

/// An actix-web server on 127.0.0.1:0, on its own thread with its own actix `System` (one
/// worker); stopped and joined on drop.
pub(crate) struct Server {
    addr: SocketAddr,
    handle: ServerHandle,
    thread: Option<JoinHandle<()>>,
}

impl Server {
    /// Serves the app `factory` builds (it runs on the server's worker thread).
    pub(crate) fn app<F, T, B>(factory: F) -> Server
    where
        F: Fn() -> App<T> + Send + Clone + 'static,
        T: ServiceFactory<
                ServiceRequest,
                Config = (),
                Response = ServiceResponse<B>,
                Error = actix_web::Error,
                InitError = (),
            > + 'static,
        B: MessageBody + 'static,
    {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let addr = listener.local_addr().unwrap();
        let (tx, rx) = std::sync::mpsc::channel();
        let thread = std::thread::spawn(move || {
            actix_web::rt::System::new().block_on(async move {
                let server = HttpServer::new(factory)
                    .workers(1)
                    .disable_signals()
                    .listen(listener)
                    .unwrap()
                    .run();
                tx.send(server.handle()).unwrap();
                server.await.unwrap();
            });
        });
        let handle = rx.recv().unwrap();
        Server {
            addr,
            handle,
            thread: Some(thread),
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
        // `stop` sends its command at once; the returned future only waits for completion,
        // which joining the thread does.
        drop(self.handle.stop(false));
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}
