"""Issuer keys: Ed25519 key pairs, ``did:key`` identifiers, JWKs, and resolving a proof's
verification method to a public key without the network.

Keys are ``cryptography`` Ed25519 keys; nothing here implements cryptography. A public key is
published as ``did:key:z6Mk…`` (multicodec 0xed01 + the 32 key bytes, base58btc multibase)
and as an OKP JWK in the issuer's JWKS (RFC 8037). Verification also reads P-256 multikeys
(``zDna…``: multicodec 0x1200 + the compressed point), the keys of ``ecdsa-sd-2023`` proofs.

Reads and writes key files: a private JWK (``{"kty": "OKP", "crv": "Ed25519", "d", "x"}``).
"""

from __future__ import annotations

import base64
import json
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import base58
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from matcher.errors import InvalidInputError

ED25519_MULTICODEC = b"\xed\x01"
P256_MULTICODEC = b"\x80\x24"  # varint of 0x1200, p256-pub (compressed point follows)

PublicKey = Ed25519PublicKey | ec.EllipticCurvePublicKey


class KeyResolutionError(InvalidInputError):
    """A proof's verification method cannot be turned into a public key (offline)."""

    code = "key_resolution"

    def __init__(self, message: str, *, needs_network: bool = False) -> None:
        super().__init__(message, field="proof.verificationMethod")
        self.needs_network = needs_network


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def b64url_decode(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def multibase_key(public: Ed25519PublicKey) -> str:
    """``z6Mk…``: the multibase (base58btc) multicodec form of an Ed25519 public key."""
    raw = public.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return "z" + base58.b58encode(ED25519_MULTICODEC + raw).decode("ascii")


def _multikey(text: str, codec: bytes, size: int) -> bytes | None:
    """The key bytes of a base58btc multibase multikey (``z`` + codec + key) of this codec
    and key size, else None."""
    if not text.startswith("z"):
        return None
    try:
        raw = base58.b58decode(text[1:])
    except ValueError:
        return None
    if len(raw) != len(codec) + size or not raw.startswith(codec):
        return None
    return raw[len(codec):]


def parse_multibase_key(text: str) -> Ed25519PublicKey | None:
    """The Ed25519 public key in a ``z6Mk…`` string, or None when it is not one."""
    raw = _multikey(text, ED25519_MULTICODEC, 32)
    return Ed25519PublicKey.from_public_bytes(raw) if raw is not None else None


def parse_multikey(text: str) -> PublicKey | None:
    """The Ed25519 (``z6Mk…``) or P-256 (``zDna…``, compressed point) public key in a
    multibase multikey string, or None when it is neither."""
    public = parse_multibase_key(text)
    if public is not None:
        return public
    raw = _multikey(text, P256_MULTICODEC, 33)
    if raw is None:
        return None
    try:
        return ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), raw)
    except ValueError:
        return None


def did_key(public: Ed25519PublicKey) -> str:
    return "did:key:" + multibase_key(public)


@dataclass(frozen=True)
class IssuerKey:
    """An issuer's Ed25519 signing key and the identifiers derived from it.

    The issuer id is the ``did:key`` of the public key, so anyone can check that the key that
    signed a credential is the issuer's without asking a server.
    """

    private: Ed25519PrivateKey

    @classmethod
    def generate(cls) -> IssuerKey:
        return cls(Ed25519PrivateKey.generate())

    @property
    def public(self) -> Ed25519PublicKey:
        return self.private.public_key()

    @property
    def did(self) -> str:
        return did_key(self.public)

    @property
    def verification_method(self) -> str:
        """``did:key:z6Mk…#z6Mk…``, as the did:key method defines its one key's id."""
        return f"{self.did}#{multibase_key(self.public)}"

    def sign(self, data: bytes) -> bytes:
        return self.private.sign(data)

    def public_jwk(self) -> dict[str, str]:
        raw = self.public.public_bytes(serialization.Encoding.Raw,
                                       serialization.PublicFormat.Raw)
        return {"kty": "OKP", "crv": "Ed25519", "x": b64url(raw),
                "kid": self.verification_method, "alg": "EdDSA", "use": "sig"}

    def private_jwk(self) -> dict[str, str]:
        raw = self.private.private_bytes(serialization.Encoding.Raw,
                                         serialization.PrivateFormat.Raw,
                                         serialization.NoEncryption())
        return self.public_jwk() | {"d": b64url(raw)}

    @classmethod
    def from_jwk(cls, jwk: Mapping[str, Any]) -> IssuerKey:
        """From a private OKP/Ed25519 JWK.

        Raises:
            InvalidInputError: not a private Ed25519 JWK.
        """
        if jwk.get("kty") != "OKP" or jwk.get("crv") != "Ed25519" or not jwk.get("d"):
            raise InvalidInputError("not an Ed25519 private key: expected a JWK with kty "
                                    "'OKP', crv 'Ed25519' and the private part 'd'",
                                    field="key")
        try:
            key = cls(Ed25519PrivateKey.from_private_bytes(b64url_decode(str(jwk["d"]))))
        except ValueError as exc:
            raise InvalidInputError(f"not an Ed25519 private key: {exc}", field="key") from None
        if jwk.get("x") and jwk["x"] != key.public_jwk()["x"]:
            raise InvalidInputError("the key's public part 'x' does not belong to its private "
                                    "part 'd'", field="key")
        return key

    def save(self, path: Path | str) -> None:
        """Write the private JWK (readable by the owner only)."""
        path = Path(path)
        path.write_text(json.dumps(self.private_jwk(), indent=2) + "\n", encoding="utf-8")
        path.chmod(0o600)

    @classmethod
    def load(cls, path: Path | str) -> IssuerKey:
        from matcher.credentials import read_json

        data = read_json(path)
        if not isinstance(data, dict):
            raise InvalidInputError(f"{path}: expected a JWK object", field="key")
        return cls.from_jwk(data)


