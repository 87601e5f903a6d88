//! The verified-token cache (`jwt_guard_core::cache`) through `BearerAuth::verify`: a cached
//! token is refused at the second it expires (manual clock), a revoked cached token is
//! refused, a key rotated out of the set makes its entries misses, the bound holds under a
//! flood of valid tokens, a flood of invalid ones changes nothing, one-off tokens are never
//! stored (a token is kept at its second verification), the `[cache]` table.

use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use jwt_guard_core::cache::{CacheConfig, CacheStats, DEFAULT_MAX_ENTRIES};
use jwt_guard_core::http::BearerAuth;
use jwt_guard_core::revocation::{MemoryStore, RevocationStore};
use jwt_guard_core::{
    Algorithm, ErrorKind, Key, KeySet, KeySource, ManualClock, Signer, Verifier, VerifierConfig,
};
use serde_json::{Value, json};

const SECRET: &[u8] = b"an example secret of 32 bytes..!";
const NOW: i64 = 1_700_000_000;

use crate::support::block_on;

fn sign_with(key: &Key, alg: Algorithm, claims: &Value) -> String {
    Signer::new(key.clone(), alg)
        .unwrap()
        .encode(claims)
        .unwrap()
}

fn sign(claims: &Value) -> String {
    sign_with(&Key::hmac(SECRET).unwrap(), Algorithm::HS256, claims)
}

fn hs_verifier(clock: &ManualClock, leeway_secs: u64) -> Verifier {
    Verifier::builder()
        .algorithms([Algorithm::HS256])
        .key(Key::hmac(SECRET).unwrap())
        .leeway(Duration::from_secs(leeway_secs))
        .clock(clock.clone())
        .build()
        .unwrap()
}

/// The core error kind of a verification through `auth`, `Ok(())` when it passes.
fn outcome(auth: &BearerAuth, token: &str) -> Result<(), ErrorKind> {
    block_on(auth.verify(token))
        .map(|_| ())
        .map_err(|r| r.error().expect("a token fault").kind().clone())
}

/// Verifies `token` twice: the first verification marks it, the second keeps it (the
/// doorkeeper of `jwt_guard_core::cache`); two misses, and the next request is a hit.
fn keep(auth: &BearerAuth, token: &str) {
    assert_eq!(outcome(auth, token), Ok(()));
    assert_eq!(outcome(auth, token), Ok(()));
}

fn stats(auth: &BearerAuth) -> CacheStats {
    auth.cache_stats().expect("the cache is on")
}

#[test]
fn expired_cached_token_is_refused_at_the_second_it_expires() {
    let clock = ManualClock::new(NOW);
    let auth = BearerAuth::new(hs_verifier(&clock, 0));
    let token = sign(&json!({"sub": "ada", "exp": NOW + 10}));

    assert_eq!(outcome(&auth, &token), Ok(()));
    assert_eq!((stats(&auth).misses, stats(&auth).entries), (1, 0));
    assert_eq!(outcome(&auth, &token), Ok(()));
    assert_eq!((stats(&auth).misses, stats(&auth).entries), (2, 1));
    clock.set(NOW + 9);
    assert_eq!(outcome(&auth, &token), Ok(()));
    assert_eq!((stats(&auth).misses, stats(&auth).hits), (2, 1));
    clock.set(NOW + 10);
    assert_eq!(outcome(&auth, &token), Err(ErrorKind::Expired));
    assert_eq!((stats(&auth).misses, stats(&auth).hits), (2, 2));
    // Dropped, and never valid again.
    assert_eq!(stats(&auth).entries, 0);
    assert_eq!(outcome(&auth, &token), Err(ErrorKind::Expired));
    assert_eq!(stats(&auth).entries, 0);
}

#[test]
fn cached_token_keeps_the_leeway_nbf_and_max_age() {
    let clock = ManualClock::new(NOW);
    let verifier = Verifier::builder()
        .algorithms([Algorithm::HS256])
        .key(Key::hmac(SECRET).unwrap())
        .leeway(Duration::from_secs(5))
        .max_age(Duration::from_secs(100))
        .clock(clock.clone())
        .build()
        .unwrap();
    let auth = BearerAuth::new(verifier);
    let token = sign(&json!({"exp": NOW + 1000, "iat": NOW, "nbf": NOW}));
    keep(&auth, &token);
    // max_age 100 + leeway 5: accepted at +105, refused at +106, from the cache.
    clock.set(NOW + 105);
    assert_eq!(outcome(&auth, &token), Ok(()));
    clock.set(NOW + 106);
    assert_eq!(outcome(&auth, &token), Err(ErrorKind::Expired));
    assert_eq!((stats(&auth).misses, stats(&auth).hits), (2, 2));

    // A clock stepped back before nbf (beyond the leeway): immature, from the cache.
    let clock = ManualClock::new(NOW);
    let auth = BearerAuth::new(hs_verifier(&clock, 0));
    let token = sign(&json!({"exp": NOW + 1000, "nbf": NOW}));
    keep(&auth, &token);
    clock.set(NOW - 1);
    assert_eq!(outcome(&auth, &token), Err(ErrorKind::Immature));
    assert_eq!((stats(&auth).misses, stats(&auth).hits), (2, 1));
}

