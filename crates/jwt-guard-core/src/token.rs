//! Parsing of the compact serialization, the JOSE header and the registered claims, in one pass
//! each, rejecting duplicate member names (which serde's maps would silently overwrite).

use std::borrow::Cow;
use std::collections::HashSet;
use std::fmt;
use std::sync::Arc;

use serde::de::{self, DeserializeSeed, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde::{Deserialize, Serialize};

use crate::algorithm::Algorithm;
use crate::error::{Error, ErrorKind, Result};

/// The three base64url parts of a compact JWS, still encoded.
#[derive(Clone, Copy)]
pub(crate) struct Compact<'a> {
    pub(crate) header: &'a str,
    pub(crate) payload: &'a str,
    pub(crate) signature: &'a str,
    /// `header || '.' || payload`, the JWS signing input.
    pub(crate) signing_input: &'a [u8],
}

pub(crate) fn split(token: &str) -> Result<Compact<'_>> {
    let malformed = || {
        Error::new(ErrorKind::Malformed(
            "a JWT has exactly three dot-separated parts",
        ))
    };
    let (header, rest) = token.split_once('.').ok_or_else(malformed)?;
    let (payload, signature) = rest.split_once('.').ok_or_else(malformed)?;
    if signature.contains('.') {
        return Err(malformed());
    }
    let signing_len = header.len() + 1 + payload.len();
    let signing_input = token.as_bytes().get(..signing_len).ok_or_else(malformed)?;
    Ok(Compact {
        header,
        payload,
        signature,
        signing_input,
    })
}

/// A borrowed-when-possible string (serde's `Cow` impl always allocates).
struct BorrowedStr<'de>(Cow<'de, str>);

impl<'de> Deserialize<'de> for BorrowedStr<'de> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = BorrowedStr<'de>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a string")
            }
            fn visit_borrowed_str<E: de::Error>(self, v: &'de str) -> Result<Self::Value, E> {
                Ok(BorrowedStr(Cow::Borrowed(v)))
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
                Ok(BorrowedStr(Cow::Owned(v.to_owned())))
            }
            fn visit_string<E: de::Error>(self, v: String) -> Result<Self::Value, E> {
                Ok(BorrowedStr(Cow::Owned(v)))
            }
        }
        deserializer.deserialize_str(V)
    }
}

/// Member names seen so far in one object: eight inline (with a 64-bit fingerprint each, so a
/// new name is string-compared only against a name with the same fingerprint), then a hash set
/// (so a 16 KiB object of tiny members stays linear and a small one does not allocate).
pub(crate) struct SeenNames<'de> {
    len: usize,
    fingerprints: [u64; 8],
    inline: [Cow<'de, str>; 8],
    large: Option<HashSet<Cow<'de, str>>>,
}

impl Default for SeenNames<'_> {
    fn default() -> Self {
        SeenNames {
            len: 0,
            fingerprints: [0; 8],
            inline: [const { Cow::Borrowed("") }; 8],
            large: None,
        }
    }
}

/// FNV-1a over a member name's bytes (names are short; this is cheaper than a string compare).
fn name_fingerprint(name: &str) -> u64 {
    name.bytes().fold(0xcbf2_9ce4_8422_2325_u64, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
    })
}

/// A 64-bit fingerprint of a header segment (tens of bytes), eight bytes per
/// step (FxHash's multiplier). Not collision-resistant: it only decides which entries are worth a
/// full comparison, so a collision costs a string compare, never a wrong answer.
pub(crate) fn fingerprint(bytes: &[u8]) -> u64 {
    const K: u64 = 0x517c_c1b7_2722_0a95;
    let step = |h: u64, word: u64| (h.rotate_left(5) ^ word).wrapping_mul(K);
    let mut h = step(0, bytes.len() as u64);
    let mut chunks = bytes.chunks_exact(8);
    for chunk in &mut chunks {
        let mut word = [0u8; 8];
        word.copy_from_slice(chunk);
        h = step(h, u64::from_le_bytes(word));
    }
    let rest = chunks.remainder();
    if !rest.is_empty() {
        let mut word = [0u8; 8];
        if let Some(head) = word.get_mut(..rest.len()) {
            head.copy_from_slice(rest);
        }
        h = step(h, u64::from_le_bytes(word));
    }
    // The multiply leaves the low bits weakly mixed; fold the high half in.
    h ^ (h >> 32)
}

