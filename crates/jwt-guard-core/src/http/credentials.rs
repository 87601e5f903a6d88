//! Credential syntax (RFC 6750 §2): `Authorization: Bearer`, cookies, the query parameter,
//! `b64token`.

use std::borrow::Cow;

use crate::error::Result;
use crate::http::*;

/// RFC 9110 `token` (header names, cookie names): `1*tchar`.
pub(crate) fn is_token(s: &str) -> bool {
    !s.is_empty()
        && s.bytes().all(|b| {
            b.is_ascii_alphanumeric()
                || matches!(
                    b,
                    b'!' | b'#'
                        | b'$'
                        | b'%'
                        | b'&'
                        | b'\''
                        | b'*'
                        | b'+'
                        | b'-'
                        | b'.'
                        | b'^'
                        | b'_'
                        | b'`'
                        | b'|'
                        | b'~'
                )
        })
}

pub(super) fn trim_ows(mut s: &[u8]) -> &[u8] {
    while let [b' ' | b'\t', rest @ ..] = s {
        s = rest;
    }
    while let [rest @ .., b' ' | b'\t'] = s {
        s = rest;
    }
    s
}

/// Whether every byte is `ALPHA / DIGIT / "-" / "." / "_" / "~" / "+" / "/"`. Branch-free
/// over the whole slice, so the compiler checks it a vector at a time, and with as few vector
/// operations as the set allows: `-./0-9` is one range (0x2D..=0x39), letters one range once
/// case is folded, then `+`, `_` and `~`. Reading `Bearer <591-byte token>` costs about 1,300
/// instructions (was 1,640 with six separate symbol tests, 7,000 byte by byte; issue 16). A bad
/// byte is found at the same cost, so timing tells nothing about where it is.
fn all_b64token_chars(body: &[u8]) -> bool {
    let mut bad = 0u8;
    for &b in body {
        let alpha = (b | 0x20).wrapping_sub(b'a') < 26;
        let dash_to_nine = b.wrapping_sub(b'-') <= b'9' - b'-';
        let symbol = (b == b'+') | (b == b'_') | (b == b'~');
        bad |= u8::from(!(alpha | dash_to_nine | symbol));
    }
    bad == 0
}

/// RFC 6750 §2.1 `b64token = 1*( ALPHA / DIGIT / "-" / "." / "_" / "~" / "+" / "/" ) *"="`.
pub(super) fn b64token(bytes: &[u8]) -> Result<&str, InvalidRequest> {
    if bytes.is_empty() {
        return Err(InvalidRequest::EmptyToken);
    }
    let body_len = bytes.len() - bytes.iter().rev().take_while(|b| **b == b'=').count();
    let (body, _padding) = bytes
        .split_at_checked(body_len)
        .ok_or(InvalidRequest::InvalidSyntax)?;
    let ok = !body.is_empty() && all_b64token_chars(body);
    if !ok {
        return Err(InvalidRequest::InvalidSyntax);
    }
    std::str::from_utf8(bytes).map_err(|_| InvalidRequest::InvalidSyntax)
}

/// A token as found in a request, before its RFC 6750 syntax check
/// ([`TokenLocations::find`](crate::http::TokenLocations)): what [`BearerGuard::admit`]
/// looks up in the verified-token cache, whose tokens all passed that check, so a hit skips it.
///
/// [`BearerGuard::admit`]: crate::__private::BearerGuard::admit
pub(crate) struct RawToken<'r> {
    bytes: Cow<'r, [u8]>,
    location: TokenLocation,
}

impl<'r> RawToken<'r> {
    /// The token's bytes, unchecked.
    pub(crate) fn bytes(&self) -> &[u8] {
        &self.bytes
    }

    /// Where it was found.
    pub(crate) fn location(&self) -> TokenLocation {
        self.location
    }

