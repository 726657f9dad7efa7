"""Reading a job ad as a recruiter does: sections, lists, pitch and offer left out."""

from __future__ import annotations

import pytest

from matcher import Engine
from matcher.ad_reading import (
    AdSource,
    _frame_only,
    _name_runs,
    _names,
    ad_occupations,
    field_skills,
    job_titles,
    occupation_context,
)
from matcher.ad_sections import AdPhrase, ad_phrases, sections
from matcher.ad_sections import strip_requirement_formula as strip
from matcher.calibration import Calibration
from matcher.models import OutcomeMapping, SkillLink
from matcher.occupation_names import NameMatch
from matcher.requirements import AdPolicy, ad_terms, requirement_from_phrases
from tests.fixtures.esco_mini import OCC, SKILL

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
    assert strip("experience with forklift trucks") == "forklift trucks"
    assert strip("utbildning") == "utbildning"


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


def test_och_joins_one_phrase_but_separates_two_tasks() -> None:
    texts = [p.text for p in ad_phrases(
        "Krav: uppsikt över barnen inne och på gården, hjälp vid av- och påklädning, "
        "du kan köra gaffeltruck och läsa ritningar, Java och SQL")]
    assert "uppsikt över barnen inne och på gården" in texts
    assert "hjälp vid av- och påklädning" in texts
    assert "du kan köra gaffeltruck" in texts and "läsa ritningar" in texts
    assert "Java" in texts and "SQL" in texts


def test_a_sentence_of_tasks_is_read_task_by_task() -> None:
    """Read whole, "Du tar betalt, hanterar returer … och fyller på varor" gave one skill of
    four; each task is now a phrase of its own, with its own evidence for the employer (and
    the whole sentence is read too: a short task alone can be too little for the model)."""
    sentence = ("Du tar betalt, hanterar returer och fakturaköp, hjälper kunder med "
                "produktfrågor och fyller på varor.")
    texts = [p.text for p in ad_phrases(
        f"Om tjänsten\n{sentence}\n"
        "Du byter och balanserar hjul, kontrollerar däck, bromsar och lampor.")]
    assert texts == [sentence, "Du tar betalt", "hanterar returer och fakturaköp",
                     "hjälper kunder med produktfrågor", "fyller på varor",
                     # two verbs on one object stay together; "bromsar" lists a noun here
                     "Du byter och balanserar hjul, kontrollerar däck, bromsar och lampor.",
                     "Du byter och balanserar hjul", "kontrollerar däck, bromsar och lampor"]
    assert all(p.section == "tasks" for p in ad_phrases("Om tjänsten\nDu kör truck och "
                                                         "plockar order."))


def test_prose_keeps_the_section_of_its_paragraph() -> None:
    found = {text: section for text, section, _ in sections(
        "Vi tror att du har en utbildning inom systemvetenskap. Du är van vid Java och Spring.\n"
        "Vi är ett växande företag. Vi sitter i Jönköping.")}
    assert found["Du är van vid Java och Spring."] == "required"
    assert found["Vi sitter i Jönköping."] == "pitch"
    assert strip("Du är van vid Java") == "Java"
    assert strip("Det är meriterande om du har erfarenhet av Docker") == "Docker"


def test_swedish_ad_terms_name_licences_and_languages() -> None:
    assert ad_terms("B-körkort (manuell växellåda)") == [("B-körkort", "drive vehicles")]
    assert ad_terms("CE-körkortet") == [("CE-körkortet", "drive vehicles")]
    assert ad_terms("körkortsutbildning") == []  # a course about licences is not a licence
    assert [label for _, label in ad_terms("talar och skriver svenska och engelska flytande")
            ] == ["Swedish", "English"]
    assert ad_terms("kommunicera på svenska") == []  # the medium: the mapper reads the rest
    assert ad_terms("svenska eller engelska") == []  # either: neither one is required
    assert len(ad_terms("tyska eller danska", merit=True)) == 2  # each one is a plus


