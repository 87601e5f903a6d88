//! Errors: an opaque [`Error`] wrapping a [`ErrorKind`], with a stable [`ErrorKind::code`] and
//! the RFC 6750 answer for each.
//!
//! # PyJWT equivalents
//!
//! | `code()` | PyJWT exception |
//! |---|---|
//! | `malformed` | `DecodeError` / `InvalidTokenError` |
//! | `token_too_large` | (none; PyJWT has no size cap) |
//! | `invalid_algorithm` | `InvalidAlgorithmError` |
//! | `unknown_key` | `PyJWKClientError` ("Unable to find a signing key that matches") |
//! | `invalid_signature` | `InvalidSignatureError` |
//! | `expired` | `ExpiredSignatureError` |
//! | `immature` | `ImmatureSignatureError` (`nbf`, and `iat` in the future) |
//! | `invalid_issuer` | `InvalidIssuerError` |
//! | `invalid_audience` | `InvalidAudienceError` |
//! | `invalid_subject` | `InvalidSubjectError` |
//! | `invalid_type` | (none; PyJWT does not check `typ`) |
//! | `missing_claim` | `MissingRequiredClaimError` |
//! | `invalid_claim` | `DecodeError` / `InvalidIssuedAtError` (wrong-typed registered claim) |
//! | `claims_mismatch` | (claims JSON does not fit the caller's type) |
//! | `unsupported_crit` | `InvalidTokenError` |
//! | `key_unavailable` | `PyJWKClientConnectionError` |
//! | `revoked` | (Flask-JWT-Extended's `RevokedTokenError`) |
//! | `revocation` | (a revocation store refused a write: full, unreachable, or no `jti`) |
//! | `invalid_type` (also [`ErrorKind::WrongTokenUse`]) | a refresh token where an access token is required, or the reverse |
//! | `refresh_reused` | (a refresh token redeemed twice: rotation) |
//! | `revocation_unavailable` | (the shared deny-list is too stale to trust: 503, fail closed) |
//! | `claim_rejected` | (none; a [`ClaimRule`](crate::ClaimRule) of the verifier failed) |
//! | `invalid_key`, `weak_key`, `invalid_config`, `signing` | `InvalidKeyError` / `TypeError` (configuration) |
//!
//! `invalid_config` covers both [`ErrorKind::InvalidConfig`] (a value the verifier refuses) and
//! [`ErrorKind::ConfigText`] (a config text that cannot be read at all).

use std::borrow::Cow;
use std::fmt;

use crate::config::parse::{ConfigFormat, ConfigProblem};
use crate::mismatch::ClaimsMismatchDetail;

/// The error type of this crate: small (one pointer) to keep `Result` cheap on the hot path.
pub struct Error(Box<Inner>);

struct Inner {
    kind: ErrorKind,
    source: Option<Box<dyn std::error::Error + Send + Sync + 'static>>,
}

