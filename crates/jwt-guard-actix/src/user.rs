//! [`CurrentUser<U>`]: the application's user for the verified token, loaded once per request
//! by the [`Users<U>`](jwt_guard_core::http::Users) loader of the app data.

use std::cell::RefCell;
use std::future::Future;
use std::ops::Deref;
use std::pin::Pin;
use std::rc::Rc;
use std::sync::Arc;
use std::task::{Context, Poll, Waker};

use actix_web::dev::Payload;
use actix_web::{FromRequest, HttpMessage, HttpRequest, web};
use jwt_guard_core::http::{RejectionKind, Users};

use crate::error::JwtError;
use crate::extract::with_stored;

/// The user of the token a [`JwtMiddleware`](crate::JwtMiddleware) verified, as the
/// [`UserLoader`](jwt_guard_core::http::UserLoader) behind the app data `Users<U>` maps it
/// (`App::app_data(Users::new(loader))`, or `web::Data<Users<U>>`). Loaded at most once per
/// request: a second `CurrentUser<U>` gets the same user without calling the loader again.
///
/// ```
/// use actix_web::{App, web};
/// use jwt_guard_actix::{CurrentUser, JwtMiddleware};
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
/// let app = App::new()
///     .app_data(Users::new(Db))
///     .route("/me", web::get().to(me))
///     .wrap(JwtMiddleware::new(verifier));
/// # }
/// ```
///
/// # Rejections
/// - 401 with a bare challenge without a token (optional middleware), or without a
///   `JwtMiddleware`;
/// - 401 `invalid_token` ("no user matches the token") when the loader finds no user;
/// - 500 `server_error` ("the user could not be loaded") when the loader fails, or when no
///   `Users<U>` is registered: logged at error level, and nothing of it (nor of the token) is
///   answered.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct CurrentUser<U>(pub U);

impl<U> Deref for CurrentUser<U> {
    type Target = U;

    fn deref(&self) -> &U {
        &self.0
    }
}

/// The per-request memo: actix-web runs a handler's extractors concurrently, so a second
/// `CurrentUser<U>` may start while the first is loading; it then waits for that load.
type Memo<U> = Rc<RefCell<Slot<U>>>;

enum Slot<U> {
    /// A load is running; these tasks wait for it.
    Loading(Vec<Waker>),
    /// The load is done: the user, or the refusal kind to answer again.
    Done(Result<U, Refused>),
}

#[derive(Clone, Copy)]
enum Refused {
    Unknown,
    Unavailable,
}

/// Waits for the load another extractor of this request runs.
struct Wait<U>(Memo<U>);

impl<U: Clone> Future for Wait<U> {
    type Output = Result<U, Refused>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        match &mut *self.0.borrow_mut() {
            Slot::Done(result) => Poll::Ready(result.clone()),
            Slot::Loading(waiting) => {
                waiting.push(cx.waker().clone());
                Poll::Pending
            }
        }
    }
}

impl<U: Clone + 'static> FromRequest for CurrentUser<U> {
    type Error = JwtError;
    type Future = Pin<Box<dyn Future<Output = Result<CurrentUser<U>, JwtError>>>>;

    fn from_request(request: &HttpRequest, _payload: &mut Payload) -> Self::Future {
        let request = request.clone();
        Box::pin(async move {
            let (token, guard) = with_stored(&request, "CurrentUser", |stored| {
                stored
                    .token_and_guard()
                    .map(|(token, guard)| (Arc::clone(token.token()), guard.clone()))
            })?;
            let running = request.extensions().get::<Memo<U>>().cloned();
            if let Some(memo) = running {
                return match Wait(memo).await {
                    Ok(user) => Ok(CurrentUser(user)),
                    Err(Refused::Unknown) => {
                        Err(JwtError(guard.refuse(RejectionKind::UnknownUser)))
                    }
                    Err(Refused::Unavailable) => {
                        Err(JwtError(guard.refuse(RejectionKind::UserUnavailable)))
                    }
                };
            }
            let memo: Memo<U> = Rc::new(RefCell::new(Slot::Loading(Vec::new())));
            request.extensions_mut().insert(Rc::clone(&memo));
            let users = request.app_data::<Users<U>>().cloned().or_else(|| {
                request
                    .app_data::<web::Data<Users<U>>>()
                    .map(|data| Users::clone(data))
            });
            let loaded = match users {
                Some(users) => users.load(&token).await,
                None => {
                    Err("no Users<U> in the app data: add App::app_data(Users::new(loader))".into())
                }
            };
            let result = guard.loaded_user(loaded);
            let done = match &result {
                Ok(user) => Ok(user.clone()),
                Err(refusal) => Err(match refusal.rejection().kind() {
                    RejectionKind::UnknownUser => Refused::Unknown,
                    _ => Refused::Unavailable,
                }),
            };
            let previous = std::mem::replace(&mut *memo.borrow_mut(), Slot::Done(done));
            if let Slot::Loading(waiting) = previous {
                waiting.into_iter().for_each(Waker::wake);
            }
            result.map(CurrentUser).map_err(JwtError)
        })
    }
}
