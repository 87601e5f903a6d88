//! The claims: NumericDates, `aud`, the strict read of the registered claims (one pass, typed,
//! duplicate member names refused, required-claim presence), routed mode's read of `iss` alone,
//! and the public [`RegisteredClaims`].

use std::borrow::Cow;
use std::fmt;

use serde::de::{self, DeserializeSeed, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde::{Deserialize, Serialize};

use crate::error::{Error, ErrorKind, Result};
use crate::token::json::{BorrowedStr, SeenNames, Slot, syntax_first};

/// A JSON number read as a NumericDate (RFC 7519 §2).
#[derive(Clone, Copy)]
pub(super) enum Number {
    Int(i64),
    Float(f64),
}

impl<'de> Deserialize<'de> for Number {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct V;
        impl Visitor<'_> for V {
            type Value = Number;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a NumericDate (a JSON number)")
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<Number, E> {
                Ok(Number::Int(v))
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<Number, E> {
                i64::try_from(v)
                    .map(Number::Int)
                    .map_err(|_| E::custom("NumericDate out of range"))
            }
            fn visit_f64<E: de::Error>(self, v: f64) -> Result<Number, E> {
                Ok(Number::Float(v))
            }
        }
        deserializer.deserialize_any(V)
    }
}

/// Largest NumericDate accepted: 9999-12-31T23:59:59Z. Anything later is an error, so that
/// adding leeway can never overflow and no float is cast out of range.
pub const MAX_NUMERIC_DATE: i64 = 253_402_300_799;

impl Number {
    /// Whether it has a fractional part.
    pub(super) fn is_fractional(self) -> bool {
        matches!(self, Number::Float(f) if f.fract() != 0.0)
    }

    /// Whole seconds, rounding fractions toward the stricter side for the caller.
    pub(super) fn seconds(self, round_up: bool) -> Option<i64> {
        let max = MAX_NUMERIC_DATE;
        match self {
            Number::Int(i) => (-max..=max).contains(&i).then_some(i),
            Number::Float(f) => {
                let f = if round_up { f.ceil() } else { f.floor() };
                #[allow(clippy::cast_precision_loss, clippy::cast_possible_truncation)]
                (f.is_finite() && f.abs() <= max as f64).then_some(f as i64)
            }
        }
    }
}

/// `aud` as read: one string or an array of strings.
pub(crate) enum RawAudience<'de> {
    One(Cow<'de, str>),
    Many(Vec<Cow<'de, str>>),
}

impl<'de> Deserialize<'de> for RawAudience<'de> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = RawAudience<'de>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a string or an array of strings")
            }
            fn visit_borrowed_str<E: de::Error>(self, v: &'de str) -> Result<Self::Value, E> {
                Ok(RawAudience::One(Cow::Borrowed(v)))
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
                Ok(RawAudience::One(Cow::Owned(v.to_owned())))
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
                let mut all = Vec::new();
                while let Some(BorrowedStr(s)) = seq.next_element()? {
                    all.push(s);
                }
                Ok(RawAudience::Many(all))
            }
        }
        deserializer.deserialize_any(V)
    }
}

impl RawAudience<'_> {
    pub(crate) fn iter(&self) -> impl Iterator<Item = &str> {
        let (one, many) = match self {
            RawAudience::One(s) => (Some(s.as_ref()), &[][..]),
            RawAudience::Many(v) => (None, v.as_slice()),
        };
        one.into_iter().chain(many.iter().map(AsRef::as_ref))
    }
}

/// The registered claims as read in the verification pass.
#[derive(Default)]
pub(crate) struct RawClaims<'de> {
    pub(crate) iss: Option<Cow<'de, str>>,
    pub(crate) sub: Option<Cow<'de, str>>,
    pub(crate) aud: Option<RawAudience<'de>>,
    pub(crate) exp: Option<i64>,
    pub(crate) nbf: Option<i64>,
    pub(crate) iat: Option<i64>,
    /// `jti` (type-checked: a string).
    pub(crate) jti: Option<Cow<'de, str>>,
    /// `sid` as its JSON text (not a registered claim of RFC 7519: any type passes
    /// verification; the revocation check reads it).
    pub(crate) sid: Option<&'de serde_json::value::RawValue>,
    /// `exp` or `iat` had a fraction (rounded here for the verifier's rules; the revocation
    /// check rounds them its own way).
    pub(crate) fractional_dates: bool,
    /// `iat` had a fraction: `iat` holds it rounded up (the stricter side for "not issued in
    /// the future"); `max_age_secs` counts from it rounded down (the stricter side there).
    pub(crate) iat_fractional: bool,
    /// The `type` claim is `"refresh"` (how Flask-JWT-Extended marks refresh tokens).
    pub(crate) refresh_type: bool,
    /// Bit `i` set: `required[i]` is present and not null.
    pub(crate) required_present: u64,
    /// The raw JSON of the members a claim rule looks at (`captures[i]`, see
    /// [`RulePlan`](crate::rules::RulePlan)); empty when the verifier has no rules.
    pub(crate) captured: Vec<Option<&'de serde_json::value::RawValue>>,
}

