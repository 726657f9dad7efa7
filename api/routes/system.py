"""Health, who am I, API keys (admin) and the full audit log (admin)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path, Query, Request, Response
from sqlalchemy import select

from api.deps import Admin, AnyRole, EngineDep, PoolDep, StoreDep
from api.errors import NotFound
from api.routes.common import audit_out
from api.schemas import AuditOut, ErrorOut, KeyCreate, KeyOut, Me
from api.store.models import ApiKey, AuditEntry, Candidate, utcnow

router = APIRouter(prefix="/v1")
# Row ids are 32-bit integers in PostgreSQL: larger path ids cannot exist (422, not 500).
MAX_ID = 2_147_483_647
# The shape of FastAPI's ``responses=``: status code -> OpenAPI response.
Responses = dict[int | str, dict[str, Any]]
ERRORS: Responses = {
    401: {"model": ErrorOut, "description": "no key or an invalid key"},
    403: {"model": ErrorOut, "description": "the key's role may not use this route"},
    422: {"model": ErrorOut, "description": "invalid input"},
    429: {"model": ErrorOut, "description": "the key is over its request quota (see "
          "Retry-After)"},
}
# Routes that embed text: the mapping quota and the mapping pool.
QUOTA_ERRORS: dict[int | str, dict[str, Any]] = {
    429: {"model": ErrorOut, "description": "the key is over its request or mapping quota "
          "(MATCHER_RATE_LIMIT, MATCHER_MAPPING_RATE_LIMIT); Retry-After says when to retry"},
    503: {"model": ErrorOut, "description": "the mapping pool and its queue are full "
          "(MATCHER_MAPPING_THREADS, MATCHER_MAPPING_QUEUE); Retry-After says when to retry"},
}


@router.get("/health", tags=["system"])
def health(request: Request, engine: EngineDep, store: StoreDep, pool: PoolDep) -> dict[str, Any]:
    """Is the service up, with which taxonomy and database."""
    taxonomy = engine.taxonomy
    return {
        "status": "ok",
        "version": request.app.version,
        "taxonomy": {"version": taxonomy.version, "skills": len(taxonomy.skills),
                     "occupations": len(taxonomy.occupations)},
        "model": engine.embedder.model_id,
        "database": store.dialect,
        "findable_candidates": len(pool),
        # This process's pool: the last change-log row applied, full loads (1: start-up
        # only) and how long the last took, candidates applied as deltas, matrix tail rows.
        "candidate_pool": pool.stats(),
    }


@router.get("/me", tags=["system"], response_model=Me, responses=ERRORS)
def me(principal: AnyRole, store: StoreDep) -> dict[str, Any]:
    """The caller's role and owner (and candidate id for a job seeker)."""
    candidate_id = None
    if principal.role == "job_seeker":  # only a person's own key learns their candidate id
        with store.new_session() as session:
            candidate_id = session.scalar(select(Candidate.id)
                                          .where(Candidate.owner == principal.owner))
    return {"role": principal.role, "owner": principal.owner, "name": principal.name,
            "candidate_id": candidate_id}


def _key_out(row: ApiKey, secret: str | None = None) -> dict[str, Any]:
    return {"id": row.id, "role": row.role, "owner": row.owner, "name": row.name,
            "prefix": row.prefix, "created_at": row.created_at,
            "revoked": row.revoked_at is not None, "key": secret}


@router.post("/keys", tags=["admin"], status_code=201, response_model=KeyOut,
             responses=ERRORS | {409: ERRORS[422] | {
                 "description": "the owner is a job seeker, or has keys of another role"}})
def create_key(body: KeyCreate, _admin: Admin, store: StoreDep) -> dict[str, Any]:
    """Create an API key (the key is in the response once; only its hash is stored).

    ``owner`` may name an organisation's existing owner for a second key of the same role;
    it may not name a job seeker (no key may act as an existing person: 409) or an owner
    whose keys have another role (409)."""
    row, secret = store.create_key(body.role, body.name, body.owner)
    return _key_out(row, secret)


@router.get("/keys", tags=["admin"], response_model=list[KeyOut], responses=ERRORS)
def list_keys(_admin: Admin, store: StoreDep) -> list[dict[str, Any]]:
    with store.new_session() as session:
        return [_key_out(k) for k in session.scalars(select(ApiKey).order_by(ApiKey.id))]


@router.delete("/keys/{key_id}", tags=["admin"], status_code=204, responses=ERRORS)
def revoke_key(key_id: Annotated[int, Path(ge=1, le=MAX_ID)], _admin: Admin,
               store: StoreDep) -> Response:
    """Revoke a key: it stops working at once, on every server process (each request reads
    its key from the database)."""
    with store.session() as session:
        row = session.get(ApiKey, key_id)
        if row is None:
            raise NotFound(f"no API key with id {key_id}", field="key_id")
        row.revoked_at = row.revoked_at or utcnow()
    return Response(status_code=204)


@router.get("/audit", tags=["admin"], response_model=list[AuditOut], responses=ERRORS)
def audit_log(
    _admin: Admin, store: StoreDep,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
    offset: Annotated[int, Query(ge=0, le=10_000_000)] = 0,
) -> list[dict[str, Any]]:
    """The whole audit log, newest first."""
    with store.new_session() as session:
        rows = session.scalars(select(AuditEntry).order_by(AuditEntry.id.desc())
                               .limit(limit).offset(offset))
        return [audit_out(r) for r in rows]
