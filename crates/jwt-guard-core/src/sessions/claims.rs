//! The claim sets of issued tokens as they are written, and the caller's claims spliced in.

use super::*;

/// `aud` as written: one string, or an array for several.
pub(super) struct AudOut<'a>(pub(super) &'a [String]);

impl Serialize for AudOut<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        match self.0 {
            [one] => s.serialize_str(one),
            many => many.serialize(s),
        }
    }
}

/// `fresh`: a bool, or the NumericDate until which the login counts as fresh.
#[derive(Serialize)]
#[serde(untagged)]
pub(super) enum Fresh {
    Flag(bool),
    Until(i64),
}

#[derive(Serialize)]
pub(super) struct AccessOut<'a> {
    pub(super) iss: &'a str,
    pub(super) sub: &'a str,
    pub(super) aud: AudOut<'a>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(super) client_id: Option<&'a str>,
    pub(super) exp: i64,
    pub(super) iat: i64,
    pub(super) nbf: i64,
    pub(super) jti: &'a str,
    pub(super) sid: &'a str,
    pub(super) fresh: Fresh,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(super) csrf: Option<&'a str>,
}

#[derive(Serialize)]
pub(super) struct RefreshOut<'a> {
    pub(super) iss: &'a str,
    pub(super) aud: AudOut<'a>,
    pub(super) sub: &'a str,
    pub(super) iat: i64,
    pub(super) exp: i64,
    pub(super) jti: &'a str,
    pub(super) sid: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(super) csrf: Option<&'a str>,
}

/// The CSRF values of a pair issued for cookies ([`cookies`]): one for the access token, one
/// for the refresh token.
#[derive(Clone, Copy)]
pub(crate) struct PairCsrf<'a> {
    pub(crate) access: &'a str,
    pub(crate) refresh: &'a str,
}

/// What redemption reads from a verified refresh token.
#[derive(Deserialize)]
pub(super) struct RefreshIn<'a> {
    #[serde(borrow)]
    pub(super) sub: std::borrow::Cow<'a, str>,
    #[serde(borrow)]
    pub(super) sid: std::borrow::Cow<'a, str>,
    #[serde(borrow)]
    pub(super) jti: std::borrow::Cow<'a, str>,
    pub(super) exp: i64,
    #[serde(default)]
    pub(super) iat: Option<i64>,
}

/// `registered` (a serialized object) with the caller's `claims` (which must serialize to an
/// object) spliced in before its `}`, in one buffer. A name the issuer sets is refused (never
/// overwritten, never sent twice).
pub(super) fn with_claims<C: Serialize + ?Sized>(mut json: Vec<u8>, claims: &C) -> Result<Vec<u8>> {
    let serialization = |e: serde_json::Error| {
        Error::with_source(ErrorKind::Signing("claims serialization".into()), e)
    };
    let not_object = || {
        Error::new(ErrorKind::Signing(
            "the caller's claims must serialize to a JSON object".into(),
        ))
    };
    if json.pop() != Some(b'}') {
        return Err(not_object());
    }
    let mark = json.len();
    serde_json::to_writer(&mut json, claims).map_err(serialization)?;
    let extra = json.get(mark..).ok_or_else(not_object)?;
    if extra.first() != Some(&b'{') || extra.last() != Some(&b'}') {
        return Err(not_object());
    }
    if extra == b"{}" {
        json.truncate(mark);
        json.push(b'}');
        return Ok(json);
    }
    struct Names;
    impl<'de> Visitor<'de> for Names {
        type Value = Option<String>;
        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("an object")
        }
        fn visit_map<A: MapAccess<'de>>(
            self,
            mut map: A,
        ) -> std::result::Result<Option<String>, A::Error> {
            let mut reserved = None;
            while let Some(name) = map.next_key::<std::borrow::Cow<'de, str>>()? {
                map.next_value::<IgnoredAny>()?;
                if reserved.is_none() && RESERVED_CLAIMS.contains(&name.as_ref()) {
                    reserved = Some(name.into_owned());
                }
            }
            Ok(reserved)
        }
    }
    let mut de = serde_json::Deserializer::from_slice(extra);
    let reserved = serde::Deserializer::deserialize_map(&mut de, Names).map_err(serialization)?;
    if let Some(name) = reserved {
        return Err(Error::new(ErrorKind::Signing(
            format!("the claim `{name}` is set by the issuer and cannot be given").into(),
        )));
    }
    // `...,"x":1` + `{"a":2}` becomes `...,"x":1,"a":2}`.
    if let Some(brace) = json.get_mut(mark) {
        *brace = b',';
    }
    Ok(json)
}

/// Serializing the two claim structs through one closure.
pub(in crate::sessions) mod erased {
    use crate::error::{Error, ErrorKind, Result};

    pub(in crate::sessions) trait Json {
        fn to_vec(&self) -> Result<Vec<u8>>;
    }

    impl<T: serde::Serialize> Json for T {
        fn to_vec(&self) -> Result<Vec<u8>> {
            serde_json::to_vec(self).map_err(|e| {
                Error::with_source(ErrorKind::Signing("claims serialization".into()), e)
            })
        }
    }
}