struct ClaimsSeed<'s, 'r> {
    slot: Slot<'s>,
    required: &'r [String],
    captures: &'r [String],
}

impl<'de> DeserializeSeed<'de> for ClaimsSeed<'_, '_> {
    type Value = RawClaims<'de>;
    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Self::Value, D::Error> {
        deserializer.deserialize_map(self)
    }
}

impl<'de> Visitor<'de> for ClaimsSeed<'_, '_> {
    type Value = RawClaims<'de>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JWT claims object")
    }

    fn visit_map<A: MapAccess<'de>>(mut self, mut map: A) -> Result<Self::Value, A::Error> {
        let mut seen = SeenNames::default();
        let mut claims = RawClaims {
            captured: vec![None; self.captures.len()],
            ..RawClaims::default()
        };
        while let Some(BorrowedStr(name)) = map.next_key()? {
            // Before the value, as the one-pass reader does: a repeated name is `malformed`
            // whatever its value, so the answer never depends on the claims type (fuzzing).
            if !seen.insert(name.clone()) {
                return Err(self.slot.fail(ErrorKind::Malformed(
                    "the claims have a duplicate member name",
                )));
            }
            let present = match name.as_ref() {
                "exp" => {
                    let (seconds, fractional) = read_date(&mut map, &mut self.slot, "exp", false)?;
                    claims.exp = Some(seconds);
                    claims.fractional_dates |= fractional;
                    true
                }
                "nbf" => {
                    claims.nbf = Some(read_date(&mut map, &mut self.slot, "nbf", true)?.0);
                    true
                }
                "iat" => {
                    let (seconds, fractional) = read_date(&mut map, &mut self.slot, "iat", true)?;
                    claims.iat = Some(seconds);
                    claims.iat_fractional = fractional;
                    claims.fractional_dates |= fractional;
                    true
                }
                "iss" => {
                    claims.iss = Some(read_str(&mut map, &mut self.slot, "iss")?);
                    true
                }
                "sub" => {
                    claims.sub = Some(read_str(&mut map, &mut self.slot, "sub")?);
                    true
                }
                "jti" => {
                    claims.jti = Some(read_str(&mut map, &mut self.slot, "jti")?);
                    true
                }
                "sid" => {
                    let raw: &'de serde_json::value::RawValue = map.next_value()?;
                    claims.sid = Some(raw);
                    raw.get() != "null"
                }
                "type" => {
                    let raw: &'de serde_json::value::RawValue = map.next_value()?;
                    claims.refresh_type = raw.get() == "\"refresh\"";
                    raw.get() != "null"
                }
                "aud" => {
                    claims.aud = Some(map.next_value::<RawAudience<'de>>().map_err(|_| {
                        self.slot
                            .fail::<A::Error>(ErrorKind::InvalidClaim("aud".into()))
                    })?);
                    true
                }
                _ => match self.captures.iter().position(|c| *c == name) {
                    Some(i) => {
                        let raw: &'de serde_json::value::RawValue = map.next_value()?;
                        if let Some(slot) = claims.captured.get_mut(i) {
                            *slot = Some(raw);
                        }
                        raw.get() != "null"
                    }
                    None => map.next_value::<Option<IgnoredAny>>()?.is_some(),
                },
            };
            if present && let Some(i) = self.required.iter().position(|r| *r == name) {
                claims.required_present |= 1 << i;
            }
        }
        Ok(claims)
    }
}

/// A NumericDate in whole seconds, and whether it had a fraction.
fn read_date<'de, A: MapAccess<'de>>(
    map: &mut A,
    slot: &mut Slot<'_>,
    name: &'static str,
    round_up: bool,
) -> Result<(i64, bool), A::Error> {
    map.next_value::<Number>()
        .ok()
        .and_then(|n| Some((n.seconds(round_up)?, n.is_fractional())))
        .ok_or_else(|| slot.fail(ErrorKind::InvalidClaim(name.into())))
}

fn read_str<'de, A: MapAccess<'de>>(
    map: &mut A,
    slot: &mut Slot<'_>,
    name: &'static str,
) -> Result<Cow<'de, str>, A::Error> {
    map.next_value::<BorrowedStr<'de>>()
        .map(|s| s.0)
        .map_err(|_| slot.fail(ErrorKind::InvalidClaim(name.into())))
}

