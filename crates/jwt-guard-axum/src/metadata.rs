//! [`ResourceMetadataService`]: serves the RFC 9728 protected resource metadata a
//! [`JwtLayer`](crate::JwtLayer) was given (`[resource_metadata]`), at its well-known path.

use std::convert::Infallible;
use std::future::{Ready, ready};
use std::sync::Arc;
use std::task::{Context as TaskContext, Poll};

use axum_core::body::Body;
use axum_core::response::Response;
use http::Request;
use http::header::CONTENT_TYPE;
use jwt_guard_core::http::BearerAuth;
use tower_service::Service;

/// A service answering every request with the RFC 9728 document (200, `application/json`):
/// route it at [`ResourceMetadataService::path`], outside the `JwtLayer` (clients read it
/// before they have a token).
///
/// ```
/// use axum::Router;
/// use jwt_guard_axum::{JwtLayer, ResourceMetadataService};
/// use jwt_guard_core::http::ResourceMetadata;
/// # fn app(verifier: jwt_guard_core::Verifier) -> Option<Router> {
/// let layer = JwtLayer::new(verifier)
///     .with_resource_metadata(ResourceMetadata::new("https://api.example.com"));
/// let metadata = layer.resource_metadata_service()?;
/// let path = metadata.path().to_owned();
/// let app: Router = Router::new()
///     // .route("/orders", get(orders)).route_layer(layer)
///     .route_service(&path, metadata);
/// # Some(app) }
/// ```
#[derive(Debug, Clone)]
pub struct ResourceMetadataService {
    path: Arc<str>,
    document: Arc<str>,
}

impl ResourceMetadataService {
    /// The service for `auth`'s metadata; `None` if it has none.
    pub(crate) fn new(auth: &BearerAuth) -> Option<ResourceMetadataService> {
        let metadata = auth.resource_metadata()?;
        Some(ResourceMetadataService {
            path: Arc::from(metadata.path()),
            document: Arc::from(metadata.document(auth.token_locations())),
        })
    }

    /// The path to route it at (`/.well-known/oauth-protected-resource`, then the resource
    /// identifier's path).
    pub fn path(&self) -> &str {
        &self.path
    }
}

impl<B> Service<Request<B>> for ResourceMetadataService {
    type Response = Response;
    type Error = Infallible;
    type Future = Ready<Result<Response, Infallible>>;

    fn poll_ready(&mut self, _cx: &mut TaskContext<'_>) -> Poll<Result<(), Infallible>> {
        Poll::Ready(Ok(()))
    }

    fn call(&mut self, _request: Request<B>) -> Self::Future {
        let mut response = Response::new(Body::from(self.document.to_string()));
        response.headers_mut().insert(
            CONTENT_TYPE,
            http::HeaderValue::from_static("application/json"),
        );
        ready(Ok(response))
    }
}
