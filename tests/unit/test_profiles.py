"""Candidate and requirement profiles, on the tiny taxonomy with the lexical embedder."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import pytest

from matcher import Engine, InvalidInputError, UnknownConceptError
from matcher.profiles import (
    STRENGTH_WEIGHT,
    CandidateProfile,
    RequirementProfile,
    load_candidates,
    parse_candidates,
)
from tests.fixtures.esco_mini import OCC, SKILL


def credential(id_: str, learner: str, outcomes: list[str], title: str = "Kurs") -> dict:
    return {
        "id": id_, "title": title, "learner": {"id": learner},
        "awarding_body": {"name": "Komvux Malmö"}, "issuer_country": "SE",
        "issued_on": "2025-05-20", "language": "sv", "learning_outcomes": outcomes,
        "workload": {"hours": 40}, "assessment_type": "Praktiskt prov",
        "participation_form": "onsite", "quality_assurance": "Intern granskning",
    }


FORKLIFT = ["Deltagaren kan köra gaffeltruck"]


def test_candidate_profile_holds_evidence_and_strength_orders_weight(engine: Engine) -> None:
    [verified, unverified, declared] = engine.candidate_profiles(parse_candidates([
        {"id": "a", "credentials": [{"credential": credential("c1", "a", FORKLIFT, "Truck A"),
                                     "verified": True}]},
        {"id": "b", "credentials": [{"credential": credential("c2", "b", FORKLIFT, "Truck A")}]},
        {"id": "c", "self_declared": [SKILL + "forklift"]},
    ]))
    uri = SKILL + "forklift"
    evidence = verified.best_evidence(uri)
    assert evidence is not None
    assert (evidence.credential_id, evidence.issuer, evidence.issued_on) == (
        "c1", "Komvux Malmö", "2025-05-20")
    assert evidence.strength == "verified" and 0 < evidence.confidence <= 1
    assert evidence.outcome in ("Deltagaren kan köra gaffeltruck", "Truck A")
    assert unverified.best_evidence(uri).strength == "unverified"  # type: ignore[union-attr]
    assert declared.best_evidence(uri).strength == "self_declared"  # type: ignore[union-attr]
    assert verified.weight(uri) > unverified.weight(uri) > declared.weight(uri) > 0
    assert declared.weight(uri) == STRENGTH_WEIGHT["self_declared"]


def test_profile_has_no_field_for_personal_characteristics() -> None:
    fields = {f.name for f in dataclasses.fields(CandidateProfile)}
    # titles: the occupations the credential titles point to (evidence, like the skills)
    assert fields == {"id", "skills", "notes", "titles"}


@pytest.mark.parametrize("field", ["gender", "age", "origin", "religion", "disability", "name"])
def test_candidates_file_refuses_unknown_fields(field: str) -> None:
    with pytest.raises(InvalidInputError, match=f"field '{field}': unknown field"):
        parse_candidates([{"id": "a", field: "x"}])


def test_candidates_file_refuses_characteristics_inside_credential_refs() -> None:
    with pytest.raises(InvalidInputError, match="credentials.0.gender"):
        parse_candidates([{"id": "a", "credentials": [{"path": "x.json", "gender": "f"}]}])


def test_candidates_file_problems_are_named(tmp_path: Path) -> None:
    with pytest.raises(InvalidInputError, match="appears twice"):
        parse_candidates([{"id": "a"}, {"id": "a"}])
    with pytest.raises(InvalidInputError, match="either 'path'"):
        parse_candidates([{"id": "a", "credentials": [{"verified": True}]}])
    with pytest.raises(InvalidInputError, match="no candidates"):
        parse_candidates([])
    with pytest.raises(InvalidInputError, match="no such file"):
        parse_candidates([{"id": "a", "credentials": [{"path": "missing.json"}]}],
                         base_dir=tmp_path)
    bad = tmp_path / "candidates.json"
    bad.write_text("[{")
    with pytest.raises(InvalidInputError, match="not valid JSON"):
        load_candidates(bad)


def test_credential_paths_are_relative_to_the_candidates_file(tmp_path: Path) -> None:
    (tmp_path / "creds").mkdir()
    (tmp_path / "creds" / "c1.json").write_text(json.dumps(credential("c1", "a", FORKLIFT)))
    (tmp_path / "candidates.json").write_text(json.dumps(
        {"id": "a", "credentials": [{"path": "creds/c1.json", "verified": True}]}))
    [candidate] = load_candidates(tmp_path / "candidates.json")
    assert candidate.id == "a" and candidate.credentials[0][0].id == "c1"
    assert candidate.credentials[0][1] is True


def test_someone_elses_credential_and_unknown_declared_skill(engine: Engine) -> None:
    other = parse_candidates([{"id": "a", "credentials": [
        {"credential": credential("c1", "someone-else", FORKLIFT)}]}])
    with pytest.raises(InvalidInputError, match="issued to 'someone-else'"):
        engine.candidate_profiles(other)
    with pytest.raises(UnknownConceptError, match="Unknown ESCO skill"):
        engine.candidate_profiles(parse_candidates([{"id": "a", "self_declared": ["nope"]}]))


def test_empty_profile_says_so(engine: Engine) -> None:
    [profile] = engine.candidate_profiles(parse_candidates([{"id": "a"}]))
    assert profile.is_empty and "no skills" in profile.notes[-1]


def test_requirement_from_occupation_weighs_essential_above_optional(engine: Engine) -> None:
    requirement = engine.requirement_from_occupation(OCC + "care-assistant")
    weights = {r.uri: (r.weight, r.origin) for r in requirement.requirements}
    assert weights[SKILL + "dementia"] == (1.0, "essential")
    assert weights[SKILL + "infosec"] == (0.5, "optional")
    assert requirement.source == "occupation" and requirement.title.startswith("care assistant")
    with pytest.raises(UnknownConceptError, match="Unknown ESCO occupation"):
        engine.requirement_from_occupation(OCC + "nope")


def test_requirement_from_skills_must_haves_and_weights(engine: Engine) -> None:
    requirement = engine.requirement_from_skills(
        [SKILL + "forklift", {"uri": SKILL + "drawings", "weight": 0.5}],
        must_have=[SKILL + "forklift", SKILL + "welding"])
    assert requirement.must_haves == [SKILL + "forklift", SKILL + "welding"]
    edited = requirement.with_weights({SKILL + "drawings": 0, SKILL + "cash": 2.0})
    assert {r.uri: r.weight for r in edited.requirements} == {
        SKILL + "forklift": 1.0, SKILL + "welding": 1.0, SKILL + "cash": 2.0}
    with pytest.raises(InvalidInputError, match="from 0 to 10"):
        requirement.with_weights({SKILL + "cash": 11})
    with pytest.raises(UnknownConceptError):
        engine.requirement_from_skills([SKILL + "nope"])
    with pytest.raises(UnknownConceptError):
        engine.requirement_from_skills([SKILL + "cash"], must_have=[SKILL + "nope"])
    with pytest.raises(InvalidInputError, match="unknown field"):
        engine.requirement_from_skills([{"uri": SKILL + "cash", "gender": "x"}])
    with pytest.raises(InvalidInputError, match="has no skills"):
        engine.requirement_from_skills([])
    assert RequirementProfile.from_dict(edited.to_dict()) == edited


def test_requirement_from_ad_weighs_requirement_sentences(engine: Engine) -> None:
    requirement = engine.requirement_from_ad(
        "Vi söker en truckförare till vårt lager i Malmö. Krav: du kan köra gaffeltruck. "
        "Meriterande: läsa ritningar. Tjänsten är en tillsvidareanställning på heltid.",
        title="Truckförare", id="ad-1")
    weights = {r.uri: r for r in requirement.requirements}
    assert weights[SKILL + "forklift"].weight > weights[SKILL + "drawings"].weight
    assert weights[SKILL + "drawings"].evidence == "läsa ritningar"
    # a merit is not part of the job's core; a requirement is
    assert weights[SKILL + "forklift"].core and not weights[SKILL + "drawings"].core
    assert weights[SKILL + "drawings"].origin == "ad:merit"
    assert requirement.source == "ad" and requirement.id == "ad-1"
    with pytest.raises(InvalidInputError, match="has no text"):
        engine.requirement_from_ad("   ")


def test_engine_candidate_profile_from_credential_objects(engine: Engine) -> None:
    from matcher import parse_credential

    held = parse_credential(credential("c9", "urn:x:learner", FORKLIFT, "Truckkort"))
    profile = engine.candidate_profile([held], verified=True, self_declared=[SKILL + "cash"])
    assert profile.id == "urn:x:learner"
    assert profile.best_evidence(SKILL + "forklift").strength == "verified"  # type: ignore[union-attr]
    assert profile.best_evidence(SKILL + "cash").strength == "self_declared"  # type: ignore[union-attr]
    with pytest.raises(InvalidInputError, match="candidate_id"):
        engine.candidate_profile([])


def test_an_occupations_common_skills_weigh_less_than_its_specific_ones(engine: Engine) -> None:
    from dataclasses import replace

    from tests.fixtures.esco_mini import OCC as O
    # One more occupation listing hygiene makes it less specific than dementia care.
    taxonomy = engine.taxonomy
    extra = type(taxonomy.occupation_skills[0])(O + "receptionist", SKILL + "hygiene", True)
    wider = replace(taxonomy, occupation_skills=(*taxonomy.occupation_skills, extra))
    other = Engine(engine.settings, taxonomy=wider, embedder=engine.embedder)
    weights = {r.uri: r.weight for r in
               other.requirement_from_occupation(O + "care-assistant").requirements}
    assert weights[SKILL + "dementia"] == 1.0 > weights[SKILL + "hygiene"] > 0
    other.suggestion_params = replace(other.suggestion_params, requirement_specificity=0.0)
    other._occupations = None
    weights = {r.uri: r.weight for r in
               other.requirement_from_occupation(O + "care-assistant").requirements}
    assert weights[SKILL + "dementia"] == weights[SKILL + "hygiene"] == 1.0
