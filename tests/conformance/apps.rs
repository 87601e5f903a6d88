//! One setup, two apps: the axum router and the actix-web app serve the same routes with the
//! same core settings ([`BearerAuth`] values built once, here) and handlers that answer the
//! same JSON. Only framework glue differs.

use std::sync::Arc;

use jwt_guard_core::cache::CacheConfig;
use jwt_guard_core::http::{
    BearerAuth, Denial, LoadError, Rejection, TokenLocations, UserLoader, Users,
};
use jwt_guard_core::revocation::{MemoryStore, RedisOptions, RedisStore, RevocationStore};
use jwt_guard_core::{ClaimRule, RegisteredClaims, RoleSource, Verifier, VerifierConfig};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use crate::cases::revocation::{CUT_SUBJECT, CUTOFF, REVOKED_JTI, REVOKED_SID};
use crate::keys::*;

/// The core settings every route uses.
pub(crate) struct Setup {
    /// All 13 algorithms, the fixture keys, issuer and audience, realm `conformance`.
    pub(crate) main: BearerAuth,
    /// As `main` without an audience.
    pub(crate) noaud: BearerAuth,
    /// The `/everywhere` config (TOML, with a `[token]` table), read with
    /// `VerifierConfig::from_file` from a temporary directory that also holds the key file it
    /// names by a relative path: built by `from_config`, it resolves against that directory.
    pub(crate) everywhere: VerifierConfig,
    /// Keeps that directory until the servers stop.
    _everywhere_dir: tempfile::TempDir,
    /// As `main`, reading the `x-api-token` header only.
    pub(crate) custom: BearerAuth,
    /// The `/config` config (TOML, HS256 only, `[token]` header `x-token` + cookie + query),
    /// for `from_config`.
    pub(crate) config: VerifierConfig,
    /// The nesting routes (`/nest/*`): see [`Nesting`].
    pub(crate) nest: Nesting,
    /// The revocation store of the `/revocation/*` routes, shared by both apps: a revoked
    /// `jti`, a revoked `sid`, a cutoff for the subject `cut` (`cases/revocation.rs`).
    pub(crate) revocations: Arc<MemoryStore>,
    /// The store of the `/revocation/unavailable*` routes: a [`RedisStore`] whose Redis accepts
    /// connections and never answers (a hung Redis: the listener below, never accepting), so
    /// its replica is never loaded and it fails closed (`cases/revocation.rs`).
    pub(crate) unavailable: Arc<RedisStore>,
    /// The hung "Redis" (kept bound until the servers stop).
    _hung_redis: std::net::TcpListener,
    /// The issuer of the `/sessions/*` routes (`cases/sessions.rs`) and their store.
    pub(crate) sessions: (jwt_guard_core::sessions::TokenIssuer, Arc<MemoryStore>),
    /// The `/cookies/*` setups (`cases/cookies.rs`): default settings, and implicit refresh.
    pub(crate) cookies: (
        jwt_guard_core::sessions::cookies::SessionCookies,
        jwt_guard_core::sessions::cookies::SessionCookies,
    ),
    /// The `/claims/*` and `/roles/*` routes (`cases/claims.rs`).
    pub(crate) claims: Claims,
    /// The verified-token cache of every route (the table runs with it on and off).
    pub(crate) cache: CacheConfig,
}

/// The settings of the claim rule and role routes (`cases/claims.rs`).
pub(crate) struct Claims {
    /// As `main`, the verifier with the claim rule `token_use = "access"`.
    pub(crate) token_use: BearerAuth,
    /// As `main`, with the role sources `/realm_access/roles` and `cognito:groups`.
    pub(crate) roles: BearerAuth,
    /// The `/rm` config (TOML, HS256, with a `[resource_metadata]` table), for `from_config`
    /// (`cases/resource_metadata.rs`).
    pub(crate) metadata: VerifierConfig,
}

impl Claims {
    fn new() -> Claims {
        let verifier = Verifier::builder()
            .algorithms(ALGORITHMS)
            .keys(server_keys())
            .issuer(ISSUER)
            .audience(AUDIENCE)
            .claim_rule(ClaimRule::claim("token_use").equals("access"))
            .build()
            .unwrap();
        let roles = Verifier::builder()
            .algorithms(ALGORITHMS)
            .keys(server_keys())
            .issuer(ISSUER)
            .audience(AUDIENCE)
            .build()
            .unwrap();
        let metadata = VerifierConfig::from_toml(&format!(
            "algorithms = [\"HS256\"]\nissuers = [\"{ISSUER}\"]\naudiences = [\"{AUDIENCE}\"]\n\
             keys = [{{ kid = \"hs256\", secret = \"{HS256_SECRET}\" }}]\n{}",
            crate::cases::resource_metadata::TABLE
        ))
        .unwrap();
        Claims {
            metadata,
            token_use: BearerAuth::new(verifier).with_realm(REALM),
            roles: BearerAuth::new(roles).with_realm(REALM).with_roles([
                RoleSource::at_pointer("/realm_access/roles"),
                RoleSource::claim("cognito:groups"),
            ]),
        }
    }
}

