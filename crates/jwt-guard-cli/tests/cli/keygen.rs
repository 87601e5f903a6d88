//! `jwt-guard keygen`: files, permissions, the summary line, overwriting.

use jwt_guard_core::{Algorithm, Key, KeySet};
use serde_json::{Value, json};

use crate::support::{jwt_guard, temp_dir};

fn keygen(args: &[&str], prefix: &std::path::Path) -> crate::support::Run {
    jwt_guard(["keygen"]).args(args).arg_out(prefix).run()
}

trait ArgOut {
    fn arg_out(self, prefix: &std::path::Path) -> Self;
}

impl ArgOut for crate::support::Cmd {
    fn arg_out(self, prefix: &std::path::Path) -> Self {
        self.args(["--out"]).command_arg(prefix)
    }
}

#[test]
fn asymmetric_keys_write_a_private_pem_a_public_pem_and_a_public_jwks() {
    let dir = temp_dir();
    for (alg, kty) in [
        ("ES256", "EC"),
        ("ES384", "EC"),
        ("ES512", "EC"),
        ("EdDSA", "OKP"),
        ("PS256", "RSA"),
    ] {
        let prefix = dir.path().join(alg);
        let run = keygen(&["--alg", alg, "--kid", "my-key"], &prefix);
        let key_pem = format!("{}.key.pem", prefix.display());
        let pub_pem = format!("{}.pub.pem", prefix.display());
        let jwks_json = format!("{}.jwks.json", prefix.display());
        assert_eq!(
            run.ok(),
            format!(
                "{}\n",
                json!({
                    "alg": alg,
                    "kid": "my-key",
                    "private_key": key_pem,
                    "public_jwks": jwks_json,
                    "public_key": pub_pem,
                })
            )
        );
        assert_eq!(run.stderr, "");

        let pem = std::fs::read_to_string(&key_pem).unwrap();
        assert!(pem.starts_with("-----BEGIN PRIVATE KEY-----\n"), "{pem}");
        let key = Key::from_pem(&pem).unwrap();
        assert!(key.can_sign());

        // The public PEM (SPKI) is the same key: what the core quick start reads.
        let public = std::fs::read_to_string(&pub_pem).unwrap();
        assert!(
            public.starts_with("-----BEGIN PUBLIC KEY-----\n"),
            "{public}"
        );
        assert!(public.ends_with("-----END PUBLIC KEY-----\n"), "{public}");
        let public_key = Key::from_pem(&public).unwrap();
        assert!(!public_key.can_sign());
        let alg: Algorithm = alg.parse().unwrap();
        let signature = key.sign(alg, b"message").unwrap();
        public_key
            .verify_signature(alg, b"message", &signature)
            .unwrap();
        let alg = alg.as_str();

        let text = std::fs::read_to_string(&jwks_json).unwrap();
        assert!(text.ends_with("}\n"));
        let jwks: Value = serde_json::from_str(&text).unwrap();
        let keys = jwks["keys"].as_array().unwrap();
        assert_eq!(keys.len(), 1);
        let jwk = &keys[0];
        assert_eq!(
            (&jwk["kid"], &jwk["alg"], &jwk["use"], &jwk["kty"]),
            (&json!("my-key"), &json!(alg), &json!("sig"), &json!(kty))
        );
        for private in ["d", "p", "q", "dp", "dq", "qi", "k"] {
            assert!(jwk.get(private).is_none(), "{private} in public JWK {jwk}");
        }
        let set = KeySet::from_jwks_json(&text).unwrap();
        assert_eq!(
            set.keys()[0].algorithms().iter().collect::<Vec<_>>(),
            vec![alg.parse::<Algorithm>().unwrap()]
        );
        #[cfg(unix)]
        {
            assert_eq!(crate::support::mode(key_pem.as_ref()), 0o600);
            assert_eq!(crate::support::mode(pub_pem.as_ref()), 0o644);
            assert_eq!(crate::support::mode(jwks_json.as_ref()) & 0o600, 0o600);
            assert_eq!(
                crate::support::mode(jwks_json.as_ref()) & 0o022,
                0,
                "not writable by others"
            );
        }
    }
}

