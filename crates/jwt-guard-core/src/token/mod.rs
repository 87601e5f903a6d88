//! Parsing of the compact serialization, the JOSE header and the registered claims, in one pass
//! each, rejecting duplicate member names (which serde's maps would silently overwrite).
//!
//! The files follow the seams, each importing only from the ones before it: `compact` (the three
//! parts, and the header fingerprint of the verifier's memo), `json` (strict reading helpers:
//! borrowed strings, duplicate member names), `header`, `claims` (the strict claims read, routed
//! mode's `iss`, [`RegisteredClaims`]) and `tee` (the one-pass read of the caller's claims type,
//! with its design note).

mod claims;
mod compact;
mod header;
mod json;
mod tee;

pub use claims::{Audience, MAX_NUMERIC_DATE, RegisteredClaims, numeric_date};
pub(crate) use claims::{
    RawAudience, RawClaims, check_utf8, parse_claims, parse_claims_capturing, read_issuer,
};
pub(crate) use compact::{fingerprint, split};
pub use header::Header;
pub(crate) use header::parse_header;
pub(crate) use json::{BorrowedStr, syntax_first};
pub(crate) use tee::{TeeState, deserialize_tee};
