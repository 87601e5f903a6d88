//! The one-pass claims reader, the "tee".
//!
//! What: [`deserialize_tee`] deserializes the caller's claims type `T` from the (verified)
//! payload and, in the same pass, records what the checks need: the registered claims (`exp`,
//! `nbf`, `iat`, `iss`, `sub`, `aud`; `jti` is type-checked), which required claims are present
//! and not `null`, and duplicate member names. `Tee` hands `T` a map whatever it asks for;
//! `TeeMap` sits between serde_json's map and `T`'s visitor: every name goes through
//! [`SeenNames`] before `T` sees it, a registered claim is read once as its typed value
//! ([`Number`], [`RawAudience`], a string), recorded, and handed on to `T` as serde_json would
//! hand it (`Fed`), and any other value goes straight through (a required custom claim is read as
//! raw JSON first, to tell `null` apart).
//!
//! Why: the payload is read once, not twice (the strict [`parse_claims`] pass, then
//! `serde_json::from_slice::<T>`), and no `serde_json::Value` is built.
//!
//! When the strict path decides instead: a rule the tee enforces itself (a duplicate member, a
//! registered claim of the wrong type) ends the pass with [`TeeState::failure`], reported as is.
//! If `T` did not read the object to its end ([`TeeState::finished`] is false) or rejected it,
//! the pass has not seen every member, so the verifier reads the payload again with the strict
//! two-pass path: [`parse_claims`] decides the rules, then `T`'s own error is a
//! `claims_mismatch`. A rule violation thus always wins over a claims-type mismatch, and a claim
//! `T` never looked at is still checked.
//!
//! [`parse_claims`]: crate::token::claims::parse_claims

use std::borrow::Cow;
use std::fmt;

use serde::Deserialize;
use serde::de::{self, DeserializeSeed, Deserializer, MapAccess, Visitor};

use crate::error::ErrorKind;
use crate::token::claims::{Number, RawAudience, RawClaims};
use crate::token::json::{BorrowedStr, SeenNames};

/// Which registered claim the member being read is.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Registered {
    Other,
    Exp,
    Nbf,
    Iat,
    Iss,
    Sub,
    Jti,
    Aud,
    /// Not registered by RFC 7519 (OpenID Connect's session id): never type-checked, only
    /// kept as text for the revocation check.
    Sid,
    /// Not registered either: Flask-JWT-Extended's token kind (`"access"`, `"refresh"`), read
    /// so that an access verifier can refuse a refresh token.
    Type,
}

impl Registered {
    fn of(name: &str) -> Registered {
        match name {
            "exp" => Registered::Exp,
            "nbf" => Registered::Nbf,
            "iat" => Registered::Iat,
            "iss" => Registered::Iss,
            "sub" => Registered::Sub,
            "jti" => Registered::Jti,
            "aud" => Registered::Aud,
            "sid" => Registered::Sid,
            "type" => Registered::Type,
            _ => Registered::Other,
        }
    }

    fn name(self) -> &'static str {
        match self {
            Registered::Exp => "exp",
            Registered::Nbf => "nbf",
            Registered::Iat => "iat",
            Registered::Iss => "iss",
            Registered::Sub => "sub",
            Registered::Jti => "jti",
            Registered::Aud => "aud",
            Registered::Sid => "sid",
            Registered::Type => "type",
            Registered::Other => "",
        }
    }
}

/// What the single pass learned besides the caller's claims type.
pub(crate) struct TeeState<'de, 'r> {
    pub(crate) claims: RawClaims<'de>,
    seen: SeenNames<'de>,
    required: &'r [String],
    captures: &'r [String],
    current: Registered,
    current_required: Option<usize>,
    current_capture: Option<usize>,
    /// The whole object was read (the caller's type did not stop early).
    pub(crate) finished: bool,
    /// A rule the pass enforced itself (duplicate member, wrong-typed registered claim).
    pub(crate) failure: Option<ErrorKind>,
}

