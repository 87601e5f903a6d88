//! The `jwt-guard` binary, tested as a process: one test binary, a module per command.

// Tests fail by panicking. clippy.toml exempts `#[test]` functions and `#[cfg(test)]` modules
// from the workspace's no-panic lints, but not an integration test's helpers (rust-clippy#11119).
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    reason = "test code: a failed step panics the test"
)]

mod support;

mod decode;
mod encode;
mod jwks;
mod keygen;
mod provisioning;
mod pyjwt;
mod revoke;
mod roundtrip;
mod usage;
mod verify;
