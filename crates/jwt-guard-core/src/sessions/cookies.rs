//! Browser sessions: the tokens of a [`TokenIssuer`] in `HttpOnly` cookies, with CSRF
//! double-submit protection and implicit refresh ([`SessionCookies`], the
//! `[sessions.cookies]` table [`CookieSettings`]).
//!
//! # The contract
//!
//! - **Cookies** ([`SessionCookies::login`], [`SessionCookies::redeem`]): the access token in
//!   `access_token_cookie` (`HttpOnly; Secure; SameSite=Lax; Path=/`), the refresh token in
//!   `refresh_token_cookie` (`HttpOnly; Secure; SameSite=Strict; Path=/session/refresh`: sent to
//!   the refresh endpoint only), and one readable CSRF cookie for each
//!   (`csrf_access_token`, `csrf_refresh_token`: not `HttpOnly`, `Path=/`, so the page's script
//!   reads them). `Max-Age` is the token's lifetime. [`SessionCookies::unset`] answers the same
//!   four cookies empty with `Max-Age=0` and the same attributes (a browser only replaces a
//!   cookie of the same name, path and domain). `Secure` is on unless a setting turns it off
//!   (plain-http development only).
//! - **CSRF double submit**: each token issued for cookies carries a random `csrf` claim (128
//!   bits), and its CSRF cookie the same value. When a middleware with these cookies
//!   ([`BearerAuth::with_session_cookies`](crate::http::BearerAuth::with_session_cookies)) takes
//!   the token **from a cookie** and the method is unsafe (`POST`, `PUT`, `PATCH`, `DELETE`;
//!   configurable; a request whose method is unknown counts as unsafe), the request must carry
//!   the claim's value in `X-CSRF-Token` (configurable), compared in constant time. Otherwise
//!   it is refused 403 `csrf_failed` ([`RejectionKind::CsrfFailed`]), with no
//!   `WWW-Authenticate` challenge: the token is valid, so asking for credentials again would
//!   not help; the request did not prove it came from the page. A token from the
//!   `Authorization` header is exempt: browsers never send it by themselves.
//! - **Implicit refresh** (`refresh_within_secs`, off by default): when a cookie-borne access
//!   token that passed has less than that left, the response carries a new access cookie
//!   (a new `jti`, a full lifetime, `fresh: false`, the same `sid` and the same `csrf`, so
//!   requests already in flight with the old header still pass) and its CSRF cookie again
//!   (same value, new `Max-Age`, so that it does not expire before the new access cookie). The old token is not revoked:
//!   it expires on its own, soon. A refused request gets no new cookie.
//! - The location rules stay RFC 6750-strict: a token in both the `Authorization` header and a
//!   cookie is 400 `invalid_request`.
//!
//! [`RejectionKind::CsrfFailed`]: crate::http::RejectionKind::CsrfFailed

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use ::http::{HeaderMap, HeaderValue, header::SET_COOKIE};
use cookie::Cookie;
use serde::{Deserialize, Serialize};

use super::{PairCsrf, TokenIssuer};
use crate::error::{Error, Result};
use crate::http::{TokenLocation, TokenLocations, TokenSource};
use crate::revocation::RevocationStore;
use crate::verifier::{ACCESS_TYP, VerifiedToken};

/// Default name of the access token cookie (Flask-JWT-Extended's).
pub const DEFAULT_ACCESS_COOKIE: &str = "access_token_cookie";
/// Default name of the refresh token cookie (Flask-JWT-Extended's).
pub const DEFAULT_REFRESH_COOKIE: &str = "refresh_token_cookie";
/// Default name of the access token's readable CSRF cookie (Flask-JWT-Extended's).
pub const DEFAULT_ACCESS_CSRF_COOKIE: &str = "csrf_access_token";
/// Default name of the refresh token's readable CSRF cookie (Flask-JWT-Extended's).
pub const DEFAULT_REFRESH_CSRF_COOKIE: &str = "csrf_refresh_token";
/// Default `Path` of the refresh cookie: the examples' refresh endpoint.
pub const DEFAULT_REFRESH_PATH: &str = "/session/refresh";
/// Default header carrying the CSRF value.
pub const DEFAULT_CSRF_HEADER: &str = "X-CSRF-Token";
/// Default methods subject to the CSRF check.
pub const DEFAULT_CSRF_METHODS: [&str; 4] = ["POST", "PUT", "PATCH", "DELETE"];

