//! Scopes: what a route requires ([`RequiredScopes`]) and what a token grants
//! ([`granted_scopes`]).

use std::borrow::Cow;
use std::collections::HashSet;

use serde::Deserialize;

use crate::error::claims_mismatch;
use crate::error::{Error, ErrorKind, Result};
use crate::verifier::VerifiedToken;

/// Scopes a route requires: all of them, or any one. Granted scopes come from the token's
/// `scope` claim (a space-separated string, RFC 8693 §4.2, or an array) or, when it has none,
/// `scp` (an array, or a space-separated string). A requirement names at least one scope: an
/// empty one would pass any token, so it is refused when made ([`RequiredScopes::try_all`]
/// returns the error, [`RequiredScopes::all`] panics with it, as a route table with a mistake
/// does when the app starts).
///
/// ```
/// use jwt_guard_core::http::RequiredScopes;
/// let admin = RequiredScopes::all(["admin"]);
/// assert!(admin.is_satisfied_by(["read", "admin"]));
/// assert!(!admin.is_satisfied_by(["read"]));
/// assert!(RequiredScopes::any(["read", "write"]).is_satisfied_by(["write"]));
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RequiredScopes {
    scopes: Vec<String>,
    all: bool,
}

impl RequiredScopes {
    /// Requires every scope listed (a string with spaces counts as several scopes).
    ///
    /// # Panics
    /// If no scope is named (`[]`, `[""]`, `[" "]`): see [`RequiredScopes::try_all`].
    #[allow(clippy::panic)]
    pub fn all<I: IntoIterator<Item = S>, S: AsRef<str>>(scopes: I) -> RequiredScopes {
        match RequiredScopes::try_all(scopes) {
            Ok(required) => required,
            Err(error) => panic!("RequiredScopes::all: {error}"),
        }
    }

    /// Requires at least one of the scopes listed.
    ///
    /// # Panics
    /// If no scope is named: see [`RequiredScopes::try_any`].
    #[allow(clippy::panic)]
    pub fn any<I: IntoIterator<Item = S>, S: AsRef<str>>(scopes: I) -> RequiredScopes {
        match RequiredScopes::try_any(scopes) {
            Ok(required) => required,
            Err(error) => panic!("RequiredScopes::any: {error}"),
        }
    }

    /// As [`RequiredScopes::all`], returning the error instead of panicking.
    ///
    /// # Errors
    /// [`ErrorKind::InvalidConfig`](crate::ErrorKind::InvalidConfig) (field `scopes`) if no scope is named.
    pub fn try_all<I: IntoIterator<Item = S>, S: AsRef<str>>(scopes: I) -> Result<RequiredScopes> {
        RequiredScopes::named(scopes, true)
    }

    /// As [`RequiredScopes::any`], returning the error instead of panicking.
    ///
    /// # Errors
    /// [`ErrorKind::InvalidConfig`](crate::ErrorKind::InvalidConfig) (field `scopes`) if no scope is named.
    pub fn try_any<I: IntoIterator<Item = S>, S: AsRef<str>>(scopes: I) -> Result<RequiredScopes> {
        RequiredScopes::named(scopes, false)
    }

    fn named<I: IntoIterator<Item = S>, S: AsRef<str>>(
        scopes: I,
        all: bool,
    ) -> Result<RequiredScopes> {
        let mut seen = HashSet::new();
        let mut named = Vec::new();
        for s in scopes {
            for scope in split_scopes(s.as_ref()) {
                if seen.insert(scope.to_owned()) {
                    named.push(scope.to_owned());
                }
            }
        }
        if named.is_empty() {
            return Err(Error::config(
                "scopes",
                "name at least one scope (an empty requirement would pass any token)",
            ));
        }
        Ok(RequiredScopes { scopes: named, all })
    }

    /// The scopes named.
    pub fn scopes(&self) -> &[String] {
        &self.scopes
    }

    /// Whether every scope is required (else any one).
    pub fn requires_all(&self) -> bool {
        self.all
    }

    /// Whether `granted` meets the requirement.
    pub fn is_satisfied_by<I: IntoIterator<Item = S>, S: AsRef<str>>(&self, granted: I) -> bool {
        if self.scopes.is_empty() {
            return true;
        }
        let granted: Vec<S> = granted.into_iter().collect();
        let has = |scope: &String| granted.iter().any(|g| g.as_ref() == scope);
        if self.all {
            self.scopes.iter().all(has)
        } else {
            self.scopes.iter().any(has)
        }
    }
}

