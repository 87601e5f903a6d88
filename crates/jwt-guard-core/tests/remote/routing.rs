//! Several issuers from one `VerifierConfig`: each token goes to the one provider its `iss`
//! names; an unknown issuer is `invalid_issuer` and makes no fetch. Lazy and eager builds.

use std::time::Duration;

use jwt_guard_core::{Algorithm, ErrorKind, Key, Signer, VerifierConfig};
use serde_json::json;

use crate::remote::support::{Behaviour, Server, chain, check, closed_url, jwks, now, signing_key};

const SECRET: &str = "routing-test-secret-of-at-least-32-bytes";

fn config(text: &str) -> VerifierConfig {
    toml::from_str(text).unwrap_or_else(|e| panic!("{e}\n{text}"))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tokens_are_routed_by_issuer_and_unknown_issuers_fetch_nothing() {
    let (ka, kb) = (signing_key("a1"), signing_key("b1"));
    let a = Server::start(Behaviour::serve(jwks(&[&ka.jwk]))).await;
    let b = Server::start(Behaviour::serve(jwks(&[&kb.jwk]))).await;
    b.set_discovery(json!({"issuer": b.base_url(), "jwks_uri": b.jwks_url()}));
    let text = format!(
        r#"
        [remote]
        cooldown_secs = 60

        [[providers]]
        issuer = "https://a.test"
        jwks_url = "{a_url}"
        audiences = ["api-a"]
        algorithms = ["ES256"]

        [[providers]]
        oidc_issuer = "{b_issuer}"
        audiences = ["api-b"]

        [[providers]]
        issuer = "internal"
        algorithms = ["HS256"]
        skip_audience_check = true
        keys = [{{ secret = "{SECRET}" }}]
        "#,
        a_url = a.jwks_url(),
        b_issuer = b.base_url(),
    );
    let verifier = config(&text).build().unwrap();
    let b_iss = b.base_url();
    let hits = || (a.jwks_hits(), b.discovery_hits(), b.jwks_hits());

    // Never loaded, unknown issuer: invalid_issuer, no request anywhere.
    for iss in ["https://unknown.test", "https://a.test/", "HTTPS://A.TEST"] {
        assert_eq!(
            check(&verifier, &ka.token_for(iss, "api-a")).await,
            Err(ErrorKind::InvalidIssuer),
            "{iss}"
        );
    }
    let no_iss = ka
        .signer
        .encode(&json!({"aud": "api-a", "exp": now() + 600}))
        .unwrap();
    assert_eq!(
        check(&verifier, &no_iss).await,
        Err(ErrorKind::MissingClaim("iss".into()))
    );
    assert_eq!(hits(), (0, 0, 0));

    // Each provider with its own keys and rules.
    assert_eq!(
        check(&verifier, &ka.token_for("https://a.test", "api-a")).await,
        Ok(())
    );
    assert_eq!(hits(), (1, 0, 0));
    assert_eq!(
        check(&verifier, &kb.token_for(&b_iss, "api-b")).await,
        Ok(())
    );
    assert_eq!(hits(), (1, 1, 1));
    let internal = Signer::new(Key::hmac(SECRET).unwrap(), Algorithm::HS256)
        .unwrap()
        .encode(&json!({"iss": "internal", "aud": "anything", "exp": now() + 600}))
        .unwrap();
    assert_eq!(check(&verifier, &internal).await, Ok(()));

    // A's rules for A's tokens: B's audience, B's key, or HS256 are refused.
    assert_eq!(
        check(&verifier, &ka.token_for("https://a.test", "api-b")).await,
        Err(ErrorKind::InvalidAudience)
    );
    assert_eq!(
        check(&verifier, &kb.token_for("https://a.test", "api-a")).await,
        Err(ErrorKind::UnknownKey),
        "B's key is not A's (and A's cooldown holds back a refetch)"
    );
    let hs_as_a = Signer::new(Key::hmac(SECRET).unwrap(), Algorithm::HS256)
        .unwrap()
        .encode(&json!({"iss": "https://a.test", "aud": "api-a", "exp": now() + 600}))
        .unwrap();
    assert_eq!(
        check(&verifier, &hs_as_a).await,
        Err(ErrorKind::InvalidAlgorithm)
    );
    // B names no algorithms: every asymmetric one, never HMAC.
    let hs_as_b = Signer::new(Key::hmac(SECRET).unwrap(), Algorithm::HS256)
        .unwrap()
        .encode(&json!({"iss": b_iss, "aud": "api-b", "exp": now() + 600}))
        .unwrap();
    assert_eq!(
        check(&verifier, &hs_as_b).await,
        Err(ErrorKind::InvalidAlgorithm)
    );
    assert_eq!(hits(), (1, 1, 1));
    assert_eq!(verifier.keys().len(), 3);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn eager_load_fails_fast_naming_the_provider() {
    let ka = signing_key("a1");
    let a = Server::start(Behaviour::serve(jwks(&[&ka.jwk]))).await;
    let down = closed_url();
    let text = format!(
        r#"
        [[providers]]
        issuer = "https://a.test"
        jwks_url = "{a_url}"
        audiences = ["api"]

        [[providers]]
        issuer = "https://down.test"
        jwks_url = "{down}"
        audiences = ["api"]
        [providers.remote]
        timeout_secs = 1
        "#,
        a_url = a.jwks_url(),
    );
    let started = std::time::Instant::now();
    let err = config(&text).load().await.unwrap_err();
    assert_eq!(err.kind(), &ErrorKind::KeyUnavailable);
    let text_of = chain(&err);
    assert!(
        text_of.starts_with(
            "key set unavailable: cannot load the key set of `providers[1].jwks_url`: request \
             failed: "
        ),
        "{text_of}"
    );
    assert!(started.elapsed() < Duration::from_secs(3));
    assert_eq!(a.jwks_hits(), 1);

    // The short form, eagerly: keys are there before the first token.
    let single = format!(
        "jwks_url = \"{}\"\naudiences = [\"api\"]\nissuers = [\"https://a.test\"]",
        a.jwks_url()
    );
    let verifier = config(&single).load().await.unwrap();
    assert_eq!(a.jwks_hits(), 2);
    assert!(
        verifier
            .verify_token(&ka.token_for("https://a.test", "api"))
            .is_ok()
    );
}
