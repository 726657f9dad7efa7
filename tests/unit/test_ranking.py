"""Ranking: partial credit, explanations, must-haves, evidence strength, vectorised = explained."""

from __future__ import annotations

import dataclasses
import random
from pathlib import Path

import numpy as np
import pytest

from matcher import Engine, InvalidInputError, UnknownConceptError
from matcher.profiles import STRENGTH_WEIGHT, CandidateProfile, Evidence
from matcher.scoring.explain import explain
from matcher.scoring.partial_credit import PartialCredit
from matcher.scoring.score import (
    best_rows,
    candidate_matrix,
    ranking_key,
    score_candidates,
    top_rows,
)
from tests.fixtures.esco_mini import OCC, SKILL, SKILLS


def holder(id_: str, *uris: str, strength: str = "verified") -> CandidateProfile:
    weight = STRENGTH_WEIGHT[strength]
    return CandidateProfile(id_, {
        SKILL + u: (Evidence(strength, 1.0, weight, "cred-" + u, "Kurs " + u, "Komvux",  # type: ignore[arg-type]
                             "2025-01-01"),) for u in uris})


def test_partial_credit_routes_and_round_trip(engine: Engine, tmp_path: Path) -> None:
    partial = engine.partial_credit
    col = partial.space.col
    # Hierarchy: welcoming hotel guests is a narrower part of customer service.
    assert partial.credit[col[SKILL + "reception"], col[SKILL + "customer"]] == pytest.approx(0.6)
    assert partial.credit[col[SKILL + "customer"], col[SKILL + "reception"]] == pytest.approx(0.5)
    # ESCO skill–skill relation, both ways.
    assert partial.credit[col[SKILL + "forklift"], col[SKILL + "forklift-inspect"]] > 0
    assert partial.credit.diagonal().sum() == 0
    partial.save(tmp_path / "p")
    loaded = PartialCredit.load(tmp_path / "p", engine.taxonomy)
    assert (loaded.credit != partial.credit).nnz == 0
    assert (loaded.method != partial.method).nnz == 0


def test_exact_beats_partial_beats_nothing_and_partial_is_explained(engine: Engine) -> None:
    requirement = engine.requirement_from_skills([SKILL + "customer", SKILL + "booking"])
    result = engine.rank_candidates(requirement, [
        holder("nothing", "welding"), holder("partial", "reception"),
        holder("exact", "customer")], top_k=3)
    assert [c.candidate_id for c in result.candidates] == ["exact", "partial", "nothing"]
    exact, partial, nothing = result.candidates
    assert exact.score == pytest.approx(0.5) and nothing.score == 0
    assert 0 < partial.score < exact.score
    [match] = partial.explanation.partial
    assert match.uri == SKILL + "customer" and match.method == "hierarchy"
    assert match.stand_ins[0].uri == SKILL + "reception"
    assert "'welcome hotel guests' is a narrower skill of 'provide customer service'" in (
        match.rationale)
    assert [m.uri for m in partial.explanation.missing] == [SKILL + "booking"]
    assert exact.explanation.matched[0].evidence[0].credential_id == "cred-customer"
    # The score beside its reading: a share above 0 with no core skill held is a part cover.
    assert partial.explanation.core == {"held": 0, "partial": 1, "total": 2}
    assert exact.explanation.core == {"held": 1, "partial": 0, "total": 2}


def test_evidence_strength_orders_equal_skills(engine: Engine) -> None:
    requirement = engine.requirement_from_occupation(OCC + "forklift-operator")
    candidates = [holder(s, "forklift", "forklift-inspect", strength=s)
                  for s in ("self_declared", "verified", "unverified")]
    result = engine.rank_candidates(requirement, candidates)
    assert [c.candidate_id for c in result.candidates] == [
        "verified", "unverified", "self_declared"]


