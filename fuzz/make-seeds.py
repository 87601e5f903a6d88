#!/usr/bin/env python3
"""Writes the checked-in seed corpora (fuzz/seeds/<target>/) from the repository's test key
fixtures, the RFC 7515 and JOSE cookbook vectors (crates/jwt-guard-core/tests/fixtures/) and
hand-written cases. Needs PyJWT and cryptography (scripts/pyjwt-requirements.txt).

Run from anywhere: python3 fuzz/make-seeds.py  (rewrites the seeds it names by content hash and
the cache_admit seeds; keeps every other named input; deterministic except for the ECDSA/RSA-PSS
signatures, which are randomized by their algorithms)."""

import base64
import hashlib
import json
import os
import re
import struct
import sys

import jwt
from cryptography.hazmat.primitives import serialization

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
FIX = os.path.join(ROOT, "crates", "jwt-guard-core", "tests", "fixtures")
KEYS = os.path.join(FIX, "keys")
SEEDS = os.path.join(HERE, "seeds")

NOW = 1_700_000_000
FAR = 4_102_444_800  # 2100-01-01
ISS = "https://issuer.example"


def read(*parts, mode="r"):
    with open(os.path.join(*parts), mode) as f:
        return f.read()


def b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def seed(target: str, data) -> None:
    if isinstance(data, str):
        data = data.encode()
    folder = os.path.join(SEEDS, target)
    os.makedirs(folder, exist_ok=True)
    name = hashlib.sha1(data).hexdigest()[:16]
    with open(os.path.join(folder, name), "wb") as f:
        f.write(data)


def compact(header: dict, claims: dict) -> bytes:
    return json.dumps(header, separators=(",", ":")).encode() + b"\0" + json.dumps(
        claims, separators=(",", ":")
    ).encode()


