"""Swedish as people type it: å/ä/ö restored and typing errors corrected, word by word.

Interests, ad texts and searches are often typed on keyboards without å, ä and ö, and with
typos. The glossary (:mod:`matcher.gloss`) knows "lokalvårdare", not "lokalvardare" or
"lokalvårdrae", so such text used to reach the model untranslated. :func:`correct_swedish`
brings a word back to a word the glossary knows, only when the evidence is strong:

- a word is never changed when the glossary knows it, or when simplemma's Swedish word list
  (about 964,000 forms, shipped in the ``simplemma`` package) has it and the text could have
  had å/ä/ö (it holds one of them somewhere);
- in a text without any å, ä or ö, a word the glossary does not know as typed is restored
  when exactly one meaning among the glossary's words (and their inflected forms in
  simplemma's list) is spelt that way without them ("vard" -> "vård", "for" -> "för"); a word
  the glossary does not know at all is restored when simplemma's list holds exactly one such
  form. Where several meanings fit, the most frequent is taken when it is
  :data:`RESTORE_RATIO` times as frequent as each other ("ar" -> "är", not "år"). Either way
  only to a word that Swedish text uses at least :data:`RESTORE_RATIO` times as often as the
  word typed (wordfreq's Swedish frequencies): "mat" (food) stays "mat", not the rarer "mät",
  and "plats", "klar", "starkt" and "latte" stay as typed;
- an unknown word (not in simplemma's list, not glossed, not even as two known parts, and
  never seen in wordfreq's Swedish text) of at least :data:`MIN_TYPO_LETTERS` letters
  (:data:`MIN_TYPO_LETTERS_CAPITALISED` when it opens a sentence with a capital) is
  corrected to a glossary word one edit away (insertion, deletion, substitution or swap of
  two adjacent letters: rapidfuzz's optimal string alignment distance, ignoring å/ä/ö but
  keeping every å/ä/ö typed), when all such words mean the same;
- otherwise the word is left as typed: the model then reads it by its own subwords.

Names and acronyms (a capital inside a sentence, or all capitals) are never corrected.
Reads simplemma's Swedish dictionary, wordfreq's Swedish frequencies and the glossary;
writes nothing.
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import numpy as np

_STRIP = str.maketrans("åäöÅÄÖ", "aaoAAO")
_AAO = re.compile(r"[åäöÅÄÖ]")
_TOKEN = re.compile(r"[^\W\d_]+")
# A one-edit neighbour of a shorter word is too often another word ("vana"/"vara"), or the
# word is English ("place" is no typo of "plane").
MIN_TYPO_LETTERS = 6
# A capitalised word that opens a sentence may be a name ("Saman" is no typo of "sagan").
MIN_TYPO_LETTERS_CAPITALISED = 7
_MAX_RESTORATIONS = 512  # spellings tried for one word typed without å/ä/ö (3^5 * 2)
# A word typed without å/ä/ö is restored only to a spelling this many times as frequent in
# Swedish (wordfreq; 1 on its Zipf scale): simplemma's list holds nearly every string that
# is some inflected form ("mät", "plåts", "stärkt"), so that a spelling exists says little.
# "vard" -> "vård" (×117), "for" -> "för" (×166), "aldre" -> "äldre" (×3,800); "mat" is 200
# times as frequent as "mät", "van" (used to) a third as frequent as "vän".
RESTORE_RATIO = 10.0


def strip_aao(text: str) -> str:
    """``text`` with å and ä as a and ö as o, as typed on a keyboard without them."""
    return text.translate(_STRIP)


@dataclass
class _Vocabulary:
    """The words the corrector may bring a typed word back to."""

    forms: Any  # simplemma's Swedish form -> lemma mapping (read only)
    meaning: dict[str, str]  # glossary word or inflected form -> its English gloss
    by_stripped: dict[str, set[str]]  # those words without å/ä/ö -> the words
    keys: list[str]  # by_stripped's keys
    # Two strings one edit apart (insertion, deletion, substitution, adjacent swap) share one
    # of their variants: the string itself or one letter shorter. Every key's variants, as
    # sorted hashes with the key each belongs to (5 MB; as a dict of strings, 73 MB).
    variant_hashes: np.ndarray  # int64, ascending
    variant_keys: np.ndarray  # int32, index into keys

    def near(self, key: str) -> set[str]:
        """The keys at most one edit from ``key`` (optimal string alignment distance ≤ 1):
        those sharing a variant with it, checked with rapidfuzz. A few binary searches, where
        comparing with every key took 4 ms a word under the GIL."""
        from rapidfuzz.distance import OSA

        wanted = np.array([hash(v) for v in _deletions(key)], dtype=np.int64)
        starts = np.searchsorted(self.variant_hashes, wanted, side="left")
        ends = np.searchsorted(self.variant_hashes, wanted, side="right")
        found = {self.keys[i] for a, b in zip(starts.tolist(), ends.tolist(), strict=True)
                 for i in self.variant_keys[a:b].tolist()}
        return {k for k in found if OSA.distance(key, k, score_cutoff=1) <= 1}

    def unique(self, candidates: set[str]) -> str | None:
        """The one candidate, or the first of candidates that all mean the same."""
        meanings = {self.meaning.get(c, c) for c in candidates}
        return min(candidates) if len(meanings) == 1 else None


@lru_cache(maxsize=1)
def _vocabulary() -> _Vocabulary:
    from simplemma.strategies.dictionaries.dictionary_factory import DefaultDictionaryFactory

    from matcher.gloss import function_words, load_glossary

    forms = DefaultDictionaryFactory().get_dictionary("sv")
    glossary = load_glossary()
    meaning = {words[0]: english for words, english in glossary.by_word.items()
               if len(words) == 1}
    for form, lemma in forms.items():  # inflected forms of glossary words: "läser", "vården"
        if lemma in meaning and form not in meaning and form.isalpha():
            meaning[form] = meaning[lemma]
    meaning.update(function_words())
    by_stripped: dict[str, set[str]] = {}
    for word in meaning:
        by_stripped.setdefault(strip_aao(word), set()).add(word)
    keys = sorted(by_stripped)
    variants = [(hash(v), i) for i, key in enumerate(keys) for v in _deletions(key)]
    hashes = np.fromiter((h for h, _ in variants), dtype=np.int64, count=len(variants))
    owners = np.fromiter((i for _, i in variants), dtype=np.int32, count=len(variants))
    order = np.argsort(hashes, kind="stable")
    return _Vocabulary(forms, meaning, by_stripped, keys, hashes[order], owners[order])


def prepare() -> None:
    """Build the corrector's vocabulary and read wordfreq's Swedish list now (about 4 s on 2
    cores): a service does it at start-up, so the first Swedish text does not hold the GIL
    while searches wait."""
    _vocabulary()
    _frequency("och")  # wordfreq's Swedish list, read once


def _deletions(word: str) -> set[str]:
    """``word`` and every string one letter shorter."""
    return {word} | {word[:i] + word[i + 1:] for i in range(len(word))}


def _restorations(word: str, forms: Any) -> set[str]:
    """Spellings of ``word`` with å/ä for a and ö for o that simplemma's list holds."""
    options = [("a", "å", "ä") if c == "a" else ("o", "ö") if c == "o" else (c,) for c in word]
    found: set[str] = set()
    for n, letters in enumerate(itertools.product(*options)):
        if n >= _MAX_RESTORATIONS:
            break
        candidate = "".join(letters)
        if candidate != word and candidate in forms:
            found.add(candidate)
    return found


