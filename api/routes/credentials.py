"""Issuers: publish credentials, review the suggested outcome → skill links."""

from __future__ import annotations

import secrets
from datetime import timedelta
from typing import Annotated, Any

import anyio.to_thread
from fastapi import APIRouter, Path, Query, Response
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, selectinload

from api.deps import EngineDep, Issuer, MappingDep, PoolDep, SettingsDep, StoreDep
from api.errors import Conflict, NotFound
from api.pool import CandidatePool
from api.routes.system import ERRORS, MAX_ID, QUOTA_ERRORS, Responses
from api.schemas import CredentialCreate, CredentialOut, LinkAdd, LinkReview
from api.store import Store, hash_secret
from api.store.models import HeldCredential, IssuerCredential, SkillLinkRow, utcnow
from matcher.credentials import (
    Credential,
    CredentialOffering,
    parse_credential,
    parse_offering,
)

router = APIRouter(prefix="/v1/credentials", tags=["issuers"])
CredentialId = Annotated[int, Path(ge=1, le=MAX_ID)]
OWN_404: Responses = {404: ERRORS[422] | {"description": "no such credential among yours"}}


def credential_chars(credential: Any) -> int:
    """A credential's characters to map (title and outcomes), for the key's mapping quota."""
    return len(credential.title) + sum(len(str(o)) for o in credential.learning_outcomes)


def _own(session: Session, owner: str, credential_id: int) -> IssuerCredential:
    row = session.scalar(select(IssuerCredential)
                         .options(selectinload(IssuerCredential.links))
                         .where(IssuerCredential.id == credential_id,
                                IssuerCredential.owner == owner))
    if row is None:
        raise NotFound(f"no credential {credential_id} among yours", field="credential_id")
    return row


def _holders_changed(session: Session, store: Store, credential_id: int) -> list[str]:
    """Candidates holding this credential: their profiles change with its links."""
    holders = list(session.scalars(select(HeldCredential.candidate_id)
                                   .where(HeldCredential.credential_id == credential_id)))
    store.log_changes(session, holders)
    return holders


def _refresh(pool: CandidatePool, holders: list[str]) -> None:
    if holders:
        pool.catch_up()


@router.post("", status_code=201, response_model=CredentialOut, responses=ERRORS | QUOTA_ERRORS | {
    409: ERRORS[422] | {"description": "you already have a credential with this id"}})
async def create_credential(body: CredentialCreate, issuer: Issuer, engine: EngineDep,
                            store: StoreDep, settings: SettingsDep,
                            mapping: MappingDep) -> dict[str, Any]:
    """Publish an offering or issue a credential; its title and outcomes are mapped to
    suggested skills (links with ``outcome_index`` -1 are the title's).

    An issued credential comes back with a one-time ``claim_code``: give it to the learner,
    who adds the credential to their profile with it (it is then *verified*). The code works
    once and only until ``claim_expires_at`` (``MATCHER_CLAIM_CODE_DAYS``, default 90 days);
    ``POST /v1/credentials/{id}/claim-code`` makes a new one while nobody has claimed it.
    """
    credential: Credential | CredentialOffering
    if body.kind == "issued":
        credential = parse_credential(body.document, source="document")
    else:
        credential = parse_offering(body.document, source="document")
    mapped = await mapping(credential_chars(credential), engine.map_credential, credential,
                           top_k=body.top_k)
    return await anyio.to_thread.run_sync(_save_credential, body.kind, credential, mapped,
                                          issuer.owner, store, settings.claim_code_days)


def _save_credential(kind: str, credential: Any, mapped: Any, owner: str, store: Store,
                     claim_code_days: int) -> dict[str, Any]:
    claim_code = secrets.token_urlsafe(12) if kind == "issued" else None
    now = utcnow()
    row = IssuerCredential(
        owner=owner, kind=kind, external_id=credential.id, title=credential.title,
        document=credential.model_dump(mode="json"),
        claim_hash=hash_secret(claim_code) if claim_code else None, created_at=now,
        updated_at=now,
        claim_expires_at=now + timedelta(days=claim_code_days) if claim_code else None,
        links=[SkillLinkRow(outcome_index=i, skill_uri=link.uri, label=link.label,
                            confidence=float(link.confidence), reason=link.reason,
                            state="suggested")
               for i, link in mapped.suggestions()],
    )
    try:
        with store.session() as session:
            exists = session.scalar(select(IssuerCredential.id).where(
                IssuerCredential.owner == owner,
                IssuerCredential.external_id == credential.id))
            if exists is not None:
                raise Conflict(f"you already published a credential with id {credential.id!r} "
                               f"(credential {exists}); give a new id or delete that one",
                               field="document.id")
            session.add(row)
    except IntegrityError:
        raise Conflict(f"you already published a credential with id {credential.id!r}",
                       field="document.id") from None
    return credential_out_loaded(store, row.id, claim_code)


def credential_out_loaded(store: Store, credential_id: int,
                          claim_code: str | None = None) -> dict[str, Any]:
    from api.routes.common import credential_out

    with store.new_session() as session:
        row = session.scalar(select(IssuerCredential)
                             .options(selectinload(IssuerCredential.links))
                             .where(IssuerCredential.id == credential_id))
        assert row is not None
        return credential_out(row, claim_code)


@router.post("/{credential_id}/claim-code", response_model=CredentialOut,
             responses=ERRORS | OWN_404 | {409: ERRORS[422] | {
                 "description": "not an issued credential, or already claimed"}})
