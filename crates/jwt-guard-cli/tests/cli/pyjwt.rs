//! Interoperability with PyJWT, both ways, for all 13 algorithms: one python process per test
//! (`JWT_GUARD_PYTHON`, else the venv `scripts/test-all` made in the target directory, else
//! `python3`).
//!
//! Without PyJWT these tests pass after one `SKIPPED` banner on stderr, unless
//! `JWT_GUARD_REQUIRE_ALL` (or `CI`) is set: then they fail. `scripts/test-all` provisions PyJWT
//! and runs every test (`provisioning.rs` checks both behaviours).

use serde_json::{Value, json};

use crate::support::{AUDIENCE, KeyRing, jwt_guard, pyjwt_available, python_json};

const ISSUER: &str = "jwt-guard-cli-tests";

/// Verifies each job's token with the key of its `kid` from its JWK Set file.
const PYJWT_VERIFY: &str = r#"
import json, sys, jwt
results = []
for job in json.load(sys.stdin):
    try:
        with open(job["jwks"]) as f:
            keys = jwt.PyJWKSet.from_dict(json.load(f))
        key = keys[job["kid"]]
        claims = jwt.decode(job["token"], key.key, algorithms=[job["alg"]],
                            audience=job["aud"], issuer=job["iss"],
                            options={"require": ["exp", "iat", "sub"]})
        header = jwt.get_unverified_header(job["token"])
        results.append({"alg": job["alg"], "ok": True, "claims": claims, "kid": header.get("kid")})
    except Exception as e:
        results.append({"alg": job["alg"], "ok": False, "error": repr(e)})
print(json.dumps(results))
"#;

/// Signs each job's claims with its key file (PEM private key, or raw HMAC secret bytes).
const PYJWT_SIGN: &str = r#"
import json, sys, time, jwt
tokens = []
for job in json.load(sys.stdin):
    with open(job["key"], "rb") as f:
        key = f.read()
    claims = dict(job["claims"], iat=int(time.time()), exp=int(time.time()) + 600)
    tokens.append(jwt.encode(claims, key, algorithm=job["alg"], headers={"kid": job["kid"]}))
print(json.dumps(tokens))
"#;

#[test]
fn tokens_from_encode_verify_in_pyjwt() {
    if !pyjwt_available() {
        return;
    }
    let ring = KeyRing::new();
    let jobs: Vec<Value> = ring
        .keys
        .iter()
        .map(|key| {
            let claims =
                json!({"sub": format!("to-pyjwt-{}", key.alg), "aud": AUDIENCE, "iss": ISSUER});
            let token = jwt_guard(["encode", "--alg", key.alg.as_str(), "--kid", &key.kid])
                .args(["--iat", "--exp", "10m", "--key"])
                .command_arg(&key.signing_key)
                .command_arg(claims.to_string())
                .run()
                .ok()
                .trim()
                .to_owned();
            json!({
                "alg": key.alg.as_str(),
                "kid": key.kid,
                "token": token,
                "jwks": key.jwks,
                "aud": AUDIENCE,
                "iss": ISSUER,
            })
        })
        .collect();
    let results = python_json(PYJWT_VERIFY, &Value::Array(jobs));
    let results = results.as_array().unwrap();
    assert_eq!(results.len(), 13);
    for (result, key) in results.iter().zip(&ring.keys) {
        assert_eq!(
            result["ok"], true,
            "PyJWT rejected a {} token: {result}",
            key.alg
        );
        assert_eq!(result["claims"]["sub"], format!("to-pyjwt-{}", key.alg));
        assert_eq!(result["kid"], key.kid.as_str());
    }
}

#[test]
fn tokens_from_pyjwt_verify_with_jwt_guard() {
    if !pyjwt_available() {
        return;
    }
    let ring = KeyRing::new();
    let jobs: Vec<Value> = ring
        .keys
        .iter()
        .map(|key| {
            json!({
                "alg": key.alg.as_str(),
                "kid": key.kid,
                "key": key.signing_key,
                "claims": {"sub": format!("from-pyjwt-{}", key.alg), "aud": AUDIENCE},
            })
        })
        .collect();
    let tokens = python_json(PYJWT_SIGN, &Value::Array(jobs));
    let tokens = tokens.as_array().unwrap();
    assert_eq!(tokens.len(), 13);
    for (token, key) in tokens.iter().zip(&ring.keys) {
        let run = jwt_guard(["verify", "--config"])
            .command_arg(&ring.config)
            .command_arg(token.as_str().unwrap())
            .run();
        assert_eq!(
            run.code, 0,
            "jwt-guard rejected PyJWT's {} token: {run:?}",
            key.alg
        );
        let claims: Value = serde_json::from_str(&run.stdout).unwrap();
        assert_eq!(claims["sub"], format!("from-pyjwt-{}", key.alg));
    }
}
