//! Issuing tokens (`jwt_guard_core::sessions`): what a pair holds, type confusion refused both
//! ways (and Flask-JWT-Extended's `type` claim), rotation with reuse detection inside and after
//! the grace window, concurrent redemptions, logout, freshness, the `[sessions]` table.

use std::sync::{Arc, Barrier};
use std::time::Duration;

use jwt_guard_core::revocation::{MemoryStore, RevocationClaims, RevocationStore};
use jwt_guard_core::sessions::{TokenIssuer, TokenPair, is_fresh};
use jwt_guard_core::{
    Algorithm, ErrorKind, Key, ManualClock, Signer, TokenUse, Verifier, VerifierConfig, dangerous,
};
use serde_json::{Value, json};

const SECRET: &[u8] = b"an example secret of 32 bytes..!";
const NOW: i64 = 1_700_000_000;

fn block_on<F: std::future::Future>(f: F) -> F::Output {
    let mut f = std::pin::pin!(f);
    let mut cx = std::task::Context::from_waker(std::task::Waker::noop());
    loop {
        if let std::task::Poll::Ready(v) = f.as_mut().poll(&mut cx) {
            return v;
        }
    }
}

fn issuer(clock: &ManualClock) -> TokenIssuer {
    TokenIssuer::builder(Key::hmac(SECRET).unwrap().with_kid("s1"), Algorithm::HS256)
        .issuer("https://api.example")
        .audience("api")
        .client_id("web")
        .clock(clock.clone())
        .build()
        .unwrap()
}

fn setup() -> (TokenIssuer, Arc<MemoryStore>, ManualClock) {
    let clock = ManualClock::new(NOW);
    let store = Arc::new(MemoryStore::new(1_000).with_clock(clock.clone()));
    (issuer(&clock), store, clock)
}

fn decoded(token: &str) -> (serde_json::Map<String, Value>, Value) {
    let d = dangerous::decode_unverified::<Value>(token).unwrap();
    (d.header, d.claims)
}

fn kind<T>(result: Result<T, jwt_guard_core::Error>) -> ErrorKind {
    match result {
        Ok(_) => panic!("expected an error"),
        Err(e) => e.kind().clone(),
    }
}

#[test]
fn a_login_pair_holds_what_rfc_9068_asks() {
    let (issuer, _, _) = setup();
    let pair = issuer
        .login("ada", &json!({"roles": ["admin"], "tenant": "t1"}))
        .unwrap();
    let (header, access) = decoded(&pair.access_token);
    assert_eq!(header["typ"], "at+jwt");
    assert_eq!(header["kid"], "s1");
    assert_eq!(access["iss"], "https://api.example");
    assert_eq!(access["sub"], "ada");
    assert_eq!(access["aud"], "api");
    assert_eq!(access["client_id"], "web");
    assert_eq!(access["iat"], NOW);
    assert_eq!(access["nbf"], NOW);
    assert_eq!(access["exp"], NOW + 900);
    assert_eq!(access["fresh"], true);
    assert_eq!(access["roles"], json!(["admin"]));
    assert_eq!(access["tenant"], "t1");
    let jti = access["jti"].as_str().unwrap();
    assert_eq!(jti.len(), 22, "128 bits, base64url");
    let (header, refresh) = decoded(&pair.refresh_token);
    assert_eq!(header["typ"], "refresh+jwt");
    assert_eq!(refresh["sid"], access["sid"]);
    assert_eq!(refresh["sub"], "ada");
    assert_eq!(refresh["exp"], NOW + 30 * 86_400);
    assert_ne!(refresh["jti"], access["jti"]);
    assert!(refresh.get("fresh").is_none() && refresh.get("roles").is_none());
    // Another login: another sid and other ids.
    let other = issuer.login("ada", &json!({})).unwrap();
    assert_ne!(decoded(&other.access_token).1["sid"], access["sid"]);

    // RFC 6749 §5.1 JSON; no token in Debug.
    let body: Value = serde_json::to_value(&pair).unwrap();
    assert_eq!(
        body.as_object().unwrap().keys().collect::<Vec<_>>(),
        ["access_token", "expires_in", "refresh_token", "token_type"]
    );
    assert_eq!(body["token_type"], "Bearer");
    assert_eq!(body["expires_in"], 900);
    let debug = format!("{pair:?}");
    assert!(!debug.contains(&pair.access_token) && !debug.contains(&pair.refresh_token));
    let back: TokenPair = serde_json::from_value(body).unwrap();
    assert_eq!(back, pair);

    let verified = issuer.access_verifier().verify_token(&pair.access_token);
    assert!(verified.is_ok(), "{verified:?}");
}

