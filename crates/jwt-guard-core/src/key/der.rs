//! Keys from DER and PEM: SubjectPublicKeyInfo, PKCS#8, PKCS#1, SEC1 and X.509 certificates
//! (their public key). A SubjectPublicKeyInfo is decoded (`spki`) and its algorithm OID picks the
//! one parser that reads it; DER of unknown form is tried format by format, and a key that was
//! read but refused (too weak, a bad Ed25519 point) is reported as such rather than as "not a
//! key".

use aws_lc_rs::signature::{
    self, EcdsaKeyPair, Ed25519KeyPair, KeyPair as _, ParsedPublicKey, RsaKeyPair,
};
use spki::der::{AnyRef, Decode as _};
use spki::{ObjectIdentifier, SubjectPublicKeyInfoRef};

use crate::algorithm::{AlgorithmSet, Curve};
use crate::error::{Error, ErrorKind, Result};
use crate::key::material::{
    CURVES, ED25519_NON_CANONICAL, ED25519_OFF_CURVE, ED25519_SMALL_ORDER, KeyOptions, Material,
    ec_material, ec_sign_alg, ec_verify_alg, ed_material, rsa_private, rsa_public,
    rsa_public_from_der,
};
use crate::key::sign::Key;

impl Key {
    /// A key from PEM text: `PUBLIC KEY` (SPKI, or PKCS#1 under that label), `RSA PUBLIC KEY`
    /// (PKCS#1), `PRIVATE KEY` (PKCS#8), `RSA PRIVATE KEY` (PKCS#1), `EC PRIVATE KEY` (SEC1) or
    /// `CERTIFICATE` (its public key). Other blocks (such as `EC PARAMETERS`) are skipped.
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
                "PUBLIC KEY" => match public_from_spki(der, options) {
                    // Some tools write a PKCS#1 `RSAPublicKey` under this label: read it as
                    // `RSA PUBLIC KEY` would (as `from_der` reads any DER).
                    Err(e) if !is_refusal(&e) => match rsa_public_from_der(der) {
                        Ok(public) => rsa_public(public, None, options)?,
                        Err(_) => return Err(e),
                    },
                    other => other?,
                },
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
/// that `material::check_ed25519_public` refuses), as opposed to bytes that are not a key of that
/// format: [`Key::from_der`], which tries format after format, reports such a refusal instead of
/// "not a key".
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

/// rsaEncryption (RFC 8017 appendix C).
const RSA_ENCRYPTION: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.1.1");
/// id-RSASSA-PSS (RFC 4055 §3.1): an RSA key like any other here (aws-lc-rs checks the
/// parameters; the key serves the algorithms its size allows, as under rsaEncryption).
const RSASSA_PSS: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.1.10");
/// id-ecPublicKey (RFC 5480 §2.1.1).
const EC_PUBLIC_KEY: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.10045.2.1");
/// id-Ed25519 (RFC 8410 §3).
const ED25519: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.3.101.112");
/// The named curves (RFC 5480 §2.1.1.1) of the curves this crate reads.
const NAMED_CURVES: [(ObjectIdentifier, Curve); 3] = [
    (
        ObjectIdentifier::new_unwrap("1.2.840.10045.3.1.7"),
        Curve::P256,
    ),
    (ObjectIdentifier::new_unwrap("1.3.132.0.34"), Curve::P384),
    (ObjectIdentifier::new_unwrap("1.3.132.0.35"), Curve::P521),
];

const NOT_AN_SPKI: &str = "not an RSA, P-256, P-384, P-521 or Ed25519 SubjectPublicKeyInfo";

/// A SubjectPublicKeyInfo, read by its algorithm OID: the structure is decoded exactly (no bytes
/// after it; bare key bytes are not an SPKI), the OID picks the one aws-lc-rs parser that checks
/// it (with its parameters: absent or NULL for RSA, the named or explicitly given curve for EC,
/// none for Ed25519), and the key bytes are the decoded BIT STRING.
fn public_from_spki(der: &[u8], options: KeyOptions) -> Result<(Material, AlgorithmSet)> {
    let not_an_spki = || Error::invalid_key(NOT_AN_SPKI);
    let spki = SubjectPublicKeyInfoRef::from_der(der).map_err(|_| not_an_spki())?;
    let key = spki.subject_public_key.as_bytes().ok_or_else(not_an_spki)?;
    let algorithm = spki.algorithm.oid;
    if algorithm == RSA_ENCRYPTION || algorithm == RSASSA_PSS {
        rsa_public(rsa_public_from_der(der)?, None, options)
    } else if algorithm == EC_PUBLIC_KEY {
        let curve = ec_curve(spki.algorithm.parameters, key).ok_or_else(not_an_spki)?;
        ParsedPublicKey::new(ec_verify_alg(curve), der).map_err(|e| {
            Error::with_source(
                ErrorKind::InvalidKey(format!("not a valid {} public key", curve.as_str()).into()),
                e,
            )
        })?;
        if key.len() != 1 + 2 * curve.coordinate_len() || key.first() != Some(&0x04) {
            return Err(Error::invalid_key(format!(
                "the {} public key is not an uncompressed point",
                curve.as_str()
            )));
        }
        ec_material(curve, key.to_vec(), None)
    } else if algorithm == ED25519 {
        ParsedPublicKey::new(&signature::ED25519, der).map_err(|e| {
            Error::with_source(
                ErrorKind::InvalidKey("not a valid Ed25519 public key".into()),
                e,
            )
        })?;
        ed_material(key.to_vec(), None)
    } else {
        Err(not_an_spki())
    }
}

/// The curve of an id-ecPublicKey SPKI: the named curve, or, for parameters given explicitly,
/// the curve whose uncompressed points are as long as `point` (aws-lc-rs then checks that the
/// parameters are that curve's).
fn ec_curve(parameters: Option<AnyRef<'_>>, point: &[u8]) -> Option<Curve> {
    match parameters?.decode_as::<ObjectIdentifier>() {
        Ok(named) => NAMED_CURVES
            .into_iter()
            .find_map(|(oid, curve)| (oid == named).then_some(curve)),
        Err(_) => CURVES
            .into_iter()
            .find(|curve| point.len() == 1 + 2 * curve.coordinate_len()),
    }
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::ErrorKind;

    const ED25519_PUB: &str = include_str!("../../tests/fixtures/keys/ed25519.pub.pem");
    const P256_PUB: &str = include_str!("../../tests/fixtures/keys/p256.pub.pem");
    const RSA_PUB: &str = include_str!("../../tests/fixtures/keys/rsa2048.pub.pem");
    /// `openssl ec -in tests/fixtures/keys/p256.key.pem -pubout -param_enc explicit`
    const P256_EXPLICIT_PARAMS: &str = "-----BEGIN PUBLIC KEY-----
MIIBSzCCAQMGByqGSM49AgEwgfcCAQEwLAYHKoZIzj0BAQIhAP////8AAAABAAAA
AAAAAAAAAAAA////////////////MFsEIP////8AAAABAAAAAAAAAAAAAAAA////
///////////8BCBaxjXYqjqT57PrvVV2mIa8ZR0GsMxTsPY7zjw+J9JgSwMVAMSd
NgiG5wSTamZ44ROdJreBn36QBEEEaxfR8uEsQkf4vOblY6RA8ncDfYEt6zOg9KE5
RdiYwpZP40Li/hp/m47n60p8D54WK84zV2sxXs7LtkBoN79R9QIhAP////8AAAAA
//////////+85vqtpxeehPO5ysL8YyVRAgEBA0IABK8/FjRpH/xumRiJihS7J6KD
svA6J+A87qS2pM9ydcyhGQExBuVZJaLDzSEd/SkIIId+Qnx+6h73HW4Sxx7CcaM=
-----END PUBLIC KEY-----";
    /// `openssl ec -in tests/fixtures/keys/p256.key.pem -pubout -conv_form compressed`
    const P256_COMPRESSED: &str = "-----BEGIN PUBLIC KEY-----
MDkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDIgADrz8WNGkf/G6ZGImKFLsnooOy8Don
4DzupLakz3J1zKE=
-----END PUBLIC KEY-----";

    fn der_of(pem_text: &str) -> Vec<u8> {
        pem::parse(pem_text)
            .map(pem::Pem::into_contents)
            .unwrap_or_default()
    }

    fn public_pem(der: &[u8]) -> String {
        pem::encode(&pem::Pem::new("PUBLIC KEY", der.to_vec()))
    }

    fn jwk_of(key: Result<Key>) -> std::result::Result<String, ErrorKind> {
        key.and_then(|k| k.to_public_jwk())
            .map(|jwk| serde_json::to_string(&jwk).unwrap_or_default())
            .map_err(Error::into_kind)
    }

    /// The algorithm OID of a SubjectPublicKeyInfo decides which parser reads it, and the
    /// parser reads exactly that structure: bytes after it, or bare key bytes that are not an
    /// SPKI at all, are no SPKI (before, an Ed25519 SPKI with two bytes after it loaded as
    /// another key, its last 32 bytes, and any 32 bytes loaded as an Ed25519 key).
    #[test]
    fn spki_is_read_exactly() {
        for (name, pem_text) in [
            ("Ed25519", ED25519_PUB),
            ("P-256", P256_PUB),
            ("RSA", RSA_PUB),
        ] {
            let mut der = der_of(pem_text);
            let genuine = jwk_of(Key::from_der(&der));
            assert!(genuine.is_ok(), "{name}");
            der.extend_from_slice(&[0, 0]);
            // The PKCS#1 reader (which aws-lc-rs lets read an RSA SPKI from the front) still
            // finds the same RSA key; no other key is ever found.
            let (from_pem, from_der) = match name {
                "RSA" => (genuine.clone(), genuine),
                _ => (
                    Err(ErrorKind::InvalidKey(NOT_AN_SPKI.into())),
                    Err(ErrorKind::InvalidKey(
                        "the DER bytes are not a key or certificate this crate reads".into(),
                    )),
                ),
            };
            assert_eq!(
                jwk_of(Key::from_pem(public_pem(&der))),
                from_pem,
                "{name} with two bytes after the SPKI, as PEM"
            );
            assert_eq!(
                jwk_of(Key::from_der(&der)),
                from_der,
                "{name} with two bytes after the SPKI, as DER"
            );
        }
        let ed = der_of(ED25519_PUB);
        let p256 = der_of(P256_PUB);
        // The bare key bytes: the last 32 of the Ed25519 SPKI, the last 65 (the uncompressed
        // point) of the P-256 one.
        for (name, bare) in [
            ("bare Ed25519 key", ed.get(ed.len() - 32..)),
            ("bare P-256 point", p256.get(p256.len() - 65..)),
        ] {
            let bare = bare.unwrap_or_default();
            assert!(
                matches!(jwk_of(Key::from_der(bare)), Err(ErrorKind::InvalidKey(_))),
                "{name} as DER"
            );
            assert_eq!(
                jwk_of(Key::from_pem(public_pem(bare))),
                Err(ErrorKind::InvalidKey(NOT_AN_SPKI.into())),
                "{name} as PEM"
            );
        }
    }

    /// What the algorithm OID dispatch keeps: explicit curve parameters (of a curve this crate
    /// reads) load like the named curve; a compressed point does not load; an RSA key under the
    /// RSASSA-PSS OID loads like one under rsaEncryption, and a PKCS#1 RSA key under the
    /// `PUBLIC KEY` label like one under `RSA PUBLIC KEY`; other algorithms are refused.
    #[test]
    fn spki_forms_by_algorithm() {
        assert_eq!(
            jwk_of(Key::from_pem(P256_EXPLICIT_PARAMS)),
            jwk_of(Key::from_pem(P256_PUB))
        );
        assert!(matches!(
            jwk_of(Key::from_pem(P256_COMPRESSED)),
            Err(ErrorKind::InvalidKey(_))
        ));
        // rsaEncryption with NULL parameters -> id-RSASSA-PSS without parameters.
        let rsa = der_of(RSA_PUB);
        let rsa_encryption: &[u8] = &[
            0x30, 0x0d, 0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x01, 0x05,
            0x00,
        ];
        let rsassa_pss: &[u8] = &[
            0x30, 0x0b, 0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x0a,
        ];
        assert_eq!(rsa.get(..4), Some(&[0x30, 0x82, 0x01, 0x22][..]));
        assert_eq!(rsa.get(4..19), Some(rsa_encryption));
        let mut pss = vec![0x30, 0x82, 0x01, 0x20];
        pss.extend_from_slice(rsassa_pss);
        pss.extend_from_slice(rsa.get(19..).unwrap_or_default());
        assert_eq!(jwk_of(Key::from_der(&pss)), jwk_of(Key::from_der(&rsa)));
        // A PKCS#1 RSAPublicKey under the SPKI label loads as under its own.
        let pkcs1 = der_of(include_str!(
            "../../tests/fixtures/pem/pkcs1_rsa2048.pub.pem"
        ));
        let labelled = pem::encode(&pem::Pem::new("RSA PUBLIC KEY", pkcs1.clone()));
        assert!(jwk_of(Key::from_pem(&labelled)).is_ok());
        assert_eq!(
            jwk_of(Key::from_pem(public_pem(&pkcs1))),
            jwk_of(Key::from_pem(labelled))
        );
        // X25519 (1.3.101.110) is not Ed25519 (1.3.101.112).
        let mut x25519 = der_of(ED25519_PUB);
        assert_eq!(x25519.get(8), Some(&0x70));
        if let Some(byte) = x25519.get_mut(8) {
            *byte = 0x6e;
        }
        assert_eq!(
            jwk_of(Key::from_pem(public_pem(&x25519))),
            Err(ErrorKind::InvalidKey(NOT_AN_SPKI.into()))
        );
    }
}