pub(crate) fn parse_claims<'de>(json: &'de [u8], required: &[String]) -> Result<RawClaims<'de>> {
    parse_claims_capturing(json, required, &[])
}

/// [`parse_claims`], also keeping the raw JSON of the top-level members named in `captures`
/// (for the claim rules).
pub(crate) fn parse_claims_capturing<'de>(
    json: &'de [u8],
    required: &[String],
    captures: &[String],
) -> Result<RawClaims<'de>> {
    let text = check_utf8(json)?;
    let mut slot = None;
    let mut de = serde_json::Deserializer::from_str(text);
    let parsed = ClaimsSeed {
        slot: Slot(&mut slot),
        required,
        captures,
    }
    .deserialize(&mut de)
    .and_then(|c| de.end().map(|()| c));
    parsed.map_err(|e| match slot {
        Some(kind) => Error::new(syntax_first(json, kind, "the payload is not valid JSON")),
        None if e.is_data() => Error::new(ErrorKind::Malformed("the payload is not a JSON object")),
        None => Error::with_source(ErrorKind::Malformed("the payload is not valid JSON"), e),
    })
}

/// The claims set must be UTF-8 throughout (RFC 7519 §7.2, RFC 8259 §8.1): serde_json skips a
/// string it ignores without checking its bytes, so a claim nobody reads could hold anything
/// (found by fuzzing).
/// Returns the text, which serde_json then reads without checking each string again.
pub(crate) fn check_utf8(json: &[u8]) -> Result<&str> {
    std::str::from_utf8(json)
        .map_err(|_| Error::new(ErrorKind::Malformed("the payload is not valid JSON")))
}

/// Routed mode's read of an unverified payload: the first top-level `iss`, and nothing more.
/// Members before it are skipped without being kept; the read stops at `iss`, so nothing after
/// it is looked at (the chosen route then verifies the signature before any full parse).
///
/// # Errors
/// [`ErrorKind::InvalidClaim`] (`iss`) for an `iss` that is not a string,
/// [`ErrorKind::MissingClaim`] for an object without it, [`ErrorKind::Malformed`] for a payload
/// that is not a JSON object up to there.
pub(crate) fn read_issuer(json: &[u8]) -> Result<Cow<'_, str>> {
    let mut found = None;
    let mut de = serde_json::Deserializer::from_slice(json);
    let read = IssuerSeed { found: &mut found }
        .deserialize(&mut de)
        .and_then(|()| de.end());
    match (found, read) {
        (Some(found), _) => found.map_err(Error::new),
        (None, Ok(())) => Err(Error::new(ErrorKind::MissingClaim("iss".into()))),
        (None, Err(e)) if e.is_data() => Err(Error::new(ErrorKind::Malformed(
            "the payload is not a JSON object",
        ))),
        (None, Err(e)) => Err(Error::with_source(
            ErrorKind::Malformed("the payload is not valid JSON"),
            e,
        )),
    }
}

/// Finds `iss`, then stops the parser with an error (the finding is in `found`).
struct IssuerSeed<'f, 'de> {
    found: &'f mut Option<std::result::Result<Cow<'de, str>, ErrorKind>>,
}

impl<'de> DeserializeSeed<'de> for IssuerSeed<'_, 'de> {
    type Value = ();
    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<(), D::Error> {
        deserializer.deserialize_map(self)
    }
}

impl<'de> Visitor<'de> for IssuerSeed<'_, 'de> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JWT claims object")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        while let Some(BorrowedStr(name)) = map.next_key()? {
            if name == "iss" {
                *self.found = Some(
                    map.next_value::<BorrowedStr<'de>>()
                        .map(|s| s.0)
                        .map_err(|_| ErrorKind::InvalidClaim("iss".into())),
                );
                return Err(de::Error::custom("stopped at iss"));
            }
            map.next_value::<IgnoredAny>()?;
        }
        Ok(())
    }
}

/// The registered claims of RFC 7519 §4.1, usable alone as the claims type or beside custom
/// claims with `#[serde(flatten)]`. NumericDates accept integers and floats (fractions are
/// truncated toward the past); any other type, including `null`, is an error.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct RegisteredClaims {
    /// Issuer.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub iss: Option<String>,
    /// Subject.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sub: Option<String>,
    /// Audience(s).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub aud: Option<Audience>,
    /// Expiration time (seconds since the epoch).
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        with = "numeric_date"
    )]
    pub exp: Option<i64>,
    /// Not before (seconds since the epoch).
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        with = "numeric_date"
    )]
    pub nbf: Option<i64>,
    /// Issued at (seconds since the epoch).
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        with = "numeric_date"
    )]
    pub iat: Option<i64>,
    /// JWT id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub jti: Option<String>,
}

