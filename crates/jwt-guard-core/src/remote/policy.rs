//! The cache policy: every setting of a [`RemoteJwks`](super::RemoteJwks), its default and
//! bounds, and the lifetime of a response from its `Cache-Control` (and `Age`) within them.

use std::time::Duration;

use reqwest::header::{AGE, CACHE_CONTROL, HeaderMap};

use crate::error::{Error, Result};
use crate::redirect::RedirectPolicy;

/// Default timeout of one HTTP request: 5 seconds.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(5);
/// Default cap on a response body: 1 MiB.
pub const DEFAULT_MAX_BODY_BYTES: usize = 1024 * 1024;
/// Default key lifetime when the response has no `Cache-Control: max-age`: 10 minutes.
pub const DEFAULT_TTL: Duration = Duration::from_secs(10 * 60);
/// Default lower bound for a lifetime from `Cache-Control`: 1 minute.
pub const DEFAULT_MIN_TTL: Duration = Duration::from_secs(60);
/// Default upper bound for a lifetime from `Cache-Control`: 1 day.
pub const DEFAULT_MAX_TTL: Duration = Duration::from_secs(24 * 60 * 60);
/// Default minimum time between the starts of two fetches: 30 seconds (as panva/jose).
pub const DEFAULT_COOLDOWN: Duration = Duration::from_secs(30);
/// Default time the last good keys stay in use past their lifetime while refreshes fail: 1 day.
pub const DEFAULT_MAX_STALE: Duration = Duration::from_secs(24 * 60 * 60);

/// Longest duration any setting accepts (keeps every `Instant` computation in range).
const MAX_SETTING: Duration = Duration::from_secs(10 * 365 * 24 * 60 * 60);

#[derive(Debug, Clone, Copy)]
pub(super) struct Policy {
    pub(super) timeout: Duration,
    pub(super) max_body_bytes: usize,
    pub(super) allow_http: bool,
    pub(super) redirects: RedirectPolicy,
    pub(super) ttl: Duration,
    pub(super) min_ttl: Duration,
    pub(super) max_ttl: Duration,
    pub(super) cooldown: Duration,
    pub(super) max_stale: Duration,
}

impl Default for Policy {
    fn default() -> Policy {
        Policy {
            timeout: DEFAULT_TIMEOUT,
            max_body_bytes: DEFAULT_MAX_BODY_BYTES,
            allow_http: false,
            redirects: RedirectPolicy::None,
            ttl: DEFAULT_TTL,
            min_ttl: DEFAULT_MIN_TTL,
            max_ttl: DEFAULT_MAX_TTL,
            cooldown: DEFAULT_COOLDOWN,
            max_stale: DEFAULT_MAX_STALE,
        }
    }
}

impl Policy {
    pub(super) fn check(&self) -> Result<()> {
        let settings = [
            ("timeout", self.timeout),
            ("ttl", self.ttl),
            ("min_ttl", self.min_ttl),
            ("max_ttl", self.max_ttl),
            ("cooldown", self.cooldown),
            ("max_stale", self.max_stale),
        ];
        for (field, value) in settings {
            if value > MAX_SETTING {
                return Err(Error::config(field, "must be at most ten years"));
            }
        }
        if self.timeout.is_zero() {
            return Err(Error::config("timeout", "must be greater than zero"));
        }
        if self.cooldown.is_zero() {
            return Err(Error::config(
                "cooldown",
                "must be greater than zero (it bounds how often a provider is asked)",
            ));
        }
        if self.max_body_bytes == 0 {
            return Err(Error::config("max_body_bytes", "must be greater than zero"));
        }
        if self.min_ttl > self.max_ttl {
            return Err(Error::config("min_ttl", "must not exceed max_ttl"));
        }
        if self.ttl < self.min_ttl || self.ttl > self.max_ttl {
            return Err(Error::config(
                "ttl",
                format!(
                    "must lie within min_ttl..=max_ttl ({} s..={} s)",
                    self.min_ttl.as_secs_f64(),
                    self.max_ttl.as_secs_f64()
                ),
            ));
        }
        Ok(())
    }

    /// The lifetime of a response: its `Cache-Control: max-age` (minus `Age`) within the bounds,
    /// else the configured TTL.
    pub(super) fn ttl_for(&self, headers: &HeaderMap) -> Duration {
        match cache_lifetime(headers) {
            Some(lifetime) => lifetime.max(self.min_ttl).min(self.max_ttl),
            None => self.ttl,
        }
    }
}

/// `Some(max-age - Age)` from `Cache-Control` (`no-cache`/`no-store`: zero), `None` without one.
fn cache_lifetime(headers: &HeaderMap) -> Option<Duration> {
    let mut max_age = None;
    for value in headers.get_all(CACHE_CONTROL) {
        let Ok(value) = value.to_str() else { continue };
        for directive in value.split(',') {
            let (name, arg) = match directive.split_once('=') {
                Some((name, arg)) => (name.trim(), Some(arg.trim().trim_matches('"'))),
                None => (directive.trim(), None),
            };
            if name.eq_ignore_ascii_case("no-store") || name.eq_ignore_ascii_case("no-cache") {
                return Some(Duration::ZERO);
            }
            if name.eq_ignore_ascii_case("max-age")
                && let Some(secs) = arg.and_then(|a| a.parse::<u64>().ok())
            {
                max_age = Some(secs);
            }
        }
    }
    let age = headers
        .get(AGE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse::<u64>().ok())
        .unwrap_or(0);
    max_age.map(|secs| Duration::from_secs(secs.saturating_sub(age)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use reqwest::header::HeaderValue;

    fn headers(pairs: &[(&'static str, &'static str)]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for (name, value) in pairs {
            map.append(*name, HeaderValue::from_static(value));
        }
        map
    }

    #[test]
    fn cache_control_within_bounds() {
        let policy = Policy::default();
        let secs =
            |pairs: &[(&'static str, &'static str)]| policy.ttl_for(&headers(pairs)).as_secs();
        assert_eq!(secs(&[]), 600);
        assert_eq!(secs(&[("cache-control", "public, max-age=3600")]), 3600);
        assert_eq!(
            secs(&[("cache-control", "max-age=\"120\", must-revalidate")]),
            120
        );
        assert_eq!(secs(&[("cache-control", "max-age=5")]), 60);
        assert_eq!(secs(&[("cache-control", "max-age=99999999")]), 86_400);
        assert_eq!(secs(&[("cache-control", "no-store")]), 60);
        assert_eq!(
            secs(&[
                ("cache-control", "public"),
                ("cache-control", "MAX-AGE=900")
            ]),
            900
        );
        assert_eq!(
            secs(&[("cache-control", "max-age=900"), ("age", "300")]),
            600
        );
        assert_eq!(secs(&[("cache-control", "max-age=junk")]), 600);
        assert_eq!(secs(&[("expires", "Thu, 01 Jan 2099 00:00:00 GMT")]), 600);
    }
}