/// A cookie's `SameSite` attribute.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize)]
#[non_exhaustive]
pub enum SameSite {
    /// Sent on same-site requests only.
    Strict,
    /// Also sent on top-level navigations from other sites (`GET` links).
    Lax,
    /// Sent on cross-site requests too (needs `Secure`): for a page on another site.
    None,
}

impl SameSite {
    fn to_cookie(self) -> cookie::SameSite {
        match self {
            SameSite::Strict => cookie::SameSite::Strict,
            SameSite::Lax => cookie::SameSite::Lax,
            SameSite::None => cookie::SameSite::None,
        }
    }
}

/// The `[sessions.cookies]` table, or settings in code (`CookieSettings::default()` and the
/// `with_*` methods). Every field is optional in TOML:
///
/// ```toml
/// [sessions.cookies]
/// access_name = "access_token_cookie"
/// refresh_name = "refresh_token_cookie"
/// access_csrf_name = "csrf_access_token"
/// refresh_csrf_name = "csrf_refresh_token"
/// access_path = "/"
/// refresh_path = "/session/refresh"
/// # domain = "example.com"         # default: none (host-only cookies)
/// # same_site = "None"             # default: Lax for the access cookies, Strict for the refresh ones
/// secure = true                    # false only for plain-http development
/// csrf_protect = true
/// csrf_header = "X-CSRF-Token"
/// csrf_methods = ["POST", "PUT", "PATCH", "DELETE"]
/// # refresh_within_secs = 300      # implicit refresh; default: off
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields, default)]
#[non_exhaustive]
pub struct CookieSettings {
    /// Name of the access token cookie.
    pub access_name: String,
    /// Name of the refresh token cookie.
    pub refresh_name: String,
    /// Name of the access token's CSRF cookie.
    pub access_csrf_name: String,
    /// Name of the refresh token's CSRF cookie.
    pub refresh_csrf_name: String,
    /// `Path` of the access cookie (the CSRF cookies always have `Path=/`).
    pub access_path: String,
    /// `Path` of the refresh cookie: the refresh endpoint.
    pub refresh_path: String,
    /// `Domain` of every cookie (default: none, host-only).
    pub domain: Option<String>,
    /// `SameSite` of every cookie (default: `Lax` for the access cookies, `Strict` for the
    /// refresh ones).
    pub same_site: Option<SameSite>,
    /// `Secure` (default `true`; `false` only for plain-http development).
    pub secure: bool,
    /// Whether the CSRF check applies (default `true`).
    pub csrf_protect: bool,
    /// The header carrying the CSRF value.
    pub csrf_header: String,
    /// The methods subject to the CSRF check (upper case).
    pub csrf_methods: Vec<String>,
    /// Implicit refresh: seconds of access lifetime left below which a response carries a new
    /// access cookie (default: off).
    pub refresh_within_secs: Option<u64>,
}

impl Default for CookieSettings {
    fn default() -> Self {
        CookieSettings {
            access_name: DEFAULT_ACCESS_COOKIE.to_owned(),
            refresh_name: DEFAULT_REFRESH_COOKIE.to_owned(),
            access_csrf_name: DEFAULT_ACCESS_CSRF_COOKIE.to_owned(),
            refresh_csrf_name: DEFAULT_REFRESH_CSRF_COOKIE.to_owned(),
            access_path: "/".to_owned(),
            refresh_path: DEFAULT_REFRESH_PATH.to_owned(),
            domain: None,
            same_site: None,
            secure: true,
            csrf_protect: true,
            csrf_header: DEFAULT_CSRF_HEADER.to_owned(),
            csrf_methods: DEFAULT_CSRF_METHODS
                .iter()
                .map(|m| (*m).to_owned())
                .collect(),
            refresh_within_secs: None,
        }
    }
}

