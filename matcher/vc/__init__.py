"""Verifiable credentials: Open Badges 3.0 and European Digital Credentials, signed, checked
and revocable (docs/credentials.md).

- :mod:`~matcher.vc.ob3` / :mod:`~matcher.vc.elm`: our credential (Annex I elements) to and
  from OB 3.0 ``OpenBadgeCredential`` and ELM / EDC JSON-LD;
- :mod:`~matcher.vc.keys`: issuer Ed25519 keys, ``did:key``, JWKS;
- :mod:`~matcher.vc.proof`: ``eddsa-rdfc-2022`` Data Integrity proofs;
- :mod:`~matcher.vc.status`: Bitstring Status Lists (revocation);
- :mod:`~matcher.vc.verify`: the verifier (offline; the checks of 1EdTech's validator).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any, Literal

from matcher.credentials import Credential
from matcher.errors import CredentialError
from matcher.vc.importing import ImportedCredential, LinkDifference, link_differences
from matcher.vc.keys import IssuerKey
from matcher.vc.probes import kind_of
from matcher.vc.status import StatusList, status_entry
from matcher.vc.verify import Verdict, Verifier, parse_document, verify_credential

Format = Literal["ob3", "elm"]
FORMATS: tuple[str, ...] = ("ob3", "elm")

__all__ = ["FORMATS", "ImportedCredential", "IssuerKey", "LinkDifference", "StatusList",
           "Verdict", "Verifier", "export_credential", "import_credential",
           "link_differences", "parse_document", "status_entry", "verify_credential"]


def export_credential(credential: Credential, key: IssuerKey, *, fmt: str = "ob3",
                      links: Iterable[Any] = (), labels: Mapping[str, str] | None = None,
                      credential_status: Mapping[str, Any] | None = None,
                      valid_until: str | None = None) -> dict[str, Any]:
    """``credential`` as a signed OB 3.0 badge (``fmt="ob3"``) or EDC (``"elm"``), issued by
    ``key``'s ``did:key``, carrying the issuer's confirmed ESCO links.

    Raises:
        CredentialError: an unknown format.
    """
    from matcher.vc.proof import sign

    if fmt == "ob3":
        from matcher.vc.ob3 import export_ob3

        document = export_ob3(credential, issuer_id=key.did, links=links, labels=labels,
                              credential_status=credential_status, valid_until=valid_until)
    elif fmt == "elm":
        from matcher.vc.elm import export_elm

        document = export_elm(credential, issuer_id=key.did, links=links,
                              credential_status=credential_status, valid_until=valid_until)
    else:
        raise CredentialError(f"unknown credential format {fmt!r}; use one of "
                              f"{', '.join(FORMATS)}", field="format")
    return sign(document, key)


def import_credential(source: str | bytes | Mapping[str, Any]) -> ImportedCredential:
    """Our credential (and its stated ESCO skills) from an OB 3.0 or EDC document. Reads
    only; verify with :func:`verify_credential`.

    Raises:
        CredentialError: not JSON, neither format, or missing what a credential needs.
    """
    document = parse_document(source)
    kind = kind_of(document)
    if kind == "ob3":
        from matcher.vc.ob3 import import_ob3

        return import_ob3(document)
    if kind == "elm":
        from matcher.vc.elm import import_elm

        return import_elm(document)
    raise CredentialError(f"type {document.get('type')!r} is neither an Open Badge 3.0 "
                          "(OpenBadgeCredential) nor a European Digital Credential",
                          field="type")