impl<'de> SeenNames<'de> {
    /// `false` if `name` was already seen.
    pub(crate) fn insert(&mut self, name: Cow<'de, str>) -> bool {
        if let Some(large) = &mut self.large {
            return large.insert(name);
        }
        let print = name_fingerprint(&name);
        let used = self.fingerprints.get(..self.len).unwrap_or_default();
        for (i, seen) in used.iter().enumerate() {
            if *seen == print && self.inline.get(i).is_some_and(|n| *n == name) {
                return false;
            }
        }
        if let (Some(slot), Some(fp)) = (
            self.inline.get_mut(self.len),
            self.fingerprints.get_mut(self.len),
        ) {
            *slot = name;
            *fp = print;
            self.len += 1;
        } else {
            let mut large: HashSet<Cow<'de, str>> =
                self.inline.iter_mut().map(std::mem::take).collect();
            large.insert(name);
            self.large = Some(large);
        }
        true
    }
}

/// The JOSE header of a verified token. Cheap to clone (shared strings).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Header {
    /// The algorithm the token was verified with.
    pub alg: Algorithm,
    /// The key id, if the token named one.
    pub kid: Option<Arc<str>>,
    /// The media type (`typ`), if present.
    pub typ: Option<Arc<str>>,
    /// The content type (`cty`), if present.
    pub cty: Option<Arc<str>>,
}

/// The header as read, before the algorithm is checked.
pub(crate) struct RawHeader<'de> {
    pub(crate) alg: Option<Cow<'de, str>>,
    pub(crate) kid: Option<Cow<'de, str>>,
    pub(crate) typ: Option<Cow<'de, str>>,
    pub(crate) cty: Option<Cow<'de, str>>,
    pub(crate) crit: Option<Vec<Cow<'de, str>>>,
    pub(crate) b64: Option<bool>,
}

struct Slot<'s>(&'s mut Option<ErrorKind>);

impl Slot<'_> {
    fn fail<E: de::Error>(&mut self, kind: ErrorKind) -> E {
        *self.0 = Some(kind);
        E::custom("rejected")
    }
}

struct HeaderSeed<'s>(Slot<'s>);

impl<'de> DeserializeSeed<'de> for HeaderSeed<'_> {
    type Value = RawHeader<'de>;
    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Self::Value, D::Error> {
        deserializer.deserialize_map(self)
    }
}

impl<'de> Visitor<'de> for HeaderSeed<'_> {
    type Value = RawHeader<'de>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JOSE header object")
    }

    fn visit_map<A: MapAccess<'de>>(mut self, mut map: A) -> Result<Self::Value, A::Error> {
        let mut seen = SeenNames::default();
        let mut header = RawHeader {
            alg: None,
            kid: None,
            typ: None,
            cty: None,
            crit: None,
            b64: None,
        };
        while let Some(BorrowedStr(name)) = map.next_key()? {
            let value_error = |slot: &mut Slot<'_>| {
                slot.fail::<A::Error>(ErrorKind::Malformed("a header member has the wrong type"))
            };
            match name.as_ref() {
                "alg" => {
                    header.alg = Some(
                        map.next_value::<BorrowedStr<'de>>()
                            .map_err(|_| value_error(&mut self.0))?
                            .0,
                    )
                }
                "kid" => {
                    header.kid = Some(
                        map.next_value::<BorrowedStr<'de>>()
                            .map_err(|_| value_error(&mut self.0))?
                            .0,
                    )
                }
                "typ" => {
                    header.typ = Some(
                        map.next_value::<BorrowedStr<'de>>()
                            .map_err(|_| value_error(&mut self.0))?
                            .0,
                    )
                }
                "cty" => {
                    header.cty = Some(
                        map.next_value::<BorrowedStr<'de>>()
                            .map_err(|_| value_error(&mut self.0))?
                            .0,
                    )
                }
                "crit" => {
                    let crit = map
                        .next_value::<Vec<BorrowedStr<'de>>>()
                        .map_err(|_| value_error(&mut self.0))?;
                    header.crit = Some(crit.into_iter().map(|s| s.0).collect());
                }
                "b64" => {
                    header.b64 = Some(
                        map.next_value::<bool>()
                            .map_err(|_| value_error(&mut self.0))?,
                    )
                }
                // `jku`, `x5u`, `jwk`, `x5c` and everything else: never used to find a key.
                _ => {
                    map.next_value::<IgnoredAny>()?;
                }
            }
            if !seen.insert(name) {
                return Err(self.0.fail(ErrorKind::Malformed(
                    "the header has a duplicate member name",
                )));
            }
        }
        Ok(header)
    }
}