impl CookieSettings {
    /// `Secure` on or off (off only for plain-http development).
    #[must_use]
    pub fn with_secure(mut self, secure: bool) -> Self {
        self.secure = secure;
        self
    }

    /// `SameSite` of every cookie.
    #[must_use]
    pub fn with_same_site(mut self, same_site: SameSite) -> Self {
        self.same_site = Some(same_site);
        self
    }

    /// `Domain` of every cookie.
    #[must_use]
    pub fn with_domain(mut self, domain: impl Into<String>) -> Self {
        self.domain = Some(domain.into());
        self
    }

    /// `Path` of the refresh cookie.
    #[must_use]
    pub fn with_refresh_path(mut self, path: impl Into<String>) -> Self {
        self.refresh_path = path.into();
        self
    }

    /// The names of the access, refresh, access CSRF and refresh CSRF cookies.
    #[must_use]
    pub fn with_names(
        mut self,
        access: impl Into<String>,
        refresh: impl Into<String>,
        access_csrf: impl Into<String>,
        refresh_csrf: impl Into<String>,
    ) -> Self {
        self.access_name = access.into();
        self.refresh_name = refresh.into();
        self.access_csrf_name = access_csrf.into();
        self.refresh_csrf_name = refresh_csrf.into();
        self
    }

    /// The header carrying the CSRF value.
    #[must_use]
    pub fn with_csrf_header(mut self, header: impl Into<String>) -> Self {
        self.csrf_header = header.into();
        self
    }

    /// The methods subject to the CSRF check.
    #[must_use]
    pub fn with_csrf_methods<I, M>(mut self, methods: I) -> Self
    where
        I: IntoIterator<Item = M>,
        M: Into<String>,
    {
        self.csrf_methods = methods.into_iter().map(Into::into).collect();
        self
    }

    /// Turns the CSRF check off (not recommended: any site can then make the browser send an
    /// authenticated `POST`).
    #[must_use]
    pub fn without_csrf(mut self) -> Self {
        self.csrf_protect = false;
        self
    }

    /// Implicit refresh below `within` of access lifetime left.
    #[must_use]
    pub fn with_refresh_within(mut self, within: Duration) -> Self {
        self.refresh_within_secs = Some(within.as_secs());
        self
    }

    /// Checks the settings.
    ///
    /// # Errors
    /// [`ErrorKind::InvalidConfig`](crate::ErrorKind::InvalidConfig) naming
    /// `sessions.cookies.<field>`: a name or the header that is not an RFC 9110 token, a path
    /// not starting with `/` or with `;`, a domain with `;`, `same_site = "None"` without
    /// `secure` (browsers drop such cookies), a method that is not a token.
    pub fn check(&self) -> Result<()> {
        for (field, name) in [
            ("access_name", &self.access_name),
            ("refresh_name", &self.refresh_name),
            ("access_csrf_name", &self.access_csrf_name),
            ("refresh_csrf_name", &self.refresh_csrf_name),
            ("csrf_header", &self.csrf_header),
        ] {
            if !crate::http::is_token_name(name) {
                return Err(Error::config(
                    format!("sessions.cookies.{field}"),
                    "not a valid name (RFC 9110 token characters only)",
                ));
            }
        }
        for (field, path) in [
            ("access_path", &self.access_path),
            ("refresh_path", &self.refresh_path),
        ] {
            if !path.starts_with('/') || !cookie_text(path) {
                return Err(Error::config(
                    format!("sessions.cookies.{field}"),
                    "must start with / and hold no ; or control characters",
                ));
            }
        }
        if let Some(domain) = &self.domain
            && (domain.is_empty() || !cookie_text(domain))
        {
            return Err(Error::config(
                "sessions.cookies.domain",
                "must be a host name without ; or control characters",
            ));
        }
        if self.same_site == Some(SameSite::None) && !self.secure {
            return Err(Error::config(
                "sessions.cookies.same_site",
                "SameSite=None needs secure = true (browsers drop such cookies otherwise)",
            ));
        }
        if self
            .csrf_methods
            .iter()
            .any(|m| !crate::http::is_token_name(m))
        {
            return Err(Error::config(
                "sessions.cookies.csrf_methods",
                "not a method name (RFC 9110 token characters only)",
            ));
        }
        Ok(())
    }
}