#[test]
fn a_claim_the_issuer_sets_is_refused_not_overwritten() {
    let (issuer, _, _) = setup();
    for name in ["sub", "exp", "sid", "fresh", "jti", "aud", "iss", "type"] {
        let err = issuer.login("ada", &json!({ name: "x" })).unwrap_err();
        assert_eq!(err.code(), "signing", "{name}");
        assert!(err.to_string().contains(&format!("`{name}`")), "{err}");
    }
    assert_eq!(
        issuer.login("ada", &json!([1])).unwrap_err().code(),
        "signing"
    );
    #[derive(serde::Serialize)]
    struct Mine {
        scope: &'static str,
    }
    let pair = issuer.login("ada", &Mine { scope: "read" }).unwrap();
    assert_eq!(decoded(&pair.access_token).1["scope"], "read");
}

#[test]
fn type_confusion_is_refused_both_ways() {
    let (issuer, _, _) = setup();
    let pair = issuer.login("ada", &json!({})).unwrap();
    assert_eq!(
        kind(issuer.access_verifier().verify_token(&pair.refresh_token)),
        ErrorKind::WrongTokenUse {
            presented: TokenUse::Refresh
        }
    );
    assert_eq!(
        kind(issuer.refresh_verifier().verify_token(&pair.access_token)),
        ErrorKind::WrongTokenUse {
            presented: TokenUse::Access
        }
    );
    let err = issuer
        .access_verifier()
        .verify_token(&pair.refresh_token)
        .unwrap_err();
    assert_eq!(err.code(), "invalid_type");
    assert_eq!(
        err.description(),
        "a refresh token was presented where an access token is required"
    );

    // Any verifier (access by default) refuses a refresh token by its header, and a
    // Flask-JWT-Extended refresh token by its `type` claim, whatever `typ` is configured;
    // FJE's access tokens and PyJWT's (no typ) pass.
    let plain = Verifier::builder()
        .algorithms([Algorithm::HS256])
        .key(Key::hmac(SECRET).unwrap())
        .skip_audience_check()
        .build()
        .unwrap();
    let signer = Signer::new(Key::hmac(SECRET).unwrap(), Algorithm::HS256).unwrap();
    let fje = |kind: &str| {
        signer
            .encode(
                &json!({"sub": "ada", "type": kind, "fresh": false, "jti": "j",
                           "exp": 4_102_444_800u64, "iat": NOW}),
            )
            .unwrap()
    };
    assert_eq!(
        kind_of(&plain, &fje("refresh")),
        Err(ErrorKind::WrongTokenUse {
            presented: TokenUse::Refresh
        })
    );
    assert_eq!(kind_of(&plain, &fje("access")), Ok(()));
    let typ_jwt = Verifier::builder()
        .algorithms([Algorithm::HS256])
        .key(Key::hmac(SECRET).unwrap())
        .typ("JWT")
        .build()
        .unwrap();
    assert_eq!(
        kind_of(&typ_jwt, &fje("refresh")),
        Err(ErrorKind::WrongTokenUse {
            presented: TokenUse::Refresh
        })
    );
    let no_typ = signer
        .clone()
        .with_typ(None)
        .encode(&json!({"sub": "ada", "exp": 4_102_444_800u64}))
        .unwrap();
    assert_eq!(kind_of(&plain, &no_typ), Ok(()));
    // The issuer's own refresh token at a verifier of the same key (with its kid): refused by
    // its header, before any claim (here `aud` would fail too).
    let same_key = Verifier::builder()
        .algorithms([Algorithm::HS256])
        .key(Key::hmac(SECRET).unwrap().with_kid("s1"))
        .build()
        .unwrap();
    assert_eq!(
        kind_of(&same_key, &pair.refresh_token),
        Err(ErrorKind::WrongTokenUse {
            presented: TokenUse::Refresh
        })
    );
    let refresh_header_only = signer
        .clone()
        .with_typ(Some("refresh+jwt"))
        .encode(&json!({"sub": "ada", "exp": 4_102_444_800u64}))
        .unwrap();
    assert_eq!(
        kind_of(&plain, &refresh_header_only),
        Err(ErrorKind::WrongTokenUse {
            presented: TokenUse::Refresh
        })
    );
}

