//! Interoperability, both ways, with PyJWT (the reference implementation: all 13 algorithms)
//! and the `jsonwebtoken` crate (the 12 it has: all but ES512), with PEM keys, HMAC secrets
//! and JWKs. Keys are the committed fixtures in `tests/fixtures/keys/`.
//!
//! PyJWT runs in ONE python process per direction (`support/pyjwt_tool.py`, jobs as JSON on
//! stdin): `JWT_GUARD_PYTHON`, else the venv `scripts/test-all` made in the target directory,
//! else `python3`. Without PyJWT the two PyJWT tests pass after one `SKIPPED` banner on stderr,
//! unless `JWT_GUARD_REQUIRE_ALL` (or `CI`) is set, where they fail: `scripts/test-all`
//! provisions PyJWT and runs every test (`tests/provisioning.rs` checks both behaviours).
//!
//! Each test checks a whole matrix and reports every failed case at once.

use std::str::FromStr as _;

use jsonwebtoken as jwt;
use jwt_guard_core::{
    Algorithm, Audience, ErrorKind, Header, Key, KeyFamily, RegisteredClaims, Signer, Verifier,
};
use serde_json::{Value, json};

use crate::support::{
    Failures, PyJwtRun, Which, flip_signature_bit, is_hmac, private_pem, public_pem,
    py_key_pem_or_secret, run_pyjwt, secret, signing_key, verifying_key,
};

const ISSUER: &str = "https://issuer.interop.example";
const AUDIENCE: &str = "interop-api";
/// 2100-01-01T00:00:00Z.
const EXP: i64 = 4_102_444_800;
/// 2023-11-14T22:13:20Z.
const IAT: i64 = 1_700_000_000;

/// The claims a token for `alg` carries: the registered ones, a subject naming the signer and
/// the algorithm (so tokens cannot be mixed up between cases), `aud` as a string for
/// even-numbered algorithms and as an array for odd ones, and a nested custom claim with
/// non-ASCII text, escapes, an array, a float, a boolean and a null.
fn claims(alg: Algorithm, index: usize, signer: &str) -> Value {
    let aud = if index.is_multiple_of(2) {
        json!(AUDIENCE)
    } else {
        json!(["https://other.example", AUDIENCE])
    };
    json!({
        "iss": ISSUER,
        "sub": format!("{signer}-subject-{alg}"),
        "aud": aud,
        "exp": EXP,
        "iat": IAT,
        "profile": {
            "name": "Zoë \"Ω\" O'Brien ✓",
            "path": "a/b\\c",
            "roles": ["reader", "writer"],
            "limits": {"rpm": 600, "burst": 20},
            "ratio": 0.25,
            "active": true,
            "manager": null,
        },
    })
}

fn kid(signer: &str, alg: Algorithm) -> String {
    format!("{signer}-key-{alg}")
}

fn verifier(alg: Algorithm, key: Key) -> Verifier {
    Verifier::builder()
        .algorithms([alg])
        .key(key)
        .issuer(ISSUER)
        .audience(AUDIENCE)
        .build()
        .unwrap()
}

/// The error kind jwt-guard reports for `token`, or `None` if it verifies.
fn rejection(verifier: &Verifier, token: &str) -> Option<ErrorKind> {
    verifier.verify::<Value>(token).err().map(|e| e.into_kind())
}

/// Checks that jwt-guard accepts `token` and reads back exactly the header and claims sent.
fn check_jwt_guard_accepts(
    f: &mut Failures,
    case: &str,
    verifier: &Verifier,
    token: &str,
    alg: Algorithm,
    kid: &str,
    expected: &Value,
) {
    let data = match verifier.verify::<Value>(token) {
        Ok(data) => data,
        Err(e) => {
            f.fail(format!(
                "{case}: jwt-guard rejected it: {:?} ({e})",
                e.kind()
            ));
            return;
        }
    };
    f.eq(
        format!("{case}: header"),
        data.header,
        Header {
            alg,
            kid: Some(kid.into()),
            typ: Some("JWT".into()),
            cty: None,
        },
    );
    f.eq(format!("{case}: claims"), &data.claims, expected);
    let registered = verifier.verify::<RegisteredClaims>(token).unwrap().claims;
    f.eq(
        format!("{case}: typed registered claims"),
        registered,
        RegisteredClaims {
            iss: Some(ISSUER.to_owned()),
            sub: expected["sub"].as_str().map(str::to_owned),
            aud: Some(serde_json::from_value::<Audience>(expected["aud"].clone()).unwrap()),
            exp: Some(EXP),
            nbf: None,
            iat: Some(IAT),
            jti: None,
        },
    );
}

