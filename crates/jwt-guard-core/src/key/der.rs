//! Keys from DER and PEM: SubjectPublicKeyInfo (read by its algorithm OID), PKCS#8, PKCS#1,
//! SEC1 and X.509 certificates (their public key).

use aws_lc_rs::rsa;
use aws_lc_rs::signature::{
    self, EcdsaKeyPair, Ed25519KeyPair, KeyPair as _, ParsedPublicKey, RsaKeyPair,
};

use crate::algorithm::AlgorithmSet;
use crate::error::{Error, ErrorKind, Result};
use crate::key::material::{
    CURVES, ED25519_NON_CANONICAL, ED25519_OFF_CURVE, ED25519_SMALL_ORDER, KeyOptions, Material,
    ec_material, ec_sign_alg, ec_verify_alg, ed_material, rsa_private, rsa_public,
    rsa_public_from_der,
};
use crate::key::sign::Key;

impl Key {
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