fn kind_of(verifier: &Verifier, token: &str) -> Result<(), ErrorKind> {
    verifier
        .verify_token(token)
        .map(|_| ())
        .map_err(|e| e.kind().clone())
}

fn revocation_of(store: &MemoryStore, token: &str) -> Result<(), ErrorKind> {
    let claims = decoded(token).1;
    let claims = RevocationClaims::new(
        claims["jti"].as_str(),
        claims["sid"].as_str(),
        claims["sub"].as_str(),
        claims["iat"].as_i64(),
        claims["exp"].as_i64(),
    );
    store.check(&claims).map_err(|e| e.kind().clone())
}

#[test]
fn rotation_and_reuse_detection() {
    let (issuer, store, clock) = setup();
    let first = issuer.login("ada", &json!({})).unwrap();
    clock.advance(10);
    let second =
        block_on(issuer.refresh(store.as_ref(), &first.refresh_token, &json!({"n": 2}))).unwrap();
    let (_, access) = decoded(&second.access_token);
    assert_eq!(access["fresh"], false, "a refreshed token is not fresh");
    assert_eq!(access["n"], 2);
    assert_eq!(access["sid"], decoded(&first.access_token).1["sid"]);
    assert_eq!(access["iat"], NOW + 10);
    // The old access token stays valid until its exp.
    assert!(
        issuer
            .access_verifier()
            .verify_token(&first.access_token)
            .is_ok()
    );
    assert_eq!(revocation_of(&store, &first.access_token), Ok(()));

    // Within the grace window (2 s): refused, nothing else happens.
    clock.advance(2);
    assert_eq!(
        kind(block_on(issuer.refresh(
            store.as_ref(),
            &first.refresh_token,
            &json!({})
        ))),
        ErrorKind::RefreshReused
    );
    assert_eq!(revocation_of(&store, &second.access_token), Ok(()));
    assert_eq!(revocation_of(&store, &second.refresh_token), Ok(()));
    let third =
        block_on(issuer.refresh(store.as_ref(), &second.refresh_token, &json!({}))).unwrap();

    // After it: taken as stolen; the login ends (every token of that sid).
    clock.advance(1);
    assert_eq!(
        kind(block_on(issuer.refresh(
            store.as_ref(),
            &first.refresh_token,
            &json!({})
        ))),
        ErrorKind::RefreshReused
    );
    for token in [
        &second.access_token,
        &third.access_token,
        &third.refresh_token,
    ] {
        assert_eq!(revocation_of(&store, token), Err(ErrorKind::Revoked));
    }
    assert_eq!(
        kind(block_on(issuer.refresh(
            store.as_ref(),
            &third.refresh_token,
            &json!({})
        ))),
        ErrorKind::Revoked
    );
    // Another login of the same subject is untouched.
    let other = issuer.login("ada", &json!({})).unwrap();
    assert!(block_on(issuer.refresh(store.as_ref(), &other.refresh_token, &json!({}))).is_ok());
}

