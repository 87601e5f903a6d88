//! What a claims-type mismatch ([`ErrorKind::ClaimsMismatch`](crate::ErrorKind::ClaimsMismatch)) is about: where in the claims,
//! which kind of problem, and what the caller's type expected there, without any value of the
//! claims.
//!
//! serde's own messages cannot be kept: they quote the value at fault (`invalid type: string
//! "acme", expected u32`, `unknown variant `superuser``), and a mismatch is logged by every
//! server that rejects it. So when the claims do not fit a type (and only then: a successful
//! read does no extra work), they are read once more into that type the way the config reader
//! reads a config text (`config::parse`, whose categories this reuses): through a tree whose
//! deserializer keeps the path, the category and what was expected, and of a wrong value only
//! its kind (`a string`). A missing field's type is found by one more read with the field set
//! to `null`.

use std::fmt;

use serde::de::DeserializeOwned;

use crate::config::parse::{self, ConfigProblem};

/// Where and why the claims of a token do not fit the caller's type
/// ([`Error::claims_mismatch_detail`](crate::Error::claims_mismatch_detail)). Holds no value of the claims: a path made of the type's
/// field names and array indexes, a [`ClaimsProblem`], what the type expected and the kind of
/// value found (`a string`, `a map`, ...), so it is safe to log; the rejection event of the HTTP
/// adapters carries it as the fields `field`, `problem`, `expected` and `found`.
///
/// ```
/// use jwt_guard_core::{Algorithm, ClaimsProblem, Key, RegisteredClaims, Signer, Verifier};
/// # fn main() -> Result<(), Box<dyn std::error::Error>> {
/// #[derive(serde::Deserialize)]
/// struct MyClaims {
///     #[serde(flatten)]
///     registered: RegisteredClaims,
///     tenant: String,
/// }
/// let key = Key::hmac(b"an example secret of 32 bytes..!")?;
/// let verifier = Verifier::builder().algorithms([Algorithm::HS256]).key(key.clone()).build()?;
/// let token = Signer::new(key, Algorithm::HS256)?
///     .encode(&serde_json::json!({"sub": "ada", "exp": 4_102_444_800u64}))?;
///
/// let Err(error) = verifier.verify::<MyClaims>(&token) else { return Err("accepted".into()) };
/// assert_eq!(error.code(), "claims_mismatch");
/// let detail = error.claims_mismatch_detail().ok_or("no detail")?;
/// assert_eq!(detail.field(), "tenant");
/// assert_eq!(detail.problem(), ClaimsProblem::MissingField);
/// assert_eq!(detail.expected(), Some("a string"));
/// assert_eq!(detail.to_string(), "missing field at `tenant`, expected a string");
/// # Ok(()) }
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClaimsMismatchDetail {
    field: String,
    problem: ClaimsProblem,
    expected: Option<String>,
    found: Option<&'static str>,
}

/// The category of a [`ClaimsMismatchDetail`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ClaimsProblem {
    /// A field the type requires is absent.
    MissingField,
    /// A value of the wrong type (a string where the type takes a number, ...).
    WrongType,
    /// A value of the right type that the type does not take (a number out of range, ...).
    InvalidValue,
    /// An array of the wrong length.
    InvalidLength,
    /// A string that is none of the enum's variants.
    UnknownVariant,
    /// A member the type does not take (`#[serde(deny_unknown_fields)]`).
    UnknownField,
    /// A member given twice.
    DuplicateField,
    /// The type's own check refused a value (a hand-written `Deserialize` or
    /// `deserialize_with`); its message is not kept, since it may quote the value.
    Custom,
    /// The second read could not say (the claims nest deeper than serde_json reads).
    Unknown,
}

impl ClaimsProblem {
    /// `missing field`, `wrong type`, `invalid value`, `invalid length`, `unknown variant`,
    /// `unknown field`, `duplicate field`, `custom check`, `unknown`.
    pub fn as_str(self) -> &'static str {
        match self {
            ClaimsProblem::MissingField => "missing field",
            ClaimsProblem::WrongType => "wrong type",
            ClaimsProblem::InvalidValue => "invalid value",
            ClaimsProblem::InvalidLength => "invalid length",
            ClaimsProblem::UnknownVariant => "unknown variant",
            ClaimsProblem::UnknownField => "unknown field",
            ClaimsProblem::DuplicateField => "duplicate field",
            ClaimsProblem::Custom => "custom check",
            ClaimsProblem::Unknown => "unknown",
        }
    }
}

impl fmt::Display for ClaimsProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl ClaimsMismatchDetail {
    /// Where: `tenant`, `org.id`, `roles[2]`, `["https://example.com/roles"][0]`; empty for the
    /// claims object itself, and for a field inside a `#[serde(flatten)]` struct other than a
    /// missing one (serde does not say where inside: the path stops at the struct that
    /// flattens it). A member name that looks like neither a field name nor a claim name (at
    /// most 80 ASCII letters, digits and `_-.:/~@+#`) is written `?`.
    pub fn field(&self) -> &str {
        &self.field
    }

