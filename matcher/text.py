"""Preparing free text for mapping: language, outcome phrasing, clauses, long texts.

Learning outcomes are written in a formula ("Deltagaren kan…", "Efter kursen ska du kunna…",
"The learner is able to…"). The formula says nothing about which skill is certified, so it is
removed before matching. An English outcome that names two skills ("read drawings and use hand
tools") is also looked up clause by clause, so both skills surface. A Swedish one is looked up
through the English gloss of the whole sentence (:class:`SegmentPlan`, chosen in
:class:`matcher.mapping.MappingParams`): its clauses, looked up as written, added more noise
than skills. On the 72 Swedish dev outcomes tagged with two or more skills, RP@5 is 50.9
without them against 46.1 with them, and 21 against 17 have every tagged skill in the top 5
(``python benchmarks/tune_mapping.py --plan-sweep``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from matcher.models import Lang

MAX_SEGMENTS = 64
MAX_SEGMENT_CHARS = 600


def has_lone_surrogate(text: str) -> bool:
    """Whether ``text`` holds a lone UTF-16 surrogate (U+D800–U+DFFF): not a character, it
    cannot be written as UTF-8 (JSON's ``"\\udfff"`` escape decodes to one)."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False

_SV_WORDS = frozenset(
    "och att det som en är på för med kan av till om de har inte den ett du vi kunna samt "
    "eller hur enligt ska efter kursen deltagaren deltagarna studerande eleven förmåga kunskap "
    "kunskaper olika sitt sina sig vid inom mot utifrån genom även arbeta arbete säkert".split()
)
# The same words typed without å/ä/ö ("pa", "ar", "aven"), unless that spelling is English.
_SV_STRIPPED = frozenset(
    w.translate(str.maketrans("åäö", "aao")) for w in _SV_WORDS if re.search("[åäö]", w)
)
_EN_WORDS = frozenset(
    "the and to of in is for with can on be able a an that or how you will are learner "
    "learners participants students after course their using use work safely within "
    "knowledge understanding skills".split()
)

# Outcome formulae, applied repeatedly at the start of a text (case-insensitive).
_SUBJECT_SV = (
    r"(?:du|vi|man|deltagaren|deltagarna|kursdeltagaren|kursdeltagarna|den studerande|"
    r"de studerande|studenten|studenterna|eleven|eleverna|medarbetaren|individen)"
)
_SUBJECT_EN = (
    r"(?:you|the learners?|learners|the participants?|participants|the students?|students|"
    r"the trainees?|trainees|the candidates?|candidates|the employees?)"
)
_FORMULAE = [
    re.compile(p, re.IGNORECASE)
    for p in (
        # Swedish
        r"^(?:efter|vid slutet av|när du (?:har )?(?:gått|genomfört|slutfört))\s+"
        r"(?:(?:genomgången|avslutad|godkänd)\s+)?(?:kurs(?:en)?|utbildning(?:en)?|modul(?:en)?|"
        r"delkurs(?:en)?|mikromerit(?:en)?|kurs)\b[\s,]*",
        rf"^{_SUBJECT_SV}\s+(?:ska|skall|kommer att|förväntas)?\s*"
        r"(?:kunna|kan|har|ha|visar|visa)?\b\s*",
        r"^(?:ska|skall|kommer att)\s+(?:du\s+|deltagaren\s+)?(?:kunna|ha)\b\s*",
        r"^(?:kunna|kan)\b\s*",
        r"^(?:visa|visar|ha|har|uppvisa|uppvisar)\s+(?:god|grundläggande|fördjupad|"
        r"praktisk|teoretisk)?\s*(?:förmåga|kunskap(?:er)?|förståelse|kännedom|insikt|"
        r"färdighet(?:er)?)\s+(?:att|om|för|i|kring|av)\b\s*",
        r"^(?:förmåga|kunskap(?:er)?|förståelse|kännedom|insikt)\s+(?:att|om|för|i|kring)\b\s*",
        r"^(?:redogöra för|känna till|ha kännedom om)\b\s*",
        r"^(?:på ett|på egen hand|självständigt)\b[^,]{0,30},\s*",
        # English
        r"^(?:after|on|upon|by the end of)\s+(?:(?:completing|completion of|finishing)\s+)?"
        r"(?:the|this)\s+(?:course|module|training|programme|program|micro-credential)\b[\s,]*",
        rf"^{_SUBJECT_EN}\s+(?:will|should|shall|must)?\s*(?:be able to|can|are able to|is able to|"
        r"have|has|demonstrates?|shows?)?\b\s*",
        r"^(?:will|should|shall)?\s*(?:be able to|are able to|is able to|can)\b\s*",
        r"^(?:demonstrates?|shows?|have|has|possess(?:es)?)\s+(?:a\s+)?(?:good|basic|sound|"
        r"thorough|practical|solid)?\s*(?:the\s+)?(?:ability|knowledge|understanding|"
        r"awareness|skills?)\s+(?:to|of|in|about)\b\s*",
        r"^(?:ability|knowledge|understanding|awareness)\s+(?:to|of|in|about)\b\s*",
        r"^(?:able to)\b\s*",
    )
]
_CLAUSE_SPLIT = re.compile(r"\s*(?:;|,|\bsamt\b|\boch\b|\bsåväl som\b|\bas well as\b|\band\b)\s*",
                           re.IGNORECASE)
_SENTENCE_SPLIT = re.compile(r"(?<=[.!?])\s+|\n+|\s*•\s*|\s+-\s+")


def detect_language(text: str, known: str | None = None) -> Lang:
    """'sv' or 'en', from function words and Swedish letters; English when unsure. With
    ``known`` (the language of the credential, ad or page the text comes from), that
    language unless the text's words clearly say otherwise (the other language leads by two):
    "solceller" has no function word, and the "A" of "Truckkort A+B" is no English article."""
    words = re.findall(r"\w+", text.lower())
    sv = (sum(w in _SV_WORDS or (w in _SV_STRIPPED and w not in _EN_WORDS) for w in words)
          + 2 * len(re.findall(r"[åäö]", text.lower())))
    en = sum(w in _EN_WORDS for w in words)
    if known == "sv":
        return "en" if en >= sv + 2 else "sv"
    if known == "en":
        return "sv" if sv >= en + 2 else "en"
    return "sv" if sv > en else "en"


# What a credential's title says about the course rather than its subject ("Barnvakt –
# grundkurs", "YKB fortbildning – 35 timmar", "Validering – fordonsmekaniker", "Rehabilitering
# 1"): looked up, "Barnvakt – grundkurs" read as *promote education course* and "Kock –
# yrkesbevis" as *issue certificates for animal products*.
_COURSE_WORDS = frozenset("""
grundkurs grundkursen grund grunder grundnivå introduktion introduktionskurs intro
fortbildning fortsättning fortsättningskurs påbyggnad påbyggnadskurs fördjupning kurs kursen
delkurs modul utbildning utbildningen validering yrkesbevis certifikat certifiering behörighet
steg nivå del timmar timme tim veckor dagar praktiken nybörjare online distans webb
basics introduction introductory advanced refresher course module
certificate certification level part step hours hour days weeks beginners practice
e-learning
""".split())
_LINK_WORDS = frozenset("till i om för av inom to in of on for about".split())


def title_subject(title: str) -> str:
    """A credential's title without what only says what kind of course it is: words of
    :data:`_COURSE_WORDS` and numbers at either end of each dash-, colon-, comma- or
    bracket-separated part, with the preposition after a leading one ("Introduktion till
    demensvård" → "demensvård", "Barnvakt – grundkurs" → "Barnvakt", "Rehabilitering 1" →
    "Rehabilitering"). The title as written when nothing is dropped, or nothing else is left
    ("Grundkurs")."""
    def course(word: str) -> bool:
        w = word.lower().strip(".")
        return w in _COURSE_WORDS or w.isdigit()

    kept, dropped = [], False
    for part in re.split(r"\s+[–—-]\s+|[:,()|/]", title):
        words = part.split()
        size = len(words)
        while words and (course(words[-1]) or words[-1].lower() in _LINK_WORDS):
            words.pop()
        lead = False
        while words and (course(words[0]) or (lead and words[0].lower() in _LINK_WORDS)):
            lead = True
            words.pop(0)
        dropped |= len(words) < size
        if words:
            kept.append(" ".join(words))
    if not dropped:
        return title.strip()
    subject = " – ".join(kept)
    return subject if re.search(r"\w{2,}", subject) else title.strip()


def strip_formula(text: str) -> str:
    """Remove outcome formulae from the start of ``text``; never returns an empty string."""
    stripped = text.strip()
    for _ in range(6):
        before = stripped
        for pattern in _FORMULAE:
            stripped = pattern.sub("", stripped, count=1).strip()
        if stripped == before:
            break
    stripped = stripped.strip(" .:;,-")
    return stripped if len(stripped) >= 2 else text.strip()


@dataclass(frozen=True)
class Segment:
    """A piece of an input text that is looked up on its own."""

    text: str  # what is embedded
    whole: bool  # the whole (formula-stripped) sentence, not a clause of it
    source: str = ""  # for a gloss: the Swedish text it glosses; else empty
    # Texts in which ESCO labels are matched word for word on behalf of this segment, each
    # with the Swedish text it glosses (else ""): the sentence the segment belongs to, or that
    # sentence's gloss. Set on the first segment of each sentence only.
    lexical: tuple[tuple[str, str], ...] = ()

    @property
    def glossed(self) -> bool:
        return bool(self.source)

    @property
    def original(self) -> str:
        """The input text this segment stands for (the Swedish text of a gloss)."""
        return self.source or self.text


@dataclass(frozen=True)
class SegmentPlan:
    """Which texts a sentence is looked up by.

    - ``whole``: the whole sentence even when it also has clauses (else its clauses alone);
    - ``gloss``: Swedish text is (also) looked up through its English gloss;
    - ``swedish``: Swedish text is looked up as written, not only through its gloss;
    - ``swedish_max_words``: with ``swedish``, only a sentence of at most this many words
      (a title, an ad's list item, an interest) is; a longer one goes through its gloss alone;
    - ``gloss_clauses``: with ``swedish``, the clauses are glossed too, not only the sentence;
    - ``clauses``: a sentence that names several things is looked up clause by clause too;
    - ``clause_min_words``: with ``clauses``, only a sentence of at least this many words is
      (a short one is looked up whole alone: its clauses mostly repeat it, at twice the cost);
    - ``correct``: with ``gloss``, typing errors and missing å/ä/ö are corrected first.
    """

    whole: bool = True
    gloss: bool = False
    swedish: bool = True
    swedish_max_words: int | None = None
    gloss_clauses: bool = False
    clauses: bool = True
    clause_min_words: int = 0
    # With ``gloss``: words typed without å/ä/ö or with a typo are first brought back to the
    # words the glossary knows (:func:`matcher.spelling.correct_swedish`).
    correct: bool = True
    # With ``gloss``: the whole sentence is also looked up through up to this many glosses
    # that read one word in another of its glossary senses ("förband": dressing / joint).
    senses: int = 0


def _content_words(text: str) -> int:
    return len(re.findall(r"\w{3,}", text))


def _clauses(core: str) -> list[str]:
    """The clauses of a (formula-stripped) sentence that names several things, else []."""
    clauses = [strip_formula(c) for c in _CLAUSE_SPLIT.split(core) if c and c.strip()]
    # A one-word clause is kept only when it is a long word ("egenkontroll", "allergener"):
    # short ones are mostly verbs split from a shared object ("läsa och tolka ritningar").
    clauses = [c for c in clauses if len(c.split()) >= 2 or len(c) >= 6]
    return [c for c in clauses if c != core] if len(clauses) >= 2 else []


def segment(text: str, plan: SegmentPlan = SegmentPlan()) -> tuple[list[Segment], list[str]]:
    """Segments to look up for one input text, and warnings for the user.

    A long text is cut into sentences first; sentences are added until there are
    ``MAX_SEGMENTS`` segments.
    Each sentence is stripped of its outcome formula and looked up whole and, when it names
    two or more things of at least two content words each, clause by clause (``plan``).
    Swedish text (``plan.gloss``) is looked up through an English gloss (:mod:`matcher.gloss`)
    of each of those pieces, and as written too when ``plan.swedish`` (and the sentence is no
    longer than ``plan.swedish_max_words``).
    """
    warnings: list[str] = []
    if plan.gloss and plan.correct:
        from matcher.spelling import correct_swedish

        text = correct_swedish(text)
    sentences = [s.strip() for s in _SENTENCE_SPLIT.split(text) if s and s.strip()]
    if len(sentences) <= 1:
        sentences = [text.strip()]
    cores: list[str] = []
    for sentence in sentences:
        core = strip_formula(sentence)
        if len(core) > MAX_SEGMENT_CHARS:
            core = core[:MAX_SEGMENT_CHARS]
            warnings.append(f"a sentence longer than {MAX_SEGMENT_CHARS} characters was cut")
        if _content_words(core) > 0:
            cores.append(core)
    if plan.gloss:
        from matcher.gloss import gloss_swedish
    segments: list[Segment] = []
    for mapped, core in enumerate(cores):
        if len(segments) >= MAX_SEGMENTS:
            warnings.append(
                f"text has {len(sentences)} sentences; only the first {mapped} were mapped "
                "(map long texts one outcome per line)"
            )
            break
        parts = (_clauses(core) if plan.clauses and len(core.split()) >= plan.clause_min_words
                 else [])
        pieces = [(core, True)] if plan.whole or not parts else []
        pieces += [(c, False) for c in parts]
        as_written = plan.swedish and (plan.swedish_max_words is None
                                       or len(core.split()) <= plan.swedish_max_words)
        if not plan.gloss or as_written:
            segments.extend(Segment(piece, whole, lexical=((core, ""),) if i == 0 else ())
                            for i, (piece, whole) in enumerate(pieces))
        if plan.gloss:
            glossed = pieces if not as_written or plan.gloss_clauses else [(core, True)]
            for i, (piece, whole) in enumerate(glossed):
                english = gloss_swedish(piece)
                if english.lower() == piece.lower() and as_written:
                    continue  # nothing glossed: the Swedish segment already covers it
                lexical: tuple[tuple[str, str], ...] = ()
                if i == 0:
                    lexical = ((english if whole else gloss_swedish(core), core),)
                    if not as_written:
                        lexical += ((core, ""),)
                segments.append(Segment(english, whole, source=piece, lexical=lexical))
                if whole and plan.senses:
                    from matcher.gloss import load_glossary

                    segments.extend(Segment(other, True, source=piece) for other in
                                    load_glossary().gloss_senses(piece, plan.senses)[1:])
    return segments, list(dict.fromkeys(warnings))
