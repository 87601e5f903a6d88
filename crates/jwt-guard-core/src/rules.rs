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
//! top-level member a rule looks at is kept as its raw JSON text while the claims are read, and
//! only that member is parsed again to decide the rule (never the whole claims object).

use std::borrow::Cow;
use std::fmt;

use serde::Deserialize;
use serde::de::{self, DeserializeSeed, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde_json::Value;
use serde_json::value::RawValue;

use crate::error::{Error, ErrorKind, Result};
use crate::token::{BorrowedStr, RawAudience, RawClaims};

/// A condition on one claim of a token (see the [module docs](self) for the table of
/// conditions). Written in a config as a `[[claims]]` table:
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

impl Condition<'_> {
    /// [`Condition::holds`] for a value kept as raw JSON text (`null` included), parsing no
    /// more of it than the condition needs: a string without escapes is compared borrowed, an
    /// array is split into its raw elements once.
    fn holds_raw(self, raw: &RawValue) -> bool {
        let text = raw.get().trim_start();
        match text.as_bytes().first() {
            Some(b'"') => match serde_json::from_str::<&str>(text) {
                Ok(s) => self.holds_for_str(s),
                Err(_) => self.holds(serde_json::from_str::<Value>(text).ok().as_ref()),
            },
            Some(b'[') => match self {
                // The values of a rule are scalars: an array equals none of them.
                Condition::Equals(_) | Condition::OneOf(_) => false,
                Condition::Present(present) => present,
                Condition::Contains(_) | Condition::ContainsAny(_) | Condition::ContainsAll(_) => {
                    let Ok(items) = serde_json::from_str::<Vec<&RawValue>>(text) else {
                        return false;
                    };
                    let has = |e: &Value| items.iter().any(|item| raw_equals(item, e));
                    match self {
                        Condition::Contains(e) => has(e),
                        Condition::ContainsAny(all) => all.iter().any(has),
                        Condition::ContainsAll(all) => all.iter().all(has),
                        _ => false,
                    }
                }
            },
            Some(b'{') => matches!(self, Condition::Present(true)),
            _ => self.holds(serde_json::from_str::<Value>(text).ok().as_ref()),
        }
    }
}

/// Whether a raw JSON value equals a scalar, a string without escapes compared borrowed.
fn raw_equals(item: &RawValue, expected: &Value) -> bool {
    let text = item.get().trim_start();
    match (expected, text.as_bytes().first()) {
        (Value::String(s), Some(b'"')) => match serde_json::from_str::<&str>(text) {
            Ok(found) => found == s,
            Err(_) => serde_json::from_str::<String>(text).is_ok_and(|found| found == *s),
        },
        (Value::String(_), _) => false,
        _ => serde_json::from_str::<Value>(text).is_ok_and(|found| found == *expected),
    }
}

/// One step of a JSON Pointer into a raw value: the member `token` names (in an object; the
/// last one if repeated, as a parsed object keeps it) or the element at index `token` (in an
/// array), others skipped without being kept.
struct Step<'t> {
    token: &'t str,
}

fn step<'de>(raw: &'de RawValue, token: &str) -> Option<&'de RawValue> {
    let mut de = serde_json::Deserializer::from_str(raw.get());
    Step { token }.deserialize(&mut de).ok().flatten()
}