    /// What kind of problem.
    pub fn problem(&self) -> ClaimsProblem {
        self.problem
    }

    /// What the type expected there, in serde's words (`a string`, `u32`, `one of `admin`,
    /// `member``, `struct Org`, ...), when known.
    pub fn expected(&self) -> Option<&str> {
        self.expected.as_deref()
    }

    /// The kind of value found (`a string`, `an integer`, `a map`, `null`, ...), never the
    /// value; for a wrong type or value.
    pub fn found(&self) -> Option<&'static str> {
        self.found
    }

    /// Reads `payload` (claims JSON that `T` refused) again to say where and why.
    pub(crate) fn describe<T: DeserializeOwned>(payload: &[u8]) -> ClaimsMismatchDetail {
        let Some(fault) = parse::json_fault::<T>(payload) else {
            return ClaimsMismatchDetail {
                field: String::new(),
                problem: ClaimsProblem::Unknown,
                expected: None,
                found: None,
            };
        };
        let at = |name: &str| match fault.path.as_str() {
            "" => name.to_owned(),
            path => format!("{path}.{name}"),
        };
        let one_of = |names: &[&str]| match names {
            [] => "nothing".to_owned(),
            [one] => format!("`{one}`"),
            names => format!("one of `{}`", names.join("`, `")),
        };
        let (field, problem, expected, found) = match fault.problem {
            ConfigProblem::MissingField(name) => (
                at(name),
                ClaimsProblem::MissingField,
                fault.missing_expects,
                None,
            ),
            ConfigProblem::InvalidType { expected, found } => (
                fault.path,
                ClaimsProblem::WrongType,
                Some(expected),
                Some(found),
            ),
            ConfigProblem::InvalidValue { expected, found } => (
                fault.path,
                ClaimsProblem::InvalidValue,
                Some(expected),
                Some(found),
            ),
            ConfigProblem::InvalidLength { expected, .. } => (
                fault.path,
                ClaimsProblem::InvalidLength,
                Some(expected),
                None,
            ),
            ConfigProblem::UnknownVariant { expected } => (
                fault.path,
                ClaimsProblem::UnknownVariant,
                Some(one_of(expected)),
                None,
            ),
            ConfigProblem::UnknownField { name, expected, .. } => (
                // The name only when it is a near miss of an accepted one, as in a config.
                at(name.as_deref().unwrap_or("?")),
                ClaimsProblem::UnknownField,
                Some(one_of(expected)),
                None,
            ),
            ConfigProblem::DuplicateField(name) => {
                (at(name), ClaimsProblem::DuplicateField, None, None)
            }
            // `custom`: the type's own message, which may quote the value.
            ConfigProblem::Other(_) | ConfigProblem::Syntax => {
                (fault.path, ClaimsProblem::Custom, None, None)
            }
        };
        ClaimsMismatchDetail {
            field,
            problem,
            expected,
            found,
        }
    }
}

/// `missing field at `tenant`, expected a string`; `wrong type at `seats`, expected u32, found
/// a string`.
impl fmt::Display for ClaimsMismatchDetail {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.problem.as_str())?;
        if !self.field.is_empty() {
            write!(f, " at `{}`", self.field)?;
        }
        if let Some(expected) = &self.expected {
            write!(f, ", expected {expected}")?;
        }
        if let Some(found) = self.found {
            write!(f, ", found {found}")?;
        }
        Ok(())
    }
}

