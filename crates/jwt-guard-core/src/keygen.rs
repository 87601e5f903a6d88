//! Key generation, for the `jwt-guard` command line, tests and other tools.
//!
//! [`generate`] makes a fresh key for one [`Algorithm`]: a PKCS#8 private key (written as PEM,
//! with its public key as SPKI PEM) for RS*/PS* (RSA, 2048 bits unless [`KeygenOptions::rsa_bits`] says otherwise), ES256/384/512
//! (P-256/384/521) and EdDSA (Ed25519), or a random HMAC secret as long as the hash output
//! (32/48/64 bytes, RFC 7518 §3.2) for HS*. Randomness comes from aws-lc-rs.
//!
//! Every generated key is bound to its one algorithm and carries a `kid`: for asymmetric keys
//! the RFC 7638 JWK thumbprint of the public key ([`jwk_thumbprint`]); for HMAC secrets 16
//! random bytes in base64url (a hash of the secret would do no harm, but a random id says
//! nothing about it at all). [`GeneratedKey::with_kid`] replaces it.
//!
//! ```
//! use jwt_guard_core::{Algorithm, KeySet, RegisteredClaims, Signer, Verifier, keygen};
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let generated = keygen::generate(Algorithm::ES256)?.with_kid("2026-11");
//! let pem = generated.private_key_pem().unwrap_or_default(); // write it to a 0600 file
//! assert!(pem.starts_with("-----BEGIN PRIVATE KEY-----\n"));
//! let jwks = serde_json::to_string(&generated.public_jwk_set()?)?; // publish this
//!
//! let verifier = Verifier::builder()
//!     .algorithms([Algorithm::ES256])
//!     .keys(KeySet::from_jwks_json(&jwks)?.keys().to_vec())
//!     .build()?;
//! let token = Signer::new(generated.key().clone(), Algorithm::ES256)?
//!     .encode(&serde_json::json!({"sub": "ada", "exp": 4_102_444_800u64}))?;
//! let data = verifier.verify::<RegisteredClaims>(&token)?;
//! assert_eq!(data.header.kid.as_deref(), Some("2026-11"));
//! # Ok(()) }
//! ```

use std::collections::BTreeMap;
use std::fmt;

use aws_lc_rs::digest;
use aws_lc_rs::encoding::{AsDer as _, PublicKeyX509Der};
use aws_lc_rs::rand::{self, SystemRandom};
use aws_lc_rs::rsa::KeySize;
use aws_lc_rs::signature::{self, EcdsaKeyPair, Ed25519KeyPair, KeyPair as _, RsaKeyPair};

use crate::algorithm::{Algorithm, Curve, KeyFamily};
use crate::b64;
use crate::error::{Error, ErrorKind, Result};
use crate::jwk::{Jwk, JwkSet};
use crate::key::Key;

/// The RSA modulus size [`generate`] uses.
pub const DEFAULT_RSA_BITS: usize = 2048;

/// Choices for [`generate_with`].
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct KeygenOptions {
    /// RSA modulus size in bits: 2048, 3072, 4096 or 8192 (ignored for other algorithms).
    pub rsa_bits: usize,
}

impl Default for KeygenOptions {
    fn default() -> Self {
        KeygenOptions {
            rsa_bits: DEFAULT_RSA_BITS,
        }
    }
}

impl KeygenOptions {
    /// The defaults (RSA 2048).
    pub fn new() -> KeygenOptions {
        KeygenOptions::default()
    }

    /// Sets the RSA modulus size in bits.
    #[must_use]
    pub fn rsa_bits(mut self, bits: usize) -> KeygenOptions {
        self.rsa_bits = bits;
        self
    }
}

enum Private {
    /// PKCS#8 private key as PEM text (`-----BEGIN PRIVATE KEY-----`, LF line endings), and
    /// its public key as SPKI PEM text (`-----BEGIN PUBLIC KEY-----`).
    Pkcs8Pem { private: String, public: String },
    /// HMAC secret bytes.
    Secret(Vec<u8>),
}

/// A freshly generated key: the private part (PEM or secret bytes) and the parsed [`Key`],
/// bound to its one algorithm and carrying a `kid`. `Debug` never prints the private part.
pub struct GeneratedKey {
    alg: Algorithm,
    key: Key,
    private: Private,
}

