from __future__ import annotations

import json
from pathlib import Path

import pytest

from matcher import CredentialError, load_credential, parse_credential
from matcher.credentials import parse_offering

DEMO = Path(__file__).resolve().parents[2] / "matcher" / "demo_data"


def _valid() -> dict:
    return json.loads((DEMO / "credentials" / "amina-4.json").read_text(encoding="utf-8"))


def test_every_demo_credential_and_offering_is_valid() -> None:
    files = sorted((DEMO / "credentials").glob("*.json"))
    assert len(files) >= 8
    for path in files:
        credential = load_credential(path)
        assert credential.learning_outcomes
    offerings = json.loads((DEMO / "catalogue.json").read_text(encoding="utf-8"))
    assert len(offerings) >= 25
    for entry in offerings:
        parse_offering(entry)


@pytest.mark.parametrize(
    ("change", "field", "problem"),
    [
        (lambda d: d.pop("learning_outcomes"), "learning_outcomes", "required"),
        (lambda d: d.update(learning_outcomes=[]), "learning_outcomes", "at least 1"),
        (lambda d: d.update(issued_on="20 maj 2025"), "issued_on", "date"),
        (lambda d: d.update(participation_form="remote"), "participation_form", "onsite"),
        (lambda d: d["level"].update(eqf=9), "level.eqf", "less than or equal to 8"),
        (lambda d: d.update(issuer_country="Sweden"), "issuer_country", "pattern"),
    ],
)
def test_invalid_credential_names_field_and_problem(change, field: str, problem: str) -> None:
    data = _valid()
    change(data)
    with pytest.raises(CredentialError) as info:
        parse_credential(data, source="x.json")
    assert f"field {field!r}" in info.value.message
    assert problem in info.value.message
    assert info.value.field == field


@pytest.mark.parametrize("characteristic", ["gender", "age", "ethnicity", "religion"])
def test_personal_characteristics_are_refused(characteristic: str) -> None:
    data = _valid()
    data["learner"][characteristic] = "x"
    with pytest.raises(CredentialError, match="unknown field"):
        parse_credential(data)


@pytest.mark.parametrize(
    ("content", "message"),
    [(b"{not json", r"not valid JSON \(line 1"), (b'{"title": "K\xf6rkort"}', "not UTF-8")],
)
def test_unreadable_files(tmp_path: Path, content: bytes, message: str) -> None:
    path = tmp_path / "c.json"
    path.write_bytes(content)
    with pytest.raises(CredentialError, match=message):
        load_credential(path)
    with pytest.raises(CredentialError, match="no such file"):
        load_credential(tmp_path / "missing.json")
