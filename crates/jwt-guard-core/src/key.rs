//! Keys, parsed once at construction, each bound to the algorithms it may serve (RFC 8725 §3.1).

use std::collections::HashMap;
use std::fmt;
use std::sync::Arc;

use aws_lc_rs::rand::SystemRandom;
use aws_lc_rs::signature::{
    self, EcdsaKeyPair, Ed25519KeyPair, KeyPair as _, ParsedPublicKey, RsaKeyPair,
    RsaPublicKeyComponents,
};
use aws_lc_rs::{hmac, rsa};
use base64::Engine as _;

use crate::algorithm::{Algorithm, AlgorithmSet, Curve, KeyFamily};
use crate::b64;
use crate::error::{Error, ErrorKind, Result};
use crate::jwk::{Jwk, JwkSet};

/// Smallest RSA modulus accepted without the `dangerous` opt-out.
pub const MIN_RSA_BITS: usize = 2048;
/// Largest RSA modulus aws-lc-rs verifies.
pub const MAX_RSA_BITS: usize = 8192;

/// A verification (and, for private keys and secrets, signing) key.
///
/// Cheap to clone: the parsed material is shared. `Debug` never prints key material.
#[derive(Clone)]
pub struct Key {
    kid: Option<String>,
    algorithms: AlgorithmSet,
    material: Arc<Material>,
}

// The RSA variant is the large one; `Material` always lives behind an `Arc`.
#[allow(clippy::large_enum_variant)]
enum Material {
    Hmac {
        hs256: hmac::Key,
        hs384: hmac::Key,
        hs512: hmac::Key,
    },
    Rsa {
        /// One parsed public key per RS*/PS* algorithm, indexed by [`rsa_index`].
        verifiers: [Option<ParsedPublicKey>; 6],
        pair: Option<RsaKeyPair>,
        public: rsa::PublicKey,
    },
    Ec {
        curve: Curve,
        verifier: ParsedPublicKey,
        pair: Option<EcdsaKeyPair>,
        /// Uncompressed SEC1 point `04 || x || y`.
        point: Vec<u8>,
    },
    Ed25519 {
        verifier: ParsedPublicKey,
        pair: Option<Ed25519KeyPair>,
        public: Vec<u8>,
    },
}

#[derive(Clone, Copy, Default)]
pub(crate) struct KeyOptions {
    pub(crate) allow_weak: bool,
}

fn rsa_index(alg: Algorithm) -> Option<usize> {
    Some(match alg {
        Algorithm::RS256 => 0,
        Algorithm::RS384 => 1,
        Algorithm::RS512 => 2,
        Algorithm::PS256 => 3,
        Algorithm::PS384 => 4,
        Algorithm::PS512 => 5,
        _ => return None,
    })
}

const RSA_ALGS: [Algorithm; 6] = [
    Algorithm::RS256,
    Algorithm::RS384,
    Algorithm::RS512,
    Algorithm::PS256,
    Algorithm::PS384,
    Algorithm::PS512,
];

fn rsa_verify_params(alg: Algorithm, bits: usize) -> Option<&'static signature::RsaParameters> {
    if bits >= MIN_RSA_BITS {
        Some(match alg {
            Algorithm::RS256 => &signature::RSA_PKCS1_2048_8192_SHA256,
            Algorithm::RS384 => &signature::RSA_PKCS1_2048_8192_SHA384,
            Algorithm::RS512 => &signature::RSA_PKCS1_2048_8192_SHA512,
            Algorithm::PS256 => &signature::RSA_PSS_2048_8192_SHA256,
            Algorithm::PS384 => &signature::RSA_PSS_2048_8192_SHA384,
            Algorithm::PS512 => &signature::RSA_PSS_2048_8192_SHA512,
            _ => return None,
        })
    } else {
        // aws-lc-rs only offers legacy (1024-bit) parameters for these two.
        match alg {
            Algorithm::RS256 => Some(&signature::RSA_PKCS1_1024_8192_SHA256_FOR_LEGACY_USE_ONLY),
            Algorithm::RS512 => Some(&signature::RSA_PKCS1_1024_8192_SHA512_FOR_LEGACY_USE_ONLY),
            _ => None,
        }
    }
}

fn rsa_sign_padding(alg: Algorithm) -> Option<&'static dyn signature::RsaEncoding> {
    Some(match alg {
        Algorithm::RS256 => &signature::RSA_PKCS1_SHA256,
        Algorithm::RS384 => &signature::RSA_PKCS1_SHA384,
        Algorithm::RS512 => &signature::RSA_PKCS1_SHA512,
        Algorithm::PS256 => &signature::RSA_PSS_SHA256,
        Algorithm::PS384 => &signature::RSA_PSS_SHA384,
        Algorithm::PS512 => &signature::RSA_PSS_SHA512,
        _ => return None,
    })
}

fn ec_verify_alg(curve: Curve) -> &'static signature::EcdsaVerificationAlgorithm {
    match curve {
        Curve::P256 => &signature::ECDSA_P256_SHA256_FIXED,
        Curve::P384 => &signature::ECDSA_P384_SHA384_FIXED,
        Curve::P521 => &signature::ECDSA_P521_SHA512_FIXED,
    }
}

fn ec_sign_alg(curve: Curve) -> &'static signature::EcdsaSigningAlgorithm {
    match curve {
        Curve::P256 => &signature::ECDSA_P256_SHA256_FIXED_SIGNING,
        Curve::P384 => &signature::ECDSA_P384_SHA384_FIXED_SIGNING,
        Curve::P521 => &signature::ECDSA_P521_SHA512_FIXED_SIGNING,
    }
}