/// The `/check/me` check: `suspended = true` is 403, a `tenant` other than `acme` 401.
pub(crate) fn sync_check(token: &jwt_guard_core::VerifiedToken) -> Result<(), Denial> {
    let claims: Value = token
        .claims()
        .map_err(|_| Denial::unauthorized("unreadable"))?;
    if claims["suspended"] == json!(true) {
        return Err(Denial::forbidden("the account is suspended"));
    }
    match claims.get("tenant").and_then(Value::as_str) {
        Some(tenant) if tenant != "acme" => {
            Err(Denial::unauthorized("the token is for another tenant"))
        }
        _ => Ok(()),
    }
}

/// The `/check/async` check: a "database" lookup (after a yield) refusing `mallory`.
pub(crate) async fn async_check(token: Arc<jwt_guard_core::VerifiedToken>) -> Result<(), Denial> {
    tokio::task::yield_now().await;
    let claims: Value = token
        .claims()
        .map_err(|_| Denial::unauthorized("unreadable"))?;
    if claims["sub"] == "mallory" {
        return Err(Denial::forbidden("the user is blocked"));
    }
    Ok(())
}

/// The user `/user/*` loads: its name (`sub`) and the serial number of the load.
#[derive(Clone)]
pub(crate) struct AppUser {
    pub(crate) name: String,
    pub(crate) serial: usize,
}

/// The `/user/*` loader: `ghost` has no user, `broken` fails (its error quotes the token's
/// subject, which must not reach the answer); every load gets a new serial.
#[derive(Default)]
pub(crate) struct AppUsers {
    serial: std::sync::atomic::AtomicUsize,
}

impl UserLoader for AppUsers {
    type User = AppUser;

    async fn load(
        &self,
        token: &jwt_guard_core::VerifiedToken,
    ) -> Result<Option<AppUser>, LoadError> {
        tokio::task::yield_now().await;
        let sub = token.registered()?.sub.unwrap_or_default();
        let serial = self
            .serial
            .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        match sub.as_str() {
            "ghost" => Ok(None),
            "broken" => Err(format!("database down while loading {sub}").into()),
            _ => Ok(Some(AppUser { name: sub, serial })),
        }
    }
}

/// What `/user/*` answers for two extractions of the user in one request.
pub(crate) fn user_body(first: &AppUser, second: &AppUser) -> Value {
    json!({"name": first.name, "same_load": first.serial == second.serial})
}

/// What `/roles/verified` requires.
pub(crate) fn email_verified() -> ClaimRule {
    ClaimRule::claim("email_verified").equals(true)
}

/// The layers of the `/nest/*` routes: an outer layer over `/nest/<combo>/*` and an inner one
/// over `/nest/<combo>/api/*`, with different keys, audiences, token locations and realms, so
/// that an answer shows which layer gave it. What a handler or a scope guard under the inner
/// layer sees is exactly what the inner layer verified, or nothing.
pub(crate) struct Nesting {
    /// Key A (the HS256 fixture key), audience `web`, the `session` cookie, realm `outer`.
    pub(crate) outer: BearerAuth,
    /// Key B (`kid` `partner`), audience `partner-api`, `Authorization`, realm `inner`.
    pub(crate) inner: BearerAuth,
    /// Key A, audience `partner-api`, the `session` cookie (the outer layer's location), realm
    /// `inner`.
    pub(crate) inner_same_place: BearerAuth,
}

impl Nesting {
    fn new() -> Nesting {
        let auth = |key: jwt_guard_core::Key, audience: &str| {
            Verifier::builder()
                .algorithms([jwt_guard_core::Algorithm::HS256])
                .key(key)
                .issuer(ISSUER)
                .audience(audience)
                .build()
                .unwrap()
        };
        let cookie = || TokenLocations::nowhere().cookie("session");
        Nesting {
            outer: BearerAuth::new(auth(nest_key_a(), NEST_AUDIENCE_A))
                .with_token_locations(cookie())
                .with_realm("outer"),
            inner: BearerAuth::new(auth(nest_key_b(), NEST_AUDIENCE_B)).with_realm("inner"),
            inner_same_place: BearerAuth::new(auth(nest_key_a(), NEST_AUDIENCE_B))
                .with_token_locations(cookie())
                .with_realm("inner"),
        }
    }

    /// The combinations: path segment, outer optional?, inner settings, inner optional?
    pub(crate) fn combos(&self) -> [(&'static str, bool, &BearerAuth, bool); 5] {
        [
            ("oo", true, &self.inner, true),
            ("ro", false, &self.inner, true),
            ("or", true, &self.inner, false),
            ("rr", false, &self.inner, false),
            ("same", true, &self.inner_same_place, true),
        ]
    }
}

impl Setup {
    /// The setup with `cache` on every route (`CacheConfig::off()`: none).
    pub(crate) fn with_cache(cache: CacheConfig) -> Arc<Setup> {
        let mut setup = Setup::build(cache.clone());
        for auth in [
            &mut setup.main,
            &mut setup.noaud,
            &mut setup.custom,
            &mut setup.nest.outer,
            &mut setup.nest.inner,
            &mut setup.nest.inner_same_place,
            &mut setup.claims.token_use,
            &mut setup.claims.roles,
        ] {
            *auth = auth.clone().with_cache(&cache);
        }
        for config in [
            &mut setup.everywhere,
            &mut setup.config,
            &mut setup.claims.metadata,
        ] {
            config.cache = cache.clone();
        }
        Arc::new(setup)
    }

