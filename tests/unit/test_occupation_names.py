"""Occupations by name: typo-tolerant, without å/ä/ö, with the way people say it, and as part
of a job seeker's interest."""

from __future__ import annotations

import pytest

from matcher import Engine
from matcher.errors import InvalidInputError
from matcher.occupation_names import fold, strip_formula
from tests.fixtures.esco_mini import OCC


def test_fold_and_formula() -> None:
    assert fold("Lokalvårdare, städ!") == "lokalvardare stad"
    assert strip_formula("jobba som undersköterska") == "undersköterska"
    assert strip_formula("Jag vill bli truckförare") == "truckförare"
    assert strip_formula("I want to work as a receptionist") == "receptionist"
    assert strip_formula("truckförare") == "truckförare"


@pytest.mark.parametrize("query, expected", [
    ("undersköterska i äldreomsorg", "care-assistant"),
    ("underskoterska i aldreomsorg", "care-assistant"),  # no å/ä/ö on the keyboard
    ("undersköterka i äldreomsorg", "care-assistant"),  # one letter missing
    ("hotelreceptionist", "receptionist"),  # one letter missing
    ("jobba som truckförare", "forklift-operator"),
    ("Front desk agent", "receptionist"),  # an English alternative label
])
def test_a_named_occupation_is_found_first(engine: Engine, query: str, expected: str) -> None:
    found = engine.match_occupations(query, top_k=3)
    assert found[0].uri == OCC + expected, found
    assert found[0].method == "lexical" and found[0].score >= 0.9


def test_an_unnamed_query_is_found_by_meaning_not_by_accident(engine: Engine) -> None:
    found = engine.match_occupations("astronaut", top_k=3)
    assert all(m.method == "semantic" for m in found)
    with pytest.raises(InvalidInputError):
        engine.match_occupations("  ")


def test_an_interest_naming_an_occupation_puts_it_first(engine: Engine) -> None:
    from matcher.evidence import Evidence
    from matcher.profiles import CandidateProfile
    from tests.fixtures.esco_mini import SKILL

    # Holds a forklift skill and a care skill: without an interest the forklift job leads.
    held = {SKILL + "forklift": (Evidence("self_declared", 1.0, 0.4),),
            SKILL + "forklift-inspect": (Evidence("self_declared", 1.0, 0.4),),
            SKILL + "hygiene": (Evidence("self_declared", 1.0, 0.4),)}
    person = CandidateProfile("p", held)
    plain = engine.suggest(person, top_k=3)
    assert plain.occupations[0].id == OCC + "forklift-operator"
    wished = engine.suggest(person, top_k=3, interest="undersköterska")
    assert wished.occupations[0].id == OCC + "care-assistant", wished.notes
    assert any("occupations by name" in n for n in wished.notes)
    # It rests on one skill: the explanation says why it is first anyway, not that it is
    # "shown after better-supported suggestions" while it leads them.
    assert "close to your interest" in wished.occupations[0].why
    assert "shown after" not in wished.occupations[0].why
    assert "close to your interest" not in plain.occupations[0].why


def test_an_empty_interest_is_said_before_any_profile_is_built(
        engine: Engine, monkeypatch: pytest.MonkeyPatch) -> None:
    """"  " as an interest was reported as an empty *occupation query*, and only after the
    person's credentials were mapped (on a fresh machine, after the skill index was built)."""
    from matcher.profiles import CandidateInput

    def no_profiles(*_: object) -> None:
        raise AssertionError("the profile was built")

    monkeypatch.setattr(Engine, "candidate_profiles", no_profiles)
    with pytest.raises(InvalidInputError, match="the interest is empty") as raised:
        engine.suggest(CandidateInput("p", ()), interest="  ")
    assert raised.value.field == "interest"


def test_a_credential_title_naming_an_occupation_moves_it_up_and_says_so(engine: Engine
                                                                         ) -> None:
    from matcher.evidence import Evidence
    from matcher.profiles import CandidateProfile
    from tests.fixtures.esco_mini import SKILL

    def held(title: str | None) -> CandidateProfile:
        def evidence(confidence: float) -> tuple[Evidence, ...]:
            return (Evidence("unverified", confidence, 0.7, credential_id="c1",
                             credential_title=title),)
        # Every skill of both occupations; the forklift ones more surely.
        skills = {SKILL + s: evidence(0.9) for s in ("forklift", "forklift-inspect", "drawings")}
        skills |= {SKILL + s: evidence(0.6) for s in ("dementia", "hygiene", "infosec")}
        return CandidateProfile("p", skills)

    # The same skills; only what the course is called differs.
    plain = engine.suggest(held(None), top_k=3)
    assert plain.occupations[0].id == OCC + "forklift-operator"
    titled = engine.suggest(held("Undersköterska – vård och omsorg"), top_k=3)
    first = titled.occupations[0]
    assert first.id == OCC + "care-assistant"
    assert "Undersköterska – vård och omsorg" in first.why
    assert "Undersköterska" not in titled.occupations[1].why


