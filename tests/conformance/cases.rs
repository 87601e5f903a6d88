//! THE table: every case is how the request is built (path, where the token is carried) and the
//! exact answer expected (status, `WWW-Authenticate`, JSON body). The same table runs against
//! the axum and the actix-web server (`apps.rs` builds both from one setup).
//!
//! Routes (identical in both apps):
//!
//! | path | setup |
//! |---|---|
//! | `/me` | all 13 algorithms, the fixture keys by `kid`, issuer and audience checked, realm `conformance`; answers `{"sub", "alg"}` |
//! | `/email` | as `/me`; the handler's claims type needs `email` |
//! | `/tenant` | as `/me`; the handler's claims type flattens `RegisteredClaims` and needs `tenant` (a string), `seats` (a `u32`) and `role` (`admin` or `member`); answers them and `sub` |
//! | `/admin` | as `/me`, plus `RequireScopes::all(["admin"])`; answers `{"admin": true}` |
//! | `/read-write`, `/write-or-admin` | as `/me`, plus `RequireScopes::all(["read", "write"])`, `RequireScopes::any(["write", "admin"])`; answer `{"scoped": true}` |
//! | `/noaud/me` | as `/me` without a configured audience |
//! | `/everywhere/me` | from a TOML config file with a relative key path (`VerifierConfig::from_file` + `from_config`): HS256 and ES256 only, `[token]` header + cookie `session` + query `access_token` |
//! | `/config/me` | from a TOML config (`from_config`): HS256 only, `[token]` header `x-token` + cookie `session` + query `access_token` |
//! | `/custom/me` | as `/me`, token in the `x-api-token` header only |
//! | `/optional/me` | as `/me`, optional mode, `Option<Claims<T>>`; answers `{"sub": null}` when anonymous |
//! | `/optional/claims`, `/optional/email`, `/optional/admin` | optional mode: `Claims<T>` (answers `{"sub"}`), `Option<Claims<T>>` of the `/email` type (answers `{"email"}`, `null` when anonymous), the `/admin` scope guard |
//! | `/hook/me`, `/hook/email`, `/hook/admin` | as `/me`, `/email`, `/admin`, with an `on_error` hook answering `{"problem", "detail", "status", "code"}` |
//! | `/unguarded/me`, `/unguarded/admin` | the `/me` extractors and the `/admin` scope guard with no middleware (they fail closed) |
//! | `/misordered/admin` | the `/admin` scope guard added after (so outside) the middleware: it runs first and finds nothing (it fails closed, as unguarded) |
//! | `/public` | no middleware |
//! | `/sessions/me`, `/sessions/fresh`, `/sessions/refresh` | issued tokens: an issuer's access and refresh verifiers, `RequireFresh` (`cases/sessions.rs`) |
//! | `/revocation/me`, `/revocation/optional` | as `/me` and `/optional/me`, with `with_revocation(store)`: one in-memory store both apps share, holding a revoked `jti`, a revoked `sid` and a subject cutoff (`cases/revocation.rs`) |
//! | `/claims/me`, `/roles/{any,all,nosource,verified}` | a verifier claim rule, `RequireRoles` and `RequireClaims` (`cases/claims.rs`) |
//! | `/rm/me`, `/rm/admin`, `/.well-known/oauth-protected-resource/rm` | RFC 9728 metadata from a `[resource_metadata]` table: the document, and its URL in every challenge (`cases/resource_metadata.rs`) |
//! | `/check/me`, `/check/async`, `/check/optional` | custom sync and async checks on the middleware (`cases/check.rs`) |
//! | `/user/me`, `/user/optional` | `CurrentUser<U>` with a loader finding, missing or failing (`cases/user.rs`) |
//! | `/nest/<combo>/me`, `/nest/<combo>/api/{me,claims,admin}` | an outer layer and, over `/api`, an inner one with another key, audience, location and realm, in every mode combination (`cases/nesting.rs`) |
//!
//! Not in the table, because the frameworks cannot agree on them: `Option<Claims<T>>` for a
//! verified token whose claims do not fit `T` (axum: 401 `invalid_token`; actix-web: `None`,
//! since actix's blanket `impl FromRequest for Option<T>` swallows every extractor error), and a
//! header section over 128 KiB (actix-web: 431 before any middleware). Both are pinned, each
//! framework's answer exactly, by `the_two_documented_differences` in `tests/conformance.rs`.

use std::fmt;
use std::time::{SystemTime, UNIX_EPOCH};

use jwt_guard_core::{Algorithm, Key, Signer};
use serde_json::{Value, json};

use crate::keys::*;

mod check;
mod claims;
pub(crate) mod cookies;
mod nesting;
pub(crate) mod resource_metadata;
pub(crate) mod revocation;
pub(crate) mod sessions;
mod user;

