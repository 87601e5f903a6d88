//! The HTTP/1.1 client of every suite that talks to a real server (the conformance suite and
//! the adapters' own tests): one fresh hyper connection per request, and the reply with the
//! RFC 6750 checks the suites make.

use std::net::SocketAddr;

use http::HeaderMap;
use http_body_util::{BodyExt, Full};
use hyper::body::Bytes;
use hyper_util::rt::TokioIo;
use serde_json::{Value, json};
use tokio::net::TcpStream;

/// What a server answered.
#[derive(Debug)]
pub struct Reply {
    /// The status code.
    pub status: u16,
    /// Every header.
    pub headers: HeaderMap,
    /// The body, as UTF-8 (lossy).
    pub body: String,
}

/// `GET target` (path and query) with `headers` to `addr`, over a fresh HTTP/1.1 connection.
pub async fn get(addr: SocketAddr, target: &str, headers: &[(&str, &str)]) -> Reply {
    request(addr, "GET", target, headers).await
}

/// `method target` (path and query) with `headers` and no body to `addr`, over a fresh
/// HTTP/1.1 connection.
pub async fn request(
    addr: SocketAddr,
    method: &str,
    target: &str,
    headers: &[(&str, &str)],
) -> Reply {
    request_with_body(addr, method, target, headers, "").await
}

/// `method target` with `headers` and `body` (sent as is; set its `content-type` in
/// `headers`) to `addr`, over a fresh HTTP/1.1 connection.
pub async fn request_with_body(
    addr: SocketAddr,
    method: &str,
    target: &str,
    headers: &[(&str, &str)],
    body: &str,
) -> Reply {
    let stream = TcpStream::connect(addr).await.unwrap();
    let (mut sender, connection) = hyper::client::conn::http1::handshake(TokioIo::new(stream))
        .await
        .unwrap();
    let connection = tokio::spawn(connection);
    let mut request = http::Request::builder()
        .method(method)
        .uri(target)
        .header("host", addr.to_string());
    for (name, value) in headers {
        request = request.header(*name, *value);
    }
    let response = sender
        .send_request(
            request
                .body(Full::new(Bytes::from(body.to_owned())))
                .unwrap(),
        )
        .await
        .unwrap();
    let (parts, body) = response.into_parts();
    let body = body.collect().await.unwrap().to_bytes();
    drop(sender);
    let _ = connection.await;
    Reply {
        status: parts.status.as_u16(),
        headers: parts.headers,
        body: String::from_utf8_lossy(&body).into_owned(),
    }
}

impl Reply {
    /// The first value of header `name`, as text.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .get(name)
            .map(|v| v.to_str().unwrap_or("<not ASCII>"))
    }

    /// Every value of header `name`, as text.
    pub fn header_all(&self, name: &str) -> Vec<String> {
        self.headers
            .get_all(name)
            .iter()
            .map(|v| v.to_str().unwrap_or("<not ASCII>").to_owned())
            .collect()
    }

    /// The `WWW-Authenticate` value (the first, if several).
    pub fn www_authenticate(&self) -> Option<&str> {
        self.header("www-authenticate")
    }

    /// The body as JSON; panics if it is not.
    pub fn json(&self) -> Value {
        serde_json::from_str(&self.body)
            .unwrap_or_else(|e| panic!("body is not JSON ({e}): {:?}", self.body))
    }

    /// `(status, body)`, for a handler's own answer.
    pub fn answer(&self) -> (u16, &str) {
        (self.status, self.body.as_str())
    }

    /// Exactly the RFC 6750 answer of `realm`: status, `WWW-Authenticate`, JSON body.
    #[track_caller]
    pub fn assert_rejected_in(&self, realm: &str, status: u16, error: &str, description: &str) {
        let challenge = format!(
            "Bearer realm=\"{realm}\", error=\"{error}\", error_description=\"{description}\""
        );
        assert_eq!(self.status, status, "{self:?}");
        assert_eq!(
            self.www_authenticate(),
            Some(challenge.as_str()),
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
    pub fn assert_missing_in(&self, realm: &str) {
        assert_eq!(self.status, 401, "{self:?}");
        let challenge = format!("Bearer realm=\"{realm}\"");
        assert_eq!(
            self.www_authenticate(),
            Some(challenge.as_str()),
            "{self:?}"
        );
        assert_eq!(
            self.json(),
            json!({"error": "missing_token", "error_description": "an access token is required"})
        );
    }
}
