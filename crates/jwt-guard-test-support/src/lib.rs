//! # jwt-guard-test-support
//!
//! The harness jwt-guard's test suites share (`publish = false`, a dev-dependency only): real
//! servers on `127.0.0.1:0` and a real HTTP/1.1 client for the suites that talk HTTP (the root
//! `tests/conformance.rs`, `jwt-guard-axum`'s and `jwt-guard-actix`'s tests), the adapter suites'
//! tokens, and a `tracing` capture (the core's remote tests, `jwt-guard-axum`'s events, the
//! conformance suite's events of both frameworks).
//!
//! | module | feature | used by |
//! |---|---|---|
//! | [`capture`] | always | `jwt-guard-core`, `jwt-guard-axum`, conformance |
//! | `client` | `client` | every HTTP suite |
//! | `axum_server` | `axum` | conformance, `jwt-guard-axum` |
//! | `actix_server` | `actix` | conformance, `jwt-guard-actix` |
//! | `tokens` | `tokens` | `jwt-guard-axum`, `jwt-guard-actix` |
//! | [`redis_server`] | always | the Redis revocation suites (core, conformance, CLI) |
//! | [`tools`] (re-exported at the root) | always | the suites that need PyJWT, node or Redis |
//!
//! `tokens` depends on `jwt-guard-core`, which dev-depends on this crate (for [`capture`]):
//! Cargo allows that cycle because it goes through a dev-dependency. The core's integration
//! tests and this crate then link the same `jwt-guard-core`; its unit tests (`#[cfg(test)]` in
//! `src/`) are a separate build of the core whose types differ from this crate's, so they must
//! not use it (they do not).
// A test harness: a failed setup step (bind, connect, join) panics the test that called it.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    reason = "test harness: panicking is how it fails a test"
)]

#[cfg(feature = "actix")]
pub mod actix_server;
#[cfg(feature = "axum")]
pub mod axum_server;
pub mod capture;
#[cfg(feature = "client")]
pub mod client;
pub mod redis_server;
#[cfg(feature = "tokens")]
pub mod tokens;
pub mod tools;

pub use tools::*;