#[test]
fn revoked_cached_token_is_refused() {
    let clock = ManualClock::new(NOW);
    let store = Arc::new(MemoryStore::new(100).with_clock(clock.clone()));
    let auth = BearerAuth::new(hs_verifier(&clock, 0)).with_revocation(store.clone());
    let token = sign(&json!({"sub": "ada", "jti": "t-1", "sid": "s-1", "exp": NOW + 600}));
    keep(&auth, &token);
    assert_eq!(outcome(&auth, &token), Ok(()));
    assert_eq!(stats(&auth).hits, 1);

    block_on(store.revoke_jti("t-1", NOW + 660)).unwrap();
    assert_eq!(outcome(&auth, &token), Err(ErrorKind::Revoked));
    assert_eq!(
        stats(&auth).hits,
        2,
        "answered from the cache, then revoked"
    );

    // By session and by subject too.
    let by_sid = sign(&json!({"sub": "bob", "jti": "t-2", "sid": "s-2", "exp": NOW + 600}));
    keep(&auth, &by_sid);
    block_on(store.revoke_sid("s-2", NOW + 660)).unwrap();
    assert_eq!(outcome(&auth, &by_sid), Err(ErrorKind::Revoked));
    let by_sub = sign(&json!({"sub": "cy", "iat": NOW - 1, "exp": NOW + 600}));
    keep(&auth, &by_sub);
    block_on(store.revoke_subject_before("cy", NOW)).unwrap();
    assert_eq!(outcome(&auth, &by_sub), Err(ErrorKind::Revoked));
    assert_eq!(stats(&auth).hits, 4);
}

/// A key source whose set the test replaces.
#[derive(Debug, Default)]
struct SwapSource(Mutex<Option<Arc<KeySet>>>);

impl SwapSource {
    fn set(&self, keys: Arc<KeySet>) {
        *self.0.lock().unwrap() = Some(keys);
    }
}

impl KeySource for SwapSource {
    fn current(&self) -> Option<Arc<KeySet>> {
        self.0.lock().unwrap().clone()
    }

    fn refresh(&self) -> Pin<Box<dyn Future<Output = Option<Arc<KeySet>>> + Send + '_>> {
        Box::pin(async move { self.current() })
    }
}

#[test]
fn key_rotated_out_of_the_set_invalidates_its_cached_tokens() {
    let old = Key::hmac([1u8; 32]).unwrap().with_kid("k1");
    let new = Key::hmac([2u8; 32]).unwrap().with_kid("k1");
    let other = Key::hmac([3u8; 32]).unwrap().with_kid("k2");
    let source = Arc::new(SwapSource::default());
    let first = Arc::new(KeySet::from_iter([old.clone(), other.clone()]));
    source.set(first.clone());
    let verifier = Verifier::builder()
        .algorithms([Algorithm::HS256])
        .key_source(source.clone())
        .clock(ManualClock::new(NOW))
        .build()
        .unwrap();
    let auth = BearerAuth::new(verifier);
    let claims = json!({"sub": "ada", "exp": NOW + 600});
    let by_old = sign_with(&old, Algorithm::HS256, &claims);
    let by_other = sign_with(&other, Algorithm::HS256, &claims);
    keep(&auth, &by_old);
    keep(&auth, &by_other);
    assert_eq!(outcome(&auth, &by_old), Ok(()));
    assert_eq!((stats(&auth).misses, stats(&auth).hits), (4, 1));

    // The same set again (the same snapshot): still hits.
    source.set(first);
    assert_eq!(outcome(&auth, &by_old), Ok(()));
    assert_eq!((stats(&auth).misses, stats(&auth).hits), (4, 2));

    // k1 rotated to a new secret: the token the old k1 signed is refused, not served.
    source.set(Arc::new(KeySet::from_iter([new.clone(), other.clone()])));
    assert_eq!(outcome(&auth, &by_old), Err(ErrorKind::InvalidSignature));
    assert_eq!((stats(&auth).misses, stats(&auth).hits), (5, 2));
    assert_eq!(outcome(&auth, &by_old), Err(ErrorKind::InvalidSignature));
    // The other key stayed: its token is verified once more against the new set (and kept at
    // once: it was verified before), then hits.
    assert_eq!(outcome(&auth, &by_other), Ok(()));
    assert_eq!(outcome(&auth, &by_other), Ok(()));
    assert_eq!((stats(&auth).misses, stats(&auth).hits), (7, 3));

    // k2 removed from the set: unknown key.
    source.set(Arc::new(KeySet::from_iter([new])));
    assert_eq!(outcome(&auth, &by_other), Err(ErrorKind::UnknownKey));
}

