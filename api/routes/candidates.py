"""Job seekers: their own profile, held credentials, consent, export, deletion, audit entries
that concern them, and suggestions. A job seeker's key reaches only their own profile."""

from __future__ import annotations

import secrets
from typing import Annotated, Any

import anyio.to_thread
from fastapi import APIRouter, Path, Query, Response
from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session, selectinload

from api.deps import EngineDep, JobSeeker, MappingDep, PoolDep, StoreDep
from api.errors import Conflict, Gone, NotFound
from api.profiles import title_names_json
from api.routes.common import (
    add_held,
    audit_out,
    candidate_out,
    held_answer,
    load_candidate,
    own_candidate,
)
from api.routes.credentials import credential_chars
from api.routes.system import ERRORS, MAX_ID, QUOTA_ERRORS, Responses
from api.schemas import (
    AuditOut,
    CandidateCreate,
    CandidateOut,
    CandidateUpdate,
    HeldCredentialAdd,
    HeldCredentialOut,
    SkillDeclare,
)
from api.store import hash_secret
from api.store.models import (
    AuditEntry,
    AuditSubject,
    Candidate,
    DeclaredSkill,
    HeldCredential,
    IssuerCredential,
    as_utc,
    utcnow,
)
from matcher.credentials import parse_credential

router = APIRouter(prefix="/v1/me", tags=["job seekers"])
LangParam = Annotated[str, Query(pattern="^(sv|en)$")]
MINE_404: Responses = {
    404: ERRORS[422] | {"description": "you have no candidate profile (or no such item)"}}


@router.post("/candidate", status_code=201, response_model=CandidateOut,
             responses=ERRORS | {409: ERRORS[422] | {"description": "you already have one"}})
def create_candidate(body: CandidateCreate, seeker: JobSeeker, engine: EngineDep,
                     store: StoreDep, pool: PoolDep, lang: LangParam = "sv") -> dict[str, Any]:
    """Create your profile: a pseudonymous id; consent to be found is off unless you say so."""
    candidate_id = "c_" + secrets.token_hex(8)
    now = utcnow()
    with store.session() as session:
        if session.scalar(select(Candidate.id).where(Candidate.owner == seeker.owner)):
            raise Conflict("you already have a candidate profile; change it with "
                           "PATCH /v1/me/candidate")
        session.add(Candidate(
            id=candidate_id, owner=seeker.owner, consent=body.consent,
            consent_changed_at=now if body.consent else None,
            contact=body.contact.model_dump(exclude_none=True) if body.contact else None,
            share_contact=body.share_contact, created_at=now, updated_at=now))
        store.log_changes(session, [candidate_id])
    pool.catch_up()
    return _mine(store, engine, seeker.owner, lang)


def spend_claim_code(session: Session, code: str) -> IssuerCredential:
    """The issued credential with this claim code, its code now spent (in the caller's
    transaction): one conditional UPDATE marks it claimed, so of two requests racing with the
    same code exactly one succeeds; the other gets 409. The unique holder constraint on
    ``held_credentials`` backs this up."""
    issued = session.scalar(select(IssuerCredential).where(
        IssuerCredential.claim_hash == hash_secret(code), IssuerCredential.kind == "issued"))
    if issued is None:
        raise NotFound("no issued credential has this claim code; check the code the "
                       "issuer gave you", field="claim_code")
    spent = Conflict("this claim code has already been used; a claim code works once. If "
                     "you did not use it, ask the issuer", field="claim_code")
    if issued.claimed_at is not None:
        raise spent
    now = utcnow()
    expires = issued.claim_expires_at
    if expires is not None and as_utc(expires) <= now:
        raise Gone(f"this claim code expired on {as_utc(expires):%Y-%m-%d}; ask the issuer "
                   "for a new one", field="claim_code")
    taken = session.execute(update(IssuerCredential).where(
        IssuerCredential.id == issued.id, IssuerCredential.claimed_at.is_(None))
        .values(claimed_at=now).execution_options(synchronize_session=False))
    if taken.rowcount != 1:  # type: ignore[attr-defined]
        raise spent
    return issued


