"""Swedish text -> a rough English gloss, word by word, from the project's vocational glossary.

ESCO skill labels are English unless a user imports the Swedish bundle, and no Swedish–English
translation model ships offline. The multilingual embedding model bridges the two languages
well for common words but poorly for vocational ones ("städa", "emballera", "skjutstativtruck").
So a Swedish text is also looked up through an English gloss of it:

    "Deltagaren kan städa hotellrum och byta handdukar"
    -> "participant can clean hotel room and change towel"

Reads ``matcher/resources/sv_en_glossary.tsv`` (swedish<TAB>english; written for this project).
Words are matched as written, as their lemma (simplemma) and as their Snowball stem, longest
expression first (up to four words);
a compound not in the glossary is split into two known parts ("hotell|städning"). Words the
glossary does not know (names, product names, acronyms) are kept as they are.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources

_WORD = re.compile(r"[\wåäöÅÄÖ]+(?:[-'][\wåäöÅÄÖ]+)*|\S")
_MAX_WORDS = 4
_ADJECTIVE_ENDINGS = ("t", "a", "e")  # neuter/adverb, plural/definite
# Noun plural and definite endings the lemmatiser and the stemmer can miss: Snowball stems
# "klientdatorer" to "klientdator" but "klientdator" to "klientdat", so the two never meet.
_NOUN_ENDINGS = ("orna", "arna", "erna", "or", "ar", "er", "en", "et", "na", "n", "r")
# Swedish verbal nouns and the verb form they come from: -ering (hantera), -ning (granska),
# -ing (förvara).
_VERBAL_NOUN_ENDINGS = (("ering", "era"), ("ning", "a"), ("ing", "a"))
# Forms of "vara" / "bli": the words after one are read as adjectives where they can be
# ("… så att de är funktionsdugliga och säkra": safe, not the verb "säkra", to secure).
COPULAS = frozenset({"är", "vara", "var", "varit", "blir", "bli", "blev", "blivit", "förblir"})
_PREDICATIVE_GLUE = {"och", "eller", "samt", "inte", "helt", "alltid", "mer", "mest"}
_MIN_PART = 3  # a compound part shorter than this is too ambiguous ("is")
_MIN_STEM = 4  # a stem shorter than this joins unrelated words ("giv": given, givare)
# Short first parts that are not ambiguous in vocational Swedish: "el" in "elfel", "ellära",
# "elanvändning", "elsymboler" (electrical).
_SHORT_MODIFIERS = {"el": "electrical"}

# Function words the glossary leaves out: glossed so the English stays readable.
_FUNCTION_WORDS = {
    "och": "and", "samt": "and", "eller": "or", "att": "to", "i": "in", "på": "on",
    "med": "with", "för": "for", "till": "to", "av": "of", "om": "about", "vid": "at",
    "enligt": "according to", "inom": "within", "utan": "without", "under": "during",
    "efter": "after", "före": "before", "mellan": "between", "genom": "through",
    "mot": "towards", "från": "from", "som": "that", "det": "it", "den": "the", "de": "they",
    "en": "a", "ett": "a", "sin": "their", "sitt": "their", "sina": "their", "egen": "own",
    "eget": "own", "egna": "own", "hur": "how", "när": "when", "var": "where",
    "vad": "what", "kan": "can", "ska": "shall", "inte": "not", "både": "both",
    "även": "also", "så": "so", "ut": "out", "upp": "up", "in": "in", "ner": "down",
    "du": "you", "vi": "we", "man": "one", "olika": "various", "andra": "other",
    "dem": "them", "deras": "their", "dess": "its", "vem": "who",
    "vår": "our", "vårt": "our", "våra": "our", "oss": "us", "ni": "you",
    "hos": "at", "sig": "themselves", "ur": "out of", "än": "than", "två": "two",
    "varför": "why", "därför": "therefore",
}


@dataclass(frozen=True)
class Glossary:
    """Swedish expressions -> English gloss, keyed by words as written and by their stems."""

    by_word: dict[tuple[str, ...], str]
    by_stem: dict[tuple[str, ...], str]
    # An entry's first sense -> its other senses ("dressing" -> "bandage", "joint", ...).
    other_senses: dict[str, tuple[str, ...]] = field(default_factory=dict)

    def gloss(self, text: str) -> str:
        """The English gloss of ``text``; unknown words are kept as they are."""
        return " ".join(self._parts(text))

    def gloss_senses(self, text: str, limit: int) -> list[str]:
        """The gloss of ``text`` with the first sense of each word (as :meth:`gloss`), then
        up to ``limit`` glosses that each read one word in another of its senses (the
        first words first), for the model to choose among."""
        parts = self._parts(text)
        glosses = [" ".join(parts)]
        for i, part in enumerate(parts):
            for sense in self.other_senses.get(part, ()):
                if len(glosses) > limit:
                    return glosses
                glosses.append(" ".join([*parts[:i], sense, *parts[i + 1:]]))
        return glosses

    def _parts(self, text: str) -> list[str]:
        tokens = [t for t in _WORD.findall(text) if re.match(r"\w", t)]
        words = [t.lower() for t in tokens]
        lemmas = [_lemma(w) for w in words]
        stems = [_stem(w) for w in lemmas]
        out: list[str] = []
        i = 0
        predicative = False  # after a copula, until a word that is not an adjective
        while i < len(tokens):
            if predicative and words[i] not in _PREDICATIVE_GLUE:
                adjective = self._adjective(words[i])
                if adjective is not None:
                    out.append(adjective)
                    i += 1
                    continue
                predicative = False
            predicative = predicative or words[i] in COPULAS
            for n in range(min(_MAX_WORDS, len(tokens) - i), 0, -1):
                span = slice(i, i + n)
                if n == 1 and words[i] in _FUNCTION_WORDS:
                    # "var" (where, was) is no form of "vara" (goods), "för" no stem of "förare"
                    english = self.by_word.get((words[i],))
                else:
                    english = (self.by_word.get(tuple(words[span]))
                               or self.by_word.get(tuple(lemmas[span]))
                               or self._by_stems(tuple(stems[span])))
                if english:
                    out.append(english)
                    i += n
                    break
            else:
                word = words[i]
                out.append(_FUNCTION_WORDS.get(word) or self._inflected(word)
                           or self._verbal_noun(lemmas[i]) or self._compound(lemmas[i])
                           or tokens[i])
                i += 1
        return out

    def knows(self, word: str, *, compounds: bool = True) -> bool:
        """Whether the gloss translates ``word`` (lower case) rather than keep it as typed;
        with ``compounds=False``, only as one word (not split into two known parts)."""
        return bool(word in _FUNCTION_WORDS or self._single(word) or self._inflected(word)
                    or (compounds and self._compound(_lemma(word))))

    def _single(self, word: str) -> str | None:
        if word in _FUNCTION_WORDS:  # no compound ends in one: "varför" is not "item driver"
            return None
        return (self.by_word.get((word,)) or self.by_word.get((_lemma(word),))
                or self._by_stems((_stem(word),)) or self._verbal_noun(word))

    def _by_stems(self, stems: tuple[str, ...]) -> str | None:
        """By Snowball stems; one word only when its stem has at least four letters:
        shorter stems join unrelated words ("given" and "givare" share "giv")."""
        if len(stems) == 1 and len(stems[0]) < _MIN_STEM:
            return None
        return self.by_stem.get(stems)

    def _verbal_noun(self, word: str) -> str | None:
        """A noun made from a known verb: "hantering" (hantera), "granskning" (granska)."""
        for ending, verb_ending in _VERBAL_NOUN_ENDINGS:
            if word.endswith(ending) and len(word) - len(ending) >= _MIN_PART:
                english = self.by_word.get((word[: -len(ending)] + verb_ending,))
                if english:
                    return _ing_form(english)
        return None

    def _adjective(self, word: str) -> str | None:
        """The adjective ``word`` is a form of, if the glossary knows it: "funktionsdugliga"
        (funktionsduglig), "säkra" (säker: the e of -er, -el, -en drops), "rent" (ren)."""
        # The neuter -t first: "säkert" after "är" is safe, not the adverb safely.
        bases = [word[:-1], word] if word.endswith("t") else [word]
        if word.endswith(("a", "e")):
            bases.append(word[:-1])
            if word[-2:-1] in ("r", "l", "n") and len(word) >= 5:
                bases.append(word[:-2] + "e" + word[-2])
        for base in bases:
            english = self.by_word.get((base,))
            if english and not base.endswith("a"):  # an entry in -a is a verb ("säkra")
                return english
        return None

    def _inflected(self, word: str) -> str | None:
        """An adjective, adverb or noun form the lemmatiser left alone: "agilt", "hotfulla",
        "klientdatorer"."""
        for ending in (*_ADJECTIVE_ENDINGS, *_NOUN_ENDINGS):
            base = word[: -len(ending)]
            if word.endswith(ending) and len(base) >= 4:
                english = self.by_word.get((base,))
                if english:
                    return english
        return None

    def _compound(self, word: str) -> str | None:
        """A two-part compound whose head (last part) and modifier are both known."""
        for short, english in _SHORT_MODIFIERS.items():
            if word.startswith(short) and len(word) - len(short) >= _MIN_PART:
                head = self._single(word[len(short):])
                if head is not None:
                    return f"{english} {head}"
        if len(word) < 2 * _MIN_PART:
            return None
        for cut in range(_MIN_PART, len(word) - _MIN_PART + 1):
            head = self._single(word[cut:])
            if head is None:
                continue
            modifier = word[:cut]
            for form in (modifier, modifier[:-1] if modifier.endswith("s") else ""):
                if len(form) >= _MIN_PART and form not in _FUNCTION_WORDS:
                    first = self.by_word.get((form,)) or self._by_stems((_stem(form),))
                    if first:
                        return f"{first} {head}"
        return None


def _ing_form(english: str) -> str:
    """'handle' -> 'handling', 'carry out' -> 'carrying out' (the first word of the gloss)."""
    verb, _, rest = english.partition(" ")
    if verb.endswith("e") and not verb.endswith(("ee", "ye", "oe")) and len(verb) > 2:
        verb = verb[:-1]
    elif re.fullmatch(r"[^aeiou]{1,2}[aeiou][bdgmnpt]", verb):
        verb += verb[-1]  # plan -> planning, map -> mapping
    return f"{verb}ing {rest}".strip()


def _first_sense(english: str) -> str:
    return english.split(" / ")[0].strip()


@lru_cache(maxsize=1)
def _stemmer():  # type: ignore[no-untyped-def]
    import snowballstemmer

    return snowballstemmer.stemmer("swedish")


@lru_cache(maxsize=65536)
def _stem(word: str) -> str:
    return str(_stemmer().stemWord(word))


@lru_cache(maxsize=65536)
def _lemma(word: str) -> str:
    import simplemma

    return str(simplemma.lemmatize(word, lang="sv")).lower()


def lemma(word: str) -> str:
    """A Swedish word's lemma (simplemma), lower case: "hanterar" -> "hantera"."""
    return _lemma(word)


