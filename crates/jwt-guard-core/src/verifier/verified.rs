//! What a verification returns: [`VerifiedToken`] and [`TokenData`].

use std::fmt;

use serde::de::DeserializeOwned;

use crate::error::Result;
use crate::token::{Header, RegisteredClaims};

/// A verified token: its header and its (authentic, checked) claims as JSON, to be
/// deserialized into any type with [`VerifiedToken::claims`].
#[derive(Clone)]
pub struct VerifiedToken {
    pub(super) header: Header,
    pub(super) payload: Box<[u8]>,
}

impl VerifiedToken {
    /// The header.
    pub fn header(&self) -> &Header {
        &self.header
    }

    /// The claims JSON text (verified).
    pub fn payload_json(&self) -> &[u8] {
        &self.payload
    }

    /// The claims as `T`.
    ///
    /// # Errors
    /// [`ErrorKind::ClaimsMismatch`](crate::ErrorKind::ClaimsMismatch) if they do not deserialize into `T`, with
    /// [`Error::claims_mismatch_detail`](crate::Error::claims_mismatch_detail) saying where and why (found by a second read, on this
    /// error path only).
    pub fn claims<T: DeserializeOwned>(&self) -> Result<T> {
        serde_json::from_slice(&self.payload)
            .map_err(|_| crate::error::claims_mismatch::<T>(&self.payload))
    }

    /// The registered claims.
    ///
    /// # Errors
    /// As [`VerifiedToken::claims`] (cannot fail for a token that passed verification).
    pub fn registered(&self) -> Result<RegisteredClaims> {
        self.claims()
    }
}

impl fmt::Debug for VerifiedToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("VerifiedToken")
            .field("header", &self.header)
            .field("payload", &"[redacted]")
            .finish()
    }
}

/// A verified token's header and claims.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TokenData<T> {
    /// The header.
    pub header: Header,
    /// The claims.
    pub claims: T,
}