/// A jwt-guard key from a JWK some other library exported (`kid` set to match the token's).
fn key_from_foreign_jwk(f: &mut Failures, case: &str, jwk: &Value, kid: &str) -> Option<Key> {
    match Key::from_jwk_json(&jwk.to_string()) {
        Ok(key) => Some(key.with_kid(kid)),
        Err(e) => {
            f.fail(format!("{case}: jwt-guard cannot read the JWK {jwk}: {e}"));
            None
        }
    }
}

/// The public JWK jwt-guard exports for `alg`'s key, from the private or the public PEM, bound
/// to `alg` (without the binding an RSA JWK has no `alg`, and PyJWK would assume RS256).
fn exported_jwk(f: &mut Failures, alg: Algorithm, kid: &str, from: &str) -> Value {
    let pem = match from {
        "private" => private_pem(alg, Which::Main),
        _ => public_pem(alg, Which::Main),
    };
    let jwk = Key::from_pem(pem)
        .unwrap()
        .with_algorithm(alg)
        .unwrap()
        .with_kid(kid)
        .to_public_jwk()
        .unwrap();
    let case = format!("{alg}: JWK exported from the {from} key");
    f.eq(
        format!("{case}: alg"),
        jwk.alg.as_deref(),
        Some(alg.as_str()),
    );
    f.eq(format!("{case}: kid"), jwk.kid.as_deref(), Some(kid));
    f.eq(format!("{case}: use"), jwk.use_.as_deref(), Some("sig"));
    f.eq(format!("{case}: private members"), jwk.is_private(), false);
    serde_json::to_value(&jwk).unwrap()
}

// ---------------------------------------------------------------------------------------------
// PyJWT
// ---------------------------------------------------------------------------------------------

/// PyJWT `jwt.encode` → jwt-guard `Verifier`, for all 13 algorithms: with the PEM key or
/// secret, with the JWK PyJWT exports, and a token PyJWT signed with the wrong key.
#[test]
fn pyjwt_signs_jwt_guard_verifies() {
    let mut jobs = Vec::new();
    for (index, alg) in Algorithm::ALL.into_iter().enumerate() {
        for (case, set) in [("good", Which::Main), ("wrong-key", Which::Other)] {
            jobs.push(json!({
                "op": "encode",
                "id": format!("{alg}/{case}"),
                "alg": alg.as_str(),
                "key": py_key_pem_or_secret(alg, set, true),
                "claims": claims(alg, index, "pyjwt"),
                "headers": {"kid": kid("pyjwt", alg)},
            }));
        }
    }
    let Some(py) = run_pyjwt(jobs) else { return };

    let mut f = Failures::default();
    for (index, alg) in Algorithm::ALL.into_iter().enumerate() {
        let kid = kid("pyjwt", alg);
        let expected = claims(alg, index, "pyjwt");
        let Some(good) = pyjwt_ok(&mut f, &py, &format!("{alg}/good")) else {
            continue;
        };
        let Some(wrong) = pyjwt_ok(&mut f, &py, &format!("{alg}/wrong-key")) else {
            continue;
        };
        let token = good["token"].as_str().unwrap();

        let by_pem = verifier(alg, verifying_key(alg, Which::Main).with_kid(&kid));
        let case = format!("{alg}: PyJWT token, key from PEM/secret");
        check_jwt_guard_accepts(&mut f, &case, &by_pem, token, alg, &kid, &expected);

        let case = format!("{alg}: PyJWT token, key from PyJWT's JWK");
        if let Some(key) = key_from_foreign_jwk(&mut f, &case, &good["public_jwk"], &kid) {
            let by_jwk = verifier(alg, key);
            check_jwt_guard_accepts(&mut f, &case, &by_jwk, token, alg, &kid, &expected);
        }

        f.eq(
            format!("{alg}: PyJWT token signed with the wrong key"),
            rejection(&by_pem, wrong["token"].as_str().unwrap()),
            Some(ErrorKind::InvalidSignature),
        );
    }
    f.finish("pyjwt_signs_jwt_guard_verifies", 13 * 9);
}

