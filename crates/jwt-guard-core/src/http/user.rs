//! A user loader (Flask-JWT-Extended's `user_lookup_loader`): [`UserLoader`] maps a verified
//! token to the application's user, once per request; [`Users`] is the handle the adapters'
//! `CurrentUser<U>` extractors reach through the application state.

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

use crate::verifier::VerifiedToken;

/// The error a loader may return; it is logged (at error level) and answered with 500, never
/// shown to the client.
pub type LoadError = Box<dyn std::error::Error + Send + Sync + 'static>;

/// Maps a verified token to the application's user (a database lookup, ...). The adapters'
/// `CurrentUser<U>` calls it at most once per request (the user is kept in the request).
///
/// - `Ok(Some(user))`: the handler gets `user`;
/// - `Ok(None)`: no user for this token (deleted, never registered): 401 `invalid_token`,
///   "no user matches the token";
/// - `Err(e)`: the lookup failed: 500 `server_error`, "the user could not be loaded", `e`
///   logged at error level (keep the token out of it).
///
/// ```
/// use jwt_guard_core::VerifiedToken;
/// use jwt_guard_core::http::{LoadError, UserLoader};
///
/// #[derive(Clone)]
/// struct User { id: String }
///
/// struct Db;
///
/// impl UserLoader for Db {
///     type User = User;
///     async fn load(&self, token: &VerifiedToken) -> Result<Option<User>, LoadError> {
///         let sub = token.registered()?.sub;
///         Ok(sub.map(|id| User { id }))
///     }
/// }
/// ```
pub trait UserLoader: Send + Sync + 'static {
    /// The application's user.
    type User: Clone + Send + Sync + 'static;

    /// The user of `token`, if any.
    fn load(
        &self,
        token: &VerifiedToken,
    ) -> impl Future<Output = Result<Option<Self::User>, LoadError>> + Send;
}

type LoadFuture<'a, U> = Pin<Box<dyn Future<Output = Result<Option<U>, LoadError>> + Send + 'a>>;

trait ErasedLoader<U>: Send + Sync {
    fn load<'a>(&'a self, token: &'a VerifiedToken) -> LoadFuture<'a, U>;
}

impl<L: UserLoader> ErasedLoader<L::User> for L {
    fn load<'a>(&'a self, token: &'a VerifiedToken) -> LoadFuture<'a, L::User> {
        Box::pin(UserLoader::load(self, token))
    }
}

/// A [`UserLoader`] for users of type `U`, as application state: axum finds it with
/// `FromRef` (`Users<U>: FromRef<S>`), actix-web as app data (`App::app_data(users)`). Cheap to
/// clone.
pub struct Users<U> {
    loader: Arc<dyn ErasedLoader<U>>,
}

impl<U: 'static> Users<U> {
    /// The handle of `loader`.
    pub fn new<L: UserLoader<User = U>>(loader: L) -> Users<U> {
        Users {
            loader: Arc::new(loader),
        }
    }

    /// Loads the user of `token` (the adapters call it once per request).
    ///
    /// # Errors
    /// The loader's error.
    pub async fn load(&self, token: &VerifiedToken) -> Result<Option<U>, LoadError> {
        self.loader.load(token).await
    }
}

impl<U> Clone for Users<U> {
    fn clone(&self) -> Self {
        Users {
            loader: Arc::clone(&self.loader),
        }
    }
}

impl<U> fmt::Debug for Users<U> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Users")
            .field("user", &std::any::type_name::<U>())
            .finish_non_exhaustive()
    }
}

/// A user loaded for this request, kept in its extensions (the memo of `CurrentUser<U>`).
#[doc(hidden)]
#[derive(Debug, Clone)]
pub struct LoadedUser<U>(pub U);
