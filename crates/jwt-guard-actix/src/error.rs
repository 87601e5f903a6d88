//! [`JwtError`]: a refused request as an actix-web [`ResponseError`].

use std::fmt;

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, ResponseError};
use jwt_guard_core::__private::Refusal;
use jwt_guard_core::http::Rejection;

use crate::state::Actix;

/// Why [`JwtMiddleware`](crate::JwtMiddleware), [`RequireScopes`](crate::RequireScopes) or an
/// extractor ([`Claims`](crate::Claims), [`Verified`](crate::Verified)) refused a request.
///
/// Its [`ResponseError::error_response`] is the core [`Rejection`]'s RFC 6750 answer (status,
/// `WWW-Authenticate`, JSON body), or what the middleware's
/// [`on_error`](crate::JwtMiddleware::on_error) hook makes of it.
///
/// One case is a programming error rather than a client's: an extractor or scope guard that no
/// `JwtMiddleware` ran before ([`JwtError::is_missing_middleware`]): the route has none, or it
/// is ordered inside the guard (in actix the last `.wrap` runs first). It fails closed,
/// answering as for a request with no token (401, bare challenge, default realm; never a 500,
/// and nothing about the server's setup goes to the client), and logs at error level both
/// causes and the fix of each; its `Display` says so too.
pub struct JwtError(pub(crate) Refusal<Actix>);

impl JwtError {
    /// The core rejection: status, `WWW-Authenticate`, body, and the core error if any.
    pub fn rejection(&self) -> &Rejection {
        self.0.rejection()
    }

    /// Consumes it, returning the core rejection.
    pub fn into_rejection(self) -> Rejection {
        self.0.into_rejection()
    }

    /// Whether this comes from an extractor or scope guard that no
    /// [`JwtMiddleware`](crate::JwtMiddleware) ran before (missing, or misordered).
    pub fn is_missing_middleware(&self) -> bool {
        self.0.is_unguarded()
    }
}

/// The default response: the core's RFC 6750 answer ([`Rejection::to_response`]), carried over
/// from `http` 1 to actix-web's `http` 0.2 types unchanged: status, every header, body.
fn default_response(rejection: &Rejection) -> HttpResponse {
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
        StatusCode::from_u16(self.rejection().status().as_u16())
            .unwrap_or(StatusCode::INTERNAL_SERVER_ERROR)
    }

    fn error_response(&self) -> HttpResponse {
        self.0.respond(default_response)
    }
}

impl fmt::Debug for JwtError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("JwtError")
            .field("rejection", self.rejection())
            .field("missing_middleware", &self.is_missing_middleware())
            .finish()
    }
}

impl fmt::Display for JwtError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&self.0, f)
    }
}

impl std::error::Error for JwtError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        Some(self.rejection())
    }
}
