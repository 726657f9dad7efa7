"""Requirement profiles from a job ad's text, read the way a recruiter reads an ad.

An ad is not a list of skills. It has parts, and only some of them state what the job needs:

=============  ===================================================  ==========  =====
section        recognised by (heading, or the sentence's own cue)    weight      core
=============  ===================================================  ==========  =====
``required``   Krav, Kvalifikationer, Vi söker dig som, Du har …     1.0         yes
``tasks``      Om tjänsten, Arbetsuppgifter, I rollen, Du kommer att  0.75        yes
``merit``      Meriterande, Det är meriterande, … är ett plus        0.4         no
``pitch``      Om oss, Om företaget; "Vi är ett växande företag"     no skills
``offer``      Vi erbjuder, Hos oss får du, kollektivavtal, friskvård  no skills
``apply``      Ansökan, Kontakt, Urval sker löpande, Välkommen …     no skills
``person``     Som person är du …, personliga egenskaper             no skills
=============  ===================================================  ==========  =====

:mod:`matcher.ad_sections` cuts the ad into phrases by section: a heading sets the section
for what follows, a sentence's own cue overrides it. Sentences of the pitch, the offer, the
application and the person give no skills: "Bra, då vill vi träffa dig!" must not become
*greet guests*. List sentences are cut into items, each looked up alone; an item that *is* an
ESCO label ("SQL", "JavaScript", "Linux" where ESCO has it) or a Swedish ad term
(:func:`ad_terms`) is taken word for word (confidence 1). A mapped phrase keeps a skill only
when its link is confident (:class:`AdPolicy`), and a phrase of one everyday word keeps none.
A degree or a licence to practise ("undersköterskeexamen", "förskollärarlegitimation") is a
qualification the employer checks, not a skill: it gives none, and the profile's notes say so.

Each requirement keeps the sentence it came from (``evidence``) and its section (``origin``),
so the employer sees which sentence gave which skill and can remove it.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from importlib import resources

from matcher.ad_sections import AdPhrase
from matcher.errors import InvalidInputError
from matcher.evidence import LinkPolicy
from matcher.gloss import COPULAS, function_words, gloss_swedish
from matcher.models import OutcomeMapping
from matcher.profiles import Requirement, RequirementProfile
from matcher.spelling import everyday_word

SECTION_WEIGHT = {"required": 1.0, "tasks": 0.75, "merit": 0.4}  # by SKILL_SECTIONS


@dataclass(frozen=True)
class AdPolicy:
    """Which links of an ad's phrases count as requirements.

    ``links`` picks per phrase as for credentials (relative to the phrase's best link), and a
    mapped link must also reach ``min_confidence``: ad sentences are noisier than learning
    outcomes, and a requirement an employer did not state costs every candidate. Chosen on
    the dev ads (benchmarks/ad_requirements.py).
    """

    links: LinkPolicy = LinkPolicy(min_confidence=0.05, relative=0.6, per_text=2,
                                   corroboration=0)
    min_confidence: float = 0.25
    # The ad's occupation as context (matcher.ad_reading): the score its skills gain
    # (0: no context), and the confidence a link to a skill outside it then needs. Off by
    # default: on the dev ads weight 0.02 with 0.4 outside raised precision 0.243 -> 0.326
    # and recall 0.378 -> 0.394, but the headline's title often names the wrong occupation
    # ("Vårdbiträde" -> child care worker, podiatry assistant), and with it three persona
    # tests fail (tests/e2e/test_personas.py: Amina's elderly-care ads lose their dementia
    # requirement). It waits for a reliable title -> occupation match.
    context_weight: float = 0.0
    outside_confidence: float = 0.4
    # The ad's field: the skills that the ad's occupation, when its title names one word for
    # word (matcher.ad_reading), and its ``field_neighbours`` nearest occupations list. Unlike
    # the context it lifts nothing: a link outside the field needs ``field_confidence``
    # (*theology* or *woodturning* in an ad for an undersköterska, *tai chi* in one for a shop
    # assistant). 0: no field. Dev ads (benchmarks/ad_requirements.py --sweep; none: P 0.240,
    # R 0.389): 25 neighbours at 0.5 P 0.322 R 0.383, at 0.7 P 0.362 R 0.378; 10 at 0.7
    # P 0.383 R 0.372. Above 0.5 the demo elderly-care ads lose the digital requirement Amina
    # meets (the persona tests).
    field_neighbours: int = 25
    field_confidence: float = 0.5
    # A phrase of one word ("förskollärarlegitimation", "bildstöd") gives the model no
    # context: its links must reach this confidence (unless the word is a skill's label).
    # Dev sweep (2026-11-30, one-word phrases glossed): 0.6 gave P 0.308 -> 0.338 at equal
    # recall, but confidence does not tell a one-word phrase's right link from its wrong one
    # ("demensvård" -> *treat medical conditions of elderly people* 0.39, "rapportering" ->
    # *journalism* 0.83): the demo elderly-care ads lost their dementia requirement and two
    # persona tests failed. Kept at 0.3.
    one_word_confidence: float = 0.3
    # A phrase that is one everyday Swedish word ("fisk", "kök", "glad", "förstår",
    # "konferens") names a topic of the job, not a skill: the model still links it to the
    # nearest label that holds the word (*fish anatomy*, *monitor kitchen supplies*, *entertain
    # people*, *understand spoken German*, *chair a meeting*). Such a phrase keeps only a link
    # whose matched label is the word or its gloss ("kundservice" → *customer service*), and
    # skills named word for word. Everyday: Swedish text uses the word at
    # least this often (wordfreq's Zipf scale: 3.5 is 3 in 100,000 words) and more than English
    # text does (so "Spring", "HTML" and "Java" are tool names, not everyday Swedish); a
    # vocational word ("demensvård" 1.2, "källsortering" 2.4, "etikettering" 1.2) still links.
    # 0: off. Dev ads (benchmarks/ad_requirements.py; docs/benchmarks.md, thirteenth session).
    everyday_zipf: float = 3.5
    max_skills: int = 25


# Words around the one word that says what a phrase is about: "är snabb", "kan läsa", "har
# god datorvana" (the gloss's function words and copulas, auxiliaries, "god"/"bra").
_GLUE = frozenset({*function_words(), *COPULAS, "har", "ha", "kunna", "god", "goda", "gott",
                   "bra", "mycket"})


def _names_of(word: str) -> frozenset[str]:
    """What a label must read to name the skill ``word`` (lower case) names: the word, or its
    gloss."""
    return frozenset({word, gloss_swedish(word).lower()})


@cache
def _ad_terms() -> tuple[tuple[re.Pattern[str], str, bool], ...]:
    """(pattern, ESCO preferred label, is a language) of every term in
    resources/sv_ad_terms.tsv."""
    text = resources.files("matcher").joinpath("resources/sv_ad_terms.tsv").read_text("utf-8")
    out = []
    for line in text.splitlines():
        if line.strip() and not line.startswith("#"):
            term, label, *kind = line.split("\t")
            out.append((re.compile(rf"(?<![\w-])(?:\w+-)?{re.escape(term)}(?:et|en)?(?![\w-])",
                                   re.IGNORECASE), label.strip(), kind == ["language"]))
    return tuple(out)


def ad_terms(phrase: str, *, merit: bool = False) -> list[tuple[str, str]]:
    """The Swedish ad terms in ``phrase`` that name an ESCO skill in other words, as
    (the words found, ESCO preferred label): "B-körkort" → ("B-körkort", "drive vehicles"),
    "svenska i tal och skrift" → ("svenska", "Swedish"). A language is left to the mapper as
    a medium ("på svenska") and, in a requirement, left out as one of alternatives ("svenska
    eller engelska"); of a ``merit``, each alternative is a plus ("tyska eller danska")."""
    found = []
    for pattern, label, language in _ad_terms():
        match = pattern.search(phrase)
        if match is None:
            continue
        if language:
            before = phrase[:match.start()].lower()
            after = phrase[match.end():].lower()
            either = (re.match(r"\s+eller\s+\w+ska\b", after)
                      or re.search(r"\b\w+ska\s+eller\s+$", before))
            if re.search(r"\bpå\s+$", before) or (either and not merit):
                continue
        found.append((match.group(0), label))
    return found


# A Swedish degree or licence to practise, named by the occupation it qualifies for
# ("undersköterskeexamen", "gymnasieexamen", "förskollärarlegitimation").
_QUALIFICATION = re.compile(r"\w{3,}(?:examen|examina|legitimation)")


def requirement_from_phrases(
    id: str,
    title: str,
    phrases: Sequence[AdPhrase],
    mappings: Sequence[OutcomeMapping | None],
    exact: Sequence[Sequence[str]],
    *,
    policy: AdPolicy | None = None,
    context: frozenset[str] = frozenset(),
    field: frozenset[str] | None = None,
) -> RequirementProfile:
    """Aggregate the skills found in an ad's phrases into a requirement profile.

    Args:
        phrases: from :func:`ad_phrases`.
        mappings: each phrase's mapping (None when it was taken word for word).
        exact: each phrase's skills named word for word (URIs), confidence 1: an ESCO label,
            or a term of :func:`ad_terms`.
        context: the skills of the ad's occupation (:mod:`matcher.ad_reading`); a link
            outside them needs ``policy.outside_confidence`` when there is a context.
        field: the skills of the ad's field (:func:`matcher.ad_reading.field_skills`); a
            link outside it needs ``policy.field_confidence``. None: no field is known.

    A skill's weight is the best over the phrases naming it of section weight
    (:data:`SECTION_WEIGHT`) × link factor; merits are not part of the job's core. At most
    ``policy.max_skills`` skills are kept, heaviest first.

    Raises:
        InvalidInputError: no phrase names a skill confidently.
    """
    policy = policy or AdPolicy()
    best: dict[str, Requirement] = {}

    def keep(uri: str, weight: float, phrase: AdPhrase, confidence: float) -> None:
        current = best.get(uri)
        if current is None or (weight, confidence) > (current.weight,
                                                      current.confidence or 0.0):
            best[uri] = Requirement(uri, round(weight, 4), False, f"ad:{phrase.section}",
                                    phrase.text, confidence, core=phrase.section != "merit")

    qualifications: list[str] = []
    for phrase, mapping, named in zip(phrases, mappings, exact, strict=True):
        weight = SECTION_WEIGHT[phrase.section]
        for uri in named:
            keep(uri, weight, phrase, 1.0)
        if mapping is None:
            continue
        words = phrase.text.split()
        content = [w for w in (w.lower().strip(".,;:!?()") for w in words) if w not in _GLUE]
        if content and _QUALIFICATION.fullmatch(content[0]) and not named:
            # "Undersköterskeexamen", "förskollärarlegitimation": a qualification the
            # employer checks, not a skill; the model would read it as an exam or a law.
            qualifications.append(phrase.text)
            continue
        # An everyday word keeps only a skill it names: one a label of which is the word or
        # its gloss ("kundservice" → *customer service*; not "fisk" → *fish anatomy*).
        names = (_names_of(content[0]) if len(content) == 1
                 and everyday_word(content[0], policy.everyday_zipf) else None)
        floor = policy.one_word_confidence if len(words) == 1 else policy.min_confidence
        for link, factor in policy.links.select(mapping.skills):
            if names is not None and link.matched_text.lower() not in names:
                continue
            needed = (max(floor, policy.outside_confidence)
                      if context and link.uri not in context else floor)
            if field is not None and link.uri not in field:
                needed = max(needed, policy.field_confidence)
            if link.confidence >= needed:
                keep(link.uri, weight * factor, phrase, link.confidence)
    kept = sorted(best.values(), key=lambda r: -r.weight)[:policy.max_skills]
    if not kept:
        raise InvalidInputError(
            f"no sentence of ad {title!r} names an ESCO skill confidently; give the skills "
            "explicitly (--skills) or a text with the job's tasks and requirements",
            field="ad",
        )
    notes = ((", ".join(dict.fromkeys(qualifications)) + ": a qualification, not an ESCO "
              "skill, so not part of the requirement",) if qualifications else ())
    return RequirementProfile(id, title, "ad", tuple(kept), notes)