    fn build(cache: CacheConfig) -> Setup {
        let verifier = |audience: bool| {
            let mut builder = Verifier::builder()
                .algorithms(ALGORITHMS)
                .keys(server_keys())
                .issuer(ISSUER);
            if audience {
                builder = builder.audience(AUDIENCE);
            }
            builder.build().unwrap()
        };
        let main = BearerAuth::new(verifier(true)).with_realm(REALM);
        let everywhere_dir = tempfile::tempdir().unwrap();
        std::fs::copy(
            fixture_dir().join("p256.pub.pem"),
            everywhere_dir.path().join("p256.pub.pem"),
        )
        .unwrap();
        let everywhere_text = format!(
            r#"
            algorithms = ["HS256", "ES256"]
            issuers = ["{ISSUER}"]
            audiences = ["{AUDIENCE}"]

            [[keys]]
            kid = "hs256"
            secret = "{HS256_SECRET}"

            [[keys]]
            kid = "p256"
            pem_file = "p256.pub.pem"

            [token]
            header = "authorization"
            cookie = "session"
            query = true
            "#
        );
        let everywhere_file = everywhere_dir.path().join("everywhere.toml");
        std::fs::write(&everywhere_file, everywhere_text).unwrap();
        let everywhere = VerifierConfig::from_file(&everywhere_file).unwrap();
        let config: VerifierConfig = toml::from_str(&format!(
            r#"
            algorithms = ["HS256"]
            issuers = ["{ISSUER}"]
            audiences = ["{AUDIENCE}"]

            [[keys]]
            kid = "hs256"
            secret = "{HS256_SECRET}"

            [token]
            header = "x-token"
            cookie = "session"
            query = true
            "#
        ))
        .unwrap();
        let hung_redis = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let hung_url = format!("redis://{}/0", hung_redis.local_addr().unwrap());
        Setup {
            cache,
            revocations: revocations(),
            unavailable: Arc::new(RedisStore::new(RedisOptions::new(hung_url)).unwrap()),
            _hung_redis: hung_redis,
            sessions: (
                crate::cases::sessions::issuer(),
                Arc::new(MemoryStore::default()),
            ),
            cookies: crate::cases::cookies::setups(),
            custom: main
                .clone()
                .with_token_locations(TokenLocations::nowhere().header("x-api-token")),
            noaud: BearerAuth::new(verifier(false)).with_realm(REALM),
            main,
            everywhere,
            _everywhere_dir: everywhere_dir,
            config,
            nest: Nesting::new(),
            claims: Claims::new(),
        }
    }
}

/// The `/revocation/*` store, filled (its writes complete without awaiting).
fn revocations() -> Arc<MemoryStore> {
    fn now<T>(f: impl std::future::Future<Output = T>) -> T {
        let mut f = std::pin::pin!(f);
        let mut cx = std::task::Context::from_waker(std::task::Waker::noop());
        match f.as_mut().poll(&mut cx) {
            std::task::Poll::Ready(v) => v,
            std::task::Poll::Pending => panic!("the memory store awaited"),
        }
    }
    let store = Arc::new(MemoryStore::new(16));
    let until = i64::try_from(FAR_FUTURE).unwrap();
    now(store.revoke_jti(REVOKED_JTI, until)).unwrap();
    now(store.revoke_sid(REVOKED_SID, until)).unwrap();
    now(store.revoke_subject_before(CUT_SUBJECT, CUTOFF)).unwrap();
    store
}

/// What `/me` extracts: `sub` must be there.
#[derive(Clone, Deserialize)]
pub(crate) struct Sub {
    pub(crate) sub: String,
}

/// What `/email` extracts.
#[derive(Clone, Deserialize)]
pub(crate) struct NeedsEmail {
    pub(crate) email: String,
}

/// What `/tenant` extracts: the typed-claims pattern the README and the rustdoc of `Claims<T>`
/// show (registered claims flattened in, custom claims beside them).
#[derive(Clone, Deserialize)]
pub(crate) struct TenantClaims {
    #[serde(flatten)]
    pub(crate) registered: RegisteredClaims,
    pub(crate) tenant: String,
    pub(crate) seats: u32,
    pub(crate) role: Role,
}

#[derive(Clone, Deserialize, Serialize)]
#[serde(rename_all = "lowercase")]
pub(crate) enum Role {
    Admin,
    Member,
}

pub(crate) fn tenant_body(c: &TenantClaims) -> Value {
    json!({"sub": c.registered.sub, "tenant": c.tenant, "seats": c.seats, "role": c.role})
}

pub(crate) fn me_body(sub: &str, alg: &str) -> Value {
    json!({"sub": sub, "alg": alg})
}

pub(crate) fn optional_body(sub: Option<&str>) -> Value {
    json!({"sub": sub})
}

pub(crate) fn email_body(email: &str) -> Value {
    json!({"email": email})
}

pub(crate) fn optional_email_body(email: Option<&str>) -> Value {
    json!({"email": email})
}

pub(crate) fn admin_body() -> Value {
    json!({"admin": true})
}

pub(crate) fn scoped_body() -> Value {
    json!({"scoped": true})
}

pub(crate) fn public_body() -> Value {
    json!({"public": true})
}

/// The `/hook/*` answer: status, `WWW-Authenticate`, `{"problem", "detail", "status", "code"}`
/// (`code`: the core error's, if any).
pub(crate) fn problem(rejection: &Rejection) -> (u16, Option<String>, Value) {
    let status = rejection.status().as_u16();
    let body = json!({
        "problem": rejection.error_code(),
        "detail": rejection.description(),
        "status": status,
        "code": rejection.error().map(|e| e.code()),
    });
    (status, rejection.www_authenticate(), body)
}

// ---------------------------------------------------------------------------------------------
// axum
// ---------------------------------------------------------------------------------------------

pub(crate) mod axum_app {
    use axum::response::IntoResponse;
    use axum::routing::get;
    use axum::{Json, Router};
    use jwt_guard_axum::{
        Claims, CurrentUser, JwtLayer, Rejection, RequireClaims, RequireRoles, RequireScopes,
        Verified,
    };

