//! Instruction counts of hostile input, for `benches/hostile.sh` (callgrind; the counts do not
//! depend on what else the machine runs). Each case is a request an attacker can send; the
//! cost is the server's. Results: BENCHMARKS.md, "Hostile input".
//!
//! Usage: `hostile CASE N`: runs the case N times. The script runs it with two values of N and
//! divides the difference, so setup cost cancels out. Cases:
//! - `valid-hs256`: a valid HS256 token (the yardstick);
//! - `scopes-2400`: the scope check of a verified token granting 2,400 distinct scopes;
//! - `header-1200`: a forged token (garbage signature) whose header has 1,200 members;
//! - `routed-payload-1200`: the same forged payload shape in routed mode: 1,200 claims before
//!   `iss`, garbage signature;
//! - `no-kid-16-rsa`: an RS256 token without `kid` signed by an unknown key, 16 RSA keys.
//!
//! Only API that predates the fixes is used, so the same file measures before and after.

// A benchmark's setup panics on failure; the workspace's no-panic lints are for library code.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    reason = "benchmark code: a failed setup step panics"
)]

use std::hint::black_box;

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD as B64;
use jwt_guard_core::http::{BearerAuth, RequiredScopes};
use jwt_guard_core::{Algorithm, Key, Signer, Verifier};
use serde_json::{Value, json};

const SECRET: &[u8] = b"hostile-input benchmark secret of 32+ bytes";
const EXP: u64 = 4_102_444_800;

fn fixture(path: &str) -> Vec<u8> {
    std::fs::read(format!(
        "{}/tests/fixtures/{path}",
        env!("CARGO_MANIFEST_DIR")
    ))
    .unwrap()
}

fn hs256() -> Verifier {
    Verifier::builder()
        .algorithms([Algorithm::HS256])
        .key(Key::hmac(SECRET).unwrap())
        .max_token_bytes(256 * 1024)
        .build()
        .unwrap()
}

fn members(n: usize) -> serde_json::Map<String, Value> {
    (0..n).map(|i| (format!("m{i}"), json!(i))).collect()
}

fn main() {
    let args: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| a != "--bench")
        .collect();
    let [case, n] = args.as_slice() else {
        eprintln!("usage: hostile CASE N");
        std::process::exit(2);
    };
    let n: usize = n.parse().unwrap();
    let signer = Signer::new(Key::hmac(SECRET).unwrap(), Algorithm::HS256).unwrap();
    match case.as_str() {
        "valid-hs256" => {
            let v = hs256();
            let token = signer.encode(&json!({"sub": "ada", "exp": EXP})).unwrap();
            for _ in 0..n {
                black_box(v.verify::<Value>(black_box(&token)).unwrap());
            }
        }
        "scopes-2400" => {
            let auth = BearerAuth::new(hs256());
            let scopes: Vec<String> = (0..2400).map(|i| format!("scope{i}")).collect();
            let token = signer
                .encode(&json!({"exp": EXP, "scope": scopes.join(" ")}))
                .unwrap();
            let verified = auth.verifier().verify_token(&token).unwrap();
            let required = RequiredScopes::all(["admin"]);
            for _ in 0..n {
                black_box(
                    auth.check_scopes(black_box(&verified), &required)
                        .unwrap_err(),
                );
            }
        }
        "header-1200" => {
            let v = hs256();
            let mut header = members(1200);
            header.insert("alg".into(), json!("HS256"));
            let token = format!(
                "{}.{}.{}",
                B64.encode(Value::Object(header).to_string()),
                B64.encode(json!({"exp": EXP}).to_string()),
                B64.encode([0u8; 32])
            );
            for _ in 0..n {
                black_box(v.verify::<Value>(black_box(&token)).unwrap_err());
            }
        }
        "routed-payload-1200" => {
            let v = Verifier::routed([Verifier::builder()
                .algorithms([Algorithm::HS256])
                .key(Key::hmac(SECRET).unwrap())
                .issuer("https://a.test")
                .max_token_bytes(256 * 1024)
                .build()
                .unwrap()])
            .unwrap();
            let mut payload = members(1200);
            payload.insert("iss".into(), json!("https://a.test"));
            let token = format!(
                "{}.{}.{}",
                B64.encode(r#"{"alg":"HS256"}"#),
                B64.encode(Value::Object(payload).to_string()),
                B64.encode([0u8; 32])
            );
            for _ in 0..n {
                black_box(v.verify::<Value>(black_box(&token)).unwrap_err());
            }
        }
        "no-kid-16-rsa" => {
            let server = fixture("pem/pkcs1_rsa2048.pub.pem");
            let keys: Vec<Key> = (0..16).map(|_| Key::from_pem(&server).unwrap()).collect();
            let v = Verifier::builder()
                .algorithms([Algorithm::RS256])
                .keys(keys)
                .build()
                .unwrap();
            let attacker = Key::from_pem(fixture("keys/rsa2048.key.pem")).unwrap();
            let token = Signer::new(attacker, Algorithm::RS256)
                .unwrap()
                .encode(&json!({"exp": EXP}))
                .unwrap();
            for _ in 0..n {
                black_box(v.verify::<Value>(black_box(&token)).unwrap_err());
            }
        }
        other => {
            eprintln!("unknown case {other}");
            std::process::exit(2);
        }
    }
}
