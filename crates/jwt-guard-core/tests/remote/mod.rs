//! The remote JWK Set source (`jwt_guard_core::remote`, feature `remote`) over real HTTP on
//! loopback: a server started by each test, with a behaviour the test sets and a request
//! counter, so every case asserts the exact outcome and the exact number of fetches.
//!
//! `cargo test -p jwt-guard-core --features remote --test lib remote::`

mod fetch;
mod redirects;
mod routing;
mod storm;
mod support;
