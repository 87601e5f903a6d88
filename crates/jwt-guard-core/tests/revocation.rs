//! Revocation (`jwt_guard_core::revocation`): each rule of the deny-list with its exact
//! `ErrorKind`, the expiry of entries on a `ManualClock`, `mark_used` under contention, the
//! bound of the in-memory store, the `[revocation]` config table, and `BearerAuth`'s check.

use std::sync::{Arc, Barrier};

use jwt_guard_core::http::BearerAuth;
use jwt_guard_core::revocation::{
    MemoryStore, Revocation, RevocationClaims, RevocationCounts, RevocationStore, revoke_token,
};
use jwt_guard_core::{Algorithm, ErrorKind, Key, ManualClock, Signer, Verifier, VerifierConfig};
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

fn sign_with(secret: &[u8], claims: &Value) -> String {
    Signer::new(Key::hmac(secret).unwrap(), Algorithm::HS256)
        .unwrap()
        .encode(claims)
        .unwrap()
}

fn sign(claims: &Value) -> String {
    sign_with(SECRET, claims)
}

/// A verifier and a store on one manual clock, and the `BearerAuth` checking against it.
fn setup(max_entries: usize) -> (BearerAuth, Arc<MemoryStore>, ManualClock) {
    let clock = ManualClock::new(NOW);
    let verifier = Verifier::builder()
        .algorithms([Algorithm::HS256])
        .key(Key::hmac(SECRET).unwrap())
        .clock(clock.clone())
        .build()
        .unwrap();
    let store = Arc::new(MemoryStore::new(max_entries).with_clock(clock.clone()));
    let auth = BearerAuth::new(verifier).with_revocation(store.clone());
    (auth, store, clock)
}

/// The core error kind of a verification through `auth`, `Ok(())` when it passes.
fn outcome(auth: &BearerAuth, token: &str) -> Result<(), ErrorKind> {
    block_on(auth.verify(token))
        .map(|_| ())
        .map_err(|r| r.error().expect("a token fault").kind().clone())
}

#[test]
fn revoked_by_jti_is_401_invalid_token() {
    let (auth, store, _) = setup(100);
    let token = sign(&json!({"sub": "ada", "jti": "t-1", "exp": NOW + 600}));
    let other = sign(&json!({"sub": "ada", "jti": "t-2", "exp": NOW + 600}));
    assert_eq!(outcome(&auth, &token), Ok(()));

    block_on(store.revoke_jti("t-1", NOW + 660)).unwrap();
    assert_eq!(outcome(&auth, &token), Err(ErrorKind::Revoked));
    assert_eq!(outcome(&auth, &other), Ok(()));

    let rejection = block_on(auth.verify(&token)).unwrap_err();
    assert_eq!(rejection.status().as_u16(), 401);
    assert_eq!(rejection.error_code(), "invalid_token");
    assert_eq!(rejection.description(), "the token has been revoked");
    assert_eq!(rejection.error().unwrap().code(), "revoked");
    assert!(!rejection.to_string().contains(&token));
}

#[test]
fn forged_revoked_token_reports_invalid_signature() {
    let (auth, store, _) = setup(100);
    block_on(store.revoke_jti("t-1", NOW + 660)).unwrap();
    block_on(store.revoke_subject_before("ada", NOW + 1)).unwrap();
    let forged = sign_with(
        b"another secret of at least 32 by",
        &json!({"sub": "ada", "jti": "t-1", "iat": NOW, "exp": NOW + 600}),
    );
    assert_eq!(outcome(&auth, &forged), Err(ErrorKind::InvalidSignature));
    // An expired revoked token reports expired: the claim checks come first too.
    let expired = sign(&json!({"sub": "ada", "jti": "t-1", "exp": NOW - 3600}));
    assert_eq!(outcome(&auth, &expired), Err(ErrorKind::Expired));
}

#[test]
fn optional_mode_refuses_a_revoked_token() {
    let (auth, store, _) = setup(100);
    let auth = auth.optional();
    block_on(store.revoke_sid("login-1", NOW + 3600)).unwrap();
    let token = sign(&json!({"sub": "ada", "sid": "login-1", "exp": NOW + 600}));
    let request = http::Request::get("/")
        .header("authorization", format!("Bearer {token}"))
        .body(())
        .unwrap();
    let rejection = block_on(auth.authenticate(&request)).unwrap_err();
    assert_eq!(rejection.error().unwrap().kind(), &ErrorKind::Revoked);
    assert_eq!(rejection.status().as_u16(), 401);
}