/// What went wrong. Match on it, or use [`ErrorKind::code`] for a stable string.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum ErrorKind {
    /// The token is not a well-formed compact JWS/JWT (the reason is fixed text, never token content).
    Malformed(&'static str),
    /// The token is longer than the configured maximum; checked before any decoding.
    TokenTooLarge {
        /// The token length in bytes.
        len: usize,
        /// The configured maximum.
        max: usize,
    },
    /// The `alg` is missing, unknown, `none`, not on the allow-list, or not one the selected key may verify.
    InvalidAlgorithm,
    /// No key matches the token's `kid` (or no key is usable for its `alg`).
    UnknownKey,
    /// The signature does not verify.
    InvalidSignature,
    /// `exp` is in the past (beyond leeway), or the token is older than `max_age`.
    Expired,
    /// `nbf` is in the future, or `iat` is in the future (beyond leeway).
    Immature,
    /// `iss` is not one of the accepted issuers.
    InvalidIssuer,
    /// `aud` does not name an accepted audience (or names one when none is configured).
    InvalidAudience,
    /// `sub` is not the expected subject.
    InvalidSubject,
    /// The header `typ` is not the expected type.
    InvalidType,
    /// A required claim is absent.
    MissingClaim(Cow<'static, str>),
    /// A registered claim has the wrong type or an out-of-range value.
    InvalidClaim(Cow<'static, str>),
    /// The claims are valid JSON but do not deserialize into the caller's type;
    /// [`Error::claims_mismatch_detail`] says where and why, without any value of the claims.
    ClaimsMismatch,
    /// The `crit` header names an extension this verifier does not understand.
    UnsupportedCrit,
    /// The key set is not available (a remote key set was never loaded).
    KeyUnavailable,
    /// A key could not be parsed or is not usable as asked (configuration).
    InvalidKey(Cow<'static, str>),
    /// A key is too weak: an HMAC secret shorter than the hash, or RSA under 2048 bits (configuration).
    WeakKey(Cow<'static, str>),
    /// A configuration value is wrong; `field` names it.
    InvalidConfig {
        /// The field at fault (for example `algorithms` or `keys[2].pem_file`).
        field: Cow<'static, str>,
        /// Why.
        reason: String,
    },
    /// A config text (TOML or JSON) cannot be read into a
    /// [`VerifierConfig`](crate::VerifierConfig): its syntax is broken, or a value does not fit
    /// its field. Says where and what was expected, never what the text holds there (a config
    /// holds secrets, and this message ends up in CI and server logs).
    #[non_exhaustive]
    ConfigText {
        /// The format the text was read as.
        format: ConfigFormat,
        /// The line of the fault, from 1 (0 when the parser did not say).
        line: usize,
        /// The column of the fault in characters, from 1 (0 when the parser did not say).
        column: usize,
        /// The field at fault (`keys[0].secret`), empty for a syntax error or the whole text.
        field: Cow<'static, str>,
        /// What is wrong.
        problem: ConfigProblem,
    },
    /// Signing failed (the key cannot sign, or the claims could not be serialized).
    Signing(Cow<'static, str>),
    /// The token is authentic and valid but has been revoked: a
    /// [`RevocationStore`](crate::revocation::RevocationStore) holds its `jti`, its `sid`, or a
    /// cutoff for its `sub` after its `iat` (or it has no `iat` while its subject has a cutoff).
    Revoked,
    /// A revocation store refused a write (the store is full, or a `jti` revocation was asked
    /// for a token without `jti`). An operator's error, never a request's.
    Revocation(Cow<'static, str>),
    /// The revocation store cannot tell whether the token is revoked: its local replica of a
    /// shared deny-list was never loaded, or has not heard from the shared store for longer
    /// than its `max_staleness` (and it fails closed). Neither a token fault nor a
    /// misconfiguration: the HTTP answer is 503 with `Retry-After`, never 401 or 500.
    RevocationUnavailable {
        /// Seconds after which a retry may succeed (the `Retry-After` value).
        retry_after_secs: u64,
    },
    /// A token of the other kind: a refresh token where an access token is required (header
    /// `typ: refresh+jwt`, or a `type` claim `"refresh"`), or anything but a refresh token on
    /// the refresh path. Code `invalid_type`, like [`ErrorKind::InvalidType`].
    WrongTokenUse {
        /// The kind that was presented.
        presented: crate::TokenUse,
    },
    /// A refresh token that was already redeemed (rotation: each refresh token is good once).
    /// Within the reuse grace window nothing else happens; after it, its login (`sid`) has been
    /// revoked as stolen.
    RefreshReused,
    /// The token fails one of the verifier's [`ClaimRule`](crate::ClaimRule)s (it is authentic
    /// and valid, but not for this API); names the claim as the rule does (its name or pointer).
    /// [`Error::claim_rule_failure`] says which rule and why, without any value.
    ClaimRejected(Cow<'static, str>),
}

impl ErrorKind {
    /// A stable snake_case code for logs, metrics and scripts.
    pub fn code(&self) -> &'static str {
        match self {
            ErrorKind::Malformed(_) => "malformed",
            ErrorKind::TokenTooLarge { .. } => "token_too_large",
            ErrorKind::InvalidAlgorithm => "invalid_algorithm",
            ErrorKind::UnknownKey => "unknown_key",
            ErrorKind::InvalidSignature => "invalid_signature",
            ErrorKind::Expired => "expired",
            ErrorKind::Immature => "immature",
            ErrorKind::InvalidIssuer => "invalid_issuer",
            ErrorKind::InvalidAudience => "invalid_audience",
            ErrorKind::InvalidSubject => "invalid_subject",
            ErrorKind::InvalidType => "invalid_type",
            ErrorKind::MissingClaim(_) => "missing_claim",
            ErrorKind::InvalidClaim(_) => "invalid_claim",
            ErrorKind::ClaimsMismatch => "claims_mismatch",
            ErrorKind::UnsupportedCrit => "unsupported_crit",
            ErrorKind::KeyUnavailable => "key_unavailable",
            ErrorKind::InvalidKey(_) => "invalid_key",
            ErrorKind::WeakKey(_) => "weak_key",
            ErrorKind::InvalidConfig { .. } | ErrorKind::ConfigText { .. } => "invalid_config",
            ErrorKind::Signing(_) => "signing",
            ErrorKind::Revoked => "revoked",
            ErrorKind::Revocation(_) => "revocation",
            ErrorKind::RevocationUnavailable { .. } => "revocation_unavailable",
            ErrorKind::WrongTokenUse { .. } => "invalid_type",
            ErrorKind::RefreshReused => "refresh_reused",
            ErrorKind::ClaimRejected(_) => "claim_rejected",
        }
    }

    /// Whether this is a fault of the token (as opposed to the configuration).
    pub fn is_token_error(&self) -> bool {
        !matches!(
            self,
            ErrorKind::InvalidKey(_)
                | ErrorKind::WeakKey(_)
                | ErrorKind::InvalidConfig { .. }
                | ErrorKind::ConfigText { .. }
                | ErrorKind::Signing(_)
                | ErrorKind::Revocation(_)
                | ErrorKind::RevocationUnavailable { .. }
        )
    }

    /// A short description that is safe to send in `WWW-Authenticate: ... error_description="..."`:
    /// only RFC 6750 §3 characters, never any part of the token.
    pub fn description(&self) -> Cow<'static, str> {
        let fixed: &'static str = match self {
            ErrorKind::Malformed(_) => "the token is malformed",
            ErrorKind::TokenTooLarge { .. } => "the token is too large",
            ErrorKind::InvalidAlgorithm => "the token algorithm is not allowed",
            ErrorKind::UnknownKey => "no key matches the token",
            ErrorKind::InvalidSignature => "the token signature is invalid",
            ErrorKind::Expired => "the token has expired",
            ErrorKind::Immature => "the token is not valid yet",
            ErrorKind::InvalidIssuer => "the token issuer is not accepted",
            ErrorKind::InvalidAudience => "the token audience is not accepted",
            ErrorKind::InvalidSubject => "the token subject is not accepted",
            ErrorKind::InvalidType => "the token type is not accepted",
            ErrorKind::MissingClaim(name) => {
                return Cow::Owned(format!("the token lacks the {} claim", sanitize(name)));
            }
            ErrorKind::InvalidClaim(name) => {
                return Cow::Owned(format!("the token {} claim is invalid", sanitize(name)));
            }
            ErrorKind::ClaimsMismatch => "the token claims are invalid",
            ErrorKind::UnsupportedCrit => "the token requires an unsupported extension",
            ErrorKind::KeyUnavailable => "the verification keys are unavailable",
            ErrorKind::Revoked => "the token has been revoked",
            ErrorKind::RevocationUnavailable { .. } => {
                "the revocation list is temporarily unavailable"
            }
            ErrorKind::WrongTokenUse {
                presented: crate::TokenUse::Refresh,
            } => "a refresh token was presented where an access token is required",
            ErrorKind::WrongTokenUse { .. } => {
                "an access token was presented where a refresh token is required"
            }
            ErrorKind::RefreshReused => "the refresh token has already been used",
            ErrorKind::ClaimRejected(_) => "the token is not accepted by a claim rule",
            ErrorKind::InvalidKey(_)
            | ErrorKind::Revocation(_)
            | ErrorKind::WeakKey(_)
            | ErrorKind::InvalidConfig { .. }
            | ErrorKind::ConfigText { .. }
            | ErrorKind::Signing(_) => "the server is misconfigured",
        };
        Cow::Borrowed(fixed)
    }
}

impl fmt::Display for ErrorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ErrorKind::Malformed(why) => write!(f, "malformed token: {why}"),
            ErrorKind::TokenTooLarge { len, max } => {
                write!(f, "token too large: {len} bytes, at most {max} allowed")
            }
            ErrorKind::InvalidAlgorithm => f.write_str("algorithm not allowed"),
            ErrorKind::UnknownKey => f.write_str("no key matches the token's kid or alg"),
            ErrorKind::InvalidSignature => f.write_str("invalid signature"),
            ErrorKind::Expired => f.write_str("token expired"),
            ErrorKind::Immature => f.write_str("token not valid yet"),
            ErrorKind::InvalidIssuer => f.write_str("invalid issuer"),
            ErrorKind::InvalidAudience => f.write_str("invalid audience"),
            ErrorKind::InvalidSubject => f.write_str("invalid subject"),
            ErrorKind::InvalidType => f.write_str("invalid token type"),
            ErrorKind::MissingClaim(name) => write!(f, "missing required claim `{name}`"),
            ErrorKind::InvalidClaim(name) => write!(f, "invalid claim `{name}`"),
            ErrorKind::ClaimsMismatch => f.write_str("claims do not match the expected type"),
            ErrorKind::UnsupportedCrit => f.write_str("unsupported critical header parameter"),
            ErrorKind::KeyUnavailable => f.write_str("key set unavailable"),
            ErrorKind::InvalidKey(why) => write!(f, "invalid key: {why}"),
            ErrorKind::WeakKey(why) => write!(f, "weak key: {why}"),
            ErrorKind::InvalidConfig { field, reason } => {
                write!(f, "invalid configuration at `{field}`: {reason}")
            }
            ErrorKind::ConfigText {
                format,
                line,
                column,
                field,
                problem,
            } => {
                // serde_json gives column 0 at the end of a line or of the text.
                let at = match (*line, *column) {
                    (0, _) => String::new(),
                    (line, 0) => format!("line {line}"),
                    (line, column) => format!("line {line}, column {column}"),
                };
                match problem {
                    ConfigProblem::Syntax if at.is_empty() => write!(f, "{format} syntax error"),
                    ConfigProblem::Syntax => write!(f, "{format} syntax error at {at}"),
                    _ => {
                        f.write_str("invalid configuration")?;
                        if !field.is_empty() {
                            write!(f, " at `{field}`")?;
                        }
                        if !at.is_empty() {
                            write!(f, " ({at})")?;
                        }
                        write!(f, ": {problem}")
                    }
                }
            }
            ErrorKind::Signing(why) => write!(f, "signing failed: {why}"),
            ErrorKind::Revoked => f.write_str("token revoked"),
            ErrorKind::Revocation(why) => write!(f, "revocation refused: {why}"),
            ErrorKind::WrongTokenUse {
                presented: crate::TokenUse::Refresh,
            } => f.write_str("refresh token where an access token is required"),
            ErrorKind::WrongTokenUse { .. } => {
                f.write_str("not a refresh token where one is required")
            }
            ErrorKind::RefreshReused => f.write_str("refresh token already used"),
            ErrorKind::RevocationUnavailable { retry_after_secs } => write!(
                f,
                "revocation list unavailable (stale or never loaded); retry after {retry_after_secs} s"
            ),
            ErrorKind::ClaimRejected(claim) => {
                write!(f, "claim `{}` rejected by a claim rule", sanitize(claim))
            }
        }
    }
}

impl Error {
    /// An error of this kind with no source.
    pub fn new(kind: ErrorKind) -> Error {
        Error(Box::new(Inner { kind, source: None }))
    }

    /// An error of this kind caused by `source`.
    pub fn with_source(
        kind: ErrorKind,
        source: impl Into<Box<dyn std::error::Error + Send + Sync + 'static>>,
    ) -> Error {
        Error(Box::new(Inner {
            kind,
            source: Some(source.into()),
        }))
    }

    /// What went wrong.
    pub fn kind(&self) -> &ErrorKind {
        &self.0.kind
    }

    /// Consumes the error, returning its kind.
    pub fn into_kind(self) -> ErrorKind {
        self.0.kind
    }

    /// Shorthand for `self.kind().code()`.
    pub fn code(&self) -> &'static str {
        self.0.kind.code()
    }

    /// Shorthand for `self.kind().description()`.
    pub fn description(&self) -> Cow<'static, str> {
        self.0.kind.description()
    }

    /// For a [`ErrorKind::ClaimsMismatch`] made by this crate: where and why the claims do not
    /// fit the type (the field path, the category, what was expected), holding no value of the
    /// claims, so it can be logged. It is also the error's [`source`](std::error::Error::source)
    /// (serde's own message is not kept: it quotes values). `None` for any other error.
    pub fn claims_mismatch_detail(&self) -> Option<&ClaimsMismatchDetail> {
        match self.0.kind {
            ErrorKind::ClaimsMismatch => self.0.source.as_deref()?.downcast_ref(),
            _ => None,
        }
    }

    /// For a [`ErrorKind::ClaimRejected`] made by this crate: which rule failed (its index, its
    /// claim, its condition) and whether the claim was missing, holding no value of the token.
    /// It is also the error's [`source`](std::error::Error::source). `None` for any other
    /// error.
    pub fn claim_rule_failure(&self) -> Option<&crate::ClaimRuleFailure> {
        match self.0.kind {
            ErrorKind::ClaimRejected(_) => self.0.source.as_deref()?.downcast_ref(),
            _ => None,
        }
    }

    pub(crate) fn config(field: impl Into<Cow<'static, str>>, reason: impl Into<String>) -> Error {
        Error::new(ErrorKind::InvalidConfig {
            field: field.into(),
            reason: reason.into(),
        })
    }

    pub(crate) fn invalid_key(why: impl Into<Cow<'static, str>>) -> Error {
        Error::new(ErrorKind::InvalidKey(why.into()))
    }

    /// Puts a configuration error under `prefix`: its field `pem_file` under `keys[1]` becomes
    /// `keys[1].pem_file`, and an error about the whole entry (no field) becomes `keys[1]`.
    /// Other kinds are unchanged.
    pub(crate) fn in_field(self, prefix: &str) -> Error {
        let Error(mut inner) = self;
        if let ErrorKind::InvalidConfig { field, .. } = &mut inner.kind {
            *field = Cow::Owned(if field.is_empty() {
                prefix.to_owned()
            } else {
                format!("{prefix}.{field}")
            });
        }
        Error(inner)
    }
}