def test_a_term_is_taken_word_for_word(engine: Engine) -> None:
    requirement = engine.requirement_from_ad("Krav: truckkort, B-körkort", title="Lagerjobb")
    forklift = {r.uri: r for r in requirement.requirements}[SKILL + "forklift"]
    assert forklift.confidence == 1.0 and forklift.evidence == "truckkort"


def test_names_inside_a_sentence() -> None:
    names = _names("Du har arbetat med SQL-databaser (vi använder Microsoft SQL Server) och Git.")
    assert {"SQL", "SQL Server", "Git"} <= set(names)
    assert "Du" not in names  # the sentence's first word is capitalised for its place


def test_a_line_of_a_tool_name_is_read_as_the_name_alone(engine: Engine) -> None:
    """ "Vana att arbeta i Jira" asks for Jira and nothing else: its frame words ("work in")
    are not mapped (whole, they gave *work in inclement conditions*; the official data's
    case is in tests/e2e/test_full_esco.py)."""
    assert _frame_only("Vana att arbeta i Jira", ["Jira"])
    assert _frame_only("Minst tre års erfarenhet av SAP", ["SAP"])
    assert not _frame_only("Kunna köra truck i Jira-miljö", ["Jira"])  # more than a frame
    assert _name_runs("Erfarenhet av Microsoft Excel") == ["Microsoft Excel"]
    assert _name_runs("B") == []  # a licence class (an ad term), not a tool
    ad = AD.replace("Meriterande", "- Vana att arbeta i Jira\n\nMeriterande")
    assert "Vana att arbeta i Jira" in ad
    requirement = engine.requirement_from_ad(ad, title="Truckförare", id="ad-jira")
    assert not any(r.evidence and "arbeta" in r.evidence for r in requirement.requirements)
    assert not any(" B" in note or "for B" in note for note in requirement.notes)
    assert SKILL + "forklift" in requirement.uris  # the rest of the ad is read as before


def test_the_ads_job_title_names_its_occupation(engine: Engine) -> None:
    ad = AdSource("1", "Hotellreceptionist till Hotell Kajplats – bli en del av teamet!", "…")
    assert job_titles(ad) == ["Hotellreceptionist", "bli en del av teamet"]
    assert job_titles(AdSource("2", "Timvikarier – vårdbiträde till Allékullen", "…",
                               "Truckförare, lager")) == ["Truckförare", "Timvikarier",
                                                          "vårdbiträde"]
    found = ad_occupations(engine.occupation_names, ad)
    assert found and found[0].uri == OCC + "receptionist"