const CURVES: [Curve; 3] = [Curve::P256, Curve::P384, Curve::P521];

impl Key {
    fn new(material: Material, algorithms: AlgorithmSet) -> Key {
        Key {
            kid: None,
            algorithms,
            material: Arc::new(material),
        }
    }

    /// An HMAC secret. It is bound to the HS* algorithms whose hash output it is at least as
    /// long as (RFC 7518 §3.2): 32 bytes allow HS256, 48 add HS384, 64 add HS512.
    ///
    /// # Errors
    /// [`ErrorKind::WeakKey`] if the secret is shorter than 32 bytes
    /// (see [`dangerous::hmac_key_unchecked`](crate::dangerous::hmac_key_unchecked)).
    pub fn hmac(secret: impl AsRef<[u8]>) -> Result<Key> {
        Key::hmac_with(secret.as_ref(), KeyOptions::default())
    }

    pub(crate) fn hmac_with(secret: &[u8], options: KeyOptions) -> Result<Key> {
        let algorithms: AlgorithmSet = [Algorithm::HS256, Algorithm::HS384, Algorithm::HS512]
            .into_iter()
            .filter(|alg| {
                options.allow_weak
                    || alg
                        .hmac_min_key_len()
                        .is_some_and(|min| secret.len() >= min)
            })
            .collect();
        if algorithms.is_empty() {
            return Err(Error::new(ErrorKind::WeakKey(
                format!(
                    "an HMAC secret of {} bytes is shorter than the 32 bytes HS256 needs (RFC 7518 section 3.2)",
                    secret.len()
                )
                .into(),
            )));
        }
        Ok(Key::new(
            Material::Hmac {
                hs256: hmac::Key::new(hmac::HMAC_SHA256, secret),
                hs384: hmac::Key::new(hmac::HMAC_SHA384, secret),
                hs512: hmac::Key::new(hmac::HMAC_SHA512, secret),
            },
            algorithms,
        ))
    }

    /// An HMAC secret given in base64 (standard or URL-safe alphabet, padding optional).
    ///
    /// # Errors
    /// [`ErrorKind::InvalidKey`] if it is not base64; otherwise as [`Key::hmac`].
    pub fn hmac_base64(secret: &str) -> Result<Key> {
        Key::hmac(
            b64::decode_lenient(secret.trim())
                .map_err(|_| Error::invalid_key("the HMAC secret is not valid base64"))?,
        )
    }

    /// A key from PEM text: `PUBLIC KEY` (SPKI), `RSA PUBLIC KEY` (PKCS#1), `PRIVATE KEY`
    /// (PKCS#8), `RSA PRIVATE KEY` (PKCS#1), `EC PRIVATE KEY` (SEC1) or `CERTIFICATE` (its
    /// public key). Other blocks (such as `EC PARAMETERS`) are skipped.
    ///
    /// # Errors
    /// [`ErrorKind::InvalidKey`] if no block holds a usable key, or for an Ed25519 public key
    /// that is a small-order point, not canonically encoded (RFC 8032 §5.1.3) or off the curve;
    /// [`ErrorKind::WeakKey`] for RSA under 2048 bits.
    pub fn from_pem(pem: impl AsRef<[u8]>) -> Result<Key> {
        Key::from_pem_with(pem.as_ref(), KeyOptions::default())
    }

    pub(crate) fn from_pem_with(pem: &[u8], options: KeyOptions) -> Result<Key> {
        let blocks = pem::parse_many(pem)
            .map_err(|e| Error::with_source(ErrorKind::InvalidKey("not valid PEM".into()), e))?;
        for block in &blocks {
            let der = block.contents();
            let material = match block.tag() {
                "PUBLIC KEY" => public_from_spki(der, options)?,
                "RSA PUBLIC KEY" => rsa_public(rsa_public_from_der(der)?, None, options)?,
                "PRIVATE KEY" => private_from_pkcs8(der, options)?,
                "RSA PRIVATE KEY" => {
                    let pair = RsaKeyPair::from_der(der).map_err(|e| {
                        Error::with_source(
                            ErrorKind::InvalidKey("not a valid PKCS#1 RSA private key".into()),
                            e,
                        )
                    })?;
                    rsa_private(pair, options)?
                }
                "EC PRIVATE KEY" => ec_from_sec1(der)?,
                "CERTIFICATE" => public_from_certificate(der, options)?,
                _ => continue,
            };
            return Ok(Key::new(material.0, material.1));
        }
        Err(Error::invalid_key(
            "the PEM text holds no PUBLIC KEY, PRIVATE KEY, RSA/EC PRIVATE KEY or CERTIFICATE block",
        ))
    }

    /// A key from DER: PKCS#8, SPKI, PKCS#1 (public or private), SEC1, or an X.509 certificate.
    ///
    /// # Errors
    /// As [`Key::from_pem`].
    pub fn from_der(der: impl AsRef<[u8]>) -> Result<Key> {
        Key::from_der_with(der.as_ref(), KeyOptions::default())
    }

    pub(crate) fn from_der_with(der: &[u8], options: KeyOptions) -> Result<Key> {
        type Attempt = fn(&[u8], KeyOptions) -> Result<(Material, AlgorithmSet)>;
        let attempts: [Attempt; 5] = [
            private_from_pkcs8,
            public_from_spki,
            |der, options| rsa_public(rsa_public_from_der(der)?, None, options),
            |der, options| {
                let pair = RsaKeyPair::from_der(der)
                    .map_err(|_| Error::invalid_key("not a PKCS#1 RSA private key"))?;
                rsa_private(pair, options)
            },
            |der, _| ec_from_sec1(der),
        ];
        let mut refused = None;
        for attempt in attempts {
            match attempt(der, options) {
                Ok((material, algorithms)) => return Ok(Key::new(material, algorithms)),
                Err(e) if is_refusal(&e) => refused = Some(e),
                Err(_) => {}
            }
        }
        if let Some(e) = refused {
            return Err(e);
        }
        public_from_certificate(der, options)
            .map(|(m, a)| Key::new(m, a))
            .map_err(|e| {
                if is_refusal(&e) {
                    e
                } else {
                    Error::invalid_key(
                        "the DER bytes are not a key or certificate this crate reads",
                    )
                }
            })
    }

