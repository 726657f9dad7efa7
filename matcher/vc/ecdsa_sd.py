"""Verifying ``ecdsa-sd-2023`` derived proofs (W3C Data Integrity ECDSA Cryptosuites v1.0, 3.5).

A selective-disclosure credential reaches a verifier as a *derived* proof: the holder kept
the statements they chose to disclose, and the proof carries what is needed to check them
without the rest. Its ``proofValue`` (``u`` + base64url, header ``0xd9 0x5d 0x01``) is a CBOR
array of

- the issuer's base signature (P-256 ECDSA, 64 bytes r ‖ s),
- an ephemeral P-256 public key (multikey bytes),
- one ephemeral signature per non-mandatory statement,
- the label map (canonical blank node ``c14nN`` → the issuer's HMAC-derived label),
- the indexes of the mandatory statements.

Verification (the spec's ``createVerifyData`` and ``verifyProof``):

1. proof hash = SHA-256 of the canonical proof options (with the document's ``@context``);
2. the document without ``proof`` is canonicalised (RDFC-1.0, contexts offline), its blank
   nodes renamed through the label map, and its N-Quads sorted;
3. the statements at the mandatory indexes are hashed together (SHA-256);
4. the issuer's key must have signed proof hash ‖ ephemeral key ‖ mandatory hash, and the
   ephemeral key each non-mandatory statement, one signature each, in order.

So a changed, added or dropped statement fails step 4, and a different issuer key fails the
base signature. ECDSA, hashing and CBOR come from ``cryptography``, ``hashlib`` and
``cbor2``; nothing here implements cryptography. Only derived proofs are verified: a *base*
proof (header ``0xd9 0x5d 0x00``) holds the issuer's HMAC key and is for the holder alone.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature

from matcher.vc.jsonld import canonicalize, proof_config_hash, unsecured
from matcher.vc.keys import P256_MULTICODEC, b64url, b64url_decode

CRYPTOSUITE = "ecdsa-sd-2023"
DERIVED_HEADER = b"\xd9\x5d\x01"
BASE_HEADER = b"\xd9\x5d\x00"


class DerivedProofError(ValueError):
    """The proof value is not a well-formed ``ecdsa-sd-2023`` derived proof (says why)."""


@dataclass(frozen=True)
class DerivedProof:
    base_signature: bytes
    public_key: bytes  # multikey bytes: P-256 multicodec + compressed point
    signatures: list[bytes]
    label_map: dict[str, str]  # "c14nN" -> "u…" (the label the issuer's HMAC gave)
    mandatory: frozenset[int]


def parse(value: Any) -> DerivedProof:
    """The parts of a derived ``proofValue``.

    Raises:
        DerivedProofError: not a multibase base64url derived proof of five well-formed parts.
    """
    import cbor2

    if not isinstance(value, str) or not value.startswith("u"):
        raise DerivedProofError("its proofValue is not multibase base64url (it must start "
                                "with 'u')")
    try:
        raw = b64url_decode(value[1:])
    except ValueError:
        raise DerivedProofError("its proofValue is not valid base64url") from None
    if raw.startswith(BASE_HEADER):
        raise DerivedProofError("it is a base proof, which only the holder uses to derive the "
                                "credential to share; a verifier needs the derived proof")
    if not raw.startswith(DERIVED_HEADER):
        raise DerivedProofError("its proofValue lacks the derived-proof header 0xd9 0x5d 0x01")
    try:
        parts = cbor2.loads(raw[len(DERIVED_HEADER):])
    except (cbor2.CBORDecodeError, ValueError, EOFError):
        raise DerivedProofError("its proofValue is not valid CBOR") from None
    if not isinstance(parts, list) or len(parts) != 5:
        raise DerivedProofError("its proofValue is not an array of five parts")
    base, public, signatures, labels, mandatory = parts
    ok = (isinstance(base, bytes) and len(base) == 64
          and isinstance(public, bytes) and public.startswith(P256_MULTICODEC)
          and isinstance(signatures, list)
          and all(isinstance(s, bytes) and len(s) == 64 for s in signatures)
          and isinstance(labels, dict)
          and all(isinstance(k, int) and isinstance(v, bytes) for k, v in labels.items())
          and isinstance(mandatory, list) and all(isinstance(i, int) for i in mandatory))
    if not ok:
        raise DerivedProofError("its proofValue's parts are not a 64-byte base signature, a "
                                "P-256 key, 64-byte signatures, a label map and indexes")
    return DerivedProof(base, public, list(signatures),
                        {f"c14n{k}": "u" + b64url(v) for k, v in labels.items()},
                        frozenset(mandatory))


_BLANK = re.compile(r"_:(c14n\d+)")


def _statements(document: Mapping[str, Any], label_map: Mapping[str, str]) -> list[str]:
    """The document's canonical N-Quads with the issuer's blank node labels, sorted."""
    def relabel(match: re.Match[str]) -> str:
        label = label_map.get(match.group(1))
        if label is None:
            raise DerivedProofError("its label map does not name every blank node of the "
                                    "credential (a statement was added)")
        return "_:" + label

    lines = [line + "\n" for line in canonicalize(unsecured(document)).split("\n") if line]
    return sorted(_BLANK.sub(relabel, line) for line in lines)


def _verifies(key: ec.EllipticCurvePublicKey, data: bytes, signature: bytes) -> bool:
    der = encode_dss_signature(int.from_bytes(signature[:32], "big"),
                               int.from_bytes(signature[32:], "big"))
    try:
        key.verify(der, data, ec.ECDSA(hashes.SHA256()))
    except InvalidSignature:
        return False
    return True


def verify(document: Mapping[str, Any], proof: Mapping[str, Any],
           issuer_key: ec.EllipticCurvePublicKey) -> bool:
    """Whether ``proof`` (a derived ``ecdsa-sd-2023`` proof) holds for ``document``.

    Raises:
        DerivedProofError: the proof value is malformed, or the document's statements do not
            fit it (which is also how a changed credential can show).
        UnknownContextError, MalformedJsonLdError: the JSON-LD cannot be read offline.
    """
    if not isinstance(issuer_key.curve, ec.SECP256R1):
        raise DerivedProofError("its key is not a P-256 key, as ecdsa-sd-2023 with SHA-256 "
                                "needs")
    derived = parse(proof.get("proofValue"))
    proof_hash = proof_config_hash(document, proof)
    statements = _statements(document, derived.label_map)
    mandatory = [s for i, s in enumerate(statements) if i in derived.mandatory]
    disclosed = [s for i, s in enumerate(statements) if i not in derived.mandatory]
    if len(disclosed) != len(derived.signatures):
        return False  # a statement was added or removed since the holder derived it
    mandatory_hash = hashlib.sha256("".join(mandatory).encode("utf-8")).digest()
    if not _verifies(issuer_key, proof_hash + derived.public_key + mandatory_hash,
                     derived.base_signature):
        return False
    try:
        ephemeral = ec.EllipticCurvePublicKey.from_encoded_point(
            ec.SECP256R1(), derived.public_key[len(P256_MULTICODEC):])
    except ValueError:
        raise DerivedProofError("its ephemeral key is not a point on P-256") from None
    return all(_verifies(ephemeral, s.encode("utf-8"), sig)
               for s, sig in zip(disclosed, derived.signatures, strict=True))
