//! [`VerifierBuilder`]: builds a [`Verifier`].

use std::sync::Arc;
use std::time::Duration;

use super::{KeySource, Keys, Validation, Verifier};
use crate::algorithm::Algorithm;
use crate::clock::{Clock, SystemClock};
use crate::error::Result;
use crate::key::{Key, KeySet};
use crate::rules::ClaimRule;

/// Builds a [`Verifier`]; see [`Validation`] for what each rule means.
#[derive(Debug, Default)]
#[must_use]
pub struct VerifierBuilder {
    keys: KeySet,
    source: Option<Arc<dyn KeySource>>,
    validation: Validation,
    clock: Option<Arc<dyn Clock>>,
}

impl VerifierBuilder {
    /// Allows exactly these algorithms (required).
    pub fn algorithms(mut self, algorithms: impl IntoIterator<Item = Algorithm>) -> Self {
        self.validation.algorithms = algorithms.into_iter().collect();
        self
    }

    /// Adds a key.
    pub fn key(mut self, key: Key) -> Self {
        self.keys.push(key);
        self
    }

    /// Adds every key of a set.
    pub fn keys(mut self, keys: impl IntoIterator<Item = Key>) -> Self {
        for key in keys {
            self.keys.push(key);
        }
        self
    }

    /// Takes keys from `source` (for example a remote JWK Set) instead of fixed keys; keys added
    /// with [`VerifierBuilder::key`] are then ignored.
    pub fn key_source(mut self, source: Arc<dyn KeySource>) -> Self {
        self.source = Some(source);
        self
    }

    /// Accepts this issuer (may be called more than once).
    pub fn issuer(mut self, issuer: impl Into<String>) -> Self {
        self.validation.issuers.push(issuer.into());
        self
    }

    /// Accepts these issuers.
    pub fn issuers<I: IntoIterator<Item = S>, S: Into<String>>(mut self, issuers: I) -> Self {
        self.validation
            .issuers
            .extend(issuers.into_iter().map(Into::into));
        self
    }

    /// Accepts this audience (may be called more than once).
    pub fn audience(mut self, audience: impl Into<String>) -> Self {
        self.validation.audiences.push(audience.into());
        self
    }

    /// Accepts these audiences.
    pub fn audiences<I: IntoIterator<Item = S>, S: Into<String>>(mut self, audiences: I) -> Self {
        self.validation
            .audiences
            .extend(audiences.into_iter().map(Into::into));
        self
    }

    /// Explicit opt-out: do not check `aud` (by default a token carrying `aud` is rejected when
    /// no audience is configured, as RFC 7519 §4.1.3 and PyJWT do).
    pub fn skip_audience_check(mut self) -> Self {
        self.validation.skip_audience_check = true;
        self
    }

    /// Requires `sub` to equal `subject`.
    pub fn subject(mut self, subject: impl Into<String>) -> Self {
        self.validation.subject = Some(subject.into());
        self
    }

    /// Clock skew allowed for `exp`, `nbf`, `iat` (default 60 s).
    pub fn leeway(mut self, leeway: Duration) -> Self {
        self.validation.leeway_secs = leeway.as_secs();
        self
    }

    /// Whether `exp` must be present (default `true`).
    pub fn require_exp(mut self, require: bool) -> Self {
        self.validation.require_exp = require;
        self
    }

    /// Claims that must be present.
    pub fn required_claims<I: IntoIterator<Item = S>, S: Into<String>>(
        mut self,
        claims: I,
    ) -> Self {
        self.validation
            .required_claims
            .extend(claims.into_iter().map(Into::into));
        self
    }

    /// Requires the header `typ` (for example `at+jwt`, RFC 9068).
    pub fn typ(mut self, typ: impl Into<String>) -> Self {
        self.validation.typ = Some(typ.into());
        self
    }

    /// Which kind of token is accepted (default [`TokenUse::Access`](crate::TokenUse::Access)).
    pub fn token_use(mut self, token_use: crate::TokenUse) -> Self {
        self.validation.token_use = token_use;
        self
    }

    /// Rejects tokens whose `iat` is older than `max_age` (requires `iat`).
    pub fn max_age(mut self, max_age: Duration) -> Self {
        self.validation.max_age_secs = Some(max_age.as_secs());
        self
    }

    /// Maximum token length in bytes (default 16 KiB).
    pub fn max_token_bytes(mut self, max: usize) -> Self {
        self.validation.max_token_bytes = max;
        self
    }

    /// Maximum header segment length in bytes (default 2048), checked before decoding.
    pub fn max_header_bytes(mut self, max: usize) -> Self {
        self.validation.max_header_bytes = max;
        self
    }

    /// How many keys a token without `kid` may be tried against (default 4); a token without
    /// `kid` facing more keys for its `alg` is `unknown_key`.
    pub fn max_keys_without_kid(mut self, max: usize) -> Self {
        self.validation.max_keys_without_kid = max;
        self
    }

    /// Whether a token must carry `kid` (default `false`); without it, `unknown_key`.
    pub fn require_kid(mut self, require: bool) -> Self {
        self.validation.require_kid = require;
        self
    }

    /// `crit` names this application understands.
    pub fn critical_extensions<I: IntoIterator<Item = S>, S: Into<String>>(
        mut self,
        names: I,
    ) -> Self {
        self.validation
            .critical_extensions
            .extend(names.into_iter().map(Into::into));
        self
    }

    /// Adds a claim rule ([`ClaimRule`]); rules are checked in the order added, after the
    /// registered claims. A malformed rule fails [`VerifierBuilder::build`] naming `claims[i]`.
    pub fn claim_rule(mut self, rule: ClaimRule) -> Self {
        self.validation.claims.push(rule);
        self
    }

    /// Adds claim rules, as [`VerifierBuilder::claim_rule`] each.
    pub fn claim_rules(mut self, rules: impl IntoIterator<Item = ClaimRule>) -> Self {
        self.validation.claims.extend(rules);
        self
    }

    /// Replaces all rules at once.
    pub fn validation(mut self, validation: Validation) -> Self {
        self.validation = validation;
        self
    }

    /// Uses `clock` instead of the system clock (for tests).
    pub fn clock(mut self, clock: impl Clock) -> Self {
        self.clock = Some(Arc::new(clock));
        self
    }

    /// Uses `clock`, which other verifiers may share (the providers of one config).
    pub(crate) fn shared_clock(mut self, clock: Arc<dyn Clock>) -> Self {
        self.clock = Some(clock);
        self
    }

    /// Builds the verifier.
    ///
    /// # Errors
    /// As [`Verifier::new`].
    pub fn build(self) -> Result<Verifier> {
        let clock = self.clock.unwrap_or_else(|| Arc::new(SystemClock));
        let keys = match self.source {
            Some(source) => Keys::Source(source),
            None => Keys::Static(Arc::new(self.keys)),
        };
        Verifier::from_parts(keys, self.validation, clock)
    }
}