    /// A key from a JWK (RFC 7517). `alg`, when present, binds the key to that one algorithm;
    /// `use: enc` and `key_ops` without `verify`/`sign` are refused; `kid` is kept.
    ///
    /// # Errors
    /// [`ErrorKind::InvalidKey`] for an unsupported or inconsistent JWK (an Ed25519 `x` is
    /// checked as in [`Key::from_pem`]); [`ErrorKind::WeakKey`] as for the other constructors.
    pub fn from_jwk(jwk: &Jwk) -> Result<Key> {
        Key::from_jwk_with(jwk, KeyOptions::default())
    }

    /// A key from JWK JSON text.
    ///
    /// # Errors
    /// As [`Key::from_jwk`], and [`ErrorKind::InvalidKey`] if the text is not a JWK object.
    pub fn from_jwk_json(json: &str) -> Result<Key> {
        let jwk: Jwk = serde_json::from_str(json)
            .map_err(|e| Error::with_source(ErrorKind::InvalidKey("not a JWK object".into()), e))?;
        Key::from_jwk(&jwk)
    }

    pub(crate) fn from_jwk_with(jwk: &Jwk, options: KeyOptions) -> Result<Key> {
        if let Some(use_) = jwk.use_.as_deref()
            && use_ != "sig"
        {
            // The values of `use`, `kty` and `alg` are not repeated in errors: a JWK written by
            // hand can hold a secret in the wrong member, and these errors reach logs.
            return Err(Error::invalid_key("JWK use is not `sig`"));
        }
        if let Some(ops) = &jwk.key_ops
            && !ops.iter().any(|op| op == "verify" || op == "sign")
        {
            return Err(Error::invalid_key(
                "JWK key_ops allow neither verify nor sign",
            ));
        }
        let (material, mut algorithms) = match jwk.kty.as_str() {
            "oct" => {
                let k = jwk_member(&jwk.k, "k")?;
                let key = Key::hmac_with(&k, options)?;
                let algorithms = key.algorithms;
                let material = Arc::try_unwrap(key.material)
                    .map_err(|_| Error::invalid_key("internal: shared HMAC material"))?;
                (material, algorithms)
            }
            "RSA" => {
                let n = jwk_member(&jwk.n, "n")?;
                let e = jwk_member(&jwk.e, "e")?;
                let n = strip_leading_zeros(&n);
                let e = strip_leading_zeros(&e);
                if jwk.d.is_some() {
                    let components = rsa::KeyPairComponents {
                        public_key: RsaPublicKeyComponents { n, e },
                        d: jwk_member(&jwk.d, "d")?,
                        p: jwk_member(&jwk.p, "p")?,
                        q: jwk_member(&jwk.q, "q")?,
                        dP: jwk_member(&jwk.dp, "dp")?,
                        dQ: jwk_member(&jwk.dq, "dq")?,
                        qInv: jwk_member(&jwk.qi, "qi")?,
                    };
                    let pair = RsaKeyPair::from_components(&components).map_err(|e| {
                        Error::with_source(
                            ErrorKind::InvalidKey("inconsistent RSA private JWK".into()),
                            e,
                        )
                    })?;
                    rsa_private(pair, options)?
                } else {
                    let components = RsaPublicKeyComponents { n, e };
                    // Round-trip through a verifier to obtain an `rsa::PublicKey`.
                    let parsed = components
                        .to_parsed_public_key(&signature::RSA_PKCS1_2048_8192_SHA256)
                        .map_err(|e| {
                            Error::with_source(
                                ErrorKind::InvalidKey("invalid RSA public JWK".into()),
                                e,
                            )
                        })?;
                    rsa_public(rsa_public_from_der(parsed.as_ref())?, None, options)?
                }
            }
            "EC" => {
                let curve = match jwk.crv.as_deref() {
                    Some("P-256") => Curve::P256,
                    Some("P-384") => Curve::P384,
                    Some("P-521") => Curve::P521,
                    _ => {
                        return Err(Error::invalid_key(
                            "EC JWK crv is not P-256, P-384 or P-521",
                        ));
                    }
                };
                let x = jwk_member(&jwk.x, "x")?;
                let y = jwk_member(&jwk.y, "y")?;
                let len = curve.coordinate_len();
                if x.len() != len || y.len() != len {
                    return Err(Error::invalid_key(format!(
                        "EC JWK coordinates must be {len} bytes for {}",
                        curve.as_str()
                    )));
                }
                let mut point = Vec::with_capacity(1 + 2 * len);
                point.push(0x04);
                point.extend_from_slice(&x);
                point.extend_from_slice(&y);
                let pair = match &jwk.d {
                    Some(_) => {
                        let d = jwk_member(&jwk.d, "d")?;
                        Some(
                            EcdsaKeyPair::from_private_key_and_public_key(
                                ec_sign_alg(curve),
                                &d,
                                &point,
                            )
                            .map_err(|e| {
                                Error::with_source(
                                    ErrorKind::InvalidKey("inconsistent EC private JWK".into()),
                                    e,
                                )
                            })?,
                        )
                    }
                    None => None,
                };
                ec_material(curve, point, pair)?
            }
            "OKP" => {
                if jwk.crv.as_deref() != Some("Ed25519") {
                    return Err(Error::invalid_key("OKP JWK crv is not Ed25519"));
                }
                let x = jwk_member(&jwk.x, "x")?;
                let pair = match &jwk.d {
                    Some(_) => {
                        let d = jwk_member(&jwk.d, "d")?;
                        Some(
                            Ed25519KeyPair::from_seed_and_public_key(&d, &x).map_err(|e| {
                                Error::with_source(
                                    ErrorKind::InvalidKey(
                                        "inconsistent Ed25519 private JWK".into(),
                                    ),
                                    e,
                                )
                            })?,
                        )
                    }
                    None => None,
                };
                ed_material(x, pair)?
            }
            _ => {
                return Err(Error::invalid_key(
                    "unsupported JWK kty (not RSA, EC, OKP or oct)",
                ));
            }
        };
        if let Some(alg) = jwk.alg.as_deref() {
            let alg = Algorithm::from_name(alg)
                .ok_or_else(|| Error::invalid_key("unsupported JWK alg"))?;
            if !algorithms.contains(alg) {
                return Err(Error::invalid_key(format!(
                    "JWK alg {alg} does not fit the key (it allows {algorithms:?})"
                )));
            }
            algorithms = [alg].into_iter().collect();
        }
        let mut key = Key::new(material, algorithms);
        key.kid = jwk.kid.clone();
        Ok(key)
    }

