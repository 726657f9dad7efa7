"""The service's side of ranking, over the library's profiles and ranking.

- requirement profiles from a request (occupation, ad text or skills; must-haves; weights);
- candidate search over the in-memory pool: the candidate × skill matrix is built at start-up
  and updated in place, a few rows per change (:mod:`api.pool_matrix`), never per request,
  and ranked with :func:`matcher.scoring.score.score_candidates` (a sparse product per part of the
  matrix) and a top-k;
- search results as the API returns them;
- the offerings issuers published in the store, put first among the courses of each gap of a
  job seeker's suggestions (:meth:`Engine.suggest` gives the rest).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from typing import Any

from api.pool import CandidatePool
from api.schemas import RequirementCreate
from matcher.engine import Engine
from matcher.profiles import RequirementProfile
from matcher.scoring.rank import check_top_k, rank_profiles, ranking_result
from matcher.scoring.results import RankedCandidate, RankingResult


def derive_requirement(engine: Engine, body: RequirementCreate, *, id: str) -> RequirementProfile:
    """A requirement profile from exactly one of occupation, ad text or skills."""
    if body.occupation is not None:
        profile = engine.requirement_from_occupation(body.occupation, must_have=body.must_have,
                                                     lang=body.lang)
    elif body.skills is not None:
        profile = engine.requirement_from_skills(
            [s.model_dump() for s in body.skills], must_have=body.must_have,
            title=body.title or ("kompetenslista" if body.lang == "sv" else "skill list"), id=id)
    else:
        assert body.ad_text is not None
        profile = engine.requirement_from_ad(body.ad_text, title=body.title, id=id,
                                             must_have=body.must_have)
    if body.weights:
        for uri in body.weights:
            engine.taxonomy.skill(uri)  # 422 naming an unknown URI
        profile = profile.with_weights(body.weights)
    if (body.title and body.title != profile.title) or profile.id != id:
        profile = replace(profile, id=id, title=body.title or profile.title)
    return profile


def prepare(engine: Engine, pool: CandidatePool) -> None:
    """Give the pool the engine's skill columns (and build the partial credit) now, not on the
    first search."""
    pool.snapshot(engine.partial_credit.space)


def rank(engine: Engine, pool: CandidatePool, profile: RequirementProfile, *, top_k: int,
         lang: str) -> RankingResult:
    """Rank every findable candidate (consenting ones only: the pool holds no others).

    Scores as :func:`matcher.scoring.rank.rank_matrix` over the pool's matrix; the matrix is kept
    in two parts (:mod:`api.pool_matrix`), ties go to the smaller candidate id."""
    partial, taxonomy = engine.partial_credit, engine.taxonomy
    check_top_k(top_k)
    for uri in profile.uris:
        taxonomy.skill(uri)  # UnknownConceptError names any URI the taxonomy lacks
    snapshot = pool.snapshot(partial.space)
    if not snapshot.count:
        return rank_profiles(profile, [], partial, taxonomy, top_k=top_k, lang=lang)
    scores = snapshot.score(profile, partial)
    order = snapshot.top(scores, top_k)
    return ranking_result(profile, scores, order, snapshot.ids, partial, taxonomy,
                          profile_of=snapshot.profiles.__getitem__, total=snapshot.count,
                          lang=lang)


def result_items(ranked: Sequence[RankedCandidate]) -> list[dict[str, Any]]:
    """Ranked candidates for a list of results (:class:`api.schemas.SearchResult`), built
    straight from their explanations: the strongest evidence per matched skill, stand-ins
    without their evidence, missing skills by URI only (the requirement in the same answer
    names each skill once; the full evidence is one profile view away,
    GET /v1/candidates/{id})."""
    return [{
        "rank": r.rank, "candidate_id": r.candidate_id,
        "score": round(r.explanation.score, 4),
        "coverage": round(r.explanation.coverage, 4),
        "core": r.explanation.core,
        "must_haves": r.explanation.must_haves,
        "must_haves_met": r.explanation.must_haves_met,
        "missing_must_haves": r.explanation.missing_must_haves,
        "matched": [{"uri": m.uri, "label": m.label, "weight": round(m.weight, 3),
                     "must_have": m.must_have, "score": round(m.score, 3), "method": m.method,
                     "rationale": m.rationale,
                     "evidence": [m.evidence[0].as_json()] if m.evidence else []}
                    for m in r.explanation.matched],
        "partial": [{"uri": m.uri, "label": m.label, "weight": round(m.weight, 3),
                     "must_have": m.must_have, "score": round(m.score, 3), "method": m.method,
                     "rationale": m.rationale,
                     "stand_ins": [{"uri": s.uri, "label": s.label, "method": s.method,
                                    "relation": s.relation, "credit": round(s.credit, 3)}
                                   for s in m.stand_ins]}
                    for m in r.explanation.partial],
        "missing": [m.uri for m in r.explanation.missing],
        **({"title_points": r.title_points} if r.title_points is not None else {}),
    } for r in ranked]


def add_offerings(result: dict[str, Any], offerings: Sequence[Any], engine: Engine,
                  per_gap: int = 3) -> None:
    """Put the offerings issuers published in the store first among the courses of each gap
    of a suggestions dict (a skill an offering teaches: a link the issuer confirmed or added,
    or a suggested one the engine's link policy keeps), under the catalogue's rule: only an
    offering about the job is offered for its gaps (:func:`matcher.catalogue.about_the_job`)."""
    from api.profiles import text_links
    from matcher.catalogue import JobSkills, about_the_job
    from matcher.evidence import TITLE

    teaches: dict[str, list[dict[str, Any]]] = {}
    taught: dict[str, set[str]] = {}  # offering id → the skills it teaches
    for row in offerings:
        doc = row.document
        outcomes = doc.get("learning_outcomes", [])
        links = text_links([{"outcome_index": lk.outcome_index, "uri": lk.skill_uri,
                             "confidence": lk.confidence, "state": lk.state}
                            for lk in row.links])
        offering_id = doc.get("id", str(row.id))
        for link, factor in engine.link_policy.select_credential(links):
            index = link.text_index
            taught.setdefault(offering_id, set()).add(link.uri)
            teaches.setdefault(link.uri, []).append({
                "id": offering_id, "title": row.title,
                "issuer": (doc.get("awarding_body") or {}).get("name", ""),
                "method": "exact", "credit": round(factor, 3),
                "outcome": (row.title if index == TITLE else
                            outcomes[index] if 0 <= index < len(outcomes) else ""),
                "source": "issuer"})
    if not teaches:
        return
    for kind in ("occupations", "ads"):
        for suggestion in result.get(kind, ()):
            job = JobSkills((m["uri"] for part in ("matched", "partial", "missing")
                             for m in suggestion.get(part, ())), engine.partial_credit,
                            engine.occupation_space.general)
            shared = {offering: job.count(uris) for offering, uris in taught.items()}
            for gap in suggestion.get("missing", ()):
                offers = sorted((o | {"job_skills": shared[o["id"]][0]}
                                 for o in teaches.get(gap["uri"], ())
                                 if about_the_job(*shared[o["id"]])),
                                key=lambda o: (-o["credit"], -o["job_skills"]))
                if offers:
                    label = gap.get("label", "")
                    gap["courses"] = ([o | {"teaches": {"uri": gap["uri"], "label": label}}
                                       for o in offers[:per_gap]] + gap.get("courses", []))