#[test]
fn jti_entry_lives_until_exp_plus_leeway() {
    let (auth, store, clock) = setup(100);
    let exp = NOW + 100;
    let token = sign(&json!({"jti": "t-1", "exp": exp}));
    let verified = block_on(auth.verifier().verify_token_async(&token)).unwrap();
    block_on(revoke_token(store.as_ref(), &verified, 60)).unwrap();
    assert_eq!(
        block_on(store.list()).unwrap(),
        vec![Revocation::Jti {
            jti: "t-1".into(),
            until: exp + 60
        }]
    );
    let claims = RevocationClaims::new(Some("t-1"), None, None, None, Some(exp));

    clock.set(exp + 59); // still inside the leeway: the verifier would accept it
    assert_eq!(outcome(&auth, &token), Err(ErrorKind::Revoked));
    assert_eq!(
        store.check(&claims).unwrap_err().kind(),
        &ErrorKind::Revoked
    );
    clock.set(exp + 60); // gone by itself
    assert!(store.check(&claims).is_ok());
    assert_eq!(
        block_on(store.counts()).unwrap(),
        RevocationCounts::default()
    );
    assert!(block_on(store.list()).unwrap().is_empty());
}

#[test]
fn jti_revocation_of_a_token_without_jti_is_refused() {
    let (auth, store, _) = setup(100);
    let token = sign(&json!({"sub": "ada", "exp": NOW + 600}));
    let verified = block_on(auth.verifier().verify_token_async(&token)).unwrap();
    let err = block_on(revoke_token(store.as_ref(), &verified, 60)).unwrap_err();
    assert_eq!(err.code(), "revocation");
    assert_eq!(
        err.to_string(),
        "revocation refused: the token has no jti: revoke its sid or its subject instead"
    );
    assert_eq!(block_on(store.counts()).unwrap().total(), 0);
}

#[test]
fn revoked_by_sid_until_the_end_of_the_login() {
    let (auth, store, clock) = setup(100);
    block_on(store.revoke_sid("login-1", NOW + 3600)).unwrap();
    let a = sign(&json!({"sub": "ada", "sid": "login-1", "jti": "a", "exp": NOW + 7200}));
    let b = sign(&json!({"sub": "ada", "sid": "login-1", "exp": NOW + 7200}));
    let other = sign(&json!({"sub": "ada", "sid": "login-2", "exp": NOW + 7200}));
    assert_eq!(outcome(&auth, &a), Err(ErrorKind::Revoked));
    assert_eq!(outcome(&auth, &b), Err(ErrorKind::Revoked));
    assert_eq!(outcome(&auth, &other), Ok(()));
    clock.set(NOW + 3600);
    assert_eq!(outcome(&auth, &a), Ok(()));
}

#[test]
fn subject_cutoff_matches_iat_before_it_only() {
    let (auth, store, clock) = setup(100);
    let cutoff = NOW - 100;
    block_on(store.revoke_subject_before("ada", cutoff)).unwrap();
    let token = |sub: &str, iat: Option<i64>| {
        let mut claims = json!({"sub": sub, "exp": NOW + 600});
        if let Some(iat) = iat {
            claims["iat"] = json!(iat);
        }
        sign(&claims)
    };
    assert_eq!(
        outcome(&auth, &token("ada", Some(cutoff - 1))),
        Err(ErrorKind::Revoked)
    );
    assert_eq!(outcome(&auth, &token("ada", Some(cutoff))), Ok(()));
    assert_eq!(outcome(&auth, &token("ada", Some(cutoff + 1))), Ok(()));
    // No iat under a cutoff: its age cannot be told.
    assert_eq!(outcome(&auth, &token("ada", None)), Err(ErrorKind::Revoked));
    // Other subjects are untouched, with or without iat.
    assert_eq!(outcome(&auth, &token("bob", None)), Ok(()));
    assert_eq!(outcome(&auth, &token("bob", Some(cutoff - 1))), Ok(()));

    // A fractional iat just before the cutoff is before it.
    let claims = RevocationClaims::new(None, None, Some("ada"), None, None);
    let fractional = sign(&json!({"sub": "ada", "iat": (cutoff as f64) - 0.5, "exp": NOW + 600}));
    assert_eq!(outcome(&auth, &fractional), Err(ErrorKind::Revoked));

    // It does not expire by itself.
    clock.set(NOW + 10 * 365 * 86_400);
    assert!(store.check(&claims).is_err());
    clock.set(NOW);

    // A later cutoff replaces it; an earlier one does not; operators can clear it.
    block_on(store.revoke_subject_before("ada", cutoff + 50)).unwrap();
    assert_eq!(
        outcome(&auth, &token("ada", Some(cutoff + 49))),
        Err(ErrorKind::Revoked)
    );
    block_on(store.revoke_subject_before("ada", cutoff - 50)).unwrap();
    assert_eq!(
        outcome(&auth, &token("ada", Some(cutoff + 49))),
        Err(ErrorKind::Revoked)
    );
    assert_eq!(block_on(store.counts()).unwrap().subjects, 1);
    assert!(block_on(store.clear_subject("ada")).unwrap());
    assert!(!block_on(store.clear_subject("ada")).unwrap());
    assert_eq!(outcome(&auth, &token("ada", Some(cutoff - 1))), Ok(()));
    assert_eq!(outcome(&auth, &token("ada", None)), Ok(()));
}

