//! The `jwt-guard` binary, tested as a process: one test binary, a module per command.

mod support;

mod decode;
mod encode;
mod jwks;
mod keygen;
mod provisioning;
mod pyjwt;
mod roundtrip;
mod usage;
mod verify;