impl<'de> DeserializeSeed<'de> for Step<'_> {
    type Value = Option<&'de RawValue>;
    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Self::Value, D::Error> {
        deserializer.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for Step<'_> {
    type Value = Option<&'de RawValue>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("any JSON value")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let mut found = None;
        while let Some(BorrowedStr(name)) = map.next_key()? {
            if name == self.token {
                found = Some(map.next_value::<&'de RawValue>()?);
            } else {
                map.next_value::<IgnoredAny>()?;
            }
        }
        Ok(found)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
        // RFC 6901: an index is `0` or digits without a leading zero.
        let index = (self.token == "0" || !self.token.starts_with('0'))
            .then(|| self.token.parse::<usize>().ok())
            .flatten();
        let mut found = None;
        let mut i = 0usize;
        loop {
            if Some(i) == index {
                match seq.next_element::<&'de RawValue>()? {
                    Some(item) => found = Some(item),
                    None => break,
                }
            } else if seq.next_element::<IgnoredAny>()?.is_none() {
                break;
            }
            i = i.saturating_add(1);
        }
        Ok(found)
    }

    fn visit_bool<E: de::Error>(self, _: bool) -> Result<Self::Value, E> {
        Ok(None)
    }
    fn visit_i64<E: de::Error>(self, _: i64) -> Result<Self::Value, E> {
        Ok(None)
    }
    fn visit_u64<E: de::Error>(self, _: u64) -> Result<Self::Value, E> {
        Ok(None)
    }
    fn visit_f64<E: de::Error>(self, _: f64) -> Result<Self::Value, E> {
        Ok(None)
    }
    fn visit_str<E: de::Error>(self, _: &str) -> Result<Self::Value, E> {
        Ok(None)
    }
    fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(None)
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

