"""Helpers shared by the route modules: serialising rows, loading owned rows, the audit log."""

from __future__ import annotations

from collections.abc import Iterable
from concurrent.futures import Future
from typing import Any

from fastapi import Request
from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from api.audit import WAIT_SECONDS, AuditWriter
from api.deps import Principal
from api.errors import NotFound
from api.pool import CandidatePool
from api.profiles import build_profile, held_links
from api.store import Store
from api.store.models import (
    AuditEntry,
    Candidate,
    HeldCredential,
    IssuerCredential,
    as_utc,
    utcnow,
)
from matcher.engine import Engine
from matcher.profiles import CandidateProfile
from matcher.taxonomy import Taxonomy


def credential_out(row: IssuerCredential, claim_code: str | None = None) -> dict[str, Any]:
    outcomes = row.document.get("learning_outcomes", [])
    return {
        "id": row.id, "kind": row.kind, "external_id": row.external_id, "title": row.title,
        "document": row.document, "created_at": row.created_at, "updated_at": row.updated_at,
        "claim_code": claim_code, "claimed": row.claimed_at is not None,
        "claim_expires_at": row.claim_expires_at if row.claimed_at is None else None,
        "links": [
            {"id": link.id, "outcome_index": link.outcome_index,
             "outcome": (row.title if link.outcome_index == -1 else outcomes[link.outcome_index]
                         if 0 <= link.outcome_index < len(outcomes) else None),
             "uri": link.skill_uri, "label": link.label, "confidence": round(link.confidence, 4),
             "reason": link.reason, "state": link.state}
            for link in row.links
        ],
    }


def skills_out(profile: CandidateProfile, taxonomy: Taxonomy, lang: str) -> list[dict[str, Any]]:
    return profile.to_dict(taxonomy, lang)["skills"]  # type: ignore[no-any-return]


def held_out(held: HeldCredential) -> dict[str, Any]:
    doc = held.document
    return {
        "id": held.id, "verified": held.verified, "title": doc.get("title", ""),
        "issuer": (doc.get("awarding_body") or {}).get("name"),
        "issued_on": doc.get("issued_on"), "document": doc, "links": held_links(held),
        "added_at": as_utc(held.added_at), "source": held.source,
        "verification": held.verification,
        "revoked_at": as_utc(held.revoked_at) if held.revoked_at is not None else None,
    }


def add_held(session: Session, store: Store, candidate: Candidate,
             held: HeldCredential) -> int:
    """Add a credential to the candidate's profile in this transaction, with the change
    logged for every process's pool; returns the held credential's id."""
    session.add(held)
    candidate.updated_at = utcnow()
    store.log_changes(session, [candidate.id])
    session.flush()
    return int(held.id)


def held_answer(store: Store, pool: CandidatePool, held_id: int) -> dict[str, Any]:
    """The held credential as answered, once this process's pool has the write (the
    writer's next search sees it)."""
    pool.catch_up()
    with store.new_session() as session:
        row = session.get(HeldCredential, held_id)
        assert row is not None
        return held_out(row)


def candidate_out(row: Candidate, engine: Engine, lang: str) -> dict[str, Any]:
    taxonomy = engine.taxonomy
    profile = build_profile(row, taxonomy, engine.link_policy)
    return {
        "id": row.id, "consent": row.consent, "share_contact": row.share_contact,
        "contact": row.contact, "created_at": as_utc(row.created_at),
        "updated_at": as_utc(row.updated_at),
        "credentials": [held_out(h) for h in row.credentials],
        "declared_skills": [s.skill_uri for s in row.skills],
        "skills": skills_out(profile, taxonomy, lang),
    }


def load_candidate(session: Session, *, owner: str | None = None,
                   candidate_id: str | None = None) -> Candidate | None:
    query = select(Candidate).options(
        selectinload(Candidate.credentials).selectinload(HeldCredential.credential)
        .selectinload(IssuerCredential.links),
        selectinload(Candidate.skills),
    )
    if owner is not None:
        query = query.where(Candidate.owner == owner)
    if candidate_id is not None:
        query = query.where(Candidate.id == candidate_id)
    return session.scalar(query)


def own_candidate(session: Session, principal: Principal) -> Candidate:
    row = load_candidate(session, owner=principal.owner)
    if row is None:
        raise NotFound("you have no candidate profile yet; create one with "
                       "POST /v1/me/candidate", field=None)
    return row


def audit(request: Request, principal: Principal, action: str,
          requirement: dict[str, Any] | None, results: list[dict[str, Any]],
          subjects: Iterable[str]) -> int:
    """Write an audit entry and the candidates it concerns; returns once it is committed."""
    return submit_audit(request, principal, action, requirement, results,
                        subjects).result(timeout=WAIT_SECONDS)


def submit_audit(request: Request, principal: Principal, action: str,
                 requirement: dict[str, Any] | None, results: list[dict[str, Any]],
                 subjects: Iterable[str]) -> Future[int]:
    """Queue an audit entry; await :func:`api.audit.committed` on the future before
    answering (a search does, in the event loop, so its thread is free meanwhile)."""
    writer: AuditWriter = request.app.state.audit
    return writer.submit(actor_key_id=principal.key_id, actor_owner=principal.owner,
                         actor_role=principal.role, action=action, requirement=requirement,
                         results=results, subjects=list(subjects))


def audit_out(entry: AuditEntry) -> dict[str, Any]:
    return {"id": entry.id, "at": entry.at, "actor": entry.actor_owner,
            "actor_role": entry.actor_role, "action": entry.action,
            "requirement": entry.requirement, "results": entry.results}