    /// The RFC 6750 syntax check (`b64token`): the token, or the request's fault.
    pub(crate) fn check(self) -> Result<BearerToken<'r>, InvalidRequest> {
        let token = match self.bytes {
            Cow::Borrowed(bytes) => Cow::Borrowed(b64token(bytes)?),
            Cow::Owned(bytes) => {
                b64token(&bytes)?;
                Cow::Owned(String::from_utf8(bytes).map_err(|_| InvalidRequest::InvalidSyntax)?)
            }
        };
        Ok(BearerToken {
            token,
            location: self.location,
        })
    }
}

impl<'r> From<BearerToken<'r>> for RawToken<'r> {
    fn from(token: BearerToken<'r>) -> RawToken<'r> {
        RawToken {
            bytes: match token.token {
                Cow::Borrowed(text) => Cow::Borrowed(text.as_bytes()),
                Cow::Owned(text) => Cow::Owned(text.into_bytes()),
            },
            location: token.location,
        }
    }
}

/// Splits `Bearer <token>`: `Ok(None)` for another scheme (or an empty value); the token
/// unchecked.
fn bearer_credentials(value: &[u8]) -> Result<Option<&[u8]>, InvalidRequest> {
    let value = trim_ows(value);
    let (scheme, rest) = match value.iter().position(|b| *b == b' ') {
        Some(i) => value.split_at_checked(i).unwrap_or((value, &[])),
        None => (value, &[][..]),
    };
    if !scheme.eq_ignore_ascii_case(b"bearer") {
        return Ok(None);
    }
    let token = trim_ows(rest);
    if token.is_empty() {
        return Err(InvalidRequest::EmptyBearer);
    }
    Ok(Some(token))
}

/// The token in a header's `values`, passed to `found_as` (which checks its syntax, or not:
/// [`TokenLocations::find`](crate::http::TokenLocations)); the same for the cookie and the
/// query parameter below.
pub(super) fn header_token<'r, T>(
    values: impl Iterator<Item = &'r [u8]>,
    bearer_scheme: bool,
    found_as: impl Fn(RawToken<'r>) -> Result<T, InvalidRequest>,
) -> Result<Option<T>, InvalidRequest> {
    let mut found = None;
    for value in values {
        let bytes = if bearer_scheme {
            match bearer_credentials(value)? {
                Some(token) => token,
                None => continue,
            }
        } else {
            let value = trim_ows(value);
            match value.split_at_checked(7) {
                Some((prefix, rest)) if prefix.eq_ignore_ascii_case(b"bearer ") => trim_ows(rest),
                _ => value,
            }
        };
        let token = found_as(RawToken {
            bytes: Cow::Borrowed(bytes),
            location: TokenLocation::Header,
        })?;
        if found.is_some() {
            return Err(InvalidRequest::Repeated);
        }
        found = Some(token);
    }
    Ok(found)
}

pub(super) fn cookie_token<'r, R: TokenSource + ?Sized, T>(
    request: &'r R,
    name: &str,
    found_as: impl Fn(RawToken<'r>) -> Result<T, InvalidRequest>,
) -> Result<Option<T>, InvalidRequest> {
    let mut found = None;
    for header in request.header_values_named(&::http::header::COOKIE) {
        for pair in header.split(|b| *b == b';') {
            let pair = trim_ows(pair);
            let Some(eq) = pair.iter().position(|b| *b == b'=') else {
                continue;
            };
            let (cookie_name, value) = pair.split_at_checked(eq).unwrap_or((pair, &[]));
            if trim_ows(cookie_name) != name.as_bytes() {
                continue;
            }
            let value = trim_ows(value.get(1..).unwrap_or_default());
            let value = match value {
                [b'"', inner @ .., b'"'] => inner,
                _ => value,
            };
            if value.is_empty() {
                continue;
            }
            let token = found_as(RawToken {
                bytes: Cow::Borrowed(value),
                location: TokenLocation::Cookie,
            })?;
            if found.is_some() {
                return Err(InvalidRequest::Repeated);
            }
            found = Some(token);
        }
    }
    Ok(found)
}

