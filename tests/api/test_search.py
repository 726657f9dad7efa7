"""Autocomplete (GET /v1/taxonomy/skills and /occupations) on the tiny taxonomy: Swedish and
English labels, typing errors, Swedish letters typed without å/ä/ö, compound parts, and the
semantic fallback for skills."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient

from tests.api.conftest import FORKLIFT, Keys
from tests.fixtures.esco_mini import OCC, SKILL


def search(client: TestClient, keys: Keys, kind: str, q: str, **params: Any) -> list[dict]:
    r = client.get(f"/v1/taxonomy/{kind}", params={"q": q, **params},
                   headers=keys.headers("job_seeker"))
    assert r.status_code == 200, r.text
    hits: list[dict] = r.json()
    return hits


def test_a_typing_error_still_finds_the_swedish_occupation(client: TestClient,
                                                           keys: Keys) -> None:
    for typed in ("undersköterka", "underskoterka", "undreskö", "undersköterskka"):
        hits = search(client, keys, "occupations", typed)
        assert hits, typed
        assert hits[0]["uri"] == OCC + "care-assistant", typed
        assert hits[0]["label"] == "undersköterska i äldreomsorg"


def test_swedish_letters_typed_without_accents(client: TestClient, keys: Keys) -> None:
    for typed in ("lokalvardare", "lokalv", "LOKALVÅRDARE", "lokalvårdare"):
        hits = search(client, keys, "occupations", typed)
        assert [h["uri"] for h in hits[:1]] == [OCC + "cleaner"], typed
        assert hits[0]["label"] == "lokalvårdare"
    # In English the same concept is named in English, found through its Swedish label.
    hit = search(client, keys, "occupations", "lokalvardare", lang="en")[0]
    assert (hit["label"], hit["matched_label"], hit["matched_lang"]) == (
        "office cleaner", "lokalvårdare", "sv")


def test_swedish_letters_as_typed_or_folded_match_alike(client: TestClient,
                                                       keys: Keys) -> None:
    folded = search(client, keys, "skills", "demensvard")
    typed = search(client, keys, "skills", "demensvård")
    assert folded[0]["uri"] == typed[0]["uri"] == SKILL + "dementia"
    assert folded[0]["score"] == typed[0]["score"]
    # A word typed with å, ä or ö is looked up as written: "vård" inside "demensvård".
    assert search(client, keys, "skills", "vård")[0]["uri"] == SKILL + "dementia"


def test_each_keystroke_of_a_swedish_skill(client: TestClient, keys: Keys) -> None:
    for end in range(1, len("köra gaffeltruck") + 1):
        typed = "köra gaffeltruck"[:end]
        if typed.endswith(" "):
            continue
        hits = search(client, keys, "skills", typed)
        assert hits and hits[0]["uri"] == FORKLIFT, (typed, hits[:2])


def test_compound_parts_and_several_words(client: TestClient, keys: Keys) -> None:
    uris = [h["uri"] for h in search(client, keys, "skills", "truck")]
    assert set(uris[:2]) == {FORKLIFT, SKILL + "forklift-inspect"}  # gaffeltruck, truckar
    assert search(client, keys, "skills", "operate forklft", lang="en")[0]["uri"] == FORKLIFT
    assert search(client, keys, "skills", "kör gaff")[0]["uri"] == FORKLIFT


def test_preferred_labels_and_the_asked_language_first(client: TestClient, keys: Keys) -> None:
    sv = search(client, keys, "skills", "hantera", limit=2)
    assert {h["uri"] for h in sv} == {SKILL + "cash", SKILL + "booking"}
    assert all(h["matched_lang"] == "sv" for h in sv)
    en = search(client, keys, "skills", "operate", lang="en")[0]
    assert en["matched_label"] == "operate forklift" and en["label"] == "operate forklift"
    hit = search(client, keys, "skills", "kassa")[0]
    assert hit["uri"] == SKILL + "cash" and hit["label"] == "hantera kassa"


def test_skills_fall_back_to_semantic_mapping(client: TestClient, keys: Keys) -> None:
    hits = search(client, keys, "skills", "kan köra truck", limit=3)
    assert hits[0]["uri"] == FORKLIFT
    assert len(hits) == 3 and all(h["score"] < 0.4 for h in hits)  # below any lexical hit
    # Occupations fall back only to names found (nearly) word for word: gibberish finds none.
    assert search(client, keys, "occupations", "qqqq") == []


def test_limits_and_bad_queries(client: TestClient, keys: Keys) -> None:
    assert len(search(client, keys, "skills", "a", limit=1)) <= 1
    assert search(client, keys, "skills", "!!!") == []
    r = client.get("/v1/taxonomy/skills", params={"q": ""}, headers=keys.headers("issuer"))
    assert r.status_code == 422
