//! [`Validation`]: the rules a token must meet besides its signature, and their defaults.

use crate::algorithm::{Algorithm, AlgorithmSet};
use crate::error::{Error, Result};
use crate::rules::{self, ClaimRule};

/// Default leeway for `exp`, `nbf` and `iat`: 60 seconds.
pub const DEFAULT_LEEWAY_SECS: u64 = 60;
/// Default maximum token length: 16 KiB, checked before any decoding.
pub const DEFAULT_MAX_TOKEN_BYTES: usize = 16 * 1024;
/// Default maximum length of the header segment (base64url, before decoding): 2 KiB.
pub const DEFAULT_MAX_HEADER_BYTES: usize = 2 * 1024;
/// Default maximum number of keys tried for a token without `kid`: 4.
pub const DEFAULT_MAX_KEYS_WITHOUT_KID: usize = 4;
/// At most this many names in [`Validation::required_claims`].
pub const MAX_REQUIRED_CLAIMS: usize = 64;

/// The header `typ` of a refresh token (`refresh+jwt`): what a [`TokenUse::Refresh`] verifier
/// requires and every other verifier refuses.
pub const REFRESH_TYP: &str = "refresh+jwt";

/// The header `typ` of an access token this crate issues (`at+jwt`, RFC 9068).
pub const ACCESS_TYP: &str = "at+jwt";

/// Which kind of token a verifier accepts. Type confusion is refused by default: an access
/// verifier refuses a refresh token, a refresh verifier anything else (code `invalid_type`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum TokenUse {
    /// Access tokens (the default): a token whose header `typ` is `refresh+jwt`, or whose
    /// `type` claim is `"refresh"` (Flask-JWT-Extended marks its refresh tokens that way), is
    /// refused.
    #[default]
    Access,
    /// Refresh tokens only: the header `typ` must be `refresh+jwt`.
    Refresh,
}

/// The rules a token must meet, besides its signature.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Validation {
    /// The algorithm allow-list (required, non-empty). `none` can never be listed.
    pub algorithms: AlgorithmSet,
    /// Accepted issuers (`iss` must equal one); empty: `iss` is not checked.
    pub issuers: Vec<String>,
    /// Accepted audiences (`aud` must name at least one); empty: a token with `aud` is
    /// rejected unless [`Validation::skip_audience_check`] is set.
    pub audiences: Vec<String>,
    /// Explicit opt-out: do not check `aud` at all.
    pub skip_audience_check: bool,
    /// The exact `sub` required, if any.
    pub subject: Option<String>,
    /// Clock skew allowed for `exp`, `nbf` and `iat`, in seconds.
    pub leeway_secs: u64,
    /// Whether `exp` must be present (default `true`).
    pub require_exp: bool,
    /// Claims that must be present (and not `null`).
    pub required_claims: Vec<String>,
    /// The header `typ` required, if any (compared case-insensitively, `application/` optional:
    /// `at+jwt` equals `application/at+jwt`, RFC 9068).
    pub typ: Option<String>,
    /// Maximum age from `iat`, in seconds (requires `iat`).
    pub max_age_secs: Option<u64>,
    /// Maximum token length in bytes.
    pub max_token_bytes: usize,
    /// Maximum length of the header segment in bytes (base64url, checked before decoding: the
    /// header is read before the signature, so its size is what a forger controls).
    pub max_header_bytes: usize,
    /// A token without `kid` is tried against every key allowed for its `alg`, if there are at
    /// most this many; with more, it is `unknown_key` and no key is tried (default 4).
    pub max_keys_without_kid: usize,
    /// Whether a token must name its key (`kid`); without one it is `unknown_key` (default
    /// `false`: PyJWT and many issuers sign without `kid`).
    pub require_kid: bool,
    /// `crit` header names this application understands (anything else in `crit` is rejected).
    pub critical_extensions: Vec<String>,
    /// Which kind of token is accepted (default [`TokenUse::Access`]).
    pub token_use: TokenUse,
    /// Conditions on claims ([`ClaimRule`]), checked in order after the registered claims: a
    /// token that fails one is [`ErrorKind::ClaimRejected`](crate::ErrorKind::ClaimRejected).
    pub claims: Vec<ClaimRule>,
}

impl Default for Validation {
    fn default() -> Self {
        Validation {
            algorithms: AlgorithmSet::EMPTY,
            issuers: Vec::new(),
            audiences: Vec::new(),
            skip_audience_check: false,
            subject: None,
            leeway_secs: DEFAULT_LEEWAY_SECS,
            require_exp: true,
            required_claims: Vec::new(),
            typ: None,
            max_age_secs: None,
            max_token_bytes: DEFAULT_MAX_TOKEN_BYTES,
            max_header_bytes: DEFAULT_MAX_HEADER_BYTES,
            max_keys_without_kid: DEFAULT_MAX_KEYS_WITHOUT_KID,
            require_kid: false,
            critical_extensions: Vec::new(),
            token_use: TokenUse::Access,
            claims: Vec::new(),
        }
    }
}

impl Validation {
    /// Default rules allowing exactly `algorithms`.
    pub fn new(algorithms: impl IntoIterator<Item = Algorithm>) -> Validation {
        Validation {
            algorithms: algorithms.into_iter().collect(),
            ..Validation::default()
        }
    }

    pub(super) fn check(&self) -> Result<()> {
        if self.algorithms.is_empty() {
            return Err(Error::config(
                "algorithms",
                "at least one algorithm must be allowed",
            ));
        }
        if self.required_claims.len() > MAX_REQUIRED_CLAIMS {
            return Err(Error::config(
                "required_claims",
                format!("at most {MAX_REQUIRED_CLAIMS} claims can be required"),
            ));
        }
        rules::check_list(&self.claims)?;
        if self.max_token_bytes == 0 {
            return Err(Error::config(
                "max_token_bytes",
                "must be greater than zero",
            ));
        }
        if self.max_header_bytes == 0 {
            return Err(Error::config(
                "max_header_bytes",
                "must be greater than zero",
            ));
        }
        if self.max_keys_without_kid == 0 {
            return Err(Error::config(
                "max_keys_without_kid",
                "must be greater than zero (use require_kid to refuse tokens without kid)",
            ));
        }
        if self.leeway_secs > i64::MAX as u64 / 4 {
            return Err(Error::config("leeway_secs", "is out of range"));
        }
        if self.max_age_secs.is_some_and(|m| m > i64::MAX as u64 / 4) {
            return Err(Error::config("max_age_secs", "is out of range"));
        }
        Ok(())
    }
}

pub(crate) fn typ_matches(expected: &str, actual: &str) -> bool {
    fn strip(s: &str) -> &str {
        match s.get(..12) {
            Some(prefix) if prefix.eq_ignore_ascii_case("application/") => s.get(12..).unwrap_or(s),
            _ => s,
        }
    }
    strip(expected).eq_ignore_ascii_case(strip(actual))
}
