"""Employers: requirement profiles, candidate search, and viewing a found candidate.

Only candidates who consented to be found are searched or shown, with their skills and
evidence only; contact data appears only when the person chose to share it. Every search and
every profile view is written to the audit log (:mod:`api.audit`, group commit): the response
is sent only after the entry is committed.
"""

from __future__ import annotations

import secrets
from concurrent.futures import Future
from functools import partial
from typing import Annotated, Any

import anyio.to_thread
import orjson
from fastapi import APIRouter, Path, Query, Request, Response
from sqlalchemy import bindparam, select

from api import ranking
from api.audit import committed
from api.deps import Employer, EngineDep, Mapping, MappingDep, PoolDep, StoreDep
from api.errors import NotFound
from api.routes.common import audit, audit_out, skills_out, submit_audit
from api.routes.system import ERRORS, QUOTA_ERRORS, Responses
from api.schemas import (
    AuditOut,
    CandidateView,
    RequirementCreate,
    RequirementOut,
    SearchOut,
    SearchRequest,
)
from api.store.models import AuditEntry, RequirementRow, utcnow
from matcher.caching import Kept
from matcher.profiles import Requirement, RequirementProfile

router = APIRouter(prefix="/v1", tags=["employers"])
RequirementId = Annotated[str, Path(min_length=1, max_length=64)]
NOT_FOUND: Responses = {
    404: ERRORS[422] | {"description": "not found (or not yours, or not findable)"}}
LangParam = Annotated[str, Query(pattern="^(sv|en)$")]


def _requirement_out(profile: RequirementProfile, engine: Any, lang: str,
                     created_at: Any = None) -> dict[str, Any]:
    out = profile.to_dict(engine.taxonomy, lang)
    out["created_at"] = created_at
    return out


def _row_to_profile(row: Any) -> RequirementProfile:
    return RequirementProfile(
        row.id, row.title, row.source,
        tuple(Requirement(r["uri"], float(r["weight"]), bool(r["must_have"]),
                          str(r.get("origin", "")), r.get("evidence"), r.get("confidence"),
                          bool(r.get("core", True)))
              for r in row.requirements), occupation=row.occupation)


def _owned(row: RequirementRow | None, owner: str, requirement_id: str) -> RequirementRow:
    """``row`` when it exists and belongs to ``owner``; else 404 (another's looks absent)."""
    if row is None or row.owner != owner:
        raise NotFound(f"no requirement profile {requirement_id!r} among yours",
                       field="requirement_id")
    return row


def _own_requirement(session: Any, owner: str, requirement_id: str) -> RequirementRow:
    return _owned(session.get(RequirementRow, requirement_id), owner, requirement_id)


def _saved_requirement(store: Any, owner: str, requirement_id: str) -> RequirementProfile:
    """A saved requirement profile of ``owner``, read with one plain query (on every search)."""
    with store.engine.connect() as conn:
        row = conn.execute(_SAVED, {"id": requirement_id}).first()
    return _row_to_profile(_owned(row, owner, requirement_id))


# Built once (reused, it keeps its compiled form and cache key).
_SAVED = select(RequirementRow.owner, RequirementRow.id, RequirementRow.title,
                RequirementRow.source, RequirementRow.requirements, RequirementRow.occupation
                ).where(RequirementRow.id == bindparam("id"))


async def derive(mapping: Mapping, engine: Any, body: RequirementCreate,
                 id: str) -> RequirementProfile:
    """The requirement profile of ``body``: from an ad text in the mapping pool (its
    characters charged to the key's mapping quota), else in a request thread."""
    if body.ad_text is not None:
        return await mapping(len(body.ad_text), ranking.derive_requirement, engine, body, id=id)
    return await anyio.to_thread.run_sync(partial(ranking.derive_requirement, engine, body,
                                                  id=id))


@router.post("/requirements", status_code=201, response_model=RequirementOut,
             responses=ERRORS | QUOTA_ERRORS)
async def create_requirement(body: RequirementCreate, employer: Employer, engine: EngineDep,
                             store: StoreDep, mapping: MappingDep) -> dict[str, Any]:
    """Build and save a requirement profile from an ESCO occupation, an ad text or skills."""
    profile = await derive(mapping, engine, body, "r_" + secrets.token_hex(8))
    return await anyio.to_thread.run_sync(_save_requirement, profile, employer, engine, store,
                                          body.lang)


def _save_requirement(profile: RequirementProfile, employer: Any, engine: Any, store: Any,
                      lang: str) -> dict[str, Any]:
    row = RequirementRow(id=profile.id, owner=employer.owner, title=profile.title,
                         source=profile.source, created_at=utcnow(),
                         occupation=profile.occupation,
                         # Everything a requirement scores by (the core flag, exact weights):
                         # a saved search ranks as the search it was built from.
                         requirements=profile.to_dict(exact=True)["requirements"])
    with store.session() as session:
        session.add(row)
    return _requirement_out(profile, engine, lang, row.created_at)


@router.get("/requirements", response_model=list[RequirementOut], responses=ERRORS)
def list_requirements(employer: Employer, engine: EngineDep, store: StoreDep,
                      lang: LangParam = "sv") -> list[dict[str, Any]]:
    with store.new_session() as session:
        rows = session.scalars(select(RequirementRow).where(RequirementRow.owner == employer.owner)
                               .order_by(RequirementRow.created_at.desc()))
        return [_requirement_out(_row_to_profile(r), engine, lang, r.created_at) for r in rows]


@router.get("/requirements/{requirement_id}", response_model=RequirementOut,
            responses=ERRORS | NOT_FOUND)
