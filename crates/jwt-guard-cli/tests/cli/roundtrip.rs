//! keygen → encode → verify for all 13 algorithms.

use serde_json::{Value, json};

use crate::support::{AUDIENCE, KeyRing, jwt_guard};

#[test]
fn keygen_encode_verify_for_every_algorithm() {
    let ring = KeyRing::new();
    assert_eq!(ring.keys.len(), 13);
    for key in &ring.keys {
        let claims = json!({"sub": format!("user-{}", key.alg), "aud": AUDIENCE, "n": 1});
        let token = jwt_guard(["encode", "--alg", key.alg.as_str(), "--kid", &key.kid])
            .args(["--iat", "--exp", "10m", "--key"])
            .command_arg(&key.signing_key)
            .command_arg(claims.to_string())
            .run()
            .ok()
            .trim()
            .to_owned();
        let run = jwt_guard(["verify", "--config"])
            .command_arg(&ring.config)
            .command_arg(&token)
            .run();
        let verified: Value = serde_json::from_str(run.ok()).unwrap();
        assert_eq!(verified["sub"], claims["sub"], "{}", key.alg);
        assert!(verified["exp"].as_i64().unwrap() > verified["iat"].as_i64().unwrap());

        // The same key from its JWK Set file (HS*: the secret JWK Set) signs too.
        if key.alg.as_str().starts_with("HS") {
            let token = jwt_guard(["encode", "--alg", key.alg.as_str(), "--exp", "1m", "--key"])
                .command_arg(&key.jwks)
                .command_arg(claims.to_string())
                .run()
                .ok()
                .trim()
                .to_owned();
            let run = jwt_guard(["verify", "--config"])
                .command_arg(&ring.config)
                .command_arg(&token)
                .run();
            run.ok();
        }

        // A token whose kid names another algorithm's key is refused before any crypto.
        let other = ring
            .keys
            .iter()
            .find(|k| k.alg.family() != key.alg.family())
            .unwrap();
        let token = jwt_guard(["encode", "--alg", key.alg.as_str(), "--kid", &other.kid])
            .args(["--exp", "10m", "--key"])
            .command_arg(&key.signing_key)
            .command_arg(claims.to_string())
            .run()
            .ok()
            .trim()
            .to_owned();
        let run = jwt_guard(["verify", "--config"])
            .command_arg(&ring.config)
            .command_arg(&token)
            .run();
        run.fails(1);
        assert_eq!(
            run.first_error_line(),
            "error: invalid_algorithm: algorithm not allowed",
            "{}",
            key.alg
        );
    }
}