/// The first segment of a valid pointer (unescaped: the top-level member name) and the rest
/// (still escaped, a pointer into that member; empty for the member itself).
fn split_pointer(pointer: &str) -> (String, &str) {
    let body = pointer.get(1..).unwrap_or("");
    let (first, rest) = match body.find('/') {
        Some(at) => (body.get(..at).unwrap_or(""), body.get(at..).unwrap_or("")),
        None => (body, ""),
    };
    (first.replace("~1", "/").replace("~0", "~"), rest)
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

/// The registered claims the verification pass reads typed; a rule on one of them is decided
/// from what that pass kept.
const REGISTERED: [&str; 7] = ["iss", "sub", "aud", "exp", "nbf", "iat", "jti"];

/// Where a planned rule finds its claim.
#[derive(Debug, Clone)]
enum Source {
    /// A registered claim, from [`RawClaims`].
    Registered(&'static str),
    /// Top-level member `captures[i]`, kept as raw JSON by the claims pass.
    Captured(usize),
}

#[derive(Debug, Clone)]
struct Planned {
    source: Source,
    /// A pointer into that member (escaped; empty for the member itself).
    rest: String,
    /// The same pointer as unescaped tokens.
    path: Vec<String>,
}

/// A verifier's rules, prepared once: which top-level members the claims pass keeps
/// ([`RulePlan::captures`]), and where each rule finds its claim.
#[derive(Debug, Clone, Default)]
pub(crate) struct RulePlan {
    captures: Vec<String>,
    planned: Vec<Planned>,
}

impl RulePlan {
    /// The plan of well-formed `rules` (checked by `Validation::check` before).
    pub(crate) fn new(rules: &[ClaimRule]) -> RulePlan {
        let mut plan = RulePlan::default();
        for rule in rules {
            let (member, rest) = match (&rule.name, &rule.pointer) {
                (Some(name), _) => (name.clone(), ""),
                (None, Some(pointer)) => split_pointer(pointer),
                (None, None) => (String::new(), ""),
            };
            let source = match REGISTERED.iter().find(|r| **r == member) {
                Some(registered) => Source::Registered(registered),
                None => Source::Captured(match plan.captures.iter().position(|c| *c == member) {
                    Some(i) => i,
                    None => {
                        plan.captures.push(member);
                        plan.captures.len() - 1
                    }
                }),
            };
            let path = rest
                .split('/')
                .skip(1)
                .map(|t| t.replace("~1", "/").replace("~0", "~"))
                .collect();
            plan.planned.push(Planned {
                source,
                rest: rest.to_owned(),
                path,
            });
        }
        plan
    }

    /// The top-level member names the claims pass keeps as raw JSON for the rules.
    pub(crate) fn captures(&self) -> &[String] {
        &self.captures
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.planned.is_empty()
    }

    /// Decides `rules` (the list this plan was made of) on what the claims pass read.
    pub(crate) fn check(&self, rules: &[ClaimRule], claims: &RawClaims<'_>) -> Result<()> {
        for (index, (rule, planned)) in rules.iter().zip(&self.planned).enumerate() {
            let Some(condition) = rule.pick() else {
                return Err(Error::config(
                    format!("claims[{index}]"),
                    "give exactly one condition",
                ));
            };
            let (holds, missing) = match planned.source {
                Source::Registered(name) => {
                    let member = registered_value(claims, name);
                    let value = match (&member, planned.rest.as_str()) {
                        (Some(member), "") => Some(member),
                        (Some(member), rest) => member.pointer(rest),
                        (None, _) => None,
                    };
                    (condition.holds(value), value.is_none_or(Value::is_null))
                }
                Source::Captured(i) => {
                    // The member as the claims pass kept it, then the pointer's steps into it,
                    // none of it parsed into a `Value` unless the condition needs one.
                    let mut raw = claims.captured.get(i).copied().flatten();
                    for token in &planned.path {
                        raw = raw.and_then(|r| step(r, token));
                    }
                    let raw = raw.filter(|r| r.get().trim() != "null");
                    let holds = match raw {
                        Some(raw) => condition.holds_raw(raw),
                        None => condition.holds(None),
                    };
                    (holds, raw.is_none())
                }
            };
            if !holds {
                return Err(rejected(index, rule, condition, missing));
            }
        }
        Ok(())
    }
}

/// A registered claim as the claims pass kept it (dates as whole seconds).
fn registered_value(claims: &RawClaims<'_>, name: &str) -> Option<Value> {
    let text = |s: &Option<Cow<'_, str>>| s.as_deref().map(|s| Value::String(s.to_owned()));
    match name {
        "iss" => text(&claims.iss),
        "sub" => text(&claims.sub),
        "jti" => text(&claims.jti),
        "exp" => claims.exp.map(Value::from),
        "nbf" => claims.nbf.map(Value::from),
        "iat" => claims.iat.map(Value::from),
        "aud" => claims.aud.as_ref().map(|aud| match aud {
            RawAudience::One(one) => Value::String(one.to_string()),
            RawAudience::Many(all) => all.iter().map(|a| Value::String(a.to_string())).collect(),
        }),
        _ => None,
    }
}

/// Where a token's roles or groups live: a top-level claim (`name`, exactly as written:
/// `roles`, `cognito:groups`, `https://example.com/roles`) or a nested one (`pointer`, RFC 6901:
/// `/realm_access/roles`). Its value is an array of strings or a space-separated string.
///
/// In a config: `roles = [{ pointer = "/resource_access/my-api/roles" }, { name = "groups" }]`.
/// The roles of all listed sources form one set, so list only sources that mean the same thing:
/// a Keycloak realm role and a role of another client's `resource_access` entry are not the
/// same permission, and merging them grants one for the other.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
#[non_exhaustive]
pub struct RoleSource {
    /// A top-level claim, named exactly.
    #[serde(default)]
    pub name: Option<String>,
    /// An RFC 6901 JSON Pointer to a nested claim.
    #[serde(default)]
    pub pointer: Option<String>,
}

impl RoleSource {
    /// The top-level claim `name`.
    pub fn claim(name: impl Into<String>) -> RoleSource {
        RoleSource {
            name: Some(name.into()),
            pointer: None,
        }
    }

    /// The claim a JSON Pointer names.
    pub fn at_pointer(pointer: impl Into<String>) -> RoleSource {
        RoleSource {
            name: None,
            pointer: Some(pointer.into()),
        }
    }

    /// The claim as written: its name, or its pointer.
    pub fn target(&self) -> &str {
        self.name
            .as_deref()
            .or(self.pointer.as_deref())
            .unwrap_or("")
    }

    /// Checks that it names one claim (a non-empty `name` or a valid `pointer`).
    ///
    /// # Errors
    /// [`ErrorKind::InvalidConfig`] with the field at fault relative to the source.
    pub fn check(&self) -> Result<()> {
        check_target(self.name.as_deref(), self.pointer.as_deref())
    }

    /// The value of this source in a claims object, if present and not `null`.
    pub(crate) fn locate<'v>(&self, claims: &'v Value) -> Option<&'v Value> {
        locate(self.name.as_deref(), self.pointer.as_deref(), claims).filter(|v| !v.is_null())
    }
}