/// Where a request carries something.
#[derive(Clone)]
pub(crate) enum Carry {
    /// `Authorization: Bearer <token>`.
    Bearer(String),
    /// `Authorization: <value>`, verbatim.
    Authorization(String),
    /// Another header.
    Header(&'static str, String),
    /// `Cookie: <value>`, verbatim.
    Cookie(String),
    /// `?<query>` (or `&<query>`), verbatim.
    Query(String),
}

/// A token shortened for reports.
fn short(s: &str) -> String {
    if s.len() <= 48 {
        s.to_owned()
    } else {
        format!("{}...({} bytes)", &s[..40], s.len())
    }
}

impl fmt::Debug for Carry {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Carry::Bearer(t) => write!(f, "Authorization: Bearer {}", short(t)),
            Carry::Authorization(v) => write!(f, "Authorization: {}", short(v)),
            Carry::Header(n, v) => write!(f, "{n}: {}", short(v)),
            Carry::Cookie(v) => write!(f, "Cookie: {}", short(v)),
            Carry::Query(q) => write!(f, "?{}", short(q)),
        }
    }
}

/// The exact answer.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Expect {
    pub(crate) status: u16,
    pub(crate) www_authenticate: Option<String>,
    pub(crate) body: Value,
}

/// One row.
#[derive(Debug)]
pub(crate) struct Case {
    pub(crate) name: String,
    /// `GET` unless a row says otherwise ([`Case::with_method`]).
    pub(crate) method: &'static str,
    pub(crate) path: &'static str,
    pub(crate) carry: Vec<Carry>,
    pub(crate) expect: Expect,
    /// Every `Set-Cookie` of the answer, in order, its value masked (`<jwt>`, `<csrf>`, or
    /// empty); most rows expect none.
    pub(crate) set_cookies: Vec<String>,
}

impl Case {
    /// The row with another request method.
    pub(crate) fn with_method(mut self, method: &'static str) -> Case {
        self.method = method;
        self
    }

    /// The row expecting these `Set-Cookie` values (masked as [`mask_set_cookie`] does).
    pub(crate) fn with_set_cookies(mut self, set_cookies: Vec<String>) -> Case {
        self.set_cookies = set_cookies;
        self
    }

    /// The request target and headers.
    pub(crate) fn request(&self) -> (String, Vec<(String, String)>) {
        let mut target = self.path.to_owned();
        let mut headers = Vec::new();
        for carry in &self.carry {
            match carry {
                Carry::Bearer(t) => headers.push(("authorization".into(), format!("Bearer {t}"))),
                Carry::Authorization(v) => headers.push(("authorization".into(), v.clone())),
                Carry::Header(n, v) => headers.push(((*n).into(), v.clone())),
                Carry::Cookie(v) => headers.push(("cookie".into(), v.clone())),
                Carry::Query(q) => {
                    target.push(if target.contains('?') { '&' } else { '?' });
                    target.push_str(q);
                }
            }
        }
        (target, headers)
    }
}

fn case(name: impl Into<String>, path: &'static str, carry: Vec<Carry>, expect: Expect) -> Case {
    Case {
        name: name.into(),
        method: "GET",
        path,
        carry,
        expect,
        set_cookies: Vec::new(),
    }
}

/// A `Set-Cookie` value with its secret masked: `name=<jwt>; ...` for a token, `name=<csrf>; ...`
/// for any other value, `name=; ...` when empty; the attributes as sent.
pub(crate) fn mask_set_cookie(set_cookie: &str) -> String {
    let (pair, rest) = set_cookie.split_once(';').unwrap_or((set_cookie, ""));
    let (name, value) = pair.split_once('=').unwrap_or((pair, ""));
    let shown = if value.is_empty() {
        ""
    } else if value.matches('.').count() == 2 {
        "<jwt>"
    } else {
        "<csrf>"
    };
    format!("{name}={shown};{rest}")
}

// ---------------------------------------------------------------------------------------------
// Expected answers
// ---------------------------------------------------------------------------------------------

pub(crate) fn ok(body: Value) -> Expect {
    Expect {
        status: 200,
        www_authenticate: None,
        body,
    }
}

/// What `/me` answers for a valid token.
fn me(alg: Algorithm) -> Expect {
    ok(json!({"sub": "ada", "alg": alg.as_str()}))
}

fn challenge(error: &str, description: &str) -> String {
    format!("Bearer realm=\"{REALM}\", error=\"{error}\", error_description=\"{description}\"")
}

pub(crate) fn missing() -> Expect {
    Expect {
        status: 401,
        www_authenticate: Some(format!("Bearer realm=\"{REALM}\"")),
        body: json!({"error": "missing_token", "error_description": "an access token is required"}),
    }
}

fn rejected(status: u16, error: &str, description: &str) -> Expect {
    Expect {
        status,
        www_authenticate: Some(challenge(error, description)),
        body: json!({"error": error, "error_description": description}),
    }
}

pub(crate) fn invalid_token(description: &str) -> Expect {
    rejected(401, "invalid_token", description)
}

pub(crate) fn invalid_request(description: &str) -> Expect {
    rejected(400, "invalid_request", description)
}

