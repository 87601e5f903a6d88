//! Browser sessions: [`WithCookies`] puts the `Set-Cookie` values of a login, a refresh or a
//! logout ([`jwt_guard_core::sessions::cookies`]) on a response.

use std::fmt;

use actix_web::body::BoxBody;
use actix_web::http::header::{HeaderMap, HeaderValue, SET_COOKIE};
use actix_web::{HttpRequest, HttpResponse, Responder};
use jwt_guard_core::__private::SetCookieValue;
use jwt_guard_core::sessions::cookies::SetCookies;

/// The cookies of a browser session on a response: as a [`Responder`], `204 No Content` with
/// them; [`WithCookies::apply`] adds them to another response. The same name in
/// `jwt-guard-axum`.
///
/// ```
/// use actix_web::{Responder, web};
/// use jwt_guard_actix::WithCookies;
/// use jwt_guard_core::sessions::cookies::SessionCookies;
///
/// async fn logout(cookies: web::Data<SessionCookies>) -> impl Responder {
///     WithCookies(cookies.unset())
/// }
/// ```
#[derive(Clone)]
pub struct WithCookies(pub SetCookies);

impl fmt::Debug for WithCookies {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("WithCookies").field(&self.0).finish()
    }
}

impl WithCookies {
    /// Appends the cookies to `response` as `Set-Cookie` headers.
    pub fn apply(&self, response: &mut HttpResponse) {
        for value in self.0.values() {
            append(response.headers_mut(), value);
        }
    }
}

impl Responder for WithCookies {
    type Body = BoxBody;

    fn respond_to(self, _request: &HttpRequest) -> HttpResponse {
        let mut response = HttpResponse::NoContent().finish();
        self.apply(&mut response);
        response
    }
}

/// Appends one `Set-Cookie` value (an `http` 1.x value, as the core builds it).
pub(crate) fn append(headers: &mut HeaderMap, value: &SetCookieValue) {
    // The core only builds visible-ASCII values, so this conversion cannot fail.
    if let Ok(value) = HeaderValue::from_bytes(value.as_bytes()) {
        headers.append(SET_COOKIE, value);
    }
}
