//! Keys from JSON Web Keys (RFC 7517, RFC 7518 §6, RFC 8037) and back ([`Key::to_public_jwk`]).
//! The serde model itself is [`crate::jwk`].

use std::sync::Arc;

use aws_lc_rs::rsa;
use aws_lc_rs::signature::{
    self, EcdsaKeyPair, Ed25519KeyPair, RsaKeyPair, RsaPublicKeyComponents,
};
use base64::Engine as _;

use crate::algorithm::{Algorithm, Curve};
use crate::b64;
use crate::error::{Error, ErrorKind, Result};
use crate::jwk::Jwk;
use crate::key::material::{
    KeyOptions, Material, ec_material, ec_sign_alg, ed_material, rsa_private, rsa_public,
    rsa_public_from_der,
};
use crate::key::sign::Key;

impl Key {
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

#[cfg(test)]
mod tests {
    use super::*;

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
}