/// jwt-guard `Signer` → PyJWT `jwt.decode(..., audience=, issuer=)`, for all 13 algorithms:
/// with the PEM key or secret, with `jwt.PyJWK` of the JWKs jwt-guard exports (RSA, EC, OKP),
/// and PyJWT must reject a flipped signature bit and the wrong key with
/// `InvalidSignatureError`.
#[test]
fn jwt_guard_signs_pyjwt_verifies() {
    let mut f = Failures::default();
    let mut jobs = Vec::new();
    for (index, alg) in Algorithm::ALL.into_iter().enumerate() {
        let kid = kid("jwt-guard", alg);
        let token = Signer::new(signing_key(alg, Which::Main), alg)
            .unwrap()
            .with_kid(&kid)
            .encode(&claims(alg, index, "jwt-guard"))
            .unwrap();
        let decode = |case: &str, token: &str, key: Value| {
            json!({
                "op": "decode",
                "id": format!("{alg}/{case}"),
                "alg": alg.as_str(),
                "key": key,
                "token": token,
                "audience": AUDIENCE,
                "issuer": ISSUER,
            })
        };
        let public = py_key_pem_or_secret(alg, Which::Main, false);
        jobs.push(decode("good", &token, public.clone()));
        jobs.push(decode("flipped", &flip_signature_bit(&token), public));
        let other = py_key_pem_or_secret(alg, Which::Other, false);
        jobs.push(decode("other-key", &token, other));
        if !is_hmac(alg) {
            for from in ["private", "public"] {
                let jwk = exported_jwk(&mut f, alg, &kid, from);
                jobs.push(decode(&format!("jwk-{from}"), &token, json!({"jwk": jwk})));
            }
        }
    }
    let Some(py) = run_pyjwt(jobs) else { return };

    for (index, alg) in Algorithm::ALL.into_iter().enumerate() {
        let expected_claims = claims(alg, index, "jwt-guard");
        let expected_header =
            json!({"alg": alg.as_str(), "typ": "JWT", "kid": kid("jwt-guard", alg)});
        let mut accepted = vec!["good"];
        if !is_hmac(alg) {
            accepted.extend(["jwk-private", "jwk-public"]);
        }
        for case in accepted {
            let id = format!("{alg}/{case}");
            if let Some(result) = pyjwt_ok(&mut f, &py, &id) {
                f.eq(format!("{id}: claims"), &result["claims"], &expected_claims);
                f.eq(format!("{id}: header"), &result["header"], &expected_header);
            }
        }
        for case in ["flipped", "other-key"] {
            let id = format!("{alg}/{case}");
            let result = py.result(&id);
            f.eq(
                format!("{id}: PyJWT's exception ({})", result["message"]),
                result["error"].as_str(),
                Some("InvalidSignatureError"),
            );
        }
    }
    f.finish(
        "jwt_guard_signs_pyjwt_verifies",
        3 * 5 + 10 * 11 + 10 * 2 * 4,
    );
}

/// The result of a PyJWT job that must have succeeded without warnings.
fn pyjwt_ok<'a>(f: &mut Failures, py: &'a PyJwtRun, id: &str) -> Option<&'a Value> {
    let result = py.result(id);
    if result["ok"] != true {
        f.fail(format!(
            "{id}: PyJWT raised {}: {}",
            result["error"], result["message"]
        ));
        return None;
    }
    f.eq(
        format!("{id}: PyJWT warnings"),
        &result["warnings"],
        &json!([]),
    );
    Some(result)
}