#[test]
fn concurrent_redemptions_make_exactly_one_pair() {
    let (issuer, store, _) = setup();
    let pair = issuer.login("ada", &json!({})).unwrap();
    let barrier = Arc::new(Barrier::new(8));
    let threads: Vec<_> = (0..8)
        .map(|_| {
            let (issuer, store, barrier) = (issuer.clone(), store.clone(), barrier.clone());
            let token = pair.refresh_token.clone();
            std::thread::spawn(move || {
                barrier.wait();
                block_on(issuer.refresh(store.as_ref(), &token, &json!({})))
            })
        })
        .collect();
    let results: Vec<_> = threads.into_iter().map(|t| t.join().unwrap()).collect();
    let winners: Vec<&TokenPair> = results.iter().filter_map(|r| r.as_ref().ok()).collect();
    assert_eq!(winners.len(), 1);
    for r in &results {
        if let Err(e) = r {
            assert_eq!(e.kind(), &ErrorKind::RefreshReused);
        }
    }
    // The winner's pair stays valid (all losers were within the grace window).
    assert_eq!(revocation_of(&store, &winners[0].access_token), Ok(()));
    assert!(
        block_on(issuer.refresh(store.as_ref(), &winners[0].refresh_token, &json!({}))).is_ok()
    );
}

#[test]
fn logout_ends_the_login_and_logout_everywhere_the_subject() {
    let (issuer, store, clock) = setup();
    let pair = issuer.login("ada", &json!({})).unwrap();
    let other = issuer.login("ada", &json!({})).unwrap();
    let verified = issuer
        .access_verifier()
        .verify_token(&pair.access_token)
        .unwrap();
    block_on(issuer.logout(store.as_ref(), &verified)).unwrap();
    assert_eq!(
        revocation_of(&store, &pair.access_token),
        Err(ErrorKind::Revoked)
    );
    assert_eq!(
        kind(block_on(issuer.refresh(
            store.as_ref(),
            &pair.refresh_token,
            &json!({})
        ))),
        ErrorKind::Revoked
    );
    assert_eq!(revocation_of(&store, &other.access_token), Ok(()));

    clock.advance(5);
    block_on(issuer.logout_everywhere(store.as_ref(), "ada")).unwrap();
    assert_eq!(
        revocation_of(&store, &other.access_token),
        Err(ErrorKind::Revoked)
    );
    // A login right after still works.
    let again = issuer.login("ada", &json!({})).unwrap();
    assert_eq!(revocation_of(&store, &again.access_token), Ok(()));
}

#[test]
fn freshness() {
    let clock = ManualClock::new(NOW);
    let issuer = TokenIssuer::builder(Key::hmac(SECRET).unwrap(), Algorithm::HS256)
        .issuer("https://api.example")
        .audience("api")
        .fresh_ttl(Duration::from_secs(300))
        .clock(clock.clone())
        .build()
        .unwrap();
    let store = MemoryStore::new(10).with_clock(clock.clone());
    let pair = issuer.login("ada", &json!({})).unwrap();
    assert_eq!(decoded(&pair.access_token).1["fresh"], NOW + 300);
    let verified = issuer
        .access_verifier()
        .verify_token(&pair.access_token)
        .unwrap();
    assert!(is_fresh(&verified, NOW + 299));
    assert!(!is_fresh(&verified, NOW + 300));
    let refreshed = block_on(issuer.refresh(&store, &pair.refresh_token, &json!({}))).unwrap();
    let verified = issuer
        .access_verifier()
        .verify_token(&refreshed.access_token)
        .unwrap();
    assert!(!is_fresh(&verified, NOW));
    let (plain, _, _) = setup();
    let login = plain.login("ada", &json!({})).unwrap();
    let verified = plain
        .access_verifier()
        .verify_token(&login.access_token)
        .unwrap();
    assert!(is_fresh(&verified, NOW + 10_000));
}

