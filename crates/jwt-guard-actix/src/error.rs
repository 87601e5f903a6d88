//! [`JwtError`]: a refused request as an actix-web [`ResponseError`].

use std::fmt;
use std::sync::Arc;

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, ResponseError};
use jwt_guard_core::http::{Rejection, RejectionKind};

use crate::middleware::Shared;

/// Why [`JwtMiddleware`](crate::JwtMiddleware), [`RequireScopes`](crate::RequireScopes) or an
/// extractor ([`Claims`](crate::Claims), [`Verified`](crate::Verified)) refused a request.
///
/// Its [`ResponseError::error_response`] is the core [`Rejection`]'s RFC 6750 answer (status,
/// `WWW-Authenticate`, JSON body), or what the middleware's
/// [`on_error`](crate::JwtMiddleware::on_error) hook makes of it.
///
/// One case is a programming error rather than a client's: an extractor on a route that no
/// `JwtMiddleware` covers ([`JwtError::is_missing_middleware`]). It fails closed, answering as
/// for a request with no token (401, bare challenge, default realm; never a 500, and nothing
/// about the server's setup goes to the client), and logs at error level that the middleware is
/// missing; its `Display` says so too.
pub struct JwtError {
    rejection: Rejection,
    shared: Option<Arc<Shared>>,
}

impl JwtError {
    pub(crate) fn new(rejection: Rejection, shared: &Arc<Shared>) -> JwtError {
        JwtError {
            rejection,
            shared: Some(Arc::clone(shared)),
        }
    }

    pub(crate) fn missing_middleware(what: &'static str) -> JwtError {
        tracing::error!(
            extractor = what,
            "no JwtMiddleware on this route: add `.wrap(JwtMiddleware::new(..))` to the app, \
             scope, resource or route; refusing the request as unauthenticated"
        );
        JwtError {
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

    /// Whether this comes from an extractor used without a
    /// [`JwtMiddleware`](crate::JwtMiddleware).
    pub fn is_missing_middleware(&self) -> bool {
        self.shared.is_none()
    }
}

/// The default response: the core's RFC 6750 answer ([`Rejection::to_response`]), carried over
/// from `http` 1 to actix-web's `http` 0.2 types unchanged: status, every header, body.
pub(crate) fn default_response(rejection: &Rejection) -> HttpResponse {
    let (parts, body) = rejection.to_response().into_parts();
    let status =
        StatusCode::from_u16(parts.status.as_u16()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    let mut response = HttpResponse::build(status);
    for (name, value) in &parts.headers {
        response.append_header((name.as_str(), value.as_bytes()));
    }
    response.body(body)
}

impl ResponseError for JwtError {
    fn status_code(&self) -> StatusCode {
        StatusCode::from_u16(self.rejection.status().as_u16())
            .unwrap_or(StatusCode::INTERNAL_SERVER_ERROR)
    }

    fn error_response(&self) -> HttpResponse {
        match self.shared.as_ref().and_then(|s| s.on_error.as_ref()) {
            Some(hook) => hook(&self.rejection),
            None => default_response(&self.rejection),
        }
    }
}

impl fmt::Debug for JwtError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("JwtError")
            .field("rejection", &self.rejection)
            .field("missing_middleware", &self.is_missing_middleware())
            .finish()
    }
}

impl fmt::Display for JwtError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.is_missing_middleware() {
            f.write_str(
                "no JwtMiddleware on this route, so no verified token: the request is refused as unauthenticated",
            )
        } else {
            fmt::Display::fmt(&self.rejection, f)
        }
    }
}

impl std::error::Error for JwtError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        Some(&self.rejection)
    }
}