def new_claim_code(credential_id: CredentialId, issuer: Issuer, store: StoreDep,
                   settings: SettingsDep) -> dict[str, Any]:
    """A new claim code for an issued credential nobody has claimed (the old code stops
    working): for a learner whose code expired or was lost."""
    claim_code = secrets.token_urlsafe(12)
    now = utcnow()
    with store.session() as session:
        row = _own(session, issuer.owner, credential_id)
        if row.kind != "issued" or row.claimed_at is not None:
            raise Conflict(f"credential {credential_id} is "
                           + ("not an issued credential" if row.kind != "issued"
                              else "already claimed: its code is spent for good"),
                           field="credential_id")
        row.claim_hash = hash_secret(claim_code)
        row.claim_expires_at = now + timedelta(days=settings.claim_code_days)
        row.updated_at = now
    return credential_out_loaded(store, credential_id, claim_code)


@router.get("", response_model=list[CredentialOut], responses=ERRORS)
def list_credentials(
    issuer: Issuer, store: StoreDep,
    kind: Annotated[str | None, Query(pattern="^(offering|issued)$")] = None,
) -> list[dict[str, Any]]:
    """Your credentials, newest first."""
    from api.routes.common import credential_out

    with store.new_session() as session:
        query = (select(IssuerCredential).options(selectinload(IssuerCredential.links))
                 .where(IssuerCredential.owner == issuer.owner)
                 .order_by(IssuerCredential.id.desc()))
        if kind:
            query = query.where(IssuerCredential.kind == kind)
        return [credential_out(r) for r in session.scalars(query)]


@router.get("/{credential_id}", response_model=CredentialOut, responses=ERRORS | OWN_404)
def get_credential(credential_id: CredentialId, issuer: Issuer,
                   store: StoreDep) -> dict[str, Any]:
    from api.routes.common import credential_out

    with store.new_session() as session:
        return credential_out(_own(session, issuer.owner, credential_id))


@router.delete("/{credential_id}", status_code=204, responses=ERRORS | OWN_404)
def delete_credential(credential_id: CredentialId, issuer: Issuer, store: StoreDep,
                      pool: PoolDep) -> Response:
    """Withdraw a credential. Holders keep it, unverified, with the links it had."""
    from api.profiles import held_links

    with store.session() as session:
        row = _own(session, issuer.owner, credential_id)
        held_rows = list(session.scalars(select(HeldCredential)
                                         .where(HeldCredential.credential_id == row.id)))
        for held in held_rows:
            held.links = held_links(held)
            held.verified = False
            held.credential_id = None
        holders = [h.candidate_id for h in held_rows]
        store.log_changes(session, holders)
        session.delete(row)
    _refresh(pool, holders)
    return Response(status_code=204)


@router.patch("/{credential_id}/links/{link_id}", response_model=CredentialOut,
              responses=ERRORS | OWN_404)
def review_link(credential_id: CredentialId, link_id: Annotated[int, Path(ge=1, le=MAX_ID)],
                body: LinkReview, issuer: Issuer, store: StoreDep,
                pool: PoolDep) -> dict[str, Any]:
    """Confirm or reject a suggested link (or set it back to suggested)."""
    with store.session() as session:
        row = _own(session, issuer.owner, credential_id)
        link = next((lk for lk in row.links if lk.id == link_id), None)
        if link is None:
            raise NotFound(f"credential {credential_id} has no link {link_id}", field="link_id")
        if link.state == "added" and body.state != "rejected":
            pass  # an added link is already confirmed by the issuer
        else:
            link.state = body.state
        link.reviewed_at = row.updated_at = utcnow()
        holders = _holders_changed(session, store, row.id)
    _refresh(pool, holders)
    return credential_out_loaded(store, credential_id)


@router.post("/{credential_id}/links", status_code=201, response_model=CredentialOut,
             responses=ERRORS | OWN_404)
def add_link(credential_id: CredentialId, body: LinkAdd, issuer: Issuer, engine: EngineDep,
             store: StoreDep, pool: PoolDep) -> dict[str, Any]:
    """Add a skill the mapping did not suggest (an unknown ESCO URI gets 422 naming it)."""
    skill = engine.taxonomy.skill(body.uri)
    with store.session() as session:
        row = _own(session, issuer.owner, credential_id)
        outcomes = row.document.get("learning_outcomes", [])
        if body.outcome_index >= len(outcomes):
            from matcher.errors import InvalidInputError

            raise InvalidInputError(
                f"outcome_index {body.outcome_index} is out of range; credential "
                f"{credential_id} has {len(outcomes)} learning outcomes (0–{len(outcomes) - 1}; "
                "-1 is the title)",
                field="outcome_index")
        existing = next((lk for lk in row.links if lk.outcome_index == body.outcome_index
                         and lk.skill_uri == skill.uri), None)
        lang = row.document.get("language", "sv")
        if existing is not None:
            existing.state = "confirmed" if existing.state != "added" else "added"
            existing.reviewed_at = utcnow()
        else:
            row.links.append(SkillLinkRow(
                outcome_index=body.outcome_index, skill_uri=skill.uri, label=skill.label(lang),
                confidence=1.0, state="added", reviewed_at=utcnow(),
                reason="lagd till av utfärdaren" if lang == "sv" else "added by the issuer"))
        row.updated_at = utcnow()
        holders = _holders_changed(session, store, row.id)
    _refresh(pool, holders)
    return credential_out_loaded(store, credential_id)
