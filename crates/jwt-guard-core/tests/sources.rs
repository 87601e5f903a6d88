//! Key sources and routing at the verifier level: a `KeySource` is read lock-free on the sync
//! path and refreshed once by the async path on an unknown `kid`; `Verifier::routed` sends each
//! token to the one provider that lists its issuer. (The remote JWKS source over real HTTP has
//! its own tests.)

use std::future::Future;
use std::pin::Pin;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll, Wake, Waker};

use jwt_guard_core::{Algorithm, ErrorKind, Key, KeySet, KeySource, ManualClock, Signer, Verifier};
use serde_json::{Value, json};

const NOW: i64 = 1_800_000_000;

/// Polls a future that never waits on anything external (the test source is always ready).
fn block_on<F: Future>(future: F) -> F::Output {
    struct Noop;
    impl Wake for Noop {
        fn wake(self: Arc<Self>) {}
    }
    let waker = Waker::from(Arc::new(Noop));
    let mut cx = Context::from_waker(&waker);
    let mut future = std::pin::pin!(future);
    loop {
        if let Poll::Ready(out) = future.as_mut().poll(&mut cx) {
            return out;
        }
    }
}

/// A source that serves `next` after its first refresh, and counts refreshes.
#[derive(Debug, Default)]
struct TestSource {
    current: Mutex<Option<Arc<KeySet>>>,
    next: Mutex<Option<Arc<KeySet>>>,
    refreshes: AtomicUsize,
}

impl KeySource for TestSource {
    fn current(&self) -> Option<Arc<KeySet>> {
        self.current.lock().unwrap().clone()
    }

    fn refresh(&self) -> Pin<Box<dyn Future<Output = Option<Arc<KeySet>>> + Send + '_>> {
        Box::pin(async move {
            self.refreshes.fetch_add(1, Ordering::SeqCst);
            if let Some(next) = self.next.lock().unwrap().take() {
                *self.current.lock().unwrap() = Some(next);
            }
            self.current()
        })
    }
}

fn key(byte: u8, kid: &str) -> Key {
    Key::hmac([byte; 32]).unwrap().with_kid(kid)
}

fn token(key: &Key, claims: Value) -> String {
    Signer::new(key.clone(), Algorithm::HS256)
        .unwrap()
        .encode(&claims)
        .unwrap()
}

fn verifier_over(source: Arc<TestSource>) -> Verifier {
    Verifier::builder()
        .algorithms([Algorithm::HS256])
        .key_source(source)
        .clock(ManualClock::new(NOW))
        .build()
        .unwrap()
}

#[test]
fn never_loaded_is_key_unavailable_until_a_refresh_loads_keys() {
    let k1 = key(1, "k1");
    let source = Arc::new(TestSource::default());
    *source.next.lock().unwrap() = Some(Arc::new(KeySet::from(k1.clone())));
    let v = verifier_over(source.clone());
    let t = token(&k1, json!({"exp": NOW + 60}));
    assert_eq!(
        v.verify::<Value>(&t).unwrap_err().into_kind(),
        ErrorKind::KeyUnavailable
    );
    assert_eq!(
        source.refreshes.load(Ordering::SeqCst),
        0,
        "the sync path never fetches"
    );
    assert!(block_on(v.verify_token_async(&t)).is_ok());
    assert_eq!(source.refreshes.load(Ordering::SeqCst), 1);
    assert!(
        v.verify::<Value>(&t).is_ok(),
        "the snapshot now has the key"
    );
    assert_eq!(v.keys().len(), 1);
}

#[test]
fn unknown_kid_refreshes_once_other_faults_never() {
    let (k1, k2) = (key(1, "k1"), key(2, "k2"));
    let source = Arc::new(TestSource::default());
    *source.current.lock().unwrap() = Some(Arc::new(KeySet::from(k1.clone())));
    *source.next.lock().unwrap() = Some(Arc::new([k1.clone(), k2.clone()].into_iter().collect()));
    let v = verifier_over(source.clone());

    assert!(block_on(v.verify_async::<Value>(&token(&k1, json!({"exp": NOW + 60})))).is_ok());
    let bad_sig = token(&key(9, "k1"), json!({"exp": NOW + 60}));
    assert_eq!(
        block_on(v.verify_token_async(&bad_sig))
            .unwrap_err()
            .into_kind(),
        ErrorKind::InvalidSignature
    );
    let expired = token(&k1, json!({"exp": NOW - 600}));
    assert_eq!(
        block_on(v.verify_token_async(&expired))
            .unwrap_err()
            .into_kind(),
        ErrorKind::Expired
    );
    assert_eq!(
        source.refreshes.load(Ordering::SeqCst),
        0,
        "only unknown keys refresh"
    );

    let rotated = token(&k2, json!({"exp": NOW + 60}));
    assert_eq!(
        v.verify::<Value>(&rotated).unwrap_err().into_kind(),
        ErrorKind::UnknownKey
    );
    assert!(block_on(v.verify_token_async(&rotated)).is_ok());
    assert_eq!(source.refreshes.load(Ordering::SeqCst), 1);

    let stranger = token(&key(3, "k3"), json!({"exp": NOW + 60}));
    assert_eq!(
        block_on(v.verify_token_async(&stranger))
            .unwrap_err()
            .into_kind(),
        ErrorKind::UnknownKey
    );
    assert_eq!(
        source.refreshes.load(Ordering::SeqCst),
        2,
        "one refresh per request, then unknown_key"
    );
}

