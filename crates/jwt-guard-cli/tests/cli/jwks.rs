//! `jwt-guard jwks`: public keys of PEM files as a JWK Set.

use jwt_guard_core::KeySet;
use serde_json::{Value, json};

use crate::support::{fixture, jwt_guard, temp_dir};

#[test]
fn a_private_pem_gives_the_same_jwks_that_keygen_wrote() {
    let dir = temp_dir();
    let prefix = dir.path().join("ed");
    jwt_guard(["keygen", "--alg", "EdDSA", "--out"])
        .command_arg(&prefix)
        .run()
        .ok();
    let run = jwt_guard(["jwks"])
        .command_arg(dir.path().join("ed.key.pem"))
        .run();
    let written = std::fs::read_to_string(dir.path().join("ed.jwks.json")).unwrap();
    assert_eq!(run.ok(), written);
    assert_eq!(run.stderr, "");
}

#[test]
fn public_pem_fixture_exact_output() {
    let run = jwt_guard(["jwks", "--kid", "fixture-p256"])
        .command_arg(fixture("ec-p256.pub.pem"))
        .run();
    let private: Value = serde_json::from_str(
        &std::fs::read_to_string(fixture("ec-p256.private.jwk.json")).unwrap(),
    )
    .unwrap();
    let expected = format!(
        r#"{{
  "keys": [
    {{
      "alg": "ES256",
      "crv": "P-256",
      "kid": "fixture-p256",
      "kty": "EC",
      "use": "sig",
      "x": "{}",
      "y": "{}"
    }}
  ]
}}
"#,
        private["x"].as_str().unwrap(),
        private["y"].as_str().unwrap()
    );
    assert_eq!(run.ok(), expected);
}

#[test]
fn several_files_with_kids_and_algs() {
    let dir = temp_dir();
    for (name, alg) in [("rsa", "RS256"), ("ec", "ES512")] {
        jwt_guard(["keygen", "--alg", alg, "--out"])
            .command_arg(dir.path().join(name))
            .run()
            .ok();
    }
    let run = jwt_guard([
        "jwks", "--kid", "r1", "--kid", "e1", "--alg", "PS384", "--alg", "ES512",
    ])
    .command_arg(dir.path().join("rsa.key.pem"))
    .command_arg(dir.path().join("ec.key.pem"))
    .run();
    let jwks: Value = serde_json::from_str(run.ok()).unwrap();
    let summary: Vec<Value> = jwks["keys"]
        .as_array()
        .unwrap()
        .iter()
        .map(|k| json!([k["kid"], k["alg"], k["kty"], k.get("d").is_some()]))
        .collect();
    assert_eq!(
        summary,
        vec![
            json!(["r1", "PS384", "RSA", false]),
            json!(["e1", "ES512", "EC", false])
        ]
    );
    let set = KeySet::from_jwks_json(run.ok()).unwrap();
    assert_eq!(set.len(), 2);

    // Without --alg an RSA key serves six algorithms, so its JWK has no `alg`.
    let run = jwt_guard(["jwks"])
        .command_arg(dir.path().join("rsa.key.pem"))
        .run();
    let jwks: Value = serde_json::from_str(run.ok()).unwrap();
    assert!(jwks["keys"][0].get("alg").is_none(), "{jwks}");
}

#[test]
fn problems_exit_2() {
    let dir = temp_dir();
    let pem = fixture("ec-p256.pub.pem");
    let not_pem = dir.path().join("not.pem");
    std::fs::write(&not_pem, "hello").unwrap();
    let missing = dir.path().join("missing.pem");

    let run = jwt_guard(["jwks", "--kid", "a", "--kid", "b"])
        .command_arg(&pem)
        .run();
    assert_eq!(
        run.fails(2),
        "error: give --kid once per PEM file (1 files, 2 --kid)\n"
    );

    let run = jwt_guard(["jwks", "--alg", "ES384"])
        .command_arg(&pem)
        .run();
    assert!(
        run.fails(2).starts_with(&format!(
            "error: {}: invalid key: this key cannot be used with ES384",
            pem.display()
        )),
        "{run:?}"
    );

    let run = jwt_guard(["jwks"])
        .command_arg(&pem)
        .command_arg(&pem)
        .run();
    assert!(
        run.fails(2).contains("is already used by another key"),
        "{run:?}"
    );

    let run = jwt_guard(["jwks"]).command_arg(&missing).run();
    assert!(
        run.fails(2).starts_with(&format!(
            "error: cannot read PEM file {}: ",
            missing.display()
        )),
        "{run:?}"
    );

    let run = jwt_guard(["jwks"]).command_arg(&not_pem).run();
    assert!(
        run.fails(2)
            .starts_with(&format!("error: {}: invalid key: ", not_pem.display())),
        "{run:?}"
    );

    let run = jwt_guard(["jwks"]).run();
    assert!(run.fails(2).contains("<PEM_FILE>..."), "{run:?}");
}
