//! Claim rules ([`ClaimRule`]): conditions on any claim of a token, checked by the verifier (a
//! token that fails one is not for this API: [`ErrorKind::ClaimRejected`], 401) and by a route
//! guard (`RequireClaims`: authenticated but not allowed, 403); and role sources
//! ([`RoleSource`]): where a token's roles or groups live.
//!
//! A rule names its claim in one of two spellings:
//!
//! - `name`: a top-level claim, named exactly (it may contain `:`, `/`, `.`: `cognito:groups`,
//!   `https://example.com/roles`);
//! - `pointer`: an RFC 6901 JSON Pointer for a nested claim (`/realm_access/roles`,
//!   `/resource_access/my-api/roles`; `~1` stands for `/` and `~0` for `~` in a member name).
//!
//! and gives exactly one condition:
//!
//! | condition | passes when the claim |
//! |---|---|
//! | `equals = v` | equals `v` exactly (JSON equality, no coercion: `"1"` is not `1`, `1` is not `1.0`) |
//! | `one_of = [v, ...]` | equals one of them |
//! | `contains = v` | is an array with an element equal to `v`, or a string whose space-separated words include `v` |
//! | `contains_any = [v, ...]` | contains at least one of them (as `contains`) |
//! | `contains_all = [v, ...]` | contains every one of them (as `contains`) |
//! | `present = true` / `false` | is present / absent |
//!
//! Values are strings, numbers or booleans. A claim that is absent or `null` fails every
//! condition except `present = false`. Strings are compared as they are, code point by code
//! point, without Unicode normalization (`é` written precomposed does not equal `e` plus a
//! combining accent) and without case folding.
//!
//! The verifier reads the claims a rule names in the same pass as the registered claims: the
//! top-level member a rule looks at is kept as its raw JSON text while the claims are read
//! (a registered claim is read typed anyway), and the rule is decided on that text (`plan`,
//! `raw`): a pointer's steps skip what they do not name, strings are compared borrowed, an
//! array is split into its raw elements once. The claims object is never parsed twice.

use std::borrow::Cow;
use std::fmt;

use serde::Deserialize;
use serde_json::Value;

use crate::error::{Error, ErrorKind, Result};

mod plan;
mod raw;
mod roles;

pub(crate) use plan::RulePlan;
pub use roles::RoleSource;
pub(crate) use roles::check_sources;

