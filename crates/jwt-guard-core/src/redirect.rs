//! [`RedirectPolicy`]: which HTTP redirects a remote key-set fetch follows. A leaf module: the
//! `[remote]` table ([`RemoteConfig::redirects`](crate::RemoteConfig::redirects)) names it
//! without the `remote` feature, and the remote source (feature `remote`) applies it.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Deserializer};

use crate::error::{Error, ErrorKind};

/// Which HTTP redirects a fetch of a remote JWK Set or OpenID Connect discovery document
/// follows: `redirects = "none" | "same-origin"` in the `[remote]` table, or
/// `RemoteJwksBuilder::redirects` (feature `remote`).
///
/// Whatever the policy, a redirect from `https` to `http` or to another origin is never
/// followed. A redirect that is not followed fails the fetch (`key_unavailable` until a fetch
/// succeeds; the last good keys keep serving meanwhile), with an error that names the status
/// and never the target URL.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum RedirectPolicy {
    /// Follow no redirect (the default): a `301`, `302`, `303`, `307` or `308` answer fails the
    /// fetch.
    #[default]
    None,
    /// Follow at most 5 redirects, each to the same origin as the URL asked for: the same
    /// scheme, host and port (a relative `Location`, or an absolute one on the same origin).
    SameOrigin,
}

impl RedirectPolicy {
    /// The configuration spelling: `none` or `same-origin`.
    pub fn as_str(self) -> &'static str {
        match self {
            RedirectPolicy::None => "none",
            RedirectPolicy::SameOrigin => "same-origin",
        }
    }
}

impl fmt::Display for RedirectPolicy {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for RedirectPolicy {
    type Err = Error;

    /// Parses `none` or `same-origin` (exact spelling).
    ///
    /// # Errors
    /// [`ErrorKind::InvalidConfig`] at `redirects` for any other text.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "none" => Ok(RedirectPolicy::None),
            "same-origin" => Ok(RedirectPolicy::SameOrigin),
            other => Err(Error::new(ErrorKind::InvalidConfig {
                field: "redirects".into(),
                reason: format!(
                    "must be \"none\" or \"same-origin\", not `{}`",
                    crate::error::sanitize(other)
                ),
            })),
        }
    }
}

impl<'de> Deserialize<'de> for RedirectPolicy {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = <std::borrow::Cow<'de, str>>::deserialize(deserializer)?;
        // `unknown_variant`: a config reader that keeps values out of its errors
        // (`VerifierConfig::from_toml`) reports the accepted names without the text.
        text.parse::<RedirectPolicy>()
            .map_err(|_| serde::de::Error::unknown_variant(&text, &["none", "same-origin"]))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spellings() {
        for policy in [RedirectPolicy::None, RedirectPolicy::SameOrigin] {
            assert_eq!(policy.as_str().parse::<RedirectPolicy>().ok(), Some(policy));
            assert_eq!(policy.to_string(), policy.as_str());
        }
        assert_eq!(RedirectPolicy::default(), RedirectPolicy::None);
        for bad in ["", "None", "same_origin", "SAME-ORIGIN", "all"] {
            let err = bad.parse::<RedirectPolicy>().map_err(Error::into_kind);
            assert!(
                matches!(err, Err(ErrorKind::InvalidConfig { ref field, .. }) if field == "redirects"),
                "{bad}: {err:?}"
            );
        }
    }
}