def _written(session: Session, row: Candidate, engine: Any, lang: str) -> dict[str, Any]:
    """The profile as a write leaves it, answered from the rows the write already loaded
    (flushed, not yet committed; a commit that fails raises instead): reading it back after
    the commit cost a second load of the candidate, its credentials and skills per write.
    Call it before :meth:`Store.log_changes`, whose counter lock serialises every writer
    until the commit: the answer is built outside that lock."""
    session.flush()
    return candidate_out(row, engine, lang)


def _mine(store: Any, engine: Any, owner: str, lang: str) -> dict[str, Any]:
    with store.new_session() as session:
        row = load_candidate(session, owner=owner)
        if row is None:
            raise NotFound("you have no candidate profile yet; create one with "
                           "POST /v1/me/candidate")
        return candidate_out(row, engine, lang)


@router.get("/candidate", response_model=CandidateOut, responses=ERRORS | MINE_404)
def get_candidate(seeker: JobSeeker, engine: EngineDep, store: StoreDep,
                  lang: LangParam = "sv") -> dict[str, Any]:
    """Your profile: credentials, declared skills, and every skill with its evidence."""
    return _mine(store, engine, seeker.owner, lang)


@router.patch("/candidate", response_model=CandidateOut, responses=ERRORS | MINE_404)
def update_candidate(body: CandidateUpdate, seeker: JobSeeker, engine: EngineDep,
                     store: StoreDep, pool: PoolDep, lang: LangParam = "sv") -> dict[str, Any]:
    """Turn consent to be found on or off; set, share or remove contact data."""
    with store.session() as session:
        row = own_candidate(session, seeker)
        now = utcnow()
        if body.consent is not None and body.consent != row.consent:
            row.consent, row.consent_changed_at = body.consent, now
        if "contact" in body.model_fields_set:
            row.contact = body.contact.model_dump(exclude_none=True) if body.contact else None
        if body.share_contact is not None:
            row.share_contact = body.share_contact
        row.updated_at = now
        answer = _written(session, row, engine, lang)
        store.log_changes(session, [row.id])
    pool.catch_up()
    return answer


@router.delete("/candidate", status_code=204, responses=ERRORS | MINE_404)
def delete_candidate(seeker: JobSeeker, store: StoreDep, pool: PoolDep) -> Response:
    """Delete all your data: profile, credentials you hold, declared skills, and the links from
    the audit log to you (entries keep only a pseudonymous id that no longer leads anywhere)."""
    with store.session() as session:
        row = own_candidate(session, seeker)
        candidate_id = row.id
        session.execute(delete(AuditSubject).where(AuditSubject.candidate_id == candidate_id))
        session.delete(row)
        store.log_changes(session, [candidate_id])
    pool.catch_up()
    return Response(status_code=204)


@router.get("/candidate/export", responses=ERRORS | MINE_404)
def export_candidate(seeker: JobSeeker, engine: EngineDep, store: StoreDep) -> dict[str, Any]:
    """All data held about you, as JSON: profile, credentials, skills, and audit entries."""
    profile = _mine(store, engine, seeker.owner, "sv")
    with store.new_session() as session:
        entries = session.scalars(
            select(AuditEntry).join(AuditSubject, AuditSubject.audit_id == AuditEntry.id)
            .where(AuditSubject.candidate_id == profile["id"]).order_by(AuditEntry.id))
        audit = [_for_subject(audit_out(e), profile["id"]) for e in entries]
    return {"format": "meritmatch-export-1", "exported_at": utcnow().isoformat(),
            "key_owner": seeker.owner, "candidate": profile, "audit": audit}


@router.post("/candidate/credentials", status_code=201, response_model=HeldCredentialOut,
             responses=ERRORS | MINE_404 | QUOTA_ERRORS | {
                 409: ERRORS[422] | {"description": "the claim code was already used"},
                 410: ERRORS[422] | {"description": "the claim code has expired"}})
