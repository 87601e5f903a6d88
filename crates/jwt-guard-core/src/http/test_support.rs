//! Shared helpers of the `http` unit tests.

pub(crate) use ::http::{HeaderValue, Request, StatusCode};

pub(crate) use crate::http::*;
pub(crate) use crate::{Algorithm, ErrorKind, Key, Signer, Verifier, VerifierConfig};

pub(crate) fn block_on<F: std::future::Future>(f: F) -> F::Output {
    let mut f = std::pin::pin!(f);
    let mut cx = std::task::Context::from_waker(std::task::Waker::noop());
    loop {
        if let std::task::Poll::Ready(v) = f.as_mut().poll(&mut cx) {
            return v;
        }
    }
}

pub(crate) const SECRET: &[u8] = b"an example secret of 32 bytes..!";

pub(crate) fn auth() -> BearerAuth {
    let key = Key::hmac(SECRET).unwrap();
    let verifier = Verifier::builder()
        .algorithms([Algorithm::HS256])
        .key(key)
        .build()
        .unwrap();
    BearerAuth::new(verifier).with_realm("test")
}

pub(crate) fn sign(claims: serde_json::Value) -> String {
    Signer::new(Key::hmac(SECRET).unwrap(), Algorithm::HS256)
        .unwrap()
        .encode(&claims)
        .unwrap()
}

pub(crate) fn request(uri: &str, headers: &[(&str, &str)]) -> Request<()> {
    let mut builder = Request::get(uri);
    for (name, value) in headers {
        builder = builder.header(*name, *value);
    }
    builder.body(()).unwrap()
}

pub(crate) fn all_locations() -> TokenLocations {
    TokenLocations::new()
        .cookie("tok")
        .query(DEFAULT_QUERY_PARAM)
}

pub(crate) fn found(
    locations: &TokenLocations,
    req: &Request<()>,
) -> Result<Option<String>, InvalidRequest> {
    locations
        .extract(req)
        .map(|t| t.map(|t| format!("{:?}:{}", t.location(), t.as_str())))
}