// ---------------------------------------------------------------------------------------------
// jsonwebtoken
// ---------------------------------------------------------------------------------------------

/// The algorithms both crates have, with jsonwebtoken's name for each.
fn shared_algorithms() -> Vec<(usize, Algorithm, jwt::Algorithm)> {
    // With only the `aws_lc_rs` feature jsonwebtoken picks its provider itself; installing it
    // explicitly keeps these tests working if feature unification ever adds `rust_crypto`.
    let _ = jwt::crypto::aws_lc::DEFAULT_PROVIDER.install_default();
    Algorithm::ALL
        .into_iter()
        .enumerate()
        .filter_map(|(i, alg)| Some((i, alg, jwt::Algorithm::from_str(alg.as_str()).ok()?)))
        .collect()
}

#[test]
fn jsonwebtoken_has_every_algorithm_but_es512() {
    let missing: Vec<&str> = Algorithm::ALL
        .into_iter()
        .map(Algorithm::as_str)
        .filter(|name| jwt::Algorithm::from_str(name).is_err())
        .collect();
    // If a jsonwebtoken release adds ES512, the interop tests below cover it automatically:
    // update this list.
    assert_eq!(missing, ["ES512"]);
    assert_eq!(shared_algorithms().len(), 12);
}

fn jwt_encoding_key(alg: Algorithm, set: Which) -> jwt::EncodingKey {
    match alg.family() {
        KeyFamily::Hmac => jwt::EncodingKey::from_secret(&secret(alg, set)),
        KeyFamily::Rsa => jwt::EncodingKey::from_rsa_pem(private_pem(alg, set).as_bytes()).unwrap(),
        KeyFamily::Ec(_) => {
            jwt::EncodingKey::from_ec_pem(private_pem(alg, set).as_bytes()).unwrap()
        }
        _ => jwt::EncodingKey::from_ed_pem(private_pem(alg, set).as_bytes()).unwrap(),
    }
}

fn jwt_decoding_key(alg: Algorithm, set: Which) -> jwt::DecodingKey {
    match alg.family() {
        KeyFamily::Hmac => jwt::DecodingKey::from_secret(&secret(alg, set)),
        KeyFamily::Rsa => jwt::DecodingKey::from_rsa_pem(public_pem(alg, set).as_bytes()).unwrap(),
        KeyFamily::Ec(_) => jwt::DecodingKey::from_ec_pem(public_pem(alg, set).as_bytes()).unwrap(),
        _ => jwt::DecodingKey::from_ed_pem(public_pem(alg, set).as_bytes()).unwrap(),
    }
}

/// `Ok` or jsonwebtoken's error kind, as text to compare.
fn jwt_outcome<T>(result: &jwt::errors::Result<T>) -> String {
    match result {
        Ok(_) => "Ok".to_owned(),
        Err(e) => format!("{:?}", e.kind()),
    }
}