#[test]
fn mark_used_is_true_for_exactly_one_caller() {
    let clock = ManualClock::new(NOW);
    let store = Arc::new(MemoryStore::new(100).with_clock(clock.clone()));
    let threads = 32;
    let barrier = Arc::new(Barrier::new(threads));
    let handles: Vec<_> = (0..threads)
        .map(|_| {
            let (store, barrier) = (Arc::clone(&store), Arc::clone(&barrier));
            std::thread::spawn(move || {
                barrier.wait();
                block_on(store.mark_used("refresh-1", NOW + 60)).unwrap()
            })
        })
        .collect();
    let winners = handles
        .into_iter()
        .map(|h| h.join().unwrap())
        .filter(|won| *won)
        .count();
    assert_eq!(winners, 1);
    assert!(!block_on(store.mark_used("refresh-1", NOW + 60)).unwrap());
    assert!(block_on(store.mark_used("refresh-2", NOW + 60)).unwrap());
    // A used mark is not a revocation of the token.
    let claims = RevocationClaims::new(Some("refresh-1"), None, None, None, None);
    assert!(store.check(&claims).is_ok());
    // Once expired, the mark is gone.
    clock.set(NOW + 60);
    assert!(block_on(store.mark_used("refresh-1", NOW + 120)).unwrap());
}

#[test]
fn a_full_store_refuses_new_entries_and_drops_expired_ones() {
    let clock = ManualClock::new(NOW);
    let store = MemoryStore::new(3).with_clock(clock.clone());
    block_on(store.revoke_jti("a", NOW + 10)).unwrap();
    block_on(store.revoke_sid("s", NOW + 100)).unwrap();
    block_on(store.revoke_subject_before("ada", NOW)).unwrap();

    let err = block_on(store.revoke_jti("b", NOW + 10)).unwrap_err();
    assert_eq!(
        err.kind(),
        &ErrorKind::Revocation("the revocation store is full (3 entries, max_entries)".into())
    );
    assert!(!err.kind().is_token_error());
    let err = block_on(store.mark_used("r", NOW + 10)).unwrap_err();
    assert_eq!(err.code(), "revocation");
    // Existing entries can still be updated, and nothing was dropped.
    block_on(store.revoke_jti("a", NOW + 20)).unwrap();
    block_on(store.revoke_subject_before("ada", NOW + 5)).unwrap();
    let a = RevocationClaims::new(Some("a"), None, None, None, None);
    assert!(store.check(&a).is_err());

    // Once "a" expires, its room is reused; the cutoff is never dropped for room.
    clock.set(NOW + 20);
    block_on(store.revoke_jti("b", NOW + 30)).unwrap();
    let counts = block_on(store.counts()).unwrap();
    assert_eq!((counts.jti, counts.sid, counts.subjects), (1, 1, 1));
    assert!(block_on(store.revoke_jti("c", NOW + 30)).is_err());
}

#[test]
fn store_debug_shows_counts_not_entries() {
    let store = MemoryStore::new(10);
    block_on(store.revoke_jti("secret-looking-jti", i64::MAX)).unwrap();
    block_on(store.revoke_subject_before("ada@example.com", NOW)).unwrap();
    let shown = format!("{store:?}");
    assert_eq!(
        shown,
        "MemoryStore { jti: 1, sid: 0, subjects: 1, used: 0, max_entries: 10 }"
    );
    let (auth, _, _) = setup(10);
    let shown = format!("{auth:?}");
    assert!(shown.contains("revocation: Some(MemoryStore {"), "{shown}");
}

#[test]
fn no_store_no_check() {
    let verifier = Verifier::builder()
        .algorithms([Algorithm::HS256])
        .key(Key::hmac(SECRET).unwrap())
        .build()
        .unwrap();
    let auth = BearerAuth::new(verifier);
    assert!(auth.revocation().is_none());
    // `sid` of any type passes without a store (nothing reads it).
    let token = sign(&json!({"sub": "ada", "sid": 5, "exp": 4_102_444_800u64}));
    assert!(block_on(auth.verify(&token)).is_ok());
}