#[test]
fn cache_never_grows_past_its_bound_under_a_flood_of_valid_tokens() {
    let clock = ManualClock::new(NOW);
    let auth =
        BearerAuth::new(hs_verifier(&clock, 0)).with_cache(&CacheConfig::with_max_entries(64));
    assert_eq!(stats(&auth).capacity, 64);
    for i in 0..5_000 {
        let token = sign(&json!({"sub": format!("user-{i}"), "exp": NOW + 600}));
        keep(&auth, &token);
        assert!(stats(&auth).entries <= 64, "{:?} after {i}", stats(&auth));
    }
    let after = stats(&auth);
    // A token the doorkeeper took for seen (a Bloom filter's false positive) was kept at its
    // first verification and hit at its second.
    assert_eq!(after.misses + after.hits, 10_000, "{after:?}");
    assert!(after.misses >= 9_800, "{after:?}");
    assert!(after.entries <= 64 && after.entries > 0, "{after:?}");
    assert!(after.evictions >= 5_000 - 64, "{after:?}");
}

#[test]
fn one_off_tokens_are_almost_never_stored() {
    let clock = ManualClock::new(NOW);
    let auth =
        BearerAuth::new(hs_verifier(&clock, 0)).with_cache(&CacheConfig::with_max_entries(64));
    let hot = sign(&json!({"sub": "hot", "exp": NOW + 600}));
    keep(&auth, &hot);
    assert_eq!(stats(&auth).entries, 1);
    for i in 0..5_000 {
        let token = sign(&json!({"sub": format!("user-{i}"), "exp": NOW + 600}));
        assert_eq!(outcome(&auth, &token), Ok(()));
    }
    let after = stats(&auth);
    // Stored only on a false positive of the doorkeeper (under 2 % of them; 3 % allowed).
    assert_eq!(after.misses, 5_002, "{after:?}");
    assert!(
        after.entries as u64 + after.evictions <= 1 + 150,
        "{after:?}"
    );
}

#[test]
fn a_hot_token_survives_a_flood_of_one_off_tokens() {
    let clock = ManualClock::new(NOW);
    let auth =
        BearerAuth::new(hs_verifier(&clock, 0)).with_cache(&CacheConfig::with_max_entries(64));
    let hot = sign(&json!({"sub": "hot", "exp": NOW + 600}));
    for i in 0..2_000 {
        assert_eq!(outcome(&auth, &hot), Ok(()));
        let token = sign(&json!({"sub": format!("user-{i}"), "exp": NOW + 600}));
        assert_eq!(outcome(&auth, &token), Ok(()));
    }
    // The hot token missed once (or a handful of times while the cache warmed), not 2,000 times.
    assert!(stats(&auth).hits >= 1_990, "{:?}", stats(&auth));
}

