//! Route requirements beyond scopes: roles ([`RequiredRoles`], read from the token through the
//! configured [`RoleSource`]s by [`granted_roles`]) and claim rules ([`RequiredClaims`]). A
//! token that fails one is authenticated but not allowed: 403.

use std::borrow::Cow;
use std::collections::HashSet;
use std::sync::Arc;

use serde_json::Value;

use crate::error::{Error, ErrorKind, Result};
use crate::rules::{self, ClaimRule, RoleSource};
use crate::verifier::VerifiedToken;

/// Roles a route requires: all of them, or any one. A token's roles are the union of what its
/// [`RoleSource`]s hold ([`granted_roles`]). A requirement names at least one role (an empty
/// one would pass any token): [`RequiredRoles::try_all`] returns the error,
/// [`RequiredRoles::all`] panics with it, as a route table with a mistake does when the app
/// starts.
///
/// ```
/// use jwt_guard_core::http::RequiredRoles;
/// let admin = RequiredRoles::all(["admin"]);
/// assert!(admin.is_satisfied_by(["user", "admin"]));
/// assert!(!admin.is_satisfied_by(["user"]));
/// assert!(RequiredRoles::any(["editor", "admin"]).is_satisfied_by(["editor"]));
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RequiredRoles {
    roles: Vec<String>,
    all: bool,
}

impl RequiredRoles {
    /// Requires every role listed (each item is one role, spaces included).
    ///
    /// # Panics
    /// If no role is named (`[]`, `[""]`): see [`RequiredRoles::try_all`].
    #[allow(clippy::panic)]
    pub fn all<I: IntoIterator<Item = S>, S: AsRef<str>>(roles: I) -> RequiredRoles {
        match RequiredRoles::try_all(roles) {
            Ok(required) => required,
            Err(error) => panic!("RequiredRoles::all: {error}"),
        }
    }

    /// Requires at least one of the roles listed.
    ///
    /// # Panics
    /// If no role is named: see [`RequiredRoles::try_any`].
    #[allow(clippy::panic)]
    pub fn any<I: IntoIterator<Item = S>, S: AsRef<str>>(roles: I) -> RequiredRoles {
        match RequiredRoles::try_any(roles) {
            Ok(required) => required,
            Err(error) => panic!("RequiredRoles::any: {error}"),
        }
    }

    /// As [`RequiredRoles::all`], returning the error instead of panicking.
    ///
    /// # Errors
    /// [`ErrorKind::InvalidConfig`] (field `roles`) if no role is named.
    pub fn try_all<I: IntoIterator<Item = S>, S: AsRef<str>>(roles: I) -> Result<RequiredRoles> {
        RequiredRoles::named(roles, true)
    }

    /// As [`RequiredRoles::any`], returning the error instead of panicking.
    ///
    /// # Errors
    /// [`ErrorKind::InvalidConfig`] (field `roles`) if no role is named.
    pub fn try_any<I: IntoIterator<Item = S>, S: AsRef<str>>(roles: I) -> Result<RequiredRoles> {
        RequiredRoles::named(roles, false)
    }

    fn named<I: IntoIterator<Item = S>, S: AsRef<str>>(
        roles: I,
        all: bool,
    ) -> Result<RequiredRoles> {
        let mut seen = HashSet::new();
        let mut named = Vec::new();
        for role in roles {
            let role = role.as_ref();
            if !role.is_empty() && seen.insert(role.to_owned()) {
                named.push(role.to_owned());
            }
        }
        if named.is_empty() {
            return Err(Error::config(
                "roles",
                "name at least one role (an empty requirement would pass any token)",
            ));
        }
        Ok(RequiredRoles { roles: named, all })
    }

    /// The roles named.
    pub fn roles(&self) -> &[String] {
        &self.roles
    }

    /// Whether every role is required (else any one).
    pub fn requires_all(&self) -> bool {
        self.all
    }

    /// Whether `granted` meets the requirement.
    pub fn is_satisfied_by<I: IntoIterator<Item = S>, S: AsRef<str>>(&self, granted: I) -> bool {
        let granted: Vec<S> = granted.into_iter().collect();
        let has = |role: &String| granted.iter().any(|g| g.as_ref() == role);
        if self.all {
            self.roles.iter().all(has)
        } else {
            self.roles.iter().any(has)
        }
    }
}