def test_a_title_makes_two_held_skills_enough_support_but_never_one(engine: Engine) -> None:
    from matcher.evidence import Evidence
    from matcher.profiles import CandidateProfile
    from tests.fixtures.esco_mini import SKILL

    def held(care: tuple[str, ...], title: str | None) -> CandidateProfile:
        # Three reception skills, each less sure than the two care skills.
        reception = (Evidence("unverified", 0.9, 0.3, credential_id="r",
                              credential_title="Receptionsarbete"),)
        skills = {SKILL + s: reception for s in ("reception", "booking", "customer")}
        return CandidateProfile("p", skills | {
            SKILL + s: (Evidence("unverified", 0.9, 0.9, credential_id="c",
                                 credential_title=title),) for s in care})

    # Two of the care assistant's skills: fewer than min_support (3), so the receptionist,
    # resting on three, comes first though the care skills weigh more...
    plain = engine.suggest(held(("dementia", "hygiene"), None), top_k=3)
    assert [o.id for o in plain.occupations][:2] == [OCC + "receptionist",
                                                     OCC + "care-assistant"]
    assert "below the minimum of 3" in plain.occupations[1].why
    # ... unless the course that gave them is named for it: then two are support enough.
    titled = engine.suggest(held(("dementia", "hygiene"), "Undersköterska i äldreomsorg"),
                            top_k=3)
    first = titled.occupations[0]
    assert first.id == OCC + "care-assistant"
    assert "a credential's title names it" in first.why
    assert "Undersköterska i äldreomsorg" in first.why
    # One held skill is a stray link, whatever the course is called.
    single = engine.suggest(held(("infosec",), "Undersköterska i äldreomsorg"), top_k=3)
    assert OCC + "care-assistant" not in [o.id for o in single.occupations]


def test_a_title_points_to_an_occupation_only_when_its_course_teaches_some_of_it(
        engine: Engine) -> None:
    from matcher.advice import title_closeness
    from matcher.evidence import Evidence
    from matcher.profiles import CandidateProfile
    from matcher.title_names import TITLE_SAYS
    from tests.fixtures.esco_mini import SKILL

    def held(care_title: str | None, reception_title: str) -> CandidateProfile:
        care = (Evidence("unverified", 0.9, 0.9, credential_id="c",
                         credential_title=care_title),)
        reception = (Evidence("unverified", 0.9, 0.3, credential_id="r",
                              credential_title=reception_title),)
        return CandidateProfile("p", {SKILL + "dementia": care, SKILL + "hygiene": care} | {
            SKILL + s: reception for s in ("reception", "booking", "customer")})

    # "Omsorg om äldre" is close in meaning to the care assistant's name (not word for word).
    # The course that gave the two care skills is called so: it points to the care assistant,
    # and two skills are then support enough.
    named = engine.suggest(held("Omsorg om äldre", "Receptionsarbete"), top_k=3)
    assert named.occupations[0].id == OCC + "care-assistant"
    assert "Omsorg om äldre" in named.occupations[0].why
    # A course called so that taught reception skills points to nothing it did not teach:
    # the care assistant rests on two skills from an untitled course, below the minimum,
    # and its explanation names no title.
    unnamed = engine.suggest(held(None, "Omsorg om äldre"), top_k=3)
    assert [o.id for o in unnamed.occupations][:2] == [OCC + "receptionist",
                                                       OCC + "care-assistant"]
    assert "Omsorg om äldre" not in unnamed.occupations[1].why
    assert "below the minimum of 3" in unnamed.occupations[1].why
    # Its closeness still orders suggestions, but lifts no more than a pointing title would.
    close = title_closeness(engine, held(None, "Omsorg om äldre"))
    care_row = engine.occupation_space.uris.index(OCC + "care-assistant")
    assert close is not None and close.named_by(care_row) is None
    assert 0 < close.closeness[care_row] <= TITLE_SAYS
    # A title that names the occupation word for word before a dash points to it whatever
    # its course gave ("Barista – grundkurs" for a barista whose course mapped elsewhere).
    course = "Receptionist – introduktion för nyanställda på hotell och konferensanläggningar"
    care_only = CandidateProfile("p", {SKILL + s: (Evidence(
        "unverified", 0.9, 0.9, credential_id="c", credential_title=course),)
        for s in ("dementia", "hygiene")})  # what it gave: none of a receptionist's skills
    titled = title_closeness(engine, care_only)
    assert titled is not None
    row = engine.occupation_space.uris.index(OCC + "receptionist")
    assert titled.named_by(row) == course


def test_at_most_ten_credential_titles_are_read_those_with_most_evidence() -> None:
    from matcher.advice import MAX_TITLES, credential_titles
    from matcher.evidence import Evidence
    from matcher.profiles import CandidateProfile

    skills = {f"urn:skill:{i}": (Evidence("unverified", 0.8, 0.1 * (i + 1),
                                          credential_title=f"Kurs {i}"),)
              for i in range(15)}
    titles = credential_titles(CandidateProfile("p", skills))
    assert len(titles) == MAX_TITLES == 10
    assert titles[0] == "Kurs 14" and "Kurs 0" not in titles  # the most evidence first
