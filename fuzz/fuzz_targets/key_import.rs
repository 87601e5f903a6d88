//! PEM, DER and certificate key import (`Key::from_pem`, `Key::from_der`, the allow-weak PEM
//! reader, `Key::hmac_base64`). Properties: a key that loads exports a public JWK that loads
//! again as the same family with the same algorithms, and a key that can sign makes signatures
//! its exported public key verifies (for asymmetric keys); `Debug` never shows an HMAC secret.
//!
//! Input: `selector bytes`.
#![no_main]

use jwt_guard_core::{Algorithm, Key, KeyFamily, dangerous};
use libfuzzer_sys::fuzz_target;

fn check(key: &Key, weak: bool) {
    let Ok(public) = key.to_public_jwk() else {
        return;
    };
    let again = if weak {
        let set = serde_json::json!({ "keys": [public] }).to_string();
        let set = dangerous::key_set_from_jwks_json_allow_weak(&set).unwrap();
        set.keys()
            .first()
            .expect("an exported weak public JWK loads again")
            .clone()
    } else {
        Key::from_jwk(&public).expect("an exported public JWK loads again")
    };
    assert_eq!(again.family(), key.family());
    assert_eq!(again.algorithms(), key.algorithms());
    // One signature per EC or Ed25519 signing key (RSA private keys are checked for consistency
    // at load by aws-lc-rs; signing each would cost the target most of its speed).
    if key.can_sign()
        && matches!(key.family(), KeyFamily::Ec(_) | KeyFamily::Ed25519)
        && let Some(alg) = key.algorithms().iter().next()
    {
        let signature = key.sign(alg, b"fuzz").expect("a signing key signs");
        again
            .verify_signature(alg, b"fuzz", &signature)
            .expect("the exported public key verifies the key's signature");
        assert!(again.verify_signature(alg, b"fuzz!", &signature).is_err());
    }
}

fuzz_target!(|data: &[u8]| {
    let [selector, rest @ ..] = data else {
        return;
    };
    match selector % 4 {
        0 => {
            if let Ok(key) = Key::from_pem(rest) {
                check(&key, false);
            }
        }
        1 => {
            if let Ok(key) = Key::from_der(rest) {
                check(&key, false);
            }
        }
        2 => {
            if let Ok(key) = dangerous::key_from_pem_allow_weak(rest) {
                check(&key, true);
            }
        }
        _ => {
            let Ok(text) = std::str::from_utf8(rest) else {
                return;
            };
            if let Ok(key) = Key::hmac_base64(text) {
                let shown = format!("{key:?}");
                assert!(
                    text.len() < 8 || !shown.contains(text),
                    "Debug shows the secret"
                );
                assert_eq!(key.family(), KeyFamily::Hmac);
                assert!(key.allows(Algorithm::HS256));
            }
        }
    }
});