async def add_held_credential(body: HeldCredentialAdd, seeker: JobSeeker, engine: EngineDep,
                              store: StoreDep, pool: PoolDep,
                              mapping: MappingDep) -> dict[str, Any]:
    """Add a credential you hold: with the issuer's claim code (verified) or as a document
    (unverified; its outcomes are mapped to suggested skills, in the mapping pool and against
    your key's mapping quota). A claim code works once, for one person, until it expires; it
    stays spent when the credential is removed again."""
    links: list[dict[str, Any]] = []
    document: dict[str, Any] | None = None
    names: list[dict[str, Any]] | None = None
    if body.credential is not None:
        credential = parse_credential(body.credential, source="credential")
        # The same mapping the library reads a credential with (title and outcomes, top 5).
        mapped = await mapping(credential_chars(credential), engine.map_credential, credential)
        document = credential.model_dump(mode="json")
        links = [{"outcome_index": i, "uri": link.uri, "label": link.label,
                  "confidence": float(link.confidence), "state": "suggested",
                  "reason": link.reason}
                 for i, link in mapped.suggestions()]
        names = await anyio.to_thread.run_sync(title_names_json, engine, credential.title)
    else:  # a claim: the issued credential's title, read before the transaction that spends
        names = await anyio.to_thread.run_sync(_claimed_title_names, body, store, engine)
    return await anyio.to_thread.run_sync(_add_held, body, document, links, names, seeker,
                                          store, pool)


def _claimed_title_names(body: HeldCredentialAdd, store: Any,
                         engine: Any) -> list[dict[str, Any]] | None:
    """The title names of the credential a claim code names (None when it names none: the
    claim is refused in its own transaction). Worked out with the model outside it."""
    with store.new_session() as session:
        title = session.scalar(select(IssuerCredential.title).where(
            IssuerCredential.claim_hash == hash_secret(str(body.claim_code)),
            IssuerCredential.kind == "issued"))
    return None if title is None else title_names_json(engine, title)


def _add_held(body: HeldCredentialAdd, document: dict[str, Any] | None,
              links: list[dict[str, Any]], names: list[dict[str, Any]] | None, seeker: Any,
              store: Any, pool: Any) -> dict[str, Any]:
    with store.session() as session:
        candidate = own_candidate(session, seeker)
        if body.claim_code is not None:
            issued = spend_claim_code(session, body.claim_code)
            from api.routes.wallet import revoked_issued

            if revoked_issued(session, issued.id):  # raising rolls the spending back
                raise Conflict("the issuer has revoked this credential", field="claim_code")
            held = HeldCredential(
                candidate_id=candidate.id, credential_id=issued.id, verified=True,
                document=issued.document, links=[], added_at=utcnow(), title_names=names)
        else:
            assert document is not None
            held = HeldCredential(candidate_id=candidate.id, credential_id=None, verified=False,
                                  document=document, links=links, added_at=utcnow(),
                                  title_names=names)
        held_id = add_held(session, store, candidate, held)
    return held_answer(store, pool, held_id)


@router.delete("/candidate/credentials/{held_id}", status_code=204,
               responses=ERRORS | MINE_404)
def remove_held_credential(held_id: Annotated[int, Path(ge=1, le=MAX_ID)], seeker: JobSeeker,
                           store: StoreDep, pool: PoolDep) -> Response:
    with store.session() as session:
        candidate = own_candidate(session, seeker)
        held = next((h for h in candidate.credentials if h.id == held_id), None)
        if held is None:
            raise NotFound(f"you hold no credential {held_id}", field="held_id")
        session.delete(held)
        candidate_id = candidate.id
        store.log_changes(session, [candidate_id])
    pool.catch_up()
    return Response(status_code=204)


@router.post("/candidate/skills", status_code=201, response_model=CandidateOut,
             responses=ERRORS | MINE_404)
def declare_skill(body: SkillDeclare, seeker: JobSeeker, engine: EngineDep, store: StoreDep,
                  pool: PoolDep, lang: LangParam = "sv") -> dict[str, Any]:
    """Declare a skill yourself (weaker evidence than a credential)."""
    skill = engine.taxonomy.skill(body.uri)  # 422 naming an unknown URI
    with store.session() as session:
        candidate = own_candidate(session, seeker)
        added = all(s.skill_uri != skill.uri for s in candidate.skills)
        if added:
            candidate.skills.append(DeclaredSkill(skill_uri=skill.uri, added_at=utcnow()))
        answer = _written(session, candidate, engine, lang)
        if added:
            store.log_changes(session, [candidate.id])
    if added:
        pool.catch_up()
    return answer