    async fn user(first: CurrentUser<AppUser>, second: CurrentUser<AppUser>) -> Json<Value> {
        Json(user_body(&first, &second))
    }

    use super::*;

    async fn me(token: Verified, Claims(c): Claims<Sub>) -> Json<Value> {
        Json(me_body(&c.sub, token.header().alg.as_str()))
    }

    async fn email(Claims(c): Claims<NeedsEmail>) -> Json<Value> {
        Json(email_body(&c.email))
    }

    async fn tenant(Claims(c): Claims<TenantClaims>) -> Json<Value> {
        Json(tenant_body(&c))
    }

    async fn admin() -> Json<Value> {
        Json(admin_body())
    }

    async fn scoped() -> Json<Value> {
        Json(scoped_body())
    }

    async fn optional(claims: Option<Claims<Sub>>) -> Json<Value> {
        Json(optional_body(claims.as_ref().map(|c| c.sub.as_str())))
    }

    async fn claims_only(Claims(c): Claims<Sub>) -> Json<Value> {
        Json(optional_body(Some(&c.sub)))
    }

    async fn optional_email(claims: Option<Claims<NeedsEmail>>) -> Json<Value> {
        Json(optional_email_body(
            claims.as_ref().map(|c| c.email.as_str()),
        ))
    }

    async fn public() -> Json<Value> {
        Json(public_body())
    }

    fn hook(rejection: &Rejection) -> axum::response::Response {
        let (status, www_authenticate, body) = problem(rejection);
        let status = http::StatusCode::from_u16(status).unwrap();
        let mut response = (status, Json(body)).into_response();
        if let Some(value) = www_authenticate {
            response
                .headers_mut()
                .insert("www-authenticate", value.parse().unwrap());
        }
        response
    }

    /// Each group of routes shares one layer (`route_layer`: unknown paths stay 404).
    pub(crate) fn router(setup: &Setup) -> Router {
        let admin_only = || get(admin).route_layer(RequireScopes::all(["admin"]));
        let main = Router::new()
            .route("/me", get(me))
            .route("/email", get(email))
            .route("/tenant", get(tenant))
            .route("/admin", admin_only())
            .route(
                "/read-write",
                get(scoped).route_layer(RequireScopes::all(["read", "write"])),
            )
            .route(
                "/write-or-admin",
                get(scoped).route_layer(RequireScopes::any(["write", "admin"])),
            )
            .route_layer(JwtLayer::new(setup.main.clone()));
        let with_hook = Router::new()
            .route("/hook/me", get(me))
            .route("/hook/email", get(email))
            .route("/hook/admin", admin_only())
            .route_layer(JwtLayer::new(setup.main.clone()).on_error(hook));
        let optional_mode = Router::new()
            .route("/optional/me", get(optional))
            .route("/optional/claims", get(claims_only))
            .route("/optional/email", get(optional_email))
            .route("/optional/admin", admin_only())
            .route_layer(JwtLayer::new(setup.main.clone()).optional());
        let in_one = |path: &str, handler, layer: JwtLayer| {
            Router::new().route(path, handler).route_layer(layer)
        };
        let everywhere = JwtLayer::from_config(&setup.everywhere)
            .unwrap()
            .with_realm(REALM);
        let config = JwtLayer::from_config(&setup.config)
            .unwrap()
            .with_realm(REALM);
        Router::new()
            .route("/public", get(public))
            .route("/unguarded/me", get(me))
            .route("/unguarded/admin", admin_only())
            // Misordered: the last `route_layer` runs first, so the scope guard runs before the
            // layer and finds nothing.
            .route(
                "/misordered/admin",
                get(admin)
                    .route_layer(JwtLayer::new(setup.main.clone()))
                    .route_layer(RequireScopes::all(["admin"])),
            )
            .merge(main)
            .merge(with_hook)
            .merge(optional_mode)
            .merge(in_one(
                "/noaud/me",
                get(me),
                JwtLayer::new(setup.noaud.clone()),
            ))
            .merge(in_one("/everywhere/me", get(me), everywhere))
            .merge(in_one("/config/me", get(me), config))
            .merge(in_one(
                "/custom/me",
                get(me),
                JwtLayer::new(setup.custom.clone()),
            ))
            .merge(nesting(&setup.nest))
            .merge(revocation(setup))
            .merge(sessions(setup))
            .merge(cookies(setup))
            .merge(claim_routes(&setup.claims, &setup.main))
    }