    /// Sets the key id used for `kid` lookup (and put in the header when signing).
    #[must_use]
    pub fn with_kid(mut self, kid: impl Into<String>) -> Key {
        self.kid = Some(kid.into());
        self
    }

    /// Restricts the key to exactly one algorithm.
    ///
    /// # Errors
    /// [`ErrorKind::InvalidKey`] if the key cannot serve `alg` (an RSA key for HS256, a short
    /// secret for HS512, ...).
    pub fn with_algorithm(mut self, alg: Algorithm) -> Result<Key> {
        if !self.algorithms.contains(alg) {
            return Err(Error::invalid_key(format!(
                "this key cannot be used with {alg} (it allows {:?})",
                self.algorithms
            )));
        }
        self.algorithms = [alg].into_iter().collect();
        Ok(self)
    }

    /// The key id, if any.
    pub fn kid(&self) -> Option<&str> {
        self.kid.as_deref()
    }

    /// The algorithms this key may verify (and sign, if private).
    pub fn algorithms(&self) -> AlgorithmSet {
        self.algorithms
    }

    /// Whether the key may be used with `alg`.
    #[inline]
    pub fn allows(&self, alg: Algorithm) -> bool {
        self.algorithms.contains(alg)
    }

    /// The key family.
    pub fn family(&self) -> KeyFamily {
        match &*self.material {
            Material::Hmac { .. } => KeyFamily::Hmac,
            Material::Rsa { .. } => KeyFamily::Rsa,
            Material::Ec { curve, .. } => KeyFamily::Ec(*curve),
            Material::Ed25519 { .. } => KeyFamily::Ed25519,
        }
    }

    /// Whether this key can sign (a private key or an HMAC secret).
    pub fn can_sign(&self) -> bool {
        match &*self.material {
            Material::Hmac { .. } => true,
            Material::Rsa { pair, .. } => pair.is_some(),
            Material::Ec { pair, .. } => pair.is_some(),
            Material::Ed25519 { pair, .. } => pair.is_some(),
        }
    }

    /// The RSA modulus size in bits, for RSA keys.
    pub fn rsa_bits(&self) -> Option<usize> {
        match &*self.material {
            Material::Rsa { public, .. } => Some(public.modulus_len() * 8),
            _ => None,
        }
    }

    /// Verifies `signature` over `message` with `alg` (the raw JWS signature layer).
    ///
    /// # Errors
    /// [`ErrorKind::InvalidAlgorithm`] if the key is not bound to `alg`;
    /// [`ErrorKind::InvalidSignature`] if the signature does not verify.
    #[inline]
    pub fn verify_signature(&self, alg: Algorithm, message: &[u8], signature: &[u8]) -> Result<()> {
        if !self.algorithms.contains(alg) {
            return Err(Error::new(ErrorKind::InvalidAlgorithm));
        }
        let ok = match &*self.material {
            Material::Hmac {
                hs256,
                hs384,
                hs512,
            } => {
                let key = match alg {
                    Algorithm::HS256 => hs256,
                    Algorithm::HS384 => hs384,
                    _ => hs512,
                };
                hmac::verify(key, message, signature).is_ok()
            }
            Material::Rsa { verifiers, .. } => rsa_index(alg)
                .and_then(|i| verifiers.get(i))
                .and_then(Option::as_ref)
                .is_some_and(|v| v.verify_sig(message, signature).is_ok()),
            Material::Ec { verifier, .. } | Material::Ed25519 { verifier, .. } => {
                verifier.verify_sig(message, signature).is_ok()
            }
        };
        if ok {
            Ok(())
        } else {
            Err(Error::new(ErrorKind::InvalidSignature))
        }
    }