def get_requirement(requirement_id: RequirementId, employer: Employer, engine: EngineDep,
                    store: StoreDep, lang: LangParam = "sv") -> dict[str, Any]:
    with store.new_session() as session:
        row = _own_requirement(session, employer.owner, requirement_id)
        return _requirement_out(_row_to_profile(row), engine, lang, row.created_at)


@router.delete("/requirements/{requirement_id}", status_code=204, responses=ERRORS | NOT_FOUND)
def delete_requirement(requirement_id: RequirementId, employer: Employer,
                       store: StoreDep) -> Response:
    with store.session() as session:
        session.delete(_own_requirement(session, employer.owner, requirement_id))
    return Response(status_code=204)


@router.post("/search", response_model=SearchOut, response_model_exclude_none=True,
             responses=ERRORS | NOT_FOUND | QUOTA_ERRORS)
async def search_candidates(request: Request, body: SearchRequest, employer: Employer,
                            engine: EngineDep, store: StoreDep, pool: PoolDep,
                            mapping: MappingDep) -> Response:
    """Rank the candidates who consented to be found against a requirement (given inline or
    by the id of a saved one). Each result explains matched, partial and missing skills;
    the requirement in the answer names each of its skills once (label, weight, must-have),
    and a result's missing skills are their URIs. The search is audited: who, when, the
    requirement and the results shown. Each result shows the strongest evidence per matched
    skill; the candidate's full evidence is at GET /v1/candidates/{id} (a profile view,
    audited too). A requirement from an ad text is derived in the mapping pool first."""
    profile = None
    if body.requirement is not None and body.requirement.ad_text is not None:
        profile = await derive(mapping, engine, body.requirement, "inline")
    answer, entry = await anyio.to_thread.run_sync(_search, request, body, employer, engine,
                                                   store, pool, profile)
    # Answered only once the audit entry is committed, awaited here rather than in the
    # request thread: a thread is held while a search computes, not while the disk syncs.
    answer = {"audit_id": await committed(entry), **answer}
    # Built in SearchOut's shape (tests/api/test_flows.py validates it against the model)
    # and written straight to JSON by orjson: validating the ~110 kB answer against the
    # model again took ~15 % of a search's CPU, and orjson writes it in a third of
    # pydantic-core's time (docs/benchmarks.md, service load).
    return Response(orjson.dumps(answer), media_type="application/json")


_REQUIREMENT_JSON: Kept[tuple[Any, dict[str, Any]]] = Kept(512)


def _requirement_json(profile: RequirementProfile, taxonomy: Any, lang: str) -> dict[str, Any]:
    """The searched requirement as the answer shows it, built once per requirement, taxonomy
    and language and shared by the answers that show it (written out at once, never
    changed): a saved occupation profile has some 50 skills to label on every search."""
    # Each entry holds its taxonomy, so the id in its key names no other while it lives.
    return _REQUIREMENT_JSON.get((profile, id(taxonomy), lang),
                                 lambda: (taxonomy, profile.to_dict(taxonomy, lang)))[1]


def _search(request: Request, body: SearchRequest, employer: Any, engine: Any, store: Any,
            pool: Any, profile: RequirementProfile | None
            ) -> tuple[dict[str, Any], Future[int]]:
    if profile is None and body.requirement is not None:
        profile = ranking.derive_requirement(engine, body.requirement, id="inline")
    elif profile is None:
        assert body.requirement_id is not None
        profile = _saved_requirement(store, employer.owner, body.requirement_id)
    result = ranking.rank(engine, pool, profile, top_k=body.top_k, lang=body.lang)
    results = ranking.result_items(result.candidates)
    for item in results:
        contact = pool.shared_contact(item["candidate_id"])
        if contact:
            item["contact"] = contact
    requirement = _requirement_json(profile, engine.taxonomy, body.lang)
    # The log keeps what was asked (skills, weights, must-haves), not the display labels.
    asked = {"id": profile.id, "title": profile.title, "source": profile.source,
             "requirements": [{"uri": r.uri, "weight": r.weight, "must_have": r.must_have}
                              for r in profile.requirements]}
    entry = submit_audit(request, employer, "candidate_search", asked,
                         [{"rank": r["rank"], "candidate_id": r["candidate_id"],
                           "score": r["score"]} for r in results],
                         [r["candidate_id"] for r in results])
    return {"requirement": requirement, "candidates_searched": result.total_candidates,
            "results": results, "notes": list(result.notes)}, entry


@router.get("/candidates/{candidate_id}", response_model=CandidateView,
            responses=ERRORS | NOT_FOUND)
def view_candidate(request: Request,
                   candidate_id: Annotated[str, Path(min_length=1, max_length=64)],
                   employer: Employer, engine: EngineDep, pool: PoolDep,
                   lang: LangParam = "sv") -> dict[str, Any]:
    """A findable candidate's skills and evidence (contact data only if they share it).
    The view is audited."""
    profile = pool.profiles().get(candidate_id)
    if profile is None:
        raise NotFound(f"no findable candidate {candidate_id!r}", field="candidate_id")
    audit(request, employer, "profile_view", None, [{"candidate_id": candidate_id}],
          [candidate_id])
    view: dict[str, Any] = {"id": candidate_id, "skills": skills_out(profile, engine.taxonomy,
                                                                     lang)}
    contact = pool.shared_contact(candidate_id)
    if contact:
        view["contact"] = contact
    return view


@router.get("/searches", response_model=list[AuditOut], responses=ERRORS)
def my_searches(employer: Employer, store: StoreDep,
                limit: Annotated[int, Query(ge=1, le=1000)] = 50) -> list[dict[str, Any]]:
    """Your own searches and profile views, as the audit log holds them."""
    with store.new_session() as session:
        rows = session.scalars(select(AuditEntry).where(AuditEntry.actor_owner == employer.owner)
                               .order_by(AuditEntry.id.desc()).limit(limit))
        return [audit_out(r) for r in rows]