/// jsonwebtoken `encode` → jwt-guard `Verifier`, for the 12 shared algorithms: with the PEM key
/// or secret, with the JWK jsonwebtoken exports, and a token signed with the wrong key.
#[test]
fn jsonwebtoken_signs_jwt_guard_verifies() {
    let mut f = Failures::default();
    for (index, alg, jwt_alg) in shared_algorithms() {
        let kid = kid("jsonwebtoken", alg);
        let expected = claims(alg, index, "jsonwebtoken");
        let mut header = jwt::Header::new(jwt_alg);
        header.kid = Some(kid.clone());
        let encoding_key = jwt_encoding_key(alg, Which::Main);
        let token = jwt::encode(&header, &expected, &encoding_key).unwrap();
        let wrong = jwt::encode(&header, &expected, &jwt_encoding_key(alg, Which::Other)).unwrap();

        let by_pem = verifier(alg, verifying_key(alg, Which::Main).with_kid(&kid));
        let case = format!("{alg}: jsonwebtoken token, key from PEM/secret");
        check_jwt_guard_accepts(&mut f, &case, &by_pem, &token, alg, &kid, &expected);

        let case = format!("{alg}: jsonwebtoken token, key from jsonwebtoken's JWK");
        let jwk = jwt::jwk::Jwk::from_encoding_key(&encoding_key, jwt_alg).unwrap();
        let jwk = serde_json::to_value(&jwk).unwrap();
        if let Some(key) = key_from_foreign_jwk(&mut f, &case, &jwk, &kid) {
            let by_jwk = verifier(alg, key);
            check_jwt_guard_accepts(&mut f, &case, &by_jwk, &token, alg, &kid, &expected);
        }

        f.eq(
            format!("{alg}: jsonwebtoken token signed with the wrong key"),
            rejection(&by_pem, &wrong),
            Some(ErrorKind::InvalidSignature),
        );
    }
    f.finish("jsonwebtoken_signs_jwt_guard_verifies", 12 * 7);
}

/// jwt-guard `Signer` → jsonwebtoken `decode`, for the 12 shared algorithms: with the PEM key or
/// secret and with the JWK jwt-guard exports (RSA, EC, OKP); a flipped signature bit and the
/// wrong key must give jsonwebtoken's `InvalidSignature`.
#[test]
fn jwt_guard_signs_jsonwebtoken_verifies() {
    let mut f = Failures::default();
    for (index, alg, jwt_alg) in shared_algorithms() {
        let kid = kid("jwt-guard", alg);
        let expected = claims(alg, index, "jwt-guard");
        let token = Signer::new(signing_key(alg, Which::Main), alg)
            .unwrap()
            .with_kid(&kid)
            .encode(&expected)
            .unwrap();

        let mut validation = jwt::Validation::new(jwt_alg);
        validation.set_audience(&[AUDIENCE]);
        validation.set_issuer(&[ISSUER]);
        validation.set_required_spec_claims(&["exp", "iss", "aud", "sub"]);
        let mut expected_header = jwt::Header::new(jwt_alg);
        expected_header.kid = Some(kid.clone());

        let mut keys = vec![("PEM/secret", jwt_decoding_key(alg, Which::Main))];
        if !is_hmac(alg) {
            for from in ["private", "public"] {
                let jwk = exported_jwk(&mut f, alg, &kid, from);
                let jwk: jwt::jwk::Jwk = serde_json::from_value(jwk).unwrap();
                let name = if from == "private" {
                    "JWK (private PEM)"
                } else {
                    "JWK (public PEM)"
                };
                keys.push((name, jwt::DecodingKey::from_jwk(&jwk).unwrap()));
            }
        }
        for (name, key) in &keys {
            let case = format!("{alg}: jwt-guard token, jsonwebtoken key from {name}");
            match jwt::decode::<Value>(&token, key, &validation) {
                Ok(data) => {
                    f.eq(format!("{case}: header"), &data.header, &expected_header);
                    f.eq(format!("{case}: claims"), &data.claims, &expected);
                }
                Err(e) => f.fail(format!("{case}: jsonwebtoken rejected it: {e:?}")),
            }
        }

        let (_, key) = &keys[0];
        let flipped = jwt::decode::<Value>(&flip_signature_bit(&token), key, &validation);
        f.eq(
            format!("{alg}: flipped signature bit"),
            jwt_outcome(&flipped),
            "InvalidSignature".to_owned(),
        );
        let other = jwt_decoding_key(alg, Which::Other);
        let wrong = jwt::decode::<Value>(&token, &other, &validation);
        f.eq(
            format!("{alg}: wrong key"),
            jwt_outcome(&wrong),
            "InvalidSignature".to_owned(),
        );
    }
    f.finish("jwt_guard_signs_jsonwebtoken_verifies", 12 * 4 + 9 * 2 * 6);
}