fn insufficient_scope(scope: &str) -> Expect {
    let description = "the token lacks a required scope";
    Expect {
        status: 403,
        www_authenticate: Some(format!(
            "{}, scope=\"{scope}\"",
            challenge("insufficient_scope", description)
        )),
        body: json!({"error": "insufficient_scope", "error_description": description}),
    }
}

/// What the `/hook/*` hook answers (`apps::problem`); `core`: the core error's code, if any.
fn problem(
    status: u16,
    www_authenticate: String,
    code: &str,
    detail: &str,
    core: Option<&str>,
) -> Expect {
    Expect {
        status,
        www_authenticate: Some(www_authenticate),
        body: json!({"problem": code, "detail": detail, "status": status, "code": core}),
    }
}

/// What an extractor or scope guard with no middleware answers: 401, the default realm.
fn unguarded() -> Expect {
    Expect {
        www_authenticate: Some("Bearer realm=\"api\"".into()),
        ..missing()
    }
}

const EXPIRED: &str = "the token has expired";
const IMMATURE: &str = "the token is not valid yet";
const BAD_SIGNATURE: &str = "the token signature is invalid";
const MALFORMED: &str = "the token is malformed";
const BAD_ALG: &str = "the token algorithm is not allowed";
const UNKNOWN_KEY: &str = "no key matches the token";
const BAD_AUDIENCE: &str = "the token audience is not accepted";
const TWO_PLACES: &str = "the request carries the access token in more than one place";
const REPEATED: &str = "the request carries more than one access token";
const SYNTAX: &str = "the access token has characters b64token does not allow";

fn now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs()
}

// ---------------------------------------------------------------------------------------------
// The table
// ---------------------------------------------------------------------------------------------