impl<'r> TeeState<'_, 'r> {
    #[cfg(test)]
    pub(crate) fn new(required: &'r [String]) -> Self {
        TeeState::capturing(required, &[])
    }

    /// A state that also keeps the raw JSON of the top-level members named in `captures`
    /// (registered claim names never: those are read typed) for the claim rules.
    pub(crate) fn capturing(required: &'r [String], captures: &'r [String]) -> Self {
        TeeState {
            claims: RawClaims {
                captured: vec![None; captures.len()],
                ..RawClaims::default()
            },
            seen: SeenNames::default(),
            required,
            captures,
            current: Registered::Other,
            current_required: None,
            current_capture: None,
            finished: false,
            failure: None,
        }
    }
}

/// Deserializes the caller's claims type from the claims object while recording, in the same
/// pass, the registered claims, required-claim presence and duplicate member names.
pub(crate) fn deserialize_tee<'de, T: Deserialize<'de>>(
    json: &'de str,
    state: &mut TeeState<'de, '_>,
) -> Result<T, serde_json::Error> {
    // From text already checked as UTF-8: serde_json does not check each string again.
    let mut de = serde_json::Deserializer::from_str(json);
    let value = T::deserialize(Tee { de: &mut de, state })?;
    de.end()?;
    Ok(value)
}

struct Tee<'a, 'de, 'r> {
    de: &'a mut serde_json::Deserializer<serde_json::de::StrRead<'de>>,
    state: &'a mut TeeState<'de, 'r>,
}

impl<'de> Deserializer<'de> for Tee<'_, 'de, '_> {
    type Error = serde_json::Error;

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Self::Error> {
        self.de.deserialize_map(TeeVisitor {
            visitor,
            state: self.state,
        })
    }

    serde::forward_to_deserialize_any! {
        bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string bytes byte_buf
        option unit unit_struct newtype_struct seq tuple tuple_struct map struct enum
        identifier ignored_any
    }
}

struct TeeVisitor<'a, 'de, 'r, V> {
    visitor: V,
    state: &'a mut TeeState<'de, 'r>,
}

impl<'de, V: Visitor<'de>> Visitor<'de> for TeeVisitor<'_, 'de, '_, V> {
    type Value = V::Value;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.visitor.expecting(f)
    }

    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Self::Value, A::Error> {
        self.visitor.visit_map(TeeMap {
            map,
            state: self.state,
        })
    }
}

struct TeeMap<'a, 'de, 'r, A> {
    map: A,
    state: &'a mut TeeState<'de, 'r>,
}

impl<'de, A: MapAccess<'de>> MapAccess<'de> for TeeMap<'_, 'de, '_, A> {
    type Error = A::Error;

