"""Verify a credential: is it intact, the issuer's, current and not revoked?

:class:`Verifier` runs the checks in the order of 1EdTech's OB 3.0 validator:

``parse`` → ``context`` → ``type`` → ``schema`` → ``inline`` (other JSON Schemas it names) →
``subject`` → ``evidence`` → ``issuer`` → ``jsonld`` (no undefined terms) → ``proof``
(signature by a key the issuer controls) → ``trust`` (the issuer is one the caller knows, when
it gives a list) → ``status`` (not revoked) → ``expiry`` (``validUntil``) → ``issuance``
(``validFrom``).

As in 1EdTech's validator, a failed check is either an error, after which the checks go on, or
fatal (unreadable, not a credential of a known type, revoked, expired, not yet valid), after
which they stop. Any failure makes the credential invalid; the reason a person reads first is
the fatal one, else one that could not be checked offline (the signature or the status list
would need the network, or the proof suite is not supported: nothing else is vouched for
then), else the first error. :attr:`Verdict.failures` lists them all.

Nothing is fetched: keys come from ``did:key``, from a key-in-fragment verification method or
from the caller's ``known_keys``; status lists from the caller's ``status_lists``. What would
need the network fails with ``needs_network`` set and says so.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from typing import Any, Literal

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from matcher.errors import CredentialError
from matcher.vc import probes
from matcher.vc.ecdsa_sd import DerivedProofError
from matcher.vc.jsonld import undefined_terms
from matcher.vc.keys import KeyResolutionError, resolve_method
from matcher.vc.proof import proofs_of, select_proof, verify_signature
from matcher.vc.status import STATUS_ENTRY, StatusListError, entry_index, list_from_credential

CheckStatus = Literal["passed", "warning", "failed", "skipped"]
StatusSource = Callable[[str], Mapping[str, Any] | None] | Mapping[str, Mapping[str, Any]]
CHECKS = ("parse", "context", "type", "schema", "inline", "subject", "evidence", "issuer",
          "jsonld", "proof", "trust", "status", "expiry", "issuance")
# Checks whose failure stops the rest (1EdTech's FATAL outcomes); "status" is fatal when the
# credential is revoked (see Verifier._check_status).
FATAL = frozenset({"parse", "context", "type", "expiry", "issuance"})


@dataclass(frozen=True)
class Check:
    name: str
    status: CheckStatus
    message: str
    needs_network: bool = False
    fatal: bool = False
    unsupported: bool = False  # a proof suite Meritmatch does not verify

    @property
    def unchecked(self) -> bool:
        """Failed because it could not be checked here (network, unsupported suite)."""
        return self.needs_network or self.unsupported

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"check": self.name, "status": self.status,
                               "message": self.message}
        for flag in ("needs_network", "fatal", "unsupported"):
            if getattr(self, flag):
                out[flag] = True
        return out


@dataclass(frozen=True)
class Verdict:
    """The outcome: ``valid``, ``warning`` (valid, with something to note) or ``invalid``."""

    verdict: Literal["valid", "warning", "invalid"]
    checks: tuple[Check, ...]
    kind: str = "vc"
    credential_id: str | None = None
    issuer_id: str | None = None
    issuer_name: str | None = None
    subject_id: str | None = None

    @property
    def verified(self) -> bool:
        return self.verdict != "invalid"

    @property
    def failures(self) -> tuple[Check, ...]:
        """Every failed check, in check order."""
        return tuple(c for c in self.checks if c.status == "failed")

    @property
    def failed(self) -> Check | None:
        """The failure a person reads first: the fatal one, else one that could not be
        checked offline, else the first."""
        failures = self.failures
        return next((c for c in failures if c.fatal),
                    next((c for c in failures if c.unchecked),
                         failures[0] if failures else None))

    @property
    def needs_network(self) -> bool:
        """Not verified only for want of the network: every failure is one that could not be
        checked offline, and at least one of them needs the network."""
        failures = self.failures
        return (bool(failures) and all(c.unchecked for c in failures)
                and any(c.needs_network for c in failures))

    @property
    def reason(self) -> str:
        """One line: why it was refused, else what to note, else who it is verified by."""
        failed = self.failed
        if failed is not None:
            return failed.message
        warning = next((c for c in self.checks if c.status == "warning"), None)
        issuer = self.issuer_name or self.issuer_id or "its issuer"
        text = f"verified by {issuer}: signed, intact, current and not revoked"
        return f"{text} ({warning.message})" if warning else text

    def to_dict(self) -> dict[str, Any]:
        return {"verdict": self.verdict, "verified": self.verified, "reason": self.reason,
                "failed_check": self.failed.name if self.failed else None,
                "failed_checks": [c.name for c in self.failures],
                "needs_network": self.needs_network, "kind": self.kind,
                "credential_id": self.credential_id, "issuer_id": self.issuer_id,
                "issuer_name": self.issuer_name, "subject_id": self.subject_id,
                "checks": [c.to_dict() for c in self.checks]}


def parse_document(source: str | bytes | Mapping[str, Any]) -> dict[str, Any]:
    """A credential document from JSON text (or an already parsed object).

    Raises:
        CredentialError: not JSON, not an object, or a JWT (not verified offline).
    """
    if isinstance(source, Mapping):
        return dict(source)
    text = source.decode("utf-8", errors="replace") if isinstance(source, bytes) else source
    stripped = text.strip()
    if stripped.count(".") == 2 and not stripped.startswith("{"):
        raise CredentialError(
            "a JWT-secured credential (VC-JWT): its issuer key is not in the token and would "
            "have to be fetched from the issuer; Meritmatch verifies embedded Data Integrity "
            "proofs offline. Ask the issuer or wallet for the JSON-LD credential",
            field="document")
    try:
        data = json.loads(stripped)
    except json.JSONDecodeError as exc:
        raise CredentialError(f"not valid JSON (line {exc.lineno}, column {exc.colno}: "
                              f"{exc.msg})", field="document") from None
    if not isinstance(data, dict):
        raise CredentialError(f"expected a credential object, not {type(data).__name__}",
                              field="document")
    return data


def _date(value: Any) -> datetime | None:
    if not isinstance(value, str):
        return None
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


@dataclass
class Verifier:
    """Verifies credentials offline.

    Args:
        known_keys: verification method id → public key, for keys the caller resolved itself
            (e.g. the JWKS of issuers registered with the service).
        trusted_issuers: issuer id → display name ("" keeps the name the credential states,
            which the registered key signed). When given, a credential whose issuer is not in
            it is refused ("unknown key"), however intact: a did:key anyone can make.
        status_lists: status list credential URL → the list credential (a mapping or a
            function returning None when it does not know the URL).
        now: the time to check validity against (default: the current time).
    """

    known_keys: Mapping[str, Ed25519PublicKey] = field(default_factory=dict)
    trusted_issuers: Mapping[str, str] | None = None
    status_lists: StatusSource | None = None
    now: datetime | None = None
    _signer: str | None = field(default=None, init=False, repr=False)

    def verify(self, source: str | bytes | Mapping[str, Any]) -> Verdict:
        checks: list[Check] = []
        try:
            document = parse_document(source)
        except CredentialError as exc:
            network = "JWT" in exc.message
            return Verdict("invalid", (Check("parse", "failed", exc.message, network,
                                             fatal=True),)
                           + tuple(Check(n, "skipped", "") for n in CHECKS[1:]), kind="jwt"
                           if network else "vc")
        checks.append(Check("parse", "passed", "a JSON credential"))
        self._signer = None
        issuer_id, issuer_name = probes.issuer_of(document)
        if self.trusted_issuers and issuer_id is not None and issuer_id in self.trusted_issuers:
            issuer_name = self.trusted_issuers[issuer_id] or issuer_name
        subject = next(iter(probes.as_list(document.get("credentialSubject"))), None)
        steps: list[tuple[str, Callable[[], probes.Result | Check]]] = [
            ("context", lambda: probes.check_context(document)),
            ("type", lambda: probes.check_type(document)),
            ("schema", lambda: probes.check_schema(document)),
            ("inline", lambda: probes.check_inline_schema(document)),
            ("subject", lambda: probes.check_subject(document)),
            ("evidence", lambda: probes.check_evidence(document)),
            ("issuer", lambda: probes.check_issuer(document)),
            ("jsonld", lambda: self._check_jsonld(document)),
            ("proof", lambda: self._check_proof(document, issuer_id)),
            ("trust", lambda: self._check_trust(issuer_id)),
            ("status", lambda: self._check_status(document, issuer_id)),
            ("expiry", lambda: self._check_expiry(document)),
            ("issuance", lambda: self._check_issuance(document)),
        ]
        broken = False
        for name, step in steps:
            if broken:
                checks.append(Check(name, "skipped", ""))
                continue
            try:
                result = step()
            except CredentialError as exc:  # JSON-LD that cannot be read, met in any step
                result = ("failed", exc.message)
            check = result if isinstance(result, Check) else Check(name, *result)
            if check.status == "failed" and name in FATAL and not check.fatal:
                check = replace(check, fatal=True)
            checks.append(check)
            broken = check.fatal and check.status == "failed"
        verdict: Literal["valid", "warning", "invalid"] = (
            "invalid" if any(c.status == "failed" for c in checks) else
            "warning" if any(c.status == "warning" for c in checks) else "valid")
        return Verdict(verdict, tuple(checks), probes.kind_of(document),
                       str(document["id"]) if document.get("id") else None, issuer_id,
                       issuer_name,
                       str(subject.get("id")) if isinstance(subject, dict)
                       and subject.get("id") else None)

    # -- the checks that need more than the document ---------------------------------------
    def _check_jsonld(self, document: Mapping[str, Any]) -> Check:
        undefined = undefined_terms(dict(document))
        if undefined:
            return Check("jsonld", "failed", (
                f"malformed JSON-LD: {', '.join(repr(t) for t in undefined[:3])} "
                f"{'is' if len(undefined) == 1 else 'are'} not defined by the credential's "
                "@context, so the signed statement does not say what it seems to"))
        return Check("jsonld", "passed", "every term defined")

    def _check_proof(self, document: Mapping[str, Any], issuer_id: str | None,
                     name: str = "proof") -> Check:
        proofs = proofs_of(document)
        if not proofs:
            return Check(name, "failed", "the credential carries no proof (it is not signed)")
        proof = select_proof(document)
        if proof is None:
            kinds = sorted({f"{p.get('type')}/{p.get('cryptosuite', '-')}" for p in proofs})
            return Check(name, "failed", (
                f"cannot be checked here: its proof is {', '.join(kinds)}, a suite Meritmatch "
                "does not verify (it verifies DataIntegrityProof with eddsa-rdfc-2022, "
                "eddsa-2022 or, derived, ecdsa-sd-2023, and Ed25519Signature2020, for "
                "assertionMethod; bbs-2023 and ecdsa-rdfc-2019 are not supported)"),
                unsupported=True)
        try:
            key = resolve_method(proof.get("verificationMethod"), self.known_keys)
        except KeyResolutionError as exc:
            return Check(name, "failed", exc.message, exc.needs_network)
        # A key-in-fragment, did:web or registered key names its controller; a did:key
        # controls itself, which binds it to an issuer whose id is a DID. (An issuer with a
        # web or URN id signing with a did:key cannot be bound offline: 1EdTech accepts it,
        # and a trust list, below, decides.)
        bound = not key.method.startswith("did:key:") or (issuer_id or "").startswith("did:")
        if bound and issuer_id is not None and key.controller != issuer_id:
            return Check(name, "failed", (
                f"signed with a key of {key.controller!r}, not of the credential's issuer "
                f"{issuer_id!r}: the issuer was changed, or someone else signed it"))
        try:
            verified = verify_signature(document, proof, key)
        except DerivedProofError as exc:
            return Check(name, "failed", f"its selective-disclosure proof is not valid: {exc}")
        if not verified:
            return Check(name, "failed", (
                "the signature does not match the content: the credential was changed after "
                f"it was signed, or it was not signed with the key it names ({key.method})"))
        self._signer = key.controller
        return Check(name, "passed", f"signed by {key.controller}")

    def _check_trust(self, issuer_id: str | None) -> Check:
        if self._signer is None:
            return Check("trust", "skipped", "the signature was not verified")
        if self.trusted_issuers is None:
            return Check("trust", "passed", "any issuer whose key signed it (no trust list)")
        if issuer_id in self.trusted_issuers and self._signer == issuer_id:
            return Check("trust", "passed", f"issuer known: {issuer_id}")
        return Check("trust", "failed", (
            f"signed by an unknown key: the issuer {issuer_id!r} is not registered here, so "
            "nothing vouches that it is who it says it is"))

    def _status_list(self, url: str) -> Mapping[str, Any] | None:
        if self.status_lists is None:
            return None
        if callable(self.status_lists):
            return self.status_lists(url)
        return self.status_lists.get(url)

    def _check_status(self, document: Mapping[str, Any], issuer_id: str | None) -> Check:
        entries = probes.as_list(document.get("credentialStatus"))
        if not entries:
            return Check("status", "passed", "no status list (cannot be revoked)")
        for entry in entries:
            if not isinstance(entry, dict):
                return Check("status", "failed", "credentialStatus is not an object")
            kind = entry.get("type")
            if kind != STATUS_ENTRY:
                return Check("status", "failed", (
                    f"revocation is checked through a {kind!r} at {entry.get('id')!r}, which "
                    "would have to be fetched; Meritmatch reads Bitstring Status Lists it "
                    "holds, offline"), needs_network=True)
            url = str(entry.get("statusListCredential") or "")
            purpose = str(entry.get("statusPurpose") or "revocation")
            listing = self._status_list(url)
            if listing is None:
                return Check("status", "failed", (
                    f"the status list {url!r} cannot be resolved offline, so whether the "
                    "issuer revoked the credential is unknown"), needs_network=True)
            list_issuer, _ = probes.issuer_of(listing)
            if list_issuer != issuer_id:
                return Check("status", "failed", (
                    f"the status list {url!r} is issued by {list_issuer!r}, not by the "
                    f"credential's issuer {issuer_id!r}"))
            proof = self._check_proof(listing, list_issuer, name="status")
            if proof.status == "failed":
                return Check("status", "failed", f"the status list {url!r}: {proof.message}",
                             proof.needs_network)
            try:
                revoked = list_from_credential(listing, purpose).get(entry_index(entry))
            except StatusListError as exc:
                return Check("status", "failed", exc.message)
            if revoked and purpose == "revocation":
                return Check("status", "failed", "the issuer has revoked this credential",
                             fatal=True)
            if revoked:
                return Check("status", "failed", f"the issuer has set its {purpose} status",
                             fatal=True)
        return Check("status", "passed", "not revoked")

    def _moment(self) -> datetime:
        return self.now or datetime.now(UTC)

    def _check_expiry(self, document: Mapping[str, Any]) -> Check:
        raw = document.get("validUntil", document.get("expirationDate"))
        if raw is None:
            return Check("expiry", "passed", "no end of validity")
        until = _date(raw)
        if until is None:
            return Check("expiry", "failed", f"validUntil {raw!r} is not a date and time")
        if until < self._moment():
            return Check("expiry", "failed", f"expired: valid until {raw}")
        return Check("expiry", "passed", f"valid until {raw}")

    def _check_issuance(self, document: Mapping[str, Any]) -> Check:
        raw = document.get("validFrom", document.get("issuanceDate"))
        if raw is None:
            return Check("issuance", "passed", "no start of validity")
        start = _date(raw)
        if start is None:
            return Check("issuance", "failed", f"validFrom {raw!r} is not a date and time")
        if start > self._moment():
            return Check("issuance", "failed", f"not yet valid: valid from {raw}")
        return Check("issuance", "passed", f"valid from {raw}")


def verify_credential(source: str | bytes | Mapping[str, Any], **options: Any) -> Verdict:
    """:meth:`Verifier.verify` with :class:`Verifier` ``options``."""
    return Verifier(**options).verify(source)