/// A condition on one claim of a token. It names its claim in one of two spellings:
///
/// - `name`: a top-level claim, named exactly (it may contain `:`, `/`, `.`: `cognito:groups`,
///   `https://example.com/roles`);
/// - `pointer`: an RFC 6901 JSON Pointer for a nested claim (`/realm_access/roles`; `~1`
///   stands for `/` and `~0` for `~` in a member name);
///
/// and gives exactly one condition:
///
/// | condition | passes when the claim |
/// |---|---|
/// | `equals = v` | equals `v` exactly (JSON equality, no coercion: `"1"` is not `1`, `1` is not `1.0`) |
/// | `one_of = [v, ...]` | equals one of them |
/// | `contains = v` | is an array with an element equal to `v`, or a string whose space-separated words include `v` |
/// | `contains_any = [v, ...]` | contains at least one of them (as `contains`) |
/// | `contains_all = [v, ...]` | contains every one of them (as `contains`) |
/// | `present = true` / `false` | is present / absent |
///
/// Values are strings, numbers or booleans. A claim that is absent or `null` fails every
/// condition except `present = false`. Strings are compared as they are, code point by code
/// point, without Unicode normalization or case folding. Date claims (`exp`, `nbf`, `iat`)
/// compare as the whole seconds the verifier reads.
///
/// Written in a config as a `[[claims]]` table:
///
/// ```toml
/// [[claims]]
/// name = "token_use"
/// equals = "access"
/// [[claims]]
/// pointer = "/realm_access/roles"
/// contains = "api-user"
/// ```
///
/// and in code with [`ClaimRule::claim`] or [`ClaimRule::at_pointer`] and one condition method:
///
/// ```
/// use jwt_guard_core::ClaimRule;
/// let rules = [
///     ClaimRule::claim("token_use").equals("access"),
///     ClaimRule::at_pointer("/realm_access/roles").contains("api-user"),
///     ClaimRule::claim("azp").one_of(["web-app", "cli"]),
///     ClaimRule::claim("email_verified").equals(true),
/// ];
/// # let _ = rules;
/// ```
///
/// A rule with no claim, two claims, no condition, two conditions, a bad pointer, an empty list
/// or a value that is not a string, number or boolean is refused when the verifier (or guard) is
/// built: [`ErrorKind::InvalidConfig`] naming `claims[i]` (`claims[i].pointer`, ...).
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
#[non_exhaustive]
pub struct ClaimRule {
    /// A top-level claim, named exactly.
    #[serde(default)]
    pub name: Option<String>,
    /// An RFC 6901 JSON Pointer to a nested claim.
    #[serde(default)]
    pub pointer: Option<String>,
    /// The claim equals this value.
    #[serde(default)]
    pub equals: Option<Value>,
    /// The claim equals one of these values.
    #[serde(default)]
    pub one_of: Option<Vec<Value>>,
    /// The claim (an array, or a space-separated string) contains this value.
    #[serde(default)]
    pub contains: Option<Value>,
    /// The claim contains at least one of these values.
    #[serde(default)]
    pub contains_any: Option<Vec<Value>>,
    /// The claim contains every one of these values.
    #[serde(default)]
    pub contains_all: Option<Vec<Value>>,
    /// The claim is present (`true`) or absent (`false`); `null` counts as absent.
    #[serde(default)]
    pub present: Option<bool>,
}

