//! [`CurrentUser<U>`]: the application's user for the verified token, loaded once per request
//! by the [`Users<U>`](jwt_guard_core::http::Users) loader of the application state.

use std::ops::Deref;
use std::sync::Arc;

use axum_core::extract::{FromRef, FromRequestParts};
use http::request::Parts;
use jwt_guard_core::http::{LoadedUser, Users};

use crate::rejection::JwtRejection;
use crate::state::stored;

/// The user of the token a [`JwtLayer`](crate::JwtLayer) verified, as the
/// [`UserLoader`](jwt_guard_core::http::UserLoader) behind `Users<U>` in the state maps it
/// (`Users<U>: FromRef<S>`). Loaded at most once per request: a second `CurrentUser<U>` (in a
/// middleware and the handler, say) gets the same user without calling the loader again.
///
/// ```
/// use axum::{Router, routing::get};
/// use jwt_guard_axum::{CurrentUser, JwtLayer};
/// use jwt_guard_core::VerifiedToken;
/// use jwt_guard_core::http::{LoadError, UserLoader, Users};
///
/// #[derive(Clone)]
/// struct User { name: String }
/// struct Db;
/// impl UserLoader for Db {
///     type User = User;
///     async fn load(&self, token: &VerifiedToken) -> Result<Option<User>, LoadError> {
///         Ok(token.registered()?.sub.map(|name| User { name }))
///     }
/// }
///
/// async fn me(CurrentUser(user): CurrentUser<User>) -> String { user.name }
/// # fn app(verifier: jwt_guard_core::Verifier) {
/// let app: Router = Router::new()
///     .route("/me", get(me))
///     .layer(JwtLayer::new(verifier))
///     .with_state(Users::new(Db));
/// # }
/// ```
///
/// # Rejections
/// - 401 with a bare challenge without a token (optional layer), or without a `JwtLayer`;
/// - 401 `invalid_token` ("no user matches the token") when the loader finds no user;
/// - 500 `server_error` ("the user could not be loaded") when the loader fails: its error is
///   logged at error level, and nothing of it (nor of the token) is answered.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct CurrentUser<U>(pub U);

impl<U> Deref for CurrentUser<U> {
    type Target = U;

    fn deref(&self) -> &U {
        &self.0
    }
}

impl<S, U> FromRequestParts<S> for CurrentUser<U>
where
    Users<U>: FromRef<S>,
    S: Send + Sync,
    U: Clone + Send + Sync + 'static,
{
    type Rejection = JwtRejection;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, JwtRejection> {
        if let Some(LoadedUser(user)) = parts.extensions.get::<LoadedUser<U>>() {
            return Ok(CurrentUser(user.clone()));
        }
        let (token, guard) = {
            let (token, guard) = stored(&parts.extensions, "CurrentUser")
                .token_and_guard()
                .map_err(JwtRejection)?;
            (Arc::clone(token.token()), guard.clone())
        };
        let users = Users::<U>::from_ref(state);
        let user = guard
            .loaded_user(users.load(&token).await)
            .map_err(JwtRejection)?;
        parts.extensions.insert(LoadedUser(user.clone()));
        Ok(CurrentUser(user))
    }
}