def main() -> None:
    # Only the seeds this script names by content hash are rewritten: inputs kept by name (the
    # inputs of fixed crashes and harness faults, hand-made cases) stay.
    for folder, _, files in os.walk(SEEDS):
        for name in files:
            if re.fullmatch(r"[0-9a-f]{16}", name):
                os.remove(os.path.join(folder, name))
    secret = read(KEYS, "hs256.secret", mode="rb")
    priv = {
        "rsa": read(KEYS, "rsa2048.key.pem"),
        "p256": read(KEYS, "p256.key.pem"),
        "p384": read(KEYS, "p384.key.pem"),
        "p521": read(KEYS, "p521.key.pem"),
        "ed": read(KEYS, "ed25519.key.pem"),
    }
    good = {"iss": ISS, "aud": "api", "exp": FAR, "iat": NOW - 10, "nbf": NOW - 100, "sub": "ada"}

    # token_verify: valid tokens for each verifier of the target, then vectors and junk.
    tokens = [
        jwt.encode(good, secret, "HS256"),
        jwt.encode(good, secret, "HS512"),
        jwt.encode({"sub": "a"}, secret, "HS256", headers={"kid": "hs-1"}),
        jwt.encode(good, priv["rsa"], "RS256", headers={"kid": "rsa-1"}),
        jwt.encode(good, priv["rsa"], "PS256", headers={"kid": "rsa-1"}),
        jwt.encode(good, priv["p256"], "ES256"),
        jwt.encode(good, priv["p384"], "ES384"),
        jwt.encode(good, priv["p521"], "ES512"),
        jwt.encode(good, priv["ed"], "EdDSA"),
        jwt.encode(good, priv["p256"], "ES256", headers={"kid": "ec-1", "typ": "at+jwt"}),
        jwt.encode(good, priv["ed"], "EdDSA", headers={"kid": "ed-1", "typ": "at+jwt"}),
        jwt.encode(dict(good, iss="https://other.example"), priv["ed"], "EdDSA"),
        jwt.encode(dict(good, exp=NOW - 1000), secret, "HS256"),
        jwt.encode(dict(good, aud=["x", "api"]), secret, "HS256"),
        jwt.encode(good, secret, "HS256", headers={"crit": ["exp"], "exp": 1}),
    ]
    for name in ("a1_hs256.jws", "a2_rs256.jws", "a3_es256.jws"):
        tokens.append(read(FIX, "rfc7515", name).strip())
    for name in sorted(os.listdir(os.path.join(FIX, "jose-cookbook", "jws"))):
        doc = json.loads(read(FIX, "jose-cookbook", "jws", name))
        c = doc.get("output", {}).get("compact")
        if c:
            tokens.append(c)
    tokens += ["a.b.c", "..", "eyJhbGciOiJub25lIn0.e30.", "eyJhbGciOiJIUzI1NiJ9.e30.AA"]
    for t in tokens:
        seed("token_verify", t)
        seed("base64_strict", b"\0A" + t.rsplit(".", 1)[0].encode())
    seed("base64_strict", b"\1=eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJhIn0")
    seed("base64_strict", b"\2Aey.J")
    seed("base64_strict", b"\0\0eyJhbGciOiJIUzI1NiJ9=.e30")

    # signed_claims: flags, leeway|alg, header NUL payload.
    hs = {"alg": "HS256", "typ": "JWT"}
    cases = [
        (0x03, 0x05, hs, dict(good, aud=["api"], iss=ISS)),
        (0xFF, 0x3C, dict(hs, crit=["exp_ext"], exp_ext=1), dict(good, jti="j", scope="a b")),
        (0x10, 0x00, {"alg": "HS256"}, {"sub": "x"}),
        (0x24, 0x80, {"alg": "EdDSA", "kid": "e"}, {"iat": NOW - 5, "exp": NOW + 5.5}),
        (0x08, 0xC0, {"alg": "HS384", "typ": "application/JWT"}, {"sub": "ada", "exp": 1.5e9}),
        (0x00, 0x00, {"alg": "HS256", "b64": False, "crit": ["b64"]}, {"exp": FAR}),
        (0x00, 0x00, {"alg": "HS256", "alg ": "x"}, {"exp": FAR, "nbf": NOW + 61}),
    ]
    for flags, second, header, claims in cases:
        seed("signed_claims", bytes([flags, second]) + compact(header, claims))
    seed("signed_claims", b"\0\0{\"alg\":\"HS256\",\"alg\":\"HS256\"}\0{\"exp\":4102444800}")
    seed("signed_claims", b"\0\0{\"alg\":\"HS256\"}\0{\"exp\":4102444800,\"exp\":1}")

    # differential: alg selector, header NUL payload (exp in 2100: valid on any clock now).
    dgood = {"iss": ISS, "aud": "api", "exp": FAR, "nbf": NOW}
    for which, alg in ((0, "HS256"), (1, "ES256"), (2, "EdDSA")):
        seed("differential", bytes([which]) + compact({"alg": alg, "typ": "JWT"}, dgood))
        seed("differential", bytes([which]) + compact({"alg": alg, "kid": "k1"}, dict(dgood, aud=["api", "b"])))
    seed("differential", b"\0" + compact({"alg": "HS256"}, dict(dgood, exp=FAR + 0.5, sub=1)))
    seed("differential", b"\0" + compact({"alg": "HS256", "x5c": ["AA"], "jku": "u"}, dgood))
    # one input per documented difference (FUZZING.md), so each is exercised from the start
    extra = [
        ({"alg": "HS256", "crit": ["x"], "x": 1}, dgood),
        ({"alg": "HS256", "b64": False}, dgood),
        ({"alg": "HS256"}, dict(dgood, iat=FAR)),
        ({"alg": "HS256"}, dict(dgood, iss=[ISS])),
        ({"alg": "HS256", "jku": 1}, dgood),
        ({"alg": "HS256", "pad": "x" * 2100}, dgood),
        ({"alg": "HS256", "kid": "k2"}, dgood),
        ({"alg": "HS256"}, dict(dgood, jti=7)),
    ]
    for header, claims in extra:
        seed("differential", b"\0" + compact(header, claims))
    seed("differential", b'\0{"alg":"HS256","alg":"HS256"}\0' + json.dumps(dgood).encode())

    # jwk: selector, JSON.
    pub_jwks = []
    for stem, alg, kid in (("rsa2048", "RS256", "rsa-1"), ("p256", "ES256", "ec-1"), ("ed25519", "EdDSA", "ed-1")):
        key = serialization.load_pem_private_key(read(KEYS, stem + ".key.pem", mode="rb"), None)
        algo = jwt.get_algorithm_by_name(alg)
        private = json.loads(algo.to_jwk(key))
        public = json.loads(algo.to_jwk(key.public_key()))
        public["kid"] = kid
        pub_jwks.append(public)
        seed("jwk", b"\0" + json.dumps(private).encode())
        seed("jwk", b"\3" + json.dumps(dict(public, alg=alg, use="sig")).encode())
    seed("jwk", b"\1" + json.dumps({"keys": pub_jwks}).encode())
    seed("jwk", b"\2" + json.dumps({"keys": [{"kty": "oct", "k": "c2VjcmV0", "kid": "w"}] + pub_jwks[:1]}).encode())
    for name in sorted(os.listdir(os.path.join(FIX, "jose-cookbook", "jwk"))):
        seed("jwk", b"\0" + read(FIX, "jose-cookbook", "jwk", name, mode="rb"))
    for name in ("a1_hs256.jwk.json", "a2_rs256.jwk.json", "a3_es256.jwk.json"):
        seed("jwk", b"\0" + read(FIX, "rfc7515", name, mode="rb"))

    # key_import: selector, PEM or DER bytes; and base64 HMAC secrets.
    pems = [os.path.join(KEYS, n) for n in sorted(os.listdir(KEYS)) if n.endswith(".pem") and "other" not in n]
    pems += [os.path.join(FIX, "pem", n) for n in sorted(os.listdir(os.path.join(FIX, "pem"))) if n.endswith(".pem")]
    for path in pems:
        data = read(path, mode="rb")
        seed("key_import", b"\0" + data)
        if b"rsa1024" in path.encode():
            seed("key_import", b"\2" + data)
        body = b"".join(l for l in data.splitlines() if not l.startswith(b"-----"))
        seed("key_import", b"\1" + base64.b64decode(body))
    seed("key_import", b"\3" + base64.b64encode(secret))
    seed("key_import", b"\3" + b64(secret * 2).encode())

    # config: selector (even TOML, odd JSON), text.
    pem = read(KEYS, "p256.pub.pem")
    tomls = [
        read(ROOT, "crates", "jwt-guard-cli", "tests", "fixtures", "hs256.toml"),
        f'algorithms = ["HS256", "ES256", "RS256", "EdDSA"]\nissuers = ["{ISS}"]\naudiences = ["api"]\n'
        'subject = "ada"\nleeway_secs = 5\nrequire_exp = true\nrequired_claims = ["tenant"]\ntyp = "at+jwt"\n'
        'max_age_secs = 3600\nmax_token_bytes = 4096\nmax_header_bytes = 512\nmax_keys_without_kid = 2\n'
        'require_kid = false\ncritical_extensions = ["x"]\n\n[[keys]]\nkid = "a"\nsecret = "an example secret of 32 bytes..!"\n'
        '[[keys]]\nkid = "b"\npem_file = "key.pem"\n[[keys]]\njwks_file = "jwks.json"\n'
        f'[[keys]]\nkid = "c"\nalg = "ES256"\npem = """{pem}"""\n'
        '[[keys]]\nkid = "d"\nsecret_base64 = "Y1NtV1M4NUxIN1ZBU3lkV1hoZllyXzNYU1ZCdFBabDg="\n'
        '[[keys]]\nkid = "e"\nsecret_env = "JWT_GUARD_FUZZ_UNSET"\n'
        '[[keys]]\njwk = { kty = "oct", k = "Y1NtV1M4NUxIN1ZBU3lkV1hoZllyXzNYU1ZCdFBabDg", kid = "f" }\n'
        '\n[token]\nheader = "x-token"\ncookie = "session"\nquery = true\n\n[revocation]\nmemory = true\nmax_entries = 100\n',
        'jwks_url = "https://issuer.example/keys"\naudiences = ["api"]\n\n[remote]\ntimeout_secs = 5\n'
        'max_body_bytes = 1048576\nttl_secs = 600\nmin_ttl_secs = 60\nmax_ttl_secs = 86400\ncooldown_secs = 30\n'
        'max_stale_secs = 86400\nallow_http = false\nredirects = "same-origin"\n',
        '[[providers]]\noidc_issuer = "https://login.example.com"\naudiences = ["https://api.example.com"]\n\n'
        '[[providers]]\nissuer = "internal"\nalgorithms = ["HS256"]\nkeys = [{ secret = "an example secret of 32 bytes..!" }]\n',
        'algorithms = ["none"]\nkeys = [{ secret = "short" }]\n[revocation]\nredis_url = "redis://x"\n',
    ]
    for t in tomls:
        seed("config", b"\0" + t.encode())
    jsons = [
        {"algorithms": ["HS256"], "issuers": [ISS], "keys": [{"kid": "k1", "secret": "an example secret of 32 bytes..!"}]},
        {"algorithms": ["ES256"], "keys": [{"pem_file": "ec.pem"}], "token": {"header": False, "cookie": "tok"}},
        {"providers": [{"issuer": "a", "algorithms": ["EdDSA"], "keys": [{"jwks_file": "jwks.json"}]}]},
    ]
    for j in jsons:
        seed("config", b"\1" + json.dumps(j, indent=1).encode())

    # http_extract: flags, query LF realm LF scope LF headers.
    tok = jwt.encode({"sub": "a", "exp": FAR, "scope": "read write"}, secret, "HS256")
    reqs = [
        (0, "", "api", "read", [f"authorization:Bearer {tok}"]),
        (0, "", "my \"realm\"", "read admin", [f"authorization:bearer  {tok}", "authorization:Basic eA=="]),
        (1, f"access_token={tok}&x=1", "r", "write", [f"cookie:tok={tok}; other=1"]),
        (1, "access_token=&access_token=a", "", "", ["cookie:tok=a;tok=b"]),
        (2, "", "\x7f\u00e9", "", [f"x-token:{tok}", f"authorization:Bearer {tok}"]),
        (3, f"at={tok}", "z", "a,b", [f"x-token:Bearer {tok}", f"cookie:session={tok}"]),
        (4, "", "opt", "", []),
        (0, "", "api", "", ["authorization:Bearer ", "authorization:Bearer a b"]),
    ]
    for flags, query, realm, scope, headers in reqs:
        seed("http_extract", bytes([flags]) + "\n".join([query, realm, scope] + headers).encode())

    # cache_control: min max ttl (x60 s), header lines.
    for value in ("max-age=3600", "public, max-age=\"120\", must-revalidate", "no-store", "NO-CACHE",
                  "max-age=99999999999999999999", "max-age=-1", "max-age=5, max-age=7000"):
        seed("cache_control", bytes([1, 10, 200]) + f"cache-control:{value}".encode())
    seed("cache_control", bytes([1, 10, 200]) + b"cache-control:max-age=900\nage:300")
    seed("cache_control", bytes([1, 10, 200]) + b"cache-control:public\ncache-control:max-age=900\nage: x")

    # cli_duration: durations, and two i64 times.
    for text in ("30s", "10m", "1h30m", "2d", "1w", "90", "-5m", "+1h", "1h30", "", "-", "9223372036854775807s"):
        seed("cli_duration", text)
    seed("cli_duration", struct.pack("<qq", NOW, NOW - 300))
    seed("cli_duration", struct.pack("<qq", -62_167_219_200, 253_402_300_799))


    # cache_admit: header NUL claims NUL program (see the target's doc). Tokens: 0 HS256 jti j0
    # sub ada exp +30; 1 ES256 jti j1 sub bob; 2 HS256 jti j2 sub ada nbf +20; 3 ES256 sub cy
    # iat -590 (max_age 600); 4 the input signed HS256; 5 its claims signed ES256.
    def req(a, place=0):
        return bytes([0 | place << 3, a])

    def mut(a, how, at, place=0):
        return bytes([3 | place << 3, a, how, at])

    def adv(n):
        return bytes([4, n])

    def back(n):
        return bytes([4 | 8, n])

    def scheme(a, s):
        return bytes([7 | s << 3, a])

    def three(r):
        return r * 3

    claims = {"iss": ISS, "aud": "api", "sub": "f", "iat": NOW, "exp": NOW + 100, "jti": "f1"}
    head = json.dumps({"alg": "HS256", "typ": "JWT"}, separators=(",", ":")).encode()
    body = json.dumps(claims, separators=(",", ":")).encode()
    programs = {
        "expiry": three(req(0)) + adv(29) + req(0) + adv(6) + req(0) + three(req(4)) + adv(70) + req(4),
        "not-before": three(req(2)) + adv(15) + three(req(2)),
        "max-age": three(req(3)) + adv(10) + req(3) + adv(6) + req(3),
        "revocation": three(req(1)) + bytes([5, 1]) + req(1) + three(req(0)) + adv(1) + bytes([6, 0]) + req(0)
        + adv(20) + req(2),
        "same-tail": three(req(1)) + mut(1, 0, 0) + mut(1, 2, 5) + mut(1, 1, 0) + mut(1, 4, 9) + mut(1, 6, 3)
        + mut(1, 3, 1) + req(1),
        "places": three(req(5, 1)) + three(req(5, 2)) + three(req(5)) + bytes([3 << 3, 5, 0]) + req(4, 3) + bytes([0])
        + bytes([3 << 3, 4, 4]),
        "clock-back": adv(20) + three(req(2)) + back(30) + req(2) + three(req(0)) + back(200) + req(0) + adv(250) + req(0),
        "schemes": b"".join(three(scheme(1, s)) for s in range(6)),
        "eviction": three(req(0) + req(1) + req(4) + req(5) + req(3)) + req(0) + req(1),
    }
    for name, program in programs.items():
        data = head + b"\0" + body + b"\0" + program
        folder = os.path.join(SEEDS, "cache_admit")
        os.makedirs(folder, exist_ok=True)
        with open(os.path.join(folder, name), "wb") as f:
            f.write(data)


if __name__ == "__main__":
    sys.exit(main())
