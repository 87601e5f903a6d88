//! [`Denial`]: the refusal a custom check on the middleware chooses (401 or 403, with its own
//! description).

use std::borrow::Cow;

use crate::http::BearerError;

/// A custom check's refusal of a verified token (`JwtLayer::check`, `JwtMiddleware::check` and
/// their async forms): 401 `invalid_token` ([`Denial::unauthorized`]: the token is not good
/// for this API) or 403 `insufficient_scope` without a `scope` attribute
/// ([`Denial::forbidden`]: authenticated, not allowed), with a description of your choice.
/// The description goes into the challenge and the body: characters RFC 6750 does not allow
/// become `?`, and it is cut to 200 characters. Never put the token or a secret in it.
///
/// ```
/// use jwt_guard_core::http::Denial;
/// let denial = Denial::forbidden("the account is suspended");
/// assert_eq!(denial.status(), 403);
/// assert_eq!(denial.description(), "the account is suspended");
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Denial {
    error: BearerError,
    description: Cow<'static, str>,
}

impl Denial {
    /// 401 `invalid_token` with `description`.
    pub fn unauthorized(description: impl Into<Cow<'static, str>>) -> Denial {
        Denial::new(BearerError::InvalidToken, description.into())
    }

    /// 403 `insufficient_scope` (no `scope` attribute) with `description`.
    pub fn forbidden(description: impl Into<Cow<'static, str>>) -> Denial {
        Denial::new(BearerError::InsufficientScope, description.into())
    }

    fn new(error: BearerError, description: Cow<'static, str>) -> Denial {
        let description = match crate::error::rfc6750_safe(&description, 200) {
            Cow::Borrowed(_) => description,
            Cow::Owned(safe) => Cow::Owned(safe),
        };
        Denial { error, description }
    }

    /// The HTTP status: 401 or 403.
    pub fn status(&self) -> u16 {
        self.error.status()
    }

    /// The RFC 6750 code: `invalid_token` or `insufficient_scope`.
    pub fn bearer_error(&self) -> BearerError {
        self.error
    }

    /// The description (RFC 6750-safe).
    pub fn description(&self) -> &str {
        &self.description
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn descriptions_are_made_safe() {
        let d = Denial::unauthorized(format!("bad \"{}\"", "é".repeat(300)));
        assert_eq!(d.status(), 401);
        assert_eq!(d.description().chars().count(), 200);
        assert!(d.description().starts_with("bad ??"));
    }
}
