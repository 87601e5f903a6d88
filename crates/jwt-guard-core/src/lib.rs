//! # jwt-guard-core
//!
//! A framework-free JSON Web Token verifier and signer on aws-lc-rs: every algorithm PyJWT
//! has (HS256/384/512, RS256/384/512, PS256/384/512, ES256/384/512, EdDSA), keys parsed once
//! and bound to the algorithms they may serve, an explicit allow-list, strict parsing, and a
//! typed [`Error`] per failure with a stable [`ErrorKind::code`].
//!
//! ```
//! use jwt_guard_core::{Algorithm, Key, RegisteredClaims, Signer, Verifier, ErrorKind};
//! # fn main() -> Result<(), jwt_guard_core::Error> {
//! let key = Key::hmac(b"an example secret of 32 bytes..!")?;
//! let verifier = Verifier::builder()
//!     .algorithms([Algorithm::HS256])
//!     .key(key.clone())
//!     .audience("api")
//!     .build()?;
//!
//! let signer = Signer::new(key, Algorithm::HS256)?;
//! let good = signer.encode(&serde_json::json!({"sub": "ada", "aud": "api", "exp": 4_102_444_800u64}))?;
//! assert_eq!(verifier.verify::<RegisteredClaims>(&good)?.claims.sub.as_deref(), Some("ada"));
//!
//! let stale = signer.encode(&serde_json::json!({"aud": "api", "exp": 1_000_000_000}))?;
//! assert_eq!(verifier.verify::<RegisteredClaims>(&stale).unwrap_err().kind(), &ErrorKind::Expired);
//! # Ok(()) }
//! ```
#![cfg_attr(docsrs, feature(doc_cfg))]

mod algorithm;
mod b64;
pub mod cache;
mod clock;
mod config;
pub mod dangerous;
mod error;
pub mod http;
mod jwk;
mod key;
pub mod keygen;
pub mod metrics;
mod mismatch;
mod private;
mod redirect;
#[cfg(feature = "remote")]
#[cfg_attr(docsrs, doc(cfg(feature = "remote")))]
pub mod remote;
pub mod revocation;
mod rules;
pub mod sessions;
mod signer;
mod token;
mod verifier;

/// The `tracing` target of every event jwt-guard emits (rejections at debug level, server
/// misconfiguration and missing middleware at error level, remote key set fetches at debug and
/// warn level): `RUST_LOG=jwt_guard=debug` shows them all, whichever adapter runs.
pub const LOG_TARGET: &str = "jwt_guard";

/// How jwt-guard's own adapters are wired: not a public API (no semver promise; the adapters pin
/// the exact core version). Third-party adapters build on [`http::BearerAuth`].
#[doc(hidden)]
pub mod __private {
    pub use crate::private::{
        Adapter, Admission, BearerGuard, CheckFuture, Passed, Refusal, SetCookieValue, Stored,
        Verification, redeem, redeem_cookies,
    };
}

pub use algorithm::{Algorithm, AlgorithmSet, Curve, KeyFamily};
pub use clock::{Clock, ManualClock, SystemClock};
pub use config::{
    ConfigFormat, ConfigProblem, KeyConfig, ProviderConfig, RemoteConfig, RevocationConfig,
    SessionsConfig, VerifierConfig,
};
pub use error::{Error, ErrorKind, Result};
pub use jwk::{Jwk, JwkSet};
pub use key::{Key, KeySet, MAX_RSA_BITS, MIN_RSA_BITS, SkippedKey};
pub use mismatch::{ClaimsMismatchDetail, ClaimsProblem};
pub use redirect::RedirectPolicy;
pub use rules::{ClaimRule, ClaimRuleFailure, RoleSource, check_rules};
pub use signer::{Signer, TimeClaims};
pub use token::{Audience, Header, MAX_NUMERIC_DATE, RegisteredClaims, numeric_date};
pub use verifier::{
    ACCESS_TYP, DEFAULT_LEEWAY_SECS, DEFAULT_MAX_HEADER_BYTES, DEFAULT_MAX_KEYS_WITHOUT_KID,
    DEFAULT_MAX_TOKEN_BYTES, KeySource, MAX_REQUIRED_CLAIMS, REFRESH_TYP, TokenData, TokenUse,
    Validation, VerifiedToken, Verifier, VerifierBuilder,
};
