//! What the verified-token cache ([`crate::cache`]) keeps beside a verified token so that a hit
//! needs neither the signature nor the claims again: the route that verified it, the generation
//! of the key set it was verified under, and the dates its time rules read. The time rules are
//! those of [`Provider::check_claims`], defined once here and run on every hit against the
//! clock of the provider.

use std::sync::Arc;

use super::{Inner, Keys, Provider, Validation, VerifiedToken, Verifier};
use crate::error::{Error, ErrorKind, Result};
use crate::token::RawClaims;

/// The dates a token's time rules read, each rounded toward the stricter side for its rule: `exp`
/// down, `nbf` and `iat` up (not valid yet, not issued in the future), and `iat` down again for
/// `max_age_secs` (an `iat` of `t - 0.5` is older than `t`).
#[derive(Clone, Copy, Debug, Default)]
pub(crate) struct Times {
    exp: Option<i64>,
    nbf: Option<i64>,
    iat: Option<i64>,
    /// `iat` rounded down, for `max_age_secs`.
    issued: Option<i64>,
}

impl Times {
    pub(super) fn of(claims: &RawClaims<'_>) -> Times {
        Times {
            exp: claims.exp,
            nbf: claims.nbf,
            iat: claims.iat,
            // `iat` is rounded up; a fraction means its floor is one less.
            issued: claims
                .iat
                .map(|iat| if claims.iat_fractional { iat - 1 } else { iat }),
        }
    }
}

/// Where and under which keys a token was verified, and its dates.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Stamp {
    /// The route (index into a routed verifier's list; 0 for a single provider).
    route: usize,
    /// [`KeySet::generation`](crate::KeySet) of the keys in use just before the signature
    /// check: if the set changed meanwhile, the entry is only ever a miss (never a stale hit).
    generation: u64,
    times: Times,
}

impl Stamp {
    /// The route index.
    pub(crate) fn route(&self) -> usize {
        self.route
    }
}

impl Provider {
    /// The generation of the keys now in use; `None` when there are none (a remote set never
    /// loaded or stale past its limit: the full path then answers `key_unavailable`).
    #[inline]
    fn generation(&self) -> Option<u64> {
        match &self.keys {
            Keys::Static(keys) => Some(keys.generation()),
            Keys::Source(source) => source.current().map(|keys| keys.generation()),
        }
    }

    /// The time rules: `exp` (and whether it is required), `nbf`, `iat` not in the future,
    /// `max_age_secs` from `iat`, each with the leeway, on this provider's clock.
    /// Checks the time rules; returns the time it checked them at.
    #[inline]
    pub(super) fn check_times(&self, t: Times) -> Result<i64> {
        let v = &self.validation;
        let missing = |name: &str| Error::new(ErrorKind::MissingClaim(name.to_owned().into()));
        let now = self.clock.now();
        // Both bounded (leeway and dates by construction), so these cannot overflow.
        let leeway = i64::try_from(v.leeway_secs).unwrap_or(i64::MAX / 4);
        match t.exp {
            Some(exp) if exp <= now.saturating_sub(leeway) => {
                return Err(Error::new(ErrorKind::Expired));
            }
            None if v.require_exp => return Err(missing("exp")),
            _ => {}
        }
        if t.nbf.is_some_and(|nbf| nbf > now.saturating_add(leeway)) {
            return Err(Error::new(ErrorKind::Immature));
        }
        if t.iat.is_some_and(|iat| iat > now.saturating_add(leeway)) {
            return Err(Error::new(ErrorKind::Immature));
        }
        if let Some(max_age) = v.max_age_secs {
            let iat = t.issued.ok_or_else(|| missing("iat"))?;
            let max_age = i64::try_from(max_age).unwrap_or(i64::MAX / 4);
            if now.saturating_sub(iat) > max_age.saturating_add(leeway) {
                return Err(Error::new(ErrorKind::Expired));
            }
        }
        Ok(now)
    }

    /// [`Provider::verify_token_timed`] stamped with `route` and the generation read first.
    #[inline]
    fn verify_stamped(&self, route: usize, token: &str) -> Result<(VerifiedToken, Stamp)> {
        let generation = self.generation().unwrap_or(0);
        let (verified, times) = self.verify_token_timed(token)?;
        Ok((
            verified,
            Stamp {
                route,
                generation,
                times,
            },
        ))
    }
}

impl Verifier {
    /// The provider for `token` and its route index.
    #[inline]
    fn provider_indexed(&self, token: &str) -> Result<(usize, &Provider)> {
        let chosen = self.route(token)?;
        let route = match &*self.inner {
            Inner::Single(_) => 0,
            Inner::Routed { verifiers, .. } => verifiers
                .iter()
                .position(|v| Arc::ptr_eq(&v.inner, &chosen.inner))
                .unwrap_or(usize::MAX),
        };
        match &*chosen.inner {
            Inner::Single(p) => Ok((route, p)),
            Inner::Routed { .. } => Err(Error::config(
                "providers",
                "a route cannot itself be routed",
            )),
        }
    }

    /// The metrics label of each route: its first issuer, `default` without one.
    pub(crate) fn route_labels(&self) -> Vec<String> {
        let label = |v: &Validation| {
            v.issuers
                .first()
                .cloned()
                .unwrap_or_else(|| "default".to_owned())
        };
        match &*self.inner {
            Inner::Single(p) => vec![label(&p.validation)],
            Inner::Routed { verifiers, .. } => {
                verifiers.iter().map(|v| label(v.validation())).collect()
            }
        }
    }

    /// The provider of a route index.
    fn provider_at(&self, route: usize) -> Option<&Provider> {
        let verifier = match &*self.inner {
            Inner::Single(p) => return (route == 0).then_some(p),
            Inner::Routed { verifiers, .. } => verifiers.get(route)?,
        };
        match &*verifier.inner {
            Inner::Single(p) => Some(p),
            Inner::Routed { .. } => None,
        }
    }

    /// [`Verifier::verify_token_async`], with the [`Stamp`] the cache keeps.
    pub(crate) async fn verify_token_stamped(&self, token: &str) -> Result<(VerifiedToken, Stamp)> {
        let (route, provider) = self.provider_indexed(token)?;
        match provider.verify_stamped(route, token) {
            Err(e) if provider.may_refresh(&e) => {
                provider.refresh().await;
                provider.verify_stamped(route, token)
            }
            result => result,
        }
    }

    /// A cached token's check: `None` when the entry no longer applies (its keys changed or
    /// are unavailable: verify in full), else the time rules on the clock now.
    pub(crate) fn check_stamp(&self, stamp: &Stamp) -> Option<Result<()>> {
        let provider = self.provider_at(stamp.route)?;
        if provider.generation()? != stamp.generation {
            return None;
        }
        Some(provider.check_times(stamp.times).map(|_| ()))
    }
}
