#!/usr/bin/env python3
"""PyJWT side of jwt-guard's interoperability tests (tests/interop.rs).

Reads one JSON document on stdin, runs every job in it with PyJWT (the reference JWT
implementation), and writes one JSON document on stdout, so that a test spawns Python once for
all algorithms.

Input:  {"jobs": [JOB, ...]}
  {"op": "encode", "id": str, "alg": str, "key": KEY, "claims": {...}, "headers": {...}}
      -> jwt.encode(claims, key, algorithm=alg, headers=headers); the result also carries the
         public key as PyJWT exports it (`to_jwk`, with the header `kid` added), for the
         other side to verify with.
  {"op": "decode", "id": str, "alg": str, "key": KEY, "token": str,
   "audience": str, "issuer": str}
      -> jwt.decode(token, key, algorithms=[alg], audience=audience, issuer=issuer)
  KEY is {"pem": str} (PEM text), {"secret_hex": str} (HMAC secret bytes, hex) or
  {"jwk": {...}} (a JWK, loaded with jwt.PyJWK).

Output: {"pyjwt": version, "cryptography": version, "results": [RESULT, ...]} in job order,
  RESULT = {"id": str, "ok": true, ...} or {"id": str, "ok": false, "error": exception class
  name, "message": str}. An encode result has "token" and "public_jwk"; a decode result has
  "claims" and "header" (the header as PyJWT read it). Every result lists the "warnings"
  PyJWT raised.

If PyJWT or cryptography cannot be imported, prints {"missing": reason} and exits with status 3.
"""

import json
import sys
import warnings

MISSING_EXIT = 3

try:
    import cryptography
    import jwt
    from jwt.algorithms import get_default_algorithms, has_crypto
except ImportError as error:
    json.dump({"missing": f"cannot import PyJWT/cryptography: {error}"}, sys.stdout)
    sys.exit(MISSING_EXIT)

if not has_crypto:
    json.dump({"missing": "PyJWT cannot use the cryptography package"}, sys.stdout)
    sys.exit(MISSING_EXIT)


def load_key(spec):
    if "pem" in spec:
        return spec["pem"]
    if "secret_hex" in spec:
        return bytes.fromhex(spec["secret_hex"])
    if "jwk" in spec:
        return jwt.PyJWK(spec["jwk"])
    raise ValueError(f"unknown key spec: {sorted(spec)}")


def public_jwk(alg, spec, kid):
    """The verification key of `spec` as PyJWT exports it to a JWK."""
    alg_obj = get_default_algorithms()[alg]
    key = alg_obj.prepare_key(load_key(spec))
    if hasattr(key, "public_key"):
        key = key.public_key()
    jwk = json.loads(alg_obj.to_jwk(key))
    jwk["kid"] = kid
    return jwk


def run(job):
    op = job["op"]
    if op == "encode":
        token = jwt.encode(
            job["claims"],
            load_key(job["key"]),
            algorithm=job["alg"],
            headers=job.get("headers"),
        )
        kid = (job.get("headers") or {}).get("kid")
        return {"token": token, "public_jwk": public_jwk(job["alg"], job["key"], kid)}
    if op == "decode":
        claims = jwt.decode(
            job["token"],
            load_key(job["key"]),
            algorithms=[job["alg"]],
            audience=job["audience"],
            issuer=job["issuer"],
        )
        return {"claims": claims, "header": jwt.get_unverified_header(job["token"])}
    raise ValueError(f"unknown op {op!r}")


def main():
    request = json.load(sys.stdin)
    results = []
    for job in request["jobs"]:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            try:
                result = {"id": job["id"], "ok": True, **run(job)}
            except Exception as error:  # reported to the Rust side by class name
                result = {
                    "id": job["id"],
                    "ok": False,
                    "error": type(error).__name__,
                    "message": str(error),
                }
        result["warnings"] = [f"{w.category.__name__}: {w.message}" for w in caught]
        results.append(result)
    json.dump(
        {
            "pyjwt": jwt.__version__,
            "cryptography": cryptography.__version__,
            "results": results,
        },
        sys.stdout,
    )


if __name__ == "__main__":
    main()