/// The roles a verified token holds: the union of every source's value (an array of strings,
/// or a space-separated string), in order, without duplicates. A source the token lacks (or
/// holds as `null`) adds nothing.
///
/// # Errors
/// [`ErrorKind::InvalidClaim`] naming the source's claim when its value is neither a string
/// nor an array of strings.
pub fn granted_roles(token: &VerifiedToken, sources: &[RoleSource]) -> Result<Vec<String>> {
    let claims = claims_value(token)?;
    let mut seen = HashSet::new();
    let mut roles = Vec::new();
    for source in sources {
        let invalid = || {
            Error::new(ErrorKind::InvalidClaim(Cow::Owned(
                source.target().to_owned(),
            )))
        };
        let found: Vec<&str> = match source.locate(&claims) {
            None => continue,
            Some(Value::String(s)) => s.split(' ').filter(|r| !r.is_empty()).collect(),
            Some(Value::Array(items)) => items
                .iter()
                .map(|item| item.as_str().ok_or_else(invalid))
                .collect::<Result<_>>()?,
            Some(_) => return Err(invalid()),
        };
        for role in found {
            if seen.insert(role.to_owned()) {
                roles.push(role.to_owned());
            }
        }
    }
    Ok(roles)
}

/// The verified claims as JSON (a token that verified always parses).
fn claims_value(token: &VerifiedToken) -> Result<Value> {
    token.claims::<Value>()
}

/// Claim rules a route requires ([`ClaimRule`], the same rules as the verifier's
/// `[[claims]]`): a token that fails one is refused with 403 (it is authentic, but this route
/// is not for it), where the verifier's own rules answer 401.
///
/// ```
/// use jwt_guard_core::ClaimRule;
/// use jwt_guard_core::http::RequiredClaims;
/// let verified_email = RequiredClaims::new([ClaimRule::claim("email_verified").equals(true)]);
/// # let _ = verified_email;
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RequiredClaims {
    rules: Arc<[ClaimRule]>,
}

impl RequiredClaims {
    /// Requires every rule.
    ///
    /// # Panics
    /// If no rule is given or one is malformed: see [`RequiredClaims::try_new`].
    #[allow(clippy::panic)]
    pub fn new(rules: impl IntoIterator<Item = ClaimRule>) -> RequiredClaims {
        match RequiredClaims::try_new(rules) {
            Ok(required) => required,
            Err(error) => panic!("RequiredClaims::new: {error}"),
        }
    }

    /// As [`RequiredClaims::new`], returning the error instead of panicking.
    ///
    /// # Errors
    /// [`ErrorKind::InvalidConfig`]: `claims` for an empty list, `claims[i]` (or a field
    /// under it) for a malformed rule.
    pub fn try_new(rules: impl IntoIterator<Item = ClaimRule>) -> Result<RequiredClaims> {
        let rules: Arc<[ClaimRule]> = rules.into_iter().collect();
        if rules.is_empty() {
            return Err(Error::config(
                "claims",
                "give at least one rule (an empty requirement would pass any token)",
            ));
        }
        rules::check_list(&rules)?;
        Ok(RequiredClaims { rules })
    }

    /// The rules.
    pub fn rules(&self) -> &[ClaimRule] {
        &self.rules
    }

    /// Checks `token`'s claims against every rule.
    ///
    /// # Errors
    /// [`ErrorKind::ClaimRejected`] for the first rule the claims fail (its source says which).
    pub fn check(&self, token: &VerifiedToken) -> Result<()> {
        rules::check_rules(&self.rules, &claims_value(token)?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::http::test_support::*;

    const EXP: u64 = 4_102_444_800;

    #[test]
    fn roles_from_every_source() {
        let auth = auth();
        let verified = |claims| auth.verifier().verify_token(&sign(claims)).unwrap();
        let sources = [
            RoleSource::at_pointer("/realm_access/roles"),
            RoleSource::claim("cognito:groups"),
        ];
        let t = verified(serde_json::json!({
            "exp": EXP,
            "realm_access": {"roles": ["a", "b"]},
            "cognito:groups": "b c",
        }));
        assert_eq!(granted_roles(&t, &sources).unwrap(), ["a", "b", "c"]);
        let t = verified(serde_json::json!({"exp": EXP, "cognito:groups": null}));
        assert!(granted_roles(&t, &sources).unwrap().is_empty());
        let t = verified(serde_json::json!({"exp": EXP, "cognito:groups": ["a", 1]}));
        assert_eq!(
            granted_roles(&t, &sources).err().map(Error::into_kind),
            Some(ErrorKind::InvalidClaim("cognito:groups".into()))
        );
        let t = verified(serde_json::json!({"exp": EXP, "realm_access": {"roles": {}}}));
        assert_eq!(
            granted_roles(&t, &sources).err().map(Error::into_kind),
            Some(ErrorKind::InvalidClaim("/realm_access/roles".into()))
        );
        assert!(RequiredRoles::try_any([""]).is_err());
        assert!(RequiredRoles::try_all(Vec::<String>::new()).is_err());
        assert!(RequiredClaims::try_new([]).is_err());
        assert!(matches!(
            RequiredClaims::try_new([ClaimRule::claim("a")]).map_err(Error::into_kind),
            Err(ErrorKind::InvalidConfig { field, .. }) if field == "claims[0]"
        ));
    }
}
