//! [`TokenIssuerBuilder`].

use super::*;

/// Builds a [`TokenIssuer`].
#[derive(Debug)]
#[must_use]
pub struct TokenIssuerBuilder {
    pub(super) key: Key,
    pub(super) alg: Algorithm,
    pub(super) issuer: Option<String>,
    pub(super) audiences: Vec<String>,
    pub(super) client_id: Option<String>,
    pub(super) access_ttl: Duration,
    pub(super) refresh_ttl: Duration,
    pub(super) fresh_ttl: Option<Duration>,
    pub(super) reuse_grace: Duration,
    pub(super) leeway: Duration,
    pub(super) clock: Option<Arc<dyn Clock>>,
}

pub(super) fn secs(d: Duration) -> i64 {
    i64::try_from(d.as_secs())
        .unwrap_or(i64::MAX / 4)
        .min(i64::MAX / 4)
}

impl TokenIssuerBuilder {
    /// The `iss` of every token (required).
    pub fn issuer(mut self, issuer: impl Into<String>) -> Self {
        self.issuer = Some(issuer.into());
        self
    }

    /// An `aud` of every token (repeat for several; at least one is required).
    pub fn audience(mut self, audience: impl Into<String>) -> Self {
        self.audiences.push(audience.into());
        self
    }

    /// The `client_id` of access tokens (RFC 9068 §2.2; default: none).
    pub fn client_id(mut self, client_id: impl Into<String>) -> Self {
        self.client_id = Some(client_id.into());
        self
    }

    /// Access token lifetime (default [`DEFAULT_ACCESS_TTL`]).
    pub fn access_ttl(mut self, ttl: Duration) -> Self {
        self.access_ttl = ttl;
        self
    }

    /// Refresh token lifetime (default [`DEFAULT_REFRESH_TTL`]).
    pub fn refresh_ttl(mut self, ttl: Duration) -> Self {
        self.refresh_ttl = ttl;
        self
    }

    /// How long after a login its access tokens count as fresh: `fresh` becomes that
    /// NumericDate instead of `true` (default: `true` on login, `false` after a refresh).
    pub fn fresh_ttl(mut self, ttl: Duration) -> Self {
        self.fresh_ttl = Some(ttl);
        self
    }

    /// How long a redeemed refresh token may be presented again without being taken as stolen
    /// (default [`DEFAULT_REUSE_GRACE`]).
    pub fn reuse_grace(mut self, grace: Duration) -> Self {
        self.reuse_grace = grace;
        self
    }

    /// The verifiers' leeway (default 60 s).
    pub fn leeway(mut self, leeway: Duration) -> Self {
        self.leeway = leeway;
        self
    }

    /// Uses `clock` for issuing and verifying (a [`ManualClock`](crate::ManualClock) in tests).
    pub fn clock(mut self, clock: impl Clock) -> Self {
        self.clock = Some(Arc::new(clock));
        self
    }

    /// Builds the issuer and its two verifiers.
    ///
    /// # Errors
    /// [`ErrorKind::InvalidConfig`] (`sessions.iss`, `sessions.aud`, a zero lifetime);
    /// [`ErrorKind::Signing`] when the key cannot sign; the verifier's errors.
    pub fn build(self) -> Result<TokenIssuer> {
        let issuer = self
            .issuer
            .filter(|i| !i.is_empty())
            .ok_or_else(|| Error::config("sessions.iss", "an issuer is required"))?;
        if self.audiences.is_empty() || self.audiences.iter().any(String::is_empty) {
            return Err(Error::config(
                "sessions.aud",
                "at least one non-empty audience is required",
            ));
        }
        for (field, ttl) in [
            ("sessions.access_ttl_secs", self.access_ttl),
            ("sessions.refresh_ttl_secs", self.refresh_ttl),
        ] {
            if ttl.as_secs() == 0 {
                return Err(Error::config(field, "must be at least 1"));
            }
        }
        let clock = self.clock.unwrap_or_else(|| Arc::new(SystemClock));
        let signer = Signer::new(self.key.clone(), self.alg)?;
        let verifier = |token_use: TokenUse| {
            let mut builder = Verifier::builder()
                .algorithms([self.alg])
                .key(self.key.clone())
                .issuer(issuer.clone())
                .leeway(self.leeway)
                .token_use(token_use)
                .shared_clock(Arc::clone(&clock));
            for aud in &self.audiences {
                builder = builder.audience(aud.clone());
            }
            if token_use == TokenUse::Access {
                builder = builder.typ(ACCESS_TYP);
            }
            builder.build()
        };
        Ok(TokenIssuer {
            inner: Arc::new(Inner {
                access: signer.clone().with_typ(Some(ACCESS_TYP)),
                refresh: signer.with_typ(Some(REFRESH_TYP)),
                access_verifier: verifier(TokenUse::Access)?,
                refresh_verifier: verifier(TokenUse::Refresh)?,
                issuer,
                audiences: self.audiences,
                client_id: self.client_id,
                access_ttl: secs(self.access_ttl),
                refresh_ttl: secs(self.refresh_ttl),
                fresh_ttl: self.fresh_ttl.map(secs),
                reuse_grace: secs(self.reuse_grace),
                leeway: secs(self.leeway),
                clock,
                random: SystemRandom::new(),
            }),
        })
    }
}