impl std::error::Error for ClaimsMismatchDetail {}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::claims_mismatch;
    use crate::{Error, ErrorKind};
    use serde::Deserialize;

    #[derive(Debug, Deserialize)]
    #[allow(dead_code)]
    struct Org {
        id: u64,
        #[serde(rename = "https://example.test/roles")]
        roles: Vec<Role>,
    }

    #[derive(Debug, Deserialize)]
    #[serde(rename_all = "lowercase")]
    #[allow(dead_code)]
    enum Role {
        Admin,
        Member,
        Limited { until: u64 },
    }

    #[derive(Debug, Deserialize)]
    #[allow(dead_code)]
    struct Claims {
        #[serde(flatten)]
        registered: crate::RegisteredClaims,
        tenant: String,
        seats: u8,
        org: Option<Org>,
        pair: Option<(u8, u8)>,
        #[serde(default, deserialize_with = "refuse_odd")]
        even: u64,
    }

    fn refuse_odd<'de, D: serde::Deserializer<'de>>(d: D) -> Result<u64, D::Error> {
        let n = u64::deserialize(d)?;
        if n % 2 == 1 {
            return Err(serde::de::Error::custom(format!("{n} is odd")));
        }
        Ok(n)
    }

    #[derive(Debug, Deserialize)]
    #[serde(deny_unknown_fields)]
    #[allow(dead_code)]
    struct Strict {
        tenant: String,
    }

    fn detail<T: DeserializeOwned + fmt::Debug>(claims: serde_json::Value) -> String {
        let json = serde_json::to_vec(&claims).unwrap();
        assert!(serde_json::from_slice::<T>(&json).is_err(), "{claims}");
        let detail = ClaimsMismatchDetail::describe::<T>(&json);
        let shown = detail.to_string();
        assert!(!shown.contains("SECRET"), "{shown}");
        shown
    }

    #[test]
    fn says_where_and_why_never_the_value() {
        let base = || serde_json::json!({"sub": "ada", "tenant": "acme", "seats": 3});
        let with = |name: &str, value: serde_json::Value| {
            let mut claims = base();
            if value.is_null() {
                claims.as_object_mut().unwrap().remove(name);
            } else {
                claims[name] = value;
            }
            claims
        };
        let org = |roles: serde_json::Value| serde_json::json!({"id": 7, "https://example.test/roles": roles});
        let cases = [
            (
                with("tenant", serde_json::Value::Null),
                "missing field at `tenant`, expected a string",
            ),
            (
                with("seats", serde_json::Value::Null),
                "missing field at `seats`, expected u8",
            ),
            (
                with("seats", "SECRET".into()),
                "wrong type at `seats`, expected u8, found a string",
            ),
            (
                with("seats", 300.into()),
                "invalid value at `seats`, expected u8, found an integer",
            ),
            (
                with("org", serde_json::json!({"https://example.test/roles": []})),
                "missing field at `org.id`, expected u64",
            ),
            (
                with("org", org(serde_json::json!(["admin", "SECRET"]))),
                "unknown variant at `org[\"https://example.test/roles\"][1]`, expected one of `admin`, `member`, `limited`",
            ),
            (
                with(
                    "org",
                    org(serde_json::json!([{"limited": {"until": "SECRET"}}])),
                ),
                "wrong type at `org[\"https://example.test/roles\"][0].limited.until`, expected u64, found a string",
            ),
            (
                with("org", org(serde_json::json!([{"limited": {}}]))),
                "missing field at `org[\"https://example.test/roles\"][0].limited.until`, expected u64",
            ),
            (
                with("pair", serde_json::json!([1, 2, 3])),
                "invalid length at `pair`, expected fewer elements",
            ),
            (
                with("pair", serde_json::json!([1])),
                "invalid length at `pair`, expected a tuple of size 2",
            ),
            (with("even", 3.into()), "custom check at `even`"),
            // Inside a flattened struct serde does not say where.
            (
                with("sub", serde_json::json!(["SECRET"])),
                "wrong type, expected a string, found a sequence",
            ),
        ];
        for (claims, shown) in cases {
            assert_eq!(detail::<Claims>(claims), shown);
        }
        assert_eq!(
            detail::<Claims>(serde_json::json!(["SECRET"])),
            "wrong type, expected struct Claims, found a sequence"
        );
        assert_eq!(
            detail::<Strict>(serde_json::json!({"tenant": "a", "tenat": "SECRET"})),
            "unknown field at `tenat`, expected `tenant`"
        );
        assert_eq!(
            detail::<Strict>(serde_json::json!({"tenant": "a", "SECRET key": 1})),
            "unknown field at `?`, expected `tenant`"
        );
    }

    #[test]
    fn claims_serde_json_cannot_nest_say_unknown() {
        let mut deep = serde_json::json!(1);
        for _ in 0..200 {
            deep = serde_json::json!([deep]);
        }
        let json = serde_json::to_vec(&serde_json::json!({"tenant": deep})).unwrap();
        let detail = ClaimsMismatchDetail::describe::<Strict>(&json);
        assert_eq!(detail.problem(), ClaimsProblem::Unknown);
        assert_eq!(detail.to_string(), "unknown");
    }

    #[test]
    fn the_error_carries_the_detail_as_its_source() {
        let json = br#"{"tenant": 42}"#;
        let error = claims_mismatch::<Strict>(json);
        assert_eq!(error.kind(), &ErrorKind::ClaimsMismatch);
        let detail = error.claims_mismatch_detail().unwrap();
        assert_eq!(
            (
                detail.field(),
                detail.problem(),
                detail.expected(),
                detail.found()
            ),
            (
                "tenant",
                ClaimsProblem::WrongType,
                Some("a string"),
                Some("an integer")
            )
        );
        let source = std::error::Error::source(&error).unwrap().to_string();
        assert_eq!(
            source,
            "wrong type at `tenant`, expected a string, found an integer"
        );
        assert!(!format!("{error:?}").contains("42"));
        assert!(
            Error::new(ErrorKind::Expired)
                .claims_mismatch_detail()
                .is_none()
        );
    }
}