/// Visible ASCII and spaces, no `;`.
fn cookie_text(s: &str) -> bool {
    s.bytes()
        .all(|b| (b == b' ' || b.is_ascii_graphic()) && b != b';')
}

/// The `Set-Cookie` values of one answer (a login, a refresh, a logout, an implicit refresh).
/// They hold tokens: its `Debug` shows only the cookie names.
#[derive(Clone, Default)]
pub struct SetCookies {
    values: Vec<HeaderValue>,
    names: Vec<String>,
}

impl fmt::Debug for SetCookies {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SetCookies")
            .field("names", &self.names)
            .field("values", &"[redacted]")
            .finish()
    }
}

impl SetCookies {
    /// The `Set-Cookie` header values, in order.
    pub fn values(&self) -> &[HeaderValue] {
        &self.values
    }

    /// Appends them to `headers` as `Set-Cookie` headers.
    pub fn apply(&self, headers: &mut HeaderMap) {
        for value in &self.values {
            headers.append(SET_COOKIE, value.clone());
        }
    }

    fn push(&mut self, cookie: &Cookie<'_>) -> Result<()> {
        let value = HeaderValue::try_from(cookie.to_string()).map_err(|_| {
            Error::config(
                "sessions.cookies",
                "a cookie value holds characters a header cannot",
            )
        })?;
        self.names.push(cookie.name().to_owned());
        self.values.push(value);
        Ok(())
    }
}

/// What the CSRF check of one request needs, read before verification
/// ([`SessionCookies::csrf_demand`]).
#[derive(Clone, PartialEq, Eq)]
pub(crate) enum CsrfDemand {
    /// No check: not a cookie, a safe method, or the check is off.
    None,
    /// The token must carry a `csrf` claim equal to this header value (`None`: no header).
    Match(Option<Vec<u8>>),
}

impl fmt::Debug for CsrfDemand {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CsrfDemand::None => f.write_str("None"),
            CsrfDemand::Match(sent) => write!(f, "Match(sent: {})", sent.is_some()),
        }
    }
}

/// A [`TokenIssuer`] and its [`CookieSettings`]: issues and unsets the cookies of browser
/// sessions, and tells a middleware what the CSRF rule and implicit refresh need (see the
/// [module documentation](self)). Cheap to clone.
#[derive(Clone)]
pub struct SessionCookies {
    issuer: TokenIssuer,
    settings: Arc<CookieSettings>,
}

impl fmt::Debug for SessionCookies {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SessionCookies")
            .field("issuer", &self.issuer)
            .field("settings", &self.settings)
            .finish()
    }
}

/// Reads the `csrf` claim.
#[derive(Deserialize)]
struct CsrfClaim {
    #[serde(default)]
    csrf: Option<String>,
}

impl SessionCookies {
    /// The cookies of `issuer`'s tokens, as `settings` say.
    ///
    /// # Errors
    /// As [`CookieSettings::check`].
    pub fn new(issuer: TokenIssuer, settings: CookieSettings) -> Result<SessionCookies> {
        settings.check()?;
        Ok(SessionCookies {
            issuer,
            settings: Arc::new(settings),
        })
    }

    /// The issuer.
    pub fn issuer(&self) -> &TokenIssuer {
        &self.issuer
    }

    /// The settings.
    pub fn settings(&self) -> &CookieSettings {
        &self.settings
    }

    /// Where an access route reads the token: the `Authorization` header or the access cookie
    /// (both at once is `invalid_request`).
    pub fn access_locations(&self) -> TokenLocations {
        TokenLocations::new().cookie(self.settings.access_name.clone())
    }