pub(crate) fn table() -> Vec<Case> {
    use Carry::*;
    let hs = Algorithm::HS256;
    let good = token(json!({}));
    let mut t = Vec::new();

    // --- A valid token for each of the 13 algorithms (header `kid` names the server key).
    for alg in ALGORITHMS {
        t.push(case(
            format!("valid {alg}"),
            "/me",
            vec![Bearer(sign(alg, json!({})))],
            me(alg),
        ));
    }
    let rs = Algorithm::RS256;
    let no_kid = raw(
        r#"{"alg":"RS256","typ":"JWT"}"#,
        &claims(json!({})).to_string(),
        &signing_key(rs),
        rs,
    );
    t.push(case(
        "valid RS256 without kid",
        "/me",
        vec![Bearer(no_kid)],
        me(rs),
    ));

    // --- Time claims (leeway 60 s).
    t.push(case(
        "expired",
        "/me",
        vec![Bearer(token(json!({"exp": 1_000_000_000})))],
        invalid_token(EXPIRED),
    ));
    t.push(case(
        "expired 2 min ago (beyond the leeway)",
        "/me",
        vec![Bearer(token(json!({"exp": now() - 120})))],
        invalid_token(EXPIRED),
    ));
    t.push(case(
        "expired 10 s ago (within the leeway)",
        "/me",
        vec![Bearer(token(json!({"exp": now() - 10})))],
        me(hs),
    ));
    t.push(case(
        "nbf in the future",
        "/me",
        vec![Bearer(token(json!({"nbf": FAR_FUTURE - 10})))],
        invalid_token(IMMATURE),
    ));
    t.push(case(
        "iat in the future",
        "/me",
        vec![Bearer(token(json!({"iat": FAR_FUTURE - 10})))],
        invalid_token(IMMATURE),
    ));
    t.push(case(
        "no exp",
        "/me",
        vec![Bearer(token(json!({"exp": null})))],
        invalid_token("the token lacks the exp claim"),
    ));
    t.push(case(
        "exp as a string",
        "/me",
        vec![Bearer(token(json!({"exp": FAR_FUTURE.to_string()})))],
        invalid_token("the token exp claim is invalid"),
    ));

    // --- Issuer and audience.
    t.push(case(
        "wrong issuer",
        "/me",
        vec![Bearer(token(json!({"iss": "https://evil.test"})))],
        invalid_token("the token issuer is not accepted"),
    ));
    t.push(case(
        "no issuer",
        "/me",
        vec![Bearer(token(json!({"iss": null})))],
        invalid_token("the token lacks the iss claim"),
    ));
    t.push(case(
        "wrong audience",
        "/me",
        vec![Bearer(token(json!({"aud": "api://someone-else"})))],
        invalid_token(BAD_AUDIENCE),
    ));
    t.push(case(
        "audience array naming ours",
        "/me",
        vec![Bearer(token(json!({"aud": ["api://other", AUDIENCE]})))],
        me(hs),
    ));
    t.push(case(
        "aud present but none configured",
        "/noaud/me",
        vec![Bearer(good.clone())],
        invalid_token(BAD_AUDIENCE),
    ));
    t.push(case(
        "no aud and none configured",
        "/noaud/me",
        vec![Bearer(token(json!({"aud": null})))],
        me(hs),
    ));

    // --- Signatures and token syntax.
    let forged = mint(other_key(hs).with_kid("hs256"), hs);
    t.push(case(
        "bad signature (HS256, another secret)",
        "/me",
        vec![Bearer(forged)],
        invalid_token(BAD_SIGNATURE),
    ));
    let es = Algorithm::ES256;
    let forged = mint(other_key(es).with_kid("p256"), es);
    t.push(case(
        "bad signature (ES256, another key)",
        "/me",
        vec![Bearer(forged)],
        invalid_token(BAD_SIGNATURE),
    ));
    let eddsa = sign(Algorithm::EdDSA, json!({}));
    let flipped = flip_in_signature(&eddsa);
    t.push(case(
        "bad signature (EdDSA, one character changed)",
        "/me",
        vec![Bearer(flipped)],
        invalid_token(BAD_SIGNATURE),
    ));
    let (signing_input, _) = good.rsplit_once('.').unwrap();
    t.push(case(
        "truncated: no signature segment",
        "/me",
        vec![Bearer(signing_input.to_owned())],
        invalid_token(MALFORMED),
    ));
    t.push(case(
        "truncated: signature 4 characters short",
        "/me",
        vec![Bearer(good[..good.len() - 4].to_owned())],
        invalid_token(BAD_SIGNATURE),
    ));
    t.push(case(
        "not a JWT",
        "/me",
        vec![Bearer("not-a-jwt".into())],
        invalid_token(MALFORMED),
    ));
    let header = r#"{"alg":"HS256","kid":"hs256"}"#;
    let padded = {
        let token = raw(header, &claims(json!({})).to_string(), &signing_key(hs), hs);
        let (h, rest) = token.split_once('.').unwrap();
        assert!(
            !padding(h).is_empty(),
            "pick a header whose base64 needs padding"
        );
        format!("{h}{}.{rest}", padding(h))
    };
    t.push(case(
        "padded base64 header (= inside the token)",
        "/me",
        vec![Bearer(padded)],
        invalid_request(SYNTAX),
    ));
    let padded = {
        let (_, signature) = good.rsplit_once('.').unwrap();
        assert!(!padding(signature).is_empty());
        format!("{good}{}", padding(signature))
    };
    t.push(case(
        "padded base64 signature (= at the end)",
        "/me",
        vec![Bearer(padded)],
        invalid_token(MALFORMED),
    ));
    let duplicate = raw(
        header,
        &format!(
            r#"{{"iss":"{ISSUER}","aud":"{AUDIENCE}","sub":"ada","sub":"eve","exp":{FAR_FUTURE}}}"#
        ),
        &signing_key(hs),
        hs,
    );
    t.push(case(
        "duplicate claim names",
        "/me",
        vec![Bearer(duplicate)],
        invalid_token(MALFORMED),
    ));
    let duplicate = raw(
        r#"{"alg":"none","alg":"HS256","kid":"hs256"}"#,
        &claims(json!({})).to_string(),
        &signing_key(hs),
        hs,
    );
    t.push(case(
        "duplicate header member",
        "/me",
        vec![Bearer(duplicate)],
        invalid_token(MALFORMED),
    ));

    // --- Algorithm confusion.
    for alg in ["none", "None", "NONE", "nOnE"] {
        t.push(case(
            format!("alg {alg:?}, no signature"),
            "/me",
            vec![Bearer(unsigned(alg))],
            invalid_token(BAD_ALG),
        ));
    }
    let (signing_input, signature) = good.rsplit_once('.').unwrap();
    let (_, payload) = signing_input.split_once('.').unwrap();
    t.push(case(
        "alg \"none\" with a copied signature",
        "/me",
        vec![Bearer(format!(
            "{}.{payload}.{signature}",
            b64(br#"{"alg":"none","kid":"hs256"}"#)
        ))],
        invalid_token(BAD_ALG),
    ));
    let rsa_as_secret = Key::hmac(RSA_PUBLIC_PEM.as_bytes()).unwrap();
    t.push(case(
        "HS256 signed with the RSA public key PEM as the secret",
        "/me",
        vec![Bearer(raw(
            r#"{"alg":"HS256","typ":"JWT"}"#,
            &claims(json!({})).to_string(),
            &rsa_as_secret,
            hs,
        ))],
        invalid_token(BAD_SIGNATURE),
    ));
    t.push(case(
        "HS256 signed with the RSA public key PEM, kid of the RSA key",
        "/me",
        vec![Bearer(raw(
            r#"{"alg":"HS256","kid":"rsa"}"#,
            &claims(json!({})).to_string(),
            &rsa_as_secret,
            hs,
        ))],
        invalid_token(BAD_ALG),
    ));
    t.push(case(
        "algorithm outside the allow-list (RS256 where HS256/ES256 are allowed)",
        "/everywhere/me",
        vec![Bearer(sign(rs, json!({})))],
        invalid_token(BAD_ALG),
    ));

    // --- Key selection: kid is only a map lookup; keys named by the token are never fetched.
    t.push(case(
        "unknown kid",
        "/me",
        vec![Bearer(mint(signing_key(hs).with_kid("2019-retired"), hs))],
        invalid_token(UNKNOWN_KEY),
    ));
    for (what, kid) in [
        ("path", "../../../../../../dev/null"),
        ("SQL", "x' UNION SELECT 'secret' --"),
    ] {
        t.push(case(
            format!("kid with {what} junk"),
            "/me",
            vec![Bearer(mint(signing_key(hs).with_kid(kid), hs))],
            invalid_token(UNKNOWN_KEY),
        ));
    }
    let attacker = other_key(rs);
    let attacker_jwk = serde_json::to_value(attacker.to_public_jwk().unwrap()).unwrap();
    let payload = claims(json!({})).to_string();
    let header = json!({"alg": "RS256", "jku": "https://attacker.test/jwks.json"}).to_string();
    t.push(case(
        "jku header pointing at the attacker's key set",
        "/me",
        vec![Bearer(raw(&header, &payload, &attacker, rs))],
        invalid_token(BAD_SIGNATURE),
    ));
    let header =
        json!({"alg": "RS256", "kid": "attacker", "jku": "https://attacker.test/jwks.json"})
            .to_string();
    t.push(case(
        "jku header and the attacker's kid",
        "/me",
        vec![Bearer(raw(&header, &payload, &attacker, rs))],
        invalid_token(UNKNOWN_KEY),
    ));
    let header = json!({"alg": "RS256", "jwk": attacker_jwk}).to_string();
    t.push(case(
        "jwk header embedding the attacker's key",
        "/me",
        vec![Bearer(raw(&header, &payload, &attacker, rs))],
        invalid_token(BAD_SIGNATURE),
    ));
    let header = json!({"alg": "RS256", "x5u": "https://attacker.test/cert.pem"}).to_string();
    t.push(case(
        "x5u header pointing at the attacker's certificate",
        "/me",
        vec![Bearer(raw(&header, &payload, &attacker, rs))],
        invalid_token(BAD_SIGNATURE),
    ));
    let header = r#"{"alg":"HS256","kid":"hs256","crit":["exp-ext"],"exp-ext":1}"#;
    t.push(case(
        "unknown crit",
        "/me",
        vec![Bearer(raw(header, &payload, &signing_key(hs), hs))],
        invalid_token("the token requires an unsupported extension"),
    ));
    let header = r#"{"alg":"HS256","kid":"hs256","crit":["b64"],"b64":false}"#;
    t.push(case(
        "crit b64:false (unencoded payload)",
        "/me",
        vec![Bearer(raw(header, &payload, &signing_key(hs), hs))],
        invalid_token("the token requires an unsupported extension"),
    ));
    t.push(case(
        "oversized token (20 000 characters)",
        "/me",
        vec![Bearer("a".repeat(20_000))],
        invalid_token("the token is too large"),
    ));
    t.push(case(
        "oversized signed token (a 17 KiB claim)",
        "/me",
        vec![Bearer(token(json!({"pad": "x".repeat(17 * 1024)})))],
        invalid_token("the token is too large"),
    ));

    // --- The Authorization header.
    t.push(case("no token", "/me", vec![], missing()));
    t.push(case(
        "lowercase bearer",
        "/me",
        vec![Authorization(format!("bearer {good}"))],
        me(hs),
    ));
    t.push(case(
        "uppercase BEARER, two spaces",
        "/me",
        vec![Authorization(format!("BEARER  {good}"))],
        me(hs),
    ));
    t.push(case(
        "Bearer with no token",
        "/me",
        vec![Authorization("Bearer".into())],
        invalid_request("the Authorization header has no bearer token"),
    ));
    t.push(case(
        "Bearer followed by two words",
        "/me",
        vec![Authorization("Bearer abc def".into())],
        invalid_request(SYNTAX),
    ));
    t.push(case(
        "Basic credentials (another scheme: no bearer token)",
        "/me",
        vec![Authorization("Basic YWRhOnB3".into())],
        missing(),
    ));
    t.push(case(
        "two Authorization headers",
        "/me",
        vec![Bearer(good.clone()), Bearer(good.clone())],
        invalid_request(REPEATED),
    ));

    t.push(case(
        "mixed-case bEaReR",
        "/me",
        vec![Authorization(format!("bEaReR {good}"))],
        me(hs),
    ));
    for (what, value) in [
        ("a comma", "Bearer a,b"),
        ("a leading =", "Bearer =abc"),
        ("a quote", "Bearer a\"b"),
    ] {
        t.push(case(
            format!("Bearer token with {what}"),
            "/me",
            vec![Authorization(value.into())],
            invalid_request(SYNTAX),
        ));
    }
    t.push(case(
        "alg none, bare header and claims",
        "/me",
        vec![Bearer("eyJhbGciOiJub25lIn0.eyJzdWIiOiJhZGEifQ.".into())],
        invalid_token(BAD_ALG),
    ));
    // Junk is a 400 or a 401 with a challenge, never a 500.
    for (value, expect) in [
        ("", missing()),
        (
            "Bearer ",
            invalid_request("the Authorization header has no bearer token"),
        ),
        ("Bearer .", invalid_token(MALFORMED)),
        ("Bearer ..", invalid_token(MALFORMED)),
        ("Bearer a.b.c", invalid_token(MALFORMED)),
        ("Bearer e30.e30.e30", invalid_token(BAD_ALG)),
        (
            "Bearer eyJhbGciOiJIUzI1NiJ9.bm90IGpzb24.c2ln",
            invalid_token(BAD_SIGNATURE),
        ),
        (
            "Bearer eyJhbGciOiJIUzI1NiJ9.e30.",
            invalid_token(BAD_SIGNATURE),
        ),
        ("Bearer ~~~~", invalid_token(MALFORMED)),
        ("Bearer a==", invalid_token(MALFORMED)),
        ("Bearer\ttoken", missing()),
        ("Negotiate abc", missing()),
    ] {
        t.push(case(
            format!("junk Authorization {value:?}"),
            "/me",
            vec![Authorization(value.into())],
            expect,
        ));
    }

    // --- Token locations (`[token]`: header, cookie `session`, query `access_token`).
    t.push(case(
        "location: Authorization header",
        "/everywhere/me",
        vec![Bearer(good.clone())],
        me(hs),
    ));
    t.push(case(
        "location: cookie",
        "/everywhere/me",
        vec![Cookie(format!("theme=dark; session={good}; lang=en"))],
        me(hs),
    ));
    t.push(case(
        "location: query parameter",
        "/everywhere/me",
        vec![Query(format!("x=1&access_token={good}"))],
        me(hs),
    ));
    t.push(case(
        "location: ES256 token in the cookie",
        "/everywhere/me",
        vec![Cookie(format!("session={}", sign(es, json!({}))))],
        me(es),
    ));
    t.push(case(
        "location: custom header",
        "/custom/me",
        vec![Header("x-api-token", good.clone())],
        me(hs),
    ));
    t.push(case(
        "location: custom header with a Bearer prefix",
        "/custom/me",
        vec![Header("x-api-token", format!("Bearer {good}"))],
        me(hs),
    ));
    t.push(case(
        "location: Authorization where only a custom header is read",
        "/custom/me",
        vec![Bearer(good.clone())],
        missing(),
    ));
    t.push(case(
        "location: cookie not configured",
        "/me",
        vec![Cookie(format!("session={good}"))],
        missing(),
    ));
    t.push(case(
        "location: empty cookie counts as absent",
        "/everywhere/me",
        vec![Cookie("session=".into())],
        missing(),
    ));
    t.push(case(
        "location: empty query parameter",
        "/everywhere/me",
        vec![Query("access_token=".into())],
        invalid_request("the access token is empty"),
    ));
    t.push(case(
        "two locations: header and cookie",
        "/everywhere/me",
        vec![Bearer(good.clone()), Cookie(format!("session={good}"))],
        invalid_request(TWO_PLACES),
    ));
    t.push(case(
        "two locations: header and query",
        "/everywhere/me",
        vec![Bearer(good.clone()), Query(format!("access_token={good}"))],
        invalid_request(TWO_PLACES),
    ));
    t.push(case(
        "two locations: cookie and query",
        "/everywhere/me",
        vec![
            Cookie(format!("session={good}")),
            Query(format!("access_token={good}")),
        ],
        invalid_request(TWO_PLACES),
    ));
    t.push(case(
        "the cookie twice",
        "/everywhere/me",
        vec![Cookie(format!("session={good}; session={good}"))],
        invalid_request(REPEATED),
    ));

    t.push(case(
        "location: query parameter not configured",
        "/me",
        vec![Query(format!("access_token={good}"))],
        missing(),
    ));
    t.push(case(
        "location: expired token in the custom header",
        "/custom/me",
        vec![Header("x-api-token", token(json!({"exp": 1_000_000_000})))],
        invalid_token(EXPIRED),
    ));
    t.push(case(
        "location: forged token in the cookie",
        "/everywhere/me",
        vec![Cookie(format!(
            "session={}",
            mint(other_key(hs).with_kid("hs256"), hs)
        ))],
        invalid_token(BAD_SIGNATURE),
    ));
    t.push(case(
        "location: empty cookie among others counts as absent",
        "/everywhere/me",
        vec![Cookie("theme=dark; session=".into())],
        missing(),
    ));
    t.push(case(
        "location: a query without the parameter",
        "/everywhere/me",
        vec![Query("x=1".into())],
        missing(),
    ));
    t.push(case(
        "location: [token] header from a config (from_config)",
        "/config/me",
        vec![Header("x-token", good.clone())],
        me(hs),
    ));
    t.push(case(
        "location: [token] cookie from a config (from_config)",
        "/config/me",
        vec![Cookie(format!("session={good}"))],
        me(hs),
    ));
    t.push(case(
        "location: [token] query from a config (from_config)",
        "/config/me",
        vec![Query(format!("access_token={good}"))],
        me(hs),
    ));
    t.push(case(
        "location: Authorization where a config names another header",
        "/config/me",
        vec![Bearer(good.clone())],
        missing(),
    ));
    t.push(case(
        "two locations: a config's header and query",
        "/config/me",
        vec![
            Header("x-token", good.clone()),
            Query(format!("access_token={good}")),
        ],
        invalid_request(TWO_PLACES),
    ));

    // --- Claims the handler needs, scopes.
    t.push(case(
        "claims that do not fit the handler's type",
        "/email",
        vec![Bearer(good.clone())],
        invalid_token("the token claims are invalid"),
    ));
    t.push(case(
        "claims that fit the handler's type",
        "/email",
        vec![Bearer(token(json!({"email": "ada@example.test"})))],
        ok(json!({"email": "ada@example.test"})),
    ));
    let tenant = json!({"tenant": "acme", "seats": 5, "role": "member"});
    t.push(case(
        "typed claims with flattened registered claims",
        "/tenant",
        vec![Bearer(token(tenant.clone()))],
        ok(json!({"sub": "ada", "tenant": "acme", "seats": 5, "role": "member"})),
    ));
    for (what, change) in [
        ("a missing field", json!({"tenant": null})),
        ("a field of the wrong type", json!({"seats": "five"})),
        ("an unknown variant", json!({"role": "owner"})),
    ] {
        let mut claims = tenant.clone();
        claims.as_object_mut().unwrap().extend(
            change
                .as_object()
                .unwrap()
                .iter()
                .map(|(k, v)| (k.clone(), v.clone())),
        );
        t.push(case(
            format!("typed claims with {what}"),
            "/tenant",
            vec![Bearer(token(claims))],
            invalid_token("the token claims are invalid"),
        ));
    }
    t.push(case(
        "missing scope",
        "/admin",
        vec![Bearer(token(json!({"scope": "read"})))],
        insufficient_scope("admin"),
    ));
    t.push(case(
        "scope granted (space-separated scope)",
        "/admin",
        vec![Bearer(token(json!({"scope": "read admin"})))],
        ok(json!({"admin": true})),
    ));
    t.push(case(
        "scope granted (scp array)",
        "/admin",
        vec![Bearer(token(json!({"scp": ["admin"]})))],
        ok(json!({"admin": true})),
    ));
    t.push(case(
        "scope claim of the wrong type",
        "/admin",
        vec![Bearer(token(json!({"scope": 7})))],
        invalid_token("the token scope claim is invalid"),
    ));
    t.push(case("scoped route, no token", "/admin", vec![], missing()));

    t.push(case(
        "missing scope: no scope claim",
        "/admin",
        vec![Bearer(good.clone())],
        insufficient_scope("admin"),
    ));
    t.push(case(
        "missing scope: all of read write",
        "/read-write",
        vec![Bearer(token(json!({"scope": "read"})))],
        insufficient_scope("read write"),
    ));
    t.push(case(
        "missing scope: any of write admin",
        "/write-or-admin",
        vec![Bearer(token(json!({"scope": "read"})))],
        insufficient_scope("write admin"),
    ));
    t.push(case(
        "scope granted (scope array)",
        "/admin",
        vec![Bearer(token(json!({"scope": ["admin"]})))],
        ok(json!({"admin": true})),
    ));
    t.push(case(
        "scope granted (scp string)",
        "/admin",
        vec![Bearer(token(json!({"scp": "admin"})))],
        ok(json!({"admin": true})),
    ));
    t.push(case(
        "scope granted: all of read write, in another order",
        "/read-write",
        vec![Bearer(token(json!({"scope": "write read"})))],
        ok(json!({"scoped": true})),
    ));
    t.push(case(
        "scope granted: any of write admin",
        "/write-or-admin",
        vec![Bearer(token(json!({"scp": ["write"]})))],
        ok(json!({"scoped": true})),
    ));
    t.push(case(
        "scp claim of the wrong type",
        "/admin",
        vec![Bearer(token(json!({"scp": ["admin", 1]})))],
        invalid_token("the token scp claim is invalid"),
    ));

    // --- Optional mode.
    t.push(case(
        "optional mode without a token",
        "/optional/me",
        vec![],
        ok(json!({"sub": null})),
    ));
    t.push(case(
        "optional mode with a token",
        "/optional/me",
        vec![Bearer(good.clone())],
        ok(json!({"sub": "ada"})),
    ));
    t.push(case(
        "optional mode with an expired token",
        "/optional/me",
        vec![Bearer(token(json!({"exp": 1_000_000_000})))],
        invalid_token(EXPIRED),
    ));
    t.push(case(
        "optional mode with Basic credentials",
        "/optional/me",
        vec![Authorization("Basic YWRhOnB3".into())],
        ok(json!({"sub": null})),
    ));
    t.push(case(
        "optional mode with Bearer and no token",
        "/optional/me",
        vec![Authorization("Bearer".into())],
        invalid_request("the Authorization header has no bearer token"),
    ));

    t.push(case(
        "optional mode with a forged token",
        "/optional/me",
        vec![Bearer(mint(other_key(hs).with_kid("hs256"), hs))],
        invalid_token(BAD_SIGNATURE),
    ));
    t.push(case(
        "optional mode, Claims<T>, no token",
        "/optional/claims",
        vec![],
        missing(),
    ));
    t.push(case(
        "optional mode, Claims<T>, with a token",
        "/optional/claims",
        vec![Bearer(good.clone())],
        ok(json!({"sub": "ada"})),
    ));
    t.push(case(
        "optional mode, Option<Claims<T>> that fit",
        "/optional/email",
        vec![Bearer(token(json!({"email": "ada@example.test"})))],
        ok(json!({"email": "ada@example.test"})),
    ));
    t.push(case(
        "optional mode, Option<Claims<T>>, no token",
        "/optional/email",
        vec![],
        ok(json!({"email": null})),
    ));
    t.push(case(
        "optional mode, scoped route, no token",
        "/optional/admin",
        vec![],
        missing(),
    ));
    t.push(case(
        "optional mode, scoped route, with the scope",
        "/optional/admin",
        vec![Bearer(token(json!({"scope": "admin"})))],
        ok(json!({"admin": true})),
    ));

    // --- The custom error hook, and a route without the middleware.
    t.push(case(
        "hook: expired token",
        "/hook/me",
        vec![Bearer(token(json!({"exp": 1_000_000_000})))],
        problem(
            401,
            challenge("invalid_token", EXPIRED),
            "invalid_token",
            EXPIRED,
            Some("expired"),
        ),
    ));
    t.push(case(
        "hook: no token",
        "/hook/me",
        vec![],
        problem(
            401,
            format!("Bearer realm=\"{REALM}\""),
            "missing_token",
            "an access token is required",
            None,
        ),
    ));
    t.push(case(
        "hook: valid token",
        "/hook/me",
        vec![Bearer(good.clone())],
        me(hs),
    ));
    t.push(case(
        "hook: Bearer with no token",
        "/hook/me",
        vec![Authorization("Bearer".into())],
        problem(
            400,
            challenge(
                "invalid_request",
                "the Authorization header has no bearer token",
            ),
            "invalid_request",
            "the Authorization header has no bearer token",
            None,
        ),
    ));
    t.push(case(
        "hook: claims that do not fit the handler's type",
        "/hook/email",
        vec![Bearer(good.clone())],
        problem(
            401,
            challenge("invalid_token", "the token claims are invalid"),
            "invalid_token",
            "the token claims are invalid",
            Some("claims_mismatch"),
        ),
    ));
    let lacks_scope = "the token lacks a required scope";
    t.push(case(
        "hook: missing scope",
        "/hook/admin",
        vec![Bearer(token(json!({"scope": "read"})))],
        problem(
            403,
            format!(
                "{}, scope=\"admin\"",
                challenge("insufficient_scope", lacks_scope)
            ),
            "insufficient_scope",
            lacks_scope,
            None,
        ),
    ));
    t.push(case(
        "hook: scope granted",
        "/hook/admin",
        vec![Bearer(token(json!({"scope": "admin"})))],
        ok(json!({"admin": true})),
    ));
    t.push(case(
        "no middleware: extractors, no token",
        "/unguarded/me",
        vec![],
        unguarded(),
    ));
    t.push(case(
        "no middleware: extractors, valid token",
        "/unguarded/me",
        vec![Bearer(good.clone())],
        unguarded(),
    ));
    t.push(case(
        "no middleware: scope guard, token with the scope",
        "/unguarded/admin",
        vec![Bearer(token(json!({"scope": "admin"})))],
        unguarded(),
    ));
    t.push(case(
        "misordered: scope guard outside the middleware, token with the scope",
        "/misordered/admin",
        vec![Bearer(token(json!({"scope": "admin"})))],
        unguarded(),
    ));
    t.push(case(
        "misordered: scope guard outside the middleware, no token",
        "/misordered/admin",
        vec![],
        unguarded(),
    ));
    t.push(case(
        "public route with an expired token",
        "/public",
        vec![Bearer(token(json!({"exp": 1_000_000_000})))],
        ok(json!({"public": true})),
    ));

    revocation::cases(&mut t);
    sessions::cases(&mut t);
    cookies::cases(&mut t);
    nesting::cases(&mut t);
    claims::cases(&mut t);
    check::cases(&mut t);
    user::cases(&mut t);
    resource_metadata::cases(&mut t);
    t
}

/// A token with the standard claims, signed with `key` (its `kid`, if any, in the header).
fn mint(key: Key, alg: Algorithm) -> String {
    Signer::new(key, alg)
        .unwrap()
        .encode(&claims(json!({})))
        .unwrap()
}

/// Changes one character in the middle of the signature (every bit of it counts there).
fn flip_in_signature(token: &str) -> String {
    let dot = token.rfind('.').unwrap();
    let at = dot + 1 + (token.len() - dot) / 2;
    let mut bytes = token.as_bytes().to_vec();
    bytes[at] = if bytes[at] == b'A' { b'B' } else { b'A' };
    String::from_utf8(bytes).unwrap()
}
