//! Which URLs are fetched: `https`, or plain `http` to loopback only (unless `allow_http`), never
//! with credentials in them; and which redirects are followed: within the origin asked for, never
//! from `https` to `http`, at most [`MAX_REDIRECTS`].

use std::fmt;

use reqwest::header::HeaderValue;
use reqwest::{StatusCode, Url};
use url::Host;

use crate::error::{Error, Result};
use crate::redirect::RedirectPolicy;

/// The most redirects one fetch follows.
pub(super) const MAX_REDIRECTS: usize = 5;

/// Whether `url` may be fetched: `https`, or `http` to a loopback host (or anywhere with
/// `allow_http`); never with credentials in it.
pub(super) fn check_url(url: &Url, allow_http: bool) -> std::result::Result<(), String> {
    if !url.username().is_empty() || url.password().is_some() {
        return Err("credentials in the URL are refused (they would end up in logs)".into());
    }
    if url.host_str().is_none_or(str::is_empty) {
        return Err("the URL has no host".into());
    }
    match url.scheme() {
        "https" => Ok(()),
        "http" if allow_http || is_loopback(url) => Ok(()),
        "http" => Err(
            "plain http is refused except to loopback addresses (set allow_http to opt out)".into(),
        ),
        other => Err(format!("the scheme {other} is not supported (use https)")),
    }
}

/// Whether `url` names loopback: the name `localhost` itself (any case, one trailing dot) or a
/// loopback address (`127.0.0.0/8`, `::1`, `::ffff:127.0.0.0/104`). Not `*.localhost`: whether
/// such a name resolves to loopback is up to the resolver, and this rule must hold before any
/// name is resolved. The host is the URL parser's (which has already turned `127.1`, `0x7f.1`,
/// ... into `127.0.0.1`, and `[::ffff:7f00:1]` into `[::ffff:127.0.0.1]`).
fn is_loopback(url: &Url) -> bool {
    match url.host() {
        Some(Host::Domain(name)) => name
            .strip_suffix('.')
            .unwrap_or(name)
            .eq_ignore_ascii_case("localhost"),
        Some(Host::Ipv4(ip)) => ip.is_loopback(),
        Some(Host::Ipv6(ip)) => {
            ip.is_loopback() || ip.to_ipv4_mapped().is_some_and(|v4| v4.is_loopback())
        }
        None => false,
    }
}

/// The redirects a fetch answers with, as far as this crate follows them (reqwest's set).
pub(super) fn is_redirect(status: StatusCode) -> bool {
    matches!(
        status,
        StatusCode::MOVED_PERMANENTLY
            | StatusCode::FOUND
            | StatusCode::SEE_OTHER
            | StatusCode::TEMPORARY_REDIRECT
            | StatusCode::PERMANENT_REDIRECT
    )
}

/// Where a redirect answer of a request for `asked` (the URL first asked for) may lead, after
/// `followed` redirects: the `Location` resolved against `from` (the URL that answered), if
/// `policy` allows it. Never to another origin, never from `https` to `http`.
pub(super) fn redirect_target(
    policy: RedirectPolicy,
    asked: &Url,
    from: &Url,
    location: Option<&HeaderValue>,
    followed: usize,
    allow_http: bool,
) -> std::result::Result<Url, RedirectRefused> {
    if policy == RedirectPolicy::None {
        return Err(RedirectRefused::Disabled);
    }
    if followed >= MAX_REDIRECTS {
        return Err(RedirectRefused::TooMany);
    }
    let to = location
        .and_then(|value| value.to_str().ok())
        .and_then(|value| from.join(value).ok())
        .ok_or(RedirectRefused::NoLocation)?;
    if asked.scheme() == "https" && to.scheme() == "http" {
        return Err(RedirectRefused::Downgrade);
    }
    if to.origin() != asked.origin() {
        return Err(RedirectRefused::OtherOrigin);
    }
    check_url(&to, allow_http).map_err(RedirectRefused::Target)?;
    Ok(to)
}

pub(super) fn parse_url(field: &'static str, text: &str, allow_http: bool) -> Result<Url> {
    let url = Url::parse(text).map_err(|e| Error::config(field, format!("not a URL: {e}")))?;
    check_url(&url, allow_http).map_err(|why| Error::config(field, why))?;
    Ok(url)
}

/// Why a redirect was not followed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum RedirectRefused {
    /// [`RedirectPolicy::None`].
    Disabled,
    /// More than [`MAX_REDIRECTS`].
    TooMany,
    /// No `Location`, or one that is not a URL.
    NoLocation,
    /// From `https` to `http` (or another scheme).
    Downgrade,
    /// To another scheme, host or port.
    OtherOrigin,
    /// Same origin, but the URL is refused (credentials in it).
    Target(String),
}