    /// Where the refresh route reads the token: the `Authorization` header or the refresh
    /// cookie.
    pub fn refresh_locations(&self) -> TokenLocations {
        TokenLocations::new().cookie(self.settings.refresh_name.clone())
    }

    fn csrf_value(&self) -> Result<String> {
        self.issuer.random_id()
    }

    fn cookie(
        &self,
        name: &str,
        value: String,
        http_only: bool,
        path: &str,
        same_site: SameSite,
        max_age: Duration,
    ) -> Cookie<'static> {
        let mut cookie = Cookie::new(name.to_owned(), value);
        cookie.set_http_only(http_only.then_some(true));
        cookie.set_same_site(Some(
            self.settings.same_site.unwrap_or(same_site).to_cookie(),
        ));
        // `Some(false)` would still make `cookie` add `Secure` to `SameSite=None`; `check`
        // refuses that combination, so `None` here means no `Secure` at all.
        cookie.set_secure(self.settings.secure.then_some(true));
        cookie.set_path(path.to_owned());
        if let Some(domain) = &self.settings.domain {
            cookie.set_domain(domain.clone());
        }
        let secs = i64::try_from(max_age.as_secs()).unwrap_or(i64::MAX / 4);
        cookie.set_max_age(cookie::time::Duration::seconds(secs));
        cookie
    }

    /// The four cookies of a pair, or (`pair` `None`) the four unset.
    fn pair_cookies(&self, pair: Option<(&str, &str, &str, &str)>) -> Result<SetCookies> {
        let s = &self.settings;
        let (access_ttl, refresh_ttl) = match pair {
            Some(_) => (self.issuer.access_ttl(), self.issuer.refresh_ttl()),
            None => (Duration::ZERO, Duration::ZERO),
        };
        let (access, access_csrf, refresh, refresh_csrf) = pair.unwrap_or(("", "", "", ""));
        let mut out = SetCookies::default();
        for (name, value, http_only, path, same_site, ttl) in [
            (
                &s.access_name,
                access,
                true,
                &s.access_path,
                SameSite::Lax,
                access_ttl,
            ),
            (
                &s.access_csrf_name,
                access_csrf,
                false,
                &"/".to_owned(),
                SameSite::Lax,
                access_ttl,
            ),
            (
                &s.refresh_name,
                refresh,
                true,
                &s.refresh_path,
                SameSite::Strict,
                refresh_ttl,
            ),
            (
                &s.refresh_csrf_name,
                refresh_csrf,
                false,
                &"/".to_owned(),
                SameSite::Strict,
                refresh_ttl,
            ),
        ] {
            out.push(&self.cookie(name, value.to_owned(), http_only, path, same_site, ttl))?;
        }
        Ok(out)
    }

    /// A login of `sub` ([`TokenIssuer::login`]) answered in cookies: the access and refresh
    /// tokens (each with a new random `csrf` claim) and their two CSRF cookies.
    ///
    /// # Errors
    /// As [`TokenIssuer::login`].
    pub fn login<C: Serialize + ?Sized>(&self, sub: &str, claims: &C) -> Result<SetCookies> {
        let (access_csrf, refresh_csrf) = (self.csrf_value()?, self.csrf_value()?);
        let csrf = PairCsrf {
            access: &access_csrf,
            refresh: &refresh_csrf,
        };
        let pair = self.issuer.login_with_csrf(sub, claims, csrf)?;
        self.pair_cookies(Some((
            &pair.access_token,
            &access_csrf,
            &pair.refresh_token,
            &refresh_csrf,
        )))
    }

    /// Redeems a verified refresh token ([`TokenIssuer::redeem`]), answering the new pair in
    /// cookies with new CSRF values.
    ///
    /// # Errors
    /// As [`TokenIssuer::redeem`].
    pub async fn redeem<C: Serialize + ?Sized>(
        &self,
        store: &dyn RevocationStore,
        refresh: &VerifiedToken,
        claims: &C,
    ) -> Result<SetCookies> {
        let (access_csrf, refresh_csrf) = (self.csrf_value()?, self.csrf_value()?);
        let csrf = PairCsrf {
            access: &access_csrf,
            refresh: &refresh_csrf,
        };
        let pair = self
            .issuer
            .redeem_with(store, refresh, claims, Some(csrf))
            .await?;
        self.pair_cookies(Some((
            &pair.access_token,
            &access_csrf,
            &pair.refresh_token,
            &refresh_csrf,
        )))
    }

    /// The four cookies unset (logout): empty, `Max-Age=0`, the same attributes.
    pub fn unset(&self) -> SetCookies {
        // Empty values always make valid cookies and headers.
        self.pair_cookies(None).unwrap_or_default()
    }

    /// What the CSRF check of `request` needs, given where its token was found.
    pub(crate) fn csrf_demand<R: TokenSource + ?Sized>(
        &self,
        request: &R,
        location: TokenLocation,
    ) -> CsrfDemand {
        let s = &self.settings;
        if !s.csrf_protect || location != TokenLocation::Cookie {
            return CsrfDemand::None;
        }
        let unsafe_method = match request.method() {
            Some(method) => s
                .csrf_methods
                .iter()
                .any(|m| m.eq_ignore_ascii_case(method)),
            None => true,
        };
        if !unsafe_method {
            return CsrfDemand::None;
        }
        let mut values = request.header_values(&s.csrf_header);
        let sent = match (values.next(), values.next()) {
            (Some(one), None) => Some(one.to_vec()),
            _ => None,
        };
        CsrfDemand::Match(sent)
    }

    /// Whether `token` satisfies `demand`: its `csrf` claim equals the header, in constant time.
    pub(crate) fn csrf_satisfied(demand: &CsrfDemand, token: &VerifiedToken) -> bool {
        let CsrfDemand::Match(sent) = demand else {
            return true;
        };
        let Some(sent) = sent else {
            return false;
        };
        let claim = serde_json::from_slice::<CsrfClaim>(token.payload_json())
            .ok()
            .and_then(|c| c.csrf);
        match claim {
            Some(claim) if !claim.is_empty() => {
                aws_lc_rs::constant_time::verify_slices_are_equal(claim.as_bytes(), sent).is_ok()
            }
            _ => false,
        }
    }

    /// The new access cookie of implicit refresh and its CSRF cookie again (the same value, a
    /// new `Max-Age`), if `token` (an access token taken from a cookie) has less than
    /// `refresh_within_secs` left; `None` otherwise, or when signing fails (logged: the request
    /// itself goes on).
    pub(crate) fn implicit_refresh(
        &self,
        token: &VerifiedToken,
        location: TokenLocation,
    ) -> Option<SetCookies> {
        let within = self.settings.refresh_within_secs?;
        if location != TokenLocation::Cookie {
            return None;
        }
        let is_access = token
            .header()
            .typ
            .as_deref()
            .is_some_and(|t| crate::verifier::typ_matches(ACCESS_TYP, t));
        if !is_access {
            return None;
        }
        let exp = token.registered().ok()?.exp?;
        let left = exp.saturating_sub(self.issuer.now());
        if left >= i64::try_from(within).unwrap_or(i64::MAX) {
            return None;
        }
        let access = match self.issuer.reissue_access(token) {
            Ok(access) => access,
            Err(e) => {
                tracing::error!(
                    target: crate::LOG_TARGET,
                    code = e.code(),
                    "implicit refresh failed: the request goes on with its token"
                );
                return None;
            }
        };
        // The CSRF cookie again, same value, so that it lives as long as the new access cookie.
        let csrf = serde_json::from_slice::<CsrfClaim>(token.payload_json())
            .ok()
            .and_then(|c| c.csrf)
            .unwrap_or_default();
        let s = &self.settings;
        let ttl = self.issuer.access_ttl();
        let mut out = SetCookies::default();
        let access = self.cookie(
            &s.access_name,
            access,
            true,
            &s.access_path,
            SameSite::Lax,
            ttl,
        );
        let csrf = self.cookie(&s.access_csrf_name, csrf, false, "/", SameSite::Lax, ttl);
        out.push(&access).ok()?;
        out.push(&csrf).ok()?;
        Some(out)
    }
}