    /// Signs `message` with `alg` (the raw JWS signature layer).
    ///
    /// # Errors
    /// [`ErrorKind::InvalidAlgorithm`] if the key is not bound to `alg`; [`ErrorKind::Signing`]
    /// if it is a public key or the primitive fails.
    pub fn sign(&self, alg: Algorithm, message: &[u8]) -> Result<Vec<u8>> {
        if !self.algorithms.contains(alg) {
            return Err(Error::new(ErrorKind::InvalidAlgorithm));
        }
        let public_only = || Error::new(ErrorKind::Signing("a public key cannot sign".into()));
        let failed = |_| Error::new(ErrorKind::Signing("the signature primitive failed".into()));
        match &*self.material {
            Material::Hmac {
                hs256,
                hs384,
                hs512,
            } => {
                let key = match alg {
                    Algorithm::HS256 => hs256,
                    Algorithm::HS384 => hs384,
                    _ => hs512,
                };
                Ok(hmac::sign(key, message).as_ref().to_vec())
            }
            Material::Rsa { pair, .. } => {
                let pair = pair.as_ref().ok_or_else(public_only)?;
                let padding =
                    rsa_sign_padding(alg).ok_or(Error::new(ErrorKind::InvalidAlgorithm))?;
                let mut sig = vec![0u8; pair.public_modulus_len()];
                pair.sign(padding, &SystemRandom::new(), message, &mut sig)
                    .map_err(failed)?;
                Ok(sig)
            }
            Material::Ec { pair, .. } => {
                let pair = pair.as_ref().ok_or_else(public_only)?;
                Ok(pair
                    .sign(&SystemRandom::new(), message)
                    .map_err(failed)?
                    .as_ref()
                    .to_vec())
            }
            Material::Ed25519 { pair, .. } => {
                let pair = pair.as_ref().ok_or_else(public_only)?;
                Ok(pair.sign(message).as_ref().to_vec())
            }
        }
    }

    /// The public part of the key as a JWK (with `kid`, `use: sig` and, if the key is bound to
    /// one algorithm, `alg`).
    ///
    /// # Errors
    /// [`ErrorKind::InvalidKey`] for HMAC secrets, which have no public part.
    pub fn to_public_jwk(&self) -> Result<Jwk> {
        let enc = |bytes: &[u8]| base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes);
        let mut jwk = match &*self.material {
            Material::Hmac { .. } => {
                return Err(Error::invalid_key("an HMAC secret has no public JWK"));
            }
            Material::Rsa { public, .. } => {
                let components: RsaPublicKeyComponents<Vec<u8>> = public.into();
                Jwk {
                    kty: "RSA".into(),
                    n: Some(enc(&components.n)),
                    e: Some(enc(&components.e)),
                    ..Jwk::default()
                }
            }
            Material::Ec { curve, point, .. } => {
                let len = curve.coordinate_len();
                let (x, y) = point
                    .get(1..)
                    .map(|xy| xy.split_at(len.min(xy.len())))
                    .unwrap_or_default();
                Jwk {
                    kty: "EC".into(),
                    crv: Some(curve.as_str().into()),
                    x: Some(enc(x)),
                    y: Some(enc(y)),
                    ..Jwk::default()
                }
            }
            Material::Ed25519 { public, .. } => Jwk {
                kty: "OKP".into(),
                crv: Some("Ed25519".into()),
                x: Some(enc(public)),
                ..Jwk::default()
            },
        };
        jwk.use_ = Some("sig".into());
        jwk.kid = self.kid.clone();
        let mut algs = self.algorithms.iter();
        if let (Some(alg), None) = (algs.next(), algs.next()) {
            jwk.alg = Some(alg.as_str().into());
        }
        Ok(jwk)
    }
}

impl fmt::Debug for Key {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Key")
            .field("kid", &self.kid)
            .field("family", &self.family())
            .field("algorithms", &self.algorithms)
            .field("can_sign", &self.can_sign())
            .field("material", &"[redacted]")
            .finish()
    }
}

fn jwk_member(value: &Option<String>, name: &'static str) -> Result<Vec<u8>> {
    let value = value
        .as_deref()
        .ok_or_else(|| Error::invalid_key(format!("JWK member `{name}` is missing")))?;
    b64::decode_jwk_member(value)
        .map_err(|_| Error::invalid_key(format!("JWK member `{name}` is not base64url")))
}

fn strip_leading_zeros(bytes: &[u8]) -> Vec<u8> {
    let start = bytes.iter().position(|b| *b != 0).unwrap_or(bytes.len());
    bytes.get(start..).unwrap_or_default().to_vec()
}

fn rsa_public_from_der(der: &[u8]) -> Result<rsa::PublicKey> {
    rsa::PublicKey::from_der(der).map_err(|e| {
        Error::with_source(
            ErrorKind::InvalidKey("not a valid RSA public key".into()),
            e,
        )
    })
}

fn rsa_public(
    public: rsa::PublicKey,
    pair: Option<RsaKeyPair>,
    options: KeyOptions,
) -> Result<(Material, AlgorithmSet)> {
    let bits = public.modulus_len() * 8;
    if bits > MAX_RSA_BITS {
        return Err(Error::invalid_key(format!(
            "an RSA key of {bits} bits is larger than {MAX_RSA_BITS}"
        )));
    }
    if bits < MIN_RSA_BITS && !options.allow_weak {
        return Err(Error::new(ErrorKind::WeakKey(
            format!("an RSA key of {bits} bits is under {MIN_RSA_BITS} bits").into(),
        )));
    }
    let mut verifiers: [Option<ParsedPublicKey>; 6] = Default::default();
    let mut algorithms = AlgorithmSet::EMPTY;
    for (slot, alg) in verifiers.iter_mut().zip(RSA_ALGS) {
        let Some(params) = rsa_verify_params(alg, bits) else {
            continue;
        };
        let parsed = ParsedPublicKey::new(params, public.as_ref()).map_err(|e| {
            Error::with_source(
                ErrorKind::InvalidKey("not a valid RSA public key".into()),
                e,
            )
        })?;
        *slot = Some(parsed);
        algorithms.insert(alg);
    }
    if algorithms.is_empty() {
        return Err(Error::invalid_key("no algorithm can use this RSA key"));
    }
    Ok((
        Material::Rsa {
            verifiers,
            pair,
            public,
        },
        algorithms,
    ))
}

