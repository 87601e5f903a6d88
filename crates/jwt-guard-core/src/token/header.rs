//! The JOSE header: read in one pass into borrowed strings, duplicate member names refused, and
//! nothing used to find a key but `kid`.

use std::borrow::Cow;
use std::fmt;
use std::sync::Arc;

use serde::de::{DeserializeSeed, Deserializer, IgnoredAny, MapAccess, Visitor};

use crate::algorithm::Algorithm;
use crate::error::{Error, ErrorKind, Result};
use crate::token::json::{BorrowedStr, SeenNames, Slot, syntax_first};

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
    // serde_json skips an ignored string without checking its bytes: check them all first
    // (RFC 7515 §5.2, "a completely valid JSON object" in UTF-8; found by fuzzing).
    if std::str::from_utf8(json).is_err() {
        return Err(Error::new(ErrorKind::Malformed(
            "the header is not valid JSON",
        )));
    }
    let mut slot = None;
    let mut de = serde_json::Deserializer::from_slice(json);
    let parsed = HeaderSeed(Slot(&mut slot))
        .deserialize(&mut de)
        .and_then(|h| de.end().map(|()| h));
    parsed.map_err(|e| match slot {
        Some(kind) => Error::new(syntax_first(json, kind, "the header is not valid JSON")),
        None if e.is_data() => Error::new(ErrorKind::Malformed("the header is not a JSON object")),
        None => Error::with_source(ErrorKind::Malformed("the header is not valid JSON"), e),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

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
}
