//! [`RulePlan`]: a verifier's claim rules prepared once, and decided on what the claims pass
//! kept (the registered claims typed, the other members a rule names as raw JSON).

use std::borrow::Cow;

use serde_json::Value;

use super::raw::step;
use super::{ClaimRule, rejected};
use crate::error::{Error, Result};
use crate::token::{RawAudience, RawClaims};

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

#[cfg(test)]
mod tests {
    use super::*;

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