pub(crate) fn parse_header(json: &[u8]) -> Result<RawHeader<'_>> {
    let mut slot = None;
    let mut de = serde_json::Deserializer::from_slice(json);
    let parsed = HeaderSeed(Slot(&mut slot))
        .deserialize(&mut de)
        .and_then(|h| de.end().map(|()| h));
    parsed.map_err(|e| match slot {
        Some(kind) => Error::new(kind),
        None if e.is_data() => Error::new(ErrorKind::Malformed("the header is not a JSON object")),
        None => Error::with_source(ErrorKind::Malformed("the header is not valid JSON"), e),
    })
}

/// A JSON number read as a NumericDate (RFC 7519 §2).
#[derive(Clone, Copy)]
enum Number {
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
    /// Whole seconds, rounding fractions toward the stricter side for the caller.
    fn seconds(self, round_up: bool) -> Option<i64> {
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
    /// Bit `i` set: `required[i]` is present and not null.
    pub(crate) required_present: u64,
}

struct ClaimsSeed<'s, 'r> {
    slot: Slot<'s>,
    required: &'r [String],
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
            iss: None,
            sub: None,
            aud: None,
            exp: None,
            nbf: None,
            iat: None,
            required_present: 0,
        };
        while let Some(BorrowedStr(name)) = map.next_key()? {
            let present = match name.as_ref() {
                "exp" => {
                    claims.exp = Some(read_date(&mut map, &mut self.slot, "exp", false)?);
                    true
                }
                "nbf" => {
                    claims.nbf = Some(read_date(&mut map, &mut self.slot, "nbf", true)?);
                    true
                }
                "iat" => {
                    claims.iat = Some(read_date(&mut map, &mut self.slot, "iat", true)?);
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
                    read_str(&mut map, &mut self.slot, "jti")?;
                    true
                }
                "aud" => {
                    claims.aud = Some(map.next_value::<RawAudience<'de>>().map_err(|_| {
                        self.slot
                            .fail::<A::Error>(ErrorKind::InvalidClaim("aud".into()))
                    })?);
                    true
                }
                _ => map.next_value::<Option<IgnoredAny>>()?.is_some(),
            };
            if present && let Some(i) = self.required.iter().position(|r| *r == name) {
                claims.required_present |= 1 << i;
            }
            if !seen.insert(name) {
                return Err(self.slot.fail(ErrorKind::Malformed(
                    "the claims have a duplicate member name",
                )));
            }
        }
        Ok(claims)
    }
}

