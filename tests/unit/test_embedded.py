from __future__ import annotations

import pytest

from matcher.embedded import _split_occupation, _strip_labels, load_embedded


def test_occupation_label_is_recovered_from_run_together_text() -> None:
    blob = ("technical director head of technical technical manager Technical directors realise "
            "the artistic visions of the creators.")
    label, description = _split_occupation(blob)
    assert label == "technical director"
    assert description.startswith("Technical directors realise")


def test_description_left_after_known_labels() -> None:
    blob = "operate forklift drive forklift truck forklift operation Operate a forklift safely."
    labels = ["operate forklift", "forklift operation", "drive forklift truck"]
    assert _strip_labels(blob, labels) == "Operate a forklift safely."


def test_embedded_default_has_all_skills_and_says_what_it_lacks() -> None:
    try:
        taxonomy = load_embedded()
    except Exception as exc:  # the data packages are optional for the library
        pytest.skip(f"embedded data not installed: {exc}")
    assert len(taxonomy.skills) > 13_800
    labels = {s.label("en") for s in taxonomy.skills.values()}
    assert {"operate forklift", "tend to elderly people", "read engineering drawings"} <= labels
    assert not taxonomy.has_relations
    assert any("occupation–skill relations" in note for note in taxonomy.notes)