#[test]
fn hmac_keys_write_a_raw_secret_and_a_secret_jwks_both_private() {
    let dir = temp_dir();
    for (alg, len) in [("HS256", 32), ("HS384", 48), ("HS512", 64)] {
        let prefix = dir.path().join(alg);
        let run = keygen(&["--alg", alg], &prefix);
        let summary: Value = serde_json::from_str(run.ok()).unwrap();
        let secret_path = format!("{}.secret", prefix.display());
        let jwks_path = format!("{}.secret.jwks.json", prefix.display());
        let kid = summary["kid"].as_str().unwrap().to_owned();
        assert_eq!(kid.len(), 22, "16 random bytes in base64url: {kid}");
        assert_eq!(
            summary,
            json!({"alg": alg, "kid": kid, "secret": secret_path, "secret_jwks": jwks_path})
        );
        let secret = std::fs::read(&secret_path).unwrap();
        assert_eq!(secret.len(), len);
        let jwks: Value =
            serde_json::from_str(&std::fs::read_to_string(&jwks_path).unwrap()).unwrap();
        let jwk = &jwks["keys"][0];
        assert_eq!(
            (&jwk["kty"], &jwk["alg"], &jwk["use"], &jwk["kid"]),
            (&json!("oct"), &json!(alg), &json!("sig"), &json!(kid))
        );
        assert!(jwk["k"].is_string());
        for absent in ["jwks.json", "key.pem", "pub.pem"] {
            let path = format!("{}.{absent}", prefix.display());
            assert!(!std::path::Path::new(&path).exists(), "{path}");
        }
        #[cfg(unix)]
        {
            assert_eq!(crate::support::mode(secret_path.as_ref()), 0o600);
            assert_eq!(crate::support::mode(jwks_path.as_ref()), 0o600);
        }
    }
}

#[test]
fn the_default_kid_is_the_rfc7638_thumbprint() {
    let dir = temp_dir();
    let prefix = dir.path().join("ec");
    let summary: Value = serde_json::from_str(keygen(&["--alg", "ES256"], &prefix).ok()).unwrap();
    let kid = summary["kid"].as_str().unwrap();
    assert_eq!(kid.len(), 43, "SHA-256 in base64url: {kid}");
    // `jwks` computes the thumbprint of the same key independently of `keygen`.
    let run = jwt_guard(["jwks"])
        .command_arg(dir.path().join("ec.key.pem"))
        .run();
    let jwks: Value = serde_json::from_str(run.ok()).unwrap();
    assert_eq!(jwks["keys"][0]["kid"], kid);
}

#[test]
fn existing_files_are_kept_unless_force() {
    let dir = temp_dir();
    let prefix = dir.path().join("k");
    keygen(&["--alg", "ES256"], &prefix).ok();
    let pem_path = dir.path().join("k.key.pem");
    let before = std::fs::read(&pem_path).unwrap();

    let run = keygen(&["--alg", "ES256"], &prefix);
    assert_eq!(
        run.fails(2),
        format!(
            "error: {} already exists (use --force to overwrite it)\n",
            pem_path.display()
        )
    );
    assert_eq!(std::fs::read(&pem_path).unwrap(), before);
    // The public PEM alone is kept too.
    let other = dir.path().join("other");
    std::fs::write(dir.path().join("other.pub.pem"), "keep me").unwrap();
    let run = keygen(&["--alg", "ES256"], &other);
    assert_eq!(
        run.fails(2),
        format!(
            "error: {} already exists (use --force to overwrite it)\n",
            dir.path().join("other.pub.pem").display()
        )
    );
    assert!(!dir.path().join("other.key.pem").exists());

    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        // Even a file that was made world-readable comes back as 0600.
        std::fs::set_permissions(&pem_path, std::fs::Permissions::from_mode(0o644)).unwrap();
    }
    keygen(&["--alg", "ES256", "--force"], &prefix).ok();
    assert_ne!(std::fs::read(&pem_path).unwrap(), before);
    #[cfg(unix)]
    assert_eq!(crate::support::mode(&pem_path), 0o600);
}

#[test]
fn rsa_bits_and_errors() {
    let dir = temp_dir();
    let prefix = dir.path().join("rsa");
    keygen(&["--alg", "RS256", "--bits", "3072"], &prefix).ok();
    let key = Key::from_pem(std::fs::read(dir.path().join("rsa.key.pem")).unwrap()).unwrap();
    assert_eq!(key.rsa_bits(), Some(3072));

    let run = keygen(
        &["--alg", "RS256", "--bits", "1024"],
        &dir.path().join("weak"),
    );
    assert_eq!(
        run.fails(2),
        "error: cannot generate the key: invalid configuration at `rsa_bits`: 1024 is not one of 2048, 3072, 4096, 8192\n"
    );

    let missing_dir = dir.path().join("no/such/dir/k");
    let run = keygen(&["--alg", "ES256"], &missing_dir);
    let stderr = run.fails(2);
    assert!(
        stderr.starts_with(&format!(
            "error: cannot write {}.key.pem: ",
            missing_dir.display()
        )),
        "{stderr}"
    );

    let run = jwt_guard(["keygen", "--alg", "ES256"]).run();
    assert!(run.fails(2).contains("--out <PREFIX>"), "{run:?}");
}