/// One condition, borrowed from a checked rule.
#[derive(Clone, Copy)]
enum Condition<'a> {
    Equals(&'a Value),
    OneOf(&'a [Value]),
    Contains(&'a Value),
    ContainsAny(&'a [Value]),
    ContainsAll(&'a [Value]),
    Present(bool),
}

impl Condition<'_> {
    fn name(self) -> &'static str {
        match self {
            Condition::Equals(_) => "equals",
            Condition::OneOf(_) => "one_of",
            Condition::Contains(_) => "contains",
            Condition::ContainsAny(_) => "contains_any",
            Condition::ContainsAll(_) => "contains_all",
            Condition::Present(_) => "present",
        }
    }

    /// Whether `value` (`None`: the claim is absent or `null`) meets the condition.
    fn holds(self, value: Option<&Value>) -> bool {
        let Some(value) = value.filter(|v| !v.is_null()) else {
            return matches!(self, Condition::Present(false));
        };
        match self {
            Condition::Equals(expected) => value == expected,
            Condition::OneOf(all) => all.iter().any(|e| e == value),
            Condition::Contains(expected) => contains(value, expected),
            Condition::ContainsAny(all) => all.iter().any(|e| contains(value, e)),
            Condition::ContainsAll(all) => all.iter().all(|e| contains(value, e)),
            Condition::Present(present) => present,
        }
    }
}

impl Condition<'_> {
    /// [`Condition::holds`] for a string claim, without building a [`Value`] for it.
    fn holds_for_str(self, s: &str) -> bool {
        let is = |e: &Value| e.as_str() == Some(s);
        let word = |e: &Value| e.as_str().is_some_and(|w| s.split(' ').any(|x| x == w));
        match self {
            Condition::Equals(expected) => is(expected),
            Condition::OneOf(all) => all.iter().any(is),
            Condition::Contains(expected) => word(expected),
            Condition::ContainsAny(all) => all.iter().any(word),
            Condition::ContainsAll(all) => all.iter().all(word),
            Condition::Present(present) => present,
        }
    }
}

/// An array with an element equal to `expected`, or a string with `expected` as one of its
/// space-separated words.
fn contains(value: &Value, expected: &Value) -> bool {
    match (value, expected) {
        (Value::Array(items), _) => items.iter().any(|item| item == expected),
        (Value::String(words), Value::String(word)) => words.split(' ').any(|w| w == word),
        _ => false,
    }
}

impl ClaimRule {
    /// A rule on the top-level claim `name` (named exactly; it may contain `:`, `/`, `.`). Give
    /// it one condition.
    pub fn claim(name: impl Into<String>) -> ClaimRule {
        ClaimRule {
            name: Some(name.into()),
            ..ClaimRule::default()
        }
    }

    /// A rule on the claim an RFC 6901 JSON Pointer names (`/realm_access/roles`). Give it one
    /// condition.
    pub fn at_pointer(pointer: impl Into<String>) -> ClaimRule {
        ClaimRule {
            pointer: Some(pointer.into()),
            ..ClaimRule::default()
        }
    }

    /// The claim equals `value` (a string, number or boolean).
    #[must_use]
    pub fn equals(mut self, value: impl Into<Value>) -> ClaimRule {
        self.equals = Some(value.into());
        self
    }

    /// The claim equals one of `values`.
    #[must_use]
    pub fn one_of<I: IntoIterator<Item = V>, V: Into<Value>>(mut self, values: I) -> ClaimRule {
        self.one_of = Some(values.into_iter().map(Into::into).collect());
        self
    }

    /// The claim (an array, or a space-separated string) contains `value`.
    #[must_use]
    pub fn contains(mut self, value: impl Into<Value>) -> ClaimRule {
        self.contains = Some(value.into());
        self
    }

    /// The claim contains at least one of `values`.
    #[must_use]
    pub fn contains_any<I: IntoIterator<Item = V>, V: Into<Value>>(
        mut self,
        values: I,
    ) -> ClaimRule {
        self.contains_any = Some(values.into_iter().map(Into::into).collect());
        self
    }

    /// The claim contains every one of `values`.
    #[must_use]
    pub fn contains_all<I: IntoIterator<Item = V>, V: Into<Value>>(
        mut self,
        values: I,
    ) -> ClaimRule {
        self.contains_all = Some(values.into_iter().map(Into::into).collect());
        self
    }

    /// The claim is present (`true`) or absent (`false`).
    #[must_use]
    pub fn present(mut self, present: bool) -> ClaimRule {
        self.present = Some(present);
        self
    }

    /// The claim as written: its name, or its pointer.
    pub fn target(&self) -> &str {
        self.name
            .as_deref()
            .or(self.pointer.as_deref())
            .unwrap_or("")
    }

    /// Checks that the rule is well-formed: one claim (a non-empty `name` or a valid
    /// `pointer`), one condition, non-empty lists of strings, numbers or booleans.
    ///
    /// # Errors
    /// [`ErrorKind::InvalidConfig`] with the field at fault relative to the rule (empty for
    /// the rule as a whole, `pointer`, `one_of`, ...); a list puts it under `claims[i]`.
    pub fn check(&self) -> Result<()> {
        check_target(self.name.as_deref(), self.pointer.as_deref())?;
        self.condition().map(|_| ())
    }

    /// The first condition given, unchecked (the verifier's plan uses rules checked when it
    /// was built).
    fn pick(&self) -> Option<Condition<'_>> {
        if let Some(v) = &self.equals {
            Some(Condition::Equals(v))
        } else if let Some(all) = &self.one_of {
            Some(Condition::OneOf(all))
        } else if let Some(v) = &self.contains {
            Some(Condition::Contains(v))
        } else if let Some(all) = &self.contains_any {
            Some(Condition::ContainsAny(all))
        } else if let Some(all) = &self.contains_all {
            Some(Condition::ContainsAll(all))
        } else {
            self.present.map(Condition::Present)
        }
    }

    fn condition(&self) -> Result<Condition<'_>> {
        let given = [
            self.equals.as_ref().map(Condition::Equals),
            self.one_of.as_deref().map(Condition::OneOf),
            self.contains.as_ref().map(Condition::Contains),
            self.contains_any.as_deref().map(Condition::ContainsAny),
            self.contains_all.as_deref().map(Condition::ContainsAll),
            self.present.map(Condition::Present),
        ];
        let mut given = given.into_iter().flatten();
        let (Some(condition), None) = (given.next(), given.next()) else {
            return Err(Error::config(
                "",
                "give exactly one condition: equals, one_of, contains, contains_any, \
                 contains_all or present",
            ));
        };
        let scalar = |v: &Value| matches!(v, Value::String(_) | Value::Number(_) | Value::Bool(_));
        let values: &[Value] = match condition {
            Condition::Equals(v) | Condition::Contains(v) => std::slice::from_ref(v),
            Condition::OneOf(all) | Condition::ContainsAny(all) | Condition::ContainsAll(all) => {
                if all.is_empty() {
                    return Err(Error::config(
                        condition.name(),
                        "needs at least one value (an empty list would decide nothing)",
                    ));
                }
                all
            }
            Condition::Present(_) => &[],
        };
        if !values.iter().all(scalar) {
            return Err(Error::config(
                condition.name(),
                "takes strings, numbers or booleans",
            ));
        }
        Ok(condition)
    }

    /// Whether the claims (a JSON object) meet this rule.
    ///
    /// # Errors
    /// As [`ClaimRule::check`], for a rule that is not well-formed.
    pub fn is_met_by(&self, claims: &Value) -> Result<bool> {
        let condition = self.condition()?;
        Ok(condition.holds(locate(
            self.name.as_deref(),
            self.pointer.as_deref(),
            claims,
        )))
    }
}

