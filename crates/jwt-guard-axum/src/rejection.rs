//! [`JwtRejection`]: a refused request as an axum response.

use std::fmt;

use axum_core::body::Body;
use axum_core::response::{IntoResponse, Response};
use jwt_guard_core::__private::Refusal;
use jwt_guard_core::http::Rejection;

use crate::state::Axum;

/// Why [`JwtLayer`](crate::JwtLayer), [`RequireScopes`](crate::RequireScopes) or an extractor
/// ([`Claims`](crate::Claims), [`Verified`](crate::Verified)) refused a request.
///
/// Its response is the core [`Rejection`]'s RFC 6750 answer (status, `WWW-Authenticate`, JSON
/// body), or what the layer's [`on_error`](crate::JwtLayer::on_error) hook makes of it.
///
/// One case is a programming error rather than a client's: an extractor or scope guard that no
/// `JwtLayer` ran before ([`JwtRejection::is_missing_layer`]): the route has none, or it is
/// ordered inside the guard (in axum the last `.layer`/`.route_layer` runs first). It fails
/// closed, answering as for a request with no token (401, bare challenge, default realm; never a
/// 500, and nothing about the server's setup goes to the client), and logs at error level both
/// causes and the fix of each; its `Display` says so too.
pub struct JwtRejection(pub(crate) Refusal<Axum>);

impl JwtRejection {
    /// The core rejection: status, `WWW-Authenticate`, body, and the core error if any.
    pub fn rejection(&self) -> &Rejection {
        self.0.rejection()
    }

    /// Consumes it, returning the core rejection.
    pub fn into_rejection(self) -> Rejection {
        self.0.into_rejection()
    }

    /// Whether this comes from an extractor or scope guard that no
    /// [`JwtLayer`](crate::JwtLayer) ran before (missing, or misordered).
    pub fn is_missing_layer(&self) -> bool {
        self.0.is_unguarded()
    }
}

/// The default response: the core's RFC 6750 answer with a JSON body.
fn default_response(rejection: &Rejection) -> Response {
    rejection.to_response().map(Body::from)
}

impl IntoResponse for JwtRejection {
    fn into_response(self) -> Response {
        self.0.respond(default_response)
    }
}

impl fmt::Debug for JwtRejection {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("JwtRejection")
            .field("rejection", self.rejection())
            .field("missing_layer", &self.is_missing_layer())
            .finish()
    }
}

impl fmt::Display for JwtRejection {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&self.0, f)
    }
}

impl std::error::Error for JwtRejection {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        Some(self.rejection())
    }
}
