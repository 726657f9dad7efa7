"""Data Integrity proofs: ``eddsa-rdfc-2022`` (W3C Data Integrity EdDSA Cryptosuites v1.0).

Signing (the spec's "transformation, hashing, proof serialisation"):

1. the proof options (type, cryptosuite, created, verificationMethod, proofPurpose) take the
   document's ``@context``; both they and the document without ``proof`` are canonicalised
   (RDFC-1.0, :func:`matcher.vc.jsonld.canonicalize`);
2. hash data = SHA-256(canonical proof options) ‖ SHA-256(canonical document);
3. the Ed25519 signature (``cryptography``) of the hash data, base58btc multibase, is the
   ``proofValue``.

Verification redoes 1–2 and checks the signature. ``Ed25519Signature2020`` and the legacy
``eddsa-2022`` name hash the same way, so proofs of OB 3.0 issuers on VC 1.1 verify too.
Selective-disclosure credentials (``ecdsa-sd-2023`` derived proofs, P-256) are verified by
:mod:`matcher.vc.ecdsa_sd`; Meritmatch does not issue them.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

import base58
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from matcher.vc import ecdsa_sd
from matcher.vc.jsonld import canonicalize, proof_config_hash, unsecured
from matcher.vc.keys import IssuerKey, ResolvedKey

CRYPTOSUITE = "eddsa-rdfc-2022"
LEGACY_CRYPTOSUITES = ("eddsa-2022",)


def _now() -> str:
    return datetime.now(UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")


def _hash_data(document: Mapping[str, Any], options: Mapping[str, Any]) -> bytes:
    return (proof_config_hash(document, options)
            + hashlib.sha256(canonicalize(unsecured(document)).encode("utf-8")).digest())


def sign(document: Mapping[str, Any], key: IssuerKey, *, created: str | None = None,
         ) -> dict[str, Any]:
    """``document`` with an ``eddsa-rdfc-2022`` proof by ``key`` (any earlier proof replaced).

    Raises:
        UnknownContextError, MalformedJsonLdError: the document's JSON-LD cannot be
            canonicalised offline.
    """
    options = {"type": "DataIntegrityProof", "cryptosuite": CRYPTOSUITE,
               "created": created or _now(), "verificationMethod": key.verification_method,
               "proofPurpose": "assertionMethod"}
    bare = unsecured(document)
    signature = key.sign(_hash_data(bare, options))
    return bare | {"proof": options | {
        "proofValue": "z" + base58.b58encode(signature).decode("ascii")}}


def proofs_of(document: Mapping[str, Any]) -> list[dict[str, Any]]:
    proof = document.get("proof")
    items = proof if isinstance(proof, list) else [proof] if proof is not None else []
    return [p for p in items if isinstance(p, dict)]


def is_supported(proof: Mapping[str, Any]) -> bool:
    """A proof for assertions that Meritmatch verifies: Ed25519 (``eddsa-rdfc-2022``,
    ``eddsa-2022``, ``Ed25519Signature2020``) or a derived ``ecdsa-sd-2023`` one."""
    if proof.get("proofPurpose") != "assertionMethod":
        return False
    if proof.get("type") == "Ed25519Signature2020":
        return True
    return (proof.get("type") == "DataIntegrityProof"
            and proof.get("cryptosuite") in (CRYPTOSUITE, *LEGACY_CRYPTOSUITES,
                                             ecdsa_sd.CRYPTOSUITE))


def select_proof(document: Mapping[str, Any]) -> dict[str, Any] | None:
    """The first proof this module can verify (a document may carry several)."""
    return next((p for p in proofs_of(document) if is_supported(p)), None)


def verify_signature(document: Mapping[str, Any], proof: Mapping[str, Any],
                     key: ResolvedKey) -> bool:
    """Whether ``proof`` is ``key``'s signature over ``document`` (with its other proofs
    left out, as each proof of a proof set signs the document alone).

    Raises:
        UnknownContextError, MalformedJsonLdError: as :func:`sign`.
        ecdsa_sd.DerivedProofError: a malformed ``ecdsa-sd-2023`` proof value (says why).
    """
    if proof.get("cryptosuite") == ecdsa_sd.CRYPTOSUITE:
        if not isinstance(key.public, ec.EllipticCurvePublicKey):
            return False
        return ecdsa_sd.verify(document, proof, key.public)
    if not isinstance(key.public, Ed25519PublicKey):
        return False
    value = proof.get("proofValue")
    if not isinstance(value, str) or not value.startswith("z"):
        return False
    try:
        signature = base58.b58decode(value[1:])
    except ValueError:
        return False
    try:
        key.public.verify(signature, _hash_data(document, proof))
    except InvalidSignature:
        return False
    return True