impl From<ErrorKind> for Error {
    fn from(kind: ErrorKind) -> Error {
        Error::new(kind)
    }
}

impl fmt::Debug for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut d = f.debug_struct("Error");
        d.field("kind", &self.0.kind);
        if let Some(source) = &self.0.source {
            d.field("source", source);
        }
        d.finish()
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&self.0.kind, f)
    }
}

impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        self.0
            .source
            .as_deref()
            .map(|e| e as &(dyn std::error::Error + 'static))
    }
}

/// The crate's result type.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Whether RFC 6750 allows `c` in a quoted attribute value such as `error_description` or
/// `realm` (`%x20-21 / %x23-5B / %x5D-7E`).
pub(crate) fn rfc6750_char(c: char) -> bool {
    matches!(c, ' ' | '!' | '#'..='[' | ']'..='~')
}

/// `s` with every character RFC 6750 does not allow in a quoted value replaced by `?`, cut to
/// `max` characters: what goes into an error message or a `WWW-Authenticate` attribute that
/// quotes outside input. Borrows when nothing changes.
pub(crate) fn rfc6750_safe(s: &str, max: usize) -> Cow<'_, str> {
    if s.chars().count() <= max && s.chars().all(rfc6750_char) {
        Cow::Borrowed(s)
    } else {
        Cow::Owned(
            s.chars()
                .take(max)
                .map(|c| if rfc6750_char(c) { c } else { '?' })
                .collect(),
        )
    }
}