def test_the_ads_occupation_is_context_for_its_phrases(engine: Engine,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    text = "ta hand om gästerna"
    plain = engine.map_outcomes([text], top_k=11)[0]
    context = occupation_context(engine.taxonomy, ad_occupations(
        engine.occupation_names, AdSource("1", "Hotellreceptionist", text)), weight=0.5)
    assert context is not None and SKILL + "booking" in context.skills
    assert SKILL + "forklift" not in context.skills
    lifted = engine.map_outcomes([text], top_k=11, contexts=[context])[0]
    before = {s.uri: s for s in plain.skills}
    after = {s.uri: s for s in lifted.skills}
    booking = SKILL + "booking"
    assert after[booking].score == pytest.approx(before[booking].score + 0.5, abs=1e-4)
    assert "ESCO" in after[booking].reason and "hotel receptionist" in after[booking].reason
    assert after[SKILL + "forklift"].score == pytest.approx(before[SKILL + "forklift"].score)
    assert [s.uri for s in lifted.skills][:3] != [s.uri for s in plain.skills][:3]

    # The context orders links; their confidence stays the model's own, not the lifted score's.
    by_score = Calibration((10.0, 0.0, 0.0, 0.0), -5.0)  # confidence from the score alone
    monkeypatch.setattr(engine.mapper, "calibration", by_score)
    [again] = engine.map_outcomes([text], top_k=11, contexts=[context])
    link = {s.uri: s for s in again.skills}[booking]
    assert link.confidence == pytest.approx(by_score(link.score - 0.5, 0.0, 1, False))


def test_what_du_does_is_a_task_but_a_question_is_the_pitch() -> None:
    found = {text: section for text, section, _ in sections(
        "Vi är ett litet demensboende i Husie. Du ger omvårdnad i det dagliga livet.\n"
        "Som undersköterska dokumenterar du i journalen.\nBrinner du för service?\n"
        "Du är lugn och flexibel.\nHälften av tiden arbetar du med måltider.")}
    assert found["Hälften av tiden arbetar du med måltider."] == "tasks"
    assert found["Du ger omvårdnad i det dagliga livet."] == "tasks"
    assert found["Som undersköterska dokumenterar du i journalen."] == "tasks"
    assert found["Brinner du för service?"] == "pitch"
    assert found["Du är lugn och flexibel."] != "tasks"


def test_a_link_outside_the_ads_field_needs_more_confidence(engine: Engine) -> None:
    taxonomy = engine.taxonomy
    receptionist = NameMatch(OCC + "receptionist", 1.0, "lexical", "hotel receptionist", "en")
    field = field_skills(taxonomy, [receptionist], neighbours=5)
    assert field is not None
    # The occupation's own skills; no neighbour, since no other occupation shares a skill.
    assert {SKILL + "booking", SKILL + "reception", SKILL + "cash"} <= field
    assert SKILL + "forklift" not in field and SKILL + "dementia" not in field
    assert SKILL + "welding" in field  # no occupation lists it: no field can rule it out
    assert field_skills(taxonomy, [], neighbours=5) is None
    # A title matched only by meaning may be another job: it gives no field.
    semantic = NameMatch(OCC + "receptionist", 0.9, "semantic", "hotel receptionist", "en")
    assert field_skills(taxonomy, [semantic], neighbours=5) is None
    assert field_skills(taxonomy, [receptionist], neighbours=0) is None

    def link(name: str, confidence: float) -> SkillLink:
        return SkillLink(SKILL + name, name, 0.9, confidence, "semantic", name, "preferred",
                         "en", "", "")

    phrase = AdPhrase("ta hand om gäster och bokningar", "tasks")
    mapping = OutcomeMapping(phrase.text, "sv", (link("booking", 0.45), link("forklift", 0.45)))
    policy = AdPolicy(field_confidence=0.5)
    profile = requirement_from_phrases("ad", "Receptionist", [phrase], [mapping], [[]],
                                       policy=policy, field=field)
    assert profile.uris == [SKILL + "booking"]
    # Confident enough, or no field known: the link counts.
    surer = OutcomeMapping(phrase.text, "sv", (link("booking", 0.6), link("forklift", 0.6)))
    assert set(requirement_from_phrases("ad", "R", [phrase], [surer], [[]], policy=policy,
                                        field=field).uris) == {SKILL + "booking",
                                                               SKILL + "forklift"}
    assert len(requirement_from_phrases("ad", "R", [phrase], [mapping], [[]],
                                        policy=policy).uris) == 2


def test_a_heading_asked_as_a_question_is_a_heading() -> None:
    """"Vem är du?" opens the requirements in many Swedish ads; read as a sentence it was
    linked to *tai chi*."""
    found = sections("Vem är du?\nDu har truckkort A och B.\nVad vi erbjuder?\nKollektivavtal.")
    assert [(text, section) for text, section, _ in found] == [
        ("Du har truckkort A och B.", "required"), ("Kollektivavtal.", "offer")]


def test_a_phrase_of_one_everyday_word_names_no_skill() -> None:
    """"fisk", "kök" or "glad" cut from a list is a topic of the job, not a skill; the model
    linked them to *fish anatomy*, *monitor kitchen supplies* and *entertain people*. A
    vocational word ("demensvård") and a tool's name ("Spring") still link, and an everyday
    word keeps a skill it names ("kundservice" → *customer service*)."""
    def link(name: str, matched: str) -> SkillLink:
        return SkillLink(SKILL + name, name, 0.9, 0.8, "semantic", matched, "preferred",
                         "en", "x", "x")

    found = {"fisk": "fish anatomy", "Glad": "delight", "demensvård": "geriatrics",
             "Spring": "types of spring", "kundservice": "customer service"}
    phrases = [AdPhrase(word, "tasks", item=True) for word in found]
    mappings = [OutcomeMapping(p.text, "sv", (link(p.text.lower(), found[p.text]),))
                for p in phrases]
    none = [[] for _ in phrases]
    profile = requirement_from_phrases("ad", "Kock", phrases, mappings, none)
    assert profile.uris == [SKILL + "demensvård", SKILL + "spring", SKILL + "kundservice"]
    # Named word for word (an ESCO label or an ad term), it counts.
    named = requirement_from_phrases("ad", "Kock", phrases[:1], mappings[:1], [[SKILL + "x"]])
    assert named.uris == [SKILL + "x"]
    # The words around it do not make it a skill: "är snabb", "kan läsa" (*type at speed*,
    # *attend read-through*).
    around = [AdPhrase(text, "required", item=True) for text in ("är snabb", "kan läsa",
                                                                 "läsa ritningar")]
    linked = [OutcomeMapping(p.text, "sv", (link(p.text.split()[-1], "type at speed"),))
              for p in around]
    assert requirement_from_phrases("ad", "Montör", around, linked, [[], [], []]).uris == [
        SKILL + "ritningar"]
    # Off: every phrase links.
    assert len(requirement_from_phrases("ad", "Kock", phrases, mappings, none,
                                        policy=AdPolicy(everyday_zipf=0)).uris) == 5


def test_examples_in_brackets_stay_with_their_phrase() -> None:
    """"(tegel, plåt, papp)" lists examples of the roof types before it; cut at its commas,
    "papp)" was read as *ABAP*."""
    texts = [p.text for p in ad_phrases(
        "Arbetsuppgifter\n- skenor på olika taktyper (tegel, plåt, papp)\n- truck, lager")]
    assert texts == ["skenor på olika taktyper (tegel, plåt, papp)", "truck", "lager"]


def test_a_degree_or_licence_is_a_qualification_not_a_skill() -> None:
    """"Undersköterskeexamen" was linked to *undertake healthcare examination*, and
    "förskollärarlegitimation" to *legal use-of-force*: a qualification is checked in the
    application, and the employer is told it was read."""
    def link(name: str) -> SkillLink:
        return SkillLink(SKILL + name, name, 0.9, 0.8, "semantic", name, "preferred", "en",
                         "x", "x")

    phrases = [AdPhrase("Undersköterskeexamen", "required", item=True),
               AdPhrase("förskollärarlegitimation", "required", item=True),
               AdPhrase("erfarenhet av demensvård", "required", item=True)]
    mappings = [OutcomeMapping(p.text, "sv", (link(p.text.split()[-1]),)) for p in phrases]
    profile = requirement_from_phrases("ad", "Undersköterska", phrases, mappings,
                                       [[], [], []])
    assert profile.uris == [SKILL + "demensvård"]
    assert profile.notes == ("Undersköterskeexamen, förskollärarlegitimation: a qualification, "
                             "not an ESCO skill, so not part of the requirement",)
    # A licence that names a skill (an ad term, word for word) still counts.
    licence = [AdPhrase("svetslicens", "required", item=True)]
    assert requirement_from_phrases("ad", "Svetsare", licence, [None],
                                    [[SKILL + "welding"]]).uris == [SKILL + "welding"]


def test_what_the_employer_gives_is_the_offer_not_a_requirement() -> None:
    """"Du får produktutbildning av våra leverantörer" was read as a requirement (*train
    staff about product features*), and "Vi ger intern utbildning och ser gärna att du läser
    vidare" as a merit (*teach further education*)."""
    found = {text: section for text, section, _ in sections(
        "Krav\nDu får produktutbildning av våra leverantörer.\n"
        "Vi ger intern utbildning och ser gärna att du läser vidare på yrkeshögskola.\n"
        "Du får gärna ha truckkort.\nDu kör truck och plockar order.")}
    assert found["Du får produktutbildning av våra leverantörer."] == "offer"
    assert found["Vi ger intern utbildning och ser gärna att du läser vidare på "
                 "yrkeshögskola."] == "offer"
    assert found["Du får gärna ha truckkort."] == "merit"
    assert found["Du kör truck och plockar order."] == "required"