@lru_cache(maxsize=1)
def load_glossary() -> Glossary:
    """The bundled glossary (read once per process)."""
    text = resources.files("matcher").joinpath("resources/sv_en_glossary.tsv").read_text(
        encoding="utf-8"
    )
    by_word: dict[tuple[str, ...], str] = {}
    by_stem: dict[tuple[str, ...], str] = {}
    other_senses: dict[str, tuple[str, ...]] = {}
    for line in text.splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        swedish, _, english = line.partition("\t")
        words = tuple(swedish.lower().split())
        if words and english.strip():
            by_word.setdefault(words, _first_sense(english))
            by_stem.setdefault(tuple(_stem(w) for w in words), _first_sense(english))
            senses = [s.strip() for s in english.split(" / ") if s.strip()]
            known = other_senses.get(senses[0], ())
            other_senses[senses[0]] = tuple(dict.fromkeys(
                [*known, *(s for s in senses[1:] if s != senses[0])]))
    _lemma("och")  # loads simplemma's Swedish tables (about 2 s) with the glossary
    return Glossary(by_word, by_stem, {k: v for k, v in other_senses.items() if v})


def function_words() -> dict[str, str]:
    """The Swedish function words the gloss translates though the glossary leaves them out."""
    return dict(_FUNCTION_WORDS)


def gloss_swedish(text: str) -> str:
    """A rough English gloss of a Swedish text (see :class:`Glossary`)."""
    return load_glossary().gloss(text)