impl crate::VerifierConfig {
    /// The [`SessionCookies`] of the `[sessions]` table and its `[sessions.cookies]` table
    /// (the defaults without one); `None` without a `[sessions]` table.
    ///
    /// # Errors
    /// As [`VerifierConfig::token_issuer`](crate::VerifierConfig::token_issuer) and
    /// [`CookieSettings::check`].
    pub fn session_cookies(&self) -> Result<Option<SessionCookies>> {
        let Some(issuer) = self.token_issuer()? else {
            return Ok(None);
        };
        let settings = self
            .sessions
            .as_ref()
            .and_then(|s| s.cookies.clone())
            .unwrap_or_default();
        SessionCookies::new(issuer, settings).map(Some)
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::indexing_slicing)]

    use super::*;
    use crate::{Algorithm, Key};

    fn cookies(settings: CookieSettings) -> SessionCookies {
        let issuer = TokenIssuer::builder(
            Key::hmac(b"an example secret of 32 bytes..!").unwrap(),
            Algorithm::HS256,
        )
        .issuer("https://issuer.example")
        .audience("api")
        .build()
        .unwrap();
        SessionCookies::new(issuer, settings).unwrap()
    }

    fn shown(set: &SetCookies) -> Vec<String> {
        set.values()
            .iter()
            .map(|v| {
                let v = v.to_str().unwrap();
                let (pair, rest) = v.split_once(';').unwrap();
                let (name, value) = pair.split_once('=').unwrap();
                let value = if value.is_empty() { "" } else { "<v>" };
                format!("{name}={value};{rest}")
            })
            .collect()
    }

    #[test]
    fn default_attributes_exactly() {
        let c = cookies(CookieSettings::default());
        let set = c.login("ada", &serde_json::json!({})).unwrap();
        assert_eq!(
            shown(&set),
            [
                "access_token_cookie=<v>; HttpOnly; SameSite=Lax; Secure; Path=/; Max-Age=900",
                "csrf_access_token=<v>; SameSite=Lax; Secure; Path=/; Max-Age=900",
                "refresh_token_cookie=<v>; HttpOnly; SameSite=Strict; Secure; Path=/session/refresh; Max-Age=2592000",
                "csrf_refresh_token=<v>; SameSite=Strict; Secure; Path=/; Max-Age=2592000",
            ]
        );
        assert_eq!(
            shown(&c.unset()),
            [
                "access_token_cookie=; HttpOnly; SameSite=Lax; Secure; Path=/; Max-Age=0",
                "csrf_access_token=; SameSite=Lax; Secure; Path=/; Max-Age=0",
                "refresh_token_cookie=; HttpOnly; SameSite=Strict; Secure; Path=/session/refresh; Max-Age=0",
                "csrf_refresh_token=; SameSite=Strict; Secure; Path=/; Max-Age=0",
            ]
        );
        assert!(!format!("{set:?}").contains('.'), "{set:?}");
    }

    #[test]
    fn configured_attributes() {
        let c = cookies(
            CookieSettings::default()
                .with_same_site(SameSite::None)
                .with_domain("example.com")
                .with_refresh_path("/auth/refresh")
                .with_names("a", "r", "ca", "cr"),
        );
        let set = shown(&c.unset());
        assert_eq!(
            set[2],
            "r=; HttpOnly; SameSite=None; Secure; Path=/auth/refresh; Domain=example.com; Max-Age=0"
        );
        assert_eq!(
            set[1],
            "ca=; SameSite=None; Secure; Path=/; Domain=example.com; Max-Age=0"
        );
    }

    #[test]
    fn bad_settings_name_their_field() {
        let bad = [
            (
                CookieSettings::default()
                    .with_same_site(SameSite::None)
                    .with_secure(false),
                "sessions.cookies.same_site",
            ),
            (
                CookieSettings::default().with_refresh_path("refresh"),
                "sessions.cookies.refresh_path",
            ),
            (
                CookieSettings::default().with_csrf_header("X CSRF"),
                "sessions.cookies.csrf_header",
            ),
            (
                CookieSettings::default().with_domain("a;b"),
                "sessions.cookies.domain",
            ),
        ];
        for (settings, field) in bad {
            let err = settings.check().unwrap_err().to_string();
            assert!(err.contains(field), "{err}");
        }
    }

    /// The CSRF rule: only cookie-borne tokens on unsafe (configured) methods; the header must
    /// be there once and equal the token's claim; an unknown method counts as unsafe; a token
    /// without the claim never passes.
    #[test]
    fn csrf_rule() {
        let c = cookies(CookieSettings::default().with_csrf_methods(["POST", "PUT"]));
        let verifier = c.issuer().access_verifier().clone();
        let set = c.login("ada", &serde_json::json!({})).unwrap();
        let value = |i: usize| {
            let v = set.values()[i].to_str().unwrap();
            v.split(';')
                .next()
                .unwrap()
                .split_once('=')
                .unwrap()
                .1
                .to_owned()
        };
        let (access, csrf) = (value(0), value(1));
        let token =
            crate::http::test_support::block_on(verifier.verify_token_async(&access)).unwrap();
        let req = |method: &str, headers: &[(&str, &str)]| {
            let mut b = ::http::Request::builder().method(method).uri("/");
            for (n, v) in headers {
                b = b.header(*n, *v);
            }
            b.body(()).unwrap()
        };
        let passes = |r: &::http::Request<()>, location| {
            SessionCookies::csrf_satisfied(&c.csrf_demand(r, location), &token)
        };
        let cookie = TokenLocation::Cookie;
        assert!(passes(&req("GET", &[]), cookie));
        assert!(
            passes(&req("DELETE", &[]), cookie),
            "not a configured method"
        );
        assert!(passes(&req("POST", &[]), TokenLocation::Header));
        assert!(!passes(&req("POST", &[]), cookie));
        assert!(!passes(&req("put", &[("x-csrf-token", "nope")]), cookie));
        assert!(passes(&req("PUT", &[("x-csrf-token", &csrf)]), cookie));
        assert!(passes(&req("POST", &[("X-CSRF-TOKEN", &csrf)]), cookie));
        let twice = req("POST", &[("x-csrf-token", &csrf), ("x-csrf-token", &csrf)]);
        assert!(!passes(&twice, cookie), "a repeated header is refused");
        let (parts, ()) = req("GET", &[]).into_parts();
        assert!(
            !SessionCookies::csrf_satisfied(&c.csrf_demand(&parts.headers, cookie), &token),
            "no method known: unsafe"
        );
        // A token issued without cookies has no claim: refused from a cookie.
        let plain = c.issuer().login("ada", &serde_json::json!({})).unwrap();
        let plain =
            crate::http::test_support::block_on(verifier.verify_token_async(&plain.access_token))
                .unwrap();
        let demand = c.csrf_demand(&req("POST", &[("x-csrf-token", &csrf)]), cookie);
        assert!(!SessionCookies::csrf_satisfied(&demand, &plain));
        // Off: nothing is checked.
        let off = cookies(CookieSettings::default().without_csrf());
        assert_eq!(off.csrf_demand(&req("POST", &[]), cookie), CsrfDemand::None);
    }

    #[test]
    fn toml_table() {
        let s: CookieSettings =
            toml::from_str("secure = false\nrefresh_within_secs = 60\ncsrf_methods = [\"POST\"]")
                .unwrap();
        assert_eq!(
            s,
            CookieSettings::default()
                .with_secure(false)
                .with_refresh_within(Duration::from_secs(60))
                .with_csrf_methods(["POST"])
        );
        assert!(toml::from_str::<CookieSettings>("secrue = false").is_err());
    }
}