impl fmt::Display for RedirectRefused {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            RedirectRefused::Disabled => {
                f.write_str("redirects are not followed (redirects = \"none\")")
            }
            RedirectRefused::TooMany => {
                write!(f, "more than {MAX_REDIRECTS} redirects are not followed")
            }
            RedirectRefused::NoLocation => {
                f.write_str("a redirect without a valid Location is not followed")
            }
            RedirectRefused::Downgrade => {
                f.write_str("redirects from https to http are never followed")
            }
            RedirectRefused::OtherOrigin => {
                f.write_str("redirects to another origin are not followed")
            }
            RedirectRefused::Target(why) => write!(f, "the redirect target is refused: {why}"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn https_rule() {
        let check = |url: &str, allow_http: bool| {
            Url::parse(url)
                .map_err(|e| e.to_string())
                .and_then(|u| check_url(&u, allow_http))
        };
        assert!(check("https://idp.example/jwks", false).is_ok());
        assert!(check("http://127.0.0.1:8080/jwks", false).is_ok());
        assert!(check("http://127.1.2.3/jwks", false).is_ok());
        assert!(check("http://[::1]:9000/jwks", false).is_ok());
        assert!(check("http://localhost/jwks", false).is_ok());
        assert!(check("http://LOCALHOST./jwks", false).is_ok());
        assert!(check("http://[::ffff:127.0.0.1]/jwks", false).is_ok());
        assert!(check("http://[::ffff:127.255.0.9]:80/jwks", false).is_ok());
        assert!(check("http://2130706433/jwks", false).is_ok());
        // Only the name `localhost` itself: `*.localhost` resolves wherever DNS says.
        assert!(check("http://idp.localhost/jwks", false).is_err());
        assert!(check("http://localhost.localhost/jwks", false).is_err());
        assert!(check("http://localhost../jwks", false).is_err());
        assert!(check("http://[::ffff:10.0.0.1]/jwks", false).is_err());
        assert!(check("http://[::127.0.0.1]/jwks", false).is_err());
        assert!(check("http://[::]/jwks", false).is_err());
        assert!(check("http://0.0.0.0/jwks", false).is_err());
        assert!(check("http://idp.example/jwks", false).is_err());
        assert!(check("http://10.0.0.1/jwks", false).is_err());
        assert!(check("http://localhost.example/jwks", false).is_err());
        assert!(check("http://idp.example/jwks", true).is_ok());
        assert!(check("ftp://idp.example/jwks", true).is_err());
        assert!(check("https://user:pass@idp.example/jwks", false).is_err());
    }

    /// Spellings the URL parser normalizes reach the loopback rule as the address they are.
    #[test]
    fn loopback_is_the_parsed_host() {
        let check = |url: &str| {
            Url::parse(url)
                .map_err(|e| e.to_string())
                .and_then(|u| check_url(&u, false))
        };
        for url in [
            "http://0x7f.1/jwks",
            "http://127.1/jwks",
            "http://[0:0:0:0:0:ffff:7f00:1]/jwks",
            "http://[0::1]/jwks",
            "http://LocalHost:8080/jwks",
        ] {
            assert_eq!(check(url), Ok(()), "{url}");
        }
        let refused = Err(
            "plain http is refused except to loopback addresses (set allow_http to opt out)"
                .to_owned(),
        );
        for url in [
            "http://127.0.0.1.nip.io/jwks",
            "http://[::ffff:a00:1]/jwks",
            "http://[fe80::1]/jwks",
            "http://128.0.0.1/jwks",
        ] {
            assert_eq!(check(url), refused, "{url}");
        }
    }

    #[test]
    fn redirect_rule() {
        let url = |text: &str| Url::parse(text).unwrap_or_else(|e| panic!("{text}: {e}"));
        let target = |policy, asked: &str, location: Option<&'static str>, followed| {
            let asked = url(asked);
            let location = location.map(HeaderValue::from_static);
            redirect_target(policy, &asked, &asked, location.as_ref(), followed, false)
                .map(|to| to.to_string())
        };
        use RedirectPolicy::{None as Off, SameOrigin};
        use RedirectRefused::*;
        let https = "https://idp.example/jwks";
        let same = Some("/keys?v=2");
        assert_eq!(target(Off, https, same, 0), Err(Disabled));
        assert_eq!(
            target(SameOrigin, https, same, 0),
            Ok("https://idp.example/keys?v=2".to_owned())
        );
        assert_eq!(
            target(SameOrigin, https, Some("https://IDP.example:443/k"), 4),
            Ok("https://idp.example/k".to_owned())
        );
        assert_eq!(target(SameOrigin, https, same, 5), Err(TooMany));
        let cases: [(&str, Option<&'static str>, RedirectRefused); 9] = [
            (https, None, NoLocation),
            (https, Some("http://[bad"), NoLocation),
            (https, Some("http://idp.example/jwks"), Downgrade),
            (https, Some("http://localhost/jwks"), Downgrade),
            (
                "https://localhost/jwks",
                Some("http://localhost/jwks"),
                Downgrade,
            ),
            (https, Some("https://idp.example:8443/jwks"), OtherOrigin),
            (https, Some("https://keys.idp.example/jwks"), OtherOrigin),
            (
                "http://127.0.0.1:8080/jwks",
                Some("https://127.0.0.1:8080/jwks"),
                OtherOrigin,
            ),
            (
                https,
                Some("https://user:pw@idp.example/jwks"),
                Target("credentials in the URL are refused (they would end up in logs)".into()),
            ),
        ];
        for (asked, location, refused) in cases {
            assert_eq!(
                target(SameOrigin, asked, location, 0),
                Err(refused),
                "{location:?}"
            );
        }
    }
}