/// The `aud` claim: one audience or several.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum Audience {
    /// A single audience string.
    One(String),
    /// An array of audiences.
    Many(Vec<String>),
}

impl Audience {
    /// Whether `aud` names `audience`.
    pub fn contains(&self, audience: &str) -> bool {
        match self {
            Audience::One(a) => a == audience,
            Audience::Many(all) => all.iter().any(|a| a == audience),
        }
    }
}

/// serde helpers for `Option<i64>` NumericDate fields (`#[serde(with = "...")]`).
pub mod numeric_date {
    use serde::{Deserialize, Deserializer, Serializer};

    /// Serializes as an integer.
    ///
    /// # Errors
    /// As the serializer.
    #[allow(clippy::ref_option)]
    pub fn serialize<S: Serializer>(value: &Option<i64>, serializer: S) -> Result<S::Ok, S::Error> {
        match value {
            Some(v) => serializer.serialize_i64(*v),
            None => serializer.serialize_none(),
        }
    }

    /// Accepts an integer or a float within range; anything else (including `null`) is an error.
    ///
    /// # Errors
    /// For a non-number or an out-of-range number.
    pub fn deserialize<'de, D: Deserializer<'de>>(
        deserializer: D,
    ) -> Result<Option<i64>, D::Error> {
        let n = super::Number::deserialize(deserializer)?;
        n.seconds(false)
            .map(Some)
            .ok_or_else(|| serde::de::Error::custom("NumericDate out of range"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn claims_err(json: &str) -> ErrorKind {
        parse_claims(json.as_bytes(), &[])
            .err()
            .map(Error::into_kind)
            .unwrap_or(ErrorKind::Malformed("parsed"))
    }

    #[test]
    fn duplicate_claims_rejected() {
        assert_eq!(
            claims_err(r#"{"sub":"a","sub":"admin"}"#),
            ErrorKind::Malformed("the claims have a duplicate member name")
        );
        // Also beyond the short list, and for names written with escapes.
        let mut many: String = (0..40).map(|i| format!("\"k{i}\":{i},")).collect();
        many.push_str("\"k3\":0");
        assert!(matches!(
            claims_err(&format!("{{{many}}}")),
            ErrorKind::Malformed(_)
        ));
        assert!(matches!(
            claims_err(r#"{"sub":"a","s\u0075b":"b"}"#),
            ErrorKind::Malformed(_)
        ));
    }

    #[test]
    fn numeric_dates_are_typed() {
        for (json, claim) in [
            (r#"{"exp":"1700000000"}"#, "exp"),
            (r#"{"exp":null}"#, "exp"),
            (r#"{"exp":true}"#, "exp"),
            (r#"{"exp":[1]}"#, "exp"),
            (r#"{"nbf":1e300}"#, "nbf"),
            (r#"{"iat":18446744073709551615}"#, "iat"),
            (r#"{"exp":1e999}"#, "exp"),
            (r#"{"iss":1}"#, "iss"),
            (r#"{"sub":null}"#, "sub"),
            (r#"{"jti":{}}"#, "jti"),
            (r#"{"aud":5}"#, "aud"),
            (r#"{"aud":["a",1]}"#, "aud"),
        ] {
            assert_eq!(
                claims_err(json),
                ErrorKind::InvalidClaim(claim.into()),
                "{json}"
            );
        }
        let ok = parse_claims(br#"{"exp":1700000000.7,"nbf":10.2,"iat":5}"#, &[]).ok();
        let ok = ok.map(|c| (c.exp, c.nbf, c.iat));
        assert_eq!(ok, Some((Some(1_700_000_000), Some(11), Some(5))));
    }

    #[test]
    fn payload_must_be_an_object() {
        for json in ["[]", "1", "\"x\"", "null", "{} {}", "{"] {
            assert!(
                matches!(claims_err(json), ErrorKind::Malformed(_)),
                "{json}"
            );
        }
    }

    #[test]
    fn required_presence_ignores_null() {
        let required = vec!["role".to_owned(), "exp".to_owned(), "tenant".to_owned()];
        let c = parse_claims(br#"{"role":"x","exp":1,"tenant":null}"#, &required).ok();
        assert_eq!(c.map(|c| c.required_present), Some(0b011));
    }

    #[test]
    fn registered_claims_deserialize_strictly() {
        let c: Result<RegisteredClaims, _> = serde_json::from_str(r#"{"exp":1.9,"aud":["a","b"]}"#);
        assert_eq!(c.ok().and_then(|c| c.exp), Some(1));
        assert!(serde_json::from_str::<RegisteredClaims>(r#"{"exp":"1"}"#).is_err());
        assert!(serde_json::from_str::<RegisteredClaims>(r#"{"exp":null}"#).is_err());
    }
}
