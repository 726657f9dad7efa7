"""Verifiable credentials in the service (issue 15, docs/credentials.md).

- Issuers: ``POST /v1/credentials/{id}/export?format=ob3|elm`` signs an issued credential with
  the issuer's Ed25519 key (made on first use; the issuer id is its ``did:key``) and gives it a
  place in the issuer's revocation list; ``POST /v1/credentials/{id}/revoke`` sets that bit.
- Anyone: ``GET /v1/status-lists/{id}`` (the signed ``BitstringStatusListCredential``) and
  ``GET /v1/issuers/{id}/jwks`` (the issuer's public key), which verifiers elsewhere need.
- Job seekers: ``POST /v1/me/candidate/credentials/verifiable`` uploads an OB 3.0 badge or an
  EDC from a wallet. Verified (intact, current, not revoked, issuer registered here) → verified
  evidence; intact but from an issuer unknown here, or only checkable online → unverified
  evidence, saying why; tampered, expired, revoked or malformed → refused (422, the reason).

Revocation takes the credential's skills out of its holders' profiles in the same transaction
and out of search at once in this process, within ``api.pool.CHECK_EVERY`` (0.25 s) in others.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Annotated, Any, cast

from fastapi import APIRouter, Path, Query, Request
from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from api.deps import EngineDep, Issuer, JobSeeker, PoolDep, StoreDep
from api.errors import NotFound, ServiceError
from api.profiles import title_names_json
from api.routes.common import add_held, held_answer, own_candidate
from api.routes.credentials import CredentialId, _own
from api.routes.system import ERRORS, MAX_ID
from api.schemas import HeldCredentialOut, VerifiableUpload
from api.store.models import (
    CredentialStatusRow,
    HeldCredential,
    IssuerCredential,
    IssuerKeyRow,
    StatusListRow,
    utcnow,
)
from matcher.credentials import parse_credential
from matcher.evidence import LinkState, TextLink
from matcher.vc import IssuerKey, Verdict, Verifier, export_credential, import_credential
from matcher.vc import link_differences as differences_of
from matcher.vc.proof import sign
from matcher.vc.status import StatusList, status_entry

router = APIRouter(tags=["verifiable credentials"])
Format = Annotated[str, Query(pattern="^(ob3|elm)$")]
# What the pool's reader needs to see the change everywhere (api.pool.CHECK_EVERY).
SEARCH_DELAY = "at once in the server process that took the request; within 0.25 s in others"


class CredentialRefused(ServiceError):
    code, status = "credential_refused", 422


def _key(session: Session, owner: str) -> IssuerKeyRow:
    row = session.scalar(select(IssuerKeyRow).where(IssuerKeyRow.owner == owner))
    if row is None:
        key = IssuerKey.generate()
        row = IssuerKeyRow(owner=owner, did=key.did, private_jwk=key.private_jwk(),
                           created_at=utcnow())
        session.add(row)
        session.flush()
    return row


def _status_list(session: Session, owner: str, request: Request) -> StatusListRow:
    row = session.scalar(select(StatusListRow).where(StatusListRow.owner == owner))
    if row is None:
        row = StatusListRow(owner=owner, url="pending", encoded=StatusList.new().encode(),
                            next_index=0, updated_at=utcnow())
        session.add(row)
        session.flush()
        row.url = str(request.url_for("status_list", list_id=row.id))
    return row


def _status(session: Session, credential: IssuerCredential, request: Request
            ) -> tuple[StatusListRow, CredentialStatusRow]:
    listing = _status_list(session, credential.owner, request)
    row = session.get(CredentialStatusRow, credential.id)
    if row is None:
        row = CredentialStatusRow(credential_id=credential.id, list_id=listing.id,
                                  status_index=listing.next_index)
        listing.next_index += 1
        session.add(row)
    return listing, row


def _now() -> str:
    return datetime.now(UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")


def _signed_list(session: Session, listing: StatusListRow) -> dict[str, Any]:
    key_row = _key(session, listing.owner)
    bits = StatusList.decode(listing.encoded)
    stamp = listing.updated_at.astimezone(UTC).replace(microsecond=0).isoformat()
    return sign(bits.credential(listing.url, key_row.did, stamp.replace("+00:00", "Z")),
                IssuerKey.from_jwk(key_row.private_jwk))


@router.post("/v1/credentials/{credential_id}/export", responses=ERRORS)
def export(credential_id: CredentialId, issuer: Issuer, store: StoreDep, request: Request,
           format: Format = "ob3") -> dict[str, Any]:  # noqa: A002 - the query's name
    """Your issued credential as a signed OB 3.0 badge (``ob3``) or European Digital
    Credential (``elm``), carrying the ESCO links you confirmed or added, with a place in your
    revocation list. Give it to the learner for their wallet."""
    with store.session() as session:
        row = _own(session, issuer.owner, credential_id)
        if row.kind != "issued":
            raise ServiceError("only an issued credential (with a learner and a date) can be "
                               "exported as a verifiable credential", field="credential_id")
        key = IssuerKey.from_jwk(_key(session, issuer.owner).private_jwk)
        listing, status = _status(session, row, request)
        links = [TextLink(link.outcome_index, link.skill_uri, link.confidence,
                          cast(LinkState, link.state))  # the column holds LINK_STATES
                 for link in row.links if link.state in ("confirmed", "added")]
        labels = {link.skill_uri: link.label for link in row.links}
        return export_credential(parse_credential(row.document), key, fmt=format, links=links,
                                 labels=labels,
                                 credential_status=status_entry(listing.url,
                                                                status.status_index))


@router.post("/v1/credentials/{credential_id}/revoke", responses=ERRORS)
def revoke(credential_id: CredentialId, issuer: Issuer, store: StoreDep, pool: PoolDep,
           request: Request) -> dict[str, Any]:
    """Revoke an issued credential: its bit in your status list is set (verifiers everywhere
    see it), and its skills leave its holders' profiles and employers' searches."""
    now = utcnow()
    with store.session() as session:
        row = _own(session, issuer.owner, credential_id)
        listing, status = _status(session, row, request)
        bits = StatusList.decode(listing.encoded)
        bits.set(status.status_index)
        listing.encoded, listing.updated_at = bits.encode(), now
        status.revoked_at = status.revoked_at or now
        held = list(session.scalars(select(HeldCredential).where(or_(
            HeldCredential.credential_id == row.id,
            (HeldCredential.status_url == listing.url)
            & (HeldCredential.status_index == status.status_index)))))
        for item in held:
            item.revoked_at, item.verified = now, False
            item.verification = (item.verification or {}) | {
                "status": "revoked", "reason": "the issuer has revoked this credential",
                "label_sv": "återkallad av utfärdaren", "label_en": "revoked by the issuer",
                "checked_at": now.isoformat()}
        holders = list(dict.fromkeys(item.candidate_id for item in held))
        store.log_changes(session, holders)
        revoked_at = status.revoked_at
    if holders:
        pool.catch_up()
    return {"credential_id": credential_id, "revoked_at": revoked_at,
            "status_list": listing.url, "status_index": status.status_index,
            "holders_updated": len(holders), "search_updated": SEARCH_DELAY}


@router.get("/v1/status-lists/{list_id}", name="status_list", responses=ERRORS)
def status_list(list_id: Annotated[int, Path(ge=1, le=MAX_ID)],
                store: StoreDep) -> dict[str, Any]:
    """An issuer's revocation list: a signed W3C ``BitstringStatusListCredential`` (public)."""
    with store.session() as session:
        listing = session.get(StatusListRow, list_id)
        if listing is None:
            raise NotFound(f"no status list {list_id}", field="list_id")
        return _signed_list(session, listing)


