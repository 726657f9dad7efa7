"""Mapping behaviour, on the tiny taxonomy with the lexical embedder (no model)."""

from __future__ import annotations

import pytest

from matcher import Engine, InvalidInputError, Settings
from matcher.embedding import HashingEmbedder
from matcher.errors import IndexMismatchError
from matcher.index import SkillIndex
from tests.fixtures.esco_mini import SKILL


def _uris(mapping) -> list[str]:
    return [link.uri for link in mapping.skills]


def test_swedish_outcome_maps_to_skill_with_swedish_label(engine: Engine) -> None:
    [mapping] = engine.map_outcomes(["Deltagaren kan köra gaffeltruck"], top_k=3)
    top = mapping.skills[0]
    assert top.uri == SKILL + "forklift"
    assert mapping.lang == "sv"
    assert top.label == "köra gaffeltruck"
    assert top.method == "semantic+lexical"
    assert "köra gaffeltruck" in top.reason
    assert 0.0 <= top.confidence <= 1.0


def test_label_language_follows_request(engine: Engine) -> None:
    [mapping] = engine.map_outcomes(["köra gaffeltruck"], top_k=1, lang="en")
    assert mapping.skills[0].label == "operate forklift"


def test_outcome_formula_does_not_drive_the_match(engine: Engine) -> None:
    plain, *phrased = engine.map_outcomes(
        [
            "läsa ritningar",
            "Deltagaren kan läsa ritningar",
            "Efter kursen ska du kunna läsa ritningar.",
            "Den studerande ska kunna läsa ritningar",
        ],
        top_k=3,
    )
    for mapping in phrased:
        assert _uris(mapping) == _uris(plain)
        assert mapping.skills[0].score == pytest.approx(plain.skills[0].score)


def test_outcome_naming_two_skills_surfaces_both(engine: Engine) -> None:
    [mapping] = engine.map_outcomes(
        ["Deltagaren kan hantera kassa och bemöta kunder på ett professionellt sätt"], top_k=3
    )
    assert {SKILL + "cash", SKILL + "customer"} <= set(_uris(mapping)[:2])


def test_results_are_ranked_and_confidence_falls_with_rank(engine: Engine) -> None:
    [mapping] = engine.map_outcomes(["install solar panels on roofs"], top_k=5)
    scores = [link.score for link in mapping.skills]
    assert scores == sorted(scores, reverse=True)
    confidences = [link.confidence for link in mapping.skills]
    assert confidences == sorted(confidences, reverse=True)
    assert mapping.skills[0].uri == SKILL + "solar"


def test_empty_and_whitespace_texts_give_no_skills_and_a_warning(engine: Engine) -> None:
    empty, blank, real = engine.map_outcomes(["", "   ", "hantera bokningar"], top_k=2)
    assert empty.skills == () and blank.skills == ()
    assert "empty" in empty.warnings[0]
    assert real.skills[0].uri == SKILL + "booking"


def test_long_text_is_mapped_with_a_warning(engine: Engine) -> None:
    text = "Deltagaren kan hantera kassa. " + "Kan läsa ritningar och tolka dem. " * 2000
    assert len(text.encode()) > 50_000
    [mapping] = engine.map_outcomes([text], top_k=3)
    assert SKILL + "cash" in _uris(mapping)
    assert any("only the first" in w for w in mapping.warnings)


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [({"lang": "de"}, "lang"), ({"top_k": 0}, "top_k"), ({"top_k": 1000}, "top_k")],
)
def test_bad_parameters_are_refused(engine: Engine, kwargs: dict, field: str) -> None:
    with pytest.raises(InvalidInputError) as info:
        engine.map_outcomes(["text"], **kwargs)
    assert info.value.field == field


def test_non_string_text_is_refused(engine: Engine) -> None:
    with pytest.raises(InvalidInputError, match="must be a string"):
        engine.map_outcomes([None])  # type: ignore[list-item]


def test_index_is_saved_and_reloaded_with_the_same_results(mini_taxonomy, tmp_path) -> None:
    settings = Settings(home=tmp_path, model="hashing")
    first = Engine(settings, taxonomy=mini_taxonomy, embedder=HashingEmbedder(),
                   show_progress=False)
    before = first.map_outcomes(["ta emot gäster i receptionen"], top_k=5)[0]
    assert (first.index_path / "vectors.faiss").exists()
    second = Engine(settings, taxonomy=mini_taxonomy, embedder=HashingEmbedder(),
                    show_progress=False)
    after = second.map_outcomes(["ta emot gäster i receptionen"], top_k=5)[0]
    assert _uris(after) == _uris(before)
    assert second.index.meta["build_seconds"] == first.index.meta["build_seconds"]  # loaded


def test_loading_refuses_an_index_of_another_model(engine: Engine) -> None:
    path = engine.index_path
    assert len(engine.index) > 0  # built and saved
    with pytest.raises(IndexMismatchError, match="rebuild"):
        SkillIndex.load(path, taxonomy_hash=engine.taxonomy.content_hash, model_id="other")
