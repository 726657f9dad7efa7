"""What a skill's name says, for the fusion: a link whose name says what the text does not
loses a little (issue 14, the first link right)."""

from __future__ import annotations

import numpy as np

from matcher import Engine
from matcher.skill_facts import LabelWords, skill_prior, stems
from tests.fixtures.esco_mini import SKILL


def test_the_share_of_a_name_left_unsaid_weighs_rare_words_more(engine: Engine) -> None:
    words = LabelWords(engine.taxonomy, engine.index)
    rows = np.array([engine.index.row(SKILL + s) for s in ("welding", "forklift", "cash")])
    unsaid = words.unsaid(rows, ["Weld with MAG in the workshop", "kan svetsa"])
    # "perform metal active gas welding": "weld" is said, "metal", "active" and "gas" are not.
    assert 0.5 < unsaid[0] < 1.0
    # Nothing of "operate forklift" or "operate cash register" is said.
    assert unsaid[1] == unsaid[2] == 1.0
    said = words.unsaid(rows, ["operate the forklift"])
    assert said[1] == 0.0 and said[2] < 1.0  # "operate" is said, "cash register" is not
    # Words of how a skill is done ("perform", "use", "apply") are never counted.
    assert "perform" not in stems("perform metal active gas welding")


def test_the_prior_favours_skills_many_occupations_need(engine: Engine) -> None:
    prior = skill_prior(engine.taxonomy, engine.index)
    assert prior.min() >= 0.0 and prior.max() == 1.0
    listed = {r.skill_uri for r in engine.taxonomy.occupation_skills}
    for uri in engine.index.uris:
        if uri not in listed:
            assert prior[engine.index.row(uri)] == 0.0
