//! jwt-guard-core's integration tests: one binary, a module per topic.
//!
//! `cargo test -p jwt-guard-core --test lib [MODULE::]` (add `--features remote` for `remote`,
//! `--features redis` for `redis_store`, which needs `redis-server`).

// Tests fail by panicking. clippy.toml exempts `#[test]` functions and `#[cfg(test)]` modules
// from the workspace's no-panic lints, but not an integration test's helpers (rust-clippy#11119).
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    reason = "test code: a failed step panics the test"
)]

mod cache;
mod claim_rules;
mod config;
mod ed25519;
mod fuzzing;
mod hardening;
mod hostile;
mod interop;
mod providers;
mod provisioning;
#[cfg(feature = "redis")]
mod redis_store;
#[cfg(feature = "remote")]
mod remote;
mod revocation;
mod rules;
mod sessions;
mod sources;
mod support;
mod vectors;
mod verify_time;
