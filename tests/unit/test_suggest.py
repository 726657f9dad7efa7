"""What counts as support for a suggestion (matcher.suggest)."""

from __future__ import annotations

import numpy as np
from scipy import sparse

from matcher import Engine
from matcher.suggest import GENERAL_MIN_OCCUPATIONS, SuggestionParams, relevance, support_note


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


def test_a_small_taxonomy_has_no_general_skills(engine: Engine) -> None:
    space = engine.occupation_space
    assert len(space.uris) < GENERAL_MIN_OCCUPATIONS
    assert bool(np.all(space.supports == 1.0))