    /// `/claims/me`, `/roles/{any,all,nosource,verified}` (`cases/claims.rs`).
    fn claim_routes(claims: &super::Claims, main: &BearerAuth) -> Router {
        let roles = Router::new()
            .route(
                "/roles/any",
                get(admin).route_layer(RequireRoles::any(["admin", "editor"])),
            )
            .route(
                "/roles/all",
                get(admin).route_layer(RequireRoles::all(["admin", "auditor"])),
            )
            .route(
                "/roles/verified",
                get(admin).route_layer(RequireClaims::rules([email_verified()])),
            )
            .route_layer(JwtLayer::new(claims.roles.clone()));
        let metadata = JwtLayer::from_config(&claims.metadata)
            .unwrap()
            .with_realm(REALM);
        let document = metadata.resource_metadata_service().unwrap();
        let document_path = document.path().to_owned();
        let rm = Router::new()
            .route("/rm/me", get(me))
            .route(
                "/rm/admin",
                get(admin).route_layer(RequireScopes::all(["admin"])),
            )
            .route_layer(metadata)
            .route_service(&document_path, document);
        let check = || JwtLayer::new(main.clone());
        let users = Users::new(AppUsers::default());
        let user_routes = Router::new()
            .route("/user/me", get(user))
            .route_layer(check())
            .merge(
                Router::new()
                    .route("/user/optional", get(user))
                    .route_layer(check().optional()),
            )
            .with_state(users);
        Router::new()
            .route("/claims/me", get(me))
            .route_layer(JwtLayer::new(claims.token_use.clone()))
            .merge(user_routes)
            .merge(rm)
            .merge(
                Router::new()
                    .route("/check/me", get(me))
                    .route_layer(check().check(sync_check)),
            )
            .merge(
                Router::new()
                    .route("/check/async", get(me))
                    .route_layer(check().check_async(async_check)),
            )
            .merge(
                Router::new()
                    .route("/check/optional", get(optional))
                    .route_layer(check().optional().check(sync_check)),
            )
            .merge(roles)
            .merge(
                Router::new()
                    .route(
                        "/roles/nosource",
                        get(admin).route_layer(RequireRoles::any(["admin"])),
                    )
                    .route_layer(JwtLayer::new(main.clone())),
            )
    }

    /// `POST /cookies/login`, `/cookies/me` (GET and POST) and `/cookies/refreshing/me`.
    fn cookies(setup: &Setup) -> Router {
        use jwt_guard_core::sessions::cookies::SessionCookies;
        let layer = |cookies: &SessionCookies| {
            JwtLayer::new(cookies.issuer().access_verifier().clone())
                .with_realm(REALM)
                .with_token_locations(cookies.access_locations())
                .with_session_cookies(cookies.clone())
        };
        let (plain, refreshing) = &setup.cookies;
        let login_cookies = plain.clone();
        Router::new()
            .route(
                "/cookies/login",
                axum::routing::post(move || {
                    let cookies = login_cookies.clone();
                    async move {
                        jwt_guard_axum::WithCookies(cookies.login("ada", &json!({})).unwrap())
                    }
                }),
            )
            .merge(
                Router::new()
                    .route("/cookies/me", get(me).post(me))
                    .route_layer(layer(plain)),
            )
            .merge(
                Router::new()
                    .route("/cookies/refreshing/me", get(me))
                    .route_layer(layer(refreshing)),
            )
    }