fn rsa_private(pair: RsaKeyPair, options: KeyOptions) -> Result<(Material, AlgorithmSet)> {
    let public = rsa_public_from_der(pair.public_key().as_ref())?;
    rsa_public(public, Some(pair), options)
}

fn ec_material(
    curve: Curve,
    point: Vec<u8>,
    pair: Option<EcdsaKeyPair>,
) -> Result<(Material, AlgorithmSet)> {
    let verifier = ParsedPublicKey::new(ec_verify_alg(curve), &point).map_err(|e| {
        Error::with_source(
            ErrorKind::InvalidKey(format!("not a valid {} public key", curve.as_str()).into()),
            e,
        )
    })?;
    Ok((
        Material::Ec {
            curve,
            verifier,
            pair,
            point,
        },
        [curve.algorithm()].into_iter().collect(),
    ))
}

fn ed_material(public: Vec<u8>, pair: Option<Ed25519KeyPair>) -> Result<(Material, AlgorithmSet)> {
    let verifier = ParsedPublicKey::new(&signature::ED25519, &public).map_err(|e| {
        Error::with_source(
            ErrorKind::InvalidKey("not a valid Ed25519 public key".into()),
            e,
        )
    })?;
    check_ed25519_public(&public)?;
    Ok((
        Material::Ed25519 {
            verifier,
            pair,
            public,
        },
        [Algorithm::EdDSA].into_iter().collect(),
    ))
}

/// Why an Ed25519 public key is refused although aws-lc-rs would take it. Every public Ed25519
/// key (JWK `x`, SPKI, certificate, the public half of PKCS#8) passes [`check_ed25519_public`].
const ED25519_OFF_CURVE: &str = "the Ed25519 public key is not a point on the curve";
const ED25519_SMALL_ORDER: &str =
    "the Ed25519 public key is a small-order point, which would accept forged signatures";
const ED25519_NON_CANONICAL: &str =
    "the Ed25519 public key is not canonically encoded (RFC 8032 section 5.1.3)";

/// Refuses an Ed25519 public key that is not the canonical encoding of a curve point of large
/// order. aws-lc-rs accepts any 32 bytes here, and verification (`[S]B = R + [k]A`) then holds
/// for every message when `A` is the identity, `R` the identity and `S = 0`: a universal
/// forgery. With a point of order 2, 4 or 8 the same forgery holds for one message in 2, 4 or 8,
/// so a forger varies the claims a few times until it does. RFC 8032 key generation never
/// yields such a point, nor a non-canonical encoding (`y >= p`, or `x = 0` with the sign bit
/// set), so no genuine key is lost; refusing non-canonical encodings also keeps one key from
/// having two spellings. The checks are curve25519-dalek's (decompress,
/// `is_small_order`, and re-compressing to compare the bytes), done once at load.
fn check_ed25519_public(public: &[u8]) -> Result<()> {
    use curve25519_dalek::edwards::CompressedEdwardsY;
    let encoded = CompressedEdwardsY::from_slice(public)
        .map_err(|_| Error::invalid_key("an Ed25519 public key is 32 bytes"))?;
    let point = encoded
        .decompress()
        .ok_or_else(|| Error::invalid_key(ED25519_OFF_CURVE))?;
    if point.is_small_order() {
        return Err(Error::invalid_key(ED25519_SMALL_ORDER));
    }
    if point.compress() != encoded {
        return Err(Error::invalid_key(ED25519_NON_CANONICAL));
    }
    Ok(())
}

/// Whether `e` refuses a key that was read but is not acceptable (too weak, or an Ed25519 point
/// [`check_ed25519_public`] refuses), as opposed to bytes that are not a key of that format:
/// [`Key::from_der`], which tries format after format, reports such a refusal instead of "not a
/// key".
fn is_refusal(e: &Error) -> bool {
    match e.kind() {
        ErrorKind::WeakKey(_) => true,
        ErrorKind::InvalidKey(why) => [
            ED25519_OFF_CURVE,
            ED25519_SMALL_ORDER,
            ED25519_NON_CANONICAL,
        ]
        .contains(&why.as_ref()),
        _ => false,
    }
}

/// The trailing `len` bytes of a validated SPKI: the BIT STRING contents end the structure.
fn spki_tail(spki: &[u8], len: usize) -> Result<Vec<u8>> {
    spki.len()
        .checked_sub(len)
        .and_then(|start| spki.get(start..))
        .map(<[u8]>::to_vec)
        .ok_or_else(|| Error::invalid_key("truncated public key"))
}

fn public_from_spki(der: &[u8], options: KeyOptions) -> Result<(Material, AlgorithmSet)> {
    if let Ok(public) = rsa::PublicKey::from_der(der) {
        return rsa_public(public, None, options);
    }
    for curve in CURVES {
        if ParsedPublicKey::new(ec_verify_alg(curve), der).is_ok() {
            let point = spki_tail(der, 1 + 2 * curve.coordinate_len())?;
            return ec_material(curve, point, None);
        }
    }
    if ParsedPublicKey::new(&signature::ED25519, der).is_ok() {
        return ed_material(spki_tail(der, 32)?, None);
    }
    Err(Error::invalid_key(
        "not an RSA, P-256, P-384, P-521 or Ed25519 SubjectPublicKeyInfo",
    ))
}