#[test]
fn a_flood_of_invalid_tokens_leaves_the_cache_untouched() {
    let clock = ManualClock::new(NOW);
    let auth =
        BearerAuth::new(hs_verifier(&clock, 0)).with_cache(&CacheConfig::with_max_entries(64));
    let good = sign(&json!({"sub": "ada", "exp": NOW + 600}));
    keep(&auth, &good);
    let before = stats(&auth);
    assert_eq!(before.entries, 1);

    let forger = Key::hmac(b"another secret of 32 bytes......").unwrap();
    for i in 0..1_000 {
        let claims = json!({"sub": format!("user-{i}"), "exp": NOW + 600});
        let forged = sign_with(&forger, Algorithm::HS256, &claims);
        assert_eq!(outcome(&auth, &forged), Err(ErrorKind::InvalidSignature));
        let expired = sign(&json!({"sub": format!("user-{i}"), "exp": NOW - 1}));
        assert_eq!(outcome(&auth, &expired), Err(ErrorKind::Expired));
        // `alg: none` over a payload and signature.
        let mut parts = forged.splitn(2, '.');
        let wrong_alg = format!("eyJhbGciOiJub25lIn0.{}", parts.nth(1).unwrap());
        assert_eq!(outcome(&auth, &wrong_alg), Err(ErrorKind::InvalidAlgorithm));
        // The good token with its last signature character changed: a full byte comparison
        // (not a hash, not a prefix) tells them apart.
        let mut tampered = good.clone();
        let last = tampered.pop().unwrap();
        tampered.push(if last == 'A' { 'B' } else { 'A' });
        assert!(outcome(&auth, &tampered).is_err());
        // Its first character changed: the same length and last 64 bytes (what the cache
        // hashes), so the lookup meets the cached entry and its byte comparison tells them apart.
        let mut same_tail = good.clone().into_bytes();
        same_tail[0] = if same_tail[0] == b'e' { b'f' } else { b'e' };
        let same_tail = String::from_utf8(same_tail).unwrap();
        assert!(matches!(
            outcome(&auth, &same_tail),
            Err(ErrorKind::Malformed(_))
        ));
        assert_eq!(
            outcome(&auth, &format!("{i}.not.a.token")),
            Err(ErrorKind::Malformed(
                "a JWT has exactly three dot-separated parts"
            ))
        );
    }
    let after = stats(&auth);
    assert_eq!((after.entries, after.evictions), (1, 0), "{after:?}");
    assert_eq!(after.hits, before.hits);
    assert_eq!(outcome(&auth, &good), Ok(()));
    assert_eq!(
        stats(&auth).hits,
        before.hits + 1,
        "the good token still hits"
    );
}

#[test]
fn entry_size_limit_and_hmac_switch() {
    let clock = ManualClock::new(NOW);
    let token = sign(&json!({"sub": "ada", "exp": NOW + 600}));
    let small = BearerAuth::new(hs_verifier(&clock, 0))
        .with_cache(&CacheConfig::with_max_entries(64).max_entry_bytes(token.len()));
    assert_eq!(outcome(&small, &token), Ok(()));
    assert_eq!(outcome(&small, &token), Ok(()));
    assert_eq!((stats(&small).entries, stats(&small).misses), (0, 2));

    let no_hmac = BearerAuth::new(hs_verifier(&clock, 0))
        .with_cache(&CacheConfig::with_max_entries(64).hmac(false));
    assert_eq!(outcome(&no_hmac, &token), Ok(()));
    assert_eq!(outcome(&no_hmac, &token), Ok(()));
    assert_eq!((stats(&no_hmac).entries, stats(&no_hmac).misses), (0, 2));

    let off = BearerAuth::new(hs_verifier(&clock, 0)).with_cache(&CacheConfig::off());
    assert_eq!(off.cache_stats(), None);
    assert_eq!(outcome(&off, &token), Ok(()));
}

#[test]
fn asymmetric_tokens_hit_and_routes_keep_their_own_rules() {
    let es = jwt_guard_core::keygen::generate(Algorithm::ES256)
        .unwrap()
        .key()
        .clone();
    let clock = ManualClock::new(NOW);
    let a = Verifier::builder()
        .algorithms([Algorithm::ES256])
        .key(es.clone())
        .issuer("https://a.example")
        .leeway(Duration::ZERO)
        .clock(clock.clone())
        .build()
        .unwrap();
    let b = Verifier::builder()
        .algorithms([Algorithm::HS256])
        .key(Key::hmac(SECRET).unwrap())
        .issuer("https://b.example")
        .leeway(Duration::from_secs(30))
        .clock(clock.clone())
        .build()
        .unwrap();
    let auth = BearerAuth::new(Verifier::routed([a, b]).unwrap());
    let by_a = sign_with(
        &es,
        Algorithm::ES256,
        &json!({"iss": "https://a.example", "exp": NOW + 10}),
    );
    let by_b = sign(&json!({"iss": "https://b.example", "exp": NOW + 10}));
    keep(&auth, &by_a);
    keep(&auth, &by_b);
    clock.set(NOW + 10);
    // Each cached token is checked with its own route's leeway.
    assert_eq!(outcome(&auth, &by_a), Err(ErrorKind::Expired));
    assert_eq!(outcome(&auth, &by_b), Ok(()));
    assert_eq!((stats(&auth).misses, stats(&auth).hits), (4, 2));
}

