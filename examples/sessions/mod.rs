//! What `axum_sessions.rs` and `actix_sessions.rs` share: the embedded demo config, the two
//! demo users (argon2 hashes), loading `JWT_GUARD_CONFIG` / `JWT_GUARD_ADDR`, the login check,
//! the state every handler reads, and the printed curl commands. Each example includes it with
//! `mod sessions;` (it is not an example of its own).

use std::error::Error;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;

use argon2::Argon2;
use argon2::password_hash::PasswordVerifier;
use jwt_guard_core::VerifierConfig;
use jwt_guard_core::revocation::{MemoryStore, RevocationStore};
use jwt_guard_core::sessions::TokenIssuer;
use jwt_guard_core::sessions::cookies::SessionCookies;
use serde::Deserialize;
use serde_json::{Value, json};

/// The embedded default config. DEMO ONLY: the HS256 secret below is in a public source file,
/// so anyone can mint tokens this server accepts. Use `JWT_GUARD_CONFIG` with your own key.
pub(crate) const DEMO_CONFIG: &str = r#"
[sessions]
alg = "HS256"
kid = "demo-sessions"
secret = "jwt-guard sessions demo secret: public, never use it"
iss = "https://demo.jwt-guard.invalid"
aud = "jwt-guard-sessions"
client_id = "demo-web"
access_ttl_secs = 900
refresh_ttl_secs = 86400
reuse_grace_secs = 2

# Browser sessions (POST /session/login, ...): the cookie attributes, the CSRF rule, implicit
# refresh. PLAIN-HTTP DEMO ONLY: `Secure` is off so that a browser keeps the cookies on
# http://127.0.0.1; never deploy with it (the tokens would travel in clear text).
[sessions.cookies]
secure = false

[revocation]
memory = true      # one process; redis_url = "redis://..." shares it between instances
"#;

/// The listen address unless `JWT_GUARD_ADDR` says otherwise.
pub(crate) const DEFAULT_ADDR: &str = "127.0.0.1:3001";

/// The demo users: name and argon2id hash (PHC string) of the password; the passwords are
/// `lovelace` and `hopper`, never stored.
pub(crate) const USERS: [(&str, &str); 2] = [
    (
        "ada",
        "$argon2id$v=19$m=19456,t=2,p=1$rphcY8S8IfGGn3qv7F1rCg$Tqe9jq8M85JwT0CNFrRIEXV8pR2B8DUgUfacMHC3IwQ",
    ),
    (
        "grace",
        "$argon2id$v=19$m=19456,t=2,p=1$F7drWou+lLcMmf//z1753g$u0VcN5e5hY+/5OWdwn1ppKS9kQNRz12iLTJgX9ScBas",
    ),
];

/// The hash an unknown user's password is checked against (any valid hash; never matches a
/// login, since the user is unknown).
const UNKNOWN_USER_HASH: &str = "$argon2id$v=19$m=19456,t=2,p=1$rphcY8S8IfGGn3qv7F1rCg$Tqe9jq8M85JwT0CNFrRIEXV8pR2B8DUgUfacMHC3IwQ";

/// The page served at `/`: a login form and buttons calling the API with the cookies (plain
/// HTML and JavaScript, no build step).
pub(crate) const PAGE: &str = include_str!("page.html");

/// What every handler reads: the issuer, its browser-session cookies and the revocation store
/// (the one the middlewares check every token against).
#[derive(Clone)]
pub(crate) struct Demo {
    pub(crate) issuer: TokenIssuer,
    pub(crate) cookies: SessionCookies,
    pub(crate) store: Arc<dyn RevocationStore>,
}

impl Demo {
    /// The issuer of the config's `[sessions]` table and the store of its `[revocation]` table
    /// (in memory when it has none).
    pub(crate) fn from_config(config: &VerifierConfig) -> Result<Demo, Box<dyn Error>> {
        let cookies = config
            .session_cookies()?
            .ok_or("the config has no [sessions] table: nothing to issue tokens with")?;
        let issuer = cookies.issuer().clone();
        let store: Arc<dyn RevocationStore> = match &config.revocation {
            Some(table) => table.store()?,
            None => Arc::new(MemoryStore::default()),
        };
        Ok(Demo {
            issuer,
            cookies,
            store,
        })
    }

    /// The claims a user's access tokens carry besides the issuer's.
    pub(crate) fn claims_of(sub: &str) -> Value {
        json!({"scope": if sub == "ada" { "read admin" } else { "read" }})
    }
}