    /// `/sessions/me`, `/sessions/fresh` (access tokens of the issuer) and `/sessions/refresh`
    /// (its refresh tokens, redeemed).
    fn sessions(setup: &Setup) -> Router {
        let (issuer, store) = &setup.sessions;
        let access = || {
            JwtLayer::new(
                jwt_guard_core::http::BearerAuth::new(issuer.access_verifier().clone())
                    .with_cache(&setup.cache),
            )
            .with_realm(REALM)
            .with_revocation(store.clone())
        };
        let refresh_layer = JwtLayer::new(
            jwt_guard_core::http::BearerAuth::new(issuer.refresh_verifier().clone())
                .with_cache(&setup.cache),
        )
        .with_realm(REALM)
        .with_revocation(store.clone());
        async fn refresh(
            axum::extract::State(issuer): axum::extract::State<
                jwt_guard_core::sessions::TokenIssuer,
            >,
            token: jwt_guard_axum::RefreshToken,
        ) -> Result<Json<jwt_guard_core::sessions::TokenPair>, jwt_guard_axum::JwtRejection>
        {
            Ok(Json(token.redeem(&issuer, &json!({})).await?))
        }
        Router::new()
            .route("/sessions/me", get(me))
            .route_layer(access())
            .merge(
                Router::new()
                    .route("/sessions/fresh", get(me))
                    .route_layer(jwt_guard_axum::RequireFresh::default())
                    .route_layer(access()),
            )
            .merge(
                Router::new()
                    .route("/sessions/refresh", get(refresh))
                    .route_layer(refresh_layer)
                    .with_state(issuer.clone()),
            )
    }

    /// `/revocation/me` (required) and `/revocation/optional`, checked against the shared store.
    fn revocation(setup: &Setup) -> Router {
        let layer = || JwtLayer::new(setup.main.clone()).with_revocation(setup.revocations.clone());
        let unavailable =
            || JwtLayer::new(setup.main.clone()).with_revocation(setup.unavailable.clone());
        Router::new()
            .route("/revocation/me", get(me))
            .route_layer(layer())
            .merge(
                Router::new()
                    .route("/revocation/optional", get(optional))
                    .route_layer(layer().optional()),
            )
            .merge(
                Router::new()
                    .route("/revocation/unavailable", get(me))
                    .route_layer(unavailable()),
            )
            .merge(
                Router::new()
                    .route("/revocation/unavailable-optional", get(optional))
                    .route_layer(unavailable().optional()),
            )
    }

    /// `/nest/<combo>/me` under the outer layer; `/nest/<combo>/api/{me,claims,admin}` under
    /// the inner one too (a nested router with its own layer).
    fn nesting(nest: &Nesting) -> Router {
        let mut router = Router::new();
        for (combo, outer_optional, inner, inner_optional) in nest.combos() {
            let layer = |auth: &BearerAuth, optional: bool| {
                let layer = JwtLayer::new(auth.clone());
                if optional { layer.optional() } else { layer }
            };
            let api = Router::new()
                .route("/me", get(optional))
                .route("/claims", get(claims_only))
                .route(
                    "/admin",
                    get(admin).route_layer(RequireScopes::all(["admin"])),
                )
                .layer(layer(inner, inner_optional));
            let outer = Router::new()
                .route("/me", get(optional))
                .nest("/api", api)
                .layer(layer(&nest.outer, outer_optional));
            router = router.nest(&format!("/nest/{combo}"), outer);
        }
        router
    }
}

// ---------------------------------------------------------------------------------------------
// actix-web
// ---------------------------------------------------------------------------------------------

pub(crate) mod actix_app {
    use actix_web::http::StatusCode;
    use actix_web::{HttpResponse, web};
    use jwt_guard_actix::{
        Claims, CurrentUser, JwtMiddleware, Rejection, RequireClaims, RequireRoles, RequireScopes,
        Verified,
    };

    async fn user(first: CurrentUser<AppUser>, second: CurrentUser<AppUser>) -> HttpResponse {
        HttpResponse::Ok().json(user_body(&first, &second))
    }

    use super::*;

    async fn me(token: Verified, Claims(c): Claims<Sub>) -> HttpResponse {
        HttpResponse::Ok().json(me_body(&c.sub, token.header().alg.as_str()))
    }

    async fn email(Claims(c): Claims<NeedsEmail>) -> HttpResponse {
        HttpResponse::Ok().json(email_body(&c.email))
    }

    async fn tenant(Claims(c): Claims<TenantClaims>) -> HttpResponse {
        HttpResponse::Ok().json(tenant_body(&c))
    }

    async fn admin() -> HttpResponse {
        HttpResponse::Ok().json(admin_body())
    }

    async fn scoped() -> HttpResponse {
        HttpResponse::Ok().json(scoped_body())
    }

    async fn optional(claims: Option<Claims<Sub>>) -> HttpResponse {
        HttpResponse::Ok().json(optional_body(claims.as_ref().map(|c| c.sub.as_str())))
    }

    async fn claims_only(Claims(c): Claims<Sub>) -> HttpResponse {
        HttpResponse::Ok().json(optional_body(Some(&c.sub)))
    }

    async fn optional_email(claims: Option<Claims<NeedsEmail>>) -> HttpResponse {
        HttpResponse::Ok().json(optional_email_body(
            claims.as_ref().map(|c| c.email.as_str()),
        ))
    }

    async fn public() -> HttpResponse {
        HttpResponse::Ok().json(public_body())
    }

    fn hook(rejection: &Rejection) -> HttpResponse {
        let (status, www_authenticate, body) = problem(rejection);
        let mut response = HttpResponse::build(StatusCode::from_u16(status).unwrap());
        if let Some(value) = www_authenticate {
            response.insert_header(("www-authenticate", value));
        }
        response.json(body)
    }