#[test]
fn cache_table_of_the_config() {
    let base = r#"
        algorithms = ["HS256"]
        keys = [{ secret = "an example secret of 32 bytes..!" }]
    "#;
    let auth = BearerAuth::from_config(&VerifierConfig::from_toml(base).unwrap()).unwrap();
    assert_eq!(stats(&auth).capacity, DEFAULT_MAX_ENTRIES);

    let off = format!("{base}\n[cache]\nmax_entries = 0\n");
    let auth = BearerAuth::from_config(&VerifierConfig::from_toml(&off).unwrap()).unwrap();
    assert_eq!(auth.cache_stats(), None);

    let set = format!("{base}\n[cache]\nmax_entries = 5\nmax_entry_bytes = 100\nhmac = false\n");
    let config = VerifierConfig::from_toml(&set).unwrap();
    assert_eq!(
        config.cache,
        CacheConfig::with_max_entries(5)
            .max_entry_bytes(100)
            .hmac(false)
    );
    let auth = BearerAuth::from_config(&config).unwrap();
    assert_eq!(stats(&auth).capacity, 5);

    let unknown = format!("{base}\n[cache]\nmax_entrys = 5\n");
    let err = VerifierConfig::from_toml(&unknown).unwrap_err();
    assert_eq!(err.code(), "invalid_config");
    assert!(err.to_string().contains("cache"), "{err}");

    // A new config builds a new, empty cache.
    let token = sign(&json!({"exp": 4_102_444_800u64}));
    let first = BearerAuth::from_config(&VerifierConfig::from_toml(base).unwrap()).unwrap();
    keep(&first, &token);
    assert_eq!(stats(&first).entries, 1);
    let second = BearerAuth::from_config(&VerifierConfig::from_toml(base).unwrap()).unwrap();
    assert_eq!(stats(&second).entries, 0);
}

/// Claims that count how often they are parsed.
#[derive(Clone, Debug, PartialEq)]
struct Counted {
    sub: String,
}

static PARSES: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);

impl<'de> serde::Deserialize<'de> for Counted {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Counted, D::Error> {
        #[derive(serde::Deserialize)]
        struct Plain {
            sub: String,
        }
        PARSES.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        Plain::deserialize(d).map(|p| Counted { sub: p.sub })
    }
}

fn parses() -> usize {
    PARSES.load(std::sync::atomic::Ordering::SeqCst)
}

#[test]
fn claims_are_parsed_once_per_cached_token() {
    let clock = ManualClock::new(NOW);
    let auth = BearerAuth::new(hs_verifier(&clock, 0));
    let token = sign(&json!({"sub": "ada", "exp": NOW + 100}));
    let shared = |auth: &BearerAuth| -> Counted {
        block_on(auth.verify(&token))
            .unwrap()
            .claims_shared::<Counted>()
            .unwrap()
    };
    let ada = Counted {
        sub: "ada".to_owned(),
    };

    // Not cached yet (the first verification only marks it): parsed each time.
    let before = parses();
    assert_eq!(shared(&auth), ada);
    assert_eq!(parses(), before + 1);
    // Kept at the second verification: parsed once more, and that parse is kept.
    assert_eq!(shared(&auth), ada);
    assert_eq!(parses(), before + 2);
    for _ in 0..3 {
        assert_eq!(shared(&auth), ada);
    }
    assert_eq!(parses(), before + 2, "hits clone the kept claims");
    assert_eq!(stats(&auth).hits, 3);

    // Another type parsed from the same cached token: parsed each time, still right.
    let verified = block_on(auth.verify(&token)).unwrap();
    let value: Value = verified.claims_shared().unwrap();
    assert_eq!(value["sub"], "ada");
    assert_eq!(verified.claims_shared::<Counted>().unwrap(), ada);
    assert_eq!(parses(), before + 2);

    // Claims that do not fit are refused each time, never kept.
    #[derive(Clone, Debug, serde::Deserialize)]
    #[allow(dead_code)]
    struct NeedsEmail {
        email: String,
    }
    for _ in 0..2 {
        let error = verified.claims_shared::<NeedsEmail>().unwrap_err();
        assert_eq!(error.kind(), &ErrorKind::ClaimsMismatch);
    }

    // The cache off: every request parses.
    let off = BearerAuth::new(hs_verifier(&clock, 0)).with_cache(&CacheConfig::off());
    let before = parses();
    for _ in 0..3 {
        assert_eq!(shared(&off), ada);
    }
    assert_eq!(parses(), before + 3);
}
