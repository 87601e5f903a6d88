//! What a [`Key`](super::Key) holds once parsed: one [`ParsedPublicKey`] per algorithm it may
//! verify (and the key pair, if it can sign), built here from the primitives every import path
//! reads (an RSA public key, an EC point, Ed25519 public bytes), with the checks done once at load:
//! RSA size bounds, EC points on the curve, Ed25519 points of large order and canonically encoded.

use aws_lc_rs::signature::{
    self, EcdsaKeyPair, Ed25519KeyPair, KeyPair as _, ParsedPublicKey, RsaKeyPair,
};
use aws_lc_rs::{hmac, rsa};

use crate::algorithm::{Algorithm, AlgorithmSet, Curve};
use crate::error::{Error, ErrorKind, Result};

/// Smallest RSA modulus accepted without the `dangerous` opt-out.
pub const MIN_RSA_BITS: usize = 2048;
/// Largest RSA modulus aws-lc-rs verifies.
pub const MAX_RSA_BITS: usize = 8192;

// The RSA variant is the large one; `Material` always lives behind an `Arc`.
#[allow(clippy::large_enum_variant)]
pub(super) enum Material {
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

impl Material {
    /// The HMAC key for `alg` (HS256, HS384, HS512); `None` for another algorithm or material.
    #[inline]
    pub(super) fn hmac_key(&self, alg: Algorithm) -> Option<&hmac::Key> {
        match (self, alg) {
            (Material::Hmac { hs256, .. }, Algorithm::HS256) => Some(hs256),
            (Material::Hmac { hs384, .. }, Algorithm::HS384) => Some(hs384),
            (Material::Hmac { hs512, .. }, Algorithm::HS512) => Some(hs512),
            _ => None,
        }
    }
}

#[derive(Clone, Copy, Default)]
pub(crate) struct KeyOptions {
    pub(crate) allow_weak: bool,
}

pub(super) fn rsa_index(alg: Algorithm) -> Option<usize> {
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

pub(super) fn rsa_sign_padding(alg: Algorithm) -> Option<&'static dyn signature::RsaEncoding> {
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

pub(super) fn ec_verify_alg(curve: Curve) -> &'static signature::EcdsaVerificationAlgorithm {
    match curve {
        Curve::P256 => &signature::ECDSA_P256_SHA256_FIXED,
        Curve::P384 => &signature::ECDSA_P384_SHA384_FIXED,
        Curve::P521 => &signature::ECDSA_P521_SHA512_FIXED,
    }
}

pub(super) fn ec_sign_alg(curve: Curve) -> &'static signature::EcdsaSigningAlgorithm {
    match curve {
        Curve::P256 => &signature::ECDSA_P256_SHA256_FIXED_SIGNING,
        Curve::P384 => &signature::ECDSA_P384_SHA384_FIXED_SIGNING,
        Curve::P521 => &signature::ECDSA_P521_SHA512_FIXED_SIGNING,
    }
}

pub(super) const CURVES: [Curve; 3] = [Curve::P256, Curve::P384, Curve::P521];

pub(super) fn rsa_public_from_der(der: &[u8]) -> Result<rsa::PublicKey> {
    rsa::PublicKey::from_der(der).map_err(|e| {
        Error::with_source(
            ErrorKind::InvalidKey("not a valid RSA public key".into()),
            e,
        )
    })
}

pub(super) fn rsa_public(
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

pub(super) fn rsa_private(
    pair: RsaKeyPair,
    options: KeyOptions,
) -> Result<(Material, AlgorithmSet)> {
    let public = rsa_public_from_der(pair.public_key().as_ref())?;
    rsa_public(public, Some(pair), options)
}

pub(super) fn ec_material(
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

pub(super) fn ed_material(
    public: Vec<u8>,
    pair: Option<Ed25519KeyPair>,
) -> Result<(Material, AlgorithmSet)> {
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
pub(super) const ED25519_OFF_CURVE: &str = "the Ed25519 public key is not a point on the curve";
pub(super) const ED25519_SMALL_ORDER: &str =
    "the Ed25519 public key is a small-order point, which would accept forged signatures";
pub(super) const ED25519_NON_CANONICAL: &str =
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