/// The `POST /login` body.
#[derive(Deserialize)]
pub(crate) struct Login {
    pub(crate) username: String,
    pub(crate) password: String,
}

/// Whether `login` names a demo user with that password (argon2 verification: the cost is
/// the point, so a guess is slow; an unknown user is checked against a hash too, so timing does
/// not tell which names exist).
pub(crate) fn check_password(login: &Login) -> bool {
    let hash = USERS
        .iter()
        .find(|(name, _)| *name == login.username)
        .map(|(_, hash)| *hash);
    let checked = Argon2::default()
        .verify_password(login.password.as_bytes(), hash.unwrap_or(UNKNOWN_USER_HASH))
        .is_ok();
    checked && hash.is_some()
}

/// The body of a refused login (RFC 6749 §5.2's `invalid_grant`, answered with 400).
pub(crate) fn login_refused() -> Value {
    json!({"error": "invalid_grant", "error_description": "unknown user or wrong password"})
}

/// The config (`JWT_GUARD_CONFIG`, else the demo one, with a loud warning) and the address
/// (`JWT_GUARD_ADDR`, else [`DEFAULT_ADDR`]).
pub(crate) fn settings() -> Result<(VerifierConfig, SocketAddr), Box<dyn Error>> {
    let config = match std::env::var_os("JWT_GUARD_CONFIG").map(PathBuf::from) {
        Some(path) => {
            eprintln!("using the config {}", path.display());
            VerifierConfig::from_file(&path).map_err(|e| format!("{}: {e}", path.display()))?
        }
        None => {
            eprintln!(
                "WARNING: using the embedded DEMO config: its HS256 secret is public, so anyone \
                 can mint tokens for this server. Set JWT_GUARD_CONFIG=path.toml (with a \
                 [sessions] table) for a real key."
            );
            VerifierConfig::from_toml(DEMO_CONFIG).map_err(|e| format!("demo config: {e}"))?
        }
    };
    let addr: SocketAddr = std::env::var("JWT_GUARD_ADDR")
        .unwrap_or_else(|_| DEFAULT_ADDR.to_owned())
        .parse()
        .map_err(|e| format!("JWT_GUARD_ADDR: {e}"))?;
    Ok((config, addr))
}

/// Warns loudly when the cookies go without `Secure` (the demo config, for plain http).
pub(crate) fn warn_if_insecure(demo: &Demo) {
    if !demo.cookies.settings().secure {
        eprintln!(
            "WARNING: [sessions.cookies] secure = false: the session cookies lack `Secure`, for \
             plain-http development on 127.0.0.1 only. NEVER deploy this: set secure = true \
             (the default) and serve over HTTPS."
        );
    }
}

/// Prints where the server listens and curl commands for the whole lifecycle.
pub(crate) fn print_banner(framework: &str, addr: SocketAddr) {
    println!("jwt-guard {framework} sessions example on http://{addr} (Ctrl-C stops it)\n");
    println!("  # log in (users ada/lovelace and grace/hopper): an access and a refresh token");
    println!(
        "  curl -s -X POST -H 'Content-Type: application/json' \
         -d '{{\"username\":\"ada\",\"password\":\"lovelace\"}}' http://{addr}/login"
    );
    println!("  curl -i -H \"Authorization: Bearer $ACCESS\" http://{addr}/me");
    println!(
        "  curl -i -X POST -H \"Authorization: Bearer $REFRESH\" http://{addr}/refresh   # new pair; the old refresh token is used up"
    );
    println!(
        "  curl -i -X POST -H \"Authorization: Bearer $ACCESS\" http://{addr}/admin/rotate-password   # fresh logins only"
    );
    println!(
        "  curl -i -X POST -H \"Authorization: Bearer $ACCESS\" http://{addr}/logout   # ends the login"
    );
    println!();
    println!("  # browser sessions: open http://{addr}/ (tokens in HttpOnly cookies, CSRF header)");
    println!(
        "  curl -i -c jar -X POST -H 'Content-Type: application/json' \
         -d '{{\"username\":\"ada\",\"password\":\"lovelace\"}}' http://{addr}/session/login"
    );
    println!(
        "  curl -i -b jar -X POST -H \"X-CSRF-Token: $(awk '$6==\"csrf_access_token\"{{print $7}}' jar)\" \
         -H 'Content-Type: application/json' -d '{{\"hi\":1}}' http://{addr}/echo"
    );
    println!();
}
