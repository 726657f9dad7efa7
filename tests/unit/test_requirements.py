"""Reading a job ad as a recruiter does: sections, lists, pitch and offer left out."""

from __future__ import annotations

from matcher import Engine
from matcher.requirements import AdPhrase, ad_phrases, sections, strip_requirement_formula
from tests.fixtures.esco_mini import SKILL

AD = """Vi är ett växande logistikföretag i Malmö med 120 anställda. Hos oss får du arbeta i ett
glatt gäng.

Om tjänsten
Du kommer att köra gaffeltruck och lasta gods.

Vi söker dig som har
- Truckkort A och B
- operate forklift
- God svenska i tal och skrift

Meriterande
- Erfarenhet av att läsa ritningar

Som person är du noggrann och ser kunden.

Vi erbjuder
Kollektivavtal, friskvårdsbidrag och after work varje månad.

Ansökan
Bra, då vill vi träffa dig! Urval sker löpande, kontakta Eva på 040-123 45 67."""


def test_sections_follow_headings_and_cues() -> None:
    found = {text: section for text, section, _ in sections(AD)}
    assert found["Vi är ett växande logistikföretag i Malmö med 120 anställda."] == "pitch"
    assert found["Du kommer att köra gaffeltruck och lasta gods."] == "tasks"
    assert found["Truckkort A och B"] == "required"
    assert found["Erfarenhet av att läsa ritningar"] == "merit"
    assert found["Som person är du noggrann och ser kunden."] == "person"
    assert found["Kollektivavtal, friskvårdsbidrag och after work varje månad."] == "offer"
    assert found["Bra, då vill vi träffa dig!"] == "apply"
    # inline headings ("Krav: …") and a merit cue inside the requirements
    inline = sections("Krav: B-körkort, truckkort\nDet är meriterande om du kan svetsa.")
    assert [s for _, s, _ in inline] == ["required", "merit"]


def test_only_tasks_requirements_and_merits_give_phrases() -> None:
    phrases = ad_phrases(AD)
    assert {p.section for p in phrases} == {"tasks", "required", "merit"}
    assert AdPhrase("operate forklift", "required", True) in phrases
    assert all("träffa dig" not in p.text and "after work" not in p.text for p in phrases)
    assert AdPhrase("att läsa ritningar", "merit", True) in phrases or any(
        p.section == "merit" and "ritningar" in p.text for p in phrases)
    assert strip_requirement_formula("experience with forklift trucks") == "forklift trucks"
    assert strip_requirement_formula("utbildning") == "utbildning"


def test_a_listed_label_is_taken_word_for_word_and_pitch_gives_nothing(engine: Engine) -> None:
    requirement = engine.requirement_from_ad(AD, title="Truckförare", id="ad-2")
    by_uri = {r.uri: r for r in requirement.requirements}
    forklift = by_uri[SKILL + "forklift"]
    assert forklift.core and forklift.weight == 1.0 and forklift.origin == "ad:required"
    assert forklift.confidence == 1.0  # the list item "operate forklift" is an ESCO label
    # nothing from the pitch, the offer or the application (no customer service or reception)
    assert SKILL + "customer" not in by_uri and SKILL + "reception" not in by_uri
    for r in requirement.requirements:
        assert r.evidence and r.origin in ("ad:required", "ad:tasks", "ad:merit")