/// At most 64 characters of `s`, RFC 6750-safe ([`rfc6750_safe`]): for names from outside
/// input quoted in error messages.
pub(crate) fn sanitize(s: &str) -> Cow<'_, str> {
    rfc6750_safe(s, 64)
}

/// The [`ErrorKind::ClaimsMismatch`] for claims JSON that `T` refused, its source the
/// [`ClaimsMismatchDetail`] (never serde's message, which quotes values).
pub(crate) fn claims_mismatch<T: serde::de::DeserializeOwned>(payload: &[u8]) -> Error {
    Error::with_source(
        ErrorKind::ClaimsMismatch,
        ClaimsMismatchDetail::describe::<T>(payload),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rfc6750_safe(s: &str) -> bool {
        s.bytes()
            .all(|b| matches!(b, 0x20..=0x21 | 0x23..=0x5B | 0x5D..=0x7E))
    }

    #[test]
    fn descriptions_are_rfc6750_safe() {
        let kinds = [
            ErrorKind::Malformed("x"),
            ErrorKind::TokenTooLarge { len: 1, max: 0 },
            ErrorKind::InvalidAlgorithm,
            ErrorKind::UnknownKey,
            ErrorKind::InvalidSignature,
            ErrorKind::Expired,
            ErrorKind::Immature,
            ErrorKind::InvalidIssuer,
            ErrorKind::InvalidAudience,
            ErrorKind::InvalidSubject,
            ErrorKind::InvalidType,
            ErrorKind::MissingClaim("a\"b\\c\u{7f}é".into()),
            ErrorKind::InvalidClaim("exp".into()),
            ErrorKind::ClaimsMismatch,
            ErrorKind::UnsupportedCrit,
            ErrorKind::KeyUnavailable,
            ErrorKind::Revoked,
            ErrorKind::ClaimRejected("https://example.com/\"roles\"".into()),
        ];
        for kind in kinds {
            assert!(rfc6750_safe(&kind.description()), "{kind:?}");
            assert!(kind.is_token_error(), "{kind:?}");
        }
        assert_eq!(
            ErrorKind::MissingClaim("a\"b".into()).description(),
            "the token lacks the a?b claim"
        );
    }

    #[test]
    fn config_errors_have_no_bearer_answer() {
        let err = Error::config("algorithms", "empty");
        assert_eq!(err.code(), "invalid_config");
        assert!(!err.kind().is_token_error());
        assert_eq!(
            err.to_string(),
            "invalid configuration at `algorithms`: empty"
        );
    }

    #[test]
    fn config_text_errors_say_where_when_known() {
        let text = |line, column, field: &'static str, problem| {
            Error::new(ErrorKind::ConfigText {
                format: ConfigFormat::Json,
                line,
                column,
                field: field.into(),
                problem,
            })
        };
        let missing = || ConfigProblem::MissingField("kty");
        let cases = [
            (
                text(2, 0, "", ConfigProblem::Syntax),
                "JSON syntax error at line 2",
            ),
            (text(0, 0, "", ConfigProblem::Syntax), "JSON syntax error"),
            (
                text(3, 7, "keys[0].jwk", missing()),
                "invalid configuration at `keys[0].jwk` (line 3, column 7): missing field `kty`",
            ),
            (
                text(0, 0, "", missing()),
                "invalid configuration: missing field `kty`",
            ),
        ];
        for (err, shown) in cases {
            assert_eq!(err.to_string(), shown);
            assert_eq!(err.code(), "invalid_config");
            assert!(!err.kind().is_token_error());
        }
    }

    #[test]
    fn error_is_one_pointer() {
        assert_eq!(std::mem::size_of::<Error>(), std::mem::size_of::<usize>());
    }
}
