//! Browser sessions: [`WithCookies`] puts the `Set-Cookie` values of a login, a refresh or a
//! logout ([`jwt_guard_core::sessions::cookies`]) on a response.

use std::fmt;

use axum_core::response::{IntoResponse, IntoResponseParts, Response, ResponseParts};
use http::StatusCode;
use jwt_guard_core::sessions::cookies::SetCookies;

/// The cookies of a browser session on a response: as a response of its own, `204 No
/// Content` with them; as a part (`(StatusCode::OK, WithCookies(set), body)`), added to
/// another response. The same name in `jwt-guard-actix`.
///
/// ```
/// use axum::{Router, extract::State, response::IntoResponse, routing::post};
/// use jwt_guard_axum::WithCookies;
/// use jwt_guard_core::sessions::cookies::SessionCookies;
///
/// async fn logout(State(cookies): State<SessionCookies>) -> impl IntoResponse {
///     WithCookies(cookies.unset())
/// }
/// # fn app(cookies: SessionCookies) -> Router { Router::new().route("/session/logout", post(logout)).with_state(cookies) }
/// ```
#[derive(Clone)]
pub struct WithCookies(pub SetCookies);

impl fmt::Debug for WithCookies {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("WithCookies").field(&self.0).finish()
    }
}

impl IntoResponseParts for WithCookies {
    type Error = std::convert::Infallible;

    fn into_response_parts(self, mut res: ResponseParts) -> Result<ResponseParts, Self::Error> {
        self.0.apply(res.headers_mut());
        Ok(res)
    }
}

impl IntoResponse for WithCookies {
    fn into_response(self) -> Response {
        let mut response = StatusCode::NO_CONTENT.into_response();
        self.0.apply(response.headers_mut());
        response
    }
}