    fn next_key_seed<K: DeserializeSeed<'de>>(
        &mut self,
        seed: K,
    ) -> Result<Option<K::Value>, A::Error> {
        let Some(BorrowedStr(name)) = self.map.next_key()? else {
            self.state.finished = true;
            return Ok(None);
        };
        self.state.current = Registered::of(&name);
        self.state.current_required = self.state.required.iter().position(|r| *r == name);
        self.state.current_capture = self.state.captures.iter().position(|c| *c == name);
        let key = match &name {
            Cow::Borrowed(s) => {
                seed.deserialize(de::value::BorrowedStrDeserializer::<A::Error>::new(s))
            }
            Cow::Owned(s) => seed.deserialize(de::value::StrDeserializer::<A::Error>::new(s)),
        }?;
        if !self.state.seen.insert(name) {
            self.state.failure = Some(ErrorKind::Malformed(
                "the claims have a duplicate member name",
            ));
            return Err(de::Error::custom("duplicate member name"));
        }
        Ok(Some(key))
    }

    fn next_value_seed<S: DeserializeSeed<'de>>(&mut self, seed: S) -> Result<S::Value, A::Error> {
        let current = std::mem::replace(&mut self.state.current, Registered::Other);
        let required = self.state.current_required.take();
        let capture = self.state.current_capture.take();
        if current == Registered::Other && required.is_none() && capture.is_none() {
            return self.map.next_value_seed(seed);
        }
        if matches!(
            current,
            Registered::Other | Registered::Sid | Registered::Type
        ) {
            // A required custom claim, one a claim rule looks at, `sid` (kept as text for the
            // revocation check) or `type` (a refresh token's mark): read its text (to see
            // whether it is `null`, to keep it for the rule), then hand on.
            let raw: &'de serde_json::value::RawValue = self.map.next_value()?;
            if let Some(i) = required
                && raw.get() != "null"
            {
                self.state.claims.required_present |= 1 << i;
            }
            if let Some(slot) = capture.and_then(|i| self.state.claims.captured.get_mut(i)) {
                *slot = Some(raw);
            }
            match current {
                Registered::Sid => self.state.claims.sid = Some(raw),
                Registered::Type => self.state.claims.refresh_type = raw.get() == "\"refresh\"",
                _ => {}
            }
            return seed.deserialize(raw).map_err(de::Error::custom);
        }
        // A registered claim: read it once as its typed value, record it, and hand the same
        // value to the caller's type.
        if let Some(i) = required {
            self.state.claims.required_present |= 1 << i;
        }
        let invalid = |state: &mut TeeState<'de, '_>| {
            state.failure = Some(ErrorKind::InvalidClaim(current.name().into()));
            de::Error::custom("invalid registered claim")
        };
        match current {
            Registered::Exp | Registered::Nbf | Registered::Iat => {
                let Ok(number) = self.map.next_value::<Number>() else {
                    return Err(invalid(self.state));
                };
                let Some(seconds) = number.seconds(current != Registered::Exp) else {
                    return Err(invalid(self.state));
                };
                if current != Registered::Nbf {
                    self.state.claims.fractional_dates |= number.is_fractional();
                }
                if current == Registered::Iat {
                    self.state.claims.iat_fractional = number.is_fractional();
                }
                let slot = match current {
                    Registered::Exp => &mut self.state.claims.exp,
                    Registered::Nbf => &mut self.state.claims.nbf,
                    _ => &mut self.state.claims.iat,
                };
                *slot = Some(seconds);
                match number {
                    Number::Int(i) => {
                        seed.deserialize(Fed(de::value::I64Deserializer::<A::Error>::new(i)))
                    }
                    Number::Float(f) => {
                        seed.deserialize(Fed(de::value::F64Deserializer::<A::Error>::new(f)))
                    }
                }
            }
            Registered::Aud => {
                let Ok(aud) = self.map.next_value::<RawAudience<'de>>() else {
                    return Err(invalid(self.state));
                };
                let value = match &aud {
                    RawAudience::One(s) => seed.deserialize(Fed(str_deserializer::<A::Error>(s))),
                    RawAudience::Many(all) => {
                        seed.deserialize(Fed(de::value::SeqDeserializer::<_, A::Error>::new(
                            all.iter().map(|s| s.as_ref()),
                        )))
                    }
                };
                self.state.claims.aud = Some(aud);
                value
            }
            _ => {
                let Ok(BorrowedStr(text)) = self.map.next_value::<BorrowedStr<'de>>() else {
                    return Err(invalid(self.state));
                };
                let value = seed.deserialize(Fed(str_deserializer::<A::Error>(&text)));
                match current {
                    Registered::Iss => self.state.claims.iss = Some(text),
                    Registered::Sub => self.state.claims.sub = Some(text),
                    Registered::Jti => self.state.claims.jti = Some(text),
                    _ => {}
                }
                value
            }
        }
    }
}

/// A value read from JSON, handed to the caller's type as serde_json would hand it: a present
/// value is `Some` for an `Option`, and newtype structs see `visit_newtype_struct`.
struct Fed<D>(D);

impl<'de, D: Deserializer<'de>> Deserializer<'de> for Fed<D> {
    type Error = D::Error;

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, D::Error> {
        self.0.deserialize_any(visitor)
    }

    fn deserialize_option<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, D::Error> {
        visitor.visit_some(self)
    }

    fn deserialize_newtype_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        visitor: V,
    ) -> Result<V::Value, D::Error> {
        visitor.visit_newtype_struct(self)
    }

    fn deserialize_enum<V: Visitor<'de>>(
        self,
        name: &'static str,
        variants: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, D::Error> {
        self.0.deserialize_enum(name, variants, visitor)
    }

    serde::forward_to_deserialize_any! {
        bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string bytes byte_buf
        unit unit_struct seq tuple tuple_struct map struct identifier ignored_any
    }
}