fn private_from_pkcs8(der: &[u8], options: KeyOptions) -> Result<(Material, AlgorithmSet)> {
    if let Ok(pair) = RsaKeyPair::from_pkcs8(der) {
        return rsa_private(pair, options);
    }
    for curve in CURVES {
        if let Ok(pair) = EcdsaKeyPair::from_pkcs8(ec_sign_alg(curve), der) {
            let point = pair.public_key().as_ref().to_vec();
            return ec_material(curve, point, Some(pair));
        }
    }
    if let Ok(pair) = Ed25519KeyPair::from_pkcs8_maybe_unchecked(der) {
        let public = pair.public_key().as_ref().to_vec();
        return ed_material(public, Some(pair));
    }
    Err(Error::invalid_key(
        "not an RSA (2048-8192 bits), P-256, P-384, P-521 or Ed25519 PKCS#8 private key",
    ))
}

fn ec_from_sec1(der: &[u8]) -> Result<(Material, AlgorithmSet)> {
    for curve in CURVES {
        if let Ok(pair) = EcdsaKeyPair::from_private_key_der(ec_sign_alg(curve), der) {
            let point = pair.public_key().as_ref().to_vec();
            return ec_material(curve, point, Some(pair));
        }
    }
    Err(Error::invalid_key(
        "not a P-256, P-384 or P-521 SEC1 private key",
    ))
}

fn public_from_certificate(der: &[u8], options: KeyOptions) -> Result<(Material, AlgorithmSet)> {
    use x509_cert::der::{Decode as _, Encode as _};
    let cert = x509_cert::Certificate::from_der(der).map_err(|e| {
        Error::with_source(
            ErrorKind::InvalidKey("not a valid X.509 certificate".into()),
            e,
        )
    })?;
    let spki = cert
        .tbs_certificate()
        .subject_public_key_info()
        .to_der()
        .map_err(|e| {
            Error::with_source(
                ErrorKind::InvalidKey("unreadable certificate key".into()),
                e,
            )
        })?;
    public_from_spki(&spki, options)
}

/// Keys that a JWKS held but that could not be used (and why).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SkippedKey {
    /// Position in the `keys` array.
    pub index: usize,
    /// The key's `kid`, if it had a readable one.
    pub kid: Option<String>,
    /// Why it was skipped.
    pub reason: String,
}

/// Many keys: a token's `kid` selects exactly one (by map lookup); a token without `kid` tries
/// only the keys allowed for its `alg`.
#[derive(Clone, Default)]
pub struct KeySet {
    keys: Vec<Key>,
    by_kid: HashMap<String, Vec<usize>>,
    by_alg: [Vec<usize>; 13],
    skipped: Vec<SkippedKey>,
}

impl KeySet {
    /// An empty set.
    pub fn new() -> KeySet {
        KeySet::default()
    }

    /// How many keys a token of `alg` without `kid` would be tried against.
    pub(crate) fn count_without_kid(&self, alg: Algorithm) -> usize {
        self.by_alg.get(alg as usize).map_or(0, Vec::len)
    }

    /// Adds a key.
    pub fn push(&mut self, key: Key) {
        let index = self.keys.len();
        if let Some(kid) = key.kid() {
            self.by_kid.entry(kid.to_owned()).or_default().push(index);
        }
        for (slot, alg) in self.by_alg.iter_mut().zip(Algorithm::ALL) {
            if key.allows(alg) {
                slot.push(index);
            }
        }
        self.keys.push(key);
    }

    /// Parses a JWK Set. A key that cannot be used here (`use: enc`, an unsupported `kty`,
    /// `crv` or `alg`, bad members, an off-curve EC point, a small-order or non-canonical
    /// Ed25519 point) is skipped and reported by [`KeySet::skipped`], not fatal.
    ///
    /// # Errors
    /// [`ErrorKind::InvalidKey`] if the text is not a JWK Set or holds no usable key.
    pub fn from_jwks_json(json: &str) -> Result<KeySet> {
        KeySet::from_jwks_json_with(json, KeyOptions::default())
    }

    pub(crate) fn from_jwks_json_with(json: &str, options: KeyOptions) -> Result<KeySet> {
        let set: JwkSet = serde_json::from_str(json)
            .map_err(|e| Error::with_source(ErrorKind::InvalidKey("not a JWK Set".into()), e))?;
        let mut keys = KeySet::new();
        for (index, value) in set.keys.into_iter().enumerate() {
            let kid = value
                .get("kid")
                .and_then(serde_json::Value::as_str)
                .map(str::to_owned);
            let parsed = serde_json::from_value::<Jwk>(value)
                .map_err(|e| Error::with_source(ErrorKind::InvalidKey("not a JWK".into()), e))
                .and_then(|jwk| Key::from_jwk_with(&jwk, options));
            match parsed {
                Ok(key) => keys.push(key),
                Err(e) => keys.skipped.push(SkippedKey {
                    index,
                    kid,
                    reason: e.to_string(),
                }),
            }
        }
        if keys.is_empty() {
            return Err(Error::invalid_key(match keys.skipped.first() {
                Some(first) => format!(
                    "the JWK Set holds no usable key (first problem: {})",
                    first.reason
                ),
                None => "the JWK Set holds no keys".to_owned(),
            }));
        }
        Ok(keys)
    }

    /// Keys of a JWKS that were skipped, with reasons.
    pub fn skipped(&self) -> &[SkippedKey] {
        &self.skipped
    }

    /// The keys, in insertion order.
    pub fn keys(&self) -> &[Key] {
        &self.keys
    }

    /// Number of keys.
    pub fn len(&self) -> usize {
        self.keys.len()
    }

    /// Whether there are no keys.
    pub fn is_empty(&self) -> bool {
        self.keys.is_empty()
    }

    /// The union of the algorithms of all keys.
    pub fn algorithms(&self) -> AlgorithmSet {
        self.keys
            .iter()
            .flat_map(|k| k.algorithms().iter())
            .collect()
    }

