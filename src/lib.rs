//! # jwt-guard
//!
//! Accept JSON Web Tokens in a Rust web service, safely and fast. This is the facade crate:
//! `jwt_guard::*` is `jwt-guard-core`, the framework-free verifier ([`Verifier`], built once
//! from [`Key`]s or a [`VerifierConfig`]) and signer ([`Signer`]) on aws-lc-rs, with one typed
//! [`Error`] per failure ([`ErrorKind::code`] is stable). Each feature adds one part:
//!
//! | feature | adds |
//! |---|---|
//! | `axum` | `jwt_guard::axum` (`jwt-guard-axum`): the tower `JwtLayer` (axum, hyper, tonic), `Claims<T>`, RFC 6750 answers |
//! | `actix` | `jwt_guard::actix` (`jwt-guard-actix`): `JwtMiddleware`, `Claims<T>`, `JwtError` for actix-web |
//! | `remote` | `jwt_guard::remote`: remote JWK Sets and OIDC discovery, cached; `jwks_url` / `oidc_issuer` in a [`VerifierConfig`] |
//! | `redis` | `jwt_guard::revocation::RedisStore`: one revocation list shared by every instance through Redis, checked against a local replica; `[revocation] redis_url` in a [`VerifierConfig`] |
//!
//! No feature is on by default. The [README] has the quick starts (core, axum, actix-web), the
//! configuration reference and the table of answers.
//!
//! [README]: https://example.invalid/jwt-guard#readme
#![cfg_attr(docsrs, feature(doc_cfg))]

#[cfg(feature = "actix")]
#[cfg_attr(docsrs, doc(cfg(feature = "actix")))]
pub use jwt_guard_actix as actix;
#[cfg(feature = "axum")]
#[cfg_attr(docsrs, doc(cfg(feature = "axum")))]
pub use jwt_guard_axum as axum;
#[cfg(feature = "remote")]
#[cfg_attr(docsrs, doc(cfg(feature = "remote")))]
pub use jwt_guard_core::remote;
pub use jwt_guard_core::*;

// The README's Rust examples, compiled as doc-tests (`cargo test --doc -p jwt-guard`) and never
// rendered: `cfg(doctest)` exists only while rustdoc collects tests. They use both adapters, so
// they run with `--features axum,actix` (or `--all-features`).
#[cfg(all(doctest, feature = "axum", feature = "actix"))]
#[doc = include_str!("../README.md")]
pub struct ReadmeDoctests;
