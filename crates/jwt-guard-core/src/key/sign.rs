//! [`Key`]: the handle every import path returns (parsed material shared behind an `Arc`, a
//! `kid`, the algorithms it is bound to), HMAC secrets, and the raw JWS signature layer
//! ([`Key::verify_signature`], [`Key::sign`]).

use std::fmt;
use std::sync::Arc;

use aws_lc_rs::hmac;
use aws_lc_rs::rand::SystemRandom;

use crate::algorithm::{Algorithm, AlgorithmSet, KeyFamily};
use crate::b64;
use crate::error::{Error, ErrorKind, Result};
use crate::key::material::{KeyOptions, Material, rsa_index, rsa_sign_padding};

/// A verification (and, for private keys and secrets, signing) key.
///
/// Cheap to clone: the parsed material is shared. `Debug` never prints key material.
#[derive(Clone)]
pub struct Key {
    pub(super) kid: Option<String>,
    pub(super) algorithms: AlgorithmSet,
    pub(super) material: Arc<Material>,
}

impl Key {
    pub(super) fn new(material: Material, algorithms: AlgorithmSet) -> Key {
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
            Material::Hmac { .. } => self
                .material
                .hmac_key(alg)
                .is_some_and(|key| hmac::verify(key, message, signature).is_ok()),
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
            Material::Hmac { .. } => {
                let key = self
                    .material
                    .hmac_key(alg)
                    .ok_or(Error::new(ErrorKind::InvalidAlgorithm))?;
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
    fn debug_is_redacted() {
        let shown = format!("{:?}", Key::hmac(b"0123456789abcdef0123456789abcdef").ok());
        assert!(
            shown.contains("[redacted]") && !shown.contains("0123456789"),
            "{shown}"
        );
    }
}