/// Exactly one of `name` (non-empty) and `pointer` (valid RFC 6901, not empty).
fn check_target(name: Option<&str>, pointer: Option<&str>) -> Result<()> {
    match (name, pointer) {
        (Some(_), Some(_)) | (None, None) => Err(Error::config(
            "",
            "give exactly one of name (a top-level claim) and pointer (a JSON Pointer)",
        )),
        (Some(""), None) => Err(Error::config("name", "must not be empty")),
        (Some(_), None) => Ok(()),
        (None, Some(pointer)) => {
            let valid = pointer.starts_with('/')
                && pointer
                    .split('~')
                    .skip(1)
                    .all(|after| after.starts_with('0') || after.starts_with('1'));
            if valid {
                Ok(())
            } else {
                Err(Error::config(
                    "pointer",
                    "is not an RFC 6901 JSON Pointer: it starts with `/`, and `~` is only \
                     written as `~0` or `~1`",
                ))
            }
        }
    }
}

/// The value a `name` or `pointer` names in the claims object.
fn locate<'v>(name: Option<&str>, pointer: Option<&str>, claims: &'v Value) -> Option<&'v Value> {
    match (name, pointer) {
        (Some(name), _) => claims.get(name),
        (None, Some(pointer)) => claims.pointer(pointer),
        (None, None) => None,
    }
}

/// Why a token failed a claim rule: the rule's place in its list, its claim and its condition,
/// and whether the claim was missing. Holds no value of the token (nor of the rule), so it can
/// be logged; it is the [`source`](std::error::Error::source) of an
/// [`ErrorKind::ClaimRejected`] error ([`Error::claim_rule_failure`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClaimRuleFailure {
    index: usize,
    claim: String,
    condition: &'static str,
    missing: bool,
}

impl ClaimRuleFailure {
    /// The rule's index in its list (`claims[index]`).
    pub fn index(&self) -> usize {
        self.index
    }

    /// The claim as the rule names it (its name or pointer).
    pub fn claim(&self) -> &str {
        &self.claim
    }

    /// The condition that failed: `equals`, `one_of`, `contains`, `contains_any`,
    /// `contains_all` or `present`.
    pub fn condition(&self) -> &'static str {
        self.condition
    }

    /// Whether the claim is absent (or `null`).
    pub fn is_missing(&self) -> bool {
        self.missing
    }
}