    /// The keys to try for a token with this `kid` and `alg`.
    ///
    /// # Errors
    /// [`ErrorKind::UnknownKey`] if `kid` names no key (or, without `kid`, no key allows `alg`);
    /// [`ErrorKind::InvalidAlgorithm`] if the key named by `kid` is not bound to `alg`.
    pub fn select(&self, kid: Option<&str>, alg: Algorithm) -> Result<impl Iterator<Item = &Key>> {
        let indices: &[usize] = match kid {
            Some(kid) => {
                let indices = self
                    .by_kid
                    .get(kid)
                    .ok_or(Error::new(ErrorKind::UnknownKey))?;
                if !indices
                    .iter()
                    .filter_map(|i| self.keys.get(*i))
                    .any(|k| k.allows(alg))
                {
                    return Err(Error::new(ErrorKind::InvalidAlgorithm));
                }
                indices
            }
            None => {
                let indices = self
                    .by_alg
                    .get(alg as usize)
                    .map(Vec::as_slice)
                    .unwrap_or_default();
                if indices.is_empty() {
                    return Err(Error::new(ErrorKind::UnknownKey));
                }
                indices
            }
        };
        Ok(indices
            .iter()
            .filter_map(|i| self.keys.get(*i))
            .filter(move |k| k.allows(alg)))
    }
}

impl FromIterator<Key> for KeySet {
    fn from_iter<I: IntoIterator<Item = Key>>(iter: I) -> Self {
        let mut set = KeySet::new();
        for key in iter {
            set.push(key);
        }
        set
    }
}

impl From<Key> for KeySet {
    fn from(key: Key) -> Self {
        std::iter::once(key).collect()
    }
}

impl fmt::Debug for KeySet {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("KeySet")
            .field("keys", &self.keys)
            .field("skipped", &self.skipped)
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hmac_binding_follows_secret_length() {
        let algs = |n: usize| {
            Key::hmac(vec![1u8; n])
                .map(|k| k.algorithms().iter().count())
                .ok()
        };
        assert_eq!(algs(31), None);
        assert_eq!(algs(32), Some(1));
        assert_eq!(algs(48), Some(2));
        assert_eq!(algs(64), Some(3));
    }

    #[test]
    fn verify_refuses_algorithms_outside_the_binding() {
        let key = Key::hmac([3u8; 32]).ok();
        let err = key.and_then(|k| k.verify_signature(Algorithm::HS512, b"m", b"s").err());
        assert_eq!(err.map(Error::into_kind), Some(ErrorKind::InvalidAlgorithm));
    }

    #[test]
    fn sign_then_verify_raw() {
        let Ok(key) = Key::hmac([5u8; 64]) else {
            return;
        };
        for alg in [Algorithm::HS256, Algorithm::HS384, Algorithm::HS512] {
            let sig = key.sign(alg, b"message").unwrap_or_default();
            assert_eq!(sig.len(), alg.hmac_min_key_len().unwrap_or(0));
            assert!(key.verify_signature(alg, b"message", &sig).is_ok());
            assert!(key.verify_signature(alg, b"massage", &sig).is_err());
        }
    }

    #[test]
    fn jwk_use_and_key_ops() {
        let base = Jwk {
            kty: "oct".into(),
            k: Some("AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA".into()),
            ..Jwk::default()
        };
        assert!(Key::from_jwk(&base).is_ok());
        let enc = Jwk {
            use_: Some("enc".into()),
            ..base.clone()
        };
        assert!(matches!(
            Key::from_jwk(&enc).map_err(Error::into_kind),
            Err(ErrorKind::InvalidKey(_))
        ));
        let wrap = Jwk {
            key_ops: Some(vec!["wrapKey".into()]),
            ..base.clone()
        };
        assert!(matches!(
            Key::from_jwk(&wrap).map_err(Error::into_kind),
            Err(ErrorKind::InvalidKey(_))
        ));
        let bound = Jwk {
            alg: Some("HS256".into()),
            kid: Some("a".into()),
            ..base.clone()
        };
        let key = Key::from_jwk(&bound).ok();
        assert_eq!(key.as_ref().and_then(Key::kid), Some("a"));
        let wrong = Jwk {
            alg: Some("RS256".into()),
            ..base
        };
        assert!(Key::from_jwk(&wrong).is_err());
    }

    #[test]
    fn select_by_kid_and_alg() {
        let set: KeySet = [
            Key::hmac([1u8; 32]).map(|k| k.with_kid("a")),
            Key::hmac([2u8; 64]).map(|k| k.with_kid("b")),
        ]
        .into_iter()
        .flatten()
        .collect();
        let count = |kid, alg| {
            set.select(kid, alg)
                .map(Iterator::count)
                .map_err(Error::into_kind)
        };
        assert_eq!(count(Some("a"), Algorithm::HS256), Ok(1));
        assert_eq!(
            count(Some("a"), Algorithm::HS512),
            Err(ErrorKind::InvalidAlgorithm)
        );
        assert_eq!(
            count(Some("z"), Algorithm::HS256),
            Err(ErrorKind::UnknownKey)
        );
        assert_eq!(count(None, Algorithm::HS256), Ok(2));
        assert_eq!(count(None, Algorithm::HS512), Ok(1));
        assert_eq!(count(None, Algorithm::RS256), Err(ErrorKind::UnknownKey));
    }

    #[test]
    fn debug_is_redacted() {
        let shown = format!("{:?}", Key::hmac(b"0123456789abcdef0123456789abcdef").ok());
        assert!(
            shown.contains("[redacted]") && !shown.contains("0123456789"),
            "{shown}"
        );
    }
}