@router.delete("/candidate/skills", response_model=CandidateOut, responses=ERRORS | MINE_404)
def remove_declared_skill(seeker: JobSeeker, engine: EngineDep, store: StoreDep, pool: PoolDep,
                          uri: Annotated[str, Query(min_length=1, max_length=300)],
                          lang: LangParam = "sv") -> dict[str, Any]:
    with store.session() as session:
        candidate = own_candidate(session, seeker)
        found = next((s for s in candidate.skills if s.skill_uri == uri), None)
        if found is None:
            raise NotFound(f"you have not declared the skill {uri!r}", field="uri")
        candidate.skills.remove(found)
        answer = _written(session, candidate, engine, lang)
        store.log_changes(session, [candidate.id])
    pool.catch_up()
    return answer


@router.get("/audit", response_model=list[AuditOut], responses=ERRORS | MINE_404)
def my_audit(seeker: JobSeeker, store: StoreDep,
             limit: Annotated[int, Query(ge=1, le=1000)] = 100) -> list[dict[str, Any]]:
    """Every search and profile view by an employer that concerned you, newest first."""
    with store.new_session() as session:
        candidate_id = session.scalar(select(Candidate.id)
                                      .where(Candidate.owner == seeker.owner))
        if candidate_id is None:
            raise NotFound("you have no candidate profile yet")
        entries = session.scalars(
            select(AuditEntry).join(AuditSubject, AuditSubject.audit_id == AuditEntry.id)
            .where(AuditSubject.candidate_id == candidate_id)
            .order_by(AuditEntry.id.desc()).limit(limit))
        return [_for_subject(audit_out(e), candidate_id) for e in entries]


def _for_subject(entry: dict[str, Any], candidate_id: str) -> dict[str, Any]:
    """A person sees who searched and for what, and their own place in the results only."""
    entry["results"] = [r for r in entry["results"]
                        if isinstance(r, dict) and r.get("candidate_id") == candidate_id]
    return entry


@router.get("/suggestions", responses=ERRORS | MINE_404)
def suggestions(seeker: JobSeeker, engine: EngineDep, store: StoreDep,
                top_k: Annotated[int, Query(ge=1, le=20)] = 5,
                interest: Annotated[str | None, Query(min_length=1, max_length=500)] = None,
                lang: LangParam = "sv") -> dict[str, Any]:
    """Occupations and job ads that fit your skills: matched skills, gaps, and for each gap
    the credentials that teach it — offerings issuers published here first, then the
    engine's catalogue. Ads are those platforms imported (else the engine's demo ads). With
    ``interest`` (what you want to move towards, in your words: "äldreomsorg"), what lies
    closer to it comes first."""
    from api.profiles import build_profile
    from api.ranking import add_offerings
    from api.routes.ads import ad_requirement
    from api.store.models import JobAdRow

    with store.new_session() as session:
        row = load_candidate(session, owner=seeker.owner)
        if row is None:
            raise NotFound("you have no candidate profile yet; create one with "
                           "POST /v1/me/candidate")
        profile = build_profile(row, engine.taxonomy, engine.link_policy)
        ads = [(str(a.id), a.headline, ad_requirement(a),
                {k: v for k, v in (("employer", (a.document.get("employer") or {}).get("name")),
                                   ("municipality", (a.document.get("workplace_address") or {})
                                    .get("municipality"))) if v})
               for a in session.scalars(select(JobAdRow)) if a.requirements]
        offerings = list(session.scalars(
            select(IssuerCredential).options(selectinload(IssuerCredential.links))
            .where(IssuerCredential.kind == "offering")))
    result = engine.suggest(profile, top_k=top_k, lang=lang, interest=interest,
                            ads=ads or None).to_dict()
    if ads:
        result["ads_source"] = "platforms"
    add_offerings(result, offerings, engine)
    return result