def test_must_haves_gate_and_nobody_meeting_them_is_said(engine: Engine) -> None:
    requirement = engine.requirement_from_skills(
        [SKILL + "reception", SKILL + "booking", SKILL + "customer", SKILL + "cash"],
        must_have=[SKILL + "cash"])
    result = engine.rank_candidates(requirement, [
        holder("strong", "reception", "booking", "customer"), holder("cashier", "cash")])
    assert [c.candidate_id for c in result.candidates] == ["cashier", "strong"]
    assert result.candidates[0].score < result.candidates[1].score
    assert result.candidates[1].explanation.missing_must_haves == [SKILL + "cash"]
    assert result.meeting_must_haves == 1 and not result.notes

    nobody = engine.requirement_from_skills([SKILL + "reception"],
                                            must_have=[SKILL + "welding"])
    result = engine.rank_candidates(nobody, [holder("a", "reception"), holder("b")])
    assert result.meeting_must_haves == 0
    assert "no candidate holds every must-have skill ('perform metal active gas welding')" in (
        result.notes[0])
    assert all(not c.explanation.must_haves_met for c in result.candidates)
    assert "1 candidate(s) hold no skills" in result.notes[1]


def test_a_requirement_asked_again_ranks_as_the_first_time_and_a_changed_one_anew(
        engine: Engine) -> None:
    """What scoring and explaining prepare per requirement is kept between searches; asking
    the same requirement again must give the same answer, and one that differs only in a
    must-have or a weight must not be served the kept one."""
    skills = [SKILL + "reception", SKILL + "booking", SKILL + "customer", SKILL + "cash"]
    people = [holder("strong", "reception", "booking", "customer"), holder("cashier", "cash")]

    def ranked(requirement: object) -> list[tuple[str, float, bool]]:
        result = engine.rank_candidates(requirement, people)  # type: ignore[arg-type]
        return [(c.candidate_id, c.score, c.explanation.must_haves_met)
                for c in result.candidates]

    plain = engine.requirement_from_skills(skills)
    first = ranked(plain)
    assert ranked(plain) == first == ranked(engine.requirement_from_skills(skills))
    assert [c for c, _, _ in first] == ["strong", "cashier"]
    gated = ranked(engine.requirement_from_skills(skills, must_have=[SKILL + "cash"]))
    assert [(c, met) for c, _, met in gated] == [("cashier", True), ("strong", False)]
    heavier = dataclasses.replace(plain, requirements=tuple(
        dataclasses.replace(r, weight=5.0) if r.uri == SKILL + "cash" else r
        for r in plain.requirements))
    assert [c for c, _, _ in ranked(heavier)] == ["cashier", "strong"]


def test_bad_input_gets_clear_results_or_errors(engine: Engine) -> None:
    requirement = engine.requirement_from_skills([SKILL + "cash"])
    assert engine.rank_candidates(requirement, []).notes == ("no candidates given",)
    for top_k in (0, 1001, "3", True):
        with pytest.raises(InvalidInputError, match="top_k"):
            engine.rank_candidates(requirement, [holder("a", "cash")], top_k=top_k)  # type: ignore[arg-type]
    stale = requirement.with_must_have([SKILL + "not-in-taxonomy"])
    with pytest.raises(UnknownConceptError):
        engine.rank_candidates(stale, [holder("a", "cash")])


def test_vectorised_scores_equal_the_explained_ones(engine: Engine) -> None:
    rng = random.Random(3)
    names = [s[0] for s in SKILLS]
    strengths = list(STRENGTH_WEIGHT)
    profiles = [holder(f"c{i}", *rng.sample(names, rng.randint(0, 6)),
                       strength=rng.choice(strengths)) for i in range(300)]
    partial = engine.partial_credit
    matrix = candidate_matrix(profiles, partial.space)
    for occupation in ("forklift-operator", "care-assistant", "receptionist"):
        requirement = engine.requirement_from_occupation(OCC + occupation).with_must_have(
            [SKILL + "customer"])
        scores = score_candidates(matrix, requirement, partial)
        reqs = requirement.requirements
        for i, profile in enumerate(profiles):
            explained = explain(profile, reqs, partial, engine.taxonomy)
            assert scores.score[i] == pytest.approx(explained.score, abs=1e-5)
            assert bool(scores.must_met[i]) == explained.must_haves_met
            assert 0.0 <= scores.score[i] <= 1.0
        top = best_rows(ranking_key(scores), 10)
        keys = scores.score[top] + 2 * scores.must_met[top]
        assert np.all(np.diff(keys) <= 0)
        best_elsewhere = np.delete(scores.score + 2 * scores.must_met, top).max()
        assert keys[-1] >= best_elsewhere