/// Generates a key for `alg` with the default [`KeygenOptions`] (RSA 2048).
///
/// # Errors
/// [`ErrorKind::Signing`] if the random generator or the key generation fails (it does not in
/// practice); [`ErrorKind::InvalidKey`] if the generated key cannot be read back.
pub fn generate(alg: Algorithm) -> Result<GeneratedKey> {
    generate_with(alg, &KeygenOptions::default())
}

/// Generates a key for `alg`.
///
/// # Errors
/// [`ErrorKind::InvalidConfig`] (field `rsa_bits`) for an RSA size other than 2048, 3072, 4096
/// or 8192; otherwise as [`generate`].
pub fn generate_with(alg: Algorithm, options: &KeygenOptions) -> Result<GeneratedKey> {
    let failed = |what: &'static str| move |_| Error::new(ErrorKind::Signing(what.into()));
    let export_failed = |what: &'static str| Error::new(ErrorKind::Signing(what.into()));
    let (pkcs8_der, spki_der): (Vec<u8>, Vec<u8>) = match alg.family() {
        KeyFamily::Hmac => {
            let len = alg.hmac_min_key_len().unwrap_or(64);
            let mut secret = vec![0u8; len];
            rand::fill(&mut secret).map_err(failed("the random generator failed"))?;
            let key = Key::hmac(&secret)?.with_algorithm(alg)?;
            let key = key.with_kid(random_kid()?);
            return Ok(GeneratedKey {
                alg,
                key,
                private: Private::Secret(secret),
            });
        }
        KeyFamily::Rsa => {
            let size = match options.rsa_bits {
                2048 => KeySize::Rsa2048,
                3072 => KeySize::Rsa3072,
                4096 => KeySize::Rsa4096,
                8192 => KeySize::Rsa8192,
                other => {
                    return Err(Error::config(
                        "rsa_bits",
                        format!("{other} is not one of 2048, 3072, 4096, 8192"),
                    ));
                }
            };
            let pair = RsaKeyPair::generate(size).map_err(failed("RSA key generation failed"))?;
            let pkcs8 = pair.as_der().map_err(failed("RSA key export failed"))?;
            let spki: PublicKeyX509Der<'_> = pair
                .public_key()
                .as_der()
                .map_err(|_| export_failed("RSA public key export failed"))?;
            (pkcs8.as_ref().to_vec(), spki.as_ref().to_vec())
        }
        KeyFamily::Ec(curve) => {
            let signing = match curve {
                Curve::P256 => &signature::ECDSA_P256_SHA256_FIXED_SIGNING,
                Curve::P384 => &signature::ECDSA_P384_SHA384_FIXED_SIGNING,
                Curve::P521 => &signature::ECDSA_P521_SHA512_FIXED_SIGNING,
            };
            let pkcs8 = EcdsaKeyPair::generate_pkcs8(signing, &SystemRandom::new())
                .map_err(failed("EC key generation failed"))?;
            let pair = EcdsaKeyPair::from_pkcs8(signing, pkcs8.as_ref())
                .map_err(|_| export_failed("EC key export failed"))?;
            let spki: PublicKeyX509Der<'_> = pair
                .public_key()
                .as_der()
                .map_err(|_| export_failed("EC public key export failed"))?;
            (pkcs8.as_ref().to_vec(), spki.as_ref().to_vec())
        }
        KeyFamily::Ed25519 => {
            // PKCS#8 v1: what OpenSSL and most other tools write and read.
            let pkcs8 = Ed25519KeyPair::generate_pkcs8v1(&SystemRandom::new())
                .map_err(failed("Ed25519 key generation failed"))?;
            let pair = Ed25519KeyPair::from_pkcs8_maybe_unchecked(pkcs8.as_ref())
                .map_err(|_| export_failed("Ed25519 key export failed"))?;
            let spki: PublicKeyX509Der<'_> = pair
                .public_key()
                .as_der()
                .map_err(|_| export_failed("Ed25519 public key export failed"))?;
            (pkcs8.as_ref().to_vec(), spki.as_ref().to_vec())
        }
    };
    let encode = |label: &str, der: Vec<u8>| {
        pem::encode_config(
            &pem::Pem::new(label, der),
            pem::EncodeConfig::new().set_line_ending(pem::LineEnding::LF),
        )
    };
    let private = encode("PRIVATE KEY", pkcs8_der);
    let public = encode("PUBLIC KEY", spki_der);
    // Read both PEMs back: what the caller writes to disk is exactly what was checked here, and
    // the public one must be the same key.
    let key = Key::from_pem(private.as_bytes())?.with_algorithm(alg)?;
    let jwk = key.to_public_jwk()?;
    let public_jwk = Key::from_pem(public.as_bytes())?
        .with_algorithm(alg)?
        .to_public_jwk()?;
    if public_jwk != jwk {
        return Err(Error::new(ErrorKind::Signing(
            "the public key does not match the private key".into(),
        )));
    }
    let kid = jwk_thumbprint(&jwk)?;
    Ok(GeneratedKey {
        alg,
        key: key.with_kid(kid),
        private: Private::Pkcs8Pem { private, public },
    })
}

