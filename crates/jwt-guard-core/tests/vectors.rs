//! Public test vectors run through the signature layer and the verifier.
//!
//! * **Wycheproof** (C2SP `testvectors_v1`, `fixtures/wycheproof/`): every test of every file
//!   through [`Key::verify_signature`]. A `valid` test must verify; an `invalid` one must fail
//!   with exactly [`ErrorKind::InvalidSignature`]; an `acceptable` one may go either way (it is
//!   counted, and a rejection must still be `InvalidSignature`). Groups that cannot be a JWS case
//!   are skipped with the reason next to the check, and counted. The executed counts per file are
//!   pinned, so a filter that silently drops tests makes the test fail.
//! * **RFC 7520** (JOSE cookbook, `fixtures/jose-cookbook/`) §4 and **RFC 8037** A.4/A.5: each
//!   compact example through [`Verifier::verify_jws`] (the JWS layer: exact payload bytes) and
//!   [`Verifier::verify`] (the JWT layer: their plain-text payload is not a claims object), plus
//!   tampered copies; the **RFC 7797** `b64: false` example must be refused.
//! * **RFC 7515** Appendix A.1–A.3 (`fixtures/rfc7515/`): the three example JWTs through a
//!   [`Verifier`] whose clock is pinned before their `exp`, and again with the system clock.
//!
//! Fixtures are copies, each folder with its LICENSE and SOURCE; they are read through
//! `CARGO_MANIFEST_DIR`, so the tests run from any working directory.

use std::path::PathBuf;

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use jwt_guard_core::{
    Algorithm, Error, ErrorKind, Key, ManualClock, RegisteredClaims, Verifier, dangerous,
};
use serde_json::{Value, json};

// ---------------------------------------------------------------------------------------------
// Fixture helpers
// ---------------------------------------------------------------------------------------------

fn fixture_path(rel: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(rel)
}

fn read_text(rel: &str) -> String {
    let path = fixture_path(rel);
    std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("cannot read fixture {}: {e}", path.display()))
}

fn read_json(rel: &str) -> Value {
    serde_json::from_str(&read_text(rel)).unwrap_or_else(|e| panic!("{rel}: not JSON: {e}"))
}

fn str_at<'v>(value: &'v Value, pointer: &str, what: &str) -> &'v str {
    value
        .pointer(pointer)
        .and_then(Value::as_str)
        .unwrap_or_else(|| panic!("{what}: no string at {pointer}"))
}

/// Lower- or upper-case hex, even length; panics (naming `what`) on anything else.
fn hex(s: &str, what: &str) -> Vec<u8> {
    fn nibble(c: u8) -> Option<u8> {
        match c {
            b'0'..=b'9' => Some(c - b'0'),
            b'a'..=b'f' => Some(c - b'a' + 10),
            b'A'..=b'F' => Some(c - b'A' + 10),
            _ => None,
        }
    }
    assert!(s.len().is_multiple_of(2), "{what}: odd-length hex");
    s.as_bytes()
        .chunks(2)
        .map(|pair| {
            nibble(pair[0])
                .zip(nibble(pair[1]))
                .map(|(hi, lo)| (hi << 4) | lo)
                .unwrap_or_else(|| panic!("{what}: not hex"))
        })
        .collect()
}

fn b64url(bytes: &[u8]) -> String {
    URL_SAFE_NO_PAD.encode(bytes)
}

fn unb64url(s: &str, what: &str) -> Vec<u8> {
    URL_SAFE_NO_PAD
        .decode(s)
        .unwrap_or_else(|e| panic!("{what}: not base64url: {e}"))
}

/// The JWK with its private members removed (an `oct` key keeps `k`: it has no public part).
fn public_jwk(jwk: &Value) -> Value {
    let mut public = jwk.clone();
    if let Some(members) = public.as_object_mut() {
        for private in ["d", "p", "q", "dp", "dq", "qi", "oth"] {
            members.remove(private);
        }
    }
    public
}

fn key_from_jwk(jwk: &Value, what: &str) -> Key {
    Key::from_jwk_json(&jwk.to_string()).unwrap_or_else(|e| panic!("{what}: JWK refused: {e}"))
}

/// Asserts that `result` failed with exactly `expected`.
#[track_caller]
fn assert_kind<T: std::fmt::Debug>(result: Result<T, Error>, expected: &ErrorKind, case: &str) {
    match result {
        Ok(value) => panic!("{case}: expected {expected:?}, but it was accepted: {value:?}"),
        Err(e) => assert_eq!(e.kind(), expected, "{case}: wrong error kind ({e})"),
    }
}

#[track_caller]
fn assert_malformed<T: std::fmt::Debug>(result: Result<T, Error>, case: &str) {
    match result {
        Ok(value) => panic!("{case}: expected Malformed, but it was accepted: {value:?}"),
        Err(e) => assert!(
            matches!(e.kind(), ErrorKind::Malformed(_)),
            "{case}: expected Malformed, got {:?}",
            e.kind()
        ),
    }
}

// ---------------------------------------------------------------------------------------------
// Wycheproof
// ---------------------------------------------------------------------------------------------