def test_the_top_k_among_candidates_holding_a_relevant_skill_is_the_top_k_of_all(
        engine: Engine) -> None:
    # Scoring touches only the rows holding a required skill or a stand-in; everyone else
    # scores 0 and shares one key. The top-k taken among the touched rows must be the one
    # taken over every row, ties (many zero scores) by row.
    rng = random.Random(11)
    names = [s[0] for s in SKILLS]
    profiles = [holder(f"c{i}", *rng.sample(names, rng.choice((0, 0, 1, 2, 4))))
                for i in range(400)]
    partial = engine.partial_credit
    matrix = candidate_matrix(profiles, partial.space)
    for occupation in ("forklift-operator", "care-assistant", "receptionist"):
        plain = engine.requirement_from_occupation(OCC + occupation)
        for requirement in (plain, plain.with_must_have([plain.uris[0]])):
            scores = score_candidates(matrix, requirement, partial)
            assert scores.rows is not None
            others = np.setdiff1d(np.arange(len(profiles)), scores.rows)
            assert len(others) > 0 and not scores.score[others].any()
            assert np.all(scores.must_met[others] == scores.others_meet)
            for k in (1, 5, 50, 400):
                assert top_rows(scores, k).tolist() == best_rows(ranking_key(scores),
                                                                 k).tolist()


def test_suggest_names_gaps_and_the_credentials_that_close_them(engine: Engine) -> None:
    amina_like = holder("a", "dementia", "hygiene")
    suggestions = engine.suggest(amina_like, top_k=3)
    assert suggestions.ads_source == "demo" and "demo ads" in suggestions.notes[0]
    top = suggestions.occupations[0]
    assert top.id == OCC + "care-assistant" and top.kind == "occupation"
    assert {m.uri for m in top.explanation.matched} == {SKILL + "dementia", SKILL + "hygiene"}
    [gap] = top.gaps
    assert gap.skill.uri == SKILL + "infosec"
    assert any("Informationssäkerhet" in c.title for c in gap.courses)
    assert all(c.method == "exact" for c in gap.courses[:1])
    assert suggestions.ads  # demo ads, mapped onto the tiny taxonomy
    assert engine.suggest(holder("empty")).occupations == ()
    assert "holds no skills" in engine.suggest(holder("empty")).notes[-1]


def test_a_credential_title_naming_the_occupation_lifts_the_order_not_the_score(
        engine: Engine) -> None:
    """An employer searching for an occupation sees first the candidate whose course is
    named for it, even with a little less of the listed skills; the percentage shown stays
    the coverage, and the card names the title. A skill list or an ad is not an occupation:
    no title lifts it."""
    from dataclasses import replace

    from matcher.evidence import Evidence
    from matcher.profiles import CandidateProfile
    from tests.fixtures.esco_mini import OCC, SKILL

    def held(title: str, weight: float, *skills: str) -> CandidateProfile:
        evidence = (Evidence("unverified", 0.9, weight, credential_id="c",
                             credential_title=title),)
        return CandidateProfile(title, {SKILL + s: evidence for s in skills})

    # The first's course is named for the care assistant; the second holds a little more of
    # its skills, from a course named for hotel reception.
    titled = held("Undersköterska i äldreomsorg", 0.4, "dementia")
    wider = held("Receptionsarbete på hotell", 0.5, "dementia", "infosec")
    requirement = engine.requirement_from_occupation(OCC + "care-assistant")
    assert requirement.occupation == OCC + "care-assistant"

    lifted = engine.rank_candidates(requirement, [wider, titled])
    plain = engine.rank_candidates(replace(requirement, occupation=None), [wider, titled])
    assert [c.candidate_id for c in plain.candidates] == [wider.id, titled.id]
    assert [c.candidate_id for c in lifted.candidates] == [titled.id, wider.id]
    scores = {c.candidate_id: c.score for c in plain.candidates}
    assert {c.candidate_id: c.score for c in lifted.candidates} == scores
    assert scores[titled.id] < scores[wider.id]
    first, second = lifted.candidates
    assert first.title_points == "Undersköterska i äldreomsorg"
    assert first.to_dict()["title_points"] == "Undersköterska i äldreomsorg"
    assert second.title_points is None and plain.candidates[1].title_points is None
    # The same skills asked for as a list: no occupation, no lift.
    listed = engine.rank_candidates(engine.requirement_from_skills(
        [r.uri for r in requirement.requirements]), [wider, titled])
    assert listed.requirement.occupation is None
    assert [c.candidate_id for c in listed.candidates] == [wider.id, titled.id]
