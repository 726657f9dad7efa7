"""Taxonomy search for autocomplete, concept details, and mapping texts to ESCO skills."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request

from api.deps import AnyRole, EngineDep, MappingDep
from api.errors import NotFound
from api.routes.system import ERRORS, QUOTA_ERRORS
from api.schemas import ConceptHit, ConceptOut, MapRequest, MapResponse
from api.search import LabelSearch

router = APIRouter(prefix="/v1", tags=["taxonomy"])

QueryText = Annotated[str, Query(min_length=1, max_length=200, description="text to look for")]
LangParam = Annotated[str, Query(pattern="^(sv|en)$", description="language of the labels")]
Limit = Annotated[int, Query(ge=1, le=50)]


def _search(request: Request) -> LabelSearch:
    search: LabelSearch = request.app.state.label_search
    return search


@router.get("/taxonomy/skills", response_model=list[ConceptHit], responses=ERRORS)
def search_skills(request: Request, _who: AnyRole, q: QueryText, lang: LangParam = "sv",
                  limit: Limit = 10) -> list[dict[str, Any]]:
    """ESCO skills whose Swedish or English labels match ``q`` (for autocomplete)."""
    return [vars(h) for h in _search(request).search("skill", q, lang=lang, limit=limit)]


@router.get("/taxonomy/occupations", response_model=list[ConceptHit], responses=ERRORS)
def search_occupations(request: Request, _who: AnyRole, q: QueryText, lang: LangParam = "sv",
                       limit: Limit = 10) -> list[dict[str, Any]]:
    """ESCO occupations whose Swedish or English labels match ``q``."""
    return [vars(h) for h in _search(request).search("occupation", q, lang=lang, limit=limit)]


@router.get("/taxonomy/concept", response_model=ConceptOut, responses=ERRORS)
def concept(engine: EngineDep, _who: AnyRole,
            uri: Annotated[str, Query(min_length=1, max_length=300)],
            lang: LangParam = "sv") -> dict[str, Any]:
    """One skill or occupation by URI; an occupation lists its essential and optional skills."""
    taxonomy = engine.taxonomy
    if uri in taxonomy.skills:
        skill = taxonomy.skills[uri]
        return {"uri": uri, "type": "skill", "label": skill.label(lang),
                "labels": skill.labels, "description": skill.description(lang)}
    if uri in taxonomy.occupations:
        occ = taxonomy.occupations[uri]
        skills = [
            {"uri": r.skill_uri, "label": taxonomy.skills[r.skill_uri].label(lang),
             "essential": r.essential}
            for r in taxonomy.skills_of(uri)
        ]
        return {"uri": uri, "type": "occupation", "label": occ.label(lang), "labels": occ.labels,
                "description": occ.description(lang), "skills": skills}
    raise NotFound(f"no ESCO skill or occupation {uri!r} in taxonomy {taxonomy.version}",
                   field="uri")


@router.post("/map", response_model=MapResponse, responses=ERRORS | QUOTA_ERRORS)
async def map_texts(body: MapRequest, engine: EngineDep, mapping: MappingDep) -> dict[str, Any]:
    """Map learning outcomes (or any short texts) to ranked ESCO skills with reasons.

    At most 100 texts, 2,000 characters each and 20,000 in all per request; the characters
    count against the key's mapping quota (429 with ``Retry-After`` over it). Mapping runs in
    its own worker pool (503 with ``Retry-After`` when it and its queue are full)."""
    mappings = await mapping(sum(len(t) for t in body.texts), engine.map_outcomes, body.texts,
                             top_k=body.top_k, lang=body.lang,
                             written_in=[body.written_in] * len(body.texts))
    return {"outcomes": [m.to_dict() for m in mappings]}