fn provider(issuer: &str, k: &Key, alg: Algorithm, audience: &str) -> Verifier {
    Verifier::builder()
        .algorithms([alg])
        .key(k.clone())
        .issuer(issuer)
        .audience(audience)
        .clock(ManualClock::new(NOW))
        .build()
        .unwrap()
}

#[test]
fn routed_by_issuer() {
    let ka = key(1, "a");
    let kb = Key::hmac([2u8; 64]).unwrap().with_kid("b");
    let v = Verifier::routed([
        provider("https://a.example", &ka, Algorithm::HS256, "api-a"),
        provider("https://b.example", &kb, Algorithm::HS512, "api-b"),
    ])
    .unwrap();
    let a = token(
        &ka,
        json!({"iss": "https://a.example", "aud": "api-a", "exp": NOW + 60}),
    );
    assert_eq!(v.verify::<Value>(&a).unwrap().claims["aud"], "api-a");
    let b = Signer::new(kb.clone(), Algorithm::HS512)
        .unwrap()
        .encode(&json!({"iss": "https://b.example", "aud": "api-b", "exp": NOW + 60}))
        .unwrap();
    assert!(v.verify::<Value>(&b).is_ok());
    assert!(block_on(v.verify_token_async(&b)).is_ok());

    // Each route applies only its own rules: B's audience is not accepted by A.
    let cross = token(
        &ka,
        json!({"iss": "https://a.example", "aud": "api-b", "exp": NOW + 60}),
    );
    assert_eq!(
        v.verify::<Value>(&cross).unwrap_err().into_kind(),
        ErrorKind::InvalidAudience
    );
    // A token claiming A's issuer but signed with B's key meets only A's keys and algorithms.
    let forged = Signer::new(kb, Algorithm::HS512)
        .unwrap()
        .encode(&json!({"iss": "https://a.example", "aud": "api-a", "exp": NOW + 60}))
        .unwrap();
    assert_eq!(
        v.verify::<Value>(&forged).unwrap_err().into_kind(),
        ErrorKind::InvalidAlgorithm
    );
    let unknown = token(&ka, json!({"iss": "https://c.example", "exp": NOW + 60}));
    assert_eq!(
        v.verify::<Value>(&unknown).unwrap_err().into_kind(),
        ErrorKind::InvalidIssuer
    );
    let anonymous = token(&ka, json!({"exp": NOW + 60}));
    assert_eq!(
        v.verify::<Value>(&anonymous).unwrap_err().into_kind(),
        ErrorKind::MissingClaim("iss".into())
    );
    assert!(matches!(
        v.verify::<Value>("x.y.z").unwrap_err().into_kind(),
        ErrorKind::Malformed(_)
    ));

    let summary = v.validation();
    assert_eq!(summary.issuers, ["https://a.example", "https://b.example"]);
    assert!(
        summary.algorithms.contains(Algorithm::HS512)
            && summary.algorithms.contains(Algorithm::HS256)
    );
    assert_eq!(v.keys().len(), 2);
    assert!(std::ptr::eq(
        v.route(&a).unwrap().validation(),
        v.route(&a).unwrap().validation()
    ));
    assert_eq!(v.route(&b).unwrap().validation().audiences, ["api-b"]);
}

#[test]
fn routed_config_errors() {
    let k = key(1, "a");
    let field =
        |r: jwt_guard_core::Result<Verifier>| match r.map_err(jwt_guard_core::Error::into_kind) {
            Err(ErrorKind::InvalidConfig { field, .. }) => field.into_owned(),
            other => panic!("{other:?}"),
        };
    assert_eq!(field(Verifier::routed([])), "providers");
    let no_issuer = Verifier::builder()
        .algorithms([Algorithm::HS256])
        .key(k.clone())
        .build()
        .unwrap();
    assert_eq!(field(Verifier::routed([no_issuer])), "providers[0].issuer");
    let twice = || provider("https://a.example", &k, Algorithm::HS256, "x");
    assert_eq!(
        field(Verifier::routed([twice(), twice()])),
        "providers[1].issuer"
    );
    // A routed verifier as a route is refused when built, not with a 500 on every request.
    let inner = Verifier::routed([twice()]).unwrap();
    let b = provider("https://b.example", &k, Algorithm::HS256, "x");
    let err = Verifier::routed([b, inner]).unwrap_err();
    assert_eq!(
        err.into_kind(),
        ErrorKind::InvalidConfig {
            field: "providers[1]".into(),
            reason: "a routed verifier cannot itself be a route".into()
        }
    );
}