fn random_kid() -> Result<String> {
    let mut bytes = [0u8; 16];
    rand::fill(&mut bytes)
        .map_err(|_| Error::new(ErrorKind::Signing("the random generator failed".into())))?;
    Ok(b64::encode(&bytes))
}

impl GeneratedKey {
    /// The algorithm the key is bound to.
    pub fn algorithm(&self) -> Algorithm {
        self.alg
    }

    /// The key (private, so it can sign; bound to [`GeneratedKey::algorithm`]; with the `kid`).
    pub fn key(&self) -> &Key {
        &self.key
    }

    /// The key id.
    pub fn kid(&self) -> Option<&str> {
        self.key.kid()
    }

    /// Replaces the key id.
    #[must_use]
    pub fn with_kid(mut self, kid: impl Into<String>) -> GeneratedKey {
        self.key = self.key.with_kid(kid);
        self
    }

    /// The private key as PKCS#8 PEM (`-----BEGIN PRIVATE KEY-----`); `None` for HMAC.
    pub fn private_key_pem(&self) -> Option<&str> {
        match &self.private {
            Private::Pkcs8Pem { private, .. } => Some(private),
            Private::Secret(_) => None,
        }
    }

    /// The public key as SPKI PEM (`-----BEGIN PUBLIC KEY-----`), what
    /// [`Key::from_pem`] and a config's `pem_file` read; `None` for HMAC.
    pub fn public_key_pem(&self) -> Option<&str> {
        match &self.private {
            Private::Pkcs8Pem { public, .. } => Some(public),
            Private::Secret(_) => None,
        }
    }

    /// The HMAC secret bytes; `None` for asymmetric keys.
    pub fn secret(&self) -> Option<&[u8]> {
        match &self.private {
            Private::Secret(secret) => Some(secret),
            Private::Pkcs8Pem { .. } => None,
        }
    }

    /// The public key as a JWK with `kid`, `alg` and `use: sig`.
    ///
    /// # Errors
    /// [`ErrorKind::InvalidKey`] for an HMAC secret, which has no public part.
    pub fn public_jwk(&self) -> Result<Jwk> {
        self.key.to_public_jwk()
    }

    /// A JWK Set holding only [`GeneratedKey::public_jwk`]: what a server publishes.
    ///
    /// # Errors
    /// As [`GeneratedKey::public_jwk`].
    pub fn public_jwk_set(&self) -> Result<JwkSet> {
        jwk_set([self.public_jwk()?])
    }

    /// For HMAC, the secret as an `oct` JWK with `kid`, `alg` and `use: sig` (secret material:
    /// never publish it); `None` for asymmetric keys.
    pub fn secret_jwk(&self) -> Option<Jwk> {
        let secret = self.secret()?;
        Some(Jwk {
            kty: "oct".into(),
            use_: Some("sig".into()),
            alg: Some(self.alg.as_str().into()),
            kid: self.kid().map(str::to_owned),
            k: Some(b64::encode(secret)),
            ..Jwk::default()
        })
    }
}

impl fmt::Debug for GeneratedKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("GeneratedKey")
            .field("alg", &self.alg)
            .field("key", &self.key)
            .field("private", &"[redacted]")
            .finish()
    }
}

