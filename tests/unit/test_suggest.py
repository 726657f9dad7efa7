"""What counts as support for a suggestion (matcher.suggest)."""

from __future__ import annotations

import numpy as np
from scipy import sparse

from matcher import Engine
from matcher.suggest import (
    GENERAL_MIN_OCCUPATIONS,
    SuggestionParams,
    order,
    relevance,
    support_note,
)


def test_a_skill_that_many_occupations_list_counts_in_the_score_but_not_as_support() -> None:
    params = SuggestionParams()
    # One occupation lists skills 0, 1 and 2; the person holds all three. Skill 0 is general
    # (*troubleshoot*: listed by one occupation in twelve or more).
    rows = sparse.csr_matrix(np.array([[1.0, 1.0, 1.0]], dtype=np.float32))
    person = sparse.csr_matrix(np.array([[0.9, 0.9, 0.9]], dtype=np.float32))
    supports = np.array([0.0, 1.0, 1.0], dtype=np.float32)
    counted = relevance(person, rows, params, supports=supports)
    every = relevance(person, rows, params)
    assert int(every.support[0]) == 3 and bool(every.supported[0])
    assert int(counted.support[0]) == 2 and not counted.supported[0]  # below min_support (3)
    assert counted.general is not None and int(counted.general[0]) == 1
    assert counted.score[0] == every.score[0]  # the general skill still counts in the score
    # The explanation says so, in the person's language.
    assert "'troubleshoot' counts in the fit but not as support" in support_note(
        2, params, "en", general=["troubleshoot"])
    assert "'felsöka' räknas i matchningen men inte som stöd" in support_note(
        2, params, "sv", general=["felsöka"])
    assert "support:" not in support_note(3, params, "en")


def test_an_occupation_resting_only_on_skills_many_jobs_list_comes_after_one_of_the_trade(
) -> None:
    """Three held skills that dozens of occupations list (use personal protection equipment,
    ensure equipment maintenance, …) support no occupation ahead of one that rests on a
    skill of its own trade, even when they score higher."""
    params = SuggestionParams()
    # Occupation 0 lists the person's three cross-trade skills (columns 0-2) with weight;
    # occupation 1 lists two of them and a skill of its trade (column 3).
    rows = sparse.csr_matrix(np.array([[3.0, 3.0, 3.0, 0.0],
                                       [1.0, 1.0, 0.0, 1.0]], dtype=np.float32))
    person = sparse.csr_matrix(np.array([[0.9, 0.9, 0.9, 0.9]], dtype=np.float32))
    distinctive = np.array([0.0, 0.0, 0.0, 1.0], dtype=np.float32)
    rel = relevance(person, rows, params, distinctive=distinctive)
    assert rel.score[0] > rel.score[1]
    assert list(rel.support) == [3, 3] and list(rel.distinctive) == [0, 1]
    assert not rel.supported[0] and rel.supported[1]
    assert order(rel, 2) == [1, 0]  # still suggested, after the one of the trade
    # Without distinctive columns (ads: the employer chose every skill) both are supported.
    assert bool(np.all(relevance(person, rows, params).supported))
    # The explanation says why it comes later, in the person's language.
    assert "none of them is particular to this job" in support_note(3, params, "en",
                                                                    distinctive=0)
    assert "ingen av dem är särskild för yrket" in support_note(3, params, "sv",
                                                                 distinctive=0)
    assert "particular" not in support_note(3, params, "en", distinctive=1)


def test_a_small_taxonomy_has_no_general_skills(engine: Engine) -> None:
    space = engine.occupation_space
    assert len(space.uris) < GENERAL_MIN_OCCUPATIONS
    assert bool(np.all(space.supports == 1.0))
    # … and every skill it lists is a skill of the trade: the rule is off.
    listed = np.asarray((space.kind > 0).sum(axis=0)).ravel() > 0
    assert bool(np.all(space.distinctive[listed] == 1.0))


def test_a_course_is_offered_for_a_gap_only_when_it_is_about_the_job(engine: Engine) -> None:
    """A course shares skills with the job through the skill itself or a narrower or broader
    one; one shared skill among many others (a mis-read outcome) is not enough, a short
    course on the gap's own topic is."""
    from matcher.catalogue import JobSkills, about_the_job
    from tests.fixtures.esco_mini import SKILL

    receptionist = [SKILL + s for s in ("reception", "booking", "customer", "cash")]
    job = JobSkills(receptionist, engine.partial_credit)
    # The hotel course teaches welcoming guests and bookings (both the job's) and welding.
    assert job.count([SKILL + "reception", SKILL + "booking", SKILL + "welding"]) == (2, 3)
    # Customer service is the job's; welcoming guests, its narrower skill, counts for it.
    assert JobSkills([SKILL + "customer"], engine.partial_credit).count(
        [SKILL + "reception"]) == (1, 1)
    # A skill many occupations list says nothing about a course's field: on neither side.
    general = JobSkills(receptionist, engine.partial_credit, frozenset({SKILL + "customer"}))
    assert general.count([SKILL + "customer", SKILL + "reception", SKILL + "welding"]) == (1, 2)

    assert about_the_job(2, 9)  # several of the job's skills
    assert about_the_job(1, 2)  # a short course on one of them
    assert not about_the_job(1, 8)  # one among many: a network course's "switch"
    assert not about_the_job(0, 1)