#[test]
fn a_sid_that_is_not_a_string_is_an_invalid_claim_under_a_store() {
    let (auth, _, _) = setup(10);
    let token = sign(&json!({"sub": "ada", "sid": 5, "exp": NOW + 600}));
    assert_eq!(
        outcome(&auth, &token),
        Err(ErrorKind::InvalidClaim("sid".into()))
    );
}

fn config_text(revocation: &str) -> String {
    format!(
        "algorithms = [\"HS256\"]\nkeys = [{{ secret = \"{}\" }}]\n\n[revocation]\n{revocation}",
        std::str::from_utf8(SECRET).unwrap()
    )
}

#[test]
fn config_table_memory_store() {
    let config =
        VerifierConfig::from_toml(&config_text("memory = true\nmax_entries = 2\n")).unwrap();
    let auth = BearerAuth::from_config(&config).unwrap();
    let store = auth.revocation().expect("a store");
    assert_eq!(
        format!("{store:?}"),
        "MemoryStore { jti: 0, sid: 0, subjects: 0, used: 0, max_entries: 2 }"
    );
    block_on(store.revoke_jti("t-1", i64::MAX)).unwrap();
    let token = sign(&json!({"jti": "t-1", "exp": 4_102_444_800u64}));
    assert_eq!(outcome(&auth, &token), Err(ErrorKind::Revoked));

    let without = VerifierConfig::from_toml(&config_text("").replace("[revocation]", "")).unwrap();
    assert!(
        BearerAuth::from_config(&without)
            .unwrap()
            .revocation()
            .is_none()
    );
}

#[test]
fn config_table_errors_name_the_field_never_the_value() {
    let cases = [
        (
            "memory = true\nredis_url = \"redis://:hunter2@127.0.0.1:6379/0\"\n",
            "revocation.memory",
            "choose one store: memory = true or redis_url, not both",
        ),
        (
            "key_prefix = \"hunter2\"\n",
            "revocation.key_prefix",
            "belongs to the Redis store: set redis_url",
        ),
        (
            "memory = true\nmax_staleness_secs = 5\n",
            "revocation.max_staleness_secs",
            "belongs to the Redis store: set redis_url",
        ),
        (
            "memory = true\nfail = \"open\"\n",
            "revocation.fail",
            "belongs to the Redis store: set redis_url",
        ),
        (
            "redis_url = \"redis://:hunter2@127.0.0.1:6379/0\"\nmax_entries = 5\n",
            "revocation.max_entries",
            "belongs to the memory store (the Redis store holds what Redis holds)",
        ),
        (
            "redis_url = \"redis://:hunter2@127.0.0.1:6379/0\"\nmax_staleness_secs = 0\n",
            "revocation.max_staleness_secs",
            "must be at least 1",
        ),
        #[cfg(not(feature = "redis"))]
        (
            "redis_url = \"redis://:hunter2@127.0.0.1:6379/0\"\n",
            "revocation.redis_url",
            "needs the `redis` feature of jwt-guard-core (or jwt-guard)",
        ),
        #[cfg(feature = "redis")]
        (
            "redis_url = \"http://:hunter2@127.0.0.1:6379/0\"\n",
            "revocation.redis_url",
            "not a Redis URL (redis://[user:password@]host[:port][/db])",
        ),
        (
            "",
            "revocation.memory",
            "no revocation store chosen: set memory = true or redis_url (or remove the table)",
        ),
        (
            "memory = true\nmax_entries = 0\n",
            "revocation.max_entries",
            "must be at least 1",
        ),
    ];
    for (table, field, reason) in cases {
        let config = VerifierConfig::from_toml(&config_text(table)).unwrap();
        let err = BearerAuth::from_config(&config).unwrap_err();
        assert_eq!(
            err.kind(),
            &ErrorKind::InvalidConfig {
                field: field.into(),
                reason: reason.into()
            },
            "{table}"
        );
        assert!(!err.to_string().contains("hunter2"), "{err}");
    }
    // Debug never shows the URL (it may hold a password).
    let config = VerifierConfig::from_toml(&config_text(
        "redis_url = \"redis://:hunter2@127.0.0.1:6379/0\"\n",
    ))
    .unwrap();
    let debug = format!("{config:?}");
    assert!(debug.contains("redis_url: Some(\"<redacted>\")"), "{debug}");
    assert!(!debug.contains("hunter2"), "{debug}");
    // An unknown key is refused by name, like every table.
    let err = VerifierConfig::from_toml(&config_text("memory = true\nmemroy = 1\n")).unwrap_err();
    assert_eq!(err.code(), "invalid_config");
    assert!(err.to_string().contains("revocation"), "{err}");
}