def correct_word(word: str, *, text_has_aao: bool, min_typo_letters: int = MIN_TYPO_LETTERS
                 ) -> str:
    """``word`` (lower case) as the glossary would spell it, or unchanged (see module doc)."""
    from matcher.gloss import load_glossary

    vocab = _vocabulary()
    if word in vocab.meaning:
        return word
    glossary = load_glossary()
    known = word in vocab.forms or glossary.knows(word)
    if not text_has_aao and not _AAO.search(word):
        restored = _likeliest(vocab, vocab.by_stripped.get(word, set()) - {word}, word)
        if restored:
            return restored
        if known:
            return word
        restored = _likeliest(vocab, _restorations(word, vocab.forms), word)
        if restored:
            return restored
    elif known:
        return word
    if len(word) < min_typo_letters or _frequency(word):
        return word  # short, or a word Swedish text uses ("ofyllda" is no typo of "fyllda")
    return _fuzzy(word, vocab) or word


def _frequency(word: str) -> float:
    """How often Swedish text uses ``word`` (wordfreq; 0 for a spelling it has never seen)."""
    from wordfreq import word_frequency

    return float(word_frequency(word, "sv"))


def everyday_word(word: str, zipf: float) -> bool:
    """Whether ``word`` is an everyday Swedish word: Swedish text uses it at least ``zipf`` on
    wordfreq's Zipf scale (log10 of uses per billion words; 0: never) and more than English
    text does ("fisk", "glad", "förstår"; not "Spring" or "HTML")."""
    from wordfreq import zipf_frequency

    if zipf <= 0:
        return False
    word = word.strip(".,;:!?()").lower()
    swedish = float(zipf_frequency(word, "sv"))
    return swedish >= zipf and swedish > float(zipf_frequency(word, "en"))


def _more_common(restored: str, typed: str) -> bool:
    """Whether Swedish text uses ``restored`` at least :data:`RESTORE_RATIO` times as often as
    ``typed``."""
    return _frequency(restored) >= RESTORE_RATIO * _frequency(typed)


def _likeliest(vocab: _Vocabulary, candidates: set[str], typed: str) -> str | None:
    """The spelling of ``typed`` to restore among ``candidates``: the one meaning they share,
    or the most frequent when it is :data:`RESTORE_RATIO` times as frequent as each other
    ("ar": *är* before *år*); and only when it is as much more frequent than ``typed``."""
    if not candidates:
        return None
    best = vocab.unique(candidates)
    if best is None:
        ranked = sorted(candidates, key=lambda c: (-_frequency(c), c))
        if not all(_more_common(ranked[0], other) for other in ranked[1:]):
            return None
        best = ranked[0]
    return best if _more_common(best, typed) else None


def _fuzzy(word: str, vocab: _Vocabulary) -> str | None:
    candidates = {w for key in vocab.near(strip_aao(word)) for w in vocab.by_stripped[key]}
    # Letters the writer took the trouble to type stay: "Skåne" is no typo of "skona".
    candidates = {c for c in candidates if all(c.count(a) >= word.count(a) for a in "åäö")}
    return vocab.unique(candidates) if candidates else None


def correct_swedish(text: str) -> str:
    """``text`` with each word :func:`correct_word` changes replaced (case kept)."""
    text_has_aao = bool(_AAO.search(text))

    def fix(match: re.Match[str]) -> str:
        token = match.group(0)
        before = text[: match.start()].rstrip()
        at_start = not before or before[-1] in ".!?:;•-\n"
        if len(token) < 2 or token.isupper() or (token[0].isupper() and not at_start):
            return token  # names and acronyms
        fixed = correct_word(token.lower(), text_has_aao=text_has_aao,
                             min_typo_letters=MIN_TYPO_LETTERS_CAPITALISED if token[0].isupper()
                             else MIN_TYPO_LETTERS)
        if fixed == token.lower():
            return token
        return fixed[0].upper() + fixed[1:] if token[0].isupper() else fixed

    return _TOKEN.sub(fix, text)
