//! [`JwtRejection`]: a refused request as an axum response.

use std::fmt;
use std::sync::Arc;

use axum_core::body::Body;
use axum_core::response::{IntoResponse, Response};
use jwt_guard_core::http::{Rejection, RejectionKind};

use crate::layer::Shared;

/// Why [`JwtLayer`](crate::JwtLayer), [`RequireScopes`](crate::RequireScopes) or an extractor
/// ([`Claims`](crate::Claims), [`Verified`](crate::Verified)) refused a request.
///
/// Its response is the core [`Rejection`]'s RFC 6750 answer (status, `WWW-Authenticate`, JSON
/// body), or what the layer's [`on_error`](crate::JwtLayer::on_error) hook makes of it.
///
/// One case is a programming error rather than a client's: an extractor on a route that no
/// `JwtLayer` covers ([`JwtRejection::is_missing_layer`]). It fails closed, answering as for a
/// request with no token (401, bare challenge, default realm; never a 500, and nothing about the
/// server's setup goes to the client), and logs at error level that the layer is missing; its
/// `Display` says so too.
pub struct JwtRejection {
    rejection: Rejection,
    shared: Option<Arc<Shared>>,
}

impl JwtRejection {
    pub(crate) fn new(rejection: Rejection, shared: &Arc<Shared>) -> JwtRejection {
        JwtRejection {
            rejection,
            shared: Some(Arc::clone(shared)),
        }
    }

    pub(crate) fn missing_layer(what: &'static str) -> JwtRejection {
        tracing::error!(
            extractor = what,
            "no JwtLayer on this route: add `.layer(JwtLayer::new(..))` (or `.route_layer`); \
             refusing the request as unauthenticated"
        );
        JwtRejection {
            rejection: Rejection::new(RejectionKind::MissingToken),
            shared: None,
        }
    }

    /// The core rejection: status, `WWW-Authenticate`, body, and the core error if any.
    pub fn rejection(&self) -> &Rejection {
        &self.rejection
    }

    /// Consumes it, returning the core rejection.
    pub fn into_rejection(self) -> Rejection {
        self.rejection
    }

    /// Whether this comes from an extractor used without a [`JwtLayer`](crate::JwtLayer).
    pub fn is_missing_layer(&self) -> bool {
        self.shared.is_none()
    }
}

/// The default response: the core's RFC 6750 answer with a JSON body.
pub(crate) fn default_response(rejection: &Rejection) -> Response {
    rejection.to_response().map(Body::from)
}

impl IntoResponse for JwtRejection {
    fn into_response(self) -> Response {
        match self.shared.as_ref().and_then(|s| s.on_error.as_ref()) {
            Some(hook) => hook(&self.rejection),
            None => default_response(&self.rejection),
        }
    }
}

impl fmt::Debug for JwtRejection {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("JwtRejection")
            .field("rejection", &self.rejection)
            .field("missing_layer", &self.is_missing_layer())
            .finish()
    }
}

impl fmt::Display for JwtRejection {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.is_missing_layer() {
            f.write_str("no JwtLayer on this route, so no verified token: the request is refused as unauthenticated")
        } else {
            fmt::Display::fmt(&self.rejection, f)
        }
    }
}

impl std::error::Error for JwtRejection {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        Some(&self.rejection)
    }
}