impl fmt::Display for ClaimRuleFailure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (index, claim, condition) = (self.index, &self.claim, self.condition);
        match (self.missing, condition) {
            (true, _) => write!(
                f,
                "claims[{index}] (`{claim}`, {condition}): the token has no such claim"
            ),
            (false, "present") => write!(
                f,
                "claims[{index}] (`{claim}`, present = false): the token has this claim"
            ),
            (false, _) => write!(
                f,
                "claims[{index}] (`{claim}`, {condition}): the claim's value does not meet the \
                 condition"
            ),
        }
    }
}

impl std::error::Error for ClaimRuleFailure {}

/// The [`ErrorKind::ClaimRejected`] for rule `index`, its source the [`ClaimRuleFailure`].
fn rejected(index: usize, rule: &ClaimRule, condition: Condition<'_>, missing: bool) -> Error {
    let claim = rule.target().to_owned();
    Error::with_source(
        ErrorKind::ClaimRejected(Cow::Owned(claim.clone())),
        ClaimRuleFailure {
            index,
            claim,
            condition: condition.name(),
            missing,
        },
    )
}

/// Checks every rule in order against a claims object; the first that fails is the error.
///
/// # Errors
/// [`ErrorKind::ClaimRejected`] (with a [`ClaimRuleFailure`] source) for the first rule the
/// claims fail; [`ErrorKind::InvalidConfig`] (`claims[i]`) for a rule that is not well-formed.
pub fn check_rules(rules: &[ClaimRule], claims: &Value) -> Result<()> {
    for (index, rule) in rules.iter().enumerate() {
        let condition = rule
            .condition()
            .map_err(|e| e.in_field(&format!("claims[{index}]")))?;
        let value = locate(rule.name.as_deref(), rule.pointer.as_deref(), claims);
        if !condition.holds(value) {
            let missing = value.is_none_or(Value::is_null);
            return Err(rejected(index, rule, condition, missing));
        }
    }
    Ok(())
}

/// Checks a list of rules, naming the first bad one `claims[i]`.
pub(crate) fn check_list(rules: &[ClaimRule]) -> Result<()> {
    for (i, rule) in rules.iter().enumerate() {
        rule.check()
            .map_err(|e| e.in_field(&format!("claims[{i}]")))?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn field(rule: &ClaimRule) -> Option<String> {
        match check_list(std::slice::from_ref(rule)).map_err(Error::into_kind) {
            Err(ErrorKind::InvalidConfig { field, .. }) => Some(field.into_owned()),
            _ => None,
        }
    }

    #[test]
    fn malformed_rules_name_their_field() {
        let none = ClaimRule::default().equals("x");
        assert_eq!(field(&none).as_deref(), Some("claims[0]"));
        let both = ClaimRule {
            pointer: Some("/a".into()),
            ..ClaimRule::claim("a").equals("x")
        };
        assert_eq!(field(&both).as_deref(), Some("claims[0]"));
        assert_eq!(field(&ClaimRule::claim("a")).as_deref(), Some("claims[0]"));
        let two = ClaimRule::claim("a").equals("x").present(true);
        assert_eq!(field(&two).as_deref(), Some("claims[0]"));
        for bad in ["a/b", "", "/a~2", "/a~"] {
            let rule = ClaimRule::at_pointer(bad).present(true);
            assert_eq!(field(&rule).as_deref(), Some("claims[0].pointer"), "{bad}");
        }
        let empty = ClaimRule::claim("a").one_of(Vec::<String>::new());
        assert_eq!(field(&empty).as_deref(), Some("claims[0].one_of"));
        let object = ClaimRule::claim("a").equals(json!({"x": 1}));
        assert_eq!(field(&object).as_deref(), Some("claims[0].equals"));
        let nested = ClaimRule::claim("a").contains_all([json!(["x"])]);
        assert_eq!(field(&nested).as_deref(), Some("claims[0].contains_all"));
        assert_eq!(
            field(&ClaimRule::claim("").present(true)).as_deref(),
            Some("claims[0].name")
        );
        assert_eq!(
            field(&ClaimRule::at_pointer("/a~1b/~0c").present(true)),
            None
        );
    }
}