@router.get("/v1/issuers/{key_id}/jwks", responses=ERRORS)
def issuer_jwks(key_id: Annotated[int, Path(ge=1, le=MAX_ID)],
                store: StoreDep) -> dict[str, Any]:
    """An issuer's public signing key as a JWKS (public); its ``kid`` is the ``did:key``
    verification method that proofs name."""
    with store.new_session() as session:
        row = session.get(IssuerKeyRow, key_id)
        if row is None:
            raise NotFound(f"no issuer key {key_id}", field="key_id")
        return {"keys": [IssuerKey.from_jwk(row.private_jwk).public_jwk()]}


@router.get("/v1/issuer-key", responses=ERRORS)
def my_key(issuer: Issuer, store: StoreDep, request: Request) -> dict[str, Any]:
    """Your signing key's ``did:key`` (the issuer id of what you export) and JWKS address."""
    with store.session() as session:
        row = _key(session, issuer.owner)
        return {"did": row.did, "jwks": str(request.url_for("issuer_jwks", key_id=row.id))}


# -- job seekers: upload from a wallet ---------------------------------------------------------
def service_verifier(session: Session) -> Verifier:
    """Trusts the issuers registered here; resolves their status lists from the database."""
    trusted = dict.fromkeys(session.scalars(select(IssuerKeyRow.did)), "")
    lists: dict[str, dict[str, Any]] = {}

    def resolve(url: str) -> Mapping[str, Any] | None:
        if url not in lists:
            listing = session.scalar(select(StatusListRow).where(StatusListRow.url == url))
            if listing is None:
                return None
            lists[url] = _signed_list(session, listing)
        return lists[url]

    return Verifier(trusted_issuers=trusted, status_lists=resolve)