/// The scopes of a space-separated list (RFC 6749 §3.3), in order. Linear: granted scopes are
/// not de-duplicated (they are only searched), so a token with thousands of them costs what
/// reading them costs.
fn split_scopes(list: &str) -> impl Iterator<Item = &str> {
    list.split(' ').filter(|s| !s.is_empty())
}

/// The scopes a verified token grants: `scope` (string or array), else `scp`; none if neither.
///
/// # Errors
/// [`ErrorKind::InvalidClaim`] (`scope` or `scp`) if the claim is neither a string nor an array
/// of strings.
pub fn granted_scopes(token: &VerifiedToken) -> Result<Vec<String>> {
    #[derive(Deserialize)]
    struct ScopeClaims {
        #[serde(default)]
        scope: Option<serde_json::Value>,
        #[serde(default)]
        scp: Option<serde_json::Value>,
    }
    let claims: ScopeClaims = serde_json::from_slice(token.payload_json())
        .map_err(|_| claims_mismatch::<ScopeClaims>(token.payload_json()))?;
    let (name, value) = match (claims.scope, claims.scp) {
        (Some(value), _) => ("scope", value),
        (None, Some(value)) => ("scp", value),
        (None, None) => return Ok(Vec::new()),
    };
    let invalid = || Error::new(ErrorKind::InvalidClaim(Cow::Borrowed(name)));
    match value {
        serde_json::Value::String(s) => Ok(split_scopes(&s).map(str::to_owned).collect()),
        serde_json::Value::Array(items) => items
            .into_iter()
            .map(|item| match item {
                serde_json::Value::String(s) => Ok(s),
                _ => Err(invalid()),
            })
            .collect(),
        _ => Err(invalid()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::http::test_support::*;

    #[test]
    fn scopes() {
        let auth = auth();
        let verified =
            |claims: serde_json::Value| auth.verifier().verify_token(&sign(claims)).unwrap();
        let exp = 4_102_444_800u64;
        let t = verified(serde_json::json!({"exp": exp, "scope": "read admin"}));
        assert_eq!(granted_scopes(&t).unwrap(), ["read", "admin"]);
        assert!(
            auth.check_scopes(&t, &RequiredScopes::all(["admin"]))
                .is_ok()
        );
        assert!(
            auth.check_scopes(&t, &RequiredScopes::all(["admin read"]))
                .is_ok()
        );
        let err = auth
            .check_scopes(&t, &RequiredScopes::all(["admin", "write"]))
            .unwrap_err();
        assert_eq!(err.status(), StatusCode::FORBIDDEN);
        assert!(
            auth.check_scopes(&t, &RequiredScopes::any(["write", "read"]))
                .is_ok()
        );

        let t = verified(serde_json::json!({"exp": exp, "scp": ["admin", "read"]}));
        assert_eq!(granted_scopes(&t).unwrap(), ["admin", "read"]);
        let t = verified(serde_json::json!({"exp": exp, "scp": "a b"}));
        assert_eq!(granted_scopes(&t).unwrap(), ["a", "b"]);
        let t = verified(serde_json::json!({"exp": exp, "scope": ["x"], "scp": ["y"]}));
        assert_eq!(granted_scopes(&t).unwrap(), ["x"]);
        let t = verified(serde_json::json!({"exp": exp}));
        assert!(granted_scopes(&t).unwrap().is_empty());
        let err = auth
            .check_scopes(&t, &RequiredScopes::any(["a"]))
            .unwrap_err();
        assert!(matches!(err.kind(), RejectionKind::InsufficientScope(_)));

        let t = verified(serde_json::json!({"exp": exp, "scope": 7}));
        let err = auth
            .check_scopes(&t, &RequiredScopes::all(["a"]))
            .unwrap_err();
        assert_eq!(err.status(), StatusCode::UNAUTHORIZED);
        assert_eq!(err.description(), "the token scope claim is invalid");
        let t = verified(serde_json::json!({"exp": exp, "scp": ["a", 1]}));
        assert!(granted_scopes(&t).is_err());
    }
}