/// The query parameter `name`, read as `application/x-www-form-urlencoded` (`form_urlencoded`,
/// the URL Standard's reader: `+` is a space, `%XX` a byte). That reader keeps a bad escape as
/// text and turns bytes that are not UTF-8 into U+FFFD; a value with either is then refused by
/// the b64token check (which allows neither `%` nor anything outside ASCII), so such a token is
/// `InvalidSyntax` as with a strict decoder.
pub(super) fn query_token<'r, T>(
    query: &'r str,
    name: &str,
    found_as: impl Fn(RawToken<'r>) -> Result<T, InvalidRequest>,
) -> Result<Option<T>, InvalidRequest> {
    let mut found = None;
    for (key, value) in form_urlencoded::parse(query.as_bytes()) {
        if key != name {
            continue;
        }
        let token = found_as(RawToken::from(BearerToken {
            token: value,
            location: TokenLocation::Query,
        }))?;
        if found.is_some() {
            return Err(InvalidRequest::Repeated);
        }
        found = Some(token);
    }
    Ok(found)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::http::test_support::*;

    /// The branch-free check agrees with the grammar for every byte, alone and at every
    /// position of a long token (where the vector and the scalar tail parts meet).
    #[test]
    fn b64token_chars_exhaustive() {
        let spec = |b: u8| {
            b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~' | b'+' | b'/')
        };
        for b in 0..=255u8 {
            assert_eq!(all_b64token_chars(&[b]), spec(b), "byte {b:#04x}");
            for at in [0, 1, 15, 16, 31, 32, 63, 64, 100, 699] {
                let mut token = vec![b'a'; 700];
                token[at] = b;
                assert_eq!(all_b64token_chars(&token), spec(b), "byte {b:#04x} at {at}");
            }
        }
        assert!(all_b64token_chars(b""));
    }

    #[test]
    fn authorization_header() {
        let l = TokenLocations::new();
        let ok = |v: &str| found(&l, &request("/", &[("authorization", v)]));
        assert_eq!(
            ok("Bearer abc.def.ghi"),
            Ok(Some("Header:abc.def.ghi".into()))
        );
        assert_eq!(ok("bearer abc"), Ok(Some("Header:abc".into())));
        assert_eq!(ok("BEARER   abc==  "), Ok(Some("Header:abc==".into())));
        assert_eq!(
            ok("Bearer a-b_c~d+e/f.g="),
            Ok(Some("Header:a-b_c~d+e/f.g=".into()))
        );
        assert_eq!(ok("Basic dXNlcjpwYXNz"), Ok(None));
        assert_eq!(ok("Bearerabc"), Ok(None));
        assert_eq!(ok(""), Ok(None));
        assert_eq!(ok("Bearer"), Err(InvalidRequest::EmptyBearer));
        assert_eq!(ok("Bearer   "), Err(InvalidRequest::EmptyBearer));
        assert_eq!(ok("Bearer a b"), Err(InvalidRequest::InvalidSyntax));
        assert_eq!(ok("Bearer a=b"), Err(InvalidRequest::InvalidSyntax));
        assert_eq!(ok("Bearer ="), Err(InvalidRequest::InvalidSyntax));
        assert_eq!(ok("Bearer a\"b"), Err(InvalidRequest::InvalidSyntax));
        let two = request(
            "/",
            &[("authorization", "Bearer a"), ("authorization", "Bearer b")],
        );
        assert_eq!(found(&l, &two), Err(InvalidRequest::Repeated));
        let basic_and_bearer = request(
            "/",
            &[("authorization", "Basic x"), ("authorization", "Bearer b")],
        );
        assert_eq!(found(&l, &basic_and_bearer), Ok(Some("Header:b".into())));
        let mut non_ascii = request("/", &[]);
        non_ascii.headers_mut().insert(
            "authorization",
            HeaderValue::from_bytes(b"Bearer \xe9t\xe9").unwrap(),
        );
        assert_eq!(found(&l, &non_ascii), Err(InvalidRequest::InvalidSyntax));
    }

    #[test]
    fn custom_header_cookie_query() {
        let l = TokenLocations::nowhere().header("X-Access-Token");
        assert_eq!(l.header_name(), Some("x-access-token"));
        let r = request("/", &[("x-access-token", "abc")]);
        assert_eq!(found(&l, &r), Ok(Some("Header:abc".into())));
        let r = request("/", &[("x-access-token", "Bearer abc")]);
        assert_eq!(found(&l, &r), Ok(Some("Header:abc".into())));
        let r = request("/", &[("x-access-token", "")]);
        assert_eq!(found(&l, &r), Err(InvalidRequest::EmptyToken));
        let r = request("/", &[("authorization", "Bearer abc")]);
        assert_eq!(found(&l, &r), Ok(None));

        let l = TokenLocations::nowhere().cookie("tok");
        let cookie = |v: &str| found(&l, &request("/", &[("cookie", v)]));
        assert_eq!(cookie("tok=abc"), Ok(Some("Cookie:abc".into())));
        assert_eq!(cookie("a=1; tok=abc; b=2"), Ok(Some("Cookie:abc".into())));
        assert_eq!(cookie("tok=\"abc\""), Ok(Some("Cookie:abc".into())));
        assert_eq!(cookie("xtok=abc; tokx=abc"), Ok(None));
        assert_eq!(cookie("tok="), Ok(None));
        assert_eq!(cookie("tok=abc; tok=def"), Err(InvalidRequest::Repeated));
        assert_eq!(cookie("tok=a%20b"), Err(InvalidRequest::InvalidSyntax));
        let split = request("/", &[("cookie", "a=1"), ("cookie", "tok=abc")]);
        assert_eq!(found(&l, &split), Ok(Some("Cookie:abc".into())));

        let l = TokenLocations::nowhere().query(DEFAULT_QUERY_PARAM);
        let query = |uri: &str| found(&l, &request(uri, &[]));
        assert_eq!(query("/?access_token=abc"), Ok(Some("Query:abc".into())));
        assert_eq!(
            query("/?x=1&access_token=abc&y"),
            Ok(Some("Query:abc".into()))
        );
        assert_eq!(
            query("/?access%5Ftoken=a%2Bb%3D"),
            Ok(Some("Query:a+b=".into()))
        );
        assert_eq!(
            query("/?access_token=a+b"),
            Err(InvalidRequest::InvalidSyntax)
        );
        assert_eq!(
            query("/?access_token=a%zz"),
            Err(InvalidRequest::InvalidSyntax)
        );
        assert_eq!(query("/?access_token="), Err(InvalidRequest::EmptyToken));
        assert_eq!(query("/?access_token"), Err(InvalidRequest::EmptyToken));
        assert_eq!(
            query("/?access_token=a&access_token=a"),
            Err(InvalidRequest::Repeated)
        );
        assert_eq!(query("/?token=abc"), Ok(None));
        assert_eq!(query("/"), Ok(None));
    }

    #[test]
    fn more_than_one_place_is_invalid_request() {
        let l = all_locations();
        let cases = [
            request("/?access_token=a", &[("authorization", "Bearer a")]),
            request("/", &[("authorization", "Bearer a"), ("cookie", "tok=a")]),
            request("/?access_token=a", &[("cookie", "tok=b")]),
        ];
        for r in &cases {
            assert_eq!(found(&l, r), Err(InvalidRequest::MultipleLocations));
        }
        // Only the configured locations count.
        let r = request("/?access_token=a", &[("authorization", "Bearer a")]);
        assert_eq!(
            found(&TokenLocations::new(), &r),
            Ok(Some("Header:a".into()))
        );
        // Parts, a bare header map and headers + query see the same.
        let (parts, ()) = cases[0].clone().into_parts();
        assert_eq!(l.extract(&parts), Err(InvalidRequest::MultipleLocations));
        assert_eq!(l.extract(&parts.headers).map(|t| t.is_some()), Ok(true));
        let hq = HeadersAndQuery {
            headers: &parts.headers,
            query: parts.uri.query(),
        };
        assert_eq!(l.extract(&hq), Err(InvalidRequest::MultipleLocations));
    }

    /// `find` (no syntax check) agrees with `extract` wherever it finds one token: that
    /// token's check is `extract`'s answer; where it finds none or faults, `extract` answers
    /// with no token or a fault as well (`BearerGuard::admit` then asks `extract`).
    #[test]
    fn find_then_check_is_extract() {
        let values = [
            "Bearer abc",
            "Bearer a\"b",
            "Bearer ",
            "Basic x",
            "bearer abc==",
            "Bearer =",
            "tok=abc",
            "tok=a\"b",
            "tok=",
            "",
        ];
        let queries = [
            "/",
            "/?access_token=abc",
            "/?access_token=a%zz",
            "/?access_token=",
        ];
        let locations = [
            TokenLocations::new(),
            all_locations(),
            TokenLocations::nowhere().header("x-token").cookie("tok"),
        ];
        let mut compared = 0;
        for l in &locations {
            for uri in queries {
                for first in values {
                    for second in values {
                        for names in [
                            ["authorization", "authorization"],
                            ["authorization", "cookie"],
                            ["x-token", "cookie"],
                            ["cookie", "cookie"],
                        ] {
                            let r = request(uri, &[(names[0], first), (names[1], second)]);
                            let extracted = found(l, &r);
                            match l.find(&r) {
                                Ok(Some(raw)) => {
                                    compared += 1;
                                    let checked = raw.check().map(|t| {
                                        Some(format!("{:?}:{}", t.location(), t.as_str()))
                                    });
                                    assert_eq!(
                                        checked, extracted,
                                        "{uri} {names:?} {first} {second}"
                                    );
                                }
                                Ok(None) => assert_eq!(extracted, Ok(None)),
                                Err(_) => assert!(extracted.is_err(), "{uri} {first} {second}"),
                            }
                        }
                    }
                }
            }
        }
        assert!(compared > 500, "{compared}");
    }

    /// `application/x-www-form-urlencoded` as the query is read: `+` is a space and `%XX` a byte,
    /// in names as in values; a value needing no decoding is borrowed from the query; a value
    /// with a bad escape or bytes that are not UTF-8 is refused (a b64token has neither `%` nor
    /// anything outside ASCII).
    #[test]
    fn query_decoding() {
        let token = |query: &'static str, name: &str| {
            query_token(query, name, RawToken::check).map(|found| found.map(|t| t.token))
        };
        assert_eq!(token("a+b%2f=abc", "a b/"), Ok(Some("abc".into())));
        assert_eq!(token("t=a%2Eb%2e", "t"), Ok(Some("a.b.".into())));
        assert!(matches!(
            token("t=plain", "t"),
            Ok(Some(Cow::Borrowed("plain")))
        ));
        for bad in [
            "t=%", "t=a%", "t=a%2", "t=a%zz", "t=%e9", "t=%C3%A9", "t=%00", "t=a+b",
        ] {
            assert_eq!(token(bad, "t"), Err(InvalidRequest::InvalidSyntax), "{bad}");
        }
        assert_eq!(token("t=&u=1", "t"), Err(InvalidRequest::EmptyToken));
        assert_eq!(token("t=a&&t=b", "t"), Err(InvalidRequest::Repeated));
        assert_eq!(token("&&x=1&", "t"), Ok(None));
        // Names decode as the URL Standard decodes them: a stray `%` stays as it is.
        assert_eq!(token("t%=abc", "t%"), Ok(Some("abc".into())));
    }
}
