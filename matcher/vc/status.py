"""Revocation: W3C Bitstring Status List v1.0.

An issuer keeps one list of bits per purpose (``revocation``); each credential it signs gets an
index into it (``credentialStatus``: a ``BitstringStatusListEntry``) and revoking sets that bit.
The list is published as a ``BitstringStatusListCredential`` signed by the issuer, so a
verifier can check that the list, too, is the issuer's.

Encoding as the spec says: bit 0 is the most significant bit of the first byte; the bytes are
GZIP-compressed and written as multibase base64url without padding (prefix ``u``). The minimum
length of 131,072 bits (16 KiB) is the spec's: a short list would tell an observer which of
few credentials a verifier asks about.
"""

from __future__ import annotations

import base64
import gzip
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from matcher.errors import InvalidInputError

MIN_BITS = 131_072
STATUS_ENTRY = "BitstringStatusListEntry"
STATUS_CREDENTIAL = "BitstringStatusListCredential"
VC_V2 = "https://www.w3.org/ns/credentials/v2"


class StatusListError(InvalidInputError):
    """A status list or status entry that cannot be read."""

    code = "status_list"


@dataclass
class StatusList:
    """A bitstring of credential statuses (1 = revoked for the ``revocation`` purpose)."""

    bits: bytearray
    purpose: str = "revocation"

    @classmethod
    def new(cls, size: int = MIN_BITS, purpose: str = "revocation") -> StatusList:
        return cls(bytearray((max(size, MIN_BITS) + 7) // 8), purpose)

    @property
    def size(self) -> int:
        return len(self.bits) * 8

    def _check(self, index: int) -> None:
        if not 0 <= index < self.size:
            raise StatusListError(f"status list index {index} is outside the list "
                                  f"(0–{self.size - 1})", field="statusListIndex")

    def get(self, index: int) -> bool:
        self._check(index)
        return bool(self.bits[index // 8] & (0x80 >> (index % 8)))

    def set(self, index: int, value: bool = True) -> None:
        self._check(index)
        if value:
            self.bits[index // 8] |= 0x80 >> (index % 8)
        else:
            self.bits[index // 8] &= ~(0x80 >> (index % 8)) & 0xFF

    def encode(self) -> str:
        # mtime=0: the same bits always encode to the same text.
        packed = gzip.compress(bytes(self.bits), mtime=0)
        return "u" + base64.urlsafe_b64encode(packed).rstrip(b"=").decode("ascii")

    @classmethod
    def decode(cls, encoded: str, purpose: str = "revocation") -> StatusList:
        if not isinstance(encoded, str) or not encoded:
            raise StatusListError("the status list has no encodedList", field="encodedList")
        text = encoded[1:] if encoded[0] == "u" else encoded  # multibase; early lists lack it
        try:
            packed = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
            return cls(bytearray(gzip.decompress(packed)), purpose)
        except (ValueError, OSError, EOFError) as exc:
            raise StatusListError(f"the status list's encodedList cannot be decoded "
                                  f"(base64url of GZIP expected): {exc}",
                                  field="encodedList") from None

    def credential(self, url: str, issuer: str, valid_from: str) -> dict[str, Any]:
        """The (unsigned) ``BitstringStatusListCredential`` publishing this list at ``url``."""
        return {
            "@context": [VC_V2],
            "id": url,
            "type": ["VerifiableCredential", STATUS_CREDENTIAL],
            "issuer": issuer,
            "validFrom": valid_from,
            "credentialSubject": {"id": f"{url}#list", "type": "BitstringStatusList",
                                  "statusPurpose": self.purpose,
                                  "encodedList": self.encode()},
        }


def status_entry(list_url: str, index: int, purpose: str = "revocation") -> dict[str, Any]:
    """The ``credentialStatus`` of the credential at ``index`` in the list at ``list_url``."""
    return {"id": f"{list_url}#{index}", "type": STATUS_ENTRY, "statusPurpose": purpose,
            "statusListIndex": str(index), "statusListCredential": list_url}


def entry_index(entry: Mapping[str, Any]) -> int:
    """The index of a status entry (a string by the spec; some issuers write a number)."""
    raw = entry.get("statusListIndex")
    try:
        index = int(raw) if isinstance(raw, int | str) and not isinstance(raw, bool) else -1
    except ValueError:
        index = -1
    if index < 0:
        raise StatusListError(f"credentialStatus.statusListIndex {raw!r} is not a "
                              "non-negative whole number", field="credentialStatus")
    return index


def list_from_credential(list_credential: Mapping[str, Any], purpose: str) -> StatusList:
    """The bitstring of a ``BitstringStatusListCredential`` (its proof checked elsewhere)."""
    types = list_credential.get("type")
    types = types if isinstance(types, list) else [types]
    if STATUS_CREDENTIAL not in types:
        raise StatusListError(f"the status list is not a {STATUS_CREDENTIAL} (type {types})",
                              field="credentialStatus")
    subject = list_credential.get("credentialSubject")
    subject = subject[0] if isinstance(subject, list) and subject else subject
    if not isinstance(subject, dict):
        raise StatusListError("the status list credential has no credentialSubject",
                              field="credentialStatus")
    if subject.get("statusPurpose") not in (purpose, [purpose]):
        raise StatusListError(f"the status list is for {subject.get('statusPurpose')!r}, "
                              f"not {purpose!r}", field="credentialStatus")
    return StatusList.decode(subject.get("encodedList", ""), purpose)
