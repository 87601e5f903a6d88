//! Keys, parsed once at construction, each bound to the algorithms it may serve (RFC 8725 §3.1).
//!
//! The files follow the seams, and import one another in one direction only (each from the ones
//! listed before it): `material` (what a parsed key holds, and the checks done at load), `sign`
//! ([`Key`] and the raw sign/verify layer), `der` (DER and PEM: SPKI by its algorithm OID,
//! PKCS#8, PKCS#1, SEC1, certificates), `jwk` (JWK import and export) and `set` ([`KeySet`]).

mod der;
mod jwk;
mod material;
mod set;
mod sign;

pub(crate) use material::KeyOptions;
pub use material::{MAX_RSA_BITS, MIN_RSA_BITS};
pub use set::{KeySet, SkippedKey};
pub use sign::Key;
