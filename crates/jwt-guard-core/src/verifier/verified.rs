//! What a verification returns: [`VerifiedToken`] and [`TokenData`].

use std::any::Any;
use std::fmt;
use std::sync::{Arc, OnceLock};

use serde::de::DeserializeOwned;

use std::borrow::Cow;

use crate::error::Result;
use crate::revocation::RevocationClaims;
use crate::token::RawClaims;
use crate::token::{Header, RegisteredClaims};

/// A verified token: its header and its (authentic, checked) claims as JSON, to be
/// deserialized into any type with [`VerifiedToken::claims`].
#[derive(Clone)]
pub struct VerifiedToken {
    pub(super) header: Header,
    pub(super) payload: std::sync::Arc<[u8]>,
    /// Where the claims the revocation check reads are, found in the verification pass.
    pub(super) spans: ClaimSpans,
    /// The claims as the first type [`VerifiedToken::claims_shared`] parsed them into, shared
    /// by every copy of a token the verified-token cache holds (`None` for any other token).
    pub(super) parsed: Option<Arc<OnceLock<ParsedClaims>>>,
}

/// Claims parsed into some `T` ([`VerifiedToken::claims_shared`]).
pub(crate) type ParsedClaims = Box<dyn Any + Send + Sync>;

/// Where `jti`, `sid` and `sub` sit in the payload (byte ranges of unescaped string values),
/// and `iat`/`exp`, as the verification pass read them: the revocation check then reads them
/// without parsing the claims again. `reread` when the pass cannot say (an escaped string, a
/// `sid` that is not a string, a fractional date): the check parses the payload itself.
#[derive(Clone, Copy, Default)]
pub(crate) struct ClaimSpans {
    jti: Option<(u32, u32)>,
    sid: Option<(u32, u32)>,
    sub: Option<(u32, u32)>,
    iat: Option<i64>,
    exp: Option<i64>,
    /// When the verifier checked the claims.
    now: i64,
    reread: bool,
}

impl ClaimSpans {
    /// The spans of what `raw` borrowed from `payload`.
    pub(crate) fn of(raw: &RawClaims<'_>, payload: &[u8], now: i64) -> ClaimSpans {
        // `Err(())`: the pass cannot say where it is; the check reads the payload again.
        let span = |text: &str| -> Result<Option<(u32, u32)>, ()> {
            let start = (text.as_ptr() as usize)
                .checked_sub(payload.as_ptr() as usize)
                .ok_or(())?;
            let end = start.checked_add(text.len()).ok_or(())?;
            if end > payload.len() {
                return Err(());
            }
            Ok(Some((
                u32::try_from(start).map_err(|_| ())?,
                u32::try_from(end).map_err(|_| ())?,
            )))
        };
        let string = |value: &Option<Cow<'_, str>>| match value {
            None => Ok(None),
            Some(Cow::Borrowed(text)) => span(text),
            Some(Cow::Owned(_)) => Err(()),
        };
        let sid = match raw.sid.map(|v| v.get()) {
            None | Some("null") => Ok(None),
            Some(text) => text
                .strip_prefix('"')
                .and_then(|t| t.strip_suffix('"'))
                .filter(|inner| !inner.contains('\\'))
                .map_or(Err(()), span),
        };
        match (string(&raw.jti), sid, string(&raw.sub)) {
            (Ok(jti), Ok(sid), Ok(sub)) if !raw.fractional_dates => ClaimSpans {
                jti,
                sid,
                sub,
                iat: raw.iat,
                exp: raw.exp,
                now,
                reread: false,
            },
            _ => ClaimSpans {
                now,
                reread: true,
                ..ClaimSpans::default()
            },
        }
    }
}

impl VerifiedToken {
    /// The claims the revocation check reads, from the spans of the verification pass;
    /// `None` when the payload must be read again ([`ClaimSpans`]).
    pub(crate) fn revocation_claims(&self) -> Option<RevocationClaims<'_>> {
        let spans = &self.spans;
        if spans.reread {
            return None;
        }
        let text = |span: Option<(u32, u32)>| -> Option<Option<&str>> {
            match span {
                None => Some(None),
                Some((start, end)) => {
                    let bytes = self.payload.get(start as usize..end as usize)?;
                    std::str::from_utf8(bytes).ok().map(Some)
                }
            }
        };
        Some(
            RevocationClaims::new(
                text(spans.jti)?,
                text(spans.sid)?,
                text(spans.sub)?,
                spans.iat,
                spans.exp,
            )
            .at(spans.now),
        )
    }

    /// When the verifier checked the claims (seconds since the epoch, its clock).
    pub(crate) fn checked_at(&self) -> i64 {
        self.spans.now
    }

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
        // The text was checked as UTF-8 when the token was verified: one pass over it here lets
        // serde_json skip checking every name and string again (fewer instructions per request).
        std::str::from_utf8(&self.payload)
            .ok()
            .and_then(|text| serde_json::from_str(text).ok())
            .ok_or_else(|| crate::error::claims_mismatch::<T>(&self.payload))
    }

    /// The claims as `T`, as [`VerifiedToken::claims`], parsed once per token the
    /// verified-token cache holds ([`crate::cache`]): the first parse into a `T` is kept with
    /// the cached token, and every later request with that token gets a clone of it. For a
    /// token the cache does not hold (cache off, not yet kept, an algorithm it skips), and for
    /// a second type parsed from the same token, this parses as [`VerifiedToken::claims`] does.
    /// What the framework extractors (`Claims<T>`) call.
    ///
    /// `T`'s `Deserialize` must give the same value for the same JSON (as every derived one
    /// does): a kept `T` stands for every later parse.
    ///
    /// # Errors
    /// As [`VerifiedToken::claims`]; a failed parse is not kept.
    pub fn claims_shared<T>(&self) -> Result<T>
    where
        T: DeserializeOwned + Clone + Send + Sync + 'static,
    {
        let Some(slot) = &self.parsed else {
            return self.claims();
        };
        if let Some(kept) = slot.get() {
            return match kept.downcast_ref::<T>() {
                Some(claims) => Ok(claims.clone()),
                None => self.claims(),
            };
        }
        let claims: T = self.claims()?;
        // Another request may have kept its parse first: either is the same value.
        let _ = slot.set(Box::new(claims.clone()));
        Ok(claims)
    }

    /// Gives this token (and every clone made from now on) a slot for the claims
    /// [`VerifiedToken::claims_shared`] parses: the verified-token cache calls it on the token
    /// it keeps.
    pub(crate) fn share_parsed_claims(&mut self) {
        self.parsed = Some(Arc::new(OnceLock::new()));
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