    /// Every placement actix offers: per resource (`/me`, `/admin`, the other scoped routes),
    /// per route (`/email`), per scope (the rest).
    pub(crate) fn routes(setup: Arc<Setup>) -> impl FnOnce(&mut web::ServiceConfig) {
        move |config| {
            let main = || JwtMiddleware::new(setup.main.clone());
            // A resource needing `scopes`; the route's middleware goes on it after (runs first).
            let guarded = |path: &str, scopes: RequireScopes| web::resource(path).wrap(scopes);
            let admin_only = |path: &str| {
                guarded(path, RequireScopes::all(["admin"])).route(web::get().to(admin))
            };
            let everywhere = JwtMiddleware::from_config(&setup.everywhere)
                .unwrap()
                .with_realm(REALM);
            let from_config = JwtMiddleware::from_config(&setup.config)
                .unwrap()
                .with_realm(REALM);
            config
                .route("/public", web::get().to(public))
                .route("/unguarded/me", web::get().to(me))
                .service(admin_only("/unguarded/admin"))
                // Misordered: the last `.wrap` runs first, so the scope guard runs before the
                // middleware and finds nothing.
                .service(
                    web::resource("/misordered/admin")
                        .wrap(main())
                        .wrap(RequireScopes::all(["admin"]))
                        .route(web::get().to(admin)),
                )
                .service(web::resource("/me").wrap(main()).route(web::get().to(me)))
                .route("/email", web::get().to(email).wrap(main()))
                .service(
                    web::resource("/tenant")
                        .wrap(main())
                        .route(web::get().to(tenant)),
                )
                .service(admin_only("/admin").wrap(main()))
                .service(
                    guarded("/read-write", RequireScopes::all(["read", "write"]))
                        .wrap(main())
                        .route(web::get().to(scoped)),
                )
                .service(
                    guarded("/write-or-admin", RequireScopes::any(["write", "admin"]))
                        .wrap(main())
                        .route(web::get().to(scoped)),
                )
                .service(
                    web::scope("/hook")
                        .wrap(main().on_error(hook))
                        .route("/me", web::get().to(me))
                        .route("/email", web::get().to(email))
                        .service(admin_only("/admin")),
                )
                .service(
                    web::scope("/optional")
                        .wrap(main().optional())
                        .route("/me", web::get().to(optional))
                        .route("/claims", web::get().to(claims_only))
                        .route("/email", web::get().to(optional_email))
                        .service(admin_only("/admin")),
                )
                .service(
                    web::scope("/noaud")
                        .wrap(JwtMiddleware::new(setup.noaud.clone()))
                        .route("/me", web::get().to(me)),
                )
                .service(
                    web::scope("/everywhere")
                        .wrap(everywhere)
                        .route("/me", web::get().to(me)),
                )
                .service(
                    web::scope("/config")
                        .wrap(from_config)
                        .route("/me", web::get().to(me)),
                )
                .service(
                    web::scope("/custom")
                        .wrap(JwtMiddleware::new(setup.custom.clone()))
                        .route("/me", web::get().to(me)),
                )
                .service(
                    web::resource("/revocation/me")
                        .wrap(main().with_revocation(setup.revocations.clone()))
                        .route(web::get().to(me)),
                )
                .service(
                    web::resource("/revocation/optional")
                        .wrap(main().with_revocation(setup.revocations.clone()).optional())
                        .route(web::get().to(optional)),
                )
                .service({
                    let cookies = setup.cookies.0.clone();
                    web::resource("/cookies/login").route(web::post().to(move || {
                        let cookies = cookies.clone();
                        async move {
                            jwt_guard_actix::WithCookies(cookies.login("ada", &json!({})).unwrap())
                        }
                    }))
                })
                .service({
                    let cookies = &setup.cookies.0;
                    web::resource("/cookies/me")
                        .wrap(
                            JwtMiddleware::new(cookies.issuer().access_verifier().clone())
                                .with_realm(REALM)
                                .with_token_locations(cookies.access_locations())
                                .with_session_cookies(cookies.clone()),
                        )
                        .route(web::get().to(me))
                        .route(web::post().to(me))
                })
                .service({
                    let cookies = &setup.cookies.1;
                    web::resource("/cookies/refreshing/me")
                        .wrap(
                            JwtMiddleware::new(cookies.issuer().access_verifier().clone())
                                .with_realm(REALM)
                                .with_token_locations(cookies.access_locations())
                                .with_session_cookies(cookies.clone()),
                        )
                        .route(web::get().to(me))
                })
                .service({
                    let (issuer, store) = &setup.sessions;
                    web::resource("/sessions/me")
                        .wrap(
                            JwtMiddleware::new(
                                jwt_guard_core::http::BearerAuth::new(
                                    issuer.access_verifier().clone(),
                                )
                                .with_cache(&setup.cache),
                            )
                            .with_realm(REALM)
                            .with_revocation(store.clone()),
                        )
                        .route(web::get().to(me))
                })
                .service({
                    let (issuer, store) = &setup.sessions;
                    web::resource("/sessions/fresh")
                        .wrap(jwt_guard_actix::RequireFresh::default())
                        .wrap(
                            JwtMiddleware::new(
                                jwt_guard_core::http::BearerAuth::new(
                                    issuer.access_verifier().clone(),
                                )
                                .with_cache(&setup.cache),
                            )
                            .with_realm(REALM)
                            .with_revocation(store.clone()),
                        )
                        .route(web::get().to(me))
                })
                .service({
                    let (issuer, store) = &setup.sessions;
                    async fn refresh(
                        issuer: web::Data<jwt_guard_core::sessions::TokenIssuer>,
                        token: jwt_guard_actix::RefreshToken,
                    ) -> Result<HttpResponse, jwt_guard_actix::JwtError> {
                        let pair = token.redeem(&issuer, &json!({})).await?;
                        Ok(HttpResponse::Ok().json(pair))
                    }
                    web::resource("/sessions/refresh")
                        .app_data(web::Data::new(issuer.clone()))
                        .wrap(
                            JwtMiddleware::new(
                                jwt_guard_core::http::BearerAuth::new(
                                    issuer.refresh_verifier().clone(),
                                )
                                .with_cache(&setup.cache),
                            )
                            .with_realm(REALM)
                            .with_revocation(store.clone()),
                        )
                        .route(web::get().to(refresh))
                })
                .service(
                    web::resource("/revocation/unavailable")
                        .wrap(main().with_revocation(setup.unavailable.clone()))
                        .route(web::get().to(me)),
                )
                .service(
                    web::resource("/revocation/unavailable-optional")
                        .wrap(main().with_revocation(setup.unavailable.clone()).optional())
                        .route(web::get().to(optional)),
                );
            // `/claims/me`, `/roles/{any,all,nosource,verified}` (`cases/claims.rs`).
            let roles = || JwtMiddleware::new(setup.claims.roles.clone());
            config
                .service(
                    web::resource("/claims/me")
                        .wrap(JwtMiddleware::new(setup.claims.token_use.clone()))
                        .route(web::get().to(me)),
                )
                .service(
                    web::resource("/roles/any")
                        .wrap(RequireRoles::any(["admin", "editor"]))
                        .wrap(roles())
                        .route(web::get().to(admin)),
                )
                .service(
                    web::resource("/roles/all")
                        .wrap(RequireRoles::all(["admin", "auditor"]))
                        .wrap(roles())
                        .route(web::get().to(admin)),
                )
                .service(
                    web::resource("/roles/verified")
                        .wrap(RequireClaims::rules([email_verified()]))
                        .wrap(roles())
                        .route(web::get().to(admin)),
                )
                .service(
                    web::resource("/roles/nosource")
                        .wrap(RequireRoles::any(["admin"]))
                        .wrap(main())
                        .route(web::get().to(admin)),
                );
            // `/user/*` (`cases/user.rs`): the loader as app data of these resources.
            let users = Users::new(AppUsers::default());
            config
                .service(
                    web::resource("/user/me")
                        .app_data(users.clone())
                        .wrap(main())
                        .route(web::get().to(user)),
                )
                .service(
                    web::resource("/user/optional")
                        .app_data(users)
                        .wrap(main().optional())
                        .route(web::get().to(user)),
                );
            // `/check/*` (`cases/check.rs`).
            config
                .service(
                    web::resource("/check/me")
                        .wrap(main().check(sync_check))
                        .route(web::get().to(me)),
                )
                .service(
                    web::resource("/check/async")
                        .wrap(main().check_async(async_check))
                        .route(web::get().to(me)),
                )
                .service(
                    web::resource("/check/optional")
                        .wrap(main().optional().check(sync_check))
                        .route(web::get().to(optional)),
                );
            // `/rm/*` and the RFC 9728 document (`cases/resource_metadata.rs`).
            let metadata = || {
                JwtMiddleware::from_config(&setup.claims.metadata)
                    .unwrap()
                    .with_realm(REALM)
            };
            config
                .service(metadata().resource_metadata_service().unwrap())
                .service(
                    web::resource("/rm/me")
                        .wrap(metadata())
                        .route(web::get().to(me)),
                )
                .service(
                    web::resource("/rm/admin")
                        .wrap(RequireScopes::all(["admin"]))
                        .wrap(metadata())
                        .route(web::get().to(admin)),
                );
            for (combo, outer_optional, inner, inner_optional) in setup.nest.combos() {
                let middleware = |auth: &BearerAuth, optional: bool| {
                    let middleware = JwtMiddleware::new(auth.clone());
                    if optional {
                        middleware.optional()
                    } else {
                        middleware
                    }
                };
                config.service(
                    web::scope(&format!("/nest/{combo}"))
                        .wrap(middleware(&setup.nest.outer, outer_optional))
                        .route("/me", web::get().to(optional))
                        .service(
                            web::scope("/api")
                                .wrap(middleware(inner, inner_optional))
                                .route("/me", web::get().to(optional))
                                .route("/claims", web::get().to(claims_only))
                                .service(admin_only("/admin")),
                        ),
                );
            }
        }
    }
}