/// What one Wycheproof file did.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
struct Counts {
    /// `valid` tests run (each verified).
    valid: usize,
    /// `invalid` tests run (each rejected with `InvalidSignature`).
    invalid: usize,
    /// `acceptable` tests run.
    acceptable: usize,
    /// Of those, how many our code accepted (the others it rejected with `InvalidSignature`).
    acceptable_accepted: usize,
    /// Tests in groups skipped as not representable as a JWS case.
    skipped: usize,
}

/// The key(s) a group's tests are verified with.
enum GroupKeys {
    /// One key for every test of the group, in one or more encodings (all must agree).
    Fixed(Vec<(&'static str, Key)>),
    /// A key per test (MAC tests carry their own key).
    PerTest(fn(&Value, Algorithm, &str) -> Vec<(&'static str, Key)>),
    /// Not representable as a JWS case; the reason is reported.
    Skip(&'static str),
}

/// Runs every test of `wycheproof/<file>` with `alg`; `signature_field` is `sig` or `tag`.
/// Collects every failure (each naming file, tcId, comment and flags) and fails once at the end.
fn run_wycheproof(
    file: &str,
    alg: Algorithm,
    signature_field: &str,
    group_keys: impl Fn(&Value, &str) -> GroupKeys,
) -> Counts {
    let doc = read_json(&format!("wycheproof/{file}"));
    let groups = doc["testGroups"]
        .as_array()
        .unwrap_or_else(|| panic!("{file}: no testGroups"));
    let declared = doc["numberOfTests"]
        .as_u64()
        .unwrap_or_else(|| panic!("{file}: no numberOfTests"));
    let bug_type = |flag: &str| {
        doc.pointer(&format!("/notes/{flag}/bugType"))
            .and_then(Value::as_str)
            .unwrap_or("?")
            .to_owned()
    };

    let mut counts = Counts::default();
    let mut failures: Vec<String> = Vec::new();
    let mut skip_reasons: Vec<String> = Vec::new();
    let mut seen = 0usize;

    for (index, group) in groups.iter().enumerate() {
        let tests = group["tests"]
            .as_array()
            .unwrap_or_else(|| panic!("{file}: group {index} has no tests"));
        seen += tests.len();
        let where_ = format!("{file} group {index}");
        let group_keys = group_keys(group, &where_);
        match &group_keys {
            GroupKeys::Skip(reason) => {
                counts.skipped += tests.len();
                skip_reasons.push(format!("{where_} ({} tests): {reason}", tests.len()));
                continue;
            }
            GroupKeys::Fixed(keys) => assert!(!keys.is_empty(), "{where_}: no key"),
            GroupKeys::PerTest(_) => {}
        }
        for test in tests {
            let tc_id = test["tcId"].as_u64().unwrap_or_default();
            let flags: Vec<String> = test["flags"]
                .as_array()
                .map(|f| {
                    f.iter()
                        .filter_map(Value::as_str)
                        .map(|flag| format!("{flag} [{}]", bug_type(flag)))
                        .collect()
                })
                .unwrap_or_default();
            let case = format!(
                "{file} tcId {tc_id} ({:?}; flags {})",
                test["comment"].as_str().unwrap_or(""),
                flags.join(", ")
            );
            let expected = str_at(test, "/result", &case);
            let msg_hex = str_at(test, "/msg", &case);
            let sig_hex = str_at(test, &format!("/{signature_field}"), &case);
            let (msg, sig) = (hex(msg_hex, &case), hex(sig_hex, &case));
            let per_test;
            let keys = match &group_keys {
                GroupKeys::Fixed(keys) => keys,
                GroupKeys::PerTest(make) => {
                    per_test = make(test, alg, &case);
                    &per_test
                }
                GroupKeys::Skip(_) => unreachable!("skipped above"),
            };

            let mut verdicts = Vec::with_capacity(keys.len());
            for (label, key) in keys {
                let result = key.verify_signature(alg, &msg, &sig);
                let problem = match (expected, &result) {
                    ("valid" | "acceptable", Ok(())) => None,
                    ("invalid" | "acceptable", Err(e))
                        if e.kind() == &ErrorKind::InvalidSignature =>
                    {
                        None
                    }
                    ("valid", Err(e)) => Some(format!(
                        "{case}: valid signature rejected (key from {label}): {:?}",
                        e.kind()
                    )),
                    ("invalid", Ok(())) => Some(format!(
                        "SECURITY FINDING: {case}: invalid signature ACCEPTED by {alg} \
                         (key from {label}); msg {msg_hex} sig {sig_hex}"
                    )),
                    ("invalid" | "acceptable", Err(e)) => Some(format!(
                        "{case}: {expected} test rejected with {:?}, not InvalidSignature \
                         (key from {label})",
                        e.kind()
                    )),
                    (other, _) => Some(format!("{case}: unknown result {other:?}")),
                };
                failures.extend(problem);
                verdicts.push(result.is_ok());
            }
            if verdicts.iter().any(|v| *v != verdicts[0]) {
                let labels: Vec<_> = keys.iter().map(|(label, _)| *label).collect();
                failures.push(format!(
                    "{case}: key encodings disagree: {labels:?} gave {verdicts:?}"
                ));
            }
            match expected {
                "valid" => counts.valid += 1,
                "invalid" => counts.invalid += 1,
                "acceptable" => {
                    counts.acceptable += 1;
                    counts.acceptable_accepted += usize::from(verdicts[0]);
                }
                _ => {}
            }
        }
    }

    eprintln!("{file}: {counts:?}");
    for reason in &skip_reasons {
        eprintln!("  skipped {reason}");
    }
    assert!(
        failures.is_empty(),
        "{file}: {} failing test(s):\n{}",
        failures.len(),
        failures.join("\n")
    );
    assert_eq!(
        seen as u64, declared,
        "{file}: numberOfTests disagrees with the tests present"
    );
    assert_eq!(
        (counts.valid + counts.invalid + counts.acceptable + counts.skipped) as u64,
        declared,
        "{file}: every test must be run or explicitly skipped"
    );
    assert!(counts.valid > 0, "{file}: no valid test ran");
    assert!(counts.invalid > 0, "{file}: no invalid test ran");
    counts
}

/// The group's key from `publicKeyDer` (via [`Key::from_der`]) and, when the group has one,
/// from its JWK member (via [`Key::from_jwk_json`]); every test is verified with each and the
/// verdicts must agree.
fn der_and_jwk(group: &Value, jwk_member: &str, where_: &str) -> Vec<(&'static str, Key)> {
    let der = hex(str_at(group, "/publicKeyDer", where_), where_);
    let from_der =
        Key::from_der(&der).unwrap_or_else(|e| panic!("{where_}: publicKeyDer refused: {e}"));
    let mut keys = vec![("publicKeyDer", from_der)];
    // The newest arithmetic edge-case groups carry no JWK.
    if let Some(jwk) = group.get(jwk_member) {
        keys.push(("JWK", key_from_jwk(jwk, &format!("{where_} {jwk_member}"))));
    }
    keys
}

/// `wx`/`wy` are minimal big-endian hex (a leading `00` when the top bit is set); a JWK wants
/// exactly the coordinate length.
fn coordinate(hex_value: &str, len: usize, where_: &str) -> String {
    let bytes = hex(hex_value, where_);
    let start = bytes.iter().position(|b| *b != 0).unwrap_or(bytes.len());
    let digits = &bytes[start..];
    assert!(digits.len() <= len, "{where_}: coordinate too long");
    let mut padded = vec![0u8; len - digits.len()];
    padded.extend_from_slice(digits);
    b64url(&padded)
}

fn ecdsa_groups(curve: &'static str, sha: &'static str) -> impl Fn(&Value, &str) -> GroupKeys {
    move |group, where_| {
        // ESxxx fixes both the curve and the hash; another pairing is not a JWS algorithm.
        if str_at(group, "/publicKey/curve", where_) != curve
            || str_at(group, "/sha", where_) != sha
        {
            return GroupKeys::Skip("curve/hash pairing is not a JWS ES* algorithm");
        }
        let (crv, len) = match curve {
            "secp256r1" => ("P-256", 32),
            "secp384r1" => ("P-384", 48),
            _ => ("P-521", 66),
        };
        let mut keys = der_and_jwk(group, "publicKeyJwk", where_);
        // The raw affine coordinates `publicKey.wx`/`wy`, as a JWK of our own.
        let raw = json!({
            "kty": "EC",
            "crv": crv,
            "x": coordinate(str_at(group, "/publicKey/wx", where_), len, where_),
            "y": coordinate(str_at(group, "/publicKey/wy", where_), len, where_),
        });
        keys.push(("publicKey.wx/wy", key_from_jwk(&raw, where_)));
        GroupKeys::Fixed(keys)
    }
}

fn rsa_pkcs1_groups(sha: &'static str) -> impl Fn(&Value, &str) -> GroupKeys {
    move |group, where_| {
        if str_at(group, "/sha", where_) != sha {
            return GroupKeys::Skip("hash is not the one this RS* algorithm uses");
        }
        // Under 2048 bits the library refuses the key (RFC 7518 §3.3 requires 2048).
        if group["keySize"].as_u64().unwrap_or_default() < 2048 {
            return GroupKeys::Skip("RSA key under 2048 bits (refused, RFC 7518 section 3.3)");
        }
        GroupKeys::Fixed(der_and_jwk(group, "keyJwk", where_))
    }
}

fn rsa_pss_groups(sha: &'static str, salt: u64) -> impl Fn(&Value, &str) -> GroupKeys {
    move |group, where_| {
        // PSxxx fixes hash = MGF1 hash and salt length = hash length (RFC 7518 §3.5).
        if str_at(group, "/sha", where_) != sha
            || str_at(group, "/mgf", where_) != "MGF1"
            || str_at(group, "/mgfSha", where_) != sha
            || group["sLen"].as_u64() != Some(salt)
        {
            return GroupKeys::Skip("PSS parameters differ from the JWS PS* algorithm");
        }
        if group["keySize"].as_u64().unwrap_or_default() < 2048 {
            return GroupKeys::Skip("RSA key under 2048 bits (refused, RFC 7518 section 3.3)");
        }
        GroupKeys::Fixed(der_and_jwk(group, "publicKeyJwk", where_))
    }
}

fn ed25519_groups(group: &Value, where_: &str) -> GroupKeys {
    let mut keys = der_and_jwk(group, "publicKeyJwk", where_);
    // The raw 32-byte `publicKey.pk`, as an RFC 8037 OKP JWK (the crate's only raw-key door).
    let pk = hex(str_at(group, "/publicKey/pk", where_), where_);
    let raw = json!({"kty": "OKP", "crv": "Ed25519", "x": b64url(&pk)});
    keys.push(("publicKey.pk", key_from_jwk(&raw, where_)));
    GroupKeys::Fixed(keys)
}

/// The MAC test's own key: [`Key::hmac`] when it meets RFC 7518 §3.2's minimum for `alg`,
/// otherwise [`dangerous::hmac_key_unchecked`] (after checking that `Key::hmac` refuses it).
fn hmac_test_key(test: &Value, alg: Algorithm, case: &str) -> Vec<(&'static str, Key)> {
    let secret = hex(str_at(test, "/key", case), case);
    let min = alg.hmac_min_key_len().unwrap_or(usize::MAX);
    if secret.len() >= min {
        let key = Key::hmac(&secret).unwrap_or_else(|e| panic!("{case}: Key::hmac: {e}"));
        assert!(
            key.allows(alg),
            "{case}: a {}-byte secret must allow {alg}",
            secret.len()
        );
        vec![("Key::hmac", key)]
    } else {
        let checked = Key::hmac(&secret);
        assert!(
            checked.as_ref().map_or_else(
                |e| matches!(e.kind(), ErrorKind::WeakKey(_)),
                |k| !k.allows(alg)
            ),
            "{case}: Key::hmac must not allow {alg} with a {}-byte secret",
            secret.len()
        );
        let key = dangerous::hmac_key_unchecked(&secret)
            .unwrap_or_else(|e| panic!("{case}: hmac_key_unchecked: {e}"));
        vec![("dangerous::hmac_key_unchecked", key)]
    }
}

fn hmac_groups(tag_bits: u64) -> impl Fn(&Value, &str) -> GroupKeys {
    move |group, _| {
        if group["tagSize"].as_u64() != Some(tag_bits) {
            // A JWS HS* signature is the whole HMAC output (RFC 7518 §3.2): a truncated tag is
            // not a JWS case. (`hmac_truncated_tags_are_never_accepted` runs these as negatives.)
            return GroupKeys::Skip("truncated tag; JWS HS* uses the full HMAC output");
        }
        GroupKeys::PerTest(hmac_test_key)
    }
}

/// Pinned per-file results: what ran, so that a change in filtering or fixtures is visible.
const fn counts(valid: usize, invalid: usize, acceptable: usize, skipped: usize) -> Counts {
    Counts {
        valid,
        invalid,
        acceptable,
        acceptable_accepted: 0,
        skipped,
    }
}

#[track_caller]
fn assert_counts(actual: Counts, expected: Counts, file: &str) {
    let ran = Counts {
        acceptable_accepted: 0,
        ..actual
    };
    assert_eq!(ran, expected, "{file}: executed counts changed");
}

#[test]
fn wycheproof_ecdsa_p256_sha256_p1363_es256() {
    let file = "ecdsa_secp256r1_sha256_p1363_test.json";
    let c = run_wycheproof(
        file,
        Algorithm::ES256,
        "sig",
        ecdsa_groups("secp256r1", "SHA-256"),
    );
    assert_counts(c, counts(173, 89, 0, 0), file);
}

#[test]
fn wycheproof_ecdsa_p384_sha384_p1363_es384() {
    let file = "ecdsa_secp384r1_sha384_p1363_test.json";
    let c = run_wycheproof(
        file,
        Algorithm::ES384,
        "sig",
        ecdsa_groups("secp384r1", "SHA-384"),
    );
    assert_counts(c, counts(193, 87, 0, 0), file);
}

#[test]
fn wycheproof_ecdsa_p521_sha512_p1363_es512() {
    let file = "ecdsa_secp521r1_sha512_p1363_test.json";
    let c = run_wycheproof(
        file,
        Algorithm::ES512,
        "sig",
        ecdsa_groups("secp521r1", "SHA-512"),
    );
    assert_counts(c, counts(231, 87, 0, 0), file);
}

#[test]
fn wycheproof_rsa_pkcs1_2048_sha256_rs256() {
    let file = "rsa_signature_2048_sha256_test.json";
    let c = run_wycheproof(file, Algorithm::RS256, "sig", rsa_pkcs1_groups("SHA-256"));
    assert_counts(c, counts(9, 249, 1, 0), file);
}

#[test]
fn wycheproof_rsa_pkcs1_2048_sha384_rs384() {
    let file = "rsa_signature_2048_sha384_test.json";
    let c = run_wycheproof(file, Algorithm::RS384, "sig", rsa_pkcs1_groups("SHA-384"));
    assert_counts(c, counts(7, 250, 1, 0), file);
}

#[test]
fn wycheproof_rsa_pkcs1_2048_sha512_rs512() {
    let file = "rsa_signature_2048_sha512_test.json";
    let c = run_wycheproof(file, Algorithm::RS512, "sig", rsa_pkcs1_groups("SHA-512"));
    assert_counts(c, counts(8, 250, 1, 0), file);
}

#[test]
fn wycheproof_rsa_pss_2048_sha256_salt32_ps256() {
    let file = "rsa_pss_2048_sha256_mgf1_32_test.json";
    let c = run_wycheproof(file, Algorithm::PS256, "sig", rsa_pss_groups("SHA-256", 32));
    assert_counts(c, counts(63, 45, 0, 0), file);
}

#[test]
fn wycheproof_rsa_pss_2048_sha384_salt48_ps384() {
    let file = "rsa_pss_2048_sha384_mgf1_48_test.json";
    let c = run_wycheproof(file, Algorithm::PS384, "sig", rsa_pss_groups("SHA-384", 48));
    assert_counts(c, counts(95, 46, 0, 0), file);
}

#[test]
fn wycheproof_rsa_pss_4096_sha512_salt64_ps512() {
    let file = "rsa_pss_4096_sha512_mgf1_64_test.json";
    let c = run_wycheproof(file, Algorithm::PS512, "sig", rsa_pss_groups("SHA-512", 64));
    assert_counts(c, counts(132, 47, 0, 0), file);
}

#[test]
fn wycheproof_ed25519_eddsa() {
    let file = "ed25519_test.json";
    let c = run_wycheproof(file, Algorithm::EdDSA, "sig", ed25519_groups);
    assert_counts(c, counts(88, 63, 0, 0), file);
}

#[test]
fn wycheproof_hmac_sha256_hs256() {
    let file = "hmac_sha256_test.json";
    let c = run_wycheproof(file, Algorithm::HS256, "tag", hmac_groups(256));
    assert_counts(c, counts(33, 54, 0, 87), file);
}

#[test]
fn wycheproof_hmac_sha384_hs384() {
    let file = "hmac_sha384_test.json";
    let c = run_wycheproof(file, Algorithm::HS384, "tag", hmac_groups(384));
    assert_counts(c, counts(33, 54, 0, 87), file);
}

#[test]
fn wycheproof_hmac_sha512_hs512() {
    let file = "hmac_sha512_test.json";
    let c = run_wycheproof(file, Algorithm::HS512, "tag", hmac_groups(512));
    assert_counts(c, counts(33, 54, 0, 87), file);
}

/// The truncated-tag groups skipped above, as negatives: whatever Wycheproof says about a
/// truncated MAC, a JWS HS* verifier must never accept one.
#[test]
fn hmac_truncated_tags_are_never_accepted() {
    for (file, alg, full_bits) in [
        ("hmac_sha256_test.json", Algorithm::HS256, 256),
        ("hmac_sha384_test.json", Algorithm::HS384, 384),
        ("hmac_sha512_test.json", Algorithm::HS512, 512),
    ] {
        let doc = read_json(&format!("wycheproof/{file}"));
        let mut rejected = 0usize;
        for group in doc["testGroups"].as_array().into_iter().flatten() {
            let tag_bits = group["tagSize"].as_u64().unwrap_or(full_bits);
            if tag_bits == full_bits {
                continue;
            }
            for test in group["tests"].as_array().into_iter().flatten() {
                let case = format!(
                    "{file} tcId {} (tag truncated to {tag_bits} bits, Wycheproof says {})",
                    test["tcId"], test["result"]
                );
                let msg = hex(str_at(test, "/msg", &case), &case);
                let tag = hex(str_at(test, "/tag", &case), &case);
                for (label, key) in hmac_test_key(test, alg, &case) {
                    assert_kind(
                        key.verify_signature(alg, &msg, &tag),
                        &ErrorKind::InvalidSignature,
                        &format!("{case} (key from {label})"),
                    );
                }
                rejected += 1;
            }
        }
        assert_eq!(rejected, 87, "{file}: truncated-tag tests run");
    }
}

// ---------------------------------------------------------------------------------------------
// RFC 7520 (JOSE cookbook) §4, RFC 8037 A.4/A.5, RFC 7797
// ---------------------------------------------------------------------------------------------

/// Flips one bit in the middle of the decoded signature (the result stays strict base64url).
fn tamper_signature(compact: &str) -> String {
    let (signing_input, signature) = compact.rsplit_once('.').expect("three parts");
    let mut sig = unb64url(signature, "signature");
    let middle = sig.len() / 2;
    sig[middle] ^= 0x01;
    format!("{signing_input}.{}", b64url(&sig))
}

/// Flips one bit of the decoded payload.
fn tamper_payload(compact: &str) -> String {
    let mut parts = compact.splitn(3, '.');
    let (header, payload, signature) = (
        parts.next().expect("header"),
        parts.next().expect("payload"),
        parts.next().expect("signature"),
    );
    let mut bytes = unb64url(payload, "payload");
    bytes[0] ^= 0x01;
    format!("{header}.{}.{signature}", b64url(&bytes))
}

/// One compact JWS whose payload is plain text: it must verify at the JWS layer with exactly
/// `payload`, be refused at the JWT layer, and be refused once tampered with.
fn check_plain_text_jws(
    name: &str,
    alg: Algorithm,
    key: Key,
    compact: &str,
    payload: &[u8],
    kid: Option<&str>,
) {
    let verifier = Verifier::builder()
        .algorithms([alg])
        .key(key)
        .build()
        .unwrap_or_else(|e| panic!("{name}: verifier: {e}"));

    let (header, verified) = verifier
        .verify_jws(compact)
        .unwrap_or_else(|e| panic!("{name}: verify_jws refused the example: {e}"));
    assert_eq!(verified, payload, "{name}: payload bytes");
    assert_eq!(header.alg, alg, "{name}: header alg");
    assert_eq!(header.kid.as_deref(), kid, "{name}: header kid");

    assert_malformed(
        verifier.verify::<Value>(compact),
        &format!("{name}: JWT layer (payload is not a JSON object)"),
    );
    assert_kind(
        verifier.verify_jws(&tamper_signature(compact)),
        &ErrorKind::InvalidSignature,
        &format!("{name}: tampered signature"),
    );
    assert_kind(
        verifier.verify_jws(&tamper_payload(compact)),
        &ErrorKind::InvalidSignature,
        &format!("{name}: tampered payload"),
    );
}

/// The RFC 7520 §4 examples with a compact serialization, and the cookbook key file each uses.
const COMPACT_EXAMPLES: [(&str, &str); 5] = [
    ("4_1.rsa_v15_signature.json", "3_3.rsa_public_key.json"),
    ("4_2.rsa-pss_signature.json", "3_3.rsa_public_key.json"),
    ("4_3.ecdsa_signature.json", "3_1.ec_public_key.json"),
    (
        "4_4.hmac-sha2_integrity_protection.json",
        "3_5.symmetric_key_mac_computation.json",
    ),
    (
        "4_5.signature_with_detached_content.json",
        "3_5.symmetric_key_mac_computation.json",
    ),
];

#[test]
fn rfc7520_compact_examples() {
    let mut checked = 0;
    for (example, key_file) in COMPACT_EXAMPLES {
        let name = format!("RFC 7520 {example}");
        let doc = read_json(&format!("jose-cookbook/jws/{example}"));
        let jwk = read_json(&format!("jose-cookbook/jwk/{key_file}"));
        // The key file is the public form of the key the example was made with.
        assert_eq!(
            public_jwk(&doc["input"]["key"]),
            jwk,
            "{name}: key file {key_file} is not the example's key"
        );
        let alg_name = str_at(&doc, "/input/alg", &name);
        let alg = Algorithm::from_name(alg_name)
            .unwrap_or_else(|| panic!("{name}: unknown alg {alg_name}"));
        let payload = str_at(&doc, "/input/payload", &name).as_bytes();
        let kid = doc
            .pointer("/signing/protected/kid")
            .and_then(Value::as_str);

        let mut compact = str_at(&doc, "/output/compact", &name).to_owned();
        let (header_b64, rest) = compact.split_once('.').expect("three parts");
        let (payload_b64, signature_b64) = rest.split_once('.').expect("three parts");
        if payload_b64.is_empty() {
            // §4.5, detached content: the payload travels separately. As sent it must not
            // verify (the empty payload is not what was signed); re-attached, it must.
            let detached = Verifier::builder()
                .algorithms([alg])
                .key(key_from_jwk(&jwk, &name))
                .build()
                .unwrap_or_else(|e| panic!("{name}: verifier: {e}"));
            assert_kind(
                detached.verify_jws(&compact),
                &ErrorKind::InvalidSignature,
                &format!("{name}: detached (empty) payload"),
            );
            let attached = b64url(payload);
            let signed_payload = str_at(&doc, "/signing/sig-input", &name)
                .split_once('.')
                .map(|(_, p)| p.to_owned());
            assert_eq!(
                signed_payload.as_deref(),
                Some(attached.as_str()),
                "{name}: re-attached payload"
            );
            compact = format!("{header_b64}.{attached}.{signature_b64}");
        }

        check_plain_text_jws(
            &name,
            alg,
            key_from_jwk(&jwk, &name),
            &compact,
            payload,
            kid,
        );
        checked += 1;
    }
    assert_eq!(checked, COMPACT_EXAMPLES.len());
}

/// §4.6–§4.8 exist only in the JSON serializations. A signature whose protected header holds
/// `alg` covers `protected.payload` alone, so `protected.payload.signature` is the same JWS in
/// compact form (minus any unprotected `kid`) and must verify. A signature with only an
/// unprotected header (§4.7, and the ES512 one of §4.8) has no compact form: forced into one
/// (an empty header part) it must be refused as malformed.
#[test]
fn rfc7520_json_only_examples_as_compact() {
    let key_for = |alg: Algorithm| {
        let file = match alg {
            Algorithm::RS256 => "3_3.rsa_public_key.json",
            Algorithm::ES512 => "3_1.ec_public_key.json",
            Algorithm::HS256 => "3_5.symmetric_key_mac_computation.json",
            other => panic!("no cookbook key for {other}"),
        };
        key_from_jwk(&read_json(&format!("jose-cookbook/jwk/{file}")), file)
    };

    let hs256_verifier = Verifier::builder()
        .algorithms([Algorithm::HS256])
        .key(key_for(Algorithm::HS256))
        .build()
        .expect("verifier");
    let (mut as_compact, mut unprotected_only) = (0, 0);
    for example in [
        "4_6.protecting_specific_header_fields.json",
        "4_7.protecting_content_only.json",
        "4_8.multiple_signatures.json",
    ] {
        let doc = read_json(&format!("jose-cookbook/jws/{example}"));
        let payload_b64 = str_at(&doc, "/output/json/payload", example);
        let payload = str_at(&doc, "/input/payload", example).as_bytes();
        for (i, signature) in doc["output"]["json"]["signatures"]
            .as_array()
            .into_iter()
            .flatten()
            .enumerate()
        {
            let name = format!("RFC 7520 {example} signature {i} (as compact)");
            let signature_b64 = str_at(signature, "/signature", &name);
            let Some(protected) = signature.get("protected").and_then(Value::as_str) else {
                // Only an unprotected header: no compact form exists (RFC 7515 §7.1).
                assert_malformed(
                    hs256_verifier.verify_jws(&format!(".{payload_b64}.{signature_b64}")),
                    &format!("{name}: no protected header"),
                );
                unprotected_only += 1;
                continue;
            };
            let header: Value = serde_json::from_slice(&unb64url(protected, &name))
                .unwrap_or_else(|e| panic!("{name}: protected header: {e}"));
            let alg = Algorithm::from_name(str_at(&header, "/alg", &name))
                .unwrap_or_else(|| panic!("{name}: unknown alg"));
            let kid = header.get("kid").and_then(Value::as_str);
            let compact = format!("{protected}.{payload_b64}.{signature_b64}");
            check_plain_text_jws(&name, alg, key_for(alg), &compact, payload, kid);
            as_compact += 1;
        }
    }
    // 4.6: HS256 with a protected alg; 4.7: unprotected only; 4.8: RS256 and HS256
    // protected, ES512 unprotected only.
    assert_eq!((as_compact, unprotected_only), (3, 2));
}

/// RFC 8037 A.4 (Ed25519 signing) and A.5 (validation), from the cookbook's curve25519 folder.
#[test]
fn rfc8037_ed25519_example() {
    let name = "RFC 8037 A.4/A.5 (curve25519/jws.json)";
    let doc = read_json("jose-cookbook/curve25519/jws.json");
    let private = &doc["input"]["key"];
    assert!(
        private.get("d").is_some(),
        "{name}: the example key is private"
    );
    let public = public_jwk(private);
    assert!(public.get("d").is_none());
    check_plain_text_jws(
        name,
        Algorithm::EdDSA,
        key_from_jwk(&public, name),
        str_at(&doc, "/output/compact", name),
        str_at(&doc, "/input/payload", name).as_bytes(),
        None,
    );
    // The private JWK (RFC 8037 A.1) describes the same key: it verifies too.
    let verifier = Verifier::builder()
        .algorithms([Algorithm::EdDSA])
        .key(key_from_jwk(private, name))
        .build()
        .expect("verifier");
    let (_, payload) = verifier
        .verify_jws(str_at(&doc, "/output/compact", name))
        .unwrap_or_else(|e| panic!("{name}: with the private JWK: {e}"));
    assert_eq!(payload, b"Example of Ed25519 signing");
}

/// RFC 7797 unencoded payload (`"b64": false`, `"crit": ["b64"]`) in compact form: the crate does
/// not implement RFC 7797, so the token must be refused as an unsupported critical extension,
/// even when the application lists `b64` as understood, and although the signature is genuine.
#[test]
fn rfc7797_b64_false_is_refused() {
    let name = "RFC 7797 (rfc7797/hmac-sha2_b64_false.json)";
    let doc = read_json("jose-cookbook/rfc7797/hmac-sha2_b64_false.json");
    let compact = str_at(&doc, "/output/compact", name);
    let (header_b64, rest) = compact.split_once('.').expect("three parts");
    let (payload, signature) = rest.rsplit_once('.').expect("three parts");
    let header: Value = serde_json::from_slice(&unb64url(header_b64, name)).expect("header JSON");
    assert_eq!(header["b64"], json!(false), "{name}: header");
    assert_eq!(header["crit"], json!(["b64"]), "{name}: header");
    assert_eq!(payload, str_at(&doc, "/input/payload", name));

    let key = key_from_jwk(&doc["input"]["key"], name);
    // The signature is genuine over the RFC 7797 signing input, so a refusal below is the
    // policy and not a bad signature.
    key.verify_signature(
        Algorithm::HS256,
        format!("{header_b64}.{payload}").as_bytes(),
        &unb64url(signature, name),
    )
    .unwrap_or_else(|e| panic!("{name}: genuine RFC 7797 signature: {e}"));

    // Collected first and asserted together, so one run shows every path: being refused at all
    // is the security property; the exact kind is the contract (an application must be able to
    // tell "unsupported extension" from garbage). An RFC 7797 compact payload is raw text, so a
    // verifier that base64url-decodes the payload before reading `crit`/`b64` reports it as
    // `Malformed("the payload is not base64url")` instead.
    let mut outcomes = Vec::new();
    for (label, understood) in [("no crit names", vec![]), ("crit b64 listed", vec!["b64"])] {
        let verifier = Verifier::builder()
            .algorithms([Algorithm::HS256])
            .key(key.clone())
            .critical_extensions(understood)
            .build()
            .expect("verifier");
        let jws = verifier.verify_jws(compact).map(|(header, _)| header);
        let jwt = verifier.verify::<Value>(compact).map(|data| data.header);
        for (path, result) in [("verify_jws", jws), ("verify", jwt)] {
            let case = format!("{name}: {path}, {label}");
            match result {
                Ok(header) => panic!("SECURITY: {case}: b64=false token ACCEPTED: {header:?}"),
                Err(e) => outcomes.push((case, e.into_kind())),
            }
        }
    }
    let wrong: Vec<String> = outcomes
        .iter()
        .filter(|(_, kind)| *kind != ErrorKind::UnsupportedCrit)
        .map(|(case, kind)| format!("{case}: refused as {kind:?}, expected UnsupportedCrit"))
        .collect();
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
    assert_eq!(outcomes.len(), 4);
}

// ---------------------------------------------------------------------------------------------
// RFC 7515 Appendix A.1–A.3
// ---------------------------------------------------------------------------------------------

/// Before the examples' `exp` (1300819380, 2011-03-22T18:43:00Z).
const BEFORE_EXP: i64 = 1_300_000_000;

fn check_rfc7515_jwt(example: &str, alg: Algorithm, typ: Option<&str>) {
    let name = format!("RFC 7515 {example}");
    let jwk = read_json(&format!("rfc7515/{example}.jwk.json"));
    let token = read_text(&format!("rfc7515/{example}.jws"));
    let token = token.trim_end();

    // The RFC's key as printed (private members included) is a consistent key...
    key_from_jwk(&jwk, &format!("{name} (private JWK)"));
    // ...and verification uses only its public members (for HMAC, the secret).
    let key = key_from_jwk(&public_jwk(&jwk), &name);

    let pinned = Verifier::builder()
        .algorithms([alg])
        .key(key.clone())
        .issuer("joe")
        .clock(ManualClock::new(BEFORE_EXP))
        .build()
        .unwrap_or_else(|e| panic!("{name}: verifier: {e}"));

    let data = pinned
        .verify::<Value>(token)
        .unwrap_or_else(|e| panic!("{name}: refused with the clock before exp: {e}"));
    assert_eq!(
        data.claims,
        json!({"iss": "joe", "exp": 1_300_819_380, "http://example.com/is_root": true}),
        "{name}: claims"
    );
    assert_eq!(data.header.alg, alg, "{name}: header alg");
    assert_eq!(data.header.typ.as_deref(), typ, "{name}: header typ");
    assert_eq!(data.header.kid, None, "{name}: header kid");

    let registered = pinned
        .verify::<RegisteredClaims>(token)
        .unwrap_or_else(|e| panic!("{name}: as RegisteredClaims: {e}"));
    assert_eq!(registered.claims.iss.as_deref(), Some("joe"), "{name}: iss");
    assert_eq!(registered.claims.exp, Some(1_300_819_380), "{name}: exp");

    assert_kind(
        pinned.verify::<Value>(&tamper_signature(token)),
        &ErrorKind::InvalidSignature,
        &format!("{name}: tampered signature, clock before exp"),
    );

    let wrong_issuer = Verifier::builder()
        .algorithms([alg])
        .key(key.clone())
        .issuer("not-joe")
        .clock(ManualClock::new(BEFORE_EXP))
        .build()
        .expect("verifier");
    assert_kind(
        wrong_issuer.verify::<Value>(token),
        &ErrorKind::InvalidIssuer,
        &format!("{name}: other issuer"),
    );

    let now = Verifier::builder()
        .algorithms([alg])
        .key(key)
        .issuer("joe")
        .build()
        .expect("verifier");
    assert_kind(
        now.verify::<Value>(token),
        &ErrorKind::Expired,
        &format!("{name}: system clock (exp is in 2011)"),
    );
    // The signature is checked before the claims: a forged, expired token is a forgery.
    assert_kind(
        now.verify::<Value>(&tamper_signature(token)),
        &ErrorKind::InvalidSignature,
        &format!("{name}: tampered signature, system clock"),
    );
}

#[test]
fn rfc7515_a1_hs256() {
    check_rfc7515_jwt("a1_hs256", Algorithm::HS256, Some("JWT"));
}

#[test]
fn rfc7515_a2_rs256() {
    check_rfc7515_jwt("a2_rs256", Algorithm::RS256, None);
}

#[test]
fn rfc7515_a3_es256() {
    check_rfc7515_jwt("a3_es256", Algorithm::ES256, None);
}