/// Issued tokens and PyJWT, both ways (HS256, RS256, ES256, EdDSA): PyJWT's `jwt.decode` with
/// the public key, the audience and the issuer accepts a `TokenIssuer`'s access token (header
/// `typ: at+jwt`); a token PyJWT mints with the same claims verifies here as an access token
/// where no `typ` is required, and with the issuer's own verifier when PyJWT sets `typ: at+jwt`.
#[test]
fn issued_tokens_and_pyjwt_both_ways() {
    use jwt_guard_core::sessions::TokenIssuer;
    let algs = [
        Algorithm::HS256,
        Algorithm::RS256,
        Algorithm::ES256,
        Algorithm::EdDSA,
    ];
    let issuers: Vec<TokenIssuer> = algs
        .iter()
        .map(|&alg| {
            TokenIssuer::builder(signing_key(alg, Which::Main), alg)
                .issuer(ISSUER)
                .audience(AUDIENCE)
                .client_id("web")
                .build()
                .unwrap()
        })
        .collect();
    let mut jobs = Vec::new();
    let mut pairs = Vec::new();
    for (alg, issuer) in algs.iter().zip(&issuers) {
        let pair = issuer.login("ada", &json!({"tenant": "t1"})).unwrap();
        jobs.push(json!({
            "op": "decode", "id": format!("{alg}/access"), "alg": alg.as_str(),
            "key": py_key_pem_or_secret(*alg, Which::Main, false),
            "token": pair.access_token, "audience": AUDIENCE, "issuer": ISSUER,
        }));
        let access = dangerous_claims(&pair.access_token);
        let mut claims = access.clone();
        claims["jti"] = json!(format!("pyjwt-{alg}"));
        for (case, headers) in [("no-typ", json!({})), ("at-jwt", json!({"typ": "at+jwt"}))] {
            jobs.push(json!({
                "op": "encode", "id": format!("{alg}/{case}"), "alg": alg.as_str(),
                "key": py_key_pem_or_secret(*alg, Which::Main, true),
                "claims": claims, "headers": headers,
            }));
        }
        pairs.push((pair, access));
    }
    let Some(py) = run_pyjwt(jobs) else { return };
    let mut f = Failures::default();
    for ((alg, issuer), (_, access)) in algs.iter().zip(&issuers).zip(&pairs) {
        if let Some(result) = pyjwt_ok(&mut f, &py, &format!("{alg}/access")) {
            f.eq(
                format!("{alg}: PyJWT reads the access claims"),
                &result["claims"],
                access,
            );
            f.eq(
                format!("{alg}: header typ"),
                &result["header"]["typ"],
                &json!("at+jwt"),
            );
        }
        let plain = Verifier::builder()
            .algorithms([*alg])
            .key(verifying_key(*alg, Which::Main))
            .issuer(ISSUER)
            .audience(AUDIENCE)
            .build()
            .unwrap();
        if let Some(minted) = pyjwt_ok(&mut f, &py, &format!("{alg}/no-typ")) {
            let token = minted["token"].as_str().unwrap();
            f.eq(
                format!("{alg}: PyJWT token (typ JWT) where no typ is required"),
                rejection(&plain, token),
                None,
            );
            f.eq(
                format!("{alg}: PyJWT token (typ JWT) at the issuer's at+jwt verifier"),
                rejection(issuer.access_verifier(), token),
                Some(ErrorKind::InvalidType),
            );
        }
        if let Some(minted) = pyjwt_ok(&mut f, &py, &format!("{alg}/at-jwt")) {
            f.eq(
                format!("{alg}: PyJWT token with typ at+jwt at the issuer's verifier"),
                rejection(issuer.access_verifier(), minted["token"].as_str().unwrap()),
                None,
            );
        }
    }
    f.finish("issued_tokens_and_pyjwt_both_ways", 4 * 5);
}

fn dangerous_claims(token: &str) -> Value {
    jwt_guard_core::dangerous::decode_unverified::<Value>(token)
        .unwrap()
        .claims
}
