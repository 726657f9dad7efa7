"""An ad's text cut into the phrases that may name skills, each with its section.

A heading (a short line, or "Krav:" at the start of a line) sets the section for what follows
until the next heading; a sentence's own cue overrides it ("Det är meriterande om …" inside
the requirements). Text before the first heading that names no task or requirement is the
company's pitch. The sections and what each gives are in :mod:`matcher.requirements`, which
turns the phrases into a requirement profile.

Requirement, task and merit sentences that are lists ("Krav: undersköterskeexamen, god
svenska"; bullet items) are cut into items, each looked up alone; commas inside brackets list
examples and do not cut. A narrative task sentence is cut into its tasks, where a verb in the
present tense begins the next one ("Du tar betalt, hanterar returer och fyller på varor"),
and read whole as well.
How ads phrase a requirement ("dokumenterad utbildning i", "vana att") is removed from the
start of a phrase.

Reads the text alone; writes nothing.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from matcher.gloss import lemma as _lemma

SKILL_SECTIONS = ("required", "tasks", "merit")  # the sections whose phrases name skills

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
_MERIT = re.compile(r"\b(meriterande|meriterar|merit|är ett plus|ett stort plus|önskvärt|får gärna|"
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
# A sentence that opens with what the employer gives ("Du får produktutbildning av våra
# leverantörer", "Vi ger intern utbildning och ser gärna att du läser vidare") is the offer,
# whatever else it says: read as a requirement it was *train staff about product features*,
# read as a merit *teach further education*. "Du får gärna ha truckkort" asks for a merit.
_OFFER_OPENING = re.compile(r"^(?:du får (?!gärna\b)|vi ger\b|du erbjuds\b|we give you\b)",
                            re.IGNORECASE)
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
class AdPhrase:
    """A phrase of an ad that may name a skill, with its section and whether it is a list item
    (looked up word for word first)."""

    text: str
    section: str
    item: bool = False


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
    if _OFFER_OPENING.match(sentence):
        return "offer"
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
            # A narrative sentence of tasks is cut into its tasks, each a verb and what it
            # acts on ("Du byter hjul, kontrollerar bromsar och tar betalt"): read whole, the
            # model links one or two of them at best.
            # The whole sentence is read too: a short task alone can be too little for the
            # model ("Du deltar i inskolning, omsorg, lek och planerade aktiviteter").
            clauses = task_clauses(sentence)
            out.extend(AdPhrase(text, section)
                       for text in ([sentence, *clauses] if len(clauses) > 1 else clauses))
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
    "svenska och engelska" is one item, its terms found by
    :func:`matcher.requirements.ad_terms`)."""
    pieces = _AND_INFINITIVE.split(part)
    if len(pieces) > 1 and all(len(p.split()) >= 2 for p in pieces):
        return pieces
    return [part]


# Where a sentence of tasks may go on with its next task: a comma, "och", "samt".
# The verb must go on with what it acts on: in "kontrollerar däck, bromsar och lampor" the
# noun "bromsar" (also "brakes" as a verb) is followed by "och" and lists.
_NEXT_TASK = re.compile(r"(,\s+(?:och\s+|samt\s+)?|\s+(?:och|samt)\s+)"
                        r"(?=([a-zåäö]+)\s+(?!(?:och|samt|eller)\b)\w)")


def is_present_verb(word: str) -> bool:
    """Whether ``word`` is a Swedish verb in the present tense: its lemma is an infinitive
    (ending in a vowel) that the word extends by "r" ("hanterar", "ger"), replaces the "a"
    of by "er" ("hjälper") or drops it from ("kör", "utför")."""
    if len(word) < 2 or not word.endswith("r"):
        return False
    lemma = _lemma(word)
    if lemma == word or lemma[-1:] not in "aeiouyåäö":
        return False
    return word in (lemma + "r", lemma[:-1] + "er", lemma[:-1])


def task_clauses(sentence: str) -> list[str]:
    """A sentence of tasks cut where it goes on with another verb in the present tense ("Du
    byter och balanserar hjul, kontrollerar bromsar och utför enklare service" → three
    tasks). A clause keeps at least two words; a verb that only pairs with the next one
    ("byter och balanserar") stays with it."""
    cuts: list[int] = []
    for found in _NEXT_TASK.finditer(sentence):
        start, end = found.start(), found.end()
        if not is_present_verb(found.group(2).lower()):
            continue
        previous = sentence[cuts[-1] if cuts else 0:start].split()
        if len([w for w in previous if w.lower() != "du"]) < 2:
            continue
        cuts.extend((start, end))
    if not cuts:
        return [sentence]
    bounds = [0, *cuts, len(sentence)]
    clauses = [sentence[bounds[i]:bounds[i + 1]].strip(" ,.") for i in range(0, len(bounds), 2)]
    return [c for c in clauses if c]