def finding(verdict: Verdict) -> dict[str, Any]:
    """What an employer and the holder see beside the evidence."""
    issuer = verdict.issuer_name or verdict.issuer_id or "?"
    checked = datetime.now(UTC).isoformat()
    base = {"issuer": issuer, "issuer_id": verdict.issuer_id, "reason": verdict.reason,
            "checked_at": checked, "format": verdict.kind,
            "checks": [c.to_dict() for c in verdict.checks if c.status != "skipped"]}
    if verdict.verified:
        return base | {"status": "verified", "label_sv": f"verifierad av {issuer}",
                       "label_en": f"verified by {issuer}"}
    return base | {"status": "unverified", "label_sv": f"ej verifierad: {verdict.reason}",
                   "label_en": f"not verified: {verdict.reason}"}


@router.post("/v1/me/candidate/credentials/verifiable", status_code=201,
             response_model=HeldCredentialOut, tags=["job seekers"], responses=ERRORS | {
                 422: ERRORS[422] | {"description": "refused: the message says why (tampered, "
                                     "expired, revoked, wrong key, malformed, …)"}})
def upload(body: VerifiableUpload, seeker: JobSeeker, engine: EngineDep, store: StoreDep,
           pool: PoolDep) -> dict[str, Any]:
    """Add an Open Badge 3.0 or a European Digital Credential from your wallet. It is checked
    (signature, issuer key, validity dates, revocation) and counts as verified evidence when
    its issuer is registered here; an intact credential from an issuer unknown here counts
    as unverified. Its stated ESCO skills count as the issuer's; ``verification.differences``
    lists where our reading of its outcomes differs."""
    with store.new_session() as session:
        verdict = service_verifier(session).verify(body.document)
    failed = verdict.failed
    if failed is not None and failed.name != "trust" and not verdict.needs_network:
        raise CredentialRefused(f"refused: {verdict.reason}", field=failed.name)
    imported = import_credential(body.document)
    mapping = engine.map_credential(imported.credential)
    links: list[dict[str, Any]] = [
        {"outcome_index": link.text_index, "uri": link.uri, "confidence": 1.0,
         "state": "confirmed", "reason": "stated by the issuer"} for link in imported.links]
    if not links:  # nothing stated: our reading of its outcomes is all there is
        links = [{"outcome_index": i, "uri": s.uri, "label": s.label,
                  "confidence": float(s.confidence), "state": "suggested", "reason": s.reason}
                 for i, s in mapping.suggestions()]
    result = finding(verdict) | {
        "differences": [d.to_dict() for d in differences_of(
            imported.links, mapping.suggestions(), engine.link_policy)],
        "notes": list(imported.notes)}
    signed = body.document if isinstance(body.document, dict) else None
    status = (signed or {}).get("credentialStatus")
    status = status if isinstance(status, dict) else {}
    index = status.get("statusListIndex")
    names = title_names_json(engine, imported.credential.title)  # the model: no transaction open
    with store.session() as session:
        candidate = own_candidate(session, seeker)
        held = HeldCredential(
            candidate_id=candidate.id, credential_id=None, verified=verdict.verified,
            document=imported.credential.model_dump(mode="json"), links=links,
            added_at=utcnow(), source=imported.source_format, signed=signed,
            verification=result, status_url=status.get("statusListCredential"),
            title_names=names,
            status_index=int(str(index)) if str(index).isdigit() else None)
        held_id = add_held(session, store, candidate, held)
    return held_answer(store, pool, held_id)


def revoked_issued(session: Session, credential_id: int) -> bool:
    """Whether an issuer revoked this issued credential (a claim code must not add it)."""
    row = session.get(CredentialStatusRow, credential_id)
    return row is not None and row.revoked_at is not None

