//! Extractors: [`Claims<T>`]; [`Verified`](crate::Verified) lives in `state`, where the middleware stores it.

use std::future::{Ready, ready};
use std::ops::{Deref, DerefMut};

use actix_web::dev::Payload;
use actix_web::{FromRequest, HttpMessage, HttpRequest};
use jwt_guard_core::__private::{Refusal, Stored};
use serde::de::DeserializeOwned;

use crate::error::JwtError;
use crate::state::{Actix, Verified, stored};

/// The verified claims as `T`, from a route under [`JwtMiddleware`](crate::JwtMiddleware):
/// `async fn me(Claims(claims): Claims<MyClaims>)`.
///
/// The middleware verifies the token once; each `Claims<T>` deserializes the verified claims
/// JSON into its `T` (so several types can be extracted from one request). The extraction is a
/// ready future: nothing is boxed, nothing awaits.
///
/// `T` is `Clone + Send + Sync + 'static` (as for axum's `Extension<T>`): for a token the
/// verified-token cache holds, the claims are parsed into `T` once and every later request with
/// that token gets a clone ([`VerifiedToken::claims_shared`](jwt_guard_core::VerifiedToken::claims_shared));
/// `T`'s `Deserialize` must give the same value for the same JSON, as a derived one does.
///
/// Typed claims: flatten [`RegisteredClaims`](jwt_guard_core::RegisteredClaims) into your own
/// type to have `sub`, `exp`, `aud`, ... beside your claims (the middleware has already checked
/// the registered ones by its rules); make a claim `Option<..>` if a token may lack it.
///
/// ```
/// use actix_web::{App, test, web};
/// use jwt_guard_actix::{Claims, JwtMiddleware};
/// use jwt_guard_core::{Algorithm, Key, RegisteredClaims, Signer, Verifier};
/// use serde::Deserialize;
///
/// #[derive(Clone, Deserialize)]
/// struct MyClaims {
///     #[serde(flatten)]
///     registered: RegisteredClaims, // iss, sub, aud, exp, nbf, iat, jti
///     tenant: String,               // required: a token without it gets 401
///     roles: Option<Vec<String>>,   // optional
/// }
///
/// async fn me(Claims(claims): Claims<MyClaims>) -> String {
///     let roles = claims.roles.unwrap_or_default().join(",");
///     format!("{} of {} ({roles})", claims.registered.sub.unwrap_or_default(), claims.tenant)
/// }
///
/// # #[actix_web::main]
/// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
/// let key = Key::hmac(b"an example secret of 32 bytes..!")?;
/// let verifier = Verifier::builder().algorithms([Algorithm::HS256]).key(key.clone()).build()?;
/// let app = test::init_service(
///     App::new().wrap(JwtMiddleware::new(verifier)).route("/me", web::get().to(me)),
/// )
/// .await;
///
/// let signer = Signer::new(key, Algorithm::HS256)?;
/// let get_me = |claims: serde_json::Value| -> Result<_, Box<dyn std::error::Error>> {
///     let token = signer.encode(&claims)?;
///     Ok(test::TestRequest::get()
///         .uri("/me")
///         .insert_header(("authorization", format!("Bearer {token}")))
///         .to_request())
/// };
/// let exp = 4_102_444_800u64;
/// let ok = get_me(serde_json::json!({"sub": "ada", "tenant": "acme", "exp": exp}))?;
/// let response = test::call_service(&app, ok).await;
/// assert_eq!(response.status(), 200);
/// assert_eq!(test::read_body(response).await, "ada of acme ()");
/// // No `tenant`: 401 "the token claims are invalid"; the debug event names the field.
/// let response = test::call_service(&app, get_me(serde_json::json!({"sub": "ada", "exp": exp}))?).await;
/// assert_eq!(response.status(), 401);
/// # Ok(()) }
/// ```
///
/// # Rejections
/// - 401 `invalid_token` ("the token claims are invalid") when the claims do not deserialize
///   into `T` (the token lacks a member the handler needs), logged at debug level with where
///   and why (`field`, `problem`, `expected`; never a value of the claims);
/// - 401 with a bare `Bearer realm="..."` challenge when there is no token, which can only
///   happen under an optional middleware (use `Option<Claims<T>>` there to accept anonymous
///   requests);
/// - without a `JwtMiddleware` that ran before it (none on the route, or one ordered inside a
///   middleware that uses `Claims`): 401 as for no token, plus an error-level log naming both
///   causes ([`JwtError::is_missing_middleware`]). It never verifies by itself.
///
/// `Option<Claims<T>>` is `None` for an anonymous request under an optional middleware. actix-web
/// turns *every* extractor error into `None` for `Option<T>` (its blanket impl, which this crate
/// cannot override): where axum's `Option<Claims<T>>` answers 401 for claims that do not fit `T`
/// (or a missing middleware), actix's is `None` — the request is treated as anonymous, and the
/// reason is still logged. Use `Option<Claims<serde_json::Value>>` or a `T` whose members are
/// optional if a token that lacks a member must not look anonymous.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Claims<T>(pub T);

impl<T> Deref for Claims<T> {
    type Target = T;

    fn deref(&self) -> &T {
        &self.0
    }
}

impl<T> DerefMut for Claims<T> {
    fn deref_mut(&mut self) -> &mut T {
        &mut self.0
    }
}

/// Runs `decide` on what the middleware stored in the request (the core decides; actix's
/// extensions are borrowed for the call).
pub(crate) fn with_stored<R>(
    request: &HttpRequest,
    what: &'static str,
    decide: impl FnOnce(Stored<'_, Actix, Verified>) -> Result<R, Refusal<Actix>>,
) -> Result<R, JwtError> {
    let extensions = request.extensions();
    decide(stored(&extensions, what)).map_err(JwtError)
}

impl<T> FromRequest for Claims<T>
where
    T: DeserializeOwned + Clone + Send + Sync + 'static,
{
    type Error = JwtError;
    type Future = Ready<Result<Claims<T>, JwtError>>;

    fn from_request(request: &HttpRequest, _payload: &mut Payload) -> Self::Future {
        ready(with_stored(request, "Claims", |stored| {
            stored.claims().map(Claims)
        }))
    }
}

impl FromRequest for Verified {
    type Error = JwtError;
    type Future = Ready<Result<Verified, JwtError>>;

    fn from_request(request: &HttpRequest, _payload: &mut Payload) -> Self::Future {
        ready(with_stored(request, "Verified", |stored| {
            stored.token().cloned()
        }))
    }
}
