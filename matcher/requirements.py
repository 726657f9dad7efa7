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

A heading (a short line, or "Krav:" at the start of a line) sets the section for what follows
until the next heading; a sentence's own cue overrides it ("Det är meriterande om …" inside
the requirements). Text before the first heading that names no task or requirement is the
company's pitch. Sentences of the pitch, the offer, the application and the person give no
skills: "Bra, då vill vi träffa dig!" must not become *greet guests*.

Requirement, task and merit sentences that are lists ("Krav: undersköterskeexamen, god
svenska"; bullet items) are cut into items, each looked up alone; an item that *is* an ESCO
label ("SQL", "JavaScript", "Linux" where ESCO has it) is taken word for word (confidence 1).
A mapped sentence keeps a skill only when its link is confident (:class:`AdPolicy`).

Each requirement keeps the sentence it came from (``evidence``) and its section (``origin``),
so the employer sees which sentence gave which skill and can remove it.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from importlib import resources

from matcher.errors import InvalidInputError
from matcher.evidence import LinkPolicy
from matcher.models import OutcomeMapping
from matcher.profiles import Requirement, RequirementProfile
from matcher.spelling import everyday_word

SECTION_WEIGHT = {"required": 1.0, "tasks": 0.75, "merit": 0.4}
SKILL_SECTIONS = tuple(SECTION_WEIGHT)

_HEADINGS: tuple[tuple[str, str], ...] = (
    ("merit", r"meriterande|(?:det är )?(?:ett )?plus|bonus|nice to have|meriterande kunskaper"),
    ("required", r"krav|kvalifikationer|kompetenskrav|(?:vi söker|vem söker vi|vem är) "
                 r"(?:dig|du)(?: som)?(?: har| är)?|vem är du|din profil|du har|om dig|"
                 r"vi tror att du(?: har)?|requirements|qualifications|who you are|your profile|"
                 r"we are looking for|skall[- ]?krav|förutsättningar"),
    ("tasks", r"(?:om|i) (?:tjänsten|rollen|jobbet)|arbetsuppgifter|dina (?:arbets)?uppgifter|"
              r"ditt uppdrag|uppdraget|vad du (?:ska|kommer att) göra|arbetsbeskrivning|"
              r"about the (?:role|job)|responsibilities|your tasks|tjänstebeskrivning"),
    ("pitch", r"om (?:oss|företaget|arbetsplatsen|verksamheten|bolaget|[a-zåäö]+ ?ab)|"
              r"vilka (?:är )?vi|vi är|företagsbeskrivning|about us|who we are"),
    ("offer", r"vi erbjuder|vad vi erbjuder|hos oss får du|förmåner|villkor|anställningsform|"
              r"omfattning|lön|we offer|benefits|tillträde"),
    ("apply", r"ansökan|ansök(?: så här| nu)?|kontakt(?:a oss|person|uppgifter)?|frågor|"
              r"övrigt|how to apply|application|contact"),
    ("person", r"personliga egenskaper|som person|vem du är som person"),
)
_HEADING = [(kind, re.compile(rf"^(?:{pattern})\s*[:!.?]?\s*$", re.IGNORECASE))
            for kind, pattern in _HEADINGS]
_INLINE = [(kind, re.compile(rf"^(?:{pattern})\s*:\s*(?P<rest>.+)$", re.IGNORECASE))
           for kind, pattern in _HEADINGS]

# Cues in a sentence itself.
_MERIT = re.compile(r"\b(meriterande|meriterar|merit|är ett plus|ett stort plus|önskvärt|"
                    r"önskvärd|ser gärna|nice to have|an advantage|is a plus|preferred)\b",
                    re.IGNORECASE)
_REQUIRED = re.compile(r"\b(krav|kräver|krävs|måste|obligatorisk|required|requirements?|must|"
                       r"you have|du har|har du|vi söker dig som|behöver (du )?ha|förutsätter|"
                       r"körkort|examen|behörighet|certifikat|legitimation)\b", re.IGNORECASE)
_TASK = re.compile(r"\b(du kommer att|i rollen|i tjänsten|dina arbetsuppgifter|arbetsuppgifterna|"
                   r"du ansvarar|du arbetar|du jobbar|ansvarar för|you will|your tasks)\b",
                   re.IGNORECASE)
# A sentence that opens with what "du" does, in the present tense ("Du ger omvårdnad …",
# "Som undersköterska dokumenterar du …", "Hälften av tiden arbetar du med …"), describes
# the job; "du är", "du får", "du erbjuds" describe the person or the offer, and a question
# ("Brinner du för service?") is the pitch.
_DU_DOES = re.compile(r"^(?!.*\?\s*$)(?:(?:som|i|på|hälften av|resten av) (?:\w+ ){0,2})?"
                      r"(?:du (?!är\b|får\b|erbjuds\b|blir\b|behöver\b)[a-zåäö]+r\b|"
                      r"(?!är\b|får\b|blir\b)[a-zåäö]+r du\b)", re.IGNORECASE)
# Sentences that never name a skill of the job: the offer, the application, the pitch, the
# team's spare time, and what the person is like.
_NO_SKILL = re.compile(
    r"\b(tillsvidare\w*|heltid|deltid|procent|visstid|vikariat\w*|provanställning|"
    r"anställning\w*|schema|rotationsschema|helg\w*|lön\w*|ansök\w*|tillträde|kollektivavtal|"
    r"friskvård\w*|förmåner|sista dag|intervju\w*|urval|välkommen|kontakta|frågor|"
    r"vi erbjuder|hos oss får du|vi är ett|vi är en|vårt företag|våra kunder|"
    r"after ?work|afterwork|innebandy|fika|kick-?off|personalfest|biljard|lan-kvällar?|"
    r"bra, då|låter (?:det|detta) intressant|tveka inte|ser fram emot|"
    r"som person|personliga egenskaper|"
    r"full-time|part-time|permanent position|salary|apply|application|start date|we offer|"
    r"benefits|collective agreement)\b", re.IGNORECASE)
_PERSON = re.compile(r"\b(som person|personliga egenskaper|as a person)\b", re.IGNORECASE)
_SENTENCE = re.compile(r"(?<=[.!?])\s+")
_BULLET = re.compile(r"^\s*(?:[-–•·▪*]|\d+[.)])\s*")
# List separators. "och" separates items before a name ("Java och SQL", the capital matched
# case-sensitively inside the case-insensitive pattern) and before a second task in the
# infinitive ("köra truck och läsa ritningar", :func:`_split_tasks`); in "uppsikt över barnen
# inne och på gården", "talar och skriver svenska" or "in- och utcheckning" it joins the parts
# of one phrase.
_LIST = re.compile(r"\s*[;,/]\s*|:\s+|\s+samt\s+|\s+och\s+(?=(?-i:[A-ZÅÄÖ0-9]))",
                   re.IGNORECASE)
_BRACKETED = re.compile(r"\([^()]*\)")
_AND_INFINITIVE = re.compile(r"\s+och\s+(?=[a-zåäö]{3,}a\s)")
# How ads phrase a requirement ("dokumenterad utbildning i demensvård", "vana att …",
# "experience with …"): like the outcome formula, it names no skill and must not drive the
# match, so it is removed from the start of a phrase.
_REQUIREMENT_FORMULA = re.compile(
    r"^(?:(?:det\s+är\s+)?(?:meriterande|ett\s+plus|önskvärt)\s+(?:är\s+)?(?:om|att|med)\s+)?"
    r"(?:(?:och|samt|and|or|eller)\s+)?(?:(?:om\s+)?du\s+(?:har|kan|är)\s+)?(?:har\s+)?"
    r"(?:(?:van|bekväm|bekant|insatt|säker)\s+(?:vid|med|i|att)\s+|"
    r"(?:(?:god|goda|mycket god|mycket goda|dokumenterad|dokumenterade|grundläggande|"
    r"relevant|gärna|tidigare|good|solid|documented|basic|relevant|proven)\s+)*"
    r"(?:utbildning|kunskap(?:er)?|erfarenhet|vana|förmåga|kännedom|behörighet|examen|"
    r"training|knowledge|experience|ability|skills?|qualification)\s+"
    r"(?:i|om|av|inom|från|att|för|med|of|in|with|to|from)\s+)",
    re.IGNORECASE)


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
    # "rapportering", "konferens") names a topic of the job, not a skill: the model still links
    # it to the nearest label that holds the word (*fish anatomy*, *monitor kitchen supplies*,
    # *entertain people*, *understand spoken German*, *journalism*, *chair a meeting*). Such a
    # phrase gives only skills named word for word. Everyday: Swedish text uses the word at
    # least this often (wordfreq's Zipf scale: 3.5 is 3 in 100,000 words) and more than English
    # text does (so "Spring", "HTML" and "Java" are tool names, not everyday Swedish); a
    # vocational word ("demensvård" 1.2, "källsortering" 2.4, "etikettering" 1.2) still links.
    # 0: off. Dev ads (benchmarks/ad_requirements.py; docs/benchmarks.md, thirteenth session).
    everyday_zipf: float = 3.5
    max_skills: int = 25


@dataclass(frozen=True)
class AdPhrase:
    """A phrase of an ad that may name a skill, with its section and whether it is a list item
    (looked up word for word first)."""

    text: str
    section: str
    item: bool = False


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


def strip_requirement_formula(phrase: str) -> str:
    """Remove "utbildning i", "erfarenhet av", "knowledge of" … from the start of a phrase."""
    stripped = _REQUIREMENT_FORMULA.sub("", phrase.strip(), count=1).strip()
    return stripped if len(re.findall(r"\w{3,}", stripped)) >= 1 else phrase.strip()


def _heading(line: str) -> str | None:
    if len(line.split()) > 6:
        return None
    for kind, pattern in _HEADING:
        if pattern.match(line.strip()):
            return kind
    return None


def sections(text: str) -> list[tuple[str, str, bool]]:
    """The ad as (sentence or list item, section, is a list item), headings removed."""
    out: list[tuple[str, str, bool]] = []
    current: str | None = None
    for raw in (text or "").splitlines():
        line = raw.strip()
        if not line:
            continue
        kind = _heading(line)
        if kind is not None:
            current = kind
            continue
        bullet = bool(_BULLET.match(line))
        line = _BULLET.sub("", line)
        previous: str | None = None  # the section of the paragraph's sentence before
        for sentence in ([line] if bullet else _SENTENCE.split(line)):
            sentence, local, item = sentence.strip(), current, bullet
            # "Krav: B-körkort, truckkort": a heading inside the line, for this sentence.
            for inline_kind, pattern in _INLINE:
                found = pattern.match(sentence)
                if found:
                    local, sentence, item = inline_kind, found.group("rest").strip(), True
                    break
            if len(re.findall(r"\w{2,}", sentence)) < 1:
                continue
            section = _section_of(sentence, local, previous)
            out.append((sentence, section, item))
            previous = section
    return out


def _section_of(sentence: str, heading: str | None, previous: str | None = None) -> str:
    """The section of one sentence: its own cue first, then its heading's, then the section
    of the sentence before it in the same paragraph ("Vi tror att du har … Du är van vid Java
    och Spring." are both requirements), then a guess."""
    if _MERIT.search(sentence):
        return "merit"
    if _PERSON.search(sentence):
        return "person"
    if _NO_SKILL.search(sentence):
        if heading in ("offer", "apply", "pitch", "person"):
            return heading
        return "pitch" if heading is None else "offer"
    if heading is not None:
        return heading
    if _REQUIRED.search(sentence):
        return "required"
    if _TASK.search(sentence) or _DU_DOES.search(sentence):
        return "tasks"
    if previous in SKILL_SECTIONS:
        # Prose goes on: a paragraph that began with tasks or requirements continues them
        # (a merit cue belongs to its own sentence).
        return "required" if previous == "merit" else previous
    # Before any heading and with no cue: the company presenting itself.
    return "pitch"


def ad_phrases(text: str) -> list[AdPhrase]:
    """The phrases of an ad that may name skills (sections ``required``, ``tasks``,
    ``merit``); list sentences cut into items, requirement formulas removed."""
    out: list[AdPhrase] = []
    for sentence, section, item in sections(text):
        if section not in SKILL_SECTIONS:
            continue
        if section == "tasks" and not item:
            # A narrative sentence keeps its context; the mapper looks at its clauses itself.
            out.append(AdPhrase(sentence, section))
            continue
        split = _split_and if item else _split_tasks  # a list item lists; prose goes on
        # Commas inside brackets list examples of the phrase before them ("skenor på olika
        # taktyper (tegel, plåt, papp)"): the phrase keeps them, never cut into "papp)".
        guarded = _BRACKETED.sub(lambda m: m.group(0).replace(",", "\1"), sentence)
        parts = [p.replace("\1", ",").strip(" .") for part in _LIST.split(guarded)
                 for p in split(part)]
        # A part names something when it has two words, or one of two letters or more ("C#",
        # "SQL", "truckkort"); list labels ("Krav:") name nothing.
        parts = [p for p in parts if re.search(r"\w", p)
                 and not re.fullmatch(r"(?i)(krav|meriterande|requirements?|merit)", p)]
        if len(parts) > 1 or item:
            out.extend(AdPhrase(strip_requirement_formula(p), section, True) for p in parts)
        else:
            out.append(AdPhrase(strip_requirement_formula(sentence), section))
    return out


# Pairs that "och" joins into one thing ("svenska i tal och skrift", "av- och påklädning").
_PAIRS = re.compile(r"\b(?:tal och skrift|talar och skriver|läsa och skriva|läser och skriver)\b|"
                    r"\w+- och ", re.IGNORECASE)
# "och" before a preposition goes on with the same phrase ("inne och på gården").
_AND = re.compile(r"\s+och\s+(?!(?:på|i|vid|med|för|av|till|om|under|efter|inom|från)\s)",
                  re.IGNORECASE)


def _split_and(part: str) -> list[str]:
    """A list item cut at "och" into the things it lists ("livsmedelshygien och demensvård",
    "köra truck och läsa ritningar"), except inside a pair or before a preposition."""
    protected = _PAIRS.sub(lambda m: m.group(0).replace(" och ", "\0"), part)
    pieces = [p.replace("\0", " och ").strip() for p in _AND.split(protected)]
    if len(pieces) > 1 and all(re.search(r"\w{2,}", p) for p in pieces):
        return pieces
    return [part]


def _split_tasks(part: str) -> list[str]:
    """"du kan köra gaffeltruck och läsa ritningar" → two tasks (each side at least two words:
    "svenska och engelska" is one item, its terms found by :func:`ad_terms`)."""
    pieces = _AND_INFINITIVE.split(part)
    if len(pieces) > 1 and all(len(p.split()) >= 2 for p in pieces):
        return pieces
    return [part]


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

    for phrase, mapping, named in zip(phrases, mappings, exact, strict=True):
        weight = SECTION_WEIGHT[phrase.section]
        for uri in named:
            keep(uri, weight, phrase, 1.0)
        if mapping is None:
            continue
        words = phrase.text.split()
        if len(words) == 1 and everyday_word(words[0], policy.everyday_zipf):
            continue
        floor = policy.one_word_confidence if len(words) == 1 else policy.min_confidence
        for link, factor in policy.links.select(mapping.skills):
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
    return RequirementProfile(id, title, "ad", tuple(kept))