/// A borrowed string keeps its `'de` lifetime for the caller's type; an unescaped copy does not.
enum CowStrDeserializer<'a, 'de, E> {
    Borrowed(de::value::BorrowedStrDeserializer<'de, E>),
    Owned(de::value::StrDeserializer<'a, E>),
}

fn str_deserializer<'a, 'de, E: de::Error>(s: &'a Cow<'de, str>) -> CowStrDeserializer<'a, 'de, E> {
    match s {
        Cow::Borrowed(b) => {
            CowStrDeserializer::Borrowed(de::value::BorrowedStrDeserializer::new(b))
        }
        Cow::Owned(o) => CowStrDeserializer::Owned(de::value::StrDeserializer::new(o)),
    }
}

impl<'de, E: de::Error> Deserializer<'de> for CowStrDeserializer<'_, 'de, E> {
    type Error = E;

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, E> {
        match self {
            CowStrDeserializer::Borrowed(d) => d.deserialize_any(visitor),
            CowStrDeserializer::Owned(d) => d.deserialize_any(visitor),
        }
    }

    fn deserialize_enum<V: Visitor<'de>>(
        self,
        name: &'static str,
        variants: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, E> {
        match self {
            CowStrDeserializer::Borrowed(d) => d.deserialize_enum(name, variants, visitor),
            CowStrDeserializer::Owned(d) => d.deserialize_enum(name, variants, visitor),
        }
    }

    serde::forward_to_deserialize_any! {
        bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string bytes byte_buf
        option unit unit_struct newtype_struct seq tuple tuple_struct map struct
        identifier ignored_any
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Deserialize)]
    struct Subject {
        sub: String,
    }

    /// Reads only the first member, then stops.
    struct First;

    impl<'de> Deserialize<'de> for First {
        fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
            struct V;
            impl<'de> Visitor<'de> for V {
                type Value = First;
                fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                    f.write_str("an object")
                }
                fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<First, A::Error> {
                    map.next_entry::<de::IgnoredAny, de::IgnoredAny>()?;
                    Ok(First)
                }
            }
            deserializer.deserialize_map(V)
        }
    }

    #[test]
    fn one_pass_fills_the_type_and_records_the_registered_claims() {
        let required = ["role".to_owned(), "sub".to_owned()];
        let mut state = TeeState::new(&required);
        let json = r#"{"sub":"ada","exp":1700000000.5,"aud":["a","b"],"role":null,"x":{}}"#;
        let parsed = deserialize_tee::<Subject>(json, &mut state).map(|c| c.sub);
        assert_eq!(parsed.ok().as_deref(), Some("ada"));
        assert!(state.finished);
        assert_eq!(state.failure, None);
        assert_eq!(state.claims.exp, Some(1_700_000_000));
        assert_eq!(state.claims.sub.as_deref(), Some("ada"));
        let aud: Option<Vec<&str>> = state.claims.aud.as_ref().map(|a| a.iter().collect());
        assert_eq!(aud, Some(vec!["a", "b"]));
        // `role` is null, `sub` present.
        assert_eq!(state.claims.required_present, 0b10);
    }

    #[test]
    fn what_it_decides_and_what_it_leaves_to_the_strict_path() {
        let run = |json: &'static [u8], first: bool| {
            let json = std::str::from_utf8(json).unwrap();
            let mut state = TeeState::new(&[]);
            let ok = if first {
                deserialize_tee::<First>(json, &mut state).is_ok()
            } else {
                deserialize_tee::<Subject>(json, &mut state).is_ok()
            };
            (ok, state.finished, state.failure)
        };
        // Rules the pass enforces itself: reported as they are.
        assert_eq!(
            run(br#"{"sub":"a","sub":"b"}"#, false),
            (
                false,
                false,
                Some(ErrorKind::Malformed(
                    "the claims have a duplicate member name"
                ))
            )
        );
        assert_eq!(
            run(br#"{"exp":"soon","sub":"a"}"#, false),
            (false, false, Some(ErrorKind::InvalidClaim("exp".into())))
        );
        // The type rejects the claims after reading them all: the strict path decides.
        assert_eq!(run(br#"{"exp":1}"#, false), (false, true, None));
        // The type stops early: not every member was seen, the strict path decides.
        assert_eq!(run(br#"{"a":1,"exp":"soon"}"#, true), (false, false, None));
    }
}