/// A JWK Set document from these keys.
///
/// # Errors
/// [`ErrorKind::InvalidKey`] if a JWK cannot be represented as JSON (it always can).
pub fn jwk_set(jwks: impl IntoIterator<Item = Jwk>) -> Result<JwkSet> {
    let keys = jwks
        .into_iter()
        .map(|jwk| {
            serde_json::to_value(jwk).map_err(|e| {
                Error::with_source(ErrorKind::InvalidKey("unserializable JWK".into()), e)
            })
        })
        .collect::<Result<Vec<_>>>()?;
    Ok(JwkSet { keys })
}

/// The RFC 7638 JWK thumbprint (SHA-256, base64url): a key id derived from the key itself,
/// the same for the public and the private JWK of one key.
///
/// # Errors
/// [`ErrorKind::InvalidKey`] if a member the thumbprint needs is missing or `kty` is unknown.
pub fn jwk_thumbprint(jwk: &Jwk) -> Result<String> {
    fn member<'a>(value: &'a Option<String>, name: &'static str) -> Result<&'a str> {
        value
            .as_deref()
            .ok_or_else(|| Error::invalid_key(format!("JWK member `{name}` is missing")))
    }
    // The required members only, in lexicographic order, no whitespace (RFC 7638 §3.2).
    let mut members: BTreeMap<&str, &str> = BTreeMap::new();
    members.insert("kty", &jwk.kty);
    match jwk.kty.as_str() {
        "RSA" => {
            members.insert("e", member(&jwk.e, "e")?);
            members.insert("n", member(&jwk.n, "n")?);
        }
        "EC" => {
            members.insert("crv", member(&jwk.crv, "crv")?);
            members.insert("x", member(&jwk.x, "x")?);
            members.insert("y", member(&jwk.y, "y")?);
        }
        "OKP" => {
            members.insert("crv", member(&jwk.crv, "crv")?);
            members.insert("x", member(&jwk.x, "x")?);
        }
        "oct" => {
            members.insert("k", member(&jwk.k, "k")?);
        }
        other => {
            return Err(Error::invalid_key(format!(
                "unsupported JWK kty `{}`",
                crate::error::sanitize(other)
            )));
        }
    }
    let json = serde_json::to_vec(&members)
        .map_err(|e| Error::with_source(ErrorKind::InvalidKey("unserializable JWK".into()), e))?;
    Ok(b64::encode(digest::digest(&digest::SHA256, &json).as_ref()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{RegisteredClaims, Signer, Verifier};

    fn verify_round_trip(generated: &GeneratedKey) {
        let alg = generated.algorithm();
        let mut verifying = if let Some(pem) = generated.private_key_pem() {
            // Verify with the published JWKS only, as a server would.
            let jwks = serde_json::to_string(&generated.public_jwk_set().unwrap()).unwrap();
            let set = crate::KeySet::from_jwks_json(&jwks).unwrap();
            assert!(set.skipped().is_empty(), "{:?}", set.skipped());
            assert!(Key::from_pem(pem).unwrap().can_sign());
            vec![set.keys().to_vec()]
        } else {
            assert!(generated.public_key_pem().is_none());
            vec![vec![
                Key::from_jwk(&generated.secret_jwk().unwrap()).unwrap(),
            ]]
        };
        if let Some(public) = generated.public_key_pem() {
            // ... or with the public PEM only, as the core quick start does.
            assert!(
                public.starts_with("-----BEGIN PUBLIC KEY-----\n"),
                "{public}"
            );
            let key = Key::from_pem(public).unwrap();
            assert!(!key.can_sign());
            verifying.push(vec![key.with_kid(generated.kid().unwrap())]);
        }
        let token = Signer::new(generated.key().clone(), alg)
            .unwrap()
            .encode(&serde_json::json!({"sub": "ada", "exp": 4_102_444_800u64}))
            .unwrap();
        for keys in verifying {
            let verifier = Verifier::builder()
                .algorithms([alg])
                .keys(keys)
                .build()
                .unwrap();
            let data = verifier.verify::<RegisteredClaims>(&token).unwrap();
            assert_eq!(data.header.alg, alg);
            assert_eq!(data.header.kid.as_deref(), generated.kid());
            assert_eq!(data.claims.sub.as_deref(), Some("ada"));
        }
    }

    #[test]
    fn every_algorithm_signs_and_verifies() {
        for alg in Algorithm::ALL {
            let generated = generate(alg).unwrap();
            assert_eq!(
                generated.key().algorithms().iter().collect::<Vec<_>>(),
                vec![alg]
            );
            verify_round_trip(&generated);
        }
    }

    #[test]
    fn hmac_secrets_have_the_hash_length_and_differ() {
        for (alg, len) in [
            (Algorithm::HS256, 32),
            (Algorithm::HS384, 48),
            (Algorithm::HS512, 64),
        ] {
            let a = generate(alg).unwrap();
            let b = generate(alg).unwrap();
            assert_eq!(a.secret().map(<[u8]>::len), Some(len));
            assert_ne!(a.secret(), b.secret());
            assert_ne!(a.kid(), b.kid());
            assert!(a.private_key_pem().is_none());
            assert!(a.public_key_pem().is_none());
            assert_eq!(a.public_jwk().unwrap_err().code(), "invalid_key");
            let jwk = a.secret_jwk().unwrap();
            assert_eq!(
                (jwk.kty.as_str(), jwk.alg.as_deref(), jwk.use_.as_deref()),
                ("oct", Some(alg.as_str()), Some("sig"))
            );
        }
    }

    #[test]
    fn pem_and_public_jwk_shape() {
        let generated = generate(Algorithm::EdDSA).unwrap();
        let pem = generated.private_key_pem().unwrap();
        assert!(pem.starts_with("-----BEGIN PRIVATE KEY-----\n"));
        assert!(pem.trim_end().ends_with("-----END PRIVATE KEY-----"));
        assert!(!pem.contains('\r'));
        assert!(generated.secret().is_none() && generated.secret_jwk().is_none());
        let jwk = generated.public_jwk().unwrap();
        assert!(!jwk.is_private());
        assert_eq!(jwk.alg.as_deref(), Some("EdDSA"));
        assert_eq!(jwk.use_.as_deref(), Some("sig"));
        assert_eq!(jwk.kid.as_deref(), generated.kid());
        // The default kid is the thumbprint of the public key.
        assert_eq!(
            generated.kid(),
            Some(jwk_thumbprint(&jwk).unwrap().as_str())
        );
        let renamed = generated.with_kid("k1");
        assert_eq!(renamed.public_jwk().unwrap().kid.as_deref(), Some("k1"));
        assert!(!format!("{renamed:?}").contains("PRIVATE"));
    }

    #[test]
    fn rsa_sizes() {
        let generated = generate(Algorithm::PS256).unwrap();
        assert_eq!(generated.key().rsa_bits(), Some(2048));
        let generated =
            generate_with(Algorithm::RS256, &KeygenOptions::new().rsa_bits(3072)).unwrap();
        assert_eq!(generated.key().rsa_bits(), Some(3072));
        let err =
            generate_with(Algorithm::RS256, &KeygenOptions::new().rsa_bits(1024)).unwrap_err();
        assert!(
            matches!(err.kind(), ErrorKind::InvalidConfig { field, .. } if field == "rsa_bits"),
            "{err}"
        );
    }

    #[test]
    fn thumbprint_matches_rfc7638_example() {
        // RFC 7638 §3.1.
        let jwk = Jwk {
            kty: "RSA".into(),
            n: Some(
                "0vx7agoebGcQSuuPiLJXZptN9nndrQmbXEps2aiAFbWhM78LhWx4cbbfAAtVT86zwu1RK7aPFFxuhDR1L6tSoc_BJECPebWKRXjBZCiFV4n3oknjhMstn64tZ_2W-5JsGY4Hc5n9yBXArwl93lqt7_RN5w6Cf0h4QyQ5v-65YGjQR0_FDW2QvzqY368QQMicAtaSqzs8KJZgnYb9c7d0zgdAZHzu6qMQvRL5hajrn1n91CbOpbISD08qNLyrdkt-bFTWhAI4vMQFh6WeZu0fM4lFd2NcRwr3XPksINHaQ-G_xBniIqbw0Ls1jF44-csFCur-kEgU8awapJzKnqDKgw"
                    .into(),
            ),
            e: Some("AQAB".into()),
            alg: Some("RS256".into()),
            kid: Some("2011-04-29".into()),
            ..Jwk::default()
        };
        assert_eq!(
            jwk_thumbprint(&jwk).unwrap(),
            "NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs"
        );
        let bad = Jwk {
            kty: "EC".into(),
            ..Jwk::default()
        };
        assert_eq!(jwk_thumbprint(&bad).unwrap_err().code(), "invalid_key");
    }
}