def public_key_from_jwk(jwk: Mapping[str, Any]) -> Ed25519PublicKey | None:
    if jwk.get("kty") != "OKP" or jwk.get("crv") != "Ed25519" or not jwk.get("x"):
        return None
    try:
        return Ed25519PublicKey.from_public_bytes(b64url_decode(str(jwk["x"])))
    except ValueError:
        return None


def jwks(keys: list[IssuerKey] | list[Ed25519PublicKey]) -> dict[str, Any]:
    """A JWKS document (RFC 7517) of public keys."""
    out = []
    for key in keys:
        if isinstance(key, IssuerKey):
            out.append(key.public_jwk())
        else:
            raw = key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
            out.append({"kty": "OKP", "crv": "Ed25519", "x": b64url(raw),
                        "kid": f"{did_key(key)}#{multibase_key(key)}", "alg": "EdDSA"})
    return {"keys": out}


@dataclass(frozen=True)
class ResolvedKey:
    """A verification method resolved: the public key and who controls it."""

    public: PublicKey
    controller: str
    method: str


def resolve_method(method: Any, known: Mapping[str, PublicKey] | None = None
                   ) -> ResolvedKey:
    """The public key a proof's ``verificationMethod`` names, offline.

    Accepted forms (an Ed25519 ``z6Mk…`` or a P-256 ``zDna…`` key): ``did:key:z6Mk…`` (with
    or without ``#z6Mk…``), any URI whose fragment is
    the key itself (``https://issuer.example/profile#z6Mk…``, as 1EdTech's validator reads it:
    the part before ``#`` is the controller), and methods in ``known`` (keys the caller
    trusts, e.g. the JWKS of issuers registered with the service). A ``did:web`` or a web
    address would have to be fetched: refused with ``needs_network``.

    Raises:
        KeyResolutionError: the method names no key Meritmatch can read.
    """
    if not isinstance(method, str) or not method:
        raise KeyResolutionError("the proof names no verification method (the issuer's key)")
    if known and method in known:
        controller = method.split("#", 1)[0]
        return ResolvedKey(known[method], controller, method)
    base, _, fragment = method.partition("#")
    if ":" not in base:
        raise KeyResolutionError(f"the verification method {method!r} is not a URI (it has "
                                 "no scheme such as did: or https:)")
    scheme = base.split(":", 1)[0].lower()
    if scheme == "did":
        did_method = base.split(":")[1] if base.count(":") >= 2 else ""
        if did_method == "key":
            public = parse_multikey(base[len("did:key:"):])
            if public is None or (fragment and fragment != base[len("did:key:"):]):
                raise KeyResolutionError(f"the did:key {method!r} is not an Ed25519 or "
                                         "P-256 key")
            return ResolvedKey(public, base, method)
        if did_method == "web":
            raise KeyResolutionError(
                f"the key {method!r} is a did:web: its DID document would have to be "
                "fetched from the issuer's web site, and Meritmatch verifies offline",
                needs_network=True)
        raise KeyResolutionError(f"unknown DID method did:{did_method} in {method!r}; "
                                 "Meritmatch reads did:key (and did:web only online)")
    if fragment:
        public = parse_multikey(fragment)
        if public is not None:
            return ResolvedKey(public, base, method)
    if scheme in ("http", "https"):
        raise KeyResolutionError(
            f"the key {method!r} is a web address whose key document would have to be "
            "fetched; Meritmatch verifies offline and does not know this key",
            needs_network=True)
    raise KeyResolutionError(f"unknown verification method scheme {scheme!r} in {method!r}; "
                             "expected did:key or a URI ending in #z6Mk… or #zDna… (the key)")