/// Checks a list of role sources, naming the first bad one `roles[i]`.
///
/// # Errors
/// [`ErrorKind::InvalidConfig`] at `roles[i]` (`roles[i].pointer`, ...).
pub(crate) fn check_sources(sources: &[RoleSource]) -> Result<()> {
    for (i, source) in sources.iter().enumerate() {
        source
            .check()
            .map_err(|e| e.in_field(&format!("roles[{i}]")))?;
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

    #[test]
    fn raw_values_decide_as_parsed_values_do() {
        let rules = [
            ClaimRule::claim("x").equals("caf\u{e9}"),
            ClaimRule::claim("x").one_of(["a b", "caf\u{e9}"]),
            ClaimRule::claim("x").contains("caf\u{e9}"),
            ClaimRule::claim("x").contains_any([json!(1), json!("q\"r")]),
            ClaimRule::claim("x").contains_all([json!(true), json!("a")]),
            ClaimRule::claim("x").equals(1),
            ClaimRule::claim("x").equals(false),
            ClaimRule::claim("x").present(true),
            ClaimRule::claim("x").present(false),
        ];
        let texts = [
            r#""caf\u00e9""#,
            r#""café""#,
            r#""a b""#,
            r#"["caf\u00e9", "z"]"#,
            r#"[1, 2]"#,
            r#"[1.0]"#,
            r#"["q\"r"]"#,
            r#"[true, "a"]"#,
            r#"[true, "\u0061"]"#,
            r#"1"#,
            r#"1.0"#,
            r#"false"#,
            r#"{"a": 1}"#,
            r#"null"#,
            r#" "a b c" "#,
        ];
        for rule in &rules {
            let condition = rule.pick().unwrap();
            for text in texts {
                let raw = serde_json::from_str::<&RawValue>(text).unwrap();
                let value: Value = serde_json::from_str(text).unwrap();
                assert_eq!(
                    condition.holds_raw(raw),
                    condition.holds(Some(&value)),
                    "{rule:?} on {text}"
                );
            }
        }
        let raw = serde_json::from_str::<&RawValue>(
            r#"{"a": {"b": [10, {"c": "x"}]}, "a": {"b": [20, {"c": "y"}]}, "d~/": 1}"#,
        )
        .unwrap();
        let walk = |path: &[&str]| {
            let mut at = Some(raw);
            for token in path {
                at = at.and_then(|r| step(r, token));
            }
            at.map(|r| r.get().to_owned())
        };
        // The last of a repeated member, as a parsed object keeps it.
        assert_eq!(walk(&["a", "b", "1", "c"]).as_deref(), Some(r#""y""#));
        assert_eq!(walk(&["a", "b", "0"]).as_deref(), Some("20"));
        assert_eq!(walk(&["a", "b", "01"]), None);
        assert_eq!(walk(&["a", "b", "2"]), None);
        assert_eq!(walk(&["a", "b", "0", "x"]), None);
        assert_eq!(walk(&["d~/"]).as_deref(), Some("1"));
    }

    #[test]
    fn pointers_split_into_member_and_rest() {
        assert_eq!(
            split_pointer("/realm_access/roles"),
            ("realm_access".into(), "/roles")
        );
        assert_eq!(split_pointer("/a~1b~0c"), ("a/b~c".into(), ""));
        assert_eq!(split_pointer("/"), (String::new(), ""));
    }
}