#[test]
fn the_sessions_table() {
    let dir = tempfile::tempdir().unwrap();
    let text = |key: &str| {
        format!(
            "[sessions]\nalg = \"HS256\"\n{key}\niss = \"https://api.example\"\n\
             aud = [\"api\", \"admin\"]\naccess_ttl_secs = 60\nreuse_grace_secs = 5\n"
        )
    };
    let mut config = VerifierConfig::from_toml(&text(
        "secret = \"an example secret of 32 bytes..!\"\nkid = \"k9\"",
    ))
    .unwrap();
    config.base_dir = Some(dir.path().to_owned());
    let issuer = config.token_issuer().unwrap().expect("an issuer");
    let pair = issuer.login("ada", &json!({})).unwrap();
    assert_eq!(pair.expires_in, 60);
    let (header, claims) = decoded(&pair.access_token);
    assert_eq!(header["kid"], "k9");
    assert_eq!(claims["aud"], json!(["api", "admin"]));
    assert!(
        issuer
            .access_verifier()
            .verify_token(&pair.access_token)
            .is_ok()
    );
    let debug = format!("{config:?}");
    assert!(!debug.contains("an example secret"), "{debug}");

    // A public key cannot sign.
    let public = VerifierConfig::from_toml(
        &text(&format!(
            "pem_file = \"{}/tests/fixtures/keys/p256.pub.pem\"",
            env!("CARGO_MANIFEST_DIR")
        ))
        .replace("alg = \"HS256\"", "alg = \"ES256\""),
    )
    .unwrap();
    let err = public.token_issuer().unwrap_err();
    assert_eq!(
        err.kind(),
        &ErrorKind::InvalidConfig {
            field: "sessions".into(),
            reason: "needs exactly one key that can sign (a private key or an HMAC secret)".into()
        }
    );
    // A key of another algorithm: the field named.
    let other = VerifierConfig::from_toml(&text(&format!(
        "pem_file = \"{}/tests/fixtures/keys/p256.pub.pem\"",
        env!("CARGO_MANIFEST_DIR")
    )))
    .unwrap();
    let err = other.token_issuer().unwrap_err();
    assert!(
        matches!(err.kind(), ErrorKind::InvalidConfig { field, .. } if field == "sessions.alg"),
        "{err}"
    );
    assert!(
        VerifierConfig::from_toml("")
            .unwrap()
            .token_issuer()
            .unwrap()
            .is_none()
    );
}

#[test]
fn bad_refresh_tokens_are_refused_with_their_codes() {
    let (issuer, store, clock) = setup();
    let pair = issuer.login("ada", &json!({})).unwrap();
    let (header, claims) = decoded(&pair.refresh_token);
    let refresh = |sign: &dyn Fn(&Value) -> String| {
        kind(block_on(issuer.refresh(
            store.as_ref(),
            &sign(&claims),
            &json!({}),
        )))
    };
    // Signed by another key (same kid, same typ).
    let other = Signer::new(
        Key::hmac(b"another secret, also 32 bytes!!!").unwrap(),
        Algorithm::HS256,
    )
    .unwrap()
    .with_kid("s1")
    .with_typ(Some("refresh+jwt"));
    assert_eq!(
        refresh(&|c| other.encode(c).unwrap()),
        ErrorKind::InvalidSignature
    );
    // alg none (header only, empty signature).
    let none = |c: &Value| {
        use base64::Engine as _;
        let b64 = base64::engine::general_purpose::URL_SAFE_NO_PAD;
        let header = json!({"alg": "none", "typ": header["typ"], "kid": "s1"});
        format!(
            "{}.{}.",
            b64.encode(header.to_string()),
            b64.encode(c.to_string())
        )
    };
    assert_eq!(refresh(&none), ErrorKind::InvalidAlgorithm);
    // Expired: 30 days and the leeway later.
    clock.advance(30 * 86_400 + 61);
    assert_eq!(
        kind(block_on(issuer.refresh(
            store.as_ref(),
            &pair.refresh_token,
            &json!({})
        ))),
        ErrorKind::Expired
    );
}