fn read_date<'de, A: MapAccess<'de>>(
    map: &mut A,
    slot: &mut Slot<'_>,
    name: &'static str,
    round_up: bool,
) -> Result<i64, A::Error> {
    map.next_value::<Number>()
        .ok()
        .and_then(|n| n.seconds(round_up))
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
    let mut slot = None;
    let mut de = serde_json::Deserializer::from_slice(json);
    let parsed = ClaimsSeed {
        slot: Slot(&mut slot),
        required,
    }
    .deserialize(&mut de)
    .and_then(|c| de.end().map(|()| c));
    parsed.map_err(|e| match slot {
        Some(kind) => Error::new(kind),
        None if e.is_data() => Error::new(ErrorKind::Malformed("the payload is not a JSON object")),
        None => Error::with_source(ErrorKind::Malformed("the payload is not valid JSON"), e),
    })
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
            Registered::Other => "",
        }
    }
}

/// What the single pass learned besides the caller's claims type.
pub(crate) struct TeeState<'de, 'r> {
    pub(crate) claims: RawClaims<'de>,
    seen: SeenNames<'de>,
    required: &'r [String],
    current: Registered,
    current_required: Option<usize>,
    /// The whole object was read (the caller's type did not stop early).
    pub(crate) finished: bool,
    /// A rule the pass enforced itself (duplicate member, wrong-typed registered claim).
    pub(crate) failure: Option<ErrorKind>,
}

impl<'r> TeeState<'_, 'r> {
    pub(crate) fn new(required: &'r [String]) -> Self {
        TeeState {
            claims: RawClaims::default(),
            seen: SeenNames::default(),
            required,
            current: Registered::Other,
            current_required: None,
            finished: false,
            failure: None,
        }
    }
}

/// Deserializes the caller's claims type from the claims object while recording, in the same
/// pass, the registered claims, required-claim presence and duplicate member names.
pub(crate) fn deserialize_tee<'de, T: Deserialize<'de>>(
    json: &'de [u8],
    state: &mut TeeState<'de, '_>,
) -> Result<T, serde_json::Error> {
    let mut de = serde_json::Deserializer::from_slice(json);
    let value = T::deserialize(Tee { de: &mut de, state })?;
    de.end()?;
    Ok(value)
}

struct Tee<'a, 'de, 'r> {
    de: &'a mut serde_json::Deserializer<serde_json::de::SliceRead<'de>>,
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
        if current == Registered::Other && required.is_none() {
            return self.map.next_value_seed(seed);
        }
        if current == Registered::Other {
            // A required custom claim: read its text to see whether it is `null`, then hand on.
            let raw: &'de serde_json::value::RawValue = self.map.next_value()?;
            if let Some(i) = required
                && raw.get() != "null"
            {
                self.state.claims.required_present |= 1 << i;
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
    fn split_needs_exactly_three_parts() {
        assert!(split("a.b.c").is_ok());
        assert!(split("a.b..").is_err());
        assert!(split("a.b").is_err());
        assert!(split("abc").is_err());
        let c = split("h.p.s").ok();
        assert_eq!(c.map(|c| c.signing_input), Some(&b"h.p"[..]));
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
    fn header_rules() {
        assert!(parse_header(br#"{"alg":"HS256","alg":"none"}"#).is_err());
        assert!(parse_header(br#"{"alg":1}"#).is_err());
        assert!(parse_header(br#"["alg"]"#).is_err());
        let h = parse_header(
            br#"{"alg":"HS256","kid":"k","crit":["exp"],"b64":false,"jku":"https://x"}"#,
        )
        .ok();
        assert!(h.is_some_and(|h| h.kid.as_deref() == Some("k")
            && h.b64 == Some(false)
            && h.crit.is_some()));
    }

    #[test]
    fn registered_claims_deserialize_strictly() {
        let c: Result<RegisteredClaims, _> = serde_json::from_str(r#"{"exp":1.9,"aud":["a","b"]}"#);
        assert_eq!(c.ok().and_then(|c| c.exp), Some(1));
        assert!(serde_json::from_str::<RegisteredClaims>(r#"{"exp":"1"}"#).is_err());
        assert!(serde_json::from_str::<RegisteredClaims>(r#"{"exp":null}"#).is_err());
    }
}
